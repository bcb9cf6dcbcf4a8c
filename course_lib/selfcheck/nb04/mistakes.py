"""Notebook 04's named mistakes: what a wrong answer is, in words a student can act on.

  * ``norm_mistakes``: the usual wrong lists of layer_gradient_norms, made from
    the right norms and two other measurements of the same backward (no
    gradient is computed here), keyed by their explanation;
  * ``STD_FORMULAS``: the standard deviations an initialiser might use instead
    of the rule, with the advice for each;
  * ``CLIP_MISTAKES``: the usual wrong clipping rules, keyed as the arrays they
    give are built on the trusted side (autograder/checks/nb04/mistaken.py) and
    stored for the self-check.
"""
import math

import numpy as np


def norm_mistakes(norms, weight_norms, l1_norms, n_samples):
    """Typical wrong answers, built from the right norms and two other measurements of the same backward.

    weight_norms: ||grad_w C|| (Frobenius) per layer; l1_norms: sum |dC/db_j| per layer.
    """
    norms = np.asarray(norms, dtype=np.float64)
    mistakes = {
        "the norms in reverse order: the list must start with the FIRST Linear layer, the one that "
        "receives x": norms[::-1],
        "the norms of the weight gradients grad_w C: the lecture measures the bias gradients "
        "grad_b C (the entry 'b' of each Linear layer's grads)": np.asarray(weight_norms, dtype=np.float64),
        "the squared norms: take the square root of the sum of squares (np.linalg.norm does)": norms**2,
        "the L1 norms (sums of absolute values): use the Euclidean norm, the square root of the "
        "sum of squares": np.asarray(l1_norms, dtype=np.float64),
    }
    if n_samples > 1:
        mistakes[f"N = {n_samples} times the right norms: softmax_cross_entropy is already the MEAN over "
                 "the N samples, so pass its gradient to backward as it is"] = n_samples * norms
        mistakes[f"1/N = 1/{n_samples} of the right norms: the loss gradient already carries the "
                 "factor 1/N, do not divide by N again"] = norms / n_samples
    return mistakes



_VARIANCE_HINT = "; that is a variance, and the standard deviation is its square root"
STD_FORMULAS = [
    # (formula text, std(r_in, r_out), advice when it is used instead of the rule)
    ("sqrt(1 / r_in)", lambda i, o: math.sqrt(1.0 / i),
     {"he_init": "; that is the basic rule for sigmoid and tanh units: a ReLU zeroes about half of its "
                 "inputs, and the factor 2 makes up for it",
      "xavier_init": "; that is the basic rule, which looks at the fan-in only: Xavier uses both r_in and r_out"}),
    ("sqrt(2 / r_in)", lambda i, o: math.sqrt(2.0 / i),
     {"xavier_init": "; that is He's rule for ReLU units: Xavier divides by r_in + r_out"}),
    ("sqrt(1 / r_out)", lambda i, o: math.sqrt(1.0 / o),
     {"": "; r_out is the fan-out, the number of outputs: the rule uses r_in, the number of inputs of a unit"}),
    ("sqrt(2 / r_out)", lambda i, o: math.sqrt(2.0 / o),
     {"": "; r_out is the fan-out: the rule uses the fan-in r_in (the first dimension of the weight)"}),
    ("sqrt(1 / (r_in + r_out))", lambda i, o: math.sqrt(1.0 / (i + o)),
     {"": "; the numerator is 2: Xavier's variance is 1 / ((r_in + r_out) / 2), one over the average fan"}),
    ("sqrt(2 / (r_in + r_out))", lambda i, o: math.sqrt(2.0 / (i + o)),
     {"he_init": "; that is Xavier's rule: He's rule for ReLU units uses the fan-in only"}),
    ("sqrt(6 / (r_in + r_out))", lambda i, o: math.sqrt(6.0 / (i + o)),
     {"": "; that is the half-width of Glorot's UNIFORM variant, not the standard deviation of the Gaussian"}),
    ("1 / r_in", lambda i, o: 1.0 / i, {"": _VARIANCE_HINT}),
    ("2 / r_in", lambda i, o: 2.0 / i, {"": _VARIANCE_HINT}),
    ("1 / (r_in + r_out)", lambda i, o: 1.0 / (i + o), {"": _VARIANCE_HINT}),
    ("2 / (r_in + r_out)", lambda i, o: 2.0 / (i + o), {"": _VARIANCE_HINT}),
    ("1", lambda i, o: 1.0,
     {"": ": the standard normal draws were not scaled; multiply them by the standard deviation"}),
    ("sqrt(r_in / 2)", lambda i, o: math.sqrt(i / 2.0), {"": ": r_in belongs in the denominator"}),
    ("sqrt((r_in + r_out) / 2)", lambda i, o: math.sqrt((i + o) / 2.0),
     {"": ": r_in + r_out belongs in the denominator"}),
]



CLIP_MISTAKES = {
    "clip_by_value": {
        "upper_only": "only the upper bound was applied: entries below -limit must become -limit too",
        "zeroed": "entries outside [-limit, limit] were set to 0: value clipping moves each of them to the "
                  "nearest boundary, -limit or +limit",
        "unsigned": "entries below -limit became +limit: they must become -limit (keep the sign)",
        "max_scaled": "each array was rescaled so that its largest entry has size limit: value clipping "
                      "clamps every entry on its own and leaves the entries inside [-limit, limit] as they are",
        "by_norm": "this is what clipping by norm gives: clip_by_value clamps every entry to [-limit, limit]",
    },
    "clip_by_norm": {
        "per_array": "each array was rescaled by its own norm: norm-based clipping rescales ALL arrays by "
                     "one factor max_norm / ||g||, where ||g|| is the L2 norm of every entry of every array "
                     "taken together (one long vector)",
        "always": "a gradient whose norm is below max_norm was scaled up to max_norm: rescale only when "
                  "||g|| > max_norm, otherwise return copies of the arrays unchanged",
        "unit": "the arrays were divided by ||g|| but not multiplied by max_norm: after clipping the norm "
                "is max_norm, not 1",
        "squared": "the norm was taken without the square root: ||g|| = sqrt(sum of all squared entries)",
        "inverted": "the factor is upside down: multiply by max_norm / ||g||, not by ||g|| / max_norm",
        "l1": "the L1 norm (sum of absolute values) was used: use the L2 norm, the square root of the "
              "sum of squares",
        "by_value": "this is what clipping by value gives: clip_by_norm keeps the direction of the gradient "
                    "and only shortens it",
    },
}
