"""On a right submission a gradient check calls the student's code at most 8 times per case.

Forward and backward once each, a directional difference along two random
directions (4 forwards), and a contract call or two; per-entry differences
only after a failure. Counted for every notebook's graded gradient functions,
in the visible self-check (stored cases) and the hidden check (fresh cases),
on course_lib's references.
"""
import importlib
from collections import Counter

import pytest

from autograder.syllabus import SYLLABUS

MAX_CALLS = 8
GRADIENT_CHECKS = {
    "01": ("sigmoid", "tanh", "relu", "leaky_relu", "softplus", "cos_module"),
    "02": ("backward_pass", "minibatch_gradients", "linear", "mse_loss", "softmax_cross_entropy"),
    "03": ("conv2d_backward", "maxpool_backward", "avgpool_backward"),
    "04": ("layer_gradient_norms",),
    "06": ("batchnorm_backward", "batchnorm_backward_alt", "spatial_batchnorm_backward"),
    "07": ("hessian_fd", "hvp_fd"),
}
ROWS = [(nb, check, kind) for nb, checks in GRADIENT_CHECKS.items() for check in checks
        for kind in ("self", "hidden")]


def counted(function, counter):
    def call(*args, **kwargs):
        counter[function.__name__] += 1
        return function(*args, **kwargs)
    call.__name__ = function.__name__
    return call


@pytest.mark.parametrize("nb, check, kind", ROWS, ids=[f"nb{n}-{c}-{k}" for n, c, k in ROWS])
def test_a_right_submission_costs_a_handful_of_calls_per_case(nb, check, kind):
    test = SYLLABUS[nb].test(f"test_{check}")
    references = [getattr(importlib.import_module(SYLLABUS.reference(n)), n) for n in test.names]
    if kind == "self":
        made = getattr(importlib.import_module(f"course_lib.selfcheck.nb{nb}"), f"check_{check}")
    else:
        made = getattr(importlib.import_module(f"autograder.checks.nb{nb}"), f"grade_{check}")
    per_case = []
    for case in made.cases():
        counter = Counter()
        made.row.check_case(*[counted(f, counter) for f in references], case)
        per_case.append(sum(counter.values()))
    assert per_case and max(per_case) <= MAX_CALLS, per_case


def test_a_backward_off_its_own_forward_still_gets_per_entry_differences():
    """Only a failure spends more: the directions disagree, then every entry is differentiated to say where."""
    import numpy as np

    from course_lib.selfcheck.core import CheckFailure
    from course_lib.selfcheck.nb01.cases import ElementwiseCase
    from course_lib.selfcheck.nb01.elementwise import check_elementwise_case

    counter = Counter()
    rng = np.random.default_rng(5)
    x, dout = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))

    def cube_forward(x):
        return x ** 3, x

    def cube_backward(dout, x):   # 2x instead of 3x^2, and the case expects exactly this
        return 2.0 * x * dout

    case = ElementwiseCase("tanh", x, dout, x ** 3, 2.0 * x * dout, (), True, {}, {})
    with pytest.raises(CheckFailure, match="finite differences"):
        check_elementwise_case(counted(cube_forward, counter), counted(cube_backward, counter), case)
    assert counter["cube_forward"] > MAX_CALLS   # 1 + 4 directional + 2 per entry
