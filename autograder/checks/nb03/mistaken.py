"""What notebook 03's known mistakes give on a case: the arrays the checks name a wrong answer by.

Trusted, never shipped: these builders compute near-answers of the graded
functions (a conv2d backward without stride, a max-pooling backward that sends
dout to the minimum, ...), so they live here and not in the student's home.
Each returns {output name: {key: array}}, keyed as the catalogues of
course_lib/selfcheck/nb03/mistakes.py, the layout of a case's ``mistakes``.
fresh.py uses them for the hidden check's cases, stored.py to store the
self-check's.
"""
import numpy as np

from course_lib.layers.conv import conv2d_backward, conv2d_forward
from course_lib.layers.conv_delta import conv_delta as ref_conv_delta
from course_lib.layers.im2col import im2col as ref_im2col
from course_lib.layers.pooling import avgpool_forward, maxpool_forward
from course_lib.selfcheck.nb03.cases import conv_output_size


def conv_delta_mistakes(delta_next, w, sigma_prime_z):
    """The delta^l of typical wrong versions of equation (7): {"delta": {key of CONV_DELTA_MISTAKES: array}}."""
    return {"delta": {
        "rotated_kernel": ref_conv_delta(delta_next, w[::-1, ::-1], sigma_prime_z),
        "flip_rows": ref_conv_delta(delta_next, w[::-1, :], sigma_prime_z),
        "flip_cols": ref_conv_delta(delta_next, w[:, ::-1], sigma_prime_z),
        "no_sigma": ref_conv_delta(delta_next, w, np.ones_like(sigma_prime_z)),
    }}


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
    Ho, Wo = out.shape[2:]
    out_1 = conv2d_forward(x, w, b, 1, pad)[0][:, :, :Ho, :Wo]  # the window index without the stride
    dx_rot = conv2d_backward(dout, cache_rot)[0]
    dx_pad, _ = conv_scatter(x, w, dout, stride, pad)
    dx_pad_1, dw_1 = conv_scatter(x, w, dout, 1, pad)
    return {
        "out": {"flipped_kernel": out_rot, "no_bias": out - b.reshape(-1, 1, 1), "no_stride": out_1},
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


def im2col_mistakes(x, HH, WW, stride, pad):
    """Columns with a wrong row order (i, j, c) or column-major output positions: {"cols": {key: array}}."""
    N, C, H, W = x.shape
    Ho, Wo = conv_output_size(H, W, HH, WW, stride, pad)
    cols = ref_im2col(x, HH, WW, stride, pad).reshape(N, C, HH, WW, Ho, Wo)
    return {"cols": {
        "rows_ijc": cols.transpose(0, 2, 3, 1, 4, 5).reshape(N, C * HH * WW, Ho * Wo),
        "positions_transposed": cols.transpose(0, 1, 2, 3, 5, 4).reshape(N, C * HH * WW, Ho * Wo),
    }}


