"""Centered finite differences for the project's own tests.

Kept independent of course_lib.gradcheck on purpose: the tests of the
reference library must not trust the code they are checking.
"""
import numpy as np


def fd_gradient(f, x, dout=None, h=1e-6):
    """Gradient of sum(dout * f(x)) w.r.t. x by centered differences; x is perturbed in place and restored.

    f returns an array (or a scalar when dout is None). Shapes: grad has x.shape.
    """
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = np.asarray(f(x), dtype=np.float64).copy()
        x[i] = old - h
        fm = np.asarray(f(x), dtype=np.float64).copy()
        x[i] = old
        diff = fp - fm if dout is None else np.sum(dout * (fp - fm))
        grad[i] = np.sum(diff) / (2 * h)
    return grad


def rel_error(a, b):
    """||a - b|| / (||a|| + ||b||) over all entries, 0 when both are zero.

    A norm ratio rather than a per-entry maximum, so entries that are zero up
    to rounding do not dominate.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def check_backward(forward, inputs, backward, wrt, rng, tol=1e-7):
    """Finite-difference check of every input listed in wrt, plus cheap contract checks.

    backward's result is a single array when wrt has one index, else a tuple ordered like wrt.
    """
    originals = [np.array(a, copy=True) for a in inputs]
    out, cache = forward(*inputs)
    dout = rng.standard_normal(out.shape)
    grads = backward(dout, cache)
    grads = (grads,) if len(wrt) == 1 else grads
    assert len(grads) == len(wrt)
    for g, i in zip(grads, wrt):
        assert isinstance(g, np.ndarray) and g.shape == np.shape(inputs[i]) and g.dtype == np.float64

        def f(v, i=i):
            args = list(inputs)
            args[i] = v
            return forward(*args)[0]

        num = fd_gradient(f, np.array(inputs[i], dtype=np.float64, copy=True), dout)
        assert rel_error(g, num) < tol, f"input {i}: relative error {rel_error(g, num):.2e}"
    for a, o in zip(inputs, originals):
        np.testing.assert_array_equal(a, o)  # forward and backward leave inputs alone
    again = backward(dout, cache)
    again = (again,) if len(wrt) == 1 else again
    doubled = backward(2.0 * dout, cache)
    doubled = (doubled,) if len(wrt) == 1 else doubled
    for g, g2, gd in zip(grads, again, doubled):
        np.testing.assert_array_equal(g, g2)
        np.testing.assert_allclose(gd, 2.0 * g, rtol=1e-13, atol=1e-15)
