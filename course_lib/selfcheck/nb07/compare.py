"""Comparing notebook 07's answers with the right ones, and naming what went wrong.

``require_values`` tries, in order: a known mistake of the catalogue
(mistakes.py) that differs from the right answer on this case, a flipped
sign, a constant factor, and else the worst entry.
"""
import inspect

import numpy as np

from course_lib.gradcheck.naming import describe_shape, format_value
from course_lib.selfcheck import common
from course_lib.selfcheck.common import MATCH_TOL, describe, known_mistake, misfit, wrong_entries
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb07.mistakes import MISTAKES

CONTAINERS = (list, tuple, dict)
"""The containers that messages describe by their type and length ("a list of 3 items")."""
VALUE_TOL = 1e-7
"""Misfit bound for outputs computed by the same formula: a right answer lands near 1e-12."""
DISTINCT = 1e-4
"""A mistake is only named on a case where it differs from the right answer by more than this."""
NOTEBOOK_DEFAULTS = {
    "hessian_fd": {"eps": 1e-5},
    "hvp_fd": {"delta": 1e-6},
    "backtracking_line_search": {"eta0": 1.0, "c": 1e-4, "shrink": 0.5},
    "minimize": {"tol": 1e-6, "max_iter": 1000},
}
"""The defaults of the notebook's signatures. A case whose setting equals a default calls the student's
function without that argument, so a missing or wrong default shows (in the right answer's misfit)."""


def left_at_default(function_name, name, value):
    """True when ``value`` of argument ``name`` is the notebook's default (the call leaves it out)."""
    default = NOTEBOOK_DEFAULTS[function_name].get(name)
    return default is not None and float(value) == default


SIGNATURES = {
    "hessian_fd": "hessian_fd(grad_fn, w, eps=1e-5)",
    "hvp_fd": "hvp_fd(grad_fn, w, v, delta=1e-6)",
    "backtracking_line_search": "backtracking_line_search(f, grad_f, w, direction, eta0=1.0, c=1e-4, shrink=0.5, "
                                "max_iter=50)",
    "minimize": "minimize(f, grad_f, w0, method, tol=1e-6, max_iter=1000, memory=10)",
}


def _lacks_numeric_defaults(function, names):
    """True unless every argument in ``names`` of ``function`` has a number as its default (True too when
    the signature cannot be read, as for a proxy into the sandbox)."""
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return True
    for name in names:
        default = parameters[name].default if name in parameters else inspect.Parameter.empty
        if isinstance(default, bool) or not isinstance(default, (int, float)):
            return True
    return False


def call_leaving_out(context, function_name, names, function, *args, **kwargs):
    """``function(*args, **kwargs)``, a call that leaves the arguments ``names`` at their defaults. A
    TypeError where one of them has no default (or one that is not a number) becomes a CheckFailure that
    quotes the notebook's signature; any other exception passes through."""
    try:
        return function(*args, **kwargs)
    except TypeError as exc:
        if not names or not _lacks_numeric_defaults(function, names):
            raise
        raise CheckFailure(f"{context}: your code raised TypeError: {exc}; give each argument the default of "
                           f"the notebook's signature, {SIGNATURES[function_name]}.") from None


def default_note(function_name, names):
    """", eps left at its default" for the arguments ``names`` a call leaves out ("" when none)."""
    if not names:
        return ""
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f", {listed} left at {'its default' if len(names) == 1 else 'their defaults'}"

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

