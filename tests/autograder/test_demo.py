"""``workbook demo``: a simulated class built, graded end to end, and its gradebook printed."""
import contextlib
import csv
import json
from collections import Counter

import pytest

from autograder.assignments import load_assignments
from autograder.cli import SUBCOMMANDS, build_parser, main
from autograder.demo.answer_cells import Mistake
from autograder.demo.answer_cells.broken import BROKEN
from autograder.demo.class_builder import KINDS, build_class, plan_class, select_assignments
from autograder.demo.command import clear_demo_folder
from autograder.demo.gradebook import file_locations, gradebook_rows, gradebook_table, score_histogram
from autograder.grading.discover import discover
from autograder.grading.record import Record, SubmissionResult

ASSIGNMENTS = load_assignments()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One run of ``workbook demo --students 6 --assignments 01,02``: (exit code, stdout, out folder)."""
    out = tmp_path_factory.mktemp("demo") / "demo-out"
    capture = tmp_path_factory.mktemp("stdout") / "stdout.txt"
    with open(capture, "w") as f, contextlib.redirect_stdout(f):
        code = main(["demo", "--students", "6", "--assignments", "01,02", "--out", str(out), "--jobs", "2",
                     "--timeout", "3"])
    return code, capture.read_text(), out


def test_the_demo_prints_a_gradebook_table_a_histogram_and_where_the_files_are(demo):
    code, text, out = demo
    assert code == 0, text
    assert "student" in text and "01 /15" in text and "02 /14" in text and "total" in text
    assert "90-100% |" in text and "  0- 10% |" in text
    assert str(out / "grades.json") in text and str(out / "grades_by_test.csv") in text
    assert str(out / "feedback") in text
    assert "Check: all 12 scores are the ones" in text
    assert "not implemented yet" in text       # the untouched notebook's diagnosis is among the examples


def test_the_demo_writes_grades_and_feedback_for_every_submission(demo):
    _, _, out = demo
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest) == 12
    assert {m["kind"] for m in manifest} == set(KINDS)     # every kind, even in a class of 6
    records = json.loads((out / "grades.json").read_text())
    assert len(records) == 6 * len(ASSIGNMENTS["01_backprop"].tests) + 6 * len(ASSIGNMENTS["02_minibatch"].tests)
    with open(out / "grades_by_test.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted((r["student"], r["assignment"]) for r in rows) == \
        sorted((m["student"], m["assignment"]) for m in manifest)
    for m in manifest:
        page = out / "feedback" / m["student"] / f"{m['assignment']}.html"
        assert page.is_file() and "<html" in page.read_text()


def test_the_scores_agree_with_what_the_class_was_built_to_get(demo):
    _, _, out = demo
    manifest = json.loads((out / "manifest.json").read_text())
    records = json.loads((out / "grades.json").read_text())
    for m in manifest:
        a = ASSIGNMENTS[m["assignment"]]
        mine = {r["test"]: r for r in records if (r["student"], r["assignment"]) == (m["student"], a.name)}
        assert set(mine) == {t.grade_id for t in a.tests}
        score = sum(r["score"] for r in mine.values())
        not_passed = {t for t, r in mine.items() if r["status"] != "passed"}
        assert not_passed == set(m["lost_tests"]), (m, mine)
        assert score == a.max_score - sum(a.test(t).points for t in not_passed) == m["expected_score"]
        for test, outcome in m["lost_tests"].items():
            assert mine[test]["status"] == outcome["status"], (m["label"], mine[test])
            assert outcome["phrase"] in mine[test]["message"], (m["label"], mine[test]["message"])
        if m["kind"] in ("correct", "alternative"):
            assert score == a.max_score
        elif m["kind"] == "untouched":
            assert score == 0 and all(r["message"].startswith("not implemented yet") for r in mine.values())
        elif m["kind"] == "mistake":   # a typical mistake loses some points, never all
            assert 0 < score < a.max_score, m
        else:
            assert m["kind"] == "broken" and score < a.max_score, m


# ---------------------------------------------------------------- the class, without grading

def test_the_default_class_has_every_kind_and_is_deterministic():
    chosen = list(ASSIGNMENTS.values())
    plan = plan_class(chosen, 24, seed=0)
    assert len(plan) == 24 * len(chosen)
    kinds = Counter(s.kind for s in plan)
    assert kinds["untouched"] == 2 and kinds["broken"] == len(BROKEN)
    assert kinds["correct"] + kinds["alternative"] + kinds["mistake"] > 0.8 * len(plan)   # mostly good work
    assert {s.items[0].label for s in plan if s.kind == "broken"} == {b.label for b in BROKEN}
    for s in plan:
        if s.kind == "mistake":
            cells = [m.grade_id for m in s.items]
            lost = [t for m in s.items for t in m.lost_tests]
            assert all(isinstance(m, Mistake) for m in s.items) and len(set(cells)) == len(cells)
            assert len(set(lost)) == len(lost) and 1 <= len(s.items) <= 2
    again = plan_class(chosen, 24, seed=0)
    assert [(s.student, s.assignment, s.kind, s.label) for s in again] == \
        [(s.student, s.assignment, s.kind, s.label) for s in plan]
    other = plan_class(chosen, 24, seed=1)
    assert [(s.kind, s.label) for s in other] != [(s.kind, s.label) for s in plan]


def test_build_class_writes_the_nbgrader_layout_and_a_manifest(tmp_path):
    entries = build_class(tmp_path, students=3, seed=2, assignments=["04"])
    assert len(entries) == 3 and {e[1] for e in entries} == {"04_vanishing_gradients"}
    found = discover(tmp_path, ASSIGNMENTS)
    assert found.layout == "nbgrader" and not found.warnings
    assert sorted((s.student, s.assignment) for s in found.submissions) == sorted((e[0], e[1]) for e in entries)
    assert all(s.notebook.name == "04_vanishing_gradients.ipynb" and not s.problem for s in found.submissions)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert [(m["student"], m["assignment"], m["kind"], m["label"]) for m in manifest] == entries
    for m in manifest:
        assert m["max_score"] == ASSIGNMENTS["04_vanishing_gradients"].max_score
        assert m["expected_score"] == (0 if m["kind"] == "untouched" else m["max_score"] - sum(
            ASSIGNMENTS["04_vanishing_gradients"].test(t).points for t in m["lost_tests"]))


def test_assignments_are_chosen_by_number_or_name():
    assert select_assignments(ASSIGNMENTS, "01,02") == ["01_backprop", "02_minibatch"]
    assert select_assignments(ASSIGNMENTS, ["7", "03_cnn_backprop", "07"]) == ["07_second_order", "03_cnn_backprop"]
    assert select_assignments(ASSIGNMENTS) == list(ASSIGNMENTS)
    for bad in ("99", "01,nope", ","):
        with pytest.raises(ValueError):
            select_assignments(ASSIGNMENTS, bad)


def test_the_demo_never_empties_a_folder_it_did_not_make(tmp_path, capsys):
    (tmp_path / "thesis.tex").write_text("precious")
    with pytest.raises(FileExistsError):
        clear_demo_folder(tmp_path)
    assert main(["demo", "--out", str(tmp_path), "--students", "2", "--assignments", "04"]) == 2
    assert "was not made by `workbook demo`" in capsys.readouterr().err
    assert (tmp_path / "thesis.tex").read_text() == "precious"
    assert main(["demo", "--out", str(tmp_path / "x"), "--students", "0"]) == 2
    assert main(["demo", "--out", str(tmp_path / "x"), "--assignments", "42"]) == 2
    assert not (tmp_path / "x").exists()


def test_a_second_run_replaces_what_the_first_demo_wrote(tmp_path):
    build_class(tmp_path, students=2, assignments=["04"])
    (tmp_path / "grades.json").write_text("[]")
    (tmp_path / "results" / "old").mkdir(parents=True)
    clear_demo_folder(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# ---------------------------------------------------------------- the gradebook text

def result(student, assignment, scores):
    """A stored result with one record per (score, max_score) pair."""
    return SubmissionResult(student, assignment, [Record(student, assignment, f"t{k}", "f", s, m,
                                                         "passed" if s == m else "failed", "")
                                                  for k, (s, m) in enumerate(scores)])


def test_the_gradebook_table_totals_and_percentages():
    results = [result("ann", "01_a", [(2, 2), (0, 1)]), result("ann", "02_b", [(4, 4)]),
               result("bob", "01_a", [(2, 2), (1, 1)])]     # bob handed in nothing for 02_b
    names, rows = gradebook_rows(results)
    assert names == ["01_a", "02_b"]
    assert [(r[0], r[2], r[3]) for r in rows] == [("ann", 6, 7), ("bob", 3, 7)]
    assert rows[0][4] == pytest.approx(100 * 6 / 7) and rows[1][4] == pytest.approx(100 * 3 / 7)
    table = gradebook_table(results).splitlines()
    assert table[0].split() == ["student", "01", "/3", "02", "/4", "total", "%"]
    assert table[2].split() == ["ann", "2", "4", "6", "/7", f"{100 * 6 / 7:.1f}"]
    assert table[3].split() == ["bob", "3", "-", "3", "/7", f"{100 * 3 / 7:.1f}"]
    assert table[5].split()[:3] == ["average", "2.5", "4.0"]


def test_the_histogram_counts_students_per_band():
    results = [result(f"s{k}", "01_a", [(score, 10)]) for k, score in enumerate([10, 9.5, 10, 4, 0, 1.5])]
    lines = score_histogram(results).splitlines()
    assert lines[0].startswith("total scores of 6 student(s)")
    bands = {line.split("|")[0].strip(): line.split("|")[1].strip() for line in lines[1:]}
    assert len(bands) == 10
    counts = {band: int(bar.split()[-1]) if bar else 0 for band, bar in bands.items()}
    assert counts["90-100%"] == 3 and counts["40- 50%"] == 1 and counts["10- 20%"] == 1 and counts["0- 10%"] == 1
    assert sum(counts.values()) == 6
    assert bands["90-100%"].count("#") == 40 and bands["40- 50%"].count("#") == round(40 / 3)


def test_the_file_locations_name_the_grades_and_the_feedback_folder(tmp_path):
    text = file_locations(tmp_path)
    assert str(tmp_path / "grades.json") in text and str(tmp_path / "grades.csv") in text
    assert str(tmp_path / "feedback") in text


def test_the_subcommand_is_registered():
    assert SUBCOMMANDS["demo"] == "autograder.demo"
    parser = build_parser()
    args = parser.parse_args(["demo", "--students", "3", "--assignments", "01"])
    assert (args.students, args.assignments, args.out, args.jobs) == (3, "01", "demo-out", 2)
