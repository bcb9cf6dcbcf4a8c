"""Inverted dropout (a regularisation module named in lecture 002).

During training each unit is kept with probability 1 - p_drop and the kept
ones are scaled by 1 / (1 - p_drop), so the expected output equals the input
and nothing needs rescaling at test time, where dropout is the identity.
"""

from course_lib.validation import as_float_array, check_real_scalar, check_rng, check_same_shape

MODES = ("train", "test")


def dropout_forward(x, p_drop, mode="train", rng=None):
    """Inverted dropout, any shape of x.

    train: out = x * mask with mask = keep / (1 - p_drop), keep ~ Bernoulli(1 - p_drop) per entry;
    test:  out = x (a copy).
    p_drop in [0, 1); rng is a seed (int or None) or a numpy Generator.
    The cache is (mode, mask), mask None in test mode.
    """
    x = as_float_array("x", x)
    p_drop = check_real_scalar("p_drop", p_drop)
    if not 0.0 <= p_drop < 1.0:
        raise ValueError(
            f"p_drop is the probability of dropping a unit and must lie in [0, 1), got {p_drop}."
        )
    if mode not in MODES:
        raise ValueError(f"mode must be 'train' or 'test', got {mode!r}.")
    if mode == "test":
        return x.copy(), (mode, None)
    keep = check_rng(rng).random(x.shape) < 1.0 - p_drop
    mask = keep / (1.0 - p_drop)
    return x * mask, (mode, mask)


def dropout_backward(dout, cache):
    """dx = dout * mask in train mode (the same mask as the forward), dx = dout in test mode."""
    mode, mask = cache
    dout = as_float_array("dout", dout)
    if mode == "test":
        return dout.copy()
    check_same_shape("dout", dout, "the dropout mask", mask)
    return dout * mask
