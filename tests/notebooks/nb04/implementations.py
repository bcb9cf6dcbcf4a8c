"""Implementations of notebook 04's graded functions, for the tests of its visible and hidden checks.

Valid alternatives written independently of course_lib, typical mistakes (each a small change of a
valid version) with the words their diagnosis must contain, and course_lib's references.
"""
import math

import numpy as np

from course_lib.clipping import clip_by_norm as ref_clip_by_norm
from course_lib.clipping import clip_by_value as ref_clip_by_value
from course_lib.gradient_norms import layer_gradient_norms as ref_layer_gradient_norms
from course_lib.init import he_init as ref_he_init
from course_lib.init import xavier_init as ref_xavier_init
from course_lib.layers.losses import softmax_cross_entropy
from course_lib.modules import Linear

# ============================================================================ layer_gradient_norms


def own_softmax_cross_entropy(scores, y):
    """An independent batch-mean softmax cross-entropy: (C, dscores)."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(shifted)
    probs /= probs.sum(axis=1, keepdims=True)
    n = len(y)
    onehot = np.zeros_like(probs)
    onehot[np.arange(n), y] = 1.0
    return -np.mean(np.log(probs[np.arange(n), y])), (probs - onehot) / n


def lgn_by_names(model, x, y):
    """Reads the '.b' entries of model.grads, with a loss of its own."""
    _, dscores = own_softmax_cross_entropy(model.forward(x), y)
    model.backward(dscores)
    return [math.sqrt(float(np.sum(g**2))) for name, g in model.grads.items() if name.endswith(".b")]


def lgn_loop_tuple(model, x, y):
    """Walks the layers by hand and returns a tuple of numpy floats."""
    scores = model.forward(x)
    dscores = softmax_cross_entropy(scores, y)[1]
    model.backward(dscores)
    out = []
    for layer in model.layers:
        if "b" in layer.params:
            out.append(np.sqrt(np.dot(layer.grads["b"], layer.grads["b"])))
    return tuple(out)


def _bias_grads(model, x, y, scale=1.0):
    _, dscores = softmax_cross_entropy(model.forward(x), y)
    model.backward(scale * dscores)
    return [layer for layer in model.layers if isinstance(layer, Linear)]


def lgn_reversed(model, x, y):
    return [float(np.linalg.norm(l.grads["b"])) for l in _bias_grads(model, x, y)][::-1]


def lgn_weights(model, x, y):
    return [float(np.linalg.norm(l.grads["w"])) for l in _bias_grads(model, x, y)]


def lgn_squared(model, x, y):
    return [float(np.sum(l.grads["b"] ** 2)) for l in _bias_grads(model, x, y)]


def lgn_l1(model, x, y):
    return [float(np.sum(np.abs(l.grads["b"]))) for l in _bias_grads(model, x, y)]


def lgn_summed_loss(model, x, y):
    return [float(np.linalg.norm(l.grads["b"])) for l in _bias_grads(model, x, y, scale=len(x))]


def lgn_divided_again(model, x, y):
    return [float(np.linalg.norm(l.grads["b"])) / len(x) for l in _bias_grads(model, x, y)]


def lgn_hidden_only(model, x, y):
    return [float(np.linalg.norm(l.grads["b"])) for l in _bias_grads(model, x, y)][:-1]


def lgn_no_backward(model, x, y):
    model.forward(x)
    return [float(np.linalg.norm(l.grads["b"])) for l in model.layers if isinstance(l, Linear)]


def lgn_takes_a_step(model, x, y):
    layers = _bias_grads(model, x, y)
    for layer in layers:
        layer.params["b"] -= 0.1 * layer.grads["b"]
    return [float(np.linalg.norm(l.grads["b"])) for l in layers]


def lgn_returns_gradients(model, x, y):
    return [l.grads["b"].copy() for l in _bias_grads(model, x, y)]


def lgn_mse_loss(model, x, y):
    scores = model.forward(x)
    onehot = np.eye(scores.shape[1])[y]
    model.backward((scores - onehot) / len(x))
    return [float(np.linalg.norm(l.grads["b"])) for l in model.layers if isinstance(l, Linear)]


# ============================================================================ initialisers


def xavier_normal(r_in, r_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / (r_in + r_out)), size=(r_in, r_out))


def xavier_transposed_draw(r_in, r_out, rng):
    return rng.standard_normal((r_out, r_in)).T * math.sqrt(2 / (r_in + r_out))


def he_normal(r_in, r_out, rng):
    return rng.normal(scale=math.sqrt(2.0 / r_in), size=(r_in, r_out))


def he_flat_reshaped(r_in, r_out, rng):
    return np.sqrt(2 / r_in) * rng.standard_normal(r_in * r_out).reshape(r_in, r_out)


def init_with_std(std_of, **options):
    """A Gaussian initialiser with a given std(r_in, r_out), with optional bugs."""

    def init(r_in, r_out, rng):
        shape = (r_out, r_in) if options.get("transpose") else (r_in, r_out)
        if options.get("global_state"):
            z = np.random.standard_normal(shape)
        elif options.get("own_seed"):
            z = np.random.default_rng(0).standard_normal(shape)
        elif options.get("uniform"):
            z = rng.uniform(-math.sqrt(3.0), math.sqrt(3.0), shape)  # unit variance, but not Gaussian
        elif options.get("laplace"):
            z = rng.laplace(0.0, math.sqrt(0.5), shape)  # unit variance, heavier tails than a Gaussian
        elif options.get("unit_interval"):
            z = rng.random(shape)
        elif options.get("repeated_row"):
            z = np.tile(rng.standard_normal(shape[1]), (shape[0], 1))
        else:
            z = rng.standard_normal(shape)
        return (z * std_of(r_in, r_out)).astype(options.get("dtype", np.float64))

    return init


HE = lambda i, o: math.sqrt(2 / i)  # noqa: E731
XAVIER = lambda i, o: math.sqrt(2 / (i + o))  # noqa: E731

# ============================================================================ clipping


def cv_min_max(grads, limit):
    if isinstance(grads, dict):
        return {k: np.minimum(np.maximum(g, -limit), limit) for k, g in grads.items()}
    return [np.minimum(np.maximum(g, -limit), limit) for g in grads]


def cv_where_loop(grads, limit):
    keys = list(grads) if isinstance(grads, dict) else range(len(grads))
    out = {} if isinstance(grads, dict) else [None] * len(grads)
    for k in keys:
        g = np.array(grads[k], copy=True)
        g = np.where(g > limit, limit, g)
        out[k] = np.where(g < -limit, -limit, g)
    return out


def _map(grads, fn):
    if isinstance(grads, dict):
        return {k: fn(g) for k, g in grads.items()}
    return [fn(g) for g in grads]


def cn_concatenate(grads, max_norm):
    arrays = list(grads.values()) if isinstance(grads, dict) else list(grads)
    total = np.linalg.norm(np.concatenate([g.ravel() for g in arrays]))
    factor = 1.0 if total <= max_norm else max_norm / total
    return _map(grads, lambda g: factor * g)


def cn_math(grads, max_norm):
    arrays = grads.values() if isinstance(grads, dict) else grads
    total = math.sqrt(sum(float((g**2).sum()) for g in arrays))
    return _map(grads, lambda g: np.multiply(g, min(1.0, max_norm / total) if total else 1.0))


def cv_upper_only(grads, limit):
    return _map(grads, lambda g: np.minimum(g, limit))


def cv_zeroed(grads, limit):
    return _map(grads, lambda g: np.where(np.abs(g) > limit, 0.0, g))


def cv_unsigned(grads, limit):
    return _map(grads, lambda g: np.where(np.abs(g) > limit, limit, g))


def cv_in_place(grads, limit):
    for g in (grads.values() if isinstance(grads, dict) else grads):
        np.clip(g, -limit, limit, out=g)
    return grads


def cv_tuple(grads, limit):
    if isinstance(grads, list):
        return tuple(np.clip(g, -limit, limit) for g in grads)
    return ref_clip_by_value(grads, limit)


def cv_list_for_dict(grads, limit):
    return [np.clip(g, -limit, limit) for g in (grads.values() if isinstance(grads, dict) else grads)]


def cv_aliasing(grads, limit):
    return _map(grads, lambda g: g if np.all(np.abs(g) <= limit) else np.clip(g, -limit, limit))


def cv_max_scaled(grads, limit):
    return _map(grads, lambda g: g * min(1.0, limit / np.max(np.abs(g))))


def _global(grads):
    arrays = grads.values() if isinstance(grads, dict) else grads
    return math.sqrt(sum(float(np.sum(g * g)) for g in arrays))


def cn_per_array(grads, max_norm):
    return _map(grads, lambda g: g * (max_norm / np.linalg.norm(g) if np.linalg.norm(g) > max_norm else 1.0))


def cn_always(grads, max_norm):
    total = _global(grads)
    return _map(grads, lambda g: g * (max_norm / total if total else 1.0))


def cn_unit(grads, max_norm):
    total = _global(grads)
    return _map(grads, lambda g: g / total if total > max_norm else g.copy())


def cn_squared(grads, max_norm):
    total = _global(grads) ** 2
    return _map(grads, lambda g: g * max_norm / total if total > max_norm else g.copy())


def cn_inverted(grads, max_norm):
    total = _global(grads)
    return _map(grads, lambda g: g * total / max_norm if total > max_norm else g.copy())


def cn_nan_at_zero(grads, max_norm):
    total = _global(grads)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _map(grads, lambda g: g / total * min(total, max_norm))


def cn_in_place(grads, max_norm):
    total = _global(grads)
    for g in (grads.values() if isinstance(grads, dict) else grads):
        if total > max_norm:
            g *= max_norm / total
    return grads


def cn_same_when_small(grads, max_norm):
    total = _global(grads)
    return grads if total <= max_norm else ref_clip_by_norm(grads, max_norm)


def cn_l1(grads, max_norm):
    arrays = grads.values() if isinstance(grads, dict) else grads
    total = float(sum(np.sum(np.abs(g)) for g in arrays))
    return _map(grads, lambda g: g * max_norm / total if total > max_norm else g.copy())


# ============================================================================ tables

REFERENCES = {
    "layer_gradient_norms": ref_layer_gradient_norms,
    "xavier_init": ref_xavier_init,
    "he_init": ref_he_init,
    "clip_by_value": ref_clip_by_value,
    "clip_by_norm": ref_clip_by_norm,
}

ALTERNATIVES = {
    "layer_gradient_norms": [lgn_by_names, lgn_loop_tuple],
    "xavier_init": [xavier_normal, xavier_transposed_draw],
    "he_init": [he_normal, he_flat_reshaped],
    "clip_by_value": [cv_min_max, cv_where_loop],
    "clip_by_norm": [cn_concatenate, cn_math],
}

MISTAKES = [
    ("layer_gradient_norms", lgn_reversed, "reverse order"),
    ("layer_gradient_norms", lgn_weights, "weight gradients"),
    ("layer_gradient_norms", lgn_squared, "squared norms"),
    ("layer_gradient_norms", lgn_l1, "L1 norms"),
    ("layer_gradient_norms", lgn_summed_loss, "times the right norms"),
    ("layer_gradient_norms", lgn_divided_again, "do not divide by N again"),
    ("layer_gradient_norms", lgn_hidden_only, "The output layer has a bias too"),
    ("layer_gradient_norms", lgn_no_backward, "every norm is 0"),
    ("layer_gradient_norms", lgn_takes_a_step, "not take a training step"),
    ("layer_gradient_norms", lgn_returns_gradients, "flat list of numbers"),
    ("layer_gradient_norms", lgn_mse_loss, "norms are wrong; the worst is Linear layer"),
    ("he_init", init_with_std(lambda i, o: math.sqrt(1 / i)), "sqrt(1 / r_in) instead of sqrt(2 / r_in)"),
    ("he_init", init_with_std(lambda i, o: math.sqrt(2 / o)), "sqrt(2 / r_out) instead of sqrt(2 / r_in)"),
    ("he_init", init_with_std(XAVIER), "that is Xavier's rule"),
    ("he_init", init_with_std(lambda i, o: 2 / i), "that is a variance"),
    ("he_init", init_with_std(HE, transpose=True), "That is the transpose"),
    ("he_init", init_with_std(HE, dtype=np.float32), "dtype float32"),
    ("he_init", init_with_std(HE, global_state=True), "two generators in the same state"),
    ("he_init", init_with_std(HE, own_seed=True), "different seeds gave the same weights"),
    ("he_init", init_with_std(lambda i, o: 1.0), "were not scaled"),
    ("xavier_init", init_with_std(lambda i, o: math.sqrt(1 / (i + o))),
     "sqrt(1 / (r_in + r_out)) instead of sqrt(2 / (r_in + r_out))"),
    ("xavier_init", init_with_std(HE), "that is He's rule"),
    ("xavier_init", init_with_std(lambda i, o: math.sqrt(1 / i)), "looks at the fan-in only"),
    ("xavier_init", init_with_std(lambda i, o: math.sqrt(6 / (i + o))), "UNIFORM variant"),
    ("xavier_init", init_with_std(XAVIER, uniform=True), "the values are spread uniformly over an interval"),
    ("he_init", init_with_std(HE, laplace=True), "too many of them lie far out in the tails"),
    ("xavier_init", init_with_std(XAVIER, unit_interval=True), "zero-mean Gaussian"),
    ("xavier_init", init_with_std(XAVIER, repeated_row=True), "distinct values"),
    ("clip_by_value", cv_upper_only, "only the upper bound"),
    ("clip_by_value", cv_zeroed, "were set to 0"),
    ("clip_by_value", cv_unsigned, "keep the sign"),
    ("clip_by_value", cv_max_scaled, "largest entry"),
    ("clip_by_value", ref_clip_by_norm, "what clipping by norm gives"),
    ("clip_by_value", cv_in_place, "input gradients were modified"),
    ("clip_by_value", cv_tuple, "must return a list"),
    ("clip_by_value", cv_list_for_dict, "must return a dict"),
    ("clip_by_value", cv_aliasing, "the input array itself"),
    ("clip_by_norm", cn_per_array, "its own norm"),
    ("clip_by_norm", cn_always, "scaled up to max_norm"),
    ("clip_by_norm", cn_unit, "not multiplied by max_norm"),
    ("clip_by_norm", cn_squared, "without the square root"),
    ("clip_by_norm", cn_inverted, "upside down"),
    ("clip_by_norm", cn_l1, "L1 norm"),
    ("clip_by_norm", ref_clip_by_value, "what clipping by value gives"),
    ("clip_by_norm", cn_nan_at_zero, "Here ||g|| = 0"),
    ("clip_by_norm", cn_in_place, "input gradients were modified"),
    ("clip_by_norm", cn_same_when_small, "the input array itself"),
]


def stub(*args, **kwargs):
    raise NotImplementedError()
