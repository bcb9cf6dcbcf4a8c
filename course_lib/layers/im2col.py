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

Fast path (internal; conv.py uses it, students never see it). The layout
above suits the lecture but not the machine: its rows are H'*W' long and
copying or adding them in (H', W') blocks moves W'-element pieces. conv.py
works instead on a chunk of m samples at a time in a *flat* layout
(``FlatLayout``), where every step is a long contiguous 1-D run. With
s = stride, Hp = H + 2 pad, Wp = W + 2 pad, Hs = ceil(Hp / s), Ws = ceil(Wp / s)
and Q = Hs * Ws positions per sample:

    images[c, a * s + b, n*Q + Y*Ws + X] = x_pad[n, c, Y*s + a, X*s + b]
        (the padded image split into s*s phases (a, b) of Hs x Ws, zero where
        the padded image ends; for stride 1 the single phase is x_pad itself)
    cols[(c * HH + i) * WW + j, q] = images[c, (i % s) * s + (j % s), q + (i // s) * Ws + (j // s)]
    cols[K, q] = 1                     (a row of ones that carries the bias)

for the positions q = n*Q + y*Ws + x of the chunk; cols has shape
(K + 1, m*Q). Position q holds the receptive field of output pixel (y, x)
of sample n when y < H' and x < W'. The other positions ("garbage", about
11 % for 3x3 filters on 32x32 images with pad 1) read real or zero pixels;
they are cropped from the output and given zero gradient, so they never leak
into a result. In this layout row (c, i, j) of cols is one contiguous slice
of images: im2col is K slice copies and col2im K slice adds, each a long
vectorised run, and the three products of a convolution are one matrix
product each per chunk, with the bias folded into the forward one.
"""
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

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


class FlatLayout:
    """Geometry of the flat layout (module docstring) for one input shape and filter size.

    Buffers, for chunks of at most ``chunk`` samples: images (C, s*s, chunk*Q + slack),
    columns (K + 1, chunk*Q) and positions (rows, chunk*Q). An image buffer
    must start zeroed and only be written through ``put_images`` (or zeroed
    again by ``col2im``), so that its padding stays zero.
    """

    def __init__(self, C, H, W, HH, WW, stride, pad):
        self.C, self.H, self.W, self.HH, self.WW = C, H, W, HH, WW
        self.stride, self.pad = stride, pad
        self.H_out, self.W_out = conv_output_shape(H, W, HH, WW, stride, pad)
        s = stride
        self.K = C * HH * WW
        self.Hs = -(-(H + 2 * pad) // s)         # rows of one phase, ceil(Hp / s)
        self.Ws = -(-(W + 2 * pad) // s)         # columns of one phase
        self.Q = self.Hs * self.Ws
        # (row of cols, channel, phase, offset of the tap (i, j) within its phase)
        self.taps = [((c * HH + i) * WW + j, c, (i % s) * s + j % s, (i // s) * self.Ws + j // s)
                     for c in range(C) for i in range(HH) for j in range(WW)]
        # The last position of a chunk reads up to the largest offset past m*Q.
        self.slack = max(offset for *_, offset in self.taps) + 1
        # Where each phase (a, b) meets the unpadded image: phase rows Y0.. and
        # image rows r0, r0 + s, ... (x_pad row Y*s + a is image row Y*s + a - pad).
        self.phases = []
        for a in range(s):
            for b in range(s):
                Y0, r0 = self._first(a, H)
                X0, c0 = self._first(b, W)
                nY, nX = len(range(r0, H, s)), len(range(c0, W, s))
                if nY and nX:
                    self.phases.append((a * s + b, slice(Y0, Y0 + nY), slice(X0, X0 + nX),
                                        slice(r0, None, s), slice(c0, None, s)))

    def _first(self, a, size):
        # First phase index Y with Y*s + a - pad >= 0, and that image index.
        Y0 = max(0, -(-(self.pad - a) // self.stride))
        return Y0, Y0 * self.stride + a - self.pad

    def image_buffer(self, chunk, dtype):
        return np.zeros((self.C, self.stride ** 2, chunk * self.Q + self.slack), dtype=dtype)

    def column_buffer(self, chunk, dtype):
        cols = np.empty((self.K + 1, chunk * self.Q), dtype=dtype)
        cols[self.K] = 1.0          # im2col never writes this row: the bias's row of ones
        return cols

    def _phase(self, images, phase, m):
        # (m, C, Hs, Ws) view of one phase of the first m samples.
        grid = images[:, phase, :m * self.Q].reshape(self.C, m, self.Hs, self.Ws)
        return grid.transpose(1, 0, 2, 3)

    def put_images(self, images, x):
        """Write a chunk x (m, C, H, W) into an image buffer (its padding stays zero)."""
        for phase, rows, cols, r, c in self.phases:
            self._phase(images, phase, len(x))[:, :, rows, cols] = x[:, :, r, c]
        # The chunk's last garbage positions read this far past it: clear what an
        # earlier, larger chunk left there, so no old value (an inf, say) leaks in.
        n = len(x) * self.Q
        images[:, :, n:n + self.slack] = 0.0

    def take_images(self, images, x):
        """Read a chunk x (m, C, H, W) back from an image buffer, dropping the padding."""
        for phase, rows, cols, r, c in self.phases:
            x[:, :, r, c] = self._phase(images, phase, len(x))[:, :, rows, cols]

    def positions(self, flat, m):
        """View (m, rows, H', W') of the real output pixels of a (rows, >= m*Q) array."""
        grid = flat[:, :m * self.Q].reshape(flat.shape[0], m, self.Hs, self.Ws)
        return grid[:, :, :self.H_out, :self.W_out].transpose(1, 0, 2, 3)

    def per_sample(self, flat, m):
        """View (m, rows, Q) of a (rows, >= m*Q) array: one matrix per sample, for batched products.

        (One product per sample runs faster than one for the chunk: OpenBLAS
        multiplies matrices this small without repacking them.)
        """
        return flat[:, :m * self.Q].reshape(flat.shape[0], m, self.Q).transpose(1, 0, 2)

    def im2col(self, images, cols, m):
        """Fill cols[:K, :m*Q] from the first m samples of an image buffer; return cols[:, :m*Q].

        One copy per phase (one in all for stride 1): the taps (i, j) of a
        phase read the same plane at offsets i'*Ws + j' (i = a + s*i',
        j = b + s*j'), a read-only strided view whose last read stays within
        the buffer's slack.
        """
        n, s = m * self.Q, self.stride
        rows = cols[:self.K, :n].reshape(self.C, self.HH, self.WW, n)
        item = images.itemsize
        for a in range(s):
            for b in range(s):
                plane = images[:, a * s + b]
                taps = as_strided(plane, shape=(self.C, len(range(a, self.HH, s)), len(range(b, self.WW, s)), n),
                                  strides=(plane.strides[0], self.Ws * item, item, item), writeable=False)
                rows[:, a::s, b::s] = taps
        return cols[:, :n]

    def col2im(self, dcols, images, m):
        """Adjoint of ``im2col``: zero the image buffer, then add each row of dcols (K, m*Q) back.

        dcols must be zero at the garbage positions. The adds of one tap hit
        distinct pixels; overlaps between taps are what the loop sums.
        """
        n = m * self.Q
        images[:, :, :n + self.slack] = 0.0
        for row, c, phase, offset in self.taps:
            images[c, phase, offset:offset + n] += dcols[row]
