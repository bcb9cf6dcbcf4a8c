"""Where the course's notebooks are: the checkout's folders, or the copies an installed wheel carries.

    course_folder("solutions")     # the instructor sources the judge reads hidden tests from
    course_folder("notebooks")     # the student notebooks the release builder ships

In a checkout (or an editable install) they are ``solutions/`` and
``notebooks/`` next to ``pyproject.toml``, where instructors edit them. A
wheel carries copies in ``autograder/course_data/``, made at build time by
``setup.py``'s build step: the repository keeps one copy of every notebook,
and ``pip install .`` or an installed wheel grades the same notebooks.
"""
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT = PACKAGE_DIR.parent
PACKAGED = PACKAGE_DIR / "course_data"
FOLDERS = ("solutions", "notebooks")


def in_checkout():
    """True when this autograder is the source tree of a checkout (pyproject.toml beside it)."""
    return (CHECKOUT / "pyproject.toml").is_file()


def course_folder(name):
    """The folder ``name`` ("solutions" or "notebooks"): the checkout's, else the wheel's copy."""
    if name not in FOLDERS:
        raise ValueError(f"unknown course folder {name!r}; known: {FOLDERS}")
    return CHECKOUT / name if in_checkout() else PACKAGED / name


def default_output(name):
    """Where a command writes by default: inside the checkout, else under the working directory."""
    return CHECKOUT / name if in_checkout() else Path(name)
