"""Weight initialisation rules (lecture 003, "Weight Initialization").

Every rule draws each weight independently from a zero-mean Gaussian whose
standard deviation depends on the fan-in ``r_in`` (inputs feeding a unit)
and, for Xavier/Glorot, the fan-out ``r_out``:

    gaussian : std = sqrt(1 / r_in)
    he       : std = sqrt(2 / r_in)              (made for ReLU units)
    xavier   : std = sqrt(2 / (r_in + r_out))

``constant_init`` gives every weight the same value; it exists to show the
symmetry problem: units that start equal receive equal gradients and stay
equal forever.

Shapes follow the row convention of ``course_lib`` modules: a linear weight
is ``(r_in, r_out)`` = ``(D, M)``, the lecture's ``Omega`` of shape
``(n_{j-1}, n_j)``. Convolution weights ``(F, C, HH, WW)`` are made by
``init_conv_weights``, with fan-in ``C * HH * WW`` and fan-out ``F * HH * WW``.
"""
import numpy as np

from course_lib.validation import check_positive_int, check_rng

METHODS = ("gaussian", "he", "xavier", "constant")


def init_std(method, r_in, r_out):
    """Standard deviation of the Gaussian rule ``method`` for fan-in r_in and fan-out r_out."""
    r_in = check_positive_int("r_in", r_in)
    r_out = check_positive_int("r_out", r_out)
    if method == "gaussian":
        return np.sqrt(1.0 / r_in)
    if method == "he":
        return np.sqrt(2.0 / r_in)
    if method == "xavier":
        return np.sqrt(2.0 / (r_in + r_out))
    raise ValueError(
        f"method must be one of 'gaussian', 'he', 'xavier' for a random rule, got {method!r}."
    )


def _gaussian(shape, std, rng):
    return check_rng(rng).standard_normal(shape) * std


def constant_init(r_in, r_out, value=0.0):
    """Every weight equal to ``value``: shape (r_in, r_out). Breaks nothing but symmetry."""
    r_in = check_positive_int("r_in", r_in)
    r_out = check_positive_int("r_out", r_out)
    return np.full((r_in, r_out), float(value), dtype=np.float64)


def gaussian_init(r_in, r_out, rng=None):
    """Gaussian weights with std sqrt(1 / r_in): shape (r_in, r_out), float64."""
    return _gaussian((r_in, r_out), init_std("gaussian", r_in, r_out), rng)


def he_init(r_in, r_out, rng=None):
    """He et al. (ReLU) weights with std sqrt(2 / r_in): shape (r_in, r_out), float64."""
    return _gaussian((r_in, r_out), init_std("he", r_in, r_out), rng)


def xavier_init(r_in, r_out, rng=None):
    """Xavier/Glorot weights with std sqrt(2 / (r_in + r_out)): shape (r_in, r_out), float64."""
    return _gaussian((r_in, r_out), init_std("xavier", r_in, r_out), rng)


def init_weights(method, r_in, r_out, rng=None, value=0.0):
    """Dispatch by name: ``method`` in METHODS; ``value`` is used by "constant" only."""
    if method == "constant":
        return constant_init(r_in, r_out, value)
    if method not in METHODS:
        raise ValueError(f"init must be one of {METHODS}, got {method!r}.")
    return _gaussian((r_in, r_out), init_std(method, r_in, r_out), rng)


def init_conv_weights(out_channels, in_channels, kernel_size, rng=None, method="he", value=0.0):
    """Convolution filters of shape (F, C, HH, WW) = (out_channels, in_channels, *kernel_size).

    A unit of the next layer sees C * HH * WW inputs, so that is the fan-in;
    the fan-out used by "xavier" is F * HH * WW. ``kernel_size`` is an int
    (square filters) or a pair (HH, WW).
    """
    F = check_positive_int("out_channels", out_channels)
    C = check_positive_int("in_channels", in_channels)
    if isinstance(kernel_size, (tuple, list)):
        if len(kernel_size) != 2:
            raise ValueError(f"kernel_size must be an int or a pair (HH, WW), got {kernel_size!r}.")
        HH = check_positive_int("kernel_size[0]", kernel_size[0])
        WW = check_positive_int("kernel_size[1]", kernel_size[1])
    else:
        HH = WW = check_positive_int("kernel_size", kernel_size)
    shape = (F, C, HH, WW)
    if method == "constant":
        return np.full(shape, float(value), dtype=np.float64)
    if method not in METHODS:
        raise ValueError(f"init must be one of {METHODS}, got {method!r}.")
    return _gaussian(shape, init_std(method, C * HH * WW, F * HH * WW), rng)
