"""Stage "grade": every task of a Plan, each by the judge, in one process or several.

    for task, result in grade(todo.tasks, Settings(limits, test_seconds, jobs=4)):
        ...                                   # results arrive as they finish

One submission is graded by autograder.judge.grade_submission in a sandbox
WorkerPool. With ``jobs`` > 1, tasks are spread over that many processes
(forked where the platform allows), each owning one WorkerPool made by the
process initializer; results come back to the caller, which alone writes
files. A task whose submission has a ``problem`` (discovery could not tell
its assignment) becomes a result that records the problem, without a
worker. A notebook that vanished or cannot be read becomes an error result.
"""
import multiprocessing
import multiprocessing.util
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from autograder.grading.record import failed_submission
from autograder.judge import TEST_SECONDS, grade_submission
from autograder.sandbox import WorkerPool


@dataclass(frozen=True)
class Settings:
    """How to grade: the sandbox's limits (None: Limits()), the budget of one test, processes."""

    limits: object = None
    test_seconds: float = TEST_SECONDS
    jobs: int = 1


def grade(tasks, settings=Settings()):
    """Yield (task, SubmissionResult) for every task, as each finishes (problems first)."""
    tasks = list(tasks)
    for task in tasks:
        if task.submission.problem:
            yield task, failed_submission(task.submission.student, task.submission.assignment,
                                          task.submission.problem)
    runnable = [t for t in tasks if not t.submission.problem]
    if settings.jobs == 1 or len(runnable) <= 1:
        if runnable:
            with WorkerPool(settings.limits) as pool:
                for task in runnable:
                    yield task, grade_task(pool, task, settings)
        return
    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    executor = ProcessPoolExecutor(max_workers=min(settings.jobs, len(runnable)), mp_context=context,
                                   initializer=_start_process, initargs=(settings.limits,))
    try:
        futures = {executor.submit(_grade_in_process, task, settings): task for task in runnable}
        for future in as_completed(futures):
            yield futures[future], future.result()
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown()


def grade_task(pool, task, settings=Settings()):
    """The SubmissionResult of one task, graded in ``pool``."""
    sub = task.submission
    try:
        return grade_submission(pool, sub.notebook, task.assignment, sub.student, limits=settings.limits,
                                test_seconds=settings.test_seconds)
    except (OSError, ValueError) as exc:   # the notebook vanished, or could not be read
        return failed_submission(sub.student, task.assignment, f"the notebook could not be graded: "
                                                               f"{type(exc).__name__}: {str(exc)[:300]}")


# ---------------------------------------------------------------- grading processes

_process_pool = None


def _start_process(limits):
    """Initializer of a grading process: its own warm sandbox pool, closed when the process ends."""
    global _process_pool
    _process_pool = WorkerPool(limits)
    multiprocessing.util.Finalize(None, _process_pool.close, exitpriority=10)


def _grade_in_process(task, settings):
    return grade_task(_process_pool, task, settings)
