"""Checks of the derivatives on computational graphs: path_derivative and backprop_derivatives (lecture 004).

The pathwise aggregation lemma: d o / d w is the sum over the paths from w to o
of the product of the local derivatives along each path (1 for w = o, 0 with
no path). Backpropagation computes every S(i, o) = d o / d y(i) at once, in
reverse topological order, S(i, o) = sum_j S(j, o) z(i, j); a deep layered
graph, whose paths are too many to enumerate, tells it from path enumeration
(counting.py).
"""
import numpy as np

from course_lib.gradcheck.naming import format_value
from course_lib.graph import count_paths
from course_lib.selfcheck.common import describe
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb01.cases import LinearCostCase
from course_lib.selfcheck.nb01.counting import counting_graph


def _snapshot(graph):
    return [(n, graph.value(n)) for n in graph.nodes], graph.edges


def check_path_derivative_case(path_derivative, case):
    """One query d o / d w on one graph against the expected value."""
    graph, w, o, value = case.graph, case.w, case.o, case.value
    context = f"path_derivative on {case.label}, d {o} / d {w}"
    before = _snapshot(graph)
    got = path_derivative(graph, w, o)
    if _snapshot(graph) != before:
        raise CheckFailure(f"{context}: the graph was changed; only read it (successors, local_derivative).")
    arr = np.asarray(got)
    if arr.ndim != 0 or not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise CheckFailure(f"{context}: must return one number, got {describe(got)}.")
    got = float(arr)
    if np.isfinite(got) and abs(got - value) <= 1e-9 * max(1.0, abs(value)):
        return
    n_paths = count_paths(graph, w, o)
    if w == o:
        raise CheckFailure(f"{context}: the derivative of a node with respect to itself is 1.0 (one empty path, "
                           f"whose product is 1), got {format_value(got)}.")
    if n_paths == 0:
        raise CheckFailure(f"{context}: no path leads from {w!r} to {o!r}, so the derivative is 0.0, "
                           f"got {format_value(got)}.")
    for path_text, product in case.single_paths.items():
        if abs(got - product) <= 1e-9 * max(1.0, abs(product)):
            raise CheckFailure(
                f"{context}: got {format_value(got)}, the product along the single path {path_text}; "
                f"there are {n_paths} paths and the lemma adds the products of ALL of them."
            )
    raise CheckFailure(f"{context}: expected {format_value(value)}, got {format_value(got)} "
                       f"(there are {n_paths} paths from {w!r} to {o!r}).")


def check_backprop_derivatives_case(backprop_derivatives, case):
    """Every d o / d node of one graph against the expected values, or the read budget of a deep graph."""
    if isinstance(case, LinearCostCase):
        check_backprop_linear_cost(backprop_derivatives, case)
        return
    graph, o, values = case.graph, case.o, case.values
    context = f"backprop_derivatives on {case.label}, output {o!r}"
    before = _snapshot(graph)
    got = backprop_derivatives(graph, o)
    if _snapshot(graph) != before:
        raise CheckFailure(f"{context}: the graph was changed; only read it.")
    if not hasattr(got, "keys") or not hasattr(got, "__getitem__"):
        raise CheckFailure(f"{context}: must return a dict {{node: d o / d node}}, got {describe(got)}.")
    nodes = graph.nodes
    missing = [n for n in nodes if n not in got]
    if missing:
        raise CheckFailure(
            f"{context}: the dict has no entry for {', '.join(repr(n) for n in missing[:5])}; every node of the "
            "graph needs one (0.0 for nodes with no path to o)."
        )
    mine = []
    for n in nodes:
        arr = np.asarray(got[n])
        if arr.ndim != 0 or not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
            raise CheckFailure(f"{context}: the entry for {n!r} must be one number, got {describe(got[n])}.")
        mine.append(float(arr))
    mine = np.array(mine)
    bad = [i for i, (v, e) in enumerate(zip(mine, values)) if not abs(v - e) <= 1e-9 * max(1.0, abs(e))]
    if not bad:
        return
    if nodes.index(o) in bad:
        raise CheckFailure(f"{context}: the derivative of {o!r} with respect to itself must be 1.0 "
                           f"(start the recursion with S(o, o) = 1), got {format_value(mine[nodes.index(o)])}.")
    unreachable = [i for i in bad if not graph.reaches(nodes[i], o)]
    if unreachable and len(unreachable) == len(bad):
        names = ", ".join(repr(nodes[i]) for i in unreachable[:5])
        raise CheckFailure(f"{context}: wrong only at {names}, with no path to {o!r}: the derivative of a node "
                           "without a path to o is 0.0 (o does not depend on it).")
    worst = max(bad, key=lambda i: abs(mine[i] - values[i]))
    names = ", ".join(repr(nodes[i]) for i in bad[:6]) + (", ..." if len(bad) > 6 else "")
    raise CheckFailure(
        f"{context}: wrong at {len(bad)} of {len(nodes)} nodes ({names}); e.g. d {o} / d {nodes[worst]}: expected "
        f"{format_value(values[worst])}, got {format_value(mine[worst])}. Are the nodes visited in REVERSE "
        "topological order, with S(i, o) summing S(j, o) * z(i, j) over all out-edges (i, j)?"
    )


def check_backprop_linear_cost(backprop_derivatives, case):
    """The dynamic program reads each edge a bounded number of times; path enumeration does not."""
    graph, o = case.graph, case.o
    n_items = len(graph) + len(graph.edges)
    counting = counting_graph(graph, case.reads_per_edge * n_items + 100, "backprop_derivatives")
    got = backprop_derivatives(counting, o)
    # Reference-free value check: the derivative of o w.r.t. the input "w" by a centered difference.
    w, step = graph.value("w"), 1e-6
    numerical = (graph.evaluate({"w": w + step})[o] - graph.evaluate({"w": w - step})[o]) / (2 * step)
    mine = float(np.asarray(got["w"])) if hasattr(got, "keys") and "w" in got else None
    if mine is None or not abs(mine - numerical) <= 1e-6 * max(1.0, abs(numerical)):
        raise CheckFailure(
            f"backprop_derivatives on {case.label}: d {o} / d w should be {format_value(numerical)} (a centered "
            f"difference of the forward pass), got {mine if mine is None else format_value(mine)}."
        )
