"""Self-checks of notebook 04 (vanishing and exploding gradients), shipped with the student release.

No reference implementation of a graded function is used here. What a check
compares with:
  * stored arrays, ``expected("nb04", key)``, computed by the instructor's
    build (autograder/expected/nb04.py): small networks with their inputs and
    bias-gradient norms, gradients before and after clipping, and what the
    usual wrong clipping rules give on the same inputs;
  * statistics: n independent draws from N(0, s^2) have a sample mean within
    a few s / sqrt(n) of 0 and a sample standard deviation within a few
    s / sqrt(2 n) of s, so an initialiser is judged by the moments of a large
    draw, never against one particular draw.

The per-case helpers (``check_*_case``, ``check_init_rule``) take the
expected values as arguments, so the hidden grading checks
(autograder/checks/nb04.py) reuse them with values computed from course_lib
on fresh inputs.
"""
import math

import numpy as np

from course_lib.gradcheck import contract_diagnosis, relative_error
from course_lib.gradcheck.naming import describe_index, format_value
from course_lib.modules import LeakyReLU, Linear, ReLU, Sequential, Sigmoid, Tanh
from course_lib.selfcheck.common import describe, stored_count, vector_text
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.expected import expected

NB = "nb04"
CONTAINERS = (list, tuple, dict)
"""The containers that messages describe by their type and length ("a dict of 3 items")."""
SAME = 1e-9
"""Relative misfit below which two results count as equal; a correct answer lands near 1e-15."""
DIFFERENT = 1e-6
"""A wrong variant is only named when it differs from the right answer by more than this."""

# ----------------------------------------------------------------------------- layer_gradient_norms

LEAKY_ALPHA = 0.1
"""Slope of the leaky ReLU in the test networks."""

ACTIVATIONS = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": lambda: LeakyReLU(LEAKY_ALPHA),
}


def build_model(weights, biases, activation):
    """Sequential(Linear, activation, Linear, ..., Linear) holding copies of the given parameters.

    weights[j] (n_j, n_{j+1}) and biases[j] (n_{j+1},) for j = 0 .. L-1;
    ``activation`` is a key of ACTIVATIONS, placed after every Linear layer
    but the last, whose outputs are the class scores.
    """
    layers = []
    for j, (w, b) in enumerate(zip(weights, biases)):
        linear = Linear(*np.shape(w), rng=0)
        linear.params["w"][...] = w
        linear.params["b"][...] = b
        layers.append(linear)
        if j < len(weights) - 1:
            layers.append(ACTIVATIONS[activation]())
    return Sequential(*layers)


def network_text(weights, activation, n_samples):
    sizes = [np.shape(weights[0])[0]] + [np.shape(w)[1] for w in weights]
    kind = f"{activation} network" if len(weights) > 1 else "network of one Linear layer"
    return f"a {sizes} {kind} on N = {n_samples} sample{'s' if n_samples > 1 else ''}"


def norm_mistakes(norms, weight_norms, l1_norms, n_samples):
    """Typical wrong answers, built from the right norms and two other measurements of the same backward.

    weight_norms: ||grad_w C|| (Frobenius) per layer; l1_norms: sum |dC/db_j| per layer.
    """
    norms = np.asarray(norms, dtype=np.float64)
    mistakes = {
        "the norms in reverse order: the list must start with the FIRST Linear layer, the one that "
        "receives x": norms[::-1],
        "the norms of the weight gradients grad_w C: the lecture measures the bias gradients "
        "grad_b C (the entry 'b' of each Linear layer's grads)": np.asarray(weight_norms, dtype=np.float64),
        "the squared norms: take the square root of the sum of squares (np.linalg.norm does)": norms**2,
        "the L1 norms (sums of absolute values): use the Euclidean norm, the square root of the "
        "sum of squares": np.asarray(l1_norms, dtype=np.float64),
    }
    if n_samples > 1:
        mistakes[f"N = {n_samples} times the right norms: softmax_cross_entropy is already the MEAN over "
                 "the N samples, so pass its gradient to backward as it is"] = n_samples * norms
        mistakes[f"1/N = 1/{n_samples} of the right norms: the loss gradient already carries the "
                 "factor 1/N, do not divide by N again"] = norms / n_samples
    return mistakes


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


def check_layer_gradient_norms_case(layer_gradient_norms, weights, biases, activation, x, y,
                                    norms, weight_norms, l1_norms):
    """One network: the student's norms against the expected ones; inputs and parameters untouched."""
    model = build_model(weights, biases, activation)
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
    norms = np.asarray(norms, dtype=np.float64)
    got = _norm_list(result, len(norms), context)
    errors = np.abs(got - norms) / np.maximum(np.abs(norms), 1e-300)
    if np.max(errors) <= SAME:
        return
    if not np.any(got):
        raise CheckFailure(
            f"{context}: every norm is 0. The bias gradients are only there after model.forward(x), "
            "the loss and model.backward(dscores); compute them before reading layer.grads['b']."
        )
    for mistake, value in norm_mistakes(norms, weight_norms, l1_norms, len(x)).items():
        if relative_error(value, norms) > DIFFERENT and relative_error(value, got) <= SAME:
            raise CheckFailure(f"{context}: got {vector_text(got)}, which is {mistake}.")
    j = int(np.argmax(errors))
    n_wrong = int(np.sum(errors > SAME))
    raise CheckFailure(
        f"{context}: {n_wrong} of {len(norms)} norms are wrong; the worst is Linear layer {j + 1}: expected "
        f"{format_value(norms[j])}, got {format_value(got[j])} (expected {vector_text(norms)}, got "
        f"{vector_text(got)}). The loss is course_lib.layers.losses.softmax_cross_entropy."
    )


def stored_network(k):
    """(weights, biases, activation, x, y, norms, weight_norms, l1_norms) of stored case k."""
    key = f"lgn_{k}"
    depth = int(expected(NB, f"{key}_depth"))
    weights = [expected(NB, f"{key}_w{j}") for j in range(depth)]
    biases = [expected(NB, f"{key}_b{j}") for j in range(depth)]
    return (weights, biases, str(expected(NB, f"{key}_activation")), expected(NB, f"{key}_x"),
            expected(NB, f"{key}_y"), expected(NB, f"{key}_norms"), expected(NB, f"{key}_weight_norms"),
            expected(NB, f"{key}_l1_norms"))


def check_layer_gradient_norms(layer_gradient_norms):
    """Stored networks: sigmoid, ReLU with a batch of one, a single Linear layer, the lecture's deep net."""
    for k in range(stored_count(NB, "lgn")):
        check_layer_gradient_norms_case(layer_gradient_norms, *stored_network(k))


# ----------------------------------------------------------------------------- xavier_init, he_init

Z = 6.0
"""Tolerances are Z standard errors: a correct rule fails with probability about 2e-9 per statistic."""

INIT_RULES = {
    "xavier_init": ("sqrt(2 / (r_in + r_out))", lambda r_in, r_out: math.sqrt(2.0 / (r_in + r_out))),
    "he_init": ("sqrt(2 / r_in)", lambda r_in, r_out: math.sqrt(2.0 / r_in)),
}

_VARIANCE_HINT = "; that is a variance, and the standard deviation is its square root"
STD_FORMULAS = [
    # (formula text, std(r_in, r_out), advice when it is used instead of the rule)
    ("sqrt(1 / r_in)", lambda i, o: math.sqrt(1.0 / i),
     {"he_init": "; that is the basic rule for sigmoid and tanh units: a ReLU zeroes about half of its "
                 "inputs, and the factor 2 makes up for it",
      "xavier_init": "; that is the basic rule, which looks at the fan-in only: Xavier uses both r_in and r_out"}),
    ("sqrt(2 / r_in)", lambda i, o: math.sqrt(2.0 / i),
     {"xavier_init": "; that is He's rule for ReLU units: Xavier divides by r_in + r_out"}),
    ("sqrt(1 / r_out)", lambda i, o: math.sqrt(1.0 / o),
     {"": "; r_out is the fan-out, the number of outputs: the rule uses r_in, the number of inputs of a unit"}),
    ("sqrt(2 / r_out)", lambda i, o: math.sqrt(2.0 / o),
     {"": "; r_out is the fan-out: the rule uses the fan-in r_in (the first dimension of the weight)"}),
    ("sqrt(1 / (r_in + r_out))", lambda i, o: math.sqrt(1.0 / (i + o)),
     {"": "; the numerator is 2: Xavier's variance is 1 / ((r_in + r_out) / 2), one over the average fan"}),
    ("sqrt(2 / (r_in + r_out))", lambda i, o: math.sqrt(2.0 / (i + o)),
     {"he_init": "; that is Xavier's rule: He's rule for ReLU units uses the fan-in only"}),
    ("sqrt(6 / (r_in + r_out))", lambda i, o: math.sqrt(6.0 / (i + o)),
     {"": "; that is the half-width of Glorot's UNIFORM variant, not the standard deviation of the Gaussian"}),
    ("1 / r_in", lambda i, o: 1.0 / i, {"": _VARIANCE_HINT}),
    ("2 / r_in", lambda i, o: 2.0 / i, {"": _VARIANCE_HINT}),
    ("1 / (r_in + r_out)", lambda i, o: 1.0 / (i + o), {"": _VARIANCE_HINT}),
    ("2 / (r_in + r_out)", lambda i, o: 2.0 / (i + o), {"": _VARIANCE_HINT}),
    ("1", lambda i, o: 1.0,
     {"": ": the standard normal draws were not scaled; multiply them by the standard deviation"}),
    ("sqrt(r_in / 2)", lambda i, o: math.sqrt(i / 2.0), {"": ": r_in belongs in the denominator"}),
    ("sqrt((r_in + r_out) / 2)", lambda i, o: math.sqrt((i + o) / 2.0),
     {"": ": r_in + r_out belongs in the denominator"}),
]


def draw_statistics(w):
    """(n, sample mean, sample std, excess kurtosis) of all entries of w."""
    w = np.asarray(w, dtype=np.float64).ravel()
    mean = float(w.mean())
    centred = w - mean
    var = float(np.mean(centred**2))
    kurtosis = float(np.mean(centred**4) / var**2 - 3.0) if var > 0 else float("nan")
    return w.size, mean, math.sqrt(var), kurtosis


def std_tolerance(std, n):
    """Z standard errors of the sample std of n Gaussian draws with standard deviation std."""
    return Z * std / math.sqrt(2.0 * n)


def mean_tolerance(std, n):
    """Z standard errors of the sample mean of n draws with standard deviation std."""
    return Z * std / math.sqrt(n)


def kurtosis_tolerance(n):
    """Z standard errors of the sample excess kurtosis of n Gaussian draws (0 for a Gaussian)."""
    return Z * math.sqrt(24.0 / n)


def _draw(fname, init, r_in, r_out, rng):
    """Call init(r_in, r_out, rng) and require a finite float64 array of shape (r_in, r_out)."""
    context = f"{fname}({r_in}, {r_out}, rng)"
    w = init(r_in, r_out, rng)
    if not isinstance(w, np.ndarray):
        raise CheckFailure(f"{context} must return a numpy array, got {describe(w, CONTAINERS)}.")
    if w.shape != (r_in, r_out):
        note = ""
        if w.shape == (r_out, r_in):
            note = (" That is the transpose: course_lib's row convention keeps a weight as (r_in, r_out), "
                    "so that x @ w maps r_in features to r_out.")
        raise CheckFailure(f"{context} returned shape {w.shape}, expected (r_in, r_out) = ({r_in}, {r_out}).{note}")
    if w.dtype != np.float64:
        raise CheckFailure(
            f"{context} returned dtype {w.dtype}; the course works in float64 (what rng.standard_normal gives)."
        )
    problem = contract_diagnosis(context, w, (r_in, r_out))
    if problem is not None:
        raise CheckFailure(problem.message)
    return w


def _check_rng_use(fname, init, r_in, r_out, seed):
    """Same generator state, same draw; another seed, another draw."""
    context = f"{fname}({r_in}, {r_out}, rng)"
    first = _draw(fname, init, r_in, r_out, np.random.default_rng(seed))
    again = _draw(fname, init, r_in, r_out, np.random.default_rng(seed))
    if not np.array_equal(first, again):
        raise CheckFailure(
            f"{context}: two generators in the same state gave different weights. Draw from the rng you are "
            "given (rng.standard_normal(...) or rng.normal(...)), not from np.random.randn or a new generator."
        )
    other = _draw(fname, init, r_in, r_out, np.random.default_rng(seed + 1))
    if np.array_equal(first, other) and first.size > 1:
        raise CheckFailure(
            f"{context}: generators with different seeds gave the same weights. Draw from the rng argument; "
            "do not create a generator with a fixed seed inside the function."
        )
    return first


def _name_std_mistake(fname, cases):
    """The wrong formula that every case's sample std agrees with, as a sentence, or None."""
    rule_text, rule = INIT_RULES[fname]
    for text, std_of, advice in STD_FORMULAS:
        if text == rule_text:
            continue
        fits = all(
            abs(s - std_of(r_in, r_out)) <= std_tolerance(std_of(r_in, r_out), n)
            and abs(std_of(r_in, r_out) - rule(r_in, r_out)) > 2 * std_tolerance(rule(r_in, r_out), n)
            for r_in, r_out, n, s in cases
        )
        if fits:
            return f"the standard deviation is {text} instead of {rule_text}{advice.get(fname, advice.get('', ''))}"
    return None


def check_init_rule(fname, init, shapes, small_shapes=(), seed=0):
    """Statistical checks of a Gaussian initialiser against its lecture std ``INIT_RULES[fname]``.

    shapes: large (r_in, r_out) pairs (at least ~10^4 entries each) for the
    statistics; small_shapes: edge cases where only shape, dtype and the use
    of the generator are checked. Order: contract, generator use, independent
    draws, mean 0, standard deviation (naming a known wrong formula), Gaussian shape.
    """
    rule_text, rule = INIT_RULES[fname]
    for k, (r_in, r_out) in enumerate(small_shapes):
        _check_rng_use(fname, init, r_in, r_out, seed + 100 + k)
    cases, kurtoses = [], []
    for k, (r_in, r_out) in enumerate(shapes):
        context = f"{fname}({r_in}, {r_out}, rng)"
        w = _check_rng_use(fname, init, r_in, r_out, seed + k)
        n, mean, std, kurtosis = draw_statistics(w)
        distinct = np.unique(w).size
        if distinct < 0.99 * n:
            raise CheckFailure(
                f"{context}: only {distinct} distinct values among {n} weights. Draw every weight on its own, "
                "one draw per entry of the (r_in, r_out) array; do not repeat a row, a column or one number."
            )
        # The spread of the draws themselves sets the tolerance, so a wrong scale is left to the std check.
        if abs(mean) > mean_tolerance(std, n):
            raise CheckFailure(
                f"{context}: the weights have mean {format_value(mean)}, but {n} draws from a zero-mean "
                f"distribution with their spread (std {format_value(std)}) stay within "
                f"+-{format_value(mean_tolerance(std, n))} of 0. Draw from a zero-mean Gaussian, "
                "rng.standard_normal, not rng.random (uniform on [0, 1))."
            )
        cases.append((r_in, r_out, n, std))
        kurtoses.append(kurtosis)
    for r_in, r_out, n, std in cases:
        target = rule(r_in, r_out)
        if abs(std - target) > std_tolerance(target, n):
            context = f"{fname}({r_in}, {r_out}, rng)"
            named = _name_std_mistake(fname, cases)
            head = (f"{context}: the weights have standard deviation {format_value(std)}, but the rule's "
                    f"is {rule_text} = {format_value(target)} (a sample of {n} stays within "
                    f"+-{format_value(std_tolerance(target, n))} of it)")
            raise CheckFailure(f"{head}: {named}." if named else f"{head}.")
    for (r_in, r_out, n, _), kurtosis in zip(cases, kurtoses):
        if abs(kurtosis) > kurtosis_tolerance(n):
            raise CheckFailure(
                f"{fname}({r_in}, {r_out}, rng): the right mean and standard deviation, but the draws do not "
                f"look Gaussian: their excess kurtosis is {kurtosis:.3f} (0 for a Gaussian, -1.2 for a uniform "
                f"distribution; a Gaussian sample of {n} stays within +-{kurtosis_tolerance(n):.3f}). "
                "The lecture draws from a Gaussian: rng.standard_normal or rng.normal."
            )


CHECK_SHAPES = [(400, 300), (90, 700)]
CHECK_SMALL_SHAPES = [(1, 6), (5, 1)]


def check_xavier_init(xavier_init):
    """Large draws: mean 0, std sqrt(2 / (r_in + r_out)), Gaussian; shapes, dtype, the rng passed in."""
    check_init_rule("xavier_init", xavier_init, CHECK_SHAPES, CHECK_SMALL_SHAPES, seed=4040)


def check_he_init(he_init):
    """Large draws: mean 0, std sqrt(2 / r_in), Gaussian; shapes, dtype, the rng passed in."""
    check_init_rule("he_init", he_init, CHECK_SHAPES, CHECK_SMALL_SHAPES, seed=4141)


# ----------------------------------------------------------------------------- clip_by_value, clip_by_norm

CLIP_MISTAKES = {
    "clip_by_value": {
        "upper_only": "only the upper bound was applied: entries below -limit must become -limit too",
        "zeroed": "entries outside [-limit, limit] were set to 0: value clipping moves each of them to the "
                  "nearest boundary, -limit or +limit",
        "unsigned": "entries below -limit became +limit: they must become -limit (keep the sign)",
        "max_scaled": "each array was rescaled so that its largest entry has size limit: value clipping "
                      "clamps every entry on its own and leaves the entries inside [-limit, limit] as they are",
        "by_norm": "this is what clipping by norm gives: clip_by_value clamps every entry to [-limit, limit]",
    },
    "clip_by_norm": {
        "per_array": "each array was rescaled by its own norm: norm-based clipping rescales ALL arrays by "
                     "one factor max_norm / ||g||, where ||g|| is the L2 norm of every entry of every array "
                     "taken together (one long vector)",
        "always": "a gradient whose norm is below max_norm was scaled up to max_norm: rescale only when "
                  "||g|| > max_norm, otherwise return copies of the arrays unchanged",
        "unit": "the arrays were divided by ||g|| but not multiplied by max_norm: after clipping the norm "
                "is max_norm, not 1",
        "squared": "the norm was taken without the square root: ||g|| = sqrt(sum of all squared entries)",
        "inverted": "the factor is upside down: multiply by max_norm / ||g||, not by ||g|| / max_norm",
        "l1": "the L1 norm (sum of absolute values) was used: use the L2 norm, the square root of the "
              "sum of squares",
        "by_value": "this is what clipping by value gives: clip_by_norm keeps the direction of the gradient "
                    "and only shortens it",
    },
}
CLIP_PARAMETER = {"clip_by_value": "limit", "clip_by_norm": "max_norm"}


def make_container(kind, names, arrays):
    """A list or a dict (keys ``names``) of the given arrays."""
    if kind == "dict":
        return {str(name): array for name, array in zip(names, arrays)}
    if kind == "list":
        return list(arrays)
    raise ValueError(f"kind must be 'list' or 'dict', got {kind!r}.")


def _label(kind, name):
    return f"grads[{name!r}]" if kind == "dict" else f"grads[{name}]"


def _flat(arrays):
    return np.concatenate([np.ravel(a) for a in arrays]) if arrays else np.zeros(0)


def clip_case_text(fname, kind, arrays, param, global_norm=None):
    shapes = ", ".join(str(tuple(a.shape)) for a in arrays)
    norm = "" if global_norm is None or fname != "clip_by_norm" else f" (||g|| = {format_value(global_norm)})"
    return f"{fname} on a {kind} of arrays of shapes {shapes}, {CLIP_PARAMETER[fname]} = {param:g}{norm}"


def _result_arrays(fname, result, kind, names, context):
    """The student's output arrays in the input's order, after checking the container."""
    if kind == "list":
        if not isinstance(result, list):
            raise CheckFailure(f"{context}: given a list, it must return a list (one array per input array), "
                               f"got {describe(result, CONTAINERS)}.")
        if len(result) != len(names):
            raise CheckFailure(f"{context}: given {len(names)} arrays, it returned {len(result)}.")
        return list(result)
    if not isinstance(result, dict):
        raise CheckFailure(f"{context}: given a dict, it must return a dict with the same keys, got "
                           f"{describe(result, CONTAINERS)}.")
    if set(result) != set(names):
        raise CheckFailure(f"{context}: the returned dict has keys {sorted(result)}, expected the input's keys "
                           f"{sorted(names)}.")
    return [result[name] for name in names]


def check_clip_case(fname, clip, kind, names, arrays, param, expected_arrays, mistakes=None, global_norm=None):
    """One container of gradients: container, untouched input, new arrays, values, named mistakes.

    names: the dict keys (or the list positions); mistakes: {key of CLIP_MISTAKES[fname]: list of arrays}.
    """
    context = clip_case_text(fname, kind, arrays, param, global_norm)
    inputs = [np.array(a, dtype=np.float64) for a in arrays]
    grads = make_container(kind, names, inputs)
    result = clip(grads, param)
    same_container = len(grads) == len(names) and (kind != "dict" or list(grads) == [str(n) for n in names])
    if not same_container or any(g is not a or not np.array_equal(a, b)
                                 for g, a, b in zip(grads.values() if kind == "dict" else grads, inputs, arrays)):
        raise CheckFailure(
            f"{context}: the input gradients were modified. Build new arrays (np.clip(g, ...), g * factor) "
            "instead of changing them in place (g *= ..., g[...] = ...)."
        )
    outs = _result_arrays(fname, result, kind, [str(n) for n in names] if kind == "dict" else names, context)
    for name, out, a in zip(names, outs, inputs):
        problem = contract_diagnosis(f"{context}: the result's {_label(kind, name)}", out, a.shape)
        if problem is not None:
            hint = ""
            if problem.kind == "nan" and fname == "clip_by_norm" and global_norm == 0:
                hint = " Here ||g|| = 0: divide by ||g|| only when it exceeds max_norm."
            raise CheckFailure(problem.message + hint)
        if isinstance(out, np.ndarray) and np.shares_memory(out, a):
            raise CheckFailure(
                f"{context}: the result's {_label(kind, name)} is the input array itself (or a view of it). "
                "Return new arrays (copies where nothing changes), so that updating the result can never "
                "change the gradients it came from."
            )
    outs = [np.asarray(o, dtype=np.float64) for o in outs]
    want, got = _flat(expected_arrays), _flat(outs)
    if relative_error(want, got) <= SAME:
        return
    for key, value in (mistakes or {}).items():
        value = _flat(value)
        if relative_error(value, want) > DIFFERENT and relative_error(value, got) <= SAME:
            raise CheckFailure(f"{context}: wrong result; {CLIP_MISTAKES[fname][key]}.")
    worst_error, worst = -1.0, None
    n_wrong = 0
    for name, out, exp, a in zip(names, outs, expected_arrays, inputs):
        errors = np.abs(out - exp) / np.maximum(np.abs(exp), 1e-12 * (1 + float(np.max(np.abs(want)))))
        n_wrong += int(np.sum(errors > SAME))
        if errors.size and float(np.max(errors)) > worst_error:
            idx = np.unravel_index(int(np.argmax(errors)), errors.shape)
            worst_error, worst = float(np.max(errors)), (name, idx, exp[idx], out[idx], a[idx])
    name, idx, exp, out, a = worst
    raise CheckFailure(
        f"{context}: {n_wrong} of {want.size} entries are wrong; the worst is {_label(kind, name)}"
        f"{describe_index(idx)}: input {format_value(a)}, expected {format_value(exp)}, got {format_value(out)}."
    )


def stored_clip_case(fname, k):
    """(kind, names, arrays, param, expected arrays, mistakes, global norm) of stored case k."""
    key = f"{fname}_{k}"
    n_arrays = int(expected(NB, f"{key}_n_arrays"))
    kind = str(expected(NB, f"{key}_kind"))
    names = [str(n) for n in expected(NB, f"{key}_names")]
    if kind == "list":
        names = list(range(n_arrays))
    arrays = [expected(NB, f"{key}_in_{i}") for i in range(n_arrays)]
    outs = [expected(NB, f"{key}_out_{i}") for i in range(n_arrays)]
    mistakes = {m: [expected(NB, f"{key}_mistake_{m}_{i}") for i in range(n_arrays)] for m in CLIP_MISTAKES[fname]}
    return kind, names, arrays, float(expected(NB, f"{key}_param")), outs, mistakes, float(
        expected(NB, f"{key}_global_norm"))


def _check_clip(fname, clip):
    for k in range(stored_count(NB, fname)):
        kind, names, arrays, param, outs, mistakes, norm = stored_clip_case(fname, k)
        check_clip_case(fname, clip, kind, names, arrays, param, outs, mistakes, norm)


def check_clip_by_value(clip_by_value):
    """Stored lists and dicts: entries beyond +-limit on both sides, entries on the boundary, nothing to clip."""
    _check_clip("clip_by_value", clip_by_value)


def check_clip_by_norm(clip_by_norm):
    """Stored lists and dicts: above the threshold, below it, an all-zero gradient, a single array."""
    _check_clip("clip_by_norm", clip_by_norm)
