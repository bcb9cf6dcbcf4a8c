"""Stage "sheets": grades.json and grades.csv of an output folder, from every stored result.

    sheets = write_sheets(out_dir, stored.results)    # -> Sheets(json_path, csv_path)

grades.json holds every record (RECORD_FIELDS), by student then assignment;
grades.csv one row per student and assignment (SubmissionResult.csv_row):
student, assignment, score, max_score, then one column of points per test.
"""
import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from autograder.grading.record import csv_cell
from autograder.grading.store import write_text_atomic


@dataclass(frozen=True)
class Sheets:
    json_path: Path
    csv_path: Path


def write_sheets(out_dir, results):
    """Write grades.json and grades.csv of ``results`` (SubmissionResults) into ``out_dir``; -> Sheets."""
    return Sheets(*write_grades(out_dir, results))


def all_records(results):
    """The records of the results, in order, as JSON dicts (exactly RECORD_FIELDS)."""
    return [r.to_json() for result in results for r in result.records]


def write_grades(out_dir, results):
    """grades.json (every record) and grades.csv (one row per student and assignment); -> both paths."""
    out_dir = Path(out_dir)
    json_path, csv_path = out_dir / "grades.json", out_dir / "grades.csv"
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
