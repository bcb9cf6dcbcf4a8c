"""What the usual wrong clipping rules give: the arrays notebook 04's checks name a wrong clip by.

Trusted, never shipped: these builders compute near-answers of clip_by_value
and clip_by_norm, so they live here and not in the student's home. Each
returns {key of CLIP_MISTAKES[fname] (course_lib/selfcheck/nb04/mistakes.py):
list of arrays}; fresh.py uses them for the hidden check's cases, stored.py to
store the self-check's.
"""
import numpy as np

from course_lib.clipping import clip_by_norm as reference_clip_by_norm
from course_lib.clipping import clip_by_value as reference_clip_by_value
from course_lib.clipping import global_norm


def _scaled(arrays, factor):
    return [np.asarray(a, dtype=np.float64) * factor for a in arrays]


def _norm_rule(arrays, max_norm, norm, factor_of):
    """Rescale by factor_of(norm) when norm > max_norm, else copies."""
    return _scaled(arrays, factor_of(norm) if norm > max_norm else 1.0)


def clip_value_variants(arrays, limit):
    """Outputs of the usual wrong value-clipping rules: {key of CLIP_MISTAKES['clip_by_value']: arrays}."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]

    def max_scaled(a):
        top = float(np.max(np.abs(a))) if a.size else 0.0
        return a * (limit / top) if top > limit else a.copy()

    return {
        "upper_only": [np.minimum(a, limit) for a in arrays],
        "zeroed": [np.where(np.abs(a) > limit, 0.0, a) for a in arrays],
        "unsigned": [np.where(np.abs(a) > limit, limit, a) for a in arrays],
        "max_scaled": [max_scaled(a) for a in arrays],
        "by_norm": reference_clip_by_norm(arrays, limit),
    }


def clip_norm_variants(arrays, max_norm):
    """Outputs of the usual wrong norm-clipping rules: {key of CLIP_MISTAKES['clip_by_norm']: arrays}."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    l2 = global_norm(arrays)
    squares = l2**2
    l1 = float(sum(np.sum(np.abs(a)) for a in arrays))
    return {
        "per_array": [reference_clip_by_norm(a, max_norm) for a in arrays],
        "always": _scaled(arrays, max_norm / l2 if l2 > 0 else 1.0),
        "unit": _norm_rule(arrays, max_norm, l2, lambda n: 1.0 / n),
        "squared": _norm_rule(arrays, max_norm, squares, lambda n: max_norm / n),
        "inverted": _norm_rule(arrays, max_norm, l2, lambda n: n / max_norm),
        "l1": _norm_rule(arrays, max_norm, l1, lambda n: max_norm / n),
        "by_value": reference_clip_by_value(arrays, max_norm),
    }

