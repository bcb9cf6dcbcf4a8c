"""Maxout unit (lecture 003): the maximum of K affine pieces.

With K = 2 and one piece fixed to zero it is the ReLU; with the second piece
alpha times the first it is the leaky ReLU. Like the "Max" row of the
lecture's table, the backward copies the upstream gradient to the winning
piece and sends zero to the others.
"""
import numpy as np

from course_lib.validation import ShapeError, as_float_array, check_ndim, check_shape


def maxout_forward(x, w, b):
    """out[n, m] = max_k (x @ w[k] + b[k])[n, m].

    Shapes: x (N, D), w (K, D, M), b (K, M) -> out (N, M).
    The cache is (x, w, winner) with winner (N, M) the index k of the winning piece.
    """
    x = as_float_array("x", x)
    w = as_float_array("w", w)
    b = as_float_array("b", b)
    check_ndim("x", x, 2, "(N, D)")
    check_ndim("w", w, 3, "(K, D, M)")
    if x.shape[1] != w.shape[1]:
        raise ShapeError(
            f"x has {x.shape[1]} features per row but w has shape {w.shape}; "
            f"w must have shape (K, {x.shape[1]}, M)."
        )
    check_shape("b", b, (w.shape[0], w.shape[2]))
    z = np.einsum("nd,kdm->knm", x, w) + b[:, None, :]  # (K, N, M), one slice per piece
    winner = np.argmax(z, axis=0)
    out = np.take_along_axis(z, winner[None], axis=0)[0]
    return out, (x, w, winner)


def maxout_backward(dout, cache):
    """Gradients of maxout through the winning piece only.

    With dz[k, n, m] = dout[n, m] if k is the winner at (n, m), else 0:
    dx = sum_k dz[k] @ w[k].T (N, D), dw[k] = x.T @ dz[k] (K, D, M), db[k] = sum_n dz[k] (K, M).
    """
    x, w, winner = cache
    dout = as_float_array("dout", dout)
    check_shape("dout", dout, winner.shape)
    pieces = np.arange(w.shape[0])[:, None, None]
    dz = (pieces == winner[None]) * dout[None]  # (K, N, M)
    dx = np.einsum("knm,kdm->nd", dz, w)
    dw = np.einsum("nd,knm->kdm", x, dz)
    db = dz.sum(axis=1)
    return dx, dw, db
