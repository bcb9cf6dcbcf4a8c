"""The lecture's single-channel delta recursion (equation (7)) and the single-channel layer."""
import numpy as np
import pytest
from scipy.signal import convolve2d

from course_lib.layers.conv import conv2d_backward, conv2d_forward
from course_lib.layers.conv_delta import conv_delta, conv_single_backward, conv_single_forward
from course_lib.validation import DTypeError, ShapeError
from tests.support.helpers_fd import fd_gradient, rel_error

# (H, W, M, M'): image z^l and filter w^{l+1}; non-square, 1x1 filter, filter as large as the image.
SHAPES = [(6, 5, 3, 2), (4, 7, 2, 3), (5, 5, 1, 1), (3, 4, 3, 4), (7, 6, 4, 3)]


def sigma(z):
    return np.tanh(z)


def sigma_prime(z):
    return 1.0 - np.tanh(z) ** 2


def make(shape, seed=0):
    H, W, M, M2 = shape
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((H, W))
    w = rng.standard_normal((M, M2))
    b = float(rng.standard_normal())
    delta_next = rng.standard_normal((H - M + 1, W - M2 + 1))
    return z, w, b, delta_next


@pytest.mark.parametrize("shape", SHAPES)
def test_conv_delta_is_the_gradient_of_forward_and_activation(shape):
    """C(z^l) = sum(delta^{l+1} * z^{l+1}) with z^{l+1} = w * sigma(z^l) + b has dC/dz^l = delta^l."""
    z, w, b, delta_next = make(shape)

    def z_next(z_l):
        return conv_single_forward(sigma(z_l), w, b)[0]

    expected = fd_gradient(z_next, z.copy(), delta_next)
    got = conv_delta(delta_next, w, sigma_prime(z))
    assert got.shape == z.shape
    assert rel_error(got, expected) < 1e-7


@pytest.mark.parametrize("shape", SHAPES)
def test_conv_delta_follows_equation_7_index_by_index(shape):
    z, w, _, delta_next = make(shape, seed=1)
    M, M2 = w.shape
    expected = np.zeros_like(z)
    for x in range(z.shape[0]):
        for y in range(z.shape[1]):
            # Lecture indices: output (x', y') of the valid convolution sits at (x' - M + 1, y' - M2 + 1).
            for i in range(delta_next.shape[0]):
                for j in range(delta_next.shape[1]):
                    xp, yp = i + M - 1, j + M2 - 1
                    if 0 <= xp - x < M and 0 <= yp - y < M2:
                        expected[x, y] += delta_next[i, j] * w[xp - x, yp - y]
            expected[x, y] *= sigma_prime(z[x, y])
    np.testing.assert_allclose(conv_delta(delta_next, w, sigma_prime(z)), expected, rtol=1e-12, atol=1e-12)


def test_conv_delta_uses_the_rotated_filter():
    z, w, _, delta_next = make((6, 5, 3, 2), seed=2)
    s = sigma_prime(z)
    padded = np.pad(delta_next, ((2, 2), (1, 1)))
    np.testing.assert_allclose(
        conv_delta(delta_next, w, s), convolve2d(padded, w[::-1, ::-1], mode="valid") * s,
        rtol=1e-12, atol=1e-12,
    )
    # Convolving with the unrotated filter gives another answer, so the input tells them apart.
    assert not np.allclose(conv_delta(delta_next, w, s), convolve2d(padded, w, mode="valid") * s)


def test_conv_delta_agrees_with_the_multichannel_layer():
    """One sample, one channel, one filter, stride 1, no padding: conv2d's dx times sigma'.

    conv2d cross-correlates, so the lecture's convolution with w is conv2d with w rotated.
    """
    z, w, b, delta_next = make((7, 6, 4, 3), seed=3)
    _, cache = conv2d_forward(sigma(z)[None, None], w[::-1, ::-1][None, None], np.array([b]))
    dx, _, _ = conv2d_backward(delta_next[None, None], cache)
    np.testing.assert_allclose(conv_delta(delta_next, w, sigma_prime(z)), dx[0, 0] * sigma_prime(z),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
def test_single_forward_and_backward(shape):
    z, w, b, dz = make(shape, seed=4)
    a = sigma(z)
    out, cache = conv_single_forward(a, w, b)
    np.testing.assert_allclose(out, convolve2d(a, w, mode="valid") + b, rtol=1e-12, atol=1e-12)
    da, dw, db = conv_single_backward(dz, cache)
    assert rel_error(da, fd_gradient(lambda v: conv_single_forward(v, w, b)[0], a.copy(), dz)) < 1e-7
    assert rel_error(dw, fd_gradient(lambda v: conv_single_forward(a, v, b)[0], w.copy(), dz)) < 1e-7
    fd_b = fd_gradient(lambda v: conv_single_forward(a, w, v[0])[0], np.array([b]), dz)
    assert isinstance(db, float)
    assert rel_error(db, fd_b[0]) < 1e-7


def test_conv_delta_does_not_mutate_and_is_linear_in_delta_next():
    z, w, _, delta_next = make((6, 5, 3, 2), seed=5)
    s = sigma_prime(z)
    copies = [a.copy() for a in (delta_next, w, s)]
    first = conv_delta(delta_next, w, s)
    for a, a0 in zip((delta_next, w, s), copies):
        np.testing.assert_array_equal(a, a0)
    other = np.random.default_rng(6).standard_normal(delta_next.shape)
    np.testing.assert_allclose(conv_delta(2 * delta_next - other, w, s),
                               2 * first - conv_delta(other, w, s), rtol=1e-12, atol=1e-12)


def test_bad_arguments_raise_clear_errors():
    z, w, b, delta_next = make((6, 5, 3, 2))
    s = sigma_prime(z)
    with pytest.raises(ShapeError, match=r"sigma_prime_z must have the shape of z\^l, .* = \(6, 5\) .*got \(5, 5\)"):
        conv_delta(delta_next, w, s[:-1])
    with pytest.raises(ShapeError, match=r"delta_next must have 2 dimensions"):
        conv_delta(delta_next[None], w, s)
    with pytest.raises(DTypeError, match=r"w must be a floating-point array"):
        conv_delta(delta_next, w.astype(int), s)
    with pytest.raises(ShapeError, match=r"larger than the input"):
        conv_single_forward(z[:2], w, b)
    with pytest.raises(ShapeError, match=r"b must be a single number"):
        conv_single_forward(z, w, np.ones(2))
