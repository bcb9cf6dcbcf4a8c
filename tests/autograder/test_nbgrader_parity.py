"""nbgrader autograde and workbook grade give the same points, test by test, on every notebook.

Per notebook, four well-behaved students go through both graders after
nbgrader generated the release: the solutions written in (correct, full
marks), one valid alternative for each answer cell the demo has one for
(alternatives), one typical mistake for each answer cell the demo has one for
(mistakes), and the untouched student notebook (blank, zero everywhere, no
crash); the answer cells come from autograder.demo.answer_cells. This is also
the test of nbgrader's own pipeline on every notebook. nbgrader runs the hidden tests in the kernel,
workbook grade runs the same code in its judge on proxies, and the points
must agree per grade_id, except where the README says they cannot:

- nbgrader gives zero to a graded cell that writes to stderr; workbook grade
  does not count output. STDERR_ZEROED lists where that happens here, and the
  test asserts each such difference and its cause (the cell's stderr output).
- a cheat that patches numpy or the checks inside the kernel fools nbgrader,
  never the judge (test_documented_differences).

One nbgrader course per test process holds the assignments of that process;
the notebooks are parametrized so that pytest-xdist spreads them.
"""
import io
from pathlib import Path

import nbformat
import pytest

from autograder.assignments import load_assignments
from autograder.demo.answer_cells import SLOW_IN_NOTEBOOK, catalogue
from autograder.demo.class_builder import base_notebook, build_notebook
from autograder.grade import grade_folder
from autograder.nbgrader_course import NbgraderCourse, stderr_output
from autograder.submissions import with_answer

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = load_assignments()
# (assignment, student) -> {grade_id: why nbgrader zeroes that cell}; workbook grade gives it full marks.
STDERR_ZEROED = {
    ("01_backprop", "mistakes"): {
        "test_softplus": "softplus_backward calls the student's sigmoid_forward, whose 1 / (1 + exp(-x)) "
                         "overflows for large negative x: a RuntimeWarning on stderr",
    },
}


# ---------------------------------------------------------------- building and grading

def one_per_cell(items):
    """The first item for each answer cell (two answers for one cell cannot both be handed in)."""
    chosen, cells = [], set()
    for item in items:
        if item.grade_id not in cells:
            chosen.append(item)
            cells.add(item.grade_id)
    return chosen


def parity_notebooks(assignment):
    """{student: NotebookNode} for correct, alternatives and mistakes, and {student: tests it must lose}."""
    entry = catalogue(assignment.name)
    alternatives = one_per_cell(v for v in entry.alternatives if (assignment.name, v.grade_id) not in SLOW_IN_NOTEBOOK)
    mistakes = one_per_cell(entry.mistakes)
    assert alternatives and mistakes, f"the demo has no alternatives or mistakes for {assignment.name}"
    base = base_notebook(assignment)
    blank = nbformat.read(ROOT / "notebooks" / assignment.notebook, as_version=4)  # the release, untouched
    notebooks = {"correct": base, "alternatives": build_notebook(base, alternatives),
                 "mistakes": build_notebook(base, mistakes), "blank": blank}
    lost = {"correct": set(), "alternatives": set(), "mistakes": {t for m in mistakes for t in m.lost_tests},
            "blank": {t.grade_id for t in assignment.tests}}
    return notebooks, lost


@pytest.fixture(scope="session")
def course(tmp_path_factory):
    """One nbgrader course for every assignment this test process grades."""
    return NbgraderCourse(tmp_path_factory.mktemp("nbgrader-course"))


def add_assignment(course, assignment):
    if not (course.root / "release" / assignment.name).exists():
        course.add_source(ROOT / "solutions" / assignment.notebook)
        course.generate(assignment.name)


def grade_both(course, assignment, notebooks, tmp_path):
    """Submit ``notebooks`` ({student: NotebookNode}), autograde each with nbgrader, grade all with workbook grade.

    -> {student: (nbgrader {grade_id: (score, max)}, workbook grade {grade_id: (score, max)}, records)}.
    """
    add_assignment(course, assignment)
    for student, nb in notebooks.items():
        path = tmp_path / student / assignment.notebook
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
        course.submit(student, assignment.name, path)
        course.autograde(assignment.name, student)
    run = grade_folder(course.root / "submitted", tmp_path / "graded", assignment=assignment.name, regrade=True,
                       stream=io.StringIO())
    written = {w.grade_id for w in assignment.written}
    found = {}
    for student in notebooks:
        (result,) = [r for r in run.results if r.student == student and r.assignment == assignment.name]
        records = {r.test: r for r in result.records}
        ours = {test: (r.score, r.max_score) for test, r in records.items()}
        theirs = {test: (float(s), float(m)) for test, (s, m) in course.scores(assignment.name, student).items()
                  if test not in written}          # written answers wait for a TA under both graders
        found[student] = (theirs, ours, records)
    return found


def autograded_cell(course, assignment, student, grade_id):
    return course.autograded_cell(assignment.name, student, assignment.notebook, grade_id)


# ---------------------------------------------------------------- the seven notebooks

# nbgrader runs the whole notebook: 05's experiments take longest. Longest first, so that the two xdist
# workers end at about the same time.
SLOWEST_FIRST = ("05", "07", "06", "03", "04", "02", "01")
BY_COST = sorted(ASSIGNMENTS, key=lambda n: SLOWEST_FIRST.index(n[:2]) if n[:2] in SLOWEST_FIRST else 0)


@pytest.mark.slow
@pytest.mark.parametrize("name", BY_COST)
def test_nbgrader_and_workbook_grade_agree_test_by_test(name, course, tmp_path):
    assignment = ASSIGNMENTS[name]
    notebooks, must_lose = parity_notebooks(assignment)
    found = grade_both(course, assignment, notebooks, tmp_path)
    all_tests = {t.grade_id: (t.points, t.points) for t in assignment.tests}
    for student, (theirs, ours, records) in found.items():
        assert set(theirs) == set(ours) == set(all_tests), student
        assert {t: m for t, (_, m) in theirs.items()} == {t: m for t, (_, m) in all_tests.items()}, student
        # the students are what they claim to be: full marks but for the mistakes' tests
        lost = {t for t, (s, m) in ours.items() if s != m}
        assert lost == must_lose[student], (student, {t: records[t].message for t in lost ^ must_lose[student]})
        differ = {t for t in all_tests if theirs[t] != ours[t]}
        documented = STDERR_ZEROED.get((name, student), {})
        assert differ == set(documented), (student, {t: (theirs[t], ours[t]) for t in differ})
        for test in documented:   # nbgrader: zero for the stderr output alone; workbook grade: full marks
            assert theirs[test] == (0.0, all_tests[test][1]) and ours[test] == all_tests[test], test
            assert records[test].status == "passed"
            text, raised = stderr_output(autograded_cell(course, assignment, student, test))
            assert "RuntimeWarning" in text and not raised, (test, text)


# ---------------------------------------------------------------- where they must differ

NB01 = ASSIGNMENTS["01_backprop"]
# sigmoid_backward from x instead of the output; the forward is stable, so no overflow warning muddies the result
WRONG_SIGMOID = """\
def sigmoid_forward(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)), x


def sigmoid_backward(dout, cache):
    return dout * cache * (1.0 - cache)
"""
DIFFERENCE_STUDENTS = {
    # relu_forward right, but it writes to stderr whenever it is called
    "prints_to_stderr": ("relu", """\
import sys


def relu_forward(x):
    print("relu_forward: called", file=sys.stderr)
    return np.maximum(x, 0.0), x


def relu_backward(dout, cache):
    return dout * (cache > 0)
"""),
    # the checks' comparisons do not go through np.linalg.norm (course_lib.gradcheck has its own ratio)
    "patches_norm": ("sigmoid", "import numpy as np\n\nnp.linalg.norm = lambda *args, **kwargs: 0.0\n\n\n"
                     + WRONG_SIGMOID),
    # the hidden cell imports its grade function after the student's cells ran: replace it first
    "patches_checks": ("sigmoid", "import autograder.checks.nb01 as checks\n\n"
                       "checks.grade_sigmoid = lambda *args, **kwargs: None\n\n\n" + WRONG_SIGMOID),
    # the checks use neither allclose nor numpy.testing: patching them fools nobody
    "patches_allclose": ("sigmoid", """\
import numpy as np

np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
np.testing.assert_allclose = lambda *args, **kwargs: None
np.testing.assert_array_almost_equal = lambda *args, **kwargs: None


""" + WRONG_SIGMOID),
}


@pytest.mark.slow
def test_documented_differences(course, tmp_path):
    base = base_notebook(NB01)
    notebooks = {student: with_answer(base, cell, source) for student, (cell, source) in DIFFERENCE_STUDENTS.items()}
    found = grade_both(course, NB01, notebooks, tmp_path)
    full = {t.grade_id: (t.points, t.points) for t in NB01.tests}
    zero = {t: (0.0, m) for t, (_, m) in full.items()}
    unchanged = [t for t in full if t not in ("test_relu", "test_sigmoid")]

    theirs, ours, records = found["prints_to_stderr"]
    assert ours == full                                                # output never costs points
    assert theirs == {**full, "test_relu": zero["test_relu"]}          # nbgrader: the stderr line costs the cell
    text, raised = stderr_output(autograded_cell(course, NB01, "prints_to_stderr", "test_relu"))
    assert "relu_forward: called" in text and not raised

    for cheat in ("patches_checks",):                                  # the cheat fools nbgrader, not the judge
        theirs, ours, records = found[cheat]
        assert ours == {**full, "test_sigmoid": zero["test_sigmoid"]}, cheat
        assert records["test_sigmoid"].status == "failed"
        assert "must use the OUTPUT" in records["test_sigmoid"].message
        assert theirs["test_sigmoid"] == full["test_sigmoid"], cheat
        assert all(theirs[t] == ours[t] for t in unchanged), cheat

    for cheat in ("patches_norm", "patches_allclose"):                 # cheats that fool nobody
        theirs, ours, records = found[cheat]
        assert theirs == ours == {**full, "test_sigmoid": zero["test_sigmoid"]}, cheat
        assert "must use the OUTPUT" in records["test_sigmoid"].message
