"""Hidden grading checks of notebook 04 (vanishing and exploding gradients).

Each ``grade_<function>`` runs the submission on fresh seeded inputs that the
self-checks never showed (other networks, shapes, seeds and thresholds),
compares with course_lib's reference and raises CheckFailure with a
diagnosis. The per-case comparisons are the self-checks' own
(course_lib.selfcheck.nb04), fed with reference values, so a student sees the
same kind of message in both. The initialisers are judged statistically
(moments of large draws), never against one particular draw. The functions
depend on nothing but their arguments.

The wrong clipping rules (``clip_value_variants``, ``clip_norm_variants``)
live here, on the trusted side; autograder/expected/nb04.py stores their
outputs so the visible checks can name them without shipping the code.
"""
import numpy as np

from course_lib.clipping import clip_by_norm as reference_clip_by_norm
from course_lib.clipping import clip_by_value as reference_clip_by_value
from course_lib.clipping import global_norm
from course_lib.gradient_norms import layer_gradient_norms as reference_layer_gradient_norms
from course_lib.selfcheck.nb04 import (
    build_model,
    check_clip_case,
    check_init_rule,
    check_layer_gradient_norms_case,
)

SEED = 7404

# ----------------------------------------------------------------------------- layer_gradient_norms


def random_network(rng, sizes, n_samples):
    """Weights with the basic std sqrt(1 / r_in), non-zero biases, inputs and labels covering several classes.

    Returns (weights, biases, x (N, sizes[0]), y (N,) int64).
    """
    weights = [rng.standard_normal((r_in, r_out)) / np.sqrt(r_in) for r_in, r_out in zip(sizes, sizes[1:])]
    biases = [0.3 * rng.standard_normal(r_out) for r_out in sizes[1:]]
    x = rng.standard_normal((n_samples, sizes[0]))
    y = rng.permutation(np.arange(n_samples) % sizes[-1]).astype(np.int64)
    return weights, biases, x, y


def reference_norms(weights, biases, activation, x, y):
    """(bias-gradient norms, weight-gradient norms, bias-gradient L1 norms) from the reference, first layer first."""
    model = build_model(weights, biases, activation)
    norms = reference_layer_gradient_norms(model, x, y)
    linears = model.layers[::2]
    weight_norms = [float(np.linalg.norm(layer.grads["w"])) for layer in linears]
    l1_norms = [float(np.sum(np.abs(layer.grads["b"]))) for layer in linears]
    return np.array(norms), np.array(weight_norms), np.array(l1_norms)


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


def grade_layer_gradient_norms(layer_gradient_norms):
    """Fresh networks of several depths, activations and batch sizes against the reference."""
    rng = np.random.default_rng(SEED)
    for sizes, activation, n_samples in GRADE_NETWORKS:
        weights, biases, x, y = random_network(rng, sizes, n_samples)
        norms, weight_norms, l1_norms = reference_norms(weights, biases, activation, x, y)
        check_layer_gradient_norms_case(layer_gradient_norms, weights, biases, activation, x, y,
                                        norms, weight_norms, l1_norms)


# ----------------------------------------------------------------------------- xavier_init, he_init

GRADE_SHAPES = [(512, 128), (60, 1000), (250, 333)]
GRADE_SMALL_SHAPES = [(2, 3), (1, 1), (9, 1)]


def grade_xavier_init(xavier_init):
    """Other shapes and seeds than the self-check; mean, std sqrt(2 / (r_in + r_out)), Gaussian, rng use."""
    check_init_rule("xavier_init", xavier_init, GRADE_SHAPES, GRADE_SMALL_SHAPES, seed=SEED + 10)


def grade_he_init(he_init):
    """Other shapes and seeds than the self-check; mean, std sqrt(2 / r_in), Gaussian, rng use."""
    check_init_rule("he_init", he_init, GRADE_SHAPES, GRADE_SMALL_SHAPES, seed=SEED + 20)


# ----------------------------------------------------------------------------- clipping: wrong rules


def _scaled(arrays, factor):
    return [np.asarray(a, dtype=np.float64) * factor for a in arrays]


def _norm_rule(arrays, max_norm, norm, factor_of):
    """Rescale by factor_of(norm) when norm > max_norm, else copies."""
    return _scaled(arrays, factor_of(norm) if norm > max_norm else 1.0)


def clip_value_variants(arrays, limit):
    """Outputs of the usual wrong value-clipping rules: {key of CLIP_MISTAKES['clip_by_value']: arrays}."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]

    def max_scaled(a):
        top = float(np.max(np.abs(a))) if a.size else 0.0
        return a * (limit / top) if top > limit else a.copy()

    return {
        "upper_only": [np.minimum(a, limit) for a in arrays],
        "zeroed": [np.where(np.abs(a) > limit, 0.0, a) for a in arrays],
        "unsigned": [np.where(np.abs(a) > limit, limit, a) for a in arrays],
        "max_scaled": [max_scaled(a) for a in arrays],
        "by_norm": reference_clip_by_norm(arrays, limit),
    }


def clip_norm_variants(arrays, max_norm):
    """Outputs of the usual wrong norm-clipping rules: {key of CLIP_MISTAKES['clip_by_norm']: arrays}."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    l2 = global_norm(arrays)
    squares = l2**2
    l1 = float(sum(np.sum(np.abs(a)) for a in arrays))
    return {
        "per_array": [reference_clip_by_norm(a, max_norm) for a in arrays],
        "always": _scaled(arrays, max_norm / l2 if l2 > 0 else 1.0),
        "unit": _norm_rule(arrays, max_norm, l2, lambda n: 1.0 / n),
        "squared": _norm_rule(arrays, max_norm, squares, lambda n: max_norm / n),
        "inverted": _norm_rule(arrays, max_norm, l2, lambda n: n / max_norm),
        "l1": _norm_rule(arrays, max_norm, l1, lambda n: max_norm / n),
        "by_value": reference_clip_by_value(arrays, max_norm),
    }


CLIP_REFERENCES = {
    "clip_by_value": (reference_clip_by_value, clip_value_variants),
    "clip_by_norm": (reference_clip_by_norm, clip_norm_variants),
}


def clip_expected(fname, arrays, param):
    """(reference output arrays, {mistake key: arrays}, global L2 norm of the input)."""
    reference, variants = CLIP_REFERENCES[fname]
    return reference(list(arrays), param), variants(arrays, param), global_norm(list(arrays))


def grade_clip_case(fname, clip, kind, names, arrays, param):
    outs, mistakes, norm = clip_expected(fname, arrays, param)
    check_clip_case(fname, clip, kind, names, arrays, param, outs, mistakes, norm)


DICT_NAMES = ["0.w", "0.b", "2.w", "2.b", "4.w", "4.b"]


def _layer_arrays(rng, sizes, scale=1.0):
    """Weight and bias gradients of a network with these layer sizes: w (r_in, r_out), b (r_out,)."""
    arrays = []
    for r_in, r_out in zip(sizes, sizes[1:]):
        arrays += [scale * rng.standard_normal((r_in, r_out)), scale * rng.standard_normal(r_out)]
    return arrays


def grade_clip_by_value(clip_by_value):
    """Lists and dicts with entries on both sides of +-limit, on the boundary, and nothing to clip."""
    rng = np.random.default_rng(SEED + 30)
    on_boundary = np.array([[-0.6, 0.25, 0.6], [1.7, -2.2, 0.0]])
    cases = [
        ("list", _layer_arrays(rng, [5, 3, 2], scale=1.5), 0.9),
        ("dict", _layer_arrays(rng, [2, 4, 3, 6], scale=0.7), 0.35),
        ("list", [on_boundary], 0.6),
        ("dict", _layer_arrays(rng, [3, 2], scale=0.1), 4.0),
        ("list", [rng.standard_normal((1, 5)) * 3.0], 2.5),
    ]
    for kind, arrays, limit in cases:
        names = DICT_NAMES[:len(arrays)] if kind == "dict" else list(range(len(arrays)))
        grade_clip_case("clip_by_value", clip_by_value, kind, names, arrays, limit)


def grade_clip_by_norm(clip_by_norm):
    """Lists and dicts above and below the threshold, arrays of unequal size, zeros, a single array."""
    rng = np.random.default_rng(SEED + 40)
    uneven = _layer_arrays(rng, [6, 4, 3])
    uneven[2] *= 25.0  # one array dominates the global norm, so per-array clipping differs
    cases = [
        ("list", uneven, 3.5),
        ("dict", _layer_arrays(rng, [3, 5, 2, 4]), 0.45),
        ("dict", _layer_arrays(rng, [4, 2], scale=0.05), 2.0),
        ("list", [np.zeros((2, 3)), np.zeros(3)], 0.5),
        ("list", [rng.standard_normal(7) * 4.0], 1.5),
    ]
    for kind, arrays, max_norm in cases:
        names = DICT_NAMES[:len(arrays)] if kind == "dict" else list(range(len(arrays)))
        grade_clip_case("clip_by_norm", clip_by_norm, kind, names, arrays, max_norm)

