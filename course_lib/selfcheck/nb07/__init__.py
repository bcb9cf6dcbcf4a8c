"""Self-checks of notebook 07 (second-order methods), shipped with the student release.

No reference implementation of a graded function is used here. What a
student's function is compared with:
  * stored cases, ``stored("nb07", key)``: inputs (test problems are stored
    as their parameters, see problems.py), the right outputs, and what the
    typical mistakes give on the same inputs (computed by the instructor's
    build, autograder/checks/nb07/stored.py);
  * facts that need no reference: the Hessian of a quadratic is its matrix,
    one Newton step lands on the minimiser of a quadratic, BFGS keeps H_inv
    symmetric and satisfies the secant equation H_inv_new y = s, the L-BFGS
    direction for the newest gradient difference is -s, CG solves a
    d-dimensional system in d steps, a line search raises on a non-descent
    direction, and ``minimize`` must reach a known minimiser.

Import direction: self-check (this file) -> home modules (cases.py,
problems.py, mistakes.py, compare.py and one module of per-case checks per
method: newton.py, hessian_free.py, line_search.py, quasi_newton.py,
minimize.py); the hidden checks in autograder/checks/nb07 import the home
too; the home never imports back.

Results: ``conjugate_gradient`` may return the solution x itself or an
object with an attribute ``x``; ``minimize`` returns an object with at least
``x`` (the final point) and ``path`` (the list of iterates w_0, ..., x).
"""
from course_lib.selfcheck.nb07.cases import (
    stored_backtracking_line_search_cases,
    stored_bfgs_update_cases,
    stored_conjugate_gradient_cases,
    stored_hessian_fd_cases,
    stored_hvp_fd_cases,
    stored_lbfgs_direction_cases,
    stored_minimize_bfgs_cases,
    stored_minimize_cg_cases,
    stored_minimize_lbfgs_cases,
    stored_minimize_newton_cases,
    stored_newton_step_cases,
)
from course_lib.selfcheck.nb07.hessian_free import check_conjugate_gradient_case, check_hvp_fd_case
from course_lib.selfcheck.nb07.line_search import check_backtracking_line_search_case
from course_lib.selfcheck.nb07.minimize import check_minimize_case
from course_lib.selfcheck.nb07.newton import check_hessian_fd_case, check_newton_step_case
from course_lib.selfcheck.nb07.quasi_newton import check_bfgs_update_case, check_lbfgs_direction_case
from course_lib.selfcheck.table import Row, Table

TABLE = Table("nb07", [
    Row("hessian_fd", check_hessian_fd_case, stored_hessian_fd_cases,
        "Quartics (a large step shows the symmetrisation), Rosenbrock, then a quadratic: its Hessian is A."),
    Row("newton_step", check_newton_step_case, stored_newton_step_cases,
        "Positive definite and indefinite Hessians (the raw step), then one step onto a quadratic's minimiser."),
    Row("hvp_fd", check_hvp_fd_case, stored_hvp_fd_cases,
        "Quadratics (H v = A v) and non-quadratic functions, then v = 0."),
    Row("conjugate_gradient", check_conjugate_gradient_case, stored_conjugate_gradient_cases,
        "Systems iteration by iteration (with and without x0), then full solves in d steps."),
    Row("backtracking_line_search", check_backtracking_line_search_case, stored_backtracking_line_search_cases,
        "Problems, directions, eta0, c and shrink, judged together; then the two errors."),
    Row("bfgs_update", check_bfgs_update_case, stored_bfgs_update_cases,
        "Pairs against the right update, then symmetry and the secant equation on a fresh pair."),
    Row("lbfgs_direction", check_lbfgs_direction_case, stored_lbfgs_direction_cases,
        "No pairs, 1 to 5 pairs, and the newest pair's secant equation."),
    Row("minimize_newton", check_minimize_case, stored_minimize_newton_cases,
        "Newton: one step on a quadratic, then Rosenbrock in 2 and 4 variables."),
    Row("minimize_cg", check_minimize_case, stored_minimize_cg_cases,
        "Nonlinear CG on a quadratic and on Rosenbrock in 2 and 4 variables."),
    Row("minimize_bfgs", check_minimize_case, stored_minimize_bfgs_cases,
        "BFGS on a quadratic and on Rosenbrock in 2 and 4 variables."),
    Row("minimize_lbfgs", check_minimize_case, stored_minimize_lbfgs_cases,
        "L-BFGS on a quadratic and on Rosenbrock in 2 and 4 variables."),
])

check_hessian_fd = TABLE.self_check("hessian_fd")
check_newton_step = TABLE.self_check("newton_step")
check_hvp_fd = TABLE.self_check("hvp_fd")
check_conjugate_gradient = TABLE.self_check("conjugate_gradient")
check_backtracking_line_search = TABLE.self_check("backtracking_line_search")
check_bfgs_update = TABLE.self_check("bfgs_update")
check_lbfgs_direction = TABLE.self_check("lbfgs_direction")
check_minimize_newton = TABLE.self_check("minimize_newton")
check_minimize_cg = TABLE.self_check("minimize_cg")
check_minimize_bfgs = TABLE.self_check("minimize_bfgs")
check_minimize_lbfgs = TABLE.self_check("minimize_lbfgs")
