"""course_lib.second_order.minimize: the driver, saddle handling, bookkeeping, bad input, and
agreement with scipy.optimize.minimize on Rosenbrock, logistic regression on digits and a tiny
tanh network.
"""
import numpy as np
import pytest
import scipy.optimize
from sklearn.datasets import load_digits

from course_lib.second_order import (
    METHODS,
    PrecisionLossError,
    Status,
    WolfeResult,
    hessian_fd,
    hessian_linear_regression,
    hessian_logistic_regression,
    linear_regression_grad,
    linear_regression_loss,
    logistic_regression_grad,
    logistic_regression_loss,
    minimize,
    rosenbrock,
    rosenbrock_grad,
    rosenbrock_hess,
)
from course_lib.validation import ShapeError
from tests.support.helpers_fd import fd_gradient, rel_error

ROSENBROCK_START = np.array([-1.2, 1.0])


def quadratic(seed=0, d=4):
    """f = 1/2 w^T A w - b^T w with A SPD (eigenvalues 1..10); returns f, grad, hess, minimiser."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    A = (Q * np.linspace(1.0, 10.0, d)) @ Q.T
    A = 0.5 * (A + A.T)
    b = rng.normal(size=d)
    return (lambda w: 0.5 * w @ A @ w - b @ w, lambda w: A @ w - b, lambda w: A,
            np.linalg.solve(A, b))


# ---------------------------------------------------------------- Newton

def test_newton_solves_a_quadratic_in_one_iteration():
    f, grad, hess, w_star = quadratic()
    res = minimize(f, grad, np.ones(4), "newton", hess_f=hess)
    assert res.success and res.nit == 1
    assert np.allclose(res.x, w_star, atol=1e-12)


def test_newton_on_linear_regression_reaches_the_normal_equations_solution():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 5))
    y = X @ rng.normal(size=5) + 0.1 * rng.normal(size=60)
    res = minimize(lambda w: linear_regression_loss(X, y, w), lambda w: linear_regression_grad(X, y, w),
                   np.zeros(5), "newton", hess_f=lambda w: hessian_linear_regression(X, y), tol=1e-12)
    assert res.nit == 1
    assert np.allclose(res.x, np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-10, atol=1e-12)
    # Without hess_f the Hessian comes from finite differences: 2d gradient calls per iteration.
    fd = minimize(lambda w: linear_regression_loss(X, y, w), lambda w: linear_regression_grad(X, y, w),
                  np.zeros(5), "newton", tol=1e-9)
    assert fd.success and fd.n_hev == 0 and fd.n_gev >= 2 * 5 * (fd.nit + 1)
    assert np.allclose(fd.x, res.x, atol=1e-8)


def test_newton_does_not_stop_at_or_walk_into_the_saddle_of_x2_minus_y2():
    f = lambda w: w[0] ** 2 - w[1] ** 2  # noqa: E731
    grad = lambda w: np.array([2 * w[0], -2 * w[1]])  # noqa: E731
    hess = lambda w: np.diag([2.0, -2.0])  # noqa: E731
    w0 = np.array([0.1, 0.05])
    res = minimize(f, grad, w0, "newton", hess_f=hess, max_iter=5)
    assert "indefinite Hessian at iteration 0" in res.warnings[0]
    assert res.info["hessian_fallbacks"] == 5
    assert not res.success  # f is unbounded below: no minimum to converge to
    # x converges as in Newton's method, y moves away from the saddle instead of onto it.
    assert abs(res.x[0]) < 1e-12
    assert abs(res.x[1]) >= 2 ** 4 * 0.05
    assert res.fun < f(w0) and res.fun < 0.0  # below the saddle's value


def test_newton_leaves_a_saddle_with_zero_gradient_and_finds_the_minimum():
    """f = x^2 + y^4/4 - y^2/2: saddle at (0, 0), minima at (0, +-1).

    From (0.3, 0) the gradient has no y-component: the repaired Newton step
    lands exactly on the saddle, where the gradient vanishes. minimize must
    notice the negative curvature there and step off it.
    """
    f = lambda w: w[0] ** 2 + 0.25 * w[1] ** 4 - 0.5 * w[1] ** 2  # noqa: E731
    grad = lambda w: np.array([2 * w[0], w[1] ** 3 - w[1]])  # noqa: E731
    hess = lambda w: np.diag([2.0, 3 * w[1] ** 2 - 1])  # noqa: E731
    for hess_f in (hess, None):  # exact and finite-difference Hessians
        res = minimize(f, grad, np.array([0.3, 0.0]), "newton", hess_f=hess_f, tol=1e-10)
        assert res.success, res.message
        assert any(w.startswith("saddle point at iteration") for w in res.warnings)
        assert res.info["saddle_escapes"] == 1
        assert np.allclose(np.abs(res.x), [0.0, 1.0], atol=1e-8)
        assert res.fun == pytest.approx(-0.25)


# ---------------------------------------------------------------- BFGS and L-BFGS agree

def test_lbfgs_with_enough_memory_follows_bfgs_iterates():
    """Both start from H_inv = I, then (s.y / y.y) I from the first pair: the same H_inv every step.

    The same line search with the same first trial steps then gives the same
    iterates. L-BFGS's usual rescaling by the newest pair breaks this.
    """
    rng = np.random.default_rng(2)
    X = rng.normal(size=(50, 5))
    y = (rng.random(50) < 0.5).astype(np.float64)
    problems = [
        (lambda w: logistic_regression_loss(X, y, w, 0.1), lambda w: logistic_regression_grad(X, y, w, 0.1),
         np.ones(5), 1e-12),
        (rosenbrock, rosenbrock_grad, ROSENBROCK_START, 1e-7),  # rounding grows along the valley
    ]
    for f, grad, w0, atol in problems:
        bfgs = minimize(f, grad, w0, "bfgs", tol=1e-10)
        lbfgs = minimize(f, grad, w0, "lbfgs", tol=1e-10, memory=bfgs.nit + 1, lbfgs_gamma="first")
        assert bfgs.success and lbfgs.nit == bfgs.nit
        assert np.allclose(np.array(lbfgs.path), np.array(bfgs.path), rtol=0, atol=atol)
        latest = minimize(f, grad, w0, "lbfgs", tol=1e-10, memory=bfgs.nit + 1)
        n = min(len(latest.path), len(bfgs.path))
        assert np.abs(np.array(latest.path[:n]) - np.array(bfgs.path[:n])).max() > 1e-3


# ---------------------------------------------------------------- bookkeeping

@pytest.mark.parametrize("method", METHODS)
def test_result_records_path_counts_and_message(method):
    calls = {"f": 0, "g": 0}

    def f(w):
        calls["f"] += 1
        return rosenbrock(w)

    def grad(w):
        calls["g"] += 1
        return rosenbrock_grad(w)

    w0 = ROSENBROCK_START.copy()
    res = minimize(f, grad, w0, method, tol=1e-7)
    assert np.array_equal(w0, ROSENBROCK_START)  # not modified
    assert res.success and res.method == method
    assert (res.n_fev, res.n_gev) == (calls["f"], calls["g"])
    assert len(res.path) == len(res.fun_path) == res.nit + 1
    assert np.array_equal(res.path[0], w0) and np.array_equal(res.path[-1], res.x)
    assert res.fun_path == [rosenbrock(w) for w in res.path]
    assert res.grad_norm == np.max(np.abs(rosenbrock_grad(res.x))) <= 1e-7
    assert res.message.startswith("converged: ||grad||_inf")
    assert res.status == Status.CONVERGED == 0
    assert f"nit={res.nit}" in repr(res) and "status=CONVERGED" in repr(res)


def test_max_iter_stops_with_a_message():
    res = minimize(rosenbrock, rosenbrock_grad, ROSENBROCK_START, "bfgs", max_iter=3)
    assert not res.success and res.nit == 3
    assert res.status == Status.MAX_ITER
    assert "max_iter = 3" in res.message


# ---------------------------------------------------------------- f flat to rounding error

WOLFE_METHODS = ("cg", "bfgs", "lbfgs")  # the methods whose line search is the Wolfe zoom


@pytest.mark.parametrize("method", WOLFE_METHODS)
def test_f_constant_to_rounding_stops_with_precision_loss(method):
    """f == 1 exactly while the gradient is w: every trial step leaves f unchanged, so the zoom
    bracket collapses onto 0 and no decrease is representable. A clean stop, status 2."""
    w0 = np.array([1e-6, -2e-6])
    res = minimize(lambda w: 1.0, lambda w: w.copy(), w0, method, tol=1e-9)
    assert res.status == Status.PRECISION_LOSS == 2
    assert not res.success and res.nit == 0 and np.array_equal(res.x, w0)
    assert res.message.startswith("stopped: desired error not necessarily achieved due to precision loss")
    assert "f is flat to rounding error" in res.message
    assert res.grad_norm == pytest.approx(2e-6) and "status=PRECISION_LOSS" in repr(res)


@pytest.mark.parametrize("method", WOLFE_METHODS)
def test_f_flat_to_rounding_near_the_optimum_stops_with_precision_loss(method):
    """f = 1e12 + 1/2 (w - w*)^T A (w - w*) from 2e-3 away from w*: the quadratic part (about
    1e-5) is below the rounding of 1e12 (6e-5) near w*, so f is constant to rounding there
    while the gradient (about 6e-3) is far above tol. The first trial step (length one) raises f
    visibly, every shorter one leaves f unchanged: the zoom must give up cleanly."""
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    w_star = np.array([0.3, -0.7])
    f = lambda w: 1e12 + 0.5 * (w - w_star) @ A @ (w - w_star)  # noqa: E731
    grad = lambda w: A @ (w - w_star)  # noqa: E731
    w0 = w_star + np.array([1e-3, 2e-3])
    res = minimize(f, grad, w0, method, tol=1e-9)
    assert res.status == Status.PRECISION_LOSS and not res.success
    assert res.nit == 0 and np.array_equal(res.x, w0) and res.fun == 1e12
    assert "precision loss" in res.message and "> tol = 1e-09" in res.message
    assert res.grad_norm == pytest.approx(np.max(np.abs(grad(w0))))


@pytest.mark.parametrize("method", WOLFE_METHODS)
def test_precision_loss_takes_the_best_step_and_converges_if_its_gradient_meets_tol(method, monkeypatch):
    """If the flat line search still found a lower f, the run moves there; a gradient within tol
    there makes the run converged. The line search is replaced by one that reports exactly that."""
    import sys
    cg_module = sys.modules["course_lib.second_order.cg"]
    minimize_module = sys.modules["course_lib.second_order.minimize"]  # the package exports the function

    def flat_search(fun, grad, w, q, **kwargs):
        best = WolfeResult(step=1.0, fun=fun(w + q), grad=grad(w + q), n_fev=1, n_gev=1)
        raise PrecisionLossError("zoom could not find a strong Wolfe step: f is flat", best)

    module = cg_module if method == "cg" else minimize_module
    monkeypatch.setattr(module, "wolfe_line_search", flat_search)
    # w0 + q with q = -grad(w0) lands on the minimiser 0 of f = |w|^2 / 2 for the first step.
    res = minimize(lambda w: 0.5 * w @ w, lambda w: w.copy(), np.array([0.5, -0.25]), method, tol=1e-8)
    assert res.status == Status.CONVERGED and res.success
    assert res.nit == 1 and np.array_equal(res.x, [0.0, 0.0]) and len(res.path) == 2
    assert res.message.startswith("converged")


def test_bad_input_raises_clear_errors():
    w0 = ROSENBROCK_START
    with pytest.raises(ValueError, match="valid methods are newton, cg, bfgs, lbfgs"):
        minimize(rosenbrock, rosenbrock_grad, w0, "adam")
    with pytest.raises(ShapeError, match=r"grad_f\(w\) must return an array of shape \(2,\)"):
        minimize(rosenbrock, lambda w: np.zeros(3), w0, "bfgs")
    with pytest.raises(ValueError, match="grad_f returned non-finite values"):
        minimize(rosenbrock, lambda w: np.array([np.nan, 1.0]), w0, "lbfgs")
    with pytest.raises(ShapeError, match="w0 must be a 1-D vector"):
        minimize(rosenbrock, rosenbrock_grad, w0.reshape(1, 2), "cg")
    with pytest.raises(ShapeError, match="f must return a scalar"):
        minimize(lambda w: w, rosenbrock_grad, w0, "bfgs")
    with pytest.raises(ValueError, match=r"f\(w0\) = nan"):
        minimize(lambda w: np.nan, rosenbrock_grad, w0, "newton")
    with pytest.raises(ShapeError, match=r"hess_f\(w\) must return shape \(2, 2\)"):
        minimize(rosenbrock, rosenbrock_grad, w0, "newton", hess_f=lambda w: np.eye(3))
    with pytest.raises(ValueError, match="tol must be a positive"):
        minimize(rosenbrock, rosenbrock_grad, w0, "bfgs", tol=0)
    with pytest.raises(ValueError, match="memory must be a positive integer"):
        minimize(rosenbrock, rosenbrock_grad, w0, "lbfgs", memory=0)


# ---------------------------------------------------------------- against scipy.optimize

SCIPY_PEERS = {"bfgs": "BFGS", "lbfgs": "L-BFGS-B", "cg": "CG", "newton": "trust-exact"}


def scipy_minimize(method, f, grad, hess, w0, gtol):
    options = {"gtol": gtol}
    if method == "L-BFGS-B":
        options["ftol"] = 0.0  # stop on the gradient only, like ours
    return scipy.optimize.minimize(f, w0, jac=grad, hess=hess if method == "trust-exact" else None,
                                   method=method, options=options)


@pytest.mark.parametrize("method", METHODS)
def test_agrees_with_scipy_on_rosenbrock(method):
    ours = minimize(rosenbrock, rosenbrock_grad, ROSENBROCK_START, method, tol=1e-9,
                    hess_f=rosenbrock_hess)
    theirs = scipy_minimize(SCIPY_PEERS[method], rosenbrock, rosenbrock_grad, rosenbrock_hess,
                            ROSENBROCK_START, 1e-9)
    assert ours.success, ours.message
    assert np.allclose(ours.x, theirs.x, rtol=0, atol=1e-6)
    assert np.allclose(ours.x, [1.0, 1.0], rtol=0, atol=1e-6)


@pytest.fixture(scope="module")
def digits_logistic():
    """'Digit 8 versus the rest' on the 1797 digits, pixels in [0, 1] plus a bias; lam = 1e-2."""
    data = load_digits()
    X = np.hstack([data.data / 16.0, np.ones((data.data.shape[0], 1))])
    y = (data.target == 8).astype(np.float64)
    lam = 1e-2
    return (lambda w: logistic_regression_loss(X, y, w, lam),
            lambda w: logistic_regression_grad(X, y, w, lam),
            lambda w: hessian_logistic_regression(X, y, w, lam))


@pytest.mark.parametrize("method", METHODS)
def test_agrees_with_scipy_on_logistic_regression_on_digits(method, digits_logistic):
    f, grad, hess = digits_logistic
    w0 = np.zeros(65)
    ours = minimize(f, grad, w0, method, tol=1e-9, hess_f=hess)
    theirs = scipy_minimize(SCIPY_PEERS[method], f, grad, hess, w0, 1e-9)
    # Strictly convex (lam > 0): one optimum, and ||w - w*|| <= ||grad||_2 / lam <= 8e-7 for both.
    # tol = 1e-9 is close to what f (about 0.2, rounding 3e-17) resolves: on some CPUs/BLAS the
    # line search meets f flat to rounding first. That is a clean stop, still at the optimum.
    assert ours.success or (ours.status == Status.PRECISION_LOSS and ours.grad_norm < 1e-7), ours.message
    assert np.max(np.abs(ours.x - theirs.x)) < 1e-6
    assert ours.fun == pytest.approx(theirs.fun, rel=1e-10)


class TinyTanhNet:
    """y_hat = tanh(X W1 + b1) w2 + b2 with 3 hidden units on 2-D inputs, loss
    1/(2N) ||y_hat - t||^2 + lam/2 ||w||^2; all 13 parameters in one vector w."""

    def __init__(self, seed=0, hidden=3, lam=1e-3):
        rng = np.random.default_rng(seed)
        self.X = rng.normal(size=(40, 2))
        self.t = np.sin(self.X[:, 0]) + 0.5 * self.X[:, 1] ** 2
        self.h, self.lam = hidden, lam
        self.d = 4 * hidden + 1

    def unpack(self, w):
        h = self.h
        return w[:2 * h].reshape(2, h), w[2 * h:3 * h], w[3 * h:4 * h], w[4 * h]

    def loss(self, w):
        W1, b1, w2, b2 = self.unpack(w)
        r = np.tanh(self.X @ W1 + b1) @ w2 + b2 - self.t
        return 0.5 * np.mean(r ** 2) + 0.5 * self.lam * w @ w

    def grad(self, w):
        W1, b1, w2, b2 = self.unpack(w)
        a = np.tanh(self.X @ W1 + b1)
        r = (a @ w2 + b2 - self.t) / len(self.t)
        dz = np.outer(r, w2) * (1 - a ** 2)
        return np.concatenate([(self.X.T @ dz).ravel(), dz.sum(0), a.T @ r, [r.sum()]]) + self.lam * w


def test_tiny_net_gradient_is_right():
    net = TinyTanhNet()
    w = 0.5 * np.random.default_rng(3).normal(size=net.d)
    assert rel_error(net.grad(w), fd_gradient(net.loss, w.copy())) < 1e-7


@pytest.mark.parametrize("method", METHODS)
def test_agrees_with_scipy_on_a_tiny_tanh_network(method):
    """Non-convex, so different starts can end in different local minima. We start both near
    one minimum (found first by scipy's BFGS, then perturbed) so both should find that one."""
    net = TinyTanhNet()
    w_init = 0.5 * np.random.default_rng(10).normal(size=net.d)
    w_min = scipy.optimize.minimize(net.loss, w_init, jac=net.grad, method="BFGS",
                                    options={"gtol": 1e-8}).x
    w0 = w_min + 0.05 * np.random.default_rng(11).normal(size=net.d)
    hess = lambda w: hessian_fd(net.grad, w)  # noqa: E731
    ours = minimize(net.loss, net.grad, w0, method, tol=1e-8)
    theirs = scipy_minimize(SCIPY_PEERS[method], net.loss, net.grad, hess, w0, 1e-8)
    assert ours.success, ours.message
    assert ours.fun == pytest.approx(theirs.fun, rel=1e-9)
    assert np.max(np.abs(ours.x - theirs.x)) < 1e-5


def test_newton_on_a_tiny_net_from_a_random_start_reaches_a_local_minimum():
    net = TinyTanhNet()
    w0 = 0.5 * np.random.default_rng(12).normal(size=net.d)
    res = minimize(net.loss, net.grad, w0, "newton", tol=1e-8)
    assert res.success, res.message
    assert res.info["hessian_fallbacks"] >= 1  # far from a minimum the Hessian is indefinite
    assert any("indefinite Hessian" in w for w in res.warnings)
    H = hessian_fd(net.grad, res.x)
    eigenvalues = np.linalg.eigvalsh(H)
    assert eigenvalues[0] > -1e-8 * eigenvalues[-1]  # a minimum, not a saddle
