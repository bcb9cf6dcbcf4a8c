"""Find which entries of a gradient are wrong and say where they are.

Used when a gradient matches no global pattern (sign, factor, transpose, ...):
the student then needs to know whether the errors sit on a border, in one
channel, in one sample, or everywhere, and which entry is worst.
"""
import numpy as np

from course_lib.gradcheck.relative_error import relative_error_entries

ENTRY_TOL = 1e-5
"""An entry is wrong when its relative error exceeds this (correct ~1e-13, bugs ~1e-2)."""

ENTRY_FLOOR = 1e-3
"""Entries smaller than this fraction of the array's largest entry are judged
against that fraction instead of their own size, so rounding in near-zero
entries is not reported as an error."""

DEFAULT_AXIS_NAMES = {
    1: ("entry",),
    2: ("row", "column"),
    3: ("channel", "row", "column"),
    4: ("sample", "channel", "row", "column"),
}


def entry_errors(expected, actual):
    """Per-entry relative errors with the scale floor above; NaN counts as infinite."""
    scale = max(float(np.max(np.abs(expected), initial=0.0)),
                float(np.max(np.abs(actual), initial=0.0)))
    errors = relative_error_entries(expected, actual, floor=ENTRY_FLOOR * scale)
    return np.where(np.isnan(errors), np.inf, errors)


def worst_entry(expected, actual):
    """Index (tuple) of the entry with the largest relative error."""
    errors = entry_errors(expected, actual)
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(errors)), errors.shape))


def _axis_names(ndim, axis_names):
    if axis_names is not None:
        if len(axis_names) != ndim:
            raise ValueError(
                f"axis_names has {len(axis_names)} names but the gradient has {ndim} axes."
            )
        return tuple(axis_names)
    return DEFAULT_AXIS_NAMES.get(ndim, tuple(f"axis-{k} index" for k in range(ndim)))


def _list_indices(indices, size):
    shown = [str(int(i)) for i in indices[:6]]
    text = ", ".join(shown) + (", ..." if len(indices) > 6 else "")
    if len(indices) == 1 and size > 1:
        if indices[0] == size - 1:
            text += " (the last)"
        elif indices[0] == 0:
            text += " (the first)"
    return text


def _plural(name):
    if name.endswith("entry"):
        return name[:-1] + "ies"
    if name.endswith("index"):
        return name[:-5] + "indices"
    return name + "s"


def _on_border(wrong):
    """True when every wrong entry lies in the first/last row or column of the last two axes."""
    height, width = wrong.shape[-2:]
    if height <= 2 or width <= 2:
        return False  # every entry is on the border: the word would say nothing
    interior = np.zeros(wrong.shape[-2:], dtype=bool)
    interior[1:-1, 1:-1] = True
    return not np.any(wrong & interior)


def describe_location(wrong, axis_names=None):
    """Say where the True entries of the boolean array ``wrong`` are.

    Returns a phrase such as "only in channel 1", "only on the border (first
    and last rows and columns)", "only in sample 0, channel 2" or
    "spread over the whole array".
    """
    names = _axis_names(wrong.ndim, axis_names)
    coords = np.nonzero(wrong)
    confined = []
    for axis, size in enumerate(wrong.shape):
        used = np.unique(coords[axis])
        if len(used) < size:
            confined.append((axis, used))
    spatial = {wrong.ndim - 2, wrong.ndim - 1}
    single_spatial = any(a in spatial and len(u) == 1 for a, u in confined)
    def phrase(axis, used):
        label = names[axis] if len(used) == 1 else _plural(names[axis])
        return f"{label} {_list_indices(used, wrong.shape[axis])}"

    if wrong.ndim >= 2 and not single_spatial and _on_border(wrong):
        leading = [phrase(a, u) for a, u in confined if a not in spatial]
        where = "only on the border (first and last rows and columns)"
        return where + (" of " + ", ".join(leading) if leading else "")
    if not confined:
        return "spread over the whole array"
    return "only in " + ", ".join(phrase(a, u) for a, u in confined)
