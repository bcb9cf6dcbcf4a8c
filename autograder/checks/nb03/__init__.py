"""Hidden checks of notebook 03 (CNN backpropagation): ``grade_<check>`` on fresh cases.

Each runs the very per-case check of the student's self-check (the table in
course_lib/selfcheck/nb03) on cases the self-check never showed, with expected
values from course_lib's references and the arrays of the known mistakes
(fresh.py, mistaken.py), so a failure carries the same diagnosis. im2col has
no points and so no hidden check.

Import direction: the hidden checks (this package) -> the home
(course_lib.selfcheck.nb03 and its modules); the home never imports back.
stored.py builds the values the self-check replays.
"""
from autograder.checks.nb03.fresh import (
    fresh_avgpool_backward_cases,
    fresh_avgpool_forward_cases,
    fresh_conv2d_backward_cases,
    fresh_conv2d_forward_cases,
    fresh_conv_delta_cases,
    fresh_maxpool_backward_cases,
    fresh_maxpool_forward_cases,
)
from autograder.checks.table import hidden_check
from course_lib.selfcheck.nb03 import TABLE

grade_conv_delta = hidden_check(TABLE, "conv_delta", fresh_conv_delta_cases)
grade_conv2d_forward = hidden_check(TABLE, "conv2d_forward", fresh_conv2d_forward_cases)
grade_conv2d_backward = hidden_check(TABLE, "conv2d_backward", fresh_conv2d_backward_cases)
grade_maxpool_forward = hidden_check(TABLE, "maxpool_forward", fresh_maxpool_forward_cases)
grade_maxpool_backward = hidden_check(TABLE, "maxpool_backward", fresh_maxpool_backward_cases)
grade_avgpool_forward = hidden_check(TABLE, "avgpool_forward", fresh_avgpool_forward_cases)
grade_avgpool_backward = hidden_check(TABLE, "avgpool_backward", fresh_avgpool_backward_cases)
