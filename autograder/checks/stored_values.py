"""Build the values the self-checks compare with: ``python -m autograder.checks.stored_values [NN ...]``.

Each notebook's trusted half, ``autograder/checks/nbNN/stored.py``, has
``build() -> dict[str, ndarray]``: the self-check's cases, computed from
course_lib's references on fixed seeds, with the outputs of the known
mistakes. They are written, uncompressed so the bytes are stable, to
``course_lib/selfcheck/nbNN/stored.npz`` (course_lib.selfcheck.stored reads
them). A test checks that the committed values equal a fresh build to a
tolerance that survives a change of CPU or BLAS.
"""
import importlib
import sys

import numpy as np

from autograder.syllabus import SYLLABUS
from course_lib.selfcheck.stored import stored_path


def home(notebook):
    """"nb03" for notebook "03" or "03_cnn_backprop"."""
    return f"nb{SYLLABUS[notebook].number}"


def build(notebook):
    """The stored values of one notebook, freshly computed from the references."""
    return importlib.import_module(f"autograder.checks.{home(notebook)}.stored").build()


def write(notebook):
    """Build and write one notebook's stored values atomically; -> (path, number of arrays)."""
    values = build(notebook)
    path = stored_path(home(notebook))
    tmp = path.with_name("stored.tmp.npz")
    np.savez(tmp, **values)
    tmp.replace(path)
    return path, len(values)


def main(argv=None):
    numbers = (argv if argv is not None else sys.argv[1:]) or [nb.number for nb in SYLLABUS]
    for number in numbers:
        path, count = write(number)
        print(f"wrote {count} arrays to {path}")


if __name__ == "__main__":
    main()
