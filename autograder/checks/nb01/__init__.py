"""Hidden grading checks of notebook 01 (backpropagation derivation).

Each ``grade_<check>`` runs the row of the notebook's table (course_lib/selfcheck/nb01)
on fresh cases (fresh.py: other seeds, shapes, alphas, steps and graphs than
the self-check's stored ones, expected values from course_lib's references,
the known mistakes' arrays from mistaken.py), so a submission sees the same
diagnoses as in its self-check. Import direction: this package -> the home
(course_lib.selfcheck.nb01 and its modules), never back. The functions depend
on nothing but their arguments and may receive proxies.
"""
from functools import partial

from autograder.checks.nb01.fresh import (
    FRESH_ALPHAS,
    fresh_backprop_cases,
    fresh_cos_module_cases,
    fresh_elementwise_cases,
    fresh_numerical_gradient_cases,
    fresh_path_cases,
    fresh_relative_error_cases,
)
from autograder.checks.table import hidden_check
from course_lib.selfcheck.nb01 import TABLE

grade_numerical_gradient = hidden_check(TABLE, "numerical_gradient", fresh_numerical_gradient_cases)
grade_relative_error = hidden_check(TABLE, "relative_error", fresh_relative_error_cases)
grade_sigmoid = hidden_check(TABLE, "sigmoid", partial(fresh_elementwise_cases, "sigmoid"))
grade_tanh = hidden_check(TABLE, "tanh", partial(fresh_elementwise_cases, "tanh"))
grade_relu = hidden_check(TABLE, "relu", partial(fresh_elementwise_cases, "relu"))
grade_leaky_relu = hidden_check(TABLE, "leaky_relu", partial(fresh_elementwise_cases, "leaky_relu", FRESH_ALPHAS))
grade_softplus = hidden_check(TABLE, "softplus", partial(fresh_elementwise_cases, "softplus"))
grade_cos_module = hidden_check(TABLE, "cos_module", fresh_cos_module_cases)
grade_path_derivative = hidden_check(TABLE, "path_derivative", fresh_path_cases)
grade_backprop_derivatives = hidden_check(TABLE, "backprop_derivatives", fresh_backprop_cases)
