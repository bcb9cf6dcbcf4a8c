"""What an assignment grades, read from its nbgrader source notebook.

    assignments = load_assignments("solutions")        # {"01_backprop": Assignment, ...}
    a = assignments["01_backprop"]
    a.tests[2].grade_id, a.tests[2].points             # "test_sigmoid", 1.0
    a.tests[2].student_names                           # ("sigmoid_forward", "sigmoid_backward")
    a.tests[2].hidden_code                             # the lines between the HIDDEN TESTS markers
    recognise("submitted/alice.ipynb", assignments)    # "01_backprop", or None

A graded test cell (nbgrader ``grade: true``) holds a visible self-check
line and a hidden part:

    run_check("sigmoid", check_sigmoid, sigmoid_forward, sigmoid_backward)
    ### BEGIN HIDDEN TESTS
    from autograder.checks.nb01 import grade_sigmoid
    grade_sigmoid(sigmoid_forward, sigmoid_backward)
    ### END HIDDEN TESTS

The hidden part is what nbgrader runs in the kernel and what the judge runs
with the student's names bound to proxies; the visible ``run_check`` line
only prints (it never raises), so it cannot change a cell's outcome and is
not run. The student names of a test are the names passed to its
``grade_*`` call.
"""
import ast
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.bounded_parse import parse_bounded
from autograder.notebook_scan import grade_id_of, read_notebook, source_of

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS_DIR = PROJECT_ROOT / "solutions"
NOTEBOOK_PATTERN = "[0-9][0-9]_*.ipynb"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"


@dataclass(frozen=True)
class GradedTest:
    """One nbgrader grade cell: all-or-nothing ``points`` for its hidden code."""

    grade_id: str
    points: float
    hidden_code: str
    student_names: tuple      # the names the hidden code passes to its grade function
    grade_function: str       # e.g. "grade_sigmoid"; "" if the hidden code calls none

    @property
    def function(self):
        """The student names as one string, as records show them."""
        return ", ".join(self.student_names)


@dataclass
class Assignment:
    """An assignment: its notebook's graded tests and the names a submission must define."""

    name: str                 # "01_backprop": the notebook's stem, as nbgrader names assignments
    notebook: str             # "01_backprop.ipynb"
    tests: list
    solution_cells: dict = field(default_factory=dict)   # grade_id of an answer cell -> names it defines

    @property
    def number(self):
        """The two-digit prefix, "01"."""
        return self.name[:2]

    @property
    def graded_names(self):
        """Every student name any test uses, in test order."""
        names = []
        for test in self.tests:
            names += [n for n in test.student_names if n not in names]
        return tuple(names)

    @property
    def name_cells(self):
        """graded name -> grade_id of the answer cell meant to define it (for extract_source)."""
        cells = {}
        for grade_id, names in self.solution_cells.items():
            for name in names:
                cells.setdefault(name, grade_id)
        return {n: cells[n] for n in self.graded_names if n in cells}

    @property
    def max_score(self):
        return float(sum(t.points for t in self.tests))

    @property
    def grade_ids(self):
        """Every nbgrader grade_id of the notebook's graded and answer cells."""
        return {t.grade_id for t in self.tests} | set(self.solution_cells)

    def test(self, grade_id):
        for t in self.tests:
            if t.grade_id == grade_id:
                return t
        raise KeyError(f"{self.name} has no test {grade_id!r}; it has {[t.grade_id for t in self.tests]}")


def parse_assignment(solution_path):
    """Read an nbgrader source notebook into an Assignment."""
    path = Path(solution_path)
    nb = nbformat.read(path, as_version=4)
    tests, solution_cells = [], {}
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or not isinstance(meta, dict):
            continue
        source = _text(cell)
        if meta.get("solution") and meta.get("grade_id"):
            solution_cells[meta["grade_id"]] = defined_names(source)
        if meta.get("grade"):
            grade_id = meta.get("grade_id")
            if not grade_id:
                raise ValueError(f"{path.name}: graded cell {index + 1} has no grade_id")
            hidden = hidden_code(source)
            grade_function, names = _grade_call(hidden, f"{path.name}, cell {index + 1} ({grade_id})")
            tests.append(GradedTest(grade_id, float(meta.get("points", 0)), hidden, names, grade_function))
    if not tests:
        raise ValueError(f"{path} has no graded cells (nbgrader metadata grade: true)")
    return Assignment(path.stem, path.name, tests, solution_cells)


def load_assignments(solutions_dir=None):
    """{name: Assignment} for every ``NN_name.ipynb`` in ``solutions_dir`` (default: solutions/)."""
    folder = Path(solutions_dir) if solutions_dir is not None else SOLUTIONS_DIR
    paths = sorted(folder.glob(NOTEBOOK_PATTERN))
    if not paths:
        raise FileNotFoundError(f"no solution notebooks ({NOTEBOOK_PATTERN}) in {folder}")
    return {p.stem: parse_assignment(p) for p in paths}


def hidden_code(source):
    """The lines between the HIDDEN TESTS markers (every block of the cell, in order)."""
    kept, inside = [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker == BEGIN_HIDDEN:
            inside = True
        elif marker == END_HIDDEN:
            inside = False
        elif inside:
            kept.append(line)
    return "\n".join(kept) + ("\n" if kept else "")


def defined_names(source):
    """Top-level function and class names of a cell's code ([] if it does not parse)."""
    try:
        tree = parse_bounded(_without_magics(source))
    except SyntaxError:
        return []
    return [s.name for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]


def _grade_call(code, where):
    """-> (name of the grade_* function called, the plain names passed to it)."""
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise ValueError(f"{where}: the hidden tests do not parse ({exc.msg})") from None
    bound = set()   # names the hidden code binds itself (imports, assignments): not the student's
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith("grade_"):
            values = list(node.args) + [k.value for k in node.keywords]
            names = []
            for value in values:
                for sub in ast.walk(value):
                    if isinstance(sub, ast.Name) and sub.id not in names and sub.id not in bound:
                        names.append(sub.id)
            return node.func.id, tuple(names)
    return "", ()


# ---------------------------------------------------------------- recognising a notebook

def recognise(notebook, assignments=None):
    """Which assignment a submitted notebook belongs to -> its name, or None.

    In order: the nbgrader grade_ids in its cell metadata; else the graded
    function names it defines; else a ``NN_`` prefix in its file name
    (``alice_01_backprop.ipynb``, ``01.ipynb``). Each step picks the
    assignment with the largest overlap and gives up on a tie.
    ``assignments`` defaults to load_assignments().
    """
    if assignments is None:
        assignments = load_assignments()
    nb = read_notebook(notebook) if isinstance(notebook, (str, os.PathLike)) else notebook
    if nb is not None:
        cells = [c for c in nb.get("cells", []) if isinstance(c, dict)]   # whatever the JSON holds
        ids = {grade_id_of(c) for c in cells} - {None}
        best = _best(assignments, lambda a: len(ids & a.grade_ids))
        if best:
            return best
        names = set()
        for cell in cells:
            if cell.get("cell_type") == "code":
                names.update(defined_names(source_of(cell)))
        best = _best(assignments, lambda a: len(names & set(a.graded_names)))
        if best:
            return best
    if isinstance(notebook, (str, os.PathLike)):
        stem = Path(notebook).stem
        numbers = set(re.findall(r"(?:^|_|-)(\d\d)(?=_|-|$)", stem))
        matches = [name for name, a in assignments.items() if a.number in numbers]
        if len(matches) == 1:
            return matches[0]
    return None


def _best(assignments, score):
    scores = {name: score(a) for name, a in assignments.items()}
    top = max(scores.values(), default=0)
    winners = [name for name, s in scores.items() if s == top]
    return winners[0] if top > 0 and len(winners) == 1 else None


def _text(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _without_magics(source):
    """Blank out IPython magics and shell escapes so the rest parses; line numbers kept."""
    return "\n".join("" if re.match(r"\s*[%!]", line) else line for line in source.split("\n"))
