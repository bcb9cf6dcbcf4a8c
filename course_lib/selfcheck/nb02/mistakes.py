"""Notebook 02's catalogue of named mistakes: {slug: what the answer is, and the fix}.

The texts of the lecture network name the layer j, so they are made per layer
(``zeta(j)``, ``B(j)``, ...). The arrays each mistake gives on a case's
inputs are built on the trusted side (autograder/checks/nb02/mistaken.py)
under the same slugs and travel with the case (stored with the notebook for
the self-check, fresh for the hidden check); a check names the first one a
wrong answer equals.
"""

ALPHA0 = {"alpha1": "alpha^1: alphas must start with alpha^0, the input"}


def zeta(j):
    """Wrong net inputs zeta^j (zetas[j-1])."""
    return {
        "no_bias": f"[Omega^{j}]^T alpha^{j - 1} without beta^{j}: add the bias to every column",
        "activated": f"phi(zeta^{j}): zetas must hold the net inputs, before the activation",
        "no_transpose": f"Omega^{j} alpha^{j - 1} + beta^{j} without the transpose: zeta^{j} = [Omega^{j}]^T "
                        f"alpha^{j - 1} + beta^{j}",
    }


def alpha(j):
    """Wrong activations alpha^j (alphas[j])."""
    return {
        "not_activated": f"zeta^{j} itself: apply phi, alpha^{j} = phi(zeta^{j})",
        "twice": f"phi applied twice, phi(phi(zeta^{j}))",
        "derivative": f"phi'(zeta^{j}): the forward pass applies phi itself, not its derivative",
    }


def B(j):
    """Wrong B^j (Bs[j-1]): the top layer's from the cost gradient, the others' from B^{j+1}."""
    return {
        # j = L
        "cost_grad_alone": f"cost_grad(alpha^L, rho) alone: multiply it by phi'(zeta^{j})",
        "top_phi_prime_of_alpha": f"phi'(alpha^{j}) * cost_grad: phi' takes the net input zeta^{j}, "
                                  "not the activation",
        "top_phi": f"phi(zeta^{j}) * cost_grad: use the derivative phi', not phi",
        # j < L
        "P_alone": f"[P^{j + 1}]^T = Omega^{j + 1} B^{j + 1} alone: multiply it entrywise by phi'(zeta^{j})",
        "phi_prime_of_alpha": f"phi'(alpha^{j}) * (Omega^{j + 1} B^{j + 1}): phi' takes the net input zeta^{j}, "
                              "not the activation",
        "phi": f"phi(zeta^{j}) * (Omega^{j + 1} B^{j + 1}): use the derivative phi', not phi",
        "own_omega": f"phi'(zeta^{j}) * (Omega^{j} B^{j + 1}): B^{j} needs the weights of the layer ABOVE, "
                     f"Omega^{j + 1}, which is Omegas[{j}] (lists are 0-based)",
        "transposed_omega": f"phi'(zeta^{j}) * ([Omega^{j + 1}]^T B^{j + 1}): [P^{j + 1}]^T = Omega^{j + 1} "
                            f"B^{j + 1}, without a transpose (the forward pass is the one that transposes Omega)",
        "own_omega_transposed": f"phi'(zeta^{j}) * ([Omega^{j}]^T B^{j + 1}): B^{j} needs the weights of the "
                                f"layer ABOVE, Omega^{j + 1}, which is Omegas[{j}] (lists are 0-based), and "
                                f"[P^{j + 1}]^T = Omega^{j + 1} B^{j + 1} has no transpose",
    }


def grad_Omega(j):
    """Wrong Gradient(Omega^j) (grad_Omegas[j-1])."""
    return {
        "own_alpha": f"alpha^{j} [B^{j}]^T / M: the weights of layer {j} multiply alpha^{j - 1}, which is "
                     f"alphas[{j - 1}] (alphas starts with alpha^0)",
        "transposed": f"B^{j} [alpha^{j - 1}]^T / M, the transpose: Gradient(Omega^{j}) = (1/M) alpha^{j - 1} "
                      f"[B^{j}]^T has the shape of Omega^{j}",
    }


def grad_beta(j):
    """Wrong Gradient(beta^j) (grad_betas[j-1])."""
    return {
        "row_mean": f"the mean of B^{j} over its rows (axis 0): average over the samples, the columns (axis 1)",
        "row_sum": f"the sum of B^{j} over its rows (axis 0): average over the samples, the columns (axis 1)",
        "column": f"(1/M) B^{j} 1_M kept as a column of shape (n_{j}, 1): return a vector of shape (n_{j},)",
        "no_sum": f"B^{j} without the sum over the samples: multiply by 1_M (sum the columns) and divide by M",
    }


LINEAR_OUT = {"no_bias": "x @ w without the bias b"}

SOFTMAX = {
    "by_columns": "the softmax over each COLUMN (axis 0): every row is one sample, normalise along axis=1",
    "column_max_shift": "exp(scores - the maximum of each COLUMN) normalised along the rows: subtract each ROW's "
                        "maximum, scores.max(axis=1, keepdims=True); a shift that differs within a row changes "
                        "the ratios of its exps",
}

BETA_VECTOR = ("the betas here are vectors of shape (n_j,), while [Omega^j]^T alpha^(j-1) has shape (n_j, M): "
               "make beta a column, np.reshape(beta, (-1, 1)), so that it is added to every column (every sample)")
"""Said when the forward pass fails to broadcast a 1-D beta against the (n_j, M) net inputs."""

SCE_LOSS = {"sum": "the SUM over the samples of -log p_y: the loss is the mean, divide by N"}
SCE_DSCORES = {
    "no_onehot": "softmax(scores) / N without the one-hot subtraction: d loss / d score_k = p_k - 1[k = y]",
    "minus_one_everywhere": "(softmax(scores) - 1) / N: subtract 1 only at the true class y of each row, "
                            "not everywhere",
}

MSE_LOSS = {
    "mean_of_all_entries": "the mean over all N*K entries of the squared error: average over the N samples only, "
                           "and keep the 1/2",
}


def named(catalogue, mistakes):
    """{text: array} of the known mistakes {slug: array}, in their order, texts from ``catalogue``."""
    return {catalogue[slug]: value for slug, value in mistakes.items()}
