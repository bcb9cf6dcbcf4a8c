"""Notebook 03's checks, both sides: the self-check on the stored cases and the hidden check on fresh ones.

Valid implementations pass, typical mistakes are named (with the words both
sides share, and each side's own case), stubs say "not implemented", and the
contract (a pair (out, cache), untouched inputs, float64) is explained.
im2col is optional: it has a self-check and no hidden check.
"""
import ast
import subprocess
import sys
from functools import partial
from pathlib import Path

import numpy as np
import pytest

import autograder.checks.nb03 as nb03_hidden
from autograder.checks.nb03 import fresh, mistaken
from autograder.syllabus import SYLLABUS
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
from course_lib.selfcheck import nb03 as nb03_self
from course_lib.selfcheck.common import MATCH_TOL, misfit
from course_lib.selfcheck.core import evaluate
from course_lib.selfcheck.nb03.cases import conv_inputs, pool_inputs
from tests.notebooks.nb03 import implementations as v

ROOT = Path(__file__).resolve().parents[3]
HOME = ROOT / "course_lib" / "selfcheck" / "nb03"
F, B = v.conv_forward_positions, v.conv_backward_positions
SELF, HIDDEN = "self-check", "hidden check"
OPTIONAL = ["im2col"]   # a self-check only


def side_check(side, stem):
    """check_<stem> of the home or grade_<stem> of the hidden checks."""
    return getattr(nb03_self, f"check_{stem}") if side == SELF else getattr(nb03_hidden, f"grade_{stem}")


def sides(stem):
    return [SELF] if stem in OPTIONAL else [SELF, HIDDEN]


def per_side(rows, label_of):
    """pytest params (side, *row) for every row and every side its check stem (row[1]) has."""
    return [pytest.param(side, *row, id=f"{side}-{label_of(row)}") for row in rows for side in sides(row[1])]


# ----------------------------------------------------------------------------- the table and the manifest
def test_the_table_has_one_row_per_manifest_check_and_the_optional_im2col():
    assert list(nb03_self.TABLE.rows) == [t.check for t in SYLLABUS["03"].tests] + OPTIONAL


def test_every_row_has_its_check_pair():
    for test in SYLLABUS["03"].tests:
        assert callable(getattr(nb03_self, f"check_{test.check}")), test.check
        assert callable(getattr(nb03_hidden, f"grade_{test.check}")), test.check
        assert getattr(nb03_hidden, f"grade_{test.check}").__name__ == f"grade_{test.check}"
    assert callable(nb03_self.check_im2col) and not hasattr(nb03_hidden, "grade_im2col")


# ----------------------------------------------------------------------------- right answers
RIGHT = [
    ("conv_delta reference", "conv_delta", (conv_delta,)),
    ("conv_delta loops", "conv_delta", (v.conv_delta_loops,)),
    ("conv_delta scipy", "conv_delta", (v.conv_delta_scipy,)),
    ("conv2d_forward im2col", "conv2d_forward", (conv2d_forward,)),
    ("conv2d_forward loops", "conv2d_forward", (conv2d_forward_loops,)),
    ("conv2d_forward positions", "conv2d_forward", (F,)),
    ("conv2d_forward scipy", "conv2d_forward", (v.conv_forward_scipy,)),
    ("conv2d_backward im2col", "conv2d_backward", (conv2d_forward, conv2d_backward)),
    ("conv2d_backward loops", "conv2d_backward", (conv2d_forward_loops, conv2d_backward_loops)),
    ("conv2d_backward positions", "conv2d_backward", (F, B)),
    ("conv2d_backward scipy", "conv2d_backward", (v.conv_forward_scipy, v.conv_backward_scipy)),
    ("maxpool_forward reference", "maxpool_forward", (maxpool_forward,)),
    ("maxpool_forward loops", "maxpool_forward", (v.maxpool_forward_loops,)),
    ("maxpool_forward flat", "maxpool_forward", (v.maxpool_forward_flat,)),
    ("maxpool_backward reference", "maxpool_backward", (maxpool_forward, maxpool_backward)),
    ("maxpool_backward loops", "maxpool_backward", (v.maxpool_forward_loops, v.maxpool_backward_loops)),
    ("maxpool_backward flat", "maxpool_backward", (v.maxpool_forward_flat, v.maxpool_backward_flat)),
    ("avgpool_forward reference", "avgpool_forward", (avgpool_forward,)),
    ("avgpool_forward loops", "avgpool_forward", (v.avgpool_forward_loops,)),
    ("avgpool_backward reference", "avgpool_backward", (avgpool_forward, avgpool_backward)),
    ("avgpool_backward loops", "avgpool_backward", (v.avgpool_forward_loops, v.avgpool_backward_loops)),
    ("im2col reference", "im2col", (im2col,)),
]


@pytest.mark.parametrize("side, label, stem, fns", per_side(RIGHT, lambda r: r[0]))
def test_right_answers_pass(side, label, stem, fns):
    side_check(side, stem)(*fns)  # raises CheckFailure on a wrong answer
    result = evaluate(label, side_check(side, stem), *fns)
    assert result.passed, result.message


# ----------------------------------------------------------------------------- named mistakes
def _db_over_batch(dout):
    return dout.sum(axis=(0, 2, 3)) / dout.shape[0]


def _im2col_transposed(x, HH, WW, stride, pad):
    return im2col(x, HH, WW, stride, pad).transpose(0, 2, 1)


def _im2col_ijc(x, HH, WW, stride, pad):
    cols = im2col(x, HH, WW, stride, pad)
    N, C = x.shape[:2]
    return cols.reshape(N, C, HH, WW, -1).transpose(0, 2, 3, 1, 4).reshape(cols.shape)


# (label, check stem, functions, phrases of both sides' messages, {side: phrases of that side's case only})
MISTAKES = [
    ("conv_delta unrotated", "conv_delta", (v.conv_delta_unrotated,),
     ["delta^l wrong in", "computed with the filter rotated by 180 degrees", "z^l 6x7, filter 3x2",
      "conv_delta, case 1/3 (z^l 6x7, filter 3x2, delta^(l+1) 4x6): delta^l wrong in 42 of 42 entries; it equals "
      "the expected delta^l computed with the filter rotated by 180 degrees"], {}),
    ("conv_delta without sigma'", "conv_delta", (v.conv_delta_no_sigma,),
     ["without the factor sigma'(z^l_{x,y})"], {}),
    ("conv_delta without padding", "conv_delta", (v.conv_delta_unpadded,),
     ["has shape (2, 5) but must have shape (6, 7)", "without zero padding"], {}),
    ("conv2d_forward flipped kernel", "conv2d_forward", (partial(F, flip=True),),
     ["computed with every kernel rotated by 180 degrees", "rotated by 180 degrees: this layer is a cross-correlation"],
     {}),
    ("conv2d_forward without bias", "conv2d_forward", (partial(F, bias=False),), ["without the bias"], {}),
    ("conv2d_forward without stride", "conv2d_forward",
     (lambda x, w, b, stride=1, pad=0: F(x, w, b, stride, pad, step=1),), ["that is the output of stride 1"],
     {HIDDEN: ["case 2/5 (N=2, C=4, H=9, W=13, F=3, 3x5, stride 2, pad 0): out has shape (2, 3, 7, 9)"]}),
    ("conv2d_forward window index without stride", "conv2d_forward",
     (lambda x, w, b, stride=1, pad=0: F(x, w, b, stride, pad, index_step=1),),
     ["out wrong in", "the first H' x W' outputs of a stride-1 convolution", "x*stride:x*stride + WW"], {}),
    ("conv2d backward after a forward whose window ignores the stride", "conv2d_backward",
     (lambda x, w, b, stride=1, pad=0: F(x, w, b, stride, pad, index_step=1), B),
     ["fix the forward first", "the first H' x W' outputs of a stride-1 convolution"], {}),
    ("conv2d_forward without padding", "conv2d_forward",
     (lambda x, w, b, stride=1, pad=0: F(x, w, b, stride, 0),), ["without the zero padding"], {}),
    ("conv2d dx with the rotated kernel", "conv2d_backward", (F, partial(B, rotate_dx=True)),
     ["dx wrong in", "it equals the expected dx computed with the kernel rotated by 180 degrees"],
     {SELF: ["case 1/3 (N=2, C=3, H=5, W=7, F=4, 3x3, stride 2, pad 1): dx wrong in"],
      HIDDEN: ["(N=2, C=3, H=6, W=7, F=4, 3x2, stride 1, pad 1): dx wrong in 252 of 252 entries; it equals the "
               "expected dx computed with the kernel rotated by 180 degrees"]}),
    ("conv2d dw flipped", "conv2d_backward", (F, partial(B, flip_dw=True)),
     ["it equals the expected dw rotated by 180 degrees: do not flip the kernel for dw"],
     {SELF: ["(N=2, C=3, H=5, W=7, F=4, 3x3, stride 2, pad 1): dw wrong in 96 of 108 entries; it equals the "
             "expected dw rotated by 180 degrees: do not flip the kernel for dw"],
      HIDDEN: ["dw wrong in 72 of 72 entries; it equals the expected dw rotated by 180 degrees: do not flip the "
               "kernel for dw"]}),
    ("conv2d db averaged over the batch", "conv2d_backward", (F, partial(B, db_scale=_db_over_batch)),
     ["db wrong in 4 of 4 entries; it equals the expected db times 1/N"], {}),
    ("conv2d db averaged over everything", "conv2d_backward",
     (F, partial(B, db_scale=lambda d: d.mean(axis=(0, 2, 3)))), ["times 1/(N*H'*W')"], {}),
    ("conv2d dw averaged", "conv2d_backward", (F, lambda d, c: B(d, c, dw_scale=1.0 / c[0].shape[0])),
     ["dw wrong in", "times 1/N"], {}),
    ("conv2d backward without stride", "conv2d_backward", (F, partial(B, step=1)),
     ["stride 2", "dx wrong in", "as if the stride were 1"],
     {HIDDEN: ["case 2/5 (N=2, C=4, H=9, W=13, F=3, 3x5, stride 2, pad 0): dx wrong in"]}),
    ("conv2d padding not cropped", "conv2d_backward", (F, partial(B, crop="none")), ["crop the padding"],
     {SELF: ["dx has shape (2, 3, 7, 9) but must have shape (2, 3, 5, 7)"],
      HIDDEN: ["dx has shape (2, 3, 8, 9) but must have shape (2, 3, 6, 7)"]}),
    ("conv2d padding cropped with pad:-pad", "conv2d_backward", (F, partial(B, crop="negative")), ["0:-0 is 0:0"],
     {SELF: ["case 2/3", "dx has shape (4, 2, 0, 0)"], HIDDEN: ["case 2/5", "dx has shape (2, 4, 0, 0)"]}),
    ("conv2d padding cropped at the corner", "conv2d_backward", (F, partial(B, crop="corner")),
     ["cut at its top-left corner"], {}),
    ("conv2d backward after a wrong forward", "conv2d_backward", (partial(F, bias=False), B),
     ["the backward is fed the cache of your conv2d_forward", "fix the forward first",
      "also disagrees with finite differences", "without the bias"], {}),
    ("conv2d backward consistent with a wrong forward", "conv2d_backward",
     (partial(F, flip=True), partial(B, rotate_dx=True, flip_dw=True)),
     ["fix the forward first. Your conv2d_backward agrees with finite differences of your own forward",
      "computed with every kernel rotated by 180 degrees"], {}),
    ("maxpool_forward mean", "maxpool_forward", (v.avgpool_forward_loops,), ["the mean of every window"], {}),
    ("maxpool to every position", "maxpool_backward",
     (v.maxpool_forward_loops, partial(v.maxpool_backward_loops, route="every")),
     ["dx wrong in", "dout sent to every position of its window"],
     {HIDDEN: ["case 1/4 (N=2, C=3, H=6, W=8, 2x2 windows, stride 2): dx wrong in 216 of 288 entries"]}),
    ("maxpool to the top-left", "maxpool_backward",
     (v.maxpool_forward_loops, partial(v.maxpool_backward_loops, route="first")), ["top-left position"], {}),
    ("maxpool to the minimum", "maxpool_backward",
     (v.maxpool_forward_loops, partial(v.maxpool_backward_loops, route="argmin")), ["to the minimum"], {}),
    ("maxpool overlaps assigned", "maxpool_backward",
     (v.maxpool_forward_loops, partial(v.maxpool_backward_loops, assign=True)),
     ["3x3 windows, stride 2", "add them up (+=)", "do not assign"], {SELF: ["case 2/3"], HIDDEN: ["case 2/4"]}),
    ("maxpool backward consistent with a min forward", "maxpool_backward",
     (partial(v.maxpool_forward_loops, reduce=np.min), partial(v.maxpool_backward_loops, route="argmin")),
     ["fix the forward first", "agrees with finite differences of your own forward", "the minimum of every window"],
     {}),
    ("avgpool forward sums", "avgpool_forward",
     (lambda x, size=2, stride=2: v.maxpool_forward_loops(x, size, stride, reduce=np.sum),),
     ["the sum of every window"], {}),
    ("avgpool not divided", "avgpool_backward",
     (v.avgpool_forward_loops, partial(v.avgpool_backward_loops, scale=1.0)), ["without dividing by size*size"], {}),
    ("avgpool divided by size", "avgpool_backward",
     (v.avgpool_forward_loops, lambda d, c: v.avgpool_backward_loops(d, c, scale=1.0 / c[1])), ["dout / size"], {}),
    ("avgpool overlaps assigned", "avgpool_backward",
     (v.avgpool_forward_loops, partial(v.avgpool_backward_loops, assign=True)), ["do not assign"], {}),
    ("im2col transposed", "im2col", (_im2col_transposed,), ["each sample's matrix transposed"], {}),
    ("im2col rows in (i, j, c) order", "im2col", (_im2col_ijc,), ["(i, j, c) order"], {}),
]


@pytest.mark.parametrize("side, label, stem, fns, phrases, own", per_side(MISTAKES, lambda m: m[0]))
def test_mistakes_are_named(side, label, stem, fns, phrases, own):
    result = evaluate(label, side_check(side, stem), *fns)
    assert result.status == "failed", result
    for phrase in phrases + own.get(side, []):
        assert phrase in result.message, result.message


# ----------------------------------------------------------------------------- the debugging cell
@pytest.mark.parametrize("forward", [partial(F, flip=True), partial(F, bias=False),
                                     lambda x, w, b, stride=1, pad=0: F(x, w, b, stride, pad, index_step=1)],
                         ids=["flipped kernel", "no bias", "window index without stride"])
def test_the_debugging_cell_says_check_the_forward_first_when_the_forward_is_wrong(forward):
    """With a wrong forward the cell's finite differences would blame a correct backward: the note comes first."""
    note = nb03_self.forward_first_note(forward)
    assert note.startswith("Check the forward first")
    assert "even a correct conv2d_backward disagrees" in note
    assert evaluate("f", nb03_self.check_conv2d_forward, forward).message in note  # what the forward's check found


@pytest.mark.parametrize("forward", [conv2d_forward, conv2d_forward_loops, F, v.conv_forward_scipy],
                         ids=["im2col", "loops", "positions", "scipy"])
def test_the_debugging_cell_has_no_note_for_a_right_forward(forward):
    assert nb03_self.forward_first_note(forward) is None


# ----------------------------------------------------------------------------- stubs and the contract
def _stub(*args, **kwargs):
    raise NotImplementedError()


STUBS = [
    ("conv_delta", "conv_delta", (_stub,)),
    ("conv2d_forward", "conv2d_forward", (_stub,)),
    ("conv2d_backward both", "conv2d_backward", (_stub, _stub)),
    ("conv2d_backward only", "conv2d_backward", (conv2d_forward, _stub)),
    ("maxpool_backward", "maxpool_backward", (_stub, _stub)),
    ("avgpool_forward", "avgpool_forward", (_stub,)),
    ("im2col", "im2col", (_stub,)),
]


@pytest.mark.parametrize("side, label, stem, fns", per_side(STUBS, lambda s: s[0]))
def test_stubs_are_reported_as_not_implemented(side, label, stem, fns):
    with pytest.raises(NotImplementedError):
        side_check(side, stem)(*fns)
    assert evaluate("stub", side_check(side, stem), *fns).status == "not implemented"


@pytest.mark.parametrize("side", [SELF, HIDDEN])
def test_contract_failures_are_explained(side):
    not_a_pair = evaluate("x", side_check(side, "conv2d_forward"),
                          lambda x, w, b, stride=1, pad=0: F(x, w, b, stride, pad)[0])
    assert "must return a pair (out, cache)" in not_a_pair.message

    def mutating(x, size=2, stride=2):
        out = v.maxpool_forward_loops(x, size, stride)
        x[...] = 0.0
        return out
    assert "modified one of its input arrays" in evaluate("x", side_check(side, "maxpool_forward"), mutating).message

    def stateful_backward(dout, cache):
        dx, dw, db = B(dout, cache)
        cache[1][...] = 0.0  # spoils w inside the cache
        return dx, dw, db
    result = evaluate("x", side_check(side, "conv2d_backward"), F, stateful_backward)
    assert "2 * dout" in result.message and "must not change the cache" in result.message

    def float32(x, w, b, stride=1, pad=0):
        out, cache = F(x, w, b, stride, pad)
        return out.astype(np.float32), cache
    assert "dtype float32" in evaluate("x", side_check(side, "conv2d_forward"), float32).message


# ----------------------------------------------------------------------------- the cases themselves
FRESH = {
    "conv_delta": fresh.fresh_conv_delta_cases,
    "conv2d_forward": fresh.fresh_conv2d_forward_cases,
    "conv2d_backward": fresh.fresh_conv2d_backward_cases,
    "maxpool_forward": fresh.fresh_maxpool_forward_cases,
    "maxpool_backward": fresh.fresh_maxpool_backward_cases,
    "avgpool_forward": fresh.fresh_avgpool_forward_cases,
    "avgpool_backward": fresh.fresh_avgpool_backward_cases,
}
REFERENCES = {
    "conv_delta": (conv_delta,),
    "conv2d_forward": (conv2d_forward,),
    "conv2d_backward": (conv2d_forward, conv2d_backward),
    "maxpool_forward": (maxpool_forward,),
    "maxpool_backward": (maxpool_forward, maxpool_backward),
    "avgpool_forward": (avgpool_forward,),
    "avgpool_backward": (avgpool_forward, avgpool_backward),
    "im2col": (im2col,),
}


def checked_cases(side, stem):
    """The cases a right submission is checked on, in order, each checked as it is drawn."""
    row = nb03_self.TABLE.row(stem)
    for case in (row.stored_cases() if side == SELF else FRESH[stem]()):
        row.check_case(*REFERENCES[stem], case)
        yield case


@pytest.mark.parametrize("side, stem", [(side, stem) for stem in REFERENCES for side in sides(stem)])
def test_every_known_mistake_differs_from_the_right_answer_in_some_case(side, stem):
    """A catalogued mistake that equals the right answer in every case could never be named."""
    differs = {}
    for case in checked_cases(side, stem):
        for output, mistakes in case.mistakes.items():
            for key, value in mistakes.items():
                found = misfit(value, getattr(case, output)) > MATCH_TOL  # the case's right output
                differs[(output, key)] = differs.get((output, key), False) or found
    assert differs
    assert [m for m, found in differs.items() if not found] == []


@pytest.mark.parametrize("side", [SELF, HIDDEN])
def test_pooling_inputs_have_no_ties(side):
    stems = ["maxpool_forward", "maxpool_backward", "avgpool_forward", "avgpool_backward"]
    for stem in stems:
        for case in checked_cases(side, stem):
            gaps = np.diff(np.sort(case.x.ravel()))
            assert gaps.min() > 0.07, (stem, case.label)


def test_the_mistake_builders_agree_with_the_references():
    """conv_scatter with the right step is the reference gradient; pool_route with the argmax is maxpool's."""
    rng = np.random.default_rng(5)
    for case in fresh.CONV2D_CASES:
        x, w, b, dout = conv_inputs(case, rng)
        stride, pad = case[-2:]
        H, W = x.shape[2:]
        dx, dw, _ = conv2d_backward(dout, conv2d_forward(x, w, b, stride, pad)[1])
        dx_pad, dw_scatter = mistaken.conv_scatter(x, w, dout, stride, pad)
        np.testing.assert_allclose(dx_pad[:, :, pad:pad + H, pad:pad + W], dx, atol=1e-12)
        np.testing.assert_allclose(dw_scatter, dw, atol=1e-12)
    for case in fresh.POOL_CASES:
        x, dout = pool_inputs(case, rng)
        size, stride = case[-2:]
        dx = maxpool_backward(dout, maxpool_forward(x, size, stride)[1])
        routed = mistaken.pool_route(x, size, stride, dout, lambda win, d: d * (win == win.max()))
        np.testing.assert_allclose(routed, dx, atol=1e-14)


# ----------------------------------------------------------------------------- what ships
def test_the_home_defines_none_of_the_mistaken_array_builders():
    """The builders of near-answers (conv_scatter, pool_route, ...) stay in autograder/checks/nb03/mistaken.py."""
    trusted = {node.name for node in ast.parse(Path(mistaken.__file__).read_text()).body
               if isinstance(node, ast.FunctionDef)}
    assert {"conv_scatter", "conv2d_mistakes", "pool_route"} <= trusted
    for path in sorted(HOME.glob("*.py")):
        defined = {node.name for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.FunctionDef)}
        assert not defined & trusted, (path.name, defined & trusted)


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
