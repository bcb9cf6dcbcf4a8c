"""Initialisation rules (their standard deviations, the symmetry problem) and gradient clipping."""
import math

import numpy as np
import pytest

from course_lib.clipping import clip_by_norm, clip_by_value, global_norm
from course_lib.init import (
    constant_init,
    gaussian_init,
    he_init,
    init_conv_weights,
    init_weights,
    xavier_init,
)
from course_lib.layers.losses import softmax_cross_entropy
from course_lib.modules import Linear, Sequential, Sigmoid


def assert_gaussian_std(w, std):
    """Sample mean and std within 6 standard errors of N(0, std^2) for w.size draws.

    The standard error of the mean is std / sqrt(n), that of the sample std
    about std / sqrt(2 n).
    """
    n = w.size
    assert abs(w.mean()) < 6 * std / math.sqrt(n)
    assert abs(w.std() - std) < 6 * std / math.sqrt(2 * n)


@pytest.mark.parametrize("fn, std_of", [
    (gaussian_init, lambda r_in, r_out: math.sqrt(1 / r_in)),
    (he_init, lambda r_in, r_out: math.sqrt(2 / r_in)),
    (xavier_init, lambda r_in, r_out: math.sqrt(2 / (r_in + r_out))),
])
@pytest.mark.parametrize("r_in, r_out", [(300, 500), (700, 90)])
def test_random_rules_have_the_lecture_std(fn, std_of, r_in, r_out):
    w = fn(r_in, r_out, np.random.default_rng(0))
    assert w.shape == (r_in, r_out) and w.dtype == np.float64
    assert_gaussian_std(w, std_of(r_in, r_out))


def test_rules_are_reproducible_from_a_seed():
    np.testing.assert_array_equal(he_init(5, 7, 3), he_init(5, 7, np.random.default_rng(3)))
    assert not np.array_equal(he_init(5, 7, 3), he_init(5, 7, 4))


def test_init_weights_dispatches_by_name():
    np.testing.assert_array_equal(init_weights("xavier", 6, 4, 1), xavier_init(6, 4, 1))
    np.testing.assert_array_equal(init_weights("constant", 6, 4, value=0.5), np.full((6, 4), 0.5))
    with pytest.raises(ValueError, match="init must be one of"):
        init_weights("glorot", 6, 4, 1)


def test_constant_init():
    w = constant_init(3, 4, 0.25)
    assert w.shape == (3, 4) and w.dtype == np.float64 and (w == 0.25).all()
    assert not constant_init(2, 2).any()


def test_conv_weights_use_fan_in_c_hh_ww():
    F, C, HH, WW = 64, 12, 3, 5
    w = init_conv_weights(F, C, (HH, WW), np.random.default_rng(0), method="he")
    assert w.shape == (F, C, HH, WW)
    assert_gaussian_std(w, math.sqrt(2 / (C * HH * WW)))
    w = init_conv_weights(F, C, 3, np.random.default_rng(1), method="xavier")
    assert w.shape == (F, C, 3, 3)
    assert_gaussian_std(w, math.sqrt(2 / (C * 9 + F * 9)))


def test_linear_module_uses_its_init_rule():
    w = Linear(400, 300, rng=0, init="gaussian").params["w"]
    assert_gaussian_std(w, math.sqrt(1 / 400))


@pytest.mark.parametrize("bad", [0, -3, 2.5])
def test_bad_sizes_are_refused(bad):
    with pytest.raises(ValueError, match="r_in"):
        he_init(bad, 3, 0)


def sgd_steps(model, x, y, steps=3, lr=0.5):
    for _ in range(steps):
        model.backward(softmax_cross_entropy(model.forward(x), y)[1])
        for name, value in model.params.items():
            value -= lr * model.grads[name]


def test_constant_init_keeps_hidden_units_identical():
    """Lecture 003, symmetry breaking: equal units get equal gradients and never separate."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((10, 4)), rng.integers(0, 3, 10)
    model = Sequential(Linear(4, 6, init="constant", init_value=0.3), Sigmoid(),
                       Linear(6, 3, init="constant", init_value=-0.2))
    w1_before = model.params["0.w"].copy()
    sgd_steps(model, x, y)
    w1, w2 = model.params["0.w"], model.params["2.w"]
    assert not np.allclose(w1, w1_before)  # the weights did move
    # column k of w1 is hidden unit k's incoming weights, row k of w2 its outgoing ones
    np.testing.assert_allclose(w1, np.repeat(w1[:, :1], 6, axis=1), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(w2, np.repeat(w2[:1, :], 6, axis=0), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(model.params["0.b"], model.params["0.b"][0], rtol=1e-12)


def test_random_init_breaks_the_symmetry():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((10, 4)), rng.integers(0, 3, 10)
    model = Sequential(Linear(4, 6, rng=1), Sigmoid(), Linear(6, 3, rng=2))
    sgd_steps(model, x, y)
    w1 = model.params["0.w"]
    assert np.abs(w1 - w1[:, :1]).max() > 1e-3


# ---------------------------------------------------------------- clipping


def grads_dict():
    rng = np.random.default_rng(0)
    return {"0.w": 4 * rng.standard_normal((3, 4)), "0.b": 4 * rng.standard_normal(4)}


def test_clip_by_value_clamps_each_entry():
    g = grads_dict()
    out = clip_by_value(g, 1.5)
    for k in g:
        expected = np.where(g[k] > 1.5, 1.5, np.where(g[k] < -1.5, -1.5, g[k]))
        np.testing.assert_array_equal(out[k], expected)
    assert any((np.abs(v) > 1.5).any() for v in g.values())  # the case did need clipping


def test_clip_by_norm_rescales_to_max_norm_and_keeps_direction():
    g = grads_dict()
    total = math.sqrt(sum(float((v ** 2).sum()) for v in g.values()))
    assert global_norm(g) == pytest.approx(total, rel=1e-14)
    out = clip_by_norm(g, 2.0)
    flat_in = np.concatenate([g[k].ravel() for k in g])
    flat_out = np.concatenate([out[k].ravel() for k in out])
    assert np.linalg.norm(flat_out) == pytest.approx(2.0, rel=1e-12)
    np.testing.assert_allclose(flat_out, flat_in * (2.0 / total), rtol=1e-13)


def test_clip_by_norm_below_threshold_changes_nothing():
    g = grads_dict()
    out = clip_by_norm(g, 1e6)
    for k in g:
        np.testing.assert_array_equal(out[k], g[k])
        assert out[k] is not g[k]


@pytest.mark.parametrize("clip, arg", [(clip_by_value, 0.5), (clip_by_norm, 0.5)])
@pytest.mark.parametrize("container", [dict, list, tuple])
def test_clipping_keeps_container_type_and_never_mutates(clip, arg, container):
    base = grads_dict()
    grads = base if container is dict else container(base.values())
    snapshot = [v.copy() for v in (grads.values() if container is dict else grads)]
    out = clip(grads, arg)
    assert type(out) is container
    if container is dict:
        assert list(out) == list(grads)
    originals = list(grads.values()) if container is dict else list(grads)
    results = list(out.values()) if container is dict else list(out)
    for before, original, result in zip(snapshot, originals, results):
        np.testing.assert_array_equal(original, before)
        assert result is not original and result.shape == original.shape
        assert not np.shares_memory(result, original)


def test_clipping_a_single_array():
    g = np.array([3.0, -4.0])
    np.testing.assert_allclose(clip_by_norm(g, 1.0), [0.6, -0.8])
    np.testing.assert_array_equal(clip_by_value(g, 1.0), [1.0, -1.0])


@pytest.mark.parametrize("bad", [0.0, -1.0, np.inf])
def test_clipping_thresholds_must_be_positive(bad):
    with pytest.raises(ValueError, match="limit"):
        clip_by_value([np.ones(2)], bad)
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_norm([np.ones(2)], bad)


def test_clipping_rejects_other_containers():
    with pytest.raises(TypeError, match="dict, list or tuple"):
        clip_by_norm({np.ones(2).tobytes()}, 1.0)
