"""Max pooling and average pooling over square windows, for (N, C, H, W) batches.

A window of size x size slides with the given stride over every channel:

    H' = 1 + (H - size) / stride,   W' = 1 + (W - size) / stride

(the windows must tile the input exactly). Both kernels first gather the
windows as an array (N, C, H', W', size*size):
  - when stride == size the windows are disjoint blocks, a reshape and a
    transpose suffice (the "reshape trick");
  - otherwise (overlapping or gapped windows) a strided view does the job.
The backward scatters a gradient of that window array back onto the image;
windows that overlap (stride < size) send several contributions to one
pixel, which are added.

Max pooling: out = max over the window; the gradient goes to the position
of the maximum (the first one if the maximum is tied), the others get 0.
Average pooling: out = mean over the window; each of the size*size inputs
gets dout / size^2.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from course_lib.layers.im2col import conv_output_shape
from course_lib.validation import as_float_array, check_ndim, check_positive_int, check_shape


def _check_pool_args(x, size, stride):
    x = as_float_array("x", x)
    check_ndim("x", x, 4, "(N, C, H, W)")
    size = check_positive_int("size", size)
    stride = check_positive_int("stride", stride)
    H, W = x.shape[2:]
    H_out, W_out = conv_output_shape(H, W, size, size, stride, 0,
                                     window="pooling window", allow_pad=False)
    return x, size, stride, H_out, W_out


def _windows(x, size, stride, H_out, W_out):
    """All pooling windows of x as an array (N, C, H', W', size*size), row-major inside a window."""
    N, C = x.shape[:2]
    if stride == size:
        blocks = x.reshape(N, C, H_out, size, W_out, size)
        return blocks.transpose(0, 1, 2, 4, 3, 5).reshape(N, C, H_out, W_out, size * size)
    view = sliding_window_view(x, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]
    return view.reshape(N, C, H_out, W_out, size * size)


def _scatter(d_windows, x_shape, size, stride):
    """Adjoint of _windows: d_windows (N, C, H', W', size*size) -> dx of x_shape, overlaps added."""
    N, C, H, W = x_shape
    H_out, W_out = d_windows.shape[2:4]
    d_windows = d_windows.reshape(N, C, H_out, W_out, size, size)
    if stride == size:
        return d_windows.transpose(0, 1, 2, 4, 3, 5).reshape(x_shape)
    dx = np.zeros(x_shape, dtype=d_windows.dtype)
    # One vectorised add per offset inside the window; within one offset the
    # targets are distinct, so only different offsets can hit the same pixel.
    for i in range(size):
        rows = slice(i, i + stride * (H_out - 1) + 1, stride)
        for j in range(size):
            cols = slice(j, j + stride * (W_out - 1) + 1, stride)
            dx[:, :, rows, cols] += d_windows[:, :, :, :, i, j]
    return dx


def maxpool_forward(x, size=2, stride=2):
    """Max pooling: out[n, c, y, x] = max of x[n, c, y*stride : y*stride+size, x*stride : x*stride+size].

    Shapes: x (N, C, H, W) -> out (N, C, H', W'), H' = 1 + (H - size) / stride,
    W' = 1 + (W - size) / stride. The cache is opaque: pass it to maxpool_backward.
    """
    x, size, stride, H_out, W_out = _check_pool_args(x, size, stride)
    windows = _windows(x, size, stride, H_out, W_out)
    argmax = windows.argmax(axis=-1)                           # (N, C, H', W')
    out = np.take_along_axis(windows, argmax[..., None], axis=-1)[..., 0]
    return out, (x.shape, size, stride, argmax)


def maxpool_backward(dout, cache):
    """Gradient of max pooling: dout (N, C, H', W') -> dx (N, C, H, W).

    dx is dout routed to the argmax of each window and 0 elsewhere, summed
    over the windows a pixel belongs to.
    """
    x_shape, size, stride, argmax = cache
    dout = as_float_array("dout", dout)
    check_shape("dout", dout, argmax.shape)
    d_windows = np.zeros(argmax.shape + (size * size,), dtype=dout.dtype)
    np.put_along_axis(d_windows, argmax[..., None], dout[..., None], axis=-1)
    return _scatter(d_windows, x_shape, size, stride)


def avgpool_forward(x, size=2, stride=2):
    """Average pooling: out[n, c, y, x] = mean of the size x size window at (y*stride, x*stride).

    Shapes: x (N, C, H, W) -> out (N, C, H', W'), as for maxpool_forward.
    """
    x, size, stride, H_out, W_out = _check_pool_args(x, size, stride)
    out = _windows(x, size, stride, H_out, W_out).mean(axis=-1)
    return out, (x.shape, size, stride)


def avgpool_backward(dout, cache):
    """Gradient of average pooling: dout (N, C, H', W') -> dx (N, C, H, W).

    Every input of a window receives dout / size^2 from that window.
    """
    x_shape, size, stride = cache
    N, C, H, W = x_shape
    dout = as_float_array("dout", dout)
    check_shape("dout", dout, (N, C, 1 + (H - size) // stride, 1 + (W - size) // stride))
    share = dout / (size * size)
    d_windows = np.repeat(share[..., None], size * size, axis=-1)
    return _scatter(d_windows, x_shape, size, stride)
