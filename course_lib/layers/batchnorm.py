"""Batch normalization for (N, D) batches (lecture 001, Algorithm 1; lecture 003).

Each of the D features is normalised over the mini-batch B of m = N rows:

    mu_B      = (1/m) sum_i x_i                      mini-batch mean
    sigma_B^2 = (1/m) sum_i (x_i - mu_B)^2           mini-batch variance (biased, 1/m)
    x_hat_i   = (x_i - mu_B) / sqrt(sigma_B^2 + eps) normalise
    y_i       = gamma * x_hat_i + beta               scale and shift (learned gamma, beta)

At inference ("test" mode) mu_B and sigma_B^2 are replaced by running
averages collected during training, so the layer becomes a fixed affine map
of x. The running averages are the one side effect of this module: in train
mode the forward writes, into the bn_param dict it was given,

    running_mean <- momentum * running_mean + (1 - momentum) * mu_B
    running_var  <- momentum * running_var  + (1 - momentum) * sigma_B^2

(new arrays are stored; the old ones are not modified), and missing running
statistics start as zeros (mean) and ones (variance) in either mode.
"""
import numpy as np

from course_lib.validation import ShapeError, as_float_array, check_ndim, check_real_scalar, check_shape

MODES = ("train", "test")


def _check_bn_param(bn_param, D):
    """Return (mode, eps, momentum, running_mean, running_var), storing missing running stats."""
    if not isinstance(bn_param, dict):
        raise TypeError(
            "bn_param must be a dict such as {'mode': 'train', 'eps': 1e-5, 'momentum': 0.9}, "
            f"got {type(bn_param).__name__}."
        )
    mode = bn_param.get("mode", "train")
    if mode not in MODES:
        raise ValueError(f"bn_param['mode'] must be 'train' or 'test', got {mode!r}.")
    eps = check_real_scalar("bn_param['eps']", bn_param.get("eps", 1e-5))
    if eps <= 0:
        raise ValueError(f"bn_param['eps'] must be positive (it keeps sqrt(var + eps) away from 0), got {eps}.")
    momentum = check_real_scalar("bn_param['momentum']", bn_param.get("momentum", 0.9))
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f"bn_param['momentum'] must lie in [0, 1], got {momentum}.")
    stats = []
    for key, start in (("running_mean", np.zeros), ("running_var", np.ones)):
        if bn_param.get(key) is None:
            bn_param[key] = start(D)
        stat = as_float_array(f"bn_param['{key}']", bn_param[key])
        check_shape(f"bn_param['{key}']", stat, (D,))
        stats.append(stat)
    return (mode, eps, momentum, *stats)


def batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalization of x (N, D) with gamma (D,), beta (D,) -> out (N, D).

    bn_param = {"mode": "train" | "test", "eps": 1e-5, "momentum": 0.9,
    "running_mean": (D,), "running_var": (D,)}; see the module docstring for
    the formulas and for how the running statistics are updated (train mode)
    or used (test mode). The cache is opaque: pass it to batchnorm_backward
    or batchnorm_backward_alt.
    """
    x = as_float_array("x", x)
    gamma = as_float_array("gamma", gamma)
    beta = as_float_array("beta", beta)
    check_ndim("x", x, 2, "(N, D)")
    N, D = x.shape
    check_shape("gamma", gamma, (D,))
    check_shape("beta", beta, (D,))
    mode, eps, momentum, running_mean, running_var = _check_bn_param(bn_param, D)

    if mode == "train":
        if N == 0:
            raise ShapeError("x must hold at least one sample (row) in train mode, got shape (0, D).")
        mu = x.mean(axis=0)                              # mu_B
        centred = x - mu                                 # x_i - mu_B
        var = np.mean(centred ** 2, axis=0)              # sigma_B^2
        istd = 1.0 / np.sqrt(var + eps)                  # 1 / sqrt(sigma_B^2 + eps)
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mu
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * var
    else:
        centred = x - running_mean
        var = running_var
        istd = 1.0 / np.sqrt(var + eps)
    x_hat = centred * istd
    out = gamma * x_hat + beta
    cache = {"mode": mode, "centred": centred, "var": var, "eps": eps,
             "istd": istd, "x_hat": x_hat, "gamma": gamma}
    return out, cache


def _check_dout(dout, cache):
    dout = as_float_array("dout", dout)
    check_shape("dout", dout, cache["x_hat"].shape)
    return dout


def batchnorm_backward(dout, cache):
    """Gradients (dx, dgamma, dbeta) of batchnorm_forward, one node of the graph at a time.

    Shapes: dout (N, D) -> dx (N, D), dgamma (D,), dbeta (D,).
    Train mode walks back through y = gamma x_hat + beta, x_hat = centred * istd,
    istd = (sigma_B^2 + eps)^(-1/2), sigma_B^2 = mean(centred^2),
    centred = x - mu_B, mu_B = mean(x), adding the gradients of every path
    that reaches x. Test mode is the affine map dx = dout * gamma * istd.
    """
    dout = _check_dout(dout, cache)
    gamma, x_hat, istd = cache["gamma"], cache["x_hat"], cache["istd"]
    N = dout.shape[0]

    # y = gamma * x_hat + beta
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    if cache["mode"] == "test":
        # mu and sigma^2 are constants here, so x_hat = (x - mu) * istd is affine in x.
        return dx_hat * istd, dgamma, dbeta

    centred, var, eps = cache["centred"], cache["var"], cache["eps"]
    # x_hat = centred * istd: centred is reached directly and through istd.
    dcentred = dx_hat * istd
    distd = np.sum(dx_hat * centred, axis=0)
    # istd = (var + eps)^(-1/2)
    dvar = -0.5 * (var + eps) ** -1.5 * distd
    # var = (1/N) sum_i centred_i^2
    dcentred += (2.0 / N) * centred * dvar
    # centred = x - mu: x directly, and mu collects minus the sum over the batch.
    dmu = -np.sum(dcentred, axis=0)
    # mu = (1/N) sum_i x_i
    dx = dcentred + dmu / N
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    """Gradients (dx, dgamma, dbeta) of batchnorm_forward in closed form.

    Shapes as batchnorm_backward. Collapsing the graph in train mode gives
    dx = (gamma * istd / N) * (N * dout - sum_i dout_i - x_hat * sum_i (dout_i * x_hat_i)),
    with istd = 1 / sqrt(sigma_B^2 + eps): the gradient of x_hat with the
    components along 1 (the mean) and along x_hat (the variance) removed.
    Test mode: dx = dout * gamma * istd as in batchnorm_backward.
    """
    dout = _check_dout(dout, cache)
    gamma, x_hat, istd = cache["gamma"], cache["x_hat"], cache["istd"]
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    if cache["mode"] == "test":
        return dout * gamma * istd, dgamma, dbeta
    dx = (gamma * istd / N) * (N * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta
