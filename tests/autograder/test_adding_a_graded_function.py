"""The README's "Adding a graded function", followed step by step on a copy of notebook 02.

The steps touch at most three files: the solution notebook (an answer cell
and a test cell in nbgrader's usual style), ``autograder/syllabus.py`` (one
row), and the reference in course_lib if the function has one (this toy
function has none). Here the copy of the notebook lives in a temporary
folder and the syllabus row is added to a copy of the syllabus object, so
the repository stays as it is; then a correct and a wrong submission are
graded against the copy.
"""
import dataclasses
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from autograder.grade import grade_folder
from autograder.submissions import with_answer
from autograder.syllabus import SYLLABUS, GradedTest
from tests.support.manifest import disagreements

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = "02_minibatch.ipynb"

# Step 1: an answer cell and a test cell, as nbgrader's "create assignment" toolbar makes them.
ANSWER = '''def double(x):
    """Twice x, entrywise. Shapes: x (N, D) -> (N, D)."""
    ### BEGIN SOLUTION
    return 2.0 * np.asarray(x, dtype=np.float64)
    ### END SOLUTION
'''
TEST = '''assert np.allclose(double(np.ones(3)), 2.0), "double(ones) should be 2 everywhere"
### BEGIN HIDDEN TESTS
assert np.allclose(double(np.arange(6.0).reshape(2, 3)), 2.0 * np.arange(6.0).reshape(2, 3))
### END HIDDEN TESTS
'''


def add_toy_function(solutions):
    """Step 1: the two cells, appended to the copy of the solution notebook."""
    path = solutions / NOTEBOOK
    nb = nbformat.read(path, as_version=4)
    answer = nbformat.v4.new_code_cell(ANSWER, metadata={"nbgrader": {
        "grade": False, "grade_id": "double", "locked": False, "schema_version": 3, "solution": True}})
    test = nbformat.v4.new_code_cell(TEST, metadata={"nbgrader": {
        "grade": True, "grade_id": "test_double", "locked": True, "points": 1, "schema_version": 3,
        "solution": False}})
    nb.cells += [answer, test]
    nbformat.write(nb, path)
    return nb


def with_syllabus_row(syllabus):
    """Step 2: the row ("test_double", 1 point, calls double) in notebook 02, with no table check."""
    notebooks = tuple(dataclasses.replace(nb, tests=nb.tests + (GradedTest("test_double", 1.0, ("double",)),))
                      if nb.number == "02" else nb for nb in syllabus)
    return dataclasses.replace(syllabus, notebooks=notebooks)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("adding")
    solutions = tmp / "solutions"
    shutil.copytree(ROOT / "solutions", solutions)
    solution = add_toy_function(solutions)
    syllabus = with_syllabus_row(SYLLABUS)
    submissions = tmp / "submitted"
    submissions.mkdir()
    nbformat.write(solution, submissions / "right.ipynb")
    nbformat.write(with_answer(solution, "double", "def double(x):\n    return x + 2\n"),
                   submissions / "wrong.ipynb")
    run = grade_folder(submissions, tmp / "out", assignment="02_minibatch", solutions_dir=solutions,
                       stream=open(tmp / "progress.txt", "w"), tty=False)
    records = json.loads((tmp / "out" / "grades.json").read_text())
    return syllabus, solutions, run, records


def test_the_copy_and_the_extended_syllabus_agree(graded):
    syllabus, solutions, _, _ = graded
    assert disagreements(syllabus, solutions) == []
    assert disagreements(SYLLABUS, solutions), "the unchanged syllabus must notice the new test"
    assert syllabus["02"].points == SYLLABUS["02"].points + 1


def test_a_correct_and_a_wrong_double_are_graded(graded):
    *_, records = graded
    rows = records["records"] if isinstance(records, dict) else records
    double = {r["student"]: r for r in rows if r["test"] == "test_double"}
    assert (double["right"]["score"], double["right"]["max_score"], double["right"]["status"]) == (1.0, 1.0, "passed")
    assert (double["wrong"]["score"], double["wrong"]["status"]) == (0.0, "failed")
    others = [r for r in rows if r["student"] == "right" and r["test"] != "test_double"]
    assert others and all(r["status"] == "passed" for r in others)
