"""The values notebook 03's self-check replays, computed from course_lib's references.

``build()`` makes the self-check's cases the way the hidden check makes its
own (fresh.py: expected values from the references, the known mistakes from
mistaken.py), on other shapes and one seed, and lays them out as
course_lib/selfcheck/nb03/cases.py reads them (``stored_entries``): inputs next
to the outputs, so a self-check replays exactly the case the values were
computed for, and the answers of the known mistakes, so it can name a mistake
without any reference code. Write them with
``python -m autograder.checks.stored_values 03``.
"""
import numpy as np

from autograder.checks.nb03.fresh import (
    POOL_REFERENCES,
    conv2d_case,
    conv_delta_case,
    im2col_case,
    pool_case,
    sigmoid_prime,
)
from course_lib.selfcheck.nb03.cases import (
    case_label,
    conv_delta_inputs,
    conv_inputs,
    im2col_inputs,
    pool_inputs,
    stored_entries,
)

CONV_DELTA_SHAPES = [(6, 7, 3, 2), (5, 8, 2, 4), (7, 4, 4, 2)]
# (N, C, H, W, F, HH, WW, stride, pad); the first is DESIGN.md's example case.
CONV2D_CASES = [
    (2, 3, 5, 7, 4, 3, 3, 2, 1),
    (4, 2, 6, 5, 3, 2, 3, 1, 0),
    (1, 2, 7, 8, 3, 3, 2, 2, 1),
]
# (N, C, H, W, size, stride)
POOL_CASES = [
    (2, 3, 4, 6, 2, 2),
    (1, 2, 7, 5, 3, 2),
    (3, 2, 6, 9, 3, 3),
]
# (N, C, H, W, HH, WW, stride, pad)
IM2COL_CASES = [
    (2, 3, 5, 6, 3, 2, 1, 1),
    (1, 2, 7, 9, 3, 3, 2, 0),
]


def build():
    """{key: array} of every stored case; one generator draws all inputs, in the order of the keys."""
    rng = np.random.default_rng(20240303)
    values = {}

    made = [conv_delta_case(*conv_delta_inputs(shape, rng, sigmoid_prime), case_label(k, len(CONV_DELTA_SHAPES)))
            for k, shape in enumerate(CONV_DELTA_SHAPES)]
    values.update(stored_entries("conv_delta", made))

    made = []
    for k, case in enumerate(CONV2D_CASES):
        x, w, b, dout = conv_inputs(case, rng)
        made.append(conv2d_case(x, w, b, *case[-2:], dout, case_label(k, len(CONV2D_CASES))))
    values.update(stored_entries("conv2d", made))

    for kind in POOL_REFERENCES:
        made = []
        for k, case in enumerate(POOL_CASES):
            x, dout = pool_inputs(case, rng)
            made.append(pool_case(kind, x, *case[-2:], dout, case_label(k, len(POOL_CASES))))
        values.update(stored_entries(kind, made))

    made = [im2col_case(im2col_inputs(case, rng), *case[4:], case_label(k, len(IM2COL_CASES)))
            for k, case in enumerate(IM2COL_CASES)]
    values.update(stored_entries("im2col", made))
    return values
