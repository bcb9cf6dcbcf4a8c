"""The checks' own copy of the lecture's ratio, so that no check depends on a function a student writes.

Students write ``relative_error`` in notebook 01, and a student release of
notebook 01 replaces the reference (course_lib.gradcheck.relative_error) by a
stub. The gradient checks here (compare_gradient, directional_check,
sampled_check), which every notebook's self-checks use, compute the ratio
with this module instead:

    rho = ||a - b||_2 / max(||a + b||_2, floor)

with 0 when a == b, inf when only the denominator vanishes, NaN for NaN input.
"""
import numpy as np

from course_lib.validation import check_same_shape


def _norm(v):
    """Euclidean norm over all entries, as the square root of a dot product of the flattened array."""
    flat = np.ravel(v)
    return float(np.sqrt(flat @ flat))


def ratio(a, b, floor=0.0):
    """rho of two arrays (or numbers) of one shape, denominator at least ``floor``; a Python float."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    check_same_shape("a", a, "b", b)
    top = _norm(a - b)
    bottom = max(_norm(a + b), float(floor))
    if np.isnan(top) or np.isnan(bottom):
        return float("nan")
    if top == 0.0:
        return 0.0
    return float("inf") if bottom == 0.0 else top / bottom
