"""The checks of minimize: one run (a MinimizeRun case) at a time.

A run must return an object with ``x`` (the final point) and ``path`` (the
list of iterates w_0, ..., x), keep w0 unchanged, never increase f along the
path, make its first step along the method's first direction with a step
that passes Armijo's condition (CG on a quadratic: the exact step), end near
the known minimiser and take no more iterations than a correct method needs;
on a quadratic theory fixes that count (see iteration_bound).
"""
import numpy as np

from course_lib.gradcheck.naming import format_value
from course_lib.selfcheck.common import describe, misfit, vector_text
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb07.compare import (
    CONTAINERS,
    NOTEBOOK_DEFAULTS,
    call_leaving_out,
    default_note,
    require_array,
)

MINIMIZE_TOL = 1e-6
"""The tol every minimize check passes (the quadratic runs leave tol at its default, also 1e-6): stop when
||grad f(w)||_inf <= 1e-6."""
MINIMIZE_MAX_ITER = 500
"""The max_iter every minimize check passes; steepest descent needs thousands on Rosenbrock."""
POINT_TOL = 1e-4
"""||x - w*||_inf allowed at the end (a gradient of 1e-6 leaves x within ~1e-5 of w* here)."""

FIRST_STEP_TOL = 1e-6
"""How far the first step may be from the notebook's (1 - cosine of the directions; misfit of the points
where the step is fixed): finite-difference Hessians and products of any valid hessian_fd / hvp_fd agree
far closer than this, a wrong direction or step does not."""
ARMIJO_C = 1e-4
"""Armijo's constant of the notebook's line search (its default c): every accepted step satisfies it."""

# How many iterations a correct method needs at most away from quadratics (about 3 to 10 times what
# the notebook's solution and course_lib need; steepest descent needs thousands on Rosenbrock).
ITERATION_BOUNDS = {
    "rosenbrock": {"newton": 60, "cg": 300, "bfgs": 200, "lbfgs": 200},
    "other": {"newton": 60, "cg": 400, "bfgs": 300, "lbfgs": 300},
}

# On a d-dimensional quadratic theory fixes the count, and the bound says why (the notebook's solution
# takes 1, d, about 1.5 d and 1.5 d to 2 d iterations; steepest descent takes hundreds).
QUADRATIC_THEORY = {
    "newton": "one full Newton step (eta = 1, which Armijo accepts) lands on the minimiser of a quadratic",
    "cg": "on a quadratic the first trial step -g.q / q^T H q is the exact minimiser along q (Armijo accepts "
          "it), so nonlinear CG makes the steps of linear CG, whose conjugate directions reach the minimiser of "
          "a d-dimensional quadratic in d iterations",
    "bfgs": "on a d-dimensional quadratic BFGS learns the curvature from one pair (s, y) per step and needs "
            "about d iterations (exactly d with exact line searches)",
    "lbfgs": "on a d-dimensional quadratic L-BFGS (with at least d pairs of memory) learns the curvature from "
             "one pair (s, y) per step and needs about d iterations (exactly d with exact line searches)",
}


def iteration_bound(bounds, method, d):
    """The most iterations (len(path) - 1) a correct ``method`` may take on a problem of kind ``bounds``.

    bounds "quadratic": Newton 1, CG d + 2 (d in exact arithmetic), BFGS and L-BFGS 2 d + 8;
    otherwise ITERATION_BOUNDS[bounds][method].
    """
    if bounds == "quadratic":
        return {"newton": 1, "cg": d + 2, "bfgs": 2 * d + 8, "lbfgs": 2 * d + 8}[method]
    return ITERATION_BOUNDS[bounds][method]

FIRST_STEP_HINTS = {
    "newton": "the first step goes along the Newton direction q = newton_step(w0, g, H) - w0 with H = "
              "hessian_fd(grad_f, w0), with eta from backtracking_line_search(f, grad_f, w0, q, eta0=1)",
    "cg": "the first direction is q = -g (no previous direction yet) and the line search starts from the exact "
          "step eta0 = -g.q / q^T H q (H q = hvp_fd(grad_f, w0, q)): backtracking_line_search(f, grad_f, w0, q, "
          "eta0=eta0)",
    "bfgs": "the first direction is q = -H_inv g = -g (H_inv = I at the start) and the line search starts from "
            "eta0 = 1",
    "lbfgs": "the first direction is q = lbfgs_direction(g, [], []) = -g (no pairs yet) and the line search "
             "starts from eta0 = 1",
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


def _require_distinct(context, entries, path):
    """Consecutive iterates differ: an entry that is the next one (or equal to it) is an array updated in place."""
    for k in range(len(path) - 1):
        if entries[k] is entries[k + 1] or np.array_equal(path[k], path[k + 1]):
            same = sum(1 for p in path if np.array_equal(p, path[-1]))
            raise CheckFailure(
                f"{context}: result.path[{k}] and result.path[{k + 1}] are the same point ({same} of the "
                f"{len(path)} entries equal x), but every iteration moves w. An array appended to the path and "
                "then updated in place (w += eta * q, w[:] = ...) changes every entry that refers to it: append "
                "copies, path.append(w.copy()), or make a new w each step (w = w + eta * q).")


def _require_first_step(context, method, f, grad, w0, path, first, exact):
    """The early steps count too, not only where the path ends: path[1] must leave w0 along the first
    direction of the method (that of ``first - w0``, ``first`` being the first iterate of the notebook's
    method) with a step that passes Armijo's condition; with ``exact`` (CG on a quadratic, where theory fixes
    the step) it must be ``first`` itself. Any valid line search (backtracking, Wolfe) passes."""
    if first is None or len(path) < 2:
        return
    right, got = first - w0, path[1] - w0
    norms = float(np.linalg.norm(right) * np.linalg.norm(got))
    cosine = float(right @ got) / norms if norms > 0 else 0.0
    told = (f"the first iterate result.path[1] = {vector_text(path[1])}, but the notebook's {method} goes to "
            f"{vector_text(first)}")
    where = f"The first iteration of the notebook's {method}: {FIRST_STEP_HINTS[method]}."
    if cosine < 1.0 - FIRST_STEP_TOL:
        raise CheckFailure(f"{context}: {told}, and your first step points elsewhere (cosine "
                           f"{format_value(cosine)} with the right direction). {where} It calls your other "
                           "functions: make their checks pass first.")
    f0, slope = f(w0), float(grad(w0) @ got)
    if f(path[1]) > f0 + ARMIJO_C * slope + 1e-12 * (1.0 + abs(f0)):
        raise CheckFailure(f"{context}: {told}; your first step goes the right way but fails Armijo's condition "
                           f"f(w0 + s) <= f(w0) + c grad.s (c = {ARMIJO_C:g}): it is "
                           f"{format_value(np.linalg.norm(got) / np.linalg.norm(right))} times as long. {where}")
    if exact and misfit(path[1], first) > FIRST_STEP_TOL:
        raise CheckFailure(f"{context}: {told}; your first step goes the right way but is "
                           f"{format_value(np.linalg.norm(got) / np.linalg.norm(right))} times as long. On a "
                           "quadratic the first trial step eta0 = -g.q / q^T H q is the exact minimiser along q and "
                           f"Armijo accepts it. {where}")


def check_minimize_run(minimize, method, f, grad, w0, w_star, label, bounds="other", one_step=False, first=None):
    """Run ``minimize(f, grad, w0, method, tol=1e-6, max_iter=500)`` and judge the result; on a quadratic
    the call is ``minimize(f, grad, w0, method)``, tol and max_iter left at the notebook's defaults.

    It must return an object with ``x`` and ``path`` (w0 first, x last), keep
    w0 unchanged, never increase f along the path, start along the first
    direction of ``first`` (when given: the first iterate of the notebook's
    method) with an Armijo step (CG on a quadratic: exactly ``first``), end within
    POINT_TOL of ``w_star`` and take at most iteration_bound(bounds, method, d)
    iterations (exactly one when ``one_step``), counting len(path) - 1.
    """
    w0 = np.asarray(w0, dtype=np.float64)
    w_star = np.asarray(w_star, dtype=np.float64)
    d = w0.size
    defaults = bounds == "quadratic"  # a few iterations: tol and max_iter are left at their defaults
    max_iter = NOTEBOOK_DEFAULTS["minimize"]["max_iter"] if defaults else MINIMIZE_MAX_ITER
    context = (f"minimize(..., method={method!r}) on {label} from w0 = {vector_text(w0)}"
               f"{default_note('minimize', ['tol', 'max_iter'] * defaults)}")
    checked = _ShapeChecked(f, grad, d)
    w0_in = w0.copy()
    try:
        if defaults:
            result = call_leaving_out(context, "minimize", ["tol", "max_iter"], minimize,
                                      checked.value, checked.gradient, w0_in, method)
        else:
            result = minimize(checked.value, checked.gradient, w0_in, method, tol=MINIMIZE_TOL, max_iter=max_iter)
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
    _require_distinct(context, result.path, path)
    values = np.array([f(p) for p in path])
    rises = np.flatnonzero(np.diff(values) > 1e-12 * (1.0 + np.abs(values[:-1])))
    if rises.size:
        k = int(rises[0])
        raise CheckFailure(f"{context}: f increased from iterate {k} to iterate {k + 1} ({format_value(values[k])} "
                           f"-> {format_value(values[k + 1])}); every step must pass Armijo's sufficient-decrease "
                           "condition (use backtracking_line_search).")
    _require_first_step(context, method, checked.value, checked.gradient, w0, path, first,
                        exact=(method == "cg" and bounds == "quadratic"))
    distance = float(np.max(np.abs(x - w_star)))
    if distance > POINT_TOL * max(1.0, float(np.max(np.abs(w_star)))):
        ran_out = nit >= max_iter
        why = (f"it used all max_iter = {max_iter} iterations" if ran_out
               else f"it stopped after {nit} iterations with ||grad f(x)||_inf = "
                    f"{format_value(np.max(np.abs(grad(x))))}")
        raise CheckFailure(f"{context}: did not reach the minimiser {vector_text(w_star)}: x = {vector_text(x)}, "
                           f"f(x) = {format_value(f(x))}; {why}. Check {METHOD_HINTS[method]}. It calls your "
                           "other functions: make their checks pass first.")
    if one_step and nit != 1:
        raise CheckFailure(f"{context}: Newton took {nit} iterations on a quadratic; one full Newton step "
                           "(eta = 1, which Armijo accepts) lands on its minimiser, so the path is [w0, x].")
    bound = iteration_bound(bounds, method, d)
    if nit > bound:
        theory = f" ({QUADRATIC_THEORY[method]})" if bounds == "quadratic" else ""
        raise CheckFailure(f"{context}: it reached the minimiser, but took {nit} iterations (len(path) - 1); a "
                           f"correct {method} needs at most {bound} here{theory}. Check {METHOD_HINTS[method]}.")
    return result



def check_minimize_case(minimize, case):
    """One MinimizeRun of minimize."""
    check_minimize_run(minimize, case.method, case.f, case.grad, case.w0, case.w_star, case.label, case.bounds,
                       one_step=case.one_step, first=case.first)
