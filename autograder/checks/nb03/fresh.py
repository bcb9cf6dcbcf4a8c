"""The hidden check's cases of notebook 03: fresh inputs on fixed seeds, expected values from course_lib.

Shapes hide nothing: every dimension distinct and above 1, non-square images
and kernels, a batch of one, stride 2 and 3, with and without zero padding;
pooling inputs have no ties (entries at least 0.08 apart). They differ from
the self-check's (stored.py).

A case is made from its inputs by ``<kind>_case``: the expected outputs from
the references, the known mistakes from mistaken.py. stored.py makes the
self-check's cases the same way. Each hidden check has its own seed, so its
cases do not depend on which other checks ran. The cases are drawn lazily from
one generator that a backward case also hands to its finite-difference check
(``case.rng``): case k + 1 is drawn after case k was checked.
"""
import numpy as np

from autograder.checks.nb03.mistaken import (
    avgpool_mistakes,
    conv2d_mistakes,
    conv_delta_mistakes,
    im2col_mistakes,
    maxpool_mistakes,
)
from course_lib.layers.conv import conv2d_backward, conv2d_forward
from course_lib.layers.conv_delta import conv_delta
from course_lib.layers.im2col import im2col
from course_lib.layers.pooling import avgpool_backward, avgpool_forward, maxpool_backward, maxpool_forward
from course_lib.selfcheck.nb03.cases import (
    Conv2dCase,
    ConvDeltaCase,
    Im2colCase,
    PoolCase,
    case_label,
    conv_delta_inputs,
    conv_inputs,
    pool_inputs,
)

# (H, W, M, M'): z^l of H x W, the filter w^{l+1} of M x M'.
CONV_DELTA_SHAPES = [(6, 7, 3, 2), (7, 5, 4, 3), (5, 9, 2, 4)]
# (N, C, H, W, F, HH, WW, stride, pad)
CONV2D_CASES = [
    (2, 3, 6, 7, 4, 3, 2, 1, 1),
    (2, 4, 9, 13, 3, 3, 5, 2, 0),
    (1, 2, 6, 10, 3, 2, 4, 2, 1),
    (4, 1, 5, 8, 2, 3, 4, 1, 0),
    (3, 2, 9, 11, 2, 4, 3, 3, 2),
]
# (N, C, H, W, size, stride): disjoint, overlapping (3 by 2 and 2 by 1), gapped (2 by 3) windows.
POOL_CASES = [
    (2, 3, 6, 8, 2, 2),
    (1, 2, 7, 9, 3, 2),
    (3, 2, 5, 8, 2, 3),
    (2, 1, 4, 10, 2, 1),
]

POOL_REFERENCES = {
    "maxpool": (maxpool_forward, maxpool_backward, maxpool_mistakes),
    "avgpool": (avgpool_forward, avgpool_backward, avgpool_mistakes),
}
"""{kind: (reference forward, reference backward, builder of the mistaken arrays)}."""


def sigmoid_prime(z):
    """sigma'(z) of the logistic sigmoid: the sigma'(z^l) of the conv_delta cases."""
    s = 1.0 / (1.0 + np.exp(-z))
    return s * (1.0 - s)


# ----------------------------------------------------------------------------- a case from its inputs
def conv_delta_case(delta_next, w, sigma_prime_z, label):
    return ConvDeltaCase(delta_next, w, sigma_prime_z, conv_delta(delta_next, w, sigma_prime_z),
                         conv_delta_mistakes(delta_next, w, sigma_prime_z), label)


def conv2d_case(x, w, b, stride, pad, dout, label, rng=None):
    out, cache = conv2d_forward(x, w, b, stride, pad)
    dx, dw, db = conv2d_backward(dout, cache)
    return Conv2dCase(x, w, b, stride, pad, dout, out, dx, dw, db, conv2d_mistakes(x, w, b, stride, pad, dout),
                      label, rng)


def pool_case(kind, x, size, stride, dout, label, rng=None):
    forward, backward, mistakes = POOL_REFERENCES[kind]
    out, cache = forward(x, size, stride)
    return PoolCase(kind, x, size, stride, dout, out, backward(dout, cache), mistakes(x, size, stride, dout),
                    label, rng)


def im2col_case(x, HH, WW, stride, pad, label):
    return Im2colCase(x, HH, WW, stride, pad, im2col(x, HH, WW, stride, pad),
                      im2col_mistakes(x, HH, WW, stride, pad), label)


# ----------------------------------------------------------------------------- the hidden check's cases
def _conv_delta_cases(seed):
    rng = np.random.default_rng(seed)
    for k, shape in enumerate(CONV_DELTA_SHAPES):
        yield conv_delta_case(*conv_delta_inputs(shape, rng, sigmoid_prime), case_label(k, len(CONV_DELTA_SHAPES)))


def _conv2d_cases(seed):
    rng = np.random.default_rng(seed)
    for k, case in enumerate(CONV2D_CASES):
        x, w, b, dout = conv_inputs(case, rng)
        stride, pad = case[-2:]
        yield conv2d_case(x, w, b, stride, pad, dout, case_label(k, len(CONV2D_CASES)), rng)


def _pool_cases(kind, seed):
    rng = np.random.default_rng(seed)
    for k, case in enumerate(POOL_CASES):
        x, dout = pool_inputs(case, rng)
        size, stride = case[-2:]
        yield pool_case(kind, x, size, stride, dout, case_label(k, len(POOL_CASES)), rng)


def fresh_conv_delta_cases():
    """Equation (7) on non-square cases."""
    return _conv_delta_cases(30301)


def fresh_conv2d_forward_cases():
    """Stride 1, 2, 3, pad 0, 1, 2, a batch of one."""
    return _conv2d_cases(30302)


def fresh_conv2d_backward_cases():
    """The shapes of the forward's cases, drawn anew."""
    return _conv2d_cases(30303)


def fresh_maxpool_forward_cases():
    return _pool_cases("maxpool", 30304)


def fresh_maxpool_backward_cases():
    return _pool_cases("maxpool", 30305)


def fresh_avgpool_forward_cases():
    return _pool_cases("avgpool", 30306)


def fresh_avgpool_backward_cases():
    return _pool_cases("avgpool", 30307)
