"""Notebook 01 (backpropagation derivation): valid alternatives and typical mistakes, as answer cells."""
from autograder.demo.answer_cells import Mistake, Variant

ALTERNATIVES = [
    Variant("numerical_gradient", "perturbed copies along unit arrays, flat index", """\
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=np.float64)          # a copy: the caller's x is never touched
    grad = np.zeros(x.size)
    for k in range(x.size):
        step = np.zeros(x.size)
        step[k] = h
        step = step.reshape(x.shape)
        grad[k] = (float(f(x + step)) - float(f(x - step))) / (2.0 * h)
    return grad.reshape(x.shape)
"""),
    Variant("relative_error", "square roots of sums of squares, written out", """\
import math


def relative_error(a, b):
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    top = math.sqrt(sum((p - q) ** 2 for p, q in zip(a, b)))
    bottom = math.sqrt(sum((p + q) ** 2 for p, q in zip(a, b)))
    if top == 0.0:
        return 0.0
    if bottom == 0.0:
        return float("inf")
    return top / bottom
"""),
    Variant("sigmoid", "sigmoid through tanh: (1 + tanh(x / 2)) / 2", """\
def sigmoid_forward(x):
    a = 0.5 * (1.0 + np.tanh(0.5 * x))
    return a, {"a": a}


def sigmoid_backward(dout, cache):
    a = cache["a"]
    return dout * (a - a * a)
"""),
    Variant("tanh", "tanh from the sigmoid: 2 sigmoid(2x) - 1, derivative recomputed from x", """\
from scipy.special import expit


def tanh_forward(x):
    return 2.0 * expit(2.0 * x) - 1.0, x


def tanh_backward(dout, cache):
    a = np.tanh(cache)
    return dout * (1.0 - a ** 2)
"""),
    Variant("relu", "mask kept in float32 (0 and 1 are exact there)", """\
def relu_forward(x):
    mask = (x > 0).astype(np.float32)
    return x * mask, mask


def relu_backward(dout, cache):
    return dout * cache.astype(np.float64)
"""),
    Variant("leaky_relu", "a loop over the entries", """\
def leaky_relu_forward(x, alpha=0.01):
    out = np.empty_like(x)
    for i in np.ndindex(x.shape):
        out[i] = x[i] if x[i] > 0 else alpha * x[i]
    return out, (x.copy(), alpha)


def leaky_relu_backward(dout, cache):
    x, alpha = cache
    dx = np.empty_like(dout)
    for i in np.ndindex(x.shape):
        dx[i] = dout[i] if x[i] > 0 else alpha * dout[i]
    return dx
"""),
    Variant("softplus", "np.logaddexp(0, x) and scipy's expit", """\
from scipy.special import expit


def softplus_forward(x):
    return np.logaddexp(0.0, x), x


def softplus_backward(dout, cache):
    return dout * expit(cache)
"""),
    Variant("cos_module", "dtheta summed in a Python loop", """\
def cos_module_forward(x, theta):
    return np.pi + np.cos(theta * x), (x, theta)


def cos_module_backward(dout, cache):
    x, theta = cache
    dx = -theta * np.sin(theta * x) * dout
    dtheta = 0.0
    for xi, gi in zip(np.ravel(x), np.ravel(dout)):
        dtheta += -xi * np.sin(theta * xi) * gi
    return dx, float(dtheta)
"""),
    Variant("path_derivative", "recursion over the successors", """\
def path_derivative(graph, w, o):
    if w == o:
        return 1.0
    return float(sum(z * path_derivative(graph, j, o) for j, z in graph.successors(w).items()))
"""),
    Variant("backprop_derivatives", "memoised recursion (top-down dynamic programming)", """\
def backprop_derivatives(graph, o):
    memo = {o: 1.0}

    def S(i):
        if i not in memo:
            memo[i] = float(sum(z * S(j) for j, z in graph.successors(i).items()))
        return memo[i]

    return {node: S(node) for node in graph.nodes}
"""),
]

MISTAKES = [
    Mistake("numerical_gradient", "forward difference instead of centered", """\
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=np.float64)
    fx = float(f(x))
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x[i] += h
        grad[i] = (float(f(x)) - fx) / h
        x[i] -= h
    return grad
""", "forward difference"),
    Mistake("sigmoid", "backward from x instead of the output", """\
def sigmoid_forward(x):
    return 1.0 / (1.0 + np.exp(-x)), x


def sigmoid_backward(dout, cache):
    x = cache
    return dout * x * (1.0 - x)
""", "must use the OUTPUT"),
    Mistake("relu", "mask x >= 0 in the backward", """\
def relu_forward(x):
    return np.maximum(x, 0.0), x


def relu_backward(dout, cache):
    return dout * (cache >= 0)
""", "use the mask x > 0"),
    Mistake("leaky_relu", "the slope 0.01 written in instead of alpha", """\
def leaky_relu_forward(x, alpha=0.01):
    return np.where(x > 0, x, 0.01 * x), x


def leaky_relu_backward(dout, cache):
    return dout * np.where(cache > 0, 1.0, 0.01)
""", "use the alpha that is passed in"),
    Mistake("cos_module", "dtheta averaged instead of summed", """\
def cos_module_forward(x, theta):
    return np.cos(theta * x) + np.pi, (x, theta)


def cos_module_backward(dout, cache):
    x, theta = cache
    s = np.sin(theta * x)
    return -theta * s * dout, float(np.mean(-x * s * dout))
""", "theta's gradient is their SUM"),
    Mistake("backprop_derivatives", "nodes visited in topological order, not reversed", """\
def backprop_derivatives(graph, o):
    S = {}
    for node in graph.topological_order():
        if node == o:
            S[node] = 1.0
        else:
            S[node] = float(sum(S.get(j, 0.0) * z for j, z in graph.successors(node).items()))
    return {node: S[node] for node in graph.nodes}
""", "REVERSE topological order"),
]
