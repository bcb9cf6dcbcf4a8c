"""Fresh cases of notebook 07's hidden checks, with the answers from course_lib's references.

The inputs are drawn by the home's builders (course_lib/selfcheck/nb07/cases.py)
from fixed seeds, with other dimensions, steps, problems and start points
than the self-checks show; ``<x>_case(rng, *setting)`` adds the right
answer (the reference) and what the known mistakes give (mistaken.py). The
same builders make the stored cases of the self-checks (stored.py), on
other seeds and settings.

The test problems are plain functions of the judge (quadratics, Rosenbrock,
the quartic of course_lib/selfcheck/nb07/problems.py, logistic regression on
digits); a sandboxed submission calls them back with plain arrays, and the
objects that conjugate_gradient and minimize return are read through their
attributes (x, path) only.
"""
from functools import lru_cache

import numpy as np

from autograder.checks.nb07.mistaken import (
    CG_MISTAKES,
    LBFGS_MISTAKES,
    LS_MISTAKES,
    backtracking_variant,
    bfgs_mistakes,
    cg_variant_iterates,
    hessian_mistakes,
    hvp_mistakes,
    lbfgs_variant,
    newton_mistakes,
)
from course_lib.data import load_digits
from course_lib.second_order import (
    backtracking_line_search,
    bfgs_update,
    conjugate_gradient,
    hessian_fd,
    hessian_logistic_regression,
    hvp_fd,
    lbfgs_direction,
    logistic_regression_grad,
    logistic_regression_loss,
    minimize,
    newton_step,
)
from course_lib.selfcheck.nb07.cases import (
    BfgsSecant,
    CgSolves,
    HvpAtZero,
    LbfgsNoPairs,
    LbfgsSecant,
    LineSearchCases,
    LineSearchErrors,
    MinimizeRun,
    bfgs_inputs,
    cg_inputs,
    hessian_inputs,
    hvp_inputs,
    lbfgs_inputs,
    ls_inputs,
    newton_inputs,
    quadratic_hessian,
    seeded_cases,
    spd_matrix,
)
from course_lib.selfcheck.nb07.problems import make_problem, quadratic_case

SEED = 7700

HIDDEN_HESSIAN = [("quartic", 5, 0.1), ("quartic", 2, 0.03), ("rosenbrock", 3, 1e-5), ("quadratic", 1, 1e-3),
                  ("quartic", 6, 1e-4)]
HIDDEN_NEWTON = [(4, "spd"), (7, "spd"), (3, "indefinite"), (1, "spd")]
HIDDEN_HVP = [("quadratic", 6, 4.0, 0.2, 1e-7), ("quadratic", 1, 3.0, 0.5, 1e-6),
              ("rosenbrock", 3, 1.8, 0.25, 2e-3), ("quartic", 2, 2.2, 1.7, 5e-3), ("quartic", 5, 0.6, 0.35, 1e-2),
              ("rosenbrock", 4, 1.6, 0.7, 1e-6)]  # delta = 1e-6 (and eps = 1e-5 above): called at the default
HIDDEN_CG = [(6, True), (3, False), (7, False, 50.0)]
HIDDEN_LS = [("rosenbrock", 3, 1.0, 1e-4, 0.5, False), ("quadratic", 5, 2.5, 0.35, 0.6, True),
             ("quadratic", 2, 1.0, 0.45, 0.25, True), ("quartic", 4, 0.9, 0.15, 0.7, True),
             ("rosenbrock", 2, 3.0, 0.4, 0.4, True), ("quadratic", 4, "2.2*", 0.4, 0.5, True)]
HIDDEN_BFGS = [(5, False), (3, True), (7, False)]
HIDDEN_LBFGS = [(7, 4), (3, 2), (8, 6), (2, 1)]

# ----------------------------------------------------------------------------- data cases: inputs + answers


def hessian_case(rng, kind, d, eps):
    case = hessian_inputs(rng, kind, d, eps)
    _, grad = make_problem(case)
    case["H"] = hessian_fd(grad, case["w"], eps)
    case["mistakes"] = hessian_mistakes(grad, case["w"], eps)
    return case


def newton_case(rng, d, kind="spd"):
    case = newton_inputs(rng, d, kind)
    w, grad, hess = case["w"], case["grad"], case["hess"]
    case["w_new"] = newton_step(w, grad, hess, check=False)  # the graded step is the raw one
    case["mistakes"] = newton_mistakes(w, grad, hess)
    return case


def hvp_case(rng, kind, d, w_norm, v_norm, delta):
    case = hvp_inputs(rng, kind, d, w_norm, v_norm, delta)
    _, grad = make_problem(case)
    case["Hv"] = hvp_fd(grad, case["w"], case["v"], delta)
    case["mistakes"] = hvp_mistakes(grad, case["w"], case["v"], delta)
    return case


def cg_case(rng, d, x0_given, high=10.0):
    case = cg_inputs(rng, d, x0_given, high)
    A, b = case["A"], case["b"]
    x0 = case["x0"] if x0_given else None
    hvp = lambda v: A @ v  # noqa: E731
    case["iterates"] = np.array([conjugate_gradient(hvp, b, x0, tol=1e-14, max_iter=k).x for k in range(1, d + 1)])
    case["mistakes"] = {slug: cg_variant_iterates(A, b, x0, slug) for slug in CG_MISTAKES}
    return case


def ls_case(rng, kind, d, eta0, c, shrink, preconditioned):
    case = ls_inputs(rng, kind, d, eta0, c, shrink, preconditioned)
    f, grad = make_problem(case)
    w, q, eta0 = case["w"], case["direction"], float(case["eta0"])
    case["eta"] = np.array(backtracking_line_search(f, grad, w, q, eta0=eta0, c=c, shrink=shrink, max_iter=60))
    case["mistakes"] = {slug: np.array(backtracking_variant(f, grad, w, q, eta0, c, shrink, slug))
                        for slug in LS_MISTAKES}
    return case


def bfgs_case(rng, d, from_quadratic):
    case = bfgs_inputs(rng, d, from_quadratic)
    H, s, y = case["H_inv"], case["s"], case["y"]
    case["H_new"] = bfgs_update(H, s, y)
    case["mistakes"] = bfgs_mistakes(H, s, y)
    return case


def lbfgs_case(rng, d, m):
    case = lbfgs_inputs(rng, d, m)
    grad, S, Y = case["grad"], case["S"], case["Y"]
    case["q"] = lbfgs_direction(grad, list(S), list(Y))
    case["mistakes"] = {slug: lbfgs_variant(grad, S, Y, slug) for slug in LBFGS_MISTAKES}
    return case


# ----------------------------------------------------------------------------- the hidden checks' cases


def fresh_hessian_fd_cases():
    """Quartics (large steps show the symmetrisation), Rosenbrock, a 1-variable quadratic, then a
    3-variable quadratic whose Hessian is A (also called without eps, at its default)."""
    return [*seeded_cases(hessian_case, SEED + 1, HIDDEN_HESSIAN), quadratic_hessian(SEED + 11)]


def fresh_newton_step_cases():
    """Positive definite and indefinite Hessians (the raw step), and one variable."""
    return seeded_cases(newton_case, SEED + 2, HIDDEN_NEWTON)


def fresh_hvp_fd_cases():
    """Quadratics (||w|| above and below 1, short and long v), non-quadratic problems with large
    steps (they tell the step rules apart), and v = 0."""
    cases = seeded_cases(hvp_case, SEED + 3, HIDDEN_HVP)
    return [*cases, HvpAtZero(cases[0])]


def fresh_conjugate_gradient_cases():
    """Systems iteration by iteration (with and without x0), then full solves in d steps of a
    12 x 12 system and a 2 x 2 one."""
    yield from seeded_cases(cg_case, SEED + 4, HIDDEN_CG)
    rng = np.random.default_rng(SEED + 5)
    for d, high in ((12, 30.0), (2, 4.0)):
        yield CgSolves(spd_matrix(rng, d, 1.0, high), rng.standard_normal(d),
                       f"a positive definite system with eigenvalues 1 to {high:g}")


def fresh_backtracking_line_search_cases():
    """Problems, directions, eta0, c and shrink; then the error cases."""
    return [LineSearchCases(tuple(seeded_cases(ls_case, SEED + 6, HIDDEN_LS))), LineSearchErrors()]


def fresh_bfgs_update_cases():
    """Pairs against the reference, then symmetry and the secant equation on a fresh pair."""
    return [*seeded_cases(bfgs_case, SEED + 8, HIDDEN_BFGS), BfgsSecant(SEED + 7)]


def fresh_lbfgs_direction_cases():
    """Pairs (1 to 6 of them) against the reference, the newest pair's secant equation, no pairs."""
    cases = seeded_cases(lbfgs_case, SEED + 9, HIDDEN_LBFGS)
    return [*cases, LbfgsSecant(cases[0]["S"], cases[0]["Y"]), LbfgsNoPairs(np.array([1.0, -3.0]), brief=True)]


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

    result = minimize(f, grad, np.zeros(X.shape[1]), "newton", tol=1e-12,
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




def first_iterate(method, f, grad, w0):
    """w_1 of the notebook's minimize (its steps 1 to 3, once) from w0, with course_lib's references.

    newton: q = newton_step(w0, g, H) - w0 with H = hessian_fd(grad, w0), eta0 = 1; cg: q = -g,
    eta0 = -g.q / q^T H q with H q = hvp_fd(grad, w0, q); bfgs, lbfgs: q = -g (H_inv = I, no pairs),
    eta0 = 1; then eta = backtracking_line_search(f, grad, w0, q, eta0=eta0) at its defaults.
    None for Newton where H is not positive definite (the notebook's saddle-free direction is not graded).
    """
    w = np.array(w0, dtype=np.float64)
    g = grad(w)
    q, eta0 = -g, 1.0
    if method == "newton":
        H = hessian_fd(grad, w)
        if np.linalg.eigvalsh(H)[0] <= 0:
            return None
        q = newton_step(w, g, H, check=False) - w
    elif method == "cg":
        curvature = q @ hvp_fd(grad, w, q)
        if curvature > 0:
            eta0 = -(g @ q) / curvature
    return w + backtracking_line_search(f, grad, w, q, eta0=eta0) * q


def fresh_minimize_runs(method):
    """Newton: one step on fresh quadratics; every method: Rosenbrock from (2, -1) and logistic regression;
    on each, the first iterate of the notebook's method."""
    return [MinimizeRun(method, f, grad, w0, w_star, label, bounds, one_step=one_step and method == "newton",
                        first=first_iterate(method, f, grad, w0))
            for label, f, grad, w0, w_star, bounds, one_step in hidden_problems()]
