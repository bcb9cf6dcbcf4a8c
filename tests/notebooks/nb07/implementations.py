"""Implementations of notebook 07's graded functions, for the tests of its visible and hidden checks.

Valid alternatives written independently of course_lib, typical mistakes (each a small change of a
valid version) with the words their diagnosis must contain, and course_lib's references.
"""
import functools
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import scipy.linalg

from course_lib import second_order as ref

# ============================================================================ valid alternatives


def hess_rows_in_place(grad_fn, w, eps=1e-5):
    """Perturbs w in place and restores it, fills rows, then symmetrises."""
    d = w.size
    H = np.zeros((d, d))
    for j in range(d):
        old = w[j]
        w[j] = old + eps
        g_plus = np.array(grad_fn(w))
        w[j] = old - eps
        g_minus = np.array(grad_fn(w))
        w[j] = old
        H[j, :] = (g_plus - g_minus) / (2 * eps)
    return (H + H.T) / 2


def hess_stacked(grad_fn, w, eps=1e-5):
    """All columns from the rows of eps * I, stacked."""
    E = eps * np.eye(w.size)
    H = np.column_stack([(grad_fn(w + e) - grad_fn(w - e)) / (2 * eps) for e in E])
    return 0.5 * (H + H.T)


def newton_inv(w, grad, hess):
    return w - np.linalg.inv(hess) @ grad


def newton_scipy(w, grad, hess):
    return w + scipy.linalg.solve(hess, -grad, assume_a="sym")


def hvp_unit_direction(grad_fn, w, v, delta=1e-6):
    """Moves a distance delta * max(1, ||w||) along v / ||v|| and rescales by ||v||."""
    length = np.linalg.norm(v)
    if length == 0:
        return np.zeros(w.shape)
    step = delta * max(1.0, float(np.linalg.norm(w)))
    u = v / length
    return length * (grad_fn(w + step * u) - grad_fn(w)) / step


def hvp_plain(grad_fn, w, v, delta=1e-6):
    if not np.any(v):
        return np.zeros_like(w)
    h = delta * max(1.0, np.sqrt(w @ w)) / np.sqrt(v @ v)
    g0 = grad_fn(w)
    return (grad_fn(w + h * v) - g0) * (1.0 / h)


def cg_textbook(hvp, b, x0=None, tol=1e-10, max_iter=None):
    """r.r / r.r form of beta, q = r + beta q, returns x."""
    x = np.zeros_like(b) if x0 is None else x0.copy()
    r = b - hvp(x)
    q = r.copy()
    rr = r @ r
    for _ in range(10 * b.size if max_iter is None else max_iter):
        if np.sqrt(rr) <= tol * np.linalg.norm(b):
            break
        Hq = hvp(q)
        alpha = rr / (q @ Hq)
        x = x + alpha * q
        r = r - alpha * Hq
        rr_new = r @ r
        q = r + (rr_new / rr) * q
        rr = rr_new
    return x


def cg_fresh_residual(hvp, b, x0=None, tol=1e-10, max_iter=None):
    """Recomputes r = b - H x every iteration (two products) and returns an object with .x."""
    x = np.zeros(b.shape) if x0 is None else np.array(x0, dtype=float)
    r = b - hvp(x)
    q = r
    k = 0
    while np.linalg.norm(r) > tol * np.linalg.norm(b) and k < (10 * len(b) if max_iter is None else max_iter):
        Hq = hvp(q)
        alpha = (r @ q) / (q @ Hq)
        x = x + alpha * q
        r = b - hvp(x)
        q = r - ((Hq @ r) / (q @ Hq)) * q
        k += 1
    return SimpleNamespace(x=x, iterations=k)


def ls_while(f, grad_f, w, direction, eta0=1.0, c=1e-4, shrink=0.5, max_iter=50):
    f0 = f(w)
    slope = np.dot(grad_f(w), direction)
    if slope >= 0:
        raise ValueError("not a descent direction")
    eta, tries = eta0, 0
    while f(w + eta * direction) > f0 + c * eta * slope:
        eta = eta * shrink
        tries += 1
        if tries >= max_iter:
            raise RuntimeError("no step found")
    return eta


def ls_powers(f, grad_f, w, direction, eta0=1.0, c=1e-4, shrink=0.5, max_iter=50):
    f0, slope = f(w), grad_f(w) @ direction
    if not slope < 0:
        raise ValueError("uphill")
    for k in range(max_iter):
        eta = eta0 * shrink ** k
        if f(w + eta * direction) - f0 <= c * eta * slope:
            return eta
    raise RuntimeError("gave up")


def bfgs_product(H_inv, s, y):
    rho = 1.0 / (y @ s)
    I = np.eye(s.size)
    return (I - rho * np.outer(s, y)) @ H_inv @ (I - rho * np.outer(y, s)) + rho * np.outer(s, s)


def bfgs_expanded(H_inv, s, y):
    rho = 1.0 / np.dot(y, s)
    u = H_inv @ y
    return H_inv - rho * (np.outer(s, u) + np.outer(u, s)) + (rho ** 2 * (y @ u) + rho) * np.outer(s, s)


def lbfgs_two_loop(grad, s_list, y_list):
    a = np.array(grad, dtype=float)
    rhos = [1.0 / (y @ s) for s, y in zip(s_list, y_list)]
    alphas = []
    for s, y, rho in zip(reversed(s_list), reversed(y_list), reversed(rhos)):
        alphas.append(rho * (s @ a))
        a = a - alphas[-1] * y
    gamma = (s_list[-1] @ y_list[-1]) / (y_list[-1] @ y_list[-1]) if s_list else 1.0
    a = gamma * a
    for s, y, rho, alpha in zip(s_list, y_list, rhos, reversed(alphas)):
        a = a + (alpha - rho * (y @ a)) * s
    return -a


def lbfgs_dense(grad, s_list, y_list):
    """Builds the BFGS matrix from gamma I explicitly (O(d^2) memory, same direction)."""
    d = len(grad)
    gamma = (s_list[-1] @ y_list[-1]) / (y_list[-1] @ y_list[-1]) if len(s_list) else 1.0
    H = gamma * np.eye(d)
    for s, y in zip(s_list, y_list):
        H = bfgs_product(H, s, y)
    return -H @ grad


@dataclass
class OptResult:
    x: np.ndarray
    path: list
    nit: int


def saddle_free(grad, hess, floor=1e-8):
    lam, V = np.linalg.eigh(0.5 * (hess + hess.T))
    return -V @ ((V.T @ grad) / np.maximum(np.abs(lam), floor * np.max(np.abs(lam))))


def make_minimize(newton_step=newton_inv, hessian_fd=hess_stacked, hvp_fd=hvp_plain,
                  line_search=ls_while, bfgs_update=bfgs_expanded, lbfgs_direction=lbfgs_two_loop,
                  scale_first=False, memory_default=10, cg_beta="eq21", bfgs_update_on=True,
                  lbfgs_pairs=True, newton_eta0=1.0, line_search_on=True, record_w0=True,
                  return_x_only=False, cg_exact_from=0):
    """The notebook's minimize with its parts swappable (valid choices and mistakes).

    cg_exact_from: the first iteration whose line search starts from the exact step -g.q / q^T H q (the
    notebook: 0; 1 is a slip in the first step only; None never).
    """

    def minimize(f, grad_f, w0, method, tol=1e-6, max_iter=1000, memory=memory_default):
        w = np.array(w0, dtype=np.float64)
        d = w.size
        g = grad_f(w)
        path = [w.copy()] if record_w0 else []
        H_inv = np.eye(d)
        s_list, y_list = [], []
        q, Hq, curvature, since = -g, None, 0.0, 0
        first = True
        for k in range(max_iter):
            if np.max(np.abs(g)) <= tol:
                break
            eta0 = 1.0
            if method == "newton":
                H = hessian_fd(grad_f, w, 1e-5)
                if np.linalg.eigvalsh(H)[0] > 0:
                    q = newton_step(w, g, H) - w
                else:
                    q = saddle_free(g, H)
                eta0 = newton_eta0
            elif method == "cg":
                if k > 0 and curvature > 0 and since < d and cg_beta != "zero":
                    q = -g + ((Hq @ g) / curvature) * q
                else:
                    q, since = -g, 0
                if g @ q >= 0:
                    q, since = -g, 0
                Hq = hvp_fd(grad_f, w, q, 1e-6)
                curvature = q @ Hq
                if curvature > 0 and cg_exact_from is not None and k >= cg_exact_from:
                    eta0 = -(g @ q) / curvature
                since += 1
            elif method == "bfgs":
                q = -H_inv @ g
            else:
                q = lbfgs_direction(g, s_list[-memory:], y_list[-memory:])
            eta = line_search(f, grad_f, w, q, eta0=eta0) if line_search_on else eta0
            w_new = w + eta * q
            g_new = grad_f(w_new)
            s, y = w_new - w, g_new - g
            if method in ("bfgs", "lbfgs"):
                if y @ s > 1e-10 * np.linalg.norm(s) * np.linalg.norm(y):
                    if method == "bfgs" and bfgs_update_on:
                        if first and scale_first:
                            H_inv = (y @ s) / (y @ y) * np.eye(d)
                        H_inv = bfgs_update(H_inv, s, y)
                        first = False
                    if lbfgs_pairs:
                        s_list.append(s)
                        y_list.append(y)
                else:
                    H_inv, s_list, y_list, first = np.eye(d), [], [], True
            w, g = w_new, g_new
            path.append(w.copy())
        if return_x_only:
            return w
        return OptResult(x=w, path=path, nit=len(path) - 1)

    return minimize


minimize_notebook = make_minimize()
minimize_scaled = make_minimize(newton_step=newton_scipy, hessian_fd=hess_rows_in_place, hvp_fd=hvp_unit_direction,
                                line_search=ls_powers, bfgs_update=bfgs_product, lbfgs_direction=lbfgs_dense,
                                scale_first=True, memory_default=5)


def stub(*args, **kwargs):
    raise NotImplementedError()


# ============================================================================ the table of functions

MINIMIZE_GROUPS = ("minimize_newton", "minimize_cg", "minimize_bfgs", "minimize_lbfgs")

REFERENCES = {
    "hessian_fd": (ref.hessian_fd,),
    "newton_step": (functools.partial(ref.newton_step, check=False),),  # the graded step is the raw one
    "hvp_fd": (ref.hvp_fd,),
    "conjugate_gradient": (ref.conjugate_gradient,),
    "backtracking_line_search": (ref.backtracking_line_search,),
    "bfgs_update": (ref.bfgs_update,),
    "lbfgs_direction": (ref.lbfgs_direction,),
    **{group: (ref.minimize,) for group in MINIMIZE_GROUPS},
    # course_lib's nonlinear CG takes inexact strong-Wolfe steps, so on a quadratic its iterates are not
    # linear CG's and it needs more than d iterations; the notebook's cg takes the exact first trial step,
    # and the check holds it to what theory fixes (see test_inexact_cg_steps_are_told_the_exact_step).
    "minimize_cg": (minimize_notebook,),
}

ALTERNATIVES = {
    "hessian_fd": [(hess_rows_in_place,), (hess_stacked,)],
    "newton_step": [(newton_inv,), (newton_scipy,)],
    "hvp_fd": [(hvp_unit_direction,), (hvp_plain,)],
    "conjugate_gradient": [(cg_textbook,), (cg_fresh_residual,)],
    "backtracking_line_search": [(ls_while,), (ls_powers,)],
    "bfgs_update": [(bfgs_product,), (bfgs_expanded,)],
    "lbfgs_direction": [(lbfgs_two_loop,), (lbfgs_dense,)],
    **{group: [(minimize_notebook,), (minimize_scaled,)] for group in MINIMIZE_GROUPS},
}

# ============================================================================ typical mistakes


def hess_unsym(grad_fn, w, eps=1e-5):
    E = eps * np.eye(w.size)
    return np.column_stack([(grad_fn(w + e) - grad_fn(w - e)) / (2 * eps) for e in E])


def hess_rows_unsym(grad_fn, w, eps=1e-5):
    return hess_unsym(grad_fn, w, eps).T


def hess_one_sided(grad_fn, w, eps=1e-5):
    E = eps * np.eye(w.size)
    H = np.column_stack([(grad_fn(w + e) - grad_fn(w)) / eps for e in E])
    return 0.5 * (H + H.T)


def hess_over_eps(grad_fn, w, eps=1e-5):
    return 2.0 * hess_stacked(grad_fn, w, eps)


def hess_forgets_restore(grad_fn, w, eps=1e-5):
    H = np.zeros((w.size, w.size))
    for j in range(w.size):
        w[j] += eps
        g_plus = grad_fn(w.copy())
        w[j] -= 2 * eps
        H[:, j] = (g_plus - grad_fn(w.copy())) / (2 * eps)  # w[j] left at w_j - eps
    return 0.5 * (H + H.T)


def hess_precedence(grad_fn, w, eps=1e-5):
    """/ 2 * eps where / (2 * eps) belongs: eps^2 times the right matrix."""
    H = np.empty((w.size, w.size))
    for j in range(w.size):
        e = np.zeros(w.size)
        e[j] = eps
        H[:, j] = (grad_fn(w + e) - grad_fn(w - e)) / 2 * eps
    return 0.5 * (H + H.T)


def hess_no_default(grad_fn, w, eps=None):
    """Right whenever eps is passed; without it, a step of None crashes."""
    return hess_stacked(grad_fn, w, eps)


def newton_diagonal(w, grad, hess):
    return w - grad / np.diag(hess)


def newton_plus(w, grad, hess):
    return w + np.linalg.solve(hess, grad)


def newton_times(w, grad, hess):
    return w - hess @ grad


def newton_returns_step(w, grad, hess):
    return -np.linalg.solve(hess, grad)


def newton_gd(w, grad, hess):
    return w - grad


def _hvp_with(step_rule, divide=True, centered=False):
    def hvp(grad_fn, w, v, delta=1e-6):
        vn, wn = np.linalg.norm(v), max(1.0, np.linalg.norm(w))
        h = step_rule(delta, wn, vn)
        diff = (grad_fn(w + h * v) - grad_fn(w - h * v)) / 2 if centered else grad_fn(w + h * v) - grad_fn(w)
        if divide == "delta":
            return diff / delta
        return diff / h if divide else diff

    return hvp


hvp_divides_by_delta = _hvp_with(lambda delta, wn, vn: delta * wn / vn, divide="delta")
hvp_lecture_step = _hvp_with(lambda delta, wn, vn: delta)
hvp_without_max = _hvp_with(lambda delta, wn, vn: delta / vn)
hvp_centered = _hvp_with(lambda delta, wn, vn: delta * wn / vn, centered=True)
hvp_no_division = _hvp_with(lambda delta, wn, vn: delta * wn / vn, divide=False)
hvp_step_times_norm = _hvp_with(lambda delta, wn, vn: delta * wn * vn)


def hvp_unit(grad_fn, w, v, delta=1e-6):
    step = delta * max(1.0, np.linalg.norm(w))
    u = v / np.linalg.norm(v)
    return (grad_fn(w + step * u) - grad_fn(w)) / step


def hvp_nan_at_zero(grad_fn, w, v, delta=1e-6):
    with np.errstate(all="ignore"):
        h = delta * max(1.0, np.linalg.norm(w)) / np.linalg.norm(v)
        return (grad_fn(w + h * v) - grad_fn(w)) / h


def _cg_with(beta_rule="eq21", ignore_x0=False, alpha_sign=1.0, extra_iteration=False):
    def cg(hvp, b, x0=None, tol=1e-10, max_iter=None):
        x = np.zeros_like(b) if x0 is None else x0.copy()
        r = b.copy() if (x0 is None or ignore_x0) else b - hvp(x)
        q = r.copy()
        n = 10 * b.size if max_iter is None else max_iter
        for _ in range(n + 1 if extra_iteration else n):
            if np.linalg.norm(r) <= tol * np.linalg.norm(b):
                break
            Hq = hvp(q)
            curvature = q @ Hq
            with np.errstate(all="ignore"):
                alpha = (r @ q) / curvature
            x = x + alpha_sign * alpha * q
            r_old, r = r, r - alpha * Hq
            if beta_rule == "sign":
                q = r + ((Hq @ r) / curvature) * q
            elif beta_rule == "zero":
                q = r.copy()
            elif beta_rule == "fr_inverted":
                q = r + ((r_old @ r_old) / (r @ r)) * q
            elif beta_rule == "old_r":
                q = r - ((Hq @ r_old) / curvature) * q
            elif beta_rule == "before_r":  # q built from the residual before its update
                with np.errstate(all="ignore"):
                    q = r_old - ((Hq @ r_old) / curvature) * q
            else:
                q = r - ((Hq @ r) / curvature) * q
        return x

    return cg


def _ls_with(variant=None, check_descent=True, raise_at_end=True, descent_tolerance=None):
    def ls(f, grad_f, w, direction, eta0=1.0, c=1e-4, shrink=0.5, max_iter=50):
        f0, g0 = f(w), grad_f(w)
        slope = g0 @ direction
        if check_descent and slope >= 0 and descent_tolerance is None:
            raise ValueError("uphill")
        if descent_tolerance == "strict" and slope > 0:  # lets a zero direction through
            raise ValueError("uphill")
        if descent_tolerance == "large" and slope > 1e-3:  # lets a small positive slope through
            raise ValueError("uphill")
        eta = 1.0 if variant == "eta0" else eta0
        for _ in range(max_iter):
            value = f(w + eta * direction)
            if variant == "sign":
                ok = value <= f0 - c * eta * slope
            elif variant == "no_c":
                ok = value < f0
            elif variant == "gnorm":
                ok = value <= f0 - c * eta * (g0 @ g0)
            elif variant == "no_eta":
                ok = value <= f0 + c * slope
            else:
                ok = value <= f0 + c * eta * slope
            if ok:
                return eta * shrink if variant == "once_more" else eta
            eta *= 0.5 if variant == "halve" else shrink
        if raise_at_end:
            raise RuntimeError("no step")
        return eta

    return ls


def bfgs_swapped(H_inv, s, y):
    return bfgs_product(H_inv, y, s)


def bfgs_no_ss(H_inv, s, y):
    rho = 1.0 / (y @ s)
    I = np.eye(s.size)
    return (I - rho * np.outer(s, y)) @ H_inv @ (I - rho * np.outer(y, s))


def bfgs_rho_ss(H_inv, s, y):
    rho = 1.0 / (s @ s)
    I = np.eye(s.size)
    return (I - rho * np.outer(s, y)) @ H_inv @ (I - rho * np.outer(y, s)) + rho * np.outer(s, s)


def bfgs_factors(H_inv, s, y):
    rho = 1.0 / (y @ s)
    I = np.eye(s.size)
    return (I - rho * np.outer(y, s)) @ H_inv @ (I - rho * np.outer(s, y)) + rho * np.outer(s, s)


def bfgs_b_form(H_inv, s, y):
    Bs = H_inv @ s
    return H_inv + np.outer(y, y) / (y @ s) - np.outer(Bs, Bs) / (s @ Bs)


def _lbfgs_with(variant):
    from autograder.checks.nb07.mistaken import lbfgs_variant  # the judge's catalogue, one definition

    def lbfgs(grad, s_list, y_list):
        d = len(grad)
        return lbfgs_variant(np.asarray(grad, dtype=float), np.array(s_list).reshape(len(s_list), d),
                             np.array(y_list).reshape(len(y_list), d), variant)

    return lbfgs


def lbfgs_written_out_reversed(grad, s_list, y_list):
    """The first loop oldest first, the second newest first (a student's own loops)."""
    if not s_list:
        return -grad
    a = grad.copy()
    alphas = []
    for s, y in zip(s_list, y_list):
        alphas.append((s @ a) / (y @ s))
        a = a - alphas[-1] * y
    a *= (s_list[-1] @ y_list[-1]) / (y_list[-1] @ y_list[-1])
    for s, y, alpha in zip(reversed(s_list), reversed(y_list), reversed(alphas)):
        a = a + (alpha - (y @ a) / (y @ s)) * s
    return -a


def minimize_appends_w_in_place(f, grad_f, w0, method, tol=1e-6, max_iter=1000):
    """The issue's path.append(w) with w updated in place: every entry after w0 is the final x."""
    result = minimize_notebook(f, grad_f, w0, method, tol, max_iter)
    w = np.array(w0, dtype=np.float64)
    path = [w0.copy()] + [w] * (len(result.path) - 1)
    w[:] = result.x
    return OptResult(w, path, result.nit)


def minimize_returns_array(f, grad_f, w0, method, tol=1e-6, max_iter=1000):
    return minimize_notebook(f, grad_f, w0, method, tol, max_iter).x


def minimize_path_without_w0(f, grad_f, w0, method, tol=1e-6, max_iter=1000):
    result = minimize_notebook(f, grad_f, w0, method, tol, max_iter)
    return OptResult(result.x, result.path[1:], result.nit)


def minimize_aliased_path(f, grad_f, w0, method, tol=1e-6, max_iter=1000):
    result = minimize_notebook(f, grad_f, w0, method, tol, max_iter)
    return OptResult(result.x, [result.x] * len(result.path), result.nit)  # one array appended again and again


def hvp_no_default(grad_fn, w, v, delta=None):
    return hvp_plain(grad_fn, w, v, delta)


def hvp_default_too_large(grad_fn, w, v, delta=1e-2):
    return hvp_plain(grad_fn, w, v, delta)


def ls_default_c(f, grad_f, w, direction, eta0=1.0, c=0.5, shrink=0.5, max_iter=50):
    return ls_while(f, grad_f, w, direction, eta0, c, shrink, max_iter)


def minimize_default_tol(f, grad_f, w0, method, tol=1e-2, max_iter=1000):
    return minimize_notebook(f, grad_f, w0, method, tol, max_iter)


def minimize_no_defaults(f, grad_f, w0, method, tol, max_iter):
    return minimize_notebook(f, grad_f, w0, method, tol, max_iter)


MISTAKES = [
    ("hessian_fd", (hess_unsym,), "not symmetrised"),
    ("hessian_fd", (hess_rows_unsym,), "TRANSPOSE"),
    ("hessian_fd", (hess_one_sided,), "one-sided difference"),
    ("hessian_fd", (hess_over_eps,), "twice the right matrix"),
    ("hessian_fd", (hess_forgets_restore,), "modified w in place"),
    ("hessian_fd", (hess_precedence,), "eps^2 times the right matrix"),
    ("hessian_fd", (hess_no_default,), "eps left at its default"),
    ("newton_step", (newton_diagonal,), "the diagonal of the Hessian only"),
    ("hvp_fd", (hvp_step_times_norm,), "multiplied by ||v||"),
    ("conjugate_gradient", (_cg_with("before_r"),), "built before r is updated"),
    ("backtracking_line_search", (_ls_with(descent_tolerance="strict"),), "along the zero direction"),
    ("backtracking_line_search", (_ls_with(descent_tolerance="large"),), "a small positive slope"),
    ("minimize_bfgs", (minimize_appends_w_in_place,), "are the same point"),
    ("newton_step", (newton_plus,), "wrong sign"),
    ("newton_step", (newton_times,), "multiplied instead of inverted"),
    ("newton_step", (newton_returns_step,), "the step -H^-1 grad alone"),
    ("newton_step", (newton_gd,), "gradient-descent step"),
    ("hvp_fd", (hvp_divides_by_delta,), "divided by delta instead of by the step h"),
    ("hvp_fd", (hvp_lecture_step,), "the lecture's formula for a unit v"),
    ("hvp_fd", (hvp_without_max,), "the step h = delta / ||v||"),
    ("hvp_fd", (hvp_centered,), "centered difference"),
    ("hvp_fd", (hvp_no_division,), "not divided by the step h"),
    ("hvp_fd", (hvp_unit,), "unit vector"),
    ("hvp_fd", (hvp_nan_at_zero,), "divided by ||v|| = 0"),
    ("conjugate_gradient", (_cg_with("sign"),), "sign of eq. (21) flipped"),
    ("conjugate_gradient", (_cg_with("zero"),), "steepest descent"),
    ("conjugate_gradient", (_cg_with("fr_inverted"),), "upside down"),
    ("conjugate_gradient", (_cg_with("old_r"),), "OLD residual"),
    ("conjugate_gradient", (_cg_with(ignore_x0=True),), "as if x0 were 0"),
    ("conjugate_gradient", (_cg_with(alpha_sign=-1.0),), "steps of the wrong sign"),
    ("conjugate_gradient", (_cg_with(extra_iteration=True),), "one iteration too many"),
    ("backtracking_line_search", (_ls_with("sign"),), "with the wrong sign"),
    ("backtracking_line_search", (_ls_with("no_c"),), "any decrease at all"),
    ("backtracking_line_search", (_ls_with("gnorm"),), "-||grad||^2"),
    ("backtracking_line_search", (_ls_with("eta0"),), "starting from eta = 1"),
    ("backtracking_line_search", (_ls_with("halve"),), "by halving"),
    ("backtracking_line_search", (_ls_with("once_more"),), "shrink once more"),
    ("backtracking_line_search", (_ls_with("no_eta"),), "without eta in the Armijo term"),
    ("backtracking_line_search", (_ls_with(check_descent=False),), "expected a ValueError"),
    ("backtracking_line_search", (_ls_with(raise_at_end=False),), "expected a RuntimeError"),
    ("bfgs_update", (bfgs_swapped,), "s and y swapped"),
    ("bfgs_update", (bfgs_no_ss,), "without the last term"),
    ("bfgs_update", (bfgs_rho_ss,), "rho = 1 / (s . s)"),
    ("bfgs_update", (bfgs_factors,), "outer factors in the wrong order"),
    ("bfgs_update", (bfgs_b_form,), "Hessian approximation"),
    ("lbfgs_direction", (lbfgs_written_out_reversed,), "wrong order"),
    ("lbfgs_direction", (_lbfgs_with("lbfgs_alphas_misaligned"),), "read them backwards"),
    ("lbfgs_direction", (_lbfgs_with("lbfgs_sign"),), "+H_inv grad"),
    ("lbfgs_direction", (_lbfgs_with("lbfgs_gamma_one"),), "gamma = 1"),
    ("lbfgs_direction", (_lbfgs_with("lbfgs_gamma_oldest"),), "OLDEST pair"),
    ("lbfgs_direction", (_lbfgs_with("lbfgs_gamma_inverted"),), "upside down"),
    ("minimize_newton", (make_minimize(newton_eta0=0.5),), "Newton took"),
    ("minimize_newton", (make_minimize(newton_step=newton_plus),), "raised ValueError"),
    ("minimize_cg", (make_minimize(cg_beta="zero"),), "a correct cg needs at most"),
    ("minimize_bfgs", (make_minimize(bfgs_update_on=False),), "a correct bfgs needs at most"),
    ("minimize_bfgs", (make_minimize(line_search_on=False),), "f increased"),
    ("minimize_lbfgs", (make_minimize(lbfgs_pairs=False),), "a correct lbfgs needs at most"),
    ("minimize_lbfgs", (minimize_returns_array,), "attributes x and path"),
    ("minimize_cg", (minimize_path_without_w0,), "result.path[0] must be w0"),
    ("minimize_newton", (minimize_aliased_path,), "append copies"),
    # defaults of the notebook's signatures, called without the argument
    ("hvp_fd", (hvp_no_default,), "give each argument the default of the notebook's signature, hvp_fd("),
    ("hvp_fd", (hvp_default_too_large,), "delta = 1e-06, delta left at its default"),
    ("backtracking_line_search", (ls_default_c,), "eta0, c and shrink left at their defaults"),
    ("minimize_bfgs", (minimize_default_tol,), "tol and max_iter left at their defaults: did not reach"),
    ("minimize_lbfgs", (minimize_no_defaults,), "give each argument the default of the notebook's signature"),
    # the early steps and the counts theory fixes on a quadratic
    ("minimize_cg", (make_minimize(cg_exact_from=1),), "is the exact minimiser along q and Armijo accepts it"),
    ("minimize_cg", (make_minimize(cg_exact_from=None),), "is the exact minimiser along q and Armijo accepts it"),
    ("minimize_newton", (make_minimize(newton_step=newton_diagonal),), "your first step points elsewhere"),
    ("minimize_lbfgs", (make_minimize(memory_default=1),),
     "here (on a d-dimensional quadratic L-BFGS (with at least d pairs of memory)"),
    ("minimize_bfgs", (make_minimize(line_search=_ls_with("once_more")),),
     "here (on a d-dimensional quadratic BFGS learns the curvature"),
]
