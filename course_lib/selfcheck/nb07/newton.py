"""The checks of hessian_fd and newton_step: one case at a time.

A data case (a dict, see cases.py) is compared with its right answer and
the known mistakes; a fact case needs no reference: the Hessian of a
quadratic is its matrix, and one Newton step lands on its minimiser.
"""
import numpy as np

from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb07.cases import NewtonOnQuadratic, QuadraticHessian
from course_lib.selfcheck.nb07.compare import call_leaving_out, default_note, left_at_default, require_values
from course_lib.selfcheck.nb07.problems import describe_problem, make_problem, quadratic_case


def check_hessian_fd_case(hessian_fd, case):
    """One case of hessian_fd: a data case, or a QuadraticHessian."""
    if isinstance(case, QuadraticHessian):
        check_quadratic_hessian(hessian_fd, case)
    else:
        check_hessian_fd_values(hessian_fd, case)


def check_hessian_fd_values(hessian_fd, case):
    """``case``: a problem (see make_problem), w, eps, H (the right result) and mistakes."""
    w, eps = case["w"], float(case["eps"])
    d = w.size
    default = left_at_default("hessian_fd", "eps", eps)  # then called as hessian_fd(grad_f, w)
    context = f"hessian_fd on {describe_problem(case)}, eps = {eps:g}{default_note('hessian_fd', ['eps'] * default)}"
    _, grad = make_problem(case, "hessian_fd")
    w_in = w.copy()
    H = call_leaving_out(context, "hessian_fd", ["eps"] * default, hessian_fd, grad, w_in, *[eps] * (not default))
    if not np.array_equal(w_in, w):
        raise CheckFailure(f"{context}: hessian_fd modified w in place; perturb a copy (w + eps e_j makes one), "
                           "or restore the entry afterwards.")
    require_values(context, "H", case["H"], H, case["mistakes"])
    H = np.asarray(H, dtype=np.float64)
    if d > 1 and not np.allclose(H, H.T, rtol=1e-12, atol=1e-12 * np.max(np.abs(H))):
        raise CheckFailure(f"{context}: H is not symmetric; return (H + H.T) / 2.")



def check_quadratic_hessian(hessian_fd, case):
    """The Hessian of 1/2 w^T A w - b^T w is A, exactly: finite differences of its gradient give A."""
    _, grad = make_problem(quadratic_case(case.A, case.b), "hessian_fd")
    H = hessian_fd(grad, case.w.copy(), case.eps)
    require_values("hessian_fd on the quadratic 1/2 w^T A w - b^T w (3 variables, Hessian A), eps = 1e-4",
                   "H", case.A, H, tol=1e-6)
    # called without eps: the default step must give A too (any step is exact on a quadratic)
    context = ("hessian_fd(grad_f, w) on the quadratic 1/2 w^T A w - b^T w (3 variables, Hessian A), "
               "eps left at its default")
    H = call_leaving_out(context, "hessian_fd", ["eps"], hessian_fd, grad, case.w.copy())
    require_values(context, "H", case.A, H, tol=1e-6)


def check_newton_step_case(newton_step, case):
    """One case of newton_step: a data case, or a NewtonOnQuadratic."""
    if isinstance(case, NewtonOnQuadratic):
        check_newton_on_quadratic(newton_step, case)
    else:
        check_newton_step_values(newton_step, case)


def check_newton_step_values(newton_step, case):
    """``case``: w, grad, hess, w_new (the right result) and mistakes."""
    w, grad, hess = case["w"], case["grad"], case["hess"]
    d = w.size
    eigenvalues = np.linalg.eigvalsh(hess)
    kind = "positive definite" if eigenvalues[0] > 0 else "indefinite"
    context = f"newton_step with d = {d} and a {kind} Hessian"
    args = [a.copy() for a in (w, grad, hess)]
    w_new = newton_step(*args)
    for label, arg, original in zip(("w", "grad", "hess"), args, (w, grad, hess)):
        if not np.array_equal(arg, original):
            raise CheckFailure(f"{context}: newton_step modified its input {label}; compute the new point in a "
                               "new array (w - dw, not w -= dw).")
    require_values(context, "w_new", case["w_new"], w_new, case["mistakes"])



def check_newton_on_quadratic(newton_step, case):
    """From any w, one step w - A^-1 (A w - b) lands on the minimiser A^-1 b."""
    A, b, w = case.A, case.b, case.w
    w_new = newton_step(w.copy(), A @ w - b, A.copy())
    require_values("newton_step on the quadratic 1/2 w^T A w - b^T w (4 variables), whose minimiser solves "
                   "A w = b", "w_new", np.linalg.solve(A, b), w_new)
