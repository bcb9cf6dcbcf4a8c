"""Checks of the lecture network on a mini-batch: forward_pass, backward_pass, minibatch_gradients (lecture 000).

Column convention, one sample per column: zeta^j = [Omega^j]^T alpha^{j-1} + beta^j,
alpha^j = phi(zeta^j); B^L = phi'(zeta^L) * cost_grad(alpha^L, rho) and
B^j = phi'(zeta^j) * (Omega^{j+1} B^{j+1}); Gradient(Omega^j) = (1/M) alpha^{j-1} [B^j]^T and
Gradient(beta^j) = (1/M) B^j 1_M. Each check compares layer by layer (the
backward pass from the top, where an error spoils every layer below) and names
the known mistakes of that layer.
"""
import numpy as np

import course_lib.selfcheck.nb02.mistakes as texts
from course_lib.gradcheck import compare_gradient
from course_lib.selfcheck.common import GRAD_THRESHOLD, MATCH_TOL, misfit, require_array, require_gradient
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb02.cases import SampleMeanCase, squared_error_grad
from course_lib.selfcheck.nb02.mistakes import named
from course_lib.selfcheck.nb02.require import copy_list, require_list, require_pair, require_values, unchanged

NET_AXES = ("unit", "sample")


def check_forward_case(forward_pass, case):
    """zetas and alphas of one network against the expected ones, layer by layer, inputs untouched."""
    context = f"forward_pass on a {case.describe()}"
    alpha0, Omegas, betas = case.alpha0.copy(), copy_list(case.Omegas), copy_list(case.betas)
    result = _call_forward(context, forward_pass, case, alpha0, Omegas, betas)
    if not (np.array_equal(alpha0, case.alpha0) and unchanged(case.Omegas, Omegas) and unchanged(case.betas, betas)):
        raise CheckFailure(f"{context}: an input (alpha0, an Omega or a beta) was modified in place; "
                           "compute every zeta and alpha in new arrays.")
    zetas, alphas = require_pair(context, result, "(zetas, alphas)")
    L = case.L
    if isinstance(zetas, (list, tuple)) and isinstance(alphas, (list, tuple)) and len(zetas) == L + 1 \
            and len(alphas) == L:
        raise CheckFailure(f"{context}: the first list has L + 1 = {L + 1} arrays and the second L = {L}: "
                           "return (zetas, alphas) in this order, alphas starting with alpha^0.")
    zetas = require_list(context, "zetas", zetas, L, "zeta^1 .. zeta^L")
    if isinstance(alphas, (list, tuple)) and len(alphas) == L:
        raise CheckFailure(f"{context}: alphas holds {L} arrays but must hold L + 1 = {L + 1}: start it with "
                           "alpha^0 (the input itself), so that alphas[j] is alpha^j.")
    alphas = require_list(context, "alphas", alphas, L + 1, "alpha^0 .. alpha^L")
    dims = case.dims()
    require_values(context, "alphas[0]", case.alpha0, alphas[0], named(texts.ALPHA0, case.mistakes["alpha_0"]),
                   dims, NET_AXES)
    for j in range(1, L + 1):
        require_values(context, f"zeta^{j} (zetas[{j - 1}])", case.zetas[j - 1], zetas[j - 1],
                       named(texts.zeta(j), case.mistakes[f"zeta_{j}"]), dims, NET_AXES)
        require_values(context, f"alpha^{j} (alphas[{j}])", case.alphas[j], alphas[j],
                       named(texts.alpha(j), case.mistakes[f"alpha_{j}"]), dims, NET_AXES)


def _call_forward(context, forward_pass, case, alpha0, Omegas, betas):
    """forward_pass(alpha0, Omegas, betas, phi); a failed broadcast of a 1-D beta is named, not a crash."""
    try:
        return forward_pass(alpha0, Omegas, betas, case.phi)
    except ValueError as exc:
        if "broadcast" in str(exc) and any(np.ndim(b) == 1 for b in case.betas):
            raise CheckFailure(f"{context}: your code raised ValueError: {exc}; {texts.BETA_VECTOR}.") from exc
        raise


def check_backward_case(backward_pass, case):
    """B^L .. B^1 of one network against the expected ones, top layer first, inputs untouched."""
    context = f"backward_pass on a {case.describe()}"
    zetas, alphas, Omegas = copy_list(case.zetas), copy_list(case.alphas), copy_list(case.Omegas)
    rho = case.rho.copy()
    Bs = backward_pass(zetas, alphas, Omegas, rho, case.phi_prime, squared_error_grad)
    if not (unchanged(case.zetas, zetas) and unchanged(case.alphas, alphas)
            and unchanged(case.Omegas, Omegas) and np.array_equal(rho, case.rho)):
        raise CheckFailure(f"{context}: an input (zetas, alphas, Omegas or rho) was modified in place; "
                           "compute every B in a new array.")
    L = case.L
    Bs = require_list(context, "the result", Bs, L, "B^1 .. B^L, first layer first")
    if L > 1 and all(np.shape(b) == e.shape for b, e in zip(Bs[::-1], case.Bs)) and all(
            misfit(e, b) <= MATCH_TOL for b, e in zip(Bs[::-1], case.Bs)):
        raise CheckFailure(f"{context}: the Bs are in reverse order; return [B^1, ..., B^L] so that "
                           "Bs[j-1] is B^j (fill a list of L entries from the top, or reverse it at the end).")
    dims = case.dims()
    for j in range(L, 0, -1):  # the top layer first: an error there spoils every layer below
        require_gradient(context, f"B^{j} (Bs[{j - 1}])", case.Bs[j - 1], Bs[j - 1], dims,
                         candidates=named(texts.B(j), case.mistakes[f"B_{j}"]), axis_names=NET_AXES)


def check_gradients_case(minibatch_gradients, case):
    """Gradient(Omega^j) and Gradient(beta^j) of one network against the expected ones,
    or (a SampleMeanCase) the batch's gradients against the mean of the samples' ones."""
    if isinstance(case, SampleMeanCase):
        check_gradients_are_sample_means(minibatch_gradients, case.net)
        return
    context = f"minibatch_gradients on a {case.describe()}"
    alphas, Bs = copy_list(case.alphas), copy_list(case.Bs)
    result = minibatch_gradients(alphas, Bs)
    if not (unchanged(case.alphas, alphas) and unchanged(case.Bs, Bs)):
        raise CheckFailure(f"{context}: alphas or Bs was modified in place; compute the gradients in new arrays.")
    grad_Omegas, grad_betas = require_pair(context, result, "(grad_Omegas, grad_betas)")
    L = case.L
    grad_Omegas = require_list(context, "grad_Omegas", grad_Omegas, L, "one per layer, first layer first")
    grad_betas = require_list(context, "grad_betas", grad_betas, L, "one per layer, first layer first")
    dims = case.dims()
    for j in range(1, L + 1):
        omega_mistakes = named(texts.grad_Omega(j), case.mistakes[f"gradOmega_{j}"])
        beta_mistakes = named(texts.grad_beta(j), case.mistakes[f"gradbeta_{j}"])
        require_gradient(context, f"grad Omega^{j} (grad_Omegas[{j - 1}])", case.grad_Omegas[j - 1],
                         grad_Omegas[j - 1], dims, candidates=omega_mistakes)
        require_gradient(context, f"grad beta^{j} (grad_betas[{j - 1}])", case.grad_betas[j - 1],
                         grad_betas[j - 1], dims, candidates=beta_mistakes)


def check_gradients_are_sample_means(minibatch_gradients, case):
    """Reference-free: the batch gradients equal the mean of the M one-sample gradients (lecture 000)."""
    context = f"minibatch_gradients on a {case.describe()}"
    M = case.M
    batch_O, batch_b = require_pair(context, minibatch_gradients(copy_list(case.alphas), copy_list(case.Bs)),
                                    "(grad_Omegas, grad_betas)")
    sum_O = [np.zeros(O.shape) for O in case.Omegas]
    sum_b = [np.zeros(O.shape[1]) for O in case.Omegas]
    for k in range(M):
        one_O, one_b = require_pair(context, minibatch_gradients([a[:, k:k + 1].copy() for a in case.alphas],
                                                                 [B[:, k:k + 1].copy() for B in case.Bs]),
                                    "(grad_Omegas, grad_betas)")
        for j in range(case.L):
            sum_O[j] += require_array(f"{context}, sample {k} alone: grad_Omegas[{j}]", one_O[j], sum_O[j].shape)
            sum_b[j] += require_array(f"{context}, sample {k} alone: grad_betas[{j}]", one_b[j], sum_b[j].shape)
    for j in range(case.L):
        pairs = ((f"grad Omega^{j + 1}", batch_O[j], sum_O[j]), (f"grad beta^{j + 1}", batch_b[j], sum_b[j]))
        for label, batch, total in pairs:
            mean = total / M
            result = compare_gradient(label, mean, batch, {"M": M}, threshold=GRAD_THRESHOLD)
            if not result.passed:
                raise CheckFailure(
                    f"{context}: the gradient of the batch must be the MEAN of the M gradients your function gives "
                    f"for each sample alone, (1/M) sum_k; compared with that mean, {result.message}")
