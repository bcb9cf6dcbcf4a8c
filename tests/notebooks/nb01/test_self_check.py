"""Notebook 01's visible self-checks: pass on the references and on valid alternatives,
explain typical mistakes, say "not implemented yet" on stubs, ship no reference code.

The alternative and buggy implementations live in tests/notebooks/nb01/implementations.py, shared with
tests/notebooks/nb01/test_hidden_check.py on the hidden grading checks.
"""
import ast
import inspect

import numpy as np
import pytest

import course_lib.selfcheck.nb01 as nb01
from autograder.expected import build
from course_lib.graph import backprop_derivatives as ref_backprop
from course_lib.layers import activations as act
from course_lib.layers.cos_module import cos_module_forward
from course_lib.selfcheck import evaluate
from course_lib.selfcheck.expected import EXPECTED_DIR
from tests.notebooks.nb01.implementations import ALTERNATIVES, MISTAKES, REFERENCES, bp_memoized, stub


def check_of(group):
    return getattr(nb01, f"check_{group}")


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
    stubs = (stub,) * len(REFERENCES[group])
    assert evaluate(group, check_of(group), *stubs).status == "not implemented"


def test_a_stub_backward_behind_a_working_forward_is_not_implemented():
    assert evaluate("sigmoid", nb01.check_sigmoid, act.sigmoid_forward, stub).status == "not implemented"
    assert evaluate("cos", nb01.check_cos_module, cos_module_forward, stub).status == "not implemented"


def test_committed_expected_values_equal_a_fresh_build():
    fresh = build("nb01")
    with np.load(EXPECTED_DIR / "nb01.npz", allow_pickle=False) as stored:
        assert sorted(stored.files) == sorted(fresh)
        for key, value in fresh.items():
            np.testing.assert_array_equal(stored[key], value, err_msg=key)


def test_stored_cases_hide_nothing():
    """Every stored array has distinct dimensions > 1 or is a batch of one; ReLU inputs for
    finite differences are away from the kink; the special cases hold the kink and large inputs."""
    values = build("nb01")
    for op in nb01.ACTIVATIONS:
        shapes = [values[f"{op}_{k}_x"].shape for k in range(int(values[f"{op}_n"]))]
        assert (1, 5) in shapes and any(len(set(s)) == len(s) == 3 for s in shapes)
        for k in range(int(values[f"{op}_n"])):
            x, fd = values[f"{op}_{k}_x"], bool(values[f"{op}_{k}_fd"])
            if "relu" in op and fd:
                assert np.min(np.abs(x)) >= 0.05
            if "relu" in op and not fd:
                assert np.any(x == 0)
    assert np.max(np.abs(values["softplus_3_x"])) >= 1000


def test_checks_leave_an_untouched_graph_and_count_reads():
    from course_lib.graph import layered_graph

    graph = layered_graph(2, 6, rng=0)
    edges_before = graph.edges
    counting = nb01.counting_graph(graph, budget=10**6, function_name="f")
    assert ref_backprop(counting, "o") == ref_backprop(graph, "o")
    bp_memoized(counting, "o")
    assert 0 < counting.reads <= len(graph) + len(graph.edges)
    assert graph.edges == edges_before


def test_visible_checks_import_no_reference_of_a_graded_function():
    tree = ast.parse(inspect.getsource(nb01))
    graded = {"numerical_gradient", "relative_error", "path_derivative", "backprop_derivatives",
              "cos_module_forward", "cos_module_backward"}
    graded |= {f"{op}_{d}" for op in nb01.ACTIVATIONS for d in ("forward", "backward")}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert not node.module.startswith("course_lib.layers"), node.module
            assert node.module != "course_lib.gradcheck.numerical" or {a.name for a in node.names} <= {
                "numerical_gradient_array"}
            imported = {a.name for a in node.names}
            assert not imported & graded, (node.module, imported & graded)
        if isinstance(node, ast.Import):
            assert not any(a.name.startswith("course_lib.layers") for a in node.names)
