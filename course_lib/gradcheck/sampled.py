"""Per-entry gradient checks on a sample of entries from EVERY parameter.

The lecture's advice: perturb one parameter entry at a time, check only a
sample of entries (a network has too many to check them all), and sample
weights and biases equally, otherwise a wrong bias gradient goes unnoticed.
So each parameter array gets its own ``n_per_param`` entries, however small
it is, and its own result in the report: "right for w, wrong for b".

Each sampled entry is compared with the lecture's ratio
rho = |G_e - G_a| / |G_e + G_a|, whose denominator is floored at the rounding
noise of the centered difference divided by the threshold: an entry whose
true derivative is (nearly) zero cannot fail on rounding noise alone.
"""
import numpy as np

from course_lib.gradcheck._ratio import ratio
from course_lib.gradcheck.diagnose import contract_diagnosis, diagnose
from course_lib.gradcheck.naming import describe_index, format_value
from course_lib.gradcheck.params import check_param_dicts, loss_value, rounding_noise
from course_lib.gradcheck.relative_error import LECTURE_THRESHOLD
from course_lib.gradcheck.result import GradCheckReport, GradCheckResult
from course_lib.validation import check_positive_int, check_rng

# On a sample of entries only global patterns make sense; where the errors
# are in the array cannot be said from a handful of entries.
_SAMPLE_KINDS = ("sign", "factor", "zero")


def _centered_difference(f, p, idx, h):
    """(f(p + h e_idx) - f(p - h e_idx)) / 2h and its rounding noise; p restored."""
    old = p[idx]
    try:
        p[idx] = old + h
        f_plus = loss_value(f)
        p[idx] = old - h
        f_minus = loss_value(f)
    finally:
        p[idx] = old
    return (f_plus - f_minus) / (2.0 * h), rounding_noise((f_plus, f_minus), h)


def _entries(k):
    return "the 1 sampled entry" if k == 1 else f"all {k} sampled entries"


def _check_one(f, name, p, g, n, rng, h, threshold, dims):
    problem = contract_diagnosis(name, g, p.shape, dims)
    if problem is not None:
        return GradCheckResult(name, False, float("inf"), None, None, None, threshold, problem,
                               problem.message)
    g = np.asarray(g, dtype=np.float64)
    if p.size == 0:
        return GradCheckResult(name, True, 0.0, None, None, None, threshold, None,
                               f"{name}: has no entries, nothing to check.")
    k = min(n, p.size)
    flat = rng.choice(p.size, size=k, replace=False)
    indices = [tuple(int(i) for i in np.unravel_index(j, p.shape)) for j in flat]
    numerical = np.empty(k)
    errors = np.empty(k)
    for s, idx in enumerate(indices):
        numerical[s], noise = _centered_difference(f, p, idx, h)
        errors[s] = ratio(g[idx], numerical[s], floor=noise / threshold)
    errors = np.where(np.isnan(errors), np.inf, errors)
    worst = int(np.argmax(errors))
    idx = indices[worst]
    analytic = np.array([g[i] for i in indices])
    n_wrong = int(np.sum(errors >= threshold))
    where = (f"worst relative error {errors[worst]:.1e} at {describe_index(idx)}: "
             f"numerical {format_value(numerical[worst])}, yours {format_value(g[idx])}")
    if n_wrong == 0:
        return GradCheckResult(name, True, float(errors[worst]), idx, float(numerical[worst]),
                               float(g[idx]), threshold, None,
                               f"{name}: right at {_entries(k)} ({where}; "
                               f"threshold {threshold:g}).")
    diagnosis = diagnose(numerical, analytic, dims, name=name)
    if diagnosis is not None and diagnosis.kind not in _SAMPLE_KINDS:
        diagnosis = None
    message = (f"{name}: wrong at {n_wrong} of {k} sampled entries ({where}; "
               f"threshold {threshold:g}).")
    if diagnosis is not None:
        message += f" On the sampled entries, {diagnosis.message}"
    return GradCheckResult(name, False, float(errors[worst]), idx, float(numerical[worst]),
                           float(g[idx]), threshold, diagnosis, message)


def sampled_check(f, params, grads, n_per_param=10, rng=None, h=1e-5,
                  threshold=LECTURE_THRESHOLD, dims=None):
    """Check ``grads`` against centered differences of ``f`` at sampled entries of each parameter.

    Parameters
    ----------
    f : callable () -> float
        The loss at the current values of the arrays in ``params``.
    params : dict name -> float64 ndarray
        The arrays ``f`` reads; each sampled entry is moved by +-h in place
        and restored exactly.
    grads : dict name -> array, the gradients to check (same keys, same shapes).
    n_per_param : int
        Entries sampled (without replacement) from each parameter; all of them
        for smaller arrays.
    rng : seed or numpy Generator
    h : float, the step of the centered differences.
    threshold : float, bound on the lecture's rho.
    dims : dict, optional, named dimensions for the diagnoses ("a factor of 1/N").

    Returns
    -------
    GradCheckReport with one GradCheckResult per parameter, in the order of ``params``.
    Costs 2 * n_per_param loss evaluations per parameter.
    """
    names = check_param_dicts(params, grads)
    n = check_positive_int("n_per_param", n_per_param)
    if not np.isfinite(h) or h <= 0:
        raise ValueError(f"h must be a small positive step such as 1e-5, got {h!r}.")
    rng = check_rng(rng)
    return GradCheckReport(
        [_check_one(f, name, params[name], grads[name], n, rng, float(h), threshold, dims)
         for name in names]
    )
