"""nbgrader's own pipeline on a scratch course: generate, then autograde a
solution (full marks) and the untouched student notebook (zero, no crash)."""
import pytest

from autograder.nbgrader_course import NbgraderCourse
from notebook_runner import SOLUTIONS


@pytest.mark.slow
@pytest.mark.parametrize("source", SOLUTIONS, ids=lambda p: p.name)
def test_nbgrader_autogrades_solution_full_and_stub_zero(source, tmp_path):
    course = NbgraderCourse(tmp_path)
    assignment = course.add_source(source)
    release = course.generate(assignment)
    course.submit("solver", assignment, source)
    course.submit("blank", assignment, release / source.name)
    for student in ("solver", "blank"):
        course.autograde(assignment, student)

    full = course.scores(assignment, "solver")
    assert full, "no graded cells found by nbgrader"
    lost = {k: v for k, v in full.items() if v[0] != v[1]}
    assert not lost, f"the solution lost points in {lost}"

    blank = course.scores(assignment, "blank")
    assert set(blank) == set(full)
    scored = {k: v for k, v in blank.items() if v[0] != 0}
    assert not scored, f"the untouched student notebook earned points in {scored}"
