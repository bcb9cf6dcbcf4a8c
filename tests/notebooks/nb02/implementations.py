"""Implementations of notebook 02's graded functions, for the tests of its visible and hidden checks.

course_lib's references, valid alternatives written independently of course_lib (one sample at a
time, einsum, row loops, scipy's softmax) and typical mistakes, each a small change of a valid
version, with the words its diagnosis must contain.
"""
import numpy as np
import scipy.special

from course_lib.layers.linear import linear_backward, linear_forward
from course_lib.layers.losses import mse_loss, softmax_cross_entropy
from course_lib.layers.softmax import softmax
from course_lib.lecture_net import backward_pass, forward_pass, minibatch_gradients

REFERENCE = {
    "forward_pass": (forward_pass,),
    "backward_pass": (backward_pass,),
    "minibatch_gradients": (minibatch_gradients,),
    "linear": (linear_forward, linear_backward),
    "softmax": (softmax,),
    "softmax_cross_entropy": (softmax_cross_entropy,),
    "mse_loss": (mse_loss,),
}


# ----------------------------------------------------------------------------- valid alternatives
def forward_by_samples(alpha0, Omegas, betas, phi):
    """One sample (column) at a time, as before mini-batching."""
    M = alpha0.shape[1]
    zetas = [np.zeros((O.shape[1], M)) for O in Omegas]
    alphas = [np.array(alpha0, dtype=float)] + [np.zeros((O.shape[1], M)) for O in Omegas]
    for k in range(M):
        a = alpha0[:, k]
        for j, (O, b) in enumerate(zip(Omegas, betas)):
            z = O.T @ a + np.ravel(b)
            a = phi(z)
            zetas[j][:, k], alphas[j + 1][:, k] = z, a
    return zetas, alphas


def forward_einsum(alpha0, Omegas, betas, phi):
    zetas, alphas = [], [alpha0]
    for O, b in zip(Omegas, betas):
        z = np.einsum("ij,ik->jk", O, alphas[-1]) + np.asarray(b).reshape(-1, 1)
        zetas.append(z)
        alphas.append(phi(z))
    return zetas, alphas


def backward_by_samples(zetas, alphas, Omegas, rho, phi_prime, cost_grad):
    L, M = len(zetas), rho.shape[1]
    Bs = [np.zeros_like(z) for z in zetas]
    for k in range(M):
        b = phi_prime(zetas[-1][:, k]) * cost_grad(alphas[-1][:, k:k + 1], rho[:, k:k + 1])[:, 0]
        Bs[-1][:, k] = b
        for j in range(L - 2, -1, -1):
            b = phi_prime(zetas[j][:, k]) * (Omegas[j + 1] @ b)
            Bs[j][:, k] = b
    return Bs


def backward_messages(zetas, alphas, Omegas, rho, phi_prime, cost_grad):
    """Algorithm 2 literally: keep the messages [P^j]^T, build the list backwards, reverse at the end."""
    B = phi_prime(zetas[-1]) * cost_grad(alphas[-1], rho)
    reversed_Bs = [B]
    for j in range(len(zetas) - 1, 0, -1):
        P_T = np.einsum("ab,bm->am", Omegas[j], reversed_Bs[-1])
        reversed_Bs.append(phi_prime(zetas[j - 1]) * P_T)
    return reversed_Bs[::-1]


def gradients_outer_sums(alphas, Bs):
    M = Bs[0].shape[1]
    grad_Omegas = [sum(np.outer(alphas[j][:, k], Bs[j][:, k]) for k in range(M)) / M for j in range(len(Bs))]
    grad_betas = [sum(Bs[j][:, k] for k in range(M)) / M for j in range(len(Bs))]
    return grad_Omegas, grad_betas


def gradients_einsum(alphas, Bs):
    grad_Omegas = [np.einsum("ik,jk->ij", a, B) / B.shape[1] for a, B in zip(alphas[:-1], Bs)]
    grad_betas = [B @ np.ones(B.shape[1]) / B.shape[1] for B in Bs]
    return tuple(grad_Omegas), tuple(grad_betas)


def linear_forward_einsum(x, w, b):
    return np.einsum("nd,dm->nm", x, w) + b[None, :], {"x": x, "w": w}


def linear_backward_einsum(dout, cache):
    x, w = cache["x"], cache["w"]
    return np.einsum("nm,dm->nd", dout, w), np.einsum("nd,nm->dm", x, dout), np.einsum("nm->m", dout)


def linear_forward_rows(x, w, b):
    return np.stack([row @ w + b for row in x]), (x.copy(), w.copy())


def linear_backward_rows(dout, cache):
    x, w = cache
    dx = np.stack([w @ g for g in dout])
    dw = sum(np.outer(xi, g) for xi, g in zip(x, dout))
    return dx, dw, np.add.reduce(dout, axis=0)


def softmax_scipy(scores):
    return scipy.special.softmax(scores, axis=1)


def softmax_logsumexp(scores):
    return np.exp(scores - scipy.special.logsumexp(scores, axis=1, keepdims=True))


def sce_scipy(scores, y):
    log_p = scipy.special.log_softmax(scores, axis=1)
    N = len(y)
    d = np.exp(log_p) - np.eye(scores.shape[1])[y]
    return -log_p[np.arange(N), y].mean(), d / N


def sce_rows(scores, y):
    N = len(y)
    total, rows = 0.0, []
    for s, label in zip(scores, y):
        mu = s.max()
        log_sum = mu + np.log(np.sum(np.exp(s - mu)))
        total += log_sum - s[label]
        g = np.exp(s - log_sum)
        g[label] -= 1.0
        rows.append(g)
    return total / N, np.array(rows) / N


def mse_mean_rows(pred, target):
    return 0.5 * np.mean(np.sum((pred - target) ** 2, axis=1)), (pred - target) / len(pred)


def mse_loop(pred, target):
    N = pred.shape[0]
    loss = sum(0.5 * float(np.dot(p - t, p - t)) for p, t in zip(pred, target)) / N
    return np.float64(loss), np.array([(p - t) / N for p, t in zip(pred, target)])


ALTERNATIVES = {
    "forward_pass": [(forward_by_samples,), (forward_einsum,)],
    "backward_pass": [(backward_by_samples,), (backward_messages,)],
    "minibatch_gradients": [(gradients_outer_sums,), (gradients_einsum,)],
    "linear": [(linear_forward_einsum, linear_backward_einsum), (linear_forward_rows, linear_backward_rows)],
    "softmax": [(softmax_scipy,), (softmax_logsumexp,)],
    "softmax_cross_entropy": [(sce_scipy,), (sce_rows,)],
    "mse_loss": [(mse_mean_rows,), (mse_loop,)],
}


# ----------------------------------------------------------------------------- typical mistakes
def forward_no_transpose(alpha0, Omegas, betas, phi):
    zetas, alphas = [], [alpha0]
    for O, b in zip(Omegas, betas):
        zetas.append(O @ alphas[-1] + np.reshape(b, (-1, 1)))
        alphas.append(phi(zetas[-1]))
    return zetas, alphas


def forward_without_alpha0(alpha0, Omegas, betas, phi):
    zetas, alphas = forward_pass(alpha0, Omegas, betas, phi)
    return zetas, alphas[1:]


def backward_wrong_omega(zetas, alphas, Omegas, rho, phi_prime, cost_grad):
    """B^j from Omega^j instead of Omega^{j+1} (an off-by-one in the 0-based list)."""
    L = len(zetas)
    Bs = [None] * L
    Bs[-1] = phi_prime(zetas[-1]) * cost_grad(alphas[-1], rho)
    for j in range(L - 1, 0, -1):
        Bs[j - 1] = phi_prime(zetas[j - 1]) * (Omegas[j - 1] @ Bs[j])
    return Bs


def backward_divided_by_M(zetas, alphas, Omegas, rho, phi_prime, cost_grad):
    M = rho.shape[1]
    return backward_pass(zetas, alphas, Omegas, rho, phi_prime, lambda a, r: cost_grad(a, r) / M)


def backward_transposed(zetas, alphas, Omegas, rho, phi_prime, cost_grad):
    return [B.T for B in backward_pass(zetas, alphas, Omegas, rho, phi_prime, cost_grad)]


def gradients_without_mean(alphas, Bs):
    grad_Omegas, grad_betas = minibatch_gradients(alphas, Bs)
    M = Bs[0].shape[1]
    return [g * M for g in grad_Omegas], [g * M for g in grad_betas]


def gradients_transposed(alphas, Bs):
    M = Bs[0].shape[1]
    return [B @ a.T / M for a, B in zip(alphas, Bs)], [B.mean(axis=1) for B in Bs]


def linear_dw_transposed(dout, cache):
    dx, dw, db = linear_backward(dout, cache)
    return dx, dw.T, db


def linear_db_mean(dout, cache):
    dx, dw, _ = linear_backward(dout, cache)
    return dx, dw, dout.mean(axis=0)


def softmax_unshifted(scores):
    e = np.exp(scores)
    return e / e.sum(axis=1, keepdims=True)


def softmax_global_shift(scores):
    e = np.exp(scores - scores.max())
    return e / e.sum(axis=1, keepdims=True)


def softmax_column_shift(scores):
    e = np.exp(scores - scores.max(axis=0, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_mean_shift(scores):
    """Shifted by the row mean: right on ordinary scores, overflows on rows that span thousands."""
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(scores - scores.mean(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


def forward_vector_beta(alpha0, Omegas, betas, phi):
    zetas, alphas = [], [alpha0]
    for O, b in zip(Omegas, betas):
        zetas.append(O.T @ alphas[-1] + b)  # b of shape (n_j,) does not broadcast against (n_j, M)
        alphas.append(phi(zetas[-1]))
    return zetas, alphas


def backward_own_omega_transposed(zetas, alphas, Omegas, rho, phi_prime, cost_grad):
    L = len(zetas)
    Bs = [None] * L
    Bs[-1] = phi_prime(zetas[-1]) * cost_grad(alphas[-1], rho)
    for j in range(L - 2, -1, -1):
        Bs[j] = phi_prime(zetas[j]) * (Omegas[j].T @ Bs[j + 1])
    return Bs


def sce_without_onehot(scores, y):
    loss, _ = softmax_cross_entropy(scores, y)
    return loss, softmax(scores) / len(y)


def sce_log_of_softmax(scores, y):
    _, dscores = softmax_cross_entropy(scores, y)
    with np.errstate(divide="ignore"):
        return -np.mean(np.log(softmax(scores)[np.arange(len(y)), y])), dscores


def mse_without_half(pred, target):
    loss, dpred = mse_loss(pred, target)
    return 2 * loss, 2 * dpred


def mse_sum(pred, target):
    loss, dpred = mse_loss(pred, target)
    return loss * len(pred), dpred * len(pred)


MISTAKES = [
    # (check name, implementation, words the message must contain)
    ("forward_pass", (forward_no_transpose,), ["without the transpose"]),
    ("forward_pass", (forward_without_alpha0,), ["start it with alpha^0"]),
    ("backward_pass", (backward_wrong_omega,), ["Omega^2 B^3", "layer ABOVE", "Omegas[2]"]),
    ("backward_pass", (backward_divided_by_M,), ["off by a constant factor", "1/M", "factor of M"]),
    ("backward_pass", (backward_transposed,), ["transpose"]),
    ("minibatch_gradients", (gradients_without_mean,), ["off by a constant factor", "M (= ", "factor of 1/M"]),
    ("minibatch_gradients", (gradients_transposed,), ["the transpose"]),
    ("linear", (linear_forward, linear_dw_transposed), ["dw has shape", "transpose of the expected gradient"]),
    ("linear", (linear_forward, linear_db_mean), ["db", "1/N", "factor of N"]),
    ("softmax", (softmax_unshifted,), ["NaN or inf", "overflows", "subtract the maximum of each row"]),
    ("softmax", (softmax_global_shift,), ["each row's own maximum", "not one maximum for the whole array"]),
    ("softmax", (softmax_column_shift,), ["maximum of each COLUMN", "scores.max(axis=1, keepdims=True)"]),
    ("forward_pass", (forward_vector_beta,), ["make beta a column", "np.reshape(beta, (-1, 1))"]),
    ("backward_pass", (backward_own_omega_transposed,), ["]^T B^", "layer ABOVE", "has no transpose"]),
    ("softmax_cross_entropy", (sce_without_onehot,), ["without the one-hot subtraction"]),
    ("softmax_cross_entropy", (sce_log_of_softmax,), ["the loss is inf", "log p_y"]),
    ("mse_loss", (mse_without_half,), ["2 times", "factor of 1/2"]),
    ("mse_loss", (mse_sum,), ["N times", "factor of 1/N"]),
]


def stub(*args, **kwargs):
    raise NotImplementedError()
