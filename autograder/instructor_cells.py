"""The instructor's cells of a source notebook, run in the judge for tests that read their names.

    cells = InstructorCells(assignment)                  # once per submission
    namespace = cells.namespace_before(test.cell, bindings, test.instructor_names)
    exec(test.run_code, namespace)                       # the test sees the helpers and data, as in the kernel

nbgrader runs a notebook top to bottom in one kernel: a graded test cell
sees every earlier cell's names. The judge does the same with the trusted
part: the source notebook's code cells that are neither answer cells nor
graded test cells (imports, helpers, data) run here, in order, up to the
test's cell. Only the statements the test needs run: a backward slice
from the names the test reads keeps every import, and each statement that
defines or changes (``data.append(...)``, ``net.params["w"] *= 2``) a
needed name, with what that statement reads in turn; plots, prints and
training experiments that define nothing the test reads are left out
(nbgrader would run them, for output nobody grades). The student's names
(``bindings``) are proxies into the sandbox, bound for each test so that
each test's time budget applies. A statement that raises is recorded and
skipped, as nbgrader's autograde goes on after a failing cell; what the
statements print is discarded.

The course folder is never put on sys.path for this: the cells import the
judge's own packages (a release's stubbed ``course_lib`` next to a source
notebook must not shadow the real one).
"""
import ast
import builtins
import contextlib
import io
import warnings
from dataclasses import dataclass

from autograder.proxies import SubmissionAbort


@dataclass(frozen=True)
class Statement:
    """One top-level statement of an instructor cell."""

    cell: int              # index of its cell in the notebook
    code: object           # compiled
    is_import: bool
    defines: frozenset     # names it binds or changes
    reads: frozenset       # names it reads (in nested bodies too: more is safe)


def _parse(cell, source, failures):
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        failures.append((cell, type(exc).__name__))
        return ast.Module(body=[], type_ignores=[])


def _imported(trees):
    """Names bound by imports: modules, whose method calls (np.random.seed(0)) change no data of the notebook."""
    return {(a.asname or a.name).split(".")[0] for tree in trees for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom)) for a in node.names}


def _statements(cell, tree, modules, failures):
    found = []
    for node in tree.body:
        module = ast.Module(body=[node], type_ignores=[])
        try:
            code = compile(module, f"<instructor cell {cell + 1}>", "exec")
        except (SyntaxError, ValueError, RecursionError) as exc:
            failures.append((cell, type(exc).__name__))
            continue
        found.append(Statement(cell, code, isinstance(node, (ast.Import, ast.ImportFrom)),
                               frozenset(_defines(node) - (set() if isinstance(node, (ast.Import, ast.ImportFrom))
                                                           else modules)),
                               frozenset(_reads(node))))
    return found


def _defines(node):
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
            names.add(sub.id)
        elif isinstance(sub, (ast.Attribute, ast.Subscript)) and isinstance(sub.ctx, (ast.Store, ast.Del)):
            names.add(_base(sub))
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute):
        names.add(_base(node.value.func))       # data.append(3) changes data (a module's call is dropped below)
    names.discard(None)
    return names


def _base(node):
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _reads(node):
    return {sub.id for sub in ast.walk(node) if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load)}


def needed_statements(statements, names):
    """The statements that a reader of ``names`` needs, in their order: a backward slice."""
    needed, kept = set(names), []
    for statement in reversed(statements):
        if statement.is_import or statement.defines & needed:
            kept.append(statement)
            needed |= statement.reads
    return kept[::-1]


class InstructorCells:
    """The instructor's statements of one source notebook, run for each test that reads their names."""

    def __init__(self, assignment):
        self.failures = []                              # (cell index, exception type name)
        trees = [(cell, _parse(cell, source, self.failures)) for cell, source in assignment.setup_cells]
        modules = _imported(tree for _, tree in trees)
        self.statements = [s for cell, tree in trees for s in _statements(cell, tree, modules, self.failures)]

    def namespace_before(self, cell_index, bindings, names):
        """A namespace with what the test before ``cell_index`` reads of ``names``, ``bindings`` bound."""
        namespace = {"__builtins__": builtins, "__name__": "__main__", **bindings}
        earlier = [s for s in self.statements if s.cell < cell_index]
        for statement in needed_statements(earlier, names):
            try:
                with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                        contextlib.redirect_stderr(io.StringIO()):
                    warnings.simplefilter("ignore")
                    exec(statement.code, namespace)
            except (Exception, SubmissionAbort) as exc:   # the kernel goes on after a failing cell
                self.failures.append((statement.cell, type(exc).__name__))
        return namespace
