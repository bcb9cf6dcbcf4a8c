"""What the notebooks' self-checks share: calling a student's function, requiring an array,
comparing with the expected values and naming a known mistake, reading stored cases.

Every ``require_*`` and ``call_*`` helper raises CheckFailure with a sentence a
student can act on, beginning with the ``context`` it is given (the function
and the case, e.g. "relu_forward, x of shape (4, 3)"). A known mistake is a
dict {text or key: the array that mistake gives on the same inputs}; the
hidden grading checks (autograder/checks) pass arrays computed from the
references, the visible checks stored ones. No reference implementation of a
graded function is imported here.
"""
import numpy as np

from course_lib.gradcheck import compare_gradient, contract_diagnosis, directions_agree, relative_error_entries
from course_lib.gradcheck.locate import describe_location
from course_lib.gradcheck.naming import describe_index, format_value
from course_lib.selfcheck.core import CheckFailure

GRAD_THRESHOLD = 1e-6
"""Bound on the lecture's rho for gradients: a right one lands near 1e-14, or 1e-9 against finite differences."""
VALUE_TOL = 1e-8
"""Misfit bound for forward outputs: a right forward lands near 1e-16."""
MATCH_TOL = 1e-6
"""An answer equals a known mistake when their misfit is at most this."""
FD_SEED = 1729
"""Seed of the random directions of ``own_fd_agrees``: fixed, so a check says the same on every run."""


# ----------------------------------------------------------------------------- words and numbers
def describe(value, counted=(tuple,)):
    """What a student's function returned, in a few words, for messages.

    A container of a type in ``counted`` is named with its length ("a tuple of 3 items"),
    an array with its shape, anything else with its type and repr (at most 80 characters).
    """
    if isinstance(value, counted):
        return f"a {type(value).__name__} of {len(value)} items"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"{type(value).__name__} {value!r}"[:80]


def vector_text(x):
    """'[1.5, -2, 0.333333]': the entries of x with 6 significant digits."""
    return "[" + ", ".join(format_value(v) for v in np.ravel(x)) + "]"


def misfit(a, b):
    """||a - b|| / (||a|| + ||b||) in float64: 0 when both are zero, inf when the shapes differ."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return np.inf
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


# ----------------------------------------------------------------------------- calling the student's code
def call_forward(fname, forward, arrays, names, fix, *, params=(), kwargs=None, copy=True):
    """Run ``forward(*arrays, *params, **kwargs)``; require a pair (out, cache) and untouched arrays.

    ``names`` names the arrays in the message about one changed in place (None: "one of its input
    arrays"), ``fix`` says what to do instead. The forward gets copies of the arrays, or with
    ``copy=False`` the arrays themselves (so that its cache holds the caller's arrays).
    """
    given = [np.array(a, copy=True) for a in arrays] if copy else list(arrays)
    kept = list(arrays) if copy else [np.array(a, copy=True) for a in arrays]
    result = forward(*given, *params, **(kwargs or {}))
    if not (isinstance(result, tuple) and len(result) == 2):
        raise CheckFailure(f"{fname} must return a pair (out, cache), got {describe(result)}; "
                           "end it with `return out, cache`.")
    for k, (now, before) in enumerate(zip(given, kept)):
        if not np.array_equal(now, before):
            what = f"its input {names[k]}" if names else "one of its input arrays"
            raise CheckFailure(f"{fname} modified {what} in place; {fix}")
    return result


def call_backward(fname, backward, dout, cache, n_grads=1, names=None, fix="compute dx in a new array."):
    """Run ``backward(copy of dout, cache)``; require dout untouched and, for n_grads > 1, a tuple.

    ``names`` (e.g. ("dx", "dgamma", "dbeta")) spells the tuple out in the message; the result
    is returned as the backward gave it.
    """
    dout_in = dout.copy()
    result = backward(dout_in, cache)
    if not np.array_equal(dout_in, dout):
        raise CheckFailure(f"{fname} modified dout in place; {fix}")
    if n_grads > 1 and not (isinstance(result, tuple) and len(result) == n_grads):
        what = f"({', '.join(names)})" if names else f"of {n_grads} gradients"
        raise CheckFailure(f"{fname} must return a tuple {what}, got {describe(result)}.")
    return result


# ----------------------------------------------------------------------------- known mistakes
def usable_mistakes(mistakes, right, apart):
    """The known mistakes {key: array} of right's shape, finite, and farther than ``apart`` (misfit) from it."""
    found = {}
    for key, value in (mistakes or {}).items():
        value = np.asarray(value, dtype=np.float64)
        if value.shape == np.shape(right) and np.all(np.isfinite(value)) and misfit(value, right) > apart:
            found[key] = value
    return found


def known_mistake(actual, mistakes, right=None, apart=0.0):
    """The key of the first known mistake that ``actual`` equals (misfit <= MATCH_TOL), or None.

    Given the ``right`` answer, only mistakes farther than ``apart`` from it count, and one close
    to it must be matched 100 times closer than it lies from the right answer.
    """
    if right is not None:
        for key, value in usable_mistakes(mistakes, right, apart).items():
            if misfit(value, actual) <= min(MATCH_TOL, 0.01 * misfit(value, right)):
                return key
        return None
    for key, value in (mistakes or {}).items():
        value = np.asarray(value, dtype=np.float64)
        if np.all(np.isfinite(value)) and misfit(value, actual) <= MATCH_TOL:
            return key
    return None


# ----------------------------------------------------------------------------- comparisons
def require_array(label, value, shape, dims=None):
    """A finite float64 array of the given shape, or a CheckFailure saying what is wrong with ``value``.

    ``dims`` ({"N": 4, ...}) names the sizes in the message, e.g. "shape (3, 4) = (D, N)".
    """
    problem = contract_diagnosis(label, value, shape, dims)
    if problem is not None:
        raise CheckFailure(problem.message)
    return np.asarray(value, dtype=np.float64)


def wrong_entries(context, label, expected_values, actual, tol, x=None, axis_names=None):
    """The sentence for values that differ from the expected ones and match no known mistake.

    "<context>: <label> is wrong in k of n entries[, where]; worst entry at (i, j)[ (x = v)]:
    expected e, got a." An entry is wrong when its relative error exceeds ``tol`` (entries far
    below the largest expected one are judged against 1/1000 of it); ``axis_names`` adds where
    the wrong entries are, ``x`` the input at the worst entry.
    """
    scale = np.max(np.abs(expected_values), initial=0.0)
    errors = relative_error_entries(expected_values, actual, floor=max(1e-3 * scale, 1e-300))
    wrong = errors > tol
    n_wrong = int(wrong.sum())
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(errors)), errors.shape))
    where = f", {describe_location(wrong, axis_names)}" if axis_names and 0 < n_wrong < wrong.size else ""
    at = f" (x = {format_value(x[idx])})" if x is not None and np.shape(x) == expected_values.shape else ""
    worst = f"worst entry at {describe_index(idx)}{at}: " if expected_values.ndim else ""
    return (f"{context}: {label} is wrong in {n_wrong} of {wrong.size} entries{where}; {worst}expected "
            f"{format_value(expected_values[idx])}, got {format_value(actual[idx])}.")


def require_values(context, label, expected_values, actual, mistakes=None, *, tol=VALUE_TOL, dims=None,
                   apart=None, x=None, axis_names=None):
    """Compare outputs with the expected ones; above a misfit of ``tol``, name the known mistake or the worst entry.

    ``mistakes`` maps a sentence to the array that mistake gives; with ``apart`` only those farther
    than that from the expected values are named (see ``known_mistake``). ``dims``, ``x`` and
    ``axis_names`` only enrich the messages. Returns the output as a float64 array.
    """
    actual = require_array(f"{context}: {label}", actual, expected_values.shape, dims)
    if misfit(expected_values, actual) <= tol:
        return actual
    found = known_mistake(actual, mistakes, None if apart is None else expected_values, apart or 0.0)
    if found is not None:
        raise CheckFailure(f"{context}: {label} is wrong; it equals {found}.")
    raise CheckFailure(wrong_entries(context, label, expected_values, actual, tol, x, axis_names))


def require_gradient(context, label, expected_grad, actual, dims=None, *, named_first=False, **hints):
    """compare_gradient (course_lib.gradcheck) with rho < GRAD_THRESHOLD; a CheckFailure carrying its diagnosis.

    ``hints`` go to compare_gradient (candidates, upstream, summed_axes, axis_names). With
    ``named_first`` an exact match with one of the ``candidates`` is reported in one short
    sentence before any other diagnosis (it is more specific than, say, a constant factor).
    """
    result = compare_gradient(label, expected_grad, actual, dims, threshold=GRAD_THRESHOLD, **hints)
    if result.passed:
        return
    if named_first:
        found = known_mistake(np.asarray(actual, dtype=np.float64), hints.get("candidates"))
        if found is not None:
            raise CheckFailure(f"{context}: {label} is wrong (relative error {result.worst_error:.1e}); "
                               f"it equals {found}.")
    raise CheckFailure(f"{context}: {result.message}")


def own_fd_agrees(loss, params, grads):
    """True when ``grads`` agree with centered differences of the student's own ``loss`` along two random directions.

    ``loss()`` reads the arrays of ``params`` (moved in place and restored), e.g.
    sum(dout * forward(params["x"])[0]); ``grads`` has the same keys. Four calls of the
    loss, whatever the number of entries: all a right backward costs. Only when this
    is False does a check compute per-entry differences (numerical_gradient_array) and
    ``require_fd_agreement``, which names the wrong gradient and where its errors are.
    """
    return directions_agree(loss, params, grads, rng=FD_SEED, threshold=GRAD_THRESHOLD)


def require_fd_agreement(context, label, numerical, actual, own, dims=None, **hints):
    """A gradient ``label`` against ``numerical``, centered differences of the student's ``own`` forward or loss.

    Run once the forward is right, so that a disagreement can only come from the backward.
    """
    result = compare_gradient(label, numerical, actual, dims, threshold=GRAD_THRESHOLD, **hints)
    if not result.passed:
        raise CheckFailure(f"{context}: {label} disagrees with finite differences of your own {own}: "
                           f"{result.message}")


# ----------------------------------------------------------------------------- test problems
def matrix_with_eigenvalues(rng, eigenvalues, symmetrise=True):
    """Q diag(eigenvalues) Q^T, shape (d, d), with Q orthogonal from the QR of a Gaussian matrix drawn from rng.

    ``symmetrise`` averages it with its transpose, which rounding leaves a little asymmetric.
    """
    d = len(eigenvalues)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    A = (Q * np.asarray(eigenvalues, dtype=np.float64)) @ Q.T
    return 0.5 * (A + A.T) if symmetrise else A
