"""Hidden grading checks of notebook 02 (mini-batch matrices).

Each ``grade_*`` compares a submission with course_lib's reference on fresh
seeded inputs (edge shapes included: a batch of one, a single layer, square
layers where a missing transpose gives numbers instead of a crash, every size
distinct), raising CheckFailure with the same diagnoses as the visible
self-checks (course_lib.selfcheck.nb02, whose per-case helpers are reused).
Backward passes are also checked against finite differences of the
submission's own forward, along one random direction, so that a wrong forward
and a wrong backward are told apart.

Only the functions passed in are called; caches are passed back untouched.
"""
import numpy as np

from autograder.expected.nb02 import (
    LARGE_CE_LABELS,
    LARGE_CE_SCORES,
    LARGE_SCORES,
    make_linear_case,
    make_mse_case,
    make_net_case,
    make_sce_case,
)
from course_lib.gradcheck import directional_check
from course_lib.layers.losses import softmax_cross_entropy as reference_softmax_cross_entropy
from course_lib.layers.softmax import softmax as reference_softmax
from course_lib.selfcheck.common import GRAD_THRESHOLD
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb02 import (
    check_backward_case,
    check_forward_case,
    check_gradients_are_sample_means,
    check_gradients_case,
    check_linear_case,
    check_mse_loss_case,
    check_softmax_case,
    check_softmax_cross_entropy_case,
    check_softmax_properties,
    require_pair,
)

SEED = 7702

GRADE_NET_SPECS = (
    ((4, 4, 4), 6, "tanh", False),            # square: Omega^j for Omega^{j+1}, or Omega^T, gives numbers
    ((5, 7, 4, 3), 6, "sigmoid", False),      # every size distinct
    ((6, 3), 4, "identity", True),            # a single layer, betas as columns
    ((4, 6, 3), 1, "sigmoid", True),          # a batch of one
    ((8, 5, 6, 9), 40, "tanh", False),        # a larger batch
)
GRADE_LINEAR_SPECS = ((6, 4, 7), (1, 5, 3), (9, 8, 3))
GRADE_SCE_SPECS = ((6, 5), (1, 4), (7, 3))
GRADE_MSE_SPECS = ((6, 4), (1, 3), (5, 7))


def _nets(seed):
    rng = np.random.default_rng(seed)
    return [make_net_case(*spec, rng) for spec in GRADE_NET_SPECS]


def grade_forward_pass(forward_pass):
    for case in _nets(SEED):
        check_forward_case(forward_pass, case)


def grade_backward_pass(backward_pass):
    for case in _nets(SEED + 1):
        check_backward_case(backward_pass, case)


def grade_minibatch_gradients(minibatch_gradients):
    cases = _nets(SEED + 2)
    for case in cases:
        check_gradients_case(minibatch_gradients, case)
    check_gradients_are_sample_means(minibatch_gradients, cases[1])


def _directional_linear(linear_forward, linear_backward, x, w, b, rng):
    """The submission's backward against a central difference of its own forward, along one random direction."""
    params = {"x": x.copy(), "w": w.copy(), "b": b.copy()}
    out, cache = require_pair("linear_forward", linear_forward(params["x"].copy(), params["w"].copy(),
                                                               params["b"].copy()), "(out, cache)")
    dout = rng.standard_normal(np.shape(out))
    dx, dw, db = linear_backward(dout, cache)

    def f():
        return float(np.sum(dout * np.asarray(linear_forward(params["x"], params["w"], params["b"])[0])))

    result = directional_check(f, params, {"x": dx, "w": dw, "b": db}, rng=rng, threshold=GRAD_THRESHOLD,
                               five_point=False)
    if not result.passed:
        raise CheckFailure(f"linear_backward disagrees with finite differences of your own linear_forward: "
                           f"{result.message}")


def grade_linear(linear_forward, linear_backward):
    rng = np.random.default_rng(SEED + 3)
    for N, D, M in GRADE_LINEAR_SPECS:
        case = make_linear_case(N, D, M, rng)
        check_linear_case(linear_forward, linear_backward, *case, fd=False)
        _directional_linear(linear_forward, linear_backward, *case[:3], rng)


def grade_softmax(softmax):
    rng = np.random.default_rng(SEED + 4)
    cases = [4.0 * rng.standard_normal((6, 5)), 4.0 * rng.standard_normal((1, 7)),
             LARGE_SCORES[::-1] + rng.uniform(-3.0, 3.0, size=LARGE_SCORES.shape)]
    for scores in cases:
        check_softmax_case(softmax, scores, reference_softmax(scores))
    check_softmax_properties(softmax, cases[0])


def grade_softmax_cross_entropy(softmax_cross_entropy):
    rng = np.random.default_rng(SEED + 5)
    for N, K in GRADE_SCE_SPECS:
        scores, y, loss, dscores = make_sce_case(N, K, rng)
        check_softmax_cross_entropy_case(softmax_cross_entropy, scores, y, float(loss), dscores)
    scores = LARGE_CE_SCORES + rng.uniform(-3.0, 3.0, size=LARGE_CE_SCORES.shape)
    loss, dscores = reference_softmax_cross_entropy(scores, LARGE_CE_LABELS)
    check_softmax_cross_entropy_case(softmax_cross_entropy, scores, LARGE_CE_LABELS.copy(), loss, dscores, fd=False)


def grade_mse_loss(mse_loss):
    rng = np.random.default_rng(SEED + 6)
    for N, K in GRADE_MSE_SPECS:
        pred, target, loss, dpred = make_mse_case(N, K, rng)
        check_mse_loss_case(mse_loss, pred, target, float(loss), dpred)
