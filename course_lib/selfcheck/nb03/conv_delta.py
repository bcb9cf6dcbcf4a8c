"""The per-case check of equation (7), the lecture's delta recursion through a convolution.

    delta^l_{x,y} = sigma'(z^l_{x,y}) * sum over x', y' of delta^(l+1)_{x',y'} w^(l+1)_{x'-x, y'-y}

on a ConvDeltaCase (cases.py): the values against the expected ones and the
known mistakes (mistakes.py), inputs left untouched, linearity in delta^(l+1).
"""
import numpy as np

from course_lib.selfcheck.common import misfit
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb03.compare import LINEAR_TOL, require_close
from course_lib.selfcheck.nb03.mistakes import CONV_DELTA_MISTAKES


def conv_delta_shape_hints(delta_shape, w_shape):
    """Wrong shapes of delta^l that typical mistakes produce, with their explanation."""
    (Hd, Wd), (M, M2) = delta_shape, w_shape
    right = (Hd + M - 1, Wd + M2 - 1)
    hints = {
        (Hd - M + 1, Wd - M2 + 1): (
            "that is a sliding window over delta^(l+1) without zero padding; pad delta^(l+1) with M - 1 rows "
            "and M' - 1 columns of zeros on every side first, so that every pixel of z^l collects all outputs "
            "it fed"
        ),
        (Hd, Wd): "that is the shape of delta^(l+1); delta^l has the shape of z^l (and of sigma_prime_z)",
        (Hd + 2 * (M - 1), Wd + 2 * (M2 - 1)): (
            "that is the zero-padded delta^(l+1) itself; slide the M x M' filter over it"
        ),
    }
    hints.pop(right, None)
    return hints


def check_conv_delta_case(conv_delta, case):
    """One case of the lecture's delta recursion: values, known mistakes, untouched inputs, linearity."""
    delta_next, w, sigma_prime_z = case.delta_next, case.w, case.sigma_prime_z
    H, W = sigma_prime_z.shape
    M, M2 = w.shape
    context = (f"conv_delta, {case.label} (z^l {H}x{W}, filter {M}x{M2}, "
               f"delta^(l+1) {delta_next.shape[0]}x{delta_next.shape[1]})")
    inputs = [np.array(a, copy=True) for a in (delta_next, w, sigma_prime_z)]
    delta = conv_delta(*inputs)
    for original, copy in zip((delta_next, w, sigma_prime_z), inputs):
        if not np.array_equal(original, copy):
            raise CheckFailure(f"{context}: an input array was modified in place; pad or rotate a copy.")
    delta = require_close(context, "delta^l", case.delta, delta, CONV_DELTA_MISTAKES, case.mistakes.get("delta"),
                          layout="(H, W), the shape of z^l",
                          shape_hints=conv_delta_shape_hints(delta_next.shape, w.shape))
    doubled = conv_delta(2.0 * delta_next, w.copy(), sigma_prime_z.copy())
    if misfit(2.0 * delta, doubled) > LINEAR_TOL:
        raise CheckFailure(f"{context}: doubling delta_next did not double delta^l; equation (7) is linear "
                           "in delta^(l+1).")
