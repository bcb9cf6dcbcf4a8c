"""The folder a worker imports from while grading an assignment: its release package and the sandbox.

    folder = sandbox_package("01_backprop")     # cached; None if the syllabus does not know it
    pool.spawn(source, graded_names=..., package=folder)

The folder holds exactly two packages:
  course_lib/            the release of the assignment (autograder.release.build.write_package):
                         every function graded in this assignment or a later one is a stub that
                         raises NotImplementedError("you write <name> in notebook NN")
  autograder/sandbox/    a copy of the sandbox's own modules (with an empty autograder/__init__.py),
                         which the zygote runs as ``python -m autograder.sandbox.worker``
The zygote gets only this folder on its path, and Landlock lets a worker read
only it and Python's own files, so nothing of the repository is reachable:
not solutions/, not the hidden checks in autograder/checks/, not the
reference course_lib. The sandbox is copied rather than left readable in
place so that no path of the repository is on the allow-list at all.

Folders live under the user's cache (``$XDG_CACHE_HOME/dl-workbook/sandbox``,
``WORKBOOK_SANDBOX_CACHE``, or a private folder of the temp dir), one per content hash of the release plan,
the files it ships and the sandbox's sources: editing course_lib or the
sandbox makes a new folder, and concurrent grading processes agree on it.
A folder is built in a temporary sibling and renamed into place, so no
reader ever sees half of one.
"""
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from autograder.release.build import COURSE_LIB, write_package
from autograder.release.files import release_files
from autograder.release.plan import stub_plan
from autograder.syllabus import SYLLABUS

SANDBOX = Path(__file__).resolve().parents[1] / "sandbox"
_built = {}


def cache_root():
    """Where the folders are kept: the user's cache, or a private folder of the temp dir if that is not writable."""
    configured = os.environ.get("WORKBOOK_SANDBOX_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    root = Path(base) / "dl-workbook" / "sandbox"
    try:
        root.mkdir(parents=True, exist_ok=True)
        return root
    except OSError:
        pass
    root = Path(tempfile.gettempdir()) / f"dl-workbook-sandbox-{os.getuid()}"
    root.mkdir(mode=0o700, exist_ok=True)
    if root.stat().st_uid != os.getuid():   # someone else's folder: its packages cannot be trusted
        return Path(tempfile.mkdtemp(prefix="dl-workbook-sandbox-"))
    return root


def sandbox_package(assignment_name, course_lib=COURSE_LIB):
    """The folder of ``assignment_name``'s release and the sandbox (built once); None if not in the syllabus."""
    try:
        number = SYLLABUS[assignment_name].number
    except KeyError:
        return None
    plan = stub_plan(number)
    sources = _sources(Path(course_lib), number)
    key = _content_hash(plan, sources)
    if key in _built:
        return _built[key]
    folder = cache_root() / f"{SYLLABUS[number].name}-{key[:16]}"
    if not (folder / "course_lib" / "__init__.py").exists():
        _build(folder, plan, Path(course_lib))
    _built[key] = folder
    return folder


def _sources(course_lib, number):
    """[(name in the folder, path)] of every file the folder's content depends on."""
    files = [(rel.as_posix(), course_lib.parent / rel) for rel in release_files(course_lib, number)]
    files += [(f"autograder/sandbox/{p.name}", p) for p in sorted(SANDBOX.glob("*.py"))]
    return files


def _content_hash(plan, sources):
    digest = hashlib.sha256(json.dumps([plan.number, plan.through, plan.stubs], sort_keys=True).encode())
    for name, path in sources:
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _build(folder, plan, course_lib):
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    try:
        write_package(staging, plan, course_lib)
        sandbox = staging / "autograder" / "sandbox"
        sandbox.mkdir(parents=True)
        note = '"""The sandbox alone (see autograder/grading/releases.py)."""\n'
        (staging / "autograder" / "__init__.py").write_text(note)
        for path in sorted(SANDBOX.glob("*.py")):
            shutil.copyfile(path, sandbox / path.name)
        os.chmod(staging, 0o755)
        try:
            os.rename(staging, folder)
        except OSError:
            if not (folder / "course_lib" / "__init__.py").exists():   # not a concurrent build that won
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
