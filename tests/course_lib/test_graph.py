"""Tests of course_lib.graph: path enumeration and backpropagation agree with each other,
with closed forms and with finite differences of the graph's own forward pass; the
first costs exponentially many multiplications in the depth, the second linearly many.
"""
import numpy as np
import pytest

from course_lib.graph import (
    Graph,
    GraphError,
    backprop_derivatives,
    backprop_derivatives_with_count,
    count_paths,
    layered_graph,
    path_derivative,
    path_derivative_with_count,
    shared_weight_graph,
    two_path_graph,
)


def finite_difference(graph, w, o, h=1e-6):
    x = graph.value(w)
    return (graph.evaluate({w: x + h})[o] - graph.evaluate({w: x - h})[o]) / (2 * h)


def random_dag(n_nodes, edge_prob, rng):
    """Nodes 0..n-1, an edge i -> j (i < j) with probability edge_prob and a random local derivative."""
    g = Graph()
    for i in range(n_nodes):
        g.add_node(f"n{i}", rng.standard_normal())
    for i in range(n_nodes):
        for j in range(i + 1, n_nodes):
            if rng.random() < edge_prob:
                g.add_edge(f"n{i}", f"n{j}", rng.standard_normal())
    return g


@pytest.mark.parametrize("width,depth,seed", [(2, 1, 0), (2, 5, 1), (3, 3, 2), (4, 2, 3), (3, 4, 4)])
def test_paths_equal_backprop_equal_finite_differences_on_layered_graphs(width, depth, seed):
    g = layered_graph(width, depth, rng=seed, w=0.4)
    by_paths = path_derivative(g, "w", "o")
    by_backprop = backprop_derivatives(g, "o")
    assert by_paths == pytest.approx(by_backprop["w"], rel=1e-12, abs=1e-14)
    assert by_paths == pytest.approx(finite_difference(g, "w", "o"), rel=1e-7, abs=1e-10)
    # Every node at once: the derivative with respect to a hidden node too.
    assert path_derivative(g, "h1_1", "o") == pytest.approx(by_backprop["h1_1"], rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("seed", range(4))
def test_paths_equal_backprop_for_every_node_of_a_random_dag(seed):
    rng = np.random.default_rng(seed)
    g = random_dag(9, 0.45, rng)
    o = "n8"
    derivatives = backprop_derivatives(g, o)
    assert list(derivatives) == g.nodes
    for node in g.nodes:
        assert path_derivative(g, node, o) == pytest.approx(derivatives[node], rel=1e-12, abs=1e-12)


def test_shared_weights_add_up():
    w, x = 0.8, 1.5
    g = shared_weight_graph(w=w, x=x)
    d = backprop_derivatives(g, "o")
    assert d["w"] == pytest.approx(d["w_1"] + d["w_2"], rel=1e-14)
    # Closed form of d/dw tanh(w tanh(w x)), derived by hand.
    t = np.tanh(w * x)
    o = np.tanh(w * t)
    closed = (1 - o ** 2) * (t + w * (1 - t ** 2) * x)
    assert d["w"] == pytest.approx(closed, rel=1e-12)
    assert path_derivative(g, "w", "o") == pytest.approx(closed, rel=1e-12)
    assert finite_difference(g, "w", "o") == pytest.approx(closed, rel=1e-8)
    assert count_paths(g, "w", "o") == 2


def test_two_path_example_of_the_lecture():
    w = 0.7
    g = two_path_graph(w)
    closed = -2 * w * np.sin(w ** 2) + 2 * w * np.cos(w ** 2)
    assert path_derivative(g, "w", "o") == pytest.approx(closed, rel=1e-12)
    assert backprop_derivatives(g, "o")["w"] == pytest.approx(closed, rel=1e-12)
    assert count_paths(g, "w", "o") == 2


def test_product_graph_derivative_matches_its_closed_form():
    # Each node multiplies its inputs, so o = w ** (width ** depth).
    width, depth, w = 2, 3, 1.01
    g = layered_graph(width, depth, w=w, op="product")
    n = width ** depth
    assert g.value("o") == pytest.approx(w ** n, rel=1e-12)
    assert path_derivative(g, "w", "o") == pytest.approx(n * w ** (n - 1), rel=1e-12)
    assert backprop_derivatives(g, "o")["w"] == pytest.approx(n * w ** (n - 1), rel=1e-12)


def test_multiplications_grow_exponentially_for_paths_and_linearly_for_backprop():
    width = 3
    path_mults, bp_mults = [], []
    for depth in range(1, 8):
        g = layered_graph(width, depth, rng=depth)
        _, pc = path_derivative_with_count(g, "w", "o")
        _, bc = backprop_derivatives_with_count(g, "o")
        # width**depth paths of depth + 1 edges, each product costing depth multiplications.
        assert pc.paths == width ** depth == count_paths(g, "w", "o")
        assert pc.multiplications == depth * width ** depth
        assert pc.additions == width ** depth - 1
        # One multiplication per edge: width in, width**2 between layers, width out.
        assert bc.multiplications == len(g.edges) == 2 * width + (depth - 1) * width ** 2
        path_mults.append(pc.multiplications)
        bp_mults.append(bc.multiplications)
    assert all(b / a > width for a, b in zip(path_mults, path_mults[1:]))
    assert len(set(np.diff(bp_mults))) == 1  # constant increments: linear in depth
    assert path_mults[-1] > 100 * bp_mults[-1]


def test_degenerate_paths():
    g = Graph()
    g.add_node("a", 1.0)
    g.add_node("b", 2.0)
    g.add_node("c", 3.0)
    g.add_edge("a", "b", 4.0)
    assert path_derivative(g, "a", "a") == 1.0
    assert path_derivative(g, "c", "b") == 0.0  # no path
    assert path_derivative(g, "b", "a") == 0.0  # edges point the other way
    assert backprop_derivatives(g, "b") == {"a": 4.0, "b": 1.0, "c": 0.0}


def test_reaches_says_whether_a_path_exists():
    g = Graph()
    for name in "abcd":
        g.add_node(name, 0.0)
    g.add_edge("a", "b", 1.0)
    g.add_edge("b", "c", 1.0)
    assert g.reaches("a", "c") and g.reaches("b", "c") and g.reaches("d", "d")
    assert not g.reaches("c", "a") and not g.reaches("a", "d")
    with pytest.raises(GraphError, match="'x' is not a node"):
        g.reaches("x", "a")


def test_repeated_input_merges_into_one_edge():
    g = Graph()
    g.add_node("x", 3.0)
    g.add_operation("sq", ["x", "x"], lambda a, b: a * b, lambda a, b: (b, a))
    assert g.local_derivative("x", "sq") == pytest.approx(6.0)
    assert path_derivative(g, "x", "sq") == pytest.approx(6.0)


def test_errors_name_the_problem():
    g = Graph()
    g.add_node("a", 1.0)
    g.add_node("b", 2.0)
    g.add_edge("a", "b", 0.5)
    with pytest.raises(GraphError, match="'zzz' is not a node"):
        path_derivative(g, "zzz", "b")
    with pytest.raises(GraphError, match="'zzz' is not a node"):
        backprop_derivatives(g, "zzz")
    with pytest.raises(GraphError, match="cycle"):
        g.add_edge("b", "a", 1.0)
    with pytest.raises(GraphError, match="cycle"):
        g.add_edge("a", "a", 1.0)
    with pytest.raises(GraphError, match="already exists"):
        g.add_edge("a", "b", 1.0)
    with pytest.raises(GraphError, match="already exists"):
        g.add_node("a", 3.0)
    with pytest.raises(GraphError, match="single real number"):
        g.add_node("c", np.ones(2))
    with pytest.raises(GraphError, match="2 numbers"):
        g.add_operation("d", ["a", "b"], lambda u, v: u + v, lambda u, v: 1.0)


def test_path_enumeration_refuses_astronomical_path_counts():
    g = layered_graph(10, 7, rng=0)  # 10**7 paths
    with pytest.raises(GraphError, match="10000000 paths"):
        path_derivative(g, "w", "o")
    assert np.isfinite(backprop_derivatives(g, "o")["w"])


def test_evaluate_does_not_change_the_graph():
    g = two_path_graph(0.5)
    before = {n: g.value(n) for n in g.nodes}
    values = g.evaluate({"w": 0.9})
    assert values["o"] == pytest.approx(np.cos(0.81) + np.sin(0.81))
    assert {n: g.value(n) for n in g.nodes} == before
    with pytest.raises(GraphError):
        g.evaluate({"nope": 1.0})
