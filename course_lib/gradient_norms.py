"""Per-layer gradient norms, the measurement behind the vanishing-gradient table (lecture 001).

The lecture compares ||grad_{b^l} C||, the Euclidean norm of the gradient of
the cost w.r.t. the biases of layer l, across layers: in a deep sigmoid
network the first layers get much smaller values, so they learn slowest.
"""
import numpy as np

from course_lib.layers.losses import softmax_cross_entropy
from course_lib.modules import Conv2d, Linear


def _layers_with_bias(model):
    """Linear and Conv2d layers of the model in forward order, looking inside nested Sequentials."""
    if isinstance(model, (Linear, Conv2d)):
        return [model]
    found = []
    for layer in getattr(model, "layers", []):
        found.extend(_layers_with_bias(layer))
    return found


def layer_gradient_norms(model, x, y, loss_fn=softmax_cross_entropy):
    """||grad_b C|| for every Linear/Conv2d layer, first layer first.

    Runs one forward pass on x, the loss ``loss_fn(out, y) -> (loss, dout)``
    and one backward pass (in the model's current train/eval mode, leaving
    the gradients in ``model.grads``), then returns the L2 norm of each
    layer's bias gradient as a list of floats.
    """
    layers = _layers_with_bias(model)
    if not layers:
        raise ValueError("model has no Linear or Conv2d layer, so there is no bias gradient to measure.")
    out = model.forward(x)
    _, dout = loss_fn(out, y)
    model.backward(dout)
    return [float(np.linalg.norm(layer.grads["b"])) for layer in layers]
