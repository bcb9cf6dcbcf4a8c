"""Notebook 01's cases: what one check is run on, how its inputs are drawn, how they are stored.

A case holds the inputs of one call, the expected results and the results of
the known mistakes on the same inputs ({slug: array}, slugs of
``mistakes.py``). The self-check reads its cases from the values stored with
the notebook (``stored_<x>_cases()``); the hidden check
(autograder/checks/nb01/fresh.py) builds them on other seeds, completing the
inputs drawn here with course_lib's references. Drawing inputs reveals no
answer, so the drawing lives here, where both halves see the same inputs.

Stored keys of ``course_lib/selfcheck/nb01/stored.npz`` (k numbers the cases):
  numerical_gradient_n, numerical_gradient_{k}_{x,coef,h,centered}   h = nan: the default step
  relative_error_n, relative_error_{k}_{a,b,rho}
  {op}_n, {op}_{k}_{x,dout,out,dx,fd}              op in ACTIVATIONS
  cos_module_n, cos_module_{k}_{x,theta,dout,out,dx,dtheta}
  path_derivative_{k}, path_derivative_{k}__{paths,products}         one per PATH_QUERIES entry
  backprop_{k}                                     d o / d node in graph.nodes order, per BACKPROP_QUERIES
and the known mistakes of a case ``prefix`` (see ``course_lib.selfcheck.stored.mistake_entries``):
  numerical_gradient_{k}, relative_error_{k}, {op}_{k}__forward, {op}_{k}__backward,
  cos_module_{k}__{out,dx,dtheta}.
"""
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

import course_lib.selfcheck.stored as stored_values
from course_lib.graph import Graph, layered_graph, shared_weight_graph, two_path_graph
from course_lib.selfcheck.stored import stored

NB = "nb01"

RELU_ALPHA = 0.2
"""The leaky-ReLU slope of the stored cases: not the default 0.01, so a hard-coded slope shows."""

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "softplus")

KINK_GAP = 0.05
"""ReLU inputs used for finite differences are at least this far from 0."""


# ----------------------------------------------------------------------------- the cases
@dataclass
class CubicCase:
    """numerical_gradient on f(x) = sum(coef * x^3), whose centered difference is known exactly.

    x, coef: arrays of one shape; h: the step passed (None: the function's default 1e-5);
    centered: coef (3 x^2 + h^2), the exact centered difference.
    """

    x: np.ndarray
    coef: np.ndarray
    h: Optional[float]
    centered: np.ndarray
    mistakes: dict = field(default_factory=dict)


@dataclass
class FunctionCase:
    """numerical_gradient on any f, against the expected gradient of the same differences."""

    f: Callable
    x: np.ndarray
    h: float
    gradient: np.ndarray
    label: str


@dataclass
class RelativeErrorCase:
    """A pair (a, b) and its rho = ||a - b|| / ||a + b|| (0 for a = b, inf for a = -b != 0)."""

    a: np.ndarray
    b: np.ndarray
    rho: float
    mistakes: dict = field(default_factory=dict)


@dataclass
class ElementwiseCase:
    """One input x of activation ``op`` with dout, the expected out and dx, and the known mistakes of each.

    params: (alpha,) for the leaky ReLU, () otherwise; fd: compare dx with finite differences.
    """

    op: str
    x: np.ndarray
    dout: np.ndarray
    out: np.ndarray
    dx: np.ndarray
    params: tuple = ()
    fd: bool = True
    forward_mistakes: dict = field(default_factory=dict)
    backward_mistakes: dict = field(default_factory=dict)


@dataclass
class CosCase:
    """The cosine module a = cos(theta x) + pi on x, with dout, the expected out, dx, dtheta and mistakes."""

    x: np.ndarray
    theta: float
    dout: np.ndarray
    out: np.ndarray
    dx: np.ndarray
    dtheta: float
    out_mistakes: dict = field(default_factory=dict)
    dx_mistakes: dict = field(default_factory=dict)
    dtheta_mistakes: dict = field(default_factory=dict)


@dataclass
class PathCase:
    """d o / d w on one graph; single_paths: {"w -> ... -> o": product along that path alone}."""

    graph: Graph
    label: str
    w: str
    o: str
    value: float
    single_paths: dict = field(default_factory=dict)


@dataclass
class BackpropCase:
    """Every d o / d node on one graph; values in graph.nodes order."""

    graph: Graph
    label: str
    o: str
    values: np.ndarray


@dataclass
class LinearCostCase:
    """A graph too deep for path enumeration: at most reads_per_edge reads per node and edge."""

    graph: Graph
    label: str
    o: str
    reads_per_edge: int = 20


# ----------------------------------------------------------------------------- drawing inputs
NUMERICAL_GRADIENT_SPECS = [((3, 4), 1e-2), ((2, 3, 4), 1e-3), ((1,), 0.5), ((5,), None)]
"""(shape of x, step h) of the stored cubic cases; None: call without h."""


def cubic_inputs(shape, rng, low=-2.0, high=2.0):
    """(x, coef) for f(x) = sum(coef * x^3): x uniform in [low, high), coef Gaussian."""
    x = rng.uniform(low, high, size=shape)
    return x, rng.standard_normal(shape)


def relative_error_pairs(rng):
    """(a, b) pairs: scalars, vectors, matrices, a batch of one, equal, opposite, both zero."""
    a_vec = rng.standard_normal(5)
    a_mat = rng.standard_normal((3, 4))
    a_row = rng.standard_normal((1, 6))
    a_eq = rng.standard_normal(4)
    a_opp = np.array([1.0, -2.0, 0.5])
    return [
        (np.array(1.5), np.array(1.5000003)),
        (a_vec, a_vec + 1e-7 * rng.standard_normal(5)),
        (a_mat, a_mat * (1.0 + 0.1 * rng.standard_normal((3, 4)))),
        (a_row, 1e-3 * a_row + rng.standard_normal((1, 6))),
        (a_opp, a_opp * np.array([1.0, 1.0, -1.0])),
        (a_mat, -a_mat),
        (np.zeros((2, 3)), np.zeros((2, 3))),
        (a_eq, a_eq.copy()),
    ]


def away_from_kink(x, gap=KINK_GAP):
    """Entries closer than ``gap`` to 0 are moved to +-2 gap, keeping their sign."""
    return np.where(np.abs(x) < gap, np.copysign(2 * gap, x), x)


def activation_inputs(op, rng):
    """(x, fd) cases for one activation: three shapes with every dimension distinct, then special inputs."""
    cases = []
    for shape in [(3, 4), (1, 5), (2, 3, 4)]:
        x = 2.0 * rng.standard_normal(shape)
        if op in ("relu", "leaky_relu"):
            x = away_from_kink(x)
        cases.append((x, True))
    if op in ("relu", "leaky_relu"):
        # exact zeros: the derivative at the kink follows the lecture's x <= 0 branch
        cases.append((np.array([[-1.0, 0.0, 0.7, 0.0, -0.2], [0.0, 2.0, -3.0, 0.0, 0.4]]), False))
    elif op == "softplus":
        cases.append((np.array([[-1000.0, -50.0, -3.0, 0.0], [2.0, 40.0, 710.0, 1000.0]]), False))
    else:
        cases.append((np.array([-12.0, -8.0, -0.5, 0.25, 7.0, 11.0]), True))  # the saturated tails
    return cases


def activation_params(op):
    """The extra arguments of ``op``'s forward in the stored cases: the leaky ReLU's alpha."""
    return (RELU_ALPHA,) if op == "leaky_relu" else ()


COS_SPECS = [((3, 4), 1.7), ((1, 5), -0.6), ((2, 3, 4), 2.3)]
"""(shape of x, theta) of the stored cosine-module cases."""


def hand_graph():
    """A small DAG built edge by edge: skip connections, a second input x, a dead end.

    Edges (z): w->a 0.5, w->b -1.5, w->c 0.9, a->b 2.0, a->o 0.3, a->dead 3.0,
    b->c 1.2, b->o 0.4, c->o -0.7, x->c 2.5. The node "dead" has no path to o.
    The nodes are added out of topological order, so graph.nodes is not an order to compute in.
    """
    g = Graph()
    for name, value in [("o", 0.5), ("c", -0.8), ("w", 0.4), ("dead", 0.6), ("b", 1.3), ("x", -1.1), ("a", 0.2)]:
        g.add_node(name, value)
    for src, dst, z in [("w", "a", 0.5), ("w", "b", -1.5), ("w", "c", 0.9), ("a", "b", 2.0), ("a", "o", 0.3),
                        ("a", "dead", 3.0), ("b", "c", 1.2), ("b", "o", 0.4), ("c", "o", -0.7), ("x", "c", 2.5)]:
        g.add_edge(src, dst, z)
    return g


def example_graphs():
    """The graphs of the stored cases: {label: Graph}, rebuilt identically on every call."""
    return {
        "the two-path graph o = cos(w^2) + sin(w^2), w = 0.7": two_path_graph(0.7),
        "the shared-weight graph o = tanh(w tanh(w x))": shared_weight_graph(0.8, 1.5),
        "a layered tanh graph of width 3 and depth 4": layered_graph(3, 4, rng=11),
        "the lecture's product graph of width 2 and depth 5": layered_graph(2, 5, op="product", w=1.1),
        "a hand-built graph with skip edges and a dead end": hand_graph(),
    }


PATH_QUERIES = [
    # (graph label index, w, o)
    (0, "w", "o"), (0, "y", "o"), (1, "w", "o"), (1, "w_2", "o"), (2, "w", "o"), (2, "h2_1", "o"),
    (3, "w", "o"), (4, "w", "o"), (4, "x", "o"), (4, "a", "c"), (4, "dead", "o"), (4, "c", "w"), (4, "o", "o"),
]
BACKPROP_QUERIES = [(0, "o"), (1, "o"), (2, "o"), (3, "o"), (4, "o"), (4, "c"), (2, "h3_2")]


def deep_graph():
    """(label, graph) of the self-check's cost case: 2^20 paths, which path enumeration cannot finish."""
    return "a layered graph of width 2 and depth 20", layered_graph(2, 20, rng=5)


# ----------------------------------------------------------------------------- stored layout
def stored_mistakes(prefix):
    """The known mistakes {slug: array} of the stored case ``prefix``, in their stored order."""
    return stored_values.stored_mistakes(NB, prefix)


def stored_count(kind):
    """How many stored cases of ``kind`` there are (the entry "<kind>_n")."""
    return stored_values.stored_count(NB, kind)


# ----------------------------------------------------------------------------- stored cases
def stored_numerical_gradient_cases():
    cases = []
    for k in range(stored_count("numerical_gradient")):
        key = f"numerical_gradient_{k}"
        h = float(stored(NB, f"{key}_h"))
        cases.append(CubicCase(stored(NB, f"{key}_x"), stored(NB, f"{key}_coef"), None if np.isnan(h) else h,
                               stored(NB, f"{key}_centered"), stored_mistakes(key)))
    return cases


def stored_relative_error_cases():
    return [RelativeErrorCase(stored(NB, f"relative_error_{k}_a"), stored(NB, f"relative_error_{k}_b"),
                              float(stored(NB, f"relative_error_{k}_rho")), stored_mistakes(f"relative_error_{k}"))
            for k in range(stored_count("relative_error"))]


def stored_elementwise_cases(op):
    cases = []
    for k in range(stored_count(op)):
        key = f"{op}_{k}"
        cases.append(ElementwiseCase(
            op, stored(NB, f"{key}_x"), stored(NB, f"{key}_dout"), stored(NB, f"{key}_out"),
            stored(NB, f"{key}_dx"), activation_params(op), bool(stored(NB, f"{key}_fd")),
            stored_mistakes(f"{key}__forward"), stored_mistakes(f"{key}__backward")))
    return cases


def stored_cos_module_cases():
    cases = []
    for k in range(stored_count("cos_module")):
        key = f"cos_module_{k}"
        cases.append(CosCase(
            stored(NB, f"{key}_x"), float(stored(NB, f"{key}_theta")), stored(NB, f"{key}_dout"),
            stored(NB, f"{key}_out"), stored(NB, f"{key}_dx"), float(stored(NB, f"{key}_dtheta")),
            stored_mistakes(f"{key}__out"), stored_mistakes(f"{key}__dx"), stored_mistakes(f"{key}__dtheta")))
    return cases


def stored_path_cases():
    graphs = list(example_graphs().items())
    cases = []
    for k, (index, w, o) in enumerate(PATH_QUERIES):
        label, graph = graphs[index]
        paths, products = stored(NB, f"path_derivative_{k}__paths"), stored(NB, f"path_derivative_{k}__products")
        cases.append(PathCase(graph, label, w, o, float(stored(NB, f"path_derivative_{k}")),
                              {str(p): float(v) for p, v in zip(paths, products)}))
    return cases


def stored_backprop_cases():
    """The stored derivatives of every node, then the deep graph of the cost case."""
    graphs = list(example_graphs().items())
    cases = []
    for k, (index, o) in enumerate(BACKPROP_QUERIES):
        label, graph = graphs[index]
        cases.append(BackpropCase(graph, label, o, stored(NB, f"backprop_{k}")))
    label, graph = deep_graph()
    return cases + [LinearCostCase(graph, label, "o")]
