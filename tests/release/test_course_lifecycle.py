"""The course lifecycle, once, end to end, with the real commands: ``workbook course init``, nbgrader's
generate, release, fetch, submit (three students through a local exchange), collect, ``workbook grade``,
the formgrader's API and ``nbgrader export``.

Then a TA grades two written answers by hand and ``workbook grade`` runs again: both sheets count them.

ada hands in the solutions, bo two typical mistakes of the demo's catalogue, cy the solutions after the
due date. The due date is put into the gradebook (``nbgrader db assignment add --duedate``) once ada's and
bo's submit have returned and before cy's starts, so cy is late and they are not, whatever the machine's
speed. The course's late penalty is 2 points per started hour (``--late-penalty per-hour``): cy loses 2.
"""
import csv
import datetime
import io

import nbformat
import pytest

from autograder.assignments import load_source_assignments
from autograder.demo.answer_cells import catalogue
from autograder.nbgrader_course import NbgraderCourse
from autograder.submissions import filled_notebook, with_answer
from autograder.syllabus import SYLLABUS
from tests.support.nbgrader_cli import isolated_env, nbgrader, workbook

COURSE_ID = "dl"
NB = SYLLABUS["01"]
WRITTEN_ANSWER = r"$\sigma'(x) = e^{-x}(1+e^{-x})^{-2} = \sigma(x)\,(1-\sigma(x)) = a(1-a)$"
MISTAKES = ("sigmoid", "backprop_derivatives")   # bo's answer cells, from the demo's catalogue of notebook 01
POINTS_PER_HOUR = 2.0


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def answered(fetched, solution, student):
    """What ``student`` hands in: the fetched notebook with the solutions written in (bo: two mistakes)."""
    nb = filled_notebook(solution, fetched)
    if student == "bo":
        for mistake in catalogue(NB.name).mistakes:
            if mistake.grade_id in MISTAKES:
                nb = with_answer(nb, mistake.grade_id, mistake.source)
        return nb                                  # bo leaves the written question as released
    return with_answer(nb, "derive_sigmoid_backward", WRITTEN_ANSWER)


def fetch_and_submit(tmp_path, exchange, solution, student):
    """``student`` fetches the assignment into their own folder, answers it and submits it under their id."""
    env = isolated_env(tmp_path / "homes" / student)
    folder = tmp_path / "students" / student
    folder.mkdir(parents=True)
    flags = ["--course", COURSE_ID, f"--Exchange.root={exchange}"]
    nbgrader("fetch_assignment", NB.name, *flags, cwd=folder, env=env)
    notebook = folder / NB.name / NB.notebook
    nbformat.write(answered(notebook, solution, student), notebook)
    # nbgrader names a submission after the OS user (or JUPYTERHUB_USER for the user "jovyan");
    # --student sets the id instead, so three students can submit from one test.
    return nbgrader("submit", NB.name, *flags, f"--student={student}", cwd=folder, env=env)


@pytest.mark.slow
def test_a_course_from_init_to_export(tmp_path):
    course, exchange = tmp_path / "course", tmp_path / "exchange"
    env = isolated_env(tmp_path / "homes" / "instructor")
    workbook("course", "init", course, "--course-id", COURSE_ID, "--exchange", exchange,
             "--late-penalty", "per-hour", "--points-per-hour", POINTS_PER_HOUR, cwd=tmp_path, env=env)
    nbgrader("generate_assignment", NB.name, cwd=course, env=env)
    nbgrader("release_assignment", NB.name, cwd=course, env=env)
    solution = course / "source" / NB.name / NB.notebook

    for student in ("ada", "bo"):
        fetch_and_submit(tmp_path, exchange, solution, student)
    due = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    nbgrader("db", "assignment", "add", NB.name, f"--duedate={due}", cwd=course, env=env)
    fetch_and_submit(tmp_path, exchange, solution, "cy")
    nbgrader("collect", NB.name, cwd=course, env=env)
    for student in ("ada", "bo", "cy"):
        assert (course / "submitted" / student / NB.name / "timestamp.txt").is_file()

    out = workbook("grade", course, "--jobs", "1", cwd=course, env=env)
    assert f"late: cy, {NB.name}: " in out and f"penalty {POINTS_PER_HOUR:g} point(s)" in out, out
    assert "late: ada" not in out and "late: bo" not in out, out

    # what each student must get, from the source notebook's points
    assignment = load_source_assignments(course / "source")[NB.name]
    full = assignment.max_score
    lost = sum(assignment.test(test).points for m in catalogue(NB.name).mistakes if m.grade_id in MISTAKES
               for test in m.lost_tests)
    raw = {"ada": full, "bo": full - lost, "cy": full}
    penalty = {"ada": 0.0, "bo": 0.0, "cy": POINTS_PER_HOUR}      # cy: less than an hour late, one started hour
    assert 0 < lost < full

    # 5. workbook grade: one row per student, the late penalty taken off
    sheet = {r["student"]: r for r in rows((course / "graded" / "grades.csv").read_text())}
    assert sorted(sheet) == ["ada", "bo", "cy"]
    for student, r in sheet.items():
        assert float(r[NB.name]) == raw[student] - penalty[student], (student, r)
        assert float(r["total"]) == raw[student] - penalty[student] and float(r["late_penalty"]) == penalty[student]

    # 6. the formgrader's API: three autograded submissions with their scores; the penalty in its gradebook
    api = NbgraderCourse(course).api
    listed = {s["student"]: s for s in api.get_submissions(NB.name)}
    assert sorted(listed) == ["ada", "bo", "cy"]
    assert all(s["autograded"] for s in listed.values()), listed
    assert {k: s["score"] for k, s in listed.items()} == raw
    assert {k: s["needs_manual_grade"] for k, s in listed.items()} == {"ada": True, "bo": False, "cy": True}
    with api.gradebook as gb:
        late = {k: gb.find_submission(NB.name, k) for k in listed}
        assert {k: s.late_submission_penalty for k, s in late.items()} == penalty
        assert late["cy"].total_seconds_late > 0
        assert late["ada"].total_seconds_late == late["bo"].total_seconds_late == 0

    # 7. nbgrader export: the same totals as grades.csv. Its "score" is raw_score (the autograded points and
    # the TA's manual ones, none yet) minus the penalty, at least 0; max_score has the written question's points.
    export_agrees(course, env, sheet, raw, assignment.total_points)

    # 8. a TA grades ada's and cy's written answers; after a rerun both sheets count them
    with api.gradebook as gb:
        for student in ("ada", "cy"):
            gb.find_grade("derive_sigmoid_backward", NB.name, NB.name, student).manual_score = 1.5
        gb.db.commit()
    workbook("grade", course, cwd=course, env=env)
    sheet = {r["student"]: r for r in rows((course / "graded" / "grades.csv").read_text())}
    raw.update(ada=full + 1.5, cy=full + 1.5)
    assert float(sheet["ada"]["total"]) == full + 1.5 and float(sheet["cy"]["total"]) == full + 1.5 - POINTS_PER_HOUR
    export_agrees(course, env, sheet, raw, assignment.total_points)


def export_agrees(course, env, sheet, raw, max_score):
    """``nbgrader export`` has, for each student, the raw score ``raw`` and grades.csv's total and penalty."""
    nbgrader("export", "--to=export.csv", cwd=course, env=env)
    exported = {r["student_id"]: r for r in rows((course / "export.csv").read_text())}
    assert sorted(exported) == sorted(sheet)
    for student, r in exported.items():
        assert float(r["raw_score"]) == raw[student], (student, r)
        assert float(r["late_submission_penalty"]) == float(sheet[student]["late_penalty"]), (student, r)
        assert float(r["score"]) == float(sheet[student]["total"]), (student, r)
        assert float(r["max_score"]) == max_score
