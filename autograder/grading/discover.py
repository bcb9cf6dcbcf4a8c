"""Stage "discover": the submissions in a folder (nbgrader's layout, or flat), or in one upload.

    found = discover("course/", assignments)           # or "course/submitted", or a flat folder
    found = discover_upload("/autograder/submission", assignments)    # one student's files (Gradescope)
    found.submissions    # [Submission(student, assignment, notebook, problem), ...] sorted
    found.warnings       # e.g. a second notebook of the same student and assignment

Layouts:
  nbgrader  ROOT/submitted/<student>/<assignment>/<notebook>.ipynb, or the same
            without the ``submitted`` level; the assignment is the folder's name
            (recognised from the notebook when the folder is named otherwise)
  flat      ROOT/<student>.ipynb or ROOT/<student>_<anything>.ipynb; the student is
            the file name up to the first "_", the assignment is recognised from
            the notebook (autograder.assignments.recognise); with ``only``, a
            notebook recognised as another assignment is skipped and one not
            recognised at all is taken to be ``only``
  upload    every .ipynb under one student's folder, subfolders too, at most one per
            assignment (``discover_upload``; notebooks not graded are named in the warnings)
A notebook whose assignment cannot be told gets ``problem`` set: the run
records an error for it instead of stopping. A folder with no notebook at
all raises DiscoveryError.
"""
import os
from dataclasses import dataclass, field
from pathlib import Path

from autograder.assignments import recognise

SKIPPED_DIRS = (".ipynb_checkpoints", "__pycache__")


class DiscoveryError(Exception):
    """The folder holds nothing that looks like a submission."""


@dataclass(frozen=True)
class Submission:
    student: str
    assignment: str      # an assignment name, or "unrecognised: <file>" when ``problem`` is set
    notebook: Path
    problem: str = ""    # why it cannot be graded; "" when it can


@dataclass
class Discovery:
    layout: str                                   # "nbgrader", "flat" or "upload"
    submissions: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def discover(root, assignments, only=None):
    """Submissions under ``root``; ``only`` keeps (or, in a flat folder, imposes) one assignment."""
    root = Path(root)
    if not root.exists():
        raise DiscoveryError(f"{root} does not exist")
    if only is not None and only not in assignments:
        raise DiscoveryError(f"unknown assignment {only!r}; known: {', '.join(sorted(assignments))}")
    if root.is_file():
        found = _flat([root], assignments, only)
    elif (root / "submitted").is_dir():
        found = _nbgrader(root / "submitted", assignments, only)
    elif any(_notebooks(d) for s in _subdirs(root) for d in _subdirs(s)):
        found = _nbgrader(root, assignments, only)
    else:
        found = _flat(_notebooks(root), assignments, only)
    if not found.submissions and not found.warnings:
        raise DiscoveryError(
            f"no notebooks found in {root}: expected submitted/<student>/<assignment>/<notebook>.ipynb "
            "(nbgrader) or a folder of <student>.ipynb / <student>_<anything>.ipynb files"
            + (f" for assignment {only}" if only else ""))
    found.submissions.sort(key=lambda s: (s.student, s.assignment, str(s.notebook)))
    return found


def _nbgrader(base, assignments, only):
    found = Discovery("nbgrader")
    for student_dir in _subdirs(base):
        for folder in _subdirs(student_dir):
            notebooks = _notebooks(folder)
            if not notebooks:
                continue
            name = folder.name if folder.name in assignments else recognise(notebooks[0], assignments)
            if name is None and only is not None:
                found.warnings.append(f"{student_dir.name}/{folder.name}: skipped, not recognisably {only}")
                continue
            if name is None:
                found.submissions.append(_unrecognised(student_dir.name, notebooks[0], assignments))
                continue
            if only is not None and name != only:
                continue
            notebook = _pick(notebooks, assignments[name].notebook, name, assignments)
            if len(notebooks) > 1:
                others = ", ".join(n.name for n in notebooks if n != notebook)
                found.warnings.append(f"{student_dir.name}/{folder.name}: graded {notebook.name}; "
                                      f"also there: {others}")
            found.submissions.append(Submission(student_dir.name, name, notebook))
    return found


def _flat(notebooks, assignments, only):
    found = Discovery("flat")
    seen = {}
    for notebook in notebooks:
        student = notebook.stem.split("_")[0] or notebook.stem
        name = recognise(notebook, assignments)
        if only is not None and name not in (None, only):
            found.warnings.append(f"{notebook.name}: skipped, it looks like {name}, not {only}")
            continue
        name = name or only
        if name is None:
            found.submissions.append(_unrecognised(student, notebook, assignments))
            continue
        if (student, name) in seen:
            found.warnings.append(f"{student} has several notebooks for {name}: graded "
                                  f"{seen[student, name].name}, not {notebook.name}")
            continue
        seen[student, name] = notebook
        found.submissions.append(Submission(student, name, notebook))
    return found


def _unrecognised(student, notebook, assignments):
    problem = (f"could not tell which assignment {notebook.name} is: it has none of the grade_ids or "
               f"graded function names of {', '.join(sorted(assignments))}, and no NN_ prefix in its "
               "name; rename it (e.g. alice_01.ipynb) or pass --assignment")
    return Submission(student, f"unrecognised: {notebook.name}", notebook, problem)


def _pick(notebooks, expected_name, assignment, assignments):
    for notebook in notebooks:
        if notebook.name == expected_name:
            return notebook
    if len(notebooks) > 1:
        for notebook in notebooks:
            if recognise(notebook, assignments) == assignment:
                return notebook
    return notebooks[0]


def _subdirs(folder):
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    return [Path(e.path) for e in entries
            if e.is_dir() and not e.name.startswith(".") and e.name not in SKIPPED_DIRS]


def _notebooks(folder):
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    return [Path(e.path) for e in entries
            if e.is_file() and e.name.endswith(".ipynb") and not e.name.startswith(".")]


# ---------------------------------------------------------------- one upload (Gradescope)

def discover_upload(folder, assignments, only=None, student=""):
    """The notebooks of one student's upload, at most one per assignment; -> Discovery ("upload").

    The choice is ``pick_notebooks``'s; its notes (what was not graded, and why) are the warnings.
    """
    chosen, notes = pick_notebooks(folder, assignments, only)
    return Discovery("upload", [Submission(student, name, path) for name, path in chosen], notes)


def find_notebooks(folder):
    """Every .ipynb under ``folder`` (subfolders too), without checkpoints and hidden folders, sorted."""
    folder = Path(folder)
    found = []
    for path in folder.rglob("*.ipynb"):
        parts = path.relative_to(folder).parts
        if path.is_file() and not any(p.startswith(".") or p in SKIPPED_DIRS for p in parts):
            found.append(path)
    return sorted(found)


def pick_notebooks(folder, assignments, only=None):
    """Which notebook to grade for which assignment -> ([(assignment name, path)], notes).

    A notebook counts for the assignment it is recognised as
    (autograder.assignments.recognise). With ``only``, notebooks recognised as
    another assignment are left out and unrecognised ones are taken to be
    ``only``. Of several notebooks for one assignment, the one with the
    assignment's file name wins, then a recognised one, then the first by path.
    """
    folder = Path(folder)
    candidates, notes = {}, []
    for path in find_notebooks(folder):
        shown = path.relative_to(folder)
        name = recognise(path, assignments)
        if only is not None and name not in (None, only):
            notes.append(f"{shown} was not graded: it looks like {name}, not {only}")
            continue
        if name is None and only is None:
            notes.append(f"{shown} was not graded: it has none of the graded functions or cell ids of "
                         f"{', '.join(sorted(assignments))}")
            continue
        candidates.setdefault(name or only, []).append((name is not None, path))
    chosen = []
    for name, paths in sorted(candidates.items()):
        _, best = min(paths, key=lambda c: (c[1].name != assignments[name].notebook, not c[0], str(c[1])))
        chosen.append((name, best))
        notes += [f"{p.relative_to(folder)} was not graded: {best.relative_to(folder)} was graded for {name}"
                  for _, p in paths if p != best]
    return chosen, notes
