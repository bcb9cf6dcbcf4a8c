"""Notebook 02: a fully connected network in the lecture's column convention (lecture 000).

Notation (one column per sample, M samples in a mini-batch, L layers):

    alpha^0            (n_0, M)          the inputs, one sample per column
    Omega^j            (n_{j-1}, n_j)    weights of layer j (unit k's weights in column k)
    beta^j             (n_j,) or (n_j, 1) biases of layer j
    zeta^j = [Omega^j]^T alpha^{j-1} + beta^j     (n_j, M)   net inputs
    alpha^j = Phi(zeta^j)                        (n_j, M)   activations
    B^j                (n_j, M)          gradient of the cost w.r.t. zeta^j, one column per sample
    [P^j]^T = Omega^j B^j   (n_{j-1}, M) gradient w.r.t. alpha^{j-1}, passed to layer j-1

Python lists are 0-based, so ``Omegas[j - 1]`` holds Omega^j, ``zetas[j - 1]``
holds zeta^j and ``Bs[j - 1]`` holds B^j, whereas ``alphas[j]`` holds alpha^j
(alphas starts with alpha^0). One activation Phi is used in every layer, as
in the lecture.

The row convention of ``course_lib.modules`` (x of shape (M, n_0), w of shape
(n_{j-1}, n_j)) computes the same network: x = [alpha^0]^T, w = Omega^j,
b = beta^j, out = [alpha^L]^T. With the row-convention loss averaged over the
batch, the gradients agree: grad w = grad Omega^j, grad b = grad beta^j, and
the gradient w.r.t. the net input of layer j is [B^j]^T / M (the 1/M that
Algorithm 3 applies at the end is already inside the row-convention dout).
"""
import numpy as np

from course_lib.validation import ShapeError, as_float_array, check_ndim


def _column(name, beta, n):
    """beta as a column (n, 1) so that it is added to every sample's column."""
    beta = as_float_array(name, beta)
    if beta.shape not in ((n,), (n, 1)):
        raise ShapeError(f"{name} must have shape ({n},) or ({n}, 1), got {beta.shape}.")
    return beta.reshape(n, 1)


def forward_pass(alpha0, Omegas, betas, phi):
    """Algorithm 1 (forward propagation) on a mini-batch.

    alpha0 (n_0, M); Omegas[j-1] (n_{j-1}, n_j); betas[j-1] (n_j,) or (n_j, 1);
    phi is the elementwise activation. For j = 1..L:
        zeta^j = [Omega^j]^T alpha^{j-1} + beta^j,   alpha^j = phi(zeta^j).
    Returns (zetas, alphas): zetas = [zeta^1, ..., zeta^L] (L arrays) and
    alphas = [alpha^0, alpha^1, ..., alpha^L] (L + 1 arrays), each (n_j, M).
    """
    alpha = as_float_array("alpha0", alpha0)
    check_ndim("alpha0", alpha, 2, "(n_0, M): one sample per column")
    if len(Omegas) != len(betas):
        raise ValueError(f"Omegas has {len(Omegas)} layers but betas has {len(betas)}; they must match.")
    zetas, alphas = [], [alpha]
    for j, (Omega, beta) in enumerate(zip(Omegas, betas), start=1):
        Omega = as_float_array(f"Omegas[{j - 1}]", Omega)
        check_ndim(f"Omegas[{j - 1}]", Omega, 2, "(n_{j-1}, n_j)")
        if Omega.shape[0] != alpha.shape[0]:
            raise ShapeError(
                f"Omegas[{j - 1}] (Omega^{j}) has shape {Omega.shape} but alpha^{j - 1} has "
                f"{alpha.shape[0]} rows: Omega^{j} must have shape ({alpha.shape[0]}, n_{j}) "
                "(it is transposed in zeta = Omega^T alpha + beta)."
            )
        zeta = Omega.T @ alpha + _column(f"betas[{j - 1}]", beta, Omega.shape[1])
        alpha = phi(zeta)
        zetas.append(zeta)
        alphas.append(alpha)
    return zetas, alphas


def backward_pass(zetas, alphas, Omegas, rho, phi_prime, cost_grad):
    """Algorithm 2 (backpropagation) on a mini-batch.

    zetas, alphas from ``forward_pass``; rho (n_L, M) the expected outputs;
    phi_prime the derivative of phi; cost_grad(alpha^L, rho) -> (n_L, M), the
    gradient of the cost of each sample w.r.t. its output, column by column
    (not divided by M: the 1/M is applied in ``minibatch_gradients``).
        B^L = phi'(zeta^L) * cost_grad(alpha^L, rho)
        [P^j]^T = Omega^j B^j
        B^j = phi'(zeta^j) * [P^{j+1}]^T = phi'(zeta^j) * (Omega^{j+1} B^{j+1})
    Returns Bs = [B^1, ..., B^L], B^j of shape (n_j, M).
    """
    L = len(zetas)
    if len(Omegas) != L or len(alphas) != L + 1:
        raise ValueError(
            f"got {L} zetas, {len(alphas)} alphas and {len(Omegas)} Omegas; a network of L "
            "layers has L zetas, L + 1 alphas (alpha^0 first) and L Omegas."
        )
    grad_out = np.asarray(cost_grad(alphas[L], rho), dtype=np.float64)
    if grad_out.shape != alphas[L].shape:
        raise ShapeError(
            f"cost_grad returned shape {grad_out.shape}; it must match alpha^L, {alphas[L].shape}."
        )
    Bs = [None] * L
    Bs[L - 1] = phi_prime(zetas[L - 1]) * grad_out
    for j in range(L - 1, 0, -1):
        P_T = Omegas[j] @ Bs[j]  # [P^{j+1}]^T = Omega^{j+1} B^{j+1}
        Bs[j - 1] = phi_prime(zetas[j - 1]) * P_T
    return Bs


def minibatch_gradients(alphas, Bs):
    """Algorithm 3: gradients of the cost averaged over the M samples.

        grad Omega^j = (1/M) alpha^{j-1} [B^j]^T     shape (n_{j-1}, n_j)
        grad beta^j  = (1/M) B^j 1_M                 shape (n_j,)
    Returns (grad_Omegas, grad_betas), lists of L arrays. grad beta^j is a
    vector like the lecture's beta^j; reshape it if you store beta as (n_j, 1).
    """
    if len(alphas) != len(Bs) + 1:
        raise ValueError(
            f"got {len(alphas)} alphas and {len(Bs)} Bs; alphas must hold alpha^0..alpha^L (L + 1 arrays)."
        )
    M = Bs[0].shape[1]
    ones = np.ones(M)
    grad_Omegas = [alphas[j] @ Bs[j].T / M for j in range(len(Bs))]
    grad_betas = [Bs[j] @ ones / M for j in range(len(Bs))]
    return grad_Omegas, grad_betas
