"""Generate the student notebooks from the instructor sources with nbgrader.

``solutions/NN_name.ipynb`` is an nbgrader source notebook. nbgrader's own
``generate_assignment`` step (in a throw-away course directory) replaces
solutions by stubs, removes hidden tests and locks cells; the result is
written, without outputs, to ``notebooks/NN_name.ipynb``. Run it with
``make notebooks``.
"""
import sys
import tempfile
from pathlib import Path

import nbformat

from autograder.nbgrader_course import NbgraderCourse

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"


def strip_outputs(nb):
    """Remove outputs and execution counts in place; notebooks are stored clean."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def generate(sources, out_dir):
    """Generate one student notebook per source path into out_dir; returns the written paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="nbgrader-course-") as tmp:
        course = NbgraderCourse(tmp)
        for source in map(Path, sources):
            release = course.generate(course.add_source(source))
            nb = nbformat.read(release / source.name, as_version=4)
            target = out_dir / source.name
            nbformat.write(strip_outputs(nb), target)
            written.append(target)
    return written


def main():
    sources = sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))
    if not sources:
        sys.exit(f"no solution notebooks found in {SOLUTIONS}")
    for path in generate(sources, NOTEBOOKS):
        print(f"generated {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
