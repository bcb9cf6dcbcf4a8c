"""Multi-channel 2-D convolution layer (reference, vectorised with im2col).

The forward is a cross-correlation, as in PyTorch (the kernel is not flipped):

    out[n, f, y, x] = b[f] + sum_{c, i, j} w[f, c, i, j] * x_pad[n, c, y*stride + i, x*stride + j]

with x_pad the input zero-padded by ``pad`` on each side. With the columns
of im2col.py this is one matrix product per batch, out[n] = w_row @ cols[n]
where w_row = w.reshape(F, C*HH*WW). The backward follows from it:

    db = sum over n, y, x of dout
    dw = sum_n dout[n] @ cols[n].T        (dout[n] as an (F, H'*W') matrix)
    dx = col2im(w_row.T @ dout[n])        (the adjoint of im2col)

Written out, dx is dout zero-padded and convolved with the filter rotated
by 180 degrees (the lecture's delta recursion, equation (7), for many
channels, a stride and a padding); col2im does that rotation implicitly.
conv_loops.py computes the same thing with explicit loops.

How the code below does it, for speed (same formulas): the batch is cut
into chunks of a few samples whose columns fit in the CPU's cache, in the
flat layout of im2col.py (FlatLayout), where the chunk's columns sit side by
side, so each product above is one matrix product per chunk:

    forward   z = [w_row | b] @ [cols; 1]          (F, m*Q), cropped to out
    backward  [dw_row | db] += dz @ [cols; 1].T    (dz: dout spread over the positions)
              dcols = w_row.T @ dz, then col2im

The backward rebuilds the columns from x (kept in the cache) instead of
keeping them from the forward: a rebuild of a chunk in cache costs less than
writing and reading back C*HH*WW copies of the batch. Threads take chunks
in turn (batch_threads.py), as many as numpy's BLAS is allowed to use.
"""
import functools
import threading

import numpy as np

from course_lib.layers.batch_threads import blas_threads, run_chunks
from course_lib.layers.im2col import FlatLayout, conv_output_shape
from course_lib.validation import (
    ShapeError,
    as_float_array,
    check_ndim,
    check_nonnegative_int,
    check_positive_int,
    check_shape,
)

# Bytes of columns per chunk: small enough for a core's L2 cache with the
# other buffers of the chunk, large enough for efficient matrix products.
CHUNK_BYTES = 1 << 20
# Below this many column entries in the whole batch, threads cost more than they save.
MIN_PARALLEL_ENTRIES = 1 << 18


def check_conv_args(x, w, b, stride, pad):
    """Validate the arguments of a conv2d forward and return them with the output size.

    Returns (x, w, b, stride, pad, H_out, W_out). Shared by conv.py and
    conv_loops.py so both refuse the same inputs with the same messages.
    """
    x = as_float_array("x", x)
    w = as_float_array("w", w)
    b = as_float_array("b", b)
    check_ndim("x", x, 4, "(N, C, H, W)")
    check_ndim("w", w, 4, "(F, C, HH, WW)")
    if x.shape[1] != w.shape[1]:
        raise ShapeError(
            f"channel mismatch: x has C={x.shape[1]} channels (shape {x.shape}) but w "
            f"expects C={w.shape[1]} (shape {w.shape}); w must have shape "
            f"(F, {x.shape[1]}, HH, WW), with w.shape[1] equal to x.shape[1]."
        )
    check_shape("b", b, (w.shape[0],))
    stride = check_positive_int("stride", stride)
    pad = check_nonnegative_int("pad", pad)
    H, W = x.shape[2:]
    HH, WW = w.shape[2:]
    H_out, W_out = conv_output_shape(H, W, HH, WW, stride, pad)
    return x, w, b, stride, pad, H_out, W_out


@functools.lru_cache(maxsize=32)
def _layout(C, H, W, HH, WW, stride, pad):
    return FlatLayout(C, H, W, HH, WW, stride, pad)


class _Buffers:
    """One thread's work arrays for chunks of a layout, reused from call to call."""

    def __init__(self, layout, chunk, dtype, F):
        self.images = layout.image_buffer(chunk, dtype)     # x, zero-padded; only the interior is written
        self.cols = layout.column_buffer(chunk, dtype)      # (K + 1, chunk*Q), last row ones
        self.z = np.empty((F, chunk * layout.Q), dtype=dtype)
        self.dz = np.zeros((F, chunk * layout.Q), dtype=dtype)  # garbage positions stay 0
        self.dcols = np.empty((layout.K, chunk * layout.Q), dtype=dtype)
        self.dx = layout.image_buffer(chunk, dtype)


_local = threading.local()


def _buffers(layout, chunk, dtype, F):
    cache = getattr(_local, "buffers", None)
    if cache is None:
        cache = _local.buffers = {}
    key = (id(layout), chunk, np.dtype(dtype), F)
    if key not in cache:
        if len(cache) >= 4:        # a few shapes in use at once; forget the oldest
            del cache[next(iter(cache))]
        cache[key] = _Buffers(layout, chunk, dtype, F)
    return cache[key]


def _plan(layout, N):
    """Chunk size (samples), number of chunks and number of threads for a batch of N."""
    per_sample = (layout.K + 1) * layout.Q * 8
    chunk = max(1, min(N, CHUNK_BYTES // per_sample))
    n_chunks = -(-N // chunk)
    threads = blas_threads() if N * (layout.K + 1) * layout.Q >= MIN_PARALLEL_ENTRIES else 1
    return chunk, n_chunks, threads


def conv2d_forward(x, w, b, stride=1, pad=0):
    """Convolution (cross-correlation) of a batch of images with F filters.

    Shapes: x (N, C, H, W), w (F, C, HH, WW), b (F,) -> out (N, F, H', W') with
    H' = 1 + (H + 2 pad - HH) / stride and W' = 1 + (W + 2 pad - WW) / stride,
    which must be whole numbers. stride >= 1 and pad >= 0 are integers.
    out[n, f] = b[f] + sum_c (x_pad[n, c] cross-correlated with w[f, c], every stride-th position).
    The cache is opaque: pass it to conv2d_backward (it refers to x, not a copy).
    """
    x, w, b, stride, pad, H_out, W_out = check_conv_args(x, w, b, stride, pad)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    layout = _layout(C, H, W, HH, WW, stride, pad)
    dtype = np.result_type(x, w, b)
    # The bias is one more column of weights, multiplied by cols' row of ones.
    w_aug = np.concatenate([w.reshape(F, -1), b.reshape(F, 1)], axis=1).astype(dtype, copy=False)
    out = np.empty((N, F, H_out, W_out), dtype=dtype)
    chunk, n_chunks, threads = _plan(layout, N)

    def process(claim):
        buf = _buffers(layout, chunk, dtype, F)
        while (k := claim()) is not None:
            n0, m = k * chunk, min(chunk, N - k * chunk)
            layout.put_images(buf.images, x[n0:n0 + m])
            cols = layout.im2col(buf.images, buf.cols, m)                 # (K + 1, m*Q)
            z = buf.z[:, :m * layout.Q]                                   # (F, m*Q)
            np.matmul(w_aug, layout.per_sample(cols, m), out=layout.per_sample(z, m))
            out[n0:n0 + m] = layout.positions(z, m)

    run_chunks(process, n_chunks, threads)
    cache = (x, w, layout, dtype, out.shape)
    return out, cache


def conv2d_backward(dout, cache):
    """Gradients of conv2d_forward.

    Shapes: dout (N, F, H', W') -> dx (N, C, H, W), dw (F, C, HH, WW), db (F,).
    db[f] = sum_{n,y,x} dout[n, f, y, x];
    dw[f, c, i, j] = sum_{n,y,x} dout[n, f, y, x] * x_pad[n, c, y*stride + i, x*stride + j];
    dx[n, c] = the padding-cropped sum over f and offsets of w[f, c, i, j] * dout[n, f]
    placed at stride-spaced positions, i.e. a "full" convolution of dout with w.
    """
    x, w, layout, dtype, out_shape = cache
    N = x.shape[0]
    F = w.shape[0]
    dout = as_float_array("dout", dout)
    check_shape("dout", dout, out_shape)
    w_row_t = w.reshape(F, -1).T.astype(dtype, copy=False)               # (K, F)
    dtype = np.result_type(dtype, dout)
    dx = np.empty(x.shape, dtype=dtype)
    chunk, n_chunks, threads = _plan(layout, N)

    def process(claim):
        buf = _buffers(layout, chunk, dtype, F)
        dw_aug = np.zeros((F, layout.K + 1), dtype=dtype)
        while (k := claim()) is not None:
            n0, m = k * chunk, min(chunk, N - k * chunk)
            layout.put_images(buf.images, x[n0:n0 + m])
            cols = layout.im2col(buf.images, buf.cols, m)                 # (K + 1, m*Q)
            dz = buf.dz[:, :m * layout.Q]
            layout.positions(dz, m)[...] = dout[n0:n0 + m]                # 0 elsewhere
            dz_n = layout.per_sample(dz, m)                               # (m, F, Q)
            dw_aug += np.matmul(dz_n, layout.per_sample(cols, m).transpose(0, 2, 1)).sum(axis=0)
            dcols = buf.dcols[:, :m * layout.Q]                           # (K, m*Q)
            np.matmul(w_row_t, dz_n, out=layout.per_sample(dcols, m))
            layout.col2im(dcols, buf.dx, m)
            layout.take_images(buf.dx, dx[n0:n0 + m])
        return dw_aug

    dw_aug = sum(run_chunks(process, n_chunks, threads))
    return dx, dw_aug[:, :-1].reshape(w.shape), dw_aug[:, -1].copy()
