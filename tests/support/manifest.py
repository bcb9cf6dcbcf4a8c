"""Does a syllabus agree with a folder of solution notebooks? Used by the architecture test and by
the test that follows the README's steps for adding a graded function."""
from autograder.assignments import load_assignments


def disagreements(syllabus, solutions_dir):
    """Every way ``syllabus`` and the nbgrader metadata of ``solutions_dir`` differ, as sentences."""
    assignments = load_assignments(solutions_dir)
    found = []
    if list(assignments) != [nb.name for nb in syllabus]:
        found.append(f"notebooks {list(assignments)} against the syllabus's {[nb.name for nb in syllabus]}")
    for nb in syllabus:
        a = assignments.get(nb.name)
        if a is None:
            continue
        if [(t.grade_id, t.points, t.student_names) for t in a.tests] != \
                [(t.grade_id, t.points, t.names) for t in nb.tests]:
            found.append(f"{nb.name}: graded tests (grade id, points, names) differ")
        if [t.grade_function for t in a.tests] != [f"grade_{t.check}" if t.check else "" for t in nb.tests]:
            found.append(f"{nb.name}: the hidden tests call other grade functions than the syllabus's checks")
        if {n for names in a.solution_cells.values() for n in names} != set(nb.written):
            found.append(f"{nb.name}: the answer cells define other names than the syllabus lists")
        if [(w.grade_id, w.points) for w in a.written] != list(nb.written_answers):
            found.append(f"{nb.name}: written answers differ")
        if (a.max_score, a.total_points) != (nb.points, nb.total_points):
            found.append(f"{nb.name}: points differ")
    return found
