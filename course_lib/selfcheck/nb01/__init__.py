"""Self-checks of notebook 01 (backpropagation derivation), shipped with the student release.

The checks cover numerical_gradient (the exact centered difference of a cubic,
x restored, the step h used), relative_error (rho, with its 0 and inf
conventions), the five activations and the cosine module (values, gradients,
finite differences of the student's own forward, the module contract), and
the graph derivatives (every path counted, every node's derivative, and a
cost that stays linear on a graph too deep to enumerate).

Import direction: self-check (this file) -> home modules (cases.py,
mistakes.py, gradients.py, elementwise.py, graphs.py, counting.py); the
hidden checks in autograder/checks/nb01 import the home too; the home never
imports back. No reference implementation of a graded function is shipped:
the expected values and the known mistakes' arrays are read from stored.npz,
which the instructor's build (autograder/checks/nb01/stored.py) computes.
"""
from functools import partial

from course_lib.selfcheck.nb01.cases import (
    stored_backprop_cases,
    stored_cos_module_cases,
    stored_elementwise_cases,
    stored_numerical_gradient_cases,
    stored_path_cases,
    stored_relative_error_cases,
)
from course_lib.selfcheck.nb01.elementwise import check_cos_module_case, check_elementwise_case
from course_lib.selfcheck.nb01.gradients import check_numerical_gradient_case, check_relative_error_case
from course_lib.selfcheck.nb01.graphs import check_backprop_derivatives_case, check_path_derivative_case
from course_lib.selfcheck.table import Row, Table


def _activation_row(op):
    return Row(op, check_elementwise_case, partial(stored_elementwise_cases, op),
               f"Values, dx, finite differences of the forward and the module contract of {op}.")


TABLE = Table("nb01", [
    Row("numerical_gradient", check_numerical_gradient_case, stored_numerical_gradient_cases,
        "Closed-form checks on a cubic: centered, with the given h, one coordinate at a time, x restored."),
    Row("relative_error", check_relative_error_case, stored_relative_error_cases,
        "Pairs (a, b) and their ratios: scalars, vectors, matrices, equal, opposite, zero."),
    _activation_row("sigmoid"),
    _activation_row("tanh"),
    _activation_row("relu"),
    _activation_row("leaky_relu"),
    _activation_row("softplus"),
    Row("cos_module", check_cos_module_case, stored_cos_module_cases,
        "Values, dx, dtheta (one number) and finite differences of the cosine module."),
    Row("path_derivative", check_path_derivative_case, stored_path_cases,
        "Derivatives on several graphs: two paths, shared weights, layered, a hand-built DAG."),
    Row("backprop_derivatives", check_backprop_derivatives_case, stored_backprop_cases,
        "Derivatives of every node; then a deep graph that path enumeration cannot finish."),
])

check_numerical_gradient = TABLE.self_check("numerical_gradient")
check_relative_error = TABLE.self_check("relative_error")
check_sigmoid = TABLE.self_check("sigmoid")
check_tanh = TABLE.self_check("tanh")
check_relu = TABLE.self_check("relu")
check_leaky_relu = TABLE.self_check("leaky_relu")
check_softplus = TABLE.self_check("softplus")
check_cos_module = TABLE.self_check("cos_module")
check_path_derivative = TABLE.self_check("path_derivative")
check_backprop_derivatives = TABLE.self_check("backprop_derivatives")
