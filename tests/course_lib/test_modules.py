"""Module wrappers and Sequential, checked through the Module interface against finite differences."""
import numpy as np
import pytest

from course_lib.layers.losses import softmax_cross_entropy
from course_lib.modules import (
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    CosModule,
    Dropout,
    Flatten,
    LeakyReLU,
    Linear,
    Maxout,
    MaxPool2d,
    Module,
    PReLU,
    ReLU,
    Sequential,
    Sigmoid,
    Softplus,
    Tanh,
)
from tests.support.helpers_fd import fd_gradient, rel_error

TOL = 1e-7


def gaussian(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape)


def away_from_zero(x, margin=0.05):
    """Push every entry at least ``margin`` away from 0, the kink of the ReLU family."""
    return np.sign(x) * (np.abs(x) + margin) + (x == 0) * margin


def distinct_grid(shape, seed):
    """Entries spaced 0.1 apart in random order: no ties inside a pooling window."""
    n = int(np.prod(shape))
    return np.random.default_rng(seed).permutation(n).reshape(shape) * 0.1 - 0.05 * n


# name -> (factory of a fresh module, factory of its input for a batch of N)
CASES = {
    "Linear": (lambda: Linear(4, 3, rng=1), lambda n: gaussian((n, 4), 2)),
    "Sigmoid": (Sigmoid, lambda n: gaussian((n, 4, 3), 3)),
    "Tanh": (Tanh, lambda n: gaussian((n, 5), 4)),
    "ReLU": (ReLU, lambda n: away_from_zero(gaussian((n, 5), 5))),
    "LeakyReLU": (lambda: LeakyReLU(0.1), lambda n: away_from_zero(gaussian((n, 5), 6))),
    "PReLU": (lambda: PReLU(4), lambda n: away_from_zero(gaussian((n, 4), 7))),
    "Softplus": (Softplus, lambda n: 3 * gaussian((n, 5), 8)),
    "Maxout": (lambda: Maxout(4, 3, pieces=3, rng=9), lambda n: gaussian((n, 4), 10)),
    "Flatten": (Flatten, lambda n: gaussian((n, 2, 3, 4), 11)),
    "Conv2d": (lambda: Conv2d(2, 3, 3, stride=2, pad=1, rng=12), lambda n: gaussian((n, 2, 5, 7), 13)),
    "MaxPool2d": (lambda: MaxPool2d(2, 2), lambda n: distinct_grid((n, 3, 4, 6), 14)),
    "AvgPool2d": (lambda: AvgPool2d(2, 2), lambda n: gaussian((n, 3, 4, 6), 15)),
    "BatchNorm1d": (lambda: BatchNorm1d(4), lambda n: 2 + 3 * gaussian((n, 4), 16)),
    "BatchNorm2d": (lambda: BatchNorm2d(3), lambda n: 1 + 2 * gaussian((n, 3, 4, 5), 17)),
    "CosModule": (lambda: CosModule(0.7), lambda n: gaussian((n, 3, 2), 18)),
}


def randomise_params(module, seed):
    """Non-trivial parameters (gamma != 1, beta != 0, alpha != 0.25) so no term is hidden."""
    rng = np.random.default_rng(seed)
    for value in module.params.values():
        value[...] = value + 0.3 * rng.standard_normal(value.shape)


def check_module_gradients(module, x):
    out = module.forward(x)
    dout = gaussian(out.shape, 99)
    dx = module.backward(dout)
    grads = {name: g.copy() for name, g in module.grads.items()}
    assert dx.shape == x.shape
    fd_dx = fd_gradient(lambda z: module.forward(z), x.copy(), dout)
    assert rel_error(dx, fd_dx) < TOL
    for name, value in module.params.items():
        assert grads[name].shape == value.shape, name
        # fd_gradient perturbs the module's own parameter array in place and restores it.
        fd_p = fd_gradient(lambda _: module.forward(x), value, dout)
        assert rel_error(grads[name], fd_p) < TOL, name


@pytest.mark.parametrize("name", sorted(CASES))
def test_module_backward_matches_finite_differences(name):
    make_module, make_x = CASES[name]
    module = make_module()
    randomise_params(module, 0)
    check_module_gradients(module, make_x(3))


@pytest.mark.parametrize("name", sorted(CASES))
def test_module_backward_batch_of_one(name):
    make_module, make_x = CASES[name]
    module = make_module()
    randomise_params(module, 1)
    if name == "BatchNorm1d":
        # One sample has zero batch variance; the meaningful N=1 case is inference.
        module.bn_param["running_mean"][...] = gaussian(4, 2)
        module.bn_param["running_var"][...] = 0.5 + gaussian(4, 3) ** 2
        module.eval()
    check_module_gradients(module, make_x(1))


def test_dropout_backward_uses_the_forward_mask():
    module = Dropout(0.4, rng=0)
    x = gaussian((6, 5), 1)
    module.forward(x)
    dout = gaussian((6, 5), 2)
    dx = module.backward(dout)

    def forward_same_mask(z):
        module.rng = np.random.default_rng(0)  # replay the mask drawn in the first forward
        return module.forward(z)

    fd_dx = fd_gradient(forward_same_mask, x.copy(), dout)
    assert rel_error(dx, fd_dx) < TOL


def network_and_data(seed=0):
    model = Sequential(
        Conv2d(2, 3, 3, stride=1, pad=1, rng=seed),
        MaxPool2d(2, 2),
        ReLU(),
        Flatten(),
        Linear(3 * 2 * 3, 5, rng=seed + 1),
        Tanh(),  # before batch norm: a bias right before it would have a zero gradient
        BatchNorm1d(5),
        Linear(5, 4, rng=seed + 2, init="xavier"),
    )
    for layer in model.layers:
        randomise_params(layer, seed + 3)
    x = gaussian((6, 2, 4, 6), seed + 4)
    y = np.array([0, 3, 1, 2, 3, 1])
    return model, x, y


def test_sequential_backward_matches_fd_of_network_loss():
    model, x, y = network_and_data()
    loss, dscores = softmax_cross_entropy(model.forward(x), y)
    dx = model.backward(dscores)
    grads = {name: g.copy() for name, g in model.grads.items()}

    def loss_of(_):
        return softmax_cross_entropy(model.forward(x), y)[0]

    assert rel_error(dx, fd_gradient(lambda z: softmax_cross_entropy(model.forward(z), y)[0],
                                     x.copy())) < TOL
    for name, value in model.params.items():
        assert rel_error(grads[name], fd_gradient(loss_of, value)) < TOL, name


def test_sequential_names_point_at_the_layers_arrays():
    model = Sequential(Linear(3, 4, rng=0), ReLU(), BatchNorm1d(4), Linear(4, 2, rng=1))
    assert list(model.params) == ["0.w", "0.b", "2.gamma", "2.beta", "3.w", "3.b"]
    assert list(model.grads) == list(model.params)
    assert model.params["2.gamma"] is model.layers[2].params["gamma"]
    model.params["0.w"][0, 0] = 123.0
    assert model.layers[0].params["w"][0, 0] == 123.0
    x = gaussian((5, 3), 2)
    model.forward(x)
    model.backward(gaussian((5, 2), 3))
    for name, grad in model.grads.items():
        index, short = name.split(".")
        assert grad is model.layers[int(index)].grads[short]
        assert grad.shape == model.params[name].shape


def test_nested_sequential_names():
    inner = Sequential(Linear(3, 4, rng=0), Tanh())
    model = Sequential(inner, Linear(4, 2, rng=1))
    assert list(model.params) == ["0.0.w", "0.0.b", "1.w", "1.b"]


def test_train_eval_propagate_and_switch_dropout():
    drop = Dropout(0.5, rng=0)
    model = Sequential(Linear(4, 30, rng=0), Sequential(drop, ReLU()))
    x = gaussian((20, 4), 1)
    model.eval()
    assert not drop.training and not model.layers[1].training
    hidden = model.layers[0].forward(x)
    np.testing.assert_array_equal(drop.forward(hidden), hidden)
    model.train()
    assert drop.training
    dropped = drop.forward(hidden)
    zeroed = dropped == 0
    assert 0.3 < zeroed.mean() < 0.7
    np.testing.assert_allclose(dropped[~zeroed], 2 * hidden[~zeroed])


@pytest.mark.parametrize("cls, shape, axes", [
    (BatchNorm1d, (8, 3), (0,)),
    (BatchNorm2d, (4, 3, 2, 5), (0, 2, 3)),
])
def test_batchnorm_train_uses_batch_stats_and_eval_uses_running_stats(cls, shape, axes):
    bn = cls(3, momentum=0.5, eps=1e-5)
    randomise_params(bn, 0)
    x = 2 + 3 * gaussian(shape, 1)
    gamma, beta = bn.params["gamma"], bn.params["beta"]
    keep = [1 if a in axes else s for a, s in enumerate(shape)]
    out = bn.forward(x)
    mu, var = x.mean(axis=axes), x.var(axis=axes)
    expected = (x - mu.reshape(keep)) / np.sqrt(var.reshape(keep) + 1e-5)
    np.testing.assert_allclose(out, gamma.reshape(keep) * expected + beta.reshape(keep), atol=1e-12)
    running_mean = bn.bn_param["running_mean"].copy()
    running_var = bn.bn_param["running_var"].copy()
    assert not np.allclose(running_mean, 0.0)  # the training pass moved the running mean

    bn.eval()
    out_eval = bn.forward(x)
    expected_eval = (x - running_mean.reshape(keep)) / np.sqrt(running_var.reshape(keep) + 1e-5)
    np.testing.assert_allclose(out_eval, gamma.reshape(keep) * expected_eval + beta.reshape(keep),
                               atol=1e-12)
    np.testing.assert_array_equal(bn.bn_param["running_mean"], running_mean)  # eval leaves them alone


@pytest.mark.parametrize("cls, shape", [(BatchNorm1d, (8, 3)), (BatchNorm2d, (4, 3, 2, 5))])
def test_batchnorm_runs_the_kernels_it_is_given(cls, shape):
    """forward= and backward= replace course_lib's kernels; the module passes them its state and cache."""
    calls = []
    default_forward, default_backward = cls.default_kernels

    def own_forward(x, gamma, beta, bn_param):
        calls.append(("forward", bn_param["mode"]))
        out, cache = default_forward(x, gamma, beta, bn_param)
        return 2.0 * out, {"inner": cache}       # a cache of its own shape: the module must not read it

    def own_backward(dout, cache):
        calls.append(("backward", sorted(cache)))
        dx, dgamma, dbeta = default_backward(dout, cache["inner"])
        return 3.0 * dx, 5.0 * dgamma, 7.0 * dbeta

    x, dout = 2 + 3 * gaussian(shape, 3), gaussian(shape, 4)
    plain, own = cls(3, momentum=0.5), cls(3, momentum=0.5, forward=own_forward, backward=own_backward)
    assert own.forward_kernel is own_forward and plain.forward_kernel is default_forward
    np.testing.assert_allclose(own.forward(x), 2.0 * plain.forward(x), rtol=1e-12)
    np.testing.assert_allclose(own.backward(dout), 3.0 * plain.backward(dout), rtol=1e-12)
    np.testing.assert_allclose(own.grads["gamma"], 5.0 * plain.grads["gamma"], rtol=1e-12)
    np.testing.assert_allclose(own.grads["beta"], 7.0 * plain.grads["beta"], rtol=1e-12)
    np.testing.assert_array_equal(own.bn_param["running_mean"], plain.bn_param["running_mean"])
    own.eval()
    own.forward(x)
    assert calls == [("forward", "train"), ("backward", ["inner"]), ("forward", "test")]
    assert "forward=own_forward" in repr(own) and "forward=" not in repr(plain)


def test_batchnorm_with_only_one_kernel_keeps_the_default_other():
    from course_lib.layers.batchnorm import batchnorm_backward_alt, batchnorm_forward

    bn = BatchNorm1d(4, backward=batchnorm_backward_alt)
    assert bn.forward_kernel is batchnorm_forward and bn.backward_kernel is batchnorm_backward_alt


def test_batchnorm_refuses_a_kernel_that_is_not_callable():
    with pytest.raises(TypeError, match="forward must be a function such as batchnorm_forward"):
        BatchNorm1d(4, forward="batchnorm_forward")
    with pytest.raises(TypeError, match="spatial_batchnorm_backward"):
        BatchNorm2d(3, backward=np.zeros(3))


def test_backward_before_forward_is_a_clear_error():
    with pytest.raises(RuntimeError, match="before forward"):
        Linear(3, 2, rng=0).backward(np.zeros((1, 2)))


def test_zero_grad_and_grads_overwritten_not_accumulated():
    model = Sequential(Linear(3, 2, rng=0))
    x, dout = gaussian((4, 3), 1), gaussian((4, 2), 2)
    model.forward(x)
    model.backward(dout)
    first = model.grads["0.w"].copy()
    model.forward(x)
    model.backward(dout)
    np.testing.assert_array_equal(model.grads["0.w"], first)
    model.zero_grad()
    assert all(not g.any() for g in model.grads.values())
    assert all(g.shape == model.params[k].shape for k, g in model.grads.items())


def test_call_is_forward_and_repr_is_readable():
    model = Sequential(Linear(3, 2, rng=0, init="gaussian"), LeakyReLU(0.2))
    x = gaussian((2, 3), 1)
    np.testing.assert_array_equal(model(x), model.forward(x))
    text = repr(model)
    assert "(0): Linear(in_features=3, out_features=2, init='gaussian')" in text
    assert "(1): LeakyReLU(alpha=0.2)" in text


def test_parameters_are_float64_and_gradients_start_at_zero():
    for make_module, _ in CASES.values():
        module = make_module()
        assert isinstance(module, Module)
        for name, value in module.params.items():
            assert value.dtype == np.float64
            assert module.grads[name].shape == value.shape and not module.grads[name].any()


def test_sequential_rejects_non_modules():
    with pytest.raises(TypeError, match="position 1"):
        Sequential(Linear(2, 2, rng=0), np.tanh)


@pytest.mark.parametrize("kwargs, name", [(dict(stride=0), "stride"), (dict(pad=-1), "pad")])
def test_conv2d_refuses_bad_hyperparameters_at_construction(kwargs, name):
    with pytest.raises(ValueError, match=name):
        Conv2d(2, 3, 3, rng=0, **kwargs)
