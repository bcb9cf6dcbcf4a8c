"""Hidden grading checks of notebook 03 (CNN backpropagation).

Each ``grade_<function>`` draws fresh inputs with a fixed seed, computes the
expected values with course_lib's references, builds the answers of the
known mistakes (the ``*_mistakes`` functions below, keyed as the catalogues
of course_lib/selfcheck/nb03.py) and runs the same per-case checks as the
student's self-check, so a failure carries the same kind of diagnosis.
Shapes hide nothing: every dimension distinct and above 1, non-square
images and kernels, a batch of one, stride 2 and 3, with and without zero
padding; pooling inputs have no ties (entries at least 0.08 apart).

The mistake builders are also used by autograder/expected/nb03.py to store
the mistaken answers of the visible self-checks.
"""
import numpy as np

from course_lib.layers.conv import conv2d_backward, conv2d_forward
from course_lib.layers.conv_delta import conv_delta as ref_conv_delta
from course_lib.layers.im2col import im2col as ref_im2col
from course_lib.layers.pooling import avgpool_backward, avgpool_forward, maxpool_backward, maxpool_forward
from course_lib.selfcheck.nb03 import (
    check_conv2d_backward_case,
    check_conv2d_forward_case,
    check_conv_delta_case,
    check_pool_backward_case,
    check_pool_forward_case,
    conv_output_size,
)

# (H, W, M, M'): z^l of H x W, the filter w^{l+1} of M x M'.
CONV_DELTA_SHAPES = [(6, 7, 3, 2), (7, 5, 4, 3), (5, 9, 2, 4)]
# (N, C, H, W, F, HH, WW, stride, pad)
CONV2D_CASES = [
    (2, 3, 6, 7, 4, 3, 2, 1, 1),
    (2, 4, 9, 13, 3, 3, 5, 2, 0),
    (1, 2, 6, 10, 3, 2, 4, 2, 1),
    (4, 1, 5, 8, 2, 3, 4, 1, 0),
    (3, 2, 9, 11, 2, 4, 3, 3, 2),
]
# (N, C, H, W, size, stride): disjoint, overlapping (3 by 2 and 2 by 1), gapped (2 by 3) windows.
POOL_CASES = [
    (2, 3, 6, 8, 2, 2),
    (1, 2, 7, 9, 3, 2),
    (3, 2, 5, 8, 2, 3),
    (2, 1, 4, 10, 2, 1),
]


# ----------------------------------------------------------------------------- inputs
def sigmoid_prime(z):
    s = 1.0 / (1.0 + np.exp(-z))
    return s * (1.0 - s)


def conv_delta_inputs(shape, rng):
    """delta^{l+1}, w^{l+1} and sigma'(z^l) (sigmoid, so not constant) for z^l of H x W."""
    H, W, M, M2 = shape
    return (rng.standard_normal((H - M + 1, W - M2 + 1)), rng.standard_normal((M, M2)),
            sigmoid_prime(2.0 * rng.standard_normal((H, W))))


def conv_inputs(case, rng):
    """x, w, b, dout of one conv2d case; Gaussian, so nothing is symmetric."""
    N, C, H, W, F, HH, WW, stride, pad = case
    Ho, Wo = conv_output_size(H, W, HH, WW, stride, pad)
    return (rng.standard_normal((N, C, H, W)), rng.standard_normal((F, C, HH, WW)), rng.standard_normal(F),
            rng.standard_normal((N, F, Ho, Wo)))


def pool_inputs(case, rng):
    """x without ties (distinct entries at least 0.08 apart, shuffled) and a Gaussian dout."""
    N, C, H, W, size, stride = case
    n = N * C * H * W
    x = (rng.permutation(n) - n / 2) * 0.1 + rng.uniform(0.0, 0.02, n)
    Ho, Wo = 1 + (H - size) // stride, 1 + (W - size) // stride
    return x.reshape(N, C, H, W), rng.standard_normal((N, C, Ho, Wo))


# ----------------------------------------------------------------------------- known mistakes
def conv_delta_mistakes(delta_next, w, sigma_prime_z):
    """The delta^l of typical wrong versions of equation (7), keyed as CONV_DELTA_MISTAKES."""
    return {
        "rotated_kernel": ref_conv_delta(delta_next, w[::-1, ::-1], sigma_prime_z),
        "flip_rows": ref_conv_delta(delta_next, w[::-1, :], sigma_prime_z),
        "flip_cols": ref_conv_delta(delta_next, w[:, ::-1], sigma_prime_z),
        "no_sigma": ref_conv_delta(delta_next, w, np.ones_like(sigma_prime_z)),
    }


def _pad(x, pad):
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))


def conv_scatter(x, w, dout, step, pad):
    """(dx_pad, dw) of conv2d when output (y, x) reads the padded input from row y*step, column x*step.

    step = stride gives the right gradients (dx_pad before cropping); step = 1
    with a larger stride is the mistake of a backward that forgot the stride.
    """
    x_pad = _pad(x, pad)
    HH, WW = w.shape[2:]
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    for yo in range(dout.shape[2]):
        for xo in range(dout.shape[3]):
            rows, cols = slice(yo * step, yo * step + HH), slice(xo * step, xo * step + WW)
            g = dout[:, :, yo, xo]                                      # (N, F)
            dx_pad[:, :, rows, cols] += np.einsum("nf,fcij->ncij", g, w)
            dw += np.einsum("nf,ncij->fcij", g, x_pad[:, :, rows, cols])
    return dx_pad, dw


def conv2d_mistakes(x, w, b, stride, pad, dout):
    """Answers of typical wrong conv2d forwards and backwards: {"out"|"dx"|"dw"|"db": {key: array}}."""
    N, C, H, W = x.shape
    rotated = w[..., ::-1, ::-1]
    out_rot, cache_rot = conv2d_forward(x, rotated, b, stride, pad)
    out, cache = conv2d_forward(x, w, b, stride, pad)
    _, dw, db = conv2d_backward(dout, cache)
    dx_rot = conv2d_backward(dout, cache_rot)[0]
    dx_pad, _ = conv_scatter(x, w, dout, stride, pad)
    dx_pad_1, dw_1 = conv_scatter(x, w, dout, 1, pad)
    return {
        "out": {"flipped_kernel": out_rot, "no_bias": out - b.reshape(-1, 1, 1)},
        "dx": {"rotated_kernel": dx_rot, "no_stride": dx_pad_1[:, :, pad:pad + H, pad:pad + W],
               "wrong_crop": dx_pad[:, :, :H, :W]},
        "dw": {"flipped": dw[..., ::-1, ::-1], "no_stride": dw_1, "averaged": dw / N},
        "db": {"mean_batch": db / N, "mean_all": dout.mean(axis=(0, 2, 3)),
               "mean_positions": dout.mean(axis=(2, 3)).sum(axis=0)},
    }


def _windows(x, size, stride):
    """Yield (n, c, y, x, rows, cols, window) for every pooling window, row-major."""
    N, C, H, W = x.shape
    for n in range(N):
        for c in range(C):
            for yo in range(1 + (H - size) // stride):
                for xo in range(1 + (W - size) // stride):
                    rows = slice(yo * stride, yo * stride + size)
                    cols = slice(xo * stride, xo * stride + size)
                    yield n, c, yo, xo, rows, cols, x[n, c, rows, cols]


def _one_hot(size, flat_index):
    hot = np.zeros(size * size)
    hot[flat_index] = 1.0
    return hot.reshape(size, size)


def pool_route(x, size, stride, dout, pick, overwrite=False):
    """dx when window (n, c, y, x) sends pick(window, dout[n, c, y, x]) (a size x size array) back.

    ``overwrite=True`` assigns instead of adding: the mistake with overlapping windows.
    """
    dx = np.zeros_like(x)
    for n, c, yo, xo, rows, cols, window in _windows(x, size, stride):
        part = pick(window, dout[n, c, yo, xo])
        if overwrite:
            dx[n, c, rows, cols] = part
        else:
            dx[n, c, rows, cols] += part
    return dx


def _overwrite_point(x, size, stride, dout):
    """dx[argmax] = dout of each window in turn (only the maximum's pixel is assigned)."""
    dx = np.zeros_like(x)
    for n, c, yo, xo, rows, cols, window in _windows(x, size, stride):
        i, j = divmod(int(np.argmax(window)), size)
        dx[n, c, rows.start + i, cols.start + j] = dout[n, c, yo, xo]
    return dx


def maxpool_mistakes(x, size, stride, dout):
    """Answers of typical wrong max-pooling forwards and backwards: {"out"|"dx": {key: array}}."""
    def windows_out(reduce):
        N, C, H, W = x.shape
        out = np.zeros(dout.shape)
        for n, c, yo, xo, _, _, window in _windows(x, size, stride):
            out[n, c, yo, xo] = reduce(window)
        return out

    def at_max(window, g):
        return g * _one_hot(size, np.argmax(window))

    def swapped(window, g):
        i, j = divmod(int(np.argmax(window)), size)
        return g * _one_hot(size, j * size + i)

    def route(pick, overwrite=False):
        return pool_route(x, size, stride, dout, pick, overwrite)

    return {
        "out": {"mean": windows_out(np.mean), "min": windows_out(np.min), "first": windows_out(lambda v: v[0, 0])},
        "dx": {
            "every": route(lambda v, g: np.full((size, size), g)),
            "average": route(lambda v, g: np.full((size, size), g / size**2)),
            "first": route(lambda v, g: g * _one_hot(size, 0)),
            "argmin": route(lambda v, g: g * _one_hot(size, np.argmin(v))),
            "swapped": route(swapped),
            "mask": route(lambda v, g: _one_hot(size, np.argmax(v))),
            "overwrite_window": route(at_max, overwrite=True),
            "overwrite_point": _overwrite_point(x, size, stride, dout),
        },
    }


def avgpool_mistakes(x, size, stride, dout):
    """Answers of typical wrong average-pooling forwards and backwards: {"out"|"dx": {key: array}}."""
    out, _ = avgpool_forward(x, size, stride)
    max_out, _ = maxpool_forward(x, size, stride)

    def route(scale, overwrite=False):
        return pool_route(x, size, stride, dout, lambda v, g: np.full((size, size), g * scale), overwrite)

    return {
        "out": {"sum": out * size**2, "max": max_out},
        "dx": {"no_divide": route(1.0), "divide_size": route(1.0 / size),
               "overwrite_window": route(1.0 / size**2, overwrite=True)},
    }


POOL_REFERENCES = {
    "maxpool": (maxpool_forward, maxpool_backward, maxpool_mistakes),
    "avgpool": (avgpool_forward, avgpool_backward, avgpool_mistakes),
}


def im2col_mistakes(x, HH, WW, stride, pad):
    """Columns with a wrong row order (i, j, c) or column-major output positions, keyed as IM2COL_MISTAKES."""
    N, C, H, W = x.shape
    Ho, Wo = conv_output_size(H, W, HH, WW, stride, pad)
    cols = ref_im2col(x, HH, WW, stride, pad).reshape(N, C, HH, WW, Ho, Wo)
    return {
        "rows_ijc": cols.transpose(0, 2, 3, 1, 4, 5).reshape(N, C * HH * WW, Ho * Wo),
        "positions_transposed": cols.transpose(0, 1, 2, 3, 5, 4).reshape(N, C * HH * WW, Ho * Wo),
    }


# ----------------------------------------------------------------------------- grading
def grade_conv_delta(conv_delta):
    """Equation (7) on fresh non-square cases against course_lib's conv_delta."""
    rng = np.random.default_rng(30301)
    for k, shape in enumerate(CONV_DELTA_SHAPES):
        delta_next, w, sp = conv_delta_inputs(shape, rng)
        check_conv_delta_case(conv_delta, delta_next, w, sp, ref_conv_delta(delta_next, w, sp),
                              conv_delta_mistakes(delta_next, w, sp), f"case {k + 1}/{len(CONV_DELTA_SHAPES)}")


def grade_conv2d_forward(conv2d_forward_fn):
    """conv2d_forward on fresh cases (stride 1, 2, 3, pad 0, 1, 2, a batch of one) against course_lib."""
    rng = np.random.default_rng(30302)
    for k, case in enumerate(CONV2D_CASES):
        x, w, b, dout = conv_inputs(case, rng)
        stride, pad = case[-2:]
        out, _ = conv2d_forward(x, w, b, stride, pad)
        check_conv2d_forward_case(conv2d_forward_fn, x, w, b, stride, pad, out,
                                  conv2d_mistakes(x, w, b, stride, pad, dout)["out"],
                                  f"case {k + 1}/{len(CONV2D_CASES)}")


def grade_conv2d_backward(conv2d_forward_fn, conv2d_backward_fn):
    """dx, dw, db on fresh cases against course_lib, and against finite differences of the own forward."""
    rng = np.random.default_rng(30303)
    for k, case in enumerate(CONV2D_CASES):
        x, w, b, dout = conv_inputs(case, rng)
        stride, pad = case[-2:]
        out, cache = conv2d_forward(x, w, b, stride, pad)
        grads = conv2d_backward(dout, cache)
        check_conv2d_backward_case(conv2d_forward_fn, conv2d_backward_fn, x, w, b, stride, pad, dout, out,
                                   grads, conv2d_mistakes(x, w, b, stride, pad, dout),
                                   f"case {k + 1}/{len(CONV2D_CASES)}", rng)


def _grade_pool_forward(kind, forward_fn, seed):
    ref_forward, _, mistakes_fn = POOL_REFERENCES[kind]
    rng = np.random.default_rng(seed)
    for k, case in enumerate(POOL_CASES):
        x, dout = pool_inputs(case, rng)
        size, stride = case[-2:]
        check_pool_forward_case(kind, forward_fn, x, size, stride, ref_forward(x, size, stride)[0],
                                mistakes_fn(x, size, stride, dout)["out"], f"case {k + 1}/{len(POOL_CASES)}")


def _grade_pool_backward(kind, forward_fn, backward_fn, seed):
    ref_forward, ref_backward, mistakes_fn = POOL_REFERENCES[kind]
    rng = np.random.default_rng(seed)
    for k, case in enumerate(POOL_CASES):
        x, dout = pool_inputs(case, rng)
        size, stride = case[-2:]
        out, cache = ref_forward(x, size, stride)
        check_pool_backward_case(kind, forward_fn, backward_fn, x, size, stride, dout, out,
                                 ref_backward(dout, cache), mistakes_fn(x, size, stride, dout),
                                 f"case {k + 1}/{len(POOL_CASES)}", rng)


def grade_maxpool_forward(maxpool_forward_fn):
    _grade_pool_forward("maxpool", maxpool_forward_fn, 30304)


def grade_maxpool_backward(maxpool_forward_fn, maxpool_backward_fn):
    _grade_pool_backward("maxpool", maxpool_forward_fn, maxpool_backward_fn, 30305)


def grade_avgpool_forward(avgpool_forward_fn):
    _grade_pool_forward("avgpool", avgpool_forward_fn, 30306)


def grade_avgpool_backward(avgpool_forward_fn, avgpool_backward_fn):
    _grade_pool_backward("avgpool", avgpool_forward_fn, avgpool_backward_fn, 30307)
