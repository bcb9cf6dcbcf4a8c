"""The gradient-check ratio and the thresholds that go with it.

The lecture compares an algorithm-determined derivative G_e (backprop) with an
approximate one G_a (finite differences) through

    rho = |G_e - G_a| / |G_e + G_a|,

and calls a gradient right when rho < 1e-6, or rho < 1e-3 when ReLUs (kinks)
are involved. For arrays we use the same ratio with L2 norms,

    rho = ||G_e - G_a||_2 / ||G_e + G_a||_2,

which is the lecture's formula for a single entry. A norm ratio is preferred
to the maximum of per-entry ratios because an entry whose true value is zero
would then make the whole check fail on rounding noise alone. To find WHERE an
array is wrong, use ``relative_error_entries``.

Note the denominator is the norm of the SUM: gradients of opposite sign make
rho larger than 1, and G_a = -G_e (a sign bug) makes it infinite.
"""
import numpy as np

from course_lib.validation import check_same_shape

LECTURE_THRESHOLD = 1e-6
"""The lecture's bound on rho for a correct gradient of a smooth function."""

STRICT_THRESHOLD = 1e-7
"""The project's own tests: smooth functions, float64, centered differences."""

KINK_THRESHOLD = 1e-3
"""The lecture's bound when ReLU-like kinks may lie near the evaluation point."""

_TINY = np.finfo(np.float64).tiny


def _pair(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    check_same_shape("a", a, "b", b)
    return a, b


def relative_error(a, b, floor=0.0):
    """The lecture's ratio rho = ||a - b|| / ||a + b|| (L2 norms over all entries).

    Parameters
    ----------
    a, b : arrays (or numbers) of the same shape, e.g. G_e and G_a.
    floor : float, optional
        Lower bound on the denominator, ``max(||a + b||, floor)``. The default
        0 is the lecture's formula; the checks in this package pass the size of
        the finite-difference rounding noise divided by the threshold, so that
        an error made of rounding noise alone never fails.

    Returns
    -------
    float: 0.0 when a and b are both zero (more generally when a == b),
    inf when a + b is zero but a - b is not, NaN when an entry is NaN.
    """
    a, b = _pair(a, b)
    diff = float(np.linalg.norm(a - b))
    denom = max(float(np.linalg.norm(a + b)), float(floor))
    if np.isnan(diff) or np.isnan(denom):
        return float("nan")
    if diff == 0.0:
        return 0.0
    if denom == 0.0:
        return float("inf")
    return diff / denom


def relative_error_entries(a, b, floor=0.0):
    """Entrywise |a - b| / max(|a| + |b|, floor, tiny), to localise a failure.

    Parameters
    ----------
    a, b : arrays of the same shape.
    floor : float, optional
        Lower bound on each denominator. With the default, an entry where both
        are (almost) zero but differ by rounding gets a ratio near 1; pass e.g.
        ``1e-3 * max(|a|.max(), |b|.max())`` to ignore entries that are tiny
        compared with the rest of the array.

    Returns
    -------
    float64 array of the common shape, each entry in [0, 1] (0 where a == b).
    """
    a, b = _pair(a, b)
    denom = np.maximum(np.abs(a) + np.abs(b), max(float(floor), _TINY))
    with np.errstate(invalid="ignore"):
        return np.abs(a - b) / denom
