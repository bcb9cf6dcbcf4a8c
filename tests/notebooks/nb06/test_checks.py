"""Notebook 06's checks, both sides: the self-check (course_lib.selfcheck.nb06, stored cases) and the
hidden check (autograder.checks.nb06, fresh cases) pass right answers, name the typical mistakes with
the same words, and say "not implemented yet" on stubs. Then what only one side has.

The implementations (course_lib's references, two hand-written valid ones and the configurable
``student(*bugs)`` that plants one mistake at a time) live in tests/notebooks/nb06/implementations.py.
"""
import inspect
import pkgutil

import numpy as np
import pytest

import autograder.checks.nb06 as hidden
import course_lib.selfcheck.nb06 as home
from autograder.checks.nb06.fresh import backward_cases, forward_cases
from autograder.checks.nb06.stored import build
from autograder.syllabus import SYLLABUS
from course_lib.layers.batchnorm import batchnorm_backward, batchnorm_backward_alt, batchnorm_forward
from course_lib.selfcheck import evaluate
from course_lib.selfcheck.nb06.cases import stored_cases
from course_lib.selfcheck.nb06.mistakes import MISTAKES
from tests.notebooks.nb06.implementations import BACKWARD_BUGS, FORWARD_BUGS, SPATIAL_BUGS, VALID, student

SIDES = ("self-check", "hidden check")


def run_all(side, impl, checks=None):
    """Every check of one side on one implementation: {name: CheckResult}.

    The self-check of batchnorm_backward_alt is also given the graph form (the notebook does so);
    the hidden check grades the closed form alone.
    """
    f, b, alt, sf, sb = impl
    functions = {
        "batchnorm_forward": (f,),
        "batchnorm_backward": (f, b),
        "batchnorm_backward_alt": (f, alt, b) if side == "self-check" else (f, alt),
        "spatial_batchnorm_forward": (sf,),
        "spatial_batchnorm_backward": (sf, sb),
    }
    return {name: evaluate(name, check_of(side, name), *args) for name, args in functions.items()
            if checks is None or name in checks}


def check_of(side, name):
    return getattr(home, f"check_{name}") if side == "self-check" else getattr(hidden, f"grade_{name}")


def stub(*args):
    raise NotImplementedError()


# ============================================================================ the table and the manifest


def test_the_table_has_one_row_per_graded_test_of_the_manifest():
    assert sorted(home.TABLE.rows) == sorted(t.check for t in SYLLABUS["06"].tests)


def test_the_hidden_check_has_a_grade_function_for_every_graded_test():
    for test in SYLLABUS["06"].tests:
        assert callable(getattr(hidden, f"grade_{test.check}")), test.check
        assert callable(getattr(home, f"check_{test.check}")), test.check


# ============================================================================ both sides


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("label", list(VALID))
def test_valid_implementations_pass_every_check(side, label):
    results = run_all(side, VALID[label])
    failed = {name: r.message for name, r in results.items() if not r.passed}
    assert not failed, failed


@pytest.mark.parametrize("side", SIDES)
def test_stubs_are_reported_as_not_implemented(side):
    results = run_all(side, (stub,) * 5)
    assert {r.status for r in results.values()} == {"not implemented"}
    assert all("not implemented yet" in r.message for r in results.values())


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("bug, check, words", FORWARD_BUGS + BACKWARD_BUGS + SPATIAL_BUGS,
                         ids=lambda v: v if isinstance(v, str) and " " not in v else None)
def test_each_typical_mistake_is_named(side, bug, check, words):
    result = run_all(side, student(bug), checks={check})[check]
    assert result.status == "failed", f"{bug}: {result}"
    assert words in result.message, f"{bug}: {result.message}"


@pytest.mark.parametrize("side", SIDES)
def test_spatial_forward_bugs_do_not_spoil_the_dense_checks(side):
    results = run_all(side, student("axes_N"))
    assert results["batchnorm_forward"].passed and results["batchnorm_backward"].passed
    assert not results["spatial_batchnorm_forward"].passed


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("function", ["batchnorm_backward", "spatial_batchnorm_backward"])
def test_wrong_forward_and_wrong_backward_are_told_apart(side, function):
    consistent = run_all(side, student("unbiased_var"), checks={function})[function]
    assert consistent.status == "failed"
    assert "batchnorm_forward gives a wrong output" in consistent.message
    assert "does match centered differences of your forward" in consistent.message
    both = run_all(side, student("unbiased_var", "no_var_term"), checks={function})[function]
    assert both.status == "failed"
    assert "does not match centered differences of your forward either" in both.message


@pytest.mark.parametrize("side", SIDES)
def test_contract_mutating_inputs_and_bad_returns_are_explained(side):
    forward_check, backward_check = check_of(side, "batchnorm_forward"), check_of(side, "batchnorm_backward")

    def mutating_forward(x, gamma, beta, bn_param):
        out, cache = batchnorm_forward(x, gamma, beta, bn_param)
        x -= x.mean(axis=0)
        return out, cache

    result = evaluate("f", forward_check, mutating_forward)
    assert result.status == "failed" and "modified its input x" in result.message

    result = evaluate("f", forward_check, lambda *a: batchnorm_forward(*a)[0])
    assert result.status == "failed" and "pair (out, cache)" in result.message

    result = evaluate("b", backward_check, batchnorm_forward, lambda d, c: batchnorm_backward(d, c)[0])
    assert result.status == "failed" and "(dx, dgamma, dbeta)" in result.message

    def transposed_backward(dout, cache):
        dx, dgamma, dbeta = batchnorm_backward(dout, cache)
        return dx.T, dgamma, dbeta

    result = evaluate("b", backward_check, batchnorm_forward, transposed_backward)
    assert result.status == "failed" and "dx has shape" in result.message


@pytest.mark.parametrize("side", SIDES)
def test_the_check_tells_a_mutated_cache_apart(side):
    def mutating_backward(dout, cache):
        grads = batchnorm_backward(dout, cache)
        cache["x_hat"] *= 2.0  # the reference's cache is a dict: spoil it for the next call
        return grads

    result = evaluate("b", check_of(side, "batchnorm_backward"), batchnorm_forward, mutating_backward)
    assert result.status == "failed" and "must not change the cache" in result.message


def test_a_bug_in_one_function_costs_only_that_function():
    results = run_all("hidden check", student("no_mean_term"))
    assert not results["batchnorm_backward"].passed
    # the configurable closed form has no such bug; the spatial backward uses the graph form
    assert results["batchnorm_forward"].passed and results["batchnorm_backward_alt"].passed
    assert results["spatial_batchnorm_forward"].passed and not results["spatial_batchnorm_backward"].passed


# ============================================================================ the self-check only


def test_alt_check_runs_while_the_graph_form_is_still_a_stub():
    result = evaluate("alt", home.check_batchnorm_backward_alt, batchnorm_forward, batchnorm_backward_alt, stub)
    assert result.passed, result.message


def test_the_two_forms_are_compared_on_one_cache():
    f, b, alt, _, _ = student("no_var_term")
    result = evaluate("alt", home.check_batchnorm_backward_alt, f, alt, b)
    assert result.status == "failed" and "disagree" in result.message and "batchnorm_backward" in result.message
    assert evaluate("alt", home.check_batchnorm_backward_alt, f, alt).passed  # without the graph form


def test_every_mistake_slug_has_a_sentence():
    stored = build()
    slugs = {str(e).split("/")[1] for k, v in stored.items() if k.endswith("__mistakes") for e in v}
    assert slugs <= set(MISTAKES)


def test_the_stored_cases_are_read_back_with_their_mistakes():
    (case, *_) = stored_cases("fwd")
    assert case["x"].shape == (7, 4) and str(case["mode"]) == "train"
    assert {"out", "running_mean", "running_var"} <= set(case["mistakes"])
    assert case["mistakes"]["out"]["unbiased_var"].shape == case["out"].shape


def test_no_batch_norm_formula_ships_with_the_self_check():
    modules = [home] + [__import__(f"{home.__name__}.{m.name}", fromlist=["_"])
                        for m in pkgutil.iter_modules(home.__path__)]
    for module in modules:
        source = inspect.getsource(module)
        assert "course_lib.layers" not in source and "autograder" not in source.replace(
            "autograder/checks/nb06", ""), module.__name__
        assert "np.sqrt" not in source, module.__name__


# ============================================================================ the hidden check only


def test_a_backward_that_ignores_its_cache_is_caught_by_the_fresh_inputs():
    """Gradients replayed from the stored cases pass the self-check but not the hidden check."""
    stored = build()
    table = [(stored[f"bwd_{k}__dout"], stored[f"bwd_{k}__dx"], stored[f"bwd_{k}__dgamma"], stored[f"bwd_{k}__dbeta"])
             for k in range(int(stored["bwd_n"]))]

    def replaying_backward(dout, cache):
        for d, dx, dgamma, dbeta in table:
            c = np.sum(d * dout) / np.sum(d * d) if d.shape == dout.shape else 0.0
            if c and np.array_equal(c * d, dout):  # a stored dout, or a multiple of it
                return c * dx, c * dgamma, c * dbeta
        return batchnorm_backward(2.0 * dout, cache)  # anything but the right answer

    assert evaluate("visible", home.check_batchnorm_backward, batchnorm_forward, replaying_backward).passed
    assert evaluate("hidden", hidden.grade_batchnorm_backward, batchnorm_forward, replaying_backward).status == "failed"


def test_hidden_cases_cover_the_edge_shapes_and_hide_nothing():
    shapes = [case["x"].shape for case in forward_cases(6101)]
    assert any(s[0] == 1 for s in shapes)                                 # a batch of one
    assert any(s[0] > 1 and len(set(s)) == len(s) for s in shapes)        # every dimension distinct
    modes = {str(case["mode"]) for case in backward_cases(6201)}
    assert modes == {"train", "test"}
    for case in backward_cases(6201):
        assert not np.allclose(case["dout"], case["dout"].flat[0])        # Gaussian dout, not ones
        if str(case["mode"]) == "train" and case["x"].shape[0] > 1:
            assert np.abs(case["dx"]).max() > 1e-3                         # nothing vanishes
        assert abs(float(case["momentum"]) - 0.5) > 0.1                    # swapped weights would show
