"""Stored expected values of notebook 03's self-checks, computed from course_lib's references.

Inputs are stored next to the outputs, so a self-check replays exactly the
case the values were computed for, and so are the answers of the known
mistakes (keyed as the catalogues in course_lib/selfcheck/nb03.py), so the
self-check can name a mistake without any reference code. Keys:
  conv_delta_n, conv_delta_{k}_{delta_next,w,sigma_prime_z,delta}, conv_delta_{k}_delta__{mistake}
  conv2d_n, conv2d_{k}_{x,w,b,stride,pad,dout,out,dx,dw,db}, conv2d_{k}_{out,dx,dw,db}__{mistake}
  {maxpool,avgpool}_n, .._{k}_{x,size,stride,dout,out,dx}, .._{k}_{out,dx}__{mistake}
  im2col_n, im2col_{k}_{x,HH,WW,stride,pad,cols}, im2col_{k}_cols__{mistake}
The shapes differ from those of the hidden grading checks (autograder/checks/nb03.py).
"""
import numpy as np

from autograder.checks.nb03 import (
    POOL_REFERENCES,
    conv2d_mistakes,
    conv_delta_inputs,
    conv_delta_mistakes,
    conv_inputs,
    im2col_mistakes,
    pool_inputs,
)
from course_lib.layers.conv import conv2d_backward, conv2d_forward
from course_lib.layers.conv_delta import conv_delta
from course_lib.layers.im2col import im2col

CONV_DELTA_SHAPES = [(6, 7, 3, 2), (5, 8, 2, 4), (7, 4, 4, 2)]
# (N, C, H, W, F, HH, WW, stride, pad); the first is DESIGN.md's example case.
CONV2D_CASES = [
    (2, 3, 5, 7, 4, 3, 3, 2, 1),
    (4, 2, 6, 5, 3, 2, 3, 1, 0),
    (1, 2, 7, 8, 3, 3, 2, 2, 1),
]
# (N, C, H, W, size, stride)
POOL_CASES = [
    (2, 3, 4, 6, 2, 2),
    (1, 2, 7, 5, 3, 2),
    (3, 2, 6, 9, 3, 3),
]
# (N, C, H, W, HH, WW, stride, pad)
IM2COL_CASES = [
    (2, 3, 5, 6, 3, 2, 1, 1),
    (1, 2, 7, 9, 3, 3, 2, 0),
]


def _put_mistakes(values, prefix, name, mistakes):
    for key, value in mistakes.items():
        values[f"{prefix}_{name}__{key}"] = value


def build():
    values = {}
    rng = np.random.default_rng(20240303)

    values["conv_delta_n"] = np.array(len(CONV_DELTA_SHAPES))
    for k, shape in enumerate(CONV_DELTA_SHAPES):
        p = f"conv_delta_{k}"
        delta_next, w, sp = conv_delta_inputs(shape, rng)
        values.update({f"{p}_delta_next": delta_next, f"{p}_w": w, f"{p}_sigma_prime_z": sp,
                       f"{p}_delta": conv_delta(delta_next, w, sp)})
        _put_mistakes(values, p, "delta", conv_delta_mistakes(delta_next, w, sp))

    values["conv2d_n"] = np.array(len(CONV2D_CASES))
    for k, case in enumerate(CONV2D_CASES):
        p = f"conv2d_{k}"
        x, w, b, dout = conv_inputs(case, rng)
        stride, pad = case[-2:]
        out, cache = conv2d_forward(x, w, b, stride, pad)
        dx, dw, db = conv2d_backward(dout, cache)
        values.update({f"{p}_x": x, f"{p}_w": w, f"{p}_b": b, f"{p}_stride": np.array(stride),
                       f"{p}_pad": np.array(pad), f"{p}_dout": dout, f"{p}_out": out, f"{p}_dx": dx,
                       f"{p}_dw": dw, f"{p}_db": db})
        for name, mistakes in conv2d_mistakes(x, w, b, stride, pad, dout).items():
            _put_mistakes(values, p, name, mistakes)

    for kind, (forward, backward, mistakes_fn) in POOL_REFERENCES.items():
        values[f"{kind}_n"] = np.array(len(POOL_CASES))
        for k, case in enumerate(POOL_CASES):
            p = f"{kind}_{k}"
            x, dout = pool_inputs(case, rng)
            size, stride = case[-2:]
            out, cache = forward(x, size, stride)
            values.update({f"{p}_x": x, f"{p}_size": np.array(size), f"{p}_stride": np.array(stride),
                           f"{p}_dout": dout, f"{p}_out": out, f"{p}_dx": backward(dout, cache)})
            for name, mistakes in mistakes_fn(x, size, stride, dout).items():
                _put_mistakes(values, p, name, mistakes)

    values["im2col_n"] = np.array(len(IM2COL_CASES))
    for k, (N, C, H, W, HH, WW, stride, pad) in enumerate(IM2COL_CASES):
        p = f"im2col_{k}"
        x = rng.standard_normal((N, C, H, W))
        values.update({f"{p}_x": x, f"{p}_HH": np.array(HH), f"{p}_WW": np.array(WW),
                       f"{p}_stride": np.array(stride), f"{p}_pad": np.array(pad),
                       f"{p}_cols": im2col(x, HH, WW, stride, pad)})
        _put_mistakes(values, p, "cols", im2col_mistakes(x, HH, WW, stride, pad))
    return values
