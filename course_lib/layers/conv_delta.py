"""The lecture's single-channel convolution and its delta recursion (equation (7)).

One feature map per layer, an M x M' filter w^{l+1}, stride 1, no padding.
The forward is the lecture's equation (2), a convolution in the strict sense:

    z^{l+1}_{x,y} = sum_{a,b} w^{l+1}_{a,b} a^l_{x-a, y-b} + b^{l+1},   a^l = sigma(z^l)

kept where every index is inside the image ("valid"), so z^l of shape
(H, W) gives z^{l+1} of shape (H - M + 1, W - M' + 1). Indices here are
0-based and an output (x', y') is stored at (x' - M + 1, y' - M' + 1).
With delta^l = dC/dz^l the chain rule through every z^{l+1}_{x',y'} that
a^l_{x,y} feeds gives the lecture's equation (7):

    delta^l_{x,y} = sum_{x',y'} delta^{l+1}_{x',y'} w^{l+1}_{x'-x, y'-y} sigma'(z^l_{x,y})      (7)

The filter index now runs with x' - x instead of x - a: the forward's
convolution becomes a sliding dot product (a cross-correlation) of the
zero-padded delta^{l+1} with w, which is the convolution with w rotated by
180 degrees. (conv.py, like PyTorch, uses a cross-correlation forward; its
dx is then a convolution with the unrotated filter. Both views agree: the
operation in the backward is the forward's operation on the rotated filter.)
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from course_lib.validation import ShapeError, as_float_array, check_ndim, check_real_scalar, check_shape


def _check_single(name, arr, layout):
    arr = as_float_array(name, arr)
    check_ndim(name, arr, 2, layout)
    return arr


def _slide(image, filt):
    """Valid cross-correlation of two 2-D arrays: sum_{a,b} filt[a,b] image[x+a, y+b]."""
    windows = sliding_window_view(image, filt.shape)           # (H-M+1, W-M'+1, M, M')
    return np.einsum("xyab,ab->xy", windows, filt)


def _convolve_valid(image, filt):
    """Valid convolution in the strict sense: the cross-correlation with the filter rotated by 180 degrees."""
    return _slide(image, filt[::-1, ::-1])


def _full_correlate(delta_next, w):
    """sum_{x',y'} delta_next[x',y'] w[x'-x, y'-y] in the forward's indexing: pad with zeros, slide w."""
    M, M2 = w.shape
    padded = np.pad(delta_next, ((M - 1, M - 1), (M2 - 1, M2 - 1)))
    return _slide(padded, w)


def conv_single_forward(a, w, b):
    """The lecture's single-channel layer, equation (2): z^{l+1} = w^{l+1} convolved with a^l, plus b^{l+1}.

    Shapes: a (H, W), w (M, M') with M <= H and M' <= W, b a number (one bias
    shared by the whole feature map) -> z (H - M + 1, W - M' + 1).
    z[x, y] = sum_{i,j} w[i, j] a[x + M - 1 - i, y + M' - 1 - j] + b. The cache is (a, w).
    """
    a = _check_single("a", a, "(H, W)")
    w = _check_single("w", w, "(M, M')")
    b = check_real_scalar("b", b)
    if w.shape[0] > a.shape[0] or w.shape[1] > a.shape[1]:
        raise ShapeError(
            f"the filter w of shape {w.shape} is larger than the input a of shape "
            f"{a.shape}; without padding it must fit inside the image."
        )
    return _convolve_valid(a, w) + b, (a, w)


def conv_single_backward(dz, cache):
    """Gradients of conv_single_forward: (da, dw, db).

    Shapes: dz (H - M + 1, W - M' + 1) -> da (H, W), dw (M, M'), db a float.
    da = dz zero-padded and cross-correlated with w (equation (7) without sigma'),
    dw[i, j] = sum_{x,y} dz[x, y] a[x + M - 1 - i, y + M' - 1 - j] (a cross-correlation of a with dz, rotated),
    db = sum of dz.
    """
    a, w = cache
    dz = as_float_array("dz", dz)
    check_shape("dz", dz, (a.shape[0] - w.shape[0] + 1, a.shape[1] - w.shape[1] + 1))
    return _full_correlate(dz, w), _slide(a, dz)[::-1, ::-1], float(dz.sum())


def conv_delta(delta_next, w, sigma_prime_z):
    """delta^l from delta^{l+1}: the lecture's equation (7), single channel, stride 1, no padding.

    Shapes: delta_next = delta^{l+1} (H - M + 1, W - M' + 1), w = w^{l+1} (M, M'),
    sigma_prime_z = sigma'(z^l) (H, W) -> delta^l (H, W), where
    delta^l_{x,y} = sigma'(z^l_{x,y}) * sum_{x',y'} delta^{l+1}_{x',y'} w_{x'-x, y'-y}
    (indices as in the lecture), i.e. delta^{l+1} zero-padded by M-1 and M'-1
    and convolved with the filter rotated by 180 degrees, times sigma'(z^l).
    """
    delta_next = _check_single("delta_next", delta_next, "(H - M + 1, W - M' + 1)")
    w = _check_single("w", w, "(M, M')")
    sigma_prime_z = _check_single("sigma_prime_z", sigma_prime_z, "(H, W)")
    expected = (delta_next.shape[0] + w.shape[0] - 1, delta_next.shape[1] + w.shape[1] - 1)
    if sigma_prime_z.shape != expected:
        raise ShapeError(
            f"sigma_prime_z must have the shape of z^l, delta_next.shape + w.shape - 1 = "
            f"{expected} (delta_next {delta_next.shape}, w {w.shape}), got "
            f"{sigma_prime_z.shape}."
        )
    return _full_correlate(delta_next, w) * sigma_prime_z
