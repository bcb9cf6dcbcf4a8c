"""Building blocks of course_lib.second_order: Hessians, Hessian-vector products, Newton steps,
linear and nonlinear CG, line searches, BFGS and L-BFGS.

Expected values are derived independently: exact Hessians against centered
differences (tests/support/helpers_fd.py), Newton against np.linalg.lstsq, CG
against the true residual, BFGS against the product form of its formula.
"""
import warnings

import numpy as np
import pytest

from course_lib.second_order import (
    CGResult,
    IndefiniteHessianError,
    LineSearchError,
    SingularHessianError,
    SkippedUpdateWarning,
    backtracking_line_search,
    bfgs_update,
    conjugate_gradient,
    hessian_fd,
    hessian_linear_regression,
    hessian_logistic_regression,
    hvp_fd,
    lbfgs_direction,
    linear_regression_grad,
    linear_regression_loss,
    logistic_regression_grad,
    logistic_regression_loss,
    negative_curvature_direction,
    newton_step,
    nonlinear_cg,
    rosenbrock,
    rosenbrock_grad,
    rosenbrock_hess,
    saddle_free_direction,
    wolfe_line_search,
)
from course_lib.validation import ShapeError
from tests.support.helpers_fd import fd_gradient, rel_error


@pytest.fixture
def logistic():
    """A small logistic regression (N=30, D=4) with its loss, gradient and exact Hessian at w."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 4))
    y = (rng.random(30) < 0.5).astype(np.float64)
    lam = 0.1
    w = 0.3 * rng.normal(size=4)
    return dict(
        X=X, y=y, lam=lam, w=w,
        f=lambda v: logistic_regression_loss(X, y, v, lam),
        grad=lambda v: logistic_regression_grad(X, y, v, lam),
        hess=lambda v: hessian_logistic_regression(X, y, v, lam),
    )


def spd_matrix(d, low, high, seed):
    """Q diag(eigenvalues evenly spread in [low, high]) Q^T with a random orthogonal Q."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    H = (Q * np.linspace(low, high, d)) @ Q.T
    return 0.5 * (H + H.T)  # exactly symmetric, as a Hessian is


def saddle_grad(w):
    """Gradient of f(x, y) = x^2 - y^2, a saddle at (0, 0)."""
    return np.array([2 * w[0], -2 * w[1]])


SADDLE_HESS = np.diag([2.0, -2.0])


# ---------------------------------------------------------------- models and Hessians

def test_model_gradients_match_finite_differences(logistic):
    X, y, w = logistic["X"], logistic["y"], logistic["w"]
    assert rel_error(logistic["grad"](w), fd_gradient(logistic["f"], w.copy())) < 1e-7
    assert rel_error(linear_regression_grad(X, X @ w + 0.1, w),
                     fd_gradient(lambda v: linear_regression_loss(X, X @ w + 0.1, v), w.copy())) < 1e-7
    for p in (np.array([-0.7, 1.3]), np.array([-0.7, 1.3, 0.4, 2.0, -1.1])):
        assert rel_error(rosenbrock_grad(p), fd_gradient(rosenbrock, p.copy())) < 1e-7
        rows = [fd_gradient(lambda v, i=i: rosenbrock_grad(v)[i], p.copy()) for i in range(p.size)]
        assert rel_error(rosenbrock_hess(p), np.array(rows)) < 1e-7
    u, v = 0.3, -0.4  # the classic 2-D formula
    assert rosenbrock(np.array([u, v])) == pytest.approx((1 - u) ** 2 + 100 * (v - u * u) ** 2, rel=1e-14)
    # The loss is the mean cross-entropy of sigmoid(X w), written out independently here.
    prob = 1 / (1 + np.exp(-X @ w))
    ce = -np.mean(y * np.log(prob) + (1 - y) * np.log(1 - prob)) + 0.5 * logistic["lam"] * w @ w
    assert logistic["f"](w) == pytest.approx(ce, rel=1e-12)


def test_hessian_fd_matches_exact_hessians(logistic):
    w = logistic["w"]
    H = hessian_fd(logistic["grad"], w)
    assert H.shape == (4, 4)
    assert rel_error(H, logistic["hess"](w)) < 1e-7
    assert np.array_equal(H, H.T)
    p = np.array([0.4, -1.1])
    assert rel_error(hessian_fd(rosenbrock_grad, p), rosenbrock_hess(p)) < 1e-7
    X = np.random.default_rng(1).normal(size=(20, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    assert rel_error(hessian_fd(lambda v: linear_regression_grad(X, y, v), np.zeros(3)),
                     hessian_linear_regression(X, y)) < 1e-7


def test_exact_hessians_are_the_formulas(logistic):
    X, y, w, lam = logistic["X"], logistic["y"], logistic["w"], logistic["lam"]
    assert np.allclose(hessian_linear_regression(X, y), X.T @ X / 30, rtol=1e-13)
    p = 1 / (1 + np.exp(-X @ w))
    expected = sum(p[i] * (1 - p[i]) * np.outer(X[i], X[i]) for i in range(30)) / 30 + lam * np.eye(4)
    assert np.allclose(hessian_logistic_regression(X, y, w, lam), expected, rtol=1e-12)
    assert np.linalg.eigvalsh(logistic["hess"](w)).min() >= lam - 1e-12


def test_hessian_fd_does_not_mutate_and_checks_shapes(logistic):
    w = logistic["w"]
    before = w.copy()
    hessian_fd(logistic["grad"], w)
    assert np.array_equal(w, before)
    with pytest.raises(ShapeError, match=r"grad_fn\(w\) must return shape \(4,\)"):
        hessian_fd(lambda v: np.zeros(3), w)
    with pytest.raises(ShapeError, match="1-D vector"):
        hessian_fd(logistic["grad"], w.reshape(2, 2))
    with pytest.raises(ValueError, match="eps must be a positive"):
        hessian_fd(logistic["grad"], w, eps=0)


# ---------------------------------------------------------------- Hessian-vector products

def test_hvp_fd_matches_exact_product(logistic):
    w, H = logistic["w"], logistic["hess"](logistic["w"])
    v = np.random.default_rng(2).normal(size=4)
    assert rel_error(hvp_fd(logistic["grad"], w, v), H @ v) < 1e-5
    assert rel_error(hvp_fd(logistic["grad"], w, v, delta=1e-4, centered=True), H @ v) < 1e-8


def test_hvp_fd_error_orders(logistic):
    """Halving delta halves the one-sided error (O(delta)) and quarters the centered one (O(delta^2))."""
    w, H = logistic["w"], logistic["hess"](logistic["w"])
    v = np.array([1.0, -2.0, 0.5, 1.5])
    exact = H @ v

    def err(delta, centered):
        return np.linalg.norm(hvp_fd(logistic["grad"], w, v, delta, centered) - exact)

    one_sided = err(2e-2, False) / err(1e-2, False)
    centered = err(2e-2, True) / err(1e-2, True)
    assert 1.8 < one_sided < 2.2
    assert 3.6 < centered < 4.4


def test_hvp_fd_is_the_lecture_formula_for_unit_v_and_small_w(logistic):
    w = logistic["w"] / (2 * np.linalg.norm(logistic["w"]))  # ||w|| = 1/2 <= 1
    v = np.zeros(4)
    v[2] = 1.0
    delta = 1e-6
    lecture = (logistic["grad"](w + delta * v) - logistic["grad"](w)) / delta
    assert np.allclose(hvp_fd(logistic["grad"], w, v, delta), lecture, rtol=1e-12, atol=0)


def test_hvp_fd_scales_with_v_and_handles_zero(logistic):
    w = 50 * logistic["w"]  # a large ||w||: the step grows with it
    v = np.random.default_rng(3).normal(size=4)
    exact = logistic["hess"](w) @ v
    assert rel_error(hvp_fd(logistic["grad"], w, 1e4 * v), 1e4 * exact) < 1e-5
    assert rel_error(hvp_fd(logistic["grad"], w, 1e-4 * v), 1e-4 * exact) < 1e-5

    def never(_):
        raise AssertionError("grad_fn must not be called for v = 0")
    assert np.array_equal(hvp_fd(never, w, np.zeros(4)), np.zeros(4))


# ---------------------------------------------------------------- Newton

def test_newton_step_solves_a_quadratic_in_one_step():
    A = spd_matrix(5, 0.5, 20.0, seed=4)
    b = np.arange(1.0, 6.0)
    w0 = np.random.default_rng(5).normal(size=5)
    w1 = newton_step(w0, A @ w0 - b, A)  # f = 1/2 w^T A w - b^T w
    assert np.linalg.norm(A @ w1 - b) < 1e-10 * np.linalg.norm(b)


def test_newton_step_on_linear_regression_gives_the_least_squares_solution():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(40, 5))
    y = rng.normal(size=40)
    w0 = rng.normal(size=5)
    w1 = newton_step(w0, linear_regression_grad(X, y, w0), hessian_linear_regression(X, y))
    expected = np.linalg.lstsq(X, y, rcond=None)[0]
    assert np.allclose(w1, expected, rtol=1e-10, atol=1e-12)


def test_newton_step_refuses_indefinite_and_singular_hessians():
    w = np.array([0.1, 0.05])
    with pytest.raises(IndefiniteHessianError, match="smallest eigenvalue is -2") as info:
        newton_step(w, saddle_grad(w), SADDLE_HESS)
    assert info.value.eigenvalue == pytest.approx(-2.0)
    with pytest.raises(SingularHessianError, match="singular") as info:
        newton_step(w, np.array([1.0, 0.0]), np.diag([1.0, 0.0]))
    assert info.value.eigenvalue == 0.0


def test_raw_newton_step_walks_onto_the_saddle():
    w = np.array([0.1, 0.05])
    assert np.allclose(newton_step(w, saddle_grad(w), SADDLE_HESS, check=False), [0.0, 0.0], atol=1e-15)


def test_saddle_free_and_negative_curvature_directions_move_away_from_the_saddle():
    w = np.array([0.1, 0.05])
    g = saddle_grad(w)
    q = saddle_free_direction(g, SADDLE_HESS, floor=1e-8)
    assert np.allclose(q, [-0.1, 0.05])  # Newton along x, flipped along y
    assert g @ q < 0
    v, lam = negative_curvature_direction(np.zeros(2), SADDLE_HESS)
    assert lam == pytest.approx(-2.0)
    assert np.allclose(np.abs(v), [0.0, 1.0])
    v, _ = negative_curvature_direction(np.array([0.0, 1.0]), SADDLE_HESS)
    assert v[1] < 0  # signed as a descent direction


def test_newton_step_checks_and_does_not_mutate():
    w, g, H = np.array([1.0, 2.0]), np.array([0.5, -1.0]), np.array([[2.0, 0.5], [0.5, 1.0]])
    copies = [w.copy(), g.copy(), H.copy()]
    newton_step(w, g, H)
    for a, b in zip((w, g, H), copies):
        assert np.array_equal(a, b)
    with pytest.raises(ShapeError, match=r"hess must have shape \(2, 2\)"):
        newton_step(w, g, np.eye(3))
    with pytest.raises(ShapeError, match=r"grad must have shape \(2,?\), got \(3,\)"):
        newton_step(w, np.ones(3), H)


# ---------------------------------------------------------------- linear conjugate gradients

def test_cg_solves_a_2d_system_in_two_steps_with_conjugate_directions():
    H = np.array([[3.0, 1.0], [1.0, 2.0]])
    b = np.array([1.0, -2.0])
    res = conjugate_gradient(lambda v: H @ v, b)
    assert isinstance(res, CGResult) and res.converged
    assert res.iterations == 2  # a generic b needs both eigen-directions
    assert np.linalg.norm(H @ res.x - b) <= 1e-10 * np.linalg.norm(b)
    q0, q1 = res.directions
    assert abs(q0 @ H @ q1) < 1e-12 * np.sqrt((q0 @ H @ q0) * (q1 @ H @ q1))
    assert res.iterates.shape == (3, 2) and np.array_equal(res.iterates[-1], res.x)
    assert len(res.residual_norms) == 3 and res.steps.shape == (2,)


def test_cg_solves_a_50d_system_in_at_most_50_steps():
    # Eigenvalues in [1, 10]: well conditioned, so rounding does not spoil the d-step bound.
    H = spd_matrix(50, 1.0, 10.0, seed=7)
    b = np.random.default_rng(8).normal(size=50)
    calls = []
    res = conjugate_gradient(lambda v: calls.append(1) or H @ v, b, None, 1e-10, 50)
    assert res.converged and res.iterations <= 50
    assert len(calls) == res.iterations  # one product per iteration, none wasted
    assert np.linalg.norm(H @ res.x - b) <= 1e-10 * np.linalg.norm(b)


def test_cg_directions_are_mutually_conjugate():
    H = spd_matrix(8, 1.0, 30.0, seed=9)
    b = np.random.default_rng(10).normal(size=8)
    res = conjugate_gradient(lambda v: H @ v, b, tol=1e-14)
    Q = res.directions
    G = Q @ H @ Q.T
    scale = np.sqrt(np.outer(np.diag(G), np.diag(G)))
    off = np.abs(G / scale - np.eye(len(Q)))
    assert res.iterations == 8
    assert off.max() < 1e-8


def test_cg_with_finite_difference_products_and_a_start_point():
    A = spd_matrix(6, 1.0, 5.0, seed=11)
    b = np.linspace(-1.0, 1.0, 6)
    w0 = np.ones(6)
    res = conjugate_gradient(lambda v: hvp_fd(lambda u: A @ u - b, w0, v), b, x0=np.full(6, 0.5), tol=1e-8)
    assert res.converged
    assert np.allclose(res.x, np.linalg.solve(A, b), atol=1e-6)
    assert np.array_equal(res.iterates[0], np.full(6, 0.5))


def test_cg_reports_negative_curvature_and_handles_b_zero():
    res = conjugate_gradient(lambda v: np.diag([1.0, -1.0]) @ v, np.array([1.0, 1.0]))
    assert res.negative_curvature and not res.converged
    assert "negative curvature" in res.message
    zero = conjugate_gradient(lambda v: v, np.zeros(3))
    assert zero.converged and zero.iterations == 0 and np.array_equal(zero.x, np.zeros(3))
    with pytest.raises(TypeError, match="lambda v: H @ v"):
        conjugate_gradient(np.eye(2), np.ones(2))
    with pytest.raises(ShapeError, match=r"hvp\(w\) must return shape \(2,\)"):
        conjugate_gradient(lambda v: np.ones(3), np.ones(2))


# ---------------------------------------------------------------- nonlinear CG

@pytest.mark.parametrize("variant", ["fletcher-reeves", "polak-ribiere", "hestenes-stiefel"])
def test_nonlinear_cg_minimises_rosenbrock(variant):
    res = nonlinear_cg(rosenbrock, rosenbrock_grad, np.array([-1.2, 1.0]), variant=variant, tol=1e-8,
                       max_iter=2000)
    assert res.success, res.message
    assert np.allclose(res.x, [1.0, 1.0], atol=1e-6)
    assert res.grad_norm <= 1e-8


def test_nonlinear_cg_restarts():
    res = nonlinear_cg(rosenbrock, rosenbrock_grad, np.array([-1.2, 1.0]), restart=1, max_iter=50)
    # restart=1 restarts after every step: steepest descent with a Wolfe line search.
    assert res.info["periodic_restarts"] == res.nit
    w0 = np.array([-1.2, 1.0])
    res = nonlinear_cg(rosenbrock, rosenbrock_grad, w0, variant="polak-ribiere", max_iter=200)
    assert res.info["negative_beta_restarts"] >= 1  # PR+ clips beta < 0 on this valley
    with pytest.raises(ValueError, match="fletcher-reeves, polak-ribiere, hestenes-stiefel"):
        nonlinear_cg(rosenbrock, rosenbrock_grad, w0, variant="dai-yuan")


def test_nonlinear_cg_on_a_quadratic_matches_linear_cg_directions():
    """With the line search landing on the exact minimiser, nonlinear CG is linear CG."""
    A = spd_matrix(4, 1.0, 3.0, seed=12)
    b = np.array([1.0, 0.0, -1.0, 2.0])
    res = nonlinear_cg(lambda w: 0.5 * w @ A @ w - b @ w, lambda w: A @ w - b, np.zeros(4),
                       variant="fletcher-reeves", tol=1e-10, c2=0.1)
    assert res.success
    assert np.allclose(res.x, np.linalg.solve(A, b), atol=1e-9)


# ---------------------------------------------------------------- line searches

def test_backtracking_satisfies_armijo_and_is_the_largest_such_step():
    w = np.array([-1.2, 1.0])
    g = rosenbrock_grad(w)
    for direction in (-g, np.array([1.0, 0.3])):
        for c in (1e-4, 0.3):
            eta = backtracking_line_search(rosenbrock, rosenbrock_grad, w, direction, eta0=1.0, c=c)
            assert rosenbrock(w + eta * direction) <= rosenbrock(w) + c * eta * g @ direction
            if eta < 1.0:  # the previous, longer trial must have failed
                longer = 2 * eta
                assert rosenbrock(w + longer * direction) > rosenbrock(w) + c * longer * g @ direction


def test_line_searches_refuse_non_descent_directions():
    w = np.array([-1.2, 1.0])
    g = rosenbrock_grad(w)
    for search in (backtracking_line_search, wolfe_line_search):
        with pytest.raises(ValueError, match="not a descent direction"):
            search(rosenbrock, rosenbrock_grad, w, g)
        with pytest.raises(ValueError, match="not a descent direction"):
            search(rosenbrock, rosenbrock_grad, w, np.zeros(2))


def test_backtracking_gives_up_with_a_clear_error():
    # A gradient with the wrong sign: f = w.w grows along the claimed descent direction.
    with pytest.raises(LineSearchError, match="no step with sufficient decrease in 5 tries"):
        backtracking_line_search(lambda w: w @ w, lambda w: -2 * w, np.ones(2), np.ones(2), max_iter=5)


@pytest.mark.parametrize("step0", [1e-6, 1.0, 100.0])
@pytest.mark.parametrize("start", [(-1.2, 1.0), (0.5, 2.0), (1.5, 1.0)])
def test_wolfe_satisfies_both_strong_wolfe_conditions(step0, start):
    w = np.array(start)
    g = rosenbrock_grad(w)
    d = -g
    calls = {"f": 0, "g": 0}

    def f(v):
        calls["f"] += 1
        return rosenbrock(v)

    def grad(v):
        calls["g"] += 1
        return rosenbrock_grad(v)

    c1, c2 = 1e-4, 0.4
    res = wolfe_line_search(f, grad, w, d, c1=c1, c2=c2, step0=step0, f0=rosenbrock(w), g0=g)
    new = w + res.step * d
    assert rosenbrock(new) <= rosenbrock(w) + c1 * res.step * g @ d
    assert abs(rosenbrock_grad(new) @ d) <= c2 * abs(g @ d)
    assert res.fun == rosenbrock(new) and np.array_equal(res.grad, rosenbrock_grad(new))
    assert (res.n_fev, res.n_gev) == (calls["f"], calls["g"])


def test_wolfe_argument_checks():
    w = np.array([-1.2, 1.0])
    with pytest.raises(ValueError, match="c1 < c2"):
        wolfe_line_search(rosenbrock, rosenbrock_grad, w, -rosenbrock_grad(w), c1=0.5, c2=0.4)
    with pytest.raises(LineSearchError, match="bounded below"):
        wolfe_line_search(lambda v: -v @ v, lambda v: -2 * v, np.ones(2), np.ones(2), max_iter=5)


# ---------------------------------------------------------------- BFGS and L-BFGS

def test_bfgs_update_is_the_product_formula_and_satisfies_the_secant_equation():
    rng = np.random.default_rng(13)
    H = spd_matrix(5, 0.5, 3.0, seed=14)
    s = rng.normal(size=5)
    y = spd_matrix(5, 1.0, 4.0, seed=15) @ s  # y . s > 0
    rho = 1 / (y @ s)
    I = np.eye(5)
    expected = (I - rho * np.outer(s, y)) @ H @ (I - rho * np.outer(y, s)) + rho * np.outer(s, s)
    H_before = H.copy()
    new = bfgs_update(H, s, y)
    assert np.array_equal(H, H_before)
    assert np.allclose(new, expected, rtol=1e-12, atol=1e-14)
    assert np.allclose(new @ y, s, rtol=1e-12)
    assert np.array_equal(new, new.T)
    assert np.linalg.eigvalsh(new).min() > 0


def test_bfgs_skips_an_update_without_positive_curvature():
    H = np.eye(3)
    with pytest.warns(SkippedUpdateWarning, match=r"y \. s = -1"):
        new = bfgs_update(H, np.array([1.0, 0.0, 0.0]), np.array([-1.0, 0.0, 0.0]))
    assert np.array_equal(new, H)


def test_bfgs_with_exact_line_searches_recovers_the_inverse_hessian_of_a_quadratic():
    """On f = 1/2 w^T A w with exact steps, d BFGS updates make H_inv = A^{-1}."""
    A = spd_matrix(4, 1.0, 6.0, seed=16)
    w = np.array([1.0, -1.0, 2.0, 0.5])
    H = np.eye(4)
    for _ in range(4):
        g = A @ w
        q = -H @ g
        eta = -(g @ q) / (q @ A @ q)
        s = eta * q
        w = w + s
        H = bfgs_update(H, s, A @ s)
    assert np.allclose(H, np.linalg.inv(A), rtol=1e-8, atol=1e-10)
    assert np.linalg.norm(w) < 1e-10


def test_lbfgs_direction_equals_dense_bfgs_from_gamma_identity():
    rng = np.random.default_rng(17)
    A = spd_matrix(6, 1.0, 8.0, seed=18)
    s_list = [rng.normal(size=6) for _ in range(3)]
    y_list = [A @ s + 0.01 * rng.normal(size=6) for s in s_list]
    g = rng.normal(size=6)
    gamma = (s_list[-1] @ y_list[-1]) / (y_list[-1] @ y_list[-1])
    H = gamma * np.eye(6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for s, y in zip(s_list, y_list):
            H = bfgs_update(H, s, y)
    q = lbfgs_direction(g, s_list, y_list)
    assert np.allclose(q, -H @ g, rtol=1e-10)  # the sign: a descent direction
    assert g @ q < 0
    assert np.allclose(lbfgs_direction(g, s_list, y_list, gamma=2.0),
                       -_dense(2.0, s_list, y_list) @ g, rtol=1e-10)


def _dense(gamma, s_list, y_list):
    H = gamma * np.eye(len(s_list[0]))
    for s, y in zip(s_list, y_list):
        H = bfgs_update(H, s, y)
    return H


def test_lbfgs_direction_edge_cases():
    g = np.array([1.0, -2.0])
    assert np.array_equal(lbfgs_direction(g, [], []), -g)
    with pytest.raises(ValueError, match="same number of pairs"):
        lbfgs_direction(g, [np.ones(2)], [])
    with pytest.raises(ValueError, match="pair 0 cannot be used"):
        lbfgs_direction(g, [np.array([1.0, 0.0])], [np.array([-1.0, 0.0])])
    with pytest.raises(ShapeError):
        lbfgs_direction(g, [np.ones(3)], [np.ones(3)])
