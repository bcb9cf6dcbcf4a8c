"""Notebook 03 (CNN backpropagation): valid alternatives and typical mistakes, as answer cells.

A conv2d_backward or pooling backward cell reads the cache of the solution's
forward ((x_pad, w, stride, pad), (x, size, stride), (x.shape, size, stride)),
so a forward alternative keeps that cache too.
"""
from autograder.demo.answer_cells import Mistake, Variant

ALTERNATIVES = [
    Variant("conv_delta", "each delta^{l+1} entry scattered with the rotated filter", """\
def conv_delta(delta_next, w, sigma_prime_z):
    M, M2 = w.shape
    rotated = w[::-1, ::-1]
    delta = np.zeros(sigma_prime_z.shape)
    for i in range(delta_next.shape[0]):
        for j in range(delta_next.shape[1]):
            delta[i:i + M, j:j + M2] += delta_next[i, j] * rotated
    return sigma_prime_z * delta
"""),
    Variant("conv_delta", "scipy: a full convolution with the rotated filter", """\
from scipy.signal import convolve2d


def conv_delta(delta_next, w, sigma_prime_z):
    return convolve2d(delta_next, np.rot90(w, 2), mode="full") * sigma_prime_z
"""),
    Variant("conv2d_forward", "sliding_window_view and einsum", """\
from numpy.lib.stride_tricks import sliding_window_view


def conv2d_forward(x, w, b, stride=1, pad=0):
    F, _, HH, WW = w.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = sliding_window_view(x_pad, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    out = np.einsum("ncyxij,fcij->nfyx", windows, w) + b[None, :, None, None]
    return out, (x_pad, w, stride, pad)
"""),
    Variant("conv2d_backward", "loops over sample, filter and output position", """\
def conv2d_backward(dout, cache):
    x_pad, w, stride, pad = cache
    N, C, Hp, Wp = x_pad.shape
    F, _, HH, WW = w.shape
    dx_pad = np.zeros(x_pad.shape)
    dw = np.zeros(w.shape)
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            for yo in range(dout.shape[2]):
                for xo in range(dout.shape[3]):
                    g = dout[n, f, yo, xo]
                    y0, x0 = yo * stride, xo * stride
                    dw[f] += g * x_pad[n, :, y0:y0 + HH, x0:x0 + WW]
                    dx_pad[n, :, y0:y0 + HH, x0:x0 + WW] += g * w[f]
                    db[f] += g
    return dx_pad[:, :, pad:Hp - pad, pad:Wp - pad], dw, db
"""),
    Variant("maxpool_backward", "the argmax found on a float32 copy (no ties, so the same positions)", """\
def maxpool_backward(dout, cache):
    x, size, stride = cache
    N, C = x.shape[:2]
    dx = np.zeros(x.shape)
    small = x.astype(np.float32)
    for yo in range(dout.shape[2]):
        for xo in range(dout.shape[3]):
            y0, x0 = yo * stride, xo * stride
            window = small[:, :, y0:y0 + size, x0:x0 + size].reshape(N, C, -1)
            i, j = np.divmod(window.argmax(axis=2), size)
            for n in range(N):
                for c in range(C):
                    dx[n, c, y0 + i[n, c], x0 + j[n, c]] += dout[n, c, yo, xo]
    return dx
"""),
    Variant("avgpool_forward", "sliding_window_view", """\
from numpy.lib.stride_tricks import sliding_window_view


def avgpool_forward(x, size=2, stride=2):
    windows = sliding_window_view(x, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]
    return windows.mean(axis=(4, 5)), (x.shape, size, stride)
"""),
    Variant("avgpool_backward", "a loop over input pixels, gathering from the windows that hold them", """\
def avgpool_backward(dout, cache):
    x_shape, size, stride = cache
    H_out, W_out = dout.shape[2:]
    dx = np.zeros(x_shape)
    for y in range(x_shape[2]):
        for x in range(x_shape[3]):
            for yo in range(H_out):
                for xo in range(W_out):
                    if yo * stride <= y < yo * stride + size and xo * stride <= x < xo * stride + size:
                        dx[:, :, y, x] += dout[:, :, yo, xo] / (size * size)
    return dx
"""),
]

MISTAKES = [
    Mistake("conv_delta", "unrotated filter", """\
from scipy.signal import convolve2d


def conv_delta(delta_next, w, sigma_prime_z):
    return convolve2d(delta_next, w, mode="full") * sigma_prime_z
""", "rotated by 180 degrees"),
    Mistake("conv2d_backward", "dw computed with the flipped kernel", """\
def conv2d_backward(dout, cache):
    x_pad, w, stride, pad = cache
    N, C, Hp, Wp = x_pad.shape
    F, _, HH, WW = w.shape
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    for yo in range(dout.shape[2]):
        for xo in range(dout.shape[3]):
            rows = slice(yo * stride, yo * stride + HH)
            cols = slice(xo * stride, xo * stride + WW)
            g = dout[:, :, yo, xo]
            dw += np.einsum("nf,ncij->fcij", g, x_pad[:, :, rows, cols])
            dx_pad[:, :, rows, cols] += np.einsum("nf,fcij->ncij", g, w)
    dx = dx_pad[:, :, pad:Hp - pad, pad:Wp - pad]
    return dx, dw[:, :, ::-1, ::-1], dout.sum(axis=(0, 2, 3))
""", "do not flip the kernel for dw"),
    Mistake("conv2d_backward", "the padding of dx not cropped", """\
def conv2d_backward(dout, cache):
    x_pad, w, stride, pad = cache
    F, _, HH, WW = w.shape
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    for yo in range(dout.shape[2]):
        for xo in range(dout.shape[3]):
            rows = slice(yo * stride, yo * stride + HH)
            cols = slice(xo * stride, xo * stride + WW)
            g = dout[:, :, yo, xo]
            dw += np.einsum("nf,ncij->fcij", g, x_pad[:, :, rows, cols])
            dx_pad[:, :, rows, cols] += np.einsum("nf,fcij->ncij", g, w)
    return dx_pad, dw, dout.sum(axis=(0, 2, 3))
""", "crop the padding"),
    Mistake("maxpool_backward", "dout sent to every position of the window", """\
def maxpool_backward(dout, cache):
    x, size, stride = cache
    dx = np.zeros_like(x)
    for yo in range(dout.shape[2]):
        for xo in range(dout.shape[3]):
            rows = slice(yo * stride, yo * stride + size)
            cols = slice(xo * stride, xo * stride + size)
            dx[:, :, rows, cols] += dout[:, :, yo, xo][:, :, None, None]
    return dx
""", "dout sent to every position of its window"),
    Mistake("avgpool_backward", "dout not divided by size * size", """\
def avgpool_backward(dout, cache):
    x_shape, size, stride = cache
    dx = np.zeros(x_shape)
    for yo in range(dout.shape[2]):
        for xo in range(dout.shape[3]):
            dx[:, :, yo * stride:yo * stride + size, xo * stride:xo * stride + size] += \\
                dout[:, :, yo, xo][:, :, None, None]
    return dx
""", "without dividing by size*size"),
    Mistake("conv2d_forward", "a true convolution (kernel flipped) in the forward", """\
def conv2d_forward(x, w, b, stride=1, pad=0):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    flipped = w[:, :, ::-1, ::-1]
    out = np.zeros((N, F, H_out, W_out))
    for yo in range(H_out):
        for xo in range(W_out):
            window = x_pad[:, :, yo * stride:yo * stride + HH, xo * stride:xo * stride + WW]
            out[:, :, yo, xo] = np.einsum("ncij,fcij->nf", window, flipped)
    return out + b.reshape(1, F, 1, 1), (x_pad, w, stride, pad)
""", "rotated by 180 degrees", tests=("test_conv2d_forward", "test_conv2d_backward")),
]
