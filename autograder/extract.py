"""Pull the graded functions, and only what they need, out of a student notebook.

    ex = extract_source("submitted/01_backprop.ipynb", ["relu_forward", "relu_backward"])
    ex.source      # a Python module: imports, defs, classes, constants
    ex.found, ex.missing, ex.messages

Nothing in the notebook is executed here; the module text is run later in a
worker (autograder.sandbox). What is kept, in notebook order:
  - import statements (except ``from course_lib... import <graded name>``:
    a reference implementation does not count as the student's answer),
  - function and class definitions, and ``name = lambda ...``,
  - module-level constants: assignments to plain names whose value is built
    from literals, names already kept, and calls into imported modules
    (``EPS = np.float64(1e-8)``, ``SIZES = (3, 4)``), but never a call that
    could reach the student's own functions (``history = train(...)``).
Training loops, plots, prints, asserts and every other top-level statement
are dropped, and so is anything the wanted names do not reach: a definition
is kept only if a wanted name refers to it, directly or through others.

Tolerated: deleted or copied nbgrader metadata (definitions are found by
name; a ``{name: grade_id}`` mapping only sharpens the messages), reordered
and extra cells, IPython line magics and shell escapes (``%matplotlib``,
``!pip``), ``%%time``/``%%capture`` cells (the magic line is dropped, the
Python kept; other cell magics drop the cell), cells that do not parse
(skipped with a message naming the cell and line), and definitions written
twice (the last one in notebook order wins, as when the notebook runs).

Cell numbers in messages count from 1 in notebook order, markdown cells
included; ``Extraction.cells`` and ``Extraction.locate`` use 0-based indices
into ``nb.cells``.
"""
import ast
import builtins
import os
import re
from dataclasses import dataclass, field

import nbformat

KEPT_CELL_MAGICS = {"time", "capture"}   # run the cell's Python as is
# Builtins a constant may call; anything else (print, open, input, exec) makes
# the assignment a statement to drop.
SAFE_BUILTIN_CALLS = {
    "abs", "bool", "complex", "dict", "divmod", "enumerate", "float", "frozenset", "int",
    "len", "list", "max", "min", "pow", "range", "reversed", "round", "set", "slice",
    "sorted", "str", "sum", "tuple", "zip",
}
# Expression nodes a constant may contain (operators and contexts come through their bases).
_CONSTANT_NODES = (
    ast.Constant, ast.Name, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.Starred,
    ast.Attribute, ast.Subscript, ast.Slice, ast.BinOp, ast.UnaryOp, ast.BoolOp,
    ast.Compare, ast.IfExp, ast.Call, ast.keyword, ast.JoinedStr, ast.FormattedValue,
    ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.comprehension,
    ast.Lambda, ast.arguments, ast.arg,
    ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop,
)


@dataclass
class Extraction:
    """The result of extract_source; ``source`` is ready for a sandbox worker."""

    source: str
    found: set
    missing: set
    messages: list
    cells: dict = field(default_factory=dict)     # graded name -> 0-based cell index
    spans: list = field(default_factory=list)     # (first line, last line, cell index, line in cell)

    def locate(self, lineno):
        """Line of ``source`` -> (0-based cell index, 1-based line in that cell), or None."""
        for first, last, cell, cell_line in self.spans:
            if first <= lineno <= last:
                return cell, cell_line + lineno - first
        return None


@dataclass
class _Unit:
    """One top-level statement worth keeping (an import is split into one unit per name)."""

    order: int
    kind: str               # "import", "always" (star, __future__), "def" (also class, lambda), "constant"
    names: tuple            # names it binds
    text: str
    cell: int
    line: int               # first line in the cell
    deps: set = field(default_factory=set)      # names it reads (defs: resolved at the end)
    resolved: dict = field(default_factory=dict)  # constants: name -> unit order, as bound then
    calls_code: bool = False  # a def, or a constant holding one: calling it runs student code


def extract_source(notebook, wanted_names):
    """Collect what ``wanted_names`` need from ``notebook`` (a path or a NotebookNode).

    ``wanted_names`` is an iterable of names, or a mapping name -> nbgrader
    grade_id of the cell meant to hold it.
    """
    grade_ids = dict(wanted_names) if isinstance(wanted_names, dict) else {}
    wanted = set(wanted_names)
    nb = _read_notebook(notebook)
    messages = []
    if nb is None:
        messages.append("the notebook could not be read as a Jupyter notebook")
        return Extraction("", set(), wanted, messages)
    scan = _Scan(wanted)
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") == "code":
            scan.add_cell(index, _source_of(cell), _grade_id(cell))
    messages.extend(scan.messages)
    found = {n for n in wanted if n in scan.current}
    keep = scan.closure(found)
    source, spans = _render(scan.units, keep)
    messages.extend(_duplicate_messages(scan, found))
    messages.extend(_missing_messages(scan, nb, wanted - found, grade_ids))
    messages.extend(_copied_grade_id_messages(nb, grade_ids))
    cells = {n: scan.units[scan.current[n]].cell for n in found}
    return Extraction(source, found, wanted - found, messages, cells, spans)


# ---------------------------------------------------------------- reading cells

def _read_notebook(notebook):
    if isinstance(notebook, (str, os.PathLike)):
        if not os.path.exists(notebook):
            raise FileNotFoundError(f"no notebook at {notebook}")
        try:
            return nbformat.read(notebook, as_version=4)
        except Exception:  # not JSON, not a notebook: the student gets a message
            return None
    if isinstance(notebook, dict) and not isinstance(notebook, nbformat.NotebookNode):
        notebook = nbformat.from_dict(notebook)
    if notebook.get("nbformat", 4) < 4:
        notebook = nbformat.convert(notebook, 4)
    return notebook


def _source_of(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _grade_id(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta.get("grade_id") if isinstance(meta, dict) else None


def _cell_label(index, grade_id=None):
    return f"cell {index + 1}" + (f" (grade_id {grade_id!r})" if grade_id else "")


def _python_of(source):
    """IPython cell text -> (Python text with the same line numbers, or None, why not)."""
    lines = source.split("\n")
    first = lines[0].strip()
    if first.startswith("%%"):
        magic = first[2:].split()[0] if first[2:].split() else ""
        if magic not in KEPT_CELL_MAGICS:
            return None, f"it is a %%{magic} cell"
        source = "\n".join([""] + lines[1:])
    if not re.search(r"^\s*[%!]|[?]\s*$|=\s*[%!]", source, re.MULTILINE):
        return source, None
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return source, None
    try:
        # line magics and shell escapes become get_ipython() calls, one line each
        return TransformerManager().transform_cell(source), None
    except Exception:
        return source, None


# ---------------------------------------------------------------- scanning

class _Scan:
    """Walks the cells in order and records every statement worth keeping."""

    def __init__(self, wanted):
        self.wanted = wanted
        self.units = []
        self.current = {}          # name -> order of the unit that binds it now
        self.messages = []
        self.broken_cells = []     # (index, grade_id, text) of cells that do not parse
        self.reference_imports = {}  # graded name -> cell index of the dropped import
        self.defined_at = {}       # wanted name -> cells of every definition
        self.dropped_assignments = {}  # name -> cell of an assignment that runs code

    def add_cell(self, index, text, grade_id):
        python, why_not = _python_of(text)
        if python is None:
            self.messages.append(f"{_cell_label(index, grade_id)} was skipped: {why_not}")
            return
        try:
            tree = ast.parse(python)
        except SyntaxError as exc:
            self.messages.append(
                f"{_cell_label(index, grade_id)} was skipped: it does not parse "
                f"({exc.msg} on line {exc.lineno} of the cell)")
            self.broken_cells.append((index, grade_id, text))
            return
        lines = python.split("\n")
        body = tree.body
        for i, stmt in enumerate(body):
            shares_line = (i > 0 and body[i - 1].end_lineno >= _first_line(stmt)) or (
                i + 1 < len(body) and body[i + 1].lineno <= stmt.end_lineno)
            text = ast.unparse(stmt) if shares_line else "\n".join(
                lines[_first_line(stmt) - 1:stmt.end_lineno])
            self._add_statement(stmt, text, index)

    def _add_statement(self, stmt, text, cell):
        line = _first_line(stmt)
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self._add_import(stmt, cell, line)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self._bind(_Unit(len(self.units), "def", (stmt.name,), text, cell, line,
                             deps=_names_read(stmt), calls_code=True))
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
            self._add_assignment(stmt, text, cell, line)

    def _add_import(self, stmt, cell, line):
        module = (stmt.module or "") if isinstance(stmt, ast.ImportFrom) else ""
        for alias in stmt.names:
            if isinstance(stmt, ast.ImportFrom):
                if _is_course_lib(module) and alias.name in self.wanted:
                    self.reference_imports.setdefault(alias.name, cell)
                    self.messages.append(
                        f"{_cell_label(cell)}: ignored `from {module} import {alias.name}`; "
                        "a graded function must be written in the notebook")
                    continue
                one = ast.ImportFrom(module=stmt.module, names=[alias], level=stmt.level)
                bound = alias.asname or alias.name
            else:
                one = ast.Import(names=[alias])
                bound = alias.asname or alias.name.split(".")[0]
            # star and __future__ imports are always kept: what they bind is not visible here
            always = alias.name == "*" or module == "__future__"
            self._bind(_Unit(len(self.units), "always" if always else "import",
                             () if always else (bound,), ast.unparse(one), cell, line))

    def _add_assignment(self, stmt, text, cell, line):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        names = _plain_target_names(targets)
        if names is None:
            return  # cfg["lr"] = ..., obj.attr = ...: not a binding
        if isinstance(stmt.value, ast.Lambda):
            self._bind(_Unit(len(self.units), "def", names, text, cell, line,
                             deps=_names_read(stmt.value), calls_code=True))
            return
        checked = [stmt.value] + ([stmt.annotation] if isinstance(stmt, ast.AnnAssign) else [])
        verdict = self._constant_deps(checked)
        if verdict is None:
            for name in names:
                self.dropped_assignments[name] = cell
            return
        deps, calls_code = verdict
        self._bind(_Unit(len(self.units), "constant", names, text, cell, line, deps=deps,
                         resolved={d: self.current[d] for d in deps}, calls_code=calls_code))

    def _constant_deps(self, exprs):
        """-> (names read, holds student code?) if the expressions form a constant, else None."""
        check = _ExpressionCheck(self.current)
        try:
            for expr in exprs:
                check.visit(expr)
        except _NotConstant:
            return None
        reads = check.reads - check.local
        if any(n not in self.current and not hasattr(builtins, n) for n in reads):
            return None  # unknown now (defined later, or by a dropped statement)
        # names inside a lambda body are looked up when it is called
        deps = {n for n in reads | check.lambda_reads if n in self.current}
        calls_code = check.has_lambda or any(self.units[self.current[d]].calls_code for d in deps)
        if check.has_call and calls_code:
            return None  # e.g. losses = train(model, data): would run student code
        return deps, calls_code

    def _bind(self, unit):
        self.units.append(unit)
        for name in unit.names:
            self.current[name] = unit.order
            if name in self.wanted and unit.kind == "def":
                self.defined_at.setdefault(name, []).append(unit.cell)

    def closure(self, roots):
        """Orders of the units the root names need; star and __future__ imports always come along."""
        keep = {u.order for u in self.units if u.kind == "always"}
        todo = [self.current[n] for n in roots]
        while todo:
            order = todo.pop()
            if order in keep:
                continue
            keep.add(order)
            unit = self.units[order]
            if unit.kind == "constant":
                todo.extend(unit.resolved.values())
            else:
                # a def reads globals when it is called: the final binding counts
                todo.extend(self.current[d] for d in unit.deps if d in self.current)
        return keep


class _NotConstant(Exception):
    pass


class _ExpressionCheck:
    """Walks an assignment's value: what it reads, and whether it calls or holds code."""

    def __init__(self, bound):
        self.bound = bound
        self.reads, self.local, self.lambda_reads = set(), set(), set()
        self.has_call = self.has_lambda = False

    def visit(self, node):
        if not isinstance(node, _CONSTANT_NODES):
            raise _NotConstant
        if isinstance(node, ast.Lambda):
            # defaults run now, the body only when called
            self.has_lambda = True
            for default in node.args.defaults + [d for d in node.args.kw_defaults if d]:
                self.visit(default)
            params = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
            self.lambda_reads |= _names_read(node.body) - params
            return
        if isinstance(node, ast.comprehension):
            self.local |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.Call):
            self.has_call = True
            func = node.func
            if (isinstance(func, ast.Name) and func.id not in self.bound
                    and func.id not in SAFE_BUILTIN_CALLS):
                raise _NotConstant
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            self.reads.add(node.id)
        for child in ast.iter_child_nodes(node):
            self.visit(child)


def _first_line(stmt):
    decorators = getattr(stmt, "decorator_list", [])
    return min([stmt.lineno] + [d.lineno for d in decorators])


def _names_read(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _plain_target_names(targets):
    names = []
    for target in targets:
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)) and all(
                isinstance(e, ast.Name) for e in target.elts):
            names.extend(e.id for e in target.elts)
        else:
            return None
    return tuple(names)


def _is_course_lib(module):
    return module == "course_lib" or module.startswith("course_lib.")


# ---------------------------------------------------------------- output

HEADER = "# Extracted by autograder.extract: imports, definitions and constants only.\n"


def _render(units, keep):
    """Module text of the kept units (__future__ imports first) and their line spans."""
    chosen = sorted(keep, key=lambda o: (not units[o].text.startswith("from __future__"), o))
    parts, spans = [HEADER], []
    line = HEADER.count("\n") + 1
    for order in chosen:
        unit = units[order]
        parts.append(f"# cell {unit.cell + 1}\n")
        line += 1
        n = unit.text.count("\n") + 1
        parts.append(unit.text + "\n")
        spans.append((line, line + n - 1, unit.cell, unit.line))
        line += n
    return "".join(parts), spans


def _duplicate_messages(scan, found):
    out = []
    for name in sorted(found):
        cells = scan.defined_at.get(name, [])
        if len(cells) > 1:
            where = ", ".join(str(c + 1) for c in cells)
            out.append(f"{name} is defined {len(cells)} times (cells {where}); the last "
                       f"definition, in cell {cells[-1] + 1}, is graded")
    return out


def _missing_messages(scan, nb, missing, grade_ids):
    out = []
    for name in sorted(missing):
        pattern = re.compile(rf"^\s*(async\s+)?(def|class)\s+{re.escape(name)}\b", re.MULTILINE)
        broken = [(i, g) for i, g, text in scan.broken_cells if pattern.search(text)]
        if broken:
            out.append(f"{name} is missing: it is written in {_cell_label(*broken[-1])}, which "
                       "does not parse (see the message above)")
        elif name in scan.reference_imports:
            out.append(f"{name} is missing: it is only imported from course_lib "
                       f"({_cell_label(scan.reference_imports[name])}); write your own")
        elif name in scan.dropped_assignments:
            out.append(f"{name} is missing: {_cell_label(scan.dropped_assignments[name])} assigns "
                       "it with a statement that runs code; define it with def instead")
        elif name in grade_ids and _cells_with_grade_id(nb, grade_ids[name]):
            index = _cells_with_grade_id(nb, grade_ids[name])[-1]
            defines = _defined_names(_source_of(nb.cells[index]))
            instead = f"defines {', '.join(defines)} instead" if defines else "defines nothing"
            out.append(f"{name} is missing: its answer cell, {_cell_label(index, grade_ids[name])}, "
                       f"{instead}")
        else:
            out.append(f"{name} is missing: no code cell defines it")
    return out


def _copied_grade_id_messages(nb, grade_ids):
    out = []
    for grade_id in sorted(set(grade_ids.values())):
        cells = _cells_with_grade_id(nb, grade_id)
        if len(cells) > 1:
            out.append(f"grade_id {grade_id!r} is on cells {', '.join(str(c + 1) for c in cells)} "
                       "(a copied cell?); definitions are taken by name, the last one wins")
    return out


def _cells_with_grade_id(nb, grade_id):
    return [i for i, c in enumerate(nb.cells) if _grade_id(c) == grade_id]


def _defined_names(text):
    python, _ = _python_of(text)
    try:
        tree = ast.parse(python or "")
    except SyntaxError:
        return []
    return [s.name for s in tree.body
            if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
