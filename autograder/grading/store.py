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
through ``safe_name``.
"""
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.grading.record import ResultFileError, SubmissionResult

RESULTS_DIR = "results"
FEEDBACK_DIR = "feedback"


def safe_name(text):
    """A file name for a student or assignment: [A-Za-z0-9._-], never "." or "..", never empty.

    Names that had to change get a short hash, so two students never share a file.
    """
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", str(text)).strip(".") or "_"
    if cleaned != str(text):
        cleaned += "-" + hashlib.sha256(str(text).encode()).hexdigest()[:8]
    return cleaned


def result_path(out_dir, student, assignment):
    return Path(out_dir) / RESULTS_DIR / safe_name(student) / f"{safe_name(assignment)}.json"


def feedback_path(out_dir, student, assignment):
    return Path(out_dir) / FEEDBACK_DIR / safe_name(student) / f"{safe_name(assignment)}.html"


def file_hash(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
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
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
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
