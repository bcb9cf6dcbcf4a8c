"""Self-checks of notebook 05 (optimizers and learning-rate schedules), shipped with the student release.

No reference optimizer or schedule is used here. A student's optimizer is
judged by its trajectory on stored cases: an ill-conditioned quadratic and
Rosenbrock's function with every hyperparameter given, the default
hyperparameters, and a decaying schedule; on the first case also two instances
stepped in turn (no state shared between them). A schedule is judged by its
values on a stored grid of eta0, k (including 0) and t (including 0). A path or
a grid that misses the lecture's is compared with those of the known mistakes,
which are named when one matches.

The home of the notebook, which this package is:
  cases.py         the test problems, what a case is, the stored cases and their key layout
  api.py           the constructor a class must offer (hyperparameters, defaults, schedule)
  trajectories.py  running a class and judging its path: check_optimizer_case
  schedules.py     judging a schedule's values: check_schedule_case
  mistakes.py      the catalogue of known mistakes, in words
  stored.npz       the stored cases (built by autograder/checks/nb05/stored.py)

Import direction: self-check (this file) -> home modules; the hidden checks in
autograder/checks/nb05 import the home too; the home never imports back.
"""
from functools import partial

from course_lib.selfcheck.nb05.cases import OPTIMIZERS, SCHEDULES, stored_optimizer_cases, stored_schedule_cases
from course_lib.selfcheck.nb05.schedules import check_schedule_case
from course_lib.selfcheck.nb05.trajectories import check_optimizer_case
from course_lib.selfcheck.table import Row, Table


def optimizer_row(name, doc):
    return Row(name, check_optimizer_case, partial(stored_optimizer_cases, name), doc)


def schedule_row(fname):
    return Row(fname, check_schedule_case, partial(stored_schedule_cases, fname),
               "Values on a grid of eta0, k (including 0) and t (including 0).")


TABLE = Table("nb05", [
    optimizer_row("SGD", "Trajectories: an ill-conditioned quadratic, Rosenbrock, a schedule; two instances in "
                         "turn."),
    schedule_row("inverse_decay"),
    schedule_row("exponential_decay"),
    optimizer_row("Momentum", "Trajectories with given and default alpha, a schedule; two instances in turn."),
    optimizer_row("Nesterov", "Trajectories: the gradient at the look-ahead point theta + alpha v; two "
                              "instances in turn."),
    optimizer_row("NesterovSimplified", "Trajectories of Theta = theta + alpha v; two instances in turn."),
    optimizer_row("AdaGrad", "Trajectories (a large delta shows where it sits); two instances in turn."),
    optimizer_row("RMSProp", "Trajectories (a large delta shows where it sits); two instances in turn."),
    optimizer_row("RMSPropNesterov", "Trajectories of RMSProp with Nesterov momentum; two instances in turn."),
    optimizer_row("AdaDelta", "Trajectories, with eta = 1 (the lecture's AdaDelta) and other eta; two instances "
                              "in turn."),
    optimizer_row("Adam", "Trajectories, the bias correction and delta's place told apart; two instances in "
                          "turn."),
])

check_SGD = TABLE.self_check("SGD")
check_inverse_decay = TABLE.self_check("inverse_decay")
check_exponential_decay = TABLE.self_check("exponential_decay")
check_Momentum = TABLE.self_check("Momentum")
check_Nesterov = TABLE.self_check("Nesterov")
check_NesterovSimplified = TABLE.self_check("NesterovSimplified")
check_AdaGrad = TABLE.self_check("AdaGrad")
check_RMSProp = TABLE.self_check("RMSProp")
check_RMSPropNesterov = TABLE.self_check("RMSPropNesterov")
check_AdaDelta = TABLE.self_check("AdaDelta")
check_Adam = TABLE.self_check("Adam")

__all__ = ["TABLE", "OPTIMIZERS", "SCHEDULES"] + [f"check_{stem}" for stem in TABLE.rows]
