"""autograder.assignments and autograder.submissions: reading solution notebooks, recognising submissions."""
import ast
import copy
from pathlib import Path

import nbformat
import pytest

from autograder.assignments import (
    BEGIN_HIDDEN,
    defined_names,
    hidden_code,
    load_assignments,
    parse_assignment,
    recognise,
)
from autograder.submissions import filled_notebook, with_answer, without_solution_markers

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"
ASSIGNMENTS = load_assignments()
RELEASED = [name for name, a in ASSIGNMENTS.items() if (NOTEBOOKS / a.notebook).exists()]


def _graded_cells(path):
    nb = nbformat.read(path, as_version=4)
    return [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")
            and not c.metadata.nbgrader.get("solution")]     # written answers are graded by hand


def test_every_solution_notebook_is_an_assignment():
    names = sorted(p.stem for p in SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))
    assert sorted(ASSIGNMENTS) == names
    assert "01_backprop" in ASSIGNMENTS


@pytest.mark.parametrize("name", sorted(ASSIGNMENTS))
def test_tests_match_the_graded_cells(name):
    a = ASSIGNMENTS[name]
    cells = _graded_cells(SOLUTIONS / a.notebook)
    assert [t.grade_id for t in a.tests] == [c.metadata.nbgrader.grade_id for c in cells]
    assert [t.points for t in a.tests] == [float(c.metadata.nbgrader.points) for c in cells]
    assert a.max_score == sum(float(c.metadata.nbgrader.points) for c in cells)
    for test, cell in zip(a.tests, cells):
        # the hidden code is exactly what sits between the markers: it parses and calls the grade function
        assert BEGIN_HIDDEN not in test.hidden_code and "run_check" not in test.hidden_code
        assert test.hidden_code.strip() in cell.source
        calls = [n.func.id for n in ast.walk(ast.parse(test.hidden_code))
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
        assert test.grade_function in calls and test.grade_function.startswith("grade_")
        assert test.student_names and set(test.student_names) <= set(a.graded_names)
        # every student name is defined by one of the notebook's answer cells
        assert all(n in a.name_cells for n in test.student_names)


def test_notebook_01_in_detail():
    a = ASSIGNMENTS["01_backprop"]
    assert a.notebook == "01_backprop.ipynb" and a.number == "01"
    sigmoid = a.test("test_sigmoid")
    assert sigmoid.student_names == ("sigmoid_forward", "sigmoid_backward")
    assert sigmoid.function == "sigmoid_forward, sigmoid_backward"
    assert sigmoid.grade_function == "grade_sigmoid"
    assert sigmoid.hidden_code == ("from autograder.checks.nb01 import grade_sigmoid\n"
                                   "grade_sigmoid(sigmoid_forward, sigmoid_backward)\n")
    assert a.name_cells["sigmoid_backward"] == "sigmoid"
    assert a.graded_names[:2] == ("numerical_gradient", "relative_error")
    assert len(a.graded_names) == len(set(a.graded_names)) == 16
    with pytest.raises(KeyError, match="test_sigmoid"):
        a.test("test_nothing")


def test_hidden_code_takes_every_block_and_nothing_else():
    text = ("visible()\n### BEGIN HIDDEN TESTS\nfirst()\n### END HIDDEN TESTS\nvisible_again()\n"
            "  ### BEGIN HIDDEN TESTS\nsecond(a, b)\n### END HIDDEN TESTS\n")
    assert hidden_code(text) == "first()\nsecond(a, b)\n"
    assert hidden_code("no markers here\n") == ""


def test_student_names_come_from_the_grade_call(tmp_path):
    nb = nbformat.v4.new_notebook()
    answer = nbformat.v4.new_code_cell("def f(x):\n    return x\n\nclass Opt:\n    pass\n")
    answer.metadata["nbgrader"] = {"grade": False, "solution": True, "grade_id": "f_cell", "locked": False}
    test = nbformat.v4.new_code_cell(
        "run_check('f', check_f, f)\n### BEGIN HIDDEN TESTS\nfrom autograder.checks.nbxx import grade_f\n"
        "import numpy as np\ngrade_f(f, optimizer=Opt, extra=[np])\n### END HIDDEN TESTS\n")
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "test_f", "points": 2.5,
                                 "locked": True}
    nb.cells = [answer, test]
    path = tmp_path / "09_demo.ipynb"
    nbformat.write(nb, path)
    a = parse_assignment(path)
    assert a.name == "09_demo" and a.max_score == 2.5
    assert a.tests[0].student_names == ("f", "Opt")      # np is bound by the hidden code itself
    assert a.solution_cells == {"f_cell": ["f", "Opt"]}
    assert a.name_cells == {"f": "f_cell", "Opt": "f_cell"}


def test_a_notebook_without_graded_cells_is_refused(tmp_path):
    path = tmp_path / "08_empty.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), path)
    with pytest.raises(ValueError, match="no graded cells"):
        parse_assignment(path)
    with pytest.raises(FileNotFoundError, match="no solution notebooks"):
        load_assignments(tmp_path / "nothing")


def test_defined_names_tolerates_magics_and_broken_cells():
    assert defined_names("%matplotlib inline\ndef a():\n    pass\nclass B:\n    pass\nx = 1\n") == ["a", "B"]
    assert defined_names("def broken(:\n") == []


# ---------------------------------------------------------------- recognise

@pytest.mark.parametrize("name", RELEASED)
def test_recognise_by_grade_ids(name, tmp_path):
    path = tmp_path / "whatever.ipynb"
    nbformat.write(nbformat.read(NOTEBOOKS / ASSIGNMENTS[name].notebook, as_version=4), path)
    assert recognise(path, ASSIGNMENTS) == name
    assert recognise(path) == name          # assignments default to solutions/


@pytest.mark.parametrize("name", RELEASED)
def test_recognise_by_function_names_when_metadata_is_gone(name, tmp_path):
    nb = filled_notebook(SOLUTIONS / ASSIGNMENTS[name].notebook, NOTEBOOKS / ASSIGNMENTS[name].notebook)
    for cell in nb.cells:
        cell.metadata = {}
    path = tmp_path / "mystery.ipynb"
    nbformat.write(nb, path)
    assert recognise(path, ASSIGNMENTS) == name


def test_recognise_by_file_name_prefix_then_gives_up(tmp_path):
    blank = nbformat.v4.new_notebook()
    blank.cells = [nbformat.v4.new_code_cell("x = 1\n")]
    for file_name, expected in [("alice_01_backprop.ipynb", "01_backprop"), ("01.ipynb", "01_backprop"),
                                ("bob-02.ipynb", "02_minibatch"), ("carol.ipynb", None),
                                ("dave_2024.ipynb", None)]:
        path = tmp_path / file_name
        nbformat.write(blank, path)
        assert recognise(path, ASSIGNMENTS) == expected, file_name
    broken = tmp_path / "erin_01.ipynb"
    broken.write_text("{ not json")
    assert recognise(broken, ASSIGNMENTS) == "01_backprop"
    broken.rename(tmp_path / "erin.ipynb")
    assert recognise(tmp_path / "erin.ipynb", ASSIGNMENTS) is None


# ---------------------------------------------------------------- filled notebooks

@pytest.mark.parametrize("name", RELEASED)
def test_filled_notebook_holds_the_solutions_without_markers(name):
    a = ASSIGNMENTS[name]
    student = nbformat.read(NOTEBOOKS / a.notebook, as_version=4)
    filled = filled_notebook(SOLUTIONS / a.notebook, NOTEBOOKS / a.notebook)
    solution = {c.metadata.nbgrader.grade_id: c.source for c in nbformat.read(SOLUTIONS / a.notebook, 4).cells
                if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    assert len(filled.cells) == len(student.cells)
    changed = 0
    for before, after in zip(student.cells, filled.cells):
        meta = after.get("metadata", {}).get("nbgrader", {})
        assert before.metadata == after.metadata          # checksums and ids kept
        if meta.get("solution") and after.cell_type == "code":    # written answers stay as released
            changed += 1
            assert "### BEGIN SOLUTION" not in after.source and "NotImplementedError" not in after.source
            kept = [line for line in solution[meta["grade_id"]].split("\n") if "SOLUTION" not in line]
            assert after.source.split("\n") == kept
        else:
            assert before.source == after.source
    assert changed == len(a.solution_cells)
    assert "NotImplementedError" in "".join(c.source for c in student.cells)   # the release had stubs


def test_without_solution_markers_and_with_answer():
    assert without_solution_markers("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n") \
        == "def f():\n    return 1\n"
    nb = nbformat.read(NOTEBOOKS / "01_backprop.ipynb", as_version=4)
    original = copy.deepcopy(nb)
    changed = with_answer(nb, "sigmoid", "def sigmoid_forward(x):\n    return x, x\n")
    assert nb == original
    cell = [c for c in changed.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "sigmoid"][0]
    assert cell.source.startswith("def sigmoid_forward(x):")
    with pytest.raises(KeyError, match="no cell with grade_id"):
        with_answer(nb, "nope", "")
