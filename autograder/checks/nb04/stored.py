"""The values notebook 04's self-check replays, computed from course_lib's references.

``build()`` makes the self-check's cases the way the hidden check makes its
own (fresh.py), on other networks and thresholds and one seed, and lays them
out as course_lib/selfcheck/nb04/cases.py reads them (``network_entries``,
``clip_entries``): inputs next to the outputs, so a self-check replays exactly
the case the values were computed for, and what the usual wrong clipping rules
give, so it can name them without shipping their code. The initialisers need
no stored values: their checks are statistical. Write them with
``python -m autograder.checks.stored_values 04``.
"""
import numpy as np

from autograder.checks.nb04.fresh import clip_case, network_case
from course_lib.selfcheck.nb04.cases import clip_entries, network_entries, random_network

# (layer sizes, activation, N): the self-check's networks (the hidden grading uses others).
CHECK_NETWORKS = [
    ([6, 5, 4, 3], "sigmoid", 7),
    ([5, 8, 7, 6, 4], "relu", 1),
    ([9, 4], "sigmoid", 3),
    ([64, 30, 30, 30, 30, 10], "sigmoid", 20),
]


def _networks(rng):
    cases = []
    for sizes, activation, n_samples in CHECK_NETWORKS:
        weights, biases, x, y = random_network(rng, sizes, n_samples)
        cases.append(network_case(weights, biases, activation, x, y))
    return cases


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


def build():
    """{key: array} of every stored case; one generator draws all inputs, networks first."""
    rng = np.random.default_rng(20240404)
    values = network_entries(_networks(rng))
    for fname, cases in _clip_cases(rng).items():
        values.update(clip_entries(fname, [clip_case(fname, kind, arrays, param) for kind, arrays, param in cases]))
    return values
