"""One table per notebook makes both checks of every graded test.

A notebook's home, ``course_lib/selfcheck/nbNN/``, lists one ``Row`` per
check: its stem, the per-case check, and where the self-check's cases come
from (the values stored with the notebook). The trusted half,
``autograder/checks/nbNN/``, adds where the hidden check's cases come from
(fresh inputs, expected values from the references). Both run the same
``check_case`` over their cases, so the visible and the hidden check agree by
construction:

    TABLE = Table("nb03", [
        Row("conv2d_backward", check_conv2d_backward_case, stored_conv2d_cases, "..."),
    ])
    check_conv2d_backward = TABLE.self_check("conv2d_backward")     # what the student runs
    grade_conv2d_backward = hidden_check(TABLE, "conv2d_backward", fresh_conv2d_cases)  # autograder

``check_case(*student_functions, case)`` raises ``CheckFailure`` with a
diagnosis, or returns; a case is whatever the notebook's cases are (a small
dataclass as a rule). The functions are taken in the order of the row's
graded names, e.g. ``(conv2d_forward, conv2d_backward)``.
"""
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Row:
    """The check of one graded test (or of an optional function)."""

    check: str                   # "conv2d_backward": names check_<check> and grade_<check>
    check_case: Callable         # check_case(*student_functions, case) -> None, or raises CheckFailure
    stored_cases: Callable       # () -> iterable of the self-check's cases
    doc: str = ""                # what the cases cover, for the made functions' docstrings


def run_cases(row, cases, functions):
    """Run ``row.check_case`` on every case; the first failure stops the check."""
    for case in cases:
        row.check_case(*functions, case)


def made_check(prefix, row, cases, doc):
    """A function ``<prefix>_<row.check>(*functions)`` that runs the row on ``cases()``."""
    def check(*functions):
        run_cases(row, cases(), functions)

    check.__name__ = check.__qualname__ = f"{prefix}_{row.check}"
    check.__doc__ = doc
    check.row, check.cases = row, cases   # for tools that run the cases one at a time (call counts)
    return check


class Table:
    """The rows of one notebook, by check stem."""

    def __init__(self, notebook, rows):
        self.notebook = notebook                     # "nb03", as the stored values are named
        self.rows = {row.check: row for row in rows}
        if len(self.rows) != len(rows):
            raise ValueError(f"{notebook}: two rows share a check stem")

    def row(self, check):
        try:
            return self.rows[check]
        except KeyError:
            raise KeyError(f"{self.notebook} has no check {check!r}; it has {sorted(self.rows)}") from None

    def self_check(self, check):
        """The student's ``check_<check>(*functions)``: the row's case check on the stored cases."""
        row = self.row(check)
        return made_check("check", row, row.stored_cases,
                          f"Self-check of {check} on stored cases. {row.doc}".strip())
