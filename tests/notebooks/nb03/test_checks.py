"""Notebook 03's visible self-checks: right answers pass, typical mistakes are named, stubs explain."""
import subprocess
import sys
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from autograder.checks.nb03.stored import build as build_stored
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
from course_lib.layers.im2col import im2col
from course_lib.selfcheck import nb03
from course_lib.selfcheck.common import MATCH_TOL, misfit
from course_lib.selfcheck.core import evaluate
from course_lib.selfcheck.expected import EXPECTED_DIR
from tests.notebooks.nb03 import implementations as v

ROOT = Path(__file__).resolve().parents[3]
F, B = v.conv_forward_positions, v.conv_backward_positions

RIGHT = [
    ("conv_delta reference", nb03.check_conv_delta, (conv_delta,)),
    ("conv_delta loops", nb03.check_conv_delta, (v.conv_delta_loops,)),
    ("conv_delta scipy", nb03.check_conv_delta, (v.conv_delta_scipy,)),
    ("conv2d_forward im2col", nb03.check_conv2d_forward, (conv2d_forward,)),
    ("conv2d_forward positions", nb03.check_conv2d_forward, (F,)),
    ("conv2d_forward scipy", nb03.check_conv2d_forward, (v.conv_forward_scipy,)),
    ("conv2d_backward im2col", nb03.check_conv2d_backward, (conv2d_forward, conv2d_backward)),
    ("conv2d_backward loops", nb03.check_conv2d_backward, (conv2d_forward_loops, conv2d_backward_loops)),
    ("conv2d_backward positions", nb03.check_conv2d_backward, (F, B)),
    ("conv2d_backward scipy", nb03.check_conv2d_backward, (v.conv_forward_scipy, v.conv_backward_scipy)),
    ("maxpool_forward reference", nb03.check_maxpool_forward, (maxpool_forward,)),
    ("maxpool_forward loops", nb03.check_maxpool_forward, (v.maxpool_forward_loops,)),
    ("maxpool_forward flat", nb03.check_maxpool_forward, (v.maxpool_forward_flat,)),
    ("maxpool_backward reference", nb03.check_maxpool_backward, (maxpool_forward, maxpool_backward)),
    ("maxpool_backward loops", nb03.check_maxpool_backward, (v.maxpool_forward_loops, v.maxpool_backward_loops)),
    ("maxpool_backward flat", nb03.check_maxpool_backward, (v.maxpool_forward_flat, v.maxpool_backward_flat)),
    ("avgpool_forward reference", nb03.check_avgpool_forward, (avgpool_forward,)),
    ("avgpool_forward loops", nb03.check_avgpool_forward, (v.avgpool_forward_loops,)),
    ("avgpool_backward reference", nb03.check_avgpool_backward, (avgpool_forward, avgpool_backward)),
    ("avgpool_backward loops", nb03.check_avgpool_backward, (v.avgpool_forward_loops, v.avgpool_backward_loops)),
    ("im2col reference", nb03.check_im2col, (im2col,)),
]


@pytest.mark.parametrize("label, check, fns", RIGHT, ids=[r[0] for r in RIGHT])
def test_right_answers_pass(label, check, fns):
    result = evaluate(label, check, *fns)
    assert result.passed, result.message


def _db_over_batch(dout):
    return dout.sum(axis=(0, 2, 3)) / dout.shape[0]


def _im2col_transposed(x, HH, WW, stride, pad):
    return im2col(x, HH, WW, stride, pad).transpose(0, 2, 1)


def _im2col_ijc(x, HH, WW, stride, pad):
    cols = im2col(x, HH, WW, stride, pad)
    N, C = x.shape[:2]
    return cols.reshape(N, C, HH, WW, -1).transpose(0, 2, 3, 1, 4).reshape(cols.shape)


# (label, check, functions, phrases the message must contain)
MISTAKES = [
    ("conv_delta unrotated", nb03.check_conv_delta, (v.conv_delta_unrotated,),
     ["delta^l wrong in", "computed with the filter rotated by 180 degrees", "z^l 6x7, filter 3x2"]),
    ("conv_delta without sigma'", nb03.check_conv_delta, (v.conv_delta_no_sigma,),
     ["without the factor sigma'(z^l_{x,y})"]),
    ("conv_delta without padding", nb03.check_conv_delta, (v.conv_delta_unpadded,),
     ["has shape (2, 5) but must have shape (6, 7)", "without zero padding"]),
    ("conv2d_forward flipped kernel", nb03.check_conv2d_forward, (partial(F, flip=True),),
     ["computed with every kernel rotated by 180 degrees", "cross-correlation"]),
    ("conv2d_forward without bias", nb03.check_conv2d_forward, (partial(F, bias=False),), ["without the bias"]),
    ("conv2d_forward without stride", nb03.check_conv2d_forward,
     (lambda x, w, b, stride=1, pad=0: F(x, w, b, stride, pad, step=1),), ["that is the output of stride 1"]),
    ("conv2d_forward without padding", nb03.check_conv2d_forward,
     (lambda x, w, b, stride=1, pad=0: F(x, w, b, stride, 0),), ["without the zero padding"]),
    ("conv2d dx with the rotated kernel", nb03.check_conv2d_backward, (F, partial(B, rotate_dx=True)),
     ["case 1/3 (N=2, C=3, H=5, W=7, F=4, 3x3, stride 2, pad 1): dx wrong in",
      "it equals the expected dx computed with the kernel rotated by 180 degrees"]),
    ("conv2d dw flipped", nb03.check_conv2d_backward, (F, partial(B, flip_dw=True)),
     ["(N=2, C=3, H=5, W=7, F=4, 3x3, stride 2, pad 1): dw wrong in 96 of 108 entries; it equals the expected dw "
      "rotated by 180 degrees: do not flip the kernel for dw"]),
    ("conv2d db averaged over the batch", nb03.check_conv2d_backward, (F, partial(B, db_scale=_db_over_batch)),
     ["db wrong in 4 of 4 entries; it equals the expected db times 1/N"]),
    ("conv2d db averaged over everything", nb03.check_conv2d_backward,
     (F, partial(B, db_scale=lambda d: d.mean(axis=(0, 2, 3)))), ["times 1/(N*H'*W')"]),
    ("conv2d dw averaged", nb03.check_conv2d_backward, (F, lambda d, c: B(d, c, dw_scale=1.0 / c[0].shape[0])),
     ["dw wrong in", "times 1/N"]),
    ("conv2d backward without stride", nb03.check_conv2d_backward, (F, partial(B, step=1)),
     ["stride 2", "dx wrong in", "as if the stride were 1"]),
    ("conv2d padding not cropped", nb03.check_conv2d_backward, (F, partial(B, crop="none")),
     ["dx has shape (2, 3, 7, 9) but must have shape (2, 3, 5, 7)", "crop the padding"]),
    ("conv2d padding cropped with pad:-pad", nb03.check_conv2d_backward, (F, partial(B, crop="negative")),
     ["case 2/3", "dx has shape (4, 2, 0, 0)", "0:-0 is 0:0"]),
    ("conv2d padding cropped at the corner", nb03.check_conv2d_backward, (F, partial(B, crop="corner")),
     ["cut at its top-left corner"]),
    ("conv2d backward after a wrong forward", nb03.check_conv2d_backward, (partial(F, bias=False), B),
     ["the backward is fed the cache of your conv2d_forward", "also disagrees with finite differences",
      "without the bias"]),
    ("conv2d backward consistent with a wrong forward", nb03.check_conv2d_backward,
     (partial(F, flip=True), partial(B, rotate_dx=True, flip_dw=True)),
     ["fix the forward first. Your conv2d_backward agrees with finite differences of your own forward",
      "computed with every kernel rotated by 180 degrees"]),
    ("maxpool_forward mean", nb03.check_maxpool_forward, (v.avgpool_forward_loops,), ["the mean of every window"]),
    ("maxpool to every position", nb03.check_maxpool_backward,
     (v.maxpool_forward_loops, partial(v.maxpool_backward_loops, route="every")),
     ["dx wrong in", "dout sent to every position of its window"]),
    ("maxpool to the top-left", nb03.check_maxpool_backward,
     (v.maxpool_forward_loops, partial(v.maxpool_backward_loops, route="first")), ["top-left position"]),
    ("maxpool to the minimum", nb03.check_maxpool_backward,
     (v.maxpool_forward_loops, partial(v.maxpool_backward_loops, route="argmin")), ["to the minimum"]),
    ("maxpool overlaps assigned", nb03.check_maxpool_backward,
     (v.maxpool_forward_loops, partial(v.maxpool_backward_loops, assign=True)),
     ["case 2/3", "3x3 windows, stride 2", "add them up (+=)"]),
    ("avgpool not divided", nb03.check_avgpool_backward,
     (v.avgpool_forward_loops, partial(v.avgpool_backward_loops, scale=1.0)), ["without dividing by size*size"]),
    ("avgpool overlaps assigned", nb03.check_avgpool_backward,
     (v.avgpool_forward_loops, partial(v.avgpool_backward_loops, assign=True)), ["do not assign"]),
    ("im2col transposed", nb03.check_im2col, (_im2col_transposed,), ["each sample's matrix transposed"]),
    ("im2col rows in (i, j, c) order", nb03.check_im2col, (_im2col_ijc,), ["(i, j, c) order"]),
]


@pytest.mark.parametrize("label, check, fns, phrases", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_mistakes_are_named(label, check, fns, phrases):
    result = evaluate(label, check, *fns)
    assert result.status == "failed", result
    for phrase in phrases:
        assert phrase in result.message, result.message


def _stub(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize("check, fns", [
    (nb03.check_conv_delta, (_stub,)),
    (nb03.check_conv2d_forward, (_stub,)),
    (nb03.check_conv2d_backward, (_stub, _stub)),
    (nb03.check_conv2d_backward, (conv2d_forward, _stub)),
    (nb03.check_maxpool_backward, (_stub, _stub)),
    (nb03.check_avgpool_forward, (_stub,)),
    (nb03.check_im2col, (_stub,)),
])
def test_stubs_are_reported_as_not_implemented(check, fns):
    result = evaluate("stub", check, *fns)
    assert result.status == "not implemented", result


def test_contract_failures_are_explained():
    not_a_pair = evaluate("x", nb03.check_conv2d_forward, lambda x, w, b, stride=1, pad=0: F(x, w, b, stride, pad)[0])
    assert "must return a pair (out, cache)" in not_a_pair.message

    def mutating(x, size=2, stride=2):
        out = v.maxpool_forward_loops(x, size, stride)
        x[...] = 0.0
        return out
    assert "modified one of its input arrays" in evaluate("x", nb03.check_maxpool_forward, mutating).message

    def stateful_backward(dout, cache):
        dx, dw, db = B(dout, cache)
        cache[1][...] = 0.0  # spoils w inside the cache
        return dx, dw, db
    result = evaluate("x", nb03.check_conv2d_backward, F, stateful_backward)
    assert "2 * dout" in result.message and "must not change the cache" in result.message

    def float32(x, w, b, stride=1, pad=0):
        out, cache = F(x, w, b, stride, pad)
        return out.astype(np.float32), cache
    assert "dtype float32" in evaluate("x", nb03.check_conv2d_forward, float32).message


def test_committed_expected_values_equal_a_fresh_build():
    with np.load(EXPECTED_DIR / "nb03.npz", allow_pickle=False) as stored:
        stored = {k: stored[k] for k in stored.files}
    fresh = build_stored()
    assert sorted(stored) == sorted(fresh), "run `python -m autograder.expected` and commit nb03.npz"
    for key, value in fresh.items():
        assert stored[key].dtype == value.dtype and np.array_equal(stored[key], value), key


def test_every_stored_mistake_differs_from_the_right_answer_somewhere():
    """A catalogued mistake that equals the right answer in every stored case could never be named."""
    values = build_stored()
    mistakes = {}
    for key, value in values.items():
        if "__" not in key:
            continue
        head, mistake = key.split("__")
        prefix, name = head.rsplit("_", 1)
        kind = prefix.rsplit("_", 1)[0]
        differs = misfit(value, values[f"{prefix}_{name}"]) > MATCH_TOL
        mistakes.setdefault((kind, name, mistake), []).append(differs)
    dead = [m for m, found in mistakes.items() if not any(found)]
    assert not dead, dead


def test_the_self_checks_need_no_reference_implementation():
    """Run the self-checks with course_lib.layers and the autograder blocked from import."""
    code = f"""
import sys
sys.path.insert(0, {str(ROOT / 'tests')!r})
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.startswith(("course_lib.layers", "autograder")):
            raise ImportError("blocked: " + name)
        return None
sys.meta_path.insert(0, Block())
from tests.notebooks.nb03 import implementations as v
from course_lib.selfcheck import nb03
from course_lib.selfcheck.core import evaluate
results = [
    evaluate("a", nb03.check_conv_delta, v.conv_delta_loops),
    evaluate("b", nb03.check_conv2d_backward, v.conv_forward_positions, v.conv_backward_positions),
    evaluate("c", nb03.check_maxpool_backward, v.maxpool_forward_loops, v.maxpool_backward_loops),
    evaluate("d", nb03.check_avgpool_backward, v.avgpool_forward_loops, v.avgpool_backward_loops),
]
bad = [str(r) for r in results if not r.passed]
assert not bad, bad
assert not any(m.startswith(("course_lib.layers", "autograder")) for m in sys.modules)
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0 and "ok" in done.stdout, done.stderr + done.stdout
