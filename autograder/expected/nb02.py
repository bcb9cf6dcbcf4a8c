"""Stored expected values of notebook 02's self-checks, computed from course_lib's references.

Inputs are stored next to the outputs, so a self-check replays exactly the
case the values were computed for. The case makers are also used by the
hidden grading checks (autograder/checks/nb02.py) on fresh seeds. Keys:
  net_n, net_{k}_*                 see course_lib.selfcheck.nb02.NetCase.to_store
  linear_n, linear_{k}_{x,w,b,dout,out,dx,dw,db}
  softmax_n, softmax_{k}_{scores,probs}
  sce_n, sce_{k}_{scores,y,loss,dscores}
  mse_n, mse_{k}_{pred,target,loss,dpred}
"""
import numpy as np

from course_lib.layers.linear import linear_backward, linear_forward
from course_lib.layers.losses import mse_loss, softmax_cross_entropy
from course_lib.layers.softmax import softmax
from course_lib.lecture_net import backward_pass, forward_pass, minibatch_gradients
from course_lib.selfcheck.nb02 import ACTIVATIONS, NetCase, squared_error_grad

SEED = 20240202

NET_SPECS = (
    # (n_0, ..., n_L), M, activation, betas stored as columns (n_j, 1)
    ((5, 5, 5, 5), 3, "sigmoid", False),  # square layers: a missing transpose or a wrong Omega gives numbers
    ((4, 6, 3, 7), 5, "sigmoid", False),  # every size distinct: a transpose shows in the shape
    ((3, 5, 4), 1, "tanh", True),         # a batch of one
)
LINEAR_SPECS = ((4, 5, 3), (1, 6, 4))  # (N, D, M)
MSE_SPECS = ((4, 3), (1, 5))           # (N, K)

LARGE_SCORES = np.array([
    [1000.0, 1001.0, 999.0, 1002.0, 998.0],
    [-1000.0, -999.0, -1003.0, -1001.0, -1002.0],
    [0.5, -0.2, 3.0, 1.0, -2.0],
])
"""Rows at wildly different scales: exp overflows without the shift, and one global shift underflows."""

LARGE_CE_SCORES = np.array([
    [1000.0, 0.0, -1000.0, 500.0],
    [-800.0, -810.0, -805.0, -790.0],
    [2.0, 1.0, 0.5, -1.0],
])
LARGE_CE_LABELS = np.array([2, 1, 0])  # row 0's true class has probability exp(-2000): log of it needs log-sum-exp


def make_net_case(sizes, M, act, columns, rng):
    """A random network and mini-batch with the reference's zetas, alphas, Bs and gradients."""
    phi, phi_prime = ACTIVATIONS[act]
    Omegas = [rng.standard_normal((n_in, n_out)) * (1.5 / np.sqrt(n_in)) for n_in, n_out in zip(sizes, sizes[1:])]
    betas = [0.5 * rng.standard_normal((n, 1) if columns else n) for n in sizes[1:]]
    alpha0 = rng.standard_normal((sizes[0], M))
    if act == "sigmoid":
        rho = rng.uniform(0.05, 0.95, size=(sizes[-1], M))
    elif act == "tanh":
        rho = rng.uniform(-0.9, 0.9, size=(sizes[-1], M))
    else:
        rho = rng.standard_normal((sizes[-1], M))
    zetas, alphas = forward_pass(alpha0, Omegas, betas, phi)
    Bs = backward_pass(zetas, alphas, Omegas, rho, phi_prime, squared_error_grad)
    grad_Omegas, grad_betas = minibatch_gradients(alphas, Bs)
    return NetCase(act, alpha0, Omegas, betas, rho, zetas, alphas, Bs, grad_Omegas, grad_betas)


def make_linear_case(N, D, M, rng):
    """(x, w, b, dout, out, dx, dw, db) from the reference."""
    x, w, b = rng.standard_normal((N, D)), rng.standard_normal((D, M)), rng.standard_normal(M)
    dout = rng.standard_normal((N, M))
    out, cache = linear_forward(x, w, b)
    dx, dw, db = linear_backward(dout, cache)
    return x, w, b, dout, out, dx, dw, db


def make_sce_case(N, K, rng):
    """(scores, y, loss, dscores) from the reference, with every class label used when N >= K."""
    scores = 2.0 * rng.standard_normal((N, K))
    y = rng.permutation(np.arange(N) % K).astype(np.int64)
    loss, dscores = softmax_cross_entropy(scores, y)
    return scores, y, np.array(loss), dscores


def make_mse_case(N, K, rng):
    pred, target = rng.standard_normal((N, K)), rng.standard_normal((N, K))
    loss, dpred = mse_loss(pred, target)
    return pred, target, np.array(loss), dpred


def build():
    values = {}
    rng = np.random.default_rng(SEED)

    values["net_n"] = np.array(len(NET_SPECS))
    for k, spec in enumerate(NET_SPECS):
        values.update(make_net_case(*spec, rng).to_store(f"net_{k}"))

    values["linear_n"] = np.array(len(LINEAR_SPECS))
    for k, spec in enumerate(LINEAR_SPECS):
        arrays = make_linear_case(*spec, rng)
        for key, arr in zip(("x", "w", "b", "dout", "out", "dx", "dw", "db"), arrays):
            values[f"linear_{k}_{key}"] = arr

    softmax_scores = [3.0 * rng.standard_normal((4, 5)), 3.0 * rng.standard_normal((1, 6)), LARGE_SCORES]
    values["softmax_n"] = np.array(len(softmax_scores))
    for k, scores in enumerate(softmax_scores):
        values[f"softmax_{k}_scores"] = scores
        values[f"softmax_{k}_probs"] = softmax(scores)

    sce_cases = [make_sce_case(5, 4, rng), make_sce_case(1, 3, rng)]
    large_loss, large_d = softmax_cross_entropy(LARGE_CE_SCORES, LARGE_CE_LABELS)
    sce_cases.append((LARGE_CE_SCORES, LARGE_CE_LABELS, np.array(large_loss), large_d))
    values["sce_n"] = np.array(len(sce_cases))
    for k, arrays in enumerate(sce_cases):
        for key, arr in zip(("scores", "y", "loss", "dscores"), arrays):
            values[f"sce_{k}_{key}"] = arr

    values["mse_n"] = np.array(len(MSE_SPECS))
    for k, spec in enumerate(MSE_SPECS):
        for key, arr in zip(("pred", "target", "loss", "dpred"), make_mse_case(*spec, rng)):
            values[f"mse_{k}_{key}"] = arr
    return values
