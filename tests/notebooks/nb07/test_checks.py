"""Notebook 07's checks, both sides: the self-check (course_lib.selfcheck.nb07, stored cases) and the
hidden check (autograder.checks.nb07, fresh cases) pass the references and valid alternatives, name
the typical mistakes with the same words, and say "not implemented yet" on stubs. Then what only one
side has: the stored cases and the shipped code (self-check), the cases tuned against answers that
fit only the visible ones (hidden check).

The alternative and buggy implementations live in tests/notebooks/nb07/implementations.py.
"""
import ast
import inspect
import itertools
import pkgutil

import numpy as np
import pytest

import autograder.checks.nb07 as hidden
import course_lib.selfcheck.nb07 as home
from autograder.checks.nb07 import fresh, mistaken
from autograder.checks.nb07.stored import VISIBLE_LS
from autograder.syllabus import SYLLABUS
from course_lib import second_order as ref
from course_lib.selfcheck import evaluate
from course_lib.selfcheck.common import misfit, usable_mistakes
from course_lib.selfcheck.nb07.cases import seeded_cases, stored_case, stored_count
from course_lib.selfcheck.nb07.compare import DISTINCT
from course_lib.selfcheck.nb07.line_search import _same_step
from course_lib.selfcheck.nb07.minimize import ITERATION_BOUNDS, POINT_TOL, iteration_bound
from course_lib.selfcheck.nb07.mistakes import MISTAKES as CATALOGUE
from course_lib.selfcheck.nb07.problems import make_problem, quartic_gradient, quartic_value
from tests.notebooks.nb07.implementations import (
    ALTERNATIVES,
    MISTAKES,
    REFERENCES,
    OptResult,
    cg_fresh_residual,
    cg_textbook,
    hess_stacked,
    hess_unsym,
    lbfgs_two_loop,
    make_minimize,
    minimize_notebook,
    minimize_scaled,
    newton_inv,
    stub,
)

SIDES = ("self-check", "hidden check")


def check_of(side, group):
    """check_<group> of the self-check or grade_<group> of the hidden check."""
    return getattr(home, f"check_{group}") if side == "self-check" else getattr(hidden, f"grade_{group}")


def home_modules():
    return [home] + [__import__(f"{home.__name__}.{m.name}", fromlist=["_"])
                     for m in pkgutil.iter_modules(home.__path__)]


# ============================================================================ the table and the manifest


def test_the_table_has_one_row_per_graded_test_of_the_manifest():
    assert sorted(home.TABLE.rows) == sorted(t.check for t in SYLLABUS["07"].tests)


def test_the_hidden_check_has_a_grade_function_for_every_graded_test():
    for test in SYLLABUS["07"].tests:
        assert callable(getattr(hidden, f"grade_{test.check}")), test.check
        assert callable(getattr(home, f"check_{test.check}")), test.check


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
    assert evaluate(group, check_of(side, group), stub).status == "not implemented"


@pytest.mark.parametrize("side", SIDES)
def test_cg_may_return_x_or_an_object_with_x(side):
    check = check_of(side, "conjugate_gradient")
    assert evaluate("cg", check, cg_textbook).passed
    assert evaluate("cg", check, cg_fresh_residual).passed
    result = evaluate("cg", check, lambda *a, **k: None)
    assert result.status == "failed" and "returned None" in result.message


@pytest.mark.parametrize("side", SIDES)
def test_the_reference_newton_step_refuses_the_indefinite_case_the_notebook_needs(side):
    result = evaluate("newton_step", check_of(side, "newton_step"), ref.newton_step)
    assert not result.passed and "IndefiniteHessianError" in result.message


@pytest.mark.parametrize("side", SIDES)
def test_steepest_descent_fails_every_minimize_check(side):
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
        assert not evaluate(method, check_of(side, f"minimize_{method}"), steepest).passed


def test_lbfgs_with_no_pairs_is_told_on_both_sides():
    def plus_grad_without_pairs(grad, s_list, y_list):
        return grad.copy() if not s_list else lbfgs_two_loop(grad, s_list, y_list)

    visible = evaluate("l", home.check_lbfgs_direction, plus_grad_without_pairs)
    assert visible.status == "failed" and "returned +grad" in visible.message
    graded = evaluate("l", hidden.grade_lbfgs_direction, plus_grad_without_pairs)
    assert graded.status == "failed" and "with empty lists must return -grad (H_0 = I)." in graded.message


# ============================================================================ the self-check only


def test_every_stored_mistake_is_distinct_somewhere():
    """A mistake is named only on cases where it differs from the right answer: each must have one."""
    kinds = {"hess": "H", "newton": "w_new", "hvp": "Hv", "bfgs": "H_new", "lbfgs": "q"}
    seen = {}
    for kind, key in kinds.items():
        for k in range(stored_count(kind)):
            case = stored_case(f"{kind}_{k}")
            for slug in usable_mistakes(case["mistakes"], case[key], DISTINCT):
                seen[slug] = True
    for k in range(stored_count("ls")):
        case = stored_case(f"ls_{k}")
        for slug, eta in case["mistakes"].items():  # nan: that mistake finds no step here
            if not np.isfinite(eta) or abs(float(eta) - float(case["eta"])) > 1e-6 * float(case["eta"]):
                seen[slug] = True
    for k in range(stored_count("cg")):
        case = stored_case(f"cg_{k}")
        for slug, iterates in case["mistakes"].items():
            if any(not np.all(np.isfinite(a)) or misfit(a, b) > DISTINCT for a, b in zip(iterates, case["iterates"])):
                seen[slug] = True
    assert sorted(set(CATALOGUE) - set(seen)) == []


def test_no_reference_code_in_the_shipped_checks():
    for module in home_modules():
        source = inspect.getsource(module)
        tree = ast.parse(source)
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        assert not any(name.startswith(("course_lib.second_order", "autograder")) for name in imported), \
            (module.__name__, imported)
        assert "second_order" not in source, module.__name__


def test_quartic_gradient_is_its_derivative():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((4, 4))
    A = A + A.T
    B = rng.standard_normal((4, 4))
    np.fill_diagonal(B, 0.0)
    w = rng.standard_normal(4)
    h = 1e-6
    numerical = np.array([(quartic_value(w + h * e, A, B) - quartic_value(w - h * e, A, B)) / (2 * h)
                          for e in np.eye(4)])
    assert misfit(numerical, quartic_gradient(w, A, B)) < 1e-9


def test_quartic_finite_difference_hessian_is_visibly_asymmetric_with_a_large_step():
    case = stored_case("hess_0")
    _, grad = make_problem(case)
    J = hess_unsym(grad, case["w"], float(case["eps"]))
    assert misfit(J, J.T) > 1e-4


# ============================================================================ the hidden check only


def newton_squeezed(w, grad, hess):
    return np.squeeze(w - np.linalg.solve(hess, grad))  # shape () when d = 1


def hessian_for_d_above_one(grad_fn, w, eps=1e-5):
    if w.size == 1:
        return np.array([[(grad_fn(w + eps) - grad_fn(w - eps))[0] / eps]])  # forgets the 2
    return hess_stacked(grad_fn, w, eps)


def cg_for_small_systems_only(hvp, b, x0=None, tol=1e-10, max_iter=None):
    """Solves with at most 6 iterations whatever max_iter says (the visible systems have d <= 5)."""
    return cg_textbook(hvp, b, x0, tol, min(6, 10 * b.size if max_iter is None else max_iter))


def lbfgs_newest_three_pairs(grad, s_list, y_list):
    """Uses at most 5 pairs (the visible cases have up to 5): wrong with 6."""
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
    assert evaluate(group, check_of("self-check", group), *functions).passed
    result = evaluate(group, check_of("hidden check", group), *functions)
    assert not result.passed, result


def test_a_squeezed_newton_step_is_told_its_shape():
    message = evaluate("n", hidden.grade_newton_step, newton_squeezed).message
    assert "shape" in message and "(1,)" in message


@pytest.mark.parametrize("settings,seed", [(VISIBLE_LS, 20240705), (fresh.HIDDEN_LS, fresh.SEED + 6)])
def test_line_search_mistakes_are_told_apart(settings, seed):
    """Naming needs every two mistakes (and each mistake and the right rule) to differ on some case."""
    cases = seeded_cases(fresh.ls_case, seed, settings)
    outcomes = {slug: [float(c["mistakes"][slug]) for c in cases] for slug in mistaken.LS_MISTAKES}
    outcomes["right"] = [float(c["eta"]) for c in cases]
    for a, b in itertools.combinations(outcomes, 2):
        same = all(_same_step(x, y) for x, y in zip(outcomes[a], outcomes[b]))
        assert not same, f"{a} and {b} give the same step on every case"


def test_cg_mistakes_differ_from_each_other_on_the_graded_cases():
    for case in seeded_cases(fresh.cg_case, fresh.SEED + 4, fresh.HIDDEN_CG):
        runs = case["mistakes"]
        for a, b in itertools.combinations(runs, 2):
            if a == "cg_ignores_x0" or b == "cg_ignores_x0":
                continue  # the same as the right run when x0 = None
            assert not misfit(runs[a], runs[b]) <= DISTINCT, (a, b)  # NaN (a run that divides 0 / 0): distinct


def test_hidden_problems_are_solved_by_the_reference_within_the_bounds():
    for label, f, grad, w0, w_star, bounds, _ in fresh.hidden_problems():
        for method in ("newton", "cg", "bfgs", "lbfgs"):
            bound = iteration_bound(bounds, method, w0.size)
            for impl in (minimize_notebook, minimize_scaled):
                result = impl(f, grad, w0, method, tol=1e-6, max_iter=500)
                assert result.nit <= bound, (label, method, result.nit, bound)
                assert np.max(np.abs(result.x - w_star)) < POINT_TOL
            if method == "cg" and bounds == "quadratic":
                continue  # course_lib's CG takes inexact Wolfe steps: see test_inexact_cg_steps_are_told_the_exact_step
            result = ref.minimize(f, grad, w0, method)
            assert result.success, (label, method, result.message)
            assert result.nit <= bound, (label, method, result.nit, bound)
            assert np.max(np.abs(result.x - w_star)) < POINT_TOL


@pytest.mark.parametrize("side", SIDES)
def test_inexact_cg_steps_are_told_the_exact_step(side):
    """course_lib's CG (strong-Wolfe steps) is not the notebook's: on a quadratic it is told the exact step."""
    result = evaluate("cg", check_of(side, "minimize_cg"), ref.minimize)
    assert result.status == "failed"
    assert "On a quadratic the first trial step eta0 = -g.q / q^T H q is the exact minimiser" in result.message


def test_quadratic_bounds_follow_theory():
    assert [iteration_bound("quadratic", m, 7) for m in ("newton", "cg", "bfgs", "lbfgs")] == [1, 9, 22, 22]
    assert iteration_bound("rosenbrock", "cg", 2) == ITERATION_BOUNDS["rosenbrock"]["cg"]


def test_newton_with_an_inverse_hessian_and_eigenvalue_floor_passes():
    alt = make_minimize(newton_step=newton_inv)
    assert evaluate("n", hidden.grade_minimize_newton, alt).passed


def test_a_crash_in_the_submission_is_reported_not_raised():
    def broken(H_inv, s, y):
        return H_inv @ y[:2]  # a shape error inside the student's code

    result = evaluate("bfgs_update", hidden.grade_bfgs_update, broken)
    assert result.status == "error" and "ValueError" in result.message


def test_grading_checks_do_not_depend_on_notebook_globals():
    for module in (hidden, fresh, mistaken):
        source = inspect.getsource(module)
        assert "get_ipython" not in source and "__main__" not in source, module.__name__
