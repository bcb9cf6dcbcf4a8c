"""Numerical gradients by centered differences, one coordinate at a time.

For a scalar function f and a coordinate x_i,

    df/dx_i  ~  (f(x + h e_i) - f(x - h e_i)) / (2 h),

where e_i is the i-th unit vector. The error of this estimate is O(h^2) from
truncation plus about eps * |f| / h from rounding, so h = 1e-5 in float64
gives roughly 1e-10 absolute accuracy for well-scaled functions.

The lecture insists on perturbing ONE coordinate at a time: moving the whole
vector by h measures the derivative along the diagonal direction (the sum of
all partial derivatives), not any single partial derivative.

``x`` is perturbed in place and restored to its exact original value (even if
``f`` raises), so ``f`` may either use its argument or read the same array
through a closure, as in ``numerical_gradient(lambda _: loss(W), W)``.
"""
import numpy as np

from course_lib.validation import DTypeError, check_same_shape


def _prepare_input(x):
    """Return ``x`` as a writable float64 ndarray that can be perturbed in place.

    Python floats and lists are wrapped in a new array (the caller's function
    then sees that array through its argument). Existing arrays are used as
    they are, because the caller's function may read them through a closure.
    """
    if not isinstance(x, np.ndarray):
        arr = np.asarray(x)
        if not np.issubdtype(arr.dtype, np.floating):
            raise DTypeError(
                f"x must hold floating-point numbers, got {type(x).__name__} of dtype "
                f"{arr.dtype}; pass np.array(x, dtype=np.float64)."
            )
        return arr.astype(np.float64)
    if x.dtype != np.float64:
        hint = (
            "a step of 1e-5 is lost in float32/float16 rounding"
            if np.issubdtype(x.dtype, np.floating)
            else "an integer array cannot hold x + h"
        )
        raise DTypeError(
            f"x must be a float64 array for numerical gradients, got dtype {x.dtype} "
            f"({hint}); convert it first with x = x.astype(np.float64)."
        )
    if not x.flags.writeable:
        raise ValueError(
            "x is read-only, but numerical_gradient perturbs it in place; pass a "
            "writable copy, e.g. x.copy()."
        )
    return x


def _check_step(h):
    if not np.isfinite(h) or h <= 0:
        raise ValueError(f"h must be a small positive step such as 1e-5, got {h!r}.")
    return float(h)


def _scalar_value(fx):
    """Return f's output as a Python float, refusing anything but one number."""
    arr = np.asarray(fx)
    if arr.size != 1:
        raise ValueError(
            f"f must return a scalar, got an array of shape {arr.shape}; for an "
            "array-valued function use numerical_gradient_array(f, x, dout)."
        )
    return float(arr.reshape(()))


def numerical_gradient(f, x, h=1e-5):
    """Gradient of a scalar function by centered differences.

    Parameters
    ----------
    f : callable, array of x.shape -> scalar
        Called with the (perturbed) array ``x``.
    x : float64 ndarray of any shape (a Python float is wrapped in an array)
        The point; perturbed in place one entry at a time and restored.
    h : float
        The step of the centered difference.

    Returns
    -------
    grad : float64 ndarray of x.shape, grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2h).
    """
    h = _check_step(h)
    x = _prepare_input(x)
    grad = np.zeros(x.shape, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        try:
            x[i] = old + h
            f_plus = _scalar_value(f(x))
            x[i] = old - h
            f_minus = _scalar_value(f(x))
        finally:
            x[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * h)
    return grad


def numerical_gradient_array(f, x, dout, h=1e-5):
    """Gradient of sum(dout * f(x)) w.r.t. x by centered differences.

    This is what a backward pass returns for an array-valued forward: the
    upstream gradient ``dout`` contracted with the Jacobian of f.

    Parameters
    ----------
    f : callable, array of x.shape -> array of dout.shape
    x : float64 ndarray of any shape; perturbed in place and restored.
    dout : array of the shape of f(x), the upstream gradient.
    h : float

    Returns
    -------
    grad : float64 ndarray of x.shape,
        grad[i] = sum(dout * (f(x + h e_i) - f(x - h e_i))) / (2h).
    """
    h = _check_step(h)
    x = _prepare_input(x)
    dout = np.asarray(dout, dtype=np.float64)
    grad = np.zeros(x.shape, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        try:
            x[i] = old + h
            # Copy: f may return a view of x or of a buffer it reuses.
            f_plus = np.array(f(x), dtype=np.float64, copy=True)
            x[i] = old - h
            f_minus = np.array(f(x), dtype=np.float64, copy=True)
        finally:
            x[i] = old
        check_same_shape("f(x)", f_plus, "dout", dout)
        grad[i] = np.sum(dout * (f_plus - f_minus)) / (2.0 * h)
    return grad
