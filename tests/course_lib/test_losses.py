"""Losses: values against independent loops, gradients against finite differences, argument errors."""
import math

import numpy as np
import pytest

from course_lib.layers import (
    cross_entropy_loss,
    euclidean_loss,
    hinge_loss,
    l2_penalty,
    mse_loss,
    softmax,
    softmax_backward,
    softmax_cross_entropy,
    softmax_forward,
)
from course_lib.validation import DTypeError, ShapeError
from tests.support.helpers_fd import fd_gradient, rel_error

TOL = 1e-7
CLASS_SHAPES = [(1, 4), (5, 3), (6, 7)]  # (N, K)


def assert_loss_gradient(loss_fn, x, grad):
    """grad must be an ndarray shaped like x that matches centered differences of loss_fn."""
    assert isinstance(grad, np.ndarray) and grad.shape == x.shape and grad.dtype == np.float64
    num = fd_gradient(loss_fn, x.copy())
    assert rel_error(grad, num) < TOL, f"relative error {rel_error(grad, num):.2e}"


def labels(rng, n, k):
    return rng.integers(0, k, size=n)


# ---------------------------------------------------------------- Euclidean and MSE


@pytest.mark.parametrize("shape", [(1, 3), (5, 3), (4, 6), (6,)])
def test_euclidean_loss(shape):
    rng = np.random.default_rng(sum(shape))
    pred, target = rng.standard_normal(shape), rng.standard_normal(shape)
    loss, grad = euclidean_loss(pred, target)
    assert isinstance(loss, float)
    assert loss == pytest.approx(0.5 * math.fsum(float(v) ** 2 for v in (pred - target).ravel()), rel=1e-13)
    np.testing.assert_allclose(grad, pred - target, rtol=1e-15)  # lecture 002: da/dx = x - y
    assert_loss_gradient(lambda p: euclidean_loss(p, target)[0], pred, grad)


@pytest.mark.parametrize("shape", [(1, 3), (5, 3), (4, 6), (6,), (1,)])
def test_mse_loss_is_the_batch_mean_of_euclidean_loss(shape):
    rng = np.random.default_rng(10 + sum(shape))
    pred, target = rng.standard_normal(shape), rng.standard_normal(shape)
    loss, grad = mse_loss(pred, target)
    n = shape[0]
    per_sample = [euclidean_loss(pred[i], target[i])[0] for i in range(n)]
    assert isinstance(loss, float)
    assert loss == pytest.approx(sum(per_sample) / n, rel=1e-13)
    np.testing.assert_allclose(grad, (pred - target) / n, rtol=1e-15)
    assert_loss_gradient(lambda p: mse_loss(p, target)[0], pred, grad)


def test_mse_refuses_mismatched_shapes():
    with pytest.raises(ShapeError, match=r"pred has shape \(4, 2\) but target has shape \(4,\)"):
        mse_loss(np.ones((4, 2)), np.ones(4))
    with pytest.raises(ValueError, match=r"pred must have shape \(N, K\) or \(N,\)"):
        mse_loss(np.ones((2, 3, 4)), np.ones((2, 3, 4)))


# ---------------------------------------------------------------- cross-entropy on probabilities


@pytest.mark.parametrize("n, k", CLASS_SHAPES)
def test_cross_entropy_loss(n, k):
    rng = np.random.default_rng(n * k)
    probs = softmax(rng.standard_normal((n, k)))
    y = labels(rng, n, k)
    loss, dprobs = cross_entropy_loss(probs, y)
    expected = -sum(math.log(probs[i, y[i]]) for i in range(n)) / n
    assert isinstance(loss, float) and loss == pytest.approx(expected, rel=1e-13)
    assert_loss_gradient(lambda p: cross_entropy_loss(p, y)[0], probs, dprobs)


def test_cross_entropy_refuses_nonpositive_probabilities():
    probs = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    with pytest.raises(ValueError, match=r"probs\[0, y\[0\]\] = 0.0.*positive probability"):
        cross_entropy_loss(probs, np.array([2, 1]))
    # a zero away from the true label is a valid probability vector
    loss, _ = cross_entropy_loss(probs, np.array([0, 1]))
    assert loss == pytest.approx(-(math.log(0.5) + math.log(0.3)) / 2, rel=1e-14)
    with pytest.raises(ValueError, match="probs holds negative entries"):
        cross_entropy_loss(np.array([[1.2, -0.2]]), np.array([0]))


# ---------------------------------------------------------------- fused softmax + cross-entropy


@pytest.mark.parametrize("n, k", CLASS_SHAPES)
def test_softmax_cross_entropy_matches_independent_loop(n, k):
    rng = np.random.default_rng(100 + n * k)
    scores = 2.0 * rng.standard_normal((n, k))
    y = labels(rng, n, k)
    loss, dscores = softmax_cross_entropy(scores, y)
    expected = 0.0
    for i in range(n):
        expected += math.log(math.fsum(math.exp(s) for s in scores[i])) - scores[i, y[i]]
    assert isinstance(loss, float) and loss == pytest.approx(expected / n, rel=1e-12)
    onehot = np.eye(k)[y]
    np.testing.assert_allclose(dscores, (softmax(scores) - onehot) / n, rtol=1e-13, atol=1e-16)
    assert_loss_gradient(lambda s: softmax_cross_entropy(s, y)[0], scores, dscores)


@pytest.mark.parametrize("n, k", CLASS_SHAPES)
def test_fused_gradient_equals_chain_of_softmax_and_cross_entropy(n, k):
    rng = np.random.default_rng(200 + n * k)
    scores = rng.standard_normal((n, k))
    y = labels(rng, n, k)
    probs, cache = softmax_forward(scores)
    loss_chain, dprobs = cross_entropy_loss(probs, y)
    loss, dscores = softmax_cross_entropy(scores, y)
    assert loss == pytest.approx(loss_chain, rel=1e-13)
    np.testing.assert_allclose(dscores, softmax_backward(dprobs, cache), rtol=1e-11, atol=1e-15)


def test_softmax_cross_entropy_is_stable_for_huge_scores():
    scores = np.array([[1000.0, 0.0], [0.0, -1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, dscores = softmax_cross_entropy(scores, np.array([1, 0]))
    # sample 0: -log softmax = 1000 + log(1 + e^-1000) = 1000; sample 1: log(1 + e^-1000) = 0
    assert loss == pytest.approx(500.0, rel=1e-15)
    np.testing.assert_allclose(dscores, [[0.5, -0.5], [0.0, 0.0]], atol=1e-300)


# ---------------------------------------------------------------- hinge


def hinge_inputs(n, k, seed, margin, gap=1e-2):
    """Scores whose hinge terms s_j - s_y + margin all stay at least gap away from the kink at 0."""
    rng = np.random.default_rng(seed)
    while True:
        scores, y = rng.standard_normal((n, k)), labels(rng, n, k)
        terms = scores - scores[np.arange(n), y][:, None] + margin
        terms[np.arange(n), y] = 1.0
        if np.min(np.abs(terms)) > gap:
            return scores, y


@pytest.mark.parametrize("n, k", CLASS_SHAPES)
@pytest.mark.parametrize("margin", [1.0, 0.5])
def test_hinge_loss(n, k, margin):
    scores, y = hinge_inputs(n, k, seed=300 + n * k, margin=margin)
    loss, dscores = hinge_loss(scores, y, margin=margin)
    expected = 0.0
    for i in range(n):
        for j in range(k):
            if j != y[i]:
                expected += max(0.0, scores[i, j] - scores[i, y[i]] + margin)
    assert isinstance(loss, float) and loss == pytest.approx(expected / n, rel=1e-13)
    assert_loss_gradient(lambda s: hinge_loss(s, y, margin=margin)[0], scores, dscores)


def test_hinge_loss_is_zero_when_every_margin_is_met():
    scores = np.array([[5.0, 1.0, 2.0], [0.0, 0.0, 9.0]])
    loss, dscores = hinge_loss(scores, np.array([0, 2]))
    assert loss == 0.0
    np.testing.assert_array_equal(dscores, 0.0)


def test_hinge_refuses_negative_margin():
    with pytest.raises(ValueError, match="margin must be >= 0"):
        hinge_loss(np.ones((2, 3)), np.array([0, 1]), margin=-1.0)


# ---------------------------------------------------------------- L2 penalty


def test_l2_penalty():
    rng = np.random.default_rng(7)
    weights = [rng.standard_normal((4, 3)), rng.standard_normal(3), rng.standard_normal((2, 3, 5))]
    lam = 0.3
    loss, grads = l2_penalty(weights, lam)
    expected = 0.5 * lam * math.fsum(float(v) ** 2 for w in weights for v in w.ravel())
    assert isinstance(loss, float) and loss == pytest.approx(expected, rel=1e-13)
    assert len(grads) == len(weights)
    for i, (w, g) in enumerate(zip(weights, grads)):
        others = weights[:i] + weights[i + 1 :]
        assert_loss_gradient(lambda v, others=others: l2_penalty(others + [v], lam)[0], w, g)


def test_l2_penalty_bad_arguments():
    with pytest.raises(TypeError, match=r"weights must be a list of arrays.*pass \[W\]"):
        l2_penalty(np.ones((2, 3)), 0.1)
    with pytest.raises(ValueError, match="lam must be >= 0"):
        l2_penalty([np.ones((2, 3))], -0.1)
    with pytest.raises(DTypeError, match=r"weights\[1\] must be a floating-point array"):
        l2_penalty([np.ones(2), np.ones(2, dtype=int)], 0.1)


# ---------------------------------------------------------------- labels


@pytest.mark.parametrize(
    "loss_fn", [cross_entropy_loss, softmax_cross_entropy, hinge_loss], ids=["ce", "softmax_ce", "hinge"]
)
def test_labels_are_checked(loss_fn):
    x = softmax(np.random.default_rng(0).standard_normal((3, 4)))
    with pytest.raises(ValueError, match=r"labels from 0 to 4, but there are only 4 classes"):
        loss_fn(x, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match=r"labels from -1 to 1"):
        loss_fn(x, np.array([0, -1, 1]))
    with pytest.raises(DTypeError, match="y must hold integer class labels"):
        loss_fn(x, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ShapeError, match=r"y must have shape \(3,\)"):
        loss_fn(x, np.array([0, 1]))
