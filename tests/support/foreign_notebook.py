"""A small instructor notebook that is not part of this course, in the usual nbgrader style.

Plain asserts, one helper cell and its data, a student class, a student
value, nbgrader's partial credit, and one manually graded written answer.
``student_notebook(release, answers)`` fills the released notebook's
answer cells, as a student would.
"""
import nbformat

ANSWERS = {   # grade_id of an answer cell -> the instructor's solution
    "double": "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n",
    "square": "def square(x):\n    ### BEGIN SOLUTION\n    return x ** 2\n    ### END SOLUTION\n",
    "counter": ("class Counter:\n    ### BEGIN SOLUTION\n    def __init__(self):\n        self.n = 0\n\n"
                "    def add(self, k):\n        self.n += k\n        return self.n\n    ### END SOLUTION\n"),
    "rate": "### BEGIN SOLUTION\nlearning_rate = 0.1\n### END SOLUTION\n",
}
TESTS = (     # (grade_id, points, source)
    ("test_double", 1, "assert np.allclose(double(np.ones(3)), 2.0)\n### BEGIN HIDDEN TESTS\n"
                       "assert double(0) == 0\nassert np.allclose(double(np.arange(4.0)), [0, 2, 4, 6])\n"
                       "### END HIDDEN TESTS\n"),
    ("test_square", 2, "check_close(square(DATA), DATA ** 2)\n### BEGIN HIDDEN TESTS\n"
                       "check_close(square(-DATA), DATA ** 2)\n### END HIDDEN TESTS\n"),
    ("test_counter", 2, "### BEGIN HIDDEN TESTS\nc = Counter()\nc.add(2)\nassert c.add(3) == 5\n"
                        "### END HIDDEN TESTS\n"),
    ("test_rate", 1, "### BEGIN HIDDEN TESTS\nassert 0 < learning_rate < 1\n### END HIDDEN TESTS\n"),
    ("test_partial", 1, "### BEGIN HIDDEN TESTS\nscore = 0.0\nif double(1) == 2:\n    score += 0.5\n"
                        "if square(3) == 9:\n    score += 0.5\nscore\n### END HIDDEN TESTS\n"),
)
HELPER = ("def check_close(a, b):\n    assert np.allclose(a, b), 'not close enough'\n\n\n"
          "DATA = np.linspace(-1.0, 1.0, 5)\n")
WRITTEN = ("derivation", 2)


def _cell(kind, source, grade_id, *, grade=False, solution=False, points=None, locked=None):
    cell = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
    meta = {"grade": grade, "solution": solution, "grade_id": grade_id,
            "locked": (not solution) if locked is None else locked, "schema_version": 3}
    if points is not None:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    return cell


def source_notebook():
    """The instructor's notebook: answer cells with solutions, graded test cells with hidden tests."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    tests = {t[0]: t for t in TESTS}

    def test(grade_id):
        _, points, source = tests[grade_id]
        return _cell("code", source, grade_id, grade=True, points=points)

    nb.cells = [
        _cell("markdown", "# Warm-up (not part of this course)", "title"),
        _cell("code", "import numpy as np", "imports"),
        _cell("code", ANSWERS["double"], "double", solution=True), test("test_double"),
        _cell("code", HELPER, "helper"),
        _cell("code", ANSWERS["square"], "square", solution=True), test("test_square"),
        _cell("code", ANSWERS["counter"], "counter", solution=True), test("test_counter"),
        _cell("code", ANSWERS["rate"], "rate", solution=True), test("test_rate"),
        test("test_partial"),
        _cell("markdown", "Derive $\\frac{d}{dx} x^2$.\n\n" + "YOUR ANSWER HERE", WRITTEN[0], grade=True,
              solution=True, points=WRITTEN[1]),
    ]
    return nb


def student_notebook(release, answers, written=None):
    """The released notebook with ``answers`` ({grade_id: code}) and the written answer filled in."""
    nb = nbformat.from_dict(release)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
        if grade_id == WRITTEN[0] and written is not None:
            cell.source = written
    return nb
