"""conv2d (im2col and loop versions), im2col/col2im: values, gradients, contracts, errors."""
import numpy as np
import pytest
from scipy.signal import correlate2d

from course_lib.layers.conv import conv2d_backward, conv2d_forward
from course_lib.layers.conv_loops import conv2d_backward_loops, conv2d_forward_loops
from course_lib.layers.im2col import col2im, conv_output_shape, im2col
from course_lib.validation import DTypeError, ShapeError
from tests.support.helpers_fd import fd_gradient, rel_error

# (N, C, H, W, F, HH, WW, stride, pad): non-square images and kernels, strides 1 and 2,
# pads 0 and 1, a batch of one, and filters wider than the stride (overlap) or not.
CASES = [
    (2, 3, 5, 7, 4, 3, 2, 1, 0),
    (3, 2, 7, 11, 4, 3, 5, 2, 1),
    (1, 2, 6, 4, 3, 2, 4, 2, 1),
    (2, 3, 4, 6, 5, 2, 3, 1, 1),
    (2, 4, 5, 8, 3, 3, 2, 2, 0),
]
IDS = ["N{}C{}H{}W{}F{}k{}x{}s{}p{}".format(*c) for c in CASES]


def make_case(case, seed=0):
    N, C, H, W, F, HH, WW, stride, pad = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, C, H, W))
    w = rng.standard_normal((F, C, HH, WW))
    b = rng.standard_normal(F)
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    dout = rng.standard_normal((N, F, H_out, W_out))
    return x, w, b, stride, pad, dout


def scipy_conv(x, w, b, stride, pad):
    """Independent forward: scipy's 2-D cross-correlation per (sample, filter, channel)."""
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    N, F = x.shape[0], w.shape[0]
    rows = []
    for n in range(N):
        maps = []
        for f in range(F):
            full = sum(correlate2d(x_pad[n, c], w[f, c], mode="valid") for c in range(x.shape[1]))
            maps.append(full[::stride, ::stride] + b[f])
        rows.append(maps)
    return np.array(rows)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forward_matches_scipy_correlation(case):
    x, w, b, stride, pad, dout = make_case(case)
    out, _ = conv2d_forward(x, w, b, stride, pad)
    expected = scipy_conv(x, w, b, stride, pad)
    assert out.shape == dout.shape
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_backward_matches_finite_differences(case):
    x, w, b, stride, pad, dout = make_case(case)
    _, cache = conv2d_forward(x, w, b, stride, pad)
    dx, dw, db = conv2d_backward(dout, cache)
    fd_x = fd_gradient(lambda v: conv2d_forward(v, w, b, stride, pad)[0], x.copy(), dout)
    fd_w = fd_gradient(lambda v: conv2d_forward(x, v, b, stride, pad)[0], w.copy(), dout)
    fd_b = fd_gradient(lambda v: conv2d_forward(x, w, v, stride, pad)[0], b.copy(), dout)
    assert rel_error(dx, fd_x) < 1e-7
    assert rel_error(dw, fd_w) < 1e-7
    assert rel_error(db, fd_b) < 1e-7


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_loops_agree_with_im2col(case):
    x, w, b, stride, pad, dout = make_case(case)
    out, cache = conv2d_forward(x, w, b, stride, pad)
    out_l, cache_l = conv2d_forward_loops(x, w, b, stride, pad)
    np.testing.assert_allclose(out_l, out, rtol=1e-12, atol=1e-12)
    for g, g_l in zip(conv2d_backward(dout, cache), conv2d_backward_loops(dout, cache_l)):
        assert g.shape == g_l.shape
        np.testing.assert_allclose(g_l, g, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", [CASES[1], CASES[2]], ids=[IDS[1], IDS[2]])
def test_loops_backward_matches_finite_differences(case):
    x, w, b, stride, pad, dout = make_case(case, seed=1)
    _, cache = conv2d_forward_loops(x, w, b, stride, pad)
    dx, dw, db = conv2d_backward_loops(dout, cache)
    fwd = conv2d_forward_loops
    assert rel_error(dx, fd_gradient(lambda v: fwd(v, w, b, stride, pad)[0], x.copy(), dout)) < 1e-7
    assert rel_error(dw, fd_gradient(lambda v: fwd(x, v, b, stride, pad)[0], w.copy(), dout)) < 1e-7
    assert rel_error(db, fd_gradient(lambda v: fwd(x, w, v, stride, pad)[0], b.copy(), dout)) < 1e-7


@pytest.mark.parametrize("case", [(7, 3, 9, 8, 4, 3, 3, 1, 1), (5, 2, 9, 11, 3, 3, 5, 2, 1),
                                  (6, 2, 10, 7, 3, 2, 2, 3, 2)],
                         ids=["s1p1", "s2p1", "s3p2-kernel-smaller-than-stride"])
@pytest.mark.parametrize("threads", [1, 2])
def test_chunks_and_threads_agree_with_the_loops(case, threads, monkeypatch):
    """Chunks of 2 samples (the last one short) spread over 1 or 2 threads give the loops' results."""
    import course_lib.layers.conv as conv
    N, C, H, W, F, HH, WW, stride, pad = case
    per_sample = (C * HH * WW + 1) * conv._layout(C, H, W, HH, WW, stride, pad).Q * 8
    monkeypatch.setattr(conv, "CHUNK_BYTES", 2 * per_sample)
    monkeypatch.setattr(conv, "MIN_PARALLEL_ENTRIES", 0)
    monkeypatch.setattr(conv, "blas_threads", lambda: threads)
    x, w, b, stride, pad, dout = make_case(case, seed=4)
    out, cache = conv2d_forward(x, w, b, stride, pad)
    out_l, cache_l = conv2d_forward_loops(x, w, b, stride, pad)
    np.testing.assert_allclose(out, out_l, rtol=1e-12, atol=1e-12)
    for _ in range(2):  # the second call reuses the threads' buffers
        for g, g_l in zip(conv2d_backward(dout, cache), conv2d_backward_loops(dout, cache_l)):
            np.testing.assert_allclose(g, g_l, rtol=1e-12, atol=1e-12)


def test_single_channel_dx_is_a_full_convolution_with_the_rotated_filter():
    """dx of a single-channel, stride-1 layer is dout fully convolved with w (the 180-degree rotation)."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 1, 6, 5))
    w = rng.standard_normal((1, 1, 3, 2))
    dout = rng.standard_normal((1, 1, 4, 4))
    _, cache = conv2d_forward(x, w, np.zeros(1))
    dx, dw, db = conv2d_backward(dout, cache)
    assert dx.shape == x.shape and dw.shape == w.shape and db.shape == (1,)
    assert dx.dtype == dw.dtype == db.dtype == np.float64
    rotated = w[0, 0, ::-1, ::-1]
    expected = correlate2d(np.pad(dout[0, 0], ((2, 2), (1, 1))), rotated, mode="valid")
    np.testing.assert_allclose(dx[0, 0], expected, rtol=1e-12, atol=1e-12)
    # The unrotated filter gives something else: the test input does not hide a flip.
    wrong = correlate2d(np.pad(dout[0, 0], ((2, 2), (1, 1))), w[0, 0], mode="valid")
    assert not np.allclose(dx[0, 0], wrong)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_col2im_is_the_adjoint_of_im2col(case):
    x, w, _, stride, pad, _ = make_case(case)
    HH, WW = w.shape[2:]
    cols_of_x = im2col(x, HH, WW, stride, pad)
    c = np.random.default_rng(7).standard_normal(cols_of_x.shape)
    lhs = np.sum(col2im(c, x.shape, HH, WW, stride, pad) * x)
    rhs = np.sum(c * cols_of_x)
    assert abs(lhs - rhs) <= 1e-12 * (abs(lhs) + abs(rhs))


def test_im2col_layout_entry_by_entry():
    x, w, _, stride, pad, _ = make_case(CASES[1])
    N, C, H, W = x.shape
    HH, WW = w.shape[2:]
    Ho, Wo = conv_output_shape(H, W, HH, WW, stride, pad)
    cols = im2col(x, HH, WW, stride, pad)
    assert cols.shape == (N, C * HH * WW, Ho * Wo)
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    for n in range(N):
        for c in range(C):
            for i in range(HH):
                for j in range(WW):
                    for y in range(Ho):
                        for xx in range(Wo):
                            got = cols[n, (c * HH + i) * WW + j, y * Wo + xx]
                            assert got == x_pad[n, c, y * stride + i, xx * stride + j]


def test_col2im_adds_overlapping_contributions():
    # 1 sample, 1 channel, 3x3 image, 2x2 filter, stride 1: the centre pixel is in all 4 fields.
    cols = np.ones((1, 4, 4))
    dx = col2im(cols, (1, 1, 3, 3), 2, 2, 1, 0)
    expected = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=float)
    np.testing.assert_array_equal(dx[0, 0], expected)


def test_contracts_no_mutation_repeatable_linear():
    x, w, b, stride, pad, dout = make_case(CASES[1])
    copies = [a.copy() for a in (x, w, b, dout)]
    _, cache = conv2d_forward(x, w, b, stride, pad)
    first = conv2d_backward(dout, cache)
    second = conv2d_backward(dout, cache)
    for a, a0 in zip((x, w, b, dout), copies):
        np.testing.assert_array_equal(a, a0)
    for g1, g2 in zip(first, second):
        np.testing.assert_array_equal(g1, g2)
    for g in conv2d_backward(np.zeros_like(dout), cache):
        assert not np.any(g)
    dout2 = np.random.default_rng(5).standard_normal(dout.shape)
    combo = conv2d_backward(2.0 * dout - 3.0 * dout2, cache)
    for g_c, g1, g2 in zip(combo, first, conv2d_backward(dout2, cache)):
        np.testing.assert_allclose(g_c, 2.0 * g1 - 3.0 * g2, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("forward", [conv2d_forward, conv2d_forward_loops])
def test_bad_arguments_raise_clear_errors(forward):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 6, 7))
    w = rng.standard_normal((4, 3, 3, 3))
    b = np.zeros(4)
    with pytest.raises(ShapeError, match=r"channel mismatch: x has C=3 .* w expects C=2"):
        forward(x, rng.standard_normal((4, 2, 3, 3)), b)
    message = r"stride=2 does not tile .*H \+ 2\*pad - HH = 3 .*Strides that work with pad=0: 1;"
    with pytest.raises(ShapeError, match=message):
        forward(x, w, b, stride=2)
    with pytest.raises(ShapeError, match=r"x must have 4 dimensions \(N, C, H, W\)"):
        forward(x[0], w, b)
    with pytest.raises(ShapeError, match=r"w must have 4 dimensions \(F, C, HH, WW\)"):
        forward(x, w[0], b)
    with pytest.raises(DTypeError, match=r"x must be a floating-point array"):
        forward(x.astype(np.int64), w, b)
    with pytest.raises(ShapeError, match=r"b must have shape \(4\)"):
        forward(x, w, np.zeros(3))
    with pytest.raises(ValueError, match=r"stride must be a positive integer"):
        forward(x, w, b, stride=0)
    with pytest.raises(ValueError, match=r"stride must be a positive integer"):
        forward(x, w, b, stride=1.0)
    with pytest.raises(ValueError, match=r"pad must be a non-negative integer"):
        forward(x, w, b, pad=-1)
    with pytest.raises(ShapeError, match=r"larger than the input"):
        forward(x, rng.standard_normal((4, 3, 7, 3)), b)


def test_non_tiling_message_suggests_pads_and_input_sizes():
    x = np.zeros((1, 1, 6, 9))
    kernel, bias = np.zeros((1, 1, 2, 2)), np.zeros(1)
    with pytest.raises(ShapeError) as info:
        conv2d_forward(x, kernel, bias, stride=3, pad=0)
    message = str(info.value)
    # H - HH = 4 and W - WW = 7 (gcd 1); 4 + 2p and 7 + 2p are multiples of 3 for p = 1, 4.
    assert "H + 2*pad - HH = 4 and W + 2*pad - WW = 7 are not multiples of 3" in message
    assert "Strides that work with pad=0: 1;" in message
    assert "pads that work with stride=3: 1, 4" in message
    assert "input of 8x11" in message
    # Each suggestion really gives a valid layer.
    conv2d_forward(x, kernel, bias, stride=1, pad=0)
    conv2d_forward(x, kernel, bias, stride=3, pad=1)
    conv2d_forward(x, kernel, bias, stride=3, pad=4)
    conv2d_forward(np.zeros((1, 1, 8, 11)), kernel, bias, stride=3)


def test_backward_rejects_wrong_dout_shape():
    x, w, b, stride, pad, dout = make_case(CASES[0])
    _, cache = conv2d_forward(x, w, b, stride, pad)
    with pytest.raises(ShapeError, match="dout must have shape"):
        conv2d_backward(dout[:, :, :-1], cache)
    _, cache_l = conv2d_forward_loops(x, w, b, stride, pad)
    with pytest.raises(ShapeError, match="dout must have shape"):
        conv2d_backward_loops(dout[:, :-1], cache_l)
