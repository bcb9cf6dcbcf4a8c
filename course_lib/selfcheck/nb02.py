"""Self-checks of notebook 02 (mini-batch matrices), shipped with the student release.

No reference implementation of a graded function is used here. The expected
values come from
  * stored arrays, ``expected("nb02", key)``, computed by the instructor's build
    (autograder/expected/nb02.py) with the inputs stored next to them;
  * the student's own functions: finite differences of their forward or loss,
    the mean of per-sample gradients, rows of a softmax summing to one.

Each ``check_*_case`` helper compares one case and takes the expected arrays
as arguments, so the hidden grading checks (autograder/checks/nb02.py) reuse
them with values computed from course_lib on fresh inputs.

Index conventions of the lecture network (Python lists are 0-based):
``Omegas[j-1]`` is Omega^j, ``zetas[j-1]`` is zeta^j, ``Bs[j-1]`` is B^j, but
``alphas[j]`` is alpha^j because alphas starts with alpha^0.
"""
from dataclasses import dataclass

import numpy as np

from course_lib.gradcheck import compare_gradient, contract_diagnosis, numerical_gradient, numerical_gradient_array
from course_lib.gradcheck.naming import describe_shape, dims_ratio, format_value
from course_lib.selfcheck import common
from course_lib.selfcheck.common import (
    GRAD_THRESHOLD,
    MATCH_TOL,
    VALUE_TOL,
    describe,
    misfit,
    require_array,
    require_fd_agreement,
    require_gradient,
    stored_count,
)
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.expected import expected

NB = "nb02"
LISTS = (tuple, list)
"""The containers that messages describe by their length ("a list of 3 items")."""


# ----------------------------------------------------------------------------- activations and costs
def sigmoid(z):
    """1 / (1 + exp(-z)), written with tanh so that no exp overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_prime(z):
    return 1.0 - np.tanh(np.asarray(z, dtype=np.float64)) ** 2


def identity(z):
    return np.array(z, dtype=np.float64, copy=True)


def identity_prime(z):
    return np.ones(np.shape(z))


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "identity": (identity, identity_prime),
}
"""Phi and Phi' fed to the student's forward_pass and backward_pass, by name."""
ACTIVATION_NAMES = tuple(ACTIVATIONS)


def squared_error_grad(alpha_L, rho):
    """Per-sample gradient of the cost 1/2 ||alpha^L - rho||^2, one column per sample: alpha^L - rho."""
    return np.asarray(alpha_L, dtype=np.float64) - np.asarray(rho, dtype=np.float64)


# ----------------------------------------------------------------------------- small helpers
def _copy_list(arrays):
    return [np.array(a, copy=True) for a in arrays]


def _unchanged(before, after):
    return all(np.array_equal(b, a) for b, a in zip(before, after))


def require_pair(context, result, what):
    """A student function that must return two things; ``what`` names them, e.g. '(zetas, alphas)'."""
    if not (isinstance(result, tuple) and len(result) == 2):
        raise CheckFailure(f"{context}: must return a pair {what}, got {describe(result, LISTS)}; "
                           f"end it with `return {what[1:-1]}`.")
    return result


def require_list(context, label, value, length, what):
    """A list (or tuple) of ``length`` items; ``what`` says what they are."""
    if not isinstance(value, (list, tuple)):
        raise CheckFailure(f"{context}: {label} must be a list of {length} arrays ({what}), "
                           f"got {describe(value, LISTS)}.")
    if len(value) != length:
        raise CheckFailure(f"{context}: {label} must hold {length} arrays ({what}), got {len(value)}.")
    return list(value)


def require_values(context, label, expected_values, actual, candidates=None, dims=None, axis_names=None):
    """common.require_values, after naming a result that holds the transpose of the expected values."""
    shaped = contract_diagnosis(label, actual, expected_values.shape, dims)
    if shaped is not None and shaped.kind == "shape" and np.ndim(actual) == 2 and np.all(np.isfinite(actual)):
        if np.shape(actual) == expected_values.shape[::-1] and misfit(expected_values.T, actual) <= MATCH_TOL:
            raise CheckFailure(f"{context}: {shaped.message[:-1]}, and it holds the transpose of the "
                               "expected values: keep one sample per column (row convention: one per row).")
    common.require_values(context, label, expected_values, actual, candidates, dims=dims, axis_names=axis_names)


def require_scalar(context, label, expected_value, actual, dims=None, candidates=None):
    """One number (a loss): right, a known mistake, off by a named factor, or simply wrong."""
    arr = np.asarray(actual) if not isinstance(actual, (list, tuple, dict)) else None
    if arr is None or arr.size != 1 or not (np.issubdtype(arr.dtype, np.floating)
                                            or np.issubdtype(arr.dtype, np.integer)):
        hint = " (sum or average the per-sample losses into one number)" if arr is not None and arr.size > 1 else ""
        raise CheckFailure(f"{context}: {label} must be one number, got {describe(actual, LISTS)}{hint}.")
    value = float(arr.reshape(()))
    if not np.isfinite(value):
        raise CheckFailure(f"{context}: {label} is {value}, expected {format_value(expected_value)}; look for "
                           "an exp that overflows or the log of 0.")
    if abs(value - expected_value) <= VALUE_TOL * max(abs(expected_value), 1e-300):
        return
    for mistake, wrong in (candidates or {}).items():
        distinct = abs(wrong - expected_value) > MATCH_TOL * abs(expected_value)
        if distinct and abs(value - wrong) <= MATCH_TOL * abs(wrong):
            raise CheckFailure(f"{context}: {label} = {format_value(value)} is wrong; it equals {mistake}.")
    named = dims_ratio(value / expected_value, dims) if expected_value != 0 and value != 0 else None
    factor = f"; it is {named[0]} times the expected value, so it needs a factor of {named[1]}" if named else ""
    raise CheckFailure(f"{context}: {label} is {format_value(value)} but should be "
                       f"{format_value(expected_value)}{factor}.")


# ----------------------------------------------------------------------------- the lecture network
@dataclass
class NetCase:
    """One network and mini-batch in the lecture's column convention, with its expected results.

    sizes (n_0, ..., n_L); M samples; act a key of ACTIVATIONS; alpha0 (n_0, M);
    Omegas[j-1] (n_{j-1}, n_j); betas[j-1] (n_j,) or (n_j, 1); rho (n_L, M);
    zetas[j-1], alphas[j], Bs[j-1] (n_j, M); grad_Omegas[j-1] (n_{j-1}, n_j); grad_betas[j-1] (n_j,).
    The cost is the per-sample 1/2 ||alpha^L - rho||^2 (cost_grad = squared_error_grad).
    """

    act: str
    alpha0: np.ndarray
    Omegas: list
    betas: list
    rho: np.ndarray
    zetas: list
    alphas: list
    Bs: list
    grad_Omegas: list
    grad_betas: list

    @property
    def L(self):
        return len(self.Omegas)

    @property
    def M(self):
        return self.alpha0.shape[1]

    @property
    def sizes(self):
        return (self.alpha0.shape[0],) + tuple(O.shape[1] for O in self.Omegas)

    @property
    def phi(self):
        return ACTIVATIONS[self.act][0]

    @property
    def phi_prime(self):
        return ACTIVATIONS[self.act][1]

    def describe(self):
        column = ", betas as columns (n_j, 1)" if self.betas[0].ndim == 2 else ""
        return f"network n = {describe_shape(self.sizes)}, M = {self.M}, phi = {self.act}{column}"

    def dims(self):
        """Named sizes for messages: M and every n_j whose size is not shared with another."""
        named = {"M": self.M, **{f"n_{j}": n for j, n in enumerate(self.sizes)}}
        counts = {}
        for size in named.values():
            counts[size] = counts.get(size, 0) + 1
        return {k: v for k, v in named.items() if counts[v] == 1}

    def to_store(self, prefix):
        """Flat dict of arrays for an .npz file."""
        values = {f"{prefix}_L": np.array(self.L), f"{prefix}_act": np.array(ACTIVATION_NAMES.index(self.act)),
                  f"{prefix}_alpha0": self.alpha0, f"{prefix}_rho": self.rho}
        for j in range(1, self.L + 1):
            values[f"{prefix}_Omega_{j}"] = self.Omegas[j - 1]
            values[f"{prefix}_beta_{j}"] = self.betas[j - 1]
            values[f"{prefix}_zeta_{j}"] = self.zetas[j - 1]
            values[f"{prefix}_alpha_{j}"] = self.alphas[j]
            values[f"{prefix}_B_{j}"] = self.Bs[j - 1]
            values[f"{prefix}_gradOmega_{j}"] = self.grad_Omegas[j - 1]
            values[f"{prefix}_gradbeta_{j}"] = self.grad_betas[j - 1]
        return values

    @classmethod
    def from_store(cls, prefix):
        L = int(expected(NB, f"{prefix}_L"))

        def layers(name):
            return [expected(NB, f"{prefix}_{name}_{j}") for j in range(1, L + 1)]

        alpha0 = expected(NB, f"{prefix}_alpha0")
        return cls(
            act=ACTIVATION_NAMES[int(expected(NB, f"{prefix}_act"))],
            alpha0=alpha0, Omegas=layers("Omega"), betas=layers("beta"), rho=expected(NB, f"{prefix}_rho"),
            zetas=layers("zeta"), alphas=[alpha0] + layers("alpha"), Bs=layers("B"),
            grad_Omegas=layers("gradOmega"), grad_betas=layers("gradbeta"),
        )


NET_AXES = ("unit", "sample")


def stored_nets():
    return [NetCase.from_store(f"net_{k}") for k in range(stored_count(NB, "net"))]


# ----------------------------------------------------------------------------- forward_pass
def _zeta_mistakes(case, j):
    """Wrong net inputs of layer j, computed from the right alpha^{j-1}."""
    Omega, beta, a_prev = case.Omegas[j - 1], case.betas[j - 1], case.alphas[j - 1]
    zeta = case.zetas[j - 1]
    beta_col = np.reshape(beta, (-1, 1))
    mistakes = {
        f"[Omega^{j}]^T alpha^{j - 1} without beta^{j}: add the bias to every column": zeta - beta_col,
        f"phi(zeta^{j}): zetas must hold the net inputs, before the activation": case.phi(zeta),
    }
    if Omega.shape[0] == Omega.shape[1]:
        mistakes[f"Omega^{j} alpha^{j - 1} + beta^{j} without the transpose: zeta^{j} = [Omega^{j}]^T "
                 f"alpha^{j - 1} + beta^{j}"] = Omega @ a_prev + beta_col
    return mistakes


def _alpha_mistakes(case, j):
    zeta, alpha = case.zetas[j - 1], case.alphas[j]
    return {
        f"zeta^{j} itself: apply phi, alpha^{j} = phi(zeta^{j})": zeta,
        f"phi applied twice, phi(phi(zeta^{j}))": case.phi(alpha),
        f"phi'(zeta^{j}): the forward pass applies phi itself, not its derivative":
            ACTIVATIONS[case.act][1](zeta),
    }


def check_forward_case(forward_pass, case):
    """zetas and alphas of one network against the expected ones, layer by layer, inputs untouched."""
    context = f"forward_pass on a {case.describe()}"
    alpha0, Omegas, betas = case.alpha0.copy(), _copy_list(case.Omegas), _copy_list(case.betas)
    result = forward_pass(alpha0, Omegas, betas, case.phi)
    if not (np.array_equal(alpha0, case.alpha0) and _unchanged(case.Omegas, Omegas) and _unchanged(case.betas, betas)):
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
    require_values(context, "alphas[0]", case.alpha0, alphas[0],
                   {"alpha^1: alphas must start with alpha^0, the input": case.alphas[1]}, dims, NET_AXES)
    for j in range(1, L + 1):
        require_values(context, f"zeta^{j} (zetas[{j - 1}])", case.zetas[j - 1], zetas[j - 1],
                       _zeta_mistakes(case, j), dims, NET_AXES)
        require_values(context, f"alpha^{j} (alphas[{j}])", case.alphas[j], alphas[j],
                       _alpha_mistakes(case, j), dims, NET_AXES)


def check_forward_pass(forward_pass):
    """Every stored network: a square one (a missing transpose gives numbers), distinct sizes, M = 1."""
    for case in stored_nets():
        check_forward_case(forward_pass, case)


# ----------------------------------------------------------------------------- backward_pass
def _B_mistakes(case, j):
    """Wrong B^j, computed from the right B^{j+1} (or the right cost gradient for j = L)."""
    phi_p = case.phi_prime
    zeta, alpha = case.zetas[j - 1], case.alphas[j]
    if j == case.L:
        grad_out = squared_error_grad(case.alphas[-1], case.rho)
        return {
            f"cost_grad(alpha^L, rho) alone: multiply it by phi'(zeta^{j})": grad_out,
            f"phi'(alpha^{j}) * cost_grad: phi' takes the net input zeta^{j}, not the activation":
                phi_p(alpha) * grad_out,
            f"phi(zeta^{j}) * cost_grad: use the derivative phi', not phi": case.phi(zeta) * grad_out,
        }
    B_next, Omega_next, Omega_j = case.Bs[j], case.Omegas[j], case.Omegas[j - 1]
    P_T = Omega_next @ B_next
    mistakes = {
        f"[P^{j + 1}]^T = Omega^{j + 1} B^{j + 1} alone: multiply it entrywise by phi'(zeta^{j})": P_T,
        f"phi'(alpha^{j}) * (Omega^{j + 1} B^{j + 1}): phi' takes the net input zeta^{j}, not the activation":
            phi_p(alpha) * P_T,
        f"phi(zeta^{j}) * (Omega^{j + 1} B^{j + 1}): use the derivative phi', not phi": case.phi(zeta) * P_T,
    }
    if Omega_j.shape[1] == B_next.shape[0] and Omega_j.shape[0] == zeta.shape[0]:
        mistakes[f"phi'(zeta^{j}) * (Omega^{j} B^{j + 1}): B^{j} needs the weights of the layer ABOVE, "
                 f"Omega^{j + 1}, which is Omegas[{j}] (lists are 0-based)"] = phi_p(zeta) * (Omega_j @ B_next)
    if Omega_next.shape[0] == Omega_next.shape[1]:
        mistakes[f"phi'(zeta^{j}) * ([Omega^{j + 1}]^T B^{j + 1}): [P^{j + 1}]^T = Omega^{j + 1} B^{j + 1}, "
                 "without a transpose (the forward pass is the one that transposes Omega)"] = \
            phi_p(zeta) * (Omega_next.T @ B_next)
    return mistakes


def check_backward_case(backward_pass, case):
    """B^L .. B^1 of one network against the expected ones, top layer first, inputs untouched."""
    context = f"backward_pass on a {case.describe()}"
    zetas, alphas, Omegas = _copy_list(case.zetas), _copy_list(case.alphas), _copy_list(case.Omegas)
    rho = case.rho.copy()
    Bs = backward_pass(zetas, alphas, Omegas, rho, case.phi_prime, squared_error_grad)
    if not (_unchanged(case.zetas, zetas) and _unchanged(case.alphas, alphas)
            and _unchanged(case.Omegas, Omegas) and np.array_equal(rho, case.rho)):
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
                         candidates=_B_mistakes(case, j), axis_names=NET_AXES)


def check_backward_pass(backward_pass):
    """Every stored network, with the cost 1/2 ||alpha^L - rho||^2 per sample (cost_grad = alpha^L - rho)."""
    for case in stored_nets():
        check_backward_case(backward_pass, case)


# ----------------------------------------------------------------------------- minibatch_gradients
def _grad_Omega_mistakes(case, j):
    a_prev, B, M = case.alphas[j - 1], case.Bs[j - 1], case.M
    mistakes = {
        f"alpha^{j} [B^{j}]^T / M: the weights of layer {j} multiply alpha^{j - 1}, which is alphas[{j - 1}] "
        "(alphas starts with alpha^0)": case.alphas[j] @ B.T / M,
    }
    if a_prev.shape[0] == B.shape[0]:
        mistakes[f"B^{j} [alpha^{j - 1}]^T / M, the transpose: Gradient(Omega^{j}) = (1/M) alpha^{j - 1} "
                 f"[B^{j}]^T has the shape of Omega^{j}"] = B @ a_prev.T / M
    return mistakes


def _grad_beta_mistakes(case, j):
    B = case.Bs[j - 1]
    return {
        f"the mean of B^{j} over its rows (axis 0): average over the samples, the columns (axis 1)": B.mean(axis=0),
        f"the sum of B^{j} over its rows (axis 0): average over the samples, the columns (axis 1)": B.sum(axis=0),
        f"(1/M) B^{j} 1_M kept as a column of shape (n_{j}, 1): return a vector of shape (n_{j},)":
            B.mean(axis=1, keepdims=True),
        f"B^{j} without the sum over the samples: multiply by 1_M (sum the columns) and divide by M": B,
    }


def check_gradients_case(minibatch_gradients, case):
    """Gradient(Omega^j) and Gradient(beta^j) of one network against the expected ones."""
    context = f"minibatch_gradients on a {case.describe()}"
    alphas, Bs = _copy_list(case.alphas), _copy_list(case.Bs)
    result = minibatch_gradients(alphas, Bs)
    if not (_unchanged(case.alphas, alphas) and _unchanged(case.Bs, Bs)):
        raise CheckFailure(f"{context}: alphas or Bs was modified in place; compute the gradients in new arrays.")
    grad_Omegas, grad_betas = require_pair(context, result, "(grad_Omegas, grad_betas)")
    L = case.L
    grad_Omegas = require_list(context, "grad_Omegas", grad_Omegas, L, "one per layer, first layer first")
    grad_betas = require_list(context, "grad_betas", grad_betas, L, "one per layer, first layer first")
    dims = case.dims()
    for j in range(1, L + 1):
        require_gradient(context, f"grad Omega^{j} (grad_Omegas[{j - 1}])", case.grad_Omegas[j - 1],
                         grad_Omegas[j - 1], dims, candidates=_grad_Omega_mistakes(case, j))
        require_gradient(context, f"grad beta^{j} (grad_betas[{j - 1}])", case.grad_betas[j - 1],
                         grad_betas[j - 1], dims, candidates=_grad_beta_mistakes(case, j))


def check_gradients_are_sample_means(minibatch_gradients, case):
    """Reference-free: the batch gradients equal the mean of the M one-sample gradients (lecture 000)."""
    context = f"minibatch_gradients on a {case.describe()}"
    M = case.M
    batch_O, batch_b = require_pair(context, minibatch_gradients(_copy_list(case.alphas), _copy_list(case.Bs)),
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


def check_minibatch_gradients(minibatch_gradients):
    """Every stored network, then the mean-of-samples property on the first one with M > 1."""
    cases = stored_nets()
    for case in cases:
        check_gradients_case(minibatch_gradients, case)
    check_gradients_are_sample_means(minibatch_gradients, next(c for c in cases if c.M > 1))


# ----------------------------------------------------------------------------- linear (row convention)
def _linear_context(x, w):
    (N, D), M = x.shape, w.shape[1]
    return f"x of shape ({N}, {D}) = (N, D), w of shape ({D}, {M}) = (D, M)", {"N": N, "D": D, "M": M}


def check_linear_case(linear_forward, linear_backward, x, w, b, dout, out_e, dx_e, dw_e, db_e, fd=True):
    """Forward values, the three gradients against the expected ones and against finite
    differences of the student's own forward, linearity in dout; inputs untouched."""
    where, dims = _linear_context(x, w)
    x_in, w_in, b_in = x.copy(), w.copy(), b.copy()
    fctx = f"linear_forward, {where}"
    out, cache = require_pair(fctx, linear_forward(x_in, w_in, b_in), "(out, cache)")
    if not (np.array_equal(x_in, x) and np.array_equal(w_in, w) and np.array_equal(b_in, b)):
        raise CheckFailure(f"{fctx}: x, w or b was modified in place; compute out in a new array.")
    require_values(fctx, "out", out_e, out, {"x @ w without the bias b": out_e - b}, dims, ("sample", "feature"))
    bctx = f"linear_backward, {where}"
    dout_in = dout.copy()
    grads = linear_backward(dout_in, cache)
    if not np.array_equal(dout_in, dout):
        raise CheckFailure(f"{bctx}: dout was modified in place; compute the gradients in new arrays.")
    if not (isinstance(grads, tuple) and len(grads) == 3):
        raise CheckFailure(f"{bctx}: must return a tuple (dx, dw, db) of 3 gradients, in the order of the "
                           f"forward's inputs, got {describe(grads, LISTS)}.")
    dx, dw, db = grads
    require_gradient(bctx, "dx", dx_e, dx, dims)
    require_gradient(bctx, "dw", dw_e, dw, dims)
    require_gradient(bctx, "db", db_e, db, dims, upstream=dout, summed_axes=(0,))
    if fd:  # the forward is right by now, so a disagreement can only come from the backward
        for label, arr, value, build in (
                ("dx", x, dx, lambda v: linear_forward(v, w, b)[0]),
                ("dw", w, dw, lambda v: linear_forward(x, v, b)[0]),
                ("db", b, db, lambda v: linear_forward(x, w, v)[0])):
            numerical = numerical_gradient_array(build, arr.copy(), dout)
            require_fd_agreement(bctx, label, numerical, value, "linear_forward", dims)
    doubled = linear_backward(2.0 * dout, cache)
    for label, single, twice in zip(("dx", "dw", "db"), (dx, dw, db), tuple(doubled)):
        if misfit(2.0 * np.asarray(single, dtype=np.float64), np.asarray(twice, dtype=np.float64)) > 1e-12:
            raise CheckFailure(f"{bctx}: doubling dout did not double {label}; the backward must be linear in "
                               "dout and must not change the cache.")


def check_linear(linear_forward, linear_backward):
    """Every stored case: (N, D, M) all distinct, and a batch of one."""
    for k in range(stored_count(NB, "linear")):
        keys = ("x", "w", "b", "dout", "out", "dx", "dw", "db")
        check_linear_case(linear_forward, linear_backward, *(expected(NB, f"linear_{k}_{key}") for key in keys))


# ----------------------------------------------------------------------------- softmax
def _softmax_nonfinite_message(context, scores, probs):
    bad_rows = ~np.all(np.isfinite(probs), axis=1)
    row_max = scores.max(axis=1)
    top = int(np.argmax(row_max))
    where = f"rows {', '.join(str(int(r)) for r in np.flatnonzero(bad_rows))} hold NaN or inf"
    if not bad_rows[top] and np.any(row_max[bad_rows] < row_max[top] - 700):
        return (f"{context}: {where}, the rows whose scores lie far below the LARGEST score of the whole "
                "array: subtract each row's own maximum (scores.max(axis=1, keepdims=True)), not one maximum "
                "for the whole array, whose exp underflows to 0 in the other rows.")
    return (f"{context}: {where}; scores reach {format_value(row_max.max())} and exp({format_value(row_max.max())}) "
            "overflows to inf (or every exp of a very negative row underflows to 0): subtract the maximum of "
            "each row before exp, a^(k) = exp(x^(k) - mu) / sum_j exp(x^(j) - mu), which leaves the result unchanged.")


def check_softmax_case(softmax, scores, probs_e):
    """Values (stable for very large or very negative scores), rows summing to one, shift invariance."""
    N, K = scores.shape
    context = (f"softmax on scores of shape ({N}, {K}) ranging from {format_value(scores.min())} "
               f"to {format_value(scores.max())}")
    dims = {"N": N, "K": K}
    scores_in = scores.copy()
    with np.errstate(all="ignore"):  # an overflow in the student's code is reported below, in words
        probs = softmax(scores_in)
    if not np.array_equal(scores_in, scores):
        raise CheckFailure(f"{context}: scores was modified in place (scores -= max?); work on a new array.")
    shaped = contract_diagnosis("the result", probs, (N, K), dims)
    if shaped is not None and shaped.kind == "nan":
        raise CheckFailure(_softmax_nonfinite_message(context, scores, np.asarray(probs, dtype=np.float64)))
    shifted = scores - scores.max(axis=0, keepdims=True)
    by_columns = np.exp(shifted) / np.exp(shifted).sum(axis=0, keepdims=True)
    require_values(context, "the result", probs_e, probs, {
        "the softmax over each COLUMN (axis 0): every row is one sample, normalise along axis=1": by_columns,
    }, dims, ("sample", "class"))


def check_softmax_properties(softmax, scores):
    """Reference-free: rows are probability distributions, and adding a constant to a row changes nothing."""
    N, K = scores.shape
    context = f"softmax on scores of shape ({N}, {K})"
    probs = require_array(f"{context}: the result", softmax(scores.copy()), (N, K))
    if np.any(probs < 0) or np.any(probs > 1) or misfit(probs.sum(axis=1), np.ones(N)) > 1e-12:
        raise CheckFailure(f"{context}: each row must be a probability distribution (entries in [0, 1] "
                           f"summing to 1), but the row sums are {np.round(probs.sum(axis=1), 6)}.")
    offsets = np.linspace(-40.0, 60.0, N).reshape(N, 1)
    moved = require_array(f"{context}: the result", softmax(scores + offsets), (N, K))
    if misfit(probs, moved) > 1e-10:
        raise CheckFailure(f"{context}: adding a constant to every score of a row changed the result, but "
                           "exp(x + c) / sum exp(x + c) = exp(x) / sum exp(x) for any constant c.")


def check_softmax(softmax):
    """Stored cases (ordinary, a single row, very large and very negative scores) and the properties."""
    n = stored_count(NB, "softmax")
    for k in range(n):
        check_softmax_case(softmax, expected(NB, f"softmax_{k}_scores"), expected(NB, f"softmax_{k}_probs"))
    check_softmax_properties(softmax, expected(NB, "softmax_0_scores"))


# ----------------------------------------------------------------------------- softmax cross-entropy
def check_softmax_cross_entropy_case(softmax_cross_entropy, scores, y, loss_e, dscores_e, fd=True):
    """The loss and dscores against the expected ones, dscores against finite differences of the student's loss."""
    N, K = scores.shape
    context = (f"softmax_cross_entropy on scores of shape ({N}, {K}) = (N, K) ranging from "
               f"{format_value(scores.min())} to {format_value(scores.max())}")
    dims = {"N": N, "K": K}
    scores_in, y_in = scores.copy(), y.copy()
    with np.errstate(all="ignore"):
        result = softmax_cross_entropy(scores_in, y_in)
    if not (np.array_equal(scores_in, scores) and np.array_equal(y_in, y)):
        raise CheckFailure(f"{context}: scores or y was modified in place; work on new arrays.")
    loss, dscores = require_pair(context, result, "(loss, dscores)")
    if np.size(loss) == 1 and not np.isfinite(np.asarray(loss, dtype=np.float64)).all():
        raise CheckFailure(
            f"{context}: the loss is {float(np.asarray(loss).reshape(()))} but should be {format_value(loss_e)}. "
            "A probability that underflows to 0 has log -inf, and exp of a large score overflows: compute "
            "log p_y = (s_y - mu) - log sum_j exp(s_j - mu), with mu the row maximum, instead of log(softmax(s)).")
    onehot = np.zeros((N, K))
    onehot[np.arange(N), y] = 1.0
    require_scalar(context, "the loss", loss_e, loss, dims, {
        "the SUM over the samples of -log p_y: the loss is the mean, divide by N": loss_e * N,
    })
    require_gradient(context, "dscores", dscores_e, dscores, dims, candidates={
        "softmax(scores) / N without the one-hot subtraction: d loss / d score_k = p_k - 1[k = y]":
            dscores_e + onehot / N,
        "(softmax(scores) - 1) / N: subtract 1 only at the true class y of each row, not everywhere":
            dscores_e + onehot / N - 1.0 / N,
    })
    if fd:
        numerical = numerical_gradient(lambda s: softmax_cross_entropy(s, y)[0], scores.copy())
        require_fd_agreement(context, "dscores", numerical, dscores, "loss", dims)


def check_softmax_cross_entropy(softmax_cross_entropy):
    """Stored cases: ordinary scores, a batch of one, scores so large that a naive exp overflows."""
    for k in range(stored_count(NB, "sce")):
        scores = expected(NB, f"sce_{k}_scores")
        check_softmax_cross_entropy_case(
            softmax_cross_entropy, scores, expected(NB, f"sce_{k}_y"), float(expected(NB, f"sce_{k}_loss")),
            expected(NB, f"sce_{k}_dscores"), fd=bool(np.abs(scores).max() < 50))


# ----------------------------------------------------------------------------- mean squared error
def check_mse_loss_case(mse_loss, pred, target, loss_e, dpred_e, fd=True):
    """The loss (1/(2N)) sum ||pred_i - target_i||^2 and dpred against the expected ones and finite differences."""
    N, K = pred.shape
    context = f"mse_loss on pred of shape ({N}, {K}) = (N, K)"
    dims = {"N": N, "K": K}
    pred_in, target_in = pred.copy(), target.copy()
    result = mse_loss(pred_in, target_in)
    if not (np.array_equal(pred_in, pred) and np.array_equal(target_in, target)):
        raise CheckFailure(f"{context}: pred or target was modified in place; work on new arrays.")
    loss, dpred = require_pair(context, result, "(loss, dpred)")
    require_scalar(context, "the loss", loss_e, loss, dims, {
        "the mean over all N*K entries of the squared error: average over the N samples only, and keep the 1/2":
            2.0 * loss_e / K,
    })
    require_gradient(context, "dpred", dpred_e, dpred, dims)
    if fd:
        numerical = numerical_gradient(lambda p: mse_loss(p, target)[0], pred.copy())
        require_fd_agreement(context, "dpred", numerical, dpred, "loss", dims)


def check_mse_loss(mse_loss):
    """Stored cases: (N, K) with N != K, and a batch of one."""
    for k in range(stored_count(NB, "mse")):
        check_mse_loss_case(mse_loss, *(expected(NB, f"mse_{k}_{key}") for key in ("pred", "target")),
                            float(expected(NB, f"mse_{k}_loss")), expected(NB, f"mse_{k}_dpred"))
