"""The arrays notebook 02's known mistakes give on a case's inputs, keyed by the slugs of
course_lib/selfcheck/nb02/mistakes.py (which holds their texts).

Each builder takes a case with its right results, so fresh.py (hidden cases)
and stored.py (the self-check's stored cases) get the same arrays for the
same inputs. The order of a dict is the order in which a check tries the
mistakes; a mistake that the case's shapes cannot tell apart (a transpose of
a non-square matrix) is left out.
"""
import numpy as np

from course_lib.selfcheck.nb02.cases import squared_error_grad


def zeta_mistakes(case, j):
    """Wrong net inputs of layer j, computed from the right alpha^{j-1}."""
    Omega, beta, a_prev = case.Omegas[j - 1], case.betas[j - 1], case.alphas[j - 1]
    zeta = case.zetas[j - 1]
    beta_col = np.reshape(beta, (-1, 1))
    mistakes = {"no_bias": zeta - beta_col, "activated": case.phi(zeta)}
    if Omega.shape[0] == Omega.shape[1]:
        mistakes["no_transpose"] = Omega @ a_prev + beta_col
    return mistakes


def alpha_mistakes(case, j):
    zeta, alpha = case.zetas[j - 1], case.alphas[j]
    return {"not_activated": zeta, "twice": case.phi(alpha), "derivative": case.phi_prime(zeta)}


def B_mistakes(case, j):
    """Wrong B^j, computed from the right B^{j+1} (or the right cost gradient for j = L)."""
    phi_p = case.phi_prime
    zeta, alpha = case.zetas[j - 1], case.alphas[j]
    if j == case.L:
        grad_out = squared_error_grad(case.alphas[-1], case.rho)
        return {"cost_grad_alone": grad_out, "top_phi_prime_of_alpha": phi_p(alpha) * grad_out,
                "top_phi": case.phi(zeta) * grad_out}
    B_next, Omega_next, Omega_j = case.Bs[j], case.Omegas[j], case.Omegas[j - 1]
    P_T = Omega_next @ B_next
    mistakes = {"P_alone": P_T, "phi_prime_of_alpha": phi_p(alpha) * P_T, "phi": case.phi(zeta) * P_T}
    if Omega_j.shape[1] == B_next.shape[0] and Omega_j.shape[0] == zeta.shape[0]:
        mistakes["own_omega"] = phi_p(zeta) * (Omega_j @ B_next)
    if Omega_next.shape[0] == Omega_next.shape[1]:
        mistakes["transposed_omega"] = phi_p(zeta) * (Omega_next.T @ B_next)
    if Omega_j.shape[0] == B_next.shape[0]:
        mistakes["own_omega_transposed"] = phi_p(zeta) * (Omega_j.T @ B_next)
    return mistakes


def grad_Omega_mistakes(case, j):
    a_prev, B, M = case.alphas[j - 1], case.Bs[j - 1], case.M
    mistakes = {"own_alpha": case.alphas[j] @ B.T / M}
    if a_prev.shape[0] == B.shape[0]:
        mistakes["transposed"] = B @ a_prev.T / M
    return mistakes


def grad_beta_mistakes(case, j):
    B = case.Bs[j - 1]
    return {"row_mean": B.mean(axis=0), "row_sum": B.sum(axis=0), "column": B.mean(axis=1, keepdims=True),
            "no_sum": B}


def net_mistakes(case):
    """{"alpha_0" | "<group>_<j>": {slug: array}} for every layer j of a network case."""
    mistakes = {"alpha_0": {"alpha1": case.alphas[1]}}
    for j in range(1, case.L + 1):
        mistakes[f"zeta_{j}"] = zeta_mistakes(case, j)
        mistakes[f"alpha_{j}"] = alpha_mistakes(case, j)
        mistakes[f"B_{j}"] = B_mistakes(case, j)
        mistakes[f"gradOmega_{j}"] = grad_Omega_mistakes(case, j)
        mistakes[f"gradbeta_{j}"] = grad_beta_mistakes(case, j)
    return mistakes


def linear_out_mistakes(out, b):
    return {"no_bias": out - b}


def softmax_mistakes(scores):
    shifted = scores - scores.max(axis=0, keepdims=True)
    with np.errstate(invalid="ignore"):  # a row far below a column's maximum gives 0 / 0: no usable mistake
        by_rows = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    return {"by_columns": np.exp(shifted) / np.exp(shifted).sum(axis=0, keepdims=True),
            "column_max_shift": by_rows}


def sce_mistakes(y, loss, dscores):
    """(loss mistakes, dscores mistakes) of softmax cross-entropy with labels y."""
    N, K = dscores.shape
    onehot = np.zeros((N, K))
    onehot[np.arange(N), y] = 1.0
    return ({"sum": np.array(loss * N)},
            {"no_onehot": dscores + onehot / N, "minus_one_everywhere": dscores + onehot / N - 1.0 / N})


def mse_mistakes(loss, K):
    return {"mean_of_all_entries": np.array(2.0 * loss / K)}
