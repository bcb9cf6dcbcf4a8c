"""What notebook 02's results must be: a pair, a list of L arrays, values in one sample per column, one number.

Each helper raises CheckFailure with a sentence that starts with the case's
context, or returns the result; common.py holds what all notebooks share.
"""
import numpy as np

from course_lib.gradcheck import contract_diagnosis
from course_lib.gradcheck.naming import dims_ratio, format_value
from course_lib.selfcheck import common
from course_lib.selfcheck.common import MATCH_TOL, VALUE_TOL, describe, misfit
from course_lib.selfcheck.core import CheckFailure

LISTS = (tuple, list)
"""The containers that messages describe by their length ("a list of 3 items")."""


def copy_list(arrays):
    return [np.array(a, copy=True) for a in arrays]


def unchanged(before, after):
    return all(np.array_equal(b, a) for b, a in zip(before, after))


def require_pair(context, result, what):
    """A student function that must return two things; ``what`` names them, e.g. '(zetas, alphas)'."""
    if not (isinstance(result, tuple) and len(result) == 2):
        raise CheckFailure(f"{context}: must return a pair {what}, got {describe(result, LISTS)}; "
                           f"end it with `return {what[1:-1]}`.")
    return result


def require_list(context, label, value, length, what):
    """A list (or tuple) of ``length`` items; ``what`` says what they are."""
    if not isinstance(value, (list, tuple)):
        raise CheckFailure(f"{context}: {label} must be a list of {length} arrays ({what}), "
                           f"got {describe(value, LISTS)}.")
    if len(value) != length:
        raise CheckFailure(f"{context}: {label} must hold {length} arrays ({what}), got {len(value)}.")
    return list(value)


def require_values(context, label, expected_values, actual, candidates=None, dims=None, axis_names=None):
    """common.require_values, after naming a result that holds the transpose of the expected values."""
    shaped = contract_diagnosis(label, actual, expected_values.shape, dims)
    if shaped is not None and shaped.kind == "shape" and np.ndim(actual) == 2 and np.all(np.isfinite(actual)):
        if np.shape(actual) == expected_values.shape[::-1] and misfit(expected_values.T, actual) <= MATCH_TOL:
            raise CheckFailure(f"{context}: {shaped.message[:-1]}, and it holds the transpose of the "
                               "expected values: keep one sample per column (row convention: one per row).")
    common.require_values(context, label, expected_values, actual, candidates, dims=dims, axis_names=axis_names)


def require_scalar(context, label, expected_value, actual, dims=None, candidates=None):
    """One number (a loss): right, a known mistake, off by a named factor, or simply wrong."""
    arr = np.asarray(actual) if not isinstance(actual, (list, tuple, dict)) else None
    if arr is None or arr.size != 1 or not (np.issubdtype(arr.dtype, np.floating)
                                            or np.issubdtype(arr.dtype, np.integer)):
        hint = " (sum or average the per-sample losses into one number)" if arr is not None and arr.size > 1 else ""
        raise CheckFailure(f"{context}: {label} must be one number, got {describe(actual, LISTS)}{hint}.")
    value = float(arr.reshape(()))
    if not np.isfinite(value):
        raise CheckFailure(f"{context}: {label} is {value}, expected {format_value(expected_value)}; look for "
                           "an exp that overflows or the log of 0.")
    if abs(value - expected_value) <= VALUE_TOL * max(abs(expected_value), 1e-300):
        return
    for mistake, wrong in (candidates or {}).items():
        wrong = float(wrong)
        distinct = abs(wrong - expected_value) > MATCH_TOL * abs(expected_value)
        if distinct and abs(value - wrong) <= MATCH_TOL * abs(wrong):
            raise CheckFailure(f"{context}: {label} = {format_value(value)} is wrong; it equals {mistake}.")
    named = dims_ratio(value / expected_value, dims) if expected_value != 0 and value != 0 else None
    factor = f"; it is {named[0]} times the expected value, so it needs a factor of {named[1]}" if named else ""
    raise CheckFailure(f"{context}: {label} is {format_value(value)} but should be "
                       f"{format_value(expected_value)}{factor}.")
