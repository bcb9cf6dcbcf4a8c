"""The per-case check of layer_gradient_norms: ||grad_b C|| of every Linear layer, first layer first.

On a NetworkCase (cases.py): the model is built from the case's parameters,
the student's function must leave x, y and the parameters untouched and
return one finite, non-negative norm per Linear layer; a wrong list is named
when it equals a known mistake (mistakes.norm_mistakes).
"""
import numpy as np

from course_lib.gradcheck._ratio import ratio
from course_lib.gradcheck.naming import format_value
from course_lib.selfcheck.common import describe, vector_text
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb04.cases import build_model
from course_lib.selfcheck.nb04.compare import CONTAINERS, DIFFERENT, SAME
from course_lib.selfcheck.nb04.mistakes import norm_mistakes


def network_text(weights, activation, n_samples):
    sizes = [np.shape(weights[0])[0]] + [np.shape(w)[1] for w in weights]
    kind = f"{activation} network" if len(weights) > 1 else "network of one Linear layer"
    return f"a {sizes} {kind} on N = {n_samples} sample{'s' if n_samples > 1 else ''}"



def _norm_list(result, n_layers, context):
    """The student's result as a float vector of length n_layers, or a CheckFailure saying why not."""
    if not isinstance(result, (list, tuple, np.ndarray)):
        raise CheckFailure(
            f"{context}: must return a list of floats, one per Linear layer, got {describe(result, CONTAINERS)}."
        )
    try:
        values = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailure(
            f"{context}: must return a flat list of numbers, one norm per Linear layer, got "
            f"{describe(result, CONTAINERS)} whose items are not all single numbers "
            "(use float(np.linalg.norm(db)))."
        ) from None
    if values.ndim != 1:
        raise CheckFailure(
            f"{context}: must return a flat list of numbers, one norm per Linear layer, got a nested "
            f"structure of shape {values.shape}: append one float per layer, not the gradient itself."
        )
    if len(values) != n_layers:
        hint = ""
        if len(values) == n_layers - 1:
            hint = " The output layer has a bias too: include it."
        elif len(values) == 2 * n_layers - 1:
            hint = " Activation modules have no bias: only Linear layers get an entry."
        raise CheckFailure(
            f"{context}: expected {n_layers} norms, one per Linear layer (first layer first, output layer "
            f"included), got {len(values)}.{hint}"
        )
    if not np.all(np.isfinite(values)):
        raise CheckFailure(f"{context}: the norms must be finite numbers, got {vector_text(values)}.")
    if np.any(values < 0):
        raise CheckFailure(f"{context}: a norm is never negative, got {vector_text(values)}.")
    return values


def check_layer_gradient_norms_case(layer_gradient_norms, case):
    """One network: the student's norms against the expected ones; inputs and parameters untouched."""
    weights, activation, x, y = case.weights, case.activation, case.x, case.y
    model = build_model(weights, case.biases, activation)
    context = f"layer_gradient_norms on {network_text(weights, activation, len(x))}"
    x_in, y_in = x.copy(), y.copy()
    params_before = {name: value.copy() for name, value in model.params.items()}
    result = layer_gradient_norms(model, x_in, y_in)
    if not (np.array_equal(x_in, x) and np.array_equal(y_in, y)):
        raise CheckFailure(f"{context}: x or y was modified; only read them.")
    changed = [name for name, value in model.params.items() if not np.array_equal(value, params_before[name])]
    if changed:
        raise CheckFailure(
            f"{context}: the model's parameters {changed} changed; the function must only measure the "
            "gradients (forward, loss, backward), not take a training step."
        )
    norms = np.asarray(case.norms, dtype=np.float64)
    got = _norm_list(result, len(norms), context)
    errors = np.abs(got - norms) / np.maximum(np.abs(norms), 1e-300)
    if np.max(errors) <= SAME:
        return
    if not np.any(got):
        raise CheckFailure(
            f"{context}: every norm is 0. The bias gradients are only there after model.forward(x), "
            "the loss and model.backward(dscores); compute them before reading layer.grads['b']."
        )
    for mistake, value in norm_mistakes(norms, case.weight_norms, case.l1_norms, len(x)).items():
        if ratio(value, norms) > DIFFERENT and ratio(value, got) <= SAME:
            raise CheckFailure(f"{context}: got {vector_text(got)}, which is {mistake}.")
    j = int(np.argmax(errors))
    n_wrong = int(np.sum(errors > SAME))
    raise CheckFailure(
        f"{context}: {n_wrong} of {len(norms)} norms are wrong; the worst is Linear layer {j + 1}: expected "
        f"{format_value(norms[j])}, got {format_value(got[j])} (expected {vector_text(norms)}, got "
        f"{vector_text(got)}). The loss is course_lib.layers.losses.softmax_cross_entropy."
    )

