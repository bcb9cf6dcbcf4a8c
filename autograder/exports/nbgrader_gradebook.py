"""Scores into an nbgrader gradebook, for nbgrader's formgrader and ``nbgrader export``.

    summary = export_to_gradebook(records, "sqlite:///course/gradebook.db", load_assignments())   # [Record]
    workbook export-nbgrader graded --db sqlite:///course/gradebook.db    # reads graded/grades.json

What is written, through nbgrader's own API (nbgrader.api.Gradebook), for
every assignment and student that has records:
  - the assignment, its notebook (named after the notebook file's stem, as
    nbgrader names it) and, in that notebook, one grade cell per graded test
    (name = grade_id, max_score = its points in the solution notebook,
    cell type "code") and one solution cell per answer cell;
  - the student, if the gradebook does not know them yet (no name or email);
  - the submission, and for each record the grade of its cell: ``auto_score``
    is the record's score. A grade a TA changed by hand keeps its
    ``manual_score`` (which nbgrader shows instead) and stays marked as
    needing a look, as ``nbgrader autograde`` does.

When the gradebook already has the assignment (from ``nbgrader
generate_assignment``, or an earlier export) nothing is duplicated: the
assignment, notebook, cells, students and submissions are found by name and
reused, and a second export only overwrites ``auto_score`` (and
``needs_manual_grade``). A grade cell's max_score is set to the solution's
points when they differ (a note says so). Cells the gradebook has and the
solution lacks, such as manually graded answers, are left alone. What the
solution has and the gradebook lacks (a grade cell, or the whole notebook)
is added only while nobody has submitted, as nbgrader itself allows;
otherwise ``GradebookMismatch`` is raised before anything is written.

Limits: an assignment first created by this export has no source cells, so
run ``nbgrader generate_assignment`` before exporting if that gradebook will
also be used by nbgrader's own autograde. The formgrader lists and scores
come from the database; its per-submission notebook view needs nbgrader's
``autograded/`` folder, which this export does not create.
"""
import argparse
import json
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from nbgrader.api import BaseCell, Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning

from autograder.assignments import load_assignments
from autograder.grading.record import Record, ResultFileError
from autograder.nbgrader_course import put_alembic_on_path

HELP = "write grades.json of a graded folder into an nbgrader gradebook (formgrader, nbgrader export)"


class GradebookMismatch(ValueError):
    """The gradebook's copy of a notebook lacks grade cells the solution has, and holds submissions."""


@dataclass
class GradebookExport:
    """What an export did."""

    students_added: list = field(default_factory=list)
    submissions_added: int = 0
    submissions_updated: int = 0
    grades_written: int = 0
    notes: list = field(default_factory=list)     # records left out, max_score changes


def export_to_gradebook(records, db_url, assignments, *, course_id=""):
    """Write ``records`` (Records, autograder.grading.record) into the gradebook at ``db_url``; -> GradebookExport.

    ``assignments`` is {name: Assignment} (autograder.assignments.load_assignments).
    ``course_id`` is nbgrader's CourseDirectory.course_id ("" unless the course sets one).
    Records of unknown assignments or tests, and records of submissions that
    could not be graded at all (no test), are left out with a note.
    """
    put_alembic_on_path()
    summary = GradebookExport()
    grouped = _group(records, assignments, summary.notes)
    names = sorted({name for name, _ in grouped})
    with Gradebook(db_url, course_id) as gradebook:
        for name in names:
            _check_cells(gradebook, assignments[name])
        for name in names:
            _write_cells(gradebook, assignments[name], summary)
        for (name, student), by_test in sorted(grouped.items()):
            _write_submission(gradebook, assignments[name], student, by_test, summary)
    return summary


def notebook_name(assignment):
    """The notebook's name in nbgrader: its file name without .ipynb."""
    return Path(assignment.notebook).stem


def _group(records, assignments, notes):
    """{(assignment, student): {grade_id: record}}, leaving out what cannot go into a gradebook."""
    grouped = {}
    for r in records:
        assignment = assignments.get(r.assignment)
        if assignment is None:
            notes.append(f"{r.student}: left out {r.assignment!r}, which is not an assignment "
                         f"({r.message[:120] if r.message else 'no solution notebook'})")
            continue
        if r.test not in {t.grade_id for t in assignment.tests}:
            notes.append(f"{r.student}, {r.assignment}: left out test {r.test!r}, not a graded "
                         "cell of the solution notebook")
            continue
        points = assignment.test(r.test).points
        if r.max_score != points:
            notes.append(f"{r.student}, {r.assignment}, {r.test}: graded out of {r.max_score:g}, "
                         f"the solution gives {points:g} points; grade again to update")
        grouped.setdefault((r.assignment, r.student), {})[r.test] = r
    return grouped


def _check_cells(gradebook, assignment):
    """Raise GradebookMismatch if the assignment has submissions and lacks the notebook or a grade cell."""
    try:
        existing = gradebook.find_assignment(assignment.name)
    except MissingEntry:
        return
    fix = ("Export to a new gradebook, or remove the assignment (`nbgrader db assignment remove "
           f"{assignment.name}`, which deletes its grades) and generate it again from {assignment.notebook}")
    try:
        notebook = gradebook.find_notebook(notebook_name(assignment), assignment.name)
    except MissingEntry:
        if existing.submissions:
            others = ", ".join(n.name for n in existing.notebooks) or "none"
            raise GradebookMismatch(f"the gradebook's assignment {assignment.name} has submissions but no "
                                    f"notebook {notebook_name(assignment)} (it has: {others}). {fix}") from None
        return
    have = {c.name for c in notebook.grade_cells}
    missing = [t.grade_id for t in assignment.tests if t.grade_id not in have]
    if missing and notebook.submissions:
        raise GradebookMismatch(f"the gradebook's notebook {assignment.name}/{notebook.name} has submissions but "
                                f"no grade cells {', '.join(missing)}: it was made from another version of "
                                f"{assignment.notebook}. {fix}")


def _write_cells(gradebook, assignment, summary):
    name, nb_name = assignment.name, notebook_name(assignment)
    gradebook.update_or_create_assignment(name)
    try:
        notebook = gradebook.find_notebook(nb_name, name)
    except MissingEntry:
        notebook = gradebook.add_notebook(nb_name, name)
    existing = {c.name: c for c in notebook.grade_cells}
    for test in assignment.tests:
        cell = existing.get(test.grade_id)
        if cell is None:
            gradebook.add_grade_cell(test.grade_id, nb_name, name, max_score=test.points, cell_type="code")
        elif cell.max_score != test.points:
            summary.notes.append(f"{name}/{test.grade_id}: max_score changed from {cell.max_score:g} to "
                                 f"{test.points:g}, the points of the solution notebook")
            gradebook.update_or_create_grade_cell(test.grade_id, nb_name, name, max_score=test.points)
    if not notebook.submissions:    # nbgrader adds cells only to notebooks nobody submitted yet
        for answer in assignment.written:     # a manually graded answer is a grade cell and a solution cell
            if answer.grade_id not in existing:
                gradebook.add_grade_cell(answer.grade_id, nb_name, name, max_score=answer.points,
                                         cell_type=answer.cell_type)
        have = {c.name for c in notebook.solution_cells}
        for grade_id in list(assignment.solution_cells) + [w.grade_id for w in assignment.written]:
            if grade_id not in have:
                gradebook.add_solution_cell(grade_id, nb_name, name)
                have.add(grade_id)


def _write_submission(gradebook, assignment, student, by_test, summary, *, commit=True):
    """Scores of one submission into the gradebook (committed unless ``commit`` is False).

    -> (its SubmittedNotebook, {cell name: Grade} of that notebook)
    """
    try:
        gradebook.find_student(student)
    except MissingEntry:
        gradebook.add_student(student)
        summary.students_added.append(student)
    try:
        gradebook.find_submission(assignment.name, student)
        summary.submissions_updated += 1
    except MissingEntry:
        with warnings.catch_warnings():
            # nbgrader builds the submission's objects before adding them to its session; SQLAlchemy's
            # autoflush then warns about each one, although the submission is stored whole
            warnings.simplefilter("ignore", SAWarning)
            gradebook.add_submission(assignment.name, student)   # an empty grade per grade cell
        summary.submissions_added += 1
    notebook = gradebook.find_submission_notebook(notebook_name(assignment), assignment.name, student)
    grades = grades_by_name(gradebook, notebook)
    for grade_id, r in by_test.items():
        grade = grades[grade_id]
        grade.auto_score = r.score
        grade.needs_manual_grade = grade.manual_score is not None
        summary.grades_written += 1
    if commit:
        gradebook.db.commit()
    return notebook, grades


def grades_by_name(gradebook, notebook):
    """{cell name: Grade} of a SubmittedNotebook, in two queries (``Grade.name`` loads each cell on its own)."""
    names = dict(gradebook.db.query(BaseCell.id, BaseCell.name).filter(BaseCell.notebook_id == notebook.notebook_id))
    return {names[g.cell_id]: g for g in notebook.grades if g.cell_id in names}


def read_grades(path):
    """The Records of a grades.json; ValueError (ResultFileError) naming the file, the record and the fix."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise
    except ValueError as exc:
        raise ResultFileError(f"{path} is not valid JSON ({exc}); run `workbook grade` again to rewrite it") from None
    if not isinstance(data, list):
        raise ResultFileError(f"{path} is not a list of records; run `workbook grade` again to rewrite it")
    try:
        return [Record.from_json(r, f"record {i + 1}") for i, r in enumerate(data)]
    except ResultFileError as exc:
        raise ResultFileError(f"{path}: {exc}; run `workbook grade` again to rewrite it") from None


# ---------------------------------------------------------------- the subcommand

def add_arguments(parser):
    parser.add_argument("out_dir", metavar="OUT_DIR", help="the output folder of `workbook grade` (holds grades.json)")
    parser.add_argument("--db", metavar="URL", required=True,
                        help="the gradebook: sqlite:///path/to/gradebook.db, or a path to a .db file")
    parser.add_argument("--solutions", metavar="DIR", default=None,
                        help="folder of the nbgrader source notebooks (default: the project's solutions/)")
    parser.add_argument("--course-id", metavar="ID", default="",
                        help="nbgrader's CourseDirectory.course_id, if the course sets one (default: none)")


def run(args):
    grades = Path(args.out_dir) / "grades.json"
    try:
        records = read_grades(grades)
    except FileNotFoundError:
        print(f"workbook export-nbgrader: {grades} does not exist; run `workbook grade ... --out {args.out_dir}` "
              "first", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"workbook export-nbgrader: {exc}", file=sys.stderr)
        return 2
    db_url = args.db if "://" in args.db else f"sqlite:///{Path(args.db).resolve()}"
    if db_url.startswith("sqlite:///") and not Path(db_url[len("sqlite:///"):]).parent.is_dir():
        print(f"workbook export-nbgrader: the folder of {db_url} does not exist", file=sys.stderr)
        return 2
    try:
        summary = export_to_gradebook(records, db_url, load_assignments(args.solutions), course_id=args.course_id)
    except (GradebookMismatch, FileNotFoundError) as exc:
        print(f"workbook export-nbgrader: {exc}", file=sys.stderr)
        return 2
    for note in summary.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"wrote {summary.grades_written} grade(s) into {db_url}: {summary.submissions_added} new and "
          f"{summary.submissions_updated} updated submission(s), {len(summary.students_added)} new student(s)",
          file=sys.stderr)
    return 0


def main(argv=None):
    """``python -m autograder.exports.nbgrader_gradebook ...``: the same as ``workbook export-nbgrader ...``."""
    parser = argparse.ArgumentParser(prog="workbook export-nbgrader", description=HELP)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())


# ---------------------------------------------------------------- graded submissions of a course

class CourseGrades(NamedTuple):
    """What the gradebook adds to a graded submission of a course."""

    seconds_late: float     # past the due date and the student's extension
    late_penalty: float     # from the course's plugin, between 0 and the notebook's score
    manual_points: float    # nbgrader's score of the notebook (the TA's manual grades in) minus the autograded


class CourseGradebook:
    """A course's gradebook, open once for every graded submission a run writes.

        with CourseGradebook(db_url, course_id, plugin) as book:
            grades = book.write(assignment, result, timestamp, written_scores)   # CourseGrades

    Opening nbgrader's Gradebook builds an engine and checks the tables, so a
    run of 2,100 submissions opens it once, and checks and writes each
    assignment's cells once, not once per submission. Each submission is
    committed on its own, as ``nbgrader autograde`` commits each.
    """

    def __init__(self, db_url, course_id, plugin):
        put_alembic_on_path()
        self.db_url, self.course_id, self.plugin = db_url, course_id, plugin
        self.gradebook = None
        self.ready = set()       # assignments whose cells are checked and written

    def __enter__(self):
        self.gradebook = Gradebook(self.db_url, self.course_id)
        return self

    def __exit__(self, *exc):
        self.gradebook.close()

    def write(self, assignment, result, timestamp, written_scores):
        """Write one graded submission as ``nbgrader autograde`` would; -> CourseGrades.

        ``result`` is a SubmissionResult, ``timestamp`` a naive UTC datetime or None,
        ``written_scores`` {grade_id of a written answer: 0.0 or None} (None: a TA grades it).
        """
        gradebook, summary = self.gradebook, GradebookExport()
        by_test = {r.test: r for r in result.records if r.test in {t.grade_id for t in assignment.tests}}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)    # see _write_submission
            if assignment.name not in self.ready:
                _check_cells(gradebook, assignment)
                _write_cells(gradebook, assignment, summary)
                self.ready.add(assignment.name)
            notebook, grades = _write_submission(gradebook, assignment, result.student, by_test, summary,
                                                 commit=False)
            submission = notebook.assignment
            submission.timestamp = timestamp
            for grade_id, score in written_scores.items():
                grade = grades.get(grade_id)
                if grade is not None:
                    grade.auto_score = score
                    grade.needs_manual_grade = grade.manual_score is not None or score is None
            gradebook.db.commit()    # the notebook's score is computed by the database, from the grades
            seconds_late = float(submission.total_seconds_late or 0.0)
            penalty = None
            if seconds_late > 0:
                penalty = self.plugin.late_submission_penalty(result.student, notebook.score, seconds_late)
                if penalty is not None:     # nbgrader's bounds: never below 0, never above the score
                    penalty = min(max(float(penalty), 0.0), float(notebook.score))
            if notebook.late_submission_penalty != penalty:
                notebook.late_submission_penalty = penalty
                gradebook.db.commit()
            manual = float(notebook.score) - sum(r.score for r in by_test.values())
        return CourseGrades(seconds_late, float(penalty or 0.0), round(manual, 9))
