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
records an error for it instead of stopping. So does what is refused:
  - a symbolic link where a student folder, an assignment folder or a
    notebook should be, and an assignment folder (or upload) that contains
    one: it could point at another student's notebook or at a solution, so
    nothing is read through it (folders are listed without following links);
  - a folder, FIFO or device named like a notebook (``05_optimizers.ipynb/``).
Names are taken as the file system gives them, bytes that are not UTF-8
included (surrogate escapes); autograder/grading/store.py turns them into
file names one-to-one. A folder with no notebook at all raises DiscoveryError.
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
        found = _flat(Listing([root]), assignments, only)
    elif (root / "submitted").is_dir():
        found = _nbgrader(root / "submitted", assignments, only)
    elif any(_listing(d).named_notebooks for s in _listing(root).dirs for d in _listing(s).dirs):
        found = _nbgrader(root, assignments, only)
    else:
        found = _flat(_listing(root), assignments, only)
    if not found.submissions and not found.warnings:
        raise DiscoveryError(
            f"no notebooks found in {root}: expected submitted/<student>/<assignment>/<notebook>.ipynb "
            "(nbgrader) or a folder of <student>.ipynb / <student>_<anything>.ipynb files"
            + (f" for assignment {only}" if only else ""))
    found.submissions.sort(key=lambda s: (s.student, s.assignment, str(s.notebook)))
    return found


def _nbgrader(base, assignments, only):
    found = Discovery("nbgrader")
    students = _listing(base)
    for link in students.links:
        found.submissions.append(_refused(link.name, only, link, f"the student folder {link.name} is a "
                                          "symbolic link; nothing is read through a link"))
    for student_dir in students.dirs:
        folders = _listing(student_dir)
        for link in folders.links:
            if only is not None and link.name in assignments and link.name != only:
                continue
            found.submissions.append(_refused(student_dir.name, _known(link.name, assignments, only), link,
                                              f"{link.name} is a symbolic link, not a folder of the student's "
                                              "own; nothing is read through a link"))
        for folder in folders.dirs:
            known = _known(folder.name, assignments, only)
            if only is not None and known is not None and known != only:
                continue
            listing = _listing(folder)
            link = _first_link(folder)
            if link is not None:
                found.submissions.append(_refused(student_dir.name, known, folder, (
                    f"{folder.name} contains a symbolic link ({link.relative_to(folder)}); a submission "
                    "must hold its own files, so it was not graded")))
                continue
            notebooks = listing.notebooks
            if not notebooks:
                if listing.odd:
                    odd = listing.odd[0]
                    found.submissions.append(_refused(student_dir.name, known, odd, _odd_problem(odd)))
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
            found.warnings += [f"{student_dir.name}/{folder.name}: {_odd_problem(o)}" for o in listing.odd]
            found.submissions.append(Submission(student_dir.name, name, notebook))
    return found


def _flat(listing, assignments, only):
    found = Discovery("flat")
    seen = {}
    for path in listing.links + listing.odd:
        problem = (f"{path.name} is a symbolic link; nothing is read through a link"
                   if path in listing.links else _odd_problem(path))
        found.submissions.append(_refused(_student_of(path), only, path, problem))
    for notebook in listing.notebooks:
        student = _student_of(notebook)
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


def _student_of(path):
    stem = path.name[:-len(".ipynb")] if path.name.endswith(".ipynb") else path.name
    return stem.split("_")[0] or stem


def _unrecognised(student, notebook, assignments):
    problem = (f"could not tell which assignment {notebook.name} is: it has none of the grade_ids or "
               f"graded function names of {', '.join(sorted(assignments))}, and no NN_ prefix in its "
               "name; rename it (e.g. alice_01.ipynb) or pass --assignment")
    return Submission(student, f"unrecognised: {notebook.name}", notebook, problem)


def _refused(student, assignment, path, problem):
    """A submission that is not read at all; ``assignment`` None when it cannot be told without reading."""
    return Submission(student, assignment or f"refused: {path.name}", path, problem)


def _known(folder_name, assignments, only):
    """The assignment a folder's name says, if any (``only`` when it says none)."""
    return folder_name if folder_name in assignments else only


def _odd_problem(path):
    kind = "a folder" if path.is_dir() and not path.is_symlink() else "not a regular file"
    return f"{path.name} is {kind}, not a notebook; upload the .ipynb file itself"


def _pick(notebooks, expected_name, assignment, assignments):
    for notebook in notebooks:
        if notebook.name == expected_name:
            return notebook
    if len(notebooks) > 1:
        for notebook in notebooks:
            if recognise(notebook, assignments) == assignment:
                return notebook
    return notebooks[0]


@dataclass
class Listing:
    """What one folder holds, read without following symbolic links (hidden names left out)."""

    notebooks: list = field(default_factory=list)   # regular files named *.ipynb
    dirs: list = field(default_factory=list)        # real folders (not links), not named *.ipynb
    links: list = field(default_factory=list)       # symbolic links, whatever they point at
    odd: list = field(default_factory=list)         # folders, FIFOs, devices named *.ipynb

    @property
    def named_notebooks(self):
        """Anything named like a notebook: a sign of an nbgrader assignment folder."""
        return [p for p in self.notebooks + self.odd + self.links if p.name.endswith(".ipynb")]


def _listing(folder):
    listing = Listing()
    try:
        entries = sorted(os.scandir(folder), key=lambda e: os.fsencode(e.name))
    except OSError:
        return listing
    for entry in entries:
        if entry.name.startswith(".") or entry.name in SKIPPED_DIRS:
            continue
        path = Path(entry.path)
        notebook_name = entry.name.endswith(".ipynb")
        try:
            if entry.is_symlink():
                listing.links.append(path)
            elif entry.is_file(follow_symlinks=False) and notebook_name:
                listing.notebooks.append(path)
            elif notebook_name:
                listing.odd.append(path)
            elif entry.is_dir(follow_symlinks=False):
                listing.dirs.append(path)
        except OSError:
            continue
    return listing


def _first_link(folder, limit=10_000):
    """The first symbolic link under ``folder`` (subfolders too, never followed), or None."""
    seen = 0
    for top, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(dirs) + sorted(files):
            path = Path(top) / name
            if path.is_symlink():
                return path
            seen += 1
            if seen > limit:
                return None
    return None


# ---------------------------------------------------------------- one upload (Gradescope)

def discover_upload(folder, assignments, only=None, student=""):
    """The notebooks of one student's upload, at most one per assignment; -> Discovery ("upload").

    The choice is ``pick_notebooks``'s; its notes (what was not graded, and why) are the warnings.
    An upload that contains a symbolic link is refused as a whole (one submission with a problem);
    a folder named like a notebook gets one too.
    """
    folder = Path(folder)
    link = _first_link(folder)
    if link is not None:
        problem = (f"the upload contains a symbolic link ({link.relative_to(folder)}); a submission must "
                   "hold its own files, so nothing was graded")
        return Discovery("upload", [_refused(student, only, link, problem)], [])
    chosen, notes = pick_notebooks(folder, assignments, only)
    found = Discovery("upload", [Submission(student, name, path) for name, path in chosen], notes)
    for odd in _odd_notebooks(folder):
        found.submissions.append(_refused(student, only, odd, _odd_problem(odd)))
    return found


def find_notebooks(folder):
    """Every regular .ipynb file under ``folder`` (subfolders too, links never followed), sorted.

    Checkpoints and hidden folders are left out.
    """
    return sorted(p for p in _walk(folder) if p.name.endswith(".ipynb") and p.is_file() and not p.is_symlink())


def _odd_notebooks(folder):
    """Folders, FIFOs and the like named *.ipynb under ``folder``."""
    return sorted(p for p in _walk(folder, with_dirs=True) if p.name.endswith(".ipynb") and not p.is_symlink()
                  and not p.is_file())


def _walk(folder, with_dirs=False):
    for top, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS]
        names = files + (dirs if with_dirs else [])
        yield from (Path(top) / n for n in names if not n.startswith("."))


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
