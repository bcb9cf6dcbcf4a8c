"""What notebook 03's debugging cell says before it compares gradients: is the forward right?

The cell compares the student's backward with finite differences of the
student's OWN forward. With a wrong forward those differences are the
gradients of the wrong function, so a correct backward looks wrong there and
compare_gradient would blame it. ``forward_first_note`` runs the forward's
self-check first and, when it fails, says to check the forward first. The
self-check (``__init__.py``) hands it its forward check, so this module never
imports back.
"""
from course_lib.selfcheck.core import evaluate


def forward_first_note(check_forward, forward, name="conv2d_forward", backward_name="conv2d_backward"):
    """None when ``check_forward(forward)`` passes; otherwise the sentence to print before the comparisons.

    The sentence says that the finite differences are taken of the student's own (wrong) forward, so the
    backward cannot be judged against them yet, and repeats what the forward's check found.
    """
    result = evaluate(name, check_forward, forward)
    if result.passed:
        return None
    return (f"Check the forward first: your {name} fails its self-check, and the finite differences below are "
            f"taken of YOUR forward, so even a correct {backward_name} disagrees with them (and compare_gradient "
            f"blames the backward). Fix {name}, then run this cell again. Its check said: {result.message}")
