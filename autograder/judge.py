"""Grade one submission: the notebook's own hidden tests, run here, on proxies into a sandbox.

    with WorkerPool(Limits()) as pool:
        result = grade_submission(pool, "submitted/alice/01_backprop/01_backprop.ipynb",
                                  assignments["01_backprop"], student="alice")
    result.records     # one Record per graded test (autograder.grading.record)

Steps: extract the graded definitions (autograder.extract) -> load them into
one worker -> for each graded test, execute its hidden code (exactly what
nbgrader runs in the kernel) in a fresh namespace where the student names
are proxies (autograder.proxies), under a time budget per test. A test that
hangs or crashes the worker costs that test only: the next call starts a
fresh worker with the same code. If even loading the code fails (a class
body that never ends), each test loads only the definitions it needs.

Status of a test, and its message:
  passed   the hidden code ran to the end
  failed   a CheckFailure (its diagnosis), or NotImplementedError ("not implemented yet")
  missing  a name the test needs is not defined in the notebook
  timeout  over the per-call wall clock, the CPU limit or the test's time budget
  error    the submission's code raised (its exception and notebook line), crashed the
           worker, used too much memory, or returned something the check cannot read
Points are all or nothing per test, as in nbgrader: ``points`` if passed, else 0,
unless the test's last line is an expression whose value is a number: then,
as nbgrader's partial credit, that many points (at most ``points``).

Any nbgrader test works, not only ``grade_xxx(student_fn)``: plain asserts
(an AssertionError is "failed"), calls to helpers and data of earlier
instructor cells (run here by autograder.instructor_cells, only for tests
that read them), and names the student defined. A student function or
class is a proxy; a plain value the student assigned (``learning_rate =
0.1``) is read from the worker as plain data, through a small accessor
appended to the extracted code.
Messages never contain the hidden code or the check's inputs; a check that
stops on an unexpected exception of its own is reported by type only.

Where a failure is comes as fields, never from a message: the worker's
SubmissionFault carries the exception's class, its line and code
(autograder/sandbox/faults.py), located in the notebook with
Extraction.locate; extraction says why a name is missing as a Note.
"""
import ast
import builtins
import contextlib
import io
import time
import warnings

from autograder.bounded_parse import parse_bounded
from autograder.extract import UNREADABLE, extract_source
from autograder.grading.record import NOT_IMPLEMENTED, Record, SubmissionResult, failed_submission
from autograder.instructor_cells import InstructorCells
from autograder.proxies import ProxyError, Remote, StudentRaised, SubmissionAbort, make_proxies
from autograder.sandbox import SubmissionFault
from course_lib.selfcheck.core import CheckFailure

TEST_SECONDS = 120.0     # budget of one test's hidden code, on top of the per-call limit
VALUE_ACCESSOR = "__workbook_value__"
LAST_VALUE = "__workbook_last__"
ACCESSOR_SOURCE = (f"\n\ndef {VALUE_ACCESSOR}(name):   # appended by the judge: a plain value, read as data\n"
                   "    return globals()[name]\n")


def grade_submission(pool, notebook, assignment, student="", *, limits=None, test_seconds=TEST_SECONDS):
    """Grade ``notebook`` (a path or NotebookNode) for ``assignment``; -> SubmissionResult."""
    start = time.perf_counter()
    wanted = _wanted(assignment, assignment.graded_names)
    extraction = extract_source(notebook, wanted)
    if extraction.unreadable and not extraction.found:
        result = failed_submission(student, assignment, UNREADABLE + " (is it a valid .ipynb file?)")
        result.seconds = time.perf_counter() - start
        return result
    result = SubmissionResult(student, assignment.name, [], notes=list(extraction.messages))
    kinds = _kinds(extraction.source)
    values = [n for n in assignment.graded_names if n in extraction.found and n not in kinds]
    if values:
        extraction.source += ACCESSOR_SOURCE
    setup = InstructorCells(assignment) if assignment.needs_setup else None
    shared = _spawn(pool, extraction, assignment.graded_names, limits, result.notes)
    try:
        for test in assignment.tests:
            missing = [n for n in test.student_names if n not in extraction.found]
            if missing:
                status, message, output, score = "missing", _missing_message(missing, extraction), "", None
            elif shared is not None:
                status, message, output, score = run_test(shared, test, extraction.locate, kinds, test_seconds,
                                                          setup=setup, found=extraction.found, full=True)
            else:
                status, message, output, score = _run_alone(pool, notebook, assignment, test, limits, kinds,
                                                             test_seconds, setup, result)
            if score is None:
                score = test.points if status == "passed" else 0
            result.records.append(Record(student, assignment.name, test.grade_id, test.function,
                                         score, test.points, status, message))
            if output:
                result.outputs[test.grade_id] = output
    finally:
        if shared is not None:
            if shared.restarts:
                result.notes.append(f"the worker was restarted {shared.restarts} time(s) after a timeout "
                                    "or a crash; the tests after it ran on a fresh copy of the code")
            result.notes.extend(shared.notes)
            result.round_trips += shared.round_trips
            shared.close()
    result.seconds = time.perf_counter() - start
    return result


def run_test(worker, test, locate=None, class_names=(), test_seconds=TEST_SECONDS, *, setup=None, found=None,
             full=False):
    """Execute one test's code with proxies; -> (status, message, printed output[, score]).

    ``class_names`` is a set of class names, or {name: "function" | "class"} (``_kinds``): a
    student name of neither kind is a plain value, read from the worker. ``setup``
    (InstructorCells) gives the test the instructor's earlier names. ``full`` adds the
    score: None for all or nothing, a number for nbgrader's partial credit.
    """
    worker.replace_if_left_behind()   # threads an earlier test's call left running cost this test nothing
    remote = Remote(worker, deadline=time.monotonic() + test_seconds, locate=locate)
    kinds = class_names if isinstance(class_names, dict) else None
    names = test.student_names
    if setup is not None and test.instructor_names and found:   # the instructor's cells may read any of them
        names = tuple(sorted(found))
    code = _compile_cell(test.run_code, f"<hidden test {test.grade_id}>")

    def namespace():
        bindings = _bindings(remote, names, kinds, class_names)
        if setup is not None and test.instructor_names:
            return setup.namespace_before(test.cell, bindings, test.instructor_names)
        return {"__builtins__": builtins, "__name__": "__hidden_test__", **bindings}

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")   # the check's own warnings never cost points
        status, message, score = _outcome(code, namespace, test)
    output = remote.output
    if remote.output_dropped:
        output += f"\n[... {remote.output_dropped} more characters of output not shown]"
    return (status, message, output, score) if full else (status, message, output)


def _bindings(remote, names, kinds, class_names):
    """The student names as the test code sees them: proxies, and plain values read from the worker."""
    if kinds is None:
        return make_proxies(remote, names, class_names)
    callables = [n for n in names if n in kinds]
    bound = make_proxies(remote, callables, {n for n in callables if kinds[n] == "class"})
    for name in names:
        if name not in kinds:
            bound[name] = remote.call(VALUE_ACCESSOR, (name,), {})
    return bound


def _outcome(code, namespace, test):
    """-> (status, message, score or None)."""
    value = None
    try:
        value = _execute(code, namespace())
    except CheckFailure as exc:
        return "failed", str(exc) or "a check failed", None
    except NotImplementedError as exc:
        who = f": {exc.label} raises NotImplementedError" if isinstance(exc, StudentRaised) else ""
        return "failed", f"{NOT_IMPLEMENTED}{who}", None
    except SubmissionAbort as exc:
        return exc.status, exc.message, None
    except StudentRaised as exc:
        return "error", f"{exc.label} raised {exc.type_name}: {exc.text}", None
    except ProxyError as exc:
        return "error", f"the grader could not run this test: {exc}", None
    except AssertionError:   # an assert of the test did not hold: its text may quote hidden inputs
        return "failed", "an assertion of this test did not hold", None
    except RecursionError:
        return "error", (f"the check of {test.function or test.grade_id} ran out of stack (RecursionError) while "
                         "examining the results: are they nested very deeply?"), None
    except Exception as exc:  # the check itself stopped: say so, without its code or inputs
        return "error", (f"the check of {test.function or test.grade_id} stopped with {type(exc).__name__} "
                         "while examining the results (a value of an unexpected type or shape?)"), None
    partial = _partial_credit(value, test.points)
    if partial is not None and partial < test.points:
        return "failed", f"this test gave {partial:g} of {test.points:g} points", partial
    return "passed", "", partial


def _execute(code, namespace):
    """Run ``code`` (from _compile_cell) -> the value of its last line if that is an expression, else None."""
    namespace.pop(LAST_VALUE, None)
    exec(code, namespace)
    return namespace.pop(LAST_VALUE, None)


def _compile_cell(source, filename):
    """Compile a cell so that the value of a last expression line is kept, as the kernel shows it."""
    tree = ast.parse(source, filename)
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body[-1]
        tree.body[-1] = ast.copy_location(ast.Assign([ast.Name(LAST_VALUE, ast.Store())], last.value), last)
        ast.fix_missing_locations(tree)
    return compile(tree, filename, "exec")


def _partial_credit(value, points):
    """nbgrader's partial credit: a numeric last value in [0, points] is the score; else None (all or nothing)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        grade = float(repr(value))
    except (TypeError, ValueError):
        return None
    return grade if 0.0 <= grade <= points else None


# ---------------------------------------------------------------- helpers

def _wanted(assignment, names):
    """Names for extract_source: a name -> answer-cell mapping when every name has a cell."""
    cells = assignment.name_cells
    if all(n in cells for n in names):
        return {n: cells[n] for n in names}
    return list(names)


def _spawn(pool, extraction, graded_names, limits, notes):
    """A worker holding the extracted code, or None if loading it fails."""
    try:
        worker = pool.spawn(extraction.source, graded_names=graded_names, limits=limits)
    except SubmissionFault as fault:
        notes.append(f"loading the notebook's code failed ({fault.located(extraction.locate).describe()}); "
                     "each test was then run with only the definitions it needs")
        return None
    notes.extend(_load_note(failure, extraction.locate) for failure in worker.load_failures)
    return worker


def _run_alone(pool, notebook, assignment, test, limits, kinds, test_seconds, setup=None, result=None):
    """A test in a worker of its own, holding only what this test needs (its round trips added to ``result``)."""
    extraction = extract_source(notebook, _wanted(assignment, test.student_names))
    if any(n not in kinds for n in test.student_names):
        extraction.source += ACCESSOR_SOURCE
    try:
        worker = pool.spawn(extraction.source, graded_names=assignment.graded_names, limits=limits)
    except SubmissionFault as fault:
        status = "timeout" if fault.status == "timeout" else "error"
        return status, (f"loading the code of {test.function} failed: "
                        f"{fault.located(extraction.locate).describe()}"), "", None
    try:
        return run_test(worker, test, extraction.locate, kinds, test_seconds, setup=setup,
                        found=extraction.found, full=True)
    finally:
        if result is not None:
            result.round_trips += worker.round_trips
        worker.close()


def _missing_message(missing, extraction):
    said = [note.message for note in extraction.missing_notes(missing)]
    if said:
        return "; ".join(said)
    return f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not defined in the notebook"


def _kinds(source):
    """{top-level name: "function" or "class"} of the extracted source; other names are plain values."""
    try:
        tree = parse_bounded(source, max_chars=len(source))   # each kept statement passed the bounds
    except SyntaxError:
        return {}
    kinds = {}
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            kinds[stmt.name] = "function"
        elif isinstance(stmt, ast.ClassDef):
            kinds[stmt.name] = "class"
        elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Lambda):
            kinds.update({t.id: "function" for t in stmt.targets if isinstance(t, ast.Name)})
    return kinds


def _load_note(failure, locate):
    """A statement that failed while loading -> "while loading, cell 5, line 3: NameError: ..."."""
    fault = failure.fault.located(locate)
    place = locate(failure.statement) if failure.statement is not None else None
    if place is None:
        return f"while loading: {fault.describe()}"
    return f"while loading, cell {place[0] + 1}, line {place[1]}: {fault.describe()}"
