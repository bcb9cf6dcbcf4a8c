"""A graph that counts the reads of its edges, to tell a dynamic program from path enumeration.

Backpropagation reads each edge a bounded number of times; enumerating the
paths of a layered graph of width k and depth d reads them about k^d times.
``counting_graph(graph, budget, function_name)`` copies a graph into a
``CountingGraph`` that raises CheckFailure past ``budget`` reads, which also
stops an exponential search early.

The hidden check's graph is rebuilt inside the submission's worker
(autograder/trusted_types.py): it reads the public ``budget`` and
``function_name`` of the judge's copy and calls ``counting_graph`` there by
its dotted path, ``course_lib.selfcheck.nb01.counting.counting_graph``.
"""
from course_lib.graph import Graph
from course_lib.selfcheck.core import CheckFailure


class CountingGraph(Graph):
    """A Graph whose edge reads are counted: successors(i), predecessors(i) and local_derivative(i, j)
    one read each, ``edges`` one per edge.

    budget : int, the most reads allowed; one more raises CheckFailure.
    function_name : str, the student's function, named in that CheckFailure.
    reads : int, the reads so far.
    """

    def __init__(self, budget, function_name):
        super().__init__()
        self.budget = budget
        self.function_name = function_name
        self.reads = 0

    def _count(self, count=1):
        self.reads += count
        if self.reads > self.budget:
            n_edges = len(Graph.edges.fget(self))
            raise CheckFailure(
                f"{self.function_name} read the edges of a graph with {len(self)} nodes and {n_edges} edges "
                f"more than {self.budget} times: it seems to enumerate paths, whose number grows "
                "exponentially with depth. Compute S(i, o) once per node, in reverse topological order, "
                "and reuse it."
            )

    def successors(self, name):
        self._count()
        return super().successors(name)

    def predecessors(self, name):
        self._count()
        return super().predecessors(name)

    def local_derivative(self, src, dst):
        self._count()
        return super().local_derivative(src, dst)

    @property
    def edges(self):
        edges = Graph.edges.fget(self)
        self._count(len(edges))
        return edges


def counting_graph(graph, budget, function_name):
    """A CountingGraph copy of ``graph`` (same nodes, values and local derivatives) with no reads counted yet.

    Past ``budget`` reads it raises CheckFailure naming ``function_name``.
    """
    copy = CountingGraph(budget, function_name)
    for name in graph.topological_order():
        copy.add_node(name, graph.value(name))
    for src, dst, z in graph.edges:
        Graph.add_edge(copy, src, dst, z)
    copy.reads = 0
    return copy
