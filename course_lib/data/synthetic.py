"""Small synthetic data sets and the lecture's 2-D test functions.

Classification sets (2-D points you can plot, labels 0..n_classes-1):
  make_spirals  interleaved spiral arms, not linearly separable;
  make_blobs    Gaussian clusters around random centres.
Both return x (N, D) float64 and y (N,) int64 with N = n_per_class * n_classes,
rows shuffled, and the same seed always gives the same data.

Test functions of two variables w = (x, y), for the optimizer notebooks
(lecture 003's circular and elliptical bowls, and Rosenbrock's valley).
Each factory returns ``(f, grad)``; the Hessians have their own factories.
f and grad accept w of shape (2,) or a stack (2, ...) of grids (for
contour plots); f returns a float for one point, grad an array shaped like w.
"""
import numpy as np

from course_lib.validation import check_positive_int, check_rng


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


def rosenbrock(a=1.0, b=100.0):
    """f(x, y) = (a - x)^2 + b (y - x^2)^2, minimum 0 at (a, a^2), and its gradient

    df/dx = -2 (a - x) - 4 b x (y - x^2),   df/dy = 2 b (y - x^2).
    """

    def f(w):
        x, y = _point(w)
        return _scalar_if_point((a - x) ** 2 + b * (y - x**2) ** 2)

    def grad(w):
        x, y = _point(w)
        return np.array([-2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)])

    return f, grad


def rosenbrock_hessian(a=1.0, b=100.0):
    """Hessian of Rosenbrock at a point w (2,):

    [[2 - 4 b (y - x^2) + 8 b x^2, -4 b x], [-4 b x, 2 b]].
    ``a`` does not appear (it only shifts the linear term) but is accepted for symmetry.
    """

    def hess(w):
        x, y = _point(w)
        if np.ndim(x) != 0:
            raise ValueError("the Hessian is computed at one point: w must have shape (2,).")
        return np.array([[2 - 4 * b * (y - x**2) + 8 * b * x**2, -4 * b * x],
                         [-4 * b * x, 2 * b]])

    return hess
