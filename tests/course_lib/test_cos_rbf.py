"""Lecture 002's home-made modules: cos(theta x) + pi and the composite RBF module."""
import math

import numpy as np
import pytest

from course_lib.layers import (
    cos_module_backward,
    cos_module_forward,
    rbf_backward,
    rbf_forward,
    rbf_gaussian_backward,
    rbf_gaussian_forward,
    rbf_plus_backward,
    rbf_plus_forward,
    rbf_scale_backward,
    rbf_scale_forward,
    rbf_sqdist_backward,
    rbf_sqdist_forward,
)
from course_lib.validation import DTypeError, ShapeError
from tests.support.helpers_fd import check_backward, fd_gradient, rel_error

TOL = 1e-7




# ---------------------------------------------------------------- cos(theta x) + pi

COS_SHAPES = [(1, 4), (3, 5), (2, 3, 4), (7,)]


@pytest.mark.parametrize("theta", [0.7, np.array(-1.3), 2])
def test_cos_module_forward_and_local_derivatives(theta):
    x = np.linspace(-2.0, 3.0, 12).reshape(3, 4)
    out, cache = cos_module_forward(x, theta)
    t = float(theta)
    expected = np.array([[math.cos(t * v) + math.pi for v in row] for row in x])
    np.testing.assert_allclose(out, expected, rtol=1e-14)
    # with dout = 1 the backward gives the lecture's backward_dx and the sum of its backward_dtheta
    dx, dtheta = cos_module_backward(np.ones_like(x), cache)
    np.testing.assert_allclose(dx, -t * np.sin(t * x), rtol=1e-14)
    assert isinstance(dtheta, float)
    assert dtheta == pytest.approx(math.fsum(-v * math.sin(t * v) for v in x.ravel()), rel=1e-12)


@pytest.mark.parametrize("shape", COS_SHAPES)
def test_cos_module_backward_matches_finite_differences(shape):
    rng = np.random.default_rng(sum(shape))
    x = rng.standard_normal(shape)
    theta = 1.7
    out, cache = cos_module_forward(x, theta)
    dout = rng.standard_normal(out.shape)
    dx, dtheta = cos_module_backward(dout, cache)
    num_dx = fd_gradient(lambda v: cos_module_forward(v, theta)[0], x.copy(), dout)
    num_dtheta = fd_gradient(lambda t: cos_module_forward(x, t)[0], np.array(theta), dout)
    assert dx.shape == x.shape and rel_error(dx, num_dx) < TOL
    assert isinstance(dtheta, float) and rel_error(dtheta, num_dtheta) < TOL


def test_cos_module_bad_arguments():
    with pytest.raises(ShapeError, match=r"theta must be a single number.*\(2,\)"):
        cos_module_forward(np.ones(3), np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="theta must be a real number"):
        cos_module_forward(np.ones(3), True)
    with pytest.raises(DTypeError, match="x must be a floating-point array"):
        cos_module_forward(np.arange(3), 1.0)
    _, cache = cos_module_forward(np.ones((2, 3)), 1.0)
    with pytest.raises(ShapeError, match="dout has shape"):
        cos_module_backward(np.ones((3, 2)), cache)


# ---------------------------------------------------------------- RBF module

RBF_SHAPES = [(1, 3, 4), (5, 2, 3), (4, 1, 6)]  # (N, D, J)


def rbf_inputs(n, d, j, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    w = rng.standard_normal((j, d))
    beta = rng.uniform(0.2, 1.0, size=j)
    u = rng.standard_normal(j)
    return rng, [x, w, beta, u]


@pytest.mark.parametrize("n, d, j", RBF_SHAPES)
def test_rbf_forward_matches_closed_form(n, d, j):
    _, (x, w, beta, u) = rbf_inputs(n, d, j, seed=n + d + j)
    out, _ = rbf_forward(x, w, beta, u)
    assert out.shape == (n,)
    for i in range(n):
        expected = math.fsum(
            u[c] * math.exp(-beta[c] * sum((x[i, k] - w[c, k]) ** 2 for k in range(d))) for c in range(j)
        )
        assert out[i] == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("n, d, j", RBF_SHAPES)
def test_rbf_backward_differentiates_every_input(n, d, j):
    rng, inputs = rbf_inputs(n, d, j, seed=50 + n + d + j)
    check_backward(rbf_forward, inputs, rbf_backward, wrt=[0, 1, 2, 3], rng=rng)


@pytest.mark.parametrize("n, d, j", RBF_SHAPES)
def test_rbf_pieces_backward(n, d, j):
    rng, (x, w, beta, u) = rbf_inputs(n, d, j, seed=90 + n + d + j)
    a1, _ = rbf_sqdist_forward(x, w)
    a2, _ = rbf_gaussian_forward(a1, beta)
    a3, _ = rbf_scale_forward(a2, u)
    check_backward(rbf_sqdist_forward, [x, w], rbf_sqdist_backward, wrt=[0, 1], rng=rng)
    check_backward(rbf_gaussian_forward, [a1, beta], rbf_gaussian_backward, wrt=[0, 1], rng=rng)
    check_backward(rbf_scale_forward, [a2, u], rbf_scale_backward, wrt=[0, 1], rng=rng)
    check_backward(rbf_plus_forward, [a3], rbf_plus_backward, wrt=[0], rng=rng)


def test_rbf_is_the_cascade_of_its_pieces():
    _, (x, w, beta, u) = rbf_inputs(3, 2, 4, seed=1)
    a1, _ = rbf_sqdist_forward(x, w)
    a2, _ = rbf_gaussian_forward(a1, beta)
    a3, _ = rbf_scale_forward(a2, u)
    a4, _ = rbf_plus_forward(a3)
    np.testing.assert_array_equal(rbf_forward(x, w, beta, u)[0], a4)


def test_rbf_bad_arguments():
    x = np.ones((2, 3))
    with pytest.raises(ShapeError, match=r"w must have shape \(J, 3\)"):
        rbf_forward(x, np.ones((4, 2)), np.ones(4), np.ones(4))
    with pytest.raises(ShapeError, match=r"beta must have shape \(4\)"):
        rbf_forward(x, np.ones((4, 3)), np.ones(3), np.ones(4))
    with pytest.raises(ShapeError, match=r"u must have shape \(4\)"):
        rbf_forward(x, np.ones((4, 3)), np.ones(4), np.ones((4, 1)))
    _, cache = rbf_forward(x, np.ones((4, 3)), np.ones(4), np.ones(4))
    with pytest.raises(ShapeError, match=r"dout must have shape \(2\)"):
        rbf_backward(np.ones((2, 1)), cache)
