"""Implementations of notebook 01's graded functions, for the tests of its visible and hidden checks.

Valid alternatives written independently of course_lib (loops, scipy, other formulas) and typical
mistakes, each a small change of a valid version, with the words its diagnosis must contain;
course_lib's references in REFERENCES.
"""
import functools

import numpy as np
import scipy.special

from course_lib.gradcheck import numerical_gradient as ref_numerical_gradient
from course_lib.gradcheck import relative_error as ref_relative_error
from course_lib.graph import backprop_derivatives as ref_backprop
from course_lib.graph import path_derivative as ref_path_derivative
from course_lib.layers import activations as act
from course_lib.layers.cos_module import cos_module_backward, cos_module_forward
from course_lib.selfcheck.nb01.cases import ACTIVATIONS

# ============================================================================ valid alternatives


def ng_copy_flat(f, x, h=1e-5):
    """Perturbs copies, walks a flat index and unravels it."""
    grad = np.empty(x.shape)
    for k in range(x.size):
        idx = np.unravel_index(k, x.shape)
        plus, minus = x.copy(), x.copy()
        plus[idx] += h
        minus[idx] -= h
        grad[idx] = (f(plus) - f(minus)) / (2 * h)
    return grad


def ng_unit_arrays(f, x, h=1e-5):
    """Builds every unit array e_i explicitly, as in the formula."""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        e = np.zeros_like(x)
        e[it.multi_index] = 1.0
        grad[it.multi_index] = (np.asarray(f(x + h * e)) - np.asarray(f(x - h * e))) / (2.0 * h)
    return grad


def re_sqrt_sums(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    num = np.sqrt(np.sum((a - b) ** 2))
    if num == 0:
        return 0
    den = np.sqrt(np.sum((a + b) ** 2))
    return np.inf if den == 0 else num / den


def re_errstate(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.linalg.norm(np.subtract(a, b)) / np.linalg.norm(np.add(a, b))
    return 0.0 if np.array_equal(a, b) else float(rho)


def sigmoid_f_expit(x):
    return scipy.special.expit(x), (x,)


def sigmoid_b_expit(dout, cache):
    (x,) = cache
    s = scipy.special.expit(x)
    return dout * s * (1 - s)


def sigmoid_f_tanh(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x)), x  # sigma(x) = (1 + tanh(x/2)) / 2


def sigmoid_b_tanh(dout, x):
    return dout * 0.25 * (1.0 - np.tanh(0.5 * x) ** 2)


def tanh_f_sigmoid(x):
    return 2.0 * scipy.special.expit(2.0 * x) - 1.0, x


def tanh_b_recompute(dout, x):
    return dout / np.cosh(x) ** 2


def tanh_f_plain(x):
    return np.tanh(x), {"x": x}


def tanh_b_plain(dout, cache):
    return dout * (1.0 - np.tanh(cache["x"]) ** 2)


def relu_f_mask(x):
    mask = x > 0
    return x * mask, mask


def relu_b_mask(dout, mask):
    return np.where(mask, dout, 0.0)


def relu_f_loop(x):
    out = np.empty_like(x)
    for i in np.ndindex(x.shape):
        out[i] = x[i] if x[i] > 0 else 0.0
    return out, x.copy()


def relu_b_loop(dout, x):
    dx = np.zeros_like(dout)
    for i in np.ndindex(x.shape):
        if x[i] > 0:
            dx[i] = dout[i]
    return dx


def leaky_f_max(x, alpha=0.01):
    return np.maximum(x, alpha * x), {"x": x, "alpha": alpha}  # valid for 0 <= alpha <= 1


def leaky_b_max(dout, cache):
    return dout * np.where(cache["x"] > 0, 1.0, cache["alpha"])


def leaky_f_loop(x, alpha=0.01):
    out = x.copy()
    out[x <= 0] *= alpha
    return out, (x <= 0, alpha)


def leaky_b_loop(dout, cache):
    negative, alpha = cache
    dx = dout.copy()
    dx[negative] *= alpha
    return dx


def softplus_f_logaddexp(x):
    return np.logaddexp(0.0, x), x


def softplus_b_expit(dout, x):
    return dout * scipy.special.expit(x)


def softplus_f_piecewise(x):
    with np.errstate(over="ignore"):
        out = np.where(x > 0, x + np.log1p(np.exp(-x)), np.log1p(np.exp(x)))
    return out, out


def softplus_b_from_output(dout, out):
    return dout * -np.expm1(-out)  # sigma(x) = 1 - e^{-softplus(x)}


def cos_f_loop(x, theta):
    out = np.empty_like(x)
    for i in np.ndindex(x.shape):
        out[i] = np.cos(theta * x[i]) + np.pi
    return out, (x, theta)


def cos_b_loop(dout, cache):
    x, theta = cache
    dx = np.empty_like(x)
    dtheta = 0.0
    for i in np.ndindex(x.shape):
        s = np.sin(theta * x[i])
        dx[i] = -theta * s * dout[i]
        dtheta += -x[i] * s * dout[i]
    return dx, dtheta


def cos_b_numpy_scalar(dout, cache):
    x, theta = cache
    s = np.sin(theta * x)
    return -theta * s * dout, np.sum(-x * s * dout)  # a numpy float64, not a Python float


def pd_recursive(graph, w, o):
    """Recursion without memory: still one product per path."""
    if w == o:
        return 1.0
    return sum(z * pd_recursive(graph, j, o) for j, z in graph.successors(w).items())


def pd_literal(graph, w, o):
    """The notebook's solution: list the paths, then multiply along each."""
    paths, stack = [], [[w]]
    while stack:
        path = stack.pop()
        if path[-1] == o:
            paths.append(path)
            continue
        for nxt in graph.successors(path[-1]):
            stack.append(path + [nxt])
    total = 0.0
    for path in paths:
        product = 1.0
        for i, j in zip(path, path[1:]):
            product *= graph.local_derivative(i, j)
        total += product
    return total


def bp_memoized(graph, o):
    @functools.lru_cache(maxsize=None)
    def s(node):
        if node == o:
            return 1.0
        return sum(z * s(j) for j, z in graph.successors(node).items())

    return {node: s(node) for node in graph.nodes}


def bp_push(graph, o):
    """Pushes each S(j, o) to the predecessors of j, in reverse topological order."""
    s = {node: 0.0 for node in graph.nodes}
    s[o] = 1.0
    for j in reversed(graph.topological_order()):  # nodes after o push zeros
        for i, z in graph.predecessors(j).items():
            s[i] += s[j] * z
    return s


ALTERNATIVES = {
    "numerical_gradient": [(ng_copy_flat,), (ng_unit_arrays,)],
    "relative_error": [(re_sqrt_sums,), (re_errstate,)],
    "sigmoid": [(sigmoid_f_expit, sigmoid_b_expit), (sigmoid_f_tanh, sigmoid_b_tanh)],
    "tanh": [(tanh_f_sigmoid, tanh_b_recompute), (tanh_f_plain, tanh_b_plain)],
    "relu": [(relu_f_mask, relu_b_mask), (relu_f_loop, relu_b_loop)],
    "leaky_relu": [(leaky_f_max, leaky_b_max), (leaky_f_loop, leaky_b_loop)],
    "softplus": [(softplus_f_logaddexp, softplus_b_expit), (softplus_f_piecewise, softplus_b_from_output)],
    "cos_module": [(cos_f_loop, cos_b_loop), (cos_module_forward, cos_b_numpy_scalar)],
    "path_derivative": [(pd_recursive,), (pd_literal,)],
    "backprop_derivatives": [(bp_memoized,), (bp_push,)],
}

REFERENCES = {
    "numerical_gradient": (ref_numerical_gradient,),
    "relative_error": (ref_relative_error,),
    **{op: (getattr(act, f"{op}_forward"), getattr(act, f"{op}_backward")) for op in ACTIVATIONS},
    "cos_module": (cos_module_forward, cos_module_backward),
    "path_derivative": (ref_path_derivative,),
    "backprop_derivatives": (ref_backprop,),
}

# ============================================================================ typical mistakes


def ng_forward_difference(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        plus = x.copy()
        plus[i] += h
        grad[i] = (f(plus) - f(x)) / h
    return grad


def ng_over_h(f, x, h=1e-5):
    return 2.0 * ref_numerical_gradient(f, x, h)


def ng_all_at_once(f, x, h=1e-5):
    return np.full(x.shape, (f(x + h) - f(x - h)) / (2 * h))


def ng_own_step(f, x, h=1e-5):
    return ref_numerical_gradient(f, x, 1e-6)


def ng_not_restored(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        f_plus = f(x)
        x[i] -= 2 * h
        grad[i] = (f_plus - f(x)) / (2 * h)
    return grad


def ng_not_lowered(f, x, h=1e-5):
    """Raises x_i by h, evaluates, lowers it back by h only: the second evaluation is f(x)."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        f_plus = f(x)
        x[i] -= h
        grad[i] = (f_plus - f(x)) / (2 * h)
    return grad


def ng_forward_over_2h(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        plus = x.copy()
        plus[i] += h
        grad[i] = (f(plus) - f(x)) / (2 * h)
    return grad


def ng_flattened(f, x, h=1e-5):
    flat = x.reshape(-1).copy()
    return ref_numerical_gradient(f, flat, h)


def re_sum_of_norms(a, b):
    return float(np.linalg.norm(np.subtract(a, b)) / (np.linalg.norm(a) + np.linalg.norm(b)))


def re_no_zero_case(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.linalg.norm(np.subtract(a, b)) / np.linalg.norm(np.add(a, b)))


def re_entrywise(a, b):
    return np.abs(np.subtract(a, b)) / np.abs(np.add(a, b))


def re_max_entry(a, b):
    a, b = np.atleast_1d(a), np.atleast_1d(b)
    if np.array_equal(a, b):
        return 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.max(np.abs(a - b) / np.abs(a + b)))


def re_epsilon(a, b):
    d = np.linalg.norm(np.subtract(a, b))
    return 0.0 if d == 0 else float(d / (np.linalg.norm(np.add(a, b)) + 1e-12))


def _ref(op):
    return getattr(act, f"{op}_forward"), getattr(act, f"{op}_backward")


def sigmoid_f_sign(x):
    a = 1.0 / (1.0 + np.exp(x))
    return a, a


def sigmoid_f_keep_x(x):
    return scipy.special.expit(x), x


def sigmoid_b_from_x(dout, x):
    return dout * x * (1.0 - x)


def b_local_only(backward):
    def wrong(dout, cache):
        return backward(np.ones_like(dout), cache)

    return wrong


def sigmoid_b_again(dout, a):
    s = scipy.special.expit(a)  # the cache already holds a = sigmoid(x)
    return dout * s * (1.0 - s)


def tanh_f_exp(x):
    """tanh from its definition with exp(x): nan for |x| > 709 (inf / inf)."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    return out, out


def sigmoid_f_exp_x(x):
    """sigmoid as e^x / (1 + e^x): nan for x > 709 (inf / inf)."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.exp(x) / (1.0 + np.exp(x))
    return out, out


def tanh_b_square(dout, a):
    return dout * (1.0 - a) ** 2


def relu_f_inplace(x):
    x[x < 0] = 0.0
    return x, x


def relu_b_ge(dout, x):
    return dout * (x >= 0)


def relu_f_min(x):
    return np.minimum(x, 0.0), x


def relu_b_dout_mask(dout, x):
    return dout * (dout > 0)


def leaky_f_fixed(x, alpha=0.01):
    return np.where(x > 0, x, 0.01 * x), x


def leaky_b_fixed(dout, x):
    return dout * np.where(x > 0, 1.0, 0.01)


def leaky_b_swapped(dout, cache):
    x, alpha = cache
    return dout * np.where(x > 0, alpha, 1.0)


def leaky_b_ge(dout, cache):
    x, alpha = cache
    return dout * np.where(x >= 0, 1.0, alpha)


def softplus_f_naive(x):
    with np.errstate(over="ignore"):
        return np.log(1.0 + np.exp(x)), x


def softplus_b_minus(dout, x):
    return dout * scipy.special.expit(-x)


def cos_b_mean(dout, cache):
    x, theta = cache
    s = np.sin(theta * x)
    return -theta * s * dout, float(np.mean(-x * s * dout))


def cos_b_unsummed(dout, cache):
    x, theta = cache
    s = np.sin(theta * x)
    return -theta * s * dout, -x * s * dout


def cos_b_no_theta(dout, cache):
    x, theta = cache
    s = np.sin(theta * x)
    return -s * dout, float(np.sum(-x * s * dout))


def cos_b_x_for_theta(dout, cache):
    x, theta = cache
    s = np.sin(theta * x)
    return -x * s * dout, float(np.sum(-x * s * dout))


def cos_f_no_pi(x, theta):
    return np.cos(theta * x), (x, theta)


def pd_first_path(graph, w, o):
    """Follows one path only: the first out-edge that still leads to o."""
    from course_lib.graph import count_paths

    product, node = 1.0, w
    while node != o:
        leading = [(j, z) for j, z in graph.successors(node).items() if count_paths(graph, j, o)]
        if not leading:
            return 0.0
        node, z = leading[0]
        product *= z
    return product


def pd_self_zero(graph, w, o):
    return 0.0 if w == o else pd_literal(graph, w, o)


def pd_no_path_one(graph, w, o):
    from course_lib.graph import count_paths

    return 1.0 if count_paths(graph, w, o) == 0 else pd_literal(graph, w, o)


def bp_forward_order(graph, o):
    s = {}
    for node in graph.topological_order():
        s[node] = 1.0 if node == o else sum(s.get(j, 0.0) * z for j, z in graph.successors(node).items())
    return s


def bp_by_paths(graph, o):
    return {node: pd_literal(graph, node, o) for node in graph.nodes}


def bp_only_reachable(graph, o):
    return {k: v for k, v in ref_backprop(graph, o).items() if v != 0.0}


def bp_unreachable_one(graph, o):
    return {k: (v if v != 0.0 else 1.0) for k, v in ref_backprop(graph, o).items()}


def bp_output_zero(graph, o):
    s = dict(ref_backprop(graph, o))
    s[o] = 0.0
    return s


def bp_list(graph, o):
    return list(ref_backprop(graph, o).values())


MISTAKES = [
    # (function group, implementation, words the message must contain)
    ("numerical_gradient", (ng_forward_difference,), "forward difference"),
    ("numerical_gradient", (ng_over_h,), "divide f(x + h e_i) - f(x - h e_i) by 2h"),
    ("numerical_gradient", (ng_all_at_once,), "ONE coordinate at a time"),
    ("numerical_gradient", (ng_own_step,), "use the step h that is passed in"),
    ("numerical_gradient", (ng_not_restored,), "x was changed by the call"),
    ("numerical_gradient", (ng_flattened,), "must always receive an array of x's shape"),
    ("numerical_gradient", (ng_not_lowered,), "half the forward difference"),
    ("numerical_gradient", (ng_forward_over_2h,), "lower it by 2h"),
    ("relative_error", (re_sum_of_norms,), "norm of the SUM"),
    ("relative_error", (re_no_zero_case,), "rho must be 0.0"),
    ("relative_error", (re_entrywise,), "must return one number"),
    ("relative_error", (re_max_entry,), "largest entrywise ratio"),
    ("relative_error", (re_epsilon,), "must give float('inf')"),
    ("sigmoid", (sigmoid_f_sign, act.sigmoid_backward), "the exponent is exp(-x)"),
    ("sigmoid", (sigmoid_f_keep_x, sigmoid_b_from_x), "must use the OUTPUT a = sigmoid(x)"),
    ("sigmoid", (act.sigmoid_forward, b_local_only(act.sigmoid_backward)), "multiply it by dout"),
    ("sigmoid", (act.sigmoid_forward, sigmoid_b_again), "the sigmoid applied again to the cached output"),
    ("tanh", (tanh_f_plain, lambda d, c: d * (1 - c["x"] ** 2)), "must use the OUTPUT a = tanh(x)"),
    ("tanh", (act.tanh_forward, lambda d, a: d * (1 - a)), "the derivative is 1 - a^2"),
    ("tanh", (act.tanh_forward, tanh_b_square), "not the square of 1 - a"),
    ("relu", (relu_f_inplace, act.relu_backward), "modified its input x in place"),
    ("relu", (act.relu_forward, relu_b_ge), "use the mask x > 0"),
    ("relu", (relu_f_min, act.relu_backward), "keeps the positive part"),
    ("relu", (act.relu_forward, relu_b_dout_mask), "not from dout"),
    ("leaky_relu", (leaky_f_fixed, leaky_b_fixed), "use the alpha that is passed in"),
    ("leaky_relu", (act.leaky_relu_forward, leaky_b_swapped), "branches are swapped"),
    ("leaky_relu", (act.leaky_relu_forward, leaky_b_ge), "at x = 0 the slope is alpha"),
    ("leaky_relu", (act.leaky_relu_forward, lambda d, c: d * (c[0] > 0)), "the slope there is alpha"),
    ("softplus", (softplus_f_naive, act.softplus_backward), "max(x, 0) + log1p(exp(-|x|))"),
    ("softplus", (act.softplus_forward, softplus_b_minus), "sigmoid(x) = 1 / (1 + e^-x)"),
    ("cos_module", (cos_module_forward, cos_b_mean), "theta's gradient is their SUM"),
    ("cos_module", (cos_module_forward, cos_b_unsummed), "dtheta must be a single number"),
    ("cos_module", (cos_module_forward, cos_b_no_theta), "brings a factor theta"),
    ("cos_module", (cos_module_forward, cos_b_x_for_theta), "derivative with respect to theta, not x"),
    ("cos_module", (cos_f_no_pi, cos_module_backward), "add pi"),
    ("path_derivative", (pd_first_path,), "adds the products of ALL of them"),
    ("path_derivative", (pd_self_zero,), "with respect to itself is 1.0"),
    ("path_derivative", (pd_no_path_one,), "no path leads from"),
    ("backprop_derivatives", (bp_forward_order,), "REVERSE topological order"),
    ("backprop_derivatives", (bp_by_paths,), "seems to enumerate paths"),
    ("backprop_derivatives", (bp_only_reachable,), "no entry for"),
    ("backprop_derivatives", (bp_unreachable_one,), "without a path to o is 0.0"),
    ("backprop_derivatives", (bp_output_zero,), "S(o, o) = 1"),
    ("backprop_derivatives", (bp_list,), "must return a dict"),
]


def stub(*args, **kwargs):
    raise NotImplementedError()
