"""Stage "write results": one result file per submission, read back to resume and to make the sheets.

    path = write_result(out_dir, task, result)    # OUT/results/<student>/<assignment>.json, atomically
    stored = collect(out_dir)                     # StoredResults: every readable result, the problems
    is_done(out_dir, student, assignment, notebook_hash, assignment)   # used by stage "plan"

The output folder of ``workbook grade``:
    OUT/results/<student>/<assignment>.json    one per submission, written atomically when it is graded
    OUT/feedback/<student>/<assignment>.html   (autograder/grading/feedback.py)
    OUT/grades.json, OUT/grades.csv            (autograder/grading/sheets.py)

A result file is written to a temporary file in the same folder and moved
into place with os.replace, so a run that is killed leaves either the whole
file or none. It stores the SHA-256 of the notebook and of the assignment's
tests: a later run skips a submission whose file exists with the same
hashes (``is_done``), and grades it again if the notebook or the tests
changed, or with --regrade. Student and assignment names become file names
through ``safe_name``, which is one-to-one on names of any bytes.
"""
import hashlib
import json
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.grading.record import ResultFileError, SubmissionResult

SAFE_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
NAME_CHARS = 200      # of an escaped name; file systems allow 255 bytes
RESULTS_DIR = "results"
FEEDBACK_DIR = "feedback"


def safe_name(text):
    """A file name for a student or assignment name of any bytes, one-to-one.

    Every byte of the name (``os.fsencode``: a name read from disk keeps the
    bytes that are not UTF-8) outside [A-Za-z0-9_-] becomes %XX, so two
    different names never share a file, "." and ".." cannot occur, and a
    folder literally named like another student's escaped name is escaped
    again ("Anna%20Lee" -> "Anna%2520Lee"). The empty name is "%". A name
    whose escaped form is longer than NAME_CHARS keeps its first part and
    adds "%%" and the SHA-256 of all its bytes ("%%" occurs in no other
    escaped name).
    """
    raw = os.fsencode(str(text))
    escaped = "".join(chr(b) if b in SAFE_BYTES else f"%{b:02X}" for b in raw) or "%"
    if len(escaped) > NAME_CHARS:
        head = escaped[:NAME_CHARS - 66]
        if "%" in head[-2:]:                  # do not cut an escape in two
            head = head[:head.rindex("%")]
        escaped = head + "%%" + hashlib.sha256(raw).hexdigest()
    return escaped


def display_name(text):
    """A name as text to show (a sheet, a page): bytes that are not UTF-8 as \\xNN."""
    return os.fsencode(str(text)).decode("utf-8", "backslashreplace")


def result_path(out_dir, student, assignment):
    return Path(out_dir) / RESULTS_DIR / safe_name(student) / f"{safe_name(assignment)}.json"


def feedback_path(out_dir, student, assignment):
    return Path(out_dir) / FEEDBACK_DIR / safe_name(student) / f"{safe_name(assignment)}.html"


def file_hash(path):
    """SHA-256 of a regular file, opened without following a link; None for anything else.

    (A submission refused by discovery, a link or a folder, is stored with hash None.)
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    with os.fdopen(fd, "rb") as f:
        digest = hashlib.sha256()
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def tests_hash(assignment):
    """Changes when the assignment's hidden tests or points change (None: not an assignment)."""
    if assignment is None:
        return None
    text = json.dumps([[t.grade_id, t.points, t.run_code] for t in assignment.tests])
    return hashlib.sha256(text.encode()).hexdigest()


def write_text_atomic(path, text):
    """Write ``text`` to ``path`` so that readers see the old file or the whole new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # a name that is not UTF-8 (a lone surrogate) is written as \udcXX: in JSON text the
        # same string again, in a sheet or a page a visible escape, never an exception
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_result(out_dir, task, result):
    """Stage "write results": store ``result``, the grading of ``task`` (autograder/grading/plan.py); -> path."""
    path, _ = save_result(out_dir, result, task.submission.notebook, task.notebook_sha256, task.assignment)
    return path


def save_result(out_dir, result, notebook, notebook_hash, assignment=None):
    """Write one SubmissionResult, stamped with its notebook and hashes; -> (path, the result)."""
    result.notebook, result.notebook_sha256 = str(notebook), notebook_hash
    result.tests_sha256 = tests_hash(assignment)
    path = result_path(out_dir, result.student, result.assignment)
    write_text_atomic(path, json.dumps(result.to_json(), indent=1, ensure_ascii=False) + "\n")
    return path, result


def load_result(path):
    """The SubmissionResult stored at ``path``, or None if there is no such file.

    Raises ResultFileError, naming the file and the fix, if it is not a result file this grader can read.
    """
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ResultFileError(_unreadable(path, f"not valid JSON: {exc}")) from None
    try:
        return SubmissionResult.from_json(data)
    except ResultFileError as exc:
        raise ResultFileError(_unreadable(path, str(exc))) from None


def is_done(out_dir, student, assignment_name, notebook_hash, assignment=None):
    """True if a result for this exact notebook and these tests is already stored (an unreadable one is not)."""
    try:
        stored = load_result(result_path(out_dir, student, assignment_name))
    except ResultFileError:
        return False
    return (stored is not None and stored.notebook_sha256 == notebook_hash
            and stored.tests_sha256 == tests_hash(assignment))


@dataclass
class StoredResults:
    """Every readable result file of an output folder, and a sentence for each one that is not."""

    results: list = field(default_factory=list)    # [SubmissionResult], by student then assignment
    problems: list = field(default_factory=list)


def collect(out_dir):
    """Every stored result, sorted by student then assignment; -> StoredResults."""
    stored = StoredResults()
    for path in sorted((Path(out_dir) / RESULTS_DIR).glob("*/*.json")):
        try:
            result = load_result(path)
        except ResultFileError as exc:
            stored.problems.append(str(exc))
            continue
        if result is not None:
            stored.results.append(result)
    stored.results.sort(key=lambda r: (r.student, r.assignment))
    return stored


def _unreadable(path, reason):
    return (f"{path} is not a result file this grader can read ({reason}); delete it, or grade again "
            "with --regrade to replace it")
