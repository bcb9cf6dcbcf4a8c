"""Self-checks of notebook 03 (CNN backpropagation), shipped with the student release.

No reference implementation of a graded function is used here. The expected
values come from two places:
  * stored arrays, ``expected("nb03", key)``, computed by the instructor's
    build (autograder/expected/nb03.py) with the inputs stored next to them,
    together with the outputs of known mistakes (a filter that is not
    rotated, a flipped dw, a db averaged instead of summed, ...), so that a
    wrong answer can be named;
  * the student's own forward: a centered difference along one random
    direction through all inputs must agree with the backward.

The helpers that check one case (``check_*_case``) take the expected arrays
and the arrays of the known mistakes as arguments, so the hidden grading
checks (autograder/checks/nb03.py) reuse them with values computed from
course_lib on fresh inputs. The catalogues below (``*_MISTAKES``) name every
known mistake once; the builders of the mistaken arrays use the same keys.
"""
import numpy as np

from course_lib.gradcheck import diagnose, directional_check, relative_error
from course_lib.gradcheck.locate import ENTRY_TOL, describe_location, entry_errors, worst_entry
from course_lib.gradcheck.naming import describe_index, describe_shape, format_value
from course_lib.selfcheck.common import (
    GRAD_THRESHOLD,
    MATCH_TOL,
    VALUE_TOL,
    call_backward,
    call_forward,
    describe,
    known_mistake,
    misfit,
    stored_count,
)
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.expected import expected

NB = "nb03"
FORWARD_FIX = "pad or change a copy (np.pad returns a new array)."
"""What to do instead of changing an input of a forward in place."""
LINEAR_TOL = 1e-10
"""Backward(2 dout) must be 2 backward(dout) to this misfit (rounding only)."""

# ----------------------------------------------------------------------------- catalogues of mistakes
# Each text completes the sentence "<name> wrong in k of n entries; it equals ...".

CONV_DELTA_MISTAKES = {
    "rotated_kernel": (
        "the expected delta^l computed with the filter rotated by 180 degrees. Equation (7) multiplies "
        "delta^(l+1)_{x',y'} by w_{x'-x, y'-y}: as a sliding dot product (cross-correlation) over the "
        "zero-padded delta^(l+1) that is w as it is, as a convolution in the strict sense (like equation (2), "
        "or scipy.signal.convolve2d) it is w rotated by 180 degrees; you rotated once too often or too few times"
    ),
    "flip_rows": (
        "the expected delta^l computed with the filter flipped upside down only (w[::-1, :]): a rotation by "
        "180 degrees reverses BOTH axes of the filter; treat the row offset x' - x and the column offset "
        "y' - y the same way"
    ),
    "flip_cols": (
        "the expected delta^l computed with the filter mirrored left-right only (w[:, ::-1]): a rotation by "
        "180 degrees reverses BOTH axes of the filter; treat the row offset x' - x and the column offset "
        "y' - y the same way"
    ),
    "no_sigma": (
        "the sum of equation (7) without the factor sigma'(z^l_{x,y}): multiply the result entrywise by "
        "sigma_prime_z"
    ),
}

CONV2D_OUT_MISTAKES = {
    "flipped_kernel": (
        "the expected output computed with every kernel rotated by 180 degrees: this layer is a "
        "cross-correlation, as in PyTorch, out[n, f, y, x] = b[f] + sum over c, i, j of "
        "w[f, c, i, j] * x_pad[n, c, y*stride + i, x*stride + j]; slide w as it is, without the flip of the "
        "lecture's equation (2)"
    ),
    "no_bias": "the expected output without the bias: add b[f] to every output pixel of filter f",
}

CONV2D_DX_MISTAKES = {
    "rotated_kernel": (
        "the expected dx computed with the kernel rotated by 180 degrees. dout[n, f, y, x] goes back to the "
        "input x_pad[n, c, y*stride + i, x*stride + j] it came from, times the very weight w[f, c, i, j] that "
        "multiplied it (dx_pad[n, :, y*stride + i, x*stride + j] += dout[n, f, y, x] * w[f, :, i, j]); "
        "written as a sliding window over dout this is the lecture's rotated filter, so do not rotate w "
        "yourself on top of a scatter (or of a cross-correlation of dout with the rotated w)"
    ),
    "no_stride": (
        "the gradient of a layer whose output (y, x) reads the input from row y and column x on, as if the "
        "stride were 1: in the backward as in the forward, the receptive field of output (y, x) starts at row "
        "y*stride and column x*stride of the padded input"
    ),
    "wrong_crop": (
        "the gradient of the padded input cut at its top-left corner (dx_pad[:, :, :H, :W]): the image sits "
        "at rows and columns pad, ..., pad + H - 1 of the padded input, so crop "
        "dx_pad[:, :, pad:pad + H, pad:pad + W]"
    ),
}

CONV2D_DW_MISTAKES = {
    "flipped": (
        "the expected dw rotated by 180 degrees: do not flip the kernel for dw; dw[f, c, i, j] adds up "
        "dout[n, f, y, x] times the input x_pad[n, c, y*stride + i, x*stride + j] that w[f, c, i, j] "
        "multiplied in the forward"
    ),
    "no_stride": CONV2D_DX_MISTAKES["no_stride"],
    "averaged": (
        "the expected dw times 1/N: a layer's backward SUMS over the samples of the batch (a 1/N of a mean "
        "loss is already inside dout)"
    ),
}

CONV2D_DB_MISTAKES = {
    "mean_batch": (
        "the expected db times 1/N: db[f] is the SUM of dout[n, f, y, x] over the batch and over all "
        "positions, not a mean"
    ),
    "mean_all": (
        "the expected db times 1/(N*H'*W'), a mean over the batch and the positions: db[f] is the SUM of "
        "dout[n, f, y, x] over n, y and x"
    ),
    "mean_positions": (
        "the expected db times 1/(H'*W'), a mean over the positions: the bias b[f] is added to every one of "
        "the H'*W' outputs of filter f, so db[f] SUMS dout[n, f, y, x] over n, y and x"
    ),
}

_OVERWRITE = (
    "the gradient with overlapping windows written over each other: when stride < size a pixel belongs to "
    "several windows and collects a contribution from each of them; add them up (+=), do not assign (=)"
)

MAXPOOL_OUT_MISTAKES = {
    "mean": "the mean of every window: max pooling keeps the largest entry of each window",
    "min": "the minimum of every window: max pooling keeps the largest entry",
    "first": "the top-left entry of every window: take the maximum over the whole size x size window",
}

MAXPOOL_DX_MISTAKES = {
    "every": (
        "dout sent to every position of its window: only the maximum of a window influences the output, so "
        "only that position receives dout; the other size*size - 1 positions get 0"
    ),
    "average": (
        "dout / size^2 spread over the window, which is the gradient of average pooling: max pooling sends "
        "all of dout to the position of the window's maximum"
    ),
    "first": "dout sent to the top-left position of every window: send it to the position of the window's maximum",
    "argmin": "dout sent to the minimum of every window: send it to the maximum",
    "swapped": (
        "dout sent to the maximum's position with its row and column inside the window swapped: the "
        "argmax k of a flattened size x size window is at row k // size and column k % size"
    ),
    "mask": "the 0/1 mask of the window maxima: multiply the mask by dout",
    "overwrite_window": _OVERWRITE,
    "overwrite_point": _OVERWRITE,
}

AVGPOOL_OUT_MISTAKES = {
    "sum": "the sum of every window: divide by the size*size entries of the window",
    "max": "the maximum of every window: average pooling takes the mean",
}

AVGPOOL_DX_MISTAKES = {
    "no_divide": (
        "dout copied to every position of its window without dividing by size*size: each input enters the "
        "mean with weight 1/size^2, so it receives dout / size^2"
    ),
    "divide_size": "dout / size spread over the window: divide by size*size, the number of entries of a window",
    "overwrite_window": _OVERWRITE,
}

IM2COL_MISTAKES = {
    "rows_ijc": (
        "the right receptive fields with their rows in (i, j, c) order: flatten a field in the order "
        "(c, i, j), row (c*HH + i)*WW + j, the order of w.reshape(F, C*HH*WW)"
    ),
    "positions_transposed": (
        "the right receptive fields with the output positions in column-major order: column y*W' + x holds "
        "the field of output (y, x) (row-major over the output)"
    ),
}


# ----------------------------------------------------------------------------- small helpers
def conv_case_text(x_shape, w_shape, stride, pad):
    """'(N=2, C=3, H=5, W=7, F=4, 3x3, stride 2, pad 1)', the case as the messages name it."""
    N, C, H, W = x_shape
    F, _, HH, WW = w_shape
    return f"(N={N}, C={C}, H={H}, W={W}, F={F}, {HH}x{WW}, stride {stride}, pad {pad})"


def pool_case_text(x_shape, size, stride):
    N, C, H, W = x_shape
    return f"(N={N}, C={C}, H={H}, W={W}, {size}x{size} windows, stride {stride})"


def conv_output_size(H, W, HH, WW, stride, pad):
    """(H', W') = (1 + (H + 2 pad - HH) // stride, 1 + (W + 2 pad - WW) // stride)."""
    return 1 + (H + 2 * pad - HH) // stride, 1 + (W + 2 * pad - WW) // stride


def require_layout(context, name, actual, shape, layout="", hints=None):
    """A finite float64 array of the given shape, or a CheckFailure that says what is wrong.

    ``layout`` names the axes of ``shape`` (e.g. "(N, C, H, W)"); ``hints``
    maps a wrong shape to the explanation of the mistake that produces it.
    """
    shape = tuple(int(s) for s in shape)
    named = f"{describe_shape(shape)} = {layout}" if layout else describe_shape(shape)
    if actual is None:
        raise CheckFailure(f"{context}: {name} is None; is a return statement missing?")
    try:
        arr = np.asarray(actual)
    except Exception:  # an object numpy cannot even wrap
        arr = None
    if arr is None or arr.dtype == object or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise CheckFailure(f"{context}: {name} must be a numpy array of real numbers of shape {named}, "
                           f"got {describe(actual)}.")
    if arr.shape != shape:
        hint = (hints or {}).get(arr.shape)
        if hint is None:
            if sorted(arr.shape) == sorted(shape):
                hint = "its axes are in the wrong order"
            elif arr.size == int(np.prod(shape)):
                hint = "it has the right number of entries, so a reshape or a transpose is missing"
            else:
                hint = "check which axes you sum over and how the output size is computed"
        raise CheckFailure(f"{context}: {name} has shape {describe_shape(arr.shape)} but must have shape "
                           f"{named}; {hint}.")
    if arr.dtype != np.float64:
        raise CheckFailure(f"{context}: {name} has dtype {arr.dtype}; compute in float64 (np.zeros(shape) "
                           "is float64, np.zeros_like of an integer array is not).")
    bad = ~np.isfinite(arr)
    if np.any(bad):
        first = describe_index(np.argwhere(bad)[0]) if arr.ndim else "()"
        raise CheckFailure(f"{context}: {name} has {int(bad.sum())} NaN or infinite entries (the first at "
                           f"{first}); look for an uninitialised array (np.empty) or a division by zero.")
    return arr


def require_close(context, name, expected_values, actual, catalogue=None, mistakes=None, tol=GRAD_THRESHOLD,
                  layout="", shape_hints=None, dims=None, upstream=None, summed_axes=None, locate=True):
    """Compare ``actual`` with ``expected_values``; on a failure name the mistake or say where it is.

    The message reads "<context>: dx wrong in k of n entries[, where]; it equals <known mistake>." when
    the answer equals one of ``mistakes`` (a dict key -> array, keys of ``catalogue``), and otherwise uses
    course_lib.gradcheck.diagnose (sign, constant factor, transpose, flip, location of the wrong entries).
    ``locate=False`` leaves out where the wrong entries are (for a kernel, whose border says nothing).
    """
    expected_values = np.asarray(expected_values, dtype=np.float64)
    actual = require_layout(context, name, actual, expected_values.shape, layout, shape_hints)
    if relative_error(expected_values, actual) < tol:
        return actual
    wrong = entry_errors(expected_values, actual) > ENTRY_TOL
    n_wrong, size = int(wrong.sum()), wrong.size
    head = f"{context}: {name} wrong in {n_wrong} of {size} entries"
    if locate and 0 < n_wrong < size:
        head += f" ({describe_location(wrong)})"
    unknown = set(mistakes or {}) - set(catalogue or {})
    if unknown:
        raise KeyError(f"unknown mistake keys {sorted(unknown)}; known: {sorted(catalogue or {})}")
    found = known_mistake(actual, mistakes, expected_values, apart=MATCH_TOL)
    if found is not None:
        raise CheckFailure(f"{head}; it equals {catalogue[found]}.")
    diagnosis = diagnose(expected_values, actual, dims=dims, name=name, upstream=upstream,
                         summed_axes=summed_axes)
    idx = worst_entry(expected_values, actual)
    worst = (f"worst entry at {describe_index(idx)}: expected {format_value(expected_values[idx])}, "
             f"got {format_value(actual[idx])}")
    if diagnosis is None or n_wrong == 0:
        raise CheckFailure(f"{context}: {name} has small errors spread over its entries (relative error "
                           f"{relative_error(expected_values, actual):.1e}); {worst}.")
    if diagnosis.kind in ("partial", "mismatch"):
        raise CheckFailure(f"{context}: {diagnosis.message}")
    raise CheckFailure(f"{head}; {diagnosis.message} {worst[0].upper()}{worst[1:]}.")


def require_linear(context, backward, dout, cache, grads, names):
    """backward(2 dout) must be 2 backward(dout): linear in dout, and the first call left the cache intact."""
    again = backward(2.0 * dout, cache)
    again = again if isinstance(again, tuple) else (again,)
    for name, first, second in zip(names, grads, again):
        if misfit(2.0 * np.asarray(first, dtype=np.float64), np.asarray(second, dtype=np.float64)) > LINEAR_TOL:
            raise CheckFailure(
                f"{context}: calling the backward again with 2 * dout did not give 2 * {name}; a backward must "
                "be linear in dout and must not change the cache (or any array it holds) in place."
            )


def forward_first(context, op, forward_problem, agrees):
    """The message of a backward check whose forward is wrong: say so, and whether the backward fits it.

    ``agrees`` is the outcome of the finite-difference check of the backward against the student's own
    forward (None when it could not run), which tells a wrong forward from a wrong backward.
    """
    if agrees is None:
        verdict = ""
    elif agrees:
        verdict = (f" Your {op}_backward agrees with finite differences of your own forward, so the backward "
                   "may well be right.")
    else:
        verdict = f" Your {op}_backward also disagrees with finite differences of your own forward."
    return (f"{context}: the backward is fed the cache of your {op}_forward, which is wrong on this case; fix "
            f"the forward first.{verdict} The forward's problem: {forward_problem}")


def _stored(prefix, name, catalogue):
    """The stored arrays of the known mistakes of ``name`` in one case: {key: array}."""
    return {key: expected(NB, f"{prefix}_{name}__{key}") for key in catalogue}


# ----------------------------------------------------------------------------- conv_delta (equation (7))
def conv_delta_shape_hints(delta_shape, w_shape):
    """Wrong shapes of delta^l that typical mistakes produce, with their explanation."""
    (Hd, Wd), (M, M2) = delta_shape, w_shape
    right = (Hd + M - 1, Wd + M2 - 1)
    hints = {
        (Hd - M + 1, Wd - M2 + 1): (
            "that is a sliding window over delta^(l+1) without zero padding; pad delta^(l+1) with M - 1 rows "
            "and M' - 1 columns of zeros on every side first, so that every pixel of z^l collects all outputs "
            "it fed"
        ),
        (Hd, Wd): "that is the shape of delta^(l+1); delta^l has the shape of z^l (and of sigma_prime_z)",
        (Hd + 2 * (M - 1), Wd + 2 * (M2 - 1)): (
            "that is the zero-padded delta^(l+1) itself; slide the M x M' filter over it"
        ),
    }
    hints.pop(right, None)
    return hints


def check_conv_delta_case(conv_delta, delta_next, w, sigma_prime_z, delta_expected, mistakes, label):
    """One case of the lecture's delta recursion: values, known mistakes, untouched inputs, linearity."""
    H, W = sigma_prime_z.shape
    M, M2 = w.shape
    context = (f"conv_delta, {label} (z^l {H}x{W}, filter {M}x{M2}, "
               f"delta^(l+1) {delta_next.shape[0]}x{delta_next.shape[1]})")
    inputs = [np.array(a, copy=True) for a in (delta_next, w, sigma_prime_z)]
    delta = conv_delta(*inputs)
    for original, copy in zip((delta_next, w, sigma_prime_z), inputs):
        if not np.array_equal(original, copy):
            raise CheckFailure(f"{context}: an input array was modified in place; pad or rotate a copy.")
    delta = require_close(context, "delta^l", delta_expected, delta, CONV_DELTA_MISTAKES, mistakes,
                          layout="(H, W), the shape of z^l",
                          shape_hints=conv_delta_shape_hints(delta_next.shape, w.shape))
    doubled = conv_delta(2.0 * delta_next, w.copy(), sigma_prime_z.copy())
    if misfit(2.0 * delta, doubled) > LINEAR_TOL:
        raise CheckFailure(f"{context}: doubling delta_next did not double delta^l; equation (7) is linear "
                           "in delta^(l+1).")


def check_conv_delta(conv_delta):
    """The stored cases of equation (7): non-square images and filters, every size distinct."""
    n = stored_count(NB, "conv_delta")
    for k in range(n):
        p = f"conv_delta_{k}"
        check_conv_delta_case(
            conv_delta, expected(NB, f"{p}_delta_next"), expected(NB, f"{p}_w"),
            expected(NB, f"{p}_sigma_prime_z"), expected(NB, f"{p}_delta"),
            _stored(p, "delta", CONV_DELTA_MISTAKES), f"case {k + 1}/{n}",
        )


# ----------------------------------------------------------------------------- conv2d
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


def _conv_forward(forward, x, w, b, stride, pad, out_expected, mistakes, label):
    """Run conv2d_forward on one case: (cache, None) when its output is right, (cache, message) otherwise."""
    context = f"conv2d_forward, {label} {conv_case_text(x.shape, w.shape, stride, pad)}"
    kwargs = {} if (stride, pad) == (1, 0) else {"stride": stride, "pad": pad}
    out, cache = call_forward("conv2d_forward", forward, (x, w, b), None, FORWARD_FIX, kwargs=kwargs)
    try:
        require_close(context, "out", out_expected, out, CONV2D_OUT_MISTAKES, mistakes, tol=VALUE_TOL,
                      layout="(N, F, H', W')", shape_hints=conv_out_shape_hints(x.shape, w.shape, stride, pad))
    except CheckFailure as exc:
        return cache, str(exc)
    return cache, None


def check_conv2d_forward_case(forward, x, w, b, stride, pad, out_expected, mistakes, label):
    """One case of conv2d_forward: the output against the expected one; returns the student's cache."""
    cache, problem = _conv_forward(forward, x, w, b, stride, pad, out_expected, mistakes, label)
    if problem is not None:
        raise CheckFailure(problem)
    return cache


def _conv_loss(forward, params, dout, stride, pad):
    def loss():
        out = forward(params["x"], params["w"], params["b"], stride=stride, pad=pad)[0]
        return float(np.sum(dout * np.asarray(out, dtype=np.float64)))
    return loss


def conv_fd_check(forward, x, w, b, stride, pad, dout, grads, rng):
    """Directional check of (dx, dw, db) against centered differences of the student's own forward."""
    params = {"x": x.copy(), "w": w.copy(), "b": b.copy()}
    named = dict(zip(("x", "w", "b"), grads))
    return directional_check(_conv_loss(forward, params, dout, stride, pad), params, named, rng=rng)


def check_conv2d_backward_case(forward, backward, x, w, b, stride, pad, dout, out_expected, grads_expected,
                               mistakes, label, rng):
    """One case of conv2d_backward (fed the cache of the student's own forward).

    ``grads_expected`` is (dx, dw, db); ``mistakes`` maps "dx", "dw", "db" to
    {key: array} of the known mistakes. Order: the forward (its cache is what
    the backward gets), the contract, the values, linearity in dout, and
    finite differences of the student's own forward.
    """
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = out_expected.shape[2:]
    context = f"conv2d_backward, {label} {conv_case_text(x.shape, w.shape, stride, pad)}"
    cache, forward_problem = _conv_forward(forward, x, w, b, stride, pad, out_expected, mistakes.get("out"),
                                           label)
    grads = call_backward("conv2d_backward", backward, dout, cache, 3, fix="compute the gradients in new arrays.")
    if forward_problem is not None:
        try:
            agrees = conv_fd_check(forward, x, w, b, stride, pad, dout, grads, rng).passed
        except Exception:  # the forward's output does not even fit dout
            agrees = None
        raise CheckFailure(forward_first(context, "conv2d", forward_problem, agrees))
    dx, dw, db = grads
    dims = {"N": N, "H'": Ho, "W'": Wo}
    dx = require_close(context, "dx", grads_expected[0], dx, CONV2D_DX_MISTAKES, mistakes.get("dx"),
                       layout="(N, C, H, W)", shape_hints=dx_shape_hints(x.shape, pad), dims=dims)
    dw = require_close(context, "dw", grads_expected[1], dw, CONV2D_DW_MISTAKES, mistakes.get("dw"),
                       layout="(F, C, HH, WW)", dims=dims, locate=False)
    db = require_close(context, "db", grads_expected[2], db, CONV2D_DB_MISTAKES, mistakes.get("db"),
                       layout="(F,)", dims=dims, upstream=dout, summed_axes=(0, 2, 3), locate=False,
                       shape_hints={(N, F): "sum over the batch axis too, db[f] = dout[:, f].sum()",
                                    (F, 1): "a keepdims=True left an extra axis; db has shape (F,)"})
    require_linear(context, backward, dout, cache, (dx, dw, db), ("dx", "dw", "db"))
    result = conv_fd_check(forward, x, w, b, stride, pad, dout, (dx, dw, db), rng)
    if not result.passed:
        raise CheckFailure(f"{context}: the gradients disagree with finite differences of your own "
                           f"conv2d_forward: {result.message}")


def _conv_case(k):
    p = f"conv2d_{k}"
    x, w, b = (expected(NB, f"{p}_{a}") for a in ("x", "w", "b"))
    return p, x, w, b, int(expected(NB, f"{p}_stride")), int(expected(NB, f"{p}_pad"))


def check_conv2d_forward(conv2d_forward):
    """The stored conv2d cases: stride 1 and 2, with and without padding, a batch of one."""
    n = stored_count(NB, "conv2d")
    for k in range(n):
        p, x, w, b, stride, pad = _conv_case(k)
        check_conv2d_forward_case(conv2d_forward, x, w, b, stride, pad, expected(NB, f"{p}_out"),
                                  _stored(p, "out", CONV2D_OUT_MISTAKES), f"case {k + 1}/{n}")


def check_conv2d_backward(conv2d_forward, conv2d_backward):
    """The stored conv2d cases: dx, dw, db against stored values and finite differences of your forward."""
    n = stored_count(NB, "conv2d")
    rng = np.random.default_rng(303)
    for k in range(n):
        p, x, w, b, stride, pad = _conv_case(k)
        mistakes = {name: _stored(p, name, catalogue) for name, catalogue in (
            ("out", CONV2D_OUT_MISTAKES), ("dx", CONV2D_DX_MISTAKES), ("dw", CONV2D_DW_MISTAKES),
            ("db", CONV2D_DB_MISTAKES))}
        grads = tuple(expected(NB, f"{p}_{g}") for g in ("dx", "dw", "db"))
        check_conv2d_backward_case(conv2d_forward, conv2d_backward, x, w, b, stride, pad,
                                   expected(NB, f"{p}_dout"), expected(NB, f"{p}_out"), grads, mistakes,
                                   f"case {k + 1}/{n}", rng)


# ----------------------------------------------------------------------------- pooling
POOLS = {
    "maxpool": (MAXPOOL_OUT_MISTAKES, MAXPOOL_DX_MISTAKES),
    "avgpool": (AVGPOOL_OUT_MISTAKES, AVGPOOL_DX_MISTAKES),
}


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


def _pool_forward(kind, forward, x, size, stride, out_expected, mistakes, label):
    """Run a pooling forward on one case: (cache, None) when its output is right, (cache, message) otherwise."""
    fname = f"{kind}_forward"
    context = f"{fname}, {label} {pool_case_text(x.shape, size, stride)}"
    out, cache = call_forward(fname, forward, (x,), None, FORWARD_FIX, kwargs=_pool_kwargs(size, stride))
    try:
        require_close(context, "out", out_expected, out, POOLS[kind][0], mistakes, tol=VALUE_TOL,
                      layout="(N, C, H', W')", shape_hints=pool_out_shape_hints(x.shape, size, stride))
    except CheckFailure as exc:
        return cache, str(exc)
    return cache, None


def check_pool_forward_case(kind, forward, x, size, stride, out_expected, mistakes, label):
    """One case of maxpool_forward or avgpool_forward; returns the student's cache."""
    cache, problem = _pool_forward(kind, forward, x, size, stride, out_expected, mistakes, label)
    if problem is not None:
        raise CheckFailure(problem)
    return cache


def pool_fd_check(forward, x, size, stride, dout, dx, rng):
    """Directional check of dx against centered differences of the student's own forward."""
    params = {"x": x.copy()}

    def loss():
        out = forward(params["x"], **_pool_kwargs(size, stride))[0]
        return float(np.sum(dout * np.asarray(out, dtype=np.float64)))

    return directional_check(loss, params, {"x": dx}, rng=rng)


def check_pool_backward_case(kind, forward, backward, x, size, stride, dout, out_expected, dx_expected,
                             mistakes, label, rng):
    """One case of a pooling backward, fed the cache of the student's own forward.

    ``mistakes`` maps "out" and "dx" to {key: array} of the known mistakes.
    """
    bname = f"{kind}_backward"
    context = f"{bname}, {label} {pool_case_text(x.shape, size, stride)}"
    cache, forward_problem = _pool_forward(kind, forward, x, size, stride, out_expected, mistakes.get("out"),
                                           label)
    dx = call_backward(bname, backward, dout, cache, fix="compute the gradients in new arrays.")
    if forward_problem is not None:
        try:
            agrees = pool_fd_check(forward, x, size, stride, dout, dx, rng).passed
        except Exception:  # the forward's output does not even fit dout
            agrees = None
        raise CheckFailure(forward_first(context, kind, forward_problem, agrees))
    dx = require_close(context, "dx", dx_expected, dx, POOLS[kind][1], mistakes.get("dx"),
                       layout="(N, C, H, W)", dims={"size": size})
    require_linear(context, backward, dout, cache, (dx,), ("dx",))
    result = pool_fd_check(forward, x, size, stride, dout, dx, rng)
    if not result.passed:
        raise CheckFailure(f"{context}: dx disagrees with finite differences of your own {kind}_forward: "
                           f"{result.message}")


def _pool_case(kind, k):
    p = f"{kind}_{k}"
    return p, expected(NB, f"{p}_x"), int(expected(NB, f"{p}_size")), int(expected(NB, f"{p}_stride"))


def _check_pool_forward(kind, forward):
    n = stored_count(NB, kind)
    for k in range(n):
        p, x, size, stride = _pool_case(kind, k)
        check_pool_forward_case(kind, forward, x, size, stride, expected(NB, f"{p}_out"),
                                _stored(p, "out", POOLS[kind][0]), f"case {k + 1}/{n}")


def _check_pool_backward(kind, forward, backward):
    n = stored_count(NB, kind)
    rng = np.random.default_rng(3033)
    for k in range(n):
        p, x, size, stride = _pool_case(kind, k)
        mistakes = {"out": _stored(p, "out", POOLS[kind][0]), "dx": _stored(p, "dx", POOLS[kind][1])}
        check_pool_backward_case(kind, forward, backward, x, size, stride, expected(NB, f"{p}_dout"),
                                 expected(NB, f"{p}_out"), expected(NB, f"{p}_dx"), mistakes,
                                 f"case {k + 1}/{n}", rng)


def check_maxpool_forward(maxpool_forward):
    """Stored cases: disjoint 2x2 windows, overlapping 3x3 windows with stride 2, a batch of one."""
    _check_pool_forward("maxpool", maxpool_forward)


def check_maxpool_backward(maxpool_forward, maxpool_backward):
    """Stored cases (inputs without ties): the gradient goes to each window's maximum, overlaps add up."""
    _check_pool_backward("maxpool", maxpool_forward, maxpool_backward)


def check_avgpool_forward(avgpool_forward):
    _check_pool_forward("avgpool", avgpool_forward)


def check_avgpool_backward(avgpool_forward, avgpool_backward):
    """Stored cases: dout / size^2 to every position of the window, overlaps add up."""
    _check_pool_backward("avgpool", avgpool_forward, avgpool_backward)


# ----------------------------------------------------------------------------- im2col (not graded)
def check_im2col_case(im2col, x, HH, WW, stride, pad, cols_expected, mistakes, label):
    N, C, H, W = x.shape
    Ho, Wo = conv_output_size(H, W, HH, WW, stride, pad)
    K, P = C * HH * WW, Ho * Wo
    context = f"im2col, {label} (N={N}, C={C}, H={H}, W={W}, {HH}x{WW}, stride {stride}, pad {pad})"
    x_in = x.copy()
    cols = im2col(x_in, HH, WW, stride, pad)
    if not np.array_equal(x_in, x):
        raise CheckFailure(f"{context}: x was modified in place; pad a copy (np.pad returns a new array).")
    hints = {
        (N, P, K): ("that is each sample's matrix transposed: rows are the C*HH*WW entries of one receptive "
                    "field, columns the H'*W' output positions"),
        (K, N * P): "keep the batch axis first: one (C*HH*WW, H'*W') matrix per sample, shape (N, K, P)",
        (N * P, K): "keep the batch axis first: one (C*HH*WW, H'*W') matrix per sample, shape (N, K, P)",
    }
    hints.pop((N, K, P), None)
    require_close(context, "cols", cols_expected, cols, IM2COL_MISTAKES, mistakes, tol=VALUE_TOL,
                  layout="(N, C*HH*WW, H'*W')", shape_hints=hints)


def check_im2col(im2col):
    """Stored cases of the column layout of course_lib/layers/im2col.py (stride, padding, several channels)."""
    n = stored_count(NB, "im2col")
    for k in range(n):
        p = f"im2col_{k}"
        check_im2col_case(im2col, expected(NB, f"{p}_x"), int(expected(NB, f"{p}_HH")),
                          int(expected(NB, f"{p}_WW")), int(expected(NB, f"{p}_stride")),
                          int(expected(NB, f"{p}_pad")), expected(NB, f"{p}_cols"),
                          _stored(p, "cols", IM2COL_MISTAKES), f"case {k + 1}/{n}")
