"""Self-checks of notebook 01 (backpropagation derivation), shipped with the student release.

No reference implementation of a graded function is used here. The expected
values come from three places:
  * stored arrays, ``expected("nb01", key)``, computed by the instructor's build
    (autograder/expected/nb01.py) with the inputs stored next to them;
  * closed forms: the centered difference of a cubic is known exactly;
  * the student's own forward: its finite differences must match the backward.

The helpers that compare one case (``check_*_case``) take the expected arrays
as arguments, so the hidden grading checks (autograder/checks/nb01.py) reuse
them with values computed from course_lib on fresh inputs.
"""
import numpy as np

from course_lib.gradcheck import numerical_gradient_array
from course_lib.gradcheck.naming import describe_index, describe_shape, format_value
from course_lib.selfcheck.common import (
    call_backward,
    call_forward,
    describe,
    misfit,
    require_array,
    require_fd_agreement,
    require_gradient,
    require_values,
    stored_count,
)
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.expected import expected

NB = "nb01"
RELU_ALPHA = 0.2
"""The leaky-ReLU slope of the stored cases: not the default 0.01, so a hard-coded slope shows."""

IN_PLACE_FIX = "compute the output in a new array (np.maximum(x, 0.0) rather than x[x < 0] = 0)."
"""What to do instead of changing x in place. The forwards get x itself (copy=False), so a cache may keep it."""

# ----------------------------------------------------------------------------- numerical_gradient


def _cubic(coef, shape):
    """f(z) = sum(coef * z**3), refusing to be called with an array of the wrong shape."""

    def f(z):
        if np.shape(z) != shape:
            raise CheckFailure(
                f"numerical_gradient called f with an array of shape {np.shape(z)}; f must always receive an "
                f"array of x's shape {describe_shape(shape)} (perturb one entry of x, do not flatten it)."
            )
        return float(np.sum(coef * np.asarray(z) ** 3))

    return f


def check_numerical_gradient_case(numerical_gradient, x, coef, h=None):
    """One case: the gradient of f(x) = sum(coef * x^3), whose centered difference is known exactly.

    (c (x+h)^3 - c (x-h)^3) / (2h) = c (3 x^2 + h^2): the h^2 term proves that
    the step h was used and that the difference was centered.
    """
    step = 1e-5 if h is None else h
    context = f"numerical_gradient on x of shape {describe_shape(x.shape)}" + ("" if h is None else f", h = {h:g}")
    x_in = x.copy()
    f = _cubic(coef, x.shape)
    grad = numerical_gradient(f, x_in) if h is None else numerical_gradient(f, x_in, h)
    if not np.array_equal(x_in, x):
        raise CheckFailure(
            f"{context}: x was changed by the call; restore every entry after perturbing it "
            "(x[i] = old), or perturb a copy of x."
        )
    grad = require_array(f"{context}: the gradient", grad, x.shape)
    centered = coef * (3 * x**2 + step**2)
    # Rounding of f(x +- h) is about eps * sum|coef x^3| / h; the exact formula is far tighter than 1e-6.
    if misfit(centered, grad) <= 1e-8:
        return
    variants = {
        "the forward difference (f(x + h e_i) - f(x)) / h; use the centered difference "
        "(f(x + h e_i) - f(x - h e_i)) / (2h)": coef * (3 * x**2 + 3 * x * step + step**2),
        "the backward difference (f(x) - f(x - h e_i)) / h; use the centered difference "
        "(f(x + h e_i) - f(x - h e_i)) / (2h)": coef * (3 * x**2 - 3 * x * step + step**2),
        "twice the centered difference: divide f(x + h e_i) - f(x - h e_i) by 2h, not by h": 2 * centered,
        "half the centered difference: divide f(x + h e_i) - f(x - h e_i) by 2h, not by 4h": 0.5 * centered,
        "the same number in every entry, the derivative along (1, ..., 1): perturb ONE coordinate "
        "at a time, x + h e_i, not the whole array": np.full(x.shape, float(np.sum(centered))),
        "the exact gradient without the h^2 term of a centered difference with step h: "
        "use the step h that is passed in, not a step of your own": 3 * coef * x**2,
    }
    for mistake, value in variants.items():
        # Only variants that a check with this h can tell apart from the right answer.
        if misfit(value, centered) > 1e-6 and misfit(value, grad) <= 1e-7:
            raise CheckFailure(f"{context}: the result is {mistake}.")
    require_gradient(context, "the gradient", centered, grad, named_first=True)


def check_numerical_gradient(numerical_gradient):
    """Closed-form checks on a cubic: centered, with the given h, one coordinate at a time, x restored."""
    rng = np.random.default_rng(1001)
    cases = [((3, 4), 1e-2), ((2, 3, 4), 1e-3), ((1,), 0.5), ((5,), None)]
    for shape, h in cases:
        x = rng.uniform(-2.0, 2.0, size=shape)
        coef = rng.standard_normal(shape)
        check_numerical_gradient_case(numerical_gradient, x, coef, h)


# ----------------------------------------------------------------------------- relative_error


def check_relative_error_case(relative_error, a, b, rho):
    """One pair: the student's ratio against the expected rho (0, inf and finite values)."""
    context = f"relative_error(a, b) with a, b of shape {describe_shape(np.shape(a))}"
    a_in, b_in = np.array(a, copy=True), np.array(b, copy=True)
    value = relative_error(a_in, b_in)
    if not (np.array_equal(a_in, a) and np.array_equal(b_in, b)):
        raise CheckFailure(f"{context}: a or b was modified; compute with new arrays.")
    arr = np.asarray(value)
    if arr.ndim != 0 or not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise CheckFailure(
            f"{context}: must return one number, got {describe(value)}; take the norm over ALL "
            "entries (np.linalg.norm of the whole array), not entry by entry."
        )
    value = float(arr)
    if np.isinf(rho):
        if not np.isinf(value):
            raise CheckFailure(
                f"{context}: a = -b (a + b is zero but a - b is not) must give float('inf'), got {value!r}."
            )
        return
    if rho == 0.0:
        if value != 0.0:
            raise CheckFailure(
                f"{context}: a and b are equal{' and both zero' if not np.any(a) else ''}, so rho must be "
                f"0.0, got {value!r}; return 0.0 when ||a - b|| is zero before dividing."
            )
        return
    if np.isfinite(value) and abs(value - rho) <= 1e-10 * rho:
        return
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    diff, total = np.linalg.norm(a - b), np.linalg.norm(a + b)
    with np.errstate(divide="ignore", invalid="ignore"):
        variants = {
            "||a - b|| / (||a|| + ||b||): the denominator is the norm of the SUM, ||a + b||":
                diff / (np.linalg.norm(a) + np.linalg.norm(b)),
            "||a - b||^2 / ||a + b||^2: use the norms themselves, not their squares": (diff / total) ** 2,
            "||a + b|| / ||a - b||: numerator and denominator are swapped": total / diff,
            "the largest entrywise ratio |a_i - b_i| / |a_i + b_i|: use the norms over all entries":
                float(np.max(np.abs(a - b) / np.abs(a + b))) if a.size else np.nan,
            "||a - b|| / ||a||: divide by ||a + b||, which treats a and b alike": diff / np.linalg.norm(a),
        }
    for mistake, wrong in variants.items():
        if np.isfinite(wrong) and abs(value - wrong) <= 1e-10 * abs(wrong) and abs(wrong - rho) > 1e-8 * rho:
            raise CheckFailure(f"{context}: got {format_value(value)}, which is {mistake}.")
    raise CheckFailure(f"{context}: expected rho = {format_value(rho)}, got {format_value(value)}.")


def check_relative_error(relative_error):
    """Stored pairs (a, b) and their ratios: scalars, vectors, matrices, equal, opposite, zero."""
    n_cases = stored_count(NB, "relative_error")
    for k in range(n_cases):
        check_relative_error_case(
            relative_error,
            expected(NB, f"relative_error_{k}_a"),
            expected(NB, f"relative_error_{k}_b"),
            float(expected(NB, f"relative_error_{k}_rho")),
        )


# ----------------------------------------------------------------------------- elementwise modules

# The stored cases of every activation: (key suffix, shape); the last ones hold special inputs.
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "softplus")


OVERFLOW_HINTS = {
    "softplus": "exp(x) overflows for x > 709. Compute ln(1 + e^x) as max(x, 0) + log1p(exp(-|x|)), "
                "which only exponentiates numbers <= 0.",
    "sigmoid": "use exp(-|x|), which never overflows: 1 / (1 + e^-|x|) for x >= 0 and "
               "e^-|x| / (1 + e^-|x|) for x < 0.",
}


def _params(op):
    return (RELU_ALPHA,) if op == "leaky_relu" else ()


def forward_mistakes(op, x, out, params=()):
    """Typical wrong forwards of each activation, computed from x and the right output."""
    if op == "sigmoid":
        return {"1 - sigmoid(x), i.e. 1 / (1 + exp(x)): the exponent is exp(-x)": 1.0 - out}
    if op == "relu":
        return {"min(0, x): the ReLU keeps the positive part, max(0, x)": np.minimum(x, 0.0),
                "the mask 1[x > 0] instead of x * 1[x > 0]": (x > 0).astype(np.float64)}
    if op == "leaky_relu":
        (alpha,) = params
        return {"the leaky ReLU with slope 0.01: use the alpha that is passed in": np.where(x > 0, x, 0.01 * x),
                "alpha * x where x > 0 and x elsewhere: the branches are swapped": np.where(x > 0, alpha * x, x),
                "max(0, x): the negative side must be alpha * x, not 0": np.maximum(x, 0.0)}
    if op == "softplus":
        return {"ln(1 + exp(-x)): the exponent is +x": out - x,
                "ln(1 + exp(x)) - ln(2)": out - np.log(2.0)}
    return {}


def backward_mistakes(op, x, out, dout, dx, params=()):
    """Typical wrong backwards, computed from the input, the right output and the right dx."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        local = np.where(dout != 0, dx / dout, 0.0)  # the right h'(x)
        common = {"the local derivative h'(x) alone: multiply it by dout": local}
        if op == "sigmoid":
            specific = {
                "dout * x * (1 - x): a(1 - a) must use the OUTPUT a = sigmoid(x), not the input x": dout * x * (1 - x),
                "dout * a: the derivative is a (1 - a), not a": dout * out,
            }
        elif op == "tanh":
            specific = {
                "dout * (1 - x^2): 1 - a^2 must use the OUTPUT a = tanh(x), not the input x": dout * (1 - x**2),
                "dout * (1 - a): the derivative is 1 - a^2": dout * (1 - out),
            }
        elif op == "relu":
            specific = {
                "dout * 1[x >= 0]: at x = 0 the derivative is taken as 0, use the mask x > 0": dout * (x >= 0),
                "dout * 1[dout > 0]: the mask comes from the input x, not from dout": dout * (dout > 0),
                "dout * max(0, x): the derivative is the 0/1 mask 1[x > 0], not the output": dout * np.maximum(x, 0.0),
            }
        elif op == "leaky_relu":
            (alpha,) = params
            specific = {
                "dout * (1 if x >= 0 else alpha): at x = 0 the slope is alpha (x <= 0 branch)":
                    dout * np.where(x >= 0, 1.0, alpha),
                "dout * (alpha if x > 0 else 1): the branches are swapped": dout * np.where(x > 0, alpha, 1.0),
                "the ReLU's gradient, 0 for x <= 0: the slope there is alpha": dout * (x > 0),
                "the gradient with slope 0.01: use the alpha from the forward (keep it in the cache)":
                    dout * np.where(x > 0, 1.0, 0.01),
            }
        elif op == "softplus":
            specific = {
                "dout * sigmoid(-x): the derivative of ln(1 + e^x) is sigmoid(x) = 1 / (1 + e^-x)": dout - dx,
                "dout * exp(x): the derivative of ln(1 + e^x) is e^x / (1 + e^x)": dout * np.exp(np.minimum(x, 50.0)),
                "dout * softplus(x): the backward multiplies by the derivative, sigmoid(x)": dout * out,
            }
        else:
            specific = {}
    return {**specific, **common}


def check_elementwise_case(op, forward, backward, x, dout, out_expected, dx_expected, params=(), fd=True):
    """Forward values, backward vs the expected dx and vs finite differences of the student's forward.

    Also the contract: inputs untouched, shapes, backward linear in dout.
    ``fd=False`` skips the finite differences (inputs too large for them).
    """
    fname, bname = f"{op}_forward", f"{op}_backward"
    extra = f", alpha = {params[0]:g}" if params else ""
    context = f"x of shape {describe_shape(x.shape)}{extra}"
    out, cache = call_forward(fname, forward, [x], ("x",), IN_PLACE_FIX, params=params, copy=False)
    if op in OVERFLOW_HINTS and np.shape(out) == x.shape and not np.all(np.isfinite(np.asarray(out, dtype=float))):
        worst = tuple(int(i) for i in np.argwhere(~np.isfinite(np.asarray(out, dtype=float)))[0])
        raise CheckFailure(
            f"{fname}, {context}: out is not finite at {describe_index(worst)} (x = {format_value(x[worst])}); "
            f"{OVERFLOW_HINTS[op]}"
        )
    require_values(f"{fname}, {context}", "out", out_expected, out, forward_mistakes(op, x, out_expected, params),
                   x=x)
    dx = call_backward(bname, backward, dout, cache)
    dx = require_array(f"{bname}, {context}: dx", dx, x.shape)
    mistakes = backward_mistakes(op, x, out_expected, dout, dx_expected, params)
    require_gradient(f"{bname}, {context}", "dx", dx_expected, dx, candidates=mistakes, named_first=True)
    if fd:  # the forward is right by now, so a disagreement can only come from the backward
        numerical = numerical_gradient_array(lambda z: forward(z, *params)[0], x.copy(), dout)
        require_fd_agreement(f"{bname}, {context}", "dx", numerical, dx, fname, candidates=mistakes)
    doubled = require_array(f"{bname}, {context}: dx for 2 * dout", backward(2.0 * dout, cache), x.shape)
    if misfit(2.0 * dx, doubled) > 1e-12:
        raise CheckFailure(
            f"{bname}, {context}: doubling dout did not double dx; the backward must be linear in dout "
            "(dx = h'(x) * dout) and must not change the cache."
        )


def check_elementwise(op, forward, backward):
    """Every stored case of activation ``op``."""
    n_cases = stored_count(NB, op)
    for k in range(n_cases):
        key = f"{op}_{k}"
        check_elementwise_case(
            op, forward, backward,
            expected(NB, f"{key}_x"), expected(NB, f"{key}_dout"),
            expected(NB, f"{key}_out"), expected(NB, f"{key}_dx"),
            _params(op), fd=bool(expected(NB, f"{key}_fd")),
        )


def check_sigmoid(sigmoid_forward, sigmoid_backward):
    check_elementwise("sigmoid", sigmoid_forward, sigmoid_backward)


def check_tanh(tanh_forward, tanh_backward):
    check_elementwise("tanh", tanh_forward, tanh_backward)


def check_relu(relu_forward, relu_backward):
    check_elementwise("relu", relu_forward, relu_backward)


def check_leaky_relu(leaky_relu_forward, leaky_relu_backward):
    check_elementwise("leaky_relu", leaky_relu_forward, leaky_relu_backward)


def check_softplus(softplus_forward, softplus_backward):
    check_elementwise("softplus", softplus_forward, softplus_backward)


# ----------------------------------------------------------------------------- cos module


def check_cos_module_case(forward, backward, x, theta, dout, out_expected, dx_expected, dtheta_expected):
    """a = cos(theta x) + pi: values, dx, dtheta (one number), and finite differences in x and theta."""
    context = f"x of shape {describe_shape(x.shape)}, theta = {theta:g}"
    out, cache = call_forward("cos_module_forward", forward, [x], ("x",), IN_PLACE_FIX, params=(theta,), copy=False)
    require_values(f"cos_module_forward, {context}", "out", out_expected, out, {
        "cos(theta * x): add pi": out_expected - np.pi,
        "cos(x) + pi: the input is multiplied by theta": np.cos(x) + np.pi,
        "sin(theta * x) + pi: the module uses the cosine": np.sin(theta * x) + np.pi,
    }, x=x)
    dx, dtheta = call_backward("cos_module_backward", backward, dout, cache, n_grads=2)
    dx = require_array(f"cos_module_backward, {context}: dx", dx, x.shape)
    bname = f"cos_module_backward, {context}"
    if np.ndim(dtheta) != 0:
        hint = ""
        if np.shape(dtheta) == x.shape:
            hint = (" It has the shape of x: theta is ONE number used by every entry, so its gradient is the "
                    "SUM over all entries of -x sin(theta x) dout (shared weights add up).")
        raise CheckFailure(f"{bname}: dtheta must be a single number, got {describe(dtheta)}.{hint}")
    dtheta = float(require_array(f"{bname}: dtheta", dtheta, ()))
    sin = np.sin(theta * x)
    dx_mistakes = {
        "-sin(theta x) * dout: the chain rule brings a factor theta from the inner function theta * x": -sin * dout,
        "-x sin(theta x) * dout, which is the entrywise derivative with respect to theta, not x": -x * sin * dout,
    }
    per_entry = -x * sin * dout
    dtheta_mistakes = {
        "the mean of the entrywise contributions -x sin(theta x) dout: theta's gradient is their SUM":
            np.array(per_entry.mean()),
        "the sum of -theta sin(theta x) dout, which is the sum of dx: the derivative with respect to theta "
        "brings the factor x": np.array(np.sum(-theta * sin * dout)),
    }
    require_gradient(bname, "dx", dx_expected, dx, candidates=dx_mistakes, named_first=True)
    require_gradient(bname, "dtheta", np.array(dtheta_expected), np.array(dtheta), candidates=dtheta_mistakes,
                     named_first=True)
    # The forward is right by now: finite differences of it must agree with the backward.
    numerical_dx = numerical_gradient_array(lambda z: forward(z, theta)[0], x.copy(), dout)
    numerical_dtheta = numerical_gradient_array(lambda t: forward(x.copy(), float(t))[0], np.array(theta), dout)
    for label, numerical, mine in (("dx", numerical_dx, dx), ("dtheta", numerical_dtheta, np.array(dtheta))):
        require_fd_agreement(bname, label, numerical, mine, "cos_module_forward")


def check_cos_module(cos_module_forward, cos_module_backward):
    """Stored cases of the cosine module."""
    for k in range(stored_count(NB, "cos_module")):
        key = f"cos_module_{k}"
        check_cos_module_case(
            cos_module_forward, cos_module_backward,
            expected(NB, f"{key}_x"), float(expected(NB, f"{key}_theta")), expected(NB, f"{key}_dout"),
            expected(NB, f"{key}_out"), expected(NB, f"{key}_dx"), float(expected(NB, f"{key}_dtheta")),
        )


# ----------------------------------------------------------------------------- computational graphs


def hand_graph():
    """A small DAG built edge by edge: skip connections, a second input x, a dead end.

    Edges (z): w->a 0.5, w->b -1.5, w->c 0.9, a->b 2.0, a->o 0.3, a->dead 3.0,
    b->c 1.2, b->o 0.4, c->o -0.7, x->c 2.5. The node "dead" has no path to o.
    The nodes are added out of topological order, so graph.nodes is not an order to compute in.
    """
    from course_lib.graph import Graph

    g = Graph()
    for name, value in [("o", 0.5), ("c", -0.8), ("w", 0.4), ("dead", 0.6), ("b", 1.3), ("x", -1.1), ("a", 0.2)]:
        g.add_node(name, value)
    for src, dst, z in [("w", "a", 0.5), ("w", "b", -1.5), ("w", "c", 0.9), ("a", "b", 2.0), ("a", "o", 0.3),
                        ("a", "dead", 3.0), ("b", "c", 1.2), ("b", "o", 0.4), ("c", "o", -0.7), ("x", "c", 2.5)]:
        g.add_edge(src, dst, z)
    return g


def example_graphs():
    """The graphs of the stored cases: {label: Graph}, rebuilt identically on every call."""
    from course_lib.graph import layered_graph, shared_weight_graph, two_path_graph

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


def _snapshot(graph):
    return [(n, graph.value(n)) for n in graph.nodes], graph.edges


def check_path_derivative_case(path_derivative, graph, label, w, o, value, single_paths=None):
    """One query d o / d w on one graph against the expected value."""
    from course_lib.graph import count_paths

    context = f"path_derivative on {label}, d {o} / d {w}"
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
    for path_text, product in (single_paths or {}).items():
        if abs(got - product) <= 1e-9 * max(1.0, abs(product)):
            raise CheckFailure(
                f"{context}: got {format_value(got)}, the product along the single path {path_text}; "
                f"there are {n_paths} paths and the lemma adds the products of ALL of them."
            )
    raise CheckFailure(f"{context}: expected {format_value(value)}, got {format_value(got)} "
                       f"(there are {n_paths} paths from {w!r} to {o!r}).")


def two_path_products(w=0.7):
    """The product along each of the two paths of the two-path graph, by the chain rule."""
    y = w * w
    return {"w -> y -> p -> o": 2 * w * (-np.sin(y)), "w -> y -> q -> o": 2 * w * np.cos(y)}


def check_path_derivative(path_derivative):
    """Stored derivatives of several graphs: two paths, shared weights, layered, a hand-built DAG."""
    graphs = list(example_graphs().items())
    for k, (index, w, o) in enumerate(PATH_QUERIES):
        label, graph = graphs[index]
        singles = two_path_products() if index == 0 and w == "w" else None
        check_path_derivative_case(path_derivative, graph, label, w, o,
                                   float(expected(NB, f"path_derivative_{k}")), singles)


def counting_graph(graph, budget, function_name):
    """A copy of ``graph`` that counts the reads of its edges, to tell a dynamic program from path enumeration.

    successors(i), predecessors(i) and local_derivative(i, j) count one read each, ``edges`` one per
    edge. Past ``budget`` reads a CheckFailure is raised, which also stops an exponential search.
    """
    from course_lib.graph import Graph

    class CountingGraph(Graph):
        reads = 0

        def _read(self, count=1):
            self.reads += count
            if self.reads > budget:
                n_edges = len(Graph.edges.fget(self))
                raise CheckFailure(
                    f"{function_name} read the edges of a graph with {len(self)} nodes and {n_edges} edges "
                    f"more than {budget} times: it seems to enumerate paths, whose number grows "
                    "exponentially with depth. Compute S(i, o) once per node, in reverse topological order, "
                    "and reuse it."
                )

        def successors(self, name):
            self._read()
            return super().successors(name)

        def predecessors(self, name):
            self._read()
            return super().predecessors(name)

        def local_derivative(self, src, dst):
            self._read()
            return super().local_derivative(src, dst)

        @property
        def edges(self):
            edges = Graph.edges.fget(self)
            self._read(len(edges))
            return edges

    copy = CountingGraph()
    for name in graph.topological_order():
        copy.add_node(name, graph.value(name))
    for src, dst, z in graph.edges:
        Graph.add_edge(copy, src, dst, z)
    copy.reads = 0
    return copy


def _reaches(graph, start, target):
    stack, seen = [start], {start}
    while stack:
        node = stack.pop()
        if node == target:
            return True
        for nxt in graph.successors(node):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def check_backprop_derivatives_case(backprop_derivatives, graph, label, o, values):
    """One output o on one graph: a dict with the expected derivative for every node."""
    context = f"backprop_derivatives on {label}, output {o!r}"
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
    unreachable = [i for i in bad if not _reaches(graph, nodes[i], o)]
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


def check_backprop_linear_cost(backprop_derivatives, graph, label, o, reads_per_edge=20):
    """The dynamic program reads each edge a bounded number of times; path enumeration does not."""
    n_items = len(graph) + len(graph.edges)
    counting = counting_graph(graph, reads_per_edge * n_items + 100, "backprop_derivatives")
    got = backprop_derivatives(counting, o)
    # Reference-free value check: the derivative of o w.r.t. the input "w" by a centered difference.
    w, step = graph.value("w"), 1e-6
    numerical = (graph.evaluate({"w": w + step})[o] - graph.evaluate({"w": w - step})[o]) / (2 * step)
    mine = float(np.asarray(got["w"])) if hasattr(got, "keys") and "w" in got else None
    if mine is None or not abs(mine - numerical) <= 1e-6 * max(1.0, abs(numerical)):
        raise CheckFailure(
            f"backprop_derivatives on {label}: d {o} / d w should be {format_value(numerical)} (a centered "
            f"difference of the forward pass), got {mine if mine is None else format_value(mine)}."
        )


def check_backprop_derivatives(backprop_derivatives):
    """Stored derivatives of every node; then a deep graph that path enumeration cannot finish."""
    from course_lib.graph import layered_graph

    graphs = list(example_graphs().items())
    for k, (index, o) in enumerate(BACKPROP_QUERIES):
        label, graph = graphs[index]
        check_backprop_derivatives_case(backprop_derivatives, graph, label, o,
                                        expected(NB, f"backprop_{k}"))
    deep = layered_graph(2, 20, rng=5)  # 2^20 paths: enumerating them is stopped by the read budget
    check_backprop_linear_cost(backprop_derivatives, deep, "a layered graph of width 2 and depth 20", "o")
