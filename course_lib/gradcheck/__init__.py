"""Gradient checking: numerical gradients, the lecture's ratio, cheap checks, diagnoses.

numerical      numerical_gradient, numerical_gradient_array (centered differences)
relative_error relative_error (the lecture's rho), relative_error_entries, thresholds
result         GradCheckResult, GradCheckReport
directional    directional_check: one random direction through all parameters;
               directions_agree: the cheap first test along a few directions
sampled        sampled_check: sampled entries of every parameter, one result each
diagnose       diagnose, Diagnosis, compare_gradient, diagnose_params, contract_diagnosis
naming, locate, params   helpers: factor/shape names, where errors are, parameter dicts
"""
from course_lib.gradcheck.diagnose import (
    MATCH_TOL,
    Diagnosis,
    compare_gradient,
    contract_diagnosis,
    diagnose,
    diagnose_params,
)
from course_lib.gradcheck.directional import default_step, directional_check, directions_agree
from course_lib.gradcheck.numerical import numerical_gradient, numerical_gradient_array
from course_lib.gradcheck.relative_error import (
    KINK_THRESHOLD,
    LECTURE_THRESHOLD,
    STRICT_THRESHOLD,
    relative_error,
    relative_error_entries,
)
from course_lib.gradcheck.result import GradCheckReport, GradCheckResult
from course_lib.gradcheck.sampled import sampled_check

__all__ = [
    "numerical_gradient",
    "numerical_gradient_array",
    "relative_error",
    "relative_error_entries",
    "LECTURE_THRESHOLD",
    "STRICT_THRESHOLD",
    "KINK_THRESHOLD",
    "MATCH_TOL",
    "GradCheckResult",
    "GradCheckReport",
    "directional_check",
    "directions_agree",
    "default_step",
    "sampled_check",
    "Diagnosis",
    "diagnose",
    "diagnose_params",
    "compare_gradient",
    "contract_diagnosis",
]
