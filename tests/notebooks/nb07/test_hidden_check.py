"""Notebook 07's hidden grading checks: full marks for the references and valid alternatives,
a diagnosis for typical mistakes (including ones tuned to the visible cases), "not implemented"
for stubs."""
import itertools

import numpy as np
import pytest

import autograder.checks.nb07 as grading
from course_lib import second_order as ref
from course_lib.selfcheck import evaluate
from course_lib.selfcheck import nb07 as visible
from course_lib.selfcheck.common import misfit
from tests.notebooks.nb07.implementations import (
    ALTERNATIVES,
    MISTAKES,
    REFERENCES,
    OptResult,
    hess_stacked,
    make_minimize,
    minimize_notebook,
    newton_inv,
    stub,
)


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
    assert evaluate(group, grade_of(group), stub).status == "not implemented"


# ---------------------------------------------------------------- answers tuned to the visible cases


def newton_squeezed(w, grad, hess):
    return np.squeeze(w - np.linalg.solve(hess, grad))  # shape () when d = 1


def hessian_for_d_above_one(grad_fn, w, eps=1e-5):
    if w.size == 1:
        return np.array([[(grad_fn(w + eps) - grad_fn(w - eps))[0] / eps]])  # forgets the 2
    return hess_stacked(grad_fn, w, eps)


def cg_for_small_systems_only(hvp, b, x0=None, tol=1e-10, max_iter=None):
    """Solves with at most 6 iterations whatever max_iter says (the visible systems have d <= 5)."""
    from tests.notebooks.nb07.implementations import cg_textbook

    return cg_textbook(hvp, b, x0, tol, min(6, 10 * b.size if max_iter is None else max_iter))


def lbfgs_newest_three_pairs(grad, s_list, y_list):
    """Uses at most 5 pairs (the visible cases have up to 5): wrong with 6."""
    from tests.notebooks.nb07.implementations import lbfgs_two_loop

    return lbfgs_two_loop(grad, s_list[-5:], y_list[-5:])


def minimize_fixed_dimension(f, grad_f, w0, method, tol=1e-6, max_iter=1000):
    if np.size(w0) == 1:
        raise ValueError("expects at least two variables")
    return minimize_notebook(f, grad_f, w0, method, tol, max_iter)


@pytest.mark.parametrize("group,functions", [
    ("newton_step", (newton_squeezed,)),
    ("hessian_fd", (hessian_for_d_above_one,)),
    ("conjugate_gradient", (cg_for_small_systems_only,)),
    ("lbfgs_direction", (lbfgs_newest_three_pairs,)),
    ("minimize_bfgs", (minimize_fixed_dimension,)),
])
def test_hidden_cases_catch_what_the_visible_ones_may_miss(group, functions):
    assert evaluate(group, getattr(visible, f"check_{group}"), *functions).passed
    result = evaluate(group, grade_of(group), *functions)
    assert not result.passed, result


def test_a_squeezed_newton_step_is_told_its_shape():
    message = evaluate("n", grading.grade_newton_step, newton_squeezed).message
    assert "shape" in message and "(1,)" in message


@pytest.mark.parametrize("settings,seed", [(grading.VISIBLE_LS, 20240705), (grading.HIDDEN_LS, grading.SEED + 6)])
def test_line_search_mistakes_are_told_apart(settings, seed):
    """Naming needs every two mistakes (and each mistake and the right rule) to differ on some case."""
    cases = grading.seeded_cases(grading.ls_case, seed, settings)
    outcomes = {slug: [float(c["mistakes"][slug]) for c in cases] for slug in grading.LS_MISTAKES}
    outcomes["right"] = [float(c["eta"]) for c in cases]
    for a, b in itertools.combinations(outcomes, 2):
        same = all(visible._same_step(x, y) for x, y in zip(outcomes[a], outcomes[b]))
        assert not same, f"{a} and {b} give the same step on every case"


def test_cg_mistakes_differ_from_each_other_on_the_graded_cases():
    for case in grading.seeded_cases(grading.cg_case, grading.SEED + 4, grading.HIDDEN_CG):
        runs = case["mistakes"]
        for a, b in itertools.combinations(runs, 2):
            if a == "cg_ignores_x0" or b == "cg_ignores_x0":
                continue  # the same as the right run when x0 = None
            assert misfit(runs[a], runs[b]) > visible.DISTINCT, (a, b)


def test_hidden_problems_are_solved_by_the_reference_within_the_bounds():
    for label, f, grad, w0, w_star, bounds, _ in grading.hidden_problems():
        for method in ("newton", "cg", "bfgs", "lbfgs"):
            result = ref.minimize(f, grad, w0, method)
            assert result.success, (label, method, result.message)
            assert result.nit <= visible.ITERATION_BOUNDS[bounds][method], (label, method, result.nit)
            assert np.max(np.abs(result.x - w_star)) < visible.POINT_TOL


def test_steepest_descent_fails_every_minimize_check():
    """A 'minimize' that ignores the method and follows -grad must not pass for any method."""
    def steepest(f, grad_f, w0, method, tol=1e-6, max_iter=1000):
        w = np.array(w0, dtype=float)
        path = [w.copy()]
        g = grad_f(w)
        for _ in range(max_iter):
            if np.max(np.abs(g)) <= tol:
                break
            eta = ref.backtracking_line_search(f, grad_f, w, -g)
            w = w - eta * g
            g = grad_f(w)
            path.append(w.copy())
        return OptResult(w, path, len(path) - 1)

    for method in ("newton", "cg", "bfgs", "lbfgs"):
        assert not evaluate(method, getattr(visible, f"check_minimize_{method}"), steepest).passed
        assert not evaluate(method, getattr(grading, f"grade_minimize_{method}"), steepest).passed


def test_newton_with_an_inverse_hessian_and_eigenvalue_floor_passes():
    alt = make_minimize(newton_step=newton_inv)
    assert evaluate("n", grading.grade_minimize_newton, alt).passed


def test_a_crash_in_the_submission_is_reported_not_raised():
    def broken(H_inv, s, y):
        return H_inv @ y[:2]  # a shape error inside the student's code

    result = evaluate("bfgs_update", grading.grade_bfgs_update, broken)
    assert result.status == "error" and "ValueError" in result.message


def test_grading_checks_do_not_depend_on_notebook_globals():
    import inspect

    source = inspect.getsource(grading)
    assert "get_ipython" not in source and "__main__" not in source
