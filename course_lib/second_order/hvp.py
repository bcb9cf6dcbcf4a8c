"""Hessian-vector products H v from two gradients, without ever forming H (lecture 003, eq. 23).

The gradient's directional derivative along v is H v, so

    H v ~ (grad L(w + delta v) - grad L(w)) / delta          (one-sided, error O(delta))
    H v ~ (grad L(w + delta v) - grad L(w - delta v)) / (2 delta)   (centered, error O(delta^2))

This is what makes conjugate gradients practical for a network with
millions of weights: each product costs one or two extra gradients,
instead of the d^2 entries of H.
"""
import numpy as np

from course_lib.second_order.checks import as_vector, call_gradient


def hvp_fd(grad_fn, w, v, delta=1e-6, centered=False):
    """Approximate H(w) v by finite differences of ``grad_fn``.

    The step actually taken along v is

        h = delta * max(1, ||w||) / ||v||      (2-norms)

    so the perturbation h v has length delta * max(1, ||w||): ``delta`` is
    the step *relative* to the size of w. Two reasons: H v is linear in v, so
    the answer must not depend on how long v is (a long v with a fixed step
    would leave the region where the Taylor expansion holds, a tiny v would
    drown the difference in rounding), and w + h v must differ from w in more
    than the last digits, which needs a step that grows with ||w||. When
    ||v|| = 1 and ||w|| <= 1 this is exactly the lecture's formula with step
    delta. delta = 1e-6 suits the one-sided formula (truncation ~delta,
    rounding ~1e-16 / delta); for ``centered=True`` about 1e-4 to 1e-5 is best.

    grad_fn: function (d,) -> (d,); w, v: shape (d,), not modified.
    Returns an array of shape (d,); v = 0 gives 0 without calling grad_fn.
    """
    w = as_vector("w", w)
    v = as_vector("v", v, w.size)
    delta = float(delta)
    if not delta > 0:
        raise ValueError(f"delta must be a positive step size, got {delta!r}.")
    v_norm = np.linalg.norm(v)
    if v_norm == 0:
        return np.zeros_like(w)
    h = delta * max(1.0, np.linalg.norm(w)) / v_norm
    g_plus = call_gradient(grad_fn, w + h * v, w.size)
    if centered:
        return (g_plus - call_gradient(grad_fn, w - h * v, w.size)) / (2 * h)
    return (g_plus - call_gradient(grad_fn, w, w.size)) / h
