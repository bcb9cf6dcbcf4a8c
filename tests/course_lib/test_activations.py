"""Activation kernels: forward against independent formulas, backward against finite differences."""
import numpy as np
import pytest
import scipy.special

from course_lib.layers import (
    leaky_relu_backward,
    leaky_relu_forward,
    prelu_backward,
    prelu_forward,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    softplus_backward,
    softplus_forward,
    tanh_backward,
    tanh_forward,
)
from course_lib.validation import DTypeError, ShapeError
from tests.support.helpers_fd import check_backward

# batch of one, a non-square matrix, an image-like 4-D array, a plain vector
SHAPES = [(1, 4), (3, 5), (2, 3, 4, 5), (7,)]


def away_from_zero(x, gap=0.05):
    """Move entries with |x| < gap to +-2*gap so a finite difference never crosses the kink at 0."""
    return np.where(np.abs(x) < gap, np.copysign(2 * gap, x), x)




# ---------------------------------------------------------------- forward values


def test_sigmoid_matches_expit_and_is_stable():
    x = np.linspace(-800.0, 800.0, 4001)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        out, _ = sigmoid_forward(x)
    np.testing.assert_allclose(out, scipy.special.expit(x), rtol=1e-14, atol=1e-300)  # atol: subnormals
    # the tail keeps relative precision: sigma(-40) = e^-40 / (1 + e^-40)
    tail, _ = sigmoid_forward(np.array([-40.0]))
    assert abs(tail[0] / (np.exp(-40.0) / (1 + np.exp(-40.0))) - 1) < 1e-14


def test_tanh_matches_exponential_formula():
    x = np.linspace(-5.0, 5.0, 101).reshape(101, 1)
    out, _ = tanh_forward(x)
    expected = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    np.testing.assert_allclose(out, expected, rtol=1e-13, atol=1e-15)


def test_relu_and_leaky_relu_values():
    x = np.array([[-2.0, -0.5, 0.0, 0.25, 3.0]])
    out, _ = relu_forward(x)
    np.testing.assert_array_equal(out, [[0.0, 0.0, 0.0, 0.25, 3.0]])
    out, _ = leaky_relu_forward(x, alpha=0.1)
    np.testing.assert_allclose(out, [[-0.2, -0.05, 0.0, 0.25, 3.0]], rtol=1e-15)
    out, _ = leaky_relu_forward(x)  # lecture 002 default slope 0.01
    np.testing.assert_allclose(out, [[-0.02, -0.005, 0.0, 0.25, 3.0]], rtol=1e-15)


def test_relu_gradient_at_kink_is_zero():
    _, cache = relu_forward(np.array([0.0, 1.0]))
    np.testing.assert_array_equal(relu_backward(np.array([5.0, 5.0]), cache), [0.0, 5.0])


def test_prelu_values_per_feature_and_shared():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3))
    alpha = np.array([0.1, 0.2, 0.3])
    out, _ = prelu_forward(x, alpha)
    for n in range(4):
        for d in range(3):
            expected = x[n, d] if x[n, d] > 0 else alpha[d] * x[n, d]
            assert out[n, d] == pytest.approx(expected, rel=1e-15)
    out, _ = prelu_forward(x, np.array(0.25))
    np.testing.assert_allclose(out, np.where(x > 0, x, 0.25 * x), rtol=1e-15)


def test_softplus_matches_logaddexp_and_is_stable():
    x = np.linspace(-800.0, 800.0, 4001)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        out, _ = softplus_forward(x)
    np.testing.assert_allclose(out, np.logaddexp(0.0, x), rtol=1e-14, atol=0)
    big, _ = softplus_forward(np.array([1000.0, -50.0]))
    assert big[0] == 1000.0
    assert abs(big[1] / np.exp(-50.0) - 1) < 1e-14


# ---------------------------------------------------------------- gradients


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    "forward, backward, kinked",
    [
        (sigmoid_forward, sigmoid_backward, False),
        (tanh_forward, tanh_backward, False),
        (relu_forward, relu_backward, True),
        (softplus_forward, softplus_backward, False),
    ],
    ids=["sigmoid", "tanh", "relu", "softplus"],
)
def test_elementwise_backward(forward, backward, kinked, shape):
    rng = np.random.default_rng(sum(shape))
    x = 2.0 * rng.standard_normal(shape)
    if kinked:
        x = away_from_zero(x)
    check_backward(forward, [x], backward, wrt=[0], rng=rng)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("alpha", [0.01, 0.3])
def test_leaky_relu_backward(shape, alpha):
    rng = np.random.default_rng(len(shape))
    x = away_from_zero(rng.standard_normal(shape))
    def forward(v):  # alpha is a fixed hyperparameter
        return leaky_relu_forward(v, alpha)

    check_backward(forward, [x], leaky_relu_backward, wrt=[0], rng=rng)


@pytest.mark.parametrize("n, d", [(1, 4), (5, 3), (6, 2)])
def test_prelu_backward_per_feature(n, d):
    rng = np.random.default_rng(n * 10 + d)
    x = away_from_zero(rng.standard_normal((n, d)))
    alpha = rng.uniform(0.05, 0.5, size=d)
    check_backward(prelu_forward, [x, alpha], prelu_backward, wrt=[0, 1], rng=rng)


@pytest.mark.parametrize("shape", [(1, 4), (5, 3), (2, 3, 4)])
def test_prelu_backward_shared_slope(shape):
    rng = np.random.default_rng(len(shape) + 7)
    x = away_from_zero(rng.standard_normal(shape))
    check_backward(prelu_forward, [x, np.array(0.2)], prelu_backward, wrt=[0, 1], rng=rng)


def test_single_input_backwards_return_arrays():
    x = np.array([[0.5, -1.5]])
    for fwd, bwd in [
        (sigmoid_forward, sigmoid_backward),
        (tanh_forward, tanh_backward),
        (relu_forward, relu_backward),
        (leaky_relu_forward, leaky_relu_backward),
        (softplus_forward, softplus_backward),
    ]:
        out, cache = fwd(x)
        dx = bwd(np.ones_like(out), cache)
        assert isinstance(dx, np.ndarray) and dx.shape == x.shape


# ---------------------------------------------------------------- bad arguments


@pytest.mark.parametrize(
    "forward", [sigmoid_forward, tanh_forward, relu_forward, leaky_relu_forward, softplus_forward]
)
def test_integer_input_is_refused(forward):
    with pytest.raises(DTypeError, match=r"x must be a floating-point array.*astype"):
        forward(np.arange(6).reshape(2, 3))


def test_leaky_relu_alpha_must_be_a_number():
    with pytest.raises(ShapeError, match="alpha must be a single number"):
        leaky_relu_forward(np.ones((2, 3)), alpha=np.array([0.1, 0.2, 0.3]))


def test_prelu_alpha_shape_must_match_features():
    with pytest.raises(ShapeError, match=r"alpha has shape \(4,\).*x must have shape \(N, 4\)"):
        prelu_forward(np.ones((2, 3)), np.full(4, 0.1))
    with pytest.raises(ShapeError, match=r"alpha must have shape \(D,\)"):
        prelu_forward(np.ones((2, 3)), np.full((1, 3), 0.1))


def test_backward_refuses_wrong_dout_shape():
    _, cache = sigmoid_forward(np.ones((2, 3)))
    with pytest.raises(ShapeError, match="dout has shape"):
        sigmoid_backward(np.ones((3, 2)), cache)
