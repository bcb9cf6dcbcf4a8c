"""Checks of the gradient-checking tools: numerical_gradient and relative_error (lecture 002).

numerical_gradient is checked on f(x) = sum(coef * x^3), whose centered
difference with step h is known exactly:

    (c (x+h)^3 - c (x-h)^3) / (2h) = c (3 x^2 + h^2),

so the h^2 term proves that the step h was used and that the difference was
centered. relative_error is the lecture's rho = ||a - b|| / ||a + b||, with
rho = 0 when a = b and inf when a = -b != 0.
"""
import numpy as np

from course_lib.gradcheck.naming import describe_shape, format_value
from course_lib.selfcheck.common import describe, misfit, require_array, require_gradient
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb01.cases import CubicCase, FunctionCase
from course_lib.selfcheck.nb01.mistakes import NUMERICAL_GRADIENT, RELATIVE_ERROR, named


def cubic(coef, shape):
    """f(z) = sum(coef * z**3), refusing to be called with an array of the wrong shape."""

    def f(z):
        if np.shape(z) != shape:
            raise CheckFailure(
                f"numerical_gradient called f with an array of shape {np.shape(z)}; f must always receive an "
                f"array of x's shape {describe_shape(shape)} (perturb one entry of x, do not flatten it)."
            )
        return float(np.sum(coef * np.asarray(z) ** 3))

    return f


def check_numerical_gradient_case(numerical_gradient, case):
    """A cubic case (exact answer, x restored, known mistakes) or any f against the expected gradient."""
    if isinstance(case, FunctionCase):
        got = numerical_gradient(case.f, case.x.copy(), case.h)
        require_gradient(f"{case.label}, h = {case.h:g}", "the gradient", case.gradient, got, named_first=True)
        return
    _check_cubic(numerical_gradient, case)


def _check_cubic(numerical_gradient, case: CubicCase):
    x, h = case.x, case.h
    context = f"numerical_gradient on x of shape {describe_shape(x.shape)}" + ("" if h is None else f", h = {h:g}")
    x_in = x.copy()
    f = cubic(case.coef, x.shape)
    grad = numerical_gradient(f, x_in) if h is None else numerical_gradient(f, x_in, h)
    if not np.array_equal(x_in, x):
        raise CheckFailure(
            f"{context}: x was changed by the call; restore every entry after perturbing it "
            "(x[i] = old), or perturb a copy of x."
        )
    grad = require_array(f"{context}: the gradient", grad, x.shape)
    centered = case.centered
    # Rounding of f(x +- h) is about eps * sum|coef x^3| / h; the exact formula is far tighter than 1e-6.
    if misfit(centered, grad) <= 1e-8:
        return
    for mistake, value in named(NUMERICAL_GRADIENT, case.mistakes).items():
        # Only variants that a check with this h can tell apart from the right answer.
        if misfit(value, centered) > 1e-6 and misfit(value, grad) <= 1e-7:
            raise CheckFailure(f"{context}: the result is {mistake}.")
    require_gradient(context, "the gradient", centered, grad, named_first=True)


def check_relative_error_case(relative_error, case):
    """One pair: the student's ratio against the expected rho (0, inf and finite values)."""
    a, b, rho = case.a, case.b, case.rho
    context = f"relative_error(a, b) with a, b of shape {describe_shape(np.shape(a))}"
    a_in, b_in = np.array(a, copy=True), np.array(b, copy=True)
    value = relative_error(a_in, b_in)
    if not (np.array_equal(a_in, a) and np.array_equal(b_in, b)):
        raise CheckFailure(f"{context}: a or b was modified; compute with new arrays.")
    arr = np.asarray(value)
    if arr.ndim != 0 or not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise CheckFailure(
            f"{context}: must return one number, got {describe(value)}; take the norm over ALL "
            "entries (np.linalg.norm of the whole array), not entry by entry."
        )
    value = float(arr)
    if np.isinf(rho):
        if not np.isinf(value):
            raise CheckFailure(
                f"{context}: a = -b (a + b is zero but a - b is not) must give float('inf'), got {value!r}."
            )
        return
    if rho == 0.0:
        if value != 0.0:
            raise CheckFailure(
                f"{context}: a and b are equal{' and both zero' if not np.any(a) else ''}, so rho must be "
                f"0.0, got {value!r}; return 0.0 when ||a - b|| is zero before dividing."
            )
        return
    if np.isfinite(value) and abs(value - rho) <= 1e-10 * rho:
        return
    for mistake, wrong in named(RELATIVE_ERROR, case.mistakes).items():
        wrong = float(wrong)
        if np.isfinite(wrong) and abs(value - wrong) <= 1e-10 * abs(wrong) and abs(wrong - rho) > 1e-8 * rho:
            raise CheckFailure(f"{context}: got {format_value(value)}, which is {mistake}.")
    raise CheckFailure(f"{context}: expected rho = {format_value(rho)}, got {format_value(value)}.")
