"""Notebook 01's hidden grading checks: full marks for the references and valid alternatives,
a diagnosis for typical mistakes (including ones tuned to the visible cases), "not implemented"
for stubs."""
import numpy as np
import pytest

import autograder.checks.nb01 as grading
from course_lib.layers import activations as act
from course_lib.layers.cos_module import cos_module_backward, cos_module_forward
from course_lib.selfcheck import evaluate
from course_lib.selfcheck import nb01 as visible
from tests.notebooks.nb01.implementations import ALTERNATIVES, MISTAKES, REFERENCES, pd_literal, stub


def grade_of(group):
    return getattr(grading, f"grade_{group}")


@pytest.mark.parametrize("group", list(REFERENCES))
def test_reference_gets_full_marks(group):
    result = evaluate(group, grade_of(group), *REFERENCES[group])
    assert result.passed, result.message


@pytest.mark.parametrize("group,k", [(g, k) for g in ALTERNATIVES for k in range(len(ALTERNATIVES[g]))])
def test_valid_alternative_gets_full_marks(group, k):
    result = evaluate(group, grade_of(group), *ALTERNATIVES[group][k])
    assert result.passed, result.message


@pytest.mark.parametrize("group,functions,words", MISTAKES, ids=[f"{m[0]}-{i}" for i, m in enumerate(MISTAKES)])
def test_mistake_fails_with_the_same_diagnosis(group, functions, words):
    result = evaluate(group, grade_of(group), *functions)
    assert result.status == "failed", result
    assert words in result.message, result.message


@pytest.mark.parametrize("group", list(REFERENCES))
def test_stub_is_not_implemented(group):
    stubs = (stub,) * len(REFERENCES[group])
    assert evaluate(group, grade_of(group), *stubs).status == "not implemented"


# ---------------------------------------------------------------- answers tuned to the visible cases


def leaky_f_alpha_02(x, alpha=0.01):
    return np.where(x > 0, x, 0.2 * x), x  # the visible cases' alpha, hard-coded


def leaky_b_alpha_02(dout, x):
    return dout * np.where(x > 0, 1.0, 0.2)


def ng_ignores_h(f, x, h=1e-5):
    # right for the default step only
    return visible_reference_ng(f, x, 1e-5)


def visible_reference_ng(f, x, h):
    from course_lib.gradcheck import numerical_gradient

    return numerical_gradient(f, x, h)


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
    from course_lib.graph import backprop_derivatives

    result = backprop_derivatives(graph, graph.topological_order()[-1])
    return result if o == graph.topological_order()[-1] else {n: 0.0 for n in graph.nodes}


@pytest.mark.parametrize("group,functions", [
    ("leaky_relu", (leaky_f_alpha_02, leaky_b_alpha_02)),
    ("numerical_gradient", (ng_ignores_h,)),
    ("relu", (act.relu_forward, relu_b_visible_shapes_only)),
    ("path_derivative", (pd_with_memo_only_from_w,)),
    ("backprop_derivatives", (bp_first_output_only,)),
])
def test_hidden_cases_catch_what_the_visible_ones_may_miss(group, functions):
    result = evaluate(group, grade_of(group), *functions)
    assert result.status == "failed", result


def test_leaky_alpha_hard_coded_to_the_visible_value_is_named():
    assert evaluate("l", visible.check_leaky_relu, leaky_f_alpha_02, leaky_b_alpha_02).passed
    message = evaluate("l", grading.grade_leaky_relu, leaky_f_alpha_02, leaky_b_alpha_02).message
    assert "alpha = 0.05" in message and "out is wrong" in message


def test_a_crash_in_the_submission_is_reported_not_raised():
    def broken(dout, cache):
        return dout.reshape(5, 5)  # a shape error inside the student's code

    result = evaluate("sigmoid", grading.grade_sigmoid, act.sigmoid_forward, broken)
    assert result.status == "error" and "ValueError" in result.message


def test_random_dags_are_acyclic_shuffled_and_reproducible():
    g1 = grading.random_dag(np.random.default_rng(3))
    g2 = grading.random_dag(np.random.default_rng(3))
    assert g1.nodes == g2.nodes and g1.edges == g2.edges
    order = g1.topological_order()
    assert g1.nodes != order  # insertion order is not a valid order to compute in
    position = {n: k for k, n in enumerate(order)}
    assert all(position[i] < position[j] for i, j, _ in g1.edges)
    assert all(abs(z) >= 0.1 for _, _, z in g1.edges)


def test_graded_graphs_have_many_paths_but_stay_enumerable():
    from course_lib.graph import count_paths

    for label, graph in grading._graded_graphs():
        if not label.startswith("a random"):
            assert 30 <= count_paths(graph, "w", "o") <= 500, label


def test_literal_path_enumeration_is_fast_enough_on_the_graded_graphs():
    import time

    start = time.perf_counter()
    assert evaluate("p", grading.grade_path_derivative, pd_literal).passed
    assert time.perf_counter() - start < 5.0


def test_cos_module_grading_accepts_a_zero_dimensional_theta_gradient():
    def backward(dout, cache):
        dx, dtheta = cos_module_backward(dout, cache)
        return dx, np.array(dtheta)

    assert evaluate("c", grading.grade_cos_module, cos_module_forward, backward).passed
