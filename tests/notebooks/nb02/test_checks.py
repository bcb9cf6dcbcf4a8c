"""Notebook 02's checks, both sides: the visible self-check (course_lib.selfcheck.nb02, stored cases)
and the hidden check (autograder.checks.nb02, fresh cases) pass the references and other valid
implementations, name the typical mistakes, say "not implemented yet" on a stub; the hidden check
uses inputs a submission cannot have memorised from the stored values.

The implementations (valid alternatives and typical mistakes) live in tests/notebooks/nb02/implementations.py.
"""
import ast
from pathlib import Path

import numpy as np
import pytest

import autograder.checks.nb02 as hidden
import course_lib.selfcheck.nb02 as visible
from autograder.checks.nb02.fresh import GRADE_NET_SPECS, SEED, fresh_nets
from autograder.syllabus import SYLLABUS
from course_lib.layers.linear import linear_backward, linear_forward
from course_lib.lecture_net import forward_pass
from course_lib.selfcheck.core import CheckFailure, evaluate
from course_lib.selfcheck.nb02.layers import check_linear_directional
from tests.notebooks.nb02.implementations import (
    ALTERNATIVES,
    MISTAKES,
    REFERENCE,
    backward_divided_by_M,
    backward_wrong_omega,
    softmax_mean_shift,
    stub,
)

SIDES = ["self-check", "hidden check"]


def check_of(side, name):
    return getattr(visible, f"check_{name}") if side == "self-check" else getattr(hidden, f"grade_{name}")


# ----------------------------------------------------------------------------- the table and the manifest
def test_the_table_has_one_row_per_graded_test_and_the_hidden_side_grades_each():
    stems = [t.check for t in SYLLABUS["02"].tests]
    assert list(visible.TABLE.rows) == stems
    for stem in stems:
        assert callable(getattr(visible, f"check_{stem}"))
        assert callable(getattr(hidden, f"grade_{stem}"))


# ----------------------------------------------------------------------------- both sides
@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_reference_passes(side, name):
    result = evaluate(name, check_of(side, name), *REFERENCE[name])
    assert result.passed, result.message


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("name, functions", [(n, f) for n, alts in ALTERNATIVES.items() for f in alts],
                         ids=lambda v: v if isinstance(v, str) else v[0].__name__)
def test_valid_alternatives_pass(side, name, functions):
    result = evaluate(name, check_of(side, name), *functions)
    assert result.passed, result.message


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("name, functions, words", MISTAKES, ids=lambda v: v if isinstance(v, str) else
                         (v[-1].__name__ if isinstance(v, tuple) else None))
def test_mistakes_are_diagnosed(side, name, functions, words):
    result = evaluate(name, check_of(side, name), *functions)
    assert result.status == "failed", result
    if side == "hidden check":  # layer numbers differ from the stored cases
        words = [w for w in words if not w.startswith("Omega")]
    for word in words:
        assert word in result.message, f"{word!r} missing from: {result.message}"


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_stub_is_not_implemented_yet(side, name):
    functions = tuple(stub for _ in REFERENCE[name])
    with pytest.raises(NotImplementedError):
        check_of(side, name)(*functions)
    result = evaluate(name, check_of(side, name), *functions)
    assert result.status == "not implemented"
    assert "not implemented yet" in result.message


@pytest.mark.parametrize("side", SIDES)
def test_stub_backward_with_a_working_forward_is_not_implemented_yet(side):
    assert evaluate("linear", check_of(side, "linear"), linear_forward, stub).status == "not implemented"


@pytest.mark.parametrize("side", SIDES)
def test_an_input_modified_in_place_is_reported(side):
    def forward_in_place(alpha0, Omegas, betas, phi):
        result = forward_pass(alpha0, Omegas, betas, phi)
        alpha0 *= 1.0 + 1e-3
        return result

    result = evaluate("forward_pass", check_of(side, "forward_pass"), forward_in_place)
    assert result.status == "failed" and "modified in place" in result.message


# ----------------------------------------------------------------------------- the self-check's cases
def test_messages_name_the_case():
    result = evaluate("backward_pass", visible.check_backward_pass, backward_divided_by_M)
    assert "network n = (5, 5, 5, 5), M = 3, phi = sigmoid" in result.message


def test_the_squared_error_gradient_is_the_per_sample_one():
    rng = np.random.default_rng(0)
    a, rho = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    np.testing.assert_array_equal(visible.squared_error_grad(a, rho), a - rho)


@pytest.mark.parametrize("act", visible.ACTIVATION_NAMES)
def test_activation_derivatives_match_finite_differences(act):
    phi, phi_prime = visible.ACTIVATIONS[act]
    z = np.linspace(-3.0, 3.0, 13)
    h = 1e-6
    np.testing.assert_allclose(phi_prime(z), (phi(z + h) - phi(z - h)) / (2 * h), rtol=1e-8, atol=1e-10)


def test_stored_networks_cover_the_edge_shapes():
    cases = visible.stored_nets()
    assert any(len(set(c.sizes)) == 1 for c in cases), "a square network (missing transposes give numbers)"
    assert any(len(set(c.sizes + (c.M,))) == len(c.sizes) + 1 for c in cases), "every size distinct"
    assert any(c.M == 1 for c in cases), "a batch of one"


def test_stored_networks_carry_the_mistakes_their_shapes_can_show():
    square, distinct, _ = visible.stored_nets()
    assert "no_transpose" in square.mistakes["zeta_1"] and "no_transpose" not in distinct.mistakes["zeta_1"]
    np.testing.assert_array_equal(square.mistakes["alpha_0"]["alpha1"], square.alphas[1])
    assert set(square.mistakes["B_3"]) == {"cost_grad_alone", "top_phi_prime_of_alpha", "top_phi"}


# ----------------------------------------------------------------------------- the hidden cases
def test_wrong_omega_is_named_with_the_grading_networks_layers():
    with pytest.raises(CheckFailure, match=r"Omega\^1 B\^2\).*layer ABOVE, Omega\^2, which is Omegas\[1\]"):
        hidden.grade_backward_pass(backward_wrong_omega)


def test_softmax_rows_that_span_thousands_are_graded():
    """A shift by the row mean is right on the stored scores but overflows on the hidden rows spanning thousands."""
    assert evaluate("softmax", visible.check_softmax, softmax_mean_shift).passed
    result = evaluate("softmax", hidden.grade_softmax, softmax_mean_shift)
    assert result.status == "failed" and "subtract the maximum of each row" in result.message, result


def test_grading_networks_cover_the_edge_shapes():
    specs = GRADE_NET_SPECS
    assert any(len(set(sizes)) == 1 for sizes, *_ in specs), "square layers"
    assert any(len(set(sizes + (M,))) == len(sizes) + 1 for sizes, M, *_ in specs), "every size distinct"
    assert any(M == 1 for _, M, *_ in specs), "a batch of one"
    assert any(len(sizes) == 2 for sizes, *_ in specs), "a single layer"
    assert any(columns for *_, columns in specs) and not all(columns for *_, columns in specs), "both bias shapes"


def test_a_submission_that_memorised_the_stored_values_fails():
    stored = {tuple(c.alpha0.ravel()): c for c in visible.stored_nets()}

    def memorised(alpha0, Omegas, betas, phi):
        case = stored.get(tuple(np.ravel(alpha0)))
        if case is None:
            return [np.zeros((O.shape[1], alpha0.shape[1])) for O in Omegas], [alpha0] + [
                np.zeros((O.shape[1], alpha0.shape[1])) for O in Omegas]
        return case.zetas, case.alphas

    assert evaluate("forward_pass", visible.check_forward_pass, memorised).passed
    with pytest.raises(CheckFailure):
        hidden.grade_forward_pass(memorised)


def test_a_backward_inconsistent_with_its_own_forward_is_caught_by_finite_differences():
    """The forward adds a term the backward ignores: the directional check of the own forward fails."""
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal(5)

    def forward_with_square(x, w, b):
        out, cache = linear_forward(x, w, b)
        return out + 0.1 * (x ** 2).sum(axis=1, keepdims=True), cache

    with pytest.raises(CheckFailure, match="finite differences of your own linear_forward"):
        check_linear_directional(forward_with_square, linear_backward, x, w, b, rng)
    check_linear_directional(linear_forward, linear_backward, x, w, b, rng)  # the right pair passes


def test_grading_is_deterministic():
    first = evaluate("backward_pass", hidden.grade_backward_pass, ALTERNATIVES["backward_pass"][0][0])
    second = evaluate("backward_pass", hidden.grade_backward_pass, ALTERNATIVES["backward_pass"][0][0])
    assert first == second and first.passed


def test_grading_uses_other_inputs_than_the_self_checks():
    stored = {c.alpha0.tobytes() for c in visible.stored_nets()}
    fresh = {c.alpha0.tobytes() for c in fresh_nets(SEED)}
    assert not stored & fresh


# ----------------------------------------------------------------------------- what the home ships
def test_the_home_imports_no_reference_of_a_graded_function():
    graded = set(SYLLABUS["02"].graded)
    for path in sorted(Path(visible.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.module not in {"course_lib.layers.linear", "course_lib.layers.losses",
                                           "course_lib.layers.softmax", "course_lib.lecture_net"}, path.name
                assert not {a.name for a in node.names} & graded, (path.name, node.module)
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith(("course_lib.layers", "course_lib.lecture_net"))
                               for a in node.names), path.name
