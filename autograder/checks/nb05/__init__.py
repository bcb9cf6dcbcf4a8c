"""Hidden grading checks of notebook 05 (optimizers and learning-rate schedules).

Each ``grade_<name>`` runs the submission on problems, starting points,
hyperparameters and a schedule the self-checks never showed (fresh.py),
compares every iterate (or value) with course_lib's reference and raises
CheckFailure with a diagnosis. The per-case check is the self-check's own, from
the table of the notebook's home (course_lib/selfcheck/nb05), so a student
sees the same kind of message in both.

Import direction: this package -> the home, course_lib/selfcheck/nb05; the
home never imports back. Here: fresh.py (the hidden cases), mistaken.py (the
known mistakes as code), stored.py (builds the home's stored.npz).
"""
from functools import partial

from autograder.checks.nb05.fresh import fresh_optimizer_cases, fresh_schedule_cases
from autograder.checks.table import hidden_check
from course_lib.selfcheck.nb05 import TABLE

grade_SGD = hidden_check(TABLE, "SGD", partial(fresh_optimizer_cases, "SGD"))
grade_inverse_decay = hidden_check(TABLE, "inverse_decay", partial(fresh_schedule_cases, "inverse_decay"))
grade_exponential_decay = hidden_check(TABLE, "exponential_decay", partial(fresh_schedule_cases, "exponential_decay"))
grade_Momentum = hidden_check(TABLE, "Momentum", partial(fresh_optimizer_cases, "Momentum"))
grade_Nesterov = hidden_check(TABLE, "Nesterov", partial(fresh_optimizer_cases, "Nesterov"))
grade_NesterovSimplified = hidden_check(TABLE, "NesterovSimplified",
                                        partial(fresh_optimizer_cases, "NesterovSimplified"))
grade_AdaGrad = hidden_check(TABLE, "AdaGrad", partial(fresh_optimizer_cases, "AdaGrad"))
grade_RMSProp = hidden_check(TABLE, "RMSProp", partial(fresh_optimizer_cases, "RMSProp"))
grade_RMSPropNesterov = hidden_check(TABLE, "RMSPropNesterov", partial(fresh_optimizer_cases, "RMSPropNesterov"))
grade_AdaDelta = hidden_check(TABLE, "AdaDelta", partial(fresh_optimizer_cases, "AdaDelta"))
grade_Adam = hidden_check(TABLE, "Adam", partial(fresh_optimizer_cases, "Adam"))
