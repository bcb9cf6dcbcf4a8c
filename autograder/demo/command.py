"""``workbook demo``: build a simulated class, grade it, print the gradebook.

    workbook demo                                  # 24 students x 7 assignments into demo-out/
    workbook demo --students 6 --assignments 01,02 --out /tmp/demo --jobs 2

The run: empty the output folder (only if an earlier demo made it) ->
autograder.demo.class_builder.build_class writes the class and its
manifest -> autograder.grade.grade_folder grades it, exactly as
``workbook grade`` would -> the gradebook table, a histogram of the totals,
a few of the diagnoses the students got, a comparison of every score with
the one the class was built to get, and where grades.json, grades.csv and
the feedback pages are.
"""
import json
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

from autograder.assignments import load_assignments
from autograder.demo.class_builder import KINDS, MANIFEST, SUBMITTED, build_class, select_assignments
from autograder.demo.gradebook import file_locations, gradebook_table, score_histogram
from autograder.grade import grade_folder
from autograder.grading.store import FEEDBACK_DIR, RESULTS_DIR
from autograder.sandbox import Limits

HELP = "build a simulated class from the solutions, grade it and print the gradebook"
DEFAULT_OUT = "demo-out"
DEFAULT_STUDENTS = 24
DEFAULT_JOBS = 2
EXAMPLES = {"mistake": 3, "untouched": 1, "broken": 4}   # diagnoses shown after the gradebook, per kind
MESSAGE_CHARS = 170   # of each shown diagnosis


def add_arguments(parser):
    parser.add_argument("--out", metavar="DIR", default=DEFAULT_OUT,
                        help=f"output folder: the class, grades and feedback (default: {DEFAULT_OUT})")
    parser.add_argument("--students", metavar="N", type=int, default=DEFAULT_STUDENTS,
                        help=f"students in the class (default: {DEFAULT_STUDENTS})")
    parser.add_argument("--jobs", metavar="N", type=int, default=DEFAULT_JOBS,
                        help=f"grading processes (default: {DEFAULT_JOBS})")
    parser.add_argument("--assignments", metavar="LIST", default=None,
                        help="comma-separated assignments, by number or name, e.g. 01,02 (default: all)")
    parser.add_argument("--seed", metavar="N", type=int, default=0, help="seed of the class's mix (default: 0)")
    parser.add_argument("--timeout", metavar="SECONDS", type=float, default=Limits.wall_seconds,
                        help=f"wall-clock limit of one call to a student function (default: {Limits.wall_seconds:g})")


def run(args):
    out = sys.stdout
    start = time.monotonic()
    try:
        if args.students < 1 or args.jobs < 1:
            raise ValueError("--students and --jobs must be at least 1")
        if args.timeout <= 0:
            raise ValueError("--timeout must be positive")
        names = select_assignments(load_assignments(), args.assignments)
        clear_demo_folder(args.out)
    except (ValueError, FileExistsError) as exc:
        print(f"workbook demo: {exc}", file=sys.stderr)
        return 2
    entries = build_class(args.out, students=args.students, seed=args.seed, assignments=names)
    kinds = Counter(kind for _, _, kind, _ in entries)
    print(f"Built a class of {args.students} student(s) x {len(names)} assignment(s) in "
          f"{Path(args.out) / SUBMITTED}: {len(entries)} notebooks ("
          + ", ".join(f"{kinds[k]} {k}" for k in KINDS if kinds[k]) + ").", file=out)
    print(f"Grading with {args.jobs} process(es), as `workbook grade {args.out} --out {args.out}` would...",
          file=out, flush=True)
    try:
        summary = grade_folder(args.out, args.out, jobs=args.jobs, regrade=True,
                               limits=Limits(wall_seconds=args.timeout))
    except KeyboardInterrupt:
        print("\nworkbook demo: interrupted", file=sys.stderr)
        return 130
    manifest = json.loads((Path(args.out) / MANIFEST).read_text(encoding="utf-8"))
    check, agreed = agreement(summary.results, manifest)
    sections = [
        gradebook_table(summary.results),
        score_histogram(summary.results),
        example_diagnoses(summary.results, manifest),
        check,
        file_locations(args.out),
        f"The demo took {time.monotonic() - start:.0f} s ({summary.seconds:.0f} s of grading, "
        f"{len(summary.results)} submissions, {args.jobs} process(es)).",
    ]
    print("\n" + "\n\n".join(sections), file=out)
    return 0 if agreed else 1


def clear_demo_folder(out_dir):
    """Remove what an earlier demo wrote in ``out_dir``; refuse a folder that is not a demo's."""
    out = Path(out_dir)
    if not out.exists():
        return
    if not out.is_dir() or (any(out.iterdir()) and not (out / MANIFEST).is_file()):
        raise FileExistsError(f"{out} exists and was not made by `workbook demo` (no {MANIFEST}); "
                              "choose another --out")
    for name in (SUBMITTED, RESULTS_DIR, FEEDBACK_DIR):
        shutil.rmtree(out / name, ignore_errors=True)
    for name in ("grades.json", "grades.csv", MANIFEST):
        (out / name).unlink(missing_ok=True)


def example_diagnoses(results, manifest):
    """What the grader told a few students: their first lost test, for a few mistakes and broken notebooks."""
    planned = {(m["student"], m["assignment"]): m for m in manifest}
    shown = dict.fromkeys(EXAMPLES, 0)
    said = set()     # (kind, assignment, test) already shown: one example of each
    lines = ["Some of the messages in the feedback pages:"]
    for kind in EXAMPLES:
        for result in results:
            entry = planned.get((result.student, result.assignment))
            record = next((r for r in result.records if not r.passed), None)
            if entry is None or entry["kind"] != kind or record is None or \
                    (kind, result.assignment, record.test) in said:
                continue
            if shown[kind] >= EXAMPLES[kind]:
                break
            shown[kind] += 1
            said.add((kind, result.assignment, record.test))
            message = " ".join(record.message.split())
            if len(message) > MESSAGE_CHARS:
                message = message[:MESSAGE_CHARS - 3] + "..."
            lines.append(f"  {result.student}, {result.assignment} ({entry['label']}):")
            lines.append(f"    {record.test} {record.status}: {message}")
    return "\n".join(lines) if len(lines) > 1 else "No test failed."


def agreement(results, manifest):
    """-> (text, ok): every score compared with the one the class was built to get."""
    scores = {(r.student, r.assignment): r.score for r in results}
    missing = float("nan")    # a submission without a result never agrees
    wrong = [m for m in manifest
             if not abs(scores.get((m["student"], m["assignment"]), missing) - m["expected_score"]) <= 1e-9]
    if not wrong:
        return (f"Check: all {len(manifest)} scores are the ones the simulated class was built to get "
                "(full marks for correct work and valid alternatives, 0 for untouched notebooks, exactly "
                "the points of the tests a mistake or a broken notebook costs otherwise)."), True
    lines = [f"Check FAILED: {len(wrong)} of {len(manifest)} scores differ from the planned ones:"]
    for m in wrong:
        got = scores.get((m["student"], m["assignment"]), float("nan"))
        lines.append(f"  {m['student']}, {m['assignment']} ({m['kind']}: {m['label']}): expected "
                     f"{m['expected_score']:g}, got {got:g}")
    return "\n".join(lines), False
