"""Centered finite differences for the project's own tests.

Kept independent of course_lib.gradcheck on purpose: the tests of the
reference library must not trust the code they are checking.
"""
import numpy as np


def fd_gradient(f, x, dout=None, h=1e-6):
    """Gradient of sum(dout * f(x)) w.r.t. x by centered differences; x is perturbed in place and restored.

    f returns an array (or a scalar when dout is None). Shapes: grad has x.shape.
    """
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = np.asarray(f(x), dtype=np.float64).copy()
        x[i] = old - h
        fm = np.asarray(f(x), dtype=np.float64).copy()
        x[i] = old
        diff = fp - fm if dout is None else np.sum(dout * (fp - fm))
        grad[i] = np.sum(diff) / (2 * h)
    return grad


def rel_error(a, b):
    """||a - b|| / (||a|| + ||b||) over all entries, 0 when both are zero.

    A norm ratio rather than a per-entry maximum, so entries that are zero up
    to rounding do not dominate.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)
