"""Notebook 01's hidden cases: fresh inputs on fixed seeds, expected values from course_lib's references.

Other shapes, values and graphs than the self-check's stored cases (every
dimension distinct and > 1, a batch of one, a plain vector, other alphas and
steps, random DAGs), so an answer tuned to the stored cases fails here. The
``*_case`` builders complete drawn inputs into a case; stored.py builds the
self-check's cases with them too. The ``fresh_*_cases`` are generators: a
case is built when the check reaches it.
"""
import numpy as np

from autograder.checks.nb01.mistaken import (
    backward_mistakes,
    cos_module_mistakes,
    forward_mistakes,
    numerical_gradient_mistakes,
    relative_error_mistakes,
    single_path_products,
)
from course_lib.gradcheck.numerical import numerical_gradient as reference_numerical_gradient
from course_lib.gradcheck.relative_error import relative_error as reference_relative_error
from course_lib.graph import Graph, layered_graph
from course_lib.graph import backprop_derivatives as reference_backprop
from course_lib.graph import path_derivative as reference_path_derivative
from course_lib.layers import activations
from course_lib.layers.cos_module import cos_module_backward, cos_module_forward
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb01.cases import (
    BackpropCase,
    CosCase,
    CubicCase,
    ElementwiseCase,
    FunctionCase,
    LinearCostCase,
    PathCase,
    RelativeErrorCase,
    away_from_kink,
    cubic_inputs,
)

SEED = 7301
# Every dimension distinct and > 1, plus a batch of one and a plain vector.
SHAPES = [(4, 3), (1, 7), (2, 3, 5), (6,)]


# ----------------------------------------------------------------------------- completing drawn inputs
def cubic_case(x, coef, h):
    """The exact centered difference coef (3 x^2 + h^2) of f = sum(coef x^3), and the mistakes' arrays."""
    step = 1e-5 if h is None else h
    return CubicCase(x, coef, h, coef * (3 * x**2 + step**2), numerical_gradient_mistakes(x, coef, step))


def relative_error_case(a, b):
    return RelativeErrorCase(a, b, reference_relative_error(a, b), relative_error_mistakes(a, b))


def elementwise_case(op, x, dout, params=(), fd=True):
    out, cache = getattr(activations, f"{op}_forward")(x, *params)
    dx = getattr(activations, f"{op}_backward")(dout, cache)
    return ElementwiseCase(op, x, dout, out, dx, params, fd, forward_mistakes(op, x, out, params),
                           backward_mistakes(op, x, out, dout, dx, params))


def cos_module_case(x, theta, dout):
    out, cache = cos_module_forward(x, theta)
    dx, dtheta = cos_module_backward(dout, cache)
    return CosCase(x, theta, dout, out, dx, dtheta, *cos_module_mistakes(x, theta, dout, out))


def path_case(graph, label, w, o, single_paths=True):
    """d o / d w by the reference; with ``single_paths`` the product along each path, if there are a few."""
    singles = single_path_products(graph, w, o) if single_paths else {}
    return PathCase(graph, label, w, o, reference_path_derivative(graph, w, o), singles)


def backprop_case(graph, label, o):
    values = reference_backprop(graph, o)
    return BackpropCase(graph, label, o, np.array([values[n] for n in graph.nodes]))


# ----------------------------------------------------------------------------- the hidden cases
def fresh_numerical_gradient_cases():
    """Closed-form cubic cases with new shapes and steps, then a non-polynomial function vs the reference."""
    rng = np.random.default_rng(SEED)
    for shape, h in [((4, 3), 3e-2), ((2, 3, 5), 1e-3), ((1, 6), 0.2), ((7,), None)]:
        yield cubic_case(*cubic_inputs(shape, rng, -1.5, 1.5), h)

    weights = rng.standard_normal((4, 15))
    x = rng.standard_normal((3, 5))

    def f(z):
        if np.shape(z) != (3, 5):
            raise CheckFailure(f"numerical_gradient called f with an array of shape {np.shape(z)}, not x's (3, 5).")
        return float(np.sum(np.sin(weights @ np.asarray(z).reshape(-1))) + np.sum(np.asarray(z) ** 2))

    label = "numerical_gradient on f(x) = sum(sin(W x)) + ||x||^2, x of shape (3, 5)"
    for h in (1e-5, 1e-3):
        yield FunctionCase(f, x, h, reference_numerical_gradient(f, x.copy(), h), label)


def fresh_relative_error_cases():
    """Fresh pairs compared with the reference ratio, including the 0 and inf conventions."""
    rng = np.random.default_rng(SEED + 1)
    a_mat = rng.standard_normal((4, 3))
    a_cube = rng.standard_normal((2, 3, 5))
    pairs = [
        (np.array(-0.75), np.array(-0.7500004)),
        (a_mat, a_mat + 1e-6 * rng.standard_normal((4, 3))),
        (a_cube, 0.5 * a_cube + rng.standard_normal((2, 3, 5))),
        (rng.standard_normal((1, 7)), rng.standard_normal((1, 7))),
        (np.array([3.0, -1.0]), np.array([-3.0, 1.0])),
        (np.zeros(5), np.zeros(5)),
        (a_mat, a_mat.copy()),
    ]
    for a, b in pairs:
        yield relative_error_case(a, b)


def fresh_elementwise_cases(op, alphas=(None,)):
    """Four shapes of Gaussian inputs (away from the kink for the ReLUs), then special inputs, per alpha:
    exact zeros for the ReLUs, +-745 for softplus, the saturated tails and +-1000 for sigmoid and tanh."""
    rng = np.random.default_rng(SEED + 10 + len(op))
    inputs = []
    for shape in SHAPES:
        x = 2.5 * rng.standard_normal(shape)
        inputs.append((away_from_kink(x) if "relu" in op else x, True))
    if "relu" in op:
        inputs.append((np.array([[0.0, -0.5, 1.5], [2.0, 0.0, -1e-4], [1e-4, -3.0, 0.0], [0.0, 0.3, -0.3]]), False))
    elif op == "softplus":
        inputs.append((np.array([[-745.0, -60.0, -1e-3], [1e-3, 60.0, 745.0]]), False))
    else:
        inputs.append((np.array([[-15.0, -9.0, 9.0], [15.0, 0.01, -0.01]]), True))
        # extreme scale: exp(+-x) overflows beyond 709, which a formula built from exp(x) turns into nan
        inputs.append((np.array([[-1000.0, -745.0, 0.5], [-2.0, 745.0, 1000.0]]), False))
    for alpha in alphas:
        params = () if alpha is None else (alpha,)
        for x, fd in inputs:
            yield elementwise_case(op, x, rng.standard_normal(x.shape), params, fd)


FRESH_ALPHAS = (0.05, 0.3, None)
"""The leaky ReLU's slopes of the hidden cases (the stored ones use 0.2); None: called without alpha."""


def fresh_cos_module_cases():
    """Fresh shapes and thetas (one of them negative, one larger than 2) against the reference."""
    rng = np.random.default_rng(SEED + 20)
    for shape, theta in [((4, 3), 0.8), ((1, 7), -1.3), ((2, 3, 5), 2.6), ((6,), 0.35)]:
        x = rng.standard_normal(shape)
        yield cos_module_case(x, theta, rng.standard_normal(shape))


def random_dag(rng, n_nodes=9, p_edge=0.4):
    """Nodes "n0".."n{n-1}" in topological order, each pair (i < j) joined with probability p_edge.

    Node names are inserted in a shuffled order, so graph.nodes is not a topological order.
    Local derivatives are Gaussian, kept at least 0.1 away from 0.
    """
    g = Graph()
    for i in rng.permutation(n_nodes):
        g.add_node(f"n{i}", float(rng.standard_normal()))
    for i in range(n_nodes):
        for j in range(i + 1, n_nodes):
            if rng.random() < p_edge:
                z = float(rng.standard_normal())
                g.add_edge(f"n{i}", f"n{j}", z if abs(z) > 0.1 else np.copysign(0.1, z))
    return g


def graded_graphs():
    """[(label, graph)]: three random DAGs, then two layered graphs with 30 to 500 paths from w to o."""
    rng = np.random.default_rng(SEED + 30)
    graphs = [(f"a random graph with 9 nodes (seed {k})", random_dag(rng)) for k in range(3)]
    graphs.append(("a layered tanh graph of width 3 and depth 5", layered_graph(3, 5, rng=SEED)))
    graphs.append(("a layered product graph of width 2 and depth 6", layered_graph(2, 6, op="product", w=0.9)))
    return graphs


def fresh_path_cases():
    """Every third (w, o) pair of random DAGs (reachable or not), then two queries on the layered graphs."""
    for label, graph in graded_graphs():
        nodes = graph.nodes
        if label.startswith("a random"):
            queries = [(w, o) for w in nodes for o in nodes][::3]
        else:
            queries = [("w", "o"), (nodes[len(nodes) // 2], "o")]
        for w, o in queries:
            yield path_case(graph, label, w, o)


def fresh_backprop_cases():
    """Every output of random DAGs and layered graphs, then a deep graph that only a dynamic program finishes."""
    for label, graph in graded_graphs():
        outputs = graph.nodes if label.startswith("a random") else ["o"]
        for o in outputs:
            yield backprop_case(graph, label, o)
    deep = layered_graph(3, 15, rng=SEED + 1)  # 3^15 (14 million) paths
    yield LinearCostCase(deep, "a layered graph of width 3 and depth 15", "o")
