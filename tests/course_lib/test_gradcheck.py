"""Tests of course_lib.gradcheck: numerical gradients, the lecture's ratio, the checks, the diagnoses.

Every diagnosis kind is made to fire by a real, deliberately broken backward
written in this file (a linear layer with a mean-squared loss, a 2-D
correlation with 'same' padding, a per-channel scale), and is shown not to
fire on the correct gradient, whether the trusted gradient is analytic or
numerical.
"""
import dataclasses

import numpy as np
import pytest

from course_lib.gradcheck import (
    KINK_THRESHOLD,
    LECTURE_THRESHOLD,
    STRICT_THRESHOLD,
    Diagnosis,
    GradCheckReport,
    GradCheckResult,
    compare_gradient,
    contract_diagnosis,
    diagnose,
    diagnose_params,
    directional_check,
    numerical_gradient,
    numerical_gradient_array,
    relative_error,
    relative_error_entries,
    sampled_check,
)
from course_lib.gradcheck.naming import describe_shape, name_factor
from course_lib.validation import DTypeError, ShapeError

N, D, M = 4, 5, 3
DIMS = {"N": N, "D": D, "M": M}


# ============================================================================ kernels under test
def linear_mse(x, w, b, y):
    """L = 1/(2N) sum ||x w + b - y||^2 and its correct gradients (dw, db), plus the residual/N."""
    r = x @ w + b - y
    loss = 0.5 * np.sum(r * r) / x.shape[0]
    upstream = r / x.shape[0]  # dL/d(out)
    return loss, x.T @ upstream, upstream.sum(axis=0), upstream


def correlate_valid(x, k):
    """out[i, j] = sum_{p,q} x[i+p, j+q] k[p, q] (a CNN 'convolution' without flip)."""
    windows = np.lib.stride_tricks.sliding_window_view(x, k.shape)
    return np.einsum("ijpq,pq->ij", windows, k)


def conv_same_forward(x, k):
    """Single-channel correlation with zero padding 1 and a 3x3 kernel: shape of x kept."""
    return correlate_valid(np.pad(x, 1), k)


def conv_same_backward(x, k, dout):
    """Correct: dx = dout (padded) correlated with the kernel rotated by 180 degrees; dk = x (padded) with dout."""
    dx = correlate_valid(np.pad(dout, 1), k[::-1, ::-1])
    dk = correlate_valid(np.pad(x, 1), dout)
    return dx, dk


def conv_same_backward_unpadded_dout(x, k, dout):
    """Bug: forgot to pad dout, so only the interior of dx is computed (border left zero)."""
    dx = np.zeros_like(x)
    dx[1:-1, 1:-1] = correlate_valid(dout, k[::-1, ::-1])
    return dx


def conv_dk_rotated(x, k, dout):
    """Bug: rotates dk by 180 degrees, as if the kernel flip of dx applied to dk too."""
    return np.rot90(correlate_valid(np.pad(x, 1), dout), 2)


def channel_scale_backward(x, gamma, dout, last_channel_bug=False):
    """y[n, c] = gamma[c] * x[n, c]: dx = dout * gamma[c]. The bug loops over range(C - 1)."""
    dx = np.zeros_like(x)
    channels = range(x.shape[1] - 1) if last_channel_bug else range(x.shape[1])
    for c in channels:
        dx[:, c] = dout[:, c] * gamma[c]
    return dx


@pytest.fixture
def problem():
    rng = np.random.default_rng(42)
    x = rng.standard_normal((N, D))
    w = rng.standard_normal((D, M))
    b = rng.standard_normal(M)
    y = rng.standard_normal((N, M))
    loss, dw, db, upstream = linear_mse(x, w, b, y)
    return dict(x=x, w=w, b=b, y=y, dw=dw, db=db, upstream=upstream)


def numerical_linear_grads(p):
    """Numerical dw and db of the linear MSE loss, computed independently of the analytic ones."""
    w, b = p["w"].copy(), p["b"].copy()
    dw = numerical_gradient(lambda w_: linear_mse(p["x"], w_, b, p["y"])[0], w)
    db = numerical_gradient(lambda b_: linear_mse(p["x"], w, b_, p["y"])[0], b)
    return dw, db


# ============================================================================ numerical gradients
def test_numerical_gradient_of_cubic_and_quadratic_form():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    assert relative_error(numerical_gradient(lambda v: np.sum(v ** 3), x), 3 * x ** 2) < STRICT_THRESHOLD
    a = rng.standard_normal((5, 5))
    v = rng.standard_normal(5)
    grad = numerical_gradient(lambda u: u @ a @ u, v)
    assert relative_error(grad, (a + a.T) @ v) < STRICT_THRESHOLD


def test_numerical_gradient_of_log_sum_exp_is_softmax():
    x = np.array([0.3, -1.2, 2.0, 0.7])
    softmax = np.exp(x) / np.exp(x).sum()
    grad = numerical_gradient(lambda v: np.log(np.sum(np.exp(v))), x)
    assert relative_error(grad, softmax) < STRICT_THRESHOLD


def test_numerical_gradient_through_a_closure_and_restores_x_exactly():
    rng = np.random.default_rng(1)
    w = rng.standard_normal((2, 3))
    before = w.copy()
    grad = numerical_gradient(lambda _: np.sum(np.sin(w)), w)  # reads w, not its argument
    assert relative_error(grad, np.cos(w)) < STRICT_THRESHOLD
    assert np.array_equal(w, before)


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    before = x.copy()

    def f(v):
        if v[1] != 2.0:
            raise RuntimeError("boom")
        return v.sum()

    with pytest.raises(RuntimeError):
        numerical_gradient(f, x)
    assert np.array_equal(x, before)


def test_numerical_gradient_of_scalars():
    assert numerical_gradient(lambda v: v ** 2, 3.0) == pytest.approx(6.0, rel=1e-9)
    zero_d = np.array(0.5)
    assert numerical_gradient(lambda v: np.exp(v), zero_d) == pytest.approx(np.exp(0.5), rel=1e-9)


def test_numerical_gradient_refuses_non_float_and_non_scalar_output():
    with pytest.raises(DTypeError, match="float64"):
        numerical_gradient(lambda v: v.sum(), np.arange(3))
    with pytest.raises(DTypeError, match="float32"):
        numerical_gradient(lambda v: v.sum(), np.ones(3, dtype=np.float32))
    with pytest.raises(DTypeError):
        numerical_gradient(lambda v: v, 3)
    with pytest.raises(ValueError, match="numerical_gradient_array"):
        numerical_gradient(lambda v: v * 2, np.ones(3))
    with pytest.raises(ValueError, match="h must"):
        numerical_gradient(lambda v: v.sum(), np.ones(3), h=0.0)


def test_numerical_gradient_array_matches_the_jacobian_contraction():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((N, D))
    w = rng.standard_normal((D, M))
    dout = rng.standard_normal((N, M))
    grad = numerical_gradient_array(lambda v: v @ w, x, dout)
    assert relative_error(grad, dout @ w.T) < STRICT_THRESHOLD
    dtanh = numerical_gradient_array(np.tanh, x, rng.standard_normal((N, D)))
    assert dtanh.shape == x.shape


def test_numerical_gradient_array_copes_with_f_returning_a_view_of_x():
    rng = np.random.default_rng(3)
    x = rng.standard_normal(4)
    dout = rng.standard_normal(4)
    assert relative_error(numerical_gradient_array(lambda v: v, x, dout), dout) < STRICT_THRESHOLD
    with pytest.raises(ShapeError):
        numerical_gradient_array(lambda v: v, x, np.ones(5))


# ============================================================================ the lecture's ratio
def test_relative_error_is_the_lecture_ratio_for_numbers():
    ge, ga = 0.30000, 0.30003
    assert relative_error(ge, ga) == pytest.approx(abs(ge - ga) / abs(ge + ga))


def test_relative_error_of_arrays_is_a_ratio_of_l2_norms():
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    expected = np.sqrt(np.sum((a - b) ** 2)) / np.sqrt(np.sum((a + b) ** 2))
    assert relative_error(a, b) == pytest.approx(expected)


def test_relative_error_edge_cases():
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(1.0, -1.0) == float("inf")  # sum zero, difference not
    assert relative_error(1.0, -0.5) == pytest.approx(1.5 / 0.5)  # opposite signs: above 1
    assert np.isnan(relative_error(np.array([1.0, np.nan]), np.ones(2)))
    assert relative_error(1e-12, 2e-12, floor=1e-3) == pytest.approx(1e-12 / 1e-3)
    with pytest.raises(ShapeError):
        relative_error(np.ones(3), np.ones(4))


def test_relative_error_entries_localises():
    a = np.array([1.0, 0.0, 2.0, 5.0])
    b = np.array([1.0, 0.0, -2.0, 5.5])
    e = relative_error_entries(a, b)
    assert e[0] == 0.0 and e[1] == 0.0
    assert e[2] == pytest.approx(1.0)
    assert e[3] == pytest.approx(0.5 / 10.5)


def test_thresholds_are_the_lectures():
    assert LECTURE_THRESHOLD == 1e-6 and KINK_THRESHOLD == 1e-3 and STRICT_THRESHOLD == 1e-7


# ============================================================================ results and reports
def _result(name, passed):
    return GradCheckResult(name, passed, 0.0 if passed else 1.0, None, None, None, 1e-6, None,
                           f"{name} {'ok' if passed else 'bad'}")


def test_report_says_right_for_w_wrong_for_b():
    report = GradCheckReport([_result("w", True), _result("b", False)])
    assert not report.passed
    assert report.right == ["w"] and report.wrong == ["b"]
    assert "right for w, wrong for b" in str(report)
    assert report["b"].message == "b bad"
    with pytest.raises(KeyError):
        report["gamma"]


def test_report_all_right_all_wrong_and_empty():
    assert GradCheckReport([_result("w", True)]).passed
    assert "wrong for every parameter" in str(GradCheckReport([_result("w", False)]))
    assert not GradCheckReport([]).passed


def test_results_are_frozen():
    result = _result("w", True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.passed = False
    with pytest.raises(dataclasses.FrozenInstanceError):
        Diagnosis("sign", "m").kind = "factor"


# ============================================================================ directional check
def _mlp(seed=5):
    """A tanh network with four parameter arrays and a loss reading them through a closure."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, D))
    y = rng.standard_normal((N, M))
    params = {"w1": rng.standard_normal((D, 6)), "b1": rng.standard_normal(6),
              "w2": rng.standard_normal((6, M)), "b2": rng.standard_normal(M)}
    calls = []

    def loss():
        calls.append(1)
        h = np.tanh(x @ params["w1"] + params["b1"])
        r = h @ params["w2"] + params["b2"] - y
        return 0.5 * np.sum(r * r) / N

    h = np.tanh(x @ params["w1"] + params["b1"])
    dout = (h @ params["w2"] + params["b2"] - y) / N
    dh = dout @ params["w2"].T * (1 - h * h)
    grads = {"w1": x.T @ dh, "b1": dh.sum(0), "w2": h.T @ dout, "b2": dout.sum(0)}
    return loss, params, grads, calls


def test_directional_check_passes_on_correct_gradients_with_few_evaluations():
    loss, params, grads, calls = _mlp()
    before = {k: v.copy() for k, v in params.items()}
    result = directional_check(loss, params, grads, rng=0)
    assert result.passed, result.message
    assert result.worst_error < STRICT_THRESHOLD
    assert result.diagnosis is None
    assert len(calls) == 5  # +-h, +-2h and the centre, whatever the parameter count
    assert all(np.array_equal(params[k], before[k]) for k in params)
    calls.clear()
    assert directional_check(loss, params, grads, rng=1, five_point=False).passed
    assert len(calls) == 2


@pytest.mark.parametrize("broken", ["b1", "w2"])
def test_directional_check_fails_on_a_wrong_gradient(broken):
    loss, params, grads, _ = _mlp()
    grads = dict(grads)
    grads[broken] = grads[broken] * 1.01
    result = directional_check(loss, params, grads, rng=0)
    assert not result.passed
    assert "sampled_check" in result.message


def test_directional_check_reports_a_wrong_shape_without_crashing():
    loss, params, grads, _ = _mlp()
    grads = dict(grads, w1=grads["w1"].T)
    result = directional_check(loss, params, grads, rng=0)
    assert not result.passed and result.diagnosis.kind == "shape"


def test_directional_check_flags_a_crossed_relu_kink():
    z = np.array([1e-9, 0.3, -0.7, 1.1])
    params = {"z": z}
    grad = {"z": (z > 0).astype(float)}
    result = directional_check(lambda: np.sum(np.maximum(params["z"], 0.0)), params, grad, rng=0)
    assert result.diagnosis is not None and result.diagnosis.kind == "kink"
    assert result.threshold == KINK_THRESHOLD
    assert "kink" in result.message


def test_directional_check_does_not_flag_kinks_on_a_smooth_loss():
    loss, params, grads, _ = _mlp(seed=6)
    for seed in range(5):
        assert directional_check(loss, params, grads, rng=seed).diagnosis is None


# ============================================================================ sampled check
def _linear_check_setup(p):
    params = {"w": p["w"].copy(), "b": p["b"].copy()}
    return params, (lambda: linear_mse(p["x"], params["w"], params["b"], p["y"])[0])


def test_sampled_check_passes_and_covers_every_parameter(problem):
    params, loss = _linear_check_setup(problem)
    before = {k: v.copy() for k, v in params.items()}
    report = sampled_check(loss, params, {"w": problem["dw"], "b": problem["db"]}, rng=0)
    assert report.passed, str(report)
    assert report.names == ["w", "b"]  # the small bias gets its own result
    assert all(r.worst_error < STRICT_THRESHOLD for r in report.results)
    assert all(np.array_equal(params[k], before[k]) for k in params)


def test_sampled_check_right_for_w_wrong_for_b(problem):
    params, loss = _linear_check_setup(problem)
    bad_db = problem["upstream"].sum(axis=0) * N  # forgot the 1/N of the mean
    report = sampled_check(loss, params, {"w": problem["dw"], "b": bad_db}, rng=0, dims=DIMS)
    assert not report.passed
    assert report["w"].passed and not report["b"].passed
    assert "right for w, wrong for b" in str(report)
    assert report["b"].diagnosis.kind == "factor"
    assert "1/N" in report["b"].message


def test_sampled_check_reports_shape_and_nan_without_crashing(problem):
    params, loss = _linear_check_setup(problem)
    bad = problem["dw"].copy()
    bad[0, 0] = np.nan  # possibly not among the sampled entries: still found
    report = sampled_check(loss, params, {"w": bad, "b": problem["db"][:-1]}, rng=0, dims=DIMS)
    assert report["w"].diagnosis.kind == "nan"
    assert report["b"].diagnosis.kind == "shape"


def test_sampled_check_ignores_rounding_noise_on_zero_gradients():
    rng = np.random.default_rng(7)
    params = {"w": rng.standard_normal(6), "unused": rng.standard_normal(3)}

    def loss():  # a large constant makes the rounding of f large; 'unused' has zero gradient
        return 1e4 + np.sum(np.sin(params["w"]))

    report = sampled_check(loss, params, {"w": np.cos(params["w"]), "unused": np.zeros(3)}, rng=0)
    assert report.passed, str(report)


def test_sampled_check_refuses_bad_calls(problem):
    params, loss = _linear_check_setup(problem)
    with pytest.raises(ValueError, match="same keys"):
        sampled_check(loss, params, {"w": problem["dw"]})
    with pytest.raises(DTypeError):
        sampled_check(loss, {"w": np.ones(3, dtype=int)}, {"w": np.ones(3)})


# ============================================================================ diagnoses
def test_transposed_dw(problem):
    bad = problem["upstream"].T @ problem["x"]  # dout.T @ x instead of x.T @ dout
    d = diagnose(problem["dw"], bad, DIMS, name="dw")
    assert d.kind == "transpose"
    assert "(3, 5) = (M, D)" in d.message and "transpose" in d.message


def test_square_transpose_is_found_without_a_shape_hint():
    rng = np.random.default_rng(8)
    g = rng.standard_normal((4, 4))
    assert diagnose(g, g.T).kind == "transpose"


def test_axis_permutation_of_a_4d_gradient():
    rng = np.random.default_rng(9)
    dw = rng.standard_normal((2, 3, 4, 5))  # (F, C, HH, WW)
    d = diagnose(dw, dw.transpose(1, 0, 2, 3), name="dw")
    assert d.kind == "transpose" and ".transpose(1, 0, 2, 3)" in d.message


def test_db_missing_one_over_n(problem):
    bad = problem["upstream"].sum(axis=0) * N
    d = diagnose(problem["db"], bad, DIMS, name="db")
    assert d.kind == "factor" and d.factor == pytest.approx(N)
    assert "1/N" in d.message


def test_factor_named_as_a_ratio_of_dims(problem):
    d = diagnose(problem["dw"], problem["dw"] / (N * D), DIMS)
    assert d.kind == "factor" and "1/(N*D)" in d.message
    d = diagnose(problem["dw"], problem["dw"] * 0.37, DIMS)
    assert d.kind == "factor" and "0.37" in d.message


def test_sign_flipped_mse_gradient(problem):
    x, w, b, y = problem["x"], problem["w"], problem["b"], problem["y"]
    bad_upstream = (y - (x @ w + b)) / N  # y - pred instead of pred - y
    d = diagnose(problem["dw"], x.T @ bad_upstream, DIMS, name="dw")
    assert d.kind == "sign" and d.factor == -1.0


def test_bias_summed_over_the_wrong_axis(problem):
    up = problem["upstream"]
    d = diagnose(problem["db"], up.sum(axis=1), DIMS, upstream=up, summed_axes=(0,), name="db")
    assert d.kind == "axis_sum"
    assert "summed over axis 1 instead of axis 0" in d.message
    # Without the upstream gradient the same mistake is only a wrong shape.
    assert diagnose(problem["db"], up.sum(axis=1), DIMS).kind == "shape"


def test_conv_bias_summed_over_too_few_axes():
    rng = np.random.default_rng(10)
    dout = rng.standard_normal((2, 3, 4, 5))
    db = dout.sum(axis=(0, 2, 3))
    d = diagnose(db, dout.sum(axis=(0, 1, 3)), upstream=dout, summed_axes=(0, 2, 3))
    assert d.kind == "axis_sum" and "axes (0, 1, 3) instead of axes (0, 2, 3)" in d.message


def test_wrong_shape(problem):
    d = diagnose(problem["dw"], problem["dw"][:, :-1], DIMS, name="dw")
    assert d.kind == "shape"
    assert "(5, 2)" in d.message and "(5, 3) = (D, M)" in d.message
    d = diagnose(problem["db"], problem["upstream"].sum(axis=0, keepdims=True), DIMS, name="db")
    assert d.kind == "shape" and "keepdims" in d.message


def test_transpose_shape_is_named_even_when_values_differ(problem):
    rng = np.random.default_rng(11)
    d = diagnose(problem["dw"], rng.standard_normal((M, D)), DIMS, name="dw")
    assert d.kind == "shape" and "transpose shape" in d.message


def test_nan_from_an_overflowing_softplus_gradient():
    x = np.array([[0.5, 800.0, -1.0], [2.0, 3.0, 900.0]])
    dout = np.ones_like(x) * 0.5
    expected = dout / (1.0 + np.exp(-x))  # stable sigmoid form
    with np.errstate(over="ignore", invalid="ignore"):
        bad = dout * np.exp(x) / (1.0 + np.exp(x))  # inf / inf = NaN
    d = diagnose(expected, bad, name="dx")
    assert d.kind == "nan"
    assert "2 NaN entries out of 6" in d.message and "(0, 1)" in d.message


def test_conv_dk_rotated_by_180_degrees():
    rng = np.random.default_rng(12)
    x = rng.standard_normal((5, 7))
    k = rng.standard_normal((3, 3))
    dout = rng.standard_normal((5, 7))
    _, dk = conv_same_backward(x, k, dout)
    d = diagnose(dk, conv_dk_rotated(x, k, dout), name="dk")
    assert d.kind == "flip" and "180 degrees" in d.message


def test_conv_dx_wrong_only_on_the_border():
    rng = np.random.default_rng(13)
    x = rng.standard_normal((5, 7))
    k = rng.standard_normal((3, 3))
    dout = rng.standard_normal((5, 7))
    dx, _ = conv_same_backward(x, k, dout)
    d = diagnose(dx, conv_same_backward_unpadded_dout(x, k, dout), name="dx")
    assert d.kind == "partial"
    assert "border" in d.message and "20 of 35" in d.message  # 2*7 + 2*3 border entries


def test_wrong_only_in_the_last_channel():
    rng = np.random.default_rng(14)
    x = rng.standard_normal((2, 3, 4, 5))
    gamma = rng.standard_normal(3)
    dout = rng.standard_normal(x.shape)
    good = channel_scale_backward(x, gamma, dout)
    bad = channel_scale_backward(x, gamma, dout, last_channel_bug=True)
    d = diagnose(good, bad, name="dx")
    assert d.kind == "partial"
    assert "only in channel 2 (the last)" in d.message and "40 of 120" in d.message


def test_wrong_only_in_one_sample():
    rng = np.random.default_rng(15)
    x = rng.standard_normal((N, D))
    dout = rng.standard_normal((N, D))
    expected = dout * (1 - np.tanh(x) ** 2)
    bad = expected.copy()
    bad[0] = 0.0  # a loop over range(1, N)
    d = diagnose(expected, bad, name="dx", axis_names=("sample", "feature"))
    assert d.kind == "partial" and "only in sample 0" in d.message


def test_known_variant_from_a_catalogue():
    x = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]])
    dout = np.array([[0.3, -0.2, 0.5], [0.7, 0.1, -0.4]])
    expected = dout * (x > 0)
    bad = dout * (x >= 0)
    catalogue = {"ReLU mask taken with >= instead of >": dout * (x >= 0)}
    d = diagnose(expected, bad, candidates=catalogue, name="dx")
    assert d.kind == "variant" and "ReLU mask taken with >= instead of >" in d.message


def test_zero_none_and_garbage():
    g = np.arange(1.0, 7.0).reshape(2, 3)
    assert diagnose(g, np.zeros_like(g)).kind == "zero"
    assert diagnose(g, None).kind == "type"
    assert diagnose(g, "not an array").kind == "type"
    rng = np.random.default_rng(16)
    assert diagnose(g, rng.standard_normal((2, 3))).kind == "mismatch"


def test_no_diagnosis_on_correct_gradients(problem):
    # Against the analytic reference computed another way (~1e-16) ...
    dw_loop = sum(np.outer(problem["x"][n], problem["upstream"][n]) for n in range(N))
    assert diagnose(problem["dw"], dw_loop, DIMS) is None
    # ... and against numerical gradients (~1e-10), as the autograder does.
    num_dw, num_db = numerical_linear_grads(problem)
    assert diagnose(num_dw, problem["dw"], DIMS) is None
    assert diagnose(num_db, problem["db"], DIMS, upstream=problem["upstream"],
                    summed_axes=(0,)) is None
    rng = np.random.default_rng(17)
    x, k, dout = rng.standard_normal((5, 7)), rng.standard_normal((3, 3)), rng.standard_normal((5, 7))
    dx, dk = conv_same_backward(x, k, dout)
    num_dx = numerical_gradient_array(lambda v: conv_same_forward(v, k), x.copy(), dout)
    num_dk = numerical_gradient_array(lambda v: conv_same_forward(x, v), k.copy(), dout)
    assert diagnose(num_dx, dx) is None and diagnose(num_dk, dk) is None
    assert contract_diagnosis("dx", dx, x.shape) is None


def test_diagnoses_hold_against_numerical_gradients(problem):
    num_dw, num_db = numerical_linear_grads(problem)
    assert diagnose(num_db, problem["db"] * N, DIMS).kind == "factor"
    assert diagnose(num_dw, problem["dw"].T, DIMS).kind == "transpose"
    assert diagnose(num_dw, -problem["dw"], DIMS).kind == "sign"


def test_compare_gradient_and_diagnose_params(problem):
    good = compare_gradient("dw", problem["dw"], problem["dw"].copy(), DIMS)
    assert good.passed and good.diagnosis is None and "right" in good.message
    bad = compare_gradient("db", problem["db"], problem["db"] * N, DIMS)
    assert not bad.passed and bad.diagnosis.kind == "factor"
    assert bad.worst_index is not None and bad.expected == pytest.approx(problem["db"][bad.worst_index])
    report = diagnose_params({"w": problem["dw"], "b": problem["db"]},
                             {"w": problem["dw"], "b": -problem["db"]}, DIMS)
    assert "right for w, wrong for b" in str(report)
    assert report["b"].diagnosis.kind == "sign"
    missing = diagnose_params({"w": problem["dw"], "b": problem["db"]}, {"w": problem["dw"]})
    assert not missing["b"].passed and "no gradient" in missing["b"].message


# ============================================================================ naming
def test_name_factor():
    assert name_factor(0.25, DIMS) == ("1/N", "N")
    assert name_factor(N * D, DIMS) == ("N*D", "1/(N*D)")
    assert name_factor(N / D, DIMS)[0] == "N/D"
    assert name_factor(-1 / N, DIMS)[0] == "-1/N"
    assert name_factor(1 / N ** 2, DIMS)[0] == "1/N^2"
    assert name_factor(1 / 3, {"N": 4})[0] == "1/3"
    assert name_factor(0.5, {"N": 4})[0] == "1/2"
    assert describe_shape((3, 5), DIMS) == "(3, 5) = (M, D)"
    assert describe_shape((7,), DIMS) == "(7,)"


def test_single_numbers_are_not_called_proportional():
    # Any two numbers differ by some factor: only a sign or a named ratio is a diagnosis.
    assert diagnose(2.0, 3.0).kind == "mismatch"
    assert diagnose(2.0, -2.0).kind == "sign"
    assert "1/N" in diagnose(2.0, 8.0, {"N": 4}).message
    assert diagnose(2.0, 2.0 * (1 + 1e-13)) is None
    result = compare_gradient("dtheta", 2.0, 2.5)
    assert not result.passed and "should be 2" in result.message


def test_compare_gradient_with_nan_and_wrong_type(problem):
    bad = problem["dw"].copy()
    bad[2, 1] = np.inf
    result = compare_gradient("dw", problem["dw"], bad, DIMS)
    assert not result.passed and result.worst_error == float("inf")
    assert result.diagnosis.kind == "nan" and result.worst_index == (2, 1)
    assert compare_gradient("dw", problem["dw"], None).diagnosis.kind == "type"
