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

Any other graded cell is an nbgrader test in the usual style (asserts,
calls to the instructor's helpers): the judge runs the whole cell, visible
part included, as nbgrader does (``GradedTest.code``). Its student names
are the names the answer cells define (functions, classes, plain values)
that the cell reads, directly or through the instructor's definitions it
uses; its ``instructor_names`` are the names of earlier instructor cells it
reads (``Assignment.setup_cells`` hold those cells, which the judge runs).
A manually graded answer (nbgrader ``solution`` and ``grade``, e.g. a
written derivation in a markdown cell) is a ``WrittenAnswer``: its points
are the TA's to give, so they are not in ``max_score`` but in
``total_points``.
"""
import ast
import builtins
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.bounded_parse import parse_bounded
from autograder.course_files import CHECKOUT, course_folder
from autograder.notebook_scan import grade_id_of, read_notebook, source_of

PROJECT_ROOT = CHECKOUT      # the checkout (in an installed wheel: site-packages)
SOLUTIONS_DIR = course_folder("solutions")
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
    code: str = ""            # what the judge runs when it is not hidden_code: the whole cell, markers removed
    cell: int = -1            # 0-based index of the cell in the source notebook
    instructor_names: tuple = ()   # names of earlier instructor cells the code reads

    @property
    def run_code(self):
        """The code the judge executes for this test."""
        return self.code or self.hidden_code

    @property
    def function(self):
        """The student names as one string, as records show them."""
        return ", ".join(self.student_names)


@dataclass(frozen=True)
class WrittenAnswer:
    """A manually graded answer cell: ``points`` a TA gives in the formgrader."""

    grade_id: str
    points: float
    cell_type: str = "markdown"     # "markdown" (a written answer) or "code" (manually graded code)
    cell: int = -1


@dataclass
class Assignment:
    """An assignment: its notebook's graded tests and the names a submission must define."""

    name: str                 # "01_backprop": the nbgrader assignment (source/<name>/), by default the stem
    notebook: str             # "01_backprop.ipynb"
    tests: list
    solution_cells: dict = field(default_factory=dict)   # grade_id of an answer cell -> names it defines
    setup_cells: tuple = ()   # (cell index, Python source) of the instructor's code cells, in order
    written: tuple = ()       # WrittenAnswer, manually graded
    source_path: str = ""     # the source notebook this was read from
    values: tuple = ()        # plain names the answer cells assign (``learning_rate = 0.1``)

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
        """The autograded points: the sum over the tests."""
        return float(sum(t.points for t in self.tests))

    @property
    def total_points(self):
        """Autograded and manually graded points together."""
        return self.max_score + float(sum(w.points for w in self.written))

    @property
    def needs_setup(self):
        """True if some test reads names of the instructor's cells (the judge then runs them)."""
        return any(t.instructor_names for t in self.tests)

    @property
    def grade_ids(self):
        """Every nbgrader grade_id of the notebook's graded and answer cells."""
        return {t.grade_id for t in self.tests} | set(self.solution_cells) | {w.grade_id for w in self.written}

    def test(self, grade_id):
        for t in self.tests:
            if t.grade_id == grade_id:
                return t
        raise KeyError(f"{self.name} has no test {grade_id!r}; it has {[t.grade_id for t in self.tests]}")


def parse_assignment(solution_path, name=None):
    """Read an nbgrader source notebook into an Assignment (named ``name``, default the file's stem)."""
    path = Path(solution_path)
    nb = nbformat.read(path, as_version=4)
    cells, solution_cells, setup, written = [], {}, [], []
    answer_names, values = set(), []
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        meta = meta if isinstance(meta, dict) else {}
        source = _text(cell)
        if meta.get("solution") and meta.get("grade"):      # a manually graded answer
            written.append(WrittenAnswer(meta.get("grade_id", f"cell-{index}"), float(meta.get("points", 0)),
                                         cell.get("cell_type", "markdown"), index))
        if cell.get("cell_type") != "code":
            continue
        if meta.get("solution"):
            names = defined_names(source)
            if meta.get("grade_id"):
                solution_cells[meta["grade_id"]] = names
            answer_names.update(names)
            values += [v for v in assigned_names(source) if v not in values]
        elif meta.get("grade"):
            if not meta.get("grade_id"):
                raise ValueError(f"{path.name}: graded cell {index + 1} has no grade_id")
            cells.append((index, meta["grade_id"], float(meta.get("points", 0)), source))
        else:
            setup.append((index, _without_magics(source)))
    answer_names.update(values)
    tests = [_graded_test(path, index, grade_id, points, source, answer_names, setup)
             for index, grade_id, points, source in cells]
    if not tests:
        raise ValueError(f"{path} has no graded cells (nbgrader metadata grade: true)")
    return Assignment(name or path.stem, path.name, tests, solution_cells, tuple(setup), tuple(written),
                      str(path), tuple(v for v in values if v not in {n for ns in solution_cells.values()
                                                                       for n in ns}))


def _graded_test(path, index, grade_id, points, source, answer_names, setup):
    """One graded cell -> GradedTest: the course's ``grade_*`` style, or any nbgrader test."""
    hidden = hidden_code(source)
    where = f"{path.name}, cell {index + 1} ({grade_id})"
    grade_function, names = _grade_call(hidden, where)
    if grade_function:
        return GradedTest(grade_id, points, hidden, names, grade_function, cell=index)
    code = without_markers(source)
    try:
        tree = ast.parse(_without_magics(code))
    except SyntaxError as exc:
        raise ValueError(f"{where}: the test cell does not parse ({exc.msg})") from None
    reads = _free_names(tree)
    defines = _setup_definitions([s for i, s in setup if i < index])
    student, instructor, seen = [], [], set()
    todo = list(reads)
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.add(name)
        if name in answer_names:
            student.append(name)
        elif name in defines:
            if name in reads:
                instructor.append(name)
            todo += sorted(defines[name])     # what the instructor's definition reads, the student's names too
    student = tuple(n for n in reads if n in student) + tuple(n for n in student if n not in reads)
    return GradedTest(grade_id, points, hidden, student, "", code=code, cell=index,
                      instructor_names=tuple(instructor))


def load_assignments(solutions_dir=None):
    """{name: Assignment} for every ``NN_name.ipynb`` in ``solutions_dir`` (default: solutions/).

    Any other notebook of the folder with nbgrader graded cells counts too, named after its stem.
    """
    folder = Path(solutions_dir) if solutions_dir is not None else SOLUTIONS_DIR
    paths = sorted(folder.glob(NOTEBOOK_PATTERN))
    others = [p for p in sorted(folder.glob("*.ipynb")) if p not in paths and _has_graded_cells(p)]
    if not paths and not others:
        raise FileNotFoundError(f"no solution notebooks ({NOTEBOOK_PATTERN}) in {folder}")
    return {p.stem: parse_assignment(p) for p in paths + others}


def load_source_assignments(source_dir):
    """{assignment: Assignment} from an nbgrader ``source/`` folder: source/<assignment>/<notebook>.ipynb.

    Any assignment and notebook names; the assignment is the folder's name, as in nbgrader. An
    assignment folder must hold exactly one notebook with graded cells (ValueError otherwise).
    """
    folder = Path(source_dir)
    found = {}
    for assignment_dir in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        graded = [p for p in sorted(assignment_dir.glob("*.ipynb")) if _has_graded_cells(p)]
        if len(graded) > 1:
            raise ValueError(f"{assignment_dir}: {len(graded)} notebooks with graded cells "
                             f"({', '.join(p.name for p in graded)}); workbook grade takes one per assignment")
        if graded:
            found[assignment_dir.name] = parse_assignment(graded[0], assignment_dir.name)
    if not found:
        raise FileNotFoundError(f"no source notebooks with graded cells in {folder}/<assignment>/")
    return found


def _has_graded_cells(path):
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # not a notebook: not an assignment
        return False
    return any(isinstance(c.get("metadata", {}).get("nbgrader"), dict)
               and c.metadata.nbgrader.get("grade") and not c.metadata.nbgrader.get("solution")
               and c.get("cell_type") == "code" for c in nb.cells)


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


def without_markers(source):
    """A test cell as nbgrader's autograde runs it: the hidden-test marker lines removed, the rest kept."""
    return "\n".join(line for line in source.splitlines()
                     if line.strip() not in (BEGIN_HIDDEN, END_HIDDEN)) + "\n"


def assigned_names(source):
    """Plain names a cell's top-level assignments bind (``lr = 0.1``, ``a, b = 1, 2``)."""
    try:
        tree = ast.parse(_without_magics(source))
    except SyntaxError:
        return []
    names = []
    for stmt in tree.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else \
            [stmt.target] if isinstance(stmt, ast.AnnAssign) and stmt.value is not None else []
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Name) and node.id not in names:
                    names.append(node.id)
    return names


def _bound_names(tree):
    """Names a piece of code binds itself: imports, assignments, defs, classes, arguments."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return bound


def _free_names(tree):
    """Names the code reads and does not bind itself, builtins left out, in first-read order."""
    bound = _bound_names(tree)
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in bound \
                and node.id not in names and not hasattr(builtins, node.id):
            names.append(node.id)
    return names


def _setup_definitions(sources):
    """{name an instructor cell binds: the names its defining statements read}."""
    defines = {}
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for stmt in tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names = {stmt.name}
            else:
                names = _bound_names(stmt)
            reads = set(_free_names(stmt))
            for name in names:
                defines.setdefault(name, set()).update(reads)
    return defines


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
