"""im2col and its adjoint col2im: turn a convolution into one matrix product.

Layout (used by conv.py and documented here once). For x of shape
(N, C, H, W), a filter of HH x WW, a stride and a zero padding ``pad``:

    H' = 1 + (H + 2 pad - HH) / stride,   W' = 1 + (W + 2 pad - WW) / stride
    K  = C * HH * WW                       (one receptive field, flattened)
    P  = H' * W'                           (output positions, row-major)

    cols has shape (N, K, P) and
    cols[n, (c * HH + i) * WW + j, y * W' + x] = x_pad[n, c, y * stride + i, x * stride + j]

so column p of cols[n] is the receptive field of output pixel p of sample n,
flattened in the same (c, i, j) order as w.reshape(F, K). A convolution is
then out[n] = w.reshape(F, K) @ cols[n].

col2im is the adjoint (transpose) of im2col: it sends every entry of cols
back to the input pixel it was copied from and *adds* the entries that land
on the same pixel (receptive fields overlap when stride < HH), then drops
the padding. Hence <col2im(c), x> == <c, im2col(x)> for all c and x.

The geometry check ``conv_output_shape`` also lives here, because pooling
slides windows over images in the same way.
"""
import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from course_lib.validation import (
    ShapeError,
    as_float_array,
    check_ndim,
    check_nonnegative_int,
    check_positive_int,
    check_shape,
)


def _divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


def conv_output_shape(H, W, HH, WW, stride, pad=0, *, window="filter", allow_pad=True):
    """Output height and width of a window of HH x WW sliding over an H x W image.

    H' = 1 + (H + 2 pad - HH) / stride and W' = 1 + (W + 2 pad - WW) / stride.
    The windows must tile the padded input exactly (the division has no
    remainder); otherwise a ShapeError lists strides, paddings and input
    sizes that would work. ``window`` names the window in messages
    ("filter", "pooling window"); ``allow_pad=False`` leaves padding out of
    the suggestions (pooling has none).
    """
    HH = check_positive_int(f"the {window} height", HH)
    WW = check_positive_int(f"the {window} width", WW)
    stride = check_positive_int("stride", stride)
    pad = check_nonnegative_int("pad", pad)
    Hp, Wp = H + 2 * pad, W + 2 * pad
    pad_text = f" with pad={pad}" if allow_pad else ""
    if HH > Hp or WW > Wp:
        raise ShapeError(
            f"the {window} ({HH}x{WW}) is larger than the input{pad_text} "
            f"({Hp}x{Wp}); use a smaller {window} or a larger input."
        )
    Lh, Lw = Hp - HH, Wp - WW
    if Lh % stride == 0 and Lw % stride == 0:
        return Lh // stride + 1, Lw // stride + 1

    height = "H + 2*pad - HH" if allow_pad else "H - size"
    width = "W + 2*pad - WW" if allow_pad else "W - size"
    problems = [f"{height} = {Lh}"] if Lh % stride else []
    problems += [f"{width} = {Lw}"] if Lw % stride else []
    verb = "is not a multiple" if len(problems) == 1 else "are not multiples"
    hints = [f"Strides that work{pad_text}: {', '.join(map(str, _divisors(math.gcd(Lh, Lw))))}"]
    if allow_pad:
        good_pads = [
            p for p in range(0, stride + max(HH, WW))
            if (H + 2 * p - HH) % stride == 0 and (W + 2 * p - WW) % stride == 0
            and H + 2 * p >= HH and W + 2 * p >= WW
        ][:3]
        if good_pads:
            hints.append(f"pads that work with stride={stride}: {', '.join(map(str, good_pads))}")
    hints.append(f"or an input of {H + (-Lh) % stride}x{W + (-Lw) % stride} (H x W) instead of {H}x{W}")
    raise ShapeError(
        f"stride={stride} does not tile the {H}x{W} input{pad_text}"
        f"{' and' if allow_pad else ' with'} a {HH}x{WW} {window}: "
        f"{' and '.join(problems)} {verb} of {stride}. " + "; ".join(hints) + "."
    )


def im2col(x, HH, WW, stride, pad):
    """Receptive fields of a batch as columns.

    x (N, C, H, W) -> cols (N, C*HH*WW, H'*W') in the layout described in
    the module docstring. The result is a new array; x is not modified.
    """
    x = as_float_array("x", x)
    check_ndim("x", x, 4, "(N, C, H, W)")
    N, C, H, W = x.shape
    Ho, Wo = conv_output_shape(H, W, HH, WW, stride, pad)
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))) if pad else x
    # A read-only view of every window, (N, C, Hp-HH+1, Wp-WW+1, HH, WW);
    # keeping every stride-th position gives the windows the output uses.
    windows = sliding_window_view(x_pad, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    # (N, C, HH, WW, H', W'): the one copy, which also orders rows as (c, i, j).
    cols = np.ascontiguousarray(windows.transpose(0, 1, 4, 5, 2, 3))
    return cols.reshape(N, C * HH * WW, Ho * Wo)


def col2im(cols, x_shape, HH, WW, stride, pad):
    """Adjoint of im2col: scatter columns back onto the image, adding overlaps.

    cols (N, C*HH*WW, H'*W') -> dx of shape x_shape = (N, C, H, W), with
    dx[n, c, y*stride + i - pad, x*stride + j - pad] += cols[n, (c*HH + i)*WW + j, y*W' + x]
    for every entry whose target lies inside the unpadded image.
    """
    cols = as_float_array("cols", cols)
    N, C, H, W = x_shape
    Ho, Wo = conv_output_shape(H, W, HH, WW, stride, pad)
    check_shape("cols", cols, (N, C * HH * WW, Ho * Wo))
    blocks = cols.reshape(N, C, HH, WW, Ho, Wo)
    dx_pad = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=cols.dtype)
    # One vectorised add per filter offset (i, j): HH*WW Python iterations,
    # whatever the batch size. Within one offset the targets are distinct, so
    # += is safe; the overlaps between offsets are what the loop accumulates.
    for i in range(HH):
        rows = slice(i, i + stride * (Ho - 1) + 1, stride)
        for j in range(WW):
            columns = slice(j, j + stride * (Wo - 1) + 1, stride)
            dx_pad[:, :, rows, columns] += blocks[:, :, i, j]
    return dx_pad[:, :, pad:pad + H, pad:pad + W]
