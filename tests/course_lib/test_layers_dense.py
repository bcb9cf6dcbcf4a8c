"""Dense-layer kernels: linear, maxout, flatten, dropout."""
import numpy as np
import pytest

from course_lib.layers import (
    dropout_backward,
    dropout_forward,
    flatten_backward,
    flatten_forward,
    leaky_relu_forward,
    linear_backward,
    linear_forward,
    maxout_backward,
    maxout_forward,
    relu_forward,
)
from course_lib.validation import DTypeError, ShapeError
from tests.support.helpers_fd import check_backward

# ---------------------------------------------------------------- linear

LINEAR_SHAPES = [(1, 4, 3), (5, 3, 2), (2, 7, 6)]  # (N, D, M): batch of one, then distinct sizes


@pytest.mark.parametrize("n, d, m", LINEAR_SHAPES)
def test_linear_forward_matches_loops(n, d, m):
    rng = np.random.default_rng(n + d + m)
    x, w, b = rng.standard_normal((n, d)), rng.standard_normal((d, m)), rng.standard_normal(m)
    out, _ = linear_forward(x, w, b)
    expected = np.array([[sum(x[i, k] * w[k, j] for k in range(d)) + b[j] for j in range(m)] for i in range(n)])
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("n, d, m", LINEAR_SHAPES)
def test_linear_backward(n, d, m):
    rng = np.random.default_rng(10 * n + d + m)
    inputs = [rng.standard_normal((n, d)), rng.standard_normal((d, m)), rng.standard_normal(m)]
    check_backward(linear_forward, inputs, linear_backward, wrt=[0, 1, 2], rng=rng)


def test_linear_names_mismatched_shapes():
    x, w, b = np.ones((2, 3)), np.ones((4, 5)), np.ones(5)
    with pytest.raises(ShapeError, match=r"x has 3 features.*w has 4 rows.*transposed"):
        linear_forward(x, w, b)
    with pytest.raises(ShapeError, match=r"b must have shape \(5\)"):
        linear_forward(np.ones((2, 4)), w, np.ones(4))
    with pytest.raises(ShapeError, match=r"x must have 2 dimensions \(N, D\)"):
        linear_forward(np.ones(4), w, b)
    _, cache = linear_forward(np.ones((2, 4)), w, b)
    with pytest.raises(ShapeError, match=r"dout must have shape \(2, 5\)"):
        linear_backward(np.ones((5, 2)), cache)


def test_linear_refuses_integer_input():
    with pytest.raises(DTypeError, match=r"x must be a floating-point array.*int"):
        linear_forward(np.ones((2, 3), dtype=int), np.ones((3, 2)), np.ones(2))


# ---------------------------------------------------------------- maxout


def maxout_inputs(n, d, m, k, seed, gap=1e-2):
    """Random inputs whose winning piece beats the runner-up by at least gap everywhere (no ties)."""
    rng = np.random.default_rng(seed)
    while True:
        x, w, b = rng.standard_normal((n, d)), rng.standard_normal((k, d, m)), rng.standard_normal((k, m))
        z = np.sort(np.einsum("nd,kdm->knm", x, w) + b[:, None, :], axis=0)
        if np.min(z[-1] - z[-2]) > gap:
            return rng, [x, w, b]


@pytest.mark.parametrize("n, d, m, k", [(1, 4, 3, 2), (5, 3, 2, 4), (4, 6, 5, 3)])
def test_maxout_forward_matches_loops(n, d, m, k):
    _, (x, w, b) = maxout_inputs(n, d, m, k, seed=n + d)
    out, _ = maxout_forward(x, w, b)
    for i in range(n):
        for j in range(m):
            pieces = [x[i] @ w[p][:, j] + b[p, j] for p in range(k)]
            assert out[i, j] == pytest.approx(max(pieces), rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("n, d, m, k", [(1, 4, 3, 2), (5, 3, 2, 4), (4, 6, 5, 3)])
def test_maxout_backward(n, d, m, k):
    rng, inputs = maxout_inputs(n, d, m, k, seed=100 + n + d)
    check_backward(maxout_forward, inputs, maxout_backward, wrt=[0, 1, 2], rng=rng)


def test_maxout_generalises_relu_and_leaky_relu():
    """Lecture 003: a zero second piece gives the ReLU, a second piece alpha * the first the leaky ReLU."""
    rng = np.random.default_rng(3)
    x, w0, b0 = rng.standard_normal((6, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)
    z = x @ w0 + b0
    out, _ = maxout_forward(x, np.stack([w0, np.zeros_like(w0)]), np.stack([b0, np.zeros_like(b0)]))
    np.testing.assert_allclose(out, relu_forward(z)[0], rtol=1e-13, atol=1e-15)
    alpha = 0.2
    out, _ = maxout_forward(x, np.stack([w0, alpha * w0]), np.stack([b0, alpha * b0]))
    np.testing.assert_allclose(out, leaky_relu_forward(z, alpha)[0], rtol=1e-13, atol=1e-15)


def test_maxout_names_mismatched_shapes():
    with pytest.raises(ShapeError, match=r"w must have shape \(K, 3, M\)"):
        maxout_forward(np.ones((2, 3)), np.ones((2, 4, 5)), np.ones((2, 5)))
    with pytest.raises(ShapeError, match=r"b must have shape \(2, 5\)"):
        maxout_forward(np.ones((2, 3)), np.ones((2, 3, 5)), np.ones(5))


# ---------------------------------------------------------------- flatten


@pytest.mark.parametrize("shape", [(1, 3, 4, 5), (2, 3, 4), (3, 5)])
def test_flatten_forward_and_backward(shape):
    rng = np.random.default_rng(len(shape))
    x = rng.standard_normal(shape)
    out, _ = flatten_forward(x)
    assert out.shape == (shape[0], int(np.prod(shape[1:])))
    for n in range(shape[0]):
        np.testing.assert_array_equal(out[n], x[n].ravel())
    check_backward(flatten_forward, [x], flatten_backward, wrt=[0], rng=rng)


def test_flatten_output_does_not_alias_input():
    x = np.zeros((2, 3, 4))
    out, _ = flatten_forward(x)
    out += 1.0
    assert np.all(x == 0.0)


def test_flatten_backward_refuses_wrong_shape():
    _, cache = flatten_forward(np.ones((2, 3, 4)))
    with pytest.raises(ShapeError, match=r"dout must have shape \(2, 12\)"):
        flatten_backward(np.ones((2, 11)), cache)


# ---------------------------------------------------------------- dropout


@pytest.mark.parametrize("shape", [(1, 4), (5, 3), (2, 3, 4, 5)])
def test_dropout_backward_with_fixed_mask(shape):
    rng = np.random.default_rng(len(shape))
    x = rng.standard_normal(shape)
    # a fixed seed redraws the same mask on every call, so finite differences see one function
    def forward(v):
        return dropout_forward(v, 0.4, mode="train", rng=1234)

    check_backward(forward, [x], dropout_backward, wrt=[0], rng=rng)


def test_dropout_train_keeps_or_zeroes_and_rescales():
    x = np.random.default_rng(0).uniform(1.0, 2.0, size=(50, 40))  # no zeros, so dropped entries are visible
    p = 0.3
    out, cache = dropout_forward(x, p, rng=5)
    kept = out != 0
    np.testing.assert_allclose(out[kept], x[kept] / (1 - p), rtol=1e-15)
    dout = np.random.default_rng(1).standard_normal(x.shape)
    dx = dropout_backward(dout, cache)
    np.testing.assert_array_equal(dx[~kept], 0.0)
    np.testing.assert_allclose(dx[kept], dout[kept] / (1 - p), rtol=1e-15)


def test_dropout_test_mode_is_identity():
    x = np.random.default_rng(2).standard_normal((3, 4))
    out, cache = dropout_forward(x, 0.5, mode="test", rng=0)
    np.testing.assert_array_equal(out, x)
    assert out is not x
    dout = np.random.default_rng(3).standard_normal((3, 4))
    np.testing.assert_array_equal(dropout_backward(dout, cache), dout)


def test_dropout_with_zero_probability_keeps_everything():
    x = np.random.default_rng(4).standard_normal((3, 4))
    out, _ = dropout_forward(x, 0.0, rng=0)
    np.testing.assert_array_equal(out, x)


def test_dropout_seed_and_generator():
    x = np.ones((4, 6))
    a, _ = dropout_forward(x, 0.5, rng=7)
    b, _ = dropout_forward(x, 0.5, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    gen = np.random.default_rng(7)
    first, _ = dropout_forward(x, 0.5, rng=gen)
    second, _ = dropout_forward(x, 0.5, rng=gen)
    assert not np.array_equal(first, second)  # a Generator advances between calls


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_preserves_expectation(p):
    samples = 20000
    x = np.random.default_rng(8).uniform(0.5, 2.0, size=(3, 4)) * np.array([1, -1, 1, -1])
    out, _ = dropout_forward(np.broadcast_to(x, (samples, 3, 4)), p, rng=9)
    # each entry is x * Bernoulli(1-p) / (1-p): mean x, std |x| sqrt(p / (1-p))
    std_of_mean = np.abs(x) * np.sqrt(p / (1 - p) / samples)
    assert np.all(np.abs(out.mean(axis=0) - x) < 5 * std_of_mean)
    kept_fraction = np.count_nonzero(out) / out.size
    assert abs(kept_fraction - (1 - p)) < 5 * np.sqrt(p * (1 - p) / out.size)


@pytest.mark.parametrize("p", [1.0, -0.1, 1.5])
def test_dropout_refuses_probability_outside_range(p):
    with pytest.raises(ValueError, match=r"p_drop .* must lie in \[0, 1\)"):
        dropout_forward(np.ones((2, 3)), p)


def test_dropout_refuses_unknown_mode():
    with pytest.raises(ValueError, match="mode must be 'train' or 'test'"):
        dropout_forward(np.ones((2, 3)), 0.5, mode="eval")
