"""The instructor's cells of a source notebook, run in the judge for tests that read their names.

    cells = InstructorCells(assignment)                  # once per submission
    namespace = cells.namespace_before(test.cell, bindings)
    exec(test.run_code, namespace)                       # the test sees the helpers and data, as in the kernel

nbgrader runs a notebook top to bottom in one kernel: a graded test cell
sees every earlier cell's names. The judge does the same with the trusted
part: the source notebook's code cells that are neither answer cells nor
graded test cells (imports, helpers, data) run here, in order, up to the
test's cell, in one namespace shared by the tests that follow. The
student's names in that namespace (``bindings``) are proxies into the
sandbox, rebound for each test so that each test's time budget applies.
A cell that raises is recorded and skipped, as nbgrader's autograde goes
on after a failing cell; what the cells print is discarded.

The course folder is never put on sys.path for this: the cells import the
judge's own packages (a release's stubbed ``course_lib`` next to a source
notebook must not shadow the real one).
"""
import builtins
import contextlib
import io
import warnings

from autograder.proxies import SubmissionAbort


class InstructorCells:
    """One submission's run of the instructor's cells: the namespace grows as tests need it."""

    def __init__(self, assignment):
        self.pending = list(assignment.setup_cells)     # (cell index, Python source), in order
        self.namespace = {"__builtins__": builtins, "__name__": "__main__"}
        self.failures = []                              # (cell index, exception type name)

    def namespace_before(self, cell_index, bindings):
        """The shared namespace after every instructor cell before ``cell_index``, ``bindings`` bound."""
        self.namespace.update(bindings)
        while self.pending and self.pending[0][0] < cell_index:
            index, source = self.pending.pop(0)
            try:
                code = compile(source, f"<instructor cell {index + 1}>", "exec")
                with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                        contextlib.redirect_stderr(io.StringIO()):
                    warnings.simplefilter("ignore")
                    exec(code, self.namespace)
            except (Exception, SubmissionAbort) as exc:   # the kernel goes on after a failing cell
                self.failures.append((index, type(exc).__name__))
        return self.namespace
