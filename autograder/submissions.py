"""Ready-made submissions, for tests and the demo.

``filled_notebook(solution, student)`` is what a student who wrote exactly
the solutions would hand in: the released notebook (its stubs, metadata
and checksums) with every answer cell's source replaced by the solution
cell of the same grade_id, minus the ``### BEGIN/END SOLUTION`` marker lines.
``with_answer(nb, grade_id, source)`` swaps one answer cell, e.g. for a
typical mistake.
"""
import copy

import nbformat

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"


def filled_notebook(solution_path, student_path):
    """-> a NotebookNode: the student notebook with the solutions written in.

    Raises ValueError if an answer cell of the student notebook has no
    solution cell with the same grade_id.
    """
    solution = nbformat.read(solution_path, as_version=4)
    student = copy.deepcopy(nbformat.read(student_path, as_version=4))
    answers = {}
    for cell in solution.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("solution") and meta.get("grade_id"):
            answers[meta["grade_id"]] = without_solution_markers(cell.source)
    for cell in student.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("solution") and meta.get("grade_id"):
            if meta["grade_id"] not in answers:
                raise ValueError(f"{student_path}: answer cell {meta['grade_id']!r} has no solution "
                                 f"in {solution_path}")
            cell.source = answers[meta["grade_id"]]
    return student


def without_solution_markers(source):
    """Cell text without the BEGIN/END SOLUTION lines (the code between them is kept)."""
    lines = source.split("\n")
    return "\n".join(line for line in lines if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION))


def with_answer(notebook, grade_id, source):
    """A copy of ``notebook`` whose answer cell ``grade_id`` holds ``source`` (a typical mistake, say)."""
    changed = copy.deepcopy(notebook)
    cells = [c for c in changed.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id]
    if not cells:
        raise KeyError(f"the notebook has no cell with grade_id {grade_id!r}")
    for cell in cells:
        cell.source = source
    return changed
