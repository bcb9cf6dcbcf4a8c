"""What every minimiser here shares: counted and checked evaluations, the recorded run, the result.

``CountedObjective`` wraps the user's ``f`` and ``grad_f`` (and ``hess_f``):
it counts the evaluations (so we can compare with scipy's ``nfev``/``njev``),
checks shapes and finiteness, and remembers the last point it was called at,
so asking twice for ``f(w)`` costs one evaluation (scipy caches the same way).

``Run`` collects the path of iterates, the warnings and method-specific
counters while a minimiser runs, and ``Run.finish`` turns them into a
``MinimizeResult``.
"""
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from course_lib.second_order.checks import as_square_matrix, as_vector, check_finite
from course_lib.second_order.hessian import hessian_fd
from course_lib.second_order.line_search import PrecisionLossError
from course_lib.validation import ShapeError, check_positive_int


class Status(IntEnum):
    """Why a minimiser stopped (``MinimizeResult.status``); 0 to 2 have scipy's meanings."""

    CONVERGED = 0            # ||grad||_inf <= tol
    MAX_ITER = 1             # max_iter iterations used up
    PRECISION_LOSS = 2       # the line search found f flat to rounding error (scipy's status 2)
    LINE_SEARCH_FAILED = 3   # the line search failed otherwise (f unbounded below, a bad direction)
    SADDLE_POINT = 4         # newton: zero gradient at a saddle it could not leave


@dataclass
class MinimizeResult:
    """The outcome of ``minimize`` (names follow scipy.optimize.OptimizeResult where they exist).

    x          final point, shape (d,)
    fun        f(x)
    grad_norm  ||grad f(x)||_inf, the largest absolute gradient entry (scipy's gtol norm)
    nit        number of iterations (accepted steps)
    n_fev      calls of f, line searches included
    n_gev      calls of grad_f (a finite-difference Hessian costs 2d of them)
    n_hev      calls of hess_f (0 when the Hessian comes from finite differences)
    success    True when ||grad||_inf <= tol was reached (status == Status.CONVERGED)
    status     why the run stopped, a ``Status``: CONVERGED, MAX_ITER, PRECISION_LOSS (f flat
               to rounding error along the search direction before the gradient got below tol,
               as scipy's "precision loss"), LINE_SEARCH_FAILED or SADDLE_POINT
    message    the same in words, with the figures
    method     "newton", "cg", "bfgs" or "lbfgs"
    path       list of iterates w_0, w_1, ..., x (arrays of shape (d,)), for plots
    fun_path   f at each iterate of ``path``
    warnings   things the user should know, e.g. an indefinite Hessian and the fallback taken
    info       method-specific counters (restarts, skipped updates, Hessian fallbacks, ...)
    """

    x: np.ndarray
    fun: float
    grad_norm: float
    nit: int
    n_fev: int
    n_gev: int
    n_hev: int
    success: bool
    status: Status
    message: str
    method: str
    path: list = field(default_factory=list)
    fun_path: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    info: dict = field(default_factory=dict)

    def __repr__(self):
        # The path can hold thousands of arrays; show the summary only.
        return (
            f"MinimizeResult(method={self.method!r}, success={self.success}, status={self.status.name}, "
            f"fun={self.fun:.10g}, "
            f"grad_norm={self.grad_norm:.3e}, nit={self.nit}, n_fev={self.n_fev}, "
            f"n_gev={self.n_gev}, n_hev={self.n_hev}, message={self.message!r}, "
            f"warnings={len(self.warnings)})"
        )


class CountedObjective:
    """f, grad_f and the Hessian of a problem in d variables, counted and checked.

    ``fun(w) -> float`` may return inf or nan (a line search treats that as
    "step too long"); ``grad(w) -> (d,)`` and ``hess(w) -> (d, d)`` raise
    ValueError on non-finite values. Without ``hess_f`` the Hessian is
    ``hessian_fd`` of the counted gradient. The user's functions always
    receive a copy of ``w``.
    """

    def __init__(self, f, grad_f, d, hess_f=None):
        for name, fn in (("f", f), ("grad_f", grad_f)):
            if not callable(fn):
                raise TypeError(f"{name} must be a function of w, got {type(fn).__name__}.")
        if hess_f is not None and not callable(hess_f):
            raise TypeError(f"hess_f must be a function of w or None, got {type(hess_f).__name__}.")
        self.f, self.grad_f, self.hess_f, self.d = f, grad_f, hess_f, d
        self.n_fev = self.n_gev = self.n_hev = 0
        self._last_f = self._last_g = None

    def fun(self, w):
        if self._last_f is not None and np.array_equal(self._last_f[0], w):
            return self._last_f[1]
        value = np.asarray(self.f(np.array(w, dtype=np.float64)))
        self.n_fev += 1
        if value.size != 1:
            raise ShapeError(f"f must return a scalar, got an array of shape {value.shape}.")
        value = float(value.reshape(()))
        self._last_f = (np.array(w, dtype=np.float64), value)
        return value

    def grad(self, w):
        if self._last_g is not None and np.array_equal(self._last_g[0], w):
            return self._last_g[1].copy()
        g = np.asarray(self.grad_f(np.array(w, dtype=np.float64)))
        self.n_gev += 1
        if g.shape != (self.d,):
            raise ShapeError(
                f"grad_f(w) must return an array of shape ({self.d},), the shape of w0, got {g.shape}."
            )
        g = as_vector("grad_f(w)", g)
        check_finite("grad_f", g, " at a point the minimiser asked for")
        self._last_g = (np.array(w, dtype=np.float64), g)
        return g.copy()

    def hess(self, w):
        if self.hess_f is None:
            return hessian_fd(self.grad, w)
        H = np.asarray(self.hess_f(np.array(w, dtype=np.float64)))
        self.n_hev += 1
        if H.shape != (self.d, self.d):
            raise ShapeError(f"hess_f(w) must return shape ({self.d}, {self.d}) like w0, got {H.shape}.")
        H = as_square_matrix("hess_f(w)", H, self.d)
        check_finite("hess_f", H)
        return H


class Run:
    """The record of one minimisation: path, warnings, counters; ``finish`` builds the result."""

    def __init__(self, objective, method):
        self.objective = objective
        self.method = method
        self.path, self.fun_path, self.warnings, self.info = [], [], [], {}

    def record(self, w, fval):
        self.path.append(np.array(w, dtype=np.float64))
        self.fun_path.append(float(fval))

    def warn(self, text):
        self.warnings.append(text)

    def count(self, key):
        self.info[key] = self.info.get(key, 0) + 1

    def finish(self, w, fval, grad, nit, status, message):
        obj = self.objective
        status = Status(status)
        return MinimizeResult(
            x=np.array(w, dtype=np.float64), fun=float(fval), grad_norm=inf_norm(grad), nit=nit,
            n_fev=obj.n_fev, n_gev=obj.n_gev, n_hev=obj.n_hev,
            success=status == Status.CONVERGED, status=status,
            message=message, method=self.method, path=self.path, fun_path=self.fun_path,
            warnings=self.warnings, info=self.info,
        )

    def stop_after_line_search(self, err, w, q, fval, g, k, tol):
        """Finish a run whose line search along q failed at iteration k with ``err``.

        f flat to rounding (PrecisionLossError) is scipy's "precision loss":
        a clean stop, not an error. If the search found a step that lowered f,
        it is taken first; if the gradient then meets the tolerance, the run
        has converged after all. Any other failure: LINE_SEARCH_FAILED.
        """
        if not isinstance(err, PrecisionLossError):
            return self.finish(w, fval, g, k, Status.LINE_SEARCH_FAILED,
                               f"stopped: line search failed at iteration {k}: {err}")
        if err.best is not None and err.best.fun < fval:
            w, fval, g, k = w + err.best.step * q, err.best.fun, err.best.grad, k + 1
            self.record(w, fval)
        if inf_norm(g) <= tol:
            return self.finish(w, fval, g, k, Status.CONVERGED, converged_message(g, tol))
        return self.finish(w, fval, g, k, Status.PRECISION_LOSS, (
            f"stopped: desired error not necessarily achieved due to precision loss at iteration {k}: "
            f"||grad||_inf = {inf_norm(g):.3e} > tol = {tol:g}, but {err}"))


def inf_norm(g):
    """||g||_inf = max_i |g_i|, the stopping norm (scipy's default ``gtol`` norm)."""
    return float(np.max(np.abs(g))) if np.size(g) else 0.0


def start(f, grad_f, w0, hess_f=None, tol=1e-6, max_iter=None):
    """Check the arguments every minimiser takes and evaluate f and grad_f at w0.

    Returns (objective, w0 as a float64 copy, f(w0), grad_f(w0), tol, max_iter);
    ``max_iter=None`` becomes 200 * d, scipy's default for BFGS and CG.
    """
    w = as_vector("w0", w0)
    if w.size == 0:
        raise ShapeError("w0 must hold at least one variable, got an empty array.")
    if not np.all(np.isfinite(w)):
        raise ValueError("w0 holds nan or inf; start from a finite point.")
    tol = float(tol)
    if not tol > 0:
        raise ValueError(f"tol must be a positive number (the target ||grad||_inf), got {tol!r}.")
    max_iter = 200 * w.size if max_iter is None else check_positive_int("max_iter", max_iter)
    obj = CountedObjective(f, grad_f, w.size, hess_f)
    f0 = obj.fun(w)
    if not np.isfinite(f0):
        raise ValueError(f"f(w0) = {f0}; start from a point where f is finite.")
    g0 = obj.grad(w)
    return obj, w, f0, g0, tol, max_iter


def converged_message(g, tol):
    """The message of a run that reached ||grad||_inf <= tol."""
    return f"converged: ||grad||_inf = {inf_norm(g):.3e} <= tol = {tol:g}"


def max_iter_message(max_iter, g, tol):
    """The message of a run that used up its iterations."""
    return (f"stopped: max_iter = {max_iter} iterations reached with ||grad||_inf = "
            f"{inf_norm(g):.3e} > tol = {tol:g}")
