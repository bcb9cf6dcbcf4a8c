"""Grading a simulated class: `workbook grade` (--jobs 1 and 2) against `nbgrader autograde`, and a class of 2,100.

The class: ``--students`` students, each handing in every assignment of
``--assignments``, built from the solutions with the demo's answer cells
(autograder.demo): correct work, valid alternatives, typical mistakes, and
one untouched release notebook. No hostile notebook is included: nbgrader
has no defence against them (a loop that never ends runs into the cell
timeout, 300 s in autograder.nbgrader_course; an exit ends the kernel the
whole notebook runs in), so they would time little but those limits. Two
valid alternatives are left out for the same reason: they are graded fine,
but they make the notebook's own experiments, which nbgrader runs and
workbook grade does not, take minutes (SLOW_IN_NOTEBOOK).

The timings, on the same submitted/ folder of one nbgrader course:
  workbook grade --jobs 1 and --jobs 2: the CLI in a subprocess, start-up included;
  nbgrader autograde: nbgrader's API (autograder.nbgrader_course), one student
    after the other as nbgrader does; generating the assignment is not timed.
Then the points are compared per student and test. nbgrader gives zero to a
graded cell that writes to stderr (a RuntimeWarning, say) where workbook grade
does not: such a difference is reported as explained only when the autograded
cell really holds stderr output and no error; any other difference fails.

Per notebook, seconds per submission: nbgrader's is one autograde call;
workbook grade's come from its result files (``seconds``: grading one
notebook in a warm pool, start-up not included), with --jobs 1 the mean, with
--jobs 2 the sum over the notebook's submissions divided by 2 (two processes
grade side by side, each slowed by the other). Next to them, the round trips
into the student's code per submission (``round_trips`` of the result files;
"n/a" for a grader that does not record them).

``--class-size N`` (default 300): N students handing in every assignment of
``--assignments`` (2,100 submissions for all seven), graded as one nbgrader
course by `workbook grade --jobs 2`, start-up, gradebook and autograded/
included, against the goal of 5 minutes; its peer is nbgrader autograde's
time for the same class, estimated from the seconds per submission measured
above for each notebook. ``--class-size 0`` skips it.

Run: .venv/bin/python benchmarks/bench_grading.py [--students 3] [--assignments all] [--class-size 300]
"""
import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder.assignments import PROJECT_ROOT, load_assignments
from autograder.demo.answer_cells import SLOW_IN_NOTEBOOK, catalogue
from autograder.demo.class_builder import RELEASE_DIR, base_notebook, build_notebook, select_assignments, student_names
from autograder.nbgrader_course import NbgraderCourse, stderr_output

DEFAULT_ASSIGNMENTS = "all"
CLASS_GOAL_SECONDS = 300.0    # a class of 300 students x 7 notebooks graded in under 5 minutes
GOAL_SUBMISSIONS = 2100
# Rough seconds of `nbgrader autograde` per submission on a 2-core machine, only for the estimate printed first.
NBGRADER_SECONDS = {"01_backprop": 5, "02_minibatch": 9, "03_cnn_backprop": 12, "04_vanishing_gradients": 10,
                    "05_optimizers": 25, "06_batchnorm": 20, "07_second_order": 15}
# Valid alternatives that make the notebook's experiments slow (nbgrader runs them): the Jacobian
# batch-norm backward in the timing experiment (past the 300 s cell timeout), the dense L-BFGS
# direction in the network experiment (about 2 minutes).
WEIGHTS = {"correct": 0.4, "alternative": 0.3, "mistake": 0.3}


# ---------------------------------------------------------------- the class

def plan(assignments, students, seed):
    """[(student, assignment name, kind, items)]: one untouched notebook, the rest drawn with WEIGHTS."""
    rng = random.Random(seed)
    slots = [(s, a.name) for s in student_names(students) for a in assignments]
    untouched = rng.choice(slots)
    chosen = []
    for student, name in slots:
        if (student, name) == untouched:
            chosen.append((student, name, "untouched", []))
            continue
        kind = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        entry = catalogue(name)
        if kind == "alternative":
            pool = [v for v in entry.alternatives if (name, v.grade_id) not in SLOW_IN_NOTEBOOK]
            items = distinct_cells(rng.sample(pool, len(pool)), rng.choice((1, 2, 3)))
        elif kind == "mistake":
            items = distinct_cells(rng.sample(entry.mistakes, len(entry.mistakes)), rng.choice((1, 2)))
        else:
            items = []
        chosen.append((student, name, kind, items))
    return chosen


def distinct_cells(items, wanted):
    """The first ``wanted`` items that change different answer cells."""
    picked, cells = [], set()
    for item in items:
        if item.grade_id not in cells and len(picked) < wanted:
            picked.append(item)
            cells.add(item.grade_id)
    return picked


def write_class(course, assignments, planned, generate=True):
    """Generate each assignment in ``course`` (unless ``generate`` is False: it already is) and write
    every planned notebook into submitted/.

    Submissions with the same changes are the same file, written once as text and copied after.
    """
    bases = {}
    for a in assignments:
        if generate:
            course.add_source(PROJECT_ROOT / "solutions" / a.notebook)
            course.generate(a.name)
        bases[a.name] = base_notebook(a)
    by_name = {a.name: a for a in assignments}
    texts = {}
    for student, name, kind, items in planned:
        notebook = by_name[name].notebook
        path = course.root / "submitted" / student / name / notebook
        path.parent.mkdir(parents=True, exist_ok=True)
        key = (name, kind, tuple(id(item) for item in items))
        if key not in texts:
            if kind == "untouched":
                texts[key] = (RELEASE_DIR / notebook).read_text(encoding="utf-8")
            else:
                texts[key] = nbformat.writes(build_notebook(bases[name], items))
        path.write_text(texts[key], encoding="utf-8")


def copy_course(course, root):
    """A second course at ``root`` with ``course``'s generated assignments and gradebook, nothing submitted."""
    shutil.copytree(course.root, root, ignore=shutil.ignore_patterns("submitted", "autograded", "feedback"))
    return NbgraderCourse(root)


# ---------------------------------------------------------------- the two graders

def time_workbook(course_root, out_dir, jobs):
    """Seconds of one `workbook grade` run; -> (seconds, {(student, assignment, test): (score, max)})."""
    command = [sys.executable, "-m", "autograder.cli", "grade", str(course_root), "--out", str(out_dir),
               "--jobs", str(jobs), "--regrade"]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"workbook grade failed ({done.returncode}):\n{done.stderr[-3000:]}")
    records = json.loads((Path(out_dir) / "grades.json").read_text())
    return seconds, {(r["student"], r["assignment"], r["test"]): (r["score"], r["max_score"]) for r in records}


def time_nbgrader(course, assignments, planned):
    """nbgrader autograde of every submission, one after the other; -> (seconds, scores, seconds per submission).

    The scores are those of the graded tests; written answers are left to a TA by both graders.
    """
    tests_of = {a.name: {t.grade_id for t in a.tests} for a in assignments}
    scores, each = {}, {}
    start = time.perf_counter()
    for k, (student, name, _, _) in enumerate(planned, 1):
        began = time.perf_counter()
        course.autograde(name, student)
        each[(student, name)] = time.perf_counter() - began
        if k % 10 == 0 or k == len(planned):
            elapsed = time.perf_counter() - start
            print(f"    nbgrader: {k}/{len(planned)} autograded, {elapsed:.0f} s, "
                  f"ETA {elapsed / k * (len(planned) - k):.0f} s", flush=True)
    seconds = time.perf_counter() - start
    for student, name, _, _ in planned:
        graded = tests_of[name]
        for test, pair in course.scores(name, student).items():
            if test in graded:   # written answers wait for a TA under both graders: not compared
                scores[(student, name, test)] = (float(pair[0]), float(pair[1]))
    return seconds, scores, each


def workbook_fields(out_dir):
    """{(student, assignment): (seconds, round trips or None)} from workbook grade's result files.

    ``seconds`` is what grading the submission took in a warm pool (no start-up);
    ``round_trips`` the requests into the student's code, when the grader records them.
    """
    found = {}
    for path in (Path(out_dir) / "results").glob("*/*.json"):
        data = json.loads(path.read_text())
        trips = data.get("round_trips")
        found[(data["student"], data["assignment"])] = (float(data.get("seconds", 0.0)),
                                                        trips if isinstance(trips, int) else None)
    return found


def zeroed_for_stderr(course_root, student, assignment, notebook, grade_id):
    """True when nbgrader's autograded cell ``grade_id`` wrote to stderr and raised nothing."""
    text, raised = stderr_output(NbgraderCourse(course_root).autograded_cell(assignment, student, notebook, grade_id))
    return bool(text) and not raised


def compare(course_root, assignments, workbook, nbgrader):
    """-> (explained, unexplained): lists of (key, nbgrader pair, workbook pair) that differ."""
    notebooks = {a.name: a.notebook for a in assignments}
    explained, unexplained = [], []
    for key in sorted(set(workbook) | set(nbgrader)):
        ours, theirs = workbook.get(key), nbgrader.get(key)
        if ours == theirs:
            continue
        student, name, test = key
        stderr = (ours is not None and theirs is not None and theirs[0] == 0 and ours[0] == ours[1]
                  and zeroed_for_stderr(course_root, student, name, notebooks[name], test))
        (explained if stderr else unexplained).append((key, theirs, ours))
    return explained, unexplained


# ---------------------------------------------------------------- the report

def per_notebook(assignments, planned, fields, jobs):
    """{assignment: (seconds per submission, round trips per submission or None)} from ``fields``.

    With ``jobs`` processes side by side, the seconds are their sum divided by ``jobs``.
    """
    table = {}
    for a in assignments:
        keys = [(s, name) for s, name, _, _ in planned if name == a.name]
        seconds = sum(fields.get(k, (0.0, None))[0] for k in keys) / jobs / len(keys)
        trips = [fields[k][1] for k in keys if k in fields]
        known = trips and all(t is not None for t in trips)
        table[a.name] = (seconds, sum(trips) / len(trips) if known else None)
    return table


def trips_text(trips):
    return "n/a" if trips is None else f"{trips:.0f}"


def ratio_text(theirs, ours):
    return f"{theirs / ours:6.1f}x" if ours > 0 else "    n/a"


def print_comparison(assignments, planned, times, nbgrader_seconds, nbgrader_each, fields):
    n = len(planned)
    print()
    print(f"{n} submissions; seconds per submission, and nbgrader's time as a multiple of each (ratio):")
    print(f"  {'notebook':24s} {'nbgrader':>9s} {'--jobs 1':>9s} {'ratio':>7s} {'--jobs 2':>9s} {'ratio':>7s}"
          f" {'round trips':>12s}")
    one = per_notebook(assignments, planned, fields[1], 1)
    two = per_notebook(assignments, planned, fields[2], 2)
    for a in assignments:
        keys = [(s, name) for s, name, _, _ in planned if name == a.name]
        theirs = sum(nbgrader_each[k] for k in keys) / len(keys)
        print(f"  {a.name:24s} {theirs:8.3f}s {one[a.name][0]:8.3f}s {ratio_text(theirs, one[a.name][0])}"
              f" {two[a.name][0]:8.3f}s {ratio_text(theirs, two[a.name][0])} {trips_text(one[a.name][1]):>12s}")
    theirs = nbgrader_seconds / n
    trips = [t for _, t in one.values()]
    mean_trips = None if any(t is None for t in trips) else sum(trips) / len(trips)
    print(f"  {'overall, start-up incl.':24s} {theirs:8.3f}s {times[1] / n:8.3f}s {ratio_text(theirs, times[1] / n)}"
          f" {times[2] / n:8.3f}s {ratio_text(theirs, times[2] / n)} {trips_text(mean_trips):>12s}")
    print("  (per notebook, workbook grade: grading in a warm pool from its result files, start-up not included;"
          " --jobs 2: the two processes' seconds / 2; overall: the CLI's wall clock / submissions)")


def nbgrader_per_notebook(nbgrader_each):
    """{assignment: nbgrader's mean seconds per submission}."""
    table = {}
    for (_, name), seconds in nbgrader_each.items():
        table.setdefault(name, []).append(seconds)
    return {name: sum(v) / len(v) for name, v in table.items()}


def grade_big_class(big, base, assignments, students, seed, nbgrader_mean):
    """Grade a class of ``students`` x assignments with --jobs 2 and print it against the goal and nbgrader."""
    planned = plan(assignments, students, seed + 1)
    n = len(planned)
    began = time.perf_counter()
    write_class(big, assignments, planned, generate=False)
    print(f"  class of {students} students x {len(assignments)} notebooks = {n} submissions written in "
          f"{time.perf_counter() - began:.0f} s; workbook grade --jobs 2 ...", flush=True)
    seconds, scores = time_workbook(big.root, base / "graded-class", 2)
    fields = workbook_fields(base / "graded-class")
    table = per_notebook(assignments, planned, fields, 2)
    estimate = sum(nbgrader_mean[name] for _, name, _, _ in planned)
    in_pool = sum(s for s, _ in fields.values()) / 2
    print()
    print(f"class of {n} submissions ({students} students x {len(assignments)} notebooks), graded as an nbgrader "
          f"course by workbook grade --jobs 2, start-up, gradebook and autograded/ included:")
    goal = CLASS_GOAL_SECONDS * n / GOAL_SUBMISSIONS    # the goal's rate, for a class of another size
    print(f"  workbook grade --jobs 2 : {seconds:7.1f} s ({seconds / 60:.1f} min, {seconds / n:.3f} s per "
          f"submission); goal {goal:.0f} s ({GOAL_SUBMISSIONS} in {CLASS_GOAL_SECONDS:.0f} s): "
          f"goal / this = {goal / seconds:.2f}")
    print(f"      of which grading in the pool (sum of result seconds / 2): {in_pool:7.1f} s; the rest "
          f"(start-up, result files, gradebook, autograded/, pages, sheets): {seconds - in_pool:7.1f} s")
    print(f"  nbgrader autograde (estimated: {n} x its seconds per submission measured above, per notebook): "
          f"{estimate:7.0f} s ({estimate / 3600:.1f} h); nbgrader / this = {estimate / seconds:.1f}x")
    print(f"  {'notebook':24s} {'s/submission':>13s} {'round trips':>12s}   (--jobs 2: the two processes' "
          "seconds / 2)")
    for a in assignments:
        print(f"  {a.name:24s} {table[a.name][0]:12.3f}s {trips_text(table[a.name][1]):>12s}")
    graded = {(s, name) for s, name, _ in scores}
    if len(graded) != n:
        print(f"FAILED: {n - len(graded)} submissions of the class have no grades.")
        return 1
    return 0


# ---------------------------------------------------------------- the run

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=3,
                        help="students in the class graded by both (default: 3)")
    parser.add_argument("--assignments", default=DEFAULT_ASSIGNMENTS,
                        help=f"comma-separated names or numbers, or 'all' (default: {DEFAULT_ASSIGNMENTS})")
    parser.add_argument("--class-size", type=int, default=300,
                        help="students of the large class graded by workbook grade alone; 0 skips it (default: 300)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the class (default: 0)")
    parser.add_argument("--keep", metavar="DIR",
                        help="build the course in DIR and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)
    every = load_assignments()
    wanted = None if args.assignments == "all" else args.assignments
    assignments = [every[n] for n in select_assignments(every, wanted)]
    planned = plan(assignments, args.students, args.seed)
    n = len(planned)
    estimate = sum(NBGRADER_SECONDS.get(name, 15) for _, name, _, _ in planned)
    kinds = {k: sum(1 for p in planned if p[2] == k) for k in ("correct", "alternative", "mistake", "untouched")}
    print(f"class: {args.students} students x {len(assignments)} assignment(s) "
          f"({', '.join(a.name for a in assignments)}) = {n} submissions: "
          + ", ".join(f"{v} {k}" for k, v in kinds.items()))
    print(f"nbgrader autograde is expected to take about {estimate / 60:.1f} min "
          f"(~{estimate / n:.0f} s per submission); workbook grade well under a minute.", flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-grading-") as scratch:
        base = Path(args.keep) if args.keep else Path(scratch)
        course = NbgraderCourse(base / "course")
        write_class(course, assignments, planned)
        big = copy_course(course, base / "class") if args.class_size > 0 else None
        times, fields, workbook = {}, {}, None
        for jobs in (1, 2):
            print(f"  workbook grade --jobs {jobs} ...", flush=True)
            times[jobs], scores = time_workbook(course.root, base / f"graded-jobs{jobs}", jobs)
            fields[jobs] = workbook_fields(base / f"graded-jobs{jobs}")
            if workbook is not None and scores != workbook:
                print("FAILED: workbook grade gave different scores with --jobs 1 and --jobs 2.")
                return 1
            workbook = scores
        print("  nbgrader autograde ...", flush=True)
        nbgrader_seconds, nbgrader, nbgrader_each = time_nbgrader(course, assignments, planned)
        explained, unexplained = compare(course.root, assignments, workbook, nbgrader)

        print_comparison(assignments, planned, times, nbgrader_seconds, nbgrader_each, fields)
        same = len(workbook) - len(explained) - len(unexplained)
        print(f"scores: {same} of {len(workbook)} tests identical; {len(explained)} differ because nbgrader "
              f"zeroed a cell that wrote to stderr (workbook grade gave full marks)")
        for key, theirs, ours in explained:
            print(f"    {'/'.join(key)}: nbgrader {theirs[0]:g}/{theirs[1]:g}, workbook grade {ours[0]:g}/{ours[1]:g}")
        if unexplained:
            print("FAILED: scores differ without a reason:")
            for key, theirs, ours in unexplained:
                print(f"    {'/'.join(key)}: nbgrader {theirs}, workbook grade {ours}")
            return 1
        if big is None:
            return 0
        print(flush=True)
        return grade_big_class(big, base, assignments, args.class_size, args.seed,
                               nbgrader_per_notebook(nbgrader_each))


if __name__ == "__main__":
    sys.exit(main())
