"""Notebook 03's hidden grading checks: valid implementations pass, mistakes fail with a diagnosis."""
from functools import partial

import numpy as np
import pytest

from autograder.checks import nb03 as g
from course_lib.layers import (
    avgpool_backward,
    avgpool_forward,
    conv2d_backward,
    conv2d_backward_loops,
    conv2d_forward,
    conv2d_forward_loops,
    conv_delta,
    maxpool_backward,
    maxpool_forward,
)
from course_lib.selfcheck.core import CheckFailure
from tests.notebooks.nb03 import implementations as v

F, B = v.conv_forward_positions, v.conv_backward_positions

RIGHT = [
    ("conv_delta reference", g.grade_conv_delta, (conv_delta,)),
    ("conv_delta loops", g.grade_conv_delta, (v.conv_delta_loops,)),
    ("conv_delta scipy", g.grade_conv_delta, (v.conv_delta_scipy,)),
    ("conv2d_forward im2col", g.grade_conv2d_forward, (conv2d_forward,)),
    ("conv2d_forward loops", g.grade_conv2d_forward, (conv2d_forward_loops,)),
    ("conv2d_forward scipy", g.grade_conv2d_forward, (v.conv_forward_scipy,)),
    ("conv2d_backward im2col", g.grade_conv2d_backward, (conv2d_forward, conv2d_backward)),
    ("conv2d_backward loops", g.grade_conv2d_backward, (conv2d_forward_loops, conv2d_backward_loops)),
    ("conv2d_backward positions", g.grade_conv2d_backward, (F, B)),
    ("conv2d_backward scipy", g.grade_conv2d_backward, (v.conv_forward_scipy, v.conv_backward_scipy)),
    ("maxpool_forward reference", g.grade_maxpool_forward, (maxpool_forward,)),
    ("maxpool_forward flat", g.grade_maxpool_forward, (v.maxpool_forward_flat,)),
    ("maxpool_backward reference", g.grade_maxpool_backward, (maxpool_forward, maxpool_backward)),
    ("maxpool_backward loops", g.grade_maxpool_backward, (v.maxpool_forward_loops, v.maxpool_backward_loops)),
    ("maxpool_backward flat", g.grade_maxpool_backward, (v.maxpool_forward_flat, v.maxpool_backward_flat)),
    ("avgpool_forward reference", g.grade_avgpool_forward, (avgpool_forward,)),
    ("avgpool_forward loops", g.grade_avgpool_forward, (v.avgpool_forward_loops,)),
    ("avgpool_backward reference", g.grade_avgpool_backward, (avgpool_forward, avgpool_backward)),
    ("avgpool_backward loops", g.grade_avgpool_backward, (v.avgpool_forward_loops, v.avgpool_backward_loops)),
]


@pytest.mark.parametrize("label, grade, fns", RIGHT, ids=[r[0] for r in RIGHT])
def test_valid_implementations_get_full_marks(label, grade, fns):
    grade(*fns)  # raises CheckFailure on a wrong answer


MISTAKES = [
    ("conv_delta unrotated", g.grade_conv_delta, (v.conv_delta_unrotated,),
     ["conv_delta, case 1/3 (z^l 6x7, filter 3x2, delta^(l+1) 4x6): delta^l wrong in 42 of 42 entries; it equals "
      "the expected delta^l computed with the filter rotated by 180 degrees"]),
    ("conv_delta without sigma'", g.grade_conv_delta, (v.conv_delta_no_sigma,), ["without the factor sigma'"]),
    ("conv2d_forward flipped kernel", g.grade_conv2d_forward, (partial(F, flip=True),),
     ["rotated by 180 degrees: this layer is a cross-correlation"]),
    ("conv2d_forward without stride", g.grade_conv2d_forward,
     (lambda x, w, b, stride=1, pad=0: F(x, w, b, stride, pad, step=1),),
     ["case 2/5 (N=2, C=4, H=9, W=13, F=3, 3x5, stride 2, pad 0): out has shape (2, 3, 7, 9)", "stride 1"]),
    ("conv2d dx unrotated", g.grade_conv2d_backward, (F, partial(B, rotate_dx=True)),
     ["(N=2, C=3, H=6, W=7, F=4, 3x2, stride 1, pad 1): dx wrong in 252 of 252 entries; it equals the expected dx "
      "computed with the kernel rotated by 180 degrees"]),
    ("conv2d dw flipped", g.grade_conv2d_backward, (F, partial(B, flip_dw=True)),
     ["dw wrong in 72 of 72 entries; it equals the expected dw rotated by 180 degrees: do not flip the kernel for dw"]),
    ("conv2d db averaged over the batch", g.grade_conv2d_backward,
     (F, partial(B, db_scale=lambda d: d.sum(axis=(0, 2, 3)) / d.shape[0])), ["db wrong in", "times 1/N"]),
    ("conv2d db averaged over everything", g.grade_conv2d_backward,
     (F, partial(B, db_scale=lambda d: d.mean(axis=(0, 2, 3)))), ["times 1/(N*H'*W')"]),
    ("conv2d backward without stride", g.grade_conv2d_backward, (F, partial(B, step=1)),
     ["case 2/5 (N=2, C=4, H=9, W=13, F=3, 3x5, stride 2, pad 0): dx wrong in", "as if the stride were 1"]),
    ("conv2d padding not cropped", g.grade_conv2d_backward, (F, partial(B, crop="none")),
     ["dx has shape (2, 3, 8, 9) but must have shape (2, 3, 6, 7)", "crop the padding"]),
    ("conv2d backward consistent with a wrong forward", g.grade_conv2d_backward,
     (partial(F, flip=True), partial(B, rotate_dx=True, flip_dw=True)),
     ["fix the forward first. Your conv2d_backward agrees with finite differences of your own forward"]),
    ("maxpool to every position", g.grade_maxpool_backward,
     (v.maxpool_forward_loops, partial(v.maxpool_backward_loops, route="every")),
     ["case 1/4 (N=2, C=3, H=6, W=8, 2x2 windows, stride 2): dx wrong in 216 of 288 entries",
      "dout sent to every position of its window"]),
    ("maxpool to the top-left", g.grade_maxpool_backward,
     (v.maxpool_forward_loops, partial(v.maxpool_backward_loops, route="first")), ["top-left position"]),
    ("maxpool to the minimum", g.grade_maxpool_backward,
     (v.maxpool_forward_loops, partial(v.maxpool_backward_loops, route="argmin")), ["to the minimum"]),
    ("maxpool overlaps assigned", g.grade_maxpool_backward,
     (v.maxpool_forward_loops, partial(v.maxpool_backward_loops, assign=True)), ["do not assign"]),
    ("avgpool forward sums", g.grade_avgpool_forward,
     (lambda x, size=2, stride=2: v.maxpool_forward_loops(x, size, stride, reduce=np.sum),),
     ["the sum of every window"]),
    ("avgpool not divided", g.grade_avgpool_backward,
     (v.avgpool_forward_loops, partial(v.avgpool_backward_loops, scale=1.0)), ["without dividing by size*size"]),
    ("avgpool divided by size", g.grade_avgpool_backward,
     (v.avgpool_forward_loops, lambda d, c: v.avgpool_backward_loops(d, c, scale=1.0 / c[1])), ["dout / size"]),
]


@pytest.mark.parametrize("label, grade, fns, phrases", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_mistakes_fail_with_a_diagnosis(label, grade, fns, phrases):
    with pytest.raises(CheckFailure) as failure:
        grade(*fns)
    for phrase in phrases:
        assert phrase in str(failure.value), str(failure.value)


def test_a_forward_mistake_and_a_backward_mistake_are_told_apart():
    """With a wrong forward, finite differences of that forward say whether the backward is consistent with it."""
    with pytest.raises(CheckFailure) as failure:
        g.grade_conv2d_backward(partial(F, bias=False), B)
    message = str(failure.value)
    assert "fix the forward first" in message and "also disagrees with finite differences" in message
    with pytest.raises(CheckFailure) as failure:
        g.grade_maxpool_backward(partial(v.maxpool_forward_loops, reduce=np.min),
                                 partial(v.maxpool_backward_loops, route="argmin"))
    assert "agrees with finite differences of your own forward" in str(failure.value)
    assert "the minimum of every window" in str(failure.value)


def test_stubs_raise_not_implemented():
    def stub(*args, **kwargs):
        raise NotImplementedError()
    for grade, fns in [(g.grade_conv_delta, (stub,)), (g.grade_conv2d_backward, (conv2d_forward, stub)),
                       (g.grade_maxpool_backward, (stub, stub)), (g.grade_avgpool_forward, (stub,))]:
        with pytest.raises(NotImplementedError):
            grade(*fns)


def test_the_mistake_builders_agree_with_the_references():
    """conv_scatter with the right step is the reference gradient; pool_route with the argmax is maxpool's."""
    rng = np.random.default_rng(5)
    for case in g.CONV2D_CASES:
        x, w, b, dout = g.conv_inputs(case, rng)
        stride, pad = case[-2:]
        H, W = x.shape[2:]
        dx, dw, _ = conv2d_backward(dout, conv2d_forward(x, w, b, stride, pad)[1])
        dx_pad, dw_scatter = g.conv_scatter(x, w, dout, stride, pad)
        np.testing.assert_allclose(dx_pad[:, :, pad:pad + H, pad:pad + W], dx, atol=1e-12)
        np.testing.assert_allclose(dw_scatter, dw, atol=1e-12)
    for case in g.POOL_CASES:
        x, dout = g.pool_inputs(case, rng)
        size, stride = case[-2:]
        dx = maxpool_backward(dout, maxpool_forward(x, size, stride)[1])
        routed = g.pool_route(x, size, stride, dout, lambda win, d: d * (win == win.max()))
        np.testing.assert_allclose(routed, dx, atol=1e-14)


def test_pooling_inputs_have_no_ties():
    rng = np.random.default_rng(6)
    for case in g.POOL_CASES:
        x, _ = g.pool_inputs(case, rng)
        gaps = np.diff(np.sort(x.ravel()))
        assert gaps.min() > 0.07
