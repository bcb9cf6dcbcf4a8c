"""Notebook 04 (vanishing and exploding gradients): valid alternatives and typical mistakes, as answer cells."""
from autograder.demo.answer_cells import Mistake, Variant

ALTERNATIVES = [
    Variant("layer_gradient_norms", "backward layer by layer, norms as square roots of sums", """\
def layer_gradient_norms(model, x, y):
    scores = model.forward(x)
    _, grad = softmax_cross_entropy(scores, y)
    for layer in reversed(model.layers):
        grad = layer.backward(grad)
    norms = []
    for layer in model.layers:
        if isinstance(layer, Linear):
            norms.append(float(np.sqrt(np.sum(layer.grads["b"] ** 2))))
    return norms
"""),
    Variant("xavier_init", "float32 Gaussian draws, scaled in float64", """\
def xavier_init(r_in, r_out, rng):
    z = rng.standard_normal((r_in, r_out), dtype=np.float32).astype(np.float64)
    return z * np.sqrt(2.0 / (r_in + r_out))
"""),
    Variant("he_init", "Box-Muller from uniform draws", """\
def he_init(r_in, r_out, rng):
    u1 = 1.0 - rng.random((r_in, r_out))      # in (0, 1]: the logarithm stays finite
    u2 = rng.random((r_in, r_out))
    z = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
    return np.sqrt(2.0 / r_in) * z
"""),
    Variant("clip_by_value", "np.minimum of np.maximum, one loop for both containers", """\
def clip_by_value(grads, limit):
    def clip(g):
        return np.minimum(np.maximum(g, -limit), limit)

    if isinstance(grads, dict):
        out = {}
        for key in grads:
            out[key] = clip(grads[key])
        return out
    return [clip(g) for g in grads]
"""),
    Variant("clip_by_norm", "the global norm of one concatenated vector", """\
import math


def clip_by_norm(grads, max_norm):
    arrays = list(grads.values()) if isinstance(grads, dict) else list(grads)
    flat = np.concatenate([np.ravel(g) for g in arrays]) if arrays else np.zeros(0)
    norm = math.sqrt(float(flat @ flat))
    factor = max_norm / norm if norm > max_norm else 1.0
    if isinstance(grads, dict):
        return {k: factor * np.asarray(g, dtype=np.float64) for k, g in grads.items()}
    return [factor * np.asarray(g, dtype=np.float64) for g in arrays]
"""),
]

MISTAKES = [
    Mistake("layer_gradient_norms", "norms of the weight gradients", """\
def layer_gradient_norms(model, x, y):
    _, dscores = softmax_cross_entropy(model.forward(x), y)
    model.backward(dscores)
    return [float(np.linalg.norm(l.grads["w"])) for l in model.layers if isinstance(l, Linear)]
""", "weight gradients"),
    Mistake("layer_gradient_norms", "last layer first", """\
def layer_gradient_norms(model, x, y):
    _, dscores = softmax_cross_entropy(model.forward(x), y)
    model.backward(dscores)
    return [float(np.linalg.norm(l.grads["b"])) for l in reversed(model.layers) if isinstance(l, Linear)]
""", "reverse order"),
    Mistake("he_init", "std sqrt(1 / r_in) (the ReLU factor 2 forgotten)", """\
def he_init(r_in, r_out, rng):
    return rng.standard_normal((r_in, r_out)) * np.sqrt(1.0 / r_in)
""", "sqrt(1 / r_in) instead of sqrt(2 / r_in)"),
    Mistake("xavier_init", "He's rule used for Xavier", """\
def xavier_init(r_in, r_out, rng):
    return rng.standard_normal((r_in, r_out)) * np.sqrt(2.0 / r_in)
""", "that is He's rule"),
    Mistake("clip_by_value", "only the upper bound clipped", """\
def clip_by_value(grads, limit):
    if isinstance(grads, dict):
        return {k: np.minimum(g, limit) for k, g in grads.items()}
    return [np.minimum(g, limit) for g in grads]
""", "only the upper bound"),
    Mistake("clip_by_norm", "every array clipped by its own norm", """\
def clip_by_norm(grads, max_norm):
    def clip(g):
        n = np.linalg.norm(g)
        return g * (max_norm / n) if n > max_norm else g.copy()

    if isinstance(grads, dict):
        return {k: clip(g) for k, g in grads.items()}
    return [clip(g) for g in grads]
""", "its own norm"),
]
