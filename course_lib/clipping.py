"""Gradient clipping against exploding gradients (lecture 003, "Gradient Clipping").

Two rules:
  by value: every partial derivative is clamped to [-limit, limit];
  by norm:  all gradient arrays are seen as one long vector g; when
            ||g||_2 > max_norm, every array is multiplied by max_norm / ||g||_2,
            so the direction is kept and only the length shrinks.

``grads`` is a list, a tuple or a dict of arrays (e.g. ``model.grads``), or a
single array. The result has the same container type and keys, holds new
arrays, and the input is never modified.
"""
import numpy as np

from course_lib.validation import as_float_array


def _items(grads):
    """(kind, keys, arrays) for a supported container, arrays checked as float."""
    if isinstance(grads, dict):
        keys = list(grads)
        return "dict", keys, [as_float_array(f"grads[{k!r}]", grads[k]) for k in keys]
    if isinstance(grads, (list, tuple)):
        kind = "list" if isinstance(grads, list) else "tuple"
        return kind, None, [as_float_array(f"grads[{i}]", g) for i, g in enumerate(grads)]
    if isinstance(grads, np.ndarray):
        return "array", None, [as_float_array("grads", grads)]
    raise TypeError(
        "grads must be a dict, list or tuple of arrays (or one array), got "
        f"{type(grads).__name__}."
    )


def _rebuild(kind, keys, arrays):
    if kind == "dict":
        return dict(zip(keys, arrays))
    if kind == "list":
        return arrays
    if kind == "tuple":
        return tuple(arrays)
    return arrays[0]


def _check_positive(name, value):
    if not np.isscalar(value) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}.")
    return float(value)


def global_norm(grads):
    """sqrt of the sum of squares of every entry of every array in ``grads``."""
    _, _, arrays = _items(grads)
    return float(np.sqrt(sum(float(np.sum(g * g)) for g in arrays)))


def clip_by_value(grads, limit):
    """Clamp each entry to [-limit, limit]; same container, new arrays."""
    limit = _check_positive("limit", limit)
    kind, keys, arrays = _items(grads)
    return _rebuild(kind, keys, [np.clip(g, -limit, limit) for g in arrays])


def clip_by_norm(grads, max_norm):
    """Rescale all arrays by max_norm / ||g|| when the global L2 norm ||g|| exceeds max_norm.

    ||g|| = sqrt(sum over arrays of sum of squared entries). Below the
    threshold the arrays are returned unchanged (as copies).
    """
    max_norm = _check_positive("max_norm", max_norm)
    kind, keys, arrays = _items(grads)
    total = global_norm(arrays)
    scale = max_norm / total if total > max_norm else 1.0
    return _rebuild(kind, keys, [g * scale for g in arrays])
