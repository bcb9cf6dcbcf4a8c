"""Elementwise activation modules (lecture 002 "activation modules", lecture 003 table).

Each module acts entry by entry, so its Jacobian is diagonal and the backward
is an elementwise product: dx = dout * h'(x). The elementwise kernels accept
arrays of any shape. The PReLU slope alpha is learnable, so its backward also
returns dalpha.
"""
import numpy as np

from course_lib.validation import ShapeError, as_float_array, check_real_scalar, check_same_shape


def _check_dout(dout, like):
    dout = as_float_array("dout", dout)
    check_same_shape("dout", dout, "the forward output", like)
    return dout


def sigmoid_forward(x):
    """Logistic sigmoid a = 1 / (1 + exp(-x)), any shape.

    Computed without overflow: for x < 0 it uses exp(x) / (1 + exp(x)).
    The cache is the output a, since sigma'(x) = a (1 - a).
    """
    x = as_float_array("x", x)
    e = np.exp(-np.abs(x))  # never overflows
    out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return out, out


def sigmoid_backward(dout, cache):
    """dx = dout * a * (1 - a), with a the sigmoid output; shape of x."""
    a = cache
    dout = _check_dout(dout, a)
    return dout * a * (1.0 - a)


def tanh_forward(x):
    """Hyperbolic tangent a = tanh(x), any shape; the cache is a."""
    x = as_float_array("x", x)
    out = np.tanh(x)
    return out, out


def tanh_backward(dout, cache):
    """dx = dout * (1 - a^2), with a = tanh(x); shape of x."""
    a = cache
    dout = _check_dout(dout, a)
    return dout * (1.0 - a * a)


def relu_forward(x):
    """Rectified linear unit a = max(0, x), any shape; the cache is x."""
    x = as_float_array("x", x)
    return np.maximum(x, 0.0), x


def relu_backward(dout, cache):
    """dx = dout * 1[x > 0]; the derivative at the kink x = 0 is taken as 0 (lecture 002)."""
    x = cache
    dout = _check_dout(dout, x)
    return dout * (x > 0)


def leaky_relu_forward(x, alpha=0.01):
    """Leaky ReLU a = x for x > 0 and alpha * x otherwise (lecture 003, eq. 14), any shape.

    alpha is a fixed hyperparameter (not differentiated); the cache is (x, alpha).
    """
    x = as_float_array("x", x)
    alpha = check_real_scalar("alpha", alpha)
    return np.where(x > 0, x, alpha * x), (x, alpha)


def leaky_relu_backward(dout, cache):
    """dx = dout * (1 if x > 0 else alpha); shape of x."""
    x, alpha = cache
    dout = _check_dout(dout, x)
    return dout * np.where(x > 0, 1.0, alpha)


def prelu_forward(x, alpha):
    """Parametric ReLU: a = x for x > 0 and alpha * x otherwise, with a learnable slope.

    Shapes: alpha (D,) gives one slope per feature and needs x (N, D);
    alpha of shape () (a scalar array) shares one slope and accepts x of any shape.
    Output has the shape of x; the cache is (x, alpha).
    """
    x = as_float_array("x", x)
    alpha = as_float_array("alpha", alpha)
    if alpha.ndim == 1:
        if x.ndim != 2 or x.shape[1] != alpha.shape[0]:
            raise ShapeError(
                f"alpha has shape {alpha.shape} (one slope per feature), so x must have "
                f"shape (N, {alpha.shape[0]}), got {x.shape}."
            )
    elif alpha.ndim != 0:
        raise ShapeError(
            f"alpha must have shape (D,) for x (N, D) or shape () for one shared slope, "
            f"got {alpha.shape}."
        )
    return np.where(x > 0, x, alpha * x), (x, alpha)


def prelu_backward(dout, cache):
    """Gradients of the PReLU: dx = dout * (1 if x > 0 else alpha), dalpha = sum of dout * x over x <= 0.

    Shapes: dx like x; dalpha like alpha ((D,) summed over the batch, or () summed over everything).
    """
    x, alpha = cache
    dout = _check_dout(dout, x)
    negative = x <= 0
    dx = dout * np.where(negative, alpha, 1.0)
    contrib = dout * x * negative
    dalpha = contrib.sum(axis=0) if alpha.ndim == 1 else np.asarray(contrib.sum())
    return dx, dalpha


def softplus_forward(x):
    """Softplus a = ln(1 + e^x), the smooth ReLU of lecture 002, any shape.

    Written as max(x, 0) + ln(1 + e^{-|x|}) so that e^x never overflows and
    large negative x keeps its tiny positive value. The cache is x.
    """
    x = as_float_array("x", x)
    out = np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))
    return out, x


def softplus_backward(dout, cache):
    """dx = dout * sigma(x), since d/dx ln(1 + e^x) is the logistic sigmoid."""
    x = cache
    dout = _check_dout(dout, x)
    sig, _ = sigmoid_forward(x)
    return dout * sig
