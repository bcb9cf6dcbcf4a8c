"""Softmax module (lecture 002): one probability distribution per row.

a^(k) = exp(x^(k) - mu) / sum_j exp(x^(j) - mu) with mu = max_k x^(k): the
shift leaves the result unchanged and keeps exp from overflowing.
"""
import numpy as np

from course_lib.validation import as_float_array, check_ndim, check_same_shape


def softmax(scores):
    """Row-wise softmax of scores (N, K) -> probabilities (N, K), each row summing to 1."""
    scores = as_float_array("scores", scores)
    check_ndim("scores", scores, 2, "(N, K)")
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def softmax_forward(x):
    """Softmax as a module: x (N, K) -> p (N, K); the cache is p."""
    p = softmax(x)
    return p, p


def softmax_backward(dout, cache):
    """Product of the transposed softmax Jacobian with dout, row by row.

    The Jacobian of one row is diag(p) - p p^T, so
    dx = p * (dout - sum_k dout[:, k] p[:, k]); shapes (N, K).
    """
    p = cache
    dout = as_float_array("dout", dout)
    check_same_shape("dout", dout, "the softmax output", p)
    return p * (dout - np.sum(dout * p, axis=1, keepdims=True))
