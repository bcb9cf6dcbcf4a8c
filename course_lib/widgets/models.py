"""The small default network the training widgets use on the 8x8 digits."""
from course_lib.modules import Linear, ReLU, Sequential
from course_lib.validation import check_positive_int, check_rng


def digits_mlp(seed=0, hidden=32, n_in=64, n_classes=10):
    """Linear(n_in, hidden) -> ReLU -> Linear(hidden, n_classes), He-initialised.

    Input (N, n_in) = (N, 64) pixel rows, output (N, n_classes) class
    scores. ``seed`` is an int or a numpy Generator; the weights are drawn
    from it, first layer first. Small enough that an epoch on the digits
    takes a fraction of a second.
    """
    rng = check_rng(seed)
    hidden = check_positive_int("hidden", hidden)
    return Sequential(
        Linear(n_in, hidden, rng=rng, init="he"),
        ReLU(),
        Linear(hidden, n_classes, rng=rng, init="he"),
    )
