"""Fresh cases of notebook 06's hidden checks, with the answers from course_lib's references.

The inputs are drawn by the home's builders (course_lib/selfcheck/nb06/cases.py);
``forward_case``, ``backward_case`` and ``sequence_case`` add the right
answers (the references) and what the known mistakes give (mistaken.py).
The same builders make the self-checks' stored cases (stored.py) on other
seeds. A backward is always fed the cache made by the same submission's
forward; caches stay opaque.
"""
import numpy as np

from autograder.checks.nb06.mistaken import backward_mistakes, forward_mistakes, sequence_mistakes
from course_lib.layers.batchnorm import batchnorm_backward, batchnorm_forward
from course_lib.layers.spatial_batchnorm import spatial_batchnorm_backward, spatial_batchnorm_forward
from course_lib.selfcheck.nb06.cases import (
    RunningAverages,
    backward_inputs,
    bn_inputs,
    make_bn_param,
    sequence_inputs,
)
from course_lib.validation import check_rng

# The shapes and settings of the cases: every dimension distinct and above 1, plus batches of
# one; a large eps with small features makes every eps mistake loud; momentum never 0.5, where
# swapped weights would look right.
FORWARD_SETTINGS = [
    ((7, 4), dict(mode="train")),
    ((4, 6), dict(mode="train", eps=0.2, momentum=0.8, spread=0.3)),
    ((1, 3), dict(mode="train", momentum=0.75)),
    ((5, 3), dict(mode="test", eps=0.05)),
    ((1, 6), dict(mode="test")),
]
SPATIAL_SETTINGS = [
    ((2, 3, 4, 5), dict(mode="train")),
    ((1, 2, 3, 4), dict(mode="train", eps=0.1, momentum=0.8, spread=0.4)),
    ((3, 2, 4, 3), dict(mode="test", eps=0.05)),
]

# ----------------------------------------------------------------------------- inputs + answers


def _references(inputs):
    """(forward, backward) of course_lib for the case's layout: (N, D) or (N, C, H, W)."""
    if inputs["x"].ndim == 4:
        return spatial_batchnorm_forward, spatial_batchnorm_backward
    return batchnorm_forward, batchnorm_backward


def forward_case(inputs):
    """A forward case: inputs, the reference's output and running averages, mistakes."""
    bn_param = make_bn_param(inputs)
    out, _ = _references(inputs)[0](inputs["x"], inputs["gamma"], inputs["beta"], bn_param)
    return {**inputs, "out": out, "new_running_mean": bn_param["running_mean"],
            "new_running_var": bn_param["running_var"], "mistakes": forward_mistakes(inputs)}


def backward_case(inputs):
    """A backward case: inputs with dout, the reference's output and gradients, mistakes."""
    forward, backward = _references(inputs)
    out, cache = forward(inputs["x"], inputs["gamma"], inputs["beta"], make_bn_param(inputs))
    dx, dgamma, dbeta = backward(inputs["dout"], cache)
    return {**inputs, "out": out, "dx": dx, "dgamma": dgamma, "dbeta": dbeta,
            "mistakes": backward_mistakes(inputs, inputs["dout"])}


def sequence_case(rng, **settings):
    """A sequence case (a dict; RunningAverages wraps it): the running averages after every call."""
    case = sequence_inputs(rng, **settings)
    bn_param = make_bn_param(case)
    means, variances = [], []
    for x in case["x_seq"]:
        batchnorm_forward(x, case["gamma"], case["beta"], bn_param)
        means.append(bn_param["running_mean"])
        variances.append(bn_param["running_var"])
    return {**case, "means": np.stack(means), "variances": np.stack(variances),
            "mistakes": sequence_mistakes(case)}


def forward_cases(seed, settings=FORWARD_SETTINGS):
    rng = check_rng(seed)
    return [forward_case(bn_inputs(rng, shape, **kw)) for shape, kw in settings]


def backward_cases(seed, settings=FORWARD_SETTINGS):
    rng = check_rng(seed)
    return [backward_case(backward_inputs(rng, shape, **kw)) for shape, kw in settings]


# ----------------------------------------------------------------------------- the hidden checks' cases


def fresh_batchnorm_forward_cases():
    """Train and test mode on fresh inputs (batches of one too), then running averages over 4 calls."""
    return [*forward_cases(6101), RunningAverages(sequence_case(6102))]


def fresh_batchnorm_backward_cases():
    """Gradients through the graph against the reference and against the submission's own forward."""
    return backward_cases(6201)


def fresh_batchnorm_backward_alt_cases():
    """The closed form on the same kind of cases as the graph form (so both match the same gradients)."""
    return backward_cases(6301)


def fresh_spatial_batchnorm_forward_cases():
    """(N, C, H, W) cases in train and test mode, the running averages per channel."""
    return forward_cases(6401, SPATIAL_SETTINGS)


def fresh_spatial_batchnorm_backward_cases():
    """(N, C, H, W) gradients; finite differences of the submission's forward along one direction."""
    return [{**case, "fd": "direction"} for case in backward_cases(6501, SPATIAL_SETTINGS)]
