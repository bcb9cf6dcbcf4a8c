"""Lecture 002's example of a home-made module: a = cos(theta * x) + pi.

Its local derivatives are da/dx = -theta sin(theta x) and
da/dtheta = -x sin(theta x). theta is one number shared by every entry of x,
so its gradient adds up the contributions of all entries (shared weights,
lecture 003).
"""
import numpy as np

from course_lib.validation import as_float_array, check_real_scalar, check_same_shape


def cos_module_forward(x, theta):
    """a = cos(theta * x) + pi elementwise; x any shape, theta a real scalar (float or 0-d array).

    The cache is (x, theta).
    """
    x = as_float_array("x", x)
    theta = check_real_scalar("theta", theta)
    return np.cos(theta * x) + np.pi, (x, theta)


def cos_module_backward(dout, cache):
    """Gradients of a = cos(theta x) + pi.

    dx = -theta * sin(theta x) * dout (shape of x);
    dtheta = sum over all entries of -x * sin(theta x) * dout (a Python float).
    """
    x, theta = cache
    dout = as_float_array("dout", dout)
    check_same_shape("dout", dout, "x", x)
    sin = np.sin(theta * x)
    dx = -theta * sin * dout
    dtheta = float(np.sum(-x * sin * dout))
    return dx, dtheta
