"""A whole network's parameters as one vector theta, for optimizers.

The optimizers of notebook 05 and the second-order methods of notebook 07
work on a vector theta of shape (P,) and a function returning the gradient
at any theta. These helpers translate between that view and a module's
``params``/``grads`` dicts. The order of entries is the order of
``model.params`` (layer by layer for a ``Sequential``), each array
flattened in C order; ``param_slices`` tells which slice belongs to which
parameter.
"""
import numpy as np

from course_lib.validation import ShapeError, as_float_array


def param_slices(model):
    """name -> slice of the flat vector holding that parameter."""
    slices = {}
    start = 0
    for name, value in model.params.items():
        slices[name] = slice(start, start + value.size)
        start += value.size
    return slices


def num_params(model):
    """P, the total number of scalar parameters."""
    return sum(value.size for value in model.params.values())


def get_flat_params(model):
    """A copy of all parameters as one float64 vector theta of shape (P,)."""
    values = [value.ravel() for value in model.params.values()]
    return np.concatenate(values) if values else np.zeros(0)


def get_flat_grads(model):
    """The gradients stored by the last backward as one vector of shape (P,), same order as theta."""
    params = model.params
    grads = model.grads
    missing = [name for name in params if name not in grads]
    if missing:
        raise KeyError(f"model.grads has no entry for {missing}; run a backward pass first.")
    values = [grads[name].ravel() for name in params]
    return np.concatenate(values) if values else np.zeros(0)


def set_flat_params(model, theta):
    """Write theta (P,) into the model's existing parameter arrays, in place.

    In place so that every view of the parameters (``Sequential.params``, an
    optimizer holding the arrays) stays valid.
    """
    theta = as_float_array("theta", theta)
    expected = num_params(model)
    if theta.shape != (expected,):
        raise ShapeError(
            f"theta must have shape ({expected},) (one entry per model parameter), got "
            f"{theta.shape}; build it with get_flat_params(model)."
        )
    start = 0
    for value in model.params.values():
        value[...] = theta[start:start + value.size].reshape(value.shape)
        start += value.size


def loss_and_grad_fn(model, loss_fn, x, y):
    """A function theta -> (loss, grad) for the model on the fixed data (x, y).

    ``loss_fn(out, y) -> (loss, dout)`` (e.g. ``softmax_cross_entropy``).
    Each call writes theta into the model, runs forward, the loss and
    backward, and returns the loss (float) and the flat gradient (P,).
    The model stays at the last theta evaluated. The model's mode is used as
    it is: call ``model.eval()`` first if dropout must not make the function
    random.
    """

    def fun(theta):
        set_flat_params(model, theta)
        out = model.forward(x)
        loss, dout = loss_fn(out, y)
        model.backward(dout)
        return float(loss), get_flat_grads(model)

    return fun
