"""Notebook 01's checks, both sides: the visible self-check (course_lib.selfcheck.nb01, stored cases)
and the hidden check (autograder.checks.nb01, fresh cases) pass the references and valid
alternatives, name the typical mistakes with the same words, say "not implemented yet" on stubs;
the hidden cases catch what the visible ones may miss; the home ships no reference code.

The alternative and buggy implementations live in tests/notebooks/nb01/implementations.py.
"""
import ast
import time
from pathlib import Path

import numpy as np
import pytest

import autograder.checks.nb01 as hidden
import course_lib.selfcheck.nb01 as visible
from autograder.checks.nb01.fresh import graded_graphs, random_dag
from autograder.syllabus import SYLLABUS
from course_lib.graph import backprop_derivatives as ref_backprop
from course_lib.graph import count_paths, layered_graph
from course_lib.layers import activations as act
from course_lib.layers.cos_module import cos_module_backward, cos_module_forward
from course_lib.selfcheck import evaluate
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb01 import cases
from course_lib.selfcheck.nb01.counting import CountingGraph, counting_graph
from tests.notebooks.nb01.implementations import (
    ALTERNATIVES,
    MISTAKES,
    REFERENCES,
    bp_by_paths,
    bp_memoized,
    pd_literal,
    sigmoid_f_exp_x,
    stub,
    tanh_f_exp,
)

SIDES = ["self-check", "hidden check"]


def check_of(side, group):
    return getattr(visible, f"check_{group}") if side == "self-check" else getattr(hidden, f"grade_{group}")


# ============================================================================ the table and the manifest


def test_the_table_has_one_row_per_graded_test_and_the_hidden_side_grades_each():
    stems = [t.check for t in SYLLABUS["01"].tests]
    assert list(visible.TABLE.rows) == stems
    for stem in stems:
        assert callable(getattr(visible, f"check_{stem}"))
        assert callable(getattr(hidden, f"grade_{stem}"))


# ============================================================================ both sides


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("group", list(REFERENCES))
def test_reference_passes(side, group):
    result = evaluate(group, check_of(side, group), *REFERENCES[group])
    assert result.passed, result.message


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("group,k", [(g, k) for g in ALTERNATIVES for k in range(len(ALTERNATIVES[g]))])
def test_valid_alternative_passes(side, group, k):
    result = evaluate(group, check_of(side, group), *ALTERNATIVES[group][k])
    assert result.passed, result.message


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("group,functions,words", MISTAKES, ids=[f"{m[0]}-{i}" for i, m in enumerate(MISTAKES)])
def test_mistake_is_diagnosed_with_the_same_words(side, group, functions, words):
    result = evaluate(group, check_of(side, group), *functions)
    assert result.status == "failed", result
    assert words in result.message, result.message


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("group", list(REFERENCES))
def test_stub_is_not_implemented(side, group):
    stubs = (stub,) * len(REFERENCES[group])
    assert evaluate(group, check_of(side, group), *stubs).status == "not implemented"


@pytest.mark.parametrize("side", SIDES)
def test_a_stub_backward_behind_a_working_forward_is_not_implemented(side):
    assert evaluate("sigmoid", check_of(side, "sigmoid"), act.sigmoid_forward, stub).status == "not implemented"
    assert evaluate("cos", check_of(side, "cos_module"), cos_module_forward, stub).status == "not implemented"


@pytest.mark.parametrize("side", SIDES)
def test_a_crash_in_the_submission_is_reported_not_raised(side):
    def broken(dout, cache):
        return dout.reshape(5, 5)  # a shape error inside the student's code

    result = evaluate("sigmoid", check_of(side, "sigmoid"), act.sigmoid_forward, broken)
    assert result.status == "error" and "ValueError" in result.message


@pytest.mark.parametrize("side", SIDES)
def test_cos_module_accepts_a_zero_dimensional_theta_gradient(side):
    def backward(dout, cache):
        dx, dtheta = cos_module_backward(dout, cache)
        return dx, np.array(dtheta)

    assert evaluate("c", check_of(side, "cos_module"), cos_module_forward, backward).passed


# ============================================================================ the hidden cases


def leaky_f_alpha_02(x, alpha=0.01):
    return np.where(x > 0, x, 0.2 * x), x  # the visible cases' alpha, hard-coded


def leaky_b_alpha_02(dout, x):
    return dout * np.where(x > 0, 1.0, 0.2)


def ng_ignores_h(f, x, h=1e-5):
    # right for the default step only
    from course_lib.gradcheck import numerical_gradient

    return numerical_gradient(f, x, 1e-5)


def leaky_f_default_02(x, alpha=0.2):
    return act.leaky_relu_forward(x, alpha)  # a wrong default, right whenever alpha is passed


def relu_b_visible_shapes_only(dout, x):
    if x.ndim == 1:  # the hidden cases add a plain vector
        return dout
    return dout * (x > 0)


def pd_with_memo_only_from_w(graph, w, o):
    # a path_derivative that forgets paths through nodes inserted before w (wrong on shuffled graphs)
    nodes = graph.nodes
    allowed = set(nodes[nodes.index(w):])
    total, stack = 0.0, [(w, 1.0)]
    while stack:
        node, product = stack.pop()
        if node == o:
            total += product
            continue
        for j, z in graph.successors(node).items():
            if j in allowed:
                stack.append((j, product * z))
    return total


def bp_first_output_only(graph, o):
    result = ref_backprop(graph, graph.topological_order()[-1])
    return result if o == graph.topological_order()[-1] else {n: 0.0 for n in graph.nodes}


@pytest.mark.parametrize("group,functions", [
    ("leaky_relu", (leaky_f_alpha_02, leaky_b_alpha_02)),
    ("leaky_relu", (leaky_f_default_02, act.leaky_relu_backward)),
    ("numerical_gradient", (ng_ignores_h,)),
    ("relu", (act.relu_forward, relu_b_visible_shapes_only)),
    ("path_derivative", (pd_with_memo_only_from_w,)),
    ("backprop_derivatives", (bp_first_output_only,)),
])
def test_hidden_cases_catch_what_the_visible_ones_may_miss(group, functions):
    result = evaluate(group, check_of("hidden check", group), *functions)
    assert result.status == "failed", result


@pytest.mark.parametrize("group,functions,words", [
    ("tanh", (tanh_f_exp, act.tanh_backward), "exp(|x|) overflows for |x| > 709"),
    ("sigmoid", (sigmoid_f_exp_x, act.sigmoid_backward), "use exp(-|x|), which never overflows"),
], ids=["tanh from exp(x)", "sigmoid as e^x / (1 + e^x)"])
def test_extreme_inputs_of_the_hidden_check_name_an_overflowing_formula(group, functions, words):
    """The visible tails (|x| <= 12) hide an exp(x) formula; the hidden +-1000 turn it into nan, named."""
    assert evaluate(group, check_of("self-check", group), *functions).passed
    result = evaluate(group, check_of("hidden check", group), *functions)
    assert result.status == "failed" and words in result.message, result
    assert any(f"(x = {x})" in result.message for x in (-1000, -745, 745, 1000)), result.message


def test_leaky_alpha_hard_coded_to_the_visible_value_is_named():
    assert evaluate("l", visible.check_leaky_relu, leaky_f_alpha_02, leaky_b_alpha_02).passed
    message = evaluate("l", hidden.grade_leaky_relu, leaky_f_alpha_02, leaky_b_alpha_02).message
    assert "alpha = 0.05" in message and "out is wrong" in message


def test_a_wrong_default_alpha_is_caught_by_the_case_without_alpha():
    assert evaluate("l", visible.check_leaky_relu, leaky_f_default_02, act.leaky_relu_backward).passed
    message = evaluate("l", hidden.grade_leaky_relu, leaky_f_default_02, act.leaky_relu_backward).message
    assert "alpha not passed" in message


def test_random_dags_are_acyclic_shuffled_and_reproducible():
    g1 = random_dag(np.random.default_rng(3))
    g2 = random_dag(np.random.default_rng(3))
    assert g1.nodes == g2.nodes and g1.edges == g2.edges
    order = g1.topological_order()
    assert g1.nodes != order  # insertion order is not a valid order to compute in
    position = {n: k for k, n in enumerate(order)}
    assert all(position[i] < position[j] for i, j, _ in g1.edges)
    assert all(abs(z) >= 0.1 for _, _, z in g1.edges)


def test_graded_graphs_have_many_paths_but_stay_enumerable():
    for label, graph in graded_graphs():
        if not label.startswith("a random"):
            assert 30 <= count_paths(graph, "w", "o") <= 500, label


def test_literal_path_enumeration_is_fast_enough_on_the_graded_graphs():
    start = time.perf_counter()
    assert evaluate("p", hidden.grade_path_derivative, pd_literal).passed
    assert time.perf_counter() - start < 5.0


# ============================================================================ the stored cases


def test_stored_cases_hide_nothing():
    """Every stored array has distinct dimensions > 1 or is a batch of one; ReLU inputs for
    finite differences are away from the kink; the special cases hold the kink and large inputs."""
    for op in cases.ACTIVATIONS:
        stored = cases.stored_elementwise_cases(op)
        shapes = [c.x.shape for c in stored]
        assert (1, 5) in shapes and any(len(set(s)) == len(s) == 3 for s in shapes)
        for c in stored:
            if "relu" in op and c.fd:
                assert np.min(np.abs(c.x)) >= 0.05
            if "relu" in op and not c.fd:
                assert np.any(c.x == 0)
    assert np.max(np.abs(cases.stored_elementwise_cases("softplus")[3].x)) >= 1000
    assert [c.params for c in cases.stored_elementwise_cases("leaky_relu")] == [(cases.RELU_ALPHA,)] * 4


def test_stored_cases_carry_the_known_mistakes_of_their_inputs():
    relu = cases.stored_elementwise_cases("relu")[0]
    np.testing.assert_array_equal(relu.forward_mistakes["min"], np.minimum(relu.x, 0.0))
    cubic = cases.stored_numerical_gradient_cases()[0]
    np.testing.assert_allclose(cubic.mistakes["twice"], 2 * cubic.centered, rtol=1e-15)
    assert [c.h for c in cases.stored_numerical_gradient_cases()][-1] is None  # one case with the default step
    two_paths = cases.stored_path_cases()[0]
    assert sorted(two_paths.single_paths) == ["w -> y -> p -> o", "w -> y -> q -> o"]
    assert sum(two_paths.single_paths.values()) == pytest.approx(two_paths.value, rel=1e-12)
    assert all(not c.single_paths for c in cases.stored_path_cases()[1:])


# ============================================================================ the counting graph


def test_the_counting_graph_copies_the_graph_and_counts_reads():
    graph = layered_graph(2, 6, rng=0)
    edges_before = graph.edges
    counting = counting_graph(graph, budget=10**6, function_name="f")
    assert isinstance(counting, CountingGraph) and (counting.budget, counting.function_name) == (10**6, "f")
    assert ref_backprop(counting, "o") == ref_backprop(graph, "o")
    counting.reads = 0
    bp_memoized(counting, "o")
    assert 0 < counting.reads <= len(graph) + len(graph.edges)
    assert graph.edges == edges_before


def test_the_counting_graph_stops_path_enumeration_at_its_budget():
    counting = counting_graph(layered_graph(2, 12, rng=0), budget=500, function_name="backprop_derivatives")
    with pytest.raises(CheckFailure, match="backprop_derivatives read the edges .* more than 500 times"):
        bp_by_paths(counting, "o")
    assert counting.reads > 500


# ============================================================================ what the home ships


def home_sources():
    return sorted(Path(visible.__file__).parent.glob("*.py"))


def test_the_home_imports_no_reference_of_a_graded_function():
    graded = set(SYLLABUS["01"].graded)
    for path in home_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert not node.module.startswith("course_lib.layers"), (path.name, node.module)
                assert node.module != "course_lib.gradcheck.numerical" or {a.name for a in node.names} <= {
                    "numerical_gradient_array"}
                imported = {a.name for a in node.names}
                assert not imported & graded, (path.name, node.module, imported & graded)
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("course_lib.layers") for a in node.names), path.name
