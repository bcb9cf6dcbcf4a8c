"""Flatten: reshape a batch of feature maps into a batch of vectors (e.g. after the last conv layer)."""
import numpy as np

from course_lib.validation import ShapeError, as_float_array, check_shape


def flatten_forward(x):
    """x (N, d1, d2, ...) -> out (N, d1 * d2 * ...), rows in C order; the cache is x.shape."""
    x = as_float_array("x", x)
    if x.ndim < 1:
        raise ShapeError(f"x must have a batch axis, shape (N, ...), got shape {x.shape}.")
    n = x.shape[0]
    return x.reshape(n, -1).copy(), x.shape


def flatten_backward(dout, cache):
    """dout (N, prod) -> dx with the forward input's shape (N, d1, d2, ...)."""
    shape = cache
    dout = as_float_array("dout", dout)
    check_shape("dout", dout, (shape[0], int(np.prod(shape[1:], dtype=np.int64))))
    return dout.reshape(shape).copy()
