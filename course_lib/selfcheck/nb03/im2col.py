"""The per-case check of im2col (optional, no points): the column layout of course_lib/layers/im2col.py.

    cols[n, (c*HH + i)*WW + j, y*W' + x] = x_pad[n, c, y*stride + i, x*stride + j]

On an Im2colCase (cases.py): x left untouched, the shape (N, C*HH*WW, H'*W'),
the values against the expected ones and the known mistakes (mistakes.py).
"""
import numpy as np

from course_lib.selfcheck.common import VALUE_TOL
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb03.cases import conv_output_size
from course_lib.selfcheck.nb03.compare import require_close
from course_lib.selfcheck.nb03.mistakes import IM2COL_MISTAKES


def check_im2col_case(im2col, case):
    x, HH, WW, stride, pad = case.x, case.HH, case.WW, case.stride, case.pad
    N, C, H, W = x.shape
    Ho, Wo = conv_output_size(H, W, HH, WW, stride, pad)
    K, P = C * HH * WW, Ho * Wo
    context = f"im2col, {case.label} (N={N}, C={C}, H={H}, W={W}, {HH}x{WW}, stride {stride}, pad {pad})"
    x_in = x.copy()
    cols = im2col(x_in, HH, WW, stride, pad)
    if not np.array_equal(x_in, x):
        raise CheckFailure(f"{context}: x was modified in place; pad a copy (np.pad returns a new array).")
    hints = {
        (N, P, K): ("that is each sample's matrix transposed: rows are the C*HH*WW entries of one receptive "
                    "field, columns the H'*W' output positions"),
        (K, N * P): "keep the batch axis first: one (C*HH*WW, H'*W') matrix per sample, shape (N, K, P)",
        (N * P, K): "keep the batch axis first: one (C*HH*WW, H'*W') matrix per sample, shape (N, K, P)",
    }
    hints.pop((N, K, P), None)
    require_close(context, "cols", case.cols, cols, IM2COL_MISTAKES, case.mistakes.get("cols"), tol=VALUE_TOL,
                  layout="(N, C*HH*WW, H'*W')", shape_hints=hints)
