"""The hidden check's cases of notebook 04: fresh inputs on fixed seeds, expected values from course_lib.

They differ from the self-check's (stored.py): other networks, shapes, seeds
and thresholds, so an answer tuned to the visible cases fails here. A case is
made from its inputs by ``network_case`` and ``clip_case`` (expected values
from the references, the wrong clipping rules from mistaken.py); stored.py
makes the self-check's cases the same way. The functions depend on nothing but
their arguments.
"""
import numpy as np

from autograder.checks.nb04.mistaken import clip_norm_variants, clip_value_variants
from course_lib.clipping import clip_by_norm as reference_clip_by_norm
from course_lib.clipping import clip_by_value as reference_clip_by_value
from course_lib.clipping import global_norm
from course_lib.gradient_norms import layer_gradient_norms as reference_layer_gradient_norms
from course_lib.selfcheck.nb04.cases import (
    ClipCase,
    InitCase,
    NetworkCase,
    build_model,
    container_names,
    layer_arrays,
    random_network,
)

SEED = 7404

# (layer sizes, activation, N): every size distinct within a case, a batch of one, no hidden layer,
# and the lecture's [64, 30, 30, 30, 30, 10] network whose early layers get tiny gradients.
GRADE_NETWORKS = [
    ([7, 6, 5, 4], "tanh", 5),
    ([8, 3, 6, 2], "leaky_relu", 1),
    ([4, 9, 3], "sigmoid", 11),
    ([10, 4], "relu", 2),
    ([5, 8, 7, 6, 4], "relu", 9),
    ([64, 30, 30, 30, 30, 10], "sigmoid", 16),
]

GRADE_SHAPES = [(512, 128), (60, 1000), (250, 333)]
GRADE_SMALL_SHAPES = [(2, 3), (1, 1), (9, 1)]

CLIP_REFERENCES = {
    "clip_by_value": (reference_clip_by_value, clip_value_variants),
    "clip_by_norm": (reference_clip_by_norm, clip_norm_variants),
}
"""{fname: (reference, builder of the wrong rules' outputs)}."""


# ----------------------------------------------------------------------------- a case from its inputs
def reference_norms(weights, biases, activation, x, y):
    """(bias-gradient norms, weight-gradient norms, bias-gradient L1 norms) from the reference, first layer first."""
    model = build_model(weights, biases, activation)
    norms = reference_layer_gradient_norms(model, x, y)
    linears = model.layers[::2]
    weight_norms = [float(np.linalg.norm(layer.grads["w"])) for layer in linears]
    l1_norms = [float(np.sum(np.abs(layer.grads["b"]))) for layer in linears]
    return np.array(norms), np.array(weight_norms), np.array(l1_norms)


def network_case(weights, biases, activation, x, y):
    return NetworkCase(weights, biases, activation, x, y, *reference_norms(weights, biases, activation, x, y))


def clip_expected(fname, arrays, param):
    """(reference output arrays, {mistake key: arrays}, global L2 norm of the input)."""
    reference, variants = CLIP_REFERENCES[fname]
    return reference(list(arrays), param), variants(arrays, param), global_norm(list(arrays))


def clip_case(fname, kind, arrays, param):
    """The ClipCase of ``arrays`` in a ``kind`` container ("list" or "dict") with threshold ``param``."""
    outs, mistakes, norm = clip_expected(fname, arrays, param)
    return ClipCase(fname, kind, container_names(kind, len(arrays)), arrays, param, outs, mistakes, norm)


# ----------------------------------------------------------------------------- the hidden check's cases
def fresh_networks():
    """Networks of several depths, activations and batch sizes."""
    rng = np.random.default_rng(SEED)
    for sizes, activation, n_samples in GRADE_NETWORKS:
        weights, biases, x, y = random_network(rng, sizes, n_samples)
        yield network_case(weights, biases, activation, x, y)


def fresh_xavier_cases():
    return [InitCase("xavier_init", GRADE_SHAPES, GRADE_SMALL_SHAPES, SEED + 10)]


def fresh_he_cases():
    return [InitCase("he_init", GRADE_SHAPES, GRADE_SMALL_SHAPES, SEED + 20)]


def fresh_clip_by_value_cases():
    """Lists and dicts with entries on both sides of +-limit, on the boundary, and nothing to clip."""
    rng = np.random.default_rng(SEED + 30)
    on_boundary = np.array([[-0.6, 0.25, 0.6], [1.7, -2.2, 0.0]])
    cases = [
        ("list", layer_arrays(rng, [5, 3, 2], scale=1.5), 0.9),
        ("dict", layer_arrays(rng, [2, 4, 3, 6], scale=0.7), 0.35),
        ("list", [on_boundary], 0.6),
        ("dict", layer_arrays(rng, [3, 2], scale=0.1), 4.0),
        ("list", [rng.standard_normal((1, 5)) * 3.0], 2.5),
    ]
    return (clip_case("clip_by_value", kind, arrays, limit) for kind, arrays, limit in cases)


def fresh_clip_by_norm_cases():
    """Lists and dicts above and below the threshold, arrays of unequal size, zeros, a single array."""
    rng = np.random.default_rng(SEED + 40)
    uneven = layer_arrays(rng, [6, 4, 3])
    uneven[2] *= 25.0  # one array dominates the global norm, so per-array clipping differs
    cases = [
        ("list", uneven, 3.5),
        ("dict", layer_arrays(rng, [3, 5, 2, 4]), 0.45),
        ("dict", layer_arrays(rng, [4, 2], scale=0.05), 2.0),
        ("list", [np.zeros((2, 3)), np.zeros(3)], 0.5),
        ("list", [rng.standard_normal(7) * 4.0], 1.5),
    ]
    return (clip_case("clip_by_norm", kind, arrays, max_norm) for kind, arrays, max_norm in cases)
