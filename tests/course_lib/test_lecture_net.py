"""Lecture 000's column-convention mini-batch algorithms against the row-convention modules and fd."""
import numpy as np
import pytest

from course_lib.lecture_net import backward_pass, forward_pass, minibatch_gradients
from course_lib.modules import Linear, Sequential, Sigmoid
from course_lib.validation import ShapeError
from tests.support.helpers_fd import fd_gradient, rel_error

SIZES = [4, 6, 3, 2]  # n_0 .. n_L, all distinct so a transpose cannot pass


def phi(z):
    return 1.0 / (1.0 + np.exp(-z))


def phi_prime(z):
    s = phi(z)
    return s * (1.0 - s)


def cost_grad(alpha_L, rho):
    """Per-sample gradient of 1/2 ||a - rho||^2, one column per sample."""
    return alpha_L - rho


def cost(alpha_L, rho):
    """1/2 ||a - rho||^2 averaged over the M samples (columns)."""
    return 0.5 * np.sum((alpha_L - rho) ** 2) / alpha_L.shape[1]


def problem(M, seed=0):
    rng = np.random.default_rng(seed)
    Omegas = [rng.standard_normal((SIZES[j], SIZES[j + 1])) for j in range(len(SIZES) - 1)]
    betas = [rng.standard_normal(SIZES[j + 1]) for j in range(len(SIZES) - 1)]
    alpha0 = rng.standard_normal((SIZES[0], M))
    rho = rng.uniform(0.1, 0.9, size=(SIZES[-1], M))
    return alpha0, Omegas, betas, rho


def run_lecture(alpha0, Omegas, betas, rho):
    zetas, alphas = forward_pass(alpha0, Omegas, betas, phi)
    Bs = backward_pass(zetas, alphas, Omegas, rho, phi_prime, cost_grad)
    return zetas, alphas, Bs, minibatch_gradients(alphas, Bs)


def row_model(Omegas, betas):
    layers = []
    for Omega, beta in zip(Omegas, betas):
        linear = Linear(*Omega.shape, rng=0)
        linear.params["w"][...] = Omega  # the row convention's w is Omega itself
        linear.params["b"][...] = beta
        layers += [linear, Sigmoid()]
    return Sequential(*layers)


@pytest.mark.parametrize("M", [5, 1])
def test_shapes(M):
    alpha0, Omegas, betas, rho = problem(M)
    zetas, alphas, Bs, (gO, gb) = run_lecture(alpha0, Omegas, betas, rho)
    L = len(Omegas)
    assert len(zetas) == L and len(alphas) == L + 1 and len(Bs) == L
    np.testing.assert_array_equal(alphas[0], alpha0)
    for j in range(1, L + 1):
        assert zetas[j - 1].shape == alphas[j].shape == Bs[j - 1].shape == (SIZES[j], M)
        assert gO[j - 1].shape == (SIZES[j - 1], SIZES[j])
        assert gb[j - 1].shape == (SIZES[j],)


@pytest.mark.parametrize("M", [5, 1])
def test_column_convention_equals_row_convention_modules(M):
    alpha0, Omegas, betas, rho = problem(M, seed=1)
    zetas, alphas, Bs, (grad_Omegas, grad_betas) = run_lecture(alpha0, Omegas, betas, rho)

    model = row_model(Omegas, betas)
    out = model.forward(alpha0.T)  # x = [alpha^0]^T, one sample per row
    np.testing.assert_allclose(out, alphas[-1].T, rtol=1e-13)
    dout = (out - rho.T) / M  # gradient of the batch-mean cost in the row convention
    # Walk the backward by hand to see the gradient at every net input z^j.
    grad_z = []
    for layer in reversed(model.layers):
        dout = layer.backward(dout)
        if isinstance(layer, Sigmoid):
            grad_z.insert(0, dout)
    dx = dout

    for j in range(len(Omegas)):
        linear = model.layers[2 * j]
        np.testing.assert_allclose(linear.grads["w"], grad_Omegas[j], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(linear.grads["b"], grad_betas[j], rtol=1e-12, atol=1e-15)
        # Theorem of lecture 000: B^j is the gradient w.r.t. zeta^j, per sample (hence 1/M here).
        np.testing.assert_allclose(grad_z[j], Bs[j].T / M, rtol=1e-12, atol=1e-15)
    # [P^1]^T = Omega^1 B^1 is the gradient w.r.t. alpha^0
    np.testing.assert_allclose(dx, (Omegas[0] @ Bs[0]).T / M, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("M", [5, 1])
def test_minibatch_gradients_match_finite_differences(M):
    alpha0, Omegas, betas, rho = problem(M, seed=2)
    _, _, _, (grad_Omegas, grad_betas) = run_lecture(alpha0, Omegas, betas, rho)

    def total_cost(_):
        return cost(forward_pass(alpha0, Omegas, betas, phi)[1][-1], rho)

    for j in range(len(Omegas)):
        assert rel_error(grad_Omegas[j], fd_gradient(total_cost, Omegas[j])) < 1e-7
        assert rel_error(grad_betas[j], fd_gradient(total_cost, betas[j])) < 1e-7


def test_column_betas_give_the_same_result():
    alpha0, Omegas, betas, rho = problem(4, seed=3)
    flat = run_lecture(alpha0, Omegas, betas, rho)
    column = run_lecture(alpha0, Omegas, [b.reshape(-1, 1) for b in betas], rho)
    for a, b in zip(flat[1], column[1]):
        np.testing.assert_array_equal(a, b)


def test_forward_pass_follows_algorithm_1():
    alpha0, Omegas, betas, _ = problem(3, seed=4)
    zetas, alphas = forward_pass(alpha0, Omegas, betas, phi)
    for j in range(len(Omegas)):
        for k in range(3):  # sample by sample, as before mini-batching
            z = Omegas[j].T @ alphas[j][:, k] + betas[j]
            np.testing.assert_allclose(zetas[j][:, k], z, rtol=1e-14)
            np.testing.assert_allclose(alphas[j + 1][:, k], phi(z), rtol=1e-14)


def test_transposed_omega_is_refused_with_a_hint():
    alpha0, Omegas, betas, _ = problem(3)
    Omegas[0] = Omegas[0].T
    with pytest.raises(ShapeError, match="transposed"):
        forward_pass(alpha0, Omegas, betas, phi)


def test_wrong_beta_shape_is_refused():
    alpha0, Omegas, betas, _ = problem(3)
    betas[1] = np.zeros((1, SIZES[2]))
    with pytest.raises(ShapeError, match=r"betas\[1\]"):
        forward_pass(alpha0, Omegas, betas, phi)


def test_cost_grad_of_wrong_shape_is_refused():
    alpha0, Omegas, betas, rho = problem(3)
    zetas, alphas = forward_pass(alpha0, Omegas, betas, phi)
    with pytest.raises(ShapeError, match="cost_grad"):
        backward_pass(zetas, alphas, Omegas, rho, phi_prime, lambda a, r: (a - r).T)
