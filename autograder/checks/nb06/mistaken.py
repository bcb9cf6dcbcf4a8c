"""What notebook 06's known mistakes give: the arrays the checks name a mistake by.

The catalogue (the words are in course_lib/selfcheck/nb06/mistakes.py):
  forward   unbiased variance (m - 1), eps outside the square root, a fixed
            eps, no square root, no scale and shift, gamma and beta swapped,
            test mode using the batch statistics;
  running   momentum weights swapped, not updated, updated with the unbiased
            variance, updated in test mode;
  spatial   normalised over the wrong axes (N; N, H; N, W; C, H, W; H, W),
            reshaped without moving the channel axis, or not moved back;
  backward  dx without the mean term, without the variance term, without
            both, without gamma, the train formula in test mode, the spatial
            reshapes; dgamma not multiplied by x_hat, by x - mu_B, by x, the
            batch mean instead of the sum.
Trusted code: these are batch norm formulas, never shipped.
"""
import numpy as np

from course_lib.selfcheck.nb06.cases import DEFAULT_EPS


def _normalise(x, mean, var, eps):
    return (x - mean) / np.sqrt(var + eps)


def _rows(t):
    """(N, C, H, W) -> (N*H*W, C), one row per pixel; (N, D) unchanged."""
    return t if t.ndim == 2 else t.transpose(0, 2, 3, 1).reshape(-1, t.shape[1])


def _from_rows(rows, shape):
    if len(shape) == 2:
        return rows
    N, C, H, W = shape
    return rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)


def _batch_stats(rows):
    mean = rows.mean(axis=0)
    var = np.mean((rows - mean) ** 2, axis=0)
    m = rows.shape[0]
    var_unbiased = var * m / (m - 1) if m > 1 else None
    return mean, var, var_unbiased


def forward_mistakes(inputs):
    """{group: {slug: array}} for one forward call: groups "out", "running_mean", "running_var"."""
    x, gamma, beta = inputs["x"], inputs["gamma"], inputs["beta"]
    eps, momentum = float(inputs["eps"]), float(inputs["momentum"])
    rm, rv = inputs["running_mean"], inputs["running_var"]
    rows = _rows(x)
    mean, var, var_u = _batch_stats(rows)

    def scaled(xhat_rows, g=gamma, b=beta):
        return _from_rows(g * xhat_rows + b, x.shape)

    if str(inputs["mode"]) == "train":
        used_mean, used_var = mean, var
    else:
        used_mean, used_var = rm, rv
    centred = rows - used_mean
    xhat = centred / np.sqrt(used_var + eps)
    out = {
        "eps_outside_sqrt": scaled(centred / (np.sqrt(used_var) + eps)),
        "no_sqrt": scaled(centred / (used_var + eps)),
        "no_scale_shift": _from_rows(xhat, x.shape),
        "scale_shift_swapped": scaled(xhat, beta, gamma),
    }
    if str(inputs["mode"]) == "train" and x.ndim == 2:  # the statistics of all entries: no axis=0
        out["no_axis"] = scaled(_normalise(rows, rows.mean(), rows.var(), eps))
    if eps != DEFAULT_EPS:
        out["eps_fixed"] = scaled(centred / np.sqrt(used_var + DEFAULT_EPS))
    running_mean, running_var = {}, {}
    if str(inputs["mode"]) == "train":
        if var_u is not None:
            out["unbiased_var"] = scaled(_normalise(rows, mean, var_u, eps))
            running_var["running_var_unbiased"] = momentum * rv + (1 - momentum) * var_u
        running_mean["momentum_swapped"] = momentum * mean + (1 - momentum) * rm
        running_var["momentum_swapped"] = momentum * var + (1 - momentum) * rv
        running_mean["not_updated"] = rm.copy()
        running_var["not_updated"] = rv.copy()
    else:
        out["test_batch_stats"] = scaled(_normalise(rows, mean, var, eps))
        running_mean["updated_in_test"] = momentum * rm + (1 - momentum) * mean
        running_var["updated_in_test"] = momentum * rv + (1 - momentum) * var
    if x.ndim == 4:
        out.update(spatial_axes_mistakes(inputs, used_mean, used_var))
    return {"out": out, "running_mean": running_mean, "running_var": running_var}


def spatial_axes_mistakes(inputs, used_mean, used_var):
    """Spatial batch norm with the statistics taken over the wrong axes, or the layout mixed up."""
    x, gamma, beta, eps = inputs["x"], inputs["gamma"], inputs["beta"], float(inputs["eps"])
    N, C, H, W = x.shape
    g, b = gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1)
    out = {}
    if str(inputs["mode"]) == "train":
        for slug, axes in (("axes_N", (0,)), ("axes_NH", (0, 2)), ("axes_NW", (0, 3)),
                           ("axes_CHW", (1, 2, 3)), ("axes_HW", (2, 3))):
            mean = x.mean(axis=axes, keepdims=True)
            var = np.mean((x - mean) ** 2, axis=axes, keepdims=True)
            out[slug] = g * _normalise(x, mean, var, eps) + b
        mixed = x.reshape(-1, C)
        m_mean, m_var, _ = _batch_stats(mixed)
        out["reshape_no_transpose"] = (gamma * _normalise(mixed, m_mean, m_var, eps) + beta).reshape(x.shape)
    rows = _rows(x)
    right_rows = gamma * _normalise(rows, used_mean, used_var, eps) + beta
    out["no_transpose_back"] = right_rows.reshape(x.shape)
    return out


def _dx_rows(dout_rows, xhat_rows, gamma, inv_std, mean_term=True, var_term=True):
    """dx of batch norm over rows, with the mean and variance terms switchable (for the catalogue)."""
    dxhat = dout_rows * gamma
    dx = dxhat.copy()
    if mean_term:
        dx = dx - dxhat.mean(axis=0)
    if var_term:
        dx = dx - xhat_rows * np.mean(dxhat * xhat_rows, axis=0)
    return dx * inv_std


def _graph_dx(dout_rows, rows, gamma, mean, var, eps, exponent=-1.5, variance_over_m=True):
    """dx of the notebook's six graph steps over rows, with step 3's exponent and step 4's 1/m switchable."""
    m = rows.shape[0]
    d = rows - mean
    s = (var + eps) ** -0.5
    dx_hat = gamma * dout_rows                                  # step 1
    ds = np.sum(dx_hat * d, axis=0)                             # step 2
    dsigma2 = -0.5 * (var + eps) ** exponent * ds               # step 3
    dd = dx_hat * s + dsigma2 * 2.0 * d / (m if variance_over_m else 1.0)   # step 4
    dmu = -np.sum(dd, axis=0)                                   # step 5
    return dd + dmu / m                                         # step 6


def backward_mistakes(inputs, dout):
    """{group: {slug: array}} for one backward call: groups "dx" and "dgamma"."""
    x, gamma = inputs["x"], inputs["gamma"]
    eps = float(inputs["eps"])
    rows, dout_rows = _rows(x), _rows(dout)
    mean, var, _ = _batch_stats(rows)
    train = str(inputs["mode"]) == "train"
    used_mean, used_var = (mean, var) if train else (inputs["running_mean"], inputs["running_var"])
    inv_std = 1.0 / np.sqrt(used_var + eps)
    xhat = (rows - used_mean) * inv_std

    def back(d_rows):
        return _from_rows(d_rows, x.shape)

    dx = {"dx_no_gamma": back(_dx_rows(dout_rows, xhat, 1.0, inv_std, train, train))}
    if train:
        dx["dx_no_mean_term"] = back(_dx_rows(dout_rows, xhat, gamma, inv_std, var_term=True, mean_term=False))
        dx["dx_no_var_term"] = back(_dx_rows(dout_rows, xhat, gamma, inv_std, mean_term=True, var_term=False))
        dx["dx_no_mean_no_var"] = back(_dx_rows(dout_rows, xhat, gamma, inv_std, False, False))
        dx["dx_step3_exponent"] = back(_graph_dx(dout_rows, rows, gamma, mean, var, eps, exponent=-0.5))
        dx["dx_step4_no_m"] = back(_graph_dx(dout_rows, rows, gamma, mean, var, eps, variance_over_m=False))
        m = rows.shape[0]
        dbeta, dgamma_right = dout_rows.sum(axis=0), np.sum(dout_rows * xhat, axis=0)
        dx["dx_closed_no_m"] = back((gamma * inv_std / m) * (dout_rows - dbeta - xhat * dgamma_right))
    else:
        # The closed form and the graph differ here: with running statistics x_hat no longer sums to zero.
        dx["dx_train_formula_in_test"] = back(_dx_rows(dout_rows, xhat, gamma, inv_std))
        no_mean = _dx_rows(dout_rows, xhat, gamma, inv_std, mean_term=False)
        dx["dx_train_graph_in_test"] = back(no_mean - no_mean.mean(axis=0))
    if x.ndim == 4:
        right_rows = _dx_rows(dout_rows, xhat, gamma, inv_std, train, train)
        dx["dx_no_transpose_back"] = right_rows.reshape(x.shape)
        mixed_dout = dout.reshape(-1, x.shape[1])
        dx["dx_reshape_no_transpose"] = _dx_rows(mixed_dout, xhat, gamma, inv_std, train, train).reshape(x.shape)
    dgamma = {
        "dgamma_no_xhat": dout_rows.sum(axis=0),
        "dgamma_centred": np.sum(dout_rows * (rows - used_mean), axis=0),
        "dgamma_x": np.sum(dout_rows * rows, axis=0),
        "dgamma_mean": np.mean(dout_rows * xhat, axis=0),
    }
    return {"dx": dx, "dgamma": dgamma}


# ----------------------------------------------------------------------------- cases


def sequence_mistakes(case):
    """{group: {slug: (S, D) array}}: the running averages after each call of a sequence case."""
    x_seq, momentum = case["x_seq"], float(case["momentum"])
    steps = len(x_seq)
    mistakes = {"running_mean": {}, "running_var": {}}
    rm, rv = case["running_mean"], case["running_var"]
    swapped_m, swapped_v, unbiased_v = rm, rv, rv
    for x in x_seq:
        mean, var, var_u = _batch_stats(x)
        swapped_m = momentum * mean + (1 - momentum) * swapped_m
        swapped_v = momentum * var + (1 - momentum) * swapped_v
        unbiased_v = momentum * unbiased_v + (1 - momentum) * var_u
        mistakes["running_mean"].setdefault("momentum_swapped", []).append(swapped_m)
        mistakes["running_var"].setdefault("momentum_swapped", []).append(swapped_v)
        mistakes["running_var"].setdefault("running_var_unbiased", []).append(unbiased_v)
    mistakes["running_mean"]["not_updated"] = [rm] * steps
    mistakes["running_var"]["not_updated"] = [rv] * steps
    return {group: {slug: np.stack(v) for slug, v in found.items()} for group, found in mistakes.items()}
