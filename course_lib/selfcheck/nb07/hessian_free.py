"""The checks of hvp_fd and conjugate_gradient (Hessian-free methods): one case at a time.

hvp_fd: a data case against its right product and the known mistakes, and
v = 0 (H 0 = 0, no division by ||v||). conjugate_gradient: a data case
iteration by iteration (max_iter = 1, ..., d against the right iterates, to
tell which step went wrong), and CgSolves, a full solve in d steps and with
the default arguments. Its result may be x itself or an object with an
attribute ``x``.
"""
import numpy as np

from course_lib.selfcheck.common import MATCH_TOL, misfit, vector_text
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb07.cases import CgSolves, HvpAtZero
from course_lib.selfcheck.nb07.compare import (
    DISTINCT,
    VALUE_TOL,
    call_leaving_out,
    default_note,
    left_at_default,
    require_array,
    require_values,
    solution_of,
)
from course_lib.selfcheck.nb07.mistakes import MISTAKES
from course_lib.selfcheck.nb07.problems import describe_problem, make_problem

# ----------------------------------------------------------------------------- hvp_fd


def check_hvp_fd_case(hvp_fd, case):
    """One case of hvp_fd: a data case, or HvpAtZero."""
    if isinstance(case, HvpAtZero):
        check_hvp_zero(hvp_fd, case.case)
    else:
        check_hvp_fd_values(hvp_fd, case)


def check_hvp_fd_values(hvp_fd, case):
    """``case``: a problem, w, v, delta, Hv (the right result) and mistakes."""
    w, v, delta = case["w"], case["v"], float(case["delta"])
    default = left_at_default("hvp_fd", "delta", delta)  # then called as hvp_fd(grad_f, w, v)
    context = (f"hvp_fd on {describe_problem(case)}, ||w|| = {np.linalg.norm(w):.3g}, "
               f"||v|| = {np.linalg.norm(v):.3g}, delta = {delta:g}{default_note('hvp_fd', ['delta'] * default)}")
    _, grad = make_problem(case, "hvp_fd")
    w_in, v_in = w.copy(), v.copy()
    Hv = call_leaving_out(context, "hvp_fd", ["delta"] * default, hvp_fd, grad, w_in, v_in, *[delta] * (not default))
    for label, arg, original in (("w", w_in, w), ("v", v_in, v)):
        if not np.array_equal(arg, original):
            raise CheckFailure(f"{context}: hvp_fd modified its input {label}; build w + h v as a new array.")
    require_values(context, "H v", case["Hv"], Hv, case["mistakes"], tol=1e-6)


def check_hvp_zero(hvp_fd, case):
    """v = 0 must give zeros (H 0 = 0), not a division by ||v|| = 0."""
    _, grad = make_problem(case, "hvp_fd")
    w = case["w"]
    context = "hvp_fd with v = 0"
    try:
        with np.errstate(all="ignore"):
            Hv = hvp_fd(grad, w.copy(), np.zeros_like(w), float(case["delta"]))
    except (ZeroDivisionError, FloatingPointError) as exc:
        raise CheckFailure(f"{context} raised {type(exc).__name__}: it divided by ||v|| = 0; return zeros when v "
                           "is zero (H 0 = 0).") from None
    Hv = np.asarray(Hv, dtype=np.float64)
    if Hv.shape == w.shape and not np.all(np.isfinite(Hv)):
        raise CheckFailure(f"{context} returned nan or inf: it divided by ||v|| = 0; return zeros when v is "
                           "zero (H 0 = 0).")
    Hv = require_array(f"{context}: H v", Hv, w.shape)
    if np.any(Hv):
        raise CheckFailure(f"{context} must return zeros (H 0 = 0), got {vector_text(Hv)}.")



# ----------------------------------------------------------------------------- conjugate_gradient


def check_conjugate_gradient_case(conjugate_gradient, case):
    """One case of conjugate_gradient: a data case, or CgSolves."""
    if isinstance(case, CgSolves):
        check_conjugate_gradient_solves(conjugate_gradient, case.A, case.b, case.label)
    else:
        check_conjugate_gradient_iterates(conjugate_gradient, case)


def _matvec(A):
    """v -> A v, refusing vectors of the wrong shape."""
    d = A.shape[0]

    def hvp(v):
        v = np.asarray(v, dtype=np.float64)
        if v.shape != (d,):
            raise CheckFailure(f"conjugate_gradient called hvp with an array of shape {v.shape}; a vector has "
                               f"shape ({d},), like b.")
        return A @ v

    return hvp


def check_cg_solution(conjugate_gradient, A, b, context, x0=None, **kwargs):
    """Call the solver on H = A (products only) and return x as an array of shape (d,)."""
    b_in = b.copy()
    x0_in = None if x0 is None else x0.copy()
    result = conjugate_gradient(_matvec(A), b_in, x0_in, **kwargs)
    if not np.array_equal(b_in, b) or (x0 is not None and not np.array_equal(x0_in, x0)):
        raise CheckFailure(f"{context}: conjugate_gradient modified b or x0 in place; update new arrays "
                           "(x = x + alpha q, not x += alpha q on the caller's x0).")
    return require_array(f"{context}: x", solution_of(result), b.shape)


def _name_nan_iterate(context, k, mistakes, failure):
    """x turned NaN after k > 1 right iterations: a mistake whose iterates turn NaN there too is named.

    Building q_(t+1) from the old residual gives q_1 = r_0 - r_0 = 0, so iteration 2 divides 0 by 0.
    """
    if k == 1 or "NaN" not in str(failure):
        return
    for slug, its in mistakes.items():
        if np.all(np.isfinite(its[k - 2])) and not np.all(np.isfinite(its[k - 1])):
            raise CheckFailure(f"{context}: x is NaN (a division 0 / 0); it equals {MISTAKES[slug]}.") from None


def check_conjugate_gradient_iterates(conjugate_gradient, case):
    """``case``: A, b, x0 (used when x0_given), iterates (row k-1: x after k iterations) and mistakes
    (slug -> iterates of that mistake). Runs max_iter = 1, 2, ..., d and compares each result."""
    A, b = case["A"], case["b"]
    d = b.size
    x0 = case["x0"] if bool(case["x0_given"]) else None
    start = "x0 = 0 (x0=None)" if x0 is None else "a given x0"
    right = case["iterates"]
    mistakes = {slug: its for slug, its in case["mistakes"].items()}
    named = {slug: its for slug, its in mistakes.items() if np.all(np.isfinite(its))}
    for k in range(1, d + 1):
        context = (f"conjugate_gradient on a {d} x {d} system H x = b from {start}, tol = 1e-14, "
                   f"max_iter = {k}")
        try:
            x = check_cg_solution(conjugate_gradient, A, b, context, x0, tol=1e-14, max_iter=k)
        except CheckFailure as failure:
            _name_nan_iterate(context, k, mistakes, failure)
            raise
        if misfit(right[k - 1], x) <= VALUE_TOL:
            continue
        if k < d and misfit(right[k], x) <= MATCH_TOL:
            raise CheckFailure(f"{context}: x is what the right CG gives after {k + 1} iterations: you make one "
                               "iteration too many (max_iter is the number of steps x <- x + alpha q).")
        if k > 1 and misfit(right[k - 2], x) <= MATCH_TOL:
            raise CheckFailure(f"{context}: x is what the right CG gives after {k - 1} iterations: you make one "
                               "iteration too few (max_iter is the number of steps x <- x + alpha q).")
        for slug, its in named.items():
            if misfit(its[k - 1], right[k - 1]) > DISTINCT and misfit(its[k - 1], x) <= MATCH_TOL:
                raise CheckFailure(f"{context}: x is wrong; it equals {MISTAKES[slug]}.")
        if k == 1:
            raise CheckFailure(
                f"{context}: after one iteration x should be x0 + alpha_0 q_0 with q_0 = r_0 = b - H x0 and "
                f"alpha_0 = r_0 . q_0 / (q_0^T H q_0) (the exact minimiser along q_0); expected "
                f"{vector_text(right[0])}, got {vector_text(x)}.")
        raise CheckFailure(
            f"{context}: the first {k - 1} iterations are right but iteration {k} is not, so the direction "
            f"q_{k - 1} is wrong: it must be q_t = r_t - (q_(t-1)^T H r_t / q_(t-1)^T H q_(t-1)) q_(t-1) "
            f"(eq. 21 with r = -grad L = b - H x); expected x = {vector_text(right[k - 1])}, got {vector_text(x)}.")


def check_conjugate_gradient_solves(conjugate_gradient, A, b, label):
    """d iterations must solve the system; the default arguments must too."""
    d = b.size
    context = f"conjugate_gradient on {label} ({d} x {d}), x0=None, tol = 1e-10, max_iter = {d}"
    x = check_cg_solution(conjugate_gradient, A, b, context, None, tol=1e-10, max_iter=d)
    residual = np.linalg.norm(b - A @ x) / np.linalg.norm(b)
    if residual > 1e-6:
        raise CheckFailure(f"{context}: after d = {d} iterations ||b - H x|| / ||b|| = {residual:.2e}; conjugate "
                           "directions reach the solution of a d-dimensional system in d steps, so check alpha "
                           "and beta (eq. 21).")
    context = f"conjugate_gradient(hvp, b) on {label} with the default x0, tol and max_iter"
    b_in = b.copy()
    x = require_array(f"{context}: x", solution_of(conjugate_gradient(_matvec(A), b_in)), b.shape)
    residual = np.linalg.norm(b - A @ x) / np.linalg.norm(b)
    if residual > 1e-8:
        raise CheckFailure(f"{context}: ||b - H x|| / ||b|| = {residual:.2e}, above 1e-8; the defaults are "
                           "x0 = 0, tol = 1e-10 and max_iter = 10 d.")

