"""Notebook 01's catalogue of named mistakes: {slug: what the answer is, and the fix}.

The arrays each mistake gives on a case's inputs are built on the trusted side
(autograder/checks/nb01/mistaken.py) under the same slugs and travel with the
case (stored with the notebook for the self-check, fresh for the hidden
check); a check names the first one a wrong answer equals.
"""

NUMERICAL_GRADIENT = {
    "forward_difference": "the forward difference (f(x + h e_i) - f(x)) / h; use the centered difference "
                          "(f(x + h e_i) - f(x - h e_i)) / (2h)",
    "backward_difference": "the backward difference (f(x) - f(x - h e_i)) / h; use the centered difference "
                           "(f(x + h e_i) - f(x - h e_i)) / (2h)",
    "half_forward": "(f(x + h e_i) - f(x)) / (2h), half the forward difference: the centered difference "
                    "subtracts f(x - h e_i). If you evaluated f after undoing the +h, x_i was back at its "
                    "value: lower it by 2h (to x_i - h) before the second evaluation, and restore it after",
    "twice": "twice the centered difference: divide f(x + h e_i) - f(x - h e_i) by 2h, not by h",
    "half": "half the centered difference: divide f(x + h e_i) - f(x - h e_i) by 2h, not by 4h",
    "all_at_once": "the same number in every entry, the derivative along (1, ..., 1): perturb ONE coordinate "
                   "at a time, x + h e_i, not the whole array",
    "own_step": "the exact gradient without the h^2 term of a centered difference with step h: "
                "use the step h that is passed in, not a step of your own",
}

RELATIVE_ERROR = {
    "sum_of_norms": "||a - b|| / (||a|| + ||b||): the denominator is the norm of the SUM, ||a + b||",
    "squares": "||a - b||^2 / ||a + b||^2: use the norms themselves, not their squares",
    "swapped": "||a + b|| / ||a - b||: numerator and denominator are swapped",
    "largest_entry": "the largest entrywise ratio |a_i - b_i| / |a_i + b_i|: use the norms over all entries",
    "over_a": "||a - b|| / ||a||: divide by ||a + b||, which treats a and b alike",
}

FORWARD = {
    "sigmoid": {
        "complement": "1 - sigmoid(x), i.e. 1 / (1 + exp(x)): the exponent is exp(-x)",
    },
    "tanh": {},
    "relu": {
        "min": "min(0, x): the ReLU keeps the positive part, max(0, x)",
        "mask": "the mask 1[x > 0] instead of x * 1[x > 0]",
    },
    "leaky_relu": {
        "fixed_slope": "the leaky ReLU with slope 0.01: use the alpha that is passed in",
        "swapped": "alpha * x where x > 0 and x elsewhere: the branches are swapped",
        "relu": "max(0, x): the negative side must be alpha * x, not 0",
    },
    "softplus": {
        "minus_x": "ln(1 + exp(-x)): the exponent is +x",
        "minus_log2": "ln(1 + exp(x)) - ln(2)",
    },
}
"""Wrong forwards of each activation."""

BACKWARD = {
    "sigmoid": {
        "from_input": "dout * x * (1 - x): a(1 - a) must use the OUTPUT a = sigmoid(x), not the input x",
        "output": "dout * a: the derivative is a (1 - a), not a",
        "sigmoid_of_output": "dout * s (1 - s) with s = sigmoid(a), the sigmoid applied again to the cached "
                             "output a: the cache already holds a = sigmoid(x), so use dout * a * (1 - a)",
    },
    "tanh": {
        "from_input": "dout * (1 - x^2): 1 - a^2 must use the OUTPUT a = tanh(x), not the input x",
        "one_minus_a": "dout * (1 - a): the derivative is 1 - a^2",
        "one_minus_a_squared": "dout * (1 - a)^2: the derivative is 1 - a^2, one minus the square of a, "
                               "not the square of 1 - a",
    },
    "relu": {
        "mask_ge": "dout * 1[x >= 0]: at x = 0 the derivative is taken as 0, use the mask x > 0",
        "mask_of_dout": "dout * 1[dout > 0]: the mask comes from the input x, not from dout",
        "output": "dout * max(0, x): the derivative is the 0/1 mask 1[x > 0], not the output",
    },
    "leaky_relu": {
        "mask_ge": "dout * (1 if x >= 0 else alpha): at x = 0 the slope is alpha (x <= 0 branch)",
        "swapped": "dout * (alpha if x > 0 else 1): the branches are swapped",
        "relu": "the ReLU's gradient, 0 for x <= 0: the slope there is alpha",
        "fixed_slope": "the gradient with slope 0.01: use the alpha from the forward (keep it in the cache)",
    },
    "softplus": {
        "sigmoid_of_minus_x": "dout * sigmoid(-x): the derivative of ln(1 + e^x) is sigmoid(x) = 1 / (1 + e^-x)",
        "exp": "dout * exp(x): the derivative of ln(1 + e^x) is e^x / (1 + e^x)",
        "output": "dout * softplus(x): the backward multiplies by the derivative, sigmoid(x)",
    },
}
"""Wrong backwards of each activation, besides the ones of every activation (BACKWARD_ANY)."""

BACKWARD_ANY = {
    "local_only": "the local derivative h'(x) alone: multiply it by dout",
}

COS_OUT = {
    "no_pi": "cos(theta * x): add pi",
    "no_theta": "cos(x) + pi: the input is multiplied by theta",
    "sine": "sin(theta * x) + pi: the module uses the cosine",
}
COS_DX = {
    "no_inner_factor": "-sin(theta x) * dout: the chain rule brings a factor theta from the inner function theta * x",
    "theta_derivative": "-x sin(theta x) * dout, which is the entrywise derivative with respect to theta, not x",
}
COS_DTHETA = {
    "mean": "the mean of the entrywise contributions -x sin(theta x) dout: theta's gradient is their SUM",
    "sum_of_dx": "the sum of -theta sin(theta x) dout, which is the sum of dx: the derivative with respect to theta "
                 "brings the factor x",
}


def named(catalogue, mistakes):
    """{text: array} of the known mistakes {slug: array}, in their order, texts from ``catalogue``."""
    return {catalogue[slug]: value for slug, value in mistakes.items()}
