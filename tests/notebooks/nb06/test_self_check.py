"""Notebook 06's visible self-checks: pass on right answers, name the typical mistakes.

The implementations (course_lib's references, two hand-written valid ones and the configurable
``student(*bugs)`` that plants one mistake at a time) live in tests/notebooks/nb06/implementations.py, shared with
tests/notebooks/nb06/test_hidden_check.py on the hidden checks.
"""
import numpy as np
import pytest

from autograder.expected.nb06 import build
from course_lib.layers.batchnorm import batchnorm_backward, batchnorm_backward_alt, batchnorm_forward
from course_lib.selfcheck import evaluate
from course_lib.selfcheck.expected import EXPECTED_DIR
from course_lib.selfcheck.nb06 import (
    MISTAKES,
    check_batchnorm_backward,
    check_batchnorm_backward_alt,
    check_batchnorm_forward,
    check_spatial_batchnorm_backward,
    check_spatial_batchnorm_forward,
)
from tests.notebooks.nb06.implementations import BACKWARD_BUGS, FORWARD_BUGS, SPATIAL_BUGS, VALID, student


def run_all(impl, checks=None):
    """Evaluate every self-check of the notebook on one implementation: {name: CheckResult}."""
    f, b, alt, sf, sb = impl
    calls = {
        "batchnorm_forward": (check_batchnorm_forward, f),
        "batchnorm_backward": (check_batchnorm_backward, f, b),
        "batchnorm_backward_alt": (check_batchnorm_backward_alt, f, alt, b),
        "spatial_batchnorm_forward": (check_spatial_batchnorm_forward, sf),
        "spatial_batchnorm_backward": (check_spatial_batchnorm_backward, sf, sb),
    }
    return {name: evaluate(name, call[0], *call[1:]) for name, call in calls.items()
            if checks is None or name in checks}


# ----------------------------------------------------------------------------- tests


@pytest.mark.parametrize("label", list(VALID))
def test_valid_implementations_pass_every_check(label):
    results = run_all(VALID[label])
    failed = {name: r.message for name, r in results.items() if not r.passed}
    assert not failed, failed


def test_stubs_are_reported_as_not_implemented():
    def stub(*args):
        raise NotImplementedError()

    results = run_all((stub,) * 5)
    assert {r.status for r in results.values()} == {"not implemented"}
    assert all("not implemented yet" in r.message for r in results.values())


def test_alt_check_runs_while_the_graph_form_is_still_a_stub():
    def stub(*args):
        raise NotImplementedError()

    result = evaluate("alt", check_batchnorm_backward_alt, batchnorm_forward, batchnorm_backward_alt, stub)
    assert result.passed, result.message


@pytest.mark.parametrize("bug, check, words", FORWARD_BUGS + BACKWARD_BUGS + SPATIAL_BUGS,
                         ids=lambda v: v if isinstance(v, str) and " " not in v else None)
def test_each_typical_mistake_is_named(bug, check, words):
    result = run_all(student(bug), checks={check})[check]
    assert result.status == "failed", f"{bug}: {result}"
    assert words in result.message, f"{bug}: {result.message}"


def test_spatial_forward_bugs_do_not_spoil_the_dense_checks():
    results = run_all(student("axes_N"))
    assert results["batchnorm_forward"].passed and results["batchnorm_backward"].passed
    assert not results["spatial_batchnorm_forward"].passed


def test_wrong_forward_with_a_consistent_backward_blames_the_forward():
    result = run_all(student("unbiased_var"), checks={"batchnorm_backward"})["batchnorm_backward"]
    assert result.status == "failed"
    assert "batchnorm_forward gives a wrong output" in result.message
    assert "does match centered differences of your forward" in result.message


def test_the_two_forms_are_compared_on_one_cache():
    f, b, alt, _, _ = student("no_var_term")
    result = evaluate("alt", check_batchnorm_backward_alt, f, alt, b)
    assert result.status == "failed" and "disagree" in result.message and "batchnorm_backward" in result.message


def test_contract_mutating_inputs_and_bad_returns_are_explained():
    def mutating_forward(x, gamma, beta, bn_param):
        out, cache = batchnorm_forward(x, gamma, beta, bn_param)
        x -= x.mean(axis=0)
        return out, cache

    result = evaluate("f", check_batchnorm_forward, mutating_forward)
    assert result.status == "failed" and "modified its input x" in result.message

    result = evaluate("f", check_batchnorm_forward, lambda *a: batchnorm_forward(*a)[0])
    assert result.status == "failed" and "pair (out, cache)" in result.message

    result = evaluate("b", check_batchnorm_backward, batchnorm_forward, lambda d, c: batchnorm_backward(d, c)[0])
    assert result.status == "failed" and "(dx, dgamma, dbeta)" in result.message

    def transposed_backward(dout, cache):
        dx, dgamma, dbeta = batchnorm_backward(dout, cache)
        return dx.T, dgamma, dbeta

    result = evaluate("b", check_batchnorm_backward, batchnorm_forward, transposed_backward)
    assert result.status == "failed" and "dx has shape" in result.message


def test_every_mistake_slug_has_a_sentence():
    stored = build()
    slugs = {str(e).split("/")[1] for k, v in stored.items() if k.endswith("__mistakes") for e in v}
    assert slugs <= set(MISTAKES)


def test_committed_expected_values_equal_a_fresh_build():
    fresh = build()
    with np.load(EXPECTED_DIR / "nb06.npz", allow_pickle=False) as stored:
        assert sorted(stored.files) == sorted(fresh)
        for key in fresh:
            np.testing.assert_array_equal(stored[key], fresh[key], err_msg=key)
