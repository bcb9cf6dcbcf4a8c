"""A release installs into a fresh virtualenv (no network) and runs: the student notebook up to its first
stub with every self-check saying "not implemented yet", the solution notebook of k top to bottom."""
from pathlib import Path

import nbformat
import pytest

from autograder.syllabus import SYLLABUS
from tests.release.support import without_hidden_tests
from tests.support.notebook_runner import cell_error, cell_text, is_graded

ROOT = Path(__file__).resolve().parents[2]
NUMBERS = [nb.number for nb in SYLLABUS]

WHERE = "import course_lib, importlib.util as u; print(course_lib.__file__); print(u.find_spec('autograder'))"


@pytest.mark.slow
def test_a_release_installs_into_a_fresh_venv_and_is_what_course_lib_means_there(release_venv, tmp_path):
    venv = release_venv("03")
    course_lib, autograder = venv.run_python(WHERE, cwd=tmp_path).split()
    assert Path(course_lib).is_relative_to(venv.site_packages), course_lib
    assert autograder == "None"
    data = sorted(p.name for p in (venv.site_packages / "course_lib").rglob("*.npz"))
    assert data in (["nb03.npz"], ["stored.npz"])
    message = venv.run_python("from course_lib.layers.conv import conv2d_forward\n"
                              "try:\n    conv2d_forward(None, None, None)\nexcept NotImplementedError as e:\n"
                              "    print(e)", cwd=tmp_path)
    assert message.strip() == "you write conv2d_forward in notebook 03"


@pytest.mark.slow
@pytest.mark.parametrize("number", NUMBERS)
def test_the_student_notebook_runs_to_its_first_stub_and_every_self_check_explains(release_venv, number,
                                                                                   tmp_path):
    """Run All on the untouched notebook with the release: no traceback; demos and self-checks explain."""
    nb = SYLLABUS[number]
    book = nbformat.read(ROOT / "notebooks" / nb.notebook, as_version=4)
    release_venv(number).execute(book, tmp_path, allow_errors=True)
    code = [c for c in book.cells if c.cell_type == "code"]
    assert [cell_error(c) for c in code if cell_error(c)] == []
    assert any("write it first" in cell_text(c) for c in code)
    graded = [c for c in code if is_graded(c)]
    assert len(graded) == len(nb.tests)
    for cell in graded:
        assert cell_error(cell) is None, cell_error(cell)
        assert "not implemented yet" in cell_text(cell), cell_text(cell)


@pytest.mark.slow
@pytest.mark.parametrize("number", NUMBERS)
def test_the_solution_notebook_runs_top_to_bottom_on_the_release_package(release_venv, number, tmp_path):
    """The release holds everything notebook k needs except the student's own work (the solution cells)."""
    nb = SYLLABUS[number]
    book = without_hidden_tests(ROOT / "solutions" / nb.notebook)
    release_venv(number).execute(book, tmp_path)     # raises CellExecutionError naming the cell
    graded = [c for c in book.cells if c.cell_type == "code" and is_graded(c)]
    assert len(graded) == len(nb.tests)
    for cell in graded:
        assert "[PASS]" in cell_text(cell) and "FAIL" not in cell_text(cell), cell_text(cell)
