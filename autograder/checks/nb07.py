"""Hidden grading checks of notebook 07 (second-order methods).

Each ``grade_<function>`` builds fresh seeded cases (other dimensions,
steps, problems and start points than the self-checks show), computes the
right answers with course_lib's references and what the typical mistakes give
with the catalogue below, and replays the self-check case functions of
course_lib/selfcheck/nb07.py on them. autograder/expected/nb07.py stores cases
made by the same builders, on other seeds, for the visible self-checks.

The catalogue (names as in course_lib.selfcheck.nb07.MISTAKES):
  hessian_fd      not symmetrised, transposed and not symmetrised, one-sided
                  differences (symmetrised or not), divided by eps instead of 2 eps;
  newton_step     wrong sign, the step instead of the new point, H grad instead
                  of H^-1 grad, a plain gradient step;
  hvp_fd          divided by delta instead of the step h, the step delta v, the
                  step without max(1, ||w||), centered differences, no division,
                  the product with v / ||v||;
  conjugate_gradient  beta with the wrong sign, beta = 0 (steepest descent),
                  the textbook beta upside down, beta from the old residual,
                  r_0 = b ignoring x0, steps of the wrong sign;
  backtracking    Armijo with the wrong sign, any decrease (no c), slope
                  -||grad||^2, eta0 ignored, shrink ignored, one shrink too many,
                  no eta in the Armijo term;
  bfgs_update     s and y swapped, no rho s s^T, rho = 1/(s.s), factors in the
                  wrong order, the Hessian (B) update, - rho s s^T;
  lbfgs_direction loops in the wrong order, alphas misaligned, +H_inv grad,
                  gamma = 1, gamma from the oldest pair, gamma upside down.

The test problems are plain functions of the judge (quadratics, Rosenbrock,
the quartic of course_lib.selfcheck.nb07, logistic regression on digits); a
sandboxed submission calls them back with plain arrays, and the objects that
conjugate_gradient and minimize return are read through their attributes
(x, path) only.
"""
from functools import lru_cache

import numpy as np

from course_lib.data import load_digits
from course_lib.second_order import backtracking_line_search as reference_backtracking
from course_lib.second_order import (
    bfgs_update as reference_bfgs_update,
)
from course_lib.second_order import (
    conjugate_gradient as reference_cg,
)
from course_lib.second_order import (
    hessian_fd as reference_hessian_fd,
)
from course_lib.second_order import (
    hessian_logistic_regression,
    logistic_regression_grad,
    logistic_regression_loss,
)
from course_lib.second_order import (
    hvp_fd as reference_hvp_fd,
)
from course_lib.second_order import (
    lbfgs_direction as reference_lbfgs_direction,
)
from course_lib.second_order import (
    minimize as reference_minimize,
)
from course_lib.second_order import (
    newton_step as reference_newton_step,
)
from course_lib.selfcheck.common import matrix_with_eigenvalues
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb07 import (
    check_backtracking_cases,
    check_backtracking_errors,
    check_bfgs_secant,
    check_bfgs_update_case,
    check_conjugate_gradient_case,
    check_conjugate_gradient_solves,
    check_hessian_fd_case,
    check_hvp_fd_case,
    check_hvp_zero,
    check_lbfgs_direction_case,
    check_lbfgs_secant,
    check_minimize_run,
    check_newton_step_case,
    make_problem,
    quadratic_case,
)
from course_lib.validation import check_rng

SEED = 7700

# ----------------------------------------------------------------------------- inputs


def spd_matrix(rng, d, low=1.0, high=10.0):
    """A symmetric positive definite (d, d) matrix with eigenvalues spread evenly from low to high."""
    return matrix_with_eigenvalues(check_rng(rng), np.linspace(low, high, d))


def seeded_cases(make_case, seed, settings):
    """[make_case(rng, *setting) for each setting], all drawing from one generator seeded with ``seed``."""
    rng = np.random.default_rng(seed)
    return [make_case(rng, *setting) for setting in settings]


def random_vector(rng, d, norm):
    """A Gaussian vector rescaled to the given 2-norm."""
    v = check_rng(rng).standard_normal(d)
    return norm * v / np.linalg.norm(v)


def problem_case(rng, kind, d):
    """The problem entries of a case: "quadratic", "quartic" or "rosenbrock" in d variables."""
    rng = check_rng(rng)
    if kind == "quadratic":
        return quadratic_case(spd_matrix(rng, d, 1.0, 8.0), rng.standard_normal(d))
    if kind == "quartic":
        B = rng.uniform(0.5, 1.5, (d, d)) * rng.choice([-1.0, 1.0], (d, d))
        np.fill_diagonal(B, 0.0)
        return {"problem": np.array("quartic"), "A": spd_matrix(rng, d, 2.0, 6.0), "B": B}
    if kind == "rosenbrock":
        return {"problem": np.array("rosenbrock"), "d": np.array(d)}
    raise ValueError(f"unknown problem kind {kind!r}")


# ----------------------------------------------------------------------------- hessian_fd


def _fd_columns(grad, w, eps, one_sided=False):
    """The raw finite-difference matrix, column j = derivative of grad along e_j (not symmetrised)."""
    d = w.size
    J = np.empty((d, d))
    g0 = grad(w)
    for j in range(d):
        e = np.zeros(d)
        e[j] = eps
        J[:, j] = (grad(w + e) - g0) / eps if one_sided else (grad(w + e) - grad(w - e)) / (2 * eps)
    return J


def hessian_mistakes(grad, w, eps):
    J = _fd_columns(grad, w, eps)
    F = _fd_columns(grad, w, eps, one_sided=True)
    return {
        "hess_not_symmetrised": J,
        "hess_transposed": J.T.copy(),
        "hess_one_sided": 0.5 * (F + F.T),
        "hess_one_sided_unsym": F,
        "hess_no_half": J + J.T,
    }


def hessian_case(rng, kind, d, eps):
    rng = check_rng(rng)
    case = problem_case(rng, kind, d)
    if kind == "rosenbrock":
        w = rng.uniform(-1.5, 1.5, d)
    else:
        w = rng.uniform(0.6, 1.6, d) * rng.choice([-1.0, 1.0], d)
    _, grad = make_problem(case)
    case.update(w=w, eps=np.array(float(eps)), H=reference_hessian_fd(grad, w, eps))
    case["mistakes"] = hessian_mistakes(grad, w, eps)
    return case


VISIBLE_HESSIAN = [("quartic", 3, 0.05), ("quartic", 4, 1e-5), ("rosenbrock", 4, 1e-4)]
HIDDEN_HESSIAN = [("quartic", 5, 0.1), ("quartic", 2, 0.03), ("rosenbrock", 3, 1e-5), ("quadratic", 1, 1e-3),
                  ("quartic", 6, 1e-4)]


def grade_hessian_fd(hessian_fd):
    """Fresh quartics (large steps show the symmetrisation), Rosenbrock, a 1-variable quadratic."""
    for case in seeded_cases(hessian_case, SEED + 1, HIDDEN_HESSIAN):
        check_hessian_fd_case(hessian_fd, case)


# ----------------------------------------------------------------------------- newton_step


def newton_case(rng, d, kind="spd"):
    rng = check_rng(rng)
    if kind == "spd":
        hess = spd_matrix(rng, d, 0.5, 20.0)
    else:  # indefinite: one negative eigenvalue; the raw step is still w - H^-1 grad
        eigenvalues = np.linspace(1.0, 5.0, d)
        eigenvalues[0] = -2.0
        hess = matrix_with_eigenvalues(rng, eigenvalues)
    w, grad = rng.standard_normal(d), 2.0 * rng.standard_normal(d)
    step = np.linalg.solve(hess, grad)
    return {
        "w": w, "grad": grad, "hess": hess,
        "w_new": reference_newton_step(w, grad, hess, check=False),
        "mistakes": {
            "newton_sign": w + step,
            "newton_step_only": -step,
            "newton_hess_times_grad": w - hess @ grad,
            "newton_gradient_step": w - grad,
        },
    }


VISIBLE_NEWTON = [(3, "spd"), (5, "spd"), (2, "indefinite")]
HIDDEN_NEWTON = [(4, "spd"), (7, "spd"), (3, "indefinite"), (1, "spd")]


def grade_newton_step(newton_step):
    """Fresh positive definite and indefinite Hessians (the raw step), and one variable."""
    for case in seeded_cases(newton_case, SEED + 2, HIDDEN_NEWTON):
        check_newton_step_case(newton_step, case)


# ----------------------------------------------------------------------------- hvp_fd


def hvp_mistakes(grad, w, v, delta):
    v_norm = np.linalg.norm(v)
    h = delta * max(1.0, np.linalg.norm(w)) / v_norm
    g0, g_plus = grad(w), grad(w + h * v)
    h_unit = delta * max(1.0, np.linalg.norm(w))
    h_no_w = delta / v_norm
    return {
        "hvp_divide_by_delta": (g_plus - g0) / delta,
        "hvp_unscaled_step": (grad(w + delta * v) - g0) / delta,
        "hvp_no_max_w": (grad(w + h_no_w * v) - g0) / h_no_w,
        "hvp_centered": (g_plus - grad(w - h * v)) / (2 * h),
        "hvp_no_division": g_plus - g0,
        "hvp_unit_v": (grad(w + h_unit * v / v_norm) - g0) / h_unit,
    }


def hvp_case(rng, kind, d, w_norm, v_norm, delta):
    rng = check_rng(rng)
    case = problem_case(rng, kind, d)
    w = random_vector(rng, d, w_norm)
    v = random_vector(rng, d, v_norm)
    _, grad = make_problem(case)
    case.update(w=w, v=v, delta=np.array(float(delta)), Hv=reference_hvp_fd(grad, w, v, delta))
    case["mistakes"] = hvp_mistakes(grad, w, v, delta)
    return case


VISIBLE_HVP = [("quadratic", 4, 2.5, 0.4, 1e-6), ("quadratic", 3, 0.5, 3.0, 1e-6),
               ("rosenbrock", 5, 2.5, 0.3, 1e-3), ("quartic", 3, 1.7, 0.6, 1e-2)]
HIDDEN_HVP = [("quadratic", 6, 4.0, 0.2, 1e-7), ("quadratic", 1, 3.0, 0.5, 1e-6),
              ("rosenbrock", 3, 1.8, 0.25, 2e-3), ("quartic", 2, 2.2, 1.7, 5e-3), ("quartic", 5, 0.6, 0.35, 1e-2)]


def grade_hvp_fd(hvp_fd):
    """Fresh quadratics (||w|| above and below 1, short and long v), non-quadratic problems with large
    steps (they tell the step rules apart), and v = 0."""
    cases = seeded_cases(hvp_case, SEED + 3, HIDDEN_HVP)
    for case in cases:
        check_hvp_fd_case(hvp_fd, case)
    check_hvp_zero(hvp_fd, cases[0])


# ----------------------------------------------------------------------------- conjugate_gradient


def cg_variant_iterates(A, b, x0, variant=None):
    """x after k = 1..d iterations of linear CG, right (variant None) or with one mistake; shape (d, d)."""
    d = b.size
    x = np.zeros(d) if x0 is None else x0.astype(np.float64).copy()
    r = b.copy() if (x0 is None or variant == "cg_ignores_x0") else b - A @ x
    q = r.copy()
    out = []
    for _ in range(d):
        Hq = A @ q
        curvature = q @ Hq
        alpha = (r @ q) / curvature
        x = x - alpha * q if variant == "cg_alpha_sign" else x + alpha * q
        r_old = r
        r = r - alpha * Hq
        if variant == "cg_beta_sign":
            q = r + ((Hq @ r) / curvature) * q
        elif variant == "cg_steepest":
            q = r.copy()
        elif variant == "cg_fr_inverted":
            q = r + ((r_old @ r_old) / (r @ r)) * q
        elif variant == "cg_beta_old_r":
            q = r - ((Hq @ r_old) / curvature) * q
        else:
            q = r - ((Hq @ r) / curvature) * q
        out.append(x.copy())
    return np.array(out)


CG_MISTAKES = ("cg_beta_sign", "cg_steepest", "cg_fr_inverted", "cg_beta_old_r", "cg_ignores_x0", "cg_alpha_sign")


def cg_case(rng, d, x0_given, high=10.0):
    rng = check_rng(rng)
    A = spd_matrix(rng, d, 1.0, high)
    b = rng.standard_normal(d)
    x0 = rng.standard_normal(d) if x0_given else None
    hvp = lambda v: A @ v  # noqa: E731
    iterates = np.array([reference_cg(hvp, b, x0, tol=1e-14, max_iter=k).x for k in range(1, d + 1)])
    return {
        "A": A, "b": b, "x0": np.zeros(d) if x0 is None else x0, "x0_given": np.array(bool(x0_given)),
        "iterates": iterates,
        "mistakes": {slug: cg_variant_iterates(A, b, x0, slug) for slug in CG_MISTAKES},
    }


VISIBLE_CG = [(4, False), (5, True)]
HIDDEN_CG = [(6, True), (3, False), (7, False, 50.0)]


def grade_conjugate_gradient(conjugate_gradient):
    """Fresh systems iteration by iteration (with and without x0), then full solves in d steps of a
    12 x 12 system and a 2 x 2 one."""
    for case in seeded_cases(cg_case, SEED + 4, HIDDEN_CG):
        check_conjugate_gradient_case(conjugate_gradient, case)
    rng = np.random.default_rng(SEED + 5)
    for d, high in ((12, 30.0), (2, 4.0)):
        check_conjugate_gradient_solves(conjugate_gradient, spd_matrix(rng, d, 1.0, high), rng.standard_normal(d),
                                        f"a positive definite system with eigenvalues 1 to {high:g}")


# ----------------------------------------------------------------------------- backtracking_line_search


def backtracking_variant(f, grad, w, q, eta0, c, shrink, variant=None, max_iter=60):
    """The step a mistaken line search returns (nan when it finds none)."""
    f0, g0 = f(w), grad(w)
    slope = g0 @ q
    eta = 1.0 if variant == "ls_ignores_eta0" else eta0
    factor = 0.5 if variant == "ls_ignores_shrink" else shrink
    for _ in range(max_iter):
        value = f(w + eta * q)
        if variant == "ls_armijo_sign":
            ok = value <= f0 - c * eta * slope
        elif variant == "ls_no_c":
            ok = value < f0
        elif variant == "ls_grad_norm_slope":
            ok = value <= f0 - c * eta * (g0 @ g0)
        elif variant == "ls_no_eta":
            ok = value <= f0 + c * slope
        else:
            ok = value <= f0 + c * eta * slope
        if ok:
            return eta * shrink if variant == "ls_shrinks_once_more" else eta
        eta *= factor
    return np.nan


LS_MISTAKES = ("ls_armijo_sign", "ls_no_c", "ls_grad_norm_slope", "ls_ignores_eta0", "ls_ignores_shrink",
               "ls_shrinks_once_more", "ls_no_eta")


def ls_case(rng, kind, d, eta0, c, shrink, preconditioned):
    """A line search along -grad (or -M grad with a random positive definite M when preconditioned).

    ``eta0`` is a number, or for a quadratic a string "<k>*": k times the exact minimiser along q.
    Between 2 and 2 (1 + c) times it, f has grown but by less than c eta |grad.q|: the step that
    tells Armijo with the wrong sign from "any decrease".
    """
    rng = check_rng(rng)
    case = problem_case(rng, kind, d)
    w = np.array([-1.2, 1.0]) if kind == "rosenbrock" and d == 2 else rng.uniform(-1.5, 1.5, d)
    f, grad = make_problem(case)
    g = grad(w)
    q = -(spd_matrix(rng, d, 0.2, 3.0) @ g) if preconditioned else -g
    if isinstance(eta0, str):
        eta0 = float(eta0.rstrip("*")) * -(g @ q) / (q @ case["A"] @ q)
    case.update(w=w, direction=q, eta0=np.array(float(eta0)), c=np.array(float(c)),
                shrink=np.array(float(shrink)),
                eta=np.array(reference_backtracking(f, grad, w, q, eta0=eta0, c=c, shrink=shrink, max_iter=60)))
    case["mistakes"] = {slug: np.array(backtracking_variant(f, grad, w, q, eta0, c, shrink, slug))
                        for slug in LS_MISTAKES}
    return case


VISIBLE_LS = [("rosenbrock", 2, 1.0, 1e-4, 0.5, False), ("quadratic", 3, 3.0, 0.3, 0.5, True),
              ("quadratic", 4, 1.0, 0.45, 0.3, True), ("quartic", 3, 0.7, 0.2, 0.8, False),
              ("quadratic", 3, "2.4*", 0.45, 0.5, False)]
HIDDEN_LS = [("rosenbrock", 3, 1.0, 1e-4, 0.5, False), ("quadratic", 5, 2.5, 0.35, 0.6, True),
             ("quadratic", 2, 1.0, 0.45, 0.25, True), ("quartic", 4, 0.9, 0.15, 0.7, True),
             ("rosenbrock", 2, 3.0, 0.4, 0.4, True), ("quadratic", 4, "2.2*", 0.4, 0.5, True)]


def grade_backtracking_line_search(backtracking_line_search):
    """Fresh problems, directions, eta0, c and shrink; then the error cases."""
    check_backtracking_cases(backtracking_line_search, seeded_cases(ls_case, SEED + 6, HIDDEN_LS))
    check_backtracking_errors(backtracking_line_search)


# ----------------------------------------------------------------------------- bfgs_update


def bfgs_mistakes(H, s, y):
    d = s.size
    I = np.eye(d)

    def product_form(H, s, y, rho):
        return (I - rho * np.outer(s, y)) @ H @ (I - rho * np.outer(y, s)) + rho * np.outer(s, s)

    rho = 1.0 / (y @ s)
    B_s = H @ s
    return {
        "bfgs_swapped": product_form(H, y, s, rho),
        "bfgs_no_ss": (I - rho * np.outer(s, y)) @ H @ (I - rho * np.outer(y, s)),
        "bfgs_rho_ss": product_form(H, s, y, 1.0 / (s @ s)),
        "bfgs_factors_swapped": (I - rho * np.outer(y, s)) @ H @ (I - rho * np.outer(s, y)) + rho * np.outer(s, s),
        "bfgs_hessian_form": H + np.outer(y, y) * rho - np.outer(B_s, B_s) / (s @ B_s),
        "bfgs_ss_minus": (I - rho * np.outer(s, y)) @ H @ (I - rho * np.outer(y, s)) - rho * np.outer(s, s),
    }


def bfgs_case(rng, d, from_quadratic):
    """H_inv positive definite; (s, y) from a quadratic (y = A s) or random with y . s > 0."""
    rng = check_rng(rng)
    if from_quadratic:
        H, A = np.eye(d), spd_matrix(rng, d, 1.0, 6.0)
        s = rng.standard_normal(d)
        y = A @ s
    else:
        H = spd_matrix(rng, d, 0.3, 3.0)
        s = rng.standard_normal(d)
        y = s * rng.uniform(0.5, 2.0, d) + 0.2 * rng.standard_normal(d)
        if y @ s <= 0.1 * np.linalg.norm(y) * np.linalg.norm(s):
            y = s + 0.1 * y
    return {"H_inv": H, "s": s, "y": y, "H_new": reference_bfgs_update(H, s, y),
            "mistakes": bfgs_mistakes(H, s, y)}


VISIBLE_BFGS = [(4, False), (2, False), (6, True)]
HIDDEN_BFGS = [(5, False), (3, True), (7, False)]


def grade_bfgs_update(bfgs_update):
    """Fresh cases against the reference, then symmetry and the secant equation on a fresh pair."""
    for case in seeded_cases(bfgs_case, SEED + 8, HIDDEN_BFGS):
        check_bfgs_update_case(bfgs_update, case)
    check_bfgs_secant(bfgs_update, rng=SEED + 7)


# ----------------------------------------------------------------------------- lbfgs_direction


def lbfgs_variant(grad, S, Y, variant=None):
    """A two-loop recursion with one mistake (see the module docstring)."""
    m = len(S)
    rhos = [1.0 / (y @ s) for s, y in zip(S, Y)]
    first = range(m) if variant == "lbfgs_loops_reversed" else range(m - 1, -1, -1)
    a = grad.copy()
    alphas = {}
    order = []
    for i in first:
        alphas[i] = rhos[i] * (S[i] @ a)
        a = a - alphas[i] * Y[i]
        order.append(i)
    if m == 0 or variant == "lbfgs_gamma_one":
        gamma = 1.0
    elif variant == "lbfgs_gamma_oldest":
        gamma = (S[0] @ Y[0]) / (Y[0] @ Y[0])
    elif variant == "lbfgs_gamma_inverted":
        gamma = (Y[-1] @ Y[-1]) / (S[-1] @ Y[-1])
    else:
        gamma = (S[-1] @ Y[-1]) / (Y[-1] @ Y[-1])
    a = gamma * a
    second = reversed(order)
    stored = [alphas[i] for i in order]  # in the order the first loop produced them
    for k, i in enumerate(second):
        alpha = stored[k] if variant == "lbfgs_alphas_misaligned" else alphas[i]
        beta = rhos[i] * (Y[i] @ a)
        a = a + (alpha - beta) * S[i]
    return a if variant == "lbfgs_sign" else -a


LBFGS_MISTAKES = ("lbfgs_loops_reversed", "lbfgs_alphas_misaligned", "lbfgs_sign", "lbfgs_gamma_one",
                  "lbfgs_gamma_oldest", "lbfgs_gamma_inverted")


def lbfgs_pairs(rng, d, m):
    """m pairs (s, y) from a quadratic with a curved spectrum: y = A s, so y . s > 0."""
    rng = check_rng(rng)
    A = spd_matrix(rng, d, 0.5, 12.0)
    S = rng.standard_normal((m, d)) * rng.uniform(0.3, 2.0, (m, 1))
    return S, S @ A.T


def lbfgs_case(rng, d, m):
    rng = check_rng(rng)
    S, Y = lbfgs_pairs(rng, d, m)
    grad = rng.standard_normal(d)
    return {"grad": grad, "S": S, "Y": Y, "q": reference_lbfgs_direction(grad, list(S), list(Y)),
            "mistakes": {slug: lbfgs_variant(grad, S, Y, slug) for slug in LBFGS_MISTAKES}}


VISIBLE_LBFGS = [(5, 3), (4, 1), (6, 5)]
HIDDEN_LBFGS = [(7, 4), (3, 2), (8, 6), (2, 1)]


def grade_lbfgs_direction(lbfgs_direction):
    """Fresh pairs (1 to 6 of them) against the reference, and the newest pair's secant equation."""
    cases = seeded_cases(lbfgs_case, SEED + 9, HIDDEN_LBFGS)
    for case in cases:
        check_lbfgs_direction_case(lbfgs_direction, case)
    check_lbfgs_secant(lbfgs_direction, cases[0]["S"], cases[0]["Y"])
    q = np.asarray(lbfgs_direction(np.array([1.0, -3.0]), [], []), dtype=np.float64)
    if q.shape != (2,) or not np.allclose(q, [-1.0, 3.0], rtol=1e-12, atol=0):
        raise CheckFailure("lbfgs_direction with empty lists must return -grad (H_0 = I).")


# ----------------------------------------------------------------------------- minimize


@lru_cache(maxsize=None)
def digits_logistic(lam=0.1):
    """Logistic regression telling 3 from 8 on 4x4-pooled digits (16 features and a bias), L2 lam.

    Returns (f, grad, w_star, label); w_star from course_lib's Newton with the exact Hessian.
    """
    data = load_digits(seed=0, standardize=False)
    keep = (data.y_train == 3) | (data.y_train == 8)
    images = data.x_train[keep].reshape(-1, 4, 2, 4, 2).mean(axis=(2, 4)).reshape(-1, 16) / 16.0
    X = np.hstack([images, np.ones((len(images), 1))])
    y = (data.y_train[keep] == 8).astype(np.float64)

    def f(w):
        return logistic_regression_loss(X, y, w, lam)

    def grad(w):
        return logistic_regression_grad(X, y, w, lam)

    result = reference_minimize(f, grad, np.zeros(X.shape[1]), "newton", tol=1e-12,
                                hess_f=lambda w: hessian_logistic_regression(X, y, w, lam))
    return f, grad, result.x, f"L2-regularised logistic regression on digits (3 vs 8, {X.shape[1]} weights)"


def hidden_problems():
    """(label, f, grad, w0, w_star, bounds, newton_in_one_step) for the hidden minimize checks."""
    rng = np.random.default_rng(SEED + 10)
    A = spd_matrix(rng, 7, 1.0, 20.0)
    b = rng.standard_normal(7)
    quad7 = make_problem(quadratic_case(A, b), "minimize")
    quad1 = make_problem(quadratic_case(np.array([[3.0]]), np.array([-2.0])), "minimize")
    rosen = make_problem({"problem": np.array("rosenbrock"), "d": np.array(2)}, "minimize")
    logistic = digits_logistic()
    return [
        ("a quadratic in 7 variables (eigenvalues of A from 1 to 20)", *quad7, rng.standard_normal(7),
         np.linalg.solve(A, b), "quadratic", True),
        ("a quadratic in 1 variable", *quad1, np.array([4.0]), np.array([-2.0 / 3.0]), "quadratic", True),
        ("Rosenbrock's function in 2 variables", *rosen, np.array([2.0, -1.0]), np.ones(2), "rosenbrock", False),
        (logistic[3], logistic[0], logistic[1], np.zeros(17), logistic[2], "other", False),
    ]


def _grade_minimize(minimize, method):
    for label, f, grad, w0, w_star, bounds, one_step in hidden_problems():
        check_minimize_run(minimize, method, f, grad, w0, w_star, label, bounds,
                           one_step=one_step and method == "newton")


def grade_minimize_newton(minimize):
    """Newton: one step on fresh quadratics, then Rosenbrock from (2, -1) and logistic regression."""
    _grade_minimize(minimize, "newton")


def grade_minimize_cg(minimize):
    _grade_minimize(minimize, "cg")


def grade_minimize_bfgs(minimize):
    _grade_minimize(minimize, "bfgs")


def grade_minimize_lbfgs(minimize):
    _grade_minimize(minimize, "lbfgs")
