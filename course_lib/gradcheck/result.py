"""Outcomes of gradient checks, as data a program can test and sentences a student can read.

``GradCheckResult`` describes one check of one parameter (or of one random
direction through all parameters); ``GradCheckReport`` gathers the results of
several parameters and says which are right and which are wrong.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # only for the annotation; diagnose.py imports this module
    from course_lib.gradcheck.diagnose import Diagnosis


@dataclass(frozen=True)
class GradCheckResult:
    """One gradient check.

    Attributes
    ----------
    name : str
        The parameter checked (e.g. ``"w"``), or the parameters a directional
        check moved together (e.g. ``"w, b"``).
    passed : bool
        ``worst_error < threshold``.
    worst_error : float
        The largest relative error found (the lecture's rho); ``inf`` when the
        gradient has the wrong shape or non-finite entries.
    worst_index : tuple of int or None
        Index of the worst entry; None for a directional check or when the
        shapes differ.
    expected, actual : float or None
        The reference (or numerical) value and the checked value at that entry.
    threshold : float
        The bound the error was compared with.
    diagnosis : Diagnosis or None
        What kind of mistake it looks like, when one was recognised.
    message : str
        A full sentence for the student.
    """

    name: str
    passed: bool
    worst_error: float
    worst_index: Optional[tuple]
    expected: Optional[float]
    actual: Optional[float]
    threshold: float
    diagnosis: Optional["Diagnosis"]
    message: str

    def __str__(self):
        return self.message


def _join(names):
    return ", ".join(names)


@dataclass(frozen=True)
class GradCheckReport:
    """The results of checking several parameters, in the order they were checked.

    ``report.passed`` is True when every parameter passed (an empty report has
    not passed: nothing was checked); ``report["b"]`` is the result for ``b``;
    ``str(report)`` is a summary line followed by one line per parameter.
    """

    results: tuple

    def __post_init__(self):
        # Accept any iterable (e.g. a list) but store a tuple: the report is frozen.
        object.__setattr__(self, "results", tuple(self.results))

    @property
    def passed(self):
        return bool(self.results) and all(r.passed for r in self.results)

    @property
    def right(self):
        """Names of the parameters whose check passed."""
        return [r.name for r in self.results if r.passed]

    @property
    def wrong(self):
        """Names of the parameters whose check failed."""
        return [r.name for r in self.results if not r.passed]

    def __getitem__(self, name):
        for result in self.results:
            if result.name == name:
                return result
        raise KeyError(f"no result for {name!r}; the report covers {self.names}")

    @property
    def names(self):
        return [r.name for r in self.results]

    @property
    def summary(self):
        """One sentence: all right, all wrong, or 'right for w, wrong for b'."""
        if not self.results:
            return "Nothing was checked."
        if self.passed:
            return f"Gradients are right for every parameter ({_join(self.right)})."
        if not self.right:
            return f"Gradients are wrong for every parameter ({_join(self.wrong)})."
        return f"Gradients are right for {_join(self.right)}, wrong for {_join(self.wrong)}."

    def __str__(self):
        lines = [self.summary]
        lines += [f"  [{'ok' if r.passed else 'FAIL'}] {r.message}" for r in self.results]
        return "\n".join(lines)
