"""Contour lines of a function of two variables, f(w) with w = (x, y).

Rosenbrock's valley spans values from 0 at the minimum to thousands on the
rim; evenly spaced levels would all crowd on the rim and leave the valley,
where the optimizers travel, empty. Levels spaced evenly in log(f - f_min)
show the rim and the valley floor alike, and give the circular and
elliptical bowls nested rings that tighten towards the minimum.
"""
import numpy as np

from course_lib.validation import check_positive_int


def _check_limits(name, lim):
    lo, hi = (float(v) for v in lim)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"{name} must be a pair (low, high) of finite numbers with low < high, got {lim!r}.")
    return lo, hi


def surface_grid(f, xlim, ylim, resolution=150):
    """Evaluate f on a resolution x resolution grid: returns X, Y, Z, each (resolution, resolution).

    f is called once with the stack w = (X, Y) of shape (2, resolution,
    resolution), as course_lib.data's test functions allow; a function that
    only takes one point (2,) is evaluated point by point instead.
    Z[i, j] = f((X[i, j], Y[i, j])), rows along y as matplotlib's contour expects.
    """
    resolution = check_positive_int("resolution", resolution)
    x0, x1 = _check_limits("xlim", xlim)
    y0, y1 = _check_limits("ylim", ylim)
    X, Y = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    try:
        Z = np.asarray(f(np.stack([X, Y])), dtype=np.float64)
        vectorised = Z.shape == X.shape
    except Exception:  # a student's f written for a single point (2,) only
        vectorised = False
    if not vectorised:
        points = np.stack([X.ravel(), Y.ravel()], axis=1)
        Z = np.array([float(f(p)) for p in points]).reshape(X.shape)
    return X, Y, Z


def log_levels(Z, n=20, dynamic_range=1e4):
    """n contour levels spaced evenly in log(f - min f) over the finite values of Z.

    The levels run from min Z + span / dynamic_range to max Z (span = max Z
    - min Z), so they reach deep into the valley without an infinite number
    of rings around the minimum. Returns an increasing float64 array (n,).
    """
    n = check_positive_int("n", n)
    finite = np.asarray(Z, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        raise ValueError("Z has no finite value to draw contours of.")
    low, high = float(finite.min()), float(finite.max())
    span = high - low
    if span <= 0:
        raise ValueError(f"Z is constant ({low}); a constant function has no contour lines.")
    return low + np.geomspace(span / dynamic_range, span, n)


def plot_surface_contours(ax, f, xlim, ylim, levels=20, resolution=150, cmap="viridis"):
    """Draw contour lines of f on ax over xlim x ylim; returns the ContourSet.

    levels : int (that many log-spaced levels, see log_levels) or an
        increasing sequence of level values.
    Sets the axis limits to xlim, ylim and an equal aspect ratio, so that a
    circular bowl looks circular.
    """
    X, Y, Z = surface_grid(f, xlim, ylim, resolution)
    if np.isscalar(levels):
        levels = log_levels(Z, int(levels))
    contours = ax.contour(X, Y, Z, levels=levels, cmap=cmap, linewidths=0.7, alpha=0.8)
    ax.set_xlim(*_check_limits("xlim", xlim))
    ax.set_ylim(*_check_limits("ylim", ylim))
    ax.set_aspect("equal", adjustable="box")
    return contours
