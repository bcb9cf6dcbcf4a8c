"""Notebook 04's visible self-checks: pass on the references and on valid alternatives,
explain typical mistakes, say "not implemented yet" on stubs, ship no reference code.

The alternative and buggy implementations live in tests/notebooks/nb04/implementations.py, shared with
tests/notebooks/nb04/test_hidden_check.py on the hidden grading checks.
"""
import ast
import inspect

import numpy as np
import pytest

import course_lib.selfcheck.nb04 as nb04
from autograder.checks.nb04.stored import build as build_stored
from course_lib.init import he_init as ref_he_init
from course_lib.selfcheck import evaluate
from course_lib.selfcheck.expected import EXPECTED_DIR
from tests.notebooks.nb04.implementations import ALTERNATIVES, MISTAKES, REFERENCES, stub


def check_of(name):
    return getattr(nb04, f"check_{name}")


# ============================================================================ tests


@pytest.mark.parametrize("name", list(REFERENCES))
def test_reference_passes(name):
    result = evaluate(name, check_of(name), REFERENCES[name])
    assert result.passed, result.message


@pytest.mark.parametrize("name,k", [(n, k) for n in ALTERNATIVES for k in range(len(ALTERNATIVES[n]))])
def test_valid_alternative_passes(name, k):
    result = evaluate(name, check_of(name), ALTERNATIVES[name][k])
    assert result.passed, result.message


@pytest.mark.parametrize("name,function,words", MISTAKES,
                         ids=[f"{m[0]}-{m[1].__name__}-{i}" for i, m in enumerate(MISTAKES)])
def test_mistake_is_diagnosed(name, function, words):
    result = evaluate(name, check_of(name), function)
    assert result.status == "failed", result
    assert words in result.message, result.message


@pytest.mark.parametrize("name", list(REFERENCES))
def test_stub_is_not_implemented(name):
    assert evaluate(name, check_of(name), stub).status == "not implemented"


def test_committed_expected_values_equal_a_fresh_build():
    fresh = build_stored()
    with np.load(EXPECTED_DIR / "nb04.npz", allow_pickle=False) as stored:
        assert sorted(stored.files) == sorted(fresh)
        for key, value in fresh.items():
            np.testing.assert_array_equal(stored[key], value, err_msg=key)


def test_stored_networks_hide_nothing():
    """A batch of one, a network without hidden layer, the lecture's deep net, and layer sizes
    that differ within every network; the deep sigmoid net's norms grow towards the output."""
    values = build_stored()
    shapes = []
    for k in range(int(values["lgn_n"])):
        depth = int(values[f"lgn_{k}_depth"])
        sizes = [values[f"lgn_{k}_w0"].shape[0]] + [values[f"lgn_{k}_w{j}"].shape[1] for j in range(depth)]
        shapes.append((sizes, len(values[f"lgn_{k}_x"])))
        assert np.all(values[f"lgn_{k}_b0"] != 0), "non-zero biases, so a bias bug cannot hide"
        assert len(set(values[f"lgn_{k}_y"].tolist())) > 1 or len(values[f"lgn_{k}_y"]) == 1
    assert any(n == 1 for _, n in shapes)
    assert any(len(sizes) == 2 for sizes, _ in shapes)
    deep = [k for k, (sizes, _) in enumerate(shapes) if sizes == [64, 30, 30, 30, 30, 10]]
    assert deep
    norms = values[f"lgn_{deep[0]}_norms"]
    assert np.all(np.diff(norms) > 0), norms


@pytest.mark.parametrize("fname", list(nb04.CLIP_MISTAKES))
def test_every_clipping_mistake_is_visible_in_a_stored_case(fname):
    """For each catalogued mistake some stored case gives a different result from the right one."""
    values = build_stored()
    for mistake in nb04.CLIP_MISTAKES[fname]:
        visible = False
        for k in range(int(values[f"{fname}_n"])):
            n = int(values[f"{fname}_{k}_n_arrays"])
            right = np.concatenate([values[f"{fname}_{k}_out_{i}"].ravel() for i in range(n)])
            wrong = np.concatenate([values[f"{fname}_{k}_mistake_{mistake}_{i}"].ravel() for i in range(n)])
            visible |= not np.allclose(right, wrong, rtol=1e-6, atol=0)
        assert visible, mistake


def test_stored_clip_cases_cover_lists_dicts_and_edges():
    values = build_stored()
    by_value = [(str(values[f"clip_by_value_{k}_kind"]), values[f"clip_by_value_{k}_param"])
                for k in range(int(values["clip_by_value_n"]))]
    assert {"list", "dict"} <= {kind for kind, _ in by_value}
    boundary = [k for k in range(int(values["clip_by_value_n"]))
                if np.any(np.abs(values[f"clip_by_value_{k}_in_0"]) == values[f"clip_by_value_{k}_param"])]
    assert boundary, "an entry exactly on the boundary"
    norms = [(float(values[f"clip_by_norm_{k}_global_norm"]), float(values[f"clip_by_norm_{k}_param"]))
             for k in range(int(values["clip_by_norm_n"]))]
    assert any(g > t for g, t in norms) and any(0 < g < t for g, t in norms) and any(g == 0 for g, _ in norms)


def test_init_statistics_tell_the_rules_apart():
    """On the visible shapes, every catalogued wrong formula is more than 2 tolerances from each rule."""
    for fname, (text, rule) in nb04.INIT_RULES.items():
        for r_in, r_out in nb04.CHECK_SHAPES:
            n = r_in * r_out
            right = rule(r_in, r_out)
            for other, std_of, _ in nb04.STD_FORMULAS:
                if other != text:
                    assert abs(std_of(r_in, r_out) - right) > 2 * nb04.std_tolerance(right, n), (fname, other)


def test_a_right_rule_passes_for_many_seeds():
    """The statistical tolerances are wide enough: a correct rule passes on 30 seeds."""
    for seed in range(30):
        nb04.check_init_rule("he_init", ref_he_init, [(200, 150)], seed=1000 + 7 * seed)


def test_visible_checks_import_no_reference_of_a_graded_function():
    tree = ast.parse(inspect.getsource(nb04))
    forbidden_modules = {"course_lib.gradient_norms", "course_lib.init", "course_lib.clipping", "course_lib.optim"}
    graded = {"layer_gradient_norms", "xavier_init", "he_init", "clip_by_value", "clip_by_norm"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.module not in forbidden_modules, node.module
            assert not {a.name for a in node.names} & graded
        if isinstance(node, ast.Import):
            assert not {a.name for a in node.names} & forbidden_modules
