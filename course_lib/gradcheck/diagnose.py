"""Say what kind of mistake a wrong gradient is.

``diagnose(expected, actual)`` compares a checked gradient with a trusted one
(the reference implementation's, or a numerical gradient) and returns None
when they agree, otherwise a ``Diagnosis`` whose ``kind`` is one of

=============  ==============================================================
kind           recognised when
=============  ==============================================================
``type``       actual is None or not an array of real numbers
``shape``      actual has the wrong shape (the transpose shape is named)
``nan``        actual has NaN or infinite entries
``zero``       actual is zero everywhere, expected is not
``sign``       actual == -expected
``factor``     actual == c * expected, c named as a ratio of ``dims`` ("1/N")
``transpose``  actual == expected.T, or an axis permutation for > 2 axes
``flip``       actual == expected rotated by 180 degrees over the last two
               axes (or flipped along one of them)
``axis_sum``   actual == upstream summed/averaged over the wrong axes
               (needs ``upstream`` and ``summed_axes``)
``variant``    actual == one of the caller's ``candidates`` (a catalogue of
               buggy versions of the reference), reported by its name
``partial``    right in some entries, wrong in others: says where
``mismatch``   wrong everywhere with none of the patterns above
=============  ==============================================================

(``directional_check`` adds a kind ``kink`` of its own: the finite-difference
step crossed a kink.) The transforms also combine with a factor, e.g. "the
transpose of the expected gradient, times 1/N".

Tolerances leave a wide margin both ways: a correct gradient agrees with the
reference to ~1e-13 and with finite differences to ~1e-8, a buggy one is off
by 1e-2 or more; "equal" here means a normalised misfit below 1e-5.
"""
import itertools
from dataclasses import dataclass
from typing import Optional

import numpy as np

from course_lib.gradcheck._ratio import ratio
from course_lib.gradcheck.locate import ENTRY_TOL, describe_location, entry_errors, worst_entry
from course_lib.gradcheck.naming import (
    describe_index,
    describe_shape,
    dims_ratio,
    format_value,
    name_factor,
)
from course_lib.gradcheck.relative_error import LECTURE_THRESHOLD
from course_lib.gradcheck.result import GradCheckReport, GradCheckResult

MATCH_TOL = 1e-5
"""Two arrays are 'equal' (possibly after a transform and a factor) below this misfit."""

_UNIT_TOL = 1e-4  # a fitted factor within this of +1 or -1 counts as exactly +1 or -1
_MAX_PERMUTED_NDIM = 5  # beyond this, trying every axis permutation costs too much


@dataclass(frozen=True)
class Diagnosis:
    """What a wrong gradient looks like.

    kind : str, one of the kinds in the module docstring.
    message : str, a full sentence for the student.
    factor : float or None, the constant c in actual = c * (transformed)
        expected when one was found and is not 1 (-1.0 for ``sign``).
    """

    kind: str
    message: str
    factor: Optional[float] = None

    def __str__(self):
        return self.message


@dataclass(frozen=True)
class _Alternative:
    """A transformed expected gradient that a typical bug would produce."""

    kind: str
    description: str  # completes "<name> equals ..."
    value: np.ndarray
    advice: str = ""  # what to do about it, appended after a colon


# ----------------------------------------------------------------------------- comparisons
def _norm(a):
    return float(np.linalg.norm(a))


def _misfit(a, b):
    """||a - b|| / (||a|| + ||b||), 0 when both are zero."""
    denom = _norm(a) + _norm(b)
    return 0.0 if denom == 0 else _norm(a - b) / denom


def _fit_factor(target, actual):
    """Least-squares c in actual ~ c * target; None unless the fit is exact to MATCH_TOL."""
    target_sq = float(np.sum(target * target))
    actual_norm = _norm(actual)
    if target_sq == 0.0 or actual_norm == 0.0:
        return None
    c = float(np.sum(target * actual)) / target_sq
    if c == 0.0 or _norm(actual - c * target) > MATCH_TOL * actual_norm:
        return None
    return c


def _is_unit(c, sign=1.0):
    return abs(c - sign) <= _UNIT_TOL


def _factor_note(c, dims):
    """'' for c = 1, ' with its sign flipped' for -1, ' times 1/N' otherwise."""
    if _is_unit(c):
        return ""
    if _is_unit(c, -1.0):
        return " with its sign flipped"
    text, _ = name_factor(c, dims)
    return f" times {text}"


# ----------------------------------------------------------------------------- alternatives
def _axes_text(axes):
    axes = tuple(axes)
    if len(axes) == 1:
        return f"axis {axes[0]}"
    return "axes (" + ", ".join(str(a) for a in axes) + ")"


def _permutations(expected):
    if not 2 <= expected.ndim <= _MAX_PERMUTED_NDIM:
        return
    identity = tuple(range(expected.ndim))
    for perm in itertools.permutations(identity):
        if perm == identity:
            continue
        if expected.ndim == 2:
            yield _Alternative("transpose", "the transpose of the expected gradient",
                               expected.T, "check the order of the operands of the matrix "
                               "product, or return the transpose")
        else:
            undo = tuple(int(i) for i in np.argsort(perm))
            yield _Alternative("transpose", f"the expected gradient with its axes permuted "
                               f"as expected.transpose{perm}", expected.transpose(perm),
                               f"undo it with .transpose{undo}")


def _flips(expected):
    if expected.ndim >= 2:
        yield _Alternative(
            "flip", "the expected gradient rotated by 180 degrees over its last two axes",
            expected[..., ::-1, ::-1],
            "a kernel is flipped where it should not be, or not flipped where it should be",
        )
        yield _Alternative("flip", "the expected gradient flipped upside down (along axis -2)",
                           expected[..., ::-1, :])
    if expected.ndim >= 1:
        yield _Alternative("flip", "the expected gradient reversed along its last axis",
                           expected[..., ::-1])


def _axis_sums(upstream, summed_axes):
    """Sums and means of the upstream gradient over every wrong set of axes."""
    if upstream is None:
        return
    upstream = np.asarray(upstream, dtype=np.float64)
    right = tuple(sorted(int(a) % upstream.ndim for a in summed_axes))
    all_axes = range(upstream.ndim)
    for r in range(0, upstream.ndim + 1):
        for axes in itertools.combinations(all_axes, r):
            if not axes:
                yield _Alternative("axis_sum", f"the upstream gradient not summed at all "
                                   f"(it must be summed over {_axes_text(right)})", upstream)
                continue
            if axes != right:
                yield _Alternative(
                    "axis_sum",
                    f"the upstream gradient summed over {_axes_text(axes)} instead of "
                    f"{_axes_text(right)}",
                    upstream.sum(axis=axes),
                )
            yield _Alternative(
                "axis_sum",
                f"the upstream gradient averaged over {_axes_text(axes)} instead of "
                f"summed over {_axes_text(right)}",
                upstream.mean(axis=axes),
            )


def _variants(candidates):
    for label, value in (candidates or {}).items():
        yield _Alternative("variant", f"the result of a known mistake: {label}",
                           np.asarray(value, dtype=np.float64))


def _alternatives(expected, candidates, upstream, summed_axes):
    # The caller's own catalogue first: it is the most specific explanation.
    yield from _variants(candidates)
    yield from _axis_sums(upstream, summed_axes)
    yield from _permutations(expected)
    yield from _flips(expected)


def _match_alternative(alternatives, actual, name, dims, prefix=""):
    for alt in alternatives:
        if alt.value.shape != actual.shape:
            continue
        c = _fit_factor(alt.value, actual)
        # Any two single numbers are proportional: only an exact match means something.
        if c is not None and (actual.size > 1 or _is_unit(c)):
            factor = None if _is_unit(c) else c
            advice = f": {alt.advice}" if alt.advice else ""
            return Diagnosis(alt.kind, f"{prefix}{name} equals {alt.description}"
                             f"{_factor_note(c, dims)}{advice}.", factor)
    return None


# ----------------------------------------------------------------------------- diagnoses
def _type_diagnosis(actual, name):
    if actual is None:
        return Diagnosis("type", f"{name} is None: nothing was returned for it "
                         "(is a return statement missing, or still a stub?).")
    try:
        arr = np.asarray(actual)
    except Exception:  # an object numpy cannot even wrap
        arr = None
    if arr is None or arr.dtype == object or np.iscomplexobj(arr) or not (
            np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        return Diagnosis("type", f"{name} is not an array of real numbers "
                         f"(got {type(actual).__name__}).")
    return None


def _shape_prefix(expected_shape, actual_shape, name, dims):
    return (f"{name} has shape {describe_shape(actual_shape, dims)} but must have shape "
            f"{describe_shape(expected_shape, dims)}; ")


def _shape_note(expected_shape, actual_shape):
    if len(expected_shape) == 2 and tuple(actual_shape) == tuple(expected_shape)[::-1]:
        return "that is the transpose shape."
    if sorted(actual_shape) == sorted(expected_shape) and len(actual_shape) > 1:
        return "its axes are in the wrong order."
    return "check which axes you sum over and the order of matrix products."


def _shape_diagnosis(expected, actual, name, dims, alternatives):
    prefix = _shape_prefix(expected.shape, actual.shape, name, dims)
    if np.all(np.isfinite(actual)):
        found = _match_alternative(alternatives, actual, name, dims, prefix=prefix)
        if found is not None:
            return found
        if actual.size == expected.size:
            c = _fit_factor(expected.reshape(actual.shape), actual)
            if c is not None and _is_unit(c):
                return Diagnosis("shape", prefix + "its values are right, only the shape is "
                                 "wrong (a missing reshape, or keepdims=True in a sum?).")
    note = _shape_note(expected.shape, actual.shape)
    if note == "that is the transpose shape.":
        note = "that is the transpose shape, but the values are not the transpose either."
    return Diagnosis("shape", prefix + note)


def contract_diagnosis(name, actual, shape, dims=None):
    """Problems visible without the expected values: not an array, wrong shape, NaN/inf.

    The cheap first test of a gradient (``shape`` is that of the parameter);
    None when ``actual`` is a finite real array of that shape.
    """
    found = _type_diagnosis(actual, name)
    if found is not None:
        return found
    actual = np.asarray(actual, dtype=np.float64)
    if actual.shape != tuple(shape):
        return Diagnosis("shape", _shape_prefix(shape, actual.shape, name, dims)
                         + _shape_note(shape, actual.shape))
    return _nan_diagnosis(np.zeros(()), actual, name)


def _nan_diagnosis(expected, actual, name):
    bad_expected = ~np.isfinite(expected)
    if np.any(bad_expected):
        return Diagnosis("nan", f"the expected value of {name} itself has "
                         f"{int(bad_expected.sum())} non-finite entries: the forward pass "
                         "produces NaN or inf at this input.")
    n_nan = int(np.isnan(actual).sum())
    n_inf = int(np.isinf(actual).sum())
    if n_nan + n_inf == 0:
        return None
    first = describe_index(np.argwhere(~np.isfinite(actual))[0]) if actual.ndim else "()"
    parts = [f"{n} {label}" for n, label in ((n_nan, "NaN"), (n_inf, "infinite")) if n]
    entries = "entry" if n_nan + n_inf == 1 else "entries"
    return Diagnosis("nan", f"{name} has {' and '.join(parts)} {entries} out of {actual.size} "
                     f"(the first at index {first}); look for a division by zero, the log "
                     "of 0 or an exp that overflows.")


def _proportional_diagnosis(expected, actual, name, dims):
    if _norm(actual) == 0.0:
        idx = worst_entry(expected, actual)
        return Diagnosis("zero", f"{name} is zero everywhere, but the expected gradient is "
                         f"not (e.g. {format_value(expected[idx])} at {describe_index(idx)}): "
                         "was the gradient never computed or accumulated?", 0.0)
    c = _fit_factor(expected, actual)
    if c is None or _is_unit(c):
        return None
    if _is_unit(c, -1.0):
        return Diagnosis("sign", f"{name} has the wrong sign: it equals minus the expected "
                         "gradient (a subtraction in the wrong order, or a missing minus?).",
                         -1.0)
    if expected.size == 1 and dims_ratio(c, dims) is None:
        return None  # two single numbers are always proportional; only a named ratio says more
    text, inverse = name_factor(c, dims)
    value = f" (= {c:.6g})" if text != f"{c:.4g}" else ""
    return Diagnosis("factor", f"{name} is off by a constant factor: it equals {text}{value} "
                     f"times the expected gradient, so it needs a factor of {inverse}.", c)


def _partial_diagnosis(expected, actual, name, axis_names):
    errors = entry_errors(expected, actual)
    wrong = errors > ENTRY_TOL
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(errors)), errors.shape))
    worst = (f"worst entry at {describe_index(idx)}: expected {format_value(expected[idx])}, "
             f"got {format_value(actual[idx])}")
    n_wrong, size = int(wrong.sum()), wrong.size
    if size == 1:
        return Diagnosis("mismatch", f"{name} is {format_value(actual[idx])} but should be "
                         f"{format_value(expected[idx])}.")
    if not np.any(expected):
        return Diagnosis("mismatch", f"{name} should be zero everywhere (the output does not "
                         f"depend on this input here), but it is not; {worst}.")
    if n_wrong == 0:
        return Diagnosis("mismatch", f"{name} has small errors spread over all entries "
                         f"(none above {ENTRY_TOL:g} on its own); {worst}.")
    if n_wrong == size:
        return Diagnosis("mismatch", f"{name} is wrong in all {size} entries and matches none "
                         "of the usual mistakes (sign, constant factor, transpose, flip); "
                         f"{worst}.")
    where = describe_location(wrong, axis_names)
    return Diagnosis("partial", f"{name} is wrong in {n_wrong} of {size} entries, {where}; "
                     f"the other entries are right; {worst}.")


def diagnose(expected, actual, dims=None, candidates=None, upstream=None, summed_axes=None,
             name="the gradient", axis_names=None):
    """Recognise the mistake in ``actual``, or return None when it equals ``expected``.

    Parameters
    ----------
    expected : array, the trusted gradient (reference or numerical).
    actual : anything, the gradient being checked (a student's output).
    dims : dict str -> int, optional
        Named dimensions, e.g. ``{"N": 4, "D": 5, "M": 3}``, used to name
        factors ("1/N") and shapes ("(M, D)").
    candidates : dict str -> array, optional
        Known buggy variants computed by the caller, e.g.
        ``{"ReLU mask taken with >= instead of >": ...}``; a match is
        reported with kind ``variant`` and its label.
    upstream, summed_axes : array and tuple of int, optional
        When ``expected == upstream.sum(axis=summed_axes)`` (a bias gradient,
        for example), every other sum or mean of ``upstream`` is tried and a
        match is reported with kind ``axis_sum``, e.g. "summed over axis 1
        instead of axis 0".
    name : str, what to call the gradient in messages (e.g. ``"db"``).
    axis_names : tuple of str, optional
        Names of the axes for ``partial`` messages; default ("sample",
        "channel", "row", "column") for 4-D, ("row", "column") for 2-D.

    Returns
    -------
    Diagnosis or None
    """
    expected = np.asarray(expected, dtype=np.float64)
    found = _type_diagnosis(actual, name)
    if found is not None:
        return found
    actual = np.asarray(actual, dtype=np.float64)
    if upstream is not None and summed_axes is None:
        raise ValueError("upstream was given without summed_axes; pass the axes the expected "
                         "gradient sums over, e.g. summed_axes=(0,) for a bias.")
    alternatives = _alternatives(expected, candidates, upstream, summed_axes)  # lazy, used once
    if actual.shape != expected.shape:
        return _shape_diagnosis(expected, actual, name, dims, alternatives)
    found = _nan_diagnosis(expected, actual, name)
    if found is not None:
        return found
    if _misfit(expected, actual) <= MATCH_TOL:
        return None
    found = _proportional_diagnosis(expected, actual, name, dims)
    if found is None:
        found = _match_alternative(alternatives, actual, name, dims)
    if found is None:
        found = _partial_diagnosis(expected, actual, name, axis_names)
    return found


# ----------------------------------------------------------------------------- full comparisons
def compare_gradient(name, expected, actual, dims=None, threshold=LECTURE_THRESHOLD, **hints):
    """Check a whole gradient array against a trusted one; a GradCheckResult with a diagnosis.

    ``hints`` are passed on to ``diagnose`` (candidates, upstream, summed_axes,
    axis_names). The error is the lecture's rho over the whole array; the
    worst entry is the one with the largest per-entry relative error.
    """
    expected = np.asarray(expected, dtype=np.float64)
    early = _type_diagnosis(actual, name)
    if early is None and np.shape(actual) != expected.shape:
        early = diagnose(expected, actual, dims, name=name, **hints)
    if early is not None:
        return GradCheckResult(name, False, float("inf"), None, None, None, threshold, early,
                               early.message)
    actual = np.asarray(actual, dtype=np.float64)
    error = ratio(expected, actual)
    if np.isnan(error):
        error = float("inf")
    idx = worst_entry(expected, actual) if expected.size else None
    e_val = float(expected[idx]) if idx is not None else None
    a_val = float(actual[idx]) if idx is not None else None
    if error < threshold:
        return GradCheckResult(name, True, error, idx, e_val, a_val, threshold, None,
                               f"{name} is right (relative error {error:.1e} < {threshold:g}).")
    diagnosis = diagnose(expected, actual, dims, name=name, **hints)
    head = f"{name} is wrong (relative error {error:.1e} >= {threshold:g})"
    if diagnosis is None:
        message = (f"{head}: the difference is small and has no recognisable pattern; "
                   f"worst entry at {describe_index(idx)}: expected {format_value(e_val)}, "
                   f"got {format_value(a_val)}.")
    elif diagnosis.kind in ("partial", "mismatch", "nan", "zero"):
        message = f"{head}: {diagnosis.message}"
    else:
        message = (f"{head}: {diagnosis.message} Worst entry at {describe_index(idx)}: "
                   f"expected {format_value(e_val)}, got {format_value(a_val)}.")
    return GradCheckResult(name, False, error, idx, e_val, a_val, threshold, diagnosis, message)


def diagnose_params(expected, actual, dims=None, threshold=LECTURE_THRESHOLD):
    """Compare dicts of gradients name -> array; a GradCheckReport, one result per expected name.

    A name missing from ``actual`` fails with kind ``type``. ``str(report)``
    begins with e.g. "Gradients are right for w, wrong for b."
    """
    results = []
    for pname, exp in expected.items():
        if pname not in actual:
            missing = Diagnosis("type", f"no gradient was given for {pname} (the gradients "
                                f"present are {sorted(actual)}).")
            results.append(GradCheckResult(pname, False, float("inf"), None, None, None,
                                           threshold, missing, missing.message))
            continue
        results.append(compare_gradient(pname, exp, actual[pname], dims, threshold))
    return GradCheckReport(results)
