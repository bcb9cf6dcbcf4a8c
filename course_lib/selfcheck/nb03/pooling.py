"""The per-case checks of max and average pooling, forward and backward.

On a PoolCase (cases.py) of kind "maxpool" or "avgpool": the output against
the expected one; then, fed the cache of the student's own forward, dx against
the expected one and the known mistakes (mistakes.py), linearity in dout, and
a directional finite-difference check against the student's own forward. The
stored and the fresh inputs have no ties, so a window's maximum is unique.
"""
import numpy as np

from course_lib.gradcheck import directional_check
from course_lib.selfcheck.common import VALUE_TOL, call_backward, call_forward
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb03.compare import FORWARD_FIX, forward_first, require_close, require_linear
from course_lib.selfcheck.nb03.mistakes import (
    AVGPOOL_DX_MISTAKES,
    AVGPOOL_OUT_MISTAKES,
    MAXPOOL_DX_MISTAKES,
    MAXPOOL_OUT_MISTAKES,
)

POOLS = {
    "maxpool": (MAXPOOL_OUT_MISTAKES, MAXPOOL_DX_MISTAKES),
    "avgpool": (AVGPOOL_OUT_MISTAKES, AVGPOOL_DX_MISTAKES),
}
"""{kind: (catalogue of the output's mistakes, catalogue of dx's)}."""


def pool_out_shape_hints(x_shape, size, stride):
    N, C, H, W = x_shape
    right = (N, C, 1 + (H - size) // stride, 1 + (W - size) // stride)
    hints = {}
    if stride != size:
        hints[(N, C, 1 + (H - size) // size, 1 + (W - size) // size)] = (
            f"that is the output of windows moved by size = {size}; move them by stride = {stride}, "
            "H' = 1 + (H - size) // stride"
        )
    if stride != 1:
        hints[(N, C, H - size + 1, W - size + 1)] = (
            f"that is the output of stride 1; move the window by stride = {stride} pixels"
        )
    hints[(N, C, H // size, W // size)] = "H' = 1 + (H - size) // stride, W' = 1 + (W - size) // stride"
    hints.pop(right, None)
    return hints


def _pool_kwargs(size, stride):
    return {} if (size, stride) == (2, 2) else {"size": size, "stride": stride}


def _pool_forward(forward, case):
    """Run a pooling forward on one case: (cache, None) when its output is right, (cache, message) otherwise."""
    fname = f"{case.kind}_forward"
    context = f"{fname}, {case.label} {case.text}"
    out, cache = call_forward(fname, forward, (case.x,), None, FORWARD_FIX, kwargs=_pool_kwargs(case.size, case.stride))
    try:
        require_close(context, "out", case.out, out, POOLS[case.kind][0], case.mistakes.get("out"), tol=VALUE_TOL,
                      layout="(N, C, H', W')", shape_hints=pool_out_shape_hints(case.x.shape, case.size, case.stride))
    except CheckFailure as exc:
        return cache, str(exc)
    return cache, None


def check_pool_forward_case(forward, case):
    """One case of maxpool_forward or avgpool_forward (``case.kind``); returns the student's cache."""
    cache, problem = _pool_forward(forward, case)
    if problem is not None:
        raise CheckFailure(problem)
    return cache


def pool_fd_check(forward, case, dx):
    """Directional check of dx against centered differences of the student's own forward."""
    params = {"x": case.x.copy()}

    def loss():
        out = forward(params["x"], **_pool_kwargs(case.size, case.stride))[0]
        return float(np.sum(case.dout * np.asarray(out, dtype=np.float64)))

    return directional_check(loss, params, {"x": dx}, rng=case.rng)


def check_pool_backward_case(forward, backward, case):
    """One case of a pooling backward (``case.kind``), fed the cache of the student's own forward."""
    kind = case.kind
    bname = f"{kind}_backward"
    context = f"{bname}, {case.label} {case.text}"
    cache, forward_problem = _pool_forward(forward, case)
    dx = call_backward(bname, backward, case.dout, cache, fix="compute the gradients in new arrays.")
    if forward_problem is not None:
        try:
            agrees = pool_fd_check(forward, case, dx).passed
        except Exception:  # the forward's output does not even fit dout
            agrees = None
        raise CheckFailure(forward_first(context, kind, forward_problem, agrees))
    dx = require_close(context, "dx", case.dx, dx, POOLS[kind][1], case.mistakes.get("dx"),
                       layout="(N, C, H, W)", dims={"size": case.size})
    require_linear(context, backward, case.dout, cache, (dx,), ("dx",))
    result = pool_fd_check(forward, case, dx)
    if not result.passed:
        raise CheckFailure(f"{context}: dx disagrees with finite differences of your own {kind}_forward: "
                           f"{result.message}")
