"""Learning-rate decay schedules (lectures 000 and 003).

Both are functions of the initial rate eta0, a decay factor k >= 0 and the
step (or epoch) count t >= 0. Lecture 000 writes them eta_k = eta0 / (1 + k
delta) with k the step and delta the decay factor; lecture 003 writes
alpha_t = alpha0 / (1 + k t) with t the epoch and k the decay factor. The
formulas agree; the argument names follow lecture 003 because delta is the
stabiliser of the adaptive optimizers.

Plug one into any optimizer with functools.partial, e.g.
``SGD(schedule=functools.partial(inverse_decay, 0.1, 0.01))``: the
optimizer calls it with t = number of updates already made (0 first).
"""
import math
import numbers


def _check(eta0, k, t):
    for name, value, low_open in (("eta0", eta0, True), ("k", k, False), ("t", t, False)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {value!r}.")
        if not math.isfinite(value) or value < 0 or (low_open and value == 0):
            bound = "> 0" if low_open else ">= 0"
            raise ValueError(f"{name} must be a finite number {bound}, got {value!r}.")


def inverse_decay(eta0, k, t):
    """Inverse decay: eta_t = eta0 / (1 + k * t). Scalars in, float out."""
    _check(eta0, k, t)
    return eta0 / (1 + k * t)


def exponential_decay(eta0, k, t):
    """Exponential decay: eta_t = eta0 * exp(-k * t). Scalars in, float out."""
    _check(eta0, k, t)
    return eta0 * math.exp(-k * t)
