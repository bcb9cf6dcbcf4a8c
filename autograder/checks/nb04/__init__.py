"""Hidden checks of notebook 04 (vanishing and exploding gradients): ``grade_<check>`` on fresh cases.

Each runs the very per-case check of the student's self-check (the table in
course_lib/selfcheck/nb04) on cases the self-check never showed (other
networks, shapes, seeds and thresholds, fresh.py), with expected values from
course_lib's references and the outputs of the usual wrong clipping rules
(mistaken.py), so a student sees the same kind of message in both. The
initialisers are judged statistically, never against one particular draw.

The models a case hands to layer_gradient_norms are course_lib.modules
objects (built by course_lib.selfcheck.nb04.cases.build_model), which
autograder/trusted_types.py rebuilds inside the submission's worker.

Import direction: the hidden checks (this package) -> the home
(course_lib.selfcheck.nb04 and its modules); the home never imports back.
stored.py builds the values the self-check replays.
"""
from autograder.checks.nb04.fresh import (
    fresh_clip_by_norm_cases,
    fresh_clip_by_value_cases,
    fresh_he_cases,
    fresh_networks,
    fresh_xavier_cases,
)
from autograder.checks.table import hidden_check
from course_lib.selfcheck.nb04 import TABLE

grade_layer_gradient_norms = hidden_check(TABLE, "layer_gradient_norms", fresh_networks)
grade_xavier_init = hidden_check(TABLE, "xavier_init", fresh_xavier_cases)
grade_he_init = hidden_check(TABLE, "he_init", fresh_he_cases)
grade_clip_by_value = hidden_check(TABLE, "clip_by_value", fresh_clip_by_value_cases)
grade_clip_by_norm = hidden_check(TABLE, "clip_by_norm", fresh_clip_by_norm_cases)
