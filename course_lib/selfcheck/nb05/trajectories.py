"""The per-case check of a notebook-05 optimizer: run a student's class and judge its trajectory.

No reference optimizer is used here. A fresh instance makes ``case.steps``
steps ``theta <- opt.step(theta, grad_fn)`` from theta_0, and every iterate is
compared with the case's expected path; a path that misses it is compared with
the paths of the known mistakes (mistakes.py names them) before the first
differing step is described. On a check's first case the constructor's
signature is read first (api.py), and two instances stepped in turn must each
follow the path one instance follows alone (no state shared between
instances). Contract checks at every step: ``step`` returns a new numpy array
of theta's shape and leaves the array it was given unchanged.
"""
import numpy as np

from course_lib.batch import Earlier, call_many
from course_lib.selfcheck.common import vector_text
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb05.api import default_problems, make_optimizer, signature_problem, signature_text
from course_lib.selfcheck.nb05.cases import DEFAULTS, NAMEABLE, SAME, SCHEDULE
from course_lib.selfcheck.nb05.mistakes import CARRIED, MISTAKES, UPDATES


def _step_result(context, k, given, before, new):
    """The new iterate as a float64 copy, after the contract checks of step k."""
    if not np.array_equal(given, before, equal_nan=True):
        raise CheckFailure(
            f"{context}: step {k} changed the array theta it was given (in place, e.g. theta -= ... or "
            "theta[...] = ...). Compute the new parameters as a new array (theta = theta + v) and return it; "
            "the caller's theta must stay as it was.")
    if not isinstance(new, np.ndarray):
        raise CheckFailure(
            f"{context}: step {k} returned {type(new).__name__}, expected the new parameters as a numpy "
            f"array of shape {before.shape}.")
    if new.shape != before.shape:
        raise CheckFailure(
            f"{context}: step {k} returned an array of shape {new.shape}, expected theta's shape "
            f"{before.shape}.")
    if new is given or np.shares_memory(new, given):
        raise CheckFailure(
            f"{context}: step {k} returned the array it was given (or a view of it). Return a new array, "
            "so that the caller's theta keeps its value.")
    return np.array(new, dtype=np.float64)


def run_in_turn(optimizers, case):
    """Paths of the given instances stepped in turn (one step each, round after round) from theta_0.

    Returns a list of (steps + 1, d) arrays. A path that becomes non-finite stops there: its
    later rows are NaN. All the steps go in one batch (course_lib.batch.call_many: one request
    to the grader's sandbox, however many steps), step k of an instance taking a float64 copy
    of what its step k - 1 returned; the results are then judged in the order the steps ran,
    and the first exception or broken contract is reported as if the calls had been made one
    by one.
    """
    context = case.context()
    n = len(optimizers)
    theta0 = np.array(case.theta0, dtype=np.float64)
    calls = []
    for k in range(1, case.steps + 1):
        for opt in optimizers:
            given = theta0.copy() if k == 1 else Earlier(len(calls) - n, as_float64=True)
            calls.append((opt.step, (given, case.grad_fn), {}))
    with np.errstate(all="ignore"):
        results = call_many(calls)
    thetas = [theta0.copy() for _ in optimizers]
    paths = [np.full((case.steps + 1, theta0.size), np.nan) for _ in optimizers]
    for path, theta in zip(paths, thetas):
        path[0] = theta.ravel()
    alive = [True] * n
    with np.errstate(all="ignore"):
        for k in range(1, case.steps + 1):
            for j in range(n):
                if not alive[j]:
                    continue
                result = results[(k - 1) * n + j]
                if result.error is not None:
                    raise result.error
                if result.skipped:   # only after a failed step of the same path, which is raised above
                    raise CheckFailure(f"{context}: step {k} could not be run, because an earlier step failed.")
                new = _step_result(context, k, result.args[0], thetas[j], result.value)
                thetas[j] = new
                paths[j][k] = new.ravel()
                alive[j] = bool(np.all(np.isfinite(new)))
    return paths


def row_errors(path, ref):
    """Relative distance of every iterate: ||p_k - e_k|| / max(||e_k||, 1e-3 * max_j ||e_j||).

    Rows that are non-finite in both count as equal; non-finite in one only, as infinitely far.
    """
    path, ref = np.asarray(path, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    bad_p = ~np.all(np.isfinite(path), axis=1)
    bad_r = ~np.all(np.isfinite(ref), axis=1)
    with np.errstate(all="ignore"):
        norms = np.linalg.norm(np.where(np.isfinite(ref), ref, 0.0), axis=1)
        floor = 1e-3 * max(float(np.max(norms)), 1e-12)
        errors = np.linalg.norm(path - ref, axis=1) / np.maximum(norms, floor)
    errors = np.where(bad_p | bad_r, np.inf, errors)
    return np.where(bad_p & bad_r, 0.0, errors)


def path_misfit(path, ref):
    """The largest relative distance of an iterate of ``path`` from the same iterate of ``ref`` (see row_errors)."""
    return float(np.max(row_errors(path, ref)))


def _why(cls, case, path):
    """The diagnosis of a path that is not the lecture's and matches no known mistake."""
    name = case.name
    errors = row_errors(path, case.expected)
    k = int(np.argmax(errors > SAME))
    want, got = case.expected[k], path[k]
    if np.all(path[1:] == path[0]):
        return (f"theta never moves: every step returned theta_0. Compute the update and return "
                f"theta plus it ({UPDATES[name]}).")
    where = f"theta_{k}: expected {vector_text(want)}, got {vector_text(got)}"
    if not np.all(np.isfinite(got)):
        where += " (your iterates overflowed or divided by zero here)"
    if case.label == DEFAULTS:
        wrong = default_problems(name, cls)
        detail = "; ".join(wrong) if wrong else f"they must be {signature_text(name)}"
        return (f"with the default hyperparameters the path differs from step {k} on ({where}), while "
                f"the cases with every hyperparameter given pass: check the defaults: {detail}.")
    if case.label == SCHEDULE:
        return (f"with a learning-rate schedule the path differs from step {k} on ({where}). When "
                "schedule is given, step number t (0 for the first update) must use eta = schedule(t) "
                "instead of eta.")
    if k == 1:
        return f"the first step is already wrong, {where}. The lecture's step: {UPDATES[name]}."
    right = "step 1 is" if k == 2 else f"steps 1 to {k - 1} are"
    return (f"{right} right but step {k} is not, {where}. Since the first step is right, look at what "
            f"is carried from one step to the next: {CARRIED[name]}.")


def check_path(cls, case):
    """A fresh instance's path against the expected one; names a known mistake when it matches one."""
    (path,) = run_in_turn([make_optimizer(cls, case)], case)
    if path_misfit(path, case.expected) <= SAME:
        return path
    for key, wrong in case.mistakes.items():
        if path_misfit(wrong, case.expected) > NAMEABLE and path_misfit(path, wrong) <= SAME:
            raise CheckFailure(f"{case.context()}: {MISTAKES[case.name][key]}.")
    raise CheckFailure(f"{case.context()}: {_why(cls, case, path)}")


def check_independent_instances(cls, case):
    """Two instances stepped in turn must each follow the path that one instance follows alone."""
    first, second = make_optimizer(cls, case), make_optimizer(cls, case)
    paths = run_in_turn([first, second], case)
    if max(path_misfit(p, case.expected) for p in paths) > SAME:
        raise CheckFailure(
            f"{case.context()}: alone, an instance follows the right path, but two instances stepped in "
            "turn do not: they share state. Create every state variable (v, r, s, the step count) on self "
            "in __init__ (self.v = None, self.t = 0, ...); a variable assigned in the class body "
            "(class Momentum: v = ...) or a global is shared by all instances, and so is an array that "
            "one instance changes in place.")


def check_optimizer_case(cls, case):
    """The check of optimizer class ``cls`` on one case (an OptimizerCase of cases.py).

    On the check's first case: the constructor's names, the path, then two instances in turn;
    on the others: the path.
    """
    if case.first:
        problem = signature_problem(case.name, cls)
        if problem is not None:
            raise CheckFailure(problem)
    check_path(cls, case)
    if case.first:
        # before the other cases: shared state would otherwise show as a confusing failure there
        check_independent_instances(cls, case)
