"""minimize(f, grad_f, w0, method): Newton, nonlinear CG, BFGS and L-BFGS behind one call.

Every method repeats: pick a direction q from the current gradient (and
Hessian or its approximation), choose a step eta along q with a line search,
set w <- w + eta q, until ||grad f(w)||_inf <= tol. The methods differ in
the direction only:

  newton  q = -H^{-1} grad with the Hessian from ``hess_f`` or ``hessian_fd``;
          Armijo backtracking from eta = 1, so the full Newton step is taken
          whenever it decreases f enough (lecture: "step size not needed").
          If H is not positive definite the saddle-free direction is used and
          a warning says so; the raw step would walk into the saddle. Before
          declaring success it checks the Hessian once more: at a saddle
          (zero gradient, a negative eigenvalue) it steps along that
          eigenvalue's eigenvector, warns, and goes on.
  cg      nonlinear conjugate gradients (``nonlinear_cg`` in cg.py).
  bfgs    q = -H_inv grad with the BFGS approximation; strong Wolfe line search.
  lbfgs   q from the two-loop recursion over the last ``memory`` pairs; strong Wolfe.

The result records the path, the evaluation counts and every warning; see
``MinimizeResult``. ``result.status`` says why the run stopped (a
``Status``): CONVERGED, MAX_ITER, PRECISION_LOSS, LINE_SEARCH_FAILED or
SADDLE_POINT. PRECISION_LOSS is scipy's status 2: the Wolfe line search of
cg, bfgs or lbfgs found f flat to rounding error along the direction (no
decrease representable, typically near the minimum with a tol below what
float64 resolves); the run stops there cleanly, after taking the best step
the search found, and counts as converged if the gradient then meets tol.
"""
from collections import deque

import numpy as np

from course_lib.second_order.bfgs import bfgs_update, curvature_problem, lbfgs_direction
from course_lib.second_order.bookkeeping import (
    Run,
    Status,
    converged_message,
    inf_norm,
    max_iter_message,
    start,
)
from course_lib.second_order.cg import nonlinear_cg
from course_lib.second_order.line_search import (
    LineSearchError,
    backtracking_line_search,
    wolfe_line_search,
)
from course_lib.second_order.newton import (
    IndefiniteHessianError,
    NewtonStepError,
    negative_curvature_direction,
    newton_step,
    saddle_free_direction,
)
from course_lib.validation import check_positive_int

METHODS = ("newton", "cg", "bfgs", "lbfgs")

# Eigenvalues below NEWTON_RTOL * max|eigenvalue| in magnitude count as zero: a finite-difference
# Hessian is accurate to about 1e-10 relative, so this does not mistake its noise for curvature.
NEWTON_RTOL = 1e-8
# The saddle-free direction divides by max(|lambda|, SADDLE_FREE_FLOOR * max|lambda|).
SADDLE_FREE_FLOOR = 1e-6


def minimize(f, grad_f, w0, method, tol=1e-6, max_iter=None, hess_f=None, memory=10, *,
             cg_variant="polak-ribiere", lbfgs_gamma="latest", c1=1e-4, c2=None):
    """Minimise f from w0 with "newton", "cg", "bfgs" or "lbfgs"; returns a MinimizeResult.

    f: (d,) -> float; grad_f: (d,) -> (d,); w0: shape (d,) (not modified).
    tol: stop when ||grad f(w)||_inf = max_i |df/dw_i| <= tol, the same test
        as scipy's ``gtol`` (whose default norm is inf), so results compare.
    max_iter: default 200 d (scipy's default for BFGS and CG).
    hess_f: (d,) -> (d, d), used by "newton" only; without it the Hessian
        is ``hessian_fd(grad_f, w)`` (2d gradient calls per iteration, counted
        in n_gev).
    memory: number of (s, y) pairs L-BFGS keeps (scipy's L-BFGS-B ``maxcor``).
    cg_variant: "polak-ribiere" (default, as scipy's CG), "fletcher-reeves"
        or "hestenes-stiefel".
    lbfgs_gamma: "latest" (default) scales L-BFGS's initial matrix by
        s.y / y.y of the newest pair; "first" keeps the value from the first
        pair, which is what our BFGS does (H_inv <- (s.y / y.y) I before its
        first update, Nocedal & Wright eq. 6.20). With "first" and memory at
        least the number of iterations, L-BFGS builds the very same H_inv as
        BFGS and, with the same line search, follows the same iterates.
    c1, c2: strong Wolfe constants (c2 defaults to 0.9 for bfgs/lbfgs and
        0.4 for cg); Newton's Armijo backtracking uses c1.

    For bfgs and lbfgs the first trial step of the Wolfe search is
    1/||grad||_2 on the first iteration (a step of length one along -grad, as
    L-BFGS-B does) and 1 afterwards, the natural step of a quasi-Newton
    direction; for cg see ``nonlinear_cg``.
    Returns a MinimizeResult; ``status`` and ``message`` say why it stopped
    (see the module docstring), ``success`` is status == Status.CONVERGED.
    Raises ValueError for an unknown method, a gradient of the wrong shape or
    with nan/inf, and a non-finite f(w0).
    """
    name = str(method).lower()
    if name not in METHODS:
        raise ValueError(f"unknown method {method!r}; valid methods are {', '.join(METHODS)}.")
    if lbfgs_gamma not in ("latest", "first"):
        raise ValueError(f"lbfgs_gamma must be 'latest' or 'first', got {lbfgs_gamma!r}.")
    memory = check_positive_int("memory", memory)
    if name == "cg":
        return nonlinear_cg(f, grad_f, w0, variant=cg_variant, tol=tol, max_iter=max_iter,
                            c1=c1, c2=0.4 if c2 is None else c2)
    obj, w, fval, g, tol, max_iter = start(f, grad_f, w0, hess_f, tol, max_iter)
    run = Run(obj, name)
    run.record(w, fval)
    if name == "newton":
        return _newton(run, obj, w, fval, g, tol, max_iter, c1)
    model = _BFGSModel(w.size) if name == "bfgs" else _LBFGSModel(memory, lbfgs_gamma)
    return _quasi_newton(run, obj, w, fval, g, tol, max_iter, model, c1, 0.9 if c2 is None else c2)


def _newton(run, obj, w, fval, g, tol, max_iter, c1):
    run.info.update(hessian_fallbacks=0, saddle_escapes=0)
    for k in range(max_iter):
        H = obj.hess(w)
        if inf_norm(g) <= tol:
            # A zero gradient is a minimum only if no direction curves downwards.
            eigenvalues = np.linalg.eigvalsh(0.5 * (H + H.T))
            if eigenvalues[0] >= -NEWTON_RTOL * np.max(np.abs(eigenvalues)):
                return run.finish(w, fval, g, k, Status.CONVERGED, converged_message(g, tol))
            v, lam_min = negative_curvature_direction(g, H)
            eta = _escape_step(obj.fun, w, fval, v, lam_min)
            if eta is None:
                return run.finish(w, fval, g, k, Status.SADDLE_POINT, (
                    f"stopped at iteration {k}: ||grad||_inf <= tol, but the Hessian has eigenvalue "
                    f"{lam_min:.3g} < 0 (a saddle point) and f did not decrease along its eigenvector"))
            run.warn(f"saddle point at iteration {k}: ||grad||_inf = {inf_norm(g):.2e} <= tol but "
                     f"the Hessian has eigenvalue {lam_min:.3g} < 0; stepped along its eigenvector "
                     "instead of stopping")
            run.count("saddle_escapes")
            w = w + eta * v
        else:
            try:
                q = newton_step(w, g, H, check=True, rtol=NEWTON_RTOL) - w
            except NewtonStepError as err:
                kind = "indefinite" if isinstance(err, IndefiniteHessianError) else "singular"
                run.warn(f"{kind} Hessian at iteration {k} (smallest eigenvalue {err.eigenvalue:.3g}):"
                         " fell back to the saddle-free Newton direction (eigenvalues replaced by"
                         " their absolute values) instead of the raw Newton step")
                run.count("hessian_fallbacks")
                scale = np.max(np.abs(np.linalg.eigvalsh(0.5 * (H + H.T))))
                q = saddle_free_direction(g, H, SADDLE_FREE_FLOOR * scale)
            try:
                eta = backtracking_line_search(obj.fun, obj.grad, w, q, eta0=1.0, c=c1, f0=fval, g0=g)
            except LineSearchError as err:
                return run.finish(w, fval, g, k, Status.LINE_SEARCH_FAILED,
                                  f"stopped: line search failed at iteration {k}: {err}")
            w = w + eta * q
        fval, g = obj.fun(w), obj.grad(w)
        run.record(w, fval)
    return _finish_at_max_iter(run, w, fval, g, tol, max_iter)


def _escape_step(fun, w, fval, v, lam_min, max_halvings=50):
    """A step t along the negative-curvature direction v with f(w + t v) <= f(w) + 1e-4 t^2 lam_min / 2.

    At a saddle the gradient term vanishes, so the decrease to ask for is the
    curvature term of the Taylor model. Tries t = 1, 1/2, 1/4, ...; None if none works.
    """
    t = 1.0
    for _ in range(max_halvings):
        if fun(w + t * v) <= fval + 0.5e-4 * t * t * lam_min:
            return t
        t *= 0.5
    return None


class _BFGSModel:
    """The full d x d inverse-Hessian approximation, H_inv = I until the first update."""

    def __init__(self, d):
        self.H_inv = np.eye(d)
        self.updated = False

    def direction(self, g):
        return -self.H_inv @ g

    def update(self, s, y):
        if not self.updated:
            # N&W eq. 6.20: give H_inv the size of the curvature seen along the first step.
            self.H_inv = (s @ y) / (y @ y) * np.eye(len(s))
            self.updated = True
        self.H_inv = bfgs_update(self.H_inv, s, y)

    def reset(self):
        self.__init__(len(self.H_inv))


class _LBFGSModel:
    """The last ``memory`` pairs (s, y); H_inv is never formed."""

    def __init__(self, memory, gamma_rule):
        self.memory, self.gamma_rule = memory, gamma_rule
        self.s_list, self.y_list = deque(maxlen=memory), deque(maxlen=memory)
        self.first_gamma = None

    def direction(self, g):
        gamma = self.first_gamma if self.gamma_rule == "first" else None
        return lbfgs_direction(g, list(self.s_list), list(self.y_list), gamma=gamma)

    def update(self, s, y):
        if self.first_gamma is None:
            self.first_gamma = (s @ y) / (y @ y)
        self.s_list.append(s)
        self.y_list.append(y)

    def reset(self):
        self.__init__(self.memory, self.gamma_rule)


def _quasi_newton(run, obj, w, fval, g, tol, max_iter, model, c1, c2):
    run.info.update(skipped_updates=0, resets=0)
    for k in range(max_iter):
        if inf_norm(g) <= tol:
            return run.finish(w, fval, g, k, Status.CONVERGED, converged_message(g, tol))
        q = model.direction(g)
        if not g @ q < 0:
            # Rounding can cost H_inv its positive definiteness; start the model afresh.
            run.warn(f"iteration {k}: the quasi-Newton direction was not a descent direction; "
                     "reset the inverse-Hessian approximation to the identity")
            run.count("resets")
            model.reset()
            q = -g
        step0 = 1.0 / np.linalg.norm(g) if k == 0 else 1.0
        try:
            ls = wolfe_line_search(obj.fun, obj.grad, w, q, c1=c1, c2=c2, step0=step0, f0=fval, g0=g)
        except LineSearchError as err:   # PrecisionLossError included: a clean stop
            return run.stop_after_line_search(err, w, q, fval, g, k, tol)
        s, y = ls.step * q, ls.grad - g
        w = w + s
        problem = curvature_problem(s, y)
        if problem is None:
            model.update(s, y)
        else:
            run.warn(f"update skipped at iteration {k}: {problem}")
            run.count("skipped_updates")
        fval, g = ls.fun, ls.grad
        run.record(w, fval)
    return _finish_at_max_iter(run, w, fval, g, tol, max_iter)


def _finish_at_max_iter(run, w, fval, g, tol, max_iter):
    if inf_norm(g) <= tol:
        return run.finish(w, fval, g, max_iter, Status.CONVERGED, converged_message(g, tol))
    return run.finish(w, fval, g, max_iter, Status.MAX_ITER, max_iter_message(max_iter, g, tol))
