"""Grading an nbgrader course: any hidden test, the course directory as input, deadlines, the gradebook.

The course here is not this workbook: a small instructor notebook written in
the usual nbgrader style (tests/support/foreign_notebook.py), released by
nbgrader itself, with the assignment named differently from its notebook
(source/hw1/warmup.ipynb).
"""
import csv
import datetime
import io
import shutil

import nbformat
import pytest

from autograder.assignments import parse_assignment
from autograder.grade import grade_folder
from autograder.grading.course_stage import late_line
from autograder.grading.feedback import render_feedback
from autograder.grading.record import Record, SubmissionResult
from autograder.judge import grade_submission
from autograder.nbgrader_course import NbgraderCourse
from autograder.sandbox import WorkerPool
from tests.support.foreign_notebook import ANSWERS, WRITTEN, source_notebook, student_notebook

ASSIGNMENT, NOTEBOOK = "hw1", "warmup.ipynb"
WRONG = {   # partly wrong: double is 3x, Counter forgets its total, the rate is out of range
    "double": "def double(x):\n    return 3 * x\n",
    "counter": "class Counter:\n    def add(self, k):\n        return k\n",
    "rate": "learning_rate = 5.0\n",
}
PER_HOUR = '''from nbgrader.plugins import BasePlugin


class TwoPointsPerDay(BasePlugin):
    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return 2.0 * (1 + int(total_seconds_late // 86400))
'''


def read_csv(path):
    return list(csv.DictReader(io.StringIO(path.read_text())))


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    path = tmp_path_factory.mktemp("source") / NOTEBOOK
    nbformat.write(source_notebook(), path)
    return path


# ---------------------------------------------------------------- any hidden test, in the judge

def test_tests_in_the_usual_nbgrader_style_are_read(source):
    a = parse_assignment(source, ASSIGNMENT)
    assert (a.name, a.notebook, a.max_score, a.total_points) == (ASSIGNMENT, NOTEBOOK, 7.0, 9.0)
    tests = {t.grade_id: t for t in a.tests}
    assert tests["test_double"].student_names == ("double",) and tests["test_double"].grade_function == ""
    assert "np.ones(3)" in tests["test_double"].run_code          # the visible part runs too, as in nbgrader
    assert "### BEGIN HIDDEN TESTS" not in tests["test_double"].run_code
    assert tests["test_square"].instructor_names == ("check_close", "DATA")
    assert tests["test_rate"].student_names == ("learning_rate",) and a.values == ("learning_rate",)
    assert [(w.grade_id, w.points, w.cell_type) for w in a.written] == [(WRITTEN[0], WRITTEN[1], "markdown")]
    assert a.needs_setup


def test_the_judge_grades_asserts_helpers_classes_values_and_partial_credit(source):
    a = parse_assignment(source, ASSIGNMENT)
    right = source_notebook()
    wrong = student_notebook(right, WRONG)
    with WorkerPool() as pool:
        good = grade_submission(pool, right, a, "right")
        bad = grade_submission(pool, wrong, a, "wrong")
    assert {r.test: r.status for r in good.records} == {t.grade_id: "passed" for t in a.tests}
    assert good.score == a.max_score
    scores = {r.test: (r.score, r.status) for r in bad.records}
    assert scores == {"test_double": (0.0, "failed"), "test_square": (2.0, "passed"),
                      "test_counter": (0.0, "failed"), "test_rate": (0.0, "failed"),
                      "test_partial": (0.5, "failed")}
    assert bad.record("test_partial").message == "this test gave 0.5 of 1 points"
    for r in bad.records:     # no hidden code, no inputs, no assertion text in what the student reads
        assert "np.arange" not in r.message and "not close enough" not in r.message


def test_the_feedback_page_hides_printed_output_unless_asked():
    result = SubmissionResult("x", "hw1", [Record("x", "hw1", "test_a", "f", 0.0, 1.0, "failed", "wrong")],
                              outputs={"test_a": "f was called with SECRET_INPUT"}, seconds_late=3 * 3600 + 60,
                              late_penalty=1.0, timestamp="2025-03-01 12:00:00")
    assert "SECRET_INPUT" not in render_feedback(result)
    assert "SECRET_INPUT" in render_feedback(result, show_output=True)
    page = render_feedback(result)
    assert "3 h 1 min after the due date" in page and "late penalty <strong>1</strong>" in page
    assert "Final score: <strong>-1 / 1</strong>" in page and "by hand" not in page
    result.manual_points = 1.5                   # a TA graded the written answer in the formgrader
    page = render_feedback(result)
    assert "by your TA" in page and "<strong>+1.5</strong>" in page and "Final score: <strong>0.5</strong>" in page
    assert SubmissionResult.from_json(result.to_json()) == result


def test_the_console_says_how_late_as_the_feedback_page_does():
    result = SubmissionResult("cy", "hw1", seconds_late=14.0, late_penalty=2.0)
    assert late_line(result) == "late: cy, hw1: under a minute after the due date, penalty 2 point(s)"
    result.seconds_late, result.late_penalty = 3 * 3600 + 600, 0.5
    assert late_line(result) == "late: cy, hw1: 3 h 10 min after the due date, penalty 0.5 point(s)"


# ---------------------------------------------------------------- the course directory

def make_course(root, source):
    """A course made by nbgrader: source/hw1/warmup.ipynb, generated; -> (NbgraderCourse, release notebook)."""
    course = NbgraderCourse(root)
    folder = course.root / "source" / ASSIGNMENT
    folder.mkdir(parents=True)
    shutil.copy(source, folder / NOTEBOOK)
    course.generate(ASSIGNMENT)
    release = nbformat.read(course.root / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    return course, release


def submit(course, student, nb, when):
    folder = course.root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / NOTEBOOK)
    (folder / "timestamp.txt").write_text(when.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))


def students(release):
    right = student_notebook(release, {k: _solution(v) for k, v in ANSWERS.items()}, written="$2x$")
    wrong = student_notebook(release, {**{k: _solution(v) for k, v in ANSWERS.items()}, **WRONG})
    return {"ada": right, "bo": wrong, "cy": right}


def _solution(text):
    return "\n".join(line for line in text.splitlines() if "### " not in line) + "\n"


DUE = datetime.datetime(2025, 3, 1, 12, 0, 0)


def course_due_at(root, source, due):
    """make_course, with the assignment due at ``due`` and a custom late plugin: 2 points per day started."""
    from nbgrader.api import Gradebook

    course, release = make_course(root, source)
    (course.root / "late.py").write_text(PER_HOUR)
    (course.root / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "warmup101"\n'
        'c.AssignLatePenalties.plugin_class = "late.TwoPointsPerDay"\nc.Exchange.root = "/nonexistent"\n')
    with Gradebook(course.db_url) as gb:
        gb.update_or_create_assignment(ASSIGNMENT, duedate=due)
    return course, release


@pytest.mark.slow
def test_a_course_directory_is_graded_into_its_gradebook_with_late_penalties(tmp_path, source):
    from nbgrader.api import Gradebook

    course, release = course_due_at(tmp_path / "course", source, DUE)
    for student, nb in students(release).items():
        late = student == "cy"
        submit(course, student, nb, DUE + datetime.timedelta(hours=30 if late else -1))
    err = io.StringIO()
    run = grade_folder(course.root, course.root / "graded", stream=err)
    assert {(r.student, r.assignment) for r in run.results} == {("ada", "hw1"), ("bo", "hw1"), ("cy", "hw1")}
    by = {r.student: r for r in run.results}
    assert by["ada"].score == 7.0 and by["bo"].score == 2.5 and by["cy"].score == 7.0
    assert by["cy"].seconds_late == pytest.approx(30 * 3600) and by["cy"].late_penalty == 4.0   # two days started
    assert by["ada"].late_penalty == 0.0 and by["ada"].seconds_late == 0.0
    # the sheets: one row per student, the late penalty taken off
    rows = {r["student"]: r for r in read_csv(course.root / "graded" / "grades.csv")}
    assert list(rows["ada"]) == ["student", "hw1", "total", "late_penalty"]
    assert (rows["cy"]["hw1"], rows["cy"]["total"], rows["cy"]["late_penalty"]) == ("3", "3", "4")
    assert (rows["bo"]["hw1"], rows["ada"]["hw1"]) == ("2.5", "7")
    # the formgrader sees every submission as autograded, with its score; no second, fake assignment
    api = NbgraderCourse(course.root).api
    listed = {s["student"]: s for s in api.get_submissions(ASSIGNMENT)}
    assert all(s["autograded"] for s in listed.values()), listed
    assert {k: s["score"] for k, s in listed.items()} == {"ada": 7.0, "bo": 2.5, "cy": 7.0}   # before penalty
    assert [a["name"] for a in api.get_assignments()] == [ASSIGNMENT]
    with Gradebook(course.db_url) as gb:
        assert gb.find_submission(ASSIGNMENT, "cy").late_submission_penalty == 4.0
        assert gb.find_submission(ASSIGNMENT, "ada").late_submission_penalty == 0.0
        assert [n.name for n in gb.find_assignment(ASSIGNMENT).notebooks] == ["warmup"]
        written = gb.find_grade(WRITTEN[0], "warmup", ASSIGNMENT, "ada")
        assert written.auto_score is None and written.needs_manual_grade      # an answer: the TA grades it
        blank = gb.find_grade(WRITTEN[0], "warmup", ASSIGNMENT, "bo")
        assert blank.auto_score == 0 and not blank.needs_manual_grade          # left as released: 0, as nbgrader
        written.manual_score = 1.5                                            # a TA grades by hand
        gb.db.commit()
    # a rerun of one student keeps the manual grade, and the score includes it, in the sheet too
    run = grade_folder(course.root, course.root / "graded", student="ada", stream=io.StringIO())
    with Gradebook(course.db_url) as gb:
        assert gb.find_grade(WRITTEN[0], "warmup", ASSIGNMENT, "ada").manual_score == 1.5
        assert gb.find_submission(ASSIGNMENT, "ada").score == 8.5
    assert {r.student: r.manual_points for r in run.results} == {"ada": 1.5, "bo": 0.0, "cy": 0.0}
    rows = {r["student"]: r for r in read_csv(course.root / "graded" / "grades.csv")}
    assert (rows["ada"]["hw1"], rows["ada"]["total"], rows["cy"]["total"]) == ("8.5", "8.5", "3")
    # the autograded notebook holds the outcomes where nbgrader puts them
    nb = nbformat.read(course.root / "autograded" / "bo" / ASSIGNMENT / NOTEBOOK, as_version=4)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    assert cells["test_double"].outputs[0].output_type == "error"
    assert cells["test_square"].outputs == []
    # a deleted submission disappears from the sheets
    shutil.rmtree(course.root / "submitted" / "bo")
    grade_folder(course.root, course.root / "graded", stream=io.StringIO())
    assert sorted(r["student"] for r in read_csv(course.root / "graded" / "grades.csv")) == ["ada", "cy"]


# ---------------------------------------------------------------- parity with nbgrader autograde

@pytest.mark.slow
def test_nbgrader_autograde_and_workbook_grade_agree_cell_by_cell(tmp_path, source):
    """The same three submissions, autograded by nbgrader in one copy of the course and by workbook grade
    in another: the same points for every graded cell, the written answer included (None: the TA's)."""
    theirs, release = make_course(tmp_path / "nbgrader", source)
    notebooks = {**students(release), "blank": release}
    del notebooks["cy"]
    for student, nb in notebooks.items():
        submit(theirs, student, nb, DUE)
    shutil.copytree(theirs.root, tmp_path / "workbook")
    ours = NbgraderCourse(tmp_path / "workbook")
    for student in notebooks:
        theirs.autograde(ASSIGNMENT, student)
    grade_folder(ours.root, ours.root / "graded", stream=io.StringIO())
    for student in notebooks:
        expected = theirs.scores(ASSIGNMENT, student)
        assert ours.scores(ASSIGNMENT, student) == expected, student
        assert len(expected) == 6
    assert theirs.scores(ASSIGNMENT, "bo")["test_partial"] == (0.5, 1.0)    # nbgrader's partial credit, both
    from nbgrader.api import Gradebook

    for course in (theirs, ours):      # the written answer waits for a TA in both
        with Gradebook(course.db_url) as gb:
            assert gb.find_grade(WRITTEN[0], "warmup", ASSIGNMENT, "ada").needs_manual_grade
            assert not gb.find_grade(WRITTEN[0], "warmup", ASSIGNMENT, "blank").needs_manual_grade


@pytest.mark.slow
def test_an_extension_granted_after_grading_lowers_the_penalty_on_the_next_run(tmp_path, source):
    """A TA grants an extension in nbgrader's gradebook once the late submission is graded: the next
    `workbook grade` (no --regrade: the notebook is unchanged) takes the lateness from the gradebook again."""
    from nbgrader.api import Gradebook

    course, release = course_due_at(tmp_path / "course", source, DUE)
    submit(course, "cy", students(release)["cy"], DUE + datetime.timedelta(hours=30))
    (before,) = grade_folder(course.root, course.root / "graded", stream=io.StringIO()).results
    assert before.seconds_late == pytest.approx(30 * 3600) and before.late_penalty == 4.0
    with Gradebook(course.db_url) as gb:
        gb.grant_extension(ASSIGNMENT, "cy", days=1)
    (after,) = grade_folder(course.root, course.root / "graded", stream=io.StringIO()).results
    assert after.seconds_late == pytest.approx(6 * 3600) and after.late_penalty == 2.0
    (row,) = read_csv(course.root / "graded" / "grades.csv")
    assert (row["student"], row["late_penalty"]) == ("cy", "2")
    with Gradebook(course.db_url) as gb:
        assert gb.find_submission(ASSIGNMENT, "cy").late_submission_penalty == 2.0
