"""Notebook 04's checks, both sides: the self-check on the stored cases and the hidden check on fresh ones.

Both pass the references and valid alternatives, explain typical mistakes and
say "not implemented yet" on stubs; the self-check ships no reference code;
answers tuned to the visible cases pass the self-check and fail the hidden
check. The alternative and buggy implementations live in
tests/notebooks/nb04/implementations.py.
"""
import ast
import math
from pathlib import Path

import numpy as np
import pytest

import autograder.checks.nb04 as nb04_hidden
from autograder.checks.nb04 import fresh
from autograder.syllabus import SYLLABUS
from course_lib.clipping import clip_by_norm as ref_clip_by_norm
from course_lib.clipping import clip_by_value as ref_clip_by_value
from course_lib.gradient_norms import layer_gradient_norms as ref_layer_gradient_norms
from course_lib.init import he_init as ref_he_init
from course_lib.selfcheck import evaluate
from course_lib.selfcheck import nb04 as nb04_self
from course_lib.selfcheck.nb04.cases import CHECK_SHAPES, CHECK_SMALL_SHAPES
from course_lib.selfcheck.nb04.init_rules import INIT_RULES, check_init_rule, std_tolerance
from course_lib.selfcheck.nb04.mistakes import CLIP_MISTAKES, STD_FORMULAS
from course_lib.selfcheck.stored import stored
from tests.notebooks.nb04.implementations import ALTERNATIVES, MISTAKES, REFERENCES, stub

HOME = Path(nb04_self.__file__).parent
SELF, HIDDEN = "self-check", "hidden check"
SIDES = [SELF, HIDDEN]
FRESH = {
    "layer_gradient_norms": fresh.fresh_networks,
    "xavier_init": fresh.fresh_xavier_cases,
    "he_init": fresh.fresh_he_cases,
    "clip_by_value": fresh.fresh_clip_by_value_cases,
    "clip_by_norm": fresh.fresh_clip_by_norm_cases,
}


def side_check(side, name):
    """check_<name> of the home or grade_<name> of the hidden checks."""
    return getattr(nb04_self, f"check_{name}") if side == SELF else getattr(nb04_hidden, f"grade_{name}")


def cases(side, name):
    """The cases a side checks ``name`` on (the stored ones, or fresh ones)."""
    return list(nb04_self.TABLE.row(name).stored_cases() if side == SELF else FRESH[name]())


# ============================================================================ the table and the manifest


def test_the_table_has_one_row_per_manifest_check():
    assert list(nb04_self.TABLE.rows) == [t.check for t in SYLLABUS["04"].tests]
    assert set(FRESH) == set(nb04_self.TABLE.rows)


def test_every_row_has_its_check_pair():
    for test in SYLLABUS["04"].tests:
        assert getattr(nb04_self, f"check_{test.check}").__name__ == f"check_{test.check}"
        assert getattr(nb04_hidden, f"grade_{test.check}").__name__ == f"grade_{test.check}"


# ============================================================================ both sides


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("name", list(REFERENCES))
def test_reference_passes(side, name):
    result = evaluate(name, side_check(side, name), REFERENCES[name])
    assert result.passed, result.message


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("name,k", [(n, k) for n in ALTERNATIVES for k in range(len(ALTERNATIVES[n]))])
def test_valid_alternative_passes(side, name, k):
    result = evaluate(name, side_check(side, name), ALTERNATIVES[name][k])
    assert result.passed, result.message


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("name,function,words", MISTAKES,
                         ids=[f"{m[0]}-{m[1].__name__}-{i}" for i, m in enumerate(MISTAKES)])
def test_mistake_is_diagnosed(side, name, function, words):
    result = evaluate(name, side_check(side, name), function)
    assert result.status == "failed", result
    assert words in result.message, result.message


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("name", list(REFERENCES))
def test_stub_is_not_implemented(side, name):
    assert evaluate(name, side_check(side, name), stub).status == "not implemented"
    with pytest.raises(NotImplementedError):
        side_check(side, name)(stub)


@pytest.mark.parametrize("side", SIDES)
def test_checking_is_repeatable(side):
    """Same submission, same verdict: the checks depend on nothing but their argument."""
    wrong = MISTAKES[0][1]
    first = evaluate("lgn", side_check(side, "layer_gradient_norms"), wrong)
    again = evaluate("lgn", side_check(side, "layer_gradient_norms"), wrong)
    assert first == again and not first.passed
    assert evaluate("he", side_check(side, "he_init"), ref_he_init).passed


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("fname", list(CLIP_MISTAKES))
def test_every_clipping_mistake_is_visible_in_some_case(side, fname):
    """The checks name a mistake only where it changes the result; each must do so in some case."""
    seen = set()
    for case in cases(side, fname):
        right = np.concatenate([np.ravel(a) for a in case.outs])
        for key, wrong in case.mistakes.items():
            if not np.allclose(right, np.concatenate([np.ravel(a) for a in wrong]), rtol=1e-6, atol=0):
                seen.add(key)
    assert seen == set(CLIP_MISTAKES[fname]), set(CLIP_MISTAKES[fname]) - seen


@pytest.mark.parametrize("side", SIDES)
def test_clip_cases_cover_lists_dicts_and_edges(side):
    by_value = cases(side, "clip_by_value")
    assert {"list", "dict"} <= {case.kind for case in by_value}
    assert any(np.any(np.abs(case.arrays[0]) == case.param) for case in by_value), "an entry exactly on the boundary"
    norms = [(case.global_norm, case.param) for case in cases(side, "clip_by_norm")]
    assert any(g > t for g, t in norms) and any(0 < g < t for g, t in norms) and any(g == 0 for g, _ in norms)


# ============================================================================ the self-check's cases


def test_stored_networks_hide_nothing():
    """A batch of one, a network without hidden layer, the lecture's deep net, and layer sizes
    that differ within every network; the deep sigmoid net's norms grow towards the output."""
    shapes = []
    for case in cases(SELF, "layer_gradient_norms"):
        sizes = [case.weights[0].shape[0]] + [w.shape[1] for w in case.weights]
        shapes.append((sizes, len(case.x)))
        assert np.all(case.biases[0] != 0), "non-zero biases, so a bias bug cannot hide"
        assert len(set(case.y.tolist())) > 1 or len(case.y) == 1
        if sizes == [64, 30, 30, 30, 30, 10]:
            assert np.all(np.diff(case.norms) > 0), case.norms
    assert any(n == 1 for _, n in shapes)
    assert any(len(sizes) == 2 for sizes, _ in shapes)
    assert any(sizes == [64, 30, 30, 30, 30, 10] for sizes, _ in shapes)


def test_init_statistics_tell_the_rules_apart():
    """On the visible shapes, every catalogued wrong formula is more than 2 tolerances from each rule.

    (Not so on every hidden shape: there a formula is named only when it fits all of them.)
    """
    for fname, (text, rule) in INIT_RULES.items():
        (case,) = cases(SELF, fname)
        for r_in, r_out in case.shapes:
            n = r_in * r_out
            right = rule(r_in, r_out)
            for other, std_of, _ in STD_FORMULAS:
                if other != text:
                    assert abs(std_of(r_in, r_out) - right) > 2 * std_tolerance(right, n), (fname, other)


def test_a_right_rule_passes_for_many_seeds():
    """The statistical tolerances are wide enough: a correct rule passes on 30 seeds."""
    for seed in range(30):
        check_init_rule("he_init", ref_he_init, [(200, 150)], seed=1000 + 7 * seed)


def test_the_home_imports_no_reference_of_a_graded_function():
    forbidden_modules = {"course_lib.gradient_norms", "course_lib.init", "course_lib.clipping", "course_lib.optim"}
    graded = {"layer_gradient_norms", "xavier_init", "he_init", "clip_by_value", "clip_by_norm"}
    paths = sorted(HOME.glob("*.py"))
    assert len(paths) > 1
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.module not in forbidden_modules, (path.name, node.module)
                assert not {a.name for a in node.names} & graded, path.name
            if isinstance(node, ast.Import):
                assert not {a.name for a in node.names} & forbidden_modules, path.name


def test_the_home_defines_none_of_the_wrong_clipping_rules():
    """The builders of the wrong rules' outputs stay in autograder/checks/nb04/mistaken.py."""
    defined = {node.name for path in HOME.glob("*.py") for node in ast.walk(ast.parse(path.read_text()))
               if isinstance(node, ast.FunctionDef)}
    assert not defined & {"clip_value_variants", "clip_norm_variants", "clip_expected", "reference_norms"}


# ============================================================================ answers tuned to the visible cases


def _stored_count(kind):
    return int(stored("nb04", f"{kind}_n"))


def lgn_memorised(model, x, y):
    """Returns the stored norms when x is a stored input, else a guess: passes the self-check only."""
    for k in range(_stored_count("lgn")):
        if np.array_equal(x, stored("nb04", f"lgn_{k}_x")):
            return list(stored("nb04", f"lgn_{k}_norms"))
    return ref_layer_gradient_norms(model, x, y)[::-1]


def he_for_visible_shapes(r_in, r_out, rng):
    """He's rule on the self-check's fan-ins, the basic rule elsewhere."""
    fan_ins = {r for r, _ in CHECK_SHAPES + CHECK_SMALL_SHAPES}
    return rng.standard_normal((r_in, r_out)) * math.sqrt((2.0 if r_in in fan_ins else 1.0) / r_in)


def _stored_params(fname):
    return {float(stored("nb04", f"{fname}_{k}_param")) for k in range(_stored_count(fname))}


def clip_norm_for_visible_thresholds(grads, max_norm):
    """Right for the stored thresholds, per-array clipping for any other."""
    if max_norm in _stored_params("clip_by_norm"):
        return ref_clip_by_norm(grads, max_norm)
    if isinstance(grads, dict):
        return {k: ref_clip_by_norm(g, max_norm) for k, g in grads.items()}
    return [ref_clip_by_norm(g, max_norm) for g in grads]


def clip_value_for_visible_limits(grads, limit):
    if limit in _stored_params("clip_by_value"):
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
    assert evaluate(name, side_check(SELF, name), function).passed
    result = evaluate(name, side_check(HIDDEN, name), function)
    assert result.status == "failed" and words in result.message, result.message


def test_grading_cases_differ_from_the_visible_ones():
    assert not set(fresh.GRADE_SHAPES) & set(CHECK_SHAPES)
    stored_inputs = [case.x for case in cases(SELF, "layer_gradient_norms")]
    for case in cases(HIDDEN, "layer_gradient_norms"):
        assert not any(s.shape == case.x.shape and np.allclose(s, case.x) for s in stored_inputs)
    assert len(cases(HIDDEN, "layer_gradient_norms")) == len(fresh.GRADE_NETWORKS)
