"""Run an optimizer on a 2-D test function and draw the path it takes.

The optimizer is anything with ``step(theta, grad_fn) -> theta`` (the
course_lib.optim classes or a student's own), so the path drawn is the one
*their* update rule produces.
"""
import numpy as np

from course_lib.validation import ShapeError, as_float_array, check_nonnegative_int

# An iterate farther than this from the origin counts as diverged: the test
# functions live in a few units around it, and Rosenbrock's gradient grows
# like |w|^3, so far beyond this the next step overflows anyway.
DIVERGENCE_LIMIT = 1e6


def run_trajectory(optimizer, grad_fn, theta0, steps, limit=DIVERGENCE_LIMIT):
    """Iterate ``theta <- optimizer.step(theta, grad_fn)`` from theta0; returns (path, diverged_at).

    path : float64 array (steps + 1, D), D = theta0.size (2 for the test
        functions); row 0 is theta0 and row k the iterate after k steps.
    diverged_at : None if every step stayed finite and within ``limit``
        (max |theta_i| <= limit), else the step k at which it first did not.
        The run stops there: row k holds that iterate if it is finite (a
        huge jump, still worth drawing) and NaN otherwise, and every later
        row is NaN (matplotlib leaves NaN points out of a line).

    A FloatingPointError raised inside ``step`` (course_lib's optimizers
    refuse a non-finite gradient with one) also counts as divergence at
    that step. Any other exception, e.g. NotImplementedError from an
    unfinished student class, is passed on to the caller. The optimizer is
    used as it is: build a fresh one (or call reset()) for a fresh run.
    """
    steps = check_nonnegative_int("steps", steps)
    theta = np.array(as_float_array("theta0", theta0), dtype=np.float64).ravel()
    path = np.full((steps + 1, theta.size), np.nan)
    path[0] = theta
    # Overflow on the way to divergence is reported by diverged_at, not by warnings.
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, steps + 1):
            try:
                new = optimizer.step(theta.copy(), grad_fn)
            except FloatingPointError:
                return path, k
            new = np.asarray(new, dtype=np.float64)
            if new.size != theta.size:
                raise ShapeError(
                    f"{type(optimizer).__name__}.step returned an array of shape {new.shape} for "
                    f"theta of shape {theta.shape}; it must return the new parameters, same shape."
                )
            new = new.ravel()
            finite = bool(np.all(np.isfinite(new)))
            if finite:
                path[k] = new
            if not finite or np.max(np.abs(new)) > limit:
                return path, k
            theta = new
    return path, None


def plot_trajectory(ax, path, label=None, **line_kwargs):
    """Draw path (K, 2) as a line with a dot per iterate; returns the Line2D.

    Extra keyword arguments go to ``ax.plot`` (color, markersize, ...).
    Update it later with ``line.set_data(path[:, 0], path[:, 1])``.
    """
    path = np.asarray(path, dtype=np.float64)
    if path.ndim != 2 or path.shape[1] != 2:
        raise ShapeError(f"path must have shape (K, 2) (one x, y row per iterate), got {path.shape}.")
    style = {"marker": "o", "markersize": 2.5, "linewidth": 1.2}
    style.update(line_kwargs)
    (line,) = ax.plot(path[:, 0], path[:, 1], label=label, **style)
    return line
