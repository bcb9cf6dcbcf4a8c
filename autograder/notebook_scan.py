"""Reading a notebook's cells and scanning their statements, for autograder/extract.py.

    nb = read_notebook(path)                 # a NotebookNode, or None if it is not a notebook
    scan = Scan(wanted)
    for index, cell in enumerate(nb.cells):
        scan.add_cell(index, source_of(cell), grade_id_of(cell))
    scan.units, scan.current, scan.notes, scan.closure(found)

Nothing here runs the notebook: statements are parsed with ``ast`` and kept
as Units (an import, a definition, a constant) with the names they bind and
read. Cell text is scanned line by line, without regular expressions, so the
time taken grows linearly with the text; IPython's own transformer only sees
cells small enough for it (TRANSFORMER_WORK), and every parse is bounded in
size and depth (autograder/bounded_parse.py). A file larger than
MAX_NOTEBOOK_BYTES, or that is not a regular file, is not read.
"""
import ast
import builtins
import os
import stat
from dataclasses import dataclass, field

import nbformat

from autograder.bounded_parse import parse_bounded


@dataclass(frozen=True)
class Note:
    """A fact about the notebook worth telling the student, with its structure as fields.

    ``kind`` is one of: unreadable, skipped (a cell magic), unparsable, reference_import,
    duplicate, missing, copied_grade_id. ``text`` is the sentence for the feedback page;
    ``message`` the one for a record (for a name missing because its cell does not
    parse, it carries the parser's reason).
    """

    kind: str
    text: str
    name: str = ""          # the graded name it is about
    cell: int = None        # 0-based index into nb.cells
    line: int = None        # 1-based line in that cell (a parse error's line)
    grade_id: str = ""
    reason: str = ""        # unparsable: the parser's message; missing: why (see extract.py); ...
    message: str = ""

    def __post_init__(self):
        if not self.message:
            object.__setattr__(self, "message", self.text)


KEPT_CELL_MAGICS = {"time", "capture"}   # run the cell's Python as is
# IPython's transformer re-reads the whole cell for each magic line: cells where
# (lines that may be IPython) x (characters) exceeds this get _without_ipython, linear.
TRANSFORMER_WORK = 64_000
MAX_NOTEBOOK_BYTES = 64 * 2**20
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
class Unit:
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


# ---------------------------------------------------------------- reading cells

def read_notebook(notebook):
    """A NotebookNode of ``notebook`` (a path, a dict or a NotebookNode), or None if it is not one.

    A path must be a regular file of at most MAX_NOTEBOOK_BYTES (a FIFO would block the read).
    """
    if isinstance(notebook, (str, os.PathLike)):
        if not os.path.exists(notebook):
            raise FileNotFoundError(f"no notebook at {notebook}")
        try:
            info = os.stat(notebook)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_NOTEBOOK_BYTES:
                return None
            notebook = nbformat.read(notebook, as_version=4)
        except Exception:  # not JSON, not a notebook, nested too deeply: the student gets a message
            return None
    try:
        if isinstance(notebook, dict) and not isinstance(notebook, nbformat.NotebookNode):
            notebook = nbformat.from_dict(notebook)
        if notebook.get("nbformat", 4) < 4:
            notebook = nbformat.convert(notebook, 4)
    except Exception:  # a dict that is no notebook
        return None
    return notebook if isinstance(notebook, dict) and isinstance(notebook.get("cells"), list) else None


def source_of(cell):
    """A cell's text; whatever the JSON holds (a list of lines, a string, junk) becomes a str."""
    source = cell.get("source", "") if isinstance(cell, dict) else ""
    if isinstance(source, list):
        return "".join(s if isinstance(s, str) else "" for s in source)
    return source if isinstance(source, str) else ""


def grade_id_of(cell):
    """The cell's nbgrader grade_id if it is a string, else None."""
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    meta = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
    return grade_id if isinstance(grade_id, str) else None


def cell_label(index, grade_id=None):
    return f"cell {index + 1}" + (f" (grade_id {grade_id!r})" if grade_id else "")


def python_of(source):
    """IPython cell text -> (Python text with the same line numbers, or None, why not)."""
    lines = source.split("\n")
    first = lines[0].strip()
    if first.startswith("%%"):
        magic = first[2:].split()[0] if first[2:].split() else ""
        if magic not in KEPT_CELL_MAGICS:
            return None, f"it is a %%{magic} cell"
        source = "\n".join([""] + lines[1:])
        lines = source.split("\n")
    ipython_lines = sum(1 for line in lines if _may_be_ipython(line))
    if not ipython_lines:
        return source, None
    if ipython_lines * len(source) > TRANSFORMER_WORK:
        return _without_ipython(lines), None
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return _without_ipython(lines), None
    try:
        # line magics and shell escapes become get_ipython() calls, one line each
        return TransformerManager().transform_cell(source), None
    except Exception:
        return source, None


def _without_ipython(lines):
    """Magic, shell and help lines made plain Python in one pass, line numbers kept.

    For cells too large for IPython's transformer, whose time grows with the
    number of magic lines times the cell's length: ``%x``/``!x``/``x?``
    become ``pass`` (a line continued with a backslash continues the
    magic), ``name = %x``/``name = !x`` become ``name = get_ipython()``
    (a statement that runs code, as IPython would make it). Unlike the
    transformer it does not know about strings: a line of a multi-line
    string that looks like a magic is changed too.
    """
    out, continued = [], False
    for line in lines:
        if continued:
            out.append("")
            continued = line.endswith("\\")
            continue
        stripped = line.strip()
        indent = line[:len(line) - len(line.lstrip())]
        target, _, rest = line.partition("=")
        if stripped[:1] in ("%", "!") or (stripped.endswith("?") and not stripped.startswith("#")):
            out.append(indent + "pass")
            continued = line.endswith("\\")
        elif rest.lstrip()[:1] in ("%", "!") and _plain_names(target):
            out.append(f"{indent}{target.strip()} = get_ipython()")
            continued = line.endswith("\\")
        else:
            out.append(line)
    return "\n".join(out)


def _plain_names(target):
    """True if ``target`` is ``a`` or ``a, b``: names only."""
    names = [n.strip() for n in target.split(",")]
    return bool(names) and all(n.isidentifier() for n in names)


def _may_be_ipython(line):
    """True if ``line`` may hold IPython syntax: a magic or shell line, ``x?``, ``files = !ls``.

    Errs on the side of yes (the transformer then decides); one pass over the line, no regex.
    """
    stripped = line.strip()
    squeezed = stripped.replace(" ", "").replace("\t", "")
    return stripped[:1] in ("%", "!") or stripped.endswith("?") or "=%" in squeezed or "=!" in squeezed


def starts_definition(text, name):
    """True if a line of ``text`` starts ``def name``, ``async def name`` or ``class name`` (text need not parse)."""
    for line in text.split("\n"):
        words = line.split(None, 2)
        if words[:1] == ["async"]:
            words = line.split(None, 3)[1:]
        if len(words) >= 2 and words[0] in ("def", "class") and words[1].startswith(name):
            after = words[1][len(name):len(name) + 1]
            if not (after.isalnum() or after == "_"):
                return True
    return False


# ---------------------------------------------------------------- scanning

class Scan:
    """Walks the cells in order and records every statement worth keeping."""

    def __init__(self, wanted):
        self.wanted = wanted
        self.units = []
        self.current = {}          # name -> order of the unit that binds it now
        self.notes = []            # [Note], in notebook order
        self.broken_cells = []     # (its "unparsable" Note, text) of each cell that does not parse
        self.reference_imports = {}  # graded name -> cell index of the dropped import
        self.defined_at = {}       # wanted name -> cells of every definition
        self.dropped_assignments = {}  # name -> cell of an assignment that runs code

    def add_cell(self, index, text, grade_id):
        python, why_not = python_of(text)
        if python is None:
            self.notes.append(Note("skipped", f"{cell_label(index, grade_id)} was skipped: {why_not}",
                                   cell=index, grade_id=grade_id or "", reason=why_not))
            return
        try:
            tree = parse_bounded(python)
        except SyntaxError as exc:
            note = Note("unparsable", f"{cell_label(index, grade_id)} was skipped: it does not parse "
                                      f"({exc.msg} on line {exc.lineno} of the cell)",
                        cell=index, line=exc.lineno, grade_id=grade_id or "", reason=exc.msg)
            self.notes.append(note)
            self.broken_cells.append((note, text))
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
            self._bind(Unit(len(self.units), "def", (stmt.name,), text, cell, line,
                             deps=_names_read(stmt), calls_code=True))
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
            self._add_assignment(stmt, text, cell, line)

    def _add_import(self, stmt, cell, line):
        module = (stmt.module or "") if isinstance(stmt, ast.ImportFrom) else ""
        for alias in stmt.names:
            if isinstance(stmt, ast.ImportFrom):
                if _is_course_lib(module) and alias.name in self.wanted:
                    self.reference_imports.setdefault(alias.name, cell)
                    self.notes.append(Note(
                        "reference_import", f"{cell_label(cell)}: ignored `from {module} import {alias.name}`; "
                                            "a graded function must be written in the notebook",
                        name=alias.name, cell=cell, reason=module))
                    continue
                one = ast.ImportFrom(module=stmt.module, names=[alias], level=stmt.level)
                bound = alias.asname or alias.name
            else:
                one = ast.Import(names=[alias])
                bound = alias.asname or alias.name.split(".")[0]
            # star and __future__ imports are always kept: what they bind is not visible here
            always = alias.name == "*" or module == "__future__"
            self._bind(Unit(len(self.units), "always" if always else "import",
                             () if always else (bound,), ast.unparse(one), cell, line))

    def _add_assignment(self, stmt, text, cell, line):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        names = _plain_target_names(targets)
        if names is None:
            return  # cfg["lr"] = ..., obj.attr = ...: not a binding
        if isinstance(stmt.value, ast.Lambda):
            self._bind(Unit(len(self.units), "def", names, text, cell, line,
                             deps=_names_read(stmt.value), calls_code=True))
            return
        checked = [stmt.value] + ([stmt.annotation] if isinstance(stmt, ast.AnnAssign) else [])
        verdict = self._constant_deps(checked)
        if verdict is None:
            for name in names:
                self.dropped_assignments[name] = cell
            return
        deps, calls_code = verdict
        self._bind(Unit(len(self.units), "constant", names, text, cell, line, deps=deps,
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
