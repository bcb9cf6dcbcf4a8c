"""`pytest --pyargs autograder.checks --submission NOTEBOOK`: the judge's tests as pytest items.

Each run is a pytest process of its own: no submission is ever graded inside this test session.
"""
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.assignments import load_assignments
from autograder.submissions import filled_notebook, with_answer

ROOT = Path(__file__).resolve().parents[2]
NB02 = load_assignments()["02_minibatch"]
PLUGIN = "autograder.checks.pytest_plugin"
MSE_MISTAKE = ("def mse_loss(pred, target):\n    N = pred.shape[0]\n    diff = pred - target\n"
               "    print('debugging mse', N)\n    return float(np.sum(diff * diff)) / N, 2.0 * diff / N\n")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """alice.ipynb (the solutions written in), bob.ipynb (mse_loss without its 1/2), blank.ipynb (no code)."""
    folder = tmp_path_factory.mktemp("submissions")
    filled = filled_notebook(ROOT / "solutions" / NB02.notebook, ROOT / "notebooks" / NB02.notebook)
    nbformat.write(filled, folder / "alice.ipynb")
    nbformat.write(with_answer(filled, "mse_loss", MSE_MISTAKE), folder / "bob.ipynb")
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), folder / "blank.ipynb")
    return folder


def run_pytest(folder, *args):
    """pytest with the plugin, from ``folder``, without the caller's pytest settings; -> CompletedProcess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", PLUGIN, *map(str, args)]
    return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=300)


def grade(folder, notebook, *args):
    return run_pytest(folder, "--pyargs", "autograder.checks", "--submission", notebook, *args)


def test_the_solutions_pass_every_graded_test(folder):
    run = grade(folder, "alice.ipynb", "-v")
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{len(NB02.tests)} passed" in run.stdout
    for test in NB02.tests:
        assert f"autograder.checks::02_minibatch::{test.grade_id} PASSED" in run.stdout
    assert f"02_minibatch: {NB02.max_score:g} / {NB02.max_score:g} points" in run.stdout


def test_a_mistake_fails_its_item_with_the_judges_diagnosis(folder):
    run = grade(folder, "bob.ipynb")
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"1 failed, {len(NB02.tests) - 1} passed" in run.stdout
    failures = run.stdout.split(" FAILURES ")[1]
    assert f"test_mse_loss (mse_loss): failed, 0 / {NB02.test('test_mse_loss').points:g} points" in failures
    assert "2 times" in failures and "factor of 1/2" in failures      # the judge's diagnosis
    assert "submission output" in failures and "debugging mse" in failures
    assert "FAILED autograder.checks::02_minibatch::test_mse_loss" in run.stdout
    lost = NB02.test("test_mse_loss").points
    assert f"02_minibatch: {NB02.max_score - lost:g} / {NB02.max_score:g} points" in run.stdout


def test_usage_errors_say_what_to_do(folder):
    for args in (["--pyargs", "autograder.checks"], [ROOT / "autograder" / "checks"]):
        run = run_pytest(folder, *args)
        assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.stdout + run.stderr
        assert "--submission is required" in run.stderr and "usage: pytest --pyargs autograder.checks" in run.stderr
    run = grade(folder, "nobody.ipynb")
    assert run.returncode == pytest.ExitCode.USAGE_ERROR and "nobody.ipynb: no such file" in run.stderr
    run = grade(folder, "blank.ipynb")
    assert run.returncode == pytest.ExitCode.USAGE_ERROR
    assert "could not tell which assignment blank.ipynb is" in run.stderr and "--submission-assignment" in run.stderr


def test_the_plugin_leaves_other_test_runs_alone(tmp_path):
    (tmp_path / "test_plain.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")
    run = run_pytest(tmp_path, "test_plain.py")
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout + run.stderr
    assert "submission:" not in run.stdout and "workbook score" not in run.stdout


@pytest.mark.slow      # one more grading process: a few seconds
def test_only_the_selected_tests_are_graded(folder):
    run = grade(folder, "bob.ipynb", "-k", "mse or softmax")
    chosen = [t for t in NB02.tests if "mse" in t.grade_id or "softmax" in t.grade_id]
    deselected = len(NB02.tests) - len(chosen)
    assert f"1 failed, {len(chosen) - 1} passed, {deselected} deselected" in run.stdout, run.stdout + run.stderr
    score = sum(t.points for t in chosen) - NB02.test("test_mse_loss").points
    assert f"{score:g} / {sum(t.points for t in chosen):g} points ({len(chosen)} graded tests run)" in run.stdout


@pytest.mark.slow      # one more grading process: a few seconds
def test_a_named_assignment_grades_even_an_unrecognisable_notebook(folder):
    run = grade(folder, "blank.ipynb", "--submission-assignment", "02_minibatch")
    assert run.returncode == 1 and f"{len(NB02.tests)} failed" in run.stdout, run.stdout + run.stderr
    for test in NB02.tests:
        assert f"{test.grade_id} ({test.function}): missing, 0 / {test.points:g} points" in run.stdout
