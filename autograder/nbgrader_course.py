"""A scratch nbgrader course directory driven through nbgrader's own API.

Used to generate the student release (``autograder.generate``), by the tests
that run nbgrader's pipeline, and by the benchmark that times ``nbgrader
autograde`` against ``workbook grade``.
"""
import os
import shutil
import sys
from pathlib import Path


def put_alembic_on_path():
    """nbgrader runs the `alembic` executable of its own environment to create a gradebook: make it findable."""
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def stderr_output(cell):
    """(what a code cell wrote to stderr, whether it raised): nbgrader zeroes a graded cell for either."""
    outputs = cell.get("outputs", [])
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr")
    return text, any(o.get("output_type") == "error" for o in outputs)


class NbgraderCourse:
    """An nbgrader course rooted at ``root``: source/, release/, submitted/, autograded/."""

    def __init__(self, root):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.db_url = f"sqlite:///{self.root / 'gradebook.db'}"
        self.api = self._make_api()

    def _make_api(self):
        put_alembic_on_path()
        from nbgrader.apps import NbGraderAPI
        from traitlets.config import Config

        config = Config()
        config.CourseDirectory.root = str(self.root)
        config.CourseDirectory.db_url = self.db_url
        config.ExecutePreprocessor.timeout = 300
        return NbGraderAPI(config=config)

    @staticmethod
    def _check(result, what):
        if not result["success"]:
            raise RuntimeError(f"nbgrader {what} failed:\n{result.get('error') or result.get('log')}")

    def add_source(self, notebook_path, assignment=None):
        """Copy a source notebook in as assignment ``assignment`` (default: the file's stem)."""
        notebook_path = Path(notebook_path)
        assignment = assignment or notebook_path.stem
        folder = self.root / "source" / assignment
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(notebook_path, folder / notebook_path.name)
        return assignment

    def generate(self, assignment):
        """Run generate_assignment; returns the release folder of the assignment."""
        self._check(self.api.generate_assignment(assignment, force=True), f"generate_assignment {assignment}")
        return self.root / "release" / assignment

    def submit(self, student, assignment, notebook_path, name=None):
        """Place a notebook where nbgrader expects a collected submission."""
        folder = self.root / "submitted" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(notebook_path, folder / (name or Path(notebook_path).name))

    def autograde(self, assignment, student):
        """Run nbgrader autograde for one student."""
        self._check(self.api.autograde(assignment, student, force=True), f"autograde {assignment} {student}")

    def autograded_cell(self, assignment, student, notebook, grade_id):
        """The cell ``grade_id`` of nbgrader's autograded copy of a submission, with its outputs."""
        import nbformat

        nb = nbformat.read(self.root / "autograded" / student / assignment / notebook, as_version=4)
        (cell,) = [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id]
        return cell

    def scores(self, assignment, student):
        """Points per graded cell: {grade_id: (score, max_score)} from the gradebook."""
        from nbgrader.api import Gradebook

        with Gradebook(self.db_url) as gradebook:
            submission = gradebook.find_submission(assignment, student)
            return {
                grade.name: (grade.score, grade.max_score)
                for notebook in submission.notebooks
                for grade in notebook.grades
            }
