"""Hand-written submissions for the demo class and its tests, as answer-cell source text.

    from autograder.demo.answer_cells import catalogue
    entry = catalogue("02_minibatch")
    entry.alternatives    # [Variant(grade_id, label, source), ...]   valid: full marks
    entry.mistakes        # [Mistake(grade_id, label, source, expected_phrase, tests), ...]
    BROKEN                # (autograder.demo.answer_cells.broken) hostile or broken notebooks

A ``source`` is the whole text of one nbgrader answer cell (the cell whose
grade_id is ``grade_id``), written as a student would: it is swapped into
the solution notebook with autograder.submissions.with_answer and graded by
the real judge. The modules nb01.py ... nb07.py hold one notebook each.

A Variant is a valid implementation (loops instead of vectorised code,
another but equivalent formula, float32 steps where the result stays inside
the checks' tolerance): it must get full marks. A Mistake is a typical
error: it must lose exactly the points of ``tests`` (by default the one test
``test_<grade_id>``) and keep every other test; the message of the first of
``tests`` (the test of the function that is wrong) contains
``expected_phrase``. The later ones fail because they call the wrong
function (a backward test runs the student's forward too).
"""
import importlib
from dataclasses import dataclass

from autograder.syllabus import SYLLABUS

# Valid alternatives that both graders accept but that make the notebook's own experiments (which only
# nbgrader runs) take minutes: a Jacobian batch-norm backward in 06's timing cell, a dense L-BFGS
# direction in 07's network experiment. Comparisons with nbgrader leave them out.
SLOW_IN_NOTEBOOK = {("06_batchnorm", "batchnorm_backward"), ("07_second_order", "lbfgs_direction")}



@dataclass(frozen=True)
class Variant:
    """A valid answer cell: full marks for every test."""

    grade_id: str        # the answer cell it replaces
    label: str           # a few words, e.g. "loops over output positions"
    source: str          # the cell's whole text


@dataclass(frozen=True)
class Mistake:
    """A typical mistake in one answer cell, and how the grader must diagnose it."""

    grade_id: str        # the answer cell it replaces
    label: str
    source: str
    expected_phrase: str   # the first lost test's message contains it
    tests: tuple = ()      # the graded tests it costs, diagnosed one first; () means ("test_" + grade_id,)

    @property
    def lost_tests(self):
        return tuple(self.tests) or (f"test_{self.grade_id}",)


@dataclass(frozen=True)
class Catalogue:
    """The hand-written answer cells of one notebook."""

    assignment: str
    alternatives: list
    mistakes: list


def catalogue(assignment):
    """The Catalogue of an assignment name such as "03_cnn_backprop" (KeyError if there is none)."""
    module = importlib.import_module(f"{__name__}.nb{SYLLABUS[assignment].number}")
    return Catalogue(assignment, list(module.ALTERNATIVES), list(module.MISTAKES))
