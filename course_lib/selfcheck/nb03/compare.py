"""How notebook 03's checks judge an answer: its layout, its values against the expected ones and
the known mistakes, its linearity in dout, and what to say when the forward under a backward is wrong.

Every helper raises CheckFailure with a sentence that begins with the ``context`` it is given
(the function and the case, e.g. "conv2d_backward, case 1/3 (N=2, ...)").
"""
import numpy as np

from course_lib.gradcheck import diagnose
from course_lib.gradcheck._ratio import ratio
from course_lib.gradcheck.locate import ENTRY_TOL, describe_location, entry_errors, worst_entry
from course_lib.gradcheck.naming import describe_index, describe_shape, format_value
from course_lib.selfcheck.common import GRAD_THRESHOLD, MATCH_TOL, describe, known_mistake, misfit
from course_lib.selfcheck.core import CheckFailure

FORWARD_FIX = "pad or change a copy (np.pad returns a new array)."
"""What to do instead of changing an input of a forward in place."""
LINEAR_TOL = 1e-10
"""Backward(2 dout) must be 2 backward(dout) to this misfit (rounding only)."""


def require_layout(context, name, actual, shape, layout="", hints=None):
    """A finite float64 array of the given shape, or a CheckFailure that says what is wrong.

    ``layout`` names the axes of ``shape`` (e.g. "(N, C, H, W)"); ``hints``
    maps a wrong shape to the explanation of the mistake that produces it.
    """
    shape = tuple(int(s) for s in shape)
    named = f"{describe_shape(shape)} = {layout}" if layout else describe_shape(shape)
    if actual is None:
        raise CheckFailure(f"{context}: {name} is None; is a return statement missing?")
    try:
        arr = np.asarray(actual)
    except Exception:  # an object numpy cannot even wrap
        arr = None
    if arr is None or arr.dtype == object or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise CheckFailure(f"{context}: {name} must be a numpy array of real numbers of shape {named}, "
                           f"got {describe(actual)}.")
    if arr.shape != shape:
        hint = (hints or {}).get(arr.shape)
        if hint is None:
            if sorted(arr.shape) == sorted(shape):
                hint = "its axes are in the wrong order"
            elif arr.size == int(np.prod(shape)):
                hint = "it has the right number of entries, so a reshape or a transpose is missing"
            else:
                hint = "check which axes you sum over and how the output size is computed"
        raise CheckFailure(f"{context}: {name} has shape {describe_shape(arr.shape)} but must have shape "
                           f"{named}; {hint}.")
    if arr.dtype != np.float64:
        raise CheckFailure(f"{context}: {name} has dtype {arr.dtype}; compute in float64 (np.zeros(shape) "
                           "is float64, np.zeros_like of an integer array is not).")
    bad = ~np.isfinite(arr)
    if np.any(bad):
        first = describe_index(np.argwhere(bad)[0]) if arr.ndim else "()"
        raise CheckFailure(f"{context}: {name} has {int(bad.sum())} NaN or infinite entries (the first at "
                           f"{first}); look for an uninitialised array (np.empty) or a division by zero.")
    return arr


def require_close(context, name, expected_values, actual, catalogue=None, mistakes=None, tol=GRAD_THRESHOLD,
                  layout="", shape_hints=None, dims=None, upstream=None, summed_axes=None, locate=True):
    """Compare ``actual`` with ``expected_values``; on a failure name the mistake or say where it is.

    The message reads "<context>: dx wrong in k of n entries[, where]; it equals <known mistake>." when
    the answer equals one of ``mistakes`` (a dict key -> array, keys of ``catalogue``), and otherwise uses
    course_lib.gradcheck.diagnose (sign, constant factor, transpose, flip, location of the wrong entries).
    ``locate=False`` leaves out where the wrong entries are (for a kernel, whose border says nothing).
    """
    expected_values = np.asarray(expected_values, dtype=np.float64)
    actual = require_layout(context, name, actual, expected_values.shape, layout, shape_hints)
    if ratio(expected_values, actual) < tol:
        return actual
    wrong = entry_errors(expected_values, actual) > ENTRY_TOL
    n_wrong, size = int(wrong.sum()), wrong.size
    head = f"{context}: {name} wrong in {n_wrong} of {size} entries"
    if locate and 0 < n_wrong < size:
        head += f" ({describe_location(wrong)})"
    unknown = set(mistakes or {}) - set(catalogue or {})
    if unknown:
        raise KeyError(f"unknown mistake keys {sorted(unknown)}; known: {sorted(catalogue or {})}")
    found = known_mistake(actual, mistakes, expected_values, apart=MATCH_TOL)
    if found is not None:
        raise CheckFailure(f"{head}; it equals {catalogue[found]}.")
    diagnosis = diagnose(expected_values, actual, dims=dims, name=name, upstream=upstream,
                         summed_axes=summed_axes)
    idx = worst_entry(expected_values, actual)
    worst = (f"worst entry at {describe_index(idx)}: expected {format_value(expected_values[idx])}, "
             f"got {format_value(actual[idx])}")
    if diagnosis is None or n_wrong == 0:
        raise CheckFailure(f"{context}: {name} has small errors spread over its entries (relative error "
                           f"{ratio(expected_values, actual):.1e}); {worst}.")
    if diagnosis.kind in ("partial", "mismatch"):
        raise CheckFailure(f"{context}: {diagnosis.message}")
    raise CheckFailure(f"{head}; {diagnosis.message} {worst[0].upper()}{worst[1:]}.")


def require_linear(context, backward, dout, cache, grads, names):
    """backward(2 dout) must be 2 backward(dout): linear in dout, and the first call left the cache intact."""
    again = backward(2.0 * dout, cache)
    again = again if isinstance(again, tuple) else (again,)
    for name, first, second in zip(names, grads, again):
        if misfit(2.0 * np.asarray(first, dtype=np.float64), np.asarray(second, dtype=np.float64)) > LINEAR_TOL:
            raise CheckFailure(
                f"{context}: calling the backward again with 2 * dout did not give 2 * {name}; a backward must "
                "be linear in dout and must not change the cache (or any array it holds) in place."
            )


def forward_first(context, op, forward_problem, agrees):
    """The message of a backward check whose forward is wrong: say so, and whether the backward fits it.

    ``agrees`` is the outcome of the finite-difference check of the backward against the student's own
    forward (None when it could not run), which tells a wrong forward from a wrong backward.
    """
    if agrees is None:
        verdict = ""
    elif agrees:
        verdict = (f" Your {op}_backward agrees with finite differences of your own forward, so the backward "
                   "may well be right.")
    else:
        verdict = f" Your {op}_backward also disagrees with finite differences of your own forward."
    return (f"{context}: the backward is fed the cache of your {op}_forward, which is wrong on this case; fix "
            f"the forward first.{verdict} The forward's problem: {forward_problem}")

