"""Batch normalization (N, D) and spatial batch normalization (N, C, H, W)."""
import numpy as np
import pytest

from course_lib.layers.batchnorm import batchnorm_backward, batchnorm_backward_alt, batchnorm_forward
from course_lib.layers.spatial_batchnorm import spatial_batchnorm_backward, spatial_batchnorm_forward
from course_lib.validation import DTypeError, ShapeError
from tests.support.helpers_fd import fd_gradient, rel_error

SHAPES = [(5, 4), (7, 3), (2, 6)]
BACKWARDS = [batchnorm_backward, batchnorm_backward_alt]


def make(N, D, seed=0):
    rng = np.random.default_rng(seed)
    x = 2.0 * rng.standard_normal((N, D)) + rng.standard_normal(D)    # features off zero mean, unit scale
    gamma = 1.0 + rng.random(D)
    beta = rng.standard_normal(D)
    dout = rng.standard_normal((N, D))                                  # Gaussian, never ones
    stats = {"running_mean": rng.standard_normal(D), "running_var": 0.5 + rng.random(D)}
    return x, gamma, beta, dout, stats


def params(mode, stats=None, eps=1e-5, momentum=0.9):
    p = {"mode": mode, "eps": eps, "momentum": momentum}
    if stats:
        p.update({k: v.copy() for k, v in stats.items()})
    return p


def test_train_forward_normalises_each_feature():
    x, gamma, beta, _, _ = make(6, 4)
    eps = 1e-5
    out, _ = batchnorm_forward(x, gamma, beta, params("train", eps=eps))
    expected = gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    # Per feature: mean beta, standard deviation gamma (eps aside).
    np.testing.assert_allclose(out.mean(axis=0), beta, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), gamma * np.sqrt(x.var(axis=0) / (x.var(axis=0) + eps)), rtol=1e-12)


def test_running_averages_follow_the_momentum_formula():
    rng = np.random.default_rng(1)
    D, momentum = 3, 0.8
    gamma, beta = np.ones(D), np.zeros(D)
    bn_param = {"mode": "train", "momentum": momentum}
    mean_expected, var_expected = np.zeros(D), np.ones(D)     # the documented start values
    for step in range(4):
        x = rng.standard_normal((5, D)) * (step + 1) + step
        stored = bn_param.get("running_mean")
        stored_copy = None if stored is None else stored.copy()
        batchnorm_forward(x, gamma, beta, bn_param)
        mean_expected = momentum * mean_expected + (1 - momentum) * x.mean(axis=0)
        var_expected = momentum * var_expected + (1 - momentum) * x.var(axis=0)
        np.testing.assert_allclose(bn_param["running_mean"], mean_expected, rtol=1e-12)
        np.testing.assert_allclose(bn_param["running_var"], var_expected, rtol=1e-12)
        if stored is not None:
            np.testing.assert_array_equal(stored, stored_copy)   # a new array is stored, the old one untouched


def test_test_mode_uses_and_keeps_the_running_statistics():
    x, gamma, beta, _, stats = make(4, 3)
    bn_param = params("test", stats)
    out, _ = batchnorm_forward(x, gamma, beta, bn_param)
    expected = gamma * (x - stats["running_mean"]) / np.sqrt(stats["running_var"] + 1e-5) + beta
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(bn_param["running_mean"], stats["running_mean"])
    np.testing.assert_array_equal(bn_param["running_var"], stats["running_var"])
    # A single test sample is normalised the same way as inside a batch.
    one, _ = batchnorm_forward(x[2:3], gamma, beta, bn_param)
    np.testing.assert_allclose(one[0], out[2], rtol=1e-12)


def test_missing_running_statistics_start_at_zero_and_one():
    x, gamma, beta, _, _ = make(4, 3)
    bn_param = {"mode": "test"}
    out, _ = batchnorm_forward(x, gamma, beta, bn_param)
    np.testing.assert_array_equal(bn_param["running_mean"], np.zeros(3))
    np.testing.assert_array_equal(bn_param["running_var"], np.ones(3))
    np.testing.assert_allclose(out, gamma * x / np.sqrt(1 + 1e-5) + beta, rtol=1e-12)


@pytest.mark.parametrize("mode", ["train", "test"])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("backward", BACKWARDS)
def test_backward_matches_finite_differences(backward, shape, mode):
    x, gamma, beta, dout, stats = make(*shape)

    def f(x_, gamma_, beta_):
        return batchnorm_forward(x_, gamma_, beta_, params(mode, stats))[0]

    _, cache = batchnorm_forward(x, gamma, beta, params(mode, stats))
    dx, dgamma, dbeta = backward(dout, cache)
    assert rel_error(dx, fd_gradient(lambda v: f(v, gamma, beta), x.copy(), dout)) < 1e-7
    assert rel_error(dgamma, fd_gradient(lambda v: f(x, v, beta), gamma.copy(), dout)) < 1e-7
    assert rel_error(dbeta, fd_gradient(lambda v: f(x, gamma, v), beta.copy(), dout)) < 1e-7


@pytest.mark.parametrize("mode", ["train", "test"])
@pytest.mark.parametrize("shape", SHAPES + [(1, 3)])
def test_both_backward_forms_agree(shape, mode):
    x, gamma, beta, dout, stats = make(*shape, seed=2)
    _, cache = batchnorm_forward(x, gamma, beta, params(mode, stats))
    for g, g_alt in zip(batchnorm_backward(dout, cache), batchnorm_backward_alt(dout, cache)):
        np.testing.assert_allclose(g_alt, g, rtol=1e-12, atol=1e-12)


def test_batch_of_one_in_train_mode_has_zero_input_gradient():
    # x - mu_B is exactly 0 for one sample, so the output is beta whatever x is.
    x, gamma, beta, dout, _ = make(1, 3)
    out, cache = batchnorm_forward(x, gamma, beta, params("train"))
    np.testing.assert_array_equal(out, beta[None, :])
    for backward in BACKWARDS:
        dx, dgamma, dbeta = backward(dout, cache)
        assert not np.any(dx)
        np.testing.assert_array_equal(dbeta, dout[0])


def test_train_gradient_of_x_differs_from_the_test_mode_formula():
    """Dropping the mean and variance paths would be a bug; the test data can tell."""
    x, gamma, beta, dout, _ = make(5, 4)
    _, cache = batchnorm_forward(x, gamma, beta, params("train"))
    dx, _, _ = batchnorm_backward(dout, cache)
    without_batch_paths = dout * gamma / np.sqrt(x.var(axis=0) + 1e-5)
    assert rel_error(dx, without_batch_paths) > 1e-2
    np.testing.assert_allclose(dx.sum(axis=0), 0.0, atol=1e-12)   # the mean path removes the average


@pytest.mark.parametrize("backward", BACKWARDS)
def test_contracts_no_mutation_repeatable_linear(backward):
    x, gamma, beta, dout, stats = make(5, 4)
    copies = [a.copy() for a in (x, gamma, beta, dout)]
    _, cache = batchnorm_forward(x, gamma, beta, params("train", stats))
    first = backward(dout, cache)
    for a, a0 in zip((x, gamma, beta, dout), copies):
        np.testing.assert_array_equal(a, a0)
    for g1, g2 in zip(first, backward(dout, cache)):
        np.testing.assert_array_equal(g1, g2)
    for g in backward(np.zeros_like(dout), cache):
        assert not np.any(g)
    other = np.random.default_rng(9).standard_normal(dout.shape)
    for g_c, g1, g2 in zip(backward(3 * dout - other, cache), first, backward(other, cache)):
        np.testing.assert_allclose(g_c, 3 * g1 - g2, rtol=1e-12, atol=1e-12)


def test_bad_arguments_raise_clear_errors():
    x, gamma, beta, dout, _ = make(4, 3)
    with pytest.raises(ValueError, match=r"bn_param\['mode'\] must be 'train' or 'test'"):
        batchnorm_forward(x, gamma, beta, {"mode": "eval"})
    with pytest.raises(ShapeError, match=r"x must have 2 dimensions \(N, D\)"):
        batchnorm_forward(x[None], gamma, beta, {"mode": "train"})
    with pytest.raises(DTypeError, match=r"x must be a floating-point array"):
        batchnorm_forward(x.astype(int), gamma, beta, {"mode": "train"})
    with pytest.raises(ShapeError, match=r"gamma must have shape \(3\)"):
        batchnorm_forward(x, gamma[:2], beta, {"mode": "train"})
    with pytest.raises(ShapeError, match=r"bn_param\['running_mean'\] must have shape \(3\)"):
        batchnorm_forward(x, gamma, beta, {"mode": "test", "running_mean": np.zeros(4)})
    with pytest.raises(ValueError, match=r"momentum'\] must lie in \[0, 1\]"):
        batchnorm_forward(x, gamma, beta, {"mode": "train", "momentum": 1.5})
    with pytest.raises(ValueError, match=r"eps'\] must be positive"):
        batchnorm_forward(x, gamma, beta, {"mode": "train", "eps": 0.0})
    with pytest.raises(TypeError, match=r"bn_param must be a dict"):
        batchnorm_forward(x, gamma, beta, "train")
    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    with pytest.raises(ShapeError, match=r"dout must have shape \(4, 3\)"):
        batchnorm_backward(dout[:3], cache)


# ---------------------------------------------------------------- spatial batch norm
SPATIAL_SHAPES = [(2, 3, 4, 5), (1, 4, 3, 2)]


def make_spatial(N, C, H, W, seed=0):
    rng = np.random.default_rng(seed)
    x = 1.5 * rng.standard_normal((N, C, H, W)) + rng.standard_normal((1, C, 1, 1))
    gamma, beta = 1.0 + rng.random(C), rng.standard_normal(C)
    dout = rng.standard_normal((N, C, H, W))
    stats = {"running_mean": rng.standard_normal(C), "running_var": 0.5 + rng.random(C)}
    return x, gamma, beta, dout, stats


def test_spatial_forward_normalises_each_channel_over_batch_and_pixels():
    x, gamma, beta, _, _ = make_spatial(2, 3, 4, 5)
    bn_param = {"mode": "train", "momentum": 0.7}
    out, _ = spatial_batchnorm_forward(x, gamma, beta, bn_param)
    mu = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    g, b = gamma.reshape(1, -1, 1, 1), beta.reshape(1, -1, 1, 1)
    np.testing.assert_allclose(out, g * (x - mu) / np.sqrt(var + 1e-5) + b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(bn_param["running_mean"], 0.3 * mu.ravel(), rtol=1e-12)
    np.testing.assert_allclose(bn_param["running_var"], 0.7 + 0.3 * var.ravel(), rtol=1e-12)


@pytest.mark.parametrize("mode", ["train", "test"])
@pytest.mark.parametrize("shape", SPATIAL_SHAPES)
def test_spatial_backward_matches_finite_differences(shape, mode):
    x, gamma, beta, dout, stats = make_spatial(*shape)

    def f(x_, gamma_, beta_):
        return spatial_batchnorm_forward(x_, gamma_, beta_, params(mode, stats))[0]

    x0 = x.copy()
    _, cache = spatial_batchnorm_forward(x, gamma, beta, params(mode, stats))
    dx, dgamma, dbeta = spatial_batchnorm_backward(dout, cache)
    np.testing.assert_array_equal(x, x0)
    assert dx.shape == x.shape and dgamma.shape == gamma.shape and dbeta.shape == beta.shape
    assert rel_error(dx, fd_gradient(lambda v: f(v, gamma, beta), x.copy(), dout)) < 1e-7
    assert rel_error(dgamma, fd_gradient(lambda v: f(x, v, beta), gamma.copy(), dout)) < 1e-7
    assert rel_error(dbeta, fd_gradient(lambda v: f(x, gamma, v), beta.copy(), dout)) < 1e-7


def test_spatial_bad_arguments():
    x, gamma, beta, dout, _ = make_spatial(2, 3, 4, 5)
    with pytest.raises(ShapeError, match=r"x must have 4 dimensions \(N, C, H, W\)"):
        spatial_batchnorm_forward(x[0], gamma, beta, {"mode": "train"})
    with pytest.raises(ShapeError, match=r"gamma must have shape \(3\)"):
        spatial_batchnorm_forward(x, np.ones(4), beta, {"mode": "train"})
    _, cache = spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})
    with pytest.raises(ShapeError, match=r"dout must have shape"):
        spatial_batchnorm_backward(dout[:, :2], cache)
