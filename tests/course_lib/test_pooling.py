"""Max and average pooling: forward against loops, gradients against finite differences."""
import numpy as np
import pytest

from course_lib.layers.pooling import avgpool_backward, avgpool_forward, maxpool_backward, maxpool_forward
from course_lib.validation import DTypeError, ShapeError
from tests.support.helpers_fd import fd_gradient, rel_error

# (x shape, size, stride): disjoint blocks (reshape path), overlapping windows,
# windows with gaps between them, a batch of one, a 1x1 window.
CASES = [
    ((2, 3, 4, 6), 2, 2),
    ((3, 2, 6, 9), 3, 3),
    ((2, 3, 7, 5), 3, 2),
    ((1, 2, 5, 4), 2, 1),
    ((2, 3, 8, 5), 2, 3),
    ((2, 4, 3, 5), 1, 1),
]
IDS = [f"{'x'.join(map(str, s))}-size{k}-stride{t}" for s, k, t in CASES]
MIN_GAP = 1e-3


def spaced_input(shape, seed):
    """Distinct values 1e-2 apart in random order: every window's max beats its runner-up by >= 1e-2."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    return ((rng.permutation(n) - n / 2) * 1e-2).reshape(shape)


def pool_loops(x, size, stride, reduce):
    """Independent reference: reduce every window with explicit loops."""
    N, C, H, W = x.shape
    H_out, W_out = 1 + (H - size) // stride, 1 + (W - size) // stride
    out = np.zeros((N, C, H_out, W_out))
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * stride:i * stride + size, j * stride:j * stride + size]
                    out[n, c, i, j] = reduce(window)
    return out


def runner_up_gap(window):
    top_two = np.sort(window.ravel())[-2:]
    return np.inf if window.size == 1 else top_two[1] - top_two[0]


@pytest.mark.parametrize("shape,size,stride", CASES, ids=IDS)
def test_maxpool_forward_and_gradient(shape, size, stride):
    x = spaced_input(shape, seed=0)
    assert np.all(pool_loops(x, size, stride, runner_up_gap) >= MIN_GAP)  # away from kinks
    out, cache = maxpool_forward(x, size, stride)
    np.testing.assert_array_equal(out, pool_loops(x, size, stride, np.max))
    dout = np.random.default_rng(1).standard_normal(out.shape)
    dx = maxpool_backward(dout, cache)
    assert dx.shape == x.shape
    expected = fd_gradient(lambda v: maxpool_forward(v, size, stride)[0], x.copy(), dout)
    assert rel_error(dx, expected) < 1e-7


@pytest.mark.parametrize("shape,size,stride", CASES, ids=IDS)
def test_avgpool_forward_and_gradient(shape, size, stride):
    x = np.random.default_rng(2).standard_normal(shape)
    out, cache = avgpool_forward(x, size, stride)
    np.testing.assert_allclose(out, pool_loops(x, size, stride, np.mean), rtol=1e-12, atol=1e-12)
    dout = np.random.default_rng(3).standard_normal(out.shape)
    dx = avgpool_backward(dout, cache)
    assert dx.shape == x.shape
    expected = fd_gradient(lambda v: avgpool_forward(v, size, stride)[0], x.copy(), dout)
    assert rel_error(dx, expected) < 1e-7


def test_maxpool_overlapping_windows_accumulate_at_a_shared_maximum():
    x = np.arange(9, dtype=float).reshape(1, 1, 3, 3)
    x[0, 0, 1, 1] = 100.0            # the centre is the maximum of all four 2x2 windows
    dout = np.array([[[[1.0, -2.0], [0.5, 4.0]]]])
    out, cache = maxpool_forward(x, size=2, stride=1)
    np.testing.assert_array_equal(out, np.full((1, 1, 2, 2), 100.0))
    dx = maxpool_backward(dout, cache)
    expected = np.zeros_like(x)
    expected[0, 0, 1, 1] = dout.sum()
    np.testing.assert_array_equal(dx, expected)


def test_avgpool_overlapping_windows_accumulate():
    x = np.zeros((1, 1, 3, 3))
    _, cache = avgpool_forward(x, size=2, stride=1)
    dx = avgpool_backward(np.ones((1, 1, 2, 2)), cache)
    np.testing.assert_allclose(dx[0, 0], np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 4.0)


def test_maxpool_tie_sends_the_gradient_to_one_position():
    x = np.zeros((1, 2, 4, 6))
    _, cache = maxpool_forward(x)
    dout = np.random.default_rng(4).standard_normal((1, 2, 2, 3))
    dx = maxpool_backward(dout, cache)
    blocks = dx.reshape(1, 2, 2, 2, 3, 2)
    np.testing.assert_allclose(blocks.sum(axis=(3, 5)), dout)
    assert np.all(np.count_nonzero(blocks, axis=(3, 5)) == 1)


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_contracts_no_mutation_repeatable_linear(kind):
    forward, backward = (maxpool_forward, maxpool_backward) if kind == "max" else (avgpool_forward, avgpool_backward)
    x = spaced_input((2, 3, 7, 5), seed=5)
    x0 = x.copy()
    out, cache = forward(x, 3, 2)
    rng = np.random.default_rng(6)
    d1, d2 = rng.standard_normal(out.shape), rng.standard_normal(out.shape)
    g1 = backward(d1, cache)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(backward(d1, cache), g1)
    assert not np.any(backward(np.zeros_like(d1), cache))
    np.testing.assert_allclose(backward(2 * d1 - d2, cache), 2 * g1 - backward(d2, cache), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("forward", [maxpool_forward, avgpool_forward])
def test_bad_arguments_raise_clear_errors(forward):
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 7))
    message = r"stride=2 does not tile the 7x7 input with a 2x2 pooling window.*Strides that work: 1, 5"
    with pytest.raises(ShapeError, match=message):
        forward(x, size=2, stride=2)
    with pytest.raises(ShapeError, match=r"pooling window \(8x8\) is larger than the input"):
        forward(x, size=8, stride=1)
    with pytest.raises(ShapeError, match=r"x must have 4 dimensions \(N, C, H, W\)"):
        forward(x[0], size=1, stride=1)
    with pytest.raises(DTypeError, match=r"x must be a floating-point array"):
        forward(x.astype(np.int32), size=1, stride=1)
    with pytest.raises(ValueError, match=r"size must be a positive integer"):
        forward(x, size=0, stride=1)


def test_backward_rejects_wrong_dout_shape():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 6))
    for forward, backward in ((maxpool_forward, maxpool_backward), (avgpool_forward, avgpool_backward)):
        out, cache = forward(x)
        with pytest.raises(ShapeError, match="dout must have shape"):
            backward(out[:, :, :1], cache)
