"""Gradescope: results.json for one student's submission, and ``workbook gradescope``.

    write_gradescope(results, "results.json")      # the SubmissionResults of one submission

Inside a Gradescope autograder container, ``run_autograder`` needs one line:

    workbook gradescope /autograder/submission /autograder/results/results.json --assignment 02_minibatch

It runs the stages of ``workbook grade`` (autograder/grading/): discovers
the notebook(s) in the upload, plans and grades them with the same
sandboxed judge, and writes results.json instead of the output folder.

The file follows Gradescope's autograder specification: a total ``score``, an
``output`` for the whole submission, and ``tests``, one per graded test of
the notebook, each with ``name`` (grade_id and the functions it covers),
``score``, ``max_score``, ``status``, ``output`` (the judge's message, then
what the student's code printed) and ``visibility`` "visible". Gradescope
knows only the statuses "passed" and "failed": the judge's finer ones
(error, timeout, missing) show in the message. Every output is plain text
("output_format": "text"), so nothing a submission prints is shown as HTML.
"""
import argparse
import json
import sys
import time
from pathlib import Path

from autograder.assignments import load_assignments
from autograder.grading.discover import discover_upload, find_notebooks
from autograder.grading.grade import Settings, grade
from autograder.grading.plan import plan
from autograder.grading.record import GRADESCOPE_VISIBILITY, failed_submission
from autograder.grading.store import write_text_atomic
from autograder.judge import TEST_SECONDS
from autograder.sandbox import Limits

HELP = "inside a Gradescope autograder: grade the submitted notebook(s) into Gradescope's results.json"
STUDENT = "gradescope"          # the records' student field; Gradescope knows who submitted
SETUP_PROBLEM = "The autograder could not run ({}). Please tell your instructor; this is not your fault."
STDOUT_VISIBILITY = "hidden"    # run_autograder's stdout is the instructor's log


def nothing_to_grade(submission_dir, assignment):
    """What a student reads when the upload holds no notebook to grade (of ``assignment``, when given)."""
    notebook = f"{assignment.notebook}" if assignment is not None else "your NN_name.ipynb"
    if not find_notebooks(submission_dir):
        return f"No notebook was graded: the submission holds no notebook: upload {notebook}."
    which = f"of {assignment.name}" if assignment is not None else "of this course"
    return f"No notebook was graded: the submission holds no notebook {which}: upload {notebook}."


def gradescope_results(results, *, output="", execution_time=None):
    """The results.json content for the SubmissionResults of one submission -> dict.

    Each record becomes a test (Record.gradescope_test), followed by what the
    submission printed during it. When the results span several assignments,
    each test name starts with its assignment. ``execution_time`` (seconds)
    is given when known. What run_autograder prints goes to Gradescope's
    stdout box, which only instructors see ("stdout_visibility": "hidden"):
    the students' feedback is ``output`` and the tests.
    """
    several = len({r.assignment for r in results}) > 1
    tests = [t for result in results for t in result.gradescope_tests(with_assignment=several)]
    data = {
        "score": float(sum(t["score"] for t in tests)),
        "output": output,
        "output_format": "text",
        "visibility": GRADESCOPE_VISIBILITY,
        "stdout_visibility": STDOUT_VISIBILITY,
        "tests": tests,
    }
    if execution_time is not None:
        data["execution_time"] = round(float(execution_time), 3)
    return data


def write_gradescope(results, path, *, output="", execution_time=None):
    """Write results.json for one submission's SubmissionResults to ``path``; -> the dict written."""
    data = gradescope_results(results, output=output, execution_time=execution_time)
    write_text_atomic(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    return data


# ---------------------------------------------------------------- the subcommand

def add_arguments(parser):
    parser.add_argument("submission_dir", metavar="SUBMISSION_DIR",
                        help="the folder holding the student's files (Gradescope: /autograder/submission)")
    parser.add_argument("results", metavar="RESULTS_JSON",
                        help="the file to write (Gradescope: /autograder/results/results.json)")
    parser.add_argument("--assignment", metavar="NAME",
                        help="the assignment to grade (default: recognised from each notebook)")
    parser.add_argument("--solutions", metavar="DIR", default=None,
                        help="folder of the nbgrader source notebooks (default: the project's solutions/)")
    parser.add_argument("--timeout", metavar="SECONDS", type=float, default=Limits.wall_seconds,
                        help=f"wall-clock limit of one call to a student function (default: {Limits.wall_seconds:g})")
    parser.add_argument("--test-timeout", metavar="SECONDS", type=float, default=TEST_SECONDS,
                        help=f"time budget of one graded test (default: {TEST_SECONDS:g})")


def run(args):
    """Grade, write results.json -> 0; 2 if the autograder itself is set up wrongly (results.json still says so)."""
    start = time.perf_counter()
    problem = None
    try:
        assignments = load_assignments(args.solutions)
    except (FileNotFoundError, ValueError) as exc:
        assignments, problem = {}, str(exc)
    if problem is None and args.assignment is not None and args.assignment not in assignments:
        problem = f"unknown assignment {args.assignment!r}; known: {', '.join(sorted(assignments))}"
    if problem is None and not Path(args.submission_dir).is_dir():
        problem = f"the submission folder {args.submission_dir} does not exist"
    if problem is not None:
        write_gradescope([], args.results, output=SETUP_PROBLEM.format(problem),
                         execution_time=time.perf_counter() - start)
        print(f"workbook gradescope: {problem}", file=sys.stderr)
        return 2

    found = discover_upload(args.submission_dir, assignments, args.assignment, student=STUDENT)
    notes, results, lines = list(found.warnings), [], []
    if not found.submissions:
        lines.append(nothing_to_grade(args.submission_dir, assignments.get(args.assignment)))
        if args.assignment:
            results.append(failed_submission(STUDENT, assignments[args.assignment],
                                             "no notebook of this assignment was submitted", status="missing"))
    settings = Settings(Limits(wall_seconds=args.timeout), args.test_timeout)
    for task, result in grade(plan(found, assignments).tasks, settings):
        results.append(result)
        path = task.submission.notebook
        lines.append(f"{result.assignment} ({path.name}): {result.score:g} / {task.assignment.max_score:g} points")
        notes += [f"{path.name}: {note}" for note in result.notes]
    if notes:
        lines += ["", "Notes:"] + [f"- {note}" for note in notes]
    write_gradescope(results, args.results, output="\n".join(lines), execution_time=time.perf_counter() - start)
    print("\n".join(lines))
    return 0


def main(argv=None):
    """``python -m autograder.exports.gradescope ...``: the same as ``workbook gradescope ...``."""
    parser = argparse.ArgumentParser(prog="workbook gradescope", description=HELP)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
