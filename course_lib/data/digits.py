"""The 8x8 handwritten digits of scikit-learn, split and standardised for training.

``sklearn.datasets.load_digits`` ships with scikit-learn (no download): 1797
images of 8x8 pixels with grey levels 0..16, ten classes. ``load_digits``
splits them into train / validation / test sets, stratified so each split
has the same class proportions, and standardises every pixel with the mean
and standard deviation of the training set only (the validation and test
sets must not leak into the preprocessing).
"""
from dataclasses import dataclass

import numpy as np

from course_lib.validation import check_rng


@dataclass(frozen=True)
class DataSplits:
    """Three splits of a classification data set.

    x_* (N_*, D) float64, y_* (N_*,) int64. ``mean`` and ``std`` (D,) are the
    training statistics used to standardise (zeros and ones when not
    standardised); apply them to new inputs as (x - mean) / std.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    mean: np.ndarray
    std: np.ndarray


def standardization_stats(x_train):
    """Per-feature mean and std of x_train (N, D); a constant feature gets std 1.

    A pixel that is the same in every training image (the corners of the
    digits are always blank) has std 0; dividing by 1 instead leaves it at 0
    after centring rather than producing NaN.
    """
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std = np.where(std > 1e-12, std, 1.0)
    return mean, std


def _check_fraction(name, value):
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}.")
    return float(value)


def load_digits(seed=0, val_fraction=0.15, test_fraction=0.15, standardize=True):
    """Deterministic stratified split of the scikit-learn digits.

    Sizes: round(test_fraction * 1797) test samples, round(val_fraction * 1797)
    validation samples, the rest for training; D = 64 pixels. The same seed
    always gives the same split (``seed`` is an int or a numpy Generator).
    Returns a ``DataSplits``.
    """
    from sklearn.datasets import load_digits as sklearn_load_digits
    from sklearn.model_selection import train_test_split

    val_fraction = _check_fraction("val_fraction", val_fraction)
    test_fraction = _check_fraction("test_fraction", test_fraction)
    if val_fraction + test_fraction >= 1.0:
        raise ValueError(
            f"val_fraction + test_fraction = {val_fraction + test_fraction} leaves no training "
            "data; their sum must be below 1."
        )
    bunch = sklearn_load_digits()
    x = bunch.data.astype(np.float64)
    y = bunch.target.astype(np.int64)
    n = len(y)
    n_test = int(round(test_fraction * n))
    n_val = int(round(val_fraction * n))
    empty_x, empty_y = x[:0], y[:0]
    # Two integer states drawn from the seed keep both splits reproducible.
    states = check_rng(seed).integers(0, 2**31 - 1, size=2)

    def split(x_part, y_part, size, state):
        if size == 0:
            return x_part, empty_x, y_part, empty_y
        return train_test_split(x_part, y_part, test_size=size, stratify=y_part,
                                random_state=int(state))

    x_rest, x_test, y_rest, y_test = split(x, y, n_test, states[0])
    x_train, x_val, y_train, y_val = split(x_rest, y_rest, n_val, states[1])

    if standardize:
        mean, std = standardization_stats(x_train)
    else:
        mean, std = np.zeros(x.shape[1]), np.ones(x.shape[1])
    return DataSplits(
        x_train=(x_train - mean) / std, y_train=y_train,
        x_val=(x_val - mean) / std, y_val=y_val,
        x_test=(x_test - mean) / std, y_test=y_test,
        mean=mean, std=std,
    )
