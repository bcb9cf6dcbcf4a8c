"""Flat parameter views of a network and the theta -> (loss, grad) function built on them."""
import numpy as np
import pytest

from course_lib.layers.losses import softmax_cross_entropy
from course_lib.modules import Linear, Sequential, Tanh
from course_lib.params import (
    get_flat_grads,
    get_flat_params,
    loss_and_grad_fn,
    num_params,
    param_slices,
    set_flat_params,
)
from course_lib.validation import ShapeError
from tests.support.helpers_fd import fd_gradient, rel_error


def small_net():
    return Sequential(Linear(4, 5, rng=0), Tanh(), Linear(5, 3, rng=1, init="xavier"))


def data():
    rng = np.random.default_rng(2)
    return rng.standard_normal((7, 4)), np.array([0, 2, 1, 1, 0, 2, 2])


def test_flat_params_concatenate_in_params_order():
    model = small_net()
    theta = get_flat_params(model)
    expected = np.concatenate([model.layers[0].params["w"].ravel(), model.layers[0].params["b"],
                               model.layers[2].params["w"].ravel(), model.layers[2].params["b"]])
    np.testing.assert_array_equal(theta, expected)
    assert theta.shape == (4 * 5 + 5 + 5 * 3 + 3,) == (num_params(model),)


def test_slices_partition_theta_and_match_each_parameter():
    model = small_net()
    theta = get_flat_params(model)
    slices = param_slices(model)
    assert list(slices) == list(model.params)
    covered = np.zeros(theta.size, dtype=int)
    for name, s in slices.items():
        covered[s] += 1
        np.testing.assert_array_equal(theta[s].reshape(model.params[name].shape), model.params[name])
    assert (covered == 1).all()


def test_get_flat_params_is_a_copy():
    model = small_net()
    theta = get_flat_params(model)
    theta[:] = 0.0
    assert model.params["0.w"].any()


def test_set_flat_params_round_trip_writes_in_place():
    model = small_net()
    held = model.layers[0].params["w"]  # a reference an optimizer might keep
    theta = get_flat_params(model)
    new_theta = 2.0 * theta + 1.0
    set_flat_params(model, new_theta)
    np.testing.assert_array_equal(get_flat_params(model), new_theta)
    assert model.layers[0].params["w"] is held
    np.testing.assert_array_equal(held, 2.0 * theta[param_slices(model)["0.w"]].reshape(4, 5) + 1.0)
    new_theta[0] = -7.0
    assert held[0, 0] != -7.0  # the model does not alias the caller's vector


def test_flat_grads_follow_the_same_slices():
    model = small_net()
    x, y = data()
    model.backward(softmax_cross_entropy(model.forward(x), y)[1])
    g = get_flat_grads(model)
    for name, s in param_slices(model).items():
        np.testing.assert_array_equal(g[s].reshape(model.params[name].shape), model.grads[name])


@pytest.mark.parametrize("n", [7, 1])
def test_loss_and_grad_fn_matches_finite_differences(n):
    model = small_net()
    x, y = data()
    fun = loss_and_grad_fn(model, softmax_cross_entropy, x[:n], y[:n])
    theta = get_flat_params(model) + 0.1 * np.random.default_rng(3).standard_normal(num_params(model))
    loss, grad = fun(theta)
    assert isinstance(loss, float) and grad.shape == theta.shape
    fd = fd_gradient(lambda t: fun(t)[0], theta.copy())
    assert rel_error(grad, fd) < 1e-7
    # the loss is the network's loss at theta, computed independently here
    set_flat_params(model, theta)
    assert loss == pytest.approx(softmax_cross_entropy(model.forward(x[:n]), y[:n])[0], rel=1e-14)


def test_loss_and_grad_fn_drives_scipy_minimize():
    from scipy.optimize import minimize

    model = small_net()
    x, y = data()
    fun = loss_and_grad_fn(model, softmax_cross_entropy, x, y)
    theta0 = get_flat_params(model)
    result = minimize(fun, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 50})
    assert result.fun < 0.5 * fun(theta0)[0]


@pytest.mark.parametrize("bad", [np.zeros(42), np.zeros(44), np.zeros((43, 1))])
def test_wrong_length_theta_is_refused(bad):
    model = small_net()
    with pytest.raises(ShapeError, match=r"\(43,\)"):
        set_flat_params(model, bad)


def test_integer_theta_is_refused():
    with pytest.raises(TypeError, match="float"):
        set_flat_params(small_net(), np.zeros(43, dtype=int))
