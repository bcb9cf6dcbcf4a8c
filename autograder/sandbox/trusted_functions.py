"""Functions the judge hands to a submission by name, which the worker builds from its own copy.

    TrustedFunction("quadratic", "grad", A=A, b=b)   # x -> A x - b
    TrustedFunction("sigmoid", "derivative")          # z -> s(z)(1 - s(z))

protocol.py sends one as {"__function__": kind, "part", "params"}; no code
crosses the boundary, only the problem's name and its plain-data parameters.
``TRUSTED_FUNCTIONS`` lists the problems and their parts.
"""
from dataclasses import dataclass, field

import numpy as np


class TrustedFunctionError(ValueError):
    """An unknown problem or part, or parameters the problem does not take."""


@dataclass(eq=False)
class TrustedFunction:
    """A function the judge passes as an argument without sending code.

    Graded code such as ``Adam.step(theta, grad_fn)`` or
    ``forward_pass(alpha0, Omegas, betas, phi)`` takes callables. The judge
    names one of the problems below and the part it wants; the worker builds
    the callable from its own copy of this module. The judge can call
    ``build()`` too, to run the reference on the same problem.

        TrustedFunction("quadratic", "grad", A=A, b=b)   # x -> A x - b
        TrustedFunction("sigmoid", "derivative")          # z -> s(z)(1 - s(z))

    It is callable in-process too, so the same check code runs unchanged in
    an nbgrader kernel (no sandbox) and in the judge (built in the worker).
    """

    kind: str
    part: str
    params: dict = field(default_factory=dict)

    def __init__(self, kind, part, **params):
        self.kind, self.part, self.params = kind, part, params
        self._built = None

    def __call__(self, *args, **kwargs):
        if self._built is None:
            self._built = self.build()
        return self._built(*args, **kwargs)

    def build(self):
        if self.kind not in TRUSTED_FUNCTIONS:
            raise TrustedFunctionError(f"unknown trusted function {self.kind!r}; known: {sorted(TRUSTED_FUNCTIONS)}")
        try:
            parts = TRUSTED_FUNCTIONS[self.kind](**self.params)
        except TypeError as exc:
            raise TrustedFunctionError(f"bad parameters for {self.kind!r}: {exc}") from None
        if self.part not in parts:
            raise TrustedFunctionError(f"{self.kind!r} has no part {self.part!r}; it has {sorted(parts)}")
        return parts[self.part]


def _f64(x):
    return np.asarray(x, dtype=np.float64)


def _quadratic(A, b, c=0.0):
    """f(x) = 1/2 x^T A x - b^T x + c, gradient A x - b, Hessian A (A symmetric)."""
    A, b = _f64(A), _f64(b)

    def value(x):
        x = _f64(x)
        return float(0.5 * x @ A @ x - b @ x + c)

    return {
        "value": value,
        "grad": lambda x: A @ _f64(x) - b,
        "hessian": lambda x: A.copy(),
        "hvp": lambda v: A @ _f64(v),          # for conjugate_gradient(hvp, b, ...)
    }


def _rosenbrock(a=1.0, b=100.0):
    """f(x) = sum_i b (x_{i+1} - x_i^2)^2 + (a - x_i)^2 in any dimension >= 2."""
    def value(x):
        x = _f64(x)
        return float(np.sum(b * (x[1:] - x[:-1] ** 2) ** 2 + (a - x[:-1]) ** 2))

    def grad(x):
        x = _f64(x)
        g = np.zeros_like(x)
        r = x[1:] - x[:-1] ** 2
        g[:-1] = -4.0 * b * x[:-1] * r - 2.0 * (a - x[:-1])
        g[1:] += 2.0 * b * r
        return g

    def hessian(x):
        x = _f64(x)
        n = x.size
        H = np.zeros((n, n))
        i = np.arange(n - 1)
        H[i, i] += 12.0 * b * x[:-1] ** 2 - 4.0 * b * x[1:] + 2.0
        H[i + 1, i + 1] += 2.0 * b
        H[i, i + 1] = H[i + 1, i] = -4.0 * b * x[:-1]
        return H

    return {"value": value, "grad": grad, "hessian": hessian}


def _sine_sum(w):
    """f(x) = sum w * sin(x): smooth, not quadratic, every coordinate different."""
    w = _f64(w)
    return {"value": lambda x: float(np.sum(w * np.sin(_f64(x)))),
            "grad": lambda x: w * np.cos(_f64(x))}


def _squared_error(target):
    """C(a) = 1/2 ||a - target||^2 and its gradient a - target."""
    target = _f64(target)
    return {"value": lambda a: float(0.5 * np.sum((_f64(a) - target) ** 2)),
            "grad": lambda a: _f64(a) - target}


def _elementwise(value, derivative):
    return lambda: {"value": value, "derivative": derivative}


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-_f64(z)))


TRUSTED_FUNCTIONS = {
    "quadratic": _quadratic,
    "rosenbrock": _rosenbrock,
    "sine_sum": _sine_sum,
    "squared_error": _squared_error,
    "sigmoid": _elementwise(_sigmoid, lambda z: _sigmoid(z) * (1.0 - _sigmoid(z))),
    "tanh": _elementwise(lambda z: np.tanh(_f64(z)),
                         lambda z: 1.0 - np.tanh(_f64(z)) ** 2),
    "relu": _elementwise(lambda z: np.maximum(_f64(z), 0.0),
                         lambda z: (_f64(z) > 0).astype(np.float64)),
    "identity": _elementwise(lambda z: _f64(z).copy(),
                             lambda z: np.ones_like(_f64(z))),
}
