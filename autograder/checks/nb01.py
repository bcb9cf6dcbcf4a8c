"""Hidden grading checks of notebook 01 (backpropagation derivation).

Each ``grade_<function>`` runs the submission on fresh seeded inputs that the
self-checks never showed (other shapes, other values, other graphs), compares
with course_lib's reference and raises CheckFailure with a diagnosis. The
per-case comparisons are the self-checks' own (course_lib.selfcheck.nb01), fed
with reference values, so a student sees the same kind of message in both.
The functions depend on nothing but their arguments and may receive proxies.
"""
import numpy as np

from course_lib.gradcheck.numerical import numerical_gradient as reference_numerical_gradient
from course_lib.gradcheck.relative_error import relative_error as reference_relative_error
from course_lib.graph import Graph, layered_graph
from course_lib.graph import backprop_derivatives as reference_backprop
from course_lib.graph import path_derivative as reference_path_derivative
from course_lib.layers import activations
from course_lib.layers.cos_module import cos_module_backward, cos_module_forward
from course_lib.selfcheck.common import require_gradient
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb01 import (
    check_backprop_derivatives_case,
    check_backprop_linear_cost,
    check_cos_module_case,
    check_elementwise_case,
    check_numerical_gradient_case,
    check_path_derivative_case,
    check_relative_error_case,
)

SEED = 7301
# Every dimension distinct and > 1, plus a batch of one and a plain vector.
SHAPES = [(4, 3), (1, 7), (2, 3, 5), (6,)]
KINK_GAP = 0.05


def _away_from_kink(x):
    return np.where(np.abs(x) < KINK_GAP, np.copysign(2 * KINK_GAP, x), x)


# ----------------------------------------------------------------------------- numerical_gradient


def grade_numerical_gradient(numerical_gradient):
    """Closed-form cubic cases with new shapes and steps, then a non-polynomial function vs the reference."""
    rng = np.random.default_rng(SEED)
    for shape, h in [((4, 3), 3e-2), ((2, 3, 5), 1e-3), ((1, 6), 0.2), ((7,), None)]:
        check_numerical_gradient_case(numerical_gradient, rng.uniform(-1.5, 1.5, shape), rng.standard_normal(shape), h)

    weights = rng.standard_normal((4, 15))
    x = rng.standard_normal((3, 5))

    def f(z):
        if np.shape(z) != (3, 5):
            raise CheckFailure(f"numerical_gradient called f with an array of shape {np.shape(z)}, not x's (3, 5).")
        return float(np.sum(np.sin(weights @ np.asarray(z).reshape(-1))) + np.sum(np.asarray(z) ** 2))

    context = "numerical_gradient on f(x) = sum(sin(W x)) + ||x||^2, x of shape (3, 5)"
    for h in (1e-5, 1e-3):
        got = numerical_gradient(f, x.copy(), h)
        require_gradient(f"{context}, h = {h:g}", "the gradient", reference_numerical_gradient(f, x.copy(), h), got,
                         named_first=True)


# ----------------------------------------------------------------------------- relative_error


def grade_relative_error(relative_error):
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
        check_relative_error_case(relative_error, a, b, reference_relative_error(a, b))


# ----------------------------------------------------------------------------- elementwise modules


def _grade_elementwise(op, forward, backward, alphas=(None,)):
    reference_forward = getattr(activations, f"{op}_forward")
    reference_backward = getattr(activations, f"{op}_backward")
    rng = np.random.default_rng(SEED + 10 + len(op))
    cases = []
    for shape in SHAPES:
        x = 2.5 * rng.standard_normal(shape)
        cases.append((_away_from_kink(x) if "relu" in op else x, True))
    if "relu" in op:
        cases.append((np.array([[0.0, -0.5, 1.5], [2.0, 0.0, -1e-4], [1e-4, -3.0, 0.0], [0.0, 0.3, -0.3]]), False))
    elif op == "softplus":
        cases.append((np.array([[-745.0, -60.0, -1e-3], [1e-3, 60.0, 745.0]]), False))
    else:
        cases.append((np.array([[-15.0, -9.0, 9.0], [15.0, 0.01, -0.01]]), True))
    for alpha in alphas:
        params = () if alpha is None else (alpha,)
        for x, fd in cases:
            dout = rng.standard_normal(x.shape)
            out, cache = reference_forward(x, *params)
            check_elementwise_case(op, forward, backward, x, dout, out, reference_backward(dout, cache), params, fd)


def grade_sigmoid(sigmoid_forward, sigmoid_backward):
    _grade_elementwise("sigmoid", sigmoid_forward, sigmoid_backward)


def grade_tanh(tanh_forward, tanh_backward):
    _grade_elementwise("tanh", tanh_forward, tanh_backward)


def grade_relu(relu_forward, relu_backward):
    _grade_elementwise("relu", relu_forward, relu_backward)


def grade_leaky_relu(leaky_relu_forward, leaky_relu_backward):
    _grade_elementwise("leaky_relu", leaky_relu_forward, leaky_relu_backward, alphas=(0.05, 0.3))


def grade_softplus(softplus_forward, softplus_backward):
    _grade_elementwise("softplus", softplus_forward, softplus_backward)


# ----------------------------------------------------------------------------- cos module


def grade_cos_module(cos_module_forward_fn, cos_module_backward_fn):
    """Fresh shapes and thetas (one of them negative, one larger than 2) against the reference."""
    rng = np.random.default_rng(SEED + 20)
    for shape, theta in [((4, 3), 0.8), ((1, 7), -1.3), ((2, 3, 5), 2.6), ((6,), 0.35)]:
        x = rng.standard_normal(shape)
        dout = rng.standard_normal(shape)
        out, cache = cos_module_forward(x, theta)
        dx, dtheta = cos_module_backward(dout, cache)
        check_cos_module_case(cos_module_forward_fn, cos_module_backward_fn, x, theta, dout, out, dx, dtheta)


# ----------------------------------------------------------------------------- graphs


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


def _graded_graphs():
    rng = np.random.default_rng(SEED + 30)
    graphs = [(f"a random graph with 9 nodes (seed {k})", random_dag(rng)) for k in range(3)]
    graphs.append(("a layered tanh graph of width 3 and depth 5", layered_graph(3, 5, rng=SEED)))
    graphs.append(("a layered product graph of width 2 and depth 6", layered_graph(2, 6, op="product", w=0.9)))
    return graphs


def single_path_products(graph, w, o, limit=64):
    """{"w -> ... -> o": product of its local derivatives} for every path, or {} beyond ``limit`` paths."""
    products, stack = {}, [([w], 1.0)]
    while stack:
        path, product = stack.pop()
        if path[-1] == o:
            products[" -> ".join(path)] = product
            if len(products) > limit:
                return {}
            continue
        for nxt, z in graph.successors(path[-1]).items():
            stack.append((path + [nxt], product * z))
    return products if len(products) > 1 else {}


def grade_path_derivative(path_derivative):
    """Every (w, o) pair of random DAGs (reachable or not), then the layered graphs."""
    for label, graph in _graded_graphs():
        nodes = graph.nodes
        if label.startswith("a random"):
            queries = [(w, o) for w in nodes for o in nodes][::3]
        else:
            queries = [("w", "o"), (nodes[len(nodes) // 2], "o")]
        for w, o in queries:
            check_path_derivative_case(path_derivative, graph, label, w, o, reference_path_derivative(graph, w, o),
                                       single_path_products(graph, w, o))


def grade_backprop_derivatives(backprop_derivatives):
    """Every output of random DAGs and layered graphs, then a deep graph that only a dynamic program finishes."""
    for label, graph in _graded_graphs():
        outputs = graph.nodes if label.startswith("a random") else ["o"]
        for o in outputs:
            values = reference_backprop(graph, o)
            check_backprop_derivatives_case(backprop_derivatives, graph, label, o,
                                            np.array([values[n] for n in graph.nodes]))
    deep = layered_graph(3, 15, rng=SEED + 1)  # 3^15 (14 million) paths
    check_backprop_linear_cost(backprop_derivatives, deep, "a layered graph of width 3 and depth 15", "o")


__all__ = [
    "grade_numerical_gradient",
    "grade_relative_error",
    "grade_sigmoid",
    "grade_tanh",
    "grade_relu",
    "grade_leaky_relu",
    "grade_softplus",
    "grade_cos_module",
    "grade_path_derivative",
    "grade_backprop_derivatives",
    "random_dag",
]
