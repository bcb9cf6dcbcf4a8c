"""What notebook 07's known mistakes give: the arrays the checks name a mistake by.

Each builder computes, on the inputs of one case, the answer of every
mistake of the catalogue (course_lib/selfcheck/nb07/mistakes.py has the
words), keyed by its slug:
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
Trusted code: the variants with ``variant=None`` compute the right answer.
"""
import numpy as np

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
        "hess_precedence": 0.5 * (J + J.T) * eps**2,
    }



# ----------------------------------------------------------------------------- newton_step


def newton_mistakes(w, grad, hess):
    step = np.linalg.solve(hess, grad)
    return {
        "newton_sign": w + step,
        "newton_step_only": -step,
        "newton_hess_times_grad": w - hess @ grad,
        "newton_gradient_step": w - grad,
        "newton_diagonal": w - grad / np.diag(hess),
    }


# ----------------------------------------------------------------------------- hvp_fd


def hvp_mistakes(grad, w, v, delta):
    v_norm = np.linalg.norm(v)
    h = delta * max(1.0, np.linalg.norm(w)) / v_norm
    g0, g_plus = grad(w), grad(w + h * v)
    h_unit = delta * max(1.0, np.linalg.norm(w))
    h_no_w = delta / v_norm
    h_times = delta * max(1.0, np.linalg.norm(w)) * v_norm
    return {
        "hvp_divide_by_delta": (g_plus - g0) / delta,
        "hvp_unscaled_step": (grad(w + delta * v) - g0) / delta,
        "hvp_no_max_w": (grad(w + h_no_w * v) - g0) / h_no_w,
        "hvp_centered": (g_plus - grad(w - h * v)) / (2 * h),
        "hvp_no_division": g_plus - g0,
        "hvp_unit_v": (grad(w + h_unit * v / v_norm) - g0) / h_unit,
        "hvp_step_times_norm": (grad(w + h_times * v) - g0) / h_times,
    }



# ----------------------------------------------------------------------------- conjugate_gradient


def cg_variant_iterates(A, b, x0, variant=None):
    """x after k = 1..d iterations of linear CG, right (variant None) or with one mistake; shape (d, d)."""
    d = b.size
    x = np.zeros(d) if x0 is None else x0.astype(np.float64).copy()
    r = b.copy() if (x0 is None or variant == "cg_ignores_x0") else b - A @ x
    q = r.copy()
    out = []
    for _ in range(d):
        if variant == "cg_q_before_r" and not np.any(q):
            out.append(np.full(d, np.nan))  # q_1 = r_0 - r_0 = 0: the student's next step divides 0 by 0
            x = out[-1]
            continue
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
        elif variant == "cg_q_before_r":
            q = r_old - ((Hq @ r_old) / curvature) * q
        else:
            q = r - ((Hq @ r) / curvature) * q
        out.append(x.copy())
    return np.array(out)


CG_MISTAKES = ("cg_beta_sign", "cg_steepest", "cg_fr_inverted", "cg_beta_old_r", "cg_ignores_x0", "cg_alpha_sign",
               "cg_q_before_r")


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

