"""The project's wheel holds every file grading and the release builder read (solution and student notebooks,
each notebook home's stored values), and, installed into a fresh virtualenv without network, its `workbook`
grades a class and builds a release from a working directory outside the repository."""
import json
import subprocess
import zipfile
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement

from autograder.assignments import load_assignments
from autograder.exports.gradescope_package import build_wheel
from autograder.release.build import build_release
from autograder.submissions import filled_notebook, with_answer
from autograder.syllabus import SYLLABUS
from tests.release.support import ReleaseVenv, point_at_third_party, third_party_view

ROOT = Path(__file__).resolve().parents[2]
NB01 = load_assignments()["01_backprop"]
# relu_backward passing the gradient everywhere: test_relu fails, the rest pass
RELU_MISTAKE = ("def relu_forward(x):\n    return np.maximum(x, 0), x\n\n\n"
                "def relu_backward(dout, cache):\n    return dout\n")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """A fresh venv with the wheel installed (the third-party packages borrowed through a .pth line)."""
    base = tmp_path_factory.mktemp("installed")
    venv = point_at_third_party(ReleaseVenv(base / "venv"), third_party_view(base / "third_party"))
    venv.install(wheel)
    return venv


def workbook(venv, *args, cwd):
    done = subprocess.run([str(venv.path / "bin" / "workbook"), *map(str, args)], cwd=cwd, env=venv.env(),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.slow
def test_the_wheel_holds_the_notebooks_and_the_stored_values(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for nb in SYLLABUS:
        assert f"autograder/course_data/solutions/{nb.notebook}" in names
        assert f"autograder/course_data/notebooks/{nb.notebook}" in names
        assert f"course_lib/selfcheck/nb{nb.number}/stored.npz" in names
    assert "autograder/exports/gradescope_package.py" in names
    assert not any("__pycache__" in n or n.startswith(("tests/", "solutions/", "notebooks/")) for n in names)


@pytest.mark.slow
def test_the_installed_workbook_grades_from_outside_the_repository(installed, tmp_path):
    where = installed.run_python("import autograder, course_lib, autograder.assignments as a\n"
                                 "print(autograder.__file__); print(course_lib.__file__); print(a.SOLUTIONS_DIR)",
                                 cwd=tmp_path).split()
    assert all(Path(p).is_relative_to(installed.site_packages) for p in where), where

    folder = tmp_path / "submitted"
    folder.mkdir()
    correct = filled_notebook(ROOT / "solutions" / NB01.notebook, ROOT / "notebooks" / NB01.notebook)
    nbformat.write(correct, folder / "alice.ipynb")
    nbformat.write(with_answer(correct, "relu", RELU_MISTAKE), folder / "bob.ipynb")
    workbook(installed, "grade", folder, "--assignment", NB01.name, "--out", tmp_path / "graded", "--jobs", 1,
             cwd=tmp_path)

    records = json.loads((tmp_path / "graded" / "grades.json").read_text())
    score = {}
    for r in records:
        score[r["student"]] = score.get(r["student"], 0) + r["score"]
    assert score == pytest.approx({"alice": NB01.max_score, "bob": NB01.max_score - NB01.test("test_relu").points})
    failed = {(r["student"], r["test"]) for r in records if r["status"] != "passed"}
    assert failed == {("bob", "test_relu")}


@pytest.mark.slow
def test_the_installed_workbook_builds_a_release(installed, tmp_path):
    workbook(installed, "release", "03", "--out", tmp_path / "release", cwd=tmp_path)
    release = tmp_path / "release" / "03_cnn_backprop"
    notebook = "03_cnn_backprop.ipynb"
    assert (release / notebook).read_bytes() == (ROOT / "notebooks" / notebook).read_bytes()
    assert (release / "course_lib" / "selfcheck" / "nb03" / "stored.npz").is_file()
    # the pins come from the installed metadata instead of pyproject.toml: the same requirements
    assert requirements(release) == requirements(build_release("03", tmp_path / "from_checkout"))


def requirements(release):
    """The requirements.txt of a release as a set of packaging Requirements (specifier order ignored)."""
    lines = (release / "requirements.txt").read_text().splitlines()
    return {Requirement(line) for line in lines if line.strip() and not line.startswith("#")}
