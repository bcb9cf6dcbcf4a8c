"""Self-checks of notebook 06 (batch normalization), shipped with the student release.

No reference implementation of a graded function is used here, and no batch
norm formula either. What a student's functions are compared with:
  * stored cases, ``stored("nb06", key)``: inputs, the right outputs, the
    updated running averages and gradients, and the results of typical
    mistakes on the same inputs (all computed by the instructor's build,
    autograder/checks/nb06/stored.py);
  * the student's own forward: centered differences of it must match the backward;
  * the student's own functions against each other: the two backward forms
    must agree.
The running averages are read back from the ``bn_param`` dict the forward was
given: the forward must store them there.

Import direction: self-check (this file) -> home modules (cases.py,
mistakes.py, forward.py, backward.py); the hidden checks in
autograder/checks/nb06 import the home too; the home never imports back.
"""
from course_lib.selfcheck.nb06.backward import (
    check_batchnorm_backward_alt_case,
    check_batchnorm_backward_case,
    check_spatial_batchnorm_backward_case,
)
from course_lib.selfcheck.nb06.cases import (
    stored_batchnorm_backward_alt_cases,
    stored_batchnorm_backward_cases,
    stored_batchnorm_forward_cases,
    stored_spatial_batchnorm_backward_cases,
    stored_spatial_batchnorm_forward_cases,
)
from course_lib.selfcheck.nb06.forward import check_batchnorm_forward_case, check_spatial_batchnorm_forward_case
from course_lib.selfcheck.table import Row, Table

TABLE = Table("nb06", [
    Row("batchnorm_forward", check_batchnorm_forward_case, stored_batchnorm_forward_cases,
        "Train mode (eps 1e-5 and 0.2, a batch of one), test mode, then running averages over 4 calls."),
    Row("batchnorm_backward", check_batchnorm_backward_case, stored_batchnorm_backward_cases,
        "Train and test mode, fed the cache of your forward; also against centered differences of it."),
    Row("batchnorm_backward_alt", check_batchnorm_backward_alt_case, stored_batchnorm_backward_alt_cases,
        "The cases of batchnorm_backward; then, given the graph form as a third function, the two agree."),
    Row("spatial_batchnorm_forward", check_spatial_batchnorm_forward_case, stored_spatial_batchnorm_forward_cases,
        "(N, C, H, W) cases in train mode (a batch of one too) and test mode."),
    Row("spatial_batchnorm_backward", check_spatial_batchnorm_backward_case,
        stored_spatial_batchnorm_backward_cases,
        "(N, C, H, W) cases in train and test mode, fed the cache of your forward."),
])

check_batchnorm_forward = TABLE.self_check("batchnorm_forward")
check_batchnorm_backward = TABLE.self_check("batchnorm_backward")
check_batchnorm_backward_alt = TABLE.self_check("batchnorm_backward_alt")
check_spatial_batchnorm_forward = TABLE.self_check("spatial_batchnorm_forward")
check_spatial_batchnorm_backward = TABLE.self_check("spatial_batchnorm_backward")
