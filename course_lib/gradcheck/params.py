"""What the loss-based checks need: parameter dicts that can be perturbed, and a scalar loss.

``sampled_check`` and ``directional_check`` call a loss function ``f()`` with
no arguments after moving the arrays in ``params`` in place, exactly as a
network's forward pass reads its own weights.
"""
import numpy as np

from course_lib.validation import DTypeError

ROUNDING_MARGIN = 50.0
"""How many float64 roundings of |f| we allow in one loss evaluation."""


def check_param_dicts(params, grads):
    """Check that ``params`` holds writable float64 arrays and ``grads`` has the same keys.

    The gradient arrays themselves are not checked here: a wrong shape or a
    NaN in a gradient is a finding to report, not an error in the call.
    Returns the parameter names in order.
    """
    if not isinstance(params, dict) or not params:
        raise ValueError("params must be a non-empty dict name -> float64 array, "
                         f"got {type(params).__name__}.")
    if not isinstance(grads, dict):
        raise ValueError(f"grads must be a dict name -> array, got {type(grads).__name__}.")
    if set(grads) != set(params):
        raise ValueError(f"grads must have the same keys as params: params has "
                         f"{sorted(params)}, grads has {sorted(grads)}.")
    for name, value in params.items():
        if not isinstance(value, np.ndarray) or value.dtype != np.float64:
            got = value.dtype if isinstance(value, np.ndarray) else type(value).__name__
            raise DTypeError(f"params[{name!r}] must be a float64 numpy array that the loss "
                             f"reads (it is perturbed in place), got {got}.")
        if not value.flags.writeable:
            raise ValueError(f"params[{name!r}] is read-only, but the check perturbs it in "
                             "place; pass the writable array the loss function reads.")
    return list(params)


def loss_value(f):
    """Call ``f()`` and return its value as a float, refusing non-scalars."""
    value = np.asarray(f())
    if value.size != 1:
        raise ValueError(f"the loss function must return a scalar, got shape {value.shape}.")
    return float(value.reshape(()))


def rounding_noise(f_values, h):
    """Generous bound on the rounding error of a centered difference with step h.

    Each loss value carries an error of a few eps * |f|; dividing a difference
    of two of them by 2h gives about eps * |f| / h.
    """
    scale = max(abs(v) for v in f_values)
    return ROUNDING_MARGIN * np.finfo(np.float64).eps * scale / h
