"""``workbook grade SUBMISSIONS``: grade a whole class, resumably, in parallel.

    workbook grade course/submitted --out graded --jobs 4
    workbook grade flat_folder/ --assignment 01_backprop --out graded

The run: discover the submissions (autograder.discover) -> skip those whose
result file already holds the same notebook and tests (autograder.results;
--regrade grades everything again) -> grade the rest, each by
autograder.judge.grade_submission, across --jobs processes -> as each one
finishes, write its result file and feedback page -> at the end, write
grades.json and grades.csv from every result file in the output folder.

Parallelism: each grading process owns one WorkerPool (a warm sandbox
zygote), created by the process initializer; processes are forked where
the platform allows. The parent alone writes files, so results are never
written twice. An interrupted run (Ctrl-C, a kill) loses only the
submissions being graded at that moment.
"""
import argparse
import multiprocessing
import multiprocessing.util
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

from autograder.assignments import load_assignments
from autograder.discover import DiscoveryError, discover
from autograder.feedback import write_feedback
from autograder.grading.record import failed_submission
from autograder.judge import TEST_SECONDS, grade_submission
from autograder.progress import Progress
from autograder.results import collect, feedback_path, file_hash, is_done, save_result, write_grades
from autograder.sandbox import Limits, WorkerPool

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
    """Grade every submission under ``submissions`` into ``out_dir``; -> GradeRun."""
    start = time.monotonic()
    stream = stream if stream is not None else sys.stderr
    assignments = load_assignments(solutions_dir)
    found = discover(submissions, assignments, only=assignment)
    summary = GradeRun(total=len(found.submissions), warnings=list(found.warnings))
    for warning in found.warnings:
        stream.write(f"warning: {warning}\n")
    todo = []
    for sub in found.submissions:
        digest = file_hash(sub.notebook)
        target = assignments.get(sub.assignment)
        if not regrade and is_done(out_dir, sub.student, sub.assignment, digest, target):
            summary.skipped += 1
        else:
            todo.append((sub, target, digest))
    progress = Progress(summary.total, summary.skipped, stream=stream, tty=tty)

    def finish(sub, target, digest, result):
        save_result(out_dir, result, sub.notebook, digest, target)
        write_feedback(out_dir, result)
        summary.graded += 1
        progress.advance()

    try:
        problems = [t for t in todo if t[0].problem]
        for sub, target, digest in problems:
            finish(sub, target, digest, failed_submission(sub.student, sub.assignment, sub.problem))
        tasks = [(sub, target, digest, limits, test_seconds) for sub, target, digest in todo if not sub.problem]
        if jobs == 1 or len(tasks) <= 1:
            with WorkerPool(limits) as pool:
                for task in tasks:
                    finish(*task[:3], _grade(pool, task))
        else:
            context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() \
                else None
            executor = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context,
                                           initializer=_start_process, initargs=(limits,))
            try:
                futures = {executor.submit(_grade_in_process, task): task for task in tasks}
                for future in as_completed(futures):
                    finish(*futures[future][:3], future.result())
            except BaseException:
                executor.shutdown(wait=False, cancel_futures=True)
                raise
            executor.shutdown()
    finally:
        progress.close()
    stored = collect(out_dir)
    summary.results = stored.results
    for problem in stored.problems:
        stream.write(f"warning: {problem}\n")
    summary.warnings += stored.problems
    for result in summary.results:
        if not feedback_path(out_dir, result.student, result.assignment).exists():
            write_feedback(out_dir, result)
    write_grades(out_dir, summary.results)
    summary.seconds = time.monotonic() - start
    return summary


# ---------------------------------------------------------------- grading processes

_process_pool = None


def _start_process(limits):
    """Initializer of a grading process: its own warm sandbox pool, closed when the process ends."""
    global _process_pool
    _process_pool = WorkerPool(limits)
    multiprocessing.util.Finalize(None, _process_pool.close, exitpriority=10)


def _grade_in_process(task):
    return _grade(_process_pool, task)


def _grade(pool, task):
    sub, target, _, limits, test_seconds = task
    try:
        return grade_submission(pool, sub.notebook, target, sub.student, limits=limits, test_seconds=test_seconds)
    except (OSError, ValueError) as exc:   # the notebook vanished, or could not be read
        return failed_submission(sub.student, target, f"the notebook could not be graded: "
                                                      f"{type(exc).__name__}: {str(exc)[:300]}")


def main(argv=None):
    """``python -m autograder.grade ...``: the same as ``workbook grade ...``."""
    parser = argparse.ArgumentParser(prog="workbook grade", description=HELP)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
