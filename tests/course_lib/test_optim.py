"""Tests of course_lib.optim's optimizers against the lecture's pseudo-code.

Each ``lecture_*`` function below is a line-by-line transcription of the
algorithm on the lecture slides (lecture 000 unless stated), written as a
plain loop that does not use course_lib. ``eta_of(i)`` gives the step size
of step i (i = 1, 2, ...), so the same transcriptions check schedules, and
``grad`` may be a clipped gradient, so they check clipping too.
"""
import functools

import numpy as np
import pytest

from course_lib.optim import (
    SGD,
    AdaDelta,
    AdaGrad,
    Adam,
    Momentum,
    Nesterov,
    NesterovSimplified,
    RMSProp,
    RMSPropNesterov,
    exponential_decay,
    inverse_decay,
)
from course_lib.validation import DTypeError, ShapeError

N_STEPS = 100


# ----------------------------------------------------------------------------
# The lecture's algorithms, transcribed. Each returns [theta_0, ..., theta_n].
# ----------------------------------------------------------------------------

def lecture_sgd(theta, grad, n, eta_of):
    out = [theta]
    for i in range(1, n + 1):
        g = grad(theta)
        theta = theta - eta_of(i) * g
        out.append(theta)
    return out


def lecture_momentum(theta, grad, n, eta_of, alpha):
    v = np.zeros_like(theta)
    out = [theta]
    for i in range(1, n + 1):
        g = grad(theta)
        v = alpha * v - eta_of(i) * g
        theta = theta + v
        out.append(theta)
    return out


def lecture_nesterov(theta, grad, n, eta_of, alpha, velocities=None):
    v = np.zeros_like(theta)
    out = [theta]
    for i in range(1, n + 1):
        theta_tilde = theta + alpha * v
        g = grad(theta_tilde)
        v = alpha * v - eta_of(i) * g
        theta = theta + v
        out.append(theta)
        if velocities is not None:
            velocities.append(v)
    return out


def lecture_nesterov_simplified(theta, grad, n, eta_of, alpha):
    v = np.zeros_like(theta)
    Theta = theta
    out = [Theta]
    for i in range(1, n + 1):
        g = grad(Theta)
        Theta = Theta + alpha ** 2 * v - eta_of(i) * (1 + alpha) * g
        v = alpha * v - eta_of(i) * g
        out.append(Theta)
    return out


def lecture_adagrad(theta, grad, n, eta_of, delta):
    r = np.zeros_like(theta)
    out = [theta]
    for i in range(1, n + 1):
        g = grad(theta)
        r = r + (g * g)
        v = -(eta_of(i) / (delta + np.sqrt(r))) * g
        theta = theta + v
        out.append(theta)
    return out


def lecture_rmsprop(theta, grad, n, eta_of, rho, delta):
    r = np.zeros_like(theta)
    out = [theta]
    for i in range(1, n + 1):
        g = grad(theta)
        r = rho * r + (1 - rho) * (g * g)
        v = -(eta_of(i) / np.sqrt(delta + r)) * g
        theta = theta + v
        out.append(theta)
    return out


def lecture_rmsprop_nesterov(theta, grad, n, eta_of, alpha, rho, delta):
    # Lecture 003 (its beta = alpha, its alpha = eta, its A = r, sqrt(A + eps)).
    v = np.zeros_like(theta)
    r = np.zeros_like(theta)
    out = [theta]
    for i in range(1, n + 1):
        g = grad(theta + alpha * v)
        r = rho * r + (1 - rho) * (g * g)
        v = alpha * v - (eta_of(i) / np.sqrt(delta + r)) * g
        theta = theta + v
        out.append(theta)
    return out


def lecture_adadelta(theta, grad, n, eta_of, rho, delta):
    # The lecture has no step size; eta_of(i) = 1 is the lecture exactly, other
    # values scale only the theta line (the documented extension).
    r = np.zeros_like(theta)
    s = np.zeros_like(theta)
    out = [theta]
    for i in range(1, n + 1):
        g = grad(theta)
        r = rho * r + (1 - rho) * (g * g)
        v = -(np.sqrt(delta + s) / np.sqrt(delta + r)) * g
        s = rho * s + (1 - rho) * (v * v)
        theta = theta + eta_of(i) * v
        out.append(theta)
    return out


def lecture_adam(theta, grad, n, eta_of, rho1, rho2, delta):
    s = np.zeros_like(theta)
    r = np.zeros_like(theta)
    out = [theta]
    for i in range(1, n + 1):
        g = grad(theta)
        s = rho1 * s + (1 - rho1) * g
        r = rho2 * r + (1 - rho2) * (g * g)
        s_hat = s / (1 - rho1 ** i)
        r_hat = r / (1 - rho2 ** i)
        v = -eta_of(i) * s_hat / (delta + np.sqrt(r_hat))
        theta = theta + v
        out.append(theta)
    return out


# (class, constructor hyperparameters besides eta, eta, transcription)
CASES = {
    "SGD": (SGD, {}, 0.015, lecture_sgd),
    "Momentum": (Momentum, {"alpha": 0.9}, 0.004, lecture_momentum),
    "Nesterov": (Nesterov, {"alpha": 0.9}, 0.004, lecture_nesterov),
    "NesterovSimplified": (NesterovSimplified, {"alpha": 0.9}, 0.004, lecture_nesterov_simplified),
    "AdaGrad": (AdaGrad, {"delta": 1e-7}, 0.4, lecture_adagrad),
    "RMSProp": (RMSProp, {"rho": 0.9, "delta": 1e-6}, 0.02, lecture_rmsprop),
    "RMSPropNesterov": (RMSPropNesterov, {"alpha": 0.8, "rho": 0.9, "delta": 1e-6}, 0.005,
                        lecture_rmsprop_nesterov),
    "AdaDelta": (AdaDelta, {"rho": 0.95, "delta": 1e-4}, 1.0, lecture_adadelta),
    "Adam": (Adam, {"rho1": 0.9, "rho2": 0.999, "delta": 1e-8}, 0.05, lecture_adam),
}


def quadratic(seed=0, dim=6, cond=100.0):
    """C(theta) = 1/2 theta^T A theta - b^T theta with A's eigenvalues from 1 to cond."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    lam = np.logspace(0, np.log10(cond), dim)
    A = q @ np.diag(lam) @ q.T
    b = rng.standard_normal(dim)
    theta0 = rng.standard_normal(dim)

    def grad(theta):
        return A @ theta - b

    def cost(theta):
        return 0.5 * theta @ A @ theta - b @ theta

    return cost, grad, theta0


def run(opt, theta, grad_fn, n):
    out = [theta]
    for _ in range(n):
        theta = opt.step(theta, grad_fn)
        out.append(theta)
    return out


def clip_value_np(g, limit):
    return np.minimum(np.maximum(g, -limit), limit)


def clip_norm_np(g, max_norm):
    norm = np.sqrt(np.sum(g ** 2))
    return g * (max_norm / norm) if norm > max_norm else g


@pytest.mark.parametrize("name", list(CASES))
def test_optimizer_equals_lecture_pseudocode(name):
    cls, hyper, eta, lecture = CASES[name]
    cost, grad, theta0 = quadratic(seed=1)
    expected = lecture(theta0, grad, N_STEPS, lambda i: eta, **hyper)
    got = run(cls(eta=eta, **hyper), theta0, grad, N_STEPS)
    np.testing.assert_allclose(np.array(got), np.array(expected), rtol=1e-12, atol=1e-12)
    # The run must actually optimise, or the comparison above proves little.
    assert cost(got[-1]) < cost(theta0) - 0.1 * abs(cost(theta0))


def test_adadelta_default_is_the_lectures_algorithm_without_step_size():
    _, grad, theta0 = quadratic(seed=2)
    expected = lecture_adadelta(theta0, grad, N_STEPS, lambda i: 1.0, rho=0.9, delta=1e-6)
    got = run(AdaDelta(rho=0.9, delta=1e-6), theta0, grad, N_STEPS)
    np.testing.assert_allclose(np.array(got), np.array(expected), rtol=1e-12, atol=1e-12)


def test_nesterov_simplified_is_classic_nesterov_on_the_lookahead_variable():
    # Lecture 000: Theta = theta + alpha v. Both runs start from the same
    # theta_0 with v = 0, so Theta_0 = theta_0, and evaluate the same gradients.
    _, grad, theta0 = quadratic(seed=3)
    alpha, eta = 0.9, 0.004
    points_classic, points_simple = [], []

    def recording(points):
        def g(theta):
            points.append(theta.copy())
            return grad(theta)
        return g

    classic, simple = Nesterov(eta, alpha), NesterovSimplified(eta, alpha)
    theta, Theta = theta0.copy(), theta0.copy()
    max_velocity = 0.0
    for _ in range(N_STEPS):
        theta = classic.step(theta, recording(points_classic))
        Theta = simple.step(Theta, recording(points_simple))
        v = classic.state["v"]
        max_velocity = max(max_velocity, np.max(np.abs(v)))
        np.testing.assert_allclose(Theta, theta + alpha * v, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(simple.state["v"], v, rtol=1e-11, atol=1e-13)
        np.testing.assert_allclose(simple.classic_theta(Theta), theta, rtol=1e-12, atol=1e-12)
    assert max_velocity > 1e-2, "the velocity never grew, the relation was not exercised"
    np.testing.assert_allclose(np.array(points_simple), np.array(points_classic),
                               rtol=1e-12, atol=1e-12)
    # Near the optimum the velocity vanishes and the two sequences meet.
    for _ in range(2000):
        theta = classic.step(theta, grad)
        Theta = simple.step(Theta, grad)
    assert np.max(np.abs(classic.state["v"])) < 1e-10
    np.testing.assert_allclose(Theta, theta, atol=1e-9)


@pytest.mark.parametrize("rho1, rho2", [(0.9, 0.999), (0.5, 0.9), (0.95, 0.9999)])
def test_adam_first_step_has_size_eta_per_coordinate(rho1, rho2):
    # With bias correction s' = g and r' = g*g after one step, so the step is
    # -eta g / (delta + |g|): eta per coordinate, whatever the gradient's scale.
    eta, delta = 0.01, 1e-8
    g = np.array([3.0, -0.02, 150.0, -7.5])
    theta0 = np.array([1.0, 2.0, -3.0, 0.5])
    new = Adam(eta, rho1=rho1, rho2=rho2, delta=delta).step(theta0, lambda th: g)
    step = new - theta0
    np.testing.assert_allclose(step, -eta * g / (delta + np.abs(g)), rtol=1e-12)
    np.testing.assert_allclose(np.abs(step), eta, rtol=1e-6)
    assert np.all(np.sign(step) == -np.sign(g))
    # Without correction the step would be (1 - rho1) / sqrt(1 - rho2) times as long.
    assert abs((1 - rho1) / np.sqrt(1 - rho2) - 1) > 0.05


def _schedules():
    return {
        "inverse": functools.partial(inverse_decay, 1.0, 0.05),
        "exponential": functools.partial(exponential_decay, 1.0, 0.03),
    }


@pytest.mark.parametrize("kind", ["inverse", "exponential"])
@pytest.mark.parametrize("name", list(CASES))
def test_schedules_plug_into_every_optimizer(name, kind):
    cls, hyper, eta, lecture = CASES[name]
    base = _schedules()[kind]
    schedule = lambda t: eta * base(t)  # noqa: E731 -- scaled to the method's own rate
    _, grad, theta0 = quadratic(seed=4)
    # Step i (1-based, as in the lecture) uses schedule(i - 1): eta0 on the first step.
    expected = lecture(theta0, grad, N_STEPS, lambda i: schedule(i - 1), **hyper)
    opt = cls(schedule=schedule, **hyper)
    etas, got, theta = [], [theta0], theta0
    for _ in range(N_STEPS):
        etas.append(opt.current_eta())
        theta = opt.step(theta, grad)
        got.append(theta)
    np.testing.assert_allclose(etas, [schedule(t) for t in range(N_STEPS)], rtol=1e-15)
    assert etas[-1] < 0.2 * etas[0]
    np.testing.assert_allclose(np.array(got), np.array(expected), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("clip", [("clip_value", 0.5), ("clip_norm", 1.0)])
@pytest.mark.parametrize("name", list(CASES))
def test_clipping_applies_to_every_gradient_evaluated(name, clip):
    cls, hyper, eta, lecture = CASES[name]
    option, limit = clip
    _, grad, theta0 = quadratic(seed=5)
    theta0 = 5.0 * theta0  # large gradients, so clipping is active

    if option == "clip_value":
        clipped = lambda th: clip_value_np(grad(th), limit)  # noqa: E731
    else:
        clipped = lambda th: clip_norm_np(grad(th), limit)  # noqa: E731

    assert not np.allclose(clipped(theta0), grad(theta0))
    expected = lecture(theta0, clipped, N_STEPS, lambda i: eta, **hyper)
    got = run(cls(eta=eta, **hyper, **{option: limit}), theta0, grad, N_STEPS)
    np.testing.assert_allclose(np.array(got), np.array(expected), rtol=1e-12, atol=1e-12)
    unclipped = run(cls(eta=eta, **hyper), theta0, grad, 3)
    assert not np.allclose(got[3], unclipped[3])


def test_value_and_norm_clipping_together_clip_by_value_first():
    g = np.array([10.0, -0.1, 4.0])
    new = SGD(1.0, clip_value=2.0, clip_norm=1.0).step(np.zeros(3), lambda th: g)
    expected_g = clip_norm_np(clip_value_np(g, 2.0), 1.0)
    np.testing.assert_allclose(new, -expected_g, rtol=1e-14)


@pytest.mark.parametrize("name", list(CASES))
def test_reset_forgets_state_and_step_count(name):
    cls, hyper, eta, _ = CASES[name]
    _, grad, theta0 = quadratic(seed=6)
    opt = cls(eta=eta, **hyper)
    first = run(opt, theta0, grad, 10)
    assert opt.t == 10
    opt.reset()
    assert opt.t == 0 and opt.state == {}
    again = run(opt, theta0, grad, 10)
    np.testing.assert_array_equal(np.array(again), np.array(first))
    # Without reset, the velocities/accumulators carry over and change the path
    # (SGD has no state, so there the paths are the same).
    carried = run(opt, theta0, grad, 10)
    if cls is SGD:
        np.testing.assert_array_equal(np.array(carried), np.array(first))
    else:
        assert not np.allclose(carried[5], first[5])


@pytest.mark.parametrize("name", list(CASES))
def test_step_returns_new_float64_array_and_keeps_input(name):
    cls, hyper, eta, _ = CASES[name]
    rng = np.random.default_rng(7)
    theta = rng.standard_normal((3, 4))
    original = theta.copy()
    target = rng.standard_normal((3, 4))

    def grad_fn(th):
        th += 100.0  # a grad_fn that scribbles on its argument must not reach theta
        return th - 100.0 - target

    opt = cls(eta=eta, **hyper)
    new = opt.step(theta, grad_fn)
    new = opt.step(new, grad_fn)
    np.testing.assert_array_equal(theta, original)
    assert new is not theta and new.dtype == np.float64 and new.shape == (3, 4)
    assert np.sum((new - target) ** 2) < np.sum((theta - target) ** 2)


def test_float32_theta_is_computed_in_float64_and_integer_theta_is_refused():
    new = SGD(0.1).step(np.ones(3, dtype=np.float32), lambda th: th)
    assert new.dtype == np.float64
    with pytest.raises(DTypeError, match="theta"):
        SGD(0.1).step(np.ones(3, dtype=int), lambda th: th)


def test_gradient_of_wrong_shape_and_state_of_other_shape_are_refused():
    with pytest.raises(ShapeError, match="grad_fn returned a gradient of shape"):
        SGD(0.1).step(np.zeros(3), lambda th: np.zeros(4))
    opt = Momentum(0.1, 0.9)
    opt.step(np.zeros(3), lambda th: np.ones(3))
    with pytest.raises(ShapeError, match="reset"):
        opt.step(np.zeros(4), lambda th: np.ones(4))
    with pytest.raises(TypeError, match="grad_fn must be a callable"):
        SGD(0.1).step(np.zeros(3), np.ones(3))


@pytest.mark.parametrize("cls, kwargs, error, fragment", [
    (SGD, {"eta": 0.0}, ValueError, "eta must be in (0, inf)"),
    (SGD, {"eta": -0.1}, ValueError, "eta must be in (0, inf)"),
    (SGD, {"eta": float("nan")}, ValueError, "eta must be a finite number"),
    (SGD, {"eta": "0.1"}, TypeError, "eta must be a real number"),
    (SGD, {}, ValueError, "SGD needs a learning rate"),
    (SGD, {"eta": 0.1, "schedule": lambda t: 0.1}, ValueError, "not both"),
    (SGD, {"schedule": 0.1}, TypeError, "schedule must be a callable"),
    (SGD, {"eta": 0.1, "clip_norm": 0.0}, ValueError, "clip_norm must be in (0, inf)"),
    (SGD, {"eta": 0.1, "clip_value": -1.0}, ValueError, "clip_value must be in (0, inf)"),
    (Momentum, {"eta": 0.1, "alpha": 1.0}, ValueError, "alpha must be in [0, 1)"),
    (Momentum, {"eta": 0.1, "alpha": -0.1}, ValueError, "alpha must be in [0, 1)"),
    (Nesterov, {"eta": 0.1, "alpha": 1.5}, ValueError, "alpha must be in [0, 1)"),
    (NesterovSimplified, {"eta": 0.1, "alpha": True}, TypeError, "alpha must be a real number"),
    (AdaGrad, {"eta": 0.1, "delta": 0.0}, ValueError, "delta must be in (0, inf)"),
    (RMSProp, {"eta": 0.1, "rho": 1.0}, ValueError, "rho must be in [0, 1)"),
    (RMSPropNesterov, {"eta": 0.1, "alpha": 0.9, "rho": -0.5}, ValueError, "rho must be in [0, 1)"),
    (AdaDelta, {"rho": 1.2}, ValueError, "rho must be in [0, 1)"),
    (AdaDelta, {"delta": -1e-6}, ValueError, "delta must be in (0, inf)"),
    (Adam, {"rho1": 1.0}, ValueError, "rho1 must be in [0, 1)"),
    (Adam, {"rho2": -0.1}, ValueError, "rho2 must be in [0, 1)"),
    (Adam, {"eta": -0.001}, ValueError, "eta must be in (0, inf)"),
])
def test_bad_hyperparameters_raise_clear_errors(cls, kwargs, error, fragment):
    with pytest.raises(error) as info:
        cls(**kwargs)
    assert fragment in str(info.value)


def test_defaults_of_adam_and_adadelta():
    assert Adam().eta == 0.001
    assert AdaDelta().eta == 1.0


def test_bad_schedule_value_is_reported_with_its_step():
    opt = SGD(schedule=lambda t: 0.1 if t < 2 else -0.1)
    theta = np.zeros(2)
    for _ in range(2):
        theta = opt.step(theta, lambda th: np.ones(2))
    with pytest.raises(ValueError, match=r"schedule\(2\)"):
        opt.step(theta, lambda th: np.ones(2))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("name", list(CASES))
def test_non_finite_gradient_raises_naming_step_and_eta(name, bad):
    cls, hyper, eta, _ = CASES[name]
    calls = []

    def grad_fn(th):
        calls.append(1)
        g = np.ones_like(th)
        if len(calls) == 3:
            g[1] = bad
        return g

    opt = cls(eta=eta, **hyper)
    theta = np.zeros(3)
    for _ in range(2):
        theta = opt.step(theta, grad_fn)
    state_before = {k: v.copy() for k, v in opt.state.items()}
    with pytest.raises(FloatingPointError) as info:
        opt.step(theta, grad_fn)
    message = str(info.value)
    assert "step 3" in message and f"eta={eta:g}" in message and "1 non-finite" in message
    # The failed step changed nothing: same step count, same state.
    assert opt.t == 2
    for k, v in state_before.items():
        np.testing.assert_array_equal(opt.state[k], v)
