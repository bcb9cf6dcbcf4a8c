"""Argument checks for the second-order methods: vectors, square matrices, finite values.

The general checks live in course_lib/validation.py; these add the two
shapes every optimiser here works with, a parameter vector ``w`` of shape
(d,) and a matrix of shape (d, d), plus a test for nan/inf.
"""
import numpy as np

from course_lib.validation import ShapeError, as_float_array, check_ndim, check_shape


def as_vector(name, x, d=None):
    """Return ``x`` as a new float64 array of shape (d,); ``d=None`` accepts any length.

    A copy, so the caller may update it without touching the user's array.
    Vectors only: a weight matrix must be flattened first (``w.ravel()``).
    """
    arr = as_float_array(name, x)
    if arr.ndim != 1:
        raise ShapeError(
            f"{name} must be a 1-D vector of shape (d,), got shape {arr.shape}; "
            f"flatten it with {name}.ravel()."
        )
    if d is not None:
        check_shape(name, arr, (d,))
    return arr.astype(np.float64, copy=True)


def as_square_matrix(name, x, d):
    """Return ``x`` as a float64 array of shape (d, d) (a copy)."""
    arr = as_float_array(name, x)
    check_ndim(name, arr, 2, "(d, d)")
    check_shape(name, arr, (d, d))
    return arr.astype(np.float64, copy=True)


def check_finite(name, x, where=""):
    """Raise ValueError if ``x`` holds nan or inf; ``where`` says at which point."""
    if not np.all(np.isfinite(x)):
        raise ValueError(
            f"{name} returned non-finite values (nan or inf){where}. Check the function, "
            "or start closer to the solution: a step may have left the region where it is defined."
        )


def call_gradient(grad_fn, w, d, name="grad_fn"):
    """Return ``grad_fn(w)`` as float64, checked to have shape (d,) and finite entries."""
    g = np.asarray(grad_fn(w), dtype=np.float64)
    if g.shape != (d,):
        raise ShapeError(f"{name}(w) must return shape ({d},) like w, got {g.shape}.")
    check_finite(name, g)
    return g
