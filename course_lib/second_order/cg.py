"""Conjugate gradients (lecture 003): linear CG for H x = b from products H v, and nonlinear CG.

Linear CG minimises the quadratic L(x) = 1/2 x^T H x - b^T x, whose gradient
is grad L = H x - b, so its minimiser solves H x = b. From x_0 it moves
along directions q_0, q_1, ... with the optimal step along each, and picks
every new direction conjugate to the previous one (lecture 003, eq. 21):

    q_{t+1} = -grad L(x_{t+1}) + (q_t^T H grad L(x_{t+1}) / q_t^T H q_t) q_t.

For a symmetric positive definite H the directions are then mutually
H-conjugate (q_i^T H q_j = 0 for i != j), each step never undoes the
previous ones, and x_d is the exact solution after at most d steps (in
exact arithmetic). Only products H v are needed, so H can be a Hessian
seen through ``hvp_fd``.

Nonlinear CG applies the same recursion to a general f: the step comes from
a line search and beta from gradients alone (Fletcher-Reeves,
Polak-Ribiere, or Hestenes-Stiefel, which is eq. 21 with H q_t replaced by
the gradient difference along q_t, i.e. the finite-difference product of
eq. 23), restarting with steepest descent now and then.
"""
from dataclasses import dataclass

import numpy as np

from course_lib.second_order.bookkeeping import (
    Run,
    Status,
    converged_message,
    inf_norm,
    max_iter_message,
    start,
)
from course_lib.second_order.checks import as_vector, call_gradient
from course_lib.second_order.line_search import LineSearchError, wolfe_line_search
from course_lib.validation import check_positive_int


@dataclass
class CGResult:
    """The outcome of ``conjugate_gradient`` on a d-dimensional system, after k iterations.

    x               the solution estimate, shape (d,)
    iterations      k, the number of directions used (= number of H v products)
    converged       True when ||b - H x|| <= tol ||b||
    residual_norms  ||r_t|| = ||b - H x_t|| for t = 0..k (updated recursively), length k + 1
    directions      the search directions q_0..q_{k-1}, shape (k, d)
    steps           the step sizes alpha_0..alpha_{k-1}, shape (k,)
    iterates        x_0..x_k, shape (k + 1, d), for plotting the path on a 2-D quadratic
    negative_curvature  True if some q had q^T H q <= 0 (H is not positive definite)
    message         why it stopped
    """

    x: np.ndarray
    iterations: int
    converged: bool
    residual_norms: list
    directions: np.ndarray
    steps: np.ndarray
    iterates: np.ndarray
    negative_curvature: bool
    message: str


def conjugate_gradient(hvp, b, x0=None, tol=1e-10, max_iter=None):
    """Solve H x = b for a symmetric positive definite H given only the products v -> H v.

    With the residual r = b - H x = -grad L(x) (L as in the module docstring),
    each iteration t does, with one product H q_t:

        alpha_t = r_t . q_t / (q_t^T H q_t)        exact minimiser of L along q_t
        x_{t+1} = x_t + alpha_t q_t
        r_{t+1} = r_t - alpha_t H q_t
        q_{t+1} = r_{t+1} - (q_t^T H r_{t+1} / q_t^T H q_t) q_t     (lecture eq. 21)

    starting from q_0 = r_0. (Textbooks often write the coefficient as
    r_{t+1}.r_{t+1} / r_t.r_t; in exact arithmetic the two agree, and the
    lecture's form reuses the product H q_t already computed.)

    hvp: function (d,) -> (d,), v -> H v (e.g. ``lambda v: H @ v`` or an
    ``hvp_fd`` closure). b: shape (d,). x0: start, shape (d,), default 0.
    tol: stop when ||r|| <= tol * ||b|| (2-norms, relative to b; b = 0 gives
    x = 0 at once). max_iter: default 10 d; d suffice in exact arithmetic,
    the margin absorbs rounding on ill-conditioned H.
    If q^T H q <= 0, H is not positive definite: the run stops there with
    ``negative_curvature=True`` instead of stepping towards a maximum.
    Returns a CGResult.
    """
    if not callable(hvp):
        raise TypeError(
            f"hvp must be a function v -> H v, got {type(hvp).__name__}; for a matrix H pass "
            "lambda v: H @ v."
        )
    b = as_vector("b", b)
    d = b.size
    x = np.zeros(d) if x0 is None else as_vector("x0", x0, d)
    tol = float(tol)
    if not tol > 0:
        raise ValueError(f"tol must be a positive relative residual, got {tol!r}.")
    max_iter = 10 * d if max_iter is None else check_positive_int("max_iter", max_iter)
    b_norm = np.linalg.norm(b)

    if b_norm == 0:
        return CGResult(np.zeros(d), 0, True, [0.0], np.empty((0, d)), np.empty(0),
                        np.zeros((1, d)), False, "b = 0, so x = 0 solves H x = b.")
    r = b.copy() if x0 is None else b - call_gradient(hvp, x, d, "hvp")
    q = r.copy()
    residual_norms, directions, steps, iterates = [np.linalg.norm(r)], [], [], [x.copy()]
    negative_curvature = False
    message = f"stopped: max_iter = {max_iter} iterations reached"
    for _ in range(max_iter):
        if residual_norms[-1] <= tol * b_norm:
            break
        Hq = call_gradient(hvp, q, d, "hvp")
        curvature = q @ Hq
        if curvature <= 0:
            negative_curvature = True
            message = (f"stopped: negative curvature q^T H q = {curvature:.3g} <= 0 along direction "
                       f"{len(steps)}; H is not positive definite, so H x = b is not a minimisation.")
            break
        alpha = (r @ q) / curvature
        x = x + alpha * q
        r = r - alpha * Hq
        directions.append(q)
        steps.append(alpha)
        iterates.append(x.copy())
        residual_norms.append(np.linalg.norm(r))
        q = r - ((Hq @ r) / curvature) * q
    converged = residual_norms[-1] <= tol * b_norm
    if converged:
        message = f"converged: ||b - H x|| <= {tol:g} ||b|| after {len(steps)} iterations"
    return CGResult(
        x=x, iterations=len(steps), converged=bool(converged),
        residual_norms=[float(n) for n in residual_norms],
        directions=np.array(directions).reshape(len(directions), d), steps=np.array(steps),
        iterates=np.array(iterates), negative_curvature=negative_curvature, message=message,
    )


CG_VARIANTS = ("fletcher-reeves", "polak-ribiere", "hestenes-stiefel")


def cg_beta(variant, g_new, g, q):
    """The coefficient beta in q_{t+1} = -g_{t+1} + beta q_t, from gradients only.

    fletcher-reeves:  g_{t+1}.g_{t+1} / g_t.g_t
    polak-ribiere:    g_{t+1}.(g_{t+1} - g_t) / g_t.g_t
    hestenes-stiefel: g_{t+1}.y / q_t.y  with y = g_{t+1} - g_t, i.e. lecture eq. 21 with
                      H q_t ~ y / alpha_t (a finite-difference Hessian-vector product)
    On a quadratic with exact line searches all three equal eq. 21.
    """
    y = g_new - g
    if variant == "fletcher-reeves":
        return (g_new @ g_new) / (g @ g)
    if variant == "polak-ribiere":
        return (g_new @ y) / (g @ g)
    qy = q @ y
    return (g_new @ y) / qy if qy != 0 else 0.0


def nonlinear_cg(f, grad_f, w0, variant="polak-ribiere", restart=None, tol=1e-6, max_iter=None,
                 c1=1e-4, c2=0.4):
    """Minimise f by nonlinear conjugate gradients with a strong Wolfe line search.

    Iteration t: line search along q_t (first q_0 = -grad f(w_0)), then
    q_{t+1} = -g_{t+1} + beta_t q_t with beta from ``cg_beta``. Restarts
    (q_{t+1} = -g_{t+1}, forgetting the old directions) happen
      - every ``restart`` iterations (default d, the number of variables:
        conjugacy is only meaningful for d steps of a quadratic model),
      - when beta < 0 for polak-ribiere and hestenes-stiefel (beta is
        clipped to max(0, beta), Gilbert and Nocedal's "PR+" rule),
      - when q_{t+1} is not a descent direction, g_{t+1} . q_{t+1} >= 0.
    Counts of each kind are in ``result.info``.

    The first trial step of each line search comes from ``_first_trial_step``.
    c2 = 0.4 < 1/2 makes Fletcher-Reeves directions descent directions.

    f: (d,) -> float; grad_f: (d,) -> (d,); w0: shape (d,).
    Stops when ||grad||_inf <= tol. Returns a MinimizeResult (see minimize).
    """
    obj, w, fval, g, tol, max_iter = start(f, grad_f, w0, None, tol, max_iter)
    variant = str(variant).lower()
    if variant not in CG_VARIANTS:
        raise ValueError(f"unknown CG variant {variant!r}; choose one of {', '.join(CG_VARIANTS)}.")
    restart = w.size if restart is None else check_positive_int("restart", restart)
    run = Run(obj, "cg")
    run.info.update(periodic_restarts=0, negative_beta_restarts=0, non_descent_restarts=0)
    run.record(w, fval)
    q = -g
    f_prev = last = None
    since_restart = 0
    for k in range(max_iter):
        if inf_norm(g) <= tol:
            return run.finish(w, fval, g, k, Status.CONVERGED, converged_message(g, tol))
        slope = g @ q
        step0 = _first_trial_step(g, slope, fval, f_prev, last)
        try:
            ls = wolfe_line_search(obj.fun, obj.grad, w, q, c1=c1, c2=c2, step0=step0, f0=fval, g0=g)
        except LineSearchError as err:   # PrecisionLossError included: a clean stop
            return run.stop_after_line_search(err, w, q, fval, g, k, tol)
        w = w + ls.step * q
        last = (ls.step, slope)
        f_prev, fval, g_new = fval, ls.fun, ls.grad
        run.record(w, fval)
        since_restart += 1
        beta = cg_beta(variant, g_new, g, q)
        if since_restart >= restart:
            beta, since_restart = 0.0, 0
            run.count("periodic_restarts")
        elif beta < 0 and variant != "fletcher-reeves":
            beta, since_restart = 0.0, 0
            run.count("negative_beta_restarts")
        q = -g_new + beta * q
        if g_new @ q >= 0:
            q, since_restart = -g_new, 0
            run.count("non_descent_restarts")
        g = g_new
    if inf_norm(g) <= tol:
        return run.finish(w, fval, g, max_iter, Status.CONVERGED, converged_message(g, tol))
    return run.finish(w, fval, g, max_iter, Status.MAX_ITER, max_iter_message(max_iter, g, tol))


def _first_trial_step(g, slope, fval, f_prev, last):
    """The first step the line search tries along q_t (slope = g_t . q_t < 0).

    CG directions carry no natural step length (unlike Newton's, where it is
    1), so we predict one from the previous iteration (Nocedal & Wright,
    section 3.5) and take the smaller of two predictions:
      - the same first-order decrease as last time: eta_{t-1} slope_{t-1} / slope_t,
      - the same decrease of f as last time, from a quadratic model:
        1.01 * 2 (f_t - f_{t-1}) / slope_t.
    Taking the smaller one needed fewer evaluations than either rule alone
    in benchmarks/bench_second_order.py: right after a restart the step
    scale changes and the larger prediction overshoots by orders of
    magnitude. On the very first iteration the trial is a step of length
    one, 1/||g||_2.
    """
    if last is None:
        return 1.0 / np.linalg.norm(g)
    last_step, last_slope = last
    step0 = min(last_step * last_slope / slope, 1.01 * 2 * (fval - f_prev) / slope)
    return step0 if np.isfinite(step0) and step0 > 0 else 1.0 / np.linalg.norm(g)
