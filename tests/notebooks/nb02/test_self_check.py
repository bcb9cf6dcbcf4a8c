"""Notebook 02's visible self-checks: they pass on the references and on other valid
implementations, name the typical mistakes, and say "not implemented yet" on a stub.

The implementations (valid alternatives and typical mistakes) live in tests/notebooks/nb02/implementations.py,
shared with tests/notebooks/nb02/test_hidden_check.py on the hidden grading checks.
"""
import numpy as np
import pytest

from autograder.expected.nb02 import build
from course_lib.layers.linear import linear_forward
from course_lib.lecture_net import forward_pass
from course_lib.selfcheck import nb02
from course_lib.selfcheck.core import evaluate
from course_lib.selfcheck.expected import EXPECTED_DIR
from tests.notebooks.nb02.implementations import ALTERNATIVES, MISTAKES, REFERENCE, backward_divided_by_M, stub


def visible(name):
    return getattr(nb02, f"check_{name}")


# ----------------------------------------------------------------------------- tests
@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_reference_passes(name):
    result = evaluate(name, visible(name), *REFERENCE[name])
    assert result.passed, result.message


@pytest.mark.parametrize("name, functions", [(n, f) for n, alts in ALTERNATIVES.items() for f in alts],
                         ids=lambda v: v if isinstance(v, str) else v[0].__name__)
def test_valid_alternatives_pass(name, functions):
    result = evaluate(name, visible(name), *functions)
    assert result.passed, result.message


@pytest.mark.parametrize("name, functions, words", MISTAKES, ids=lambda v: v if isinstance(v, str) else
                         (v[-1].__name__ if isinstance(v, tuple) else None))
def test_mistakes_are_diagnosed(name, functions, words):
    result = evaluate(name, visible(name), *functions)
    assert result.status == "failed", result
    for word in words:
        assert word in result.message, f"{word!r} missing from: {result.message}"


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_stub_is_not_implemented_yet(name):
    functions = tuple(stub for _ in REFERENCE[name])
    result = evaluate(name, visible(name), *functions)
    assert result.status == "not implemented"
    assert "not implemented yet" in result.message


def test_stub_backward_with_a_working_forward_is_not_implemented_yet():
    assert evaluate("linear", nb02.check_linear, linear_forward, stub).status == "not implemented"


def test_an_input_modified_in_place_is_reported():
    def forward_in_place(alpha0, Omegas, betas, phi):
        result = forward_pass(alpha0, Omegas, betas, phi)
        alpha0 *= 1.0 + 1e-3
        return result

    result = evaluate("forward_pass", nb02.check_forward_pass, forward_in_place)
    assert result.status == "failed" and "modified in place" in result.message


def test_messages_name_the_case():
    result = evaluate("backward_pass", nb02.check_backward_pass, backward_divided_by_M)
    assert "network n = (5, 5, 5, 5), M = 3, phi = sigmoid" in result.message


def test_the_squared_error_gradient_is_the_per_sample_one():
    rng = np.random.default_rng(0)
    a, rho = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    np.testing.assert_array_equal(nb02.squared_error_grad(a, rho), a - rho)


@pytest.mark.parametrize("act", nb02.ACTIVATION_NAMES)
def test_activation_derivatives_match_finite_differences(act):
    phi, phi_prime = nb02.ACTIVATIONS[act]
    z = np.linspace(-3.0, 3.0, 13)
    h = 1e-6
    np.testing.assert_allclose(phi_prime(z), (phi(z + h) - phi(z - h)) / (2 * h), rtol=1e-8, atol=1e-10)


def test_committed_expected_values_equal_a_fresh_build():
    fresh = build()
    with np.load(EXPECTED_DIR / "nb02.npz", allow_pickle=False) as stored:
        assert sorted(stored.files) == sorted(fresh)
        for key, value in fresh.items():
            np.testing.assert_array_equal(stored[key], value, err_msg=key)
            assert stored[key].dtype == np.asarray(value).dtype, key


def test_stored_networks_cover_the_edge_shapes():
    cases = nb02.stored_nets()
    assert any(len(set(c.sizes)) == 1 for c in cases), "a square network (missing transposes give numbers)"
    assert any(len(set(c.sizes + (c.M,))) == len(c.sizes) + 1 for c in cases), "every size distinct"
    assert any(c.M == 1 for c in cases), "a batch of one"
