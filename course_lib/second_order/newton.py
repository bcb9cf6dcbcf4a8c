"""Newton's update w' = w - H^{-1} grad C (lectures 001 eq. 13, 003 eq. 20) and its repairs.

Newton's step jumps to the stationary point of the quadratic Taylor model
C(w) + grad C . dw + 1/2 dw^T H dw. That point is the model's *minimum* only
when H is positive definite. With a negative eigenvalue it is a saddle (or a
maximum) of the model, and the raw step walks straight into it: on
f = x^2 - y^2 one Newton step from anywhere lands on the saddle (0, 0).
With a zero eigenvalue the step is undefined. ``newton_step`` therefore
checks the eigenvalues and raises, and ``minimize`` switches to one of the
two repairs below and says so in its warnings.

We solve H dw = -grad (np.linalg.solve) and never form H^{-1}: solving is
cheaper and more accurate than inverting.
"""
import numpy as np

from course_lib.second_order.checks import as_square_matrix, as_vector, check_finite


class NewtonStepError(ValueError):
    """The Hessian is not positive definite, so the Newton step does not head for a minimum.

    ``eigenvalue`` is the offending eigenvalue (the smallest one).
    """

    def __init__(self, message, eigenvalue):
        super().__init__(message)
        self.eigenvalue = float(eigenvalue)


class IndefiniteHessianError(NewtonStepError):
    """H has a negative eigenvalue: the Newton step heads for a saddle point or a maximum."""


class SingularHessianError(NewtonStepError):
    """H has an eigenvalue that is zero relative to the largest one: the Newton step is undefined."""


def check_positive_definite(hess, rtol=None):
    """Raise if the symmetric part of ``hess`` is not clearly positive definite; return its eigenvalues.

    With lambda_max = max |eigenvalue| and tolerance t = rtol * lambda_max
    (``rtol=None`` means d * machine epsilon, numpy's rank tolerance):
    lambda_min < -t raises IndefiniteHessianError, |lambda_min| <= t raises
    SingularHessianError. Returns the eigenvalues in ascending order.
    """
    H = np.asarray(hess, dtype=np.float64)
    d = H.shape[0]
    eigenvalues = np.linalg.eigvalsh(0.5 * (H + H.T))
    rtol = d * np.finfo(np.float64).eps if rtol is None else float(rtol)
    scale = np.max(np.abs(eigenvalues))
    lam_min = eigenvalues[0]
    if lam_min < -rtol * scale:
        raise IndefiniteHessianError(
            f"the Hessian is not positive definite: its smallest eigenvalue is {lam_min:.6g} < 0, "
            "so the Newton step heads for a saddle point or a maximum, not a minimum.",
            lam_min,
        )
    if lam_min <= rtol * scale:
        raise SingularHessianError(
            f"the Hessian is singular: its smallest eigenvalue {lam_min:.6g} is zero relative to "
            f"the largest {scale:.6g}, so H dw = -grad has no unique solution.",
            lam_min,
        )
    return eigenvalues


def newton_step(w, grad, hess, check=True, rtol=None):
    """One Newton update w_new = w - H^{-1} grad, computed by solving H dw = -grad.

    w, grad: shape (d,); hess: shape (d, d), symmetric. None is modified.
    With ``check=True`` (default) an indefinite or singular H raises
    ``IndefiniteHessianError`` / ``SingularHessianError`` carrying the
    eigenvalue responsible (see ``check_positive_definite`` for ``rtol``).
    ``check=False`` takes the raw step whatever H is, e.g. to watch it jump
    onto a saddle point. Returns w_new of shape (d,).
    """
    w = as_vector("w", w)
    d = w.size
    grad = as_vector("grad", grad, d)
    H = as_square_matrix("hess", hess, d)
    check_finite("hess", H)
    if check:
        check_positive_definite(H, rtol)
    return w + np.linalg.solve(H, -grad)


def saddle_free_direction(grad, hess, floor):
    """Newton's direction with every eigenvalue of H replaced by max(|lambda|, floor).

    With H = V diag(lambda) V^T this returns dw = -V diag(1 / max(|lambda|, floor)) V^T grad.
    Along positive-curvature directions it is Newton's step; along a
    negative-curvature direction it keeps Newton's length but flips the
    direction, so it moves *away* from a saddle instead of into it (the
    "saddle-free Newton" of Dauphin et al., 2014). The matrix is positive
    definite, so dw is a descent direction whenever grad != 0. ``floor`` > 0
    keeps near-zero curvature from producing an unbounded step.
    grad (d,), hess (d, d) -> dw (d,).
    """
    eigenvalues, V = np.linalg.eigh(0.5 * (hess + hess.T))
    return -V @ ((V.T @ grad) / np.maximum(np.abs(eigenvalues), floor))


def negative_curvature_direction(grad, hess):
    """The unit eigenvector v of H's smallest eigenvalue, signed so that grad . v <= 0.

    Returns (v, lambda_min). At a saddle point grad = 0 and Newton-type steps
    stand still; along v the function decreases like 1/2 t^2 lambda_min < 0,
    which is how a second-order method leaves the saddle.
    """
    eigenvalues, V = np.linalg.eigh(0.5 * (hess + hess.T))
    v = V[:, 0]
    return (-v if grad @ v > 0 else v), float(eigenvalues[0])
