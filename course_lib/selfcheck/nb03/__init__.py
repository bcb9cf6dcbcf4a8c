"""Self-checks of notebook 03 (CNN backpropagation), shipped with the student release.

What the checks cover: equation (7) of the lecture (conv_delta), the
convolutional layer's forward and backward (dx, dw, db), max and average
pooling forward and backward, and the column layout of im2col (optional, no
points). A wrong answer is named when it equals a known mistake (a filter
that is not rotated, a flipped dw, a db averaged instead of summed, dout sent
to every position of a pooling window, ...); a backward is also compared with
centered differences of the student's own forward along a random direction,
which tells a wrong forward from a wrong backward.

No reference implementation of a function the student writes ships here. The
self-check replays cases stored with the notebook (stored.npz, read by
cases.py): inputs, expected outputs and the outputs of the known mistakes,
computed by the instructor's build (autograder/checks/nb03/stored.py).

Import direction: self-check (this file) -> home modules (cases.py,
mistakes.py, compare.py and the topic modules conv_delta.py, conv.py,
pooling.py, im2col.py; debugging.py, given this file's forward check, for
the debugging cell); the hidden checks in autograder/checks/nb03 import the
home too; the home never imports back.
"""
from course_lib.selfcheck.nb03 import debugging
from course_lib.selfcheck.nb03.cases import (
    stored_avgpool_cases,
    stored_conv2d_cases,
    stored_conv_delta_cases,
    stored_im2col_cases,
    stored_maxpool_cases,
)
from course_lib.selfcheck.nb03.conv import check_conv2d_backward_case, check_conv2d_forward_case
from course_lib.selfcheck.nb03.conv_delta import check_conv_delta_case
from course_lib.selfcheck.nb03.im2col import check_im2col_case
from course_lib.selfcheck.nb03.pooling import check_pool_backward_case, check_pool_forward_case
from course_lib.selfcheck.table import Row, Table

TABLE = Table("nb03", [
    Row("conv_delta", check_conv_delta_case, stored_conv_delta_cases,
        "Equation (7) on non-square images and filters, every size distinct."),
    Row("conv2d_forward", check_conv2d_forward_case, stored_conv2d_cases,
        "Stride 1 and larger, with and without padding, a batch of one."),
    Row("conv2d_backward", check_conv2d_backward_case, stored_conv2d_cases,
        "dx, dw, db against the expected values and finite differences of your forward."),
    Row("maxpool_forward", check_pool_forward_case, stored_maxpool_cases,
        "Disjoint and overlapping windows, strides other than the size, a batch of one."),
    Row("maxpool_backward", check_pool_backward_case, stored_maxpool_cases,
        "Inputs without ties: the gradient goes to each window's maximum, overlaps add up."),
    Row("avgpool_forward", check_pool_forward_case, stored_avgpool_cases,
        "The mean of every window; disjoint and overlapping windows."),
    Row("avgpool_backward", check_pool_backward_case, stored_avgpool_cases,
        "dout / size^2 to every position of the window, overlaps add up."),
    # optional, no points: a self-check only, no hidden check
    Row("im2col", check_im2col_case, stored_im2col_cases,
        "The column layout of course_lib/layers/im2col.py (stride, padding, several channels)."),
])

check_conv_delta = TABLE.self_check("conv_delta")
check_conv2d_forward = TABLE.self_check("conv2d_forward")
check_conv2d_backward = TABLE.self_check("conv2d_backward")
check_maxpool_forward = TABLE.self_check("maxpool_forward")
check_maxpool_backward = TABLE.self_check("maxpool_backward")
check_avgpool_forward = TABLE.self_check("avgpool_forward")
check_avgpool_backward = TABLE.self_check("avgpool_backward")
check_im2col = TABLE.self_check("im2col")


def forward_first_note(conv2d_forward):
    """For the debugging cell: None when conv2d_forward passes its self-check, else a sentence saying to check
    the forward first (the cell's finite differences are of the student's own forward)."""
    return debugging.forward_first_note(check_conv2d_forward, conv2d_forward)
