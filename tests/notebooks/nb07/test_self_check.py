"""Notebook 07's visible self-checks: pass on the references and on valid alternatives,
explain typical mistakes, say "not implemented yet" on stubs, ship no reference code.

The alternative and buggy implementations live in tests/notebooks/nb07/implementations.py, shared with
tests/notebooks/nb07/test_hidden_check.py on the hidden grading checks.
"""
import ast
import inspect

import numpy as np
import pytest

import course_lib.selfcheck.nb07 as nb07
from autograder.expected import build
from course_lib import second_order as ref
from course_lib.selfcheck import evaluate
from course_lib.selfcheck.common import misfit, stored_count, usable_mistakes
from course_lib.selfcheck.expected import EXPECTED_DIR
from tests.notebooks.nb07.implementations import (
    ALTERNATIVES,
    MISTAKES,
    REFERENCES,
    cg_fresh_residual,
    cg_textbook,
    hess_unsym,
    stub,
)


def check_of(group):
    return getattr(nb07, f"check_{group}")


# ============================================================================ tests


@pytest.mark.parametrize("group", list(REFERENCES))
def test_reference_passes(group):
    result = evaluate(group, check_of(group), *REFERENCES[group])
    assert result.passed, result.message


@pytest.mark.parametrize("group,k", [(g, k) for g in ALTERNATIVES for k in range(len(ALTERNATIVES[g]))])
def test_valid_alternative_passes(group, k):
    result = evaluate(group, check_of(group), *ALTERNATIVES[group][k])
    assert result.passed, result.message


@pytest.mark.parametrize("group,functions,words", MISTAKES, ids=[f"{m[0]}-{i}" for i, m in enumerate(MISTAKES)])
def test_mistake_is_diagnosed(group, functions, words):
    result = evaluate(group, check_of(group), *functions)
    assert result.status == "failed", result
    assert words in result.message, result.message


@pytest.mark.parametrize("group", list(REFERENCES))
def test_stub_is_not_implemented(group):
    assert evaluate(group, check_of(group), stub).status == "not implemented"


def test_cg_may_return_x_or_an_object_with_x():
    assert evaluate("cg", nb07.check_conjugate_gradient, cg_textbook).passed
    assert evaluate("cg", nb07.check_conjugate_gradient, cg_fresh_residual).passed
    result = evaluate("cg", nb07.check_conjugate_gradient, lambda *a, **k: None)
    assert result.status == "failed" and "returned None" in result.message


def test_the_reference_newton_step_refuses_the_indefinite_case_the_notebook_needs():
    result = evaluate("newton_step", nb07.check_newton_step, ref.newton_step)
    assert not result.passed and "IndefiniteHessianError" in result.message


def test_every_stored_mistake_is_distinct_somewhere():
    """A mistake is named only on cases where it differs from the right answer: each must have one."""
    kinds = {"hess": "H", "newton": "w_new", "hvp": "Hv", "bfgs": "H_new", "lbfgs": "q"}
    seen = {}
    for kind, key in kinds.items():
        for k in range(stored_count("nb07", kind)):
            case = nb07.stored_case(f"{kind}_{k}")
            for slug in usable_mistakes(case["mistakes"], case[key], nb07.DISTINCT):
                seen[slug] = True
    for k in range(stored_count("nb07", "ls")):
        case = nb07.stored_case(f"ls_{k}")
        for slug, eta in case["mistakes"].items():  # nan: that mistake finds no step here
            if not np.isfinite(eta) or abs(float(eta) - float(case["eta"])) > 1e-6 * float(case["eta"]):
                seen[slug] = True
    for k in range(stored_count("nb07", "cg")):
        case = nb07.stored_case(f"cg_{k}")
        for slug, iterates in case["mistakes"].items():
            if any(misfit(a, b) > nb07.DISTINCT for a, b in zip(iterates, case["iterates"])):
                seen[slug] = True
    assert sorted(set(nb07.MISTAKES) - set(seen)) == []


def test_committed_expected_values_equal_a_fresh_build():
    fresh = build("nb07")
    with np.load(EXPECTED_DIR / "nb07.npz", allow_pickle=False) as stored:
        assert sorted(stored.files) == sorted(fresh)
        for key in fresh:
            assert np.array_equal(stored[key], fresh[key], equal_nan=stored[key].dtype.kind == "f"), key


def test_no_reference_code_in_the_shipped_checks():
    tree = ast.parse(inspect.getsource(nb07))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert not any(name.startswith(("course_lib.second_order", "autograder")) for name in imported), imported
    assert "second_order" not in inspect.getsource(nb07)


def test_quartic_gradient_is_its_derivative():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((4, 4))
    A = A + A.T
    B = rng.standard_normal((4, 4))
    np.fill_diagonal(B, 0.0)
    w = rng.standard_normal(4)
    h = 1e-6
    numerical = np.array([(nb07.quartic_value(w + h * e, A, B) - nb07.quartic_value(w - h * e, A, B)) / (2 * h)
                          for e in np.eye(4)])
    assert misfit(numerical, nb07.quartic_gradient(w, A, B)) < 1e-9


def test_quartic_finite_difference_hessian_is_visibly_asymmetric_with_a_large_step():
    case = nb07.stored_case("hess_0")
    _, grad = nb07.make_problem(case)
    J = hess_unsym(grad, case["w"], float(case["eps"]))
    assert misfit(J, J.T) > 1e-4
