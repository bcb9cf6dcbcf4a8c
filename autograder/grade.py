"""``workbook grade SUBMISSIONS``: grade a whole class, resumably, in parallel.

    workbook grade COURSE_DIR [--assignment NAME] [--student NAME]   # an nbgrader course directory
    workbook grade course/submitted --out graded --jobs 4
    workbook grade flat_folder/ --assignment 01_backprop --out graded

An nbgrader course directory (nbgrader_config.py or source/, and
submitted/) is read as nbgrader reads it (autograder/course_dir.py): its
source/ notebooks are the assignments, whatever their names, and
timestamp.txt, due dates and extensions from gradebook.db give the late
penalties. Grading it also writes what ``nbgrader autograde`` writes:
autograded/<student>/<assignment>/ and the gradebook's submissions and auto
scores (autograder/exports/nbgrader_gradebook.py), so the formgrader shows
every submission; the output folder defaults to COURSE_DIR/graded. A flat
folder of notebooks, or a submitted/ folder alone, is graded against the
project's solutions/ (or --solutions).

The run composes the stages of autograder/grading/: discover the
submissions -> plan: skip those whose result file already holds the same
notebook and tests (--regrade grades everything again) -> grade the rest,
each by autograder.judge.grade_submission, across --jobs processes -> as
each one finishes, write its result file and feedback page -> at the end,
the sheets (grades.json and grades.csv) from every result file in the
output folder.

The parent alone writes files, so results are never written twice. An
interrupted run (Ctrl-C, a kill) loses only the submissions being graded at
that moment.
"""
import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.assignments import load_assignments
from autograder.course_dir import CourseError, find_course
from autograder.grading.course_stage import write_course
from autograder.grading.discover import DiscoveryError, discover
from autograder.grading.feedback import write_feedback
from autograder.grading.grade import Settings, grade
from autograder.grading.plan import plan, remove_result, stale_results, store_again
from autograder.grading.sheets import write_sheets
from autograder.grading.store import collect, feedback_path, write_result
from autograder.judge import TEST_SECONDS
from autograder.progress import Progress
from autograder.sandbox import Limits

HELP = "grade submitted notebooks: grades.json, grades.csv and a feedback page per student"


@dataclass
class GradeRun:
    """What a run did."""

    total: int = 0               # submissions found
    graded: int = 0              # graded by this run
    skipped: int = 0             # already graded by an earlier run
    warnings: list = field(default_factory=list)
    results: list = field(default_factory=list)   # every stored SubmissionResult, after the run
    course_lines: list = field(default_factory=list)   # what was written into the course (gradebook, autograded/)
    seconds: float = 0.0


def add_arguments(parser):
    parser.add_argument("submissions", metavar="SUBMISSIONS",
                        help="nbgrader course or submitted/ folder, or a flat folder of notebooks")
    parser.add_argument("--assignment", metavar="NAME",
                        help="grade only this assignment (in a flat folder: every notebook is this one)")
    parser.add_argument("--student", metavar="NAME", help="grade (again) only this student's submissions")
    parser.add_argument("--out", metavar="DIR", default=None,
                        help="output folder (default: COURSE_DIR/graded for a course, else graded)")
    parser.add_argument("--jobs", metavar="N", type=int, default=1, help="grading processes (default: 1)")
    parser.add_argument("--regrade", action="store_true", help="grade again what is already graded")
    parser.add_argument("--solutions", metavar="DIR", default=None,
                        help="folder of the nbgrader source notebooks (default: a course's source/, "
                             "else the project's solutions/)")
    parser.add_argument("--show-output", action="store_true",
                        help="show on the feedback pages what graded functions printed during the hidden tests")
    parser.add_argument("--timeout", metavar="SECONDS", type=float, default=Limits.wall_seconds,
                        help=f"wall-clock limit of one call to a student function (default: {Limits.wall_seconds:g})")
    parser.add_argument("--test-timeout", metavar="SECONDS", type=float, default=TEST_SECONDS,
                        help=f"time budget of one graded test (default: {TEST_SECONDS:g})")


def run(args):
    if args.jobs < 1:
        print("workbook grade: --jobs must be at least 1", file=sys.stderr)
        return 2
    out = args.out
    if out is None:
        course = find_course(args.submissions)
        out = str(course.root / "graded") if course is not None else "graded"
    try:
        summary = grade_folder(args.submissions, out, assignment=args.assignment, jobs=args.jobs,
                               regrade=args.regrade, solutions_dir=args.solutions,
                               limits=Limits(wall_seconds=args.timeout), test_seconds=args.test_timeout,
                               student=args.student, show_output=args.show_output)
    except (DiscoveryError, FileNotFoundError, CourseError) as exc:
        print(f"workbook grade: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nworkbook grade: interrupted; finished submissions are saved, run again to resume",
              file=sys.stderr)
        return 130
    for line in summary.course_lines:
        print(line, file=sys.stderr)
    print(f"wrote {out}/grades.json, {out}/grades.csv, {out}/grades_by_test.csv and {len(summary.results)} "
          f"feedback page(s) in {out}/feedback", file=sys.stderr)
    return 0


def grade_folder(submissions, out_dir, *, assignment=None, jobs=1, regrade=False, solutions_dir=None,
                 limits=None, test_seconds=TEST_SECONDS, stream=None, tty=None, student=None,
                 show_output=False):
    """Grade every submission under ``submissions`` into ``out_dir``; -> GradeRun.

    The stages of autograder/grading/, in order: discover -> plan -> grade ->
    write results and feedback as each submission finishes -> (in a course:
    the gradebook and autograded/, with late penalties) -> sheets.
    ``student`` grades only that student's submissions, again.
    """
    start = time.monotonic()
    stream = stream if stream is not None else sys.stderr
    course = find_course(submissions)
    if solutions_dir is None and course is not None and course.has_source:
        assignments = course.assignments()
    else:
        assignments = load_assignments(solutions_dir)
    found = discover(course.submitted if course is not None else submissions, assignments, only=assignment)
    if student is not None:
        found.submissions = [s for s in found.submissions if s.student == student]
        if not found.submissions:
            raise DiscoveryError(f"no submission of student {student!r} in {submissions}")
        regrade = True
    for warning in found.warnings:
        stream.write(f"warning: {warning}\n")
    todo = plan(found, assignments, out_dir, regrade=regrade)
    summary = GradeRun(total=todo.total, skipped=len(todo.skipped), warnings=list(found.warnings))
    progress = Progress(summary.total, summary.skipped, stream=stream, tty=tty)
    graded = set()
    # in a course, the course stage changes every graded result (its timestamp, its late penalty), so
    # its page is written once, after that stage, not once now and again then
    in_course = course is not None and Path(submissions).resolve() == course.root
    try:
        for task, result in grade(todo.tasks, Settings(limits, test_seconds, jobs)):
            write_result(out_dir, task, result)
            if not in_course:
                write_feedback(out_dir, result, show_output=show_output)
            graded.add((result.student, result.assignment))
            summary.graded += 1
            progress.advance()
    finally:
        progress.close()
    if student is None:   # a submission no longer there: its result file and page go, so do its rows
        for gone in stale_results(out_dir, found, assignment):
            remove_result(out_dir, gone)
    stored = collect(out_dir)
    for problem in stored.problems:
        stream.write(f"warning: {problem}\n")
    summary.warnings += stored.problems
    summary.results = stored.results
    if in_course:
        def from_gradebook(r):
            return r.seconds_late, r.late_penalty, r.manual_points, r.timestamp

        before = {id(r): from_gradebook(r) for r in summary.results}
        summary.course_lines = write_course(course, assignments, summary.results, only=graded)
        for result in summary.results:
            if before[id(result)] != from_gradebook(result):
                store_again(out_dir, result)
                graded.add((result.student, result.assignment))
    for result in summary.results:       # pages of what a course run graded, and of any result whose page was lost
        if (result.student, result.assignment) in graded and summary.course_lines or \
                not feedback_path(out_dir, result.student, result.assignment).exists():
            write_feedback(out_dir, result, show_output=show_output)
    write_sheets(out_dir, summary.results)
    summary.seconds = time.monotonic() - start
    return summary


def main(argv=None):
    """``python -m autograder.grade ...``: the same as ``workbook grade ...``."""
    parser = argparse.ArgumentParser(prog="workbook grade", description=HELP)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
