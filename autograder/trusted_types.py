"""Judge-side objects that a check may hand to a submission, and how they cross to the worker.

A check passes course_lib objects to the student's functions: a Graph to
path_derivative, notebook 01's read-counting graph to backprop_derivatives, a
Module (Sequential, Linear, ...) to layer_gradient_norms. They are not plain
data, and the judge's own object must not reach the submission's process, so
each kind is rebuilt inside the worker from plain data (``build``), reused
while it is unchanged (``fingerprint``), and its changes are copied back
after the call (``sync``). ``TRUSTED_TYPES`` lists the kinds in the order
autograder/proxies/effects.py tries them.
"""
import inspect

import numpy as np

PLAIN_SCALARS = (bool, int, float, str, type(None), np.generic)
"""Values that cross to the worker and back as they are."""


class ProxyError(Exception):
    """The judge cannot send an argument to the submission (a check passed an unsupported object)."""


class TrustedType:
    """How to rebuild one kind of judge-side object in the worker, and copy its changes back.

    ``build(remote, obj) -> Handle``; ``fingerprint(obj)`` (or None: rebuild on
    every call) decides whether a copy made earlier is still good;
    ``sync(remote, obj, handle)`` copies changes back after a call. Each
    request to the worker may take ``remote.timeout(label)`` seconds.
    """

    def __init__(self, accepts, build, fingerprint=None, sync=None):
        self.accepts, self.build, self.fingerprint, self.sync = accepts, build, fingerprint, sync


def _graph_class():
    from course_lib.graph import Graph
    return Graph


COUNTING_GRAPH_FACTORY = "course_lib.selfcheck.nb01.counting.counting_graph"
"""Makes notebook 01's read-counting graph in the worker: (graph, budget, function_name) -> CountingGraph."""


def _counting_graph_class():
    from course_lib.selfcheck.nb01.counting import CountingGraph
    return CountingGraph


def _is_counting_graph(obj):
    return type(obj) is _counting_graph_class()


def _graph_fingerprint(obj):
    Graph = _graph_class()
    nodes = Graph.nodes.fget(obj)
    return tuple((n, Graph.value(obj, n)) for n in nodes), tuple(Graph.edges.fget(obj))


def _build_graph(remote, obj):
    """course_lib.graph.Graph: the same nodes (in the same order), values and local derivatives.

    Read through the base class, so a counting subclass does not count the copying.
    Nodes made by add_operation arrive as plain nodes (their functions stay here).
    """
    worker, timeout = remote.worker, remote.timeout("copying a graph")
    nodes, edges = _graph_fingerprint(obj)
    handle = worker.new("course_lib.graph.Graph", timeout=timeout)
    # every node and edge in one request (a graph of 300 nodes took 600 round trips)
    calls = ([((handle, "add_node"), (name, value), {}) for name, value in nodes]
             + [((handle, "add_edge"), (src, dst, z), {}) for src, dst, z in edges])
    if calls:
        for outcome in worker.call_many(calls, timeout=timeout, until=remote.deadline):
            if outcome.fault is not None:
                raise outcome.fault
    return handle


def _build_counting_graph(remote, obj):
    """Notebook 01's read-counting graph (course_lib.selfcheck.nb01.counting), made in the worker by its factory.

    It gets the public ``budget`` and ``function_name`` of the judge's copy; the
    budget's CheckFailure is raised in the worker and reaches the check as a CheckFailure.
    """
    budget, function_name = int(obj.budget), str(obj.function_name)
    plain = _build_graph(remote, obj)
    return remote.worker.call(COUNTING_GRAPH_FACTORY, (plain, budget, function_name),
                              keep="all", timeout=remote.timeout("copying a graph"))


def _is_module(obj):
    cls = type(obj)
    if not cls.__module__.startswith("course_lib."):
        return False
    from course_lib.modules import Module
    return isinstance(obj, Module)


def _build_module(remote, obj):
    """A course_lib Module (Sequential included): the same class, arguments, parameters and mode.

    Constructor arguments are read from attributes of the same name
    (Linear.in_features, LeakyReLU.alpha); other public plain attributes
    (running averages) are set after construction; params are written with
    course_lib.params.set_flat_params.
    """
    from course_lib.modules import Sequential
    from course_lib.params import get_flat_params

    worker, timeout = remote.worker, remote.timeout("copying a model")
    cls = type(obj)
    target = f"{cls.__module__}.{cls.__qualname__}"
    if isinstance(obj, Sequential):
        handle = worker.new(target, [_build_module(remote, layer) for layer in obj.layers], timeout=timeout)
    else:
        kwargs = {}
        for name, param in inspect.signature(cls.__init__).parameters.items():
            if name == "self" or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            if name in vars(obj) and isinstance(vars(obj)[name], PLAIN_SCALARS):
                kwargs[name] = vars(obj)[name]
            elif param.default is param.empty and name != "rng":
                raise ProxyError(f"cannot copy a {cls.__name__} into the submission's worker: "
                                 f"its argument {name!r} is not kept as an attribute")
        handle = worker.new(target, (), kwargs, timeout=timeout)
        for name, value in vars(obj).items():
            if name.startswith("_") or name in kwargs or name in ("params", "grads", "training"):
                continue
            if isinstance(value, PLAIN_SCALARS) or isinstance(value, np.ndarray):
                worker.call_method(handle, "__setattr__", (name, value), timeout=timeout)
    if obj.params:
        worker.call("course_lib.params.set_flat_params", (handle, get_flat_params(obj)), timeout=timeout)
    worker.call_method(handle, "train" if obj.training else "eval", timeout=timeout, keep="all")
    return handle


def _sync_module(remote, obj, handle):
    """Copy a model's parameters (in place) and gradients back from the worker."""
    from course_lib.modules import Sequential
    from course_lib.params import get_flat_params, set_flat_params

    worker, timeout = remote.worker, remote.timeout("reading back a model")
    if obj.params:
        theta = worker.call("course_lib.params.get_flat_params", (handle,), timeout=timeout)
        if not np.array_equal(theta, get_flat_params(obj)):
            set_flat_params(obj, theta)
    grads = worker.get_attr(handle, "grads", timeout=timeout)
    for qualified, value in grads.items() if isinstance(grads, dict) else ():
        if isinstance(obj, Sequential):
            index, _, name = str(qualified).partition(".")
            if index.isdigit() and int(index) < len(obj.layers):
                obj.layers[int(index)].grads[name] = value
        else:
            obj.grads[qualified] = value


TRUSTED_TYPES = [
    TrustedType(_is_counting_graph, _build_counting_graph, _graph_fingerprint),
    TrustedType(lambda obj: type(obj) is _graph_class(), _build_graph, _graph_fingerprint),
    TrustedType(_is_module, _build_module, None, _sync_module),
]
"""Judge-side objects a check may pass to a submission, in the order they are tried."""
