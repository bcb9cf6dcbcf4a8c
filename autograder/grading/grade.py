"""Stage "grade": every task of a Plan, each by the judge, in supervised grading processes.

    for task, result in grade(todo.tasks, Settings(limits, test_seconds, jobs=4)):
        ...                                   # results arrive as they finish

The process model, from the top:
  caller      (``workbook grade``) owns the output folder: it alone writes files,
              and it runs no judge, so nothing a submission does reaches it
  grading processes (``jobs`` of them, at least one) each run the judge
              (autograder.judge.grade_submission) with one sandbox WorkerPool,
              one submission at a time, and send a heartbeat every second
  zygote and workers  (autograder/sandbox/) run the submission's code

The caller supervises its grading processes. One that dies (killed from
outside, or by the OOM killer) costs only the submission it was grading,
whose result then says "the grading process died", and a fresh process
takes its place; one that stops answering (SIGSTOP, a hang) is noticed when
its heartbeat is ``stall_seconds`` late, or when one submission has taken
longer than all its tests could, and is killed and replaced the same way.
A grading process dies with the caller (PR_SET_PDEATHSIG), its zygote with
it and the workers with their zygote, so a run killed from outside leaves
no process behind; the result files already written are whole (store.py).

A task whose submission has a ``problem`` (discovery could not tell its
assignment) becomes a result that records the problem, without a worker.
A notebook that vanished or cannot be read becomes an error result, and so
does a submission the grader itself failed on.
"""
import collections
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
from dataclasses import dataclass

from autograder.grading.record import failed_submission
from autograder.grading.releases import sandbox_package
from autograder.judge import TEST_SECONDS, grade_submission
from autograder.sandbox import Limits, WorkerPool
from autograder.sandbox.limits import die_with_parent

HEARTBEAT_SECONDS = 1.0
GRADING_PROCESS_DIED = "error: the grading process died"


@dataclass(frozen=True)
class Settings:
    """How to grade: the sandbox's limits (None: Limits()), the budget of one test, processes.

    ``stall_seconds``: a grading process whose heartbeat is this late is
    stopped or stuck, and is replaced.
    """

    limits: object = None
    test_seconds: float = TEST_SECONDS
    jobs: int = 1
    stall_seconds: float = 60.0


def grade(tasks, settings=Settings()):
    """Yield (task, SubmissionResult) for every task, as each finishes (problems first)."""
    tasks = list(tasks)
    for task in tasks:
        if task.submission.problem:
            # the assignment's full marks when it is known, so a refused notebook shows 0 of them
            yield task, failed_submission(task.submission.student, task.assignment or task.submission.assignment,
                                          task.submission.problem)
    # by assignment: a grading process keeps one warm zygote per release package
    runnable = sorted((t for t in tasks if not t.submission.problem), key=lambda t: t.assignment.name)
    if runnable:
        yield from Supervisor(settings).run(runnable)


def grade_task(pool, task, settings=Settings()):
    """The SubmissionResult of one task, graded in ``pool``, its workers importing the assignment's release."""
    sub = task.submission
    try:
        view = AssignmentPool(pool, task.assignment.name)
        result = grade_submission(view, sub.notebook, task.assignment, sub.student, limits=settings.limits,
                                  test_seconds=settings.test_seconds)
        result.notes.extend(view.notes())
        return result
    except (OSError, ValueError) as exc:   # the notebook vanished, or could not be read
        return failed_submission(sub.student, task.assignment, f"the notebook could not be graded: "
                                                               f"{type(exc).__name__}: {str(exc)[:300]}")
    except Exception as exc:   # the grader's own failure (a sandbox that cannot start): this submission only
        return failed_submission(sub.student, task.assignment, f"error: the grader failed on this submission "
                                                               f"({type(exc).__name__}: {str(exc)[:300]})")


class AssignmentPool:
    """A WorkerPool as the judge sees it while grading one assignment: every worker imports its release.

    It also remembers the confinement layers its workers reported, so that a
    result says when the platform lacks one (``notes``).
    """

    def __init__(self, pool, assignment_name):
        self.pool, self.assignment_name = pool, assignment_name
        self.package = sandbox_package(assignment_name)
        self.layers = None

    def spawn(self, source, *, graded_names, limits=None):
        worker = self.pool.spawn(source, graded_names=graded_names, limits=limits, package=self.package)
        self.layers = worker.protections if self.layers is None else self.layers
        return worker

    def notes(self):
        """Sentences for the result: the protections this platform could not give."""
        said = []
        if self.package is None:
            said.append(f"{self.assignment_name} is not in the syllabus, so there is no release of it to grade "
                        "against: the worker imported the repository's course_lib")
        if self.layers is not None and "seccomp" not in self.layers:
            said.append("the kernel's system-call filter (seccomp, Linux x86-64) is not available here: a "
                        "submission's signals and processes were refused by audit hooks only, and the run "
                        "relied on its supervisor to replace a grading process or zygote it harmed")
        if self.layers is not None and "landlock" not in self.layers:
            said.append("Landlock (Linux 5.13 or later) is not available here: the worker could read files "
                        "outside the release package")
        return said


def submission_deadline(task, settings):
    """Seconds after which a grading process still on ``task`` is stuck, even if its heartbeat goes on."""
    limits = settings.limits or Limits()
    per_test = settings.test_seconds + 2 * limits.load_seconds + limits.wall_seconds
    return 120.0 + len(task.assignment.tests) * per_test


# ---------------------------------------------------------------- the caller's side

class GradingProcess:
    """One grading process as the supervisor sees it: its pipe, its task, when it last spoke."""

    def __init__(self, context, settings):
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs, os.getpid(), settings.limits),
                                       name="grading process")
        self.process.start()
        theirs.close()
        self.task = self.index = None
        self.heard = self.started = time.monotonic()

    def give(self, index, task, settings):
        self.index, self.task, self.started = index, task, time.monotonic()
        self.conn.send((index, task, settings))

    def kill(self):
        if self.process.is_alive():   # once joined, its pid may belong to someone else
            try:
                os.kill(self.process.pid, signal.SIGKILL)   # a stopped process dies of SIGKILL too
            except (ProcessLookupError, PermissionError):
                pass
        self.process.join()
        self.conn.close()


class Supervisor:
    """Runs tasks in ``settings.jobs`` grading processes, replacing any that dies or stops.

    ``processes`` holds the live GradingProcess objects while ``run`` goes on
    (each has ``process``, the multiprocessing.Process, and ``task``).
    """

    def __init__(self, settings):
        self.settings = settings
        self.processes = []
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else None)

    def run(self, tasks):
        queue = collections.deque(enumerate(tasks))
        self.processes = processes = [GradingProcess(self.context, self.settings)
                                      for _ in range(min(self.settings.jobs, len(tasks)))]
        try:
            for proc in processes:
                self._next(proc, queue)
            while any(p.task is not None for p in processes):
                busy = [p for p in processes if p.task is not None]
                multiprocessing.connection.wait([p.conn for p in busy] + [p.process.sentinel for p in busy],
                                                timeout=HEARTBEAT_SECONDS)
                for i, proc in enumerate(processes):
                    if proc.task is None:
                        continue
                    result, trouble = self._listen(proc)
                    if result is not None:
                        task = proc.task
                        proc.task = None
                        yield task, result
                        self._next(proc, queue)
                    elif trouble:
                        task = proc.task
                        proc.kill()
                        processes[i] = proc = GradingProcess(self.context, self.settings)
                        yield task, failed_submission(task.submission.student, task.assignment,
                                                      f"{GRADING_PROCESS_DIED} ({trouble}); the other "
                                                      "submissions were graded in a fresh process")
                        self._next(proc, queue)
        finally:
            for proc in processes:
                self._stop(proc)

    def _next(self, proc, queue):
        if queue:
            proc.give(*queue.popleft(), self.settings)

    def _listen(self, proc):
        """-> (the result, if it came; what went wrong with the process, or "")."""
        try:
            while proc.conn.poll():
                message = proc.conn.recv()
                proc.heard = time.monotonic()
                if message[0] == "result" and message[1] == proc.index:
                    return message[2], ""
        except (EOFError, OSError):
            pass
        if not proc.process.is_alive():
            code = proc.process.exitcode
            how = f"killed by {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit {code}"
            return None, how
        now = time.monotonic()
        if now - proc.heard > self.settings.stall_seconds:
            return None, f"it stopped answering for {self.settings.stall_seconds:g} s"
        if now - proc.started > submission_deadline(proc.task, self.settings):
            return None, "it took longer than every test of the assignment could"
        return None, ""

    def _stop(self, proc):
        if proc.task is None and proc.process.is_alive():
            try:
                proc.conn.send(None)
                proc.process.join(timeout=30)
            except (OSError, ValueError):
                pass
        proc.kill()


# ---------------------------------------------------------------- a grading process

def _serve(conn, caller, limits):
    """Grade what the caller sends, one task at a time, until it sends None or goes away."""
    die_with_parent(caller)
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the caller's to handle
    _one_blas_thread()
    lock = threading.Lock()
    threading.Thread(target=_heartbeat, args=(conn, lock), daemon=True).start()
    pool = None
    try:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                return
            if message is None:
                return
            index, task, settings = message
            if pool is None:
                try:   # its first zygote is the one this task needs
                    pool = WorkerPool(limits, package=sandbox_package(task.assignment.name))
                except Exception as exc:   # this task says why; the next one tries again
                    result = failed_submission(task.submission.student, task.assignment,
                                               f"error: the sandbox could not start ({str(exc)[:300]})")
            if pool is not None:
                result = grade_task(pool, task, settings)
            with lock:
                conn.send(("result", index, result))
    finally:
        if pool is not None:
            pool.close()


def _one_blas_thread():
    """Hold numpy's BLAS in this grading process to one thread.

    The checks multiply small arrays, next to this process's worker and the other
    grading processes: on 2 cores, BLAS threads per process only spin waiting for a
    core (measured: a class graded with --jobs 2 took a third less time with one).
    threadpoolctl comes with scikit-learn; without it the process keeps numpy's setting.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=1, user_api="blas")


def _heartbeat(conn, lock):
    while True:
        time.sleep(HEARTBEAT_SECONDS)
        try:
            with lock:
                conn.send(("alive",))
        except (OSError, ValueError):
            return
