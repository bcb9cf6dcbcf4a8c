"""Notebook 03's named mistakes: what a wrong answer equals, in words a student can act on.

Each text completes the sentence "<name> wrong in k of n entries; it equals ...". The
catalogues are keyed by mistake; the arrays these mistakes give on a case are built on
the trusted side (autograder/checks/nb03/mistaken.py, same keys) and, for the
self-check, stored with the notebook (cases.py reads them back). ``OUTPUT_MISTAKES``
groups the catalogues by the output they describe, as a case holds its mistakes.
"""

CONV_DELTA_MISTAKES = {
    "rotated_kernel": (
        "the expected delta^l computed with the filter rotated by 180 degrees. Equation (7) multiplies "
        "delta^(l+1)_{x',y'} by w_{x'-x, y'-y}: as a sliding dot product (cross-correlation) over the "
        "zero-padded delta^(l+1) that is w as it is, as a convolution in the strict sense (like equation (2), "
        "or scipy.signal.convolve2d) it is w rotated by 180 degrees; you rotated once too often or too few times"
    ),
    "flip_rows": (
        "the expected delta^l computed with the filter flipped upside down only (w[::-1, :]): a rotation by "
        "180 degrees reverses BOTH axes of the filter; treat the row offset x' - x and the column offset "
        "y' - y the same way"
    ),
    "flip_cols": (
        "the expected delta^l computed with the filter mirrored left-right only (w[:, ::-1]): a rotation by "
        "180 degrees reverses BOTH axes of the filter; treat the row offset x' - x and the column offset "
        "y' - y the same way"
    ),
    "no_sigma": (
        "the sum of equation (7) without the factor sigma'(z^l_{x,y}): multiply the result entrywise by "
        "sigma_prime_z"
    ),
}

CONV2D_OUT_MISTAKES = {
    "flipped_kernel": (
        "the expected output computed with every kernel rotated by 180 degrees: this layer is a "
        "cross-correlation, as in PyTorch, out[n, f, y, x] = b[f] + sum over c, i, j of "
        "w[f, c, i, j] * x_pad[n, c, y*stride + i, x*stride + j]; slide w as it is, without the flip of the "
        "lecture's equation (2)"
    ),
    "no_bias": "the expected output without the bias: add b[f] to every output pixel of filter f",
    "no_stride": (
        "the first H' x W' outputs of a stride-1 convolution: the output has the right size, but its window "
        "(y, x) starts at row y and column x of the padded input; it starts at row y*stride and column "
        "x*stride, x_pad[n, :, y*stride:y*stride + HH, x*stride:x*stride + WW]"
    ),
}

CONV2D_DX_MISTAKES = {
    "rotated_kernel": (
        "the expected dx computed with the kernel rotated by 180 degrees. dout[n, f, y, x] goes back to the "
        "input x_pad[n, c, y*stride + i, x*stride + j] it came from, times the very weight w[f, c, i, j] that "
        "multiplied it (dx_pad[n, :, y*stride + i, x*stride + j] += dout[n, f, y, x] * w[f, :, i, j]); "
        "written as a sliding window over dout this is the lecture's rotated filter, so do not rotate w "
        "yourself on top of a scatter (or of a cross-correlation of dout with the rotated w)"
    ),
    "no_stride": (
        "the gradient of a layer whose output (y, x) reads the input from row y and column x on, as if the "
        "stride were 1: in the backward as in the forward, the receptive field of output (y, x) starts at row "
        "y*stride and column x*stride of the padded input"
    ),
    "wrong_crop": (
        "the gradient of the padded input cut at its top-left corner (dx_pad[:, :, :H, :W]): the image sits "
        "at rows and columns pad, ..., pad + H - 1 of the padded input, so crop "
        "dx_pad[:, :, pad:pad + H, pad:pad + W]"
    ),
}

CONV2D_DW_MISTAKES = {
    "flipped": (
        "the expected dw rotated by 180 degrees: do not flip the kernel for dw; dw[f, c, i, j] adds up "
        "dout[n, f, y, x] times the input x_pad[n, c, y*stride + i, x*stride + j] that w[f, c, i, j] "
        "multiplied in the forward"
    ),
    "no_stride": CONV2D_DX_MISTAKES["no_stride"],
    "averaged": (
        "the expected dw times 1/N: a layer's backward SUMS over the samples of the batch (a 1/N of a mean "
        "loss is already inside dout)"
    ),
}

CONV2D_DB_MISTAKES = {
    "mean_batch": (
        "the expected db times 1/N: db[f] is the SUM of dout[n, f, y, x] over the batch and over all "
        "positions, not a mean"
    ),
    "mean_all": (
        "the expected db times 1/(N*H'*W'), a mean over the batch and the positions: db[f] is the SUM of "
        "dout[n, f, y, x] over n, y and x"
    ),
    "mean_positions": (
        "the expected db times 1/(H'*W'), a mean over the positions: the bias b[f] is added to every one of "
        "the H'*W' outputs of filter f, so db[f] SUMS dout[n, f, y, x] over n, y and x"
    ),
}

_OVERWRITE = (
    "the gradient with overlapping windows written over each other: when stride < size a pixel belongs to "
    "several windows and collects a contribution from each of them; add them up (+=), do not assign (=)"
)

MAXPOOL_OUT_MISTAKES = {
    "mean": "the mean of every window: max pooling keeps the largest entry of each window",
    "min": "the minimum of every window: max pooling keeps the largest entry",
    "first": "the top-left entry of every window: take the maximum over the whole size x size window",
}

MAXPOOL_DX_MISTAKES = {
    "every": (
        "dout sent to every position of its window: only the maximum of a window influences the output, so "
        "only that position receives dout; the other size*size - 1 positions get 0"
    ),
    "average": (
        "dout / size^2 spread over the window, which is the gradient of average pooling: max pooling sends "
        "all of dout to the position of the window's maximum"
    ),
    "first": "dout sent to the top-left position of every window: send it to the position of the window's maximum",
    "argmin": "dout sent to the minimum of every window: send it to the maximum",
    "swapped": (
        "dout sent to the maximum's position with its row and column inside the window swapped: the "
        "argmax k of a flattened size x size window is at row k // size and column k % size"
    ),
    "mask": "the 0/1 mask of the window maxima: multiply the mask by dout",
    "overwrite_window": _OVERWRITE,
    "overwrite_point": _OVERWRITE,
}

AVGPOOL_OUT_MISTAKES = {
    "sum": "the sum of every window: divide by the size*size entries of the window",
    "max": "the maximum of every window: average pooling takes the mean",
}

AVGPOOL_DX_MISTAKES = {
    "no_divide": (
        "dout copied to every position of its window without dividing by size*size: each input enters the "
        "mean with weight 1/size^2, so it receives dout / size^2"
    ),
    "divide_size": "dout / size spread over the window: divide by size*size, the number of entries of a window",
    "overwrite_window": _OVERWRITE,
}

IM2COL_MISTAKES = {
    "rows_ijc": (
        "the right receptive fields with their rows in (i, j, c) order: flatten a field in the order "
        "(c, i, j), row (c*HH + i)*WW + j, the order of w.reshape(F, C*HH*WW)"
    ),
    "positions_transposed": (
        "the right receptive fields with the output positions in column-major order: column y*W' + x holds "
        "the field of output (y, x) (row-major over the output)"
    ),
}


OUTPUT_MISTAKES = {
    "conv_delta": {"delta": CONV_DELTA_MISTAKES},
    "conv2d": {"out": CONV2D_OUT_MISTAKES, "dx": CONV2D_DX_MISTAKES, "dw": CONV2D_DW_MISTAKES,
               "db": CONV2D_DB_MISTAKES},
    "maxpool": {"out": MAXPOOL_OUT_MISTAKES, "dx": MAXPOOL_DX_MISTAKES},
    "avgpool": {"out": AVGPOOL_OUT_MISTAKES, "dx": AVGPOOL_DX_MISTAKES},
    "im2col": {"cols": IM2COL_MISTAKES},
}
"""{kind of case: {output name: catalogue}}, the outputs in the order the stored values list them."""
