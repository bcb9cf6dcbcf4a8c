"""Second-order methods (notebook 07; lectures 001, 003, 004).

Where things are:
  hessian.py      hessian_fd (centered differences of the gradient), exact Hessians of
                  linear and logistic regression
  hvp.py          hvp_fd: Hessian-vector products from two gradients
  newton.py       newton_step, the errors for indefinite/singular Hessians, the saddle-free fix
  cg.py           conjugate_gradient (linear CG, H x = b from products only), nonlinear_cg
  line_search.py  backtracking (Armijo) and strong Wolfe line searches
  bfgs.py         bfgs_update, lbfgs_direction (two-loop recursion)
  minimize.py     minimize(f, grad_f, w0, method) for newton, cg, bfgs, lbfgs
  bookkeeping.py  MinimizeResult, evaluation counting shared by the minimisers
  problems.py     Rosenbrock, linear and logistic regression losses and gradients
  checks.py       argument checks for vectors and (d, d) matrices
"""
from course_lib.second_order.bfgs import (
    SkippedUpdateWarning,
    bfgs_update,
    curvature_problem,
    lbfgs_direction,
)
from course_lib.second_order.bookkeeping import MinimizeResult, Status
from course_lib.second_order.cg import CG_VARIANTS, CGResult, cg_beta, conjugate_gradient, nonlinear_cg
from course_lib.second_order.hessian import (
    hessian_fd,
    hessian_linear_regression,
    hessian_logistic_regression,
)
from course_lib.second_order.hvp import hvp_fd
from course_lib.second_order.line_search import (
    LineSearchError,
    PrecisionLossError,
    WolfeResult,
    backtracking_line_search,
    wolfe_line_search,
)
from course_lib.second_order.minimize import METHODS, minimize
from course_lib.second_order.newton import (
    IndefiniteHessianError,
    NewtonStepError,
    SingularHessianError,
    check_positive_definite,
    negative_curvature_direction,
    newton_step,
    saddle_free_direction,
)
from course_lib.second_order.problems import (
    linear_regression_grad,
    linear_regression_loss,
    logistic_regression_grad,
    logistic_regression_loss,
    rosenbrock,
    rosenbrock_grad,
    rosenbrock_hess,
)

__all__ = [
    "hessian_fd", "hessian_linear_regression", "hessian_logistic_regression",
    "hvp_fd",
    "newton_step", "check_positive_definite", "saddle_free_direction",
    "negative_curvature_direction", "NewtonStepError", "IndefiniteHessianError",
    "SingularHessianError",
    "conjugate_gradient", "CGResult", "nonlinear_cg", "cg_beta", "CG_VARIANTS",
    "backtracking_line_search", "wolfe_line_search", "WolfeResult", "LineSearchError",
    "PrecisionLossError",
    "bfgs_update", "lbfgs_direction", "curvature_problem", "SkippedUpdateWarning",
    "minimize", "MinimizeResult", "Status", "METHODS",
    "rosenbrock", "rosenbrock_grad", "rosenbrock_hess",
    "linear_regression_loss", "linear_regression_grad",
    "logistic_regression_loss", "logistic_regression_grad",
]
