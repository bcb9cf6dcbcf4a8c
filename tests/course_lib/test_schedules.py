"""Learning-rate schedules: the formulas of lectures 000/003 and their use in optimizers."""
import functools
import math

import numpy as np
import pytest

from course_lib.optim import SGD, Adam, Momentum, exponential_decay, inverse_decay

GRID = [(0.1, 0.01), (1.0, 0.5), (3e-3, 2.0), (0.7, 0.0)]
TIMES = np.arange(0, 50)


@pytest.mark.parametrize("eta0, k", GRID)
def test_inverse_decay_matches_formula(eta0, k):
    got = np.array([inverse_decay(eta0, k, int(t)) for t in TIMES])
    np.testing.assert_allclose(got, eta0 / (1.0 + k * TIMES), rtol=1e-15)
    assert got[0] == eta0
    # 1 / eta_t grows linearly with slope k / eta0.
    np.testing.assert_allclose(np.diff(1.0 / got), k / eta0, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("eta0, k", GRID)
def test_exponential_decay_matches_formula(eta0, k):
    got = np.array([exponential_decay(eta0, k, int(t)) for t in TIMES])
    np.testing.assert_allclose(got, eta0 * np.exp(-k * TIMES), rtol=1e-14)
    assert got[0] == eta0
    # Successive rates keep the same ratio exp(-k).
    np.testing.assert_allclose(got[1:] / got[:-1], math.exp(-k), rtol=1e-12)


def test_half_lives():
    k = 0.04
    assert inverse_decay(0.2, k, 1 / k) == pytest.approx(0.1, rel=1e-15)
    assert exponential_decay(0.2, k, math.log(2) / k) == pytest.approx(0.1, rel=1e-14)


def test_schedules_accept_fractional_epochs_and_decrease():
    ts = np.linspace(0, 20, 81)
    for schedule in (inverse_decay, exponential_decay):
        values = [schedule(0.5, 0.3, float(t)) for t in ts]
        assert all(a > b for a, b in zip(values, values[1:]))


@pytest.mark.parametrize("schedule", [inverse_decay, exponential_decay])
@pytest.mark.parametrize("args, error, fragment", [
    ((0.0, 0.1, 1), ValueError, "eta0 must be a finite number > 0"),
    ((-1.0, 0.1, 1), ValueError, "eta0 must be a finite number > 0"),
    ((0.1, -0.1, 1), ValueError, "k must be a finite number >= 0"),
    ((0.1, 0.1, -1), ValueError, "t must be a finite number >= 0"),
    ((0.1, float("nan"), 1), ValueError, "k must be a finite number >= 0"),
    ((float("inf"), 0.1, 1), ValueError, "eta0 must be a finite number > 0"),
    (("0.1", 0.1, 1), TypeError, "eta0 must be a real number"),
    ((0.1, 0.1, True), TypeError, "t must be a real number"),
])
def test_bad_arguments_are_named(schedule, args, error, fragment):
    with pytest.raises(error, match=fragment):
        schedule(*args)


def test_partial_schedule_drives_sgd_step_by_step():
    # On C(theta) = theta^2 / 2 SGD multiplies theta by (1 - eta_t) at step t + 1.
    eta0, k = 0.3, 0.2
    opt = SGD(schedule=functools.partial(exponential_decay, eta0, k))
    theta = np.array([2.0, -1.0])
    expected = theta.copy()
    for t in range(30):
        assert opt.current_eta() == pytest.approx(eta0 * math.exp(-k * t), rel=1e-15)
        theta = opt.step(theta, lambda th: th)
        expected = expected * (1.0 - eta0 * math.exp(-k * t))
    np.testing.assert_allclose(theta, expected, rtol=1e-13)


@pytest.mark.parametrize("make", [
    lambda s: Momentum(alpha=0.5, schedule=s),
    lambda s: Adam(schedule=s),
])
def test_a_schedule_is_called_with_the_number_of_updates_made(make):
    calls = []

    def schedule(t):
        calls.append(t)
        return inverse_decay(0.01, 0.1, t)

    opt = make(schedule)
    theta = np.ones(3)
    for _ in range(5):
        theta = opt.step(theta, lambda th: th)
    assert calls == [0, 1, 2, 3, 4]
    opt.reset()
    opt.step(theta, lambda th: th)
    assert calls[-1] == 0
