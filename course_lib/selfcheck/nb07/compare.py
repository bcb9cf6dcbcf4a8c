"""Comparing notebook 07's answers with the right ones, and naming what went wrong.

``require_values`` tries, in order: a known mistake of the catalogue
(mistakes.py) that differs from the right answer on this case, a flipped
sign, a constant factor, and else the worst entry.
"""
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

