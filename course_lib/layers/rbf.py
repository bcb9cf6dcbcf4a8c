"""Radial basis function (RBF) module, built as lecture 002 builds it: a module of modules.

    a = sum_j u_j exp(-beta_j ||x - w_j||^2)

is the cascade
    a1 = ||x - w_j||^2          rbf_sqdist     (inputs x, centres w)
    a2 = exp(-beta_j a1)        rbf_gaussian   (width beta)
    a3 = u_j a2                 rbf_scale      (output weights u)
    a4 = plus(..., a3_j, ...)   rbf_plus       (sum over the J units)
and rbf_backward is the chain of the four small backwards in reverse order.
The lecture writes a scalar input x; here x is a batch of vectors (N, D),
and D = 1 gives the lecture's (x - w_j)^2 exactly.
"""
import numpy as np

from course_lib.validation import ShapeError, as_float_array, check_ndim, check_shape


def rbf_sqdist_forward(x, w):
    """a1[n, j] = ||x[n] - w[j]||^2.  Shapes: x (N, D), w (J, D) -> a1 (N, J); the cache is (x, w)."""
    x = as_float_array("x", x)
    w = as_float_array("w", w)
    check_ndim("x", x, 2, "(N, D)")
    check_ndim("w", w, 2, "(J, D)")
    if w.shape[1] != x.shape[1]:
        raise ShapeError(
            f"the centres w must live in the input space: x has shape {x.shape}, so w must "
            f"have shape (J, {x.shape[1]}), got {w.shape}."
        )
    diff = x[:, None, :] - w[None, :, :]  # (N, J, D)
    return np.sum(diff * diff, axis=2), (x, w)


def rbf_sqdist_backward(da1, cache):
    """dx[n] = 2 sum_j da1[n, j] (x[n] - w[j]) (N, D); dw[j] = -2 sum_n da1[n, j] (x[n] - w[j]) (J, D)."""
    x, w = cache
    da1 = as_float_array("da1", da1)
    check_shape("da1", da1, (x.shape[0], w.shape[0]))
    weighted = 2.0 * da1[:, :, None] * (x[:, None, :] - w[None, :, :])  # (N, J, D)
    return weighted.sum(axis=1), -weighted.sum(axis=0)


def rbf_gaussian_forward(a1, beta):
    """a2[n, j] = exp(-beta[j] a1[n, j]).  Shapes: a1 (N, J), beta (J,) -> a2 (N, J); the cache is (a1, beta, a2)."""
    a1 = as_float_array("a1", a1)
    beta = as_float_array("beta", beta)
    check_ndim("a1", a1, 2, "(N, J)")
    check_shape("beta", beta, (a1.shape[1],))
    a2 = np.exp(-beta * a1)
    return a2, (a1, beta, a2)


def rbf_gaussian_backward(da2, cache):
    """da1 = -beta a2 da2 (N, J); dbeta[j] = -sum_n a1[n, j] a2[n, j] da2[n, j] (J,)."""
    a1, beta, a2 = cache
    da2 = as_float_array("da2", da2)
    check_shape("da2", da2, a2.shape)
    g = a2 * da2
    return -beta * g, -np.sum(a1 * g, axis=0)


def rbf_scale_forward(a2, u):
    """a3[n, j] = u[j] a2[n, j].  Shapes: a2 (N, J), u (J,) -> a3 (N, J); the cache is (a2, u)."""
    a2 = as_float_array("a2", a2)
    u = as_float_array("u", u)
    check_ndim("a2", a2, 2, "(N, J)")
    check_shape("u", u, (a2.shape[1],))
    return u * a2, (a2, u)


def rbf_scale_backward(da3, cache):
    """da2 = u da3 (N, J); du[j] = sum_n a2[n, j] da3[n, j] (J,)."""
    a2, u = cache
    da3 = as_float_array("da3", da3)
    check_shape("da3", da3, a2.shape)
    return u * da3, np.sum(a2 * da3, axis=0)


def rbf_plus_forward(a3):
    """a4[n] = sum_j a3[n, j].  Shapes: a3 (N, J) -> a4 (N,); the cache is a3.shape."""
    a3 = as_float_array("a3", a3)
    check_ndim("a3", a3, 2, "(N, J)")
    return a3.sum(axis=1), a3.shape


def rbf_plus_backward(da4, cache):
    """A sum copies its upstream gradient to every summand: da3[n, j] = da4[n]; (N,) -> (N, J)."""
    shape = cache
    da4 = as_float_array("da4", da4)
    check_shape("da4", da4, (shape[0],))
    return np.repeat(da4[:, None], shape[1], axis=1)


def rbf_forward(x, w, beta, u):
    """RBF module a[n] = sum_j u[j] exp(-beta[j] ||x[n] - w[j]||^2) as the four-module cascade.

    Shapes: x (N, D) inputs, w (J, D) centres, beta (J,) widths, u (J,) output weights -> a (N,).
    The cache holds the four sub-caches.
    """
    a1, c1 = rbf_sqdist_forward(x, w)
    a2, c2 = rbf_gaussian_forward(a1, beta)
    a3, c3 = rbf_scale_forward(a2, u)
    a4, c4 = rbf_plus_forward(a3)
    return a4, (c1, c2, c3, c4)


def rbf_backward(dout, cache):
    """Backward through the cascade in reverse order: plus, scale, gaussian, sqdist.

    Shapes: dout (N,) -> dx (N, D), dw (J, D), dbeta (J,), du (J,).
    """
    c1, c2, c3, c4 = cache
    dout = as_float_array("dout", dout)
    check_shape("dout", dout, (c4[0],))
    da3 = rbf_plus_backward(dout, c4)
    da2, du = rbf_scale_backward(da3, c3)
    da1, dbeta = rbf_gaussian_backward(da2, c2)
    dx, dw = rbf_sqdist_backward(da1, c1)
    return dx, dw, dbeta, du
