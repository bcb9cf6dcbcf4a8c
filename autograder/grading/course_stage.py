"""Stage "course": what ``nbgrader autograde`` writes, for every graded submission of a course.

    lines = write_course(course, assignments, results)    # results: stored SubmissionResults

For each result of an assignment of the course (autograder/course_dir.py):
  - the gradebook (gradebook.db, through nbgrader's Gradebook): the student,
    the submission with its timestamp.txt, each test's ``auto_score``, each
    written answer's grade as nbgrader's SaveAutoGrades sets it (0 if the
    answer cell is unchanged from the release, else none: a TA grades it),
    and the late penalty: nbgrader's ``total_seconds_late`` (due date plus
    the student's extension, both from the gradebook) given to the course's
    late-submission plugin with the notebook's score, kept between 0 and
    that score, as nbgrader's AssignLatePenalties does. A manual score a TA
    gave stays, and the grade stays flagged for a look, as in nbgrader.
  - autograded/<student>/<assignment>/: the submitted notebook with the
    source's test cells put back (locked cells as the instructor wrote them)
    and each graded test's outcome as its output (an error output carrying
    the feedback message when it lost points), plus timestamp.txt. The
    formgrader (nbgrader.apps.api.NbGraderAPI) then lists the submission as
    autograded, with its score.
The result's ``timestamp``, ``seconds_late``, ``late_penalty`` and
``manual_points`` (what the TA's grades add: written answers, a test score
changed by hand) are set from the gradebook; the caller stores it again.
"""
import json
import shutil
from pathlib import Path

import nbformat
from nbformat.v4.rwbase import strip_transient

from autograder.exports.nbgrader_gradebook import CourseGradebook
from autograder.grading.feedback import duration, format_points


def write_course(course, assignments, results, *, only=None):
    """Write the gradebook and autograded/ for ``results``; -> lines saying what was written.

    ``only`` ({(student, assignment)}) limits autograded/ to those (e.g. what this run graded);
    the gradebook is written for every result, so due dates changed since are applied.
    """
    mine = [r for r in results if r.assignment in assignments and r.records and r.records[0].test]
    sources = {}      # assignment name -> its source notebook, read once
    written = 0
    with CourseGradebook(course.db_url, course.course_id, course.late_plugin()) as gradebook:
        for result in mine:
            assignment = assignments[result.assignment]
            timestamp = course.timestamp(result.student, result.assignment)
            submitted = _read(result.notebook)
            written_scores = {w.grade_id: _written_score(submitted, w.grade_id) for w in assignment.written}
            grades = gradebook.write(assignment, result, timestamp, written_scores)
            result.timestamp = timestamp.isoformat(sep=" ") if timestamp else ""
            result.seconds_late, result.late_penalty, result.manual_points = grades
            folder = course.root / "autograded" / result.student / result.assignment
            if only is None or (result.student, result.assignment) in only or not folder.is_dir():
                if assignment.name not in sources:
                    sources[assignment.name] = nbformat.read(assignment.source_path, as_version=4)
                write_autograded(course, assignment, result, submitted, folder, sources[assignment.name])
                written += 1
    lines = [f"wrote {len(mine)} submission(s) into {course.db_url} and {written} into "
             f"{course.root / 'autograded'}"]
    lines += [late_line(r) for r in mine if r.seconds_late > 0]
    return lines


def late_line(result):
    """"late: cy, hw1: 3 h 10 min after the due date, penalty 2 point(s)", as the feedback page says it."""
    return (f"late: {result.student}, {result.assignment}: {duration(result.seconds_late)} after the due date, "
            f"penalty {format_points(result.late_penalty)} point(s)")


def write_autograded(course, assignment, result, submitted, folder, source):
    """autograded/<student>/<assignment>/<notebook>: the submission, source test cells, outcomes as outputs.

    ``source`` is the assignment's source notebook (read by the caller, once per assignment; not changed here).
    """
    by_id = {_grade_id(c): c for c in source.cells if _grade_id(c)}
    nb = submitted if submitted is not None else nbformat.from_dict(source)
    for index, cell in enumerate(nb.cells):
        grade_id = _grade_id(cell)
        original = by_id.get(grade_id)
        meta = original.metadata.get("nbgrader", {}) if original is not None else {}
        if original is not None and (meta.get("locked") or (meta.get("grade") and not meta.get("solution"))):
            keep = {k: v for k, v in original.items() if k != "outputs"}
            cell = nb.cells[index] = nbformat.from_dict({**keep, "outputs": [], "execution_count": None}
                                                        if original.cell_type == "code" else keep)
        record = result.record(grade_id) if grade_id else None
        if record is not None and cell.cell_type == "code":
            cell.outputs = _outputs(record)
    folder.mkdir(parents=True, exist_ok=True)
    _write_notebook(nb, folder / assignment.notebook)
    stamp = course.submitted / result.student / result.assignment / "timestamp.txt"
    if stamp.is_file():
        shutil.copy(stamp, folder / "timestamp.txt")


def _outputs(record):
    """A test's outcome as nbgrader reads it: an error output for a lost test, a number for partial credit."""
    if record.score >= record.max_score:
        return []
    if record.score > 0:
        return [nbformat.v4.new_output("execute_result", data={"text/plain": f"{record.score:g}"},
                                       execution_count=None)]
    return [nbformat.v4.new_output("error", ename=record.status, evalue=record.message or record.status,
                                   traceback=[f"{record.status}: {record.message}"])]


def _written_score(nb, grade_id):
    """0 for a written answer left as released (nbgrader's checksum test), None when there is an answer."""
    from nbgrader.utils import compute_checksum

    if nb is None:
        return 0.0
    for cell in nb.cells:
        if _grade_id(cell) == grade_id:
            checksum = cell.metadata.get("nbgrader", {}).get("checksum")
            return 0.0 if checksum is not None and checksum == compute_checksum(cell) else None
    return 0.0


def _grade_id(cell):
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta.get("grade_id") if isinstance(meta, dict) else None


def _read(path):
    """The submitted notebook as version 4, or None.

    Not validated against the schema: nbformat.read only logs what validation
    finds, and on a class of 2,100 notebooks it costs a minute.
    """
    try:
        return nbformat.convert(nbformat.reader.reads(Path(path).read_bytes()), 4)
    except Exception:  # vanished or unreadable: the autograded copy is then the source's cells
        return None


def _write_notebook(nb, path):
    """Write ``nb`` (ours to change) as nbformat does, but on one line.

    nbformat.write indents its JSON, which makes Python's json use its pure-Python
    encoder, about 20 times slower than the C one: minutes on a class of 2,100
    notebooks. Jupyter and nbgrader read the file all the same.
    """
    strip_transient(nb)
    Path(path).write_text(json.dumps(nb, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")

