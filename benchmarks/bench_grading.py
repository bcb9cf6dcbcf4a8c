"""Grading a simulated class: `workbook grade` (--jobs 1 and 2) against `nbgrader autograde`.

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

Run: .venv/bin/python benchmarks/bench_grading.py [--students 50] [--assignments 02] [--seed 0]
"""
import argparse
import json
import random
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

DEFAULT_ASSIGNMENTS = "02_minibatch"
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


def write_class(course, assignments, planned):
    """Generate each assignment in ``course`` and write every planned notebook into submitted/."""
    bases = {}
    for a in assignments:
        course.add_source(PROJECT_ROOT / "solutions" / a.notebook)
        course.generate(a.name)
        bases[a.name] = base_notebook(a)
    by_name = {a.name: a for a in assignments}
    for student, name, kind, items in planned:
        notebook = by_name[name].notebook
        path = course.root / "submitted" / student / name / notebook
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "untouched":
            nb = nbformat.read(RELEASE_DIR / notebook, as_version=4)
        else:
            nb = build_notebook(bases[name], items)
        nbformat.write(nb, str(path))


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


def time_nbgrader(course, planned):
    """nbgrader autograde of every submission, one after the other; -> (seconds, scores, seconds per submission)."""
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
        for test, pair in course.scores(name, student).items():
            scores[(student, name, test)] = (float(pair[0]), float(pair[1]))
    return seconds, scores, each


def workbook_seconds(out_dir):
    """{(student, assignment): seconds} that workbook grade recorded for grading each submission (no start-up)."""
    found = {}
    for path in (Path(out_dir) / "results").glob("*/*.json"):
        data = json.loads(path.read_text())
        found[(data["student"], data["assignment"])] = float(data.get("seconds", 0.0))
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


# ---------------------------------------------------------------- the run

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50, help="students in the class (default: 50)")
    parser.add_argument("--assignments", default=DEFAULT_ASSIGNMENTS,
                        help=f"comma-separated names or numbers, or 'all' (default: {DEFAULT_ASSIGNMENTS})")
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
        times, workbook = {}, None
        for jobs in (1, 2):
            print(f"  workbook grade --jobs {jobs} ...", flush=True)
            times[jobs], scores = time_workbook(course.root, base / f"graded-jobs{jobs}", jobs)
            if workbook is not None and scores != workbook:
                print("FAILED: workbook grade gave different scores with --jobs 1 and --jobs 2.")
                return 1
            workbook = scores
        print("  nbgrader autograde ...", flush=True)
        nbgrader_seconds, nbgrader, nbgrader_each = time_nbgrader(course, planned)
        workbook_each = workbook_seconds(base / "graded-jobs1")
        explained, unexplained = compare(course.root, assignments, workbook, nbgrader)

    print()
    print(f"{n} submissions, {len(workbook)} graded tests; seconds per submission:")
    print(f"  nbgrader autograde      : {nbgrader_seconds / n:7.3f} s   (total {nbgrader_seconds:7.1f} s)")
    for jobs in (1, 2):
        print(f"  workbook grade --jobs {jobs} : {times[jobs] / n:7.3f} s   (total {times[jobs]:7.1f} s)   "
              f"{nbgrader_seconds / times[jobs]:5.1f}x faster than nbgrader")
    if len(assignments) > 1:
        print("per assignment, mean seconds per submission (nbgrader: one autograde call; workbook grade: "
              "grading one notebook in a warm pool, --jobs 1, start-up not included):")
        for a in assignments:
            keys = [(s, name) for s, name, _, _ in planned if name == a.name]
            theirs = sum(nbgrader_each[k] for k in keys) / len(keys)
            ours = sum(workbook_each.get(k, 0.0) for k in keys) / len(keys)
            print(f"  {a.name:24s} nbgrader {theirs:6.2f} s   workbook grade {ours:6.3f} s   "
                  f"ratio {theirs / max(ours, 1e-9):6.1f}")
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
