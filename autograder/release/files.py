"""Which files of course_lib go into the release of notebook k.

Everything of ``course_lib`` except caches, and of the notebooks' self-checks
only the one of notebook k, in either layout of a notebook's home:
  * a module ``course_lib/selfcheck/nbNN.py`` with ``course_lib/selfcheck/expected/nbNN.npz``;
  * a package ``course_lib/selfcheck/nbNN/`` holding ``stored.npz``.
The shared modules of ``course_lib/selfcheck/`` (core, common, table, ...) go in.

    for path in release_files(COURSE_LIB, "03"): ...   # paths relative to course_lib's parent
"""
import re
from pathlib import Path

HOME = re.compile(r"nb(\d\d)(\.py|\.npz)?$")
"""A notebook's home or its stored values: nb03, nb03.py, nb03.npz."""

SKIPPED_DIRS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}
SKIPPED_SUFFIXES = {".pyc", ".pyo"}


def belongs_to_other_notebook(relative, number):
    """True for a part of ``selfcheck/`` that is the home (or stored values) of a notebook other than ``number``."""
    parts = relative.parts
    if len(parts) < 3 or parts[:2] != ("course_lib", "selfcheck"):
        return False
    for part in parts[2:]:
        match = HOME.match(part)
        if match:
            return match.group(1) != number
    return False


def release_files(course_lib, number):
    """The files of the package at ``course_lib`` that release ``number`` ships, relative to its parent, sorted."""
    course_lib = Path(course_lib)
    root = course_lib.parent
    chosen = []
    for path in sorted(course_lib.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or SKIPPED_DIRS & set(relative.parts) or path.suffix in SKIPPED_SUFFIXES:
            continue
        if belongs_to_other_notebook(relative, number):
            continue
        chosen.append(relative)
    return chosen


def module_name(relative):
    """course_lib/layers/conv.py -> course_lib.layers.conv; a package's __init__.py -> the package."""
    parts = list(Path(relative).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)
