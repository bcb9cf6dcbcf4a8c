"""The Hessian H_jk = d^2 C / (dw_j dw_k): by finite differences, and exactly for two small models.

Lectures 001 and 003 write the second-order Taylor expansion

    C(w + dw) ~ C(w) + grad C . dw + 1/2 dw^T H dw,

and everything in this package (Newton, conjugate gradients, BFGS) is a way
of using, or avoiding, this d x d matrix.
"""
import numpy as np
from scipy.special import expit

from course_lib.second_order.checks import as_vector, call_gradient
from course_lib.second_order.problems import check_design, check_logistic


def hessian_fd(grad_fn, w, eps=1e-5):
    """Hessian by centered differences of the gradient, column by column, then symmetrised.

    Column j is ``(grad_fn(w + eps e_j) - grad_fn(w - eps e_j)) / (2 eps)``,
    the derivative of the gradient along the j-th coordinate, with error
    O(eps^2). Finite differences leave H slightly asymmetric; the true Hessian
    is symmetric, so we return ``(H + H^T) / 2``. Costs 2d gradient calls.

    grad_fn: function (d,) -> (d,); w: shape (d,), not modified; eps > 0 is an
    absolute step (1e-5 balances truncation, ~eps^2, against rounding,
    ~1e-16 / eps, for w and gradients of order one).
    Returns H of shape (d, d).
    """
    w = as_vector("w", w)
    eps = float(eps)
    if not eps > 0:
        raise ValueError(f"eps must be a positive step size, got {eps!r}.")
    d = w.size
    H = np.empty((d, d))
    for j in range(d):
        w_plus, w_minus = w.copy(), w.copy()
        w_plus[j] += eps
        w_minus[j] -= eps
        H[:, j] = (call_gradient(grad_fn, w_plus, d) - call_gradient(grad_fn, w_minus, d)) / (2 * eps)
    return 0.5 * (H + H.T)


def hessian_linear_regression(X, y):
    """Hessian of C(w) = 1/(2N) ||X w - y||^2: H = X^T X / N, shape (D, D), the same for every w.

    Because C is quadratic, one Newton step from any w lands on the solution
    of the normal equations X^T X w = X^T y (lecture 004's question).
    ``y`` does not enter H; it is taken (and checked) so the three linear
    regression functions share one signature.
    """
    X, _ = check_design(X, y)
    return X.T @ X / X.shape[0]


def hessian_logistic_regression(X, y, w, lam=0.0):
    """Hessian of ``logistic_regression_loss``: H = X^T diag(p (1 - p)) X / N + lam I, p = sigmoid(X w).

    Positive semi-definite for every w, and positive definite when lam > 0,
    so the regularised problem is strictly convex and Newton's step is
    always defined. The labels do not enter H. Shape (D, D).
    """
    X, y, w, lam = check_logistic(X, y, w, lam)
    p = expit(X @ w)
    return (X.T * (p * (1 - p))) @ X / X.shape[0] + lam * np.eye(X.shape[1])
