"""Softmax: values against scipy, stability, the Jacobian-vector product against finite differences."""
import numpy as np
import pytest
import scipy.special

from course_lib.layers import softmax, softmax_backward, softmax_forward
from course_lib.validation import DTypeError, ShapeError
from tests.support.helpers_fd import fd_gradient, rel_error

SHAPES = [(1, 4), (5, 3), (3, 7)]


@pytest.mark.parametrize("shape", SHAPES)
def test_softmax_matches_scipy(shape):
    scores = 3.0 * np.random.default_rng(sum(shape)).standard_normal(shape)
    p = softmax(scores)
    np.testing.assert_allclose(p, scipy.special.softmax(scores, axis=1), rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-14)


def test_softmax_is_shift_invariant_and_stable():
    scores = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -999.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        p = softmax(scores)
    # subtracting a constant from a row does not change its softmax
    np.testing.assert_allclose(p, softmax(scores - scores[:, :1]), rtol=1e-14)
    e = np.exp([0.0, 1.0, -1.0])
    np.testing.assert_allclose(p[0], e / e.sum(), rtol=1e-14)


def test_softmax_forward_returns_softmax():
    scores = np.random.default_rng(0).standard_normal((4, 3))
    p, _ = softmax_forward(scores)
    np.testing.assert_array_equal(p, softmax(scores))


@pytest.mark.parametrize("shape", SHAPES)
def test_softmax_backward_matches_finite_differences(shape):
    rng = np.random.default_rng(10 + sum(shape))
    x = rng.standard_normal(shape)
    x_copy = x.copy()
    p, cache = softmax_forward(x)
    dout = rng.standard_normal(shape)
    dx = softmax_backward(dout, cache)
    num = fd_gradient(lambda v: softmax_forward(v)[0], x.copy(), dout)
    assert rel_error(dx, num) < 1e-7
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(softmax_backward(dout, cache), dx)  # backward twice, same answer


@pytest.mark.parametrize("shape", SHAPES)
def test_softmax_backward_is_the_transposed_jacobian_product(shape):
    rng = np.random.default_rng(20 + sum(shape))
    p, cache = softmax_forward(rng.standard_normal(shape))
    dout = rng.standard_normal(shape)
    dx = softmax_backward(dout, cache)
    for n in range(shape[0]):
        jac = np.diag(p[n]) - np.outer(p[n], p[n])  # d p_k / d x_j
        np.testing.assert_allclose(dx[n], jac.T @ dout[n], rtol=1e-12, atol=1e-15)


def test_softmax_backward_of_a_constant_row_is_zero():
    """Adding c to every dout entry of a row does not change dx, since the row sum of p is fixed."""
    _, cache = softmax_forward(np.random.default_rng(1).standard_normal((2, 5)))
    np.testing.assert_allclose(softmax_backward(np.full((2, 5), 3.0), cache), 0.0, atol=1e-15)


def test_softmax_bad_arguments():
    with pytest.raises(ShapeError, match=r"scores must have 2 dimensions \(N, K\)"):
        softmax(np.ones(3))
    with pytest.raises(DTypeError, match="scores must be a floating-point array"):
        softmax(np.ones((2, 3), dtype=np.int64))
    _, cache = softmax_forward(np.ones((2, 3)))
    with pytest.raises(ShapeError, match="dout has shape"):
        softmax_backward(np.ones((3, 2)), cache)
