"""`workbook gradescope-package`: the zip unpacked into a folder laid out like Gradescope's /autograder,
its setup.sh run in a fresh virtualenv without network, and its run_autograder run on a correct, a wrong
and an empty submission; every results.json is validated against Gradescope's documented format."""
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pytest

from autograder.assignments import load_assignments
from autograder.exports.gradescope_package import RUN_AUTOGRADER, SETUP_SH, build_package, build_wheel
from autograder.submissions import filled_notebook, with_answer
from tests.release.support import ReleaseVenv, point_at_third_party, third_party_view

ROOT = Path(__file__).resolve().parents[2]
NB02 = load_assignments()["02_minibatch"]
# mse_loss without the 1/2: the judge says "factor of 1/2"
MSE_MISTAKE = ("def mse_loss(pred, target):\n    N = pred.shape[0]\n    diff = pred - target\n"
               "    return float(np.sum(diff * diff)) / N, 2.0 * diff / N\n")

# Gradescope's results.json, written from its "Autograder Specifications" page
# (gradescope-autograders.readthedocs.io/en/latest/specs/, section "Output format"): every key there is
# optional ("score" is required when the tests carry no scores), visibilities are "hidden",
# "after_due_date", "after_published" or "visible", a test's status is "passed" or "failed", output
# formats are "text", "html", "simple_format", "md" or "ansi". ``required`` lists what this project's
# run_autograder promises on top (the fields issue 11 names).
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
TEST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "score", "max_score", "status", "output", "visibility"],
    "properties": {
        "score": {"type": "number"},
        "max_score": {"type": "number", "minimum": 0},
        "status": {"enum": ["passed", "failed"]},
        "name": {"type": "string", "minLength": 1},
        "name_format": FORMAT,
        "number": {"type": "string"},
        "output": {"type": "string"},
        "output_format": FORMAT,
        "tags": {"type": "array", "items": {"type": "string"}},
        "visibility": VISIBILITY,
        "extra_data": {"type": "object"},
    },
}
RESULTS_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["score", "execution_time", "output", "stdout_visibility", "tests"],
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "output_format": FORMAT,
        "test_output_format": FORMAT,
        "test_name_format": FORMAT,
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": TEST},
        "leaderboard": {"type": "array", "items": {
            "type": "object", "required": ["name", "value"],
            "properties": {"name": {"type": "string"}, "value": {"type": ["number", "string"]},
                           "order": {"enum": ["asc", "desc"]}}}},
    },
}


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    """The zip of notebook 02, built once (with a wheel built from a copy of the checkout)."""
    tmp = tmp_path_factory.mktemp("gradescope")
    wheel = build_wheel(tmp / "wheels")
    return build_package("02", tmp / "autograder.zip", wheel=wheel)


@pytest.fixture(scope="module")
def autograder_root(package, tmp_path_factory):
    """A folder laid out like /autograder after Gradescope built the image: source/ unpacked from the
    zip, run_autograder copied next to it, setup.sh run in a fresh virtualenv ($ROOT/venv) that sees
    this project's third-party packages (not its editable install) through a .pth line and has no
    network (PIP_NO_INDEX): pip finds every dependency installed and installs the wheel alone."""
    root = tmp_path_factory.mktemp("autograder")
    with zipfile.ZipFile(package) as archive:
        archive.extractall(root / "source")
        for info in archive.infolist():      # extractall drops the mode bits the zip holds
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(root / "source" / info.filename, mode)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    point_at_third_party(ReleaseVenv(root / "venv"), third_party_view(root.parent / "third_party"))
    done = subprocess.run(["bash", str(root / "source" / "setup.sh")], cwd=root / "source", env=sandbox_env(root),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return root


def sandbox_env(root):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(AUTOGRADER_ROOT=str(root), PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def run_autograder(root, submission_files):
    """Put ``submission_files`` ({name: notebook or text}) into $ROOT/submission, run $ROOT/run_autograder
    from $ROOT as Gradescope does; -> (results.json as a dict, the completed process)."""
    for folder in ("submission", "results"):
        shutil.rmtree(root / folder, ignore_errors=True)
        (root / folder).mkdir()
    for name, content in submission_files.items():
        if isinstance(content, str):
            (root / "submission" / name).write_text(content)
        else:
            nbformat.write(content, root / "submission" / name)
    done = subprocess.run([str(root / "run_autograder")], cwd=root, env=sandbox_env(root),
                          capture_output=True, text=True, timeout=600)
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, RESULTS_SCHEMA)
    return results, done


def filled_02():
    return filled_notebook(ROOT / "solutions" / NB02.notebook, ROOT / "notebooks" / NB02.notebook)


def test_the_zip_holds_the_two_scripts_at_its_root_the_wheel_and_the_release(package):
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in archive.infolist()}
        setup = archive.read("setup.sh").decode()
    assert names[:2] == ["setup.sh", "run_autograder"]
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    wheels = [n for n in names if n.startswith("wheels/")]
    assert len(wheels) == 1 and wheels[0].endswith("-py3-none-any.whl")
    assert f"release/02_minibatch/{NB02.notebook}" in names
    assert "release/02_minibatch/course_lib/__init__.py" in names
    assert "chromium" not in setup and "playwright" not in setup
    assert SETUP_SH.startswith("#!") and RUN_AUTOGRADER.startswith("#!")


@pytest.mark.slow
def test_setup_installs_the_wheel_into_the_autograder_venv(autograder_root):
    venv = autograder_root / "venv"
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import autograder.assignments as a; print(a.SOLUTIONS_DIR)"],
                           cwd=autograder_root, env=sandbox_env(autograder_root), capture_output=True, text=True)
    solutions = Path(where.stdout.strip())
    assert solutions.is_relative_to(venv), where.stdout + where.stderr
    assert (solutions / NB02.notebook).is_file()


@pytest.mark.slow
def test_a_correct_submission_scores_full_marks(autograder_root):
    results, done = run_autograder(autograder_root, {"02_minibatch.ipynb": filled_02()})
    assert done.returncode == 0, done.stderr
    assert results["score"] == pytest.approx(NB02.max_score)
    assert [t["name"].split(" ")[0] for t in results["tests"]] == [t.grade_id for t in NB02.tests]
    assert all(t["status"] == "passed" and t["score"] == t["max_score"] for t in results["tests"])
    assert sum(t["max_score"] for t in results["tests"]) == pytest.approx(NB02.max_score)
    assert f"{NB02.max_score:g} / {NB02.max_score:g} points" in results["output"]
    assert results["stdout_visibility"] == "hidden" and 0 < results["execution_time"] < 600


@pytest.mark.slow
def test_a_wrong_submission_loses_the_points_of_its_wrong_test(autograder_root):
    wrong = with_answer(filled_02(), "mse_loss", MSE_MISTAKE)
    results, done = run_autograder(autograder_root, {"my_homework.ipynb": wrong})
    assert done.returncode == 0, done.stderr
    lost = NB02.test("test_mse_loss").points
    assert results["score"] == pytest.approx(NB02.max_score - lost)
    mse = next(t for t in results["tests"] if t["name"].startswith("test_mse_loss"))
    assert mse["status"] == "failed" and mse["score"] == 0 and mse["max_score"] == lost
    assert "factor of 1/2" in mse["output"]


@pytest.mark.slow
def test_an_empty_submission_scores_zero_and_says_what_to_upload(autograder_root):
    results, done = run_autograder(autograder_root, {"answers.txt": "I did it on paper"})
    assert done.returncode == 0, done.stderr
    assert results["score"] == 0
    assert "the submission holds no notebook: upload 02_minibatch.ipynb" in results["output"]
    assert "no a notebook" not in results["output"]
    assert len(results["tests"]) == len(NB02.tests)
    assert all(t["score"] == 0 and t["status"] == "failed" for t in results["tests"])
    assert sum(t["max_score"] for t in results["tests"]) == pytest.approx(NB02.max_score)
