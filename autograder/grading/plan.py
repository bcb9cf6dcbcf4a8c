"""Stage "plan": which of the discovered submissions are left to grade.

    todo = plan(found, assignments, out_dir, regrade=False)    # found: a Discovery
    todo.tasks      # [Task(submission, assignment, notebook_sha256)], in discovery order
    todo.skipped    # [Submission] whose stored result holds this notebook and these tests

A submission is skipped when ``out_dir`` already holds its result for the
same notebook (SHA-256) and the same hidden tests and points
(autograder/grading/store.py, ``is_done``); an unreadable result file is
graded again. With ``regrade``, or without ``out_dir`` (Gradescope, pytest),
everything is a task. A submission discovery could not place (``problem``)
is a task too: grading it records the problem.
"""
import json
from dataclasses import dataclass, field

from autograder.grading.store import (
    RESULTS_DIR,
    collect,
    feedback_path,
    file_hash,
    is_done,
    result_path,
    write_text_atomic,
)


@dataclass(frozen=True)
class Task:
    """One submission to grade, against its assignment (None when ``submission.problem`` says why not)."""

    submission: object            # autograder.grading.discover.Submission
    assignment: object            # autograder.assignments.Assignment, or None
    notebook_sha256: str = None


@dataclass
class Plan:
    tasks: list = field(default_factory=list)
    skipped: list = field(default_factory=list)

    @property
    def total(self):
        return len(self.tasks) + len(self.skipped)


def plan(discovery, assignments, out_dir=None, *, regrade=False):
    """The Plan for a Discovery (autograder/grading/discover.py); ``assignments`` is {name: Assignment}."""
    todo = Plan()
    for sub in discovery.submissions:
        digest = file_hash(sub.notebook)
        target = assignments.get(sub.assignment)
        if out_dir is not None and not regrade and is_done(out_dir, sub.student, sub.assignment, digest, target):
            todo.skipped.append(sub)
        else:
            todo.tasks.append(Task(sub, target, digest))
    return todo


def stale_results(out_dir, discovery, only=None):
    """Stored results whose submission discovery no longer finds (of assignment ``only``, if given)."""
    present = {(s.student, s.assignment) for s in discovery.submissions}
    return [r for r in collect(out_dir).results
            if (r.student, r.assignment) not in present and (only is None or r.assignment == only)]


def remove_result(out_dir, result):
    """Delete a stored result's file and feedback page (its submission is gone)."""
    for path in (result_path(out_dir, result.student, result.assignment),
                 feedback_path(out_dir, result.student, result.assignment)):
        path.unlink(missing_ok=True)
    folder = result_path(out_dir, result.student, result.assignment).parent
    if folder.is_dir() and folder.parent.name == RESULTS_DIR and not any(folder.iterdir()):
        folder.rmdir()


def store_again(out_dir, result):
    """Rewrite a stored result in place (its hashes kept), e.g. after the gradebook gave its late penalty."""
    write_text_atomic(result_path(out_dir, result.student, result.assignment),
                      json.dumps(result.to_json(), indent=1, ensure_ascii=False) + "\n")
