"""Fully connected (affine) layer in the row convention: one sample per row.

Lecture 002 writes the linear module as a = theta x with da/dx = theta and
da/dtheta = x; with a batch of N rows and a bias this becomes
out = x @ w + b.
"""

from course_lib.validation import ShapeError, as_float_array, check_ndim, check_shape


def linear_forward(x, w, b):
    """Affine map of a batch: out = x @ w + b.

    Shapes: x (N, D), w (D, M), b (M,) -> out (N, M).
    The cache holds (x, w), which the backward needs.
    """
    x = as_float_array("x", x)
    w = as_float_array("w", w)
    b = as_float_array("b", b)
    check_ndim("x", x, 2, "(N, D)")
    check_ndim("w", w, 2, "(D, M)")
    if x.shape[1] != w.shape[0]:
        raise ShapeError(
            f"x has {x.shape[1]} features per row (shape {x.shape}) but w has "
            f"{w.shape[0]} rows (shape {w.shape}); w must have shape (D, M) with "
            f"D = x.shape[1] = {x.shape[1]} (did you pass w transposed?)."
        )
    check_shape("b", b, (w.shape[1],))
    out = x @ w + b
    return out, (x, w)


def linear_backward(dout, cache):
    """Gradients of the affine map out = x @ w + b.

    Shapes: dout (N, M) -> dx (N, D), dw (D, M), db (M,), where
    dx = dout @ w.T, dw = x.T @ dout, db = sum over the batch of dout.
    """
    x, w = cache
    dout = as_float_array("dout", dout)
    check_shape("dout", dout, (x.shape[0], w.shape[1]))
    dx = dout @ w.T
    dw = x.T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db
