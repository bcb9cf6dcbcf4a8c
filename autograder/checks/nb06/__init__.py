"""Hidden grading checks of notebook 06 (batch normalization).

Each ``grade_<check>`` runs the per-case check of the notebook's table
(course_lib/selfcheck/nb06) on fresh seeded cases (fresh.py), with the right
answers from course_lib's references and the arrays of the known mistakes
(mistaken.py); the checks also compare a backward with centered differences
of the submission's own forward. stored.py builds the self-checks' stored
cases with the same builders.

Import direction: this package -> the home (course_lib/selfcheck/nb06) and
course_lib's references; the home never imports back.
"""
from autograder.checks.nb06.fresh import (
    fresh_batchnorm_backward_alt_cases,
    fresh_batchnorm_backward_cases,
    fresh_batchnorm_forward_cases,
    fresh_spatial_batchnorm_backward_cases,
    fresh_spatial_batchnorm_forward_cases,
)
from autograder.checks.table import hidden_check
from course_lib.selfcheck.nb06 import TABLE

grade_batchnorm_forward = hidden_check(TABLE, "batchnorm_forward", fresh_batchnorm_forward_cases)
grade_batchnorm_backward = hidden_check(TABLE, "batchnorm_backward", fresh_batchnorm_backward_cases)
grade_batchnorm_backward_alt = hidden_check(TABLE, "batchnorm_backward_alt", fresh_batchnorm_backward_alt_cases)
grade_spatial_batchnorm_forward = hidden_check(TABLE, "spatial_batchnorm_forward",
                                               fresh_spatial_batchnorm_forward_cases)
grade_spatial_batchnorm_backward = hidden_check(TABLE, "spatial_batchnorm_backward",
                                                fresh_spatial_batchnorm_backward_cases)
