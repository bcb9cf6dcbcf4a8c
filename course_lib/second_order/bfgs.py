"""BFGS and L-BFGS (lectures 003, 004): approximate the inverse Hessian from gradient differences.

Quasi-Newton methods step along q = -H_inv grad, like Newton, but never
compute the Hessian. After each step s = w_new - w they observe how the
gradient changed, y = grad_new - grad. For a quadratic y = H s exactly, so
the new approximation is required to map y back to s (the secant equation
H_inv_new y = s); BFGS makes the smallest such change that keeps H_inv
symmetric positive definite.

BFGS stores the d x d matrix H_inv (O(d^2) memory, lecture 004); L-BFGS
stores only the last m pairs (s, y) and rebuilds H_inv grad from them in
O(m d) with the two-loop recursion.
"""
import warnings

import numpy as np

from course_lib.second_order.checks import as_square_matrix, as_vector


class SkippedUpdateWarning(UserWarning):
    """A BFGS update was skipped because the pair (s, y) has no positive curvature."""


def curvature_problem(s, y):
    """Why the pair (s, y) must not enter a BFGS update, or None if it may.

    The update keeps H_inv positive definite only if y . s > 0 (the
    curvature condition, guaranteed by a Wolfe line search). We skip when
    y . s <= eps ||y|| ||s||, i.e. zero up to rounding, since 1 / (y . s)
    would then be huge or negative.
    """
    ys = float(y @ s)
    if ys <= np.finfo(np.float64).eps * np.linalg.norm(y) * np.linalg.norm(s):
        return (f"y . s = {ys:.3g} is not positive (no positive curvature along the step), so the "
                "update would not keep H_inv positive definite")
    return None


def bfgs_update(H_inv, s, y):
    """The BFGS update of the inverse-Hessian approximation, with rho = 1 / (y . s):

        H_inv_new = (I - rho s y^T) H_inv (I - rho y s^T) + rho s s^T

    computed in the expanded O(d^2) form
        H_inv - rho (s u^T + u s^T) + (rho^2 y.u + rho) s s^T,  u = H_inv y.
    H_inv_new satisfies the secant equation H_inv_new y = s and stays
    symmetric positive definite when H_inv is and y . s > 0.

    H_inv: shape (d, d), symmetric positive definite; s = w_new - w and
    y = grad_new - grad: shape (d,). Inputs are not modified.
    Returns H_inv_new (d, d). If y . s <= 0 (see ``curvature_problem``) the
    update is skipped: a copy of H_inv is returned and a SkippedUpdateWarning
    says why.
    """
    s = as_vector("s", s)
    d = s.size
    y = as_vector("y", y, d)
    H = as_square_matrix("H_inv", H_inv, d)
    problem = curvature_problem(s, y)
    if problem is not None:
        warnings.warn(f"BFGS update skipped: {problem}.", SkippedUpdateWarning, stacklevel=2)
        return H
    rho = 1.0 / (y @ s)
    u = H @ y
    return H - rho * (np.outer(s, u) + np.outer(u, s)) + (rho * rho * (y @ u) + rho) * np.outer(s, s)


def lbfgs_direction(grad, s_list, y_list, gamma=None):
    """The L-BFGS search direction -H_inv grad, by the two-loop recursion (Nocedal & Wright alg. 7.4).

    Sign convention: the result is the *descent direction* q = -H_inv grad,
    ready for w_new = w + eta q; it is not H_inv grad.

    H_inv is the matrix that BFGS updates (``bfgs_update``) would build from
    the initial matrix gamma * I and the pairs in ``s_list``/``y_list``, in
    order (oldest first), without ever forming it:

        a <- grad
        for i = newest .. oldest:  alpha_i = rho_i s_i . a;   a <- a - alpha_i y_i
        a <- gamma a
        for i = oldest .. newest:  b = rho_i y_i . a;   a <- a + (alpha_i - b) s_i
        return -a                                  (rho_i = 1 / y_i . s_i)

    gamma: default s . y / y . y of the newest pair (the curvature seen along
    the last step, which gives the first trial step a sensible length), and 1
    when there are no pairs. Pass a number to fix it.
    grad: shape (d,); s_list, y_list: equal-length sequences of (d,) arrays
    with y . s > 0. Returns q of shape (d,).
    """
    grad = as_vector("grad", grad)
    d = grad.size
    if len(s_list) != len(y_list):
        raise ValueError(
            f"s_list and y_list must hold the same number of pairs, got {len(s_list)} and "
            f"{len(y_list)}."
        )
    s_vecs = [as_vector(f"s_list[{i}]", s, d) for i, s in enumerate(s_list)]
    y_vecs = [as_vector(f"y_list[{i}]", y, d) for i, y in enumerate(y_list)]
    rhos = []
    for i, (s, y) in enumerate(zip(s_vecs, y_vecs)):
        problem = curvature_problem(s, y)
        if problem is not None:
            raise ValueError(f"pair {i} cannot be used: {problem}; leave it out of the lists.")
        rhos.append(1.0 / (y @ s))
    if gamma is None:
        gamma = (s_vecs[-1] @ y_vecs[-1]) / (y_vecs[-1] @ y_vecs[-1]) if s_vecs else 1.0
    elif not float(gamma) > 0:
        raise ValueError(f"gamma must be positive (H_0 = gamma I), got {gamma!r}.")

    a = grad.copy()
    alphas = []
    for s, y, rho in zip(reversed(s_vecs), reversed(y_vecs), reversed(rhos)):
        alpha_i = rho * (s @ a)
        a -= alpha_i * y
        alphas.append(alpha_i)
    a *= float(gamma)
    for s, y, rho, alpha_i in zip(s_vecs, y_vecs, rhos, reversed(alphas)):
        b = rho * (y @ a)
        a += (alpha_i - b) * s
    return -a
