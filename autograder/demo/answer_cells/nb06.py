"""Notebook 06 (batch normalization): valid alternatives and typical mistakes, as answer cells.

The solution's backward cells read the forward's cache as a dict with the
keys mode, d, sigma2, eps, s, x_hat and gamma, so a forward alternative
fills the same keys; the spatial cell calls batchnorm_forward and
batchnorm_backward_alt, so a mistake there costs the spatial tests too.
"""
from autograder.demo.answer_cells import Mistake, Variant

SPATIAL_TESTS = ("test_spatial_batchnorm_forward", "test_spatial_batchnorm_backward")

ALTERNATIVES = [
    Variant("batchnorm_forward", "a loop over the features, statistics from sums", """\
def batchnorm_forward(x, gamma, beta, bn_param):
    mode, eps, rho = str(bn_param["mode"]), float(bn_param["eps"]), float(bn_param["momentum"])
    if mode not in ("train", "test"):
        raise ValueError(f"unknown mode {mode!r}")
    m, D = x.shape
    mu, sigma2 = np.zeros(D), np.zeros(D)
    for j in range(D):
        if mode == "train":
            mu[j] = np.sum(x[:, j]) / m
            sigma2[j] = np.sum((x[:, j] - mu[j]) ** 2) / m
        else:
            mu[j] = bn_param["running_mean"][j]
            sigma2[j] = bn_param["running_var"][j]
    if mode == "train":
        bn_param["running_mean"] = rho * bn_param["running_mean"] + (1.0 - rho) * mu
        bn_param["running_var"] = rho * bn_param["running_var"] + (1.0 - rho) * sigma2
    d = x - mu
    s = 1.0 / np.sqrt(sigma2 + eps)
    x_hat = d * s
    cache = {"mode": mode, "d": d, "sigma2": sigma2, "eps": eps, "s": s, "x_hat": x_hat, "gamma": gamma}
    return gamma * x_hat + beta, cache
"""),
    Variant("batchnorm_backward", "the full Jacobian of each feature column", """\
def batchnorm_backward(dout, cache):
    m, D = dout.shape
    gamma, x_hat, s = cache["gamma"], cache["x_hat"], cache["s"]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    if cache["mode"] == "test":
        return gamma * s * dout, dgamma, dbeta
    dx = np.zeros((m, D))
    for j in range(D):
        xh = x_hat[:, j]
        # dy_i / dx_k = gamma s (delta_ik - 1/m - x_hat_i x_hat_k / m), a symmetric matrix
        J = gamma[j] * s[j] * (np.eye(m) - 1.0 / m - np.outer(xh, xh) / m)
        dx[:, j] = J.T @ dout[:, j]
    return dx, dgamma, dbeta
"""),
    Variant("batchnorm_backward_alt", "the closed form with batch means", """\
def batchnorm_backward_alt(dout, cache):
    gamma, x_hat, s = cache["gamma"], cache["x_hat"], cache["s"]
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    if cache["mode"] == "test":
        return gamma * s * dout, dgamma, dbeta
    dx = gamma * s * (dout - dout.mean(axis=0) - x_hat * (dout * x_hat).mean(axis=0))
    return dx, dgamma, dbeta
"""),
    Variant("spatial_batchnorm", "statistics over axes (0, 2, 3) directly, its own closed-form backward", """\
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    mode = str(bn_param["mode"])
    if mode == "train":
        mu = x.mean(axis=(0, 2, 3))
        var = x.var(axis=(0, 2, 3))
        rho = bn_param["momentum"]
        bn_param["running_mean"] = rho * bn_param["running_mean"] + (1 - rho) * mu
        bn_param["running_var"] = rho * bn_param["running_var"] + (1 - rho) * var
    else:
        mu, var = bn_param["running_mean"], bn_param["running_var"]
    s = 1.0 / np.sqrt(var + bn_param["eps"])
    x_hat = (x - mu[None, :, None, None]) * s[None, :, None, None]
    out = gamma[None, :, None, None] * x_hat + beta[None, :, None, None]
    return out, (mode, x_hat, s, gamma)


def spatial_batchnorm_backward(dout, cache):
    mode, x_hat, s, gamma = cache
    axes = (0, 2, 3)
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * x_hat).sum(axis=axes)
    scale = (gamma * s)[None, :, None, None]
    if mode == "test":
        return scale * dout, dgamma, dbeta
    m = dout.shape[0] * dout.shape[2] * dout.shape[3]
    dx = scale * (dout - dbeta[None, :, None, None] / m - x_hat * dgamma[None, :, None, None] / m)
    return dx, dgamma, dbeta
"""),
]

MISTAKES = [
    Mistake("batchnorm_backward", "dx without the mean term", """\
def batchnorm_backward(dout, cache):
    m = dout.shape[0]
    gamma, x_hat, s = cache["gamma"], cache["x_hat"], cache["s"]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = gamma * dout
    if cache["mode"] == "test":
        return dx_hat * s, dgamma, dbeta
    d, sigma2, eps = cache["d"], cache["sigma2"], cache["eps"]
    dsigma2 = -0.5 * (sigma2 + eps) ** -1.5 * np.sum(dx_hat * d, axis=0)
    dx = dx_hat * s + dsigma2 * 2.0 * d / m
    return dx, dgamma, dbeta
""", "without the mean term"),
    Mistake("batchnorm_backward_alt", "dgamma as the batch mean instead of the sum", """\
def batchnorm_backward_alt(dout, cache):
    m = dout.shape[0]
    gamma, x_hat, s = cache["gamma"], cache["x_hat"], cache["s"]
    dbeta = dout.sum(axis=0)
    dgamma = np.mean(dout * x_hat, axis=0)
    if cache["mode"] == "test":
        return gamma * s * dout, dgamma, dbeta
    dx = (gamma * s / m) * (m * dout - dbeta - x_hat * m * dgamma)
    return dx, dgamma, dbeta
""", "dgamma is off by a constant factor", tests=("test_batchnorm_backward_alt", "test_spatial_batchnorm_backward")),
    Mistake("batchnorm_forward", "running averages with the momentum weights swapped", """\
def batchnorm_forward(x, gamma, beta, bn_param):
    mode, eps = bn_param["mode"], bn_param["eps"]
    if mode == "train":
        mu = x.mean(axis=0)
        sigma2 = x.var(axis=0)
        rho = bn_param["momentum"]
        bn_param["running_mean"] = (1 - rho) * bn_param["running_mean"] + rho * mu
        bn_param["running_var"] = (1 - rho) * bn_param["running_var"] + rho * sigma2
    else:
        mu, sigma2 = bn_param["running_mean"], bn_param["running_var"]
    d = x - mu
    s = 1.0 / np.sqrt(sigma2 + eps)
    x_hat = d * s
    cache = {"mode": mode, "d": d, "sigma2": sigma2, "eps": eps, "s": s, "x_hat": x_hat, "gamma": gamma}
    return gamma * x_hat + beta, cache
""", "momentum weights swapped", tests=("test_batchnorm_forward", "test_spatial_batchnorm_forward")),
    Mistake("spatial_batchnorm", "reshaped to (N*H*W, C) without moving the channel axis", """\
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    out_rows, bn_cache = batchnorm_forward(x.reshape(N * H * W, C), gamma, beta, bn_param)
    return out_rows.reshape(N, C, H, W), (x.shape, bn_cache)


def spatial_batchnorm_backward(dout, cache):
    shape, bn_cache = cache
    N, C, H, W = shape
    dx_rows, dgamma, dbeta = batchnorm_backward_alt(dout.reshape(N * H * W, C), bn_cache)
    return dx_rows.reshape(N, C, H, W), dgamma, dbeta
""", "mixes channels and pixels", tests=SPATIAL_TESTS),
]
