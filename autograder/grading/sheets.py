"""Stage "sheets": grades.json, grades.csv and grades_by_test.csv of an output folder, from the stored results.

    sheets = write_sheets(out_dir, stored.results)    # -> Sheets(json_path, csv_path, by_test_path)

grades.json holds every record (RECORD_FIELDS), by student then assignment.
grades.csv is the sheet for a learning-management system: one row per
student, one column per assignment (SubmissionResult.final_score: the
autograded points, plus in a course what a TA graded by hand in the
formgrader, minus the late penalty, as ``nbgrader export`` counts them),
then the total and the late penalty (summed over the assignments).
grades_by_test.csv one row per student and assignment
(SubmissionResult.csv_row): student, assignment, score, max_score, then one
column of points per test. All three are rebuilt from the result files
present, so a submission whose result is gone leaves no row.
"""
import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from autograder.grading.record import csv_cell, number
from autograder.grading.store import write_text_atomic


@dataclass(frozen=True)
class Sheets:
    json_path: Path
    csv_path: Path
    by_test_path: Path


def write_sheets(out_dir, results):
    """Write the three sheets of ``results`` (SubmissionResults) into ``out_dir``; -> Sheets."""
    json_path, by_test_path = write_grades(out_dir, results)
    csv_path = Path(out_dir) / "grades.csv"
    write_text_atomic(csv_path, lms_csv(results))
    return Sheets(json_path, csv_path, by_test_path)


def lms_csv(results):
    """CSV text: student, one column per assignment (its final_score), total, late_penalty.

    A student without a submission of an assignment gets an empty cell there.
    Submissions that could not be placed in an assignment ("unrecognised: ...") are left out.
    """
    names = sorted({r.assignment for r in results if not r.assignment.startswith("unrecognised")})
    by_student = {}
    for r in results:
        if r.assignment in names:
            by_student.setdefault(r.student, {})[r.assignment] = r
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["student", *map(csv_cell, names), "total", "late_penalty"])
    for student in sorted(by_student):
        mine = by_student[student]
        cells = [number(mine[n].final_score) if n in mine else "" for n in names]
        writer.writerow([csv_cell(student), *cells, number(sum(r.final_score for r in mine.values())),
                         number(sum(r.late_penalty for r in mine.values()))])
    return buf.getvalue()


def all_records(results):
    """The records of the results, in order, as JSON dicts (exactly RECORD_FIELDS)."""
    return [r.to_json() for result in results for r in result.records]


def write_grades(out_dir, results):
    """grades.json (every record) and grades_by_test.csv (a row per student and assignment); -> both paths."""
    out_dir = Path(out_dir)
    json_path, csv_path = out_dir / "grades.json", out_dir / "grades_by_test.csv"
    write_text_atomic(json_path, json.dumps(all_records(results), indent=1, ensure_ascii=False) + "\n")
    write_text_atomic(csv_path, grades_csv(results))
    return json_path, csv_path


def grades_csv(results):
    """CSV text: student, assignment, score, max_score, then one column of points per test.

    A test's column is its grade_id, or "<assignment>/<grade_id>" when two
    assignments share a grade_id. Tests of other assignments are left empty.
    """
    tests = []   # (assignment, grade_id) in first-seen order
    for result in sorted(results, key=lambda r: r.assignment):
        for r in result.records:
            key = (result.assignment, r.test)
            if r.test and key not in tests:
                tests.append(key)
    ids = [g for _, g in tests]
    columns = {key: key[1] if ids.count(key[1]) == 1 else f"{key[0]}/{key[1]}" for key in tests}
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["student", "assignment", "score", "max_score"] + [csv_cell(columns[k]) for k in tests])
    for result in results:
        writer.writerow(result.csv_row(tests))
    return buf.getvalue()
