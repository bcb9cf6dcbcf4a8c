"""The checks of bfgs_update and lbfgs_direction (quasi-Newton methods): one case at a time.

Data cases against the right answer and the known mistakes; facts that
need no reference: the BFGS update is symmetric and satisfies the secant
equation H_inv_new y = s (BfgsSecant), the L-BFGS direction for the newest
gradient difference is minus the newest s (LbfgsSecant), and with no pairs
it is -grad (LbfgsNoPairs).
"""
import numpy as np

from course_lib.selfcheck.common import misfit, vector_text
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb07.cases import BfgsSecant, LbfgsNoPairs, LbfgsSecant
from course_lib.selfcheck.nb07.compare import VALUE_TOL, require_array, require_values

# ----------------------------------------------------------------------------- bfgs_update


def check_bfgs_update_case(bfgs_update, case):
    """One case of bfgs_update: a data case, or BfgsSecant."""
    if isinstance(case, BfgsSecant):
        check_bfgs_secant(bfgs_update, rng=case.seed)
    else:
        check_bfgs_update_values(bfgs_update, case)


def check_bfgs_update_values(bfgs_update, case):
    """``case``: H_inv, s, y, H_new (the right result) and mistakes."""
    H, s, y = case["H_inv"], case["s"], case["y"]
    d = s.size
    context = f"bfgs_update with d = {d}"
    args = [H.copy(), s.copy(), y.copy()]
    H_new = bfgs_update(*args)
    for label, arg, original in zip(("H_inv", "s", "y"), args, (H, s, y)):
        if not np.array_equal(arg, original):
            raise CheckFailure(f"{context}: bfgs_update modified its input {label}; return a new matrix.")
    right = case["H_new"]
    H_new = require_array(f"{context}: H_inv_new", H_new, (d, d))
    if misfit(right, H_new) <= VALUE_TOL:
        return
    secant_ok = misfit(H_new @ y, s) <= 1e-8
    symmetric = misfit(H_new, H_new.T) <= 1e-10
    try:
        require_values(context, "H_inv_new", right, H_new, case["mistakes"])
    except CheckFailure as failure:
        if "it equals" in str(failure):
            raise
        if not symmetric:
            raise CheckFailure(f"{failure} H_inv_new is not symmetric, and the update must keep H_inv "
                               "symmetric: check the order of the factors, "
                               "(I - rho s y^T) H_inv (I - rho y s^T) + rho s s^T.") from None
        if not secant_ok:
            raise CheckFailure(f"{failure} It also breaks the secant equation H_inv_new y = s.") from None
        raise


def check_bfgs_secant(bfgs_update, rng=72):
    """Reference-free: the update is symmetric and maps y to s, on a fresh random pair."""
    rng = np.random.default_rng(rng)
    d = 5
    M = rng.standard_normal((d, d))
    H = M @ M.T / d + np.eye(d)
    s = rng.standard_normal(d)
    y = s + 0.3 * rng.standard_normal(d)
    H_new = require_array("bfgs_update: H_inv_new", bfgs_update(H.copy(), s.copy(), y.copy()), (d, d))
    if misfit(H_new, H_new.T) > 1e-10:
        raise CheckFailure("bfgs_update returned a matrix that is not symmetric; the update keeps H_inv "
                           "symmetric: (I - rho s y^T) H_inv (I - rho y s^T) + rho s s^T.")
    if misfit(H_new @ y, s) > 1e-8:
        if misfit(H_new @ s, y) <= 1e-8:
            raise CheckFailure("bfgs_update: H_inv_new s = y instead of H_inv_new y = s; s and y are swapped.")
        raise CheckFailure(f"bfgs_update: H_inv_new y must equal s (the secant equation); H_inv_new y = "
                           f"{vector_text(H_new @ y)}, s = {vector_text(s)}.")



# ----------------------------------------------------------------------------- lbfgs_direction


def check_lbfgs_direction_case(lbfgs_direction, case):
    """One case of lbfgs_direction: a data case, LbfgsSecant or LbfgsNoPairs."""
    if isinstance(case, LbfgsSecant):
        check_lbfgs_secant(lbfgs_direction, case.S, case.Y)
    elif isinstance(case, LbfgsNoPairs):
        check_lbfgs_no_pairs(lbfgs_direction, case.grad, case.brief)
    else:
        check_lbfgs_direction_values(lbfgs_direction, case)


def check_lbfgs_direction_values(lbfgs_direction, case):
    """``case``: grad, S (m, d), Y (m, d) (pairs oldest first), q (the right direction) and mistakes."""
    grad, S, Y = case["grad"], case["S"], case["Y"]
    m, d = S.shape
    context = f"lbfgs_direction with d = {d} and {m} pair{'s' if m != 1 else ''}"
    s_list, y_list = [s.copy() for s in S], [y.copy() for y in Y]
    g_in = grad.copy()
    q = lbfgs_direction(g_in, s_list, y_list)
    if (not np.array_equal(g_in, grad) or len(s_list) != m or len(y_list) != m
            or not all(np.array_equal(a, b) for a, b in zip(s_list, S))
            or not all(np.array_equal(a, b) for a, b in zip(y_list, Y))):
        raise CheckFailure(f"{context}: lbfgs_direction modified grad or the lists of pairs; work on a copy "
                           "(a = grad.copy(), or a = a - alpha y instead of a -= alpha y on grad).")
    require_values(context, "q", case["q"], q, case["mistakes"])


def check_lbfgs_secant(lbfgs_direction, S, Y):
    """Reference-free: for grad = y of the newest pair, the direction is -s of that pair."""
    m, d = S.shape
    q = lbfgs_direction(Y[-1].copy(), [s.copy() for s in S], [y.copy() for y in Y])
    q = require_array(f"lbfgs_direction with {m} pairs: q", q, (d,))
    if misfit(q, -S[-1]) > 1e-8:
        raise CheckFailure(
            f"lbfgs_direction with {m} pairs, grad = y_newest: the L-BFGS matrix satisfies the secant equation "
            f"H_inv y_newest = s_newest, so q must be -s_newest = {vector_text(-S[-1])}, got {vector_text(q)}. The "
            "second loop must end with the newest pair.")



def check_lbfgs_no_pairs(lbfgs_direction, grad, brief=False):
    """With empty lists the direction is -grad (H_0 = I, gamma = 1).

    ``brief`` (the hidden check, after the data cases): one sentence for any mismatch; else the
    shape, +grad and the expected values are spelled out.
    """
    if brief:
        q = np.asarray(lbfgs_direction(grad.copy(), [], []), dtype=np.float64)
        if q.shape != grad.shape or not np.allclose(q, -grad, rtol=1e-12, atol=0):
            raise CheckFailure("lbfgs_direction with empty lists must return -grad (H_0 = I).")
        return
    q = lbfgs_direction(grad.copy(), [], [])
    q = require_array("lbfgs_direction with no pairs: q", q, grad.shape)
    if misfit(q, grad) <= 1e-12:
        raise CheckFailure("lbfgs_direction with empty lists returned +grad, which is +H_inv grad with H_0 = I; "
                           "return the descent direction -H_inv grad (here -grad).")
    if misfit(q, -grad) > 1e-12:
        raise CheckFailure(f"lbfgs_direction with empty lists must return -grad (H_0 = I, gamma = 1): expected "
                           f"{vector_text(-grad)}, got {vector_text(q)}.")
