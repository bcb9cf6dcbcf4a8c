"""The per-case checks of the convolutional layer, conv2d_forward and conv2d_backward.

    out[n, f, y, x] = b[f] + sum over c, i, j of w[f, c, i, j] * x_pad[n, c, y*stride + i, x*stride + j]

On a Conv2dCase (cases.py): the output against the expected one; then, fed the
cache of the student's own forward, dx, dw and db against the expected ones and
the known mistakes (mistakes.py), linearity in dout, and a directional
finite-difference check against the student's own forward. With a wrong
forward, that check tells a consistent backward from a wrong one.
"""
import numpy as np

from course_lib.gradcheck import directional_check
from course_lib.selfcheck.common import VALUE_TOL, call_backward, call_forward
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb03.cases import conv_output_size
from course_lib.selfcheck.nb03.compare import FORWARD_FIX, forward_first, require_close, require_linear
from course_lib.selfcheck.nb03.mistakes import (
    CONV2D_DB_MISTAKES,
    CONV2D_DW_MISTAKES,
    CONV2D_DX_MISTAKES,
    CONV2D_OUT_MISTAKES,
)


def conv_out_shape_hints(x_shape, w_shape, stride, pad):
    """Wrong output shapes of conv2d_forward and the mistakes that produce them."""
    N, C, H, W = x_shape
    F, _, HH, WW = w_shape
    right = (N, F) + conv_output_size(H, W, HH, WW, stride, pad)
    hints = {}
    if pad:
        hints[(N, F) + conv_output_size(H, W, HH, WW, stride, 0)] = (
            f"that is the output without the zero padding; pad the input with pad = {pad} rows and columns of "
            "zeros on every side first (np.pad)"
        )
    if stride > 1:
        hints[(N, F) + conv_output_size(H, W, HH, WW, 1, pad)] = (
            f"that is the output of stride 1; move the window by stride = {stride} pixels, "
            "H' = 1 + (H + 2 pad - HH) // stride"
        )
    hints[(N, C) + right[2:]] = "the second axis must count the F filters, not the C input channels"
    hints[(F, N) + right[2:]] = "the batch axis comes first: (N, F, H', W')"
    hints.pop(right, None)
    return hints


def dx_shape_hints(x_shape, pad):
    """Wrong shapes of dx from a padding that was not cropped, or cropped with pad:-pad when pad = 0."""
    N, C, H, W = x_shape
    if not pad:
        return {(N, C, 0, 0): ("with pad = 0 the slice dx_pad[:, :, pad:-pad, pad:-pad] is empty (0:-0 is 0:0); "
                               "crop with dx_pad[:, :, pad:pad + H, pad:pad + W]")}
    return {(N, C, H + 2 * pad, W + 2 * pad): (
        "that is the shape of the zero-padded input; crop the padding, dx = dx_pad[:, :, pad:pad + H, "
        "pad:pad + W] (the zeros around the image are not inputs, their gradient is dropped)"
    )}


def _conv_forward(forward, case):
    """Run conv2d_forward on one case: (cache, None) when its output is right, (cache, message) otherwise."""
    x, w, b, stride, pad = case.x, case.w, case.b, case.stride, case.pad
    context = f"conv2d_forward, {case.label} {case.text}"
    kwargs = {} if (stride, pad) == (1, 0) else {"stride": stride, "pad": pad}
    out, cache = call_forward("conv2d_forward", forward, (x, w, b), None, FORWARD_FIX, kwargs=kwargs)
    try:
        require_close(context, "out", case.out, out, CONV2D_OUT_MISTAKES, case.mistakes.get("out"), tol=VALUE_TOL,
                      layout="(N, F, H', W')", shape_hints=conv_out_shape_hints(x.shape, w.shape, stride, pad))
    except CheckFailure as exc:
        return cache, str(exc)
    return cache, None


def check_conv2d_forward_case(forward, case):
    """One case of conv2d_forward: the output against the expected one; returns the student's cache."""
    cache, problem = _conv_forward(forward, case)
    if problem is not None:
        raise CheckFailure(problem)
    return cache


def _conv_loss(forward, params, dout, stride, pad):
    def loss():
        out = forward(params["x"], params["w"], params["b"], stride=stride, pad=pad)[0]
        return float(np.sum(dout * np.asarray(out, dtype=np.float64)))
    return loss


def conv_fd_check(forward, case, grads):
    """Directional check of (dx, dw, db) against centered differences of the student's own forward."""
    params = {"x": case.x.copy(), "w": case.w.copy(), "b": case.b.copy()}
    named = dict(zip(("x", "w", "b"), grads))
    return directional_check(_conv_loss(forward, params, case.dout, case.stride, case.pad), params, named,
                             rng=case.rng)


def check_conv2d_backward_case(forward, backward, case):
    """One case of conv2d_backward (fed the cache of the student's own forward).

    Order: the forward (its cache is what the backward gets), the contract,
    the values, linearity in dout, and finite differences of the student's own forward.
    """
    x, w, dout = case.x, case.w, case.dout
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = case.out.shape[2:]
    context = f"conv2d_backward, {case.label} {case.text}"
    cache, forward_problem = _conv_forward(forward, case)
    grads = call_backward("conv2d_backward", backward, dout, cache, 3, fix="compute the gradients in new arrays.")
    if forward_problem is not None:
        try:
            agrees = conv_fd_check(forward, case, grads).passed
        except Exception:  # the forward's output does not even fit dout
            agrees = None
        raise CheckFailure(forward_first(context, "conv2d", forward_problem, agrees))
    dx, dw, db = grads
    dims = {"N": N, "H'": Ho, "W'": Wo}
    mistakes = case.mistakes
    dx = require_close(context, "dx", case.dx, dx, CONV2D_DX_MISTAKES, mistakes.get("dx"),
                       layout="(N, C, H, W)", shape_hints=dx_shape_hints(x.shape, case.pad), dims=dims)
    dw = require_close(context, "dw", case.dw, dw, CONV2D_DW_MISTAKES, mistakes.get("dw"),
                       layout="(F, C, HH, WW)", dims=dims, locate=False)
    db = require_close(context, "db", case.db, db, CONV2D_DB_MISTAKES, mistakes.get("db"),
                       layout="(F,)", dims=dims, upstream=dout, summed_axes=(0, 2, 3), locate=False,
                       shape_hints={(N, F): "sum over the batch axis too, db[f] = dout[:, f].sum()",
                                    (F, 1): "a keepdims=True left an extra axis; db has shape (F,)"})
    require_linear(context, backward, dout, cache, (dx, dw, db), ("dx", "dw", "db"))
    result = conv_fd_check(forward, case, (dx, dw, db))
    if not result.passed:
        raise CheckFailure(f"{context}: the gradients disagree with finite differences of your own "
                           f"conv2d_forward: {result.message}")
