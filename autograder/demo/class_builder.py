"""A simulated class, built from the embedded solutions, in nbgrader's layout.

    entries = build_class("demo-out", students=24, seed=0)
    # -> [(student, assignment, kind, label), ...]; and on disk:
    #    demo-out/submitted/<student>/<assignment>/<assignment>.ipynb
    #    demo-out/manifest.json

Every submission starts from the notebook a student who wrote exactly the
solutions would hand in (autograder.submissions.filled_notebook) and is one
of these kinds:

  correct      the solutions as they are
  alternative  one to three answer cells replaced by valid alternatives
               (autograder.demo.answer_cells): full marks all the same
  mistake      one or two answer cells replaced by typical mistakes, with
               disjoint lost tests: those points are lost, with a diagnosis
  broken       a hostile or broken notebook (variants/broken.py): the tests it
               names get a clear message, the others are graded as usual
  untouched    the released notebook, stubs and all: zero, "not implemented yet"

The mix is deterministic for a seed: at least one of each kind when there
are enough submissions, one or two untouched notebooks, about one broken
notebook in twelve (each hostile submission at most once: all of them in the
default class of 24 students and 7 assignments), and otherwise mostly
correct or near-correct work. manifest.json records, for each submission,
its kind, what was changed, the tests it must lose and the score it must get
(``expected_score``), so that the demo and the tests can hold the grader to it.
"""
import copy
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.assignments import SOLUTIONS_DIR, load_assignments
from autograder.course_files import course_folder
from autograder.demo.answer_cells import Mistake, Variant, catalogue
from autograder.demo.answer_cells.broken import ALL_TESTS, BROKEN, Broken
from autograder.submissions import filled_notebook, with_answer

RELEASE_DIR = course_folder("notebooks")
MANIFEST = "manifest.json"
SUBMITTED = "submitted"
KINDS = ("correct", "alternative", "mistake", "broken", "untouched")
# Weights of the kinds drawn for the submissions that no rule fixed: mostly right or nearly right.
WEIGHTS = {"correct": 0.45, "alternative": 0.25, "mistake": 0.30}
STUDENT_NAMES = (
    "ada", "ben", "chloe", "dmitri", "emma", "farid", "grace", "hiro", "ines", "jonas", "kemal", "lena",
    "mateo", "nadia", "omar", "priya", "quentin", "rosa", "sven", "tara", "umar", "vera", "wen", "xavier",
    "yusuf", "zoe", "amara", "bruno", "carmen", "dev", "elif", "felix", "gita", "hugo", "ivy", "jamal",
)


@dataclass
class Submission:
    """One planned submission of the simulated class."""

    student: str
    assignment: str
    kind: str
    items: list = field(default_factory=list)    # the Variants, Mistakes or the Broken applied

    @property
    def label(self):
        if self.kind == "correct":
            return "the solutions"
        if self.kind == "untouched":
            return "the released notebook, not started"
        return " + ".join(item.label for item in self.items)


def student_names(count):
    """``count`` distinct, deterministic student names."""
    names = list(STUDENT_NAMES[:count])
    names += [f"student{k:02d}" for k in range(len(names) + 1, count + 1)]
    return names


def plan_class(assignments, students, seed=0):
    """The submissions of ``students`` students for each of ``assignments`` (Assignment objects)."""
    rng = random.Random(seed)
    names = student_names(students)
    slots = [(s, a.name) for s in names for a in assignments]
    rng.shuffle(slots)                       # the order in which the kinds below take their slots
    kinds, broken_of = {}, {}
    for slot in slots[:0 if len(slots) < 4 else 1 if len(slots) < 40 else 2]:
        kinds[slot] = "untouched"            # one or two students never started
    # About one broken notebook in twelve submissions, each hostile submission at most once.
    pool = [b for b in BROKEN if b.assignment in {a.name for a in assignments}]
    count = min(len(pool), max(1, len(slots) // 12)) if len(slots) >= 8 else 0
    for item in rng.sample(pool, count):
        slot = next((s for s in slots if s[1] == item.assignment and s not in kinds), None)
        if slot is not None:
            kinds[slot], broken_of[slot] = "broken", item
    rest = [s for s in slots if s not in kinds]
    for kind in ("alternative", "mistake", "correct"):     # at least one of each when there is room
        if rest:
            kinds[rest.pop(0)] = kind
    for slot in rest:
        kinds[slot] = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    by_name = {a.name: a for a in assignments}
    plan = []
    for student in names:
        for a in assignments:
            kind = kinds[(student, a.name)]
            if kind == "broken":
                items = [broken_of[(student, a.name)]]
            elif kind in ("alternative", "mistake"):
                items = _pick_items(rng, by_name[a.name], kind)
            else:
                items = []
            plan.append(Submission(student, a.name, kind, items))
    return plan


def _pick_items(rng, assignment, kind):
    """One to three alternatives, or one or two mistakes that cost different tests, of distinct cells."""
    entry = catalogue(assignment.name)
    pool = list(entry.alternatives if kind == "alternative" else entry.mistakes)
    wanted = rng.choice((1, 1, 2, 3)) if kind == "alternative" else rng.choice((1, 1, 2))
    rng.shuffle(pool)
    chosen, cells, tests = [], set(), set()
    for item in pool:
        lost = set(item.lost_tests) if isinstance(item, Mistake) else set()
        if item.grade_id in cells or lost & tests:
            continue
        chosen.append(item)
        cells.add(item.grade_id)
        tests |= lost
        if len(chosen) == wanted:
            break
    return chosen


# ---------------------------------------------------------------- notebooks

def base_notebook(assignment, solutions_dir=None, release_dir=None):
    """The released notebook with every solution written in: what a correct submission looks like."""
    solutions = Path(solutions_dir) if solutions_dir is not None else SOLUTIONS_DIR
    release = Path(release_dir) if release_dir is not None else RELEASE_DIR
    return filled_notebook(solutions / assignment.notebook, release / assignment.notebook)


def build_notebook(base, items):
    """``base`` with the Variants, Mistakes or a Broken applied -> a NotebookNode, or text for a non-notebook."""
    nb = base
    for item in items:
        if isinstance(item, (Variant, Mistake)):
            nb = with_answer(nb, item.grade_id, item.source)
        elif isinstance(item, Broken):
            if item.notebook_text is not None:
                return item.notebook_text
            for grade_id, source in item.cells.items():
                nb = with_answer(nb, grade_id, source)
            if item.deleted:
                nb = copy.deepcopy(nb)
                nb.cells = [c for c in nb.cells
                            if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") not in item.deleted]
        else:
            raise TypeError(f"cannot apply {type(item).__name__} to a notebook")
    return nb


def planned_losses(assignment, submission):
    """{test grade_id: (status, phrase)}: the tests ``submission`` must lose, their record status and
    a phrase of their message ("" when any message will do)."""
    if submission.kind == "untouched":
        return {t.grade_id: ("failed", "not implemented yet") for t in assignment.tests}
    lost = {}
    for item in submission.items:
        if isinstance(item, Mistake):
            for k, test in enumerate(item.lost_tests):
                lost[test] = ("failed", item.expected_phrase if k == 0 else "")
        elif isinstance(item, Broken):
            for test, outcome in item.costs.items():
                if test == ALL_TESTS:
                    lost.update({t.grade_id: outcome for t in assignment.tests})
                else:
                    lost[test] = outcome
    return lost


def expected_score(assignment, submission):
    return assignment.max_score - sum(assignment.test(t).points for t in planned_losses(assignment, submission))


def build_class(out_dir, students=30, seed=0, assignments=None, solutions_dir=None):
    """Write the simulated class under ``out_dir``; -> [(student, assignment, kind, label), ...].

    ``assignments``: names (or two-digit numbers) to include; all of them by default.
    """
    every = load_assignments(solutions_dir)
    chosen = [every[n] for n in select_assignments(every, assignments)]
    if students < 1:
        raise ValueError(f"students must be at least 1, got {students}")
    out_dir = Path(out_dir)
    plan = plan_class(chosen, students, seed)
    bases = {a.name: base_notebook(a, solutions_dir) for a in chosen}
    manifest = []
    for sub in plan:
        a = every[sub.assignment]
        path = out_dir / SUBMITTED / sub.student / a.name / a.notebook
        path.parent.mkdir(parents=True, exist_ok=True)
        if sub.kind == "untouched":
            nb = nbformat.read(RELEASE_DIR / a.notebook, as_version=4)
        else:
            nb = build_notebook(bases[a.name], sub.items)
        if isinstance(nb, str):
            path.write_text(nb, encoding="utf-8")
        else:
            nbformat.write(nb, str(path))
        manifest.append({
            "student": sub.student, "assignment": a.name, "kind": sub.kind, "label": sub.label,
            "notebook": str(path.relative_to(out_dir)),
            "changed_cells": sorted({g for item in sub.items for g in _cells_of(item)}),
            "lost_tests": {t: {"status": s, "phrase": p} for t, (s, p) in planned_losses(a, sub).items()},
            "expected_score": expected_score(a, sub), "max_score": a.max_score,
        })
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return [(sub.student, sub.assignment, sub.kind, sub.label) for sub in plan]


def _cells_of(item):
    if isinstance(item, (Variant, Mistake)):
        return [item.grade_id]
    return list(item.cells) + list(item.deleted)


def select_assignments(every, wanted=None):
    """Assignment names for ``wanted`` (names, "01"-style numbers, or one comma-separated string)."""
    if wanted is None:
        return list(every)
    if isinstance(wanted, str):
        wanted = wanted.split(",")
    names = []
    for want in (str(w).strip() for w in wanted if str(w).strip()):
        matches = [n for n in every if n == want or n.split("_")[0] == want.zfill(2)]
        if len(matches) != 1:
            raise ValueError(f"unknown assignment {want!r}; choose from {', '.join(every)} "
                             "(a name or its two-digit number)")
        if matches[0] not in names:
            names.append(matches[0])
    if not names:
        raise ValueError("no assignment chosen")
    return names
