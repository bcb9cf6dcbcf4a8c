"""Spatial batch normalization for convolutional features (N, C, H, W).

A convolution shares its filter over all positions, so one channel is one
feature: it is normalised over the batch *and* over every pixel, with one
gamma and one beta per channel. Moving the channel axis last and flattening
the rest gives an (N*H*W, C) matrix whose rows are the m = N*H*W samples of
batchnorm.py, which does the work:

    x (N, C, H, W) -> (N, H, W, C) -> (N*H*W, C) -> batch norm -> back again.

bn_param is the same dict as for batchnorm_forward, with running statistics
of shape (C,).
"""
import numpy as np

from course_lib.layers.batchnorm import batchnorm_backward, batchnorm_forward
from course_lib.validation import as_float_array, check_ndim, check_shape


def _to_rows(t):
    N, C, H, W = t.shape
    return t.transpose(0, 2, 3, 1).reshape(N * H * W, C)


def _from_rows(rows, shape):
    N, C, H, W = shape
    return np.ascontiguousarray(rows.reshape(N, H, W, C).transpose(0, 3, 1, 2))


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalization per channel of x (N, C, H, W); gamma (C,), beta (C,) -> out (N, C, H, W).

    Per channel c, mu_B and sigma_B^2 are taken over all n, h, w; otherwise as
    batchnorm_forward, including the train/test modes and the running averages.
    """
    x = as_float_array("x", x)
    check_ndim("x", x, 4, "(N, C, H, W)")
    rows_out, bn_cache = batchnorm_forward(_to_rows(x), gamma, beta, bn_param)
    return _from_rows(rows_out, x.shape), (x.shape, bn_cache)


def spatial_batchnorm_backward(dout, cache):
    """Gradients (dx, dgamma, dbeta) of spatial_batchnorm_forward.

    Shapes: dout (N, C, H, W) -> dx (N, C, H, W), dgamma (C,), dbeta (C,).
    """
    x_shape, bn_cache = cache
    dout = as_float_array("dout", dout)
    check_shape("dout", dout, x_shape)
    d_rows, dgamma, dbeta = batchnorm_backward(_to_rows(dout), bn_cache)
    return _from_rows(d_rows, x_shape), dgamma, dbeta
