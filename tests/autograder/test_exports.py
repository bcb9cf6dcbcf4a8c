"""Exports: Gradescope's results.json (and `workbook gradescope`), and an nbgrader gradebook."""
import dataclasses
import json
import re
import shutil
from pathlib import Path

import jsonschema
import nbformat
import pytest
from nbgrader.api import Grade, Gradebook, GradeCell, SubmittedAssignment
from nbgrader.plugins.export import CsvExportPlugin

from autograder.assignments import load_assignments
from autograder.exports import gradescope, nbgrader_gradebook
from autograder.exports.nbgrader_gradebook import GradebookMismatch, export_to_gradebook
from autograder.grading.record import RECORD_STATUSES, Record, SubmissionResult
from autograder.grading.sheets import write_grades
from autograder.nbgrader_course import NbgraderCourse
from autograder.submissions import filled_notebook, with_answer

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = load_assignments()
NB02 = ASSIGNMENTS["02_minibatch"]
# mse_loss without the 1/2, printing on the way: the judge says "factor of 1/2"
MSE_MISTAKE = ("def mse_loss(pred, target):\n    N = pred.shape[0]\n    diff = pred - target\n"
               "    print('debugging mse', N)\n    return float(np.sum(diff * diff)) / N, 2.0 * diff / N\n")

VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
# Gradescope's results.json, as its autograder specification describes it
GRADESCOPE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": FORMAT,
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "leaderboard": {"type": "array"},
        "tests": {"type": "array", "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "score", "max_score"],
            "properties": {
                "name": {"type": "string"},
                "name_format": FORMAT,
                "number": {"type": "string"},
                "score": {"type": "number"},
                "max_score": {"type": "number"},
                "status": {"enum": ["passed", "failed"]},
                "output": {"type": "string"},
                "output_format": FORMAT,
                "tags": {"type": "array", "items": {"type": "string"}},
                "visibility": VISIBILITY,
                "extra_data": {"type": "object"},
            },
        }},
    },
}


def records_of(student, assignment, failing=(), status="failed"):
    """One record per test: full points, except 0 and ``status`` for the grade_ids in ``failing``."""
    return [Record(student, assignment.name, t.grade_id, t.function,
                   0 if t.grade_id in failing else t.points, t.points,
                   status if t.grade_id in failing else "passed",
                   f"{t.grade_id} is wrong <b>here</b>" if t.grade_id in failing else "")
            for t in assignment.tests]


def filled_02():
    return filled_notebook(ROOT / "solutions" / NB02.notebook, ROOT / "notebooks" / NB02.notebook)


# ---------------------------------------------------------------- Gradescope

def test_gradescope_results_follow_the_schema_and_the_records(tmp_path):
    statuses = [s for s in RECORD_STATUSES if s != "passed"]
    records = records_of("alice", NB02)
    for i, status in enumerate(statuses, start=1):      # one test of each failing status
        records[i] = dataclasses.replace(records[i], score=0.0, status=status,
                                         message=f"{records[i].function} went {status} <script>")
    result = SubmissionResult("alice", NB02.name, records, outputs={records[1].test: "step 1\nstep 2"})
    path = tmp_path / "results" / "results.json"
    written = gradescope.write_gradescope([result], path, output="total")

    on_disk = json.loads(path.read_text())
    assert on_disk == written
    jsonschema.validate(on_disk, GRADESCOPE_SCHEMA)
    assert on_disk["score"] == sum(r.score for r in records) == NB02.max_score - sum(r.max_score
                                                                                      for r in records[1:5])
    assert on_disk["output"] == "total" and on_disk["visibility"] == "visible"
    assert len(on_disk["tests"]) == len(records)
    for test, r in zip(on_disk["tests"], records):
        assert test["name"] == f"{r.test} ({r.function})"
        assert (test["score"], test["max_score"]) == (r.score, r.max_score)
        assert test["status"] == ("passed" if r.status == "passed" else "failed")
        assert test["output"].startswith(r.message) and test["visibility"] == "visible"
        assert test["output_format"] == "text"           # a submission's "<script>" is never HTML
    assert on_disk["tests"][1]["output"].endswith("\n\nYour code printed:\nstep 1\nstep 2")
    assert on_disk["tests"][0]["output"] == ""


def test_gradescope_names_the_assignment_when_there_are_several():
    nb01 = ASSIGNMENTS["01_backprop"]
    results = gradescope.gradescope_results([SubmissionResult("a", NB02.name, records_of("a", NB02)),
                                             SubmissionResult("a", nb01.name,
                                                              records_of("a", nb01, failing={"test_relu"}))])
    jsonschema.validate(results, GRADESCOPE_SCHEMA)
    names = [t["name"] for t in results["tests"]]
    assert names[0] == f"02_minibatch: {NB02.tests[0].grade_id} ({NB02.tests[0].function})"
    assert "01_backprop: test_relu (relu_forward, relu_backward)" in names
    assert results["score"] == NB02.max_score + nb01.max_score - nb01.test("test_relu").points


def test_workbook_gradescope_grades_the_submitted_notebook(tmp_path, capsys):
    submission = tmp_path / "submission"
    (submission / "hw").mkdir(parents=True)
    (submission / ".ipynb_checkpoints").mkdir()
    nbformat.write(with_answer(filled_02(), "mse_loss", MSE_MISTAKE), submission / "hw" / "my_work.ipynb")
    nbformat.write(filled_02(), submission / ".ipynb_checkpoints" / "my_work-checkpoint.ipynb")
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), submission / "notes.ipynb")
    results_json = tmp_path / "results" / "results.json"

    assert gradescope.main([str(submission), str(results_json)]) == 0

    results = json.loads(results_json.read_text())
    jsonschema.validate(results, GRADESCOPE_SCHEMA)
    tests = {t["name"].split(" ")[0]: t for t in results["tests"]}
    assert list(tests) == [t.grade_id for t in NB02.tests]
    mse = tests.pop("test_mse_loss")
    assert mse["status"] == "failed" and mse["score"] == 0 and mse["max_score"] == NB02.test("test_mse_loss").points
    assert "factor of 1/2" in mse["output"] and "Your code printed:\ndebugging mse" in mse["output"]
    assert all(t["status"] == "passed" and t["score"] == t["max_score"] for t in tests.values())
    assert results["score"] == NB02.max_score - NB02.test("test_mse_loss").points
    assert f"{results['score']:g} / {NB02.max_score:g} points" in results["output"]
    assert "notes.ipynb was not graded" in results["output"] and "checkpoint" not in results["output"]
    assert "02_minibatch (my_work.ipynb)" in capsys.readouterr().out


def test_workbook_gradescope_without_a_notebook_or_a_folder(tmp_path, capsys):
    empty = tmp_path / "submission"
    empty.mkdir()
    (empty / "answers.txt").write_text("I did it on paper")
    results_json = tmp_path / "results.json"
    assert gradescope.main([str(empty), str(results_json), "--assignment", "02_minibatch"]) == 0
    results = json.loads(results_json.read_text())
    jsonschema.validate(results, GRADESCOPE_SCHEMA)
    assert results["score"] == 0 and len(results["tests"]) == len(NB02.tests)
    assert sum(t["max_score"] for t in results["tests"]) == NB02.max_score
    assert {t["output"] for t in results["tests"]} == {"no notebook of this assignment was submitted"}
    assert "the submission holds no notebook: upload 02_minibatch.ipynb." in results["output"]

    assert gradescope.main([str(tmp_path / "missing"), str(results_json)]) == 2
    results = json.loads(results_json.read_text())
    jsonschema.validate(results, GRADESCOPE_SCHEMA)
    assert results["tests"] == [] and "tell your instructor" in results["output"]
    assert "missing does not exist" in capsys.readouterr().err
    assert gradescope.main([str(empty), str(results_json), "--assignment", "99_nothing"]) == 2
    assert "unknown assignment '99_nothing'" in json.loads(results_json.read_text())["output"]


# ---------------------------------------------------------------- nbgrader gradebook

@pytest.fixture(scope="module")
def empty_gradebook(tmp_path_factory):
    """An empty gradebook file, made once: nbgrader runs `alembic` (seconds) for each new database."""
    course = NbgraderCourse(tmp_path_factory.mktemp("template"))   # puts this environment's alembic on PATH
    Gradebook(course.db_url).close()
    return course.root / "gradebook.db"


def fresh_gradebook(empty_gradebook, path):
    """A copy of the empty gradebook at ``path``; -> its URL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(empty_gradebook, path)
    return f"sqlite:///{path}"


WRITTEN_IDS = {w.grade_id for a in ASSIGNMENTS.values() for w in a.written}


def gradebook_scores(db_url, assignment, student, *, written=False):
    """{grade_id: (auto_score, score, max_score)} of one submission, read back through nbgrader.

    Written answers (graded by hand) are left out unless ``written``.
    """
    with Gradebook(db_url) as gb:
        submission = gb.find_submission(assignment, student)
        return {g.name: (g.auto_score, g.score, g.max_score) for nb in submission.notebooks for g in nb.grades
                if written or g.name not in WRITTEN_IDS}


def row_counts(db_url):
    with Gradebook(db_url) as gb:
        return {"students": len(gb.students), "assignments": len(gb.assignments),
                "submissions": gb.db.query(SubmittedAssignment).count(),
                "grade cells": gb.db.query(GradeCell).count(), "grades": gb.db.query(Grade).count()}


def test_export_writes_each_grade_cell_and_a_second_export_updates(tmp_path, empty_gradebook):
    course = NbgraderCourse(tmp_path / "course")
    fresh_gradebook(empty_gradebook, course.root / "gradebook.db")
    alice = records_of("alice", NB02)
    bob = records_of("bob", NB02, failing={"test_linear", "test_softmax"})
    unrecognised = Record("carol", "unrecognised: carol.ipynb", "", "", 0, 0, "error", "could not tell")

    first = export_to_gradebook(alice + bob + [unrecognised], course.db_url, ASSIGNMENTS)

    assert sorted(first.students_added) == ["alice", "bob"]
    assert (first.submissions_added, first.submissions_updated, first.grades_written) == (2, 0, 2 * len(NB02.tests))
    assert len(first.notes) == 1 and "carol" in first.notes[0]
    for student, records in (("alice", alice), ("bob", bob)):
        (written,) = NB02.written     # the written answer is a grade cell too, left for a TA
        assert gradebook_scores(course.db_url, "02_minibatch", student, written=True)[written.grade_id] == \
            (None, 0.0, written.points)
        assert gradebook_scores(course.db_url, "02_minibatch", student) == {
            r.test: (r.score, r.score, r.max_score) for r in records}
    with Gradebook(course.db_url) as gb:
        notebook = gb.find_notebook("02_minibatch", "02_minibatch")
        assert {c.name: c.max_score for c in notebook.grade_cells} == {
            **{t.grade_id: t.points for t in NB02.tests}, **{w.grade_id: w.points for w in NB02.written}}
        assert {c.name for c in notebook.solution_cells} == set(NB02.solution_cells) | {
            w.grade_id for w in NB02.written}
        assert gb.find_submission("02_minibatch", "bob").score == sum(r.score for r in bob)
        grade = gb.find_grade("test_softmax", "02_minibatch", "02_minibatch", "bob")
        assert grade.needs_manual_grade is False
        grade.manual_score = 0.5                  # a TA's override must survive the next export
        gb.db.commit()
    counts = row_counts(course.db_url)
    cells = len(NB02.tests) + len(NB02.written)     # the written answer is a grade cell as well
    assert counts == {"students": 2, "assignments": 1, "submissions": 2, "grade cells": cells,
                      "grades": 2 * cells}

    bob_regraded = records_of("bob", NB02, failing={"test_linear"})
    second = export_to_gradebook(alice + bob_regraded, course.db_url, ASSIGNMENTS)

    assert (second.students_added, second.submissions_added, second.submissions_updated) == ([], 0, 2)
    assert row_counts(course.db_url) == counts
    bob_now = gradebook_scores(course.db_url, "02_minibatch", "bob")
    softmax_points = NB02.test("test_softmax").points
    assert bob_now["test_softmax"] == (softmax_points, 0.5, softmax_points)     # auto updated, manual kept
    assert bob_now["test_linear"] == (0.0, 0.0, NB02.test("test_linear").points)
    with Gradebook(course.db_url) as gb:
        assert gb.find_grade("test_softmax", "02_minibatch", "02_minibatch", "bob").needs_manual_grade is True
        CsvExportPlugin(to=str(tmp_path / "nbgrader_export.csv")).export(gb)   # what `nbgrader export` does
    rows = (tmp_path / "nbgrader_export.csv").read_text().splitlines()
    header = rows[0].split(",")
    scores = {r.split(",")[header.index("student_id")]: float(r.split(",")[header.index("raw_score")])
              for r in rows[1:]}
    assert scores == {"alice": NB02.max_score,
                      "bob": NB02.max_score - NB02.test("test_linear").points - softmax_points + 0.5}


@pytest.mark.parametrize("older, said", [
    (dataclasses.replace(NB02, tests=NB02.tests[:-1]), f"no grade cells {NB02.tests[-1].grade_id}"),
    (dataclasses.replace(NB02, notebook="hw2.ipynb"), "no notebook 02_minibatch (it has: hw2)"),
], ids=["a grade cell more", "another notebook name"])
def test_export_refuses_to_change_what_was_submitted(tmp_path, empty_gradebook, older, said):
    db_url = fresh_gradebook(empty_gradebook, tmp_path / "gradebook.db")
    export_to_gradebook(records_of("alice", older), db_url, {NB02.name: older})
    before = row_counts(db_url)
    with Gradebook(db_url) as gb:
        scores = {g.id: g.auto_score for g in gb.db.query(Grade)}

    with pytest.raises(GradebookMismatch, match=re.escape(said)):
        export_to_gradebook(records_of("alice", NB02, failing={NB02.tests[0].grade_id}), db_url, ASSIGNMENTS)
    assert row_counts(db_url) == before                                         # nothing written
    with Gradebook(db_url) as gb:
        assert {g.id: g.auto_score for g in gb.db.query(Grade)} == scores


def test_workbook_export_nbgrader_reads_grades_json(tmp_path, empty_gradebook, capsys):
    out = tmp_path / "graded"
    write_grades(out, [SubmissionResult("dana", NB02.name, records_of("dana", NB02, failing={"test_mse_loss"}))])
    db = tmp_path / "course" / "gradebook.db"
    fresh_gradebook(empty_gradebook, db)
    assert nbgrader_gradebook.main([str(out), "--db", str(db)]) == 0
    assert "1 new and 0 updated submission(s)" in capsys.readouterr().err
    scores = gradebook_scores(f"sqlite:///{db}", NB02.name, "dana")
    assert scores["test_mse_loss"][0] == 0 and sum(s[0] for s in scores.values()) == \
        NB02.max_score - NB02.test("test_mse_loss").points

    assert nbgrader_gradebook.main([str(tmp_path / "nowhere"), "--db", str(db)]) == 2
    assert "run `workbook grade" in capsys.readouterr().err
    records = json.loads((out / "grades.json").read_text())
    records[1]["status"] = "great"
    (out / "grades.json").write_text(json.dumps(records))
    assert nbgrader_gradebook.main([str(out), "--db", str(db)]) == 2      # named, with the fix; nothing written
    assert f"{out / 'grades.json'}: record 2: status 'great' is not one of passed, failed, missing, timeout, " \
           "error; run `workbook grade` again to rewrite it" in capsys.readouterr().err


@pytest.mark.slow
def test_export_fills_a_gradebook_made_by_nbgrader_generate(tmp_path):
    course = NbgraderCourse(tmp_path)
    course.generate(course.add_source(ROOT / "solutions" / NB02.notebook))
    with Gradebook(course.db_url) as gb:
        source_cells = len(gb.find_notebook(NB02.name, NB02.name).source_cells)
    counts = row_counts(course.db_url)

    records = records_of("erin", NB02, failing={"test_backward_pass"})
    export_to_gradebook(records, course.db_url, ASSIGNMENTS)

    after = row_counts(course.db_url)
    assert after["grade cells"] == counts["grade cells"] == len(NB02.tests) + len(NB02.written)
    assert after["assignments"] == counts["assignments"] == 1 and after["submissions"] == 1
    with Gradebook(course.db_url) as gb:
        assert len(gb.find_notebook(NB02.name, NB02.name).source_cells) == source_cells
    assert gradebook_scores(course.db_url, NB02.name, "erin") == {
        r.test: (r.score, r.score, r.max_score) for r in records}
