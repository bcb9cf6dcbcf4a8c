"""Per-layer bias-gradient norms (lecture 001's vanishing-gradient table)."""
import numpy as np
import pytest

from course_lib.data import load_digits
from course_lib.gradient_norms import layer_gradient_norms
from course_lib.layers.losses import mse_loss, softmax_cross_entropy
from course_lib.modules import Conv2d, Flatten, Linear, ReLU, Sequential, Sigmoid, Tanh
from tests.support.helpers_fd import fd_gradient


def sigmoid_net(sizes, seed):
    rng = np.random.default_rng(seed)
    layers = []
    for j in range(len(sizes) - 1):
        layers.append(Linear(sizes[j], sizes[j + 1], rng=rng, init="gaussian"))
        if j < len(sizes) - 2:
            layers.append(Sigmoid())
    return Sequential(*layers)


def fd_bias_norms(model, x, y, loss_fn):
    """Independent reference: finite differences of the loss w.r.t. each bias vector."""
    norms = []
    for name, value in model.params.items():
        if name.endswith(".b"):
            g = fd_gradient(lambda _: loss_fn(model.forward(x), y)[0], value)
            norms.append(np.linalg.norm(g))
    return norms


def test_norms_match_finite_differences_first_layer_first():
    rng = np.random.default_rng(0)
    model = sigmoid_net([5, 7, 6, 4, 3], seed=1)
    for value in model.params.values():
        value += 0.2 * rng.standard_normal(value.shape)  # non-zero biases too
    x, y = rng.standard_normal((8, 5)), rng.integers(0, 3, 8)
    norms = layer_gradient_norms(model, x, y)
    assert isinstance(norms, list) and all(isinstance(v, float) for v in norms)
    np.testing.assert_allclose(norms, fd_bias_norms(model, x, y, softmax_cross_entropy), rtol=1e-7)


def test_custom_loss_conv_layers_and_nesting():
    rng = np.random.default_rng(2)
    model = Sequential(
        Conv2d(2, 3, 3, pad=1, rng=3),
        Tanh(),
        Sequential(Flatten(), Linear(3 * 4 * 5, 4, rng=4)),
        ReLU(),
        Linear(4, 2, rng=5),
    )
    for value in model.params.values():
        value += 0.1 * rng.standard_normal(value.shape)
    x, target = rng.standard_normal((3, 2, 4, 5)), rng.standard_normal((3, 2))
    norms = layer_gradient_norms(model, x, target, loss_fn=mse_loss)
    assert len(norms) == 3  # conv, the nested linear, the last linear
    np.testing.assert_allclose(norms, fd_bias_norms(model, x, target, mse_loss), rtol=1e-7)


def test_gradients_are_left_in_the_model():
    model = sigmoid_net([4, 5, 3], seed=0)
    x, y = np.random.default_rng(1).standard_normal((6, 4)), np.array([0, 1, 2, 0, 1, 2])
    norms = layer_gradient_norms(model, x, y)
    assert norms[1] == pytest.approx(float(np.linalg.norm(model.grads["2.b"])))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_deep_sigmoid_net_on_digits_has_vanishing_gradients(seed):
    """With |w sigma'(z)| <= 1/4 per layer, earlier layers see smaller bias gradients (lecture 001)."""
    d = load_digits()
    model = sigmoid_net([64, 30, 30, 30, 30, 10], seed=seed)
    norms = layer_gradient_norms(model, d.x_train[:200], d.y_train[:200])
    assert len(norms) == 5
    assert all(a < b for a, b in zip(norms, norms[1:])), norms


def test_model_without_bias_layers_is_refused():
    with pytest.raises(ValueError, match="no Linear or Conv2d"):
        layer_gradient_norms(Sequential(Sigmoid()), np.zeros((2, 3)), np.array([0, 1]))
