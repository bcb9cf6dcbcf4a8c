"""The checks of backtracking_line_search.

The data cases are judged together (LineSearchCases): the student's step on
every case first, then a diagnosis, since several mistakes can give the same
step on one case but not on all of them. LineSearchErrors checks the two
errors the function must raise.
"""
import numpy as np

from course_lib.gradcheck.naming import format_value
from course_lib.selfcheck.common import describe
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb07.cases import LineSearchCases, LineSearchErrors
from course_lib.selfcheck.nb07.compare import CONTAINERS, call_leaving_out, default_note, left_at_default
from course_lib.selfcheck.nb07.mistakes import MISTAKES
from course_lib.selfcheck.nb07.problems import describe_problem, make_problem, quadratic_case


def check_backtracking_line_search_case(backtracking_line_search, case):
    """One case of backtracking_line_search: LineSearchCases or LineSearchErrors."""
    if isinstance(case, LineSearchCases):
        check_backtracking_cases(backtracking_line_search, list(case.cases))
    elif isinstance(case, LineSearchErrors):
        check_backtracking_errors(backtracking_line_search)
    else:
        raise TypeError(f"not a line-search case: {type(case).__name__}")


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
    settings = {"eta0": eta0, "c": c, "shrink": shrink}
    given = {k: v for k, v in settings.items() if not left_at_default("backtracking_line_search", k, v)}
    left_out = [k for k in settings if k not in given]
    note = default_note("backtracking_line_search", left_out)
    context = (f"backtracking_line_search on {describe_problem(case)} with eta0 = {eta0:g}, c = {c:g}, "
               f"shrink = {shrink:g}{note}")
    w_in, q_in = w.copy(), q.copy()
    try:
        value = call_leaving_out(context, "backtracking_line_search", left_out, backtracking_line_search,
                                 f, grad, w_in, q_in, **given, max_iter=60)
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

    g = grad(w)
    across = np.array([-g[1], g[0]]) + 1e-6 * g  # almost perpendicular to grad: slope 1e-6 ||g||^2 > 0
    _raises(lambda: backtracking_line_search(f, grad, w.copy(), across), ValueError,
            "backtracking_line_search along a direction with a small positive slope (grad . direction = "
            f"{format_value(float(g @ across))})", "any slope >= 0 means no descent; test grad . direction >= 0")
    _raises(lambda: backtracking_line_search(f, grad, w.copy(), np.zeros(2)), ValueError,
            "backtracking_line_search along the zero direction (grad . direction = 0)",
            "a zero direction cannot decrease f; test grad . direction >= 0, not > 0")

    def lying_grad(x):  # claims f decreases along +x, but f = ||x||^2 grows along it
        return -2.0 * np.asarray(x, dtype=np.float64)

    _raises(lambda: backtracking_line_search(lambda x: float(np.asarray(x) @ np.asarray(x)), lying_grad,
                                             w.copy(), 2.0 * w, max_iter=30), RuntimeError,
            "backtracking_line_search when no step in max_iter = 30 tries satisfies Armijo's condition",
            "do not return a tiny step silently")
