"""The one build step pyproject.toml cannot declare: copy the course's notebooks into the wheel.

``solutions/`` (the instructor sources, which hold the hidden tests) and
``notebooks/`` (the student notebooks a release ships) live at the top of the
repository, where instructors edit them. setuptools' package-data can only
take files inside a package, so the wheel's build copies them into
``autograder/course_data/``; autograder/course_files.py finds either copy.
An editable install reads the checkout's folders and copies nothing.
"""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
COURSE_FOLDERS = ("solutions", "notebooks")
NOTEBOOKS = "[0-9][0-9]_*.ipynb"


class BuildWithCourseNotebooks(build_py):
    """build_py, then the course's notebooks into build/lib/autograder/course_data/<folder>/."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for folder in COURSE_FOLDERS:
            target = Path(self.build_lib) / "autograder" / "course_data" / folder
            self.mkpath(str(target))
            for notebook in sorted((HERE / folder).glob(NOTEBOOKS)):
                self.copy_file(str(notebook), str(target / notebook.name))


setup(cmdclass={"build_py": BuildWithCourseNotebooks})
