"""Test problems with exact derivatives: Rosenbrock, linear regression, L2-regularised logistic regression.

Notebook 07, the tests and the benchmark minimise these with every method
and compare with scipy.optimize. The exact Hessians of the two regression
models are in hessian.py.
"""
import numpy as np
from scipy.special import expit

from course_lib.data.synthetic import rosenbrock_gradient, rosenbrock_hessian_at, rosenbrock_value
from course_lib.second_order.checks import as_vector
from course_lib.validation import ShapeError, as_float_array, check_ndim

# One Rosenbrock for the whole library: the d-dimensional test function lives with the data.
rosenbrock = rosenbrock_value
rosenbrock_grad = rosenbrock_gradient
rosenbrock_hess = rosenbrock_hessian_at


def check_design(X, y):
    """Check a design matrix X (N, D) and targets y (N,); return them as float arrays."""
    X = as_float_array("X", X)
    check_ndim("X", X, 2, "(N, D)")
    y = as_float_array("y", y)
    if y.shape != (X.shape[0],):
        raise ShapeError(f"y must have shape ({X.shape[0]},), one target per row of X, got {y.shape}.")
    return X, y


def linear_regression_loss(X, y, w):
    """C(w) = 1/(2N) ||X w - y||^2; X (N, D), y (N,), w (D,). Returns a float."""
    X, y = check_design(X, y)
    w = as_vector("w", w, X.shape[1])
    r = X @ w - y
    return float(r @ r) / (2 * X.shape[0])


def linear_regression_grad(X, y, w):
    """grad C(w) = X^T (X w - y) / N, shape (D,)."""
    X, y = check_design(X, y)
    w = as_vector("w", w, X.shape[1])
    return X.T @ (X @ w - y) / X.shape[0]


def check_logistic(X, y, w, lam):
    """check_design plus binary 0/1 labels, w of shape (D,) and lam >= 0."""
    X, y = check_design(X, y)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must hold binary labels 0.0 or 1.0 for logistic regression.")
    w = as_vector("w", w, X.shape[1])
    lam = float(lam)
    if not lam >= 0:
        raise ValueError(f"lam must be a non-negative L2 strength, got {lam!r}.")
    return X, y, w, lam


def logistic_regression_loss(X, y, w, lam=0.0):
    """C(w) = (1/N) sum_i [log(1 + exp(z_i)) - y_i z_i] + lam/2 ||w||^2 with z = X w.

    This is the mean cross-entropy of sigmoid(z) against labels y in {0, 1};
    a bias is a column of ones in X (it is regularised like the rest).
    X (N, D), y (N,) of 0.0/1.0, w (D,). Returns a float.
    """
    X, y, w, lam = check_logistic(X, y, w, lam)
    z = X @ w
    # log(1 + exp(z)) computed without overflow for large z.
    return float(np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * lam * (w @ w))


def logistic_regression_grad(X, y, w, lam=0.0):
    """grad C(w) = X^T (sigmoid(X w) - y) / N + lam w, shape (D,)."""
    X, y, w, lam = check_logistic(X, y, w, lam)
    return X.T @ (expit(X @ w) - y) / X.shape[0] + lam * w
