"""What notebook 03's debugging cell says before it compares gradients: is the forward right?

The cell compares the student's backward with finite differences of the
student's OWN forward. With a wrong forward those differences are the
gradients of the wrong function, so a correct backward looks wrong there and
compare_gradient would blame it. ``forward_first_note`` runs the forward's
self-check first and, when it fails, says to check the forward first.
"""
from course_lib.selfcheck.core import evaluate


def forward_first_note(conv2d_forward):
    """None when ``conv2d_forward`` passes its self-check; otherwise the sentence to print first.

    The sentence says that the finite differences below are of the student's own (wrong) forward,
    so the backward cannot be judged against them yet, and repeats what the forward's check found.
    """
    from course_lib.selfcheck.nb03 import check_conv2d_forward  # the table's check; nb03 imports this module

    result = evaluate("conv2d_forward", check_conv2d_forward, conv2d_forward)
    if result.passed:
        return None
    return ("Check the forward first: your conv2d_forward fails its self-check, and the finite differences "
            "below are taken of YOUR forward, so even a correct conv2d_backward disagrees with them (and "
            "compare_gradient blames the backward). Fix conv2d_forward, then run this cell again. Its check "
            f"said: {result.message}")
