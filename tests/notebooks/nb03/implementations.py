"""Hand-written implementations of notebook 03's graded functions, for the tests of its checks.

Valid alternatives (written independently of course_lib: index loops, scipy's
convolutions, a loop over output positions) and typical mistakes, each a
small change of a valid version. Caches are each implementation's own.
"""
import numpy as np
from scipy.signal import convolve2d, correlate2d


# ----------------------------------------------------------------------------- conv_delta
def conv_delta_loops(delta_next, w, sigma_prime_z):
    """Equation (7) index by index: lecture output x' is stored at x' - M + 1."""
    M, M2 = w.shape
    H, W = sigma_prime_z.shape
    delta = np.zeros((H, W))
    for x in range(H):
        for y in range(W):
            for i in range(delta_next.shape[0]):
                for j in range(delta_next.shape[1]):
                    a, b = i + M - 1 - x, j + M2 - 1 - y
                    if 0 <= a < M and 0 <= b < M2:
                        delta[x, y] += delta_next[i, j] * w[a, b]
    return delta * sigma_prime_z


def conv_delta_scipy(delta_next, w, sigma_prime_z):
    """A full convolution with the filter rotated by 180 degrees."""
    return convolve2d(delta_next, w[::-1, ::-1], mode="full") * sigma_prime_z


def conv_delta_unrotated(delta_next, w, sigma_prime_z):
    """Mistake: the full convolution with w itself."""
    return convolve2d(delta_next, w, mode="full") * sigma_prime_z


def conv_delta_no_sigma(delta_next, w, sigma_prime_z):
    return correlate2d(delta_next, w, mode="full")


def conv_delta_unpadded(delta_next, w, sigma_prime_z):
    """Mistake: a valid correlation, no zero padding (wrong shape)."""
    return correlate2d(delta_next, w, mode="valid")


# ----------------------------------------------------------------------------- conv2d
def conv_forward_positions(x, w, b, stride=1, pad=0, flip=False, bias=True, step=None, index_step=None):
    """Loop over output positions, einsum over (c, i, j); ``flip``/``bias``/``step``/``index_step`` produce
    mistakes (``step`` sizes the output and moves the window, ``index_step`` only moves the window)."""
    step = stride if step is None else step
    index_step = step if index_step is None else index_step
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    k = w[..., ::-1, ::-1] if flip else w
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    Ho = 1 + (H + 2 * pad - HH) // step
    Wo = 1 + (W + 2 * pad - WW) // step
    out = np.zeros((N, F, Ho, Wo))
    for yo in range(Ho):
        for xo in range(Wo):
            field = x_pad[:, :, yo * index_step:yo * index_step + HH, xo * index_step:xo * index_step + WW]
            out[:, :, yo, xo] = np.einsum("ncij,fcij->nf", field, k)
    if bias:
        out += b.reshape(1, F, 1, 1)
    return out, (x, w, b, stride, pad)


def conv_backward_positions(dout, cache, rotate_dx=False, flip_dw=False, db_scale=None, step=None,
                            crop="right", dw_scale=1.0):
    """The backward as a scatter per output position; the keyword arguments produce mistakes."""
    x, w, b, stride, pad = cache
    step = stride if step is None else step
    N, C, H, W = x.shape
    HH, WW = w.shape[2:]
    k = w[..., ::-1, ::-1] if rotate_dx else w
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    for yo in range(dout.shape[2]):
        for xo in range(dout.shape[3]):
            rows = slice(yo * step, yo * step + HH)
            cols = slice(xo * step, xo * step + WW)
            g = dout[:, :, yo, xo]
            dx_pad[:, :, rows, cols] += np.einsum("nf,fcij->ncij", g, k)
            dw += np.einsum("nf,ncij->fcij", g, x_pad[:, :, rows, cols])
    if crop == "right":
        dx = dx_pad[:, :, pad:pad + H, pad:pad + W]
    elif crop == "none":
        dx = dx_pad
    elif crop == "negative":
        dx = dx_pad[:, :, pad:-pad, pad:-pad]
    else:
        dx = dx_pad[:, :, :H, :W]
    if flip_dw:
        dw = dw[..., ::-1, ::-1]
    db = dout.sum(axis=(0, 2, 3)) if db_scale is None else db_scale(dout)
    return dx, dw * dw_scale, db


def conv_forward_scipy(x, w, b, stride=1, pad=0):
    """scipy's correlate2d per (n, f, c), then every stride-th position."""
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    N, C = x.shape[:2]
    F = w.shape[0]
    full = np.array([[sum(correlate2d(x_pad[n, c], w[f, c], mode="valid") for c in range(C))
                      for f in range(F)] for n in range(N)])
    out = full[:, :, ::stride, ::stride] + b.reshape(1, F, 1, 1)
    return out, {"x": x, "w": w, "stride": stride, "pad": pad}


def conv_backward_scipy(dout, cache):
    """dout dilated by the stride, then full convolutions: dx with w, dw as a correlation of x_pad with dout."""
    x, w, stride, pad = cache["x"], cache["w"], cache["stride"], cache["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    Hv, Wv = x_pad.shape[2] - HH + 1, x_pad.shape[3] - WW + 1
    dilated = np.zeros((N, F, Hv, Wv))
    dilated[:, :, ::stride, ::stride] = dout
    dx_pad = np.array([[sum(convolve2d(dilated[n, f], w[f, c], mode="full") for f in range(F))
                        for c in range(C)] for n in range(N)])
    dw = np.array([[sum(correlate2d(x_pad[n, c], dilated[n, f], mode="valid") for n in range(N))
                    for c in range(C)] for f in range(F)])
    return dx_pad[:, :, pad:pad + H, pad:pad + W], dw, dout.sum(axis=(0, 2, 3))


# ----------------------------------------------------------------------------- pooling
def _pool_windows(x, size, stride):
    N, C, H, W = x.shape
    for yo in range(1 + (H - size) // stride):
        for xo in range(1 + (W - size) // stride):
            yield yo, xo, slice(yo * stride, yo * stride + size), slice(xo * stride, xo * stride + size)


def maxpool_forward_loops(x, size=2, stride=2, reduce=np.max):
    N, C, H, W = x.shape
    out = np.zeros((N, C, 1 + (H - size) // stride, 1 + (W - size) // stride))
    for yo, xo, rows, cols in _pool_windows(x, size, stride):
        out[:, :, yo, xo] = reduce(x[:, :, rows, cols], axis=(2, 3))
    return out, (x, size, stride)


def maxpool_backward_loops(dout, cache, route="max", assign=False):
    """Per window, a mask of the maximum times dout; ``route``/``assign`` produce mistakes."""
    x, size, stride = cache
    dx = np.zeros_like(x)
    for yo, xo, rows, cols in _pool_windows(x, size, stride):
        window = x[:, :, rows, cols]
        g = dout[:, :, yo, xo][:, :, None, None]
        if route == "max":
            mask = window == window.max(axis=(2, 3), keepdims=True)
        elif route == "every":
            mask = np.ones_like(window, dtype=bool)
        elif route == "first":
            mask = np.zeros_like(window, dtype=bool)
            mask[:, :, 0, 0] = True
        elif route == "argmin":
            mask = window == window.min(axis=(2, 3), keepdims=True)
        part = mask * g
        if assign:
            dx[:, :, rows, cols] = part
        else:
            dx[:, :, rows, cols] += part
    return dx


def maxpool_forward_flat(x, size=2, stride=2):
    """Windows gathered with fancy indexing; the cache keeps the flat argmax."""
    N, C, H, W = x.shape
    Ho, Wo = 1 + (H - size) // stride, 1 + (W - size) // stride
    rows = (np.arange(Ho) * stride)[:, None] + np.arange(size)[None, :]      # (Ho, size)
    cols = (np.arange(Wo) * stride)[:, None] + np.arange(size)[None, :]      # (Wo, size)
    windows = x[:, :, rows[:, None, :, None], cols[None, :, None, :]]          # (N, C, Ho, Wo, size, size)
    flat = windows.reshape(N, C, Ho, Wo, -1)
    arg = flat.argmax(axis=-1)
    return flat.max(axis=-1), {"shape": x.shape, "arg": arg, "rows": rows, "cols": cols, "size": size}


def maxpool_backward_flat(dout, cache):
    N, C, H, W = cache["shape"]
    size, arg = cache["size"], cache["arg"]
    i, j = np.divmod(arg, size)
    Ho, Wo = arg.shape[2:]
    r = cache["rows"][np.arange(Ho)[:, None], i]                            # (N, C, Ho, Wo) via broadcasting
    c = cache["cols"][np.arange(Wo)[None, :], j]
    n_idx, c_idx = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
    dx = np.zeros((N, C, H, W))
    np.add.at(dx, (n_idx[:, :, None, None], c_idx[:, :, None, None], r, c), dout)
    return dx


def avgpool_forward_loops(x, size=2, stride=2):
    return maxpool_forward_loops(x, size, stride, reduce=np.mean)


def avgpool_backward_loops(dout, cache, scale=None, assign=False):
    x, size, stride = cache
    scale = 1.0 / size**2 if scale is None else scale
    dx = np.zeros_like(x)
    for yo, xo, rows, cols in _pool_windows(x, size, stride):
        part = np.broadcast_to(dout[:, :, yo, xo][:, :, None, None] * scale, (x.shape[0], x.shape[1], size, size))
        if assign:
            dx[:, :, rows, cols] = part
        else:
            dx[:, :, rows, cols] += part
    return dx
