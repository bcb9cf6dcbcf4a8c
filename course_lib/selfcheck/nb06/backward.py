"""The checks of the backward passes: batchnorm_backward, batchnorm_backward_alt, spatial_batchnorm_backward.

A backward is always fed the cache of the student's own forward (caches
stay opaque) and compared with the right gradients, naming known mistakes,
and with centered differences of the student's own forward, so that a wrong
forward and a wrong backward are told apart. FormsAgree compares the two
backward forms on one cache.
"""
import numpy as np

from course_lib.gradcheck import compare_gradient, directional_check, numerical_gradient_array
from course_lib.selfcheck.common import (
    GRAD_THRESHOLD,
    VALUE_TOL,
    call_backward,
    call_forward,
    misfit,
    own_fd_agrees,
    require_array,
    usable_mistakes,
)
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb06.cases import FormsAgree, describe_case, dims_of, make_bn_param
from course_lib.selfcheck.nb06.forward import FORWARD_FIX, INPUTS
from course_lib.selfcheck.nb06.mistakes import labelled

GRADIENTS = ("dx", "dgamma", "dbeta")
GRADIENT_GAP = 1e-4
"""A gradient is only named as a mistake lying farther than this from the right one."""


def check_batchnorm_backward_case(batchnorm_forward, batchnorm_backward, case):
    """One case of batchnorm_backward (the graph form)."""
    check_backward_case("batchnorm_backward", batchnorm_forward, batchnorm_backward, case,
                        case.get("fd", "entries"))


def check_batchnorm_backward_alt_case(batchnorm_forward, batchnorm_backward_alt, *graph_and_case):
    """One case of batchnorm_backward_alt; ``graph_and_case`` is (case,) or (batchnorm_backward, case).

    The graph form is optional (the self-check takes it, the hidden check does not): a FormsAgree
    case compares the two forms when it is given and is skipped otherwise.
    """
    *graph, case = graph_and_case
    if isinstance(case, FormsAgree):
        if graph and graph[0] is not None:
            check_forms_agree(batchnorm_forward, batchnorm_backward_alt, graph[0], case.seed)
        return
    check_backward_case("batchnorm_backward_alt", batchnorm_forward, batchnorm_backward_alt, case,
                        case.get("fd", "entries"))


def check_spatial_batchnorm_backward_case(spatial_batchnorm_forward, spatial_batchnorm_backward, case):
    """One (N, C, H, W) case of spatial_batchnorm_backward."""
    check_backward_case("spatial_batchnorm_backward", spatial_batchnorm_forward, spatial_batchnorm_backward, case,
                        case.get("fd", "entries"))


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

    ``fd="direction"`` moves x, gamma and beta together along one random direction
    (2 forward calls) and reports that direction; ``"entries"`` first tries two random
    directions (own_fd_agrees, 4 forward calls), and only when they disagree
    differentiates every entry, to say which gradient is wrong.
    Returns None when they agree, else a sentence saying which gradient disagrees.
    """
    params = {"x": np.array(case["x"], copy=True), "gamma": np.array(case["gamma"], copy=True),
              "beta": np.array(case["beta"], copy=True)}
    named = dict(zip(("x", "gamma", "beta"), grads))

    def loss():
        out = forward(params["x"], params["gamma"], params["beta"], make_bn_param(case))[0]
        return float(np.sum(dout * np.asarray(out, dtype=np.float64)))

    if fd == "direction":
        result = directional_check(loss, params, named, rng=606, threshold=GRAD_THRESHOLD, five_point=False)
        return None if result.passed else result.message
    if own_fd_agrees(loss, params, named):
        return None
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
    failures, passed = [], []
    for label, mine in zip(GRADIENTS, grads):
        result = compare_gradient(label, case[label], mine, dims, threshold=GRAD_THRESHOLD, **hints[label])
        if not result.passed:
            failures.append(result.message)
        else:
            passed.append(label)
    if failures and passed == ["dgamma", "dbeta"] and "known mistake" not in failures[0]:
        # only dx is wrong, and no known mistake says where: the steps dgamma and dbeta share with it are right
        failures[0] += (" dgamma and dbeta are right, so x_hat and step 1 are too: look at the steps that only "
                        "dx goes through (steps 2 to 6 of the graph, or the bracket of the closed form).")
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

