"""Self-checks of notebook 04 (vanishing and exploding gradients), shipped with the student release.

What the checks cover: layer_gradient_norms on small networks (sigmoid, ReLU,
a batch of one, a single Linear layer, the lecture's deep sigmoid net), the
Gaussian initialisers xavier_init and he_init (judged statistically, by the
moments of large draws, never against one particular draw), and clip_by_value
and clip_by_norm on lists and dicts of gradients (both sides of the
threshold, the boundary, an all-zero gradient). A wrong answer is named when
it equals a known mistake (norms in reverse order, the weight gradients'
norms, a variance instead of a standard deviation, per-array clipping, ...).

No reference implementation of a function the student writes ships here. The
self-check replays cases stored with the notebook (stored.npz, read by
cases.py), computed by the instructor's build (autograder/checks/nb04/stored.py).

Import direction: self-check (this file) -> home modules (cases.py,
mistakes.py, compare.py and the topic modules gradient_norms.py,
init_rules.py, clipping.py); the hidden checks in autograder/checks/nb04
import the home too; the home never imports back.
"""
from course_lib.selfcheck.nb04.cases import (
    stored_clip_by_norm_cases,
    stored_clip_by_value_cases,
    stored_he_cases,
    stored_networks,
    stored_xavier_cases,
)
from course_lib.selfcheck.nb04.clipping import check_clip_case
from course_lib.selfcheck.nb04.gradient_norms import check_layer_gradient_norms_case
from course_lib.selfcheck.nb04.init_rules import check_init_case
from course_lib.selfcheck.table import Row, Table

TABLE = Table("nb04", [
    Row("layer_gradient_norms", check_layer_gradient_norms_case, stored_networks,
        "Networks of several depths and activations, a batch of one, a single Linear layer, the lecture's deep net."),
    Row("xavier_init", check_init_case, stored_xavier_cases,
        "Large draws: mean 0, std sqrt(2 / (r_in + r_out)), Gaussian; shapes, dtype, the rng passed in."),
    Row("he_init", check_init_case, stored_he_cases,
        "Large draws: mean 0, std sqrt(2 / r_in), Gaussian; shapes, dtype, the rng passed in."),
    Row("clip_by_value", check_clip_case, stored_clip_by_value_cases,
        "Lists and dicts: entries beyond +-limit on both sides, entries on the boundary, nothing to clip."),
    Row("clip_by_norm", check_clip_case, stored_clip_by_norm_cases,
        "Lists and dicts: above the threshold, below it, an all-zero gradient, a single array."),
])

check_layer_gradient_norms = TABLE.self_check("layer_gradient_norms")
check_xavier_init = TABLE.self_check("xavier_init")
check_he_init = TABLE.self_check("he_init")
check_clip_by_value = TABLE.self_check("clip_by_value")
check_clip_by_norm = TABLE.self_check("clip_by_norm")
