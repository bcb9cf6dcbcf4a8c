"""Notebook 06's hidden grading checks: full marks for valid answers, named mistakes for wrong ones.

The implementations (course_lib's references, two valid alternatives and the
configurable ``student(*bugs)``) come from tests/notebooks/nb06/implementations.py.
"""
import numpy as np
import pytest

from autograder.checks.nb06 import (
    backward_cases,
    forward_cases,
    grade_batchnorm_backward,
    grade_batchnorm_backward_alt,
    grade_batchnorm_forward,
    grade_spatial_batchnorm_backward,
    grade_spatial_batchnorm_forward,
)
from autograder.expected.nb06 import build
from course_lib.layers.batchnorm import batchnorm_backward, batchnorm_forward
from course_lib.selfcheck import evaluate
from tests.notebooks.nb06.implementations import BACKWARD_BUGS, FORWARD_BUGS, SPATIAL_BUGS, VALID, student


def grade_all(impl, grades=None):
    """Every hidden check on one implementation: {function name: CheckResult}."""
    f, b, alt, sf, sb = impl
    calls = {
        "batchnorm_forward": (grade_batchnorm_forward, f),
        "batchnorm_backward": (grade_batchnorm_backward, f, b),
        "batchnorm_backward_alt": (grade_batchnorm_backward_alt, f, alt),
        "spatial_batchnorm_forward": (grade_spatial_batchnorm_forward, sf),
        "spatial_batchnorm_backward": (grade_spatial_batchnorm_backward, sf, sb),
    }
    return {name: evaluate(name, call[0], *call[1:]) for name, call in calls.items()
            if grades is None or name in grades}


@pytest.mark.parametrize("label", list(VALID))
def test_valid_implementations_get_full_marks(label):
    results = grade_all(VALID[label])
    failed = {name: r.message for name, r in results.items() if not r.passed}
    assert not failed, failed


def test_stubs_are_not_implemented():
    def stub(*args):
        raise NotImplementedError()

    results = grade_all((stub,) * 5)
    assert {r.status for r in results.values()} == {"not implemented"}


@pytest.mark.parametrize("bug, function, words", FORWARD_BUGS + BACKWARD_BUGS + SPATIAL_BUGS,
                         ids=lambda v: v if isinstance(v, str) and " " not in v else None)
def test_each_typical_mistake_fails_with_its_name(bug, function, words):
    result = grade_all(student(bug), grades={function})[function]
    assert result.status == "failed", f"{bug}: {result}"
    assert words in result.message, f"{bug}: {result.message}"


def test_a_bug_in_one_function_costs_only_that_function():
    results = grade_all(student("no_mean_term"))
    assert not results["batchnorm_backward"].passed
    # the configurable closed form has no such bug; the spatial backward uses the graph form
    assert results["batchnorm_forward"].passed and results["batchnorm_backward_alt"].passed
    assert results["spatial_batchnorm_forward"].passed and not results["spatial_batchnorm_backward"].passed


@pytest.mark.parametrize("function", ["batchnorm_backward", "spatial_batchnorm_backward"])
def test_wrong_forward_and_wrong_backward_are_told_apart(function):
    consistent = grade_all(student("unbiased_var"), grades={function})[function]
    assert consistent.status == "failed"
    assert "does match centered differences of your forward" in consistent.message
    both = grade_all(student("unbiased_var", "no_var_term"), grades={function})[function]
    assert both.status == "failed"
    assert "does not match centered differences of your forward either" in both.message


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

    from course_lib.selfcheck.nb06 import check_batchnorm_backward

    assert evaluate("visible", check_batchnorm_backward, batchnorm_forward, replaying_backward).passed
    assert evaluate("hidden", grade_batchnorm_backward, batchnorm_forward, replaying_backward).status == "failed"


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


def test_the_check_tells_a_mutated_cache_apart():
    def mutating_backward(dout, cache):
        grads = batchnorm_backward(dout, cache)
        cache["x_hat"] *= 2.0  # the reference's cache is a dict: spoil it for the next call
        return grads

    result = evaluate("b", grade_batchnorm_backward, batchnorm_forward, mutating_backward)
    assert result.status == "failed" and "must not change the cache" in result.message
