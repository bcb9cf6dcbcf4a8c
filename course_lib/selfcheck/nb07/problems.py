"""The test problems of notebook 07's checks, rebuilt from a case's parameters.

A case names its problem in ``case["problem"]`` and carries its parameters,
so stored cases need no code: "quadratic" (f = 1/2 w^T A w - b^T w; A, b),
"quartic" (A, B, see ``quartic_value``) or "rosenbrock" (d). ``make_problem``
turns them into (f, grad) that refuse points of the wrong shape with a
sentence for the student.
"""
import numpy as np

from course_lib.data.synthetic import rosenbrock_gradient, rosenbrock_value
from course_lib.selfcheck.core import CheckFailure


def quartic_value(w, A, B):
    """f(w) = 1/2 w^T A w + sum_{i != j} B_ij w_i w_j^3 (B has a zero diagonal).

    Its fourth derivatives d^4 f / dw_i dw_j^3 = 6 B_ij are not symmetric in i
    and j, so a finite-difference Hessian with a large step is visibly
    asymmetric: a test problem that tells (H + H^T)/2 from H and H^T.
    """
    return float(0.5 * w @ A @ w + w @ (B @ w ** 3))


def quartic_gradient(w, A, B):
    """grad_k = (A w)_k + sum_j B_kj w_j^3 + 3 w_k^2 sum_i B_ik w_i, shape (d,)."""
    return A @ w + B @ w ** 3 + 3.0 * w ** 2 * (B.T @ w)


def make_problem(case, who="the function you wrote"):
    """(f, grad) of the test problem a case describes, refusing points of the wrong shape.

    ``case["problem"]`` is "quadratic" (f = 1/2 w^T A w - b^T w, entries A, b),
    "quartic" (entries A, B, see ``quartic_value``) or "rosenbrock" (d from w).
    """
    kind = str(case["problem"])
    if kind == "quadratic":
        A, b = case["A"], case["b"]
        value, gradient = (lambda w: float(0.5 * w @ A @ w - b @ w)), (lambda w: A @ w - b)
        d = b.size
    elif kind == "quartic":
        A, B = case["A"], case["B"]
        value, gradient = (lambda w: quartic_value(w, A, B)), (lambda w: quartic_gradient(w, A, B))
        d = A.shape[0]
    elif kind == "rosenbrock":
        value, gradient = rosenbrock_value, rosenbrock_gradient
        d = int(case["d"])
    else:
        raise ValueError(f"unknown test problem {kind!r}")

    def point(w, name):
        w = np.asarray(w, dtype=np.float64)
        if w.shape != (d,):
            raise CheckFailure(f"{who} called {name} with an array of shape {w.shape}; the point must have "
                               f"shape ({d},), like w.")
        return w

    return (lambda w: value(point(w, "f"))), (lambda w: np.array(gradient(point(w, "grad_fn")), copy=True))


def describe_problem(case):
    kind = str(case["problem"])
    if kind == "quadratic":
        return f"the quadratic 1/2 w^T A w - b^T w in d = {case['b'].size} variables"
    if kind == "quartic":
        return f"a quartic function in d = {case['A'].shape[0]} variables"
    return f"Rosenbrock's function in d = {int(case['d'])} variables"


def quadratic_case(A, b):
    """A case dict describing the quadratic 1/2 w^T A w - b^T w."""
    return {"problem": np.array("quadratic"), "A": np.asarray(A, dtype=np.float64),
            "b": np.asarray(b, dtype=np.float64)}
