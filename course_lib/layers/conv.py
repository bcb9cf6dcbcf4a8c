"""Multi-channel 2-D convolution layer (reference, vectorised with im2col).

The forward is a cross-correlation, as in PyTorch (the kernel is not flipped):

    out[n, f, y, x] = b[f] + sum_{c, i, j} w[f, c, i, j] * x_pad[n, c, y*stride + i, x*stride + j]

with x_pad the input zero-padded by ``pad`` on each side. With the columns
of im2col.py this is one matrix product per batch, out[n] = w_row @ cols[n]
where w_row = w.reshape(F, C*HH*WW). The backward follows from it:

    db = sum over n, y, x of dout
    dw = sum_n dout[n] @ cols[n].T        (dout[n] as an (F, H'*W') matrix)
    dx = col2im(w_row.T @ dout[n])        (the adjoint of im2col)

Written out, dx is dout zero-padded and convolved with the filter rotated
by 180 degrees (the lecture's delta recursion, equation (7), for many
channels, a stride and a padding); col2im does that rotation implicitly.
conv_loops.py computes the same thing with explicit loops.
"""
import numpy as np

from course_lib.layers.im2col import col2im, conv_output_shape, im2col
from course_lib.validation import (
    ShapeError,
    as_float_array,
    check_ndim,
    check_nonnegative_int,
    check_positive_int,
    check_shape,
)


def check_conv_args(x, w, b, stride, pad):
    """Validate the arguments of a conv2d forward and return them with the output size.

    Returns (x, w, b, stride, pad, H_out, W_out). Shared by conv.py and
    conv_loops.py so both refuse the same inputs with the same messages.
    """
    x = as_float_array("x", x)
    w = as_float_array("w", w)
    b = as_float_array("b", b)
    check_ndim("x", x, 4, "(N, C, H, W)")
    check_ndim("w", w, 4, "(F, C, HH, WW)")
    if x.shape[1] != w.shape[1]:
        raise ShapeError(
            f"channel mismatch: x has C={x.shape[1]} channels (shape {x.shape}) but w "
            f"expects C={w.shape[1]} (shape {w.shape}); w must have shape "
            f"(F, {x.shape[1]}, HH, WW), with w.shape[1] equal to x.shape[1]."
        )
    check_shape("b", b, (w.shape[0],))
    stride = check_positive_int("stride", stride)
    pad = check_nonnegative_int("pad", pad)
    H, W = x.shape[2:]
    HH, WW = w.shape[2:]
    H_out, W_out = conv_output_shape(H, W, HH, WW, stride, pad)
    return x, w, b, stride, pad, H_out, W_out


def conv2d_forward(x, w, b, stride=1, pad=0):
    """Convolution (cross-correlation) of a batch of images with F filters.

    Shapes: x (N, C, H, W), w (F, C, HH, WW), b (F,) -> out (N, F, H', W') with
    H' = 1 + (H + 2 pad - HH) / stride and W' = 1 + (W + 2 pad - WW) / stride,
    which must be whole numbers. stride >= 1 and pad >= 0 are integers.
    out[n, f] = b[f] + sum_c (x_pad[n, c] cross-correlated with w[f, c], every stride-th position).
    The cache is opaque: pass it to conv2d_backward.
    """
    x, w, b, stride, pad, H_out, W_out = check_conv_args(x, w, b, stride, pad)
    N = x.shape[0]
    F, _, HH, WW = w.shape
    cols = im2col(x, HH, WW, stride, pad)                    # (N, K, P)
    # matmul broadcasts the (F, K) filter matrix over the batch: (N, F, P),
    # already in the (N, F, H', W') order, so no transpose is needed after it.
    out = np.matmul(w.reshape(F, -1), cols).reshape(N, F, H_out, W_out)
    out += b.reshape(F, 1, 1)
    cache = (x.shape, w, cols, stride, pad, out.shape)
    return out, cache


def conv2d_backward(dout, cache):
    """Gradients of conv2d_forward.

    Shapes: dout (N, F, H', W') -> dx (N, C, H, W), dw (F, C, HH, WW), db (F,).
    db[f] = sum_{n,y,x} dout[n, f, y, x];
    dw[f, c, i, j] = sum_{n,y,x} dout[n, f, y, x] * x_pad[n, c, y*stride + i, x*stride + j];
    dx[n, c] = the padding-cropped sum over f and offsets of w[f, c, i, j] * dout[n, f]
    placed at stride-spaced positions, i.e. a "full" convolution of dout with w.
    """
    x_shape, w, cols, stride, pad, out_shape = cache
    N = x_shape[0]
    F, _, HH, WW = w.shape
    dout = as_float_array("dout", dout)
    check_shape("dout", dout, out_shape)
    d_rows = dout.reshape(N, F, -1)
    db = dout.sum(axis=(0, 2, 3))
    # One (F, P) @ (P, K) product per sample, then the sum over the batch:
    # cheaper than a transpose of dout into one (F, N*P) matrix.
    dw = np.matmul(d_rows, cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    dcols = np.matmul(w.reshape(F, -1).T, d_rows)            # (N, K, P)
    dx = col2im(dcols, x_shape, HH, WW, stride, pad)
    return dx, dw, db
