"""Stored expected values of notebook 04's self-checks, computed from course_lib's references.

Inputs are stored next to the outputs, so a self-check replays exactly the
case the values were computed for. Keys:
  lgn_n; lgn_{k}_{activation,depth,x,y,norms,weight_norms,l1_norms}, lgn_{k}_w{j}, lgn_{k}_b{j}
      networks for layer_gradient_norms (see course_lib.selfcheck.nb04.build_model)
  {fname}_n; {fname}_{k}_{kind,names,n_arrays,param,global_norm}, {fname}_{k}_{in,out}_{i},
  {fname}_{k}_mistake_{key}_{i}        fname in clip_by_value, clip_by_norm; key in
      course_lib.selfcheck.nb04.CLIP_MISTAKES[fname]
The initialisers need no stored values: their checks are statistical.
"""
import numpy as np

from autograder.checks.nb04 import DICT_NAMES, clip_expected, random_network, reference_norms

# (layer sizes, activation, N): the self-check's networks (the hidden grading uses others).
CHECK_NETWORKS = [
    ([6, 5, 4, 3], "sigmoid", 7),
    ([5, 8, 7, 6, 4], "relu", 1),
    ([9, 4], "sigmoid", 3),
    ([64, 30, 30, 30, 30, 10], "sigmoid", 20),
]


def _network_values(rng):
    values = {"lgn_n": np.array(len(CHECK_NETWORKS))}
    for k, (sizes, activation, n_samples) in enumerate(CHECK_NETWORKS):
        weights, biases, x, y = random_network(rng, sizes, n_samples)
        norms, weight_norms, l1_norms = reference_norms(weights, biases, activation, x, y)
        key = f"lgn_{k}"
        values.update({f"{key}_activation": np.array(activation), f"{key}_depth": np.array(len(weights)),
                       f"{key}_x": x, f"{key}_y": y, f"{key}_norms": norms,
                       f"{key}_weight_norms": weight_norms, f"{key}_l1_norms": l1_norms})
        for j, (w, b) in enumerate(zip(weights, biases)):
            values[f"{key}_w{j}"] = w
            values[f"{key}_b{j}"] = b
    return values


def _clip_cases(rng):
    """{fname: [(kind, arrays, param), ...]}: both signs beyond the limit, the boundary, below/above the norm."""
    big = [1.8 * rng.standard_normal((3, 4)), 1.8 * rng.standard_normal(4),
           1.8 * rng.standard_normal((4, 2)), 1.8 * rng.standard_normal(2)]
    layered = [rng.standard_normal((2, 5)), rng.standard_normal(5),
               6.0 * rng.standard_normal((5, 3)), rng.standard_normal(3)]
    return {
        "clip_by_value": [
            ("list", big, 1.5),
            ("dict", [0.5 * a for a in layered], 0.8),
            ("list", [rng.standard_normal((1, 6))], 10.0),
            ("list", [np.array([-2.0, -1.0, 0.5, 1.0, 3.0])], 1.0),
        ],
        "clip_by_norm": [
            ("list", big, 2.5),
            ("dict", layered, 0.7),
            ("list", [0.1 * a for a in big], 5.0),
            ("list", [np.zeros((2, 3)), np.zeros(3)], 1.0),
            ("list", [3.0 * rng.standard_normal(5)], 2.0),
        ],
    }


def _clip_values(rng):
    values = {}
    for fname, cases in _clip_cases(rng).items():
        values[f"{fname}_n"] = np.array(len(cases))
        for k, (kind, arrays, param) in enumerate(cases):
            outs, mistakes, norm = clip_expected(fname, arrays, param)
            key = f"{fname}_{k}"
            names = DICT_NAMES[:len(arrays)] if kind == "dict" else [str(i) for i in range(len(arrays))]
            values.update({f"{key}_kind": np.array(kind), f"{key}_names": np.array(names),
                           f"{key}_n_arrays": np.array(len(arrays)), f"{key}_param": np.array(float(param)),
                           f"{key}_global_norm": np.array(norm)})
            for i, (a, out) in enumerate(zip(arrays, outs)):
                values[f"{key}_in_{i}"] = a
                values[f"{key}_out_{i}"] = out
            for mistake, wrong in mistakes.items():
                for i, value in enumerate(wrong):
                    values[f"{key}_mistake_{mistake}_{i}"] = value
    return values


def build():
    rng = np.random.default_rng(20240404)
    return {**_network_values(rng), **_clip_values(rng)}
