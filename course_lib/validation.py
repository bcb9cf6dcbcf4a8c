"""Argument checks shared by every kernel.

Each check raises an error that names the argument, what was expected and
what arrived, so a student who passes the wrong thing learns how to fix it.
"""
import numpy as np


class ShapeError(ValueError):
    """An array has the wrong number of dimensions or the wrong sizes."""


class DTypeError(TypeError):
    """An array is not floating point where the library computes in float64."""


def as_float_array(name, x):
    """Return ``x`` as a floating-point ndarray without copying float input.

    Integer and boolean arrays are refused rather than silently converted,
    because an integer weight matrix would make every update round to zero.
    """
    arr = np.asarray(x)
    if not np.issubdtype(arr.dtype, np.floating):
        raise DTypeError(
            f"{name} must be a floating-point array (float64 expected), got dtype "
            f"{arr.dtype}; convert it with {name}.astype(np.float64)."
        )
    return arr


def check_ndim(name, x, ndim, layout):
    """Require ``x.ndim == ndim``; ``layout`` names the axes, e.g. ``"(N, C, H, W)"``."""
    if np.ndim(x) != ndim:
        raise ShapeError(
            f"{name} must have {ndim} dimensions {layout}, got shape {np.shape(x)}."
        )


def check_shape(name, x, expected):
    """Require ``x.shape == expected``; ``None`` in ``expected`` matches any size."""
    shape = np.shape(x)
    ok = len(shape) == len(expected) and all(
        e is None or s == e for s, e in zip(shape, expected)
    )
    if not ok:
        pretty = "(" + ", ".join("any" if e is None else str(e) for e in expected) + ")"
        raise ShapeError(f"{name} must have shape {pretty}, got {shape}.")


def check_same_shape(name_a, a, name_b, b):
    """Require two arrays to have identical shapes (e.g. dout and the forward output)."""
    if np.shape(a) != np.shape(b):
        raise ShapeError(
            f"{name_a} has shape {np.shape(a)} but {name_b} has shape {np.shape(b)}; "
            "they must match."
        )


def check_labels(name, y, n_samples, n_classes):
    """Require integer class labels of shape (N,) with values in [0, n_classes)."""
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != n_samples:
        raise ShapeError(f"{name} must have shape ({n_samples},), got {y.shape}.")
    if not np.issubdtype(y.dtype, np.integer):
        raise DTypeError(f"{name} must hold integer class labels, got dtype {y.dtype}.")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(
            f"{name} holds labels from {y.min()} to {y.max()}, but there are only "
            f"{n_classes} classes (valid labels are 0..{n_classes - 1})."
        )
    return y


def check_positive_int(name, value):
    """Require a strictly positive Python or numpy integer."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def check_rng(seed_or_rng):
    """Turn a seed (int or None) or a Generator into a numpy Generator."""
    if isinstance(seed_or_rng, np.random.Generator):
        return seed_or_rng
    return np.random.default_rng(seed_or_rng)


def check_real_scalar(name, value):
    """Return ``value`` as a Python float, refusing arrays, booleans and non-finite numbers.

    Used for scalar hyperparameters and scalar parameters (alpha, theta,
    margin, lam, p_drop). Integers are accepted: 0 is as good a slope as 0.0.
    """
    arr = np.asarray(value)
    if arr.ndim != 0:
        raise ShapeError(f"{name} must be a single number, got an array of shape {arr.shape}.")
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)
    ):
        raise TypeError(f"{name} must be a real number, got {value!r} of type {type(value).__name__}.")
    out = float(arr)
    if not np.isfinite(out):
        raise ValueError(f"{name} must be finite, got {out}.")
    return out


def check_nonnegative_int(name, value):
    """Require a Python or numpy integer >= 0 (e.g. the zero padding)."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}.")
    return int(value)
