"""Notebook 02 (mini-batch matrices): valid alternatives and typical mistakes, as answer cells."""
from autograder.demo.answer_cells import Mistake, Variant

ALTERNATIVES = [
    Variant("forward_pass", "one sample (column) at a time", """\
def forward_pass(alpha0, Omegas, betas, phi):
    M = alpha0.shape[1]
    zetas = [np.zeros((Omega.shape[1], M)) for Omega in Omegas]
    alphas = [alpha0] + [np.zeros((Omega.shape[1], M)) for Omega in Omegas]
    for k in range(M):
        a = alpha0[:, k]
        for j, (Omega, beta) in enumerate(zip(Omegas, betas)):
            z = Omega.T @ a + np.ravel(beta)
            a = phi(z)
            zetas[j][:, k] = z
            alphas[j + 1][:, k] = a
    return zetas, alphas
"""),
    Variant("backward_pass", "the recursion written with transposes of the row form", """\
def backward_pass(zetas, alphas, Omegas, rho, phi_prime, cost_grad):
    L = len(zetas)
    B = phi_prime(zetas[-1]) * cost_grad(alphas[-1], rho)
    Bs = [B]
    for j in range(L - 2, -1, -1):
        P = Bs[0].T @ Omegas[j + 1].T          # P^{j+1}, one row per sample
        Bs.insert(0, phi_prime(zetas[j]) * P.T)
    return Bs
"""),
    Variant("minibatch_gradients", "a sum of outer products over the samples", """\
def minibatch_gradients(alphas, Bs):
    M = Bs[0].shape[1]
    grad_Omegas, grad_betas = [], []
    for a, B in zip(alphas[:-1], Bs):
        G = np.zeros((a.shape[0], B.shape[0]))
        for k in range(M):
            G += np.outer(a[:, k], B[:, k])
        grad_Omegas.append(G / M)
        grad_betas.append(np.mean(B, axis=1))
    return grad_Omegas, grad_betas
"""),
    Variant("linear", "einsum", """\
def linear_forward(x, w, b):
    return np.einsum("nd,dm->nm", x, w) + b[None, :], {"x": x, "w": w}


def linear_backward(dout, cache):
    x, w = cache["x"], cache["w"]
    dx = np.einsum("nm,dm->nd", dout, w)
    dw = np.einsum("nd,nm->dm", x, dout)
    return dx, dw, np.einsum("nm->m", dout)
"""),
    Variant("mse_loss", "mean over samples of half the squared norm", """\
def mse_loss(pred, target):
    diff = pred - target
    per_sample = 0.5 * np.sum(diff ** 2, axis=1)
    return float(np.mean(per_sample)), diff / len(pred)
"""),
    Variant("softmax", "scipy's logsumexp", """\
from scipy.special import logsumexp


def softmax(scores):
    return np.exp(scores - logsumexp(scores, axis=1, keepdims=True))
"""),
    Variant("softmax_cross_entropy", "one-hot labels in float32 (0 and 1 are exact)", """\
def softmax_cross_entropy(scores, y):
    N, K = scores.shape
    onehot = np.zeros((N, K), dtype=np.float32)
    onehot[np.arange(N), y] = 1.0
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    loss = -float(np.sum(onehot * log_probs)) / N
    return loss, (np.exp(log_probs) - onehot) / N
"""),
]

MISTAKES = [
    Mistake("minibatch_gradients", "missing 1/M (sums instead of means)", """\
def minibatch_gradients(alphas, Bs):
    grad_Omegas = [alphas[j] @ Bs[j].T for j in range(len(Bs))]
    grad_betas = [Bs[j].sum(axis=1) for j in range(len(Bs))]
    return grad_Omegas, grad_betas
""", "factor of 1/M"),
    Mistake("minibatch_gradients", "transposed gradient B alpha^T", """\
def minibatch_gradients(alphas, Bs):
    M = Bs[0].shape[1]
    grad_Omegas = [Bs[j] @ alphas[j].T / M for j in range(len(Bs))]
    grad_betas = [Bs[j].sum(axis=1) / M for j in range(len(Bs))]
    return grad_Omegas, grad_betas
""", "transpose"),
    Mistake("forward_pass", "Omega alpha without the transpose", """\
def forward_pass(alpha0, Omegas, betas, phi):
    zetas, alphas = [], [alpha0]
    for Omega, beta in zip(Omegas, betas):
        zeta = Omega @ alphas[-1] + np.reshape(beta, (-1, 1))
        zetas.append(zeta)
        alphas.append(phi(zeta))
    return zetas, alphas
""", "without the transpose"),
    Mistake("linear", "dw transposed", """\
def linear_forward(x, w, b):
    return x @ w + b, (x, w)


def linear_backward(dout, cache):
    x, w = cache
    return dout @ w.T, dout.T @ x, dout.sum(axis=0)
""", "transpose of the expected gradient"),
    Mistake("softmax_cross_entropy", "dscores without the one-hot subtraction", """\
def softmax_cross_entropy(scores, y):
    N = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -float(np.mean(log_probs[np.arange(N), y]))
    return loss, np.exp(log_probs) / N
""", "without the one-hot subtraction"),
    Mistake("mse_loss", "the loss without the 1/2", """\
def mse_loss(pred, target):
    diff = pred - target
    return float(np.sum(diff * diff)) / pred.shape[0], diff / pred.shape[0]
""", "factor of 1/2"),
]
