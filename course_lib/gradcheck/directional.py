"""A gradient check along one random direction through all parameters at once.

For a direction v (one Gaussian array per parameter, drawn jointly) the
directional derivative of the loss is the inner product of the gradient with
v, and a centered difference estimates it with two loss evaluations however
many parameters there are:

    (f(p + h v) - f(p - h v)) / (2h)   ~   sum over parameters of <grad, v>.

A wrong entry anywhere changes the right-hand side (v is random, so an error
is orthogonal to it with probability zero), which makes this the cheap first
test; ``sampled_check`` then finds which parameter is wrong.

The default step is 6e-6 times the RMS size of the parameters: about the cube
root of float64 epsilon, where the O(h^2) truncation error and the eps/h
rounding error of a centered difference balance.

A kink (ReLU, max) between p - 2hv and p + 2hv spoils the estimate. With
``five_point=True`` the loss is also evaluated at p and p +- 2hv, and the two
second-order one-sided estimates

    forward  (-3 f(0) + 4 f(h) - f(2h)) / (2h),
    backward ( 3 f(0) - 4 f(-h) + f(-2h)) / (2h)

are compared with the central difference: on a smooth loss all three agree to
O(h^2), across a kink they disagree at O(1). A crossed kink is reported
(diagnosis kind ``kink``) and the lecture's looser bound 1e-3 for ReLU
networks is applied instead of the threshold.
"""
import numpy as np

from course_lib.gradcheck._ratio import ratio
from course_lib.gradcheck.diagnose import Diagnosis, contract_diagnosis
from course_lib.gradcheck.naming import format_value
from course_lib.gradcheck.params import check_param_dicts, loss_value, rounding_noise
from course_lib.gradcheck.relative_error import KINK_THRESHOLD, LECTURE_THRESHOLD
from course_lib.gradcheck.result import GradCheckResult
from course_lib.validation import check_rng

STEP_PER_SCALE = 6e-6
"""Default step h divided by the RMS size of the parameters."""

KINK_TOL = 1e-4
"""One-sided and central estimates differing by more than this (relative) mean a kink."""


def default_step(params):
    """6e-6 times the root-mean-square of all parameter entries (1 if they are all zero)."""
    total = sum(float(np.sum(p * p)) for p in params.values())
    count = sum(p.size for p in params.values())
    scale = np.sqrt(total / count) if count and total > 0 else 1.0
    return STEP_PER_SCALE * scale


def _kink_crossed(f0, fp1, fm1, fp2, fm2, central, h, noise):
    forward = (-3.0 * f0 + 4.0 * fp1 - fp2) / (2.0 * h)
    backward = (3.0 * f0 - 4.0 * fm1 + fm2) / (2.0 * h)
    size = max(abs(central), abs(forward), abs(backward))
    # The one-sided formulas carry about 4 times the rounding noise of the central one.
    allowed = KINK_TOL * size + 4.0 * noise
    return max(abs(forward - central), abs(backward - central)) > allowed


def directional_check(f, params, grads, rng=None, h=None, threshold=LECTURE_THRESHOLD,
                      five_point=True):
    """Compare the directional derivative of ``f`` with sum <grad, v> for one random v.

    Parameters
    ----------
    f : callable () -> float
        The loss at the current values of the arrays in ``params``.
    params : dict name -> float64 ndarray
        Moved in place along the direction, then restored exactly.
    grads : dict name -> array, the gradients to check (same keys and shapes).
    rng : seed or numpy Generator, for the direction v (standard Gaussian entries).
    h : float, optional; default ``default_step(params)``.
    threshold : float, bound on the lecture's rho.
    five_point : bool
        Also evaluate f at p and p +- 2hv to detect a crossed kink
        (5 evaluations instead of 2).

    Returns
    -------
    GradCheckResult named after all parameters ("w, b"), with ``expected``
    the central difference and ``actual`` the sum of <grad, v>.
    """
    names = check_param_dicts(params, grads)
    label = ", ".join(names)
    for name in names:
        problem = contract_diagnosis(name, grads[name], params[name].shape)
        if problem is not None:
            return GradCheckResult(label, False, float("inf"), None, None, None, threshold,
                                   problem, f"Directional check over {label} not run: "
                                   f"{problem.message}")
    rng = check_rng(rng)
    h = default_step(params) if h is None else float(h)
    if not np.isfinite(h) or h <= 0:
        raise ValueError(f"h must be a small positive step, got {h!r}.")
    direction = {name: rng.standard_normal(params[name].shape) for name in names}
    analytic = sum(float(np.sum(np.asarray(grads[n], dtype=np.float64) * direction[n]))
                   for n in names)
    original = {name: params[name].copy() for name in names}

    def loss_at(t):
        for name in names:
            np.copyto(params[name], original[name] + t * direction[name])
        return loss_value(f)

    try:
        f_plus, f_minus = loss_at(h), loss_at(-h)
        if five_point:
            f_plus2, f_minus2 = loss_at(2.0 * h), loss_at(-2.0 * h)
    finally:
        for name in names:
            np.copyto(params[name], original[name])
    central = (f_plus - f_minus) / (2.0 * h)
    values = (f_plus, f_minus) + ((f_plus2, f_minus2) if five_point else ())
    noise = rounding_noise(values, h)

    diagnosis = None
    bound = threshold
    if five_point:
        f0 = loss_value(f)
        if _kink_crossed(f0, f_plus, f_minus, f_plus2, f_minus2, central, h, noise):
            bound = max(threshold, KINK_THRESHOLD)
            diagnosis = Diagnosis(
                "kink",
                "the step crossed a kink (a ReLU or a max switched between p - 2hv and "
                "p + 2hv): the one-sided estimates disagree with the central difference, so "
                f"the lecture's looser bound {KINK_THRESHOLD:g} applies; move the inputs "
                "away from kinks for a sharper check.",
            )
    error = ratio(analytic, central, floor=noise / bound)
    if np.isnan(error):
        error = float("inf")
    passed = error < bound
    numbers = (f"along one random direction the central difference is {format_value(central)} "
               f"and your gradients give {format_value(analytic)} (relative error {error:.1e}, "
               f"threshold {bound:g})")
    if passed:
        message = f"Directional check over {label} passed: {numbers}."
    else:
        cause = ("the gradients or the kink may be at fault" if diagnosis is not None
                 else f"a gradient among {label} is wrong (sampled_check tells which)")
        message = f"Directional check over {label} failed: {numbers}; {cause}."
    if diagnosis is not None:
        message += f" Note: {diagnosis.message}"
    return GradCheckResult(label, passed, error, None, central, analytic, bound, diagnosis,
                           message)


def directions_agree(f, params, grads, directions=2, rng=None, h=None, threshold=LECTURE_THRESHOLD):
    """True when ``directional_check`` passes along each of ``directions`` random directions.

    The cheap test of a gradient: 2 evaluations of ``f`` per direction, whatever
    the number of parameters (a wrong gradient passes one random direction with
    probability zero; a second guards against an error that happens to be nearly
    orthogonal to the first). Stops at the first direction that fails, so a
    caller can then spend per-entry differences on saying which entries are
    wrong. Arguments as for ``directional_check`` (no kink detection here).
    """
    rng = check_rng(rng)
    for _ in range(directions):
        if not directional_check(f, params, grads, rng=rng, h=h, threshold=threshold, five_point=False).passed:
            return False
    return True
