"""Notebook 04's cases: what one check runs on, how its inputs are drawn, how it is stored.

  * NetworkCase: a small network (weights, biases, activation) with a batch
    (x, y) and the expected bias-gradient norms, for layer_gradient_norms;
  * InitCase: the shapes and seed an initialiser is drawn on (its check is
    statistical, so nothing is stored);
  * ClipCase: a list or dict of gradient arrays, the threshold, the expected
    clipped arrays and what the usual wrong rules give.

The self-check reads its cases back from the values stored with the notebook
(``stored_*``); the hidden check builds fresh ones (autograder/checks/nb04/fresh.py)
with the builders below and expected values from course_lib's references.

Stored layout (``stored("nb04", key)``):
  lgn_n; lgn_<k>_{activation,depth,x,y,norms,weight_norms,l1_norms}, lgn_<k>_w<j>, lgn_<k>_b<j>
  <fname>_n; <fname>_<k>_{kind,names,n_arrays,param,global_norm}, <fname>_<k>_{in,out}_<i>,
  <fname>_<k>_mistake_<key>_<i>       fname in clip_by_value, clip_by_norm; key in CLIP_MISTAKES[fname]

The builders draw inputs from an rng and build models from given parameters; nothing here
computes an answer.
"""
from dataclasses import dataclass

import numpy as np

from course_lib.modules import LeakyReLU, Linear, ReLU, Sequential, Sigmoid, Tanh
from course_lib.selfcheck.nb04.mistakes import CLIP_MISTAKES
from course_lib.selfcheck.stored import stored

NB = "nb04"

# ----------------------------------------------------------------------------- networks
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


def random_network(rng, sizes, n_samples):
    """Weights with the basic std sqrt(1 / r_in), non-zero biases, inputs and labels covering several classes.

    Returns (weights, biases, x (N, sizes[0]), y (N,) int64).
    """
    weights = [rng.standard_normal((r_in, r_out)) / np.sqrt(r_in) for r_in, r_out in zip(sizes, sizes[1:])]
    biases = [0.3 * rng.standard_normal(r_out) for r_out in sizes[1:]]
    x = rng.standard_normal((n_samples, sizes[0]))
    y = rng.permutation(np.arange(n_samples) % sizes[-1]).astype(np.int64)
    return weights, biases, x, y


@dataclass(frozen=True, eq=False)
class NetworkCase:
    """A network and a batch; the expected norms ||grad_b C|| per Linear layer, first layer first.

    weight_norms (||grad_w C|| per layer) and l1_norms (sum |dC/db_j| per layer)
    are other measurements of the same backward, from which the known wrong
    answers are made (mistakes.norm_mistakes).
    """

    weights: list
    biases: list
    activation: str
    x: np.ndarray
    y: np.ndarray
    norms: np.ndarray
    weight_norms: np.ndarray
    l1_norms: np.ndarray


def network_entries(cases):
    """{key: array} of the networks' cases in the stored layout (the instructor's build writes it)."""
    values = {"lgn_n": np.array(len(cases))}
    for k, case in enumerate(cases):
        key = f"lgn_{k}"
        values.update({f"{key}_activation": np.array(case.activation), f"{key}_depth": np.array(len(case.weights)),
                       f"{key}_x": case.x, f"{key}_y": case.y, f"{key}_norms": case.norms,
                       f"{key}_weight_norms": case.weight_norms, f"{key}_l1_norms": case.l1_norms})
        for j, (w, b) in enumerate(zip(case.weights, case.biases)):
            values[f"{key}_w{j}"] = w
            values[f"{key}_b{j}"] = b
    return values


def stored_network(k):
    """The stored NetworkCase k."""
    key = f"lgn_{k}"
    depth = int(stored(NB, f"{key}_depth"))
    return NetworkCase([stored(NB, f"{key}_w{j}") for j in range(depth)],
                       [stored(NB, f"{key}_b{j}") for j in range(depth)],
                       str(stored(NB, f"{key}_activation")), stored(NB, f"{key}_x"), stored(NB, f"{key}_y"),
                       stored(NB, f"{key}_norms"), stored(NB, f"{key}_weight_norms"), stored(NB, f"{key}_l1_norms"))


def stored_networks():
    """The self-check's networks: sigmoid, ReLU with a batch of one, a single Linear layer, the lecture's deep net."""
    for k in range(int(stored(NB, "lgn_n"))):
        yield stored_network(k)


# ----------------------------------------------------------------------------- initialisers
@dataclass(frozen=True, eq=False)
class InitCase:
    """Draws of ``fname`` on large ``shapes`` (the statistics) and ``small_shapes`` (contract only) from ``seed``."""

    fname: str                    # "xavier_init" or "he_init"
    shapes: tuple
    small_shapes: tuple
    seed: int


CHECK_SHAPES = [(400, 300), (90, 700)]
CHECK_SMALL_SHAPES = [(1, 6), (5, 1)]
CHECK_SEEDS = {"xavier_init": 4040, "he_init": 4141}
"""The self-check's shapes and seeds (the hidden check uses others)."""


def stored_init_cases(fname):
    return [InitCase(fname, CHECK_SHAPES, CHECK_SMALL_SHAPES, CHECK_SEEDS[fname])]


def stored_xavier_cases():
    return stored_init_cases("xavier_init")


def stored_he_cases():
    return stored_init_cases("he_init")


# ----------------------------------------------------------------------------- clipping
DICT_NAMES = ["0.w", "0.b", "2.w", "2.b", "4.w", "4.b"]
"""The keys of a dict of gradients, as Sequential.grads names them."""


def layer_arrays(rng, sizes, scale=1.0):
    """Weight and bias gradients of a network with these layer sizes: w (r_in, r_out), b (r_out,)."""
    arrays = []
    for r_in, r_out in zip(sizes, sizes[1:]):
        arrays += [scale * rng.standard_normal((r_in, r_out)), scale * rng.standard_normal(r_out)]
    return arrays


def container_names(kind, n_arrays):
    """The keys of a dict of n arrays, or the positions 0 .. n-1 of a list."""
    return DICT_NAMES[:n_arrays] if kind == "dict" else list(range(n_arrays))


@dataclass(frozen=True, eq=False)
class ClipCase:
    """One container of gradients for ``fname`` (clip_by_value or clip_by_norm) with threshold ``param``.

    names: the dict keys (or the list positions); outs: the expected arrays;
    mistakes: {key of CLIP_MISTAKES[fname]: list of arrays}; global_norm: ||g|| of all inputs together.
    """

    fname: str
    kind: str                     # "list" or "dict"
    names: list
    arrays: list
    param: float
    outs: list
    mistakes: dict
    global_norm: float


def clip_entries(fname, cases):
    """{key: array} of the clipping cases of ``fname`` in the stored layout."""
    values = {f"{fname}_n": np.array(len(cases))}
    for k, case in enumerate(cases):
        key = f"{fname}_{k}"
        values.update({f"{key}_kind": np.array(case.kind), f"{key}_names": np.array([str(n) for n in case.names]),
                       f"{key}_n_arrays": np.array(len(case.arrays)), f"{key}_param": np.array(float(case.param)),
                       f"{key}_global_norm": np.array(case.global_norm)})
        for i, (a, out) in enumerate(zip(case.arrays, case.outs)):
            values[f"{key}_in_{i}"] = a
            values[f"{key}_out_{i}"] = out
        for mistake, wrong in case.mistakes.items():
            for i, value in enumerate(wrong):
                values[f"{key}_mistake_{mistake}_{i}"] = value
    return values


def stored_clip_case(fname, k):
    """The stored ClipCase k of ``fname``."""
    key = f"{fname}_{k}"
    n_arrays = int(stored(NB, f"{key}_n_arrays"))
    kind = str(stored(NB, f"{key}_kind"))
    names = [str(n) for n in stored(NB, f"{key}_names")]
    if kind == "list":
        names = list(range(n_arrays))
    arrays = [stored(NB, f"{key}_in_{i}") for i in range(n_arrays)]
    outs = [stored(NB, f"{key}_out_{i}") for i in range(n_arrays)]
    mistakes = {m: [stored(NB, f"{key}_mistake_{m}_{i}") for i in range(n_arrays)] for m in CLIP_MISTAKES[fname]}
    return ClipCase(fname, kind, names, arrays, float(stored(NB, f"{key}_param")), outs, mistakes,
                    float(stored(NB, f"{key}_global_norm")))


def stored_clip_cases(fname):
    for k in range(int(stored(NB, f"{fname}_n"))):
        yield stored_clip_case(fname, k)


def stored_clip_by_value_cases():
    """Lists and dicts: entries beyond +-limit on both sides, entries on the boundary, nothing to clip."""
    return stored_clip_cases("clip_by_value")


def stored_clip_by_norm_cases():
    """Lists and dicts: above the threshold, below it, an all-zero gradient, a single array."""
    return stored_clip_cases("clip_by_norm")
