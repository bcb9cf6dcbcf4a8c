"""Hidden grading checks of notebook 07 (second-order methods).

Each ``grade_<check>`` runs the per-case check of the notebook's table
(course_lib/selfcheck/nb07) on fresh cases (fresh.py): other seeds,
dimensions, steps, problems and start points than the self-checks show,
with the right answers from course_lib's references and the arrays of the
known mistakes (mistaken.py). stored.py builds the self-checks' stored
cases with the same builders.

Import direction: this package -> the home (course_lib/selfcheck/nb07) and
course_lib's references; the home never imports back.
"""
from functools import partial

from autograder.checks.nb07.fresh import (
    fresh_backtracking_line_search_cases,
    fresh_bfgs_update_cases,
    fresh_conjugate_gradient_cases,
    fresh_hessian_fd_cases,
    fresh_hvp_fd_cases,
    fresh_lbfgs_direction_cases,
    fresh_minimize_runs,
    fresh_newton_step_cases,
)
from autograder.checks.table import hidden_check
from course_lib.selfcheck.nb07 import TABLE

grade_hessian_fd = hidden_check(TABLE, "hessian_fd", fresh_hessian_fd_cases)
grade_newton_step = hidden_check(TABLE, "newton_step", fresh_newton_step_cases)
grade_hvp_fd = hidden_check(TABLE, "hvp_fd", fresh_hvp_fd_cases)
grade_conjugate_gradient = hidden_check(TABLE, "conjugate_gradient", fresh_conjugate_gradient_cases)
grade_backtracking_line_search = hidden_check(TABLE, "backtracking_line_search",
                                              fresh_backtracking_line_search_cases)
grade_bfgs_update = hidden_check(TABLE, "bfgs_update", fresh_bfgs_update_cases)
grade_lbfgs_direction = hidden_check(TABLE, "lbfgs_direction", fresh_lbfgs_direction_cases)
grade_minimize_newton = hidden_check(TABLE, "minimize_newton", partial(fresh_minimize_runs, "newton"))
grade_minimize_cg = hidden_check(TABLE, "minimize_cg", partial(fresh_minimize_runs, "cg"))
grade_minimize_bfgs = hidden_check(TABLE, "minimize_bfgs", partial(fresh_minimize_runs, "bfgs"))
grade_minimize_lbfgs = hidden_check(TABLE, "minimize_lbfgs", partial(fresh_minimize_runs, "lbfgs"))
