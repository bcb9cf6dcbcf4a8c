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
Points are all or nothing per test, as in nbgrader: ``points`` if passed, else 0.
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

from autograder.extract import UNREADABLE, extract_source
from autograder.grading.record import NOT_IMPLEMENTED, Record, SubmissionResult, failed_submission
from autograder.proxies import ProxyError, Remote, StudentRaised, SubmissionAbort, make_proxies
from autograder.sandbox import SubmissionFault
from course_lib.selfcheck.core import CheckFailure

TEST_SECONDS = 120.0     # budget of one test's hidden code, on top of the per-call limit


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
    classes = _class_names(extraction.source)
    shared = _spawn(pool, extraction, assignment.graded_names, limits, result.notes)
    try:
        for test in assignment.tests:
            missing = [n for n in test.student_names if n not in extraction.found]
            if missing:
                status, message, output = "missing", _missing_message(missing, extraction), ""
            elif shared is not None:
                status, message, output = run_test(shared, test, extraction.locate, classes, test_seconds)
            else:
                status, message, output = _run_alone(pool, notebook, assignment, test, limits, classes,
                                                      test_seconds)
            result.records.append(Record(student, assignment.name, test.grade_id, test.function,
                                         test.points if status == "passed" else 0, test.points,
                                         status, message))
            if output:
                result.outputs[test.grade_id] = output
    finally:
        if shared is not None:
            if shared.restarts:
                result.notes.append(f"the worker was restarted {shared.restarts} time(s) after a timeout "
                                    "or a crash; the tests after it ran on a fresh copy of the code")
            result.notes.extend(shared.notes)
            shared.close()
    result.seconds = time.perf_counter() - start
    return result


def run_test(worker, test, locate=None, class_names=(), test_seconds=TEST_SECONDS):
    """Execute one test's hidden code with proxies; -> (status, message, printed output)."""
    worker.replace_if_left_behind()   # threads an earlier test's call left running cost this test nothing
    remote = Remote(worker, deadline=time.monotonic() + test_seconds, locate=locate)
    namespace = {"__builtins__": builtins, "__name__": "__hidden_test__",
                 **make_proxies(remote, test.student_names, class_names)}
    code = compile(test.hidden_code, f"<hidden test {test.grade_id}>", "exec")
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")   # the check's own warnings never cost points
        status, message = _outcome(code, namespace, test)
    output = remote.output
    if remote.output_dropped:
        output += f"\n[... {remote.output_dropped} more characters of output not shown]"
    return status, message, output


def _outcome(code, namespace, test):
    try:
        exec(code, namespace)
    except CheckFailure as exc:
        return "failed", str(exc) or "a check failed"
    except NotImplementedError as exc:
        who = f": {exc.label} raises NotImplementedError" if isinstance(exc, StudentRaised) else ""
        return "failed", f"{NOT_IMPLEMENTED}{who}"
    except SubmissionAbort as exc:
        return exc.status, exc.message
    except StudentRaised as exc:
        return "error", f"{exc.label} raised {exc.type_name}: {exc.text}"
    except ProxyError as exc:
        return "error", f"the grader could not run this test: {exc}"
    except RecursionError:
        return "error", (f"the check of {test.function} ran out of stack (RecursionError) while examining "
                         "the results: are they nested very deeply?")
    except Exception as exc:  # the check itself stopped: say so, without its code or inputs
        return "error", (f"the check of {test.function} stopped with {type(exc).__name__} while examining "
                         "the results (a value of an unexpected type or shape?)")
    return "passed", ""


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


def _run_alone(pool, notebook, assignment, test, limits, classes, test_seconds):
    """A test in a worker of its own, holding only what this test needs."""
    extraction = extract_source(notebook, _wanted(assignment, test.student_names))
    try:
        worker = pool.spawn(extraction.source, graded_names=assignment.graded_names, limits=limits)
    except SubmissionFault as fault:
        status = "timeout" if fault.status == "timeout" else "error"
        return status, (f"loading the code of {test.function} failed: "
                        f"{fault.located(extraction.locate).describe()}"), ""
    try:
        return run_test(worker, test, extraction.locate, classes, test_seconds)
    finally:
        worker.close()


def _missing_message(missing, extraction):
    said = [note.message for note in extraction.missing_notes(missing)]
    if said:
        return "; ".join(said)
    return f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not defined in the notebook"


def _class_names(source):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {s.name for s in tree.body if isinstance(s, ast.ClassDef)}


def _load_note(failure, locate):
    """A statement that failed while loading -> "while loading, cell 5, line 3: NameError: ..."."""
    fault = failure.fault.located(locate)
    place = locate(failure.statement) if failure.statement is not None else None
    if place is None:
        return f"while loading: {fault.describe()}"
    return f"while loading, cell {place[0] + 1}, line {place[1]}: {fault.describe()}"
