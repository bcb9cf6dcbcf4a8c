"""Scalar computational graphs: derivatives by path enumeration and by backpropagation.

A computational graph is a directed acyclic graph. Node i holds a value y(i);
the edge (i, j) holds the local derivative z(i, j) = d y(j) / d y(i).

The pathwise aggregation lemma: the derivative of an output o with respect to
a node w is the sum, over every path P from w to o, of the product of the
local derivatives along P,

    d o / d w = sum_{P in paths(w, o)} prod_{(i, j) in P} z(i, j).

``path_derivative`` evaluates this literally. A layered graph of width k and
depth d has k^d paths, so the work grows exponentially with depth.

Backpropagation is dynamic programming on the same sum. With S(o, o) = 1 and

    S(i, o) = sum_{j in A(i)} S(j, o) * z(i, j)      (A(i): the heads of i's out-edges)

computed in reverse topological order, every S(i, o) = d o / d y(i) comes out
at once with one multiplication per edge (``backprop_derivatives``).

A weight used at several places is handled the same way: give each use its
own copy node fed by the weight through an edge with z = 1, and the
derivative of the weight is the sum of the copies' derivatives
(``shared_weight_graph``).

Both algorithms can report how many multiplications and additions they did:
``path_derivative_with_count`` and ``backprop_derivatives_with_count`` return
``(result, OpCount)``; the graded ``path_derivative(graph, w, o)`` and
``backprop_derivatives(graph, o)`` return the plain values.
"""
from collections import deque
from dataclasses import dataclass
from typing import Optional

import numpy as np

from course_lib.validation import check_positive_int, check_rng

DEFAULT_MAX_PATHS = 10**6
"""path_derivative refuses graphs with more paths than this (pass max_paths=None to insist)."""


class GraphError(ValueError):
    """An unknown node, a duplicate, a cycle, or a graph too large to enumerate."""


@dataclass(frozen=True)
class OpCount:
    """Arithmetic done by a derivative algorithm.

    multiplications : products of two numbers.
    additions : sums of two numbers.
    paths : number of paths enumerated (None for backpropagation).
    """

    multiplications: int
    additions: int
    paths: Optional[int] = None


def _as_scalar(what, value):
    arr = np.asarray(value)
    if arr.size != 1 or not np.issubdtype(arr.dtype, np.number):
        raise GraphError(f"{what} must be a single real number (this is a scalar graph), "
                         f"got {value!r}.")
    return float(arr.reshape(()))


class Graph:
    """A scalar computational graph built node by node.

    ``add_node(name, value)``            a node with a given value (an input, a weight)
    ``add_edge(src, dst, z)``            the local derivative z = d y(dst) / d y(src)
    ``add_operation(name, inputs, fn, partials)``
                                         a node computed from earlier nodes; its value
                                         and the local derivatives of its in-edges are
                                         computed, and ``evaluate`` can recompute it
    """

    def __init__(self):
        self._values = {}  # name -> float, in insertion order
        self._succ = {}    # name -> {dst: z}
        self._pred = {}    # name -> {src: z}
        self._ops = {}     # name -> (inputs, fn) for nodes made by add_operation

    # ------------------------------------------------------------------ building
    def add_node(self, name, value):
        """Add a node with the given scalar value; returns the name."""
        if not isinstance(name, str) or not name:
            raise GraphError(f"node names must be non-empty strings, got {name!r}.")
        if name in self._values:
            raise GraphError(f"node {name!r} already exists; each node is added once.")
        self._values[name] = _as_scalar(f"the value of node {name!r}", value)
        self._succ[name] = {}
        self._pred[name] = {}
        return name

    def add_edge(self, src, dst, local_derivative):
        """Add the edge src -> dst holding z(src, dst) = d y(dst) / d y(src).

        Refuses unknown nodes, a second edge between the same pair (add the two
        local derivatives into one edge instead) and edges that close a cycle.
        """
        self._require(src, "src")
        self._require(dst, "dst")
        if src == dst:
            raise GraphError(f"an edge from {src!r} to itself would be a cycle; "
                             "computational graphs are acyclic.")
        if dst in self._succ[src]:
            raise GraphError(f"the edge {src!r} -> {dst!r} already exists; if y({dst}) "
                             f"depends on y({src}) twice, add both local derivatives into "
                             "one edge.")
        if self.reaches(dst, src):
            raise GraphError(f"the edge {src!r} -> {dst!r} would close a cycle ({dst!r} "
                             f"already leads to {src!r}); computational graphs are acyclic.")
        z = _as_scalar(f"the local derivative of {src!r} -> {dst!r}", local_derivative)
        self._succ[src][dst] = z
        self._pred[dst][src] = z

    def add_operation(self, name, inputs, fn, partials):
        """Add a node y(name) = fn(*input values) with its in-edges.

        Parameters
        ----------
        name : str, the new node.
        inputs : list of existing node names (a name may repeat, e.g. x * x).
        fn : callable(*values) -> float, the node's function.
        partials : callable(*values) -> sequence of floats, the partial
            derivative of fn with respect to each input, in order (a single
            number for a single input).

        The value and the local derivatives are computed at the current values
        of the inputs. Returns the name.
        """
        inputs = list(inputs)
        if not inputs:
            raise GraphError(f"operation {name!r} needs at least one input; use add_node "
                             "for a node with a given value.")
        for i in inputs:
            self._require(i, f"an input of {name!r}")
        args = [self._values[i] for i in inputs]
        value = fn(*args)
        local = np.atleast_1d(np.asarray(partials(*args), dtype=np.float64))
        if local.shape != (len(inputs),):
            got = local.shape[0] if local.ndim == 1 else f"shape {local.shape}"
            raise GraphError(f"partials of {name!r} must return {len(inputs)} numbers, one "
                             f"per input, got {got}.")
        self.add_node(name, value)
        merged = {}
        for i, z in zip(inputs, local):
            merged[i] = merged.get(i, 0.0) + float(z)  # a repeated input: its paths add up
        for i, z in merged.items():
            self.add_edge(i, name, z)
        self._ops[name] = (tuple(inputs), fn)
        return name

    # ------------------------------------------------------------------ reading
    @property
    def nodes(self):
        """Node names in the order they were added."""
        return list(self._values)

    @property
    def edges(self):
        """List of (src, dst, local_derivative)."""
        return [(s, d, z) for s, out in self._succ.items() for d, z in out.items()]

    def value(self, name):
        self._require(name, "name")
        return self._values[name]

    def local_derivative(self, src, dst):
        self._require(src, "src")
        self._require(dst, "dst")
        if dst not in self._succ[src]:
            raise GraphError(f"there is no edge {src!r} -> {dst!r}.")
        return self._succ[src][dst]

    def successors(self, name):
        """{dst: z(name, dst)} for the out-edges of ``name`` (the set A(i) of the lecture)."""
        self._require(name, "name")
        return dict(self._succ[name])

    def predecessors(self, name):
        """{src: z(src, name)} for the in-edges of ``name``."""
        self._require(name, "name")
        return dict(self._pred[name])

    def __contains__(self, name):
        return name in self._values

    def __len__(self):
        return len(self._values)

    def __repr__(self):
        return f"Graph({len(self._values)} nodes, {len(self.edges)} edges)"

    def reaches(self, start, target):
        """True when a path leads from node ``start`` to node ``target`` (a node reaches itself).

        When it is False, ``target`` does not depend on ``start``: d target / d start = 0.
        Follows the edges directly, so a subclass that counts reads of ``successors``
        does not count this walk.
        """
        self._require(start, "start")
        self._require(target, "target")
        stack, seen = [start], {start}
        while stack:
            node = stack.pop()
            if node == target:
                return True
            for nxt in self._succ[node]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return False

    def topological_order(self):
        """Nodes ordered so that every edge goes forward (Kahn's algorithm)."""
        indegree = {n: len(self._pred[n]) for n in self._values}
        ready = deque(n for n in self._values if indegree[n] == 0)
        order = []
        while ready:
            node = ready.popleft()
            order.append(node)
            for nxt in self._succ[node]:
                indegree[nxt] -= 1
                if indegree[nxt] == 0:
                    ready.append(nxt)
        if len(order) != len(self._values):
            raise GraphError("the graph has a cycle; computational graphs are acyclic.")
        return order

    def evaluate(self, overrides=None):
        """Forward pass: all node values after setting some of them.

        ``overrides`` maps node names to new values; nodes made by
        ``add_operation`` are recomputed from their inputs in topological
        order (unless overridden themselves), other nodes keep their values.
        The graph itself is not changed. Returns dict name -> value, which is
        what a finite-difference check of a derivative needs:
        ``(g.evaluate({"w": w + h})["o"] - g.evaluate({"w": w - h})["o"]) / (2 * h)``.
        """
        values = dict(self._values)
        overrides = dict(overrides or {})
        for name, v in overrides.items():
            self._require(name, "an override")
            values[name] = _as_scalar(f"the override of {name!r}", v)
        for node in self.topological_order():
            if node in self._ops and node not in overrides:
                inputs, fn = self._ops[node]
                values[node] = float(fn(*[values[i] for i in inputs]))
        return values

    # ------------------------------------------------------------------ internals
    def _require(self, name, what):
        if name not in self._values:
            known = ", ".join(repr(n) for n in list(self._values)[:8])
            more = ", ..." if len(self._values) > 8 else ""
            raise GraphError(f"{what} {name!r} is not a node of the graph (nodes: "
                             f"{known}{more}); add it with add_node first.")

    def _ancestors_of(self, o):
        """Nodes with a path to o, o included."""
        stack, seen = [o], {o}
        while stack:
            node = stack.pop()
            for prev in self._pred[node]:
                if prev not in seen:
                    seen.add(prev)
                    stack.append(prev)
        return seen


# ---------------------------------------------------------------------- path enumeration
def count_paths(graph, w, o):
    """Number of paths from w to o (by dynamic programming, so it is cheap)."""
    graph._require(w, "w")
    graph._require(o, "o")
    reach = graph._ancestors_of(o)
    counts = {o: 1}
    for node in reversed(graph.topological_order()):
        if node in reach and node != o:
            counts[node] = sum(counts[j] for j in graph._succ[node] if j in reach)
    return counts.get(w, 0)


def _paths(graph, w, o, reach):
    """Yield every path from w to o as a list of nodes (depth-first)."""
    stack = [[w]]
    while stack:
        path = stack.pop()
        last = path[-1]
        if last == o:
            yield path
            continue
        for nxt in reversed(list(graph._succ[last])):
            if nxt in reach:
                stack.append(path + [nxt])


def path_derivative_with_count(graph, w, o, max_paths=DEFAULT_MAX_PATHS):
    """The pathwise aggregation lemma, literally; returns (d o / d w, OpCount).

    Every path P from w to o is listed, the product M(P) of its local
    derivatives is computed from scratch (len(P) - 1 multiplications), and the
    products are added (one addition per path after the first). d o / d w is
    0.0 when no path exists and 1.0 when w is o (the empty path).

    Raises GraphError when there are more than ``max_paths`` paths, because
    enumerating them would not finish in reasonable time (which is the
    point of the lecture); pass ``max_paths=None`` to enumerate anyway.
    """
    graph._require(w, "w")
    graph._require(o, "o")
    n_paths = count_paths(graph, w, o)
    if max_paths is not None and n_paths > max_paths:
        raise GraphError(f"there are {n_paths} paths from {w!r} to {o!r}, more than "
                         f"max_paths={max_paths}; enumerating them is exponential work. Use "
                         "backprop_derivatives, or pass max_paths=None to insist.")
    reach = graph._ancestors_of(o)
    total, mults, adds, seen = 0.0, 0, 0, 0
    for path in _paths(graph, w, o, reach):
        product = 1.0
        for k, (i, j) in enumerate(zip(path, path[1:])):
            z = graph._succ[i][j]
            if k == 0:
                product = z
            else:
                product *= z
                mults += 1
        if seen:
            adds += 1
        total += product
        seen += 1
    return total, OpCount(multiplications=mults, additions=adds, paths=seen)


def path_derivative(graph, w, o, max_paths=DEFAULT_MAX_PATHS):
    """d o / d w as the sum over all paths from w to o of the products of local derivatives.

    graph : Graph; w, o : node names. Returns a float. See
    ``path_derivative_with_count`` for the operation count and ``max_paths``.
    """
    return path_derivative_with_count(graph, w, o, max_paths)[0]


# ---------------------------------------------------------------------- backpropagation
def backprop_derivatives_with_count(graph, o):
    """Dynamic programming from o backwards; returns ({node: d o / d node}, OpCount).

    S(o) = 1; for each node i in reverse topological order,
    S(i) = sum over out-edges (i, j) leading towards o of S(j) * z(i, j):
    one multiplication per such edge. Nodes with no path to o get 0.0.
    """
    graph._require(o, "o")
    reach = graph._ancestors_of(o)
    derivative = {o: 1.0}
    mults = adds = 0
    for node in reversed(graph.topological_order()):
        if node == o or node not in reach:
            continue
        terms = [derivative[j] * z for j, z in graph._succ[node].items() if j in reach]
        mults += len(terms)
        adds += len(terms) - 1
        derivative[node] = float(sum(terms))
    result = {node: derivative.get(node, 0.0) for node in graph.nodes}
    return result, OpCount(multiplications=mults, additions=adds)


def backprop_derivatives(graph, o):
    """{node: d o / d node} for every node of the graph, by backpropagation.

    graph : Graph; o : the output node. Returns a dict in node order.
    """
    return backprop_derivatives_with_count(graph, o)[0]


# ---------------------------------------------------------------------- example graphs
def _product(*values):
    return float(np.prod(values))


def _product_partials(*values):
    """d(prod)/d(value_k) = product of the other values (no division, zeros allowed)."""
    return [float(np.prod(values[:k] + values[k + 1:])) for k in range(len(values))]


def layered_graph(width, depth, rng=None, w=0.5, op="tanh"):
    """The lecture's deep graph: input w, ``depth`` layers of ``width`` nodes, output o.

    Node names: "w", "h{layer}_{unit}" (layer 1..depth, unit 1..width) and "o".
    Every node of a layer feeds every node of the next, so there are
    width**depth paths from w to o.

    op="tanh": h = tanh(sum_i a_i y_i) with Gaussian weights a_i / sqrt(fan-in)
    drawn from ``rng`` (seed or Generator); o = sum of the last layer.
    op="product": every node multiplies its inputs (layer 1 copies w; o is the
    product of the last layer), the lecture's example where the product of
    the local derivatives along a path is the product of the values off it.
    """
    width = check_positive_int("width", width)
    depth = check_positive_int("depth", depth)
    if op not in ("tanh", "product"):
        raise ValueError(f"op must be 'tanh' or 'product', got {op!r}.")
    rng = check_rng(rng)
    g = Graph()
    g.add_node("w", w)
    previous = ["w"]
    for layer in range(1, depth + 1):
        current = []
        for unit in range(1, width + 1):
            name = f"h{layer}_{unit}"
            if op == "product":
                g.add_operation(name, previous, _product, _product_partials)
            else:
                a = rng.standard_normal(len(previous)) / np.sqrt(len(previous))
                g.add_operation(name, previous, _tanh_unit(a), _tanh_unit_partials(a))
            current.append(name)
        previous = current
    if op == "product":
        g.add_operation("o", previous, _product, _product_partials)
    else:
        g.add_operation("o", previous, lambda *ys: float(sum(ys)), lambda *ys: [1.0] * len(ys))
    return g


def _tanh_unit(a):
    return lambda *ys: float(np.tanh(np.dot(a, ys)))


def _tanh_unit_partials(a):
    def partials(*ys):
        out = np.tanh(np.dot(a, ys))
        return a * (1.0 - out * out)

    return partials


def shared_weight_graph(w=0.8, x=1.5):
    """o = tanh(w * tanh(w * x)): one weight w used in two places.

    Each use gets a copy node ("w_1", "w_2") fed by "w" with local derivative
    1, so backpropagation gives d o / d w = d o / d w_1 + d o / d w_2: shared
    weights add up. Other nodes: "x", "a_1" = w_1 x, "h" = tanh(a_1),
    "a_2" = w_2 h, "o" = tanh(a_2).
    """
    g = Graph()
    g.add_node("w", w)
    g.add_node("x", x)
    g.add_operation("w_1", ["w"], lambda v: v, lambda v: 1.0)
    g.add_operation("w_2", ["w"], lambda v: v, lambda v: 1.0)
    g.add_operation("a_1", ["w_1", "x"], lambda u, v: u * v, lambda u, v: (v, u))
    g.add_operation("h", ["a_1"], np.tanh, lambda a: 1.0 - np.tanh(a) ** 2)
    g.add_operation("a_2", ["w_2", "h"], lambda u, v: u * v, lambda u, v: (v, u))
    g.add_operation("o", ["a_2"], np.tanh, lambda a: 1.0 - np.tanh(a) ** 2)
    return g


def two_path_graph(w=0.5):
    """o = cos(w^2) + sin(w^2): the node y = w^2 reaches o along two paths.

    Nodes "w", "y" = w^2, "p" = cos(y), "q" = sin(y), "o" = p + q; the lemma
    gives d o / d w = 2w (-sin(w^2)) + 2w cos(w^2), one term per path.
    """
    g = Graph()
    g.add_node("w", w)
    g.add_operation("y", ["w"], lambda v: v * v, lambda v: 2.0 * v)
    g.add_operation("p", ["y"], np.cos, lambda y: -np.sin(y))
    g.add_operation("q", ["y"], np.sin, np.cos)
    g.add_operation("o", ["p", "q"], lambda p, q: p + q, lambda p, q: (1.0, 1.0))
    return g
