"""Self-checks of notebook 07 (second-order methods), shipped with the student release.

No reference implementation of a graded function is used here. What a
student's function is compared with:
  * stored cases, ``expected("nb07", key)``: inputs (test problems are stored
    as their parameters, see ``make_problem``), the right outputs, and what
    the typical mistakes give on the same inputs (computed by the instructor's
    build, autograder/expected/nb07.py, from course_lib and the catalogue in
    autograder/checks/nb07.py);
  * facts that need no reference: the Hessian of a quadratic is its matrix,
    one Newton step lands on the minimiser of a quadratic, BFGS keeps H_inv
    symmetric and satisfies the secant equation H_inv_new y = s, the L-BFGS
    direction for the newest gradient difference is -s, CG solves a
    d-dimensional system in d steps, a line search raises on a non-descent
    direction, and ``minimize`` must reach a known minimiser.

The ``check_*_case`` and ``check_minimize_run`` functions take one case, so
the hidden grading checks (autograder/checks/nb07.py) replay them on fresh
inputs with values computed from course_lib.

Results: ``conjugate_gradient`` may return the solution x itself or an
object with an attribute ``x``; ``minimize`` returns an object with at least
``x`` (the final point) and ``path`` (the list of iterates w_0, ..., x).
"""
import numpy as np

from course_lib.data.synthetic import rosenbrock_gradient, rosenbrock_value
from course_lib.gradcheck.naming import describe_shape, format_value
from course_lib.selfcheck import common
from course_lib.selfcheck.common import (
    MATCH_TOL,
    describe,
    known_mistake,
    matrix_with_eigenvalues,
    misfit,
    stored_count,
    vector_text,
    wrong_entries,
)
from course_lib.selfcheck.core import CheckFailure

NB = "nb07"
CONTAINERS = (list, tuple, dict)
"""The containers that messages describe by their type and length ("a list of 3 items")."""
VALUE_TOL = 1e-7
"""Misfit bound for outputs computed by the same formula: a right answer lands near 1e-12."""
DISTINCT = 1e-4
"""A mistake is only named on a case where it differs from the right answer by more than this."""

MISTAKES = {
    # hessian_fd
    "hess_not_symmetrised": "the finite-difference matrix itself, not symmetrised: H[i, j] and H[j, i] differ "
                            "(the differences are not exactly symmetric, the true Hessian is); return (H + H.T) / 2",
    "hess_transposed": "the TRANSPOSE of the finite-difference matrix, not symmetrised: row j holds the "
                       "difference of gradients along e_j where column j should; returning (H + H.T) / 2 fixes "
                       "both",
    "hess_one_sided": "the one-sided difference (grad(w + eps e_j) - grad(w)) / eps, symmetrised; use the "
                      "centered difference (grad(w + eps e_j) - grad(w - eps e_j)) / (2 eps), accurate to O(eps^2)",
    "hess_one_sided_unsym": "the one-sided difference (grad(w + eps e_j) - grad(w)) / eps, not symmetrised; use "
                            "the centered difference divided by 2 eps, then return (H + H.T) / 2",
    "hess_no_half": "twice the right matrix: the centered difference is divided by 2 eps, the distance "
                    "between w + eps e_j and w - eps e_j",
    # newton_step
    "newton_sign": "w + H^-1 grad, the Newton step with the wrong sign: the update is w - H^-1 grad, against "
                   "the gradient like gradient descent",
    "newton_step_only": "the step -H^-1 grad alone; return the new point w - H^-1 grad",
    "newton_hess_times_grad": "w - H grad, with H multiplied instead of inverted; solve H dw = grad with "
                              "np.linalg.solve(hess, grad)",
    "newton_gradient_step": "w - grad, a gradient-descent step with eta = 1; Newton premultiplies the gradient by "
                            "the inverse Hessian",
    # hvp_fd
    "hvp_divide_by_delta": "(grad(w + h v) - grad(w)) / delta: divided by delta instead of by the step h actually "
                           "taken along v, so it is off by the factor h / delta = max(1, ||w||) / ||v||",
    "hvp_unscaled_step": "(grad(w + delta v) - grad(w)) / delta, the lecture's formula for a unit v; here the step "
                         "along v is h = delta max(1, ||w||) / ||v||, whatever the length of v",
    "hvp_no_max_w": "the product with the step h = delta / ||v||; the step is h = delta max(1, ||w||) / ||v||, "
                    "growing with w so that w + h v differs from w in more than its last digits",
    "hvp_centered": "the centered difference (grad(w + h v) - grad(w - h v)) / (2 h); write the one-sided formula "
                    "of lecture 003, eq. (23): (grad(w + h v) - grad(w)) / h",
    "hvp_no_division": "grad(w + h v) - grad(w), not divided by the step h",
    "hvp_unit_v": "H v / ||v||, the product with the unit vector v / ||v||; H v is linear in v, so divide by the "
                  "step h you took along v itself",
    # conjugate_gradient
    "cg_beta_sign": "the iterates with the new direction q_(t+1) = r_(t+1) + beta q_t, beta = q_t^T H r_(t+1) / "
                    "q_t^T H q_t: the sign of eq. (21) flipped; with r = -grad L it reads "
                    "q_(t+1) = r_(t+1) - (q_t^T H r_(t+1) / q_t^T H q_t) q_t",
    "cg_steepest": "the iterates of steepest descent with exact steps (every direction q_t = r_t, beta = 0); the "
                   "directions must be conjugate, q_(t+1) = r_(t+1) + beta_t q_t",
    "cg_fr_inverted": "the iterates with beta = r_t . r_t / r_(t+1) . r_(t+1), the textbook ratio upside down; it is "
                      "r_(t+1) . r_(t+1) / r_t . r_t",
    "cg_beta_old_r": "the iterates with beta computed from the OLD residual r_t; update r to r_(t+1) first, then "
                     "build the new direction from it",
    "cg_ignores_x0": "the iterates of a run whose residual starts at r_0 = b, as if x0 were 0; start from "
                     "r_0 = b - H x0",
    "cg_alpha_sign": "the iterates with steps of the wrong sign, x_(t+1) = x_t - alpha_t q_t; the residual "
                     "r = b - H x points downhill, so x_(t+1) = x_t + alpha_t q_t",
    # backtracking_line_search
    "ls_armijo_sign": "the first step with f(w + eta q) <= f(w) - c eta grad.q, the sufficient-decrease condition "
                      "with the wrong sign: grad.q < 0 along a descent direction, so the Armijo line "
                      "f(w) + c eta grad.q lies BELOW f(w)",
    "ls_no_c": "the first step with any decrease at all, f(w + eta q) < f(w); Armijo asks for a decrease of at "
               "least c eta |grad.q|",
    "ls_grad_norm_slope": "the step for the slope -||grad||^2; the slope along the direction q is grad . q, "
                          "equal to -||grad||^2 only when q = -grad",
    "ls_ignores_eta0": "the step found when starting from eta = 1; start from eta0",
    "ls_ignores_shrink": "the step found by halving; multiply eta by shrink after each rejected step",
    "ls_shrinks_once_more": "the accepted step multiplied by shrink once more; return the first eta that "
                            "satisfies the condition",
    "ls_no_eta": "the first step with f(w + eta q) <= f(w) + c grad.q, without eta in the Armijo term; the "
                 "required decrease c eta |grad.q| shrinks with the step",
    # bfgs_update
    "bfgs_swapped": "the update with s and y swapped; it satisfies H_new s = y (the secant equation of the "
                    "Hessian) instead of H_new y = s",
    "bfgs_no_ss": "the update without the last term rho s s^T",
    "bfgs_rho_ss": "the update with rho = 1 / (s . s); rho = 1 / (y . s)",
    "bfgs_factors_swapped": "(I - rho y s^T) H_inv (I - rho s y^T) + rho s s^T, the outer factors in the wrong "
                            "order; it is (I - rho s y^T) H_inv (I - rho y s^T) + rho s s^T",
    "bfgs_hessian_form": "the BFGS update of the Hessian approximation, B + y y^T / (y.s) - B s s^T B / (s^T B s), "
                         "applied to H_inv; the inverse needs the inverse form",
    "bfgs_ss_minus": "the update with - rho s s^T; the last term is + rho s s^T",
    # lbfgs_direction
    "lbfgs_loops_reversed": "the two loops running over the pairs in the wrong order: the first loop goes from the "
                            "NEWEST pair to the oldest, the second from the oldest to the newest",
    "lbfgs_alphas_misaligned": "the second loop using alpha_i of the wrong pair: the alphas were stored newest "
                               "first, so the second loop (oldest first) must read them backwards",
    "lbfgs_sign": "+H_inv grad; return the descent direction -H_inv grad",
    "lbfgs_gamma_one": "the direction with gamma = 1 (H_0 = I); scale by gamma = s.y / y.y of the newest pair",
    "lbfgs_gamma_oldest": "the direction with gamma from the OLDEST pair; use the newest, s_list[-1] and y_list[-1]",
    "lbfgs_gamma_inverted": "the direction with gamma = y.y / s.y, upside down; gamma = s.y / y.y",
}

# ----------------------------------------------------------------------------- stored cases


def stored_case(prefix):
    """The stored case ``prefix`` as a dict: arrays (0-d for numbers and names) and
    ``case["mistakes"][slug]``, what mistake ``slug`` gives on it."""
    return common.stored_case(NB, prefix)


# ----------------------------------------------------------------------------- test problems


def quartic_value(w, A, B):
    """f(w) = 1/2 w^T A w + sum_{i != j} B_ij w_i w_j^3 (B has a zero diagonal).

    Its fourth derivatives d^4 f / dw_i dw_j^3 = 6 B_ij are not symmetric in i
    and j, so a finite-difference Hessian with a large step is visibly
    asymmetric: a test problem that tells (H + H^T)/2 from H and H^T.
    """
    return float(0.5 * w @ A @ w + w @ (B @ w ** 3))


def quartic_gradient(w, A, B):
    """grad_k = (A w)_k + sum_j B_kj w_j^3 + 3 w_k^2 sum_i B_ik w_i, shape (d,)."""
    return A @ w + B @ w ** 3 + 3.0 * w ** 2 * (B.T @ w)


def make_problem(case, who="the function you wrote"):
    """(f, grad) of the test problem a case describes, refusing points of the wrong shape.

    ``case["problem"]`` is "quadratic" (f = 1/2 w^T A w - b^T w, entries A, b),
    "quartic" (entries A, B, see ``quartic_value``) or "rosenbrock" (d from w).
    """
    kind = str(case["problem"])
    if kind == "quadratic":
        A, b = case["A"], case["b"]
        value, gradient = (lambda w: float(0.5 * w @ A @ w - b @ w)), (lambda w: A @ w - b)
        d = b.size
    elif kind == "quartic":
        A, B = case["A"], case["B"]
        value, gradient = (lambda w: quartic_value(w, A, B)), (lambda w: quartic_gradient(w, A, B))
        d = A.shape[0]
    elif kind == "rosenbrock":
        value, gradient = rosenbrock_value, rosenbrock_gradient
        d = int(case["d"])
    else:
        raise ValueError(f"unknown test problem {kind!r}")

    def point(w, name):
        w = np.asarray(w, dtype=np.float64)
        if w.shape != (d,):
            raise CheckFailure(f"{who} called {name} with an array of shape {w.shape}; the point must have "
                               f"shape ({d},), like w.")
        return w

    return (lambda w: value(point(w, "f"))), (lambda w: np.array(gradient(point(w, "grad_fn")), copy=True))


def describe_problem(case):
    kind = str(case["problem"])
    if kind == "quadratic":
        return f"the quadratic 1/2 w^T A w - b^T w in d = {case['b'].size} variables"
    if kind == "quartic":
        return f"a quartic function in d = {case['A'].shape[0]} variables"
    return f"Rosenbrock's function in d = {int(case['d'])} variables"


def quadratic_case(A, b):
    """A case dict describing the quadratic 1/2 w^T A w - b^T w."""
    return {"problem": np.array("quadratic"), "A": np.asarray(A, dtype=np.float64),
            "b": np.asarray(b, dtype=np.float64)}


# ----------------------------------------------------------------------------- comparisons


def require_array(label, value, shape):
    """common.require_array, first refusing a list (or tuple) of the wrong length for a vector."""
    if isinstance(value, (tuple, list)) and len(shape) == 1 and len(value) != shape[0]:
        raise CheckFailure(f"{label} must be an array of shape {describe_shape(shape)}, "
                           f"got {describe(value, CONTAINERS)}.")
    return common.require_array(label, value, shape)


def require_values(context, label, right, actual, mistakes=None, tol=VALUE_TOL):
    """Compare an output with the right one; name a known mistake, a sign, a factor or the worst entry."""
    right = np.asarray(right, dtype=np.float64)
    actual = require_array(f"{context}: {label}", actual, right.shape)
    if misfit(right, actual) <= tol:
        return
    found = known_mistake(actual, mistakes, right, apart=DISTINCT)
    if found is not None:
        raise CheckFailure(f"{context}: {label} is wrong; it equals {MISTAKES[found]}.")
    if misfit(-right, actual) <= MATCH_TOL:
        raise CheckFailure(f"{context}: {label} has the wrong sign: it equals minus the right value.")
    norm_sq = float(np.sum(right * right))
    if norm_sq > 0 and right.size > 1:
        c = float(np.sum(right * actual)) / norm_sq
        if c != 0 and misfit(c * right, actual) <= MATCH_TOL:
            raise CheckFailure(f"{context}: {label} is {format_value(c)} times the right value; look for a "
                               "missing or extra factor.")
    raise CheckFailure(wrong_entries(context, label, right, actual, tol))


def solution_of(result, name="conjugate_gradient"):
    """The solution x from what a solver returned: x itself or an object with an attribute x."""
    if hasattr(result, "x") and not isinstance(result, np.ndarray):
        return result.x
    if result is None:
        raise CheckFailure(f"{name} returned None; return the solution x (or an object with an attribute x).")
    return result


# ----------------------------------------------------------------------------- hessian_fd


def check_hessian_fd_case(hessian_fd, case):
    """``case``: a problem (see make_problem), w, eps, H (the right result) and mistakes."""
    w, eps = case["w"], float(case["eps"])
    d = w.size
    context = f"hessian_fd on {describe_problem(case)}, eps = {eps:g}"
    _, grad = make_problem(case, "hessian_fd")
    w_in = w.copy()
    H = hessian_fd(grad, w_in, eps)
    if not np.array_equal(w_in, w):
        raise CheckFailure(f"{context}: hessian_fd modified w in place; perturb a copy (w + eps e_j makes one), "
                           "or restore the entry afterwards.")
    require_values(context, "H", case["H"], H, case["mistakes"])
    H = np.asarray(H, dtype=np.float64)
    if d > 1 and not np.allclose(H, H.T, rtol=1e-12, atol=1e-12 * np.max(np.abs(H))):
        raise CheckFailure(f"{context}: H is not symmetric; return (H + H.T) / 2.")


def check_hessian_fd(hessian_fd):
    """The stored cases, then a quadratic (its Hessian is A, exactly)."""
    for k in range(stored_count(NB, "hess")):
        check_hessian_fd_case(hessian_fd, stored_case(f"hess_{k}"))
    rng = np.random.default_rng(70)
    M = rng.standard_normal((3, 3))
    A = M @ M.T + np.eye(3)
    case = quadratic_case(A, rng.standard_normal(3))
    _, grad = make_problem(case, "hessian_fd")
    H = hessian_fd(grad, np.array([0.5, -1.0, 2.0]), 1e-4)
    require_values("hessian_fd on the quadratic 1/2 w^T A w - b^T w (3 variables, Hessian A), eps = 1e-4",
                   "H", A, H, tol=1e-6)


# ----------------------------------------------------------------------------- newton_step


def check_newton_step_case(newton_step, case):
    """``case``: w, grad, hess, w_new (the right result) and mistakes."""
    w, grad, hess = case["w"], case["grad"], case["hess"]
    d = w.size
    eigenvalues = np.linalg.eigvalsh(hess)
    kind = "positive definite" if eigenvalues[0] > 0 else "indefinite"
    context = f"newton_step with d = {d} and a {kind} Hessian"
    args = [a.copy() for a in (w, grad, hess)]
    w_new = newton_step(*args)
    for label, arg, original in zip(("w", "grad", "hess"), args, (w, grad, hess)):
        if not np.array_equal(arg, original):
            raise CheckFailure(f"{context}: newton_step modified its input {label}; compute the new point in a "
                               "new array (w - dw, not w -= dw).")
    require_values(context, "w_new", case["w_new"], w_new, case["mistakes"])


def check_newton_step(newton_step):
    """The stored cases, then one step lands on the minimiser of a quadratic."""
    for k in range(stored_count(NB, "newton")):
        check_newton_step_case(newton_step, stored_case(f"newton_{k}"))
    rng = np.random.default_rng(71)
    M = rng.standard_normal((4, 4))
    A, b, w = M @ M.T + 0.5 * np.eye(4), rng.standard_normal(4), rng.standard_normal(4)
    w_new = newton_step(w.copy(), A @ w - b, A.copy())
    require_values("newton_step on the quadratic 1/2 w^T A w - b^T w (4 variables), whose minimiser solves "
                   "A w = b", "w_new", np.linalg.solve(A, b), w_new)


# ----------------------------------------------------------------------------- hvp_fd


def check_hvp_fd_case(hvp_fd, case):
    """``case``: a problem, w, v, delta, Hv (the right result) and mistakes."""
    w, v, delta = case["w"], case["v"], float(case["delta"])
    context = (f"hvp_fd on {describe_problem(case)}, ||w|| = {np.linalg.norm(w):.3g}, "
               f"||v|| = {np.linalg.norm(v):.3g}, delta = {delta:g}")
    _, grad = make_problem(case, "hvp_fd")
    w_in, v_in = w.copy(), v.copy()
    Hv = hvp_fd(grad, w_in, v_in, delta)
    for label, arg, original in (("w", w_in, w), ("v", v_in, v)):
        if not np.array_equal(arg, original):
            raise CheckFailure(f"{context}: hvp_fd modified its input {label}; build w + h v as a new array.")
    require_values(context, "H v", case["Hv"], Hv, case["mistakes"], tol=1e-6)


def check_hvp_zero(hvp_fd, case):
    """v = 0 must give zeros (H 0 = 0), not a division by ||v|| = 0."""
    _, grad = make_problem(case, "hvp_fd")
    w = case["w"]
    context = "hvp_fd with v = 0"
    try:
        with np.errstate(all="ignore"):
            Hv = hvp_fd(grad, w.copy(), np.zeros_like(w), float(case["delta"]))
    except (ZeroDivisionError, FloatingPointError) as exc:
        raise CheckFailure(f"{context} raised {type(exc).__name__}: it divided by ||v|| = 0; return zeros when v "
                           "is zero (H 0 = 0).") from None
    Hv = np.asarray(Hv, dtype=np.float64)
    if Hv.shape == w.shape and not np.all(np.isfinite(Hv)):
        raise CheckFailure(f"{context} returned nan or inf: it divided by ||v|| = 0; return zeros when v is "
                           "zero (H 0 = 0).")
    Hv = require_array(f"{context}: H v", Hv, w.shape)
    if np.any(Hv):
        raise CheckFailure(f"{context} must return zeros (H 0 = 0), got {vector_text(Hv)}.")


def check_hvp_fd(hvp_fd):
    """The stored cases (quadratics, where H v = A v, and non-quadratic functions), then v = 0."""
    for k in range(stored_count(NB, "hvp")):
        check_hvp_fd_case(hvp_fd, stored_case(f"hvp_{k}"))
    check_hvp_zero(hvp_fd, stored_case("hvp_0"))


# ----------------------------------------------------------------------------- conjugate_gradient


def _matvec(A):
    """v -> A v, refusing vectors of the wrong shape."""
    d = A.shape[0]

    def hvp(v):
        v = np.asarray(v, dtype=np.float64)
        if v.shape != (d,):
            raise CheckFailure(f"conjugate_gradient called hvp with an array of shape {v.shape}; a vector has "
                               f"shape ({d},), like b.")
        return A @ v

    return hvp


def check_cg_solution(conjugate_gradient, A, b, context, x0=None, **kwargs):
    """Call the solver on H = A (products only) and return x as an array of shape (d,)."""
    b_in = b.copy()
    x0_in = None if x0 is None else x0.copy()
    result = conjugate_gradient(_matvec(A), b_in, x0_in, **kwargs)
    if not np.array_equal(b_in, b) or (x0 is not None and not np.array_equal(x0_in, x0)):
        raise CheckFailure(f"{context}: conjugate_gradient modified b or x0 in place; update new arrays "
                           "(x = x + alpha q, not x += alpha q on the caller's x0).")
    return require_array(f"{context}: x", solution_of(result), b.shape)


def check_conjugate_gradient_case(conjugate_gradient, case):
    """``case``: A, b, x0 (used when x0_given), iterates (row k-1: x after k iterations) and mistakes
    (slug -> iterates of that mistake). Runs max_iter = 1, 2, ..., d and compares each result."""
    A, b = case["A"], case["b"]
    d = b.size
    x0 = case["x0"] if bool(case["x0_given"]) else None
    start = "x0 = 0 (x0=None)" if x0 is None else "a given x0"
    right = case["iterates"]
    mistakes = {slug: its for slug, its in case["mistakes"].items()}
    for k in range(1, d + 1):
        context = (f"conjugate_gradient on a {d} x {d} system H x = b from {start}, tol = 1e-14, "
                   f"max_iter = {k}")
        x = check_cg_solution(conjugate_gradient, A, b, context, x0, tol=1e-14, max_iter=k)
        if misfit(right[k - 1], x) <= VALUE_TOL:
            continue
        if k < d and misfit(right[k], x) <= MATCH_TOL:
            raise CheckFailure(f"{context}: x is what the right CG gives after {k + 1} iterations: you make one "
                               "iteration too many (max_iter is the number of steps x <- x + alpha q).")
        if k > 1 and misfit(right[k - 2], x) <= MATCH_TOL:
            raise CheckFailure(f"{context}: x is what the right CG gives after {k - 1} iterations: you make one "
                               "iteration too few (max_iter is the number of steps x <- x + alpha q).")
        for slug, its in mistakes.items():
            if misfit(its[k - 1], right[k - 1]) > DISTINCT and misfit(its[k - 1], x) <= MATCH_TOL:
                raise CheckFailure(f"{context}: x is wrong; it equals {MISTAKES[slug]}.")
        if k == 1:
            raise CheckFailure(
                f"{context}: after one iteration x should be x0 + alpha_0 q_0 with q_0 = r_0 = b - H x0 and "
                f"alpha_0 = r_0 . q_0 / (q_0^T H q_0) (the exact minimiser along q_0); expected "
                f"{vector_text(right[0])}, got {vector_text(x)}.")
        raise CheckFailure(
            f"{context}: the first {k - 1} iterations are right but iteration {k} is not, so the direction "
            f"q_{k - 1} is wrong: it must be q_t = r_t - (q_(t-1)^T H r_t / q_(t-1)^T H q_(t-1)) q_(t-1) "
            f"(eq. 21 with r = -grad L = b - H x); expected x = {vector_text(right[k - 1])}, got {vector_text(x)}.")


def check_conjugate_gradient_solves(conjugate_gradient, A, b, label):
    """d iterations must solve the system; the default arguments must too."""
    d = b.size
    context = f"conjugate_gradient on {label} ({d} x {d}), x0=None, tol = 1e-10, max_iter = {d}"
    x = check_cg_solution(conjugate_gradient, A, b, context, None, tol=1e-10, max_iter=d)
    residual = np.linalg.norm(b - A @ x) / np.linalg.norm(b)
    if residual > 1e-6:
        raise CheckFailure(f"{context}: after d = {d} iterations ||b - H x|| / ||b|| = {residual:.2e}; conjugate "
                           "directions reach the solution of a d-dimensional system in d steps, so check alpha "
                           "and beta (eq. 21).")
    context = f"conjugate_gradient(hvp, b) on {label} with the default x0, tol and max_iter"
    b_in = b.copy()
    x = require_array(f"{context}: x", solution_of(conjugate_gradient(_matvec(A), b_in)), b.shape)
    residual = np.linalg.norm(b - A @ x) / np.linalg.norm(b)
    if residual > 1e-8:
        raise CheckFailure(f"{context}: ||b - H x|| / ||b|| = {residual:.2e}, above 1e-8; the defaults are "
                           "x0 = 0, tol = 1e-10 and max_iter = 10 d.")


def check_conjugate_gradient(conjugate_gradient):
    """The stored cases iteration by iteration, then full solves in d steps."""
    for k in range(stored_count(NB, "cg")):
        check_conjugate_gradient_case(conjugate_gradient, stored_case(f"cg_{k}"))
    case = stored_case("cg_0")
    check_conjugate_gradient_solves(conjugate_gradient, case["A"], case["b"], "a positive definite system")


# ----------------------------------------------------------------------------- backtracking_line_search


def _as_step(value, context):
    try:
        eta = float(np.asarray(value, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        raise CheckFailure(f"{context}: the line search must return the step eta as one number, got "
                           f"{describe(value, CONTAINERS)}.") from None
    if not np.isfinite(eta) or eta <= 0:
        raise CheckFailure(f"{context}: the step must be a positive number, got {eta!r}.")
    return eta


def _run_backtracking(backtracking_line_search, case):
    """The student's step on one case -> (eta, context); checks the contract."""
    w, q = case["w"], case["direction"]
    eta0, c, shrink = float(case["eta0"]), float(case["c"]), float(case["shrink"])
    f, grad = make_problem(case, "backtracking_line_search")
    context = (f"backtracking_line_search on {describe_problem(case)} with eta0 = {eta0:g}, c = {c:g}, "
               f"shrink = {shrink:g}")
    w_in, q_in = w.copy(), q.copy()
    try:
        value = backtracking_line_search(f, grad, w_in, q_in, eta0=eta0, c=c, shrink=shrink, max_iter=60)
    except NotImplementedError:
        raise
    except (RuntimeError, ValueError) as exc:  # "found no step": judged below against the right step
        return np.nan, f"{context} (it raised {type(exc).__name__}: {exc})"
    if not (np.array_equal(w_in, w) and np.array_equal(q_in, q)):
        raise CheckFailure(f"{context}: the line search modified w or direction in place; build w + eta q as a "
                           "new array.")
    return _as_step(value, context), context


def _same_step(a, b):
    """Equal steps, or both nan (no step found)."""
    a, b = float(a), float(b)
    if np.isnan(a) or np.isnan(b):
        return bool(np.isnan(a) and np.isnan(b))
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def check_backtracking_cases(backtracking_line_search, cases):
    """All cases first, then a diagnosis: a known mistake is named only if it gives the student's step on
    EVERY case (several mistakes can give the same step on one case).

    Each case: a problem, w, direction, eta0, c, shrink, eta (the right step) and mistakes (slug -> step,
    nan where that mistake finds none).
    """
    found = [_run_backtracking(backtracking_line_search, case) for case in cases]
    wrong = [k for k, (case, (eta, _)) in enumerate(zip(cases, found)) if not _same_step(eta, case["eta"])]
    if not wrong:
        return
    k = wrong[0]
    case, (eta, context) = cases[k], found[k]
    right = float(case["eta"])
    got = "found no step" if np.isnan(eta) else f"returned eta = {format_value(eta)}"
    for slug in case["mistakes"]:
        if all(_same_step(step, other["mistakes"][slug]) for other, (step, _) in zip(cases, found)):
            raise CheckFailure(f"{context}: {got} but the right step is {format_value(right)}; yours is "
                               f"{MISTAKES[slug]}.")
    if np.isnan(eta):
        raise CheckFailure(f"{context}: it found no step, but eta = {format_value(right)} satisfies Armijo's "
                           "condition f(w + eta q) <= f(w) + c eta grad.q; check the condition and the sequence "
                           "eta0, eta0 * shrink, ...")
    f, grad = make_problem(case, "backtracking_line_search")
    w, q = case["w"], case["direction"]
    eta0, c, shrink = float(case["eta0"]), float(case["c"]), float(case["shrink"])
    armijo = f(w + eta * q) <= f(w) + c * eta * float(grad(w) @ q)
    k = np.log(eta / eta0) / np.log(shrink)
    if abs(k - round(k)) > 1e-6:
        hint = (f"it is not in the sequence eta0, eta0 * shrink, eta0 * shrink^2, ... (eta / eta0 = "
                f"{format_value(eta / eta0)}): try eta0 first and multiply by shrink after each rejection")
    elif not armijo:
        hint = "it does not satisfy Armijo's condition f(w + eta q) <= f(w) + c eta grad.q"
    else:
        hint = ("it satisfies Armijo's condition, but a longer step of the sequence eta0, eta0 * shrink, ... "
                "does too: return the FIRST step that satisfies it")
    raise CheckFailure(f"{context}: returned eta = {format_value(eta)}, the right step is {format_value(right)}; "
                       f"{hint}.")


def _raises(call, expected_type, context, what):
    try:
        value = call()
    except NotImplementedError:
        raise
    except CheckFailure:
        raise
    except expected_type:
        return
    except Exception as exc:  # the wrong kind of error is feedback too
        raise CheckFailure(f"{context}: expected a {expected_type.__name__} ({what}), but it raised "
                           f"{type(exc).__name__}: {exc}") from None
    raise CheckFailure(f"{context}: expected a {expected_type.__name__} ({what}), but it returned "
                       f"{describe(value, CONTAINERS)}.")


def check_backtracking_errors(backtracking_line_search):
    """A non-descent direction raises ValueError; no acceptable step in max_iter tries raises RuntimeError."""
    A, b = np.diag([2.0, 5.0]), np.array([1.0, -1.0])
    case = quadratic_case(A, b)
    f, grad = make_problem(case, "backtracking_line_search")
    w = np.array([1.0, 1.0])
    uphill = grad(w)
    _raises(lambda: backtracking_line_search(f, grad, w.copy(), uphill.copy()), ValueError,
            "backtracking_line_search along an uphill direction (grad . direction > 0)",
            "no step can decrease f along it; say so instead of returning a step")

    def lying_grad(x):  # claims f decreases along +x, but f = ||x||^2 grows along it
        return -2.0 * np.asarray(x, dtype=np.float64)

    _raises(lambda: backtracking_line_search(lambda x: float(np.asarray(x) @ np.asarray(x)), lying_grad,
                                             w.copy(), 2.0 * w, max_iter=30), RuntimeError,
            "backtracking_line_search when no step in max_iter = 30 tries satisfies Armijo's condition",
            "do not return a tiny step silently")


def check_backtracking_line_search(backtracking_line_search):
    """The stored cases, then the two error cases."""
    check_backtracking_cases(backtracking_line_search, [stored_case(f"ls_{k}") for k in range(stored_count(NB, "ls"))])
    check_backtracking_errors(backtracking_line_search)


# ----------------------------------------------------------------------------- bfgs_update


def check_bfgs_update_case(bfgs_update, case):
    """``case``: H_inv, s, y, H_new (the right result) and mistakes."""
    H, s, y = case["H_inv"], case["s"], case["y"]
    d = s.size
    context = f"bfgs_update with d = {d}"
    args = [H.copy(), s.copy(), y.copy()]
    H_new = bfgs_update(*args)
    for label, arg, original in zip(("H_inv", "s", "y"), args, (H, s, y)):
        if not np.array_equal(arg, original):
            raise CheckFailure(f"{context}: bfgs_update modified its input {label}; return a new matrix.")
    right = case["H_new"]
    H_new = require_array(f"{context}: H_inv_new", H_new, (d, d))
    if misfit(right, H_new) <= VALUE_TOL:
        return
    secant_ok = misfit(H_new @ y, s) <= 1e-8
    symmetric = misfit(H_new, H_new.T) <= 1e-10
    try:
        require_values(context, "H_inv_new", right, H_new, case["mistakes"])
    except CheckFailure as failure:
        if "it equals" in str(failure):
            raise
        if not symmetric:
            raise CheckFailure(f"{failure} H_inv_new is not symmetric, and the update must keep H_inv "
                               "symmetric: check the order of the factors, "
                               "(I - rho s y^T) H_inv (I - rho y s^T) + rho s s^T.") from None
        if not secant_ok:
            raise CheckFailure(f"{failure} It also breaks the secant equation H_inv_new y = s.") from None
        raise


def check_bfgs_secant(bfgs_update, rng=72):
    """Reference-free: the update is symmetric and maps y to s, on a fresh random pair."""
    rng = np.random.default_rng(rng)
    d = 5
    M = rng.standard_normal((d, d))
    H = M @ M.T / d + np.eye(d)
    s = rng.standard_normal(d)
    y = s + 0.3 * rng.standard_normal(d)
    H_new = require_array("bfgs_update: H_inv_new", bfgs_update(H.copy(), s.copy(), y.copy()), (d, d))
    if misfit(H_new, H_new.T) > 1e-10:
        raise CheckFailure("bfgs_update returned a matrix that is not symmetric; the update keeps H_inv "
                           "symmetric: (I - rho s y^T) H_inv (I - rho y s^T) + rho s s^T.")
    if misfit(H_new @ y, s) > 1e-8:
        if misfit(H_new @ s, y) <= 1e-8:
            raise CheckFailure("bfgs_update: H_inv_new s = y instead of H_inv_new y = s; s and y are swapped.")
        raise CheckFailure(f"bfgs_update: H_inv_new y must equal s (the secant equation); H_inv_new y = "
                           f"{vector_text(H_new @ y)}, s = {vector_text(s)}.")


def check_bfgs_update(bfgs_update):
    """The stored cases, then symmetry and the secant equation on a fresh pair."""
    for k in range(stored_count(NB, "bfgs")):
        check_bfgs_update_case(bfgs_update, stored_case(f"bfgs_{k}"))
    check_bfgs_secant(bfgs_update)


# ----------------------------------------------------------------------------- lbfgs_direction


def check_lbfgs_direction_case(lbfgs_direction, case):
    """``case``: grad, S (m, d), Y (m, d) (pairs oldest first), q (the right direction) and mistakes."""
    grad, S, Y = case["grad"], case["S"], case["Y"]
    m, d = S.shape
    context = f"lbfgs_direction with d = {d} and {m} pair{'s' if m != 1 else ''}"
    s_list, y_list = [s.copy() for s in S], [y.copy() for y in Y]
    g_in = grad.copy()
    q = lbfgs_direction(g_in, s_list, y_list)
    if (not np.array_equal(g_in, grad) or len(s_list) != m or len(y_list) != m
            or not all(np.array_equal(a, b) for a, b in zip(s_list, S))
            or not all(np.array_equal(a, b) for a, b in zip(y_list, Y))):
        raise CheckFailure(f"{context}: lbfgs_direction modified grad or the lists of pairs; work on a copy "
                           "(a = grad.copy(), or a = a - alpha y instead of a -= alpha y on grad).")
    require_values(context, "q", case["q"], q, case["mistakes"])


def check_lbfgs_secant(lbfgs_direction, S, Y):
    """Reference-free: for grad = y of the newest pair, the direction is -s of that pair."""
    m, d = S.shape
    q = lbfgs_direction(Y[-1].copy(), [s.copy() for s in S], [y.copy() for y in Y])
    q = require_array(f"lbfgs_direction with {m} pairs: q", q, (d,))
    if misfit(q, -S[-1]) > 1e-8:
        raise CheckFailure(
            f"lbfgs_direction with {m} pairs, grad = y_newest: the L-BFGS matrix satisfies the secant equation "
            f"H_inv y_newest = s_newest, so q must be -s_newest = {vector_text(-S[-1])}, got {vector_text(q)}. The "
            "second loop must end with the newest pair.")


def check_lbfgs_direction(lbfgs_direction):
    """No pairs gives -grad; the stored cases; the newest pair's secant equation."""
    grad = np.array([0.5, -2.0, 1.5])
    q = lbfgs_direction(grad.copy(), [], [])
    q = require_array("lbfgs_direction with no pairs: q", q, (3,))
    if misfit(q, grad) <= 1e-12:
        raise CheckFailure("lbfgs_direction with empty lists returned +grad, which is +H_inv grad with H_0 = I; "
                           "return the descent direction -H_inv grad (here -grad).")
    if misfit(q, -grad) > 1e-12:
        raise CheckFailure(f"lbfgs_direction with empty lists must return -grad (H_0 = I, gamma = 1): expected "
                           f"{vector_text(-grad)}, got {vector_text(q)}.")
    for k in range(stored_count(NB, "lbfgs")):
        check_lbfgs_direction_case(lbfgs_direction, stored_case(f"lbfgs_{k}"))
    case = stored_case("lbfgs_0")
    check_lbfgs_secant(lbfgs_direction, case["S"], case["Y"])


# ----------------------------------------------------------------------------- minimize

MINIMIZE_TOL = 1e-6
"""The tol every minimize check passes: stop when ||grad f(w)||_inf <= 1e-6."""
MINIMIZE_MAX_ITER = 500
"""The max_iter every minimize check passes; steepest descent needs thousands on Rosenbrock."""
POINT_TOL = 1e-4
"""||x - w*||_inf allowed at the end (a gradient of 1e-6 leaves x within ~1e-5 of w* here)."""

# How many iterations a correct method needs at most (about 3 to 10 times what the notebook's
# solution and course_lib need; steepest descent needs hundreds on the quadratics and thousands on
# Rosenbrock).
ITERATION_BOUNDS = {
    "quadratic": {"newton": 1, "cg": 40, "bfgs": 60, "lbfgs": 60},
    "rosenbrock": {"newton": 60, "cg": 300, "bfgs": 200, "lbfgs": 200},
    "other": {"newton": 60, "cg": 400, "bfgs": 300, "lbfgs": 300},
}

METHOD_HINTS = {
    "newton": "the Newton direction newton_step(w, g, H) - w with H = hessian_fd(grad_f, w) (the saddle-free "
              "direction where H is not positive definite) and a line search from eta0 = 1",
    "cg": "q = -g + beta q_prev with beta from eq. (21) (H q_prev from hvp_fd), restarts with -g, and the first "
          "trial step -g.q / q^T H q",
    "bfgs": "q = -H_inv g and bfgs_update(H_inv, s, y) after every step with y . s > 0",
    "lbfgs": "q = lbfgs_direction(g, s_list, y_list) over the last `memory` pairs, adding (s, y) after every "
             "step with y . s > 0",
}


class _ShapeChecked:
    """f and grad_f that refuse points of the wrong shape (a clearer message than the crash inside f)."""

    def __init__(self, f, grad, d):
        self.f, self.grad, self.d = f, grad, d

    def _point(self, w, name):
        w = np.asarray(w, dtype=np.float64)
        if w.shape != (self.d,):
            raise CheckFailure(f"minimize called {name} with an array of shape {w.shape}; points have shape "
                               f"({self.d},), like w0.")
        return w

    def value(self, w):
        return float(self.f(self._point(w, "f")))

    def gradient(self, w):
        return np.array(self.grad(self._point(w, "grad_f")), dtype=np.float64, copy=True)


def _path_array(path, d, context):
    try:
        points = [np.asarray(p, dtype=np.float64) for p in path]
    except (TypeError, ValueError):
        raise CheckFailure(f"{context}: result.path must be a list of the iterates w_0, w_1, ..., x (arrays of "
                           f"shape ({d},)), got {describe(path, CONTAINERS)}.") from None
    if not points:
        raise CheckFailure(f"{context}: result.path is empty; it must start with w0 and end with x.")
    bad = [k for k, p in enumerate(points) if p.shape != (d,)]
    if bad:
        raise CheckFailure(f"{context}: result.path[{bad[0]}] has shape {points[bad[0]].shape}; every iterate "
                           f"has shape ({d},).")
    return np.stack(points)


def check_minimize_run(minimize, method, f, grad, w0, w_star, label, bounds="other", one_step=False):
    """Run ``minimize(f, grad, w0, method, tol=1e-6, max_iter=500)`` and judge the result.

    It must return an object with ``x`` and ``path`` (w0 first, x last), keep
    w0 unchanged, never increase f along the path, end within POINT_TOL of
    ``w_star`` and take at most ITERATION_BOUNDS[bounds][method] iterations
    (exactly one when ``one_step``), counting len(path) - 1.
    """
    w0 = np.asarray(w0, dtype=np.float64)
    w_star = np.asarray(w_star, dtype=np.float64)
    d = w0.size
    context = f"minimize(..., method={method!r}) on {label} from w0 = {vector_text(w0)}"
    checked = _ShapeChecked(f, grad, d)
    w0_in = w0.copy()
    try:
        result = minimize(checked.value, checked.gradient, w0_in, method, tol=MINIMIZE_TOL,
                          max_iter=MINIMIZE_MAX_ITER)
    except (NotImplementedError, CheckFailure):
        raise
    except Exception as exc:  # say which run broke; the student's other functions are the usual cause
        raise CheckFailure(f"{context}: your code raised {type(exc).__name__}: {exc}. minimize calls your other "
                           f"functions, so make their checks pass first; then check {METHOD_HINTS[method]}.") from None
    if not np.array_equal(w0_in, w0):
        raise CheckFailure(f"{context}: minimize modified w0 in place; start from w = np.array(w0, dtype=float).")
    if not (hasattr(result, "x") and hasattr(result, "path")):
        raise CheckFailure(f"{context}: minimize must return an object with attributes x and path, e.g. "
                           f"OptResult(x=w, path=path, nit=len(path) - 1); got {describe(result, CONTAINERS)}.")
    x = require_array(f"{context}: result.x", result.x, (d,))
    path = _path_array(result.path, d, context)
    if misfit(path[0], w0) > 1e-15:
        raise CheckFailure(f"{context}: result.path[0] must be w0 = {vector_text(w0)}, got {vector_text(path[0])}. "
                           "Start the path with a copy of w0 and append copies (path.append(w.copy())): an array "
                           "updated in place changes every entry that refers to it.")
    if misfit(path[-1], x) > 1e-15:
        raise CheckFailure(f"{context}: the last entry of result.path must be result.x; got "
                           f"{vector_text(path[-1])} and {vector_text(x)}.")
    nit = len(path) - 1
    values = np.array([f(p) for p in path])
    rises = np.flatnonzero(np.diff(values) > 1e-12 * (1.0 + np.abs(values[:-1])))
    if rises.size:
        k = int(rises[0])
        raise CheckFailure(f"{context}: f increased from iterate {k} to iterate {k + 1} ({format_value(values[k])} "
                           f"-> {format_value(values[k + 1])}); every step must pass Armijo's sufficient-decrease "
                           "condition (use backtracking_line_search).")
    distance = float(np.max(np.abs(x - w_star)))
    if distance > POINT_TOL * max(1.0, float(np.max(np.abs(w_star)))):
        ran_out = nit >= MINIMIZE_MAX_ITER
        why = (f"it used all max_iter = {MINIMIZE_MAX_ITER} iterations" if ran_out
               else f"it stopped after {nit} iterations with ||grad f(x)||_inf = "
                    f"{format_value(np.max(np.abs(grad(x))))}")
        raise CheckFailure(f"{context}: did not reach the minimiser {vector_text(w_star)}: x = {vector_text(x)}, "
                           f"f(x) = {format_value(f(x))}; {why}. Check {METHOD_HINTS[method]}. It calls your "
                           "other functions: make their checks pass first.")
    if one_step and nit != 1:
        raise CheckFailure(f"{context}: Newton took {nit} iterations on a quadratic; one full Newton step "
                           "(eta = 1, which Armijo accepts) lands on its minimiser, so the path is [w0, x].")
    bound = ITERATION_BOUNDS[bounds][method]
    if nit > bound:
        raise CheckFailure(f"{context}: it reached the minimiser, but took {nit} iterations (len(path) - 1); a "
                           f"correct {method} needs at most {bound} here. Check {METHOD_HINTS[method]}.")
    return result


def visible_quadratic(d=5, seed=77):
    """A (d, d) with eigenvalues 1 .. 20, b; the problem of the visible minimize checks."""
    rng = np.random.default_rng(seed)
    return matrix_with_eigenvalues(rng, np.linspace(1.0, 20.0, d)), rng.standard_normal(d)


def check_minimize_method(minimize, method):
    """A quadratic (Newton: one step), then Rosenbrock in 2 and 4 variables."""
    A, b = visible_quadratic()
    f, grad = make_problem(quadratic_case(A, b), "minimize")
    check_minimize_run(minimize, method, f, grad, np.ones(b.size), np.linalg.solve(A, b),
                       "a quadratic in 5 variables (eigenvalues of A from 1 to 20)", "quadratic",
                       one_step=(method == "newton"))
    for w0 in (np.array([-1.2, 1.0]), np.array([-1.2, 1.0, -1.2, 1.0])):
        check_minimize_run(minimize, method, rosenbrock_value, rosenbrock_gradient, w0, np.ones(w0.size),
                           f"Rosenbrock's function in {w0.size} variables", "rosenbrock")


def check_minimize_newton(minimize):
    check_minimize_method(minimize, "newton")


def check_minimize_cg(minimize):
    check_minimize_method(minimize, "cg")


def check_minimize_bfgs(minimize):
    check_minimize_method(minimize, "bfgs")


def check_minimize_lbfgs(minimize):
    check_minimize_method(minimize, "lbfgs")
