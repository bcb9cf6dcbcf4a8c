"""Self-checks of notebook 06 (batch normalization), shipped with the student release.

No reference implementation of a graded function is used here, and no batch
norm formula either. What a student's functions are compared with:
  * stored cases, ``expected("nb06", key)``: inputs, the right outputs, the
    updated running averages and gradients, and the results of typical
    mistakes on the same inputs (all computed by the instructor's build,
    autograder/expected/nb06.py, from course_lib and autograder/checks/nb06.py);
  * the student's own forward: centered differences of it must match the backward;
  * the student's own functions against each other: the two backward forms
    must agree.

A case is a dict of arrays (see ``stored_case``); the ``check_*_case``
functions take one, so the hidden grading checks (autograder/checks/nb06.py)
replay them on fresh inputs with values computed from course_lib.
The running averages are read back from the ``bn_param`` dict the forward was
given: the forward must store them there.
"""
import numpy as np

from course_lib.gradcheck import compare_gradient, directional_check, numerical_gradient_array
from course_lib.gradcheck.naming import describe_shape
from course_lib.selfcheck import common
from course_lib.selfcheck.common import (
    GRAD_THRESHOLD,
    VALUE_TOL,
    call_backward,
    call_forward,
    misfit,
    require_array,
    require_values,
    stored_count,
    usable_mistakes,
)
from course_lib.selfcheck.core import CheckFailure

NB = "nb06"
INPUTS = ("x", "gamma", "beta")
"""The array inputs of a forward, in order (bn_param follows them); the backward returns one gradient each."""
GRADIENTS = ("dx", "dgamma", "dbeta")
FORWARD_FIX = "compute the output in new arrays (x - mu rather than x -= mu)."
"""What to do instead of changing x, gamma or beta in place."""
OUTPUT_GAP = 100 * VALUE_TOL
"""A forward output or running average is only named as a mistake lying farther than this from the right one."""
GRADIENT_GAP = 1e-4
"""A gradient is only named as a mistake lying farther than this from the right one."""

# What each known mistake is, in words; the arrays they produce are stored per case.
MISTAKES = {
    # forward output
    "unbiased_var": "the variance divided by m - 1 (unbiased variance); the lecture's sigma_B^2 "
                    "divides by m, the number of samples in the mini-batch",
    "eps_outside_sqrt": "(x - mu_B) / (sqrt(sigma_B^2) + eps), with eps outside the square root; "
                        "divide by sqrt(sigma_B^2 + eps)",
    "eps_fixed": "the output for eps = 1e-5; use bn_param['eps']",
    "no_sqrt": "(x - mu_B) / (sigma_B^2 + eps), divided by the variance; divide by the standard "
               "deviation sqrt(sigma_B^2 + eps)",
    "no_scale_shift": "x_hat itself; scale and shift it: y = gamma * x_hat + beta",
    "scale_shift_swapped": "beta * x_hat + gamma; gamma scales and beta shifts: y = gamma * x_hat + beta",
    "test_batch_stats": "the output normalised with the batch statistics mu_B and sigma_B^2 (test mode "
                        "using batch statistics); in test mode normalise with bn_param['running_mean'] "
                        "and bn_param['running_var']",
    # running averages
    "momentum_swapped": "the running average with the momentum weights swapped, momentum * (batch "
                        "statistic) + (1 - momentum) * (running value); the old running value keeps "
                        "the weight momentum: running = momentum * running + (1 - momentum) * batch",
    "not_updated": "the running average unchanged; store the updated arrays in "
                   "bn_param['running_mean'] and bn_param['running_var'] in train mode",
    "running_var_unbiased": "the running variance updated with the unbiased variance (m - 1); use the "
                            "same sigma_B^2 (divided by m) as the normalisation",
    "updated_in_test": "the running averages updated in test mode; test mode only reads them",
    # spatial batch norm over the wrong axes
    "axes_N": "the output normalised over the batch axis N only (one mean per channel AND pixel); spatial batch "
              "norm normalises each channel over N, H and W together",
    "axes_NH": "the output normalised over N and H only; spatial batch norm normalises each channel over N, H and W",
    "axes_NW": "the output normalised over N and W only; spatial batch norm normalises each channel over N, H and W",
    "axes_CHW": "the output normalised per sample over C, H and W (that is layer normalization); normalise per "
                "channel over N, H and W",
    "axes_HW": "the output normalised per sample and channel over H and W (that is instance normalization); "
               "normalise per channel over N, H and W",
    "reshape_no_transpose": "x.reshape(N * H * W, C) normalised as a batch, which mixes channels and "
                            "pixels; move the channel axis last first: x.transpose(0, 2, 3, 1).reshape(-1, C)",
    "no_transpose_back": "the normalised rows reshaped straight to (N, C, H, W); reshape them to "
                         "(N, H, W, C) and move the channel axis back with .transpose(0, 3, 1, 2)",
    # backward
    "dx_no_mean_term": "batch norm dx without the mean term: x reaches the cost through mu_B too, "
                       "which subtracts the batch mean of dL/dx_hat",
    "dx_no_var_term": "batch norm dx without the variance term: x reaches the cost through sigma_B^2 "
                      "too, which subtracts x_hat times the batch mean of dL/dx_hat * x_hat",
    "dx_no_mean_no_var": "batch norm dx without the mean and the variance terms, as if mu_B and "
                         "sigma_B^2 were constants (that is the test-mode gradient)",
    "dx_no_gamma": "dx without the factor gamma; dL/dx_hat = gamma * dL/dy",
    "dx_train_formula_in_test": "the train-mode gradient; in test mode mu and sigma^2 are fixed "
                                "running averages, so dx = gamma * dout / sqrt(running_var + eps)",
    "dx_train_graph_in_test": "the train-mode gradient through the normalisation graph; in test mode mu "
                              "and sigma^2 are fixed running averages, so dx = gamma * dout / "
                              "sqrt(running_var + eps)",
    "dx_reshape_no_transpose": "batch norm dx of dout.reshape(N * H * W, C), which mixes channels and "
                               "pixels; move the channel axis last first, as in the forward",
    "dx_no_transpose_back": "the rows of dx reshaped straight to (N, C, H, W); reshape them to "
                            "(N, H, W, C) and move the channel axis back with .transpose(0, 3, 1, 2)",
    "dgamma_no_xhat": "dgamma not multiplied by x_hat, the sum of dout; dgamma = sum over the batch "
                      "of dout * x_hat",
    "dgamma_centred": "the sum of dout * (x - mu_B); dgamma multiplies by the normalised x_hat, "
                      "not by x - mu_B",
    "dgamma_x": "the sum of dout * x; dgamma multiplies by the normalised x_hat, not by x",
    "dgamma_mean": "the batch MEAN of dout * x_hat; gamma is shared by all samples, so its gradient "
                   "is the SUM",
}

# ----------------------------------------------------------------------------- stored cases


def stored_case(prefix):
    """The case ``prefix`` of the stored values as a dict.

    Plain entries ``case[key]`` are arrays (0-d for numbers and the mode);
    ``case["mistakes"][group][slug]`` is what mistake ``slug`` gives for
    ``group`` ("out", "running_mean", "running_var", "dx", "dgamma").
    """
    return common.stored_case(NB, prefix)


# ----------------------------------------------------------------------------- small helpers


def make_bn_param(case):
    """A fresh bn_param dict for a case, with copies of its running averages."""
    return {
        "mode": str(case["mode"]),
        "eps": float(case["eps"]),
        "momentum": float(case["momentum"]),
        "running_mean": np.array(case["running_mean"], dtype=np.float64, copy=True),
        "running_var": np.array(case["running_var"], dtype=np.float64, copy=True),
    }


def describe_case(case):
    mode, x = str(case["mode"]), case["x"]
    return (f"{mode} mode, x of shape {describe_shape(x.shape)}, eps = {float(case['eps']):g}, "
            f"momentum = {float(case['momentum']):g}")


def dims_of(x):
    """Named dimensions for messages ("1/N", "(N, D)")."""
    names = ("N", "D") if x.ndim == 2 else ("N", "C", "H", "W")
    return dict(zip(names, x.shape))


def labelled(candidates):
    """{sentence: array} from {slug: array}, for the messages."""
    return {MISTAKES[slug]: value for slug, value in (candidates or {}).items()}


# ----------------------------------------------------------------------------- forward


def check_forward_case(fname, forward, case):
    """One call in one mode: the output, then the running averages left in bn_param.

    ``case`` holds x, gamma, beta, mode, eps, momentum, running_mean,
    running_var (before the call), out, new_running_mean, new_running_var, and
    mistakes for the groups "out", "running_mean", "running_var".
    """
    context = f"{fname}, {describe_case(case)}"
    x = case["x"]
    dims = dims_of(x)
    bn_param = make_bn_param(case)
    out, _ = call_forward(fname, forward, (x, case["gamma"], case["beta"]), INPUTS, FORWARD_FIX, params=(bn_param,))
    mistakes = case["mistakes"]
    require_values(context, "out", case["out"], out, labelled(mistakes.get("out")), dims=dims, apart=OUTPUT_GAP)
    for key in ("running_mean", "running_var"):
        if key not in bn_param:
            raise CheckFailure(f"{context}: bn_param has no entry {key!r} after the call; keep the running "
                               "averages in the dict you were given.")
        require_values(context, f"bn_param[{key!r}] after the call", case[f"new_{key}"], bn_param[key],
                       labelled(mistakes.get(key)), apart=OUTPUT_GAP)


def check_running_sequence_case(fname, forward, case):
    """Several train-mode calls sharing ONE bn_param: the running averages after every call.

    ``case``: x_seq (S, N, D), gamma, beta, eps, momentum, running_mean and
    running_var before the first call, means and variances (S, D) after each
    call; mistakes for the groups "running_mean", "running_var" hold (S, D) arrays.
    """
    x_seq = case["x_seq"]
    context = (f"{fname}, {len(x_seq)} train-mode calls in a row with the same bn_param, batches of "
               f"shape {describe_shape(x_seq.shape[1:])}, momentum = {float(case['momentum']):g}")
    bn_param = make_bn_param({**case, "mode": "train"})
    means, variances = [], []
    for x in x_seq:
        call_forward(fname, forward, (x, case["gamma"], case["beta"]), INPUTS, FORWARD_FIX, params=(bn_param,))
        for key in ("running_mean", "running_var"):
            if key not in bn_param:
                raise CheckFailure(f"{context}: bn_param has no entry {key!r} after a call; keep the running "
                                   "averages in the dict you were given.")
        means.append(np.array(bn_param["running_mean"], dtype=np.float64, copy=True))
        variances.append(np.array(bn_param["running_var"], dtype=np.float64, copy=True))
    mistakes = case["mistakes"]
    for label, key, got in (("running_mean", "means", means), ("running_var", "variances", variances)):
        shapes = {np.shape(g) for g in got}
        if shapes != {case[key].shape[1:]}:
            raise CheckFailure(f"{context}: bn_param[{label!r}] must have shape "
                               f"{describe_shape(case[key].shape[1:])} (one entry per feature), got {sorted(shapes)}.")
        require_values(context, f"bn_param[{label!r}] after each call (one row per call)", case[key],
                       np.stack(got), labelled(mistakes.get(label)), apart=OUTPUT_GAP)


def check_batchnorm_forward(batchnorm_forward):
    """Stored cases: train mode (eps 1e-5 and 0.1, a batch of one), test mode, running averages."""
    for k in range(stored_count(NB, "fwd")):
        check_forward_case("batchnorm_forward", batchnorm_forward, stored_case(f"fwd_{k}"))
    check_running_sequence_case("batchnorm_forward", batchnorm_forward, stored_case("seq"))


# ----------------------------------------------------------------------------- backward


def _fd_gradients(forward, case, dout):
    """Centered differences of sum(dout * forward(...)) in x, gamma and beta (fresh bn_param per call)."""
    arrays = {name: np.array(case[name], dtype=np.float64, copy=True) for name in ("x", "gamma", "beta")}

    def along(name):
        def f(value):
            args = dict(arrays, **{name: value})
            return forward(args["x"], args["gamma"], args["beta"], make_bn_param(case))[0]
        return numerical_gradient_array(f, arrays[name].copy(), dout)

    return {name: along(name) for name in arrays}


def check_own_forward(forward, case, dout, grads, fd="entries"):
    """The backward against centered differences of the student's OWN forward.

    ``fd="entries"`` differentiates every entry (small cases); ``"direction"``
    moves x, gamma and beta together along one random direction (5 forward calls).
    Returns None when they agree, else a sentence saying which gradient disagrees.
    """
    if fd == "direction":
        params = {"x": np.array(case["x"], copy=True), "gamma": np.array(case["gamma"], copy=True),
                  "beta": np.array(case["beta"], copy=True)}

        def loss():
            out = forward(params["x"], params["gamma"], params["beta"], make_bn_param(case))[0]
            return float(np.sum(dout * np.asarray(out, dtype=np.float64)))

        result = directional_check(loss, params, dict(zip(("x", "gamma", "beta"), grads)), rng=606,
                                   threshold=GRAD_THRESHOLD, five_point=False)
        return None if result.passed else result.message
    numerical = _fd_gradients(forward, case, dout)
    for name, mine in zip(("x", "gamma", "beta"), grads):
        result = compare_gradient(f"d{name}", numerical[name], mine, threshold=GRAD_THRESHOLD)
        if not result.passed:
            return result.message
    return None


def check_backward_case(fname, forward, backward, case, fd="entries", forward_name=None):
    """One forward/backward pair in one mode; the backward is fed the cache of the student's forward.

    ``case`` holds the forward inputs (as in check_forward_case), dout, out,
    dx, dgamma, dbeta and mistakes for the groups "dx" and "dgamma". Checks the
    contract (shapes, finite, dout untouched, linear in dout, the cache
    reusable), the gradients against the right ones naming known mistakes, and
    against centered differences of the student's own forward, so that a
    wrong forward and a wrong backward are told apart.
    """
    forward_name = forward_name or fname.replace("_backward_alt", "_forward").replace("_backward", "_forward")
    x, dout = case["x"], case["dout"]
    dims = dims_of(x)
    context = f"{fname}, {describe_case(case)}"
    out, cache = call_forward(forward_name, forward, (x, case["gamma"], case["beta"]), INPUTS, FORWARD_FIX,
                              params=(make_bn_param(case),))
    grads = call_backward(fname, backward, dout, cache, 3, GRADIENTS)
    shapes = (x.shape, case["gamma"].shape, case["beta"].shape)
    grads = tuple(require_array(f"{context}: {label}", g, s, dims) for label, g, s in zip(GRADIENTS, grads, shapes))
    mistakes = case["mistakes"]
    hints = {
        "dx": {"candidates": labelled(usable_mistakes(mistakes.get("dx"), case["dx"], GRADIENT_GAP))},
        "dgamma": {"candidates": labelled(usable_mistakes(mistakes.get("dgamma"), case["dgamma"], GRADIENT_GAP))},
        "dbeta": {"upstream": dout, "summed_axes": (0,) if x.ndim == 2 else (0, 2, 3)},
    }
    failures = []
    for label, mine in zip(GRADIENTS, grads):
        result = compare_gradient(label, case[label], mine, dims, threshold=GRAD_THRESHOLD, **hints[label])
        if not result.passed:
            failures.append(result.message)
    if failures:
        out_ok = np.shape(out) == x.shape and misfit(case["out"], np.asarray(out, dtype=np.float64)) <= VALUE_TOL
        if not out_ok:
            own = check_own_forward(forward, case, dout, grads, fd)
            verdict = ("your backward does match centered differences of your forward, so the mistake is in "
                       f"{forward_name}" if own is None else
                       f"it does not match centered differences of your forward either ({own})")
            raise CheckFailure(
                f"{context}: {forward_name} gives a wrong output on this case (run its check first), and the "
                f"gradients are compared with those of the right forward: {failures[0]} Note: {verdict}."
            )
        raise CheckFailure(f"{context}: {failures[0]}")
    own = check_own_forward(forward, case, dout, grads, fd)
    if own is not None:
        raise CheckFailure(f"{context}: the gradients are right, but they disagree with centered differences "
                           f"of your own {forward_name}, whose output must then be wrong near this input: {own}")
    again = call_backward(fname, backward, dout, cache, 3, GRADIENTS)
    doubled = call_backward(fname, backward, 2.0 * dout, cache, 3, GRADIENTS)
    for label, g, g_again, g_doubled in zip(GRADIENTS, grads, again, doubled):
        if not np.array_equal(np.asarray(g_again, dtype=np.float64), g):
            raise CheckFailure(f"{context}: a second call with the same dout and cache gave a different {label}; "
                               "the backward must not change the cache.")
        if misfit(2.0 * g, np.asarray(g_doubled, dtype=np.float64)) > 1e-12:
            raise CheckFailure(f"{context}: doubling dout did not double {label}; the backward must be linear "
                               "in dout.")


def check_batchnorm_backward(batchnorm_forward, batchnorm_backward):
    """Stored cases in train mode (eps 1e-5 and 0.1, a batch of one) and test mode."""
    for k in range(stored_count(NB, "bwd")):
        check_backward_case("batchnorm_backward", batchnorm_forward, batchnorm_backward,
                            stored_case(f"bwd_{k}"))


def check_forms_agree(batchnorm_forward, batchnorm_backward_alt, batchnorm_backward, seed=66):
    """Both backward forms on ONE cache of the student's forward (a fresh random batch): same gradients."""
    rng = np.random.default_rng(seed)
    N, D = 9, 4
    x = 1.5 * rng.standard_normal((N, D)) + rng.standard_normal(D)
    gamma, beta = 0.5 + rng.random(D), rng.standard_normal(D)
    dout = rng.standard_normal((N, D))
    bn_param = {"mode": "train", "eps": 1e-5, "momentum": 0.9,
                "running_mean": np.zeros(D), "running_var": np.ones(D)}
    _, cache = call_forward("batchnorm_forward", batchnorm_forward, (x, gamma, beta), INPUTS, FORWARD_FIX,
                            params=(bn_param,))
    alt = call_backward("batchnorm_backward_alt", batchnorm_backward_alt, dout, cache, 3, GRADIENTS)
    try:
        graph = call_backward("batchnorm_backward", batchnorm_backward, dout, cache, 3, GRADIENTS)
    except NotImplementedError:
        return  # the graph form is not written yet: nothing to compare with
    for label, a, g in zip(("dx", "dgamma", "dbeta"), alt, graph):
        result = compare_gradient(label, np.asarray(g, dtype=np.float64), a, threshold=GRAD_THRESHOLD)
        if not result.passed:
            raise CheckFailure(
                f"batchnorm_backward_alt and batchnorm_backward disagree on a train-mode batch of shape "
                f"({N}, {D}) fed the same cache: {result.message} The closed form passed its own checks, so "
                "look at batchnorm_backward (its check above says what is wrong)."
            )


def check_batchnorm_backward_alt(batchnorm_forward, batchnorm_backward_alt, batchnorm_backward=None):
    """The stored cases of batchnorm_backward, then agreement with the graph form when it is given."""
    for k in range(stored_count(NB, "bwd")):
        check_backward_case("batchnorm_backward_alt", batchnorm_forward, batchnorm_backward_alt,
                            stored_case(f"bwd_{k}"))
    if batchnorm_backward is not None:
        check_forms_agree(batchnorm_forward, batchnorm_backward_alt, batchnorm_backward)


# ----------------------------------------------------------------------------- spatial batch norm


def check_spatial_batchnorm_forward(spatial_batchnorm_forward):
    """Stored (N, C, H, W) cases: train mode (a batch of one too) and test mode."""
    for k in range(stored_count(NB, "sfwd")):
        check_forward_case("spatial_batchnorm_forward", spatial_batchnorm_forward, stored_case(f"sfwd_{k}"))


def check_spatial_batchnorm_backward(spatial_batchnorm_forward, spatial_batchnorm_backward):
    """Stored (N, C, H, W) cases in train and test mode, fed the cache of the student's forward."""
    for k in range(stored_count(NB, "sbwd")):
        check_backward_case("spatial_batchnorm_backward", spatial_batchnorm_forward, spatial_batchnorm_backward,
                            stored_case(f"sbwd_{k}"))
