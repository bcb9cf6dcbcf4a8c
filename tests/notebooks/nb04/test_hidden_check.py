"""Notebook 04's hidden grading checks: full marks for the references and valid alternatives,
a diagnosis for typical mistakes (including ones tuned to the visible cases), "not implemented"
for stubs."""
import math

import numpy as np
import pytest

import autograder.checks.nb04 as grading
from course_lib.clipping import clip_by_norm as ref_clip_by_norm
from course_lib.clipping import clip_by_value as ref_clip_by_value
from course_lib.gradient_norms import layer_gradient_norms as ref_layer_gradient_norms
from course_lib.init import he_init as ref_he_init
from course_lib.selfcheck import evaluate
from course_lib.selfcheck import nb04 as visible
from course_lib.selfcheck.expected import expected
from tests.notebooks.nb04.implementations import ALTERNATIVES, MISTAKES, REFERENCES, stub


def grade_of(name):
    return getattr(grading, f"grade_{name}")


@pytest.mark.parametrize("name", list(REFERENCES))
def test_reference_gets_full_marks(name):
    result = evaluate(name, grade_of(name), REFERENCES[name])
    assert result.passed, result.message


@pytest.mark.parametrize("name,k", [(n, k) for n in ALTERNATIVES for k in range(len(ALTERNATIVES[n]))])
def test_valid_alternative_gets_full_marks(name, k):
    result = evaluate(name, grade_of(name), ALTERNATIVES[name][k])
    assert result.passed, result.message


@pytest.mark.parametrize("name,function,words", MISTAKES,
                         ids=[f"{m[0]}-{m[1].__name__}-{i}" for i, m in enumerate(MISTAKES)])
def test_mistake_is_diagnosed(name, function, words):
    result = evaluate(name, grade_of(name), function)
    assert result.status == "failed", result
    assert words in result.message, result.message


@pytest.mark.parametrize("name", list(REFERENCES))
def test_stub_is_not_implemented(name):
    assert evaluate(name, grade_of(name), stub).status == "not implemented"


# ----------------------------------------------------------------------------- answers tuned to the visible cases


def lgn_memorised(model, x, y):
    """Returns the stored norms when x is a stored input, else a guess: passes the self-check only."""
    for k in range(int(expected("nb04", "lgn_n"))):
        if np.array_equal(x, expected("nb04", f"lgn_{k}_x")):
            return list(expected("nb04", f"lgn_{k}_norms"))
    return ref_layer_gradient_norms(model, x, y)[::-1]


def he_for_visible_shapes(r_in, r_out, rng):
    """He's rule on the self-check's fan-ins, the basic rule elsewhere."""
    fan_ins = {r for r, _ in visible.CHECK_SHAPES + visible.CHECK_SMALL_SHAPES}
    return rng.standard_normal((r_in, r_out)) * math.sqrt((2.0 if r_in in fan_ins else 1.0) / r_in)


def _stored_params(fname):
    return {float(expected("nb04", f"{fname}_{k}_param")) for k in range(int(expected("nb04", f"{fname}_n")))}


def clip_norm_for_visible_thresholds(grads, max_norm):
    """Right for the stored thresholds, per-array clipping for any other."""
    stored = _stored_params("clip_by_norm")
    if max_norm in stored:
        return ref_clip_by_norm(grads, max_norm)
    if isinstance(grads, dict):
        return {k: ref_clip_by_norm(g, max_norm) for k, g in grads.items()}
    return [ref_clip_by_norm(g, max_norm) for g in grads]


def clip_value_for_visible_limits(grads, limit):
    stored = _stored_params("clip_by_value")
    if limit in stored:
        return ref_clip_by_value(grads, limit)
    if isinstance(grads, dict):
        return {k: np.minimum(g, limit) for k, g in grads.items()}
    return [np.minimum(g, limit) for g in grads]


@pytest.mark.parametrize("name,function,words", [
    ("layer_gradient_norms", lgn_memorised, "reverse order"),
    ("he_init", he_for_visible_shapes, "sqrt(1 / r_in) instead of sqrt(2 / r_in)"),
    ("clip_by_norm", clip_norm_for_visible_thresholds, "its own norm"),
    ("clip_by_value", clip_value_for_visible_limits, "only the upper bound"),
])
def test_answers_tuned_to_the_self_check_pass_it_but_fail_grading(name, function, words):
    assert evaluate(name, getattr(visible, f"check_{name}"), function).passed
    result = evaluate(name, grade_of(name), function)
    assert result.status == "failed" and words in result.message, result.message


def test_grading_cases_differ_from_the_visible_ones():
    assert not set(grading.GRADE_SHAPES) & set(visible.CHECK_SHAPES)
    stored_inputs = [expected("nb04", f"lgn_{k}_x") for k in range(int(expected("nb04", "lgn_n")))]
    rng = np.random.default_rng(grading.SEED)
    for sizes, _, n in grading.GRADE_NETWORKS:
        _, _, x, _ = grading.random_network(rng, sizes, n)
        assert not any(s.shape == x.shape and np.allclose(s, x) for s in stored_inputs)


def test_every_clipping_mistake_is_visible_in_a_grading_case():
    """The grader names a mistake only where it changes the result; each must do so somewhere."""
    for fname, grade in [("clip_by_value", grading.grade_clip_by_value), ("clip_by_norm", grading.grade_clip_by_norm)]:
        seen = set()

        def recording(grads, param, fname=fname, seen=seen):
            arrays = list(grads.values()) if isinstance(grads, dict) else list(grads)
            right, mistakes, _ = grading.clip_expected(fname, arrays, param)
            flat = np.concatenate([np.ravel(a) for a in right])
            for key, wrong in mistakes.items():
                if not np.allclose(flat, np.concatenate([np.ravel(a) for a in wrong]), rtol=1e-6, atol=0):
                    seen.add(key)
            return REFERENCES[fname](grads, param)

        grade(recording)
        assert seen == set(visible.CLIP_MISTAKES[fname]), set(visible.CLIP_MISTAKES[fname]) - seen


def test_grading_is_repeatable():
    """Same submission, same verdict: the grade functions depend on nothing but their argument."""
    wrong = MISTAKES[0][1]
    first = evaluate("lgn", grading.grade_layer_gradient_norms, wrong)
    again = evaluate("lgn", grading.grade_layer_gradient_norms, wrong)
    assert first == again and not first.passed
    assert evaluate("he", grading.grade_he_init, ref_he_init).passed
