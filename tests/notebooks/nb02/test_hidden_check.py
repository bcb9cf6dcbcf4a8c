"""Notebook 02's hidden grading checks: full marks for the references and for other valid
implementations, a failure with a diagnosis for typical mistakes, NotImplementedError for stubs,
and fresh inputs that a submission cannot have memorised from the stored self-check values."""
import numpy as np
import pytest

from autograder.checks import nb02 as checks
from course_lib.layers.linear import linear_backward, linear_forward
from course_lib.selfcheck import nb02 as selfcheck
from course_lib.selfcheck.core import CheckFailure, evaluate
from tests.notebooks.nb02.implementations import ALTERNATIVES, MISTAKES, REFERENCE, backward_wrong_omega, stub


def grader(name):
    return getattr(checks, f"grade_{name}")


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_reference_gets_full_marks(name):
    grader(name)(*REFERENCE[name])  # raises CheckFailure on a wrong answer


@pytest.mark.parametrize("name, functions", [(n, f) for n, alts in ALTERNATIVES.items() for f in alts],
                         ids=lambda v: v if isinstance(v, str) else v[0].__name__)
def test_valid_alternatives_get_full_marks(name, functions):
    grader(name)(*functions)


@pytest.mark.parametrize("name, functions, words", MISTAKES, ids=lambda v: v if isinstance(v, str) else
                         (v[-1].__name__ if isinstance(v, tuple) else None))
def test_mistakes_fail_with_a_diagnosis(name, functions, words):
    with pytest.raises(CheckFailure) as info:
        grader(name)(*functions)
    message = str(info.value)
    diagnosis_words = [w for w in words if not w.startswith("Omega")]  # layer numbers differ from the stored cases
    for word in diagnosis_words:
        assert word in message, f"{word!r} missing from: {message}"


def test_wrong_omega_is_named_with_the_grading_networks_layers():
    with pytest.raises(CheckFailure, match=r"Omega\^1 B\^2\).*layer ABOVE, Omega\^2, which is Omegas\[1\]"):
        checks.grade_backward_pass(backward_wrong_omega)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_stubs_raise_not_implemented(name):
    functions = tuple(stub for _ in REFERENCE[name])
    with pytest.raises(NotImplementedError):
        grader(name)(*functions)
    assert evaluate(name, grader(name), *functions).status == "not implemented"


def test_grading_networks_cover_the_edge_shapes():
    specs = checks.GRADE_NET_SPECS
    assert any(len(set(sizes)) == 1 for sizes, *_ in specs), "square layers"
    assert any(len(set(sizes + (M,))) == len(sizes) + 1 for sizes, M, *_ in specs), "every size distinct"
    assert any(M == 1 for _, M, *_ in specs), "a batch of one"
    assert any(len(sizes) == 2 for sizes, *_ in specs), "a single layer"
    assert any(columns for *_, columns in specs) and not all(columns for *_, columns in specs), "both bias shapes"


def test_a_submission_that_memorised_the_stored_values_fails():
    stored = {tuple(c.alpha0.ravel()): c for c in selfcheck.stored_nets()}

    def memorised(alpha0, Omegas, betas, phi):
        case = stored.get(tuple(np.ravel(alpha0)))
        if case is None:
            return [np.zeros((O.shape[1], alpha0.shape[1])) for O in Omegas], [alpha0] + [
                np.zeros((O.shape[1], alpha0.shape[1])) for O in Omegas]
        return case.zetas, case.alphas

    assert evaluate("forward_pass", selfcheck.check_forward_pass, memorised).passed
    with pytest.raises(CheckFailure):
        checks.grade_forward_pass(memorised)


def test_a_backward_inconsistent_with_its_own_forward_is_caught_by_finite_differences():
    """The forward adds a term the backward ignores: the directional check of the own forward fails."""
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal(5)

    def forward_with_square(x, w, b):
        out, cache = linear_forward(x, w, b)
        return out + 0.1 * (x ** 2).sum(axis=1, keepdims=True), cache

    with pytest.raises(CheckFailure, match="finite differences of your own linear_forward"):
        checks._directional_linear(forward_with_square, linear_backward, x, w, b, rng)
    checks._directional_linear(linear_forward, linear_backward, x, w, b, rng)  # the right pair passes


def test_grading_is_deterministic():
    first = evaluate("backward_pass", checks.grade_backward_pass, ALTERNATIVES["backward_pass"][0][0])
    second = evaluate("backward_pass", checks.grade_backward_pass, ALTERNATIVES["backward_pass"][0][0])
    assert first == second and first.passed


def test_grading_uses_other_inputs_than_the_self_checks():
    stored = {c.alpha0.tobytes() for c in selfcheck.stored_nets()}
    fresh = {c.alpha0.tobytes() for c in checks._nets(checks.SEED)}
    assert not stored & fresh
