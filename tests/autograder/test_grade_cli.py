"""`workbook grade`: discovery, output files, feedback pages, progress, resume and parallel runs."""
import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from autograder import cli
from autograder.assignments import load_assignments
from autograder.grading.discover import DiscoveryError, discover
from autograder.grading.feedback import render_feedback
from autograder.grading.plan import plan
from autograder.grading.record import RECORD_FIELDS, Record, ResultFileError, SubmissionResult
from autograder.grading.sheets import grades_csv
from autograder.grading.store import load_result, safe_name, write_text_atomic
from autograder.progress import Progress
from autograder.submissions import filled_notebook, with_answer

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = load_assignments()
NB01 = ASSIGNMENTS["01_backprop"]
HIDDEN_MARKERS = ("BEGIN HIDDEN", "autograder.checks", "grade_sigmoid", "import grade_")
MISTAKES = {
    # a stable forward (no overflow warning: nbgrader gives 0 to a graded cell that writes to stderr)
    "sigmoid": "def sigmoid_forward(x):\n    e = np.exp(-np.abs(x))\n"
               "    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)), x\n\n\n"
               "def sigmoid_backward(dout, cache):\n    return dout * cache * (1.0 - cache)\n",
    "relu": "def relu_forward(x):\n    print('<b>debug</b>')\n"
            "    raise ValueError(\"<script>alert('x')</script>\")\n\n\n"
            "def relu_backward(dout, cache):\n    return dout\n",
}


def notebook_01(kind):
    nb = filled_notebook(ROOT / "solutions" / NB01.notebook, ROOT / "notebooks" / NB01.notebook)
    if kind == "stub":
        return nbformat.read(ROOT / "notebooks" / NB01.notebook, as_version=4)
    if kind == "mistakes":
        for grade_id, source in MISTAKES.items():
            nb = with_answer(nb, grade_id, source)
    return nb


def make_flat_folder(folder):
    folder.mkdir(parents=True)
    nbformat.write(notebook_01("filled"), folder / "alice_01.ipynb")
    nbformat.write(notebook_01("stub"), folder / "bob.ipynb")
    nbformat.write(notebook_01("mistakes"), folder / "carol_hw1.ipynb")
    blank = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('hello')")])
    nbformat.write(blank, folder / "dave.ipynb")
    return folder


def grade(*args):
    return cli.main(["grade", *map(str, args)])


def read_json(path):
    return json.loads(Path(path).read_text())


def read_csv(path):
    return list(csv.DictReader(io.StringIO(Path(path).read_text())))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A flat folder graded once with --jobs 1: (folder, out)."""
    base = tmp_path_factory.mktemp("class")
    folder = make_flat_folder(base / "flat")
    out = base / "out"
    assert grade(folder, "--out", out, "--show-output") == 0   # pages echo what was printed
    return folder, out


# ---------------------------------------------------------------- the output folder

def test_grades_json_holds_every_record(graded):
    _, out = graded
    records = read_json(out / "grades.json")
    assert all(tuple(r) == RECORD_FIELDS for r in records)
    by_student = {}
    for r in records:
        by_student.setdefault(r["student"], []).append(r)
    assert sorted(by_student) == ["alice", "bob", "carol", "dave"]
    for student in ("alice", "bob", "carol"):
        assert [r["test"] for r in by_student[student]] == [t.grade_id for t in NB01.tests]
        assert {r["assignment"] for r in by_student[student]} == {"01_backprop"}
    assert {r["status"] for r in by_student["alice"]} == {"passed"}
    assert {(r["status"], r["message"].split(":")[0]) for r in by_student["bob"]} == {("failed", "not implemented yet")}
    carol = {r["test"]: r for r in by_student["carol"]}
    assert carol["test_sigmoid"]["status"] == "failed" and "must use the OUTPUT" in carol["test_sigmoid"]["message"]
    assert carol["test_relu"]["status"] == "error" and "relu_forward raised ValueError" in carol["test_relu"]["message"]
    assert [t for t, r in carol.items() if r["status"] != "passed"] == ["test_sigmoid", "test_relu"]
    (dave,) = by_student["dave"]
    assert dave["status"] == "error" and "could not tell which assignment" in dave["message"]
    assert dave["assignment"].startswith("unrecognised")


def test_grades_csv_has_one_row_per_student_and_assignment(graded):
    _, out = graded
    rows = read_csv(out / "grades_by_test.csv")
    records = read_json(out / "grades.json")
    assert [(r["student"], r["assignment"][:12]) for r in rows] == [
        ("alice", "01_backprop"), ("bob", "01_backprop"), ("carol", "01_backprop"), ("dave", "unrecognised")]
    test_ids = [t.grade_id for t in NB01.tests]
    assert list(rows[0])[:4] == ["student", "assignment", "score", "max_score"]
    assert list(rows[0])[4:] == test_ids
    for row in rows:
        mine = [r for r in records if r["student"] == row["student"]]
        assert float(row["score"]) == sum(r["score"] for r in mine)
        assert float(row["max_score"]) == sum(r["max_score"] for r in mine)
        for r in mine:
            if r["test"]:
                assert float(row[r["test"]]) == r["score"]
    alice, carol = rows[0], rows[2]
    assert float(alice["score"]) == NB01.max_score
    lost = NB01.test("test_sigmoid").points + NB01.test("test_relu").points
    assert float(carol["score"]) == NB01.max_score - lost
    assert carol["test_sigmoid"] == "0" and carol["test_relu"] == "0" and carol["test_tanh"] == "1"


def test_feedback_pages_escape_student_text_and_hide_the_tests(graded):
    _, out = graded
    pages = sorted((out / "feedback").glob("*/*.html"))
    assert [p.parent.name for p in pages] == ["alice", "bob", "carol", "dave"]
    carol = (out / "feedback" / "carol" / "01_backprop.html").read_text()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in carol and "<script>" not in carol
    assert "&lt;b&gt;debug&lt;/b&gt;" in carol and "<b>debug" not in carol   # the printed output, escaped
    assert "must use the OUTPUT" in carol and f"{NB01.max_score - 2:g} / {NB01.max_score:g}" in carol
    assert "sigmoid_forward, sigmoid_backward" in carol
    for path in [out / "grades.json", out / "grades_by_test.csv", *pages, *(out / "results").glob("*/*.json")]:
        text = path.read_text()
        assert not any(marker in text for marker in HIDDEN_MARKERS), path


def test_feedback_caps_the_echoed_output():
    long_output = "z" * 10_000
    result = SubmissionResult("x", "01_backprop", notes=["cell 3 <was> skipped"], outputs={"test_a": long_output},
                              records=[Record("x", "01_backprop", "test_a", "f", 0.0, 1.0, "timeout",
                                              "f did not finish")])
    page = render_feedback(result, show_output=True)
    assert page.count("z") < 2100 and "8000 more characters not shown" in page
    assert "took too long" in page and "cell 3 &lt;was&gt; skipped" in page


# ---------------------------------------------------------------- resume, regrade, parallel

def test_resume_skips_finished_submissions_and_regrade_forces(graded, tmp_path):
    folder, first = graded
    out = tmp_path / "out"
    shutil.copytree(first, out)
    # an interrupted run: bob's result was never written, alice's is marked to show whether it is redone
    (out / "results" / "bob" / "01_backprop.json").unlink()
    alice_path = out / "results" / "alice" / "01_backprop.json"
    alice = read_json(alice_path)
    alice["records"][0]["message"] = "MARK"
    alice_path.write_text(json.dumps(alice))
    err = io.StringIO()
    from autograder.grade import grade_folder

    summary = grade_folder(folder, out, stream=err)
    assert (summary.total, summary.skipped, summary.graded) == (4, 3, 1)
    assert read_json(alice_path)["records"][0]["message"] == "MARK"
    assert (out / "results" / "bob" / "01_backprop.json").exists()
    assert "already graded" in err.getvalue()
    assert any(r["message"] == "MARK" for r in read_json(out / "grades.json"))
    # a changed notebook is graded again without being asked
    nbformat.write(notebook_01("filled"), folder / "carol_hw1.ipynb")
    try:
        summary = grade_folder(folder, out, stream=io.StringIO())
        assert (summary.skipped, summary.graded) == (3, 1)
        assert read_csv(out / "grades_by_test.csv")[2]["score"] == f"{NB01.max_score:g}"
    finally:
        nbformat.write(notebook_01("mistakes"), folder / "carol_hw1.ipynb")
    summary = grade_folder(folder, out, regrade=True, stream=io.StringIO())
    assert (summary.skipped, summary.graded) == (0, 4)
    assert read_json(alice_path)["records"][0]["message"] == ""


def test_a_malformed_result_file_is_named_with_the_fix_and_never_stops_the_run(graded, tmp_path):
    folder, first = graded
    out = tmp_path / "out"
    shutil.copytree(first, out)
    bob_path = out / "results" / "bob" / "01_backprop.json"
    bob = read_json(bob_path)
    bob["records"][0]["score"] = "lots"
    bob_path.write_text(json.dumps(bob))
    stale = out / "results" / "zed" / "01_backprop.json"
    stale.parent.mkdir()
    stale.write_text("{ not json")
    with pytest.raises(ResultFileError, match=r"bob.*record 1: score is not a number.*--regrade"):
        load_result(bob_path)
    err = io.StringIO()
    from autograder.grade import grade_folder

    summary = grade_folder(folder, out, stream=err)
    assert (summary.skipped, summary.graded) == (3, 1)          # bob's unreadable file is graded again
    assert load_result(bob_path).records[0].score == 0.0
    assert [w for w in summary.warnings if "zed" in w] == [
        f"{stale} is not a result file this grader can read (not valid JSON: Expecting property name enclosed "
        "in double quotes: line 1 column 3 (char 2)); delete it, or grade again with --regrade to replace it"]
    assert str(stale) in err.getvalue()
    assert {r.student for r in summary.results} == {"alice", "bob", "carol", "dave"}


def test_result_files_count_the_round_trips_and_older_files_without_them_still_load(graded, tmp_path):
    _, out = graded
    stored = read_json(out / "results" / "alice" / "01_backprop.json")
    assert type(stored["round_trips"]) is int and stored["round_trips"] > len(stored["records"])
    assert SubmissionResult.from_json(stored).round_trips == stored["round_trips"]
    del stored["round_trips"]
    assert SubmissionResult.from_json(stored).round_trips == 0
    with pytest.raises(ResultFileError, match="round_trips"):
        SubmissionResult.from_json(dict(stored, round_trips="many"))


def test_the_plan_stage_leaves_out_what_is_stored_unchanged(graded):
    folder, out = graded
    found = discover(folder, ASSIGNMENTS)
    stored = plan(found, ASSIGNMENTS, out)
    assert (stored.total, stored.tasks) == (4, []) and [s.student for s in stored.skipped] == ["alice", "bob",
                                                                                           "carol", "dave"]
    again = plan(found, ASSIGNMENTS, out, regrade=True)
    assert [t.submission for t in again.tasks] == found.submissions == [t.submission for t in
                                                                        plan(found, ASSIGNMENTS).tasks]
    assert again.tasks[0].assignment is NB01 and again.tasks[3].assignment is None    # dave's: a problem
    assert again.tasks[0].notebook_sha256 == load_result(out / "results" / "alice" / "01_backprop.json"
                                                         ).notebook_sha256


def test_two_jobs_give_the_same_grades_as_one(graded, tmp_path):
    folder, first = graded
    out = tmp_path / "out"
    assert grade(folder, "--out", out, "--jobs", "2") == 0
    assert (out / "grades.json").read_text() == (first / "grades.json").read_text()
    assert (out / "grades_by_test.csv").read_text() == (first / "grades_by_test.csv").read_text()
    assert sorted(p.relative_to(out) for p in out.rglob("*.html")) == \
        sorted(p.relative_to(first) for p in first.rglob("*.html"))


@pytest.mark.slow
def test_a_killed_run_loses_nothing_it_finished(tmp_path):
    folder = tmp_path / "flat"
    folder.mkdir()
    for i in range(6):
        nbformat.write(notebook_01("filled"), folder / f"s{i}_01.ipynb")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "autograder.cli", "grade", str(folder), "--out", str(out)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while not list((out / "results").glob("*/*.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = {p: p.read_bytes() for p in (out / "results").glob("*/*.json")}
    assert 1 <= len(finished) < 6
    assert all(json.loads(data)["records"] for data in finished.values())   # whole files only
    err = io.StringIO()
    from autograder.grade import grade_folder

    summary = grade_folder(folder, out, stream=err)
    assert summary.skipped == len(finished) and summary.graded == 6 - len(finished)
    assert all(p.read_bytes() == data for p, data in finished.items())
    assert len(read_csv(out / "grades_by_test.csv")) == 6


# ---------------------------------------------------------------- layouts and errors

def test_nbgrader_layout_and_assignment_filter(tmp_path, capsys):
    submitted = tmp_path / "course" / "submitted"
    (submitted / "alice" / "01_backprop").mkdir(parents=True)
    (submitted / "bob" / "02_minibatch").mkdir(parents=True)
    (submitted / "bob" / "01_backprop" / ".ipynb_checkpoints").mkdir(parents=True)
    nbformat.write(notebook_01("stub"), submitted / "alice" / "01_backprop" / "01_backprop.ipynb")
    nbformat.write(notebook_01("stub"), submitted / "bob" / "01_backprop" / "renamed.ipynb")
    nbformat.write(notebook_01("stub"), submitted / "bob" / "01_backprop" / ".ipynb_checkpoints" / "x.ipynb")
    release02 = ROOT / "notebooks" / ASSIGNMENTS["02_minibatch"].notebook
    shutil.copy(release02, submitted / "bob" / "02_minibatch" / "02_minibatch.ipynb")
    for root in (tmp_path / "course", submitted):
        found = discover(root, ASSIGNMENTS)
        assert found.layout == "nbgrader"
        assert [(s.student, s.assignment, s.notebook.name) for s in found.submissions] == [
            ("alice", "01_backprop", "01_backprop.ipynb"), ("bob", "01_backprop", "renamed.ipynb"),
            ("bob", "02_minibatch", "02_minibatch.ipynb")]
    out = tmp_path / "out"
    assert grade(tmp_path / "course", "--out", out, "--assignment", "02_minibatch") == 0
    rows = read_csv(out / "grades_by_test.csv")
    assert [(r["student"], r["assignment"], r["score"]) for r in rows] == [("bob", "02_minibatch", "0")]
    assert "1/1 submissions" in capsys.readouterr().err


def test_flat_folder_discovery(tmp_path):
    folder = tmp_path / "flat"
    folder.mkdir()
    stub = notebook_01("stub")
    for name in ("alice.ipynb", "alice_again.ipynb", "bob_hw_01.ipynb"):
        nbformat.write(stub, folder / name)
    found = discover(folder, ASSIGNMENTS)
    assert found.layout == "flat"
    assert [(s.student, s.assignment, s.notebook.name) for s in found.submissions] == [
        ("alice", "01_backprop", "alice.ipynb"), ("bob", "01_backprop", "bob_hw_01.ipynb")]
    assert found.warnings == ["alice has several notebooks for 01_backprop: graded alice.ipynb, "
                              "not alice_again.ipynb"]
    nbformat.write(nbformat.v4.new_notebook(), folder / "erin.ipynb")
    forced = discover(folder, ASSIGNMENTS, only="02_minibatch")
    assert [(s.student, s.assignment) for s in forced.submissions] == [("erin", "02_minibatch")]
    assert "bob_hw_01.ipynb: skipped, it looks like 01_backprop, not 02_minibatch" in forced.warnings
    assert [s.student for s in discover(folder, ASSIGNMENTS).submissions if s.problem] == ["erin"]
    single = discover(folder / "bob_hw_01.ipynb", ASSIGNMENTS)
    assert [s.student for s in single.submissions] == ["bob"]


def test_clear_errors_for_nothing_to_grade(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DiscoveryError, match="no notebooks found"):
        discover(empty, ASSIGNMENTS)
    with pytest.raises(DiscoveryError, match="unknown assignment 'nope'"):
        discover(empty, ASSIGNMENTS, only="nope")
    assert grade(empty, "--out", tmp_path / "out") == 2
    assert "no notebooks found" in capsys.readouterr().err
    assert grade(tmp_path / "missing", "--out", tmp_path / "out") == 2
    assert "does not exist" in capsys.readouterr().err
    assert grade(empty, "--jobs", "0") == 2
    assert not (tmp_path / "out").exists()


def test_the_cli_lists_its_subcommands(capsys):
    assert cli.main([]) == 2
    assert "grade" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["grade", "--help"])
    assert "--regrade" in capsys.readouterr().out
    parser = cli.build_parser()
    args = parser.parse_args(["grade", "x", "--jobs", "3", "--assignment", "01_backprop"])
    # --out: graded, or COURSE/graded for a course, decided when it runs
    assert (args.jobs, args.assignment, args.out, args.regrade) == (3, "01_backprop", None, False)


# ---------------------------------------------------------------- small parts

class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_shows_rate_and_eta():
    now = [100.0]
    stream = FakeTerminal()
    progress = Progress(10, done=2, stream=stream, clock=lambda: now[0])
    now[0] += 4.0
    progress.advance()
    now[0] += 4.0
    progress.advance()
    line = progress.line()
    assert "4/10 submissions" in line and "0:08 elapsed" in line and "0.25/s" in line
    assert "ETA 0:24" in line and "2 already graded" in line      # 6 left at 0.25 per second
    progress.close()
    assert stream.getvalue().count("\r") >= 3 and "4/10 submissions done (2 graded now" in stream.getvalue()


def test_progress_is_quiet_off_a_terminal():
    stream = io.StringIO()
    progress = Progress(3, stream=stream)
    progress.advance()
    progress.advance()
    assert stream.getvalue() == ""
    progress.close()
    progress.close()
    assert stream.getvalue().count("\n") == 1 and "2/3 submissions done" in stream.getvalue()


def test_safe_names_and_atomic_writes(tmp_path):
    assert safe_name("alice") == "alice"
    assert safe_name("../etc") != safe_name("_etc") and "/" not in safe_name("../etc")
    assert safe_name("a b") != safe_name("a_b") and safe_name("..") not in (".", "..")
    target = tmp_path / "deep" / "file.json"
    write_text_atomic(target, "one")
    write_text_atomic(target, "two")
    assert target.read_text() == "two" and [p.name for p in target.parent.iterdir()] == ["file.json"]


def test_csv_names_shared_test_ids_by_assignment():
    def result(assignment, test, score):
        return SubmissionResult("s", assignment, [Record("s", assignment, test, "f", score, 1.0,
                                                         "passed" if score else "failed", "")])

    text = grades_csv([result("01_a", "test_linear", 1.0), result("02_b", "test_linear", 0.0)])
    header, first, second = text.strip().split("\n")
    assert header == "student,assignment,score,max_score,01_a/test_linear,02_b/test_linear"
    assert first == "s,01_a,1,1,1," and second == "s,02_b,0,1,,0"
