"""Hidden grading checks of notebook 02 (mini-batch matrices).

Each ``grade_<check>`` runs the row of the notebook's table (course_lib/selfcheck/nb02)
on fresh cases (fresh.py: edge shapes included, a batch of one, a single
layer, square layers where a missing transpose gives numbers instead of a
crash, every size distinct; expected values from course_lib's references, the
known mistakes' arrays from mistaken.py), so a submission sees the same
diagnoses as in its self-check. The linear layer is also checked against
finite differences of the submission's own forward along one random direction.
Import direction: this package -> the home (course_lib.selfcheck.nb02 and its
modules), never back. Only the functions passed in are called; caches are
passed back untouched.
"""
from autograder.checks.nb02.fresh import (
    fresh_backward_cases,
    fresh_forward_cases,
    fresh_gradient_cases,
    fresh_linear_cases,
    fresh_mse_cases,
    fresh_sce_cases,
    fresh_softmax_cases,
)
from autograder.checks.table import hidden_check
from course_lib.selfcheck.nb02 import TABLE

grade_forward_pass = hidden_check(TABLE, "forward_pass", fresh_forward_cases)
grade_backward_pass = hidden_check(TABLE, "backward_pass", fresh_backward_cases)
grade_minibatch_gradients = hidden_check(TABLE, "minibatch_gradients", fresh_gradient_cases)
grade_linear = hidden_check(TABLE, "linear", fresh_linear_cases)
grade_mse_loss = hidden_check(TABLE, "mse_loss", fresh_mse_cases)
grade_softmax = hidden_check(TABLE, "softmax", fresh_softmax_cases)
grade_softmax_cross_entropy = hidden_check(TABLE, "softmax_cross_entropy", fresh_sce_cases)
