"""Small synthetic data sets and the lecture's 2-D test functions.

Classification sets (2-D points you can plot, labels 0..n_classes-1):
  make_spirals  interleaved spiral arms, not linearly separable;
  make_blobs    Gaussian clusters around random centres.
Both return x (N, D) float64 and y (N,) int64 with N = n_per_class * n_classes,
rows shuffled, and the same seed always gives the same data.

Test functions for the optimizer notebooks: lecture 003's circular and
elliptical bowls of w = (x, y), and Rosenbrock's valley in any dimension
d >= 2 (``rosenbrock_value``, ``rosenbrock_gradient``,
``rosenbrock_hessian_at``, also used by second_order). Each factory returns
``(f, grad)``; the Hessians have their own factories. f and grad accept w of
shape (d,) or a stack (d, ...) of grids (for contour plots); f returns a
float for one point, grad an array shaped like w.
"""
from functools import partial

import numpy as np

from course_lib.validation import ShapeError, as_float_array, check_positive_int, check_rng


def _shuffled(x, y, rng):
    order = rng.permutation(len(y))
    return x[order], y[order]


def make_spirals(n_per_class=100, n_classes=3, noise=0.2, seed=0):
    """Spiral arms: class k's points lie at radius r in [0, 1] and angle 4 r + 4 k plus noise.

    Returns x (N, 2), y (N,) with N = n_per_class * n_classes.
    """
    n_per_class = check_positive_int("n_per_class", n_per_class)
    n_classes = check_positive_int("n_classes", n_classes)
    if noise < 0:
        raise ValueError(f"noise must be non-negative, got {noise!r}.")
    rng = check_rng(seed)
    radius = np.linspace(0.0, 1.0, n_per_class)
    xs, ys = [], []
    for k in range(n_classes):
        angle = np.linspace(4.0 * k, 4.0 * (k + 1), n_per_class) + noise * rng.standard_normal(n_per_class)
        xs.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
        ys.append(np.full(n_per_class, k, dtype=np.int64))
    return _shuffled(np.concatenate(xs), np.concatenate(ys), rng)


def make_blobs(n_per_class=100, n_classes=3, n_features=2, std=1.0, center_box=5.0, seed=0):
    """Gaussian clusters: centres uniform in [-center_box, center_box]^D, spread ``std``.

    Returns x (N, D), y (N,) with N = n_per_class * n_classes, D = n_features.
    """
    n_per_class = check_positive_int("n_per_class", n_per_class)
    n_classes = check_positive_int("n_classes", n_classes)
    n_features = check_positive_int("n_features", n_features)
    if std < 0:
        raise ValueError(f"std must be non-negative, got {std!r}.")
    rng = check_rng(seed)
    centres = rng.uniform(-center_box, center_box, size=(n_classes, n_features))
    y = np.repeat(np.arange(n_classes, dtype=np.int64), n_per_class)
    x = centres[y] + std * rng.standard_normal((len(y), n_features))
    return _shuffled(x, y, rng)


def _point(w):
    w = np.asarray(w, dtype=np.float64)
    if w.ndim == 0 or w.shape[0] != 2:
        raise ValueError(f"w must have shape (2,) or (2, ...), got {w.shape}.")
    return w[0], w[1]


def _scalar_if_point(value):
    return float(value) if np.ndim(value) == 0 else value


def quadratic_bowl(a=1.0, b=1.0):
    """f(x, y) = a x^2 + b y^2 and its gradient (2 a x, 2 b y).

    a = b = 1 is the circular bowl x^2 + y^2; a = 1, b = 4 the elliptical
    bowl x^2 + 4 y^2 on which plain gradient descent zig-zags.
    """

    def f(w):
        x, y = _point(w)
        return _scalar_if_point(a * x**2 + b * y**2)

    def grad(w):
        x, y = _point(w)
        return np.array([2 * a * x, 2 * b * y])

    return f, grad


def quadratic_bowl_hessian(a=1.0, b=1.0):
    """Hessian of the bowl: the constant matrix diag(2a, 2b), as a function of w."""

    def hess(w):
        _point(w)
        return np.array([[2.0 * a, 0.0], [0.0, 2.0 * b]])

    return hess


def rosenbrock_value(w, a=1.0, b=100.0):
    """f(w) = sum_i [b (w_{i+1} - w_i^2)^2 + (a - w_i)^2], i = 0..d-2, for w of shape (d,) or a grid (d, ...).

    For d = 2, w = (x, y): f = (a - x)^2 + b (y - x^2)^2 with its minimum 0
    at (a, a^2), a long curved valley where gradient descent crawls and
    Newton-type methods shine (start from (-1.2, 1)). A grid of points
    (d, H, W) gives an (H, W) array, for contour plots.
    """
    w = _rosenbrock_point(w)
    r = w[1:] - w[:-1] ** 2
    return _scalar_if_point(np.sum(b * r * r + (a - w[:-1]) ** 2, axis=0))


def rosenbrock_gradient(w, a=1.0, b=100.0):
    """Gradient of ``rosenbrock_value`` at w (d,) (or a grid (d, ...)), same shape as w.

    df/dw_i = -4 b w_i (w_{i+1} - w_i^2) - 2 (a - w_i) + 2 b (w_i - w_{i-1}^2).
    """
    w = _rosenbrock_point(w)
    r = w[1:] - w[:-1] ** 2
    g = np.zeros_like(w)
    g[:-1] = -4 * b * w[:-1] * r - 2 * (a - w[:-1])
    g[1:] += 2 * b * r
    return g


def rosenbrock_hessian_at(w, a=1.0, b=100.0):
    """Hessian of ``rosenbrock_value`` at one point w (d,): a tridiagonal (d, d) matrix.

    For d = 2 it is [[2 - 4b (y - 3x^2), -4b x], [-4b x, 2b]], indefinite
    where y > x^2 + 1/(2b). ``a`` does not appear.
    """
    w = _rosenbrock_point(w)
    if w.ndim != 1:
        raise ValueError(f"the Hessian is computed at one point: w must have shape (d,), got {w.shape}.")
    H = np.zeros((w.size, w.size))
    i = np.arange(w.size - 1)
    H[i, i] += 2 - 4 * b * (w[1:] - 3 * w[:-1] ** 2)
    H[i + 1, i + 1] += 2 * b
    H[i, i + 1] = H[i + 1, i] = -4 * b * w[:-1]
    return H


def _rosenbrock_point(w):
    w = as_float_array("w", w)
    if w.ndim == 0 or w.shape[0] < 2:
        raise ShapeError(f"rosenbrock needs w of shape (d,) or (d, ...) with d >= 2, got {w.shape}.")
    return w


def rosenbrock(a=1.0, b=100.0):
    """The 2-D (or d-D) Rosenbrock function and its gradient, as a pair (f, grad) of functions of w."""
    return partial(rosenbrock_value, a=a, b=b), partial(rosenbrock_gradient, a=a, b=b)


def rosenbrock_hessian(a=1.0, b=100.0):
    """The Hessian of Rosenbrock as a function of one point w (d,)."""
    return partial(rosenbrock_hessian_at, a=a, b=b)
