"""Notebook 02's hidden cases: fresh inputs on fixed seeds, expected values from course_lib's references.

Edge shapes the stored cases lack (a single layer, a larger batch, both bias
shapes, other sizes) on other seeds, so an answer memorised from the stored
values fails here. The ``*_case`` builders complete inputs drawn with the
home's ``draw_*`` into a case; stored.py builds the self-check's cases with
them too. The linear cases carry the rng of a directional check of the
student's own forward, so they are made one at a time (generators), as the
check reaches them.
"""
import numpy as np

from autograder.checks.nb02.mistaken import (
    linear_out_mistakes,
    mse_mistakes,
    net_mistakes,
    sce_mistakes,
    softmax_mistakes,
)
from course_lib.layers.linear import linear_backward, linear_forward
from course_lib.layers.losses import mse_loss, softmax_cross_entropy
from course_lib.layers.softmax import softmax
from course_lib.lecture_net import backward_pass, forward_pass, minibatch_gradients
from course_lib.selfcheck.nb02.cases import (
    ACTIVATIONS,
    LARGE_CE_LABELS,
    LARGE_CE_SCORES,
    LARGE_SCORES,
    LinearCase,
    MseCase,
    NetCase,
    SampleMeanCase,
    SceCase,
    SoftmaxCase,
    SoftmaxPropertiesCase,
    draw_linear,
    draw_mse,
    draw_net,
    draw_sce,
    squared_error_grad,
)

SEED = 7702

GRADE_NET_SPECS = (
    ((4, 4, 4), 6, "tanh", False),            # square: Omega^j for Omega^{j+1}, or Omega^T, gives numbers
    ((5, 7, 4, 3), 6, "sigmoid", False),      # every size distinct
    ((6, 3), 4, "identity", True),            # a single layer, betas as columns
    ((4, 6, 3), 1, "sigmoid", True),          # a batch of one
    ((8, 5, 6, 9), 40, "tanh", False),        # a larger batch
)
WIDE_SCORES = np.array([
    [3000.0, 0.0, -2500.0, 2990.0],
    [-1500.0, 1500.0, 0.0, 1490.0],
    [0.0, -4000.0, 1.0, -2.0],
])
"""Rows that span thousands: exp of a shift by anything but the row's own maximum over- or underflows."""
GRADE_LINEAR_SPECS = ((6, 4, 7), (1, 5, 3), (9, 8, 3))
GRADE_SCE_SPECS = ((6, 5), (1, 4), (7, 3))
GRADE_MSE_SPECS = ((6, 4), (1, 3), (5, 7))


# ----------------------------------------------------------------------------- completing drawn inputs
def net_case(inputs):
    """The reference's zetas, alphas, Bs and gradients of a drawn network, and its layers' mistakes."""
    phi, phi_prime = ACTIVATIONS[inputs.act]
    zetas, alphas = forward_pass(inputs.alpha0, inputs.Omegas, inputs.betas, phi)
    Bs = backward_pass(zetas, alphas, inputs.Omegas, inputs.rho, phi_prime, squared_error_grad)
    grad_Omegas, grad_betas = minibatch_gradients(alphas, Bs)
    case = NetCase(inputs.act, inputs.alpha0, inputs.Omegas, inputs.betas, inputs.rho, zetas, alphas, Bs,
                   grad_Omegas, grad_betas)
    case.mistakes = net_mistakes(case)
    return case


def linear_case(x, w, b, dout, fd=True, rng=None):
    out, cache = linear_forward(x, w, b)
    dx, dw, db = linear_backward(dout, cache)
    return LinearCase(x, w, b, dout, out, dx, dw, db, linear_out_mistakes(out, b), fd, rng)


def softmax_case(scores):
    return SoftmaxCase(scores, softmax(scores), softmax_mistakes(scores))


def sce_case(scores, y, fd=True):
    loss, dscores = softmax_cross_entropy(scores, y)
    return SceCase(scores, y, float(loss), dscores, fd, *sce_mistakes(y, loss, dscores))


def mse_case(pred, target):
    loss, dpred = mse_loss(pred, target)
    return MseCase(pred, target, float(loss), dpred, loss_mistakes=mse_mistakes(loss, pred.shape[1]))


# ----------------------------------------------------------------------------- the hidden cases
def fresh_nets(seed):
    rng = np.random.default_rng(seed)
    return [net_case(draw_net(*spec, rng)) for spec in GRADE_NET_SPECS]


def fresh_forward_cases():
    return fresh_nets(SEED)


def fresh_backward_cases():
    return fresh_nets(SEED + 1)


def fresh_gradient_cases():
    nets = fresh_nets(SEED + 2)
    return nets + [SampleMeanCase(nets[1])]


def fresh_linear_cases():
    """Entrywise comparisons, then a directional check of the student's own forward with the same rng."""
    rng = np.random.default_rng(SEED + 3)
    for N, D, M in GRADE_LINEAR_SPECS:
        yield linear_case(*draw_linear(N, D, M, rng), fd=False, rng=rng)


def fresh_softmax_cases():
    rng = np.random.default_rng(SEED + 4)
    scores = [4.0 * rng.standard_normal((6, 5)), 4.0 * rng.standard_normal((1, 7)),
              LARGE_SCORES[::-1] + rng.uniform(-3.0, 3.0, size=LARGE_SCORES.shape),
              WIDE_SCORES + rng.uniform(-3.0, 3.0, size=WIDE_SCORES.shape)]
    return [softmax_case(s) for s in scores] + [SoftmaxPropertiesCase(scores[0])]


def fresh_sce_cases():
    rng = np.random.default_rng(SEED + 5)
    for N, K in GRADE_SCE_SPECS:
        yield sce_case(*draw_sce(N, K, rng))
    scores = LARGE_CE_SCORES + rng.uniform(-3.0, 3.0, size=LARGE_CE_SCORES.shape)
    yield sce_case(scores, LARGE_CE_LABELS.copy(), fd=False)


def fresh_mse_cases():
    rng = np.random.default_rng(SEED + 6)
    for N, K in GRADE_MSE_SPECS:
        yield mse_case(*draw_mse(N, K, rng))
