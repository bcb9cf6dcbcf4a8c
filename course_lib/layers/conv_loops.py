"""The convolution layer written with explicit loops, to be read line by line.

Same signatures, same cache contract and same results as conv.py (which is
the fast version); the only numpy help here is the elementwise product and
sum over one receptive field. Forward (a cross-correlation, as in PyTorch):

    out[n, f, y, x] = b[f] + sum_{c, i, j} w[f, c, i, j] * x_pad[n, c, y*stride + i, x*stride + j]

Each output entry touched one receptive field, so in the backward each
dout[n, f, y, x] flows back along the same connections: to db[f], to every
weight of filter f (times the input it multiplied), and to every input of the
receptive field (times the weight it met). Inputs that belong to several
receptive fields collect a contribution from each, hence the +=.
"""
import numpy as np

from course_lib.layers.conv import check_conv_args
from course_lib.validation import as_float_array, check_shape


def conv2d_forward_loops(x, w, b, stride=1, pad=0):
    """Loop version of conv2d_forward.

    Shapes: x (N, C, H, W), w (F, C, HH, WW), b (F,) -> out (N, F, H', W'),
    H' = 1 + (H + 2 pad - HH) / stride, W' = 1 + (W + 2 pad - WW) / stride.
    """
    x, w, b, stride, pad, H_out, W_out = check_conv_args(x, w, b, stride, pad)
    N = x.shape[0]
    F, _, HH, WW = w.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, H_out, W_out))
    for n in range(N):
        for f in range(F):
            for y in range(H_out):
                for x_pos in range(W_out):
                    top, left = y * stride, x_pos * stride
                    field = x_pad[n, :, top:top + HH, left:left + WW]   # (C, HH, WW)
                    out[n, f, y, x_pos] = np.sum(field * w[f]) + b[f]
    cache = (x, w, b, stride, pad)
    return out, cache


def conv2d_backward_loops(dout, cache):
    """Loop version of conv2d_backward.

    Shapes: dout (N, F, H', W') -> dx (N, C, H, W), dw (F, C, HH, WW), db (F,).
    """
    x, w, b, stride, pad = cache
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    dout = as_float_array("dout", dout)
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    check_shape("dout", dout, (N, F, H_out, W_out))

    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    db = np.zeros_like(b)
    for n in range(N):
        for f in range(F):
            for y in range(H_out):
                for x_pos in range(W_out):
                    top, left = y * stride, x_pos * stride
                    g = dout[n, f, y, x_pos]
                    field = x_pad[n, :, top:top + HH, left:left + WW]
                    db[f] += g
                    dw[f] += g * field
                    dx_pad[n, :, top:top + HH, left:left + WW] += g * w[f]
    # The padding is not an input: drop its gradient.
    dx = dx_pad[:, :, pad:pad + H, pad:pad + W]
    return dx, dw, db
