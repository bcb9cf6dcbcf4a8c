"""``workbook grade SUBMISSIONS``: grade a whole class, resumably, in parallel.

    workbook grade course/submitted --out graded --jobs 4
    workbook grade flat_folder/ --assignment 01_backprop --out graded

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

from autograder.assignments import load_assignments
from autograder.grading.discover import DiscoveryError, discover
from autograder.grading.feedback import write_feedback
from autograder.grading.grade import Settings, grade
from autograder.grading.plan import plan
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
    seconds: float = 0.0


def add_arguments(parser):
    parser.add_argument("submissions", metavar="SUBMISSIONS",
                        help="nbgrader course or submitted/ folder, or a flat folder of notebooks")
    parser.add_argument("--assignment", metavar="NAME",
                        help="grade only this assignment (in a flat folder: every notebook is this one)")
    parser.add_argument("--out", metavar="DIR", default="graded", help="output folder (default: graded)")
    parser.add_argument("--jobs", metavar="N", type=int, default=1, help="grading processes (default: 1)")
    parser.add_argument("--regrade", action="store_true", help="grade again what is already graded")
    parser.add_argument("--solutions", metavar="DIR", default=None,
                        help="folder of the nbgrader source notebooks (default: the project's solutions/)")
    parser.add_argument("--timeout", metavar="SECONDS", type=float, default=Limits.wall_seconds,
                        help=f"wall-clock limit of one call to a student function (default: {Limits.wall_seconds:g})")
    parser.add_argument("--test-timeout", metavar="SECONDS", type=float, default=TEST_SECONDS,
                        help=f"time budget of one graded test (default: {TEST_SECONDS:g})")


def run(args):
    if args.jobs < 1:
        print("workbook grade: --jobs must be at least 1", file=sys.stderr)
        return 2
    try:
        summary = grade_folder(args.submissions, args.out, assignment=args.assignment, jobs=args.jobs,
                               regrade=args.regrade, solutions_dir=args.solutions,
                               limits=Limits(wall_seconds=args.timeout), test_seconds=args.test_timeout)
    except (DiscoveryError, FileNotFoundError) as exc:
        print(f"workbook grade: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nworkbook grade: interrupted; finished submissions are saved, run again to resume",
              file=sys.stderr)
        return 130
    print(f"wrote {args.out}/grades.json, {args.out}/grades.csv and {len(summary.results)} feedback "
          f"page(s) in {args.out}/feedback", file=sys.stderr)
    return 0


def grade_folder(submissions, out_dir, *, assignment=None, jobs=1, regrade=False, solutions_dir=None,
                 limits=None, test_seconds=TEST_SECONDS, stream=None, tty=None):
    """Grade every submission under ``submissions`` into ``out_dir``; -> GradeRun.

    The stages of autograder/grading/, in order: discover -> plan -> grade ->
    write results and feedback as each submission finishes -> sheets.
    """
    start = time.monotonic()
    stream = stream if stream is not None else sys.stderr
    assignments = load_assignments(solutions_dir)
    found = discover(submissions, assignments, only=assignment)
    for warning in found.warnings:
        stream.write(f"warning: {warning}\n")
    todo = plan(found, assignments, out_dir, regrade=regrade)
    summary = GradeRun(total=todo.total, skipped=len(todo.skipped), warnings=list(found.warnings))
    progress = Progress(summary.total, summary.skipped, stream=stream, tty=tty)
    try:
        for task, result in grade(todo.tasks, Settings(limits, test_seconds, jobs)):
            write_result(out_dir, task, result)
            write_feedback(out_dir, result)
            summary.graded += 1
            progress.advance()
    finally:
        progress.close()
    stored = collect(out_dir)
    for problem in stored.problems:
        stream.write(f"warning: {problem}\n")
    summary.warnings += stored.problems
    summary.results = stored.results
    for result in summary.results:       # pages of results graded by an earlier run, if they were lost
        if not feedback_path(out_dir, result.student, result.assignment).exists():
            write_feedback(out_dir, result)
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
