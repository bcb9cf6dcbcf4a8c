"""Implementations of notebook 06's graded functions, for the tests of its visible and hidden checks.

course_lib's references, two hand-written valid implementations (one with loops over features and a
dict cache, one vectorised with E[x^2] - E[x]^2 and in-place running averages), and a configurable
student implementation, ``student(*bugs)``, that plants one mistake at a time; the tables below say
which check must then fail and with which words.
"""
import numpy as np

from course_lib.layers.batchnorm import batchnorm_backward, batchnorm_backward_alt, batchnorm_forward
from course_lib.layers.spatial_batchnorm import spatial_batchnorm_backward, spatial_batchnorm_forward

# ----------------------------------------------------------------------------- a configurable student


def student(*bugs):
    """(forward, backward, backward_alt, spatial_forward, spatial_backward) with the named bugs planted.

    Dense bugs: unbiased_var, eps_outside_sqrt, eps_fixed, no_sqrt, test_batch_stats, momentum_swapped,
    not_updated, running_var_unbiased, updated_in_test, no_mean_term, no_var_term, no_gamma,
    dgamma_no_xhat, dgamma_mean, train_formula_in_test. Spatial bugs: axes_N, axes_NH, axes_NW,
    axes_CHW, axes_HW, reshape_no_transpose, no_transpose_back, dx_reshape_no_transpose,
    dx_no_transpose_back. The backward stays the exact derivative of a forward with unbiased_var, so
    that bug is one of the forward only.
    """
    bugs = set(bugs)

    def forward(x, gamma, beta, bn_param):
        mode, momentum = bn_param["mode"], bn_param["momentum"]
        eps = 1e-5 if "eps_fixed" in bugs else bn_param["eps"]
        n = x.shape[0]
        divisor = n - 1 if "unbiased_var" in bugs else n
        if mode == "train" and "no_axis" in bugs:
            mu = x.mean()  # one mean and one variance for all entries
            d = x - mu
            var = np.sum(d * d) / x.size
        elif mode == "train" or "test_batch_stats" in bugs:
            mu = x.mean(axis=0)
            d = x - mu
            var = np.sum(d * d, axis=0) / divisor
        else:
            mu, var = bn_param["running_mean"], bn_param["running_var"]
            d = x - mu
        if "eps_outside_sqrt" in bugs:
            std = np.sqrt(var) + eps
        elif "no_sqrt" in bugs:
            std = var + eps
        else:
            std = np.sqrt(var + eps)
        xhat = d / std
        out = gamma * xhat + beta
        update = (mode == "train" and "not_updated" not in bugs) or (mode == "test" and "updated_in_test" in bugs)
        if update:
            if mode == "test":
                mu = x.mean(axis=0)
                var = np.mean((x - mu) ** 2, axis=0)
            var_stat = np.sum((x - mu) ** 2, axis=0) / (n - 1) if "running_var_unbiased" in bugs else var
            keep = 1 - momentum if "momentum_swapped" in bugs else momentum
            bn_param["running_mean"] = keep * bn_param["running_mean"] + (1 - keep) * mu
            bn_param["running_var"] = keep * bn_param["running_var"] + (1 - keep) * var_stat
        return out, (mode, d, var, eps, std, xhat, gamma, divisor)

    def backward(dout, cache):
        mode, d, var, eps, std, xhat, gamma, divisor = cache
        n = dout.shape[0]
        dbeta = dout.sum(axis=0)
        dgamma = dout.sum(axis=0) if "dgamma_no_xhat" in bugs else np.sum(dout * xhat, axis=0)
        if "dgamma_mean" in bugs:
            dgamma = dgamma / n
        dxhat = dout if "no_gamma" in bugs else dout * gamma
        if mode == "test" and "train_formula_in_test" not in bugs:
            return dxhat / std, dgamma, dbeta
        if {"step3_exponent", "step4_no_m"} & bugs:  # the notebook's six steps, with s = 1 / std
            s = 1.0 / std
            ds = np.sum(dxhat * d, axis=0)
            dsigma2 = -0.5 * (var + eps) ** (-0.5 if "step3_exponent" in bugs else -1.5) * ds
            dd = dxhat * s + dsigma2 * 2.0 * d / (1.0 if "step4_no_m" in bugs else n)
            return dd - np.sum(dd, axis=0) / n, dgamma, dbeta
        if "dx_scaled" in bugs:  # a slip no catalogue entry names
            return 1.5 * (dxhat / std - (dxhat / std).mean(axis=0)
                          - xhat * np.mean(dxhat * xhat, axis=0) / std), dgamma, dbeta
        dd = dxhat / std
        if "no_var_term" not in bugs:
            dstd = -np.sum(dxhat * d, axis=0) / std**2
            dvar = dstd * 0.5 / np.sqrt(var + eps)
            dd = dd + 2.0 * d * dvar / divisor
        dx = dd if "no_mean_term" in bugs else dd - dd.mean(axis=0)
        return dx, dgamma, dbeta

    def backward_alt(dout, cache):
        mode, d, var, eps, std, xhat, gamma, divisor = cache
        n = dout.shape[0]
        dbeta = dout.sum(axis=0)
        dgamma = np.sum(dout * xhat, axis=0)
        if mode == "test" and "train_formula_in_test" not in bugs:
            return dout * gamma / std, dgamma, dbeta
        dx = (gamma / (n * std)) * ((1 if "closed_no_m" in bugs else n) * dout - dbeta - xhat * dgamma)
        return dx, dgamma, dbeta

    def spatial_forward(x, gamma, beta, bn_param):
        N, C, H, W = x.shape
        axes = {"axes_N": (0,), "axes_NH": (0, 2), "axes_NW": (0, 3), "axes_CHW": (1, 2, 3), "axes_HW": (2, 3)}
        wrong = [axes[b] for b in bugs if b in axes]
        if wrong:
            mu = x.mean(axis=wrong[0], keepdims=True)
            var = np.mean((x - mu) ** 2, axis=wrong[0], keepdims=True)
            out = gamma.reshape(1, C, 1, 1) * (x - mu) / np.sqrt(var + bn_param["eps"]) + beta.reshape(1, C, 1, 1)
            forward(x.transpose(0, 2, 3, 1).reshape(-1, C), gamma, beta, bn_param)  # running averages
            return out, None
        if "reshape_no_transpose" in bugs:
            rows_out, cache = forward(x.reshape(-1, C), gamma, beta, bn_param)
            return rows_out.reshape(x.shape), (x.shape, cache)
        rows_out, cache = forward(x.transpose(0, 2, 3, 1).reshape(-1, C), gamma, beta, bn_param)
        if "no_transpose_back" in bugs:
            return rows_out.reshape(x.shape), (x.shape, cache)
        return rows_out.reshape(N, H, W, C).transpose(0, 3, 1, 2), (x.shape, cache)

    def spatial_backward(dout, cache):
        shape, bn_cache = cache
        N, C, H, W = shape
        if "dx_reshape_no_transpose" in bugs:
            rows = dout.reshape(-1, C)
        else:
            rows = dout.transpose(0, 2, 3, 1).reshape(-1, C)
        d_rows, dgamma, dbeta = backward(rows, bn_cache)
        if "dx_no_transpose_back" in bugs or "dx_reshape_no_transpose" in bugs:
            return d_rows.reshape(shape), dgamma, dbeta
        return d_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2), dgamma, dbeta

    return forward, backward, backward_alt, spatial_forward, spatial_backward


# ----------------------------------------------------------------------------- two valid alternatives


def loops_forward(x, gamma, beta, bn_param):
    """One feature at a time with Python loops; the cache is a dict."""
    N, D = x.shape
    eps, momentum = bn_param["eps"], bn_param["momentum"]
    out = np.empty_like(x)
    xhat = np.empty_like(x)
    inv_std = np.empty(D)
    new_mean, new_var = np.array(bn_param["running_mean"], copy=True), np.array(bn_param["running_var"], copy=True)
    for j in range(D):
        column = x[:, j]
        if bn_param["mode"] == "train":
            mean = sum(column) / N
            var = sum((v - mean) ** 2 for v in column) / N
            new_mean[j] = momentum * new_mean[j] + (1 - momentum) * mean
            new_var[j] = momentum * new_var[j] + (1 - momentum) * var
        else:
            mean, var = bn_param["running_mean"][j], bn_param["running_var"][j]
        inv_std[j] = 1.0 / (var + eps) ** 0.5
        xhat[:, j] = (column - mean) * inv_std[j]
        out[:, j] = gamma[j] * xhat[:, j] + beta[j]
    bn_param["running_mean"], bn_param["running_var"] = new_mean, new_var
    return out, {"xhat": xhat, "inv_std": inv_std, "gamma": gamma, "train": bn_param["mode"] == "train"}


def loops_backward(dout, cache):
    N, D = dout.shape
    dx = np.empty_like(dout)
    dgamma, dbeta = np.empty(D), np.empty(D)
    for j in range(D):
        g, xh = dout[:, j], cache["xhat"][:, j]
        dbeta[j] = sum(g)
        dgamma[j] = sum(g * xh)
        if cache["train"]:
            dx[:, j] = cache["gamma"][j] * cache["inv_std"][j] * (g - dbeta[j] / N - xh * dgamma[j] / N)
        else:
            dx[:, j] = cache["gamma"][j] * cache["inv_std"][j] * g
    return dx, dgamma, dbeta


def vector_forward(x, gamma, beta, bn_param):
    """E[x^2] - E[x]^2, in-place running averages, a tuple cache."""
    if bn_param["mode"] == "train":
        mean = np.einsum("nd->d", x) / x.shape[0]
        var = np.einsum("nd,nd->d", x, x) / x.shape[0] - mean**2
        m = bn_param["momentum"]
        bn_param["running_mean"] *= m
        bn_param["running_mean"] += (1 - m) * mean
        bn_param["running_var"] *= m
        bn_param["running_var"] += (1 - m) * var
    else:
        mean, var = bn_param["running_mean"].copy(), bn_param["running_var"].copy()
    scale = (var + bn_param["eps"]) ** -0.5
    xhat = (x - mean) * scale
    return gamma * xhat + beta, (bn_param["mode"], xhat, scale * gamma)


def vector_backward(dout, cache):
    mode, xhat, gain = cache
    dbeta = np.einsum("nd->d", dout)
    dgamma = np.einsum("nd,nd->d", dout, xhat)
    if mode == "test":
        return gain * dout, dgamma, dbeta
    return gain * (dout - dbeta / len(dout) - xhat * dgamma / len(dout)), dgamma, dbeta


def vector_spatial_forward(x, gamma, beta, bn_param):
    rows = np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])
    out, cache = vector_forward(rows, gamma, beta, bn_param)
    return np.moveaxis(out.reshape(x.shape[0], x.shape[2], x.shape[3], x.shape[1]), -1, 1), (cache, x.shape)


def vector_spatial_backward(dout, cache):
    bn_cache, shape = cache
    rows = np.moveaxis(dout, 1, -1).reshape(-1, shape[1])
    dx, dgamma, dbeta = vector_backward(rows, bn_cache)
    return np.moveaxis(dx.reshape(shape[0], shape[2], shape[3], shape[1]), -1, 1), dgamma, dbeta


def loops_spatial_forward(x, gamma, beta, bn_param):
    """Per channel with a loop: the statistics of x[:, c] over N, H, W."""
    N, C, H, W = x.shape
    out = np.empty_like(x)
    caches = []
    params = [dict(bn_param, running_mean=bn_param["running_mean"][c:c + 1],
                   running_var=bn_param["running_var"][c:c + 1]) for c in range(C)]
    for c in range(C):
        column = x[:, c].reshape(-1, 1)
        o, cache = loops_forward(column, gamma[c:c + 1], beta[c:c + 1], params[c])
        out[:, c] = o.reshape(N, H, W)
        caches.append(cache)
    bn_param["running_mean"] = np.concatenate([p["running_mean"] for p in params])
    bn_param["running_var"] = np.concatenate([p["running_var"] for p in params])
    return out, caches


def loops_spatial_backward(dout, caches):
    N, C, H, W = dout.shape
    dx = np.empty_like(dout)
    dgamma, dbeta = np.empty(C), np.empty(C)
    for c, cache in enumerate(caches):
        d, dg, db = loops_backward(dout[:, c].reshape(-1, 1), cache)
        dx[:, c] = d.reshape(N, H, W)
        dgamma[c], dbeta[c] = dg[0], db[0]
    return dx, dgamma, dbeta


REFERENCE = (batchnorm_forward, batchnorm_backward, batchnorm_backward_alt,
             spatial_batchnorm_forward, spatial_batchnorm_backward)
LOOPS = (loops_forward, loops_backward, loops_backward, loops_spatial_forward, loops_spatial_backward)
VECTOR = (vector_forward, vector_backward, vector_backward, vector_spatial_forward, vector_spatial_backward)
VALID = {"reference": REFERENCE, "loops": LOOPS, "vectorised": VECTOR, "configurable, no bug": student()}


# (bug planted, which check, words the message must contain)
FORWARD_BUGS = [
    ("unbiased_var", "batchnorm_forward", "unbiased variance"),
    ("eps_outside_sqrt", "batchnorm_forward", "eps outside the square root"),
    ("eps_fixed", "batchnorm_forward", "use bn_param['eps']"),
    ("no_sqrt", "batchnorm_forward", "divided by the variance"),
    ("test_batch_stats", "batchnorm_forward", "test mode using batch statistics"),
    ("momentum_swapped", "batchnorm_forward", "momentum weights swapped"),
    ("not_updated", "batchnorm_forward", "running average unchanged"),
    ("running_var_unbiased", "batchnorm_forward", "running variance updated with the unbiased variance"),
    ("updated_in_test", "batchnorm_forward", "updated in test mode"),
    ("no_axis", "batchnorm_forward", "mu_B = x.mean(axis=0)"),
]
BACKWARD_BUGS = [
    ("no_mean_term", "batchnorm_backward", "dx without the mean term"),
    ("no_var_term", "batchnorm_backward", "dx without the variance term"),
    ("dgamma_no_xhat", "batchnorm_backward", "dgamma not multiplied by x_hat"),
    ("dgamma_mean", "batchnorm_backward", "needs a factor of N"),
    ("no_gamma", "batchnorm_backward", "without the factor gamma"),
    ("train_formula_in_test", "batchnorm_backward", "train-mode gradient through the normalisation graph"),
    ("train_formula_in_test", "batchnorm_backward_alt", "the train-mode gradient; in test mode"),
    ("step3_exponent", "batchnorm_backward", "Look at step 3"),
    ("step4_no_m", "batchnorm_backward", "Look at step 4"),
    ("closed_no_m", "batchnorm_backward_alt", "without the factor m on dout (dgamma and dbeta pass"),
    ("dx_scaled", "batchnorm_backward", "dgamma and dbeta are right, so x_hat and step 1 are too"),
]
SPATIAL_BUGS = [
    ("axes_N", "spatial_batchnorm_forward", "over the batch axis N only"),
    ("axes_NH", "spatial_batchnorm_forward", "over N and H only"),
    ("axes_NW", "spatial_batchnorm_forward", "over N and W only"),
    ("axes_CHW", "spatial_batchnorm_forward", "layer normalization"),
    ("axes_HW", "spatial_batchnorm_forward", "instance normalization"),
    ("reshape_no_transpose", "spatial_batchnorm_forward", "mixes channels and pixels"),
    ("no_transpose_back", "spatial_batchnorm_forward", "reshaped straight to (N, C, H, W)"),
    ("dx_reshape_no_transpose", "spatial_batchnorm_backward", "batch norm dx of dout.reshape"),
    ("dx_no_transpose_back", "spatial_batchnorm_backward", "rows of dx reshaped straight"),
]
