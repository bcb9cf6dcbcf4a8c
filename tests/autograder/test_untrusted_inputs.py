"""Issue 12: text, names, files and bytes from a submission never stop the run, and stay apart.

Each class of attack has a regression test here: deeply nested or huge cells,
1 MB cells of the characters that made regular expressions slow, names of
any bytes and names built to collide, formulas in a sheet, symbolic links
and folders named like notebooks, a check pulling data without end, a slow
but correct function, and an input modified in place.
"""
import csv
import io
import os
import textwrap
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder.assignments import load_assignments, recognise
from autograder.bounded_parse import MAX_DEPTH, TooComplex, parse_bounded, too_deep
from autograder.extract import extract_source
from autograder.grade import grade_folder
from autograder.grading.discover import discover, discover_upload
from autograder.grading.grade import grade
from autograder.grading.plan import plan
from autograder.grading.record import Record, SubmissionResult, csv_cell
from autograder.grading.sheets import grades_csv
from autograder.grading.store import collect, file_hash, safe_name, save_result
from autograder.judge import grade_submission
from autograder.proxies import Remote, RemoteFunction, SubmissionAbort
from autograder.proxies.effects import sync_back
from autograder.sandbox import Limits, WorkerPool
from autograder.submissions import filled_notebook, with_answer

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = load_assignments()
NB01 = ASSIGNMENTS["01_backprop"]
GOOD = ("import numpy as np\n\ndef relu_forward(x):\n    return np.maximum(x, 0), x\n\n"
        "def relu_backward(dout, cache):\n    return dout * (cache > 0)\n")
LIMITS = Limits(wall_seconds=5.0, load_seconds=5.0, memory_mb=1024, cpu_seconds=120)


def notebook(*sources):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def write(path, nb):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(LIMITS) as p:
        yield p


# ---------------------------------------------------------------- parsing

DEEP = {
    "100k terms": "x = " + "+".join(["1"] * 100_000),
    "100k attributes": "x = a" + ".b" * 100_000,
    "50k unary minus": "x = " + "-" * 50_000 + "1",
    "5k lambdas": "x = " + "lambda: " * 5000 + "1",
    "just over the depth bound": "x = " + "+".join(["1"] * (MAX_DEPTH + 5)),
    "a null byte": "x = 1\x00",
}


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_cells_are_skipped_with_a_note_and_the_rest_is_graded(tmp_path, name):
    path = write(tmp_path / "alice_01.ipynb", notebook(DEEP[name], GOOD))
    ex = extract_source(path, ["relu_forward"])
    assert ex.found == {"relu_forward"}
    assert [n.kind for n in ex.notes] == ["unparsable"] and ex.notes[0].cell == 0
    assert "def relu_forward" in ex.source and "1+1" not in ex.source
    # discovery reads the same cells to recognise the notebook: no exception there either
    assert recognise(path, ASSIGNMENTS) == "01_backprop"


def test_the_depth_bound_admits_real_code_and_refuses_deeper_trees():
    chain = "if x:\n    pass\n" + "elif x:\n    pass\n" * 40
    assert too_deep(parse_bounded(chain)) is None
    assert too_deep(parse_bounded("x = " + "+".join(["1"] * 150))) is None
    with pytest.raises(TooComplex) as info:
        parse_bounded("y = 2\nx = " + "+".join(["1"] * (MAX_DEPTH + 1)))
    assert info.value.lineno == 2 and "levels deep" in info.value.msg
    with pytest.raises(TooComplex):
        parse_bounded("x = 1\n" * 300_000)       # over MAX_CHARS


MEGABYTE = 1 << 20
SLOW_BEFORE = {     # what made regular expressions (or IPython's transformer) super-linear
    "newlines": "\n" * MEGABYTE,
    "spaces": " " * MEGABYTE,
    "percent": "x = 1\n" + "%" * MEGABYTE,
    "magic lines": "%time f()\n" * (MEGABYTE // 10),
    "assigned magics": "a = %time f()\n" * (MEGABYTE // 14),
    "hashes": "#" * MEGABYTE,
    "quotes": '"' * MEGABYTE,
    "triple quotes": "'''" * (MEGABYTE // 3),
    "help lines": "x?\n" * (MEGABYTE // 3),
}


@pytest.mark.parametrize("name", sorted(SLOW_BEFORE))
def test_a_megabyte_cell_is_read_in_linear_time(tmp_path, name):
    path = write(tmp_path / "alice_01.ipynb", notebook(SLOW_BEFORE[name], GOOD))
    start = time.perf_counter()
    ex = extract_source(path, ["relu_forward"])
    recognise(path, ASSIGNMENTS)
    seconds = time.perf_counter() - start
    assert ex.found == {"relu_forward"}
    assert seconds < 30, f"{name}: {seconds:.1f} s for 1 MB (a quadratic pass takes minutes)"


def test_a_deep_cell_in_a_graded_notebook_costs_nothing_else(pool):
    nb = filled_notebook(ROOT / "solutions" / NB01.notebook, ROOT / "notebooks" / NB01.notebook)
    nb.cells.insert(1, nbformat.v4.new_code_cell(DEEP["100k terms"]))
    result = grade_submission(pool, nb, NB01, "alice")
    assert [r.status for r in result.records] == ["passed"] * len(NB01.tests)
    assert any("does not parse" in n and "too deeply" in n for n in result.notes)


# ---------------------------------------------------------------- names

def test_escaped_names_are_one_to_one_and_plain_file_names():
    names = ["Anna Lee", "Anna_Lee", "Anna%20Lee", "Anna_Lee-987d0b0b", "", ".", "..", "%", "%%",
             os.fsdecode(b"caf\xe9"), "cafe\u0301", "café", "a/b", "a\\b", "x" * 300,
             "x" * 299 + "y", "é" * 150]
    escaped = [safe_name(n) for n in names]
    assert len(set(escaped)) == len(names)
    for e in escaped:
        assert e not in (".", "..") and "/" not in e and 0 < len(e.encode()) <= 255
        assert set(e) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-%")
    assert safe_name("alice") == "alice" and safe_name("Anna Lee") == "Anna%20Lee"


def stored(out, student, score):
    result = SubmissionResult(student, "01_backprop",
                              [Record(student, "01_backprop", "t", "f", score, 2, "passed", "")])
    return save_result(out, result, "nb.ipynb", "hash")[0]


def test_a_folder_named_like_another_students_escaped_name_keeps_both_grades(tmp_path):
    collider = safe_name("Anna Lee")
    paths = {stored(tmp_path, "Anna Lee", 2), stored(tmp_path, collider, 1),
             stored(tmp_path, "Anna_Lee-987d0b0b", 0)}
    assert len(paths) == 3
    scores = {r.student: r.score for r in collect(tmp_path).results}
    assert scores == {"Anna Lee": 2, collider: 1, "Anna_Lee-987d0b0b": 0}


def test_names_that_are_not_utf8_go_through_discovery_results_and_sheets(tmp_path):
    course = tmp_path / "course"
    raw = b"caf\xe9"
    folder = os.path.join(os.fsencode(course / "submitted"), raw, b"01_backprop")
    os.makedirs(folder)
    nbformat.write(notebook("print(1)"), os.path.join(folder, b"01_backprop.ipynb").decode("utf-8", "surrogateescape"))
    found = discover(course, ASSIGNMENTS)
    [sub] = found.submissions
    assert os.fsencode(sub.student) == raw
    out = tmp_path / "out"
    save_result(out, SubmissionResult(sub.student, sub.assignment,
                                      [Record(sub.student, sub.assignment, "t", "f", 0, 1, "failed", "x")]),
                sub.notebook, file_hash(sub.notebook))
    [back] = collect(out).results
    assert back.student == sub.student                 # the exact bytes, read back from JSON
    rows = list(csv.reader(io.StringIO(grades_csv([back]))))
    assert rows[1][0] == "caf\\xe9"


FORMULAS = ["=HYPERLINK(\"http://x\",\"y\")", "@SUM(A1:A2)", "+1+2", "-2+3", "\tx", "\rx", "=1"]


def test_formulas_in_names_reach_the_sheet_as_text(tmp_path):
    results = [SubmissionResult(name, "01_backprop", [Record(name, "01_backprop", "t", "f", 1, 1, "passed", "")])
               for name in FORMULAS + ["plain", "'quoted"]]
    text = grades_csv(results)
    rows = list(csv.reader(io.StringIO(text)))
    students = [row[0] for row in rows[1:]]
    assert students == ["'" + n.replace("\r", "\\r") for n in FORMULAS] + ["plain", "'quoted"]
    assert all(row[2] == "1" for row in rows[1:])        # numbers stay numbers
    assert csv_cell("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"


# ---------------------------------------------------------------- files

def course_with_links(tmp_path):
    base = tmp_path / "course" / "submitted"
    alice = write(base / "alice" / "01_backprop" / "01_backprop.ipynb", notebook(GOOD))
    (base / "bob" / "01_backprop").mkdir(parents=True)
    (base / "bob" / "01_backprop" / "01_backprop.ipynb").symlink_to(alice)           # another's notebook
    write(base / "carol" / "01_backprop" / "01_backprop.ipynb", notebook(GOOD))
    (base / "carol" / "01_backprop" / "helper.py").symlink_to(ROOT / "solutions" / NB01.notebook)
    (base / "dave").symlink_to(base / "alice")                                        # a whole student
    (base / "erin" / "01_backprop" / "01_backprop.ipynb").mkdir(parents=True)          # a folder
    (base / "fay").mkdir()
    (base / "fay" / "01_backprop").symlink_to(ROOT / "solutions")                      # the solutions
    return tmp_path / "course"


def test_links_and_folders_named_like_notebooks_are_refused_with_a_record(tmp_path):
    found = discover(course_with_links(tmp_path), ASSIGNMENTS)
    by_student = {s.student: s for s in found.submissions}
    assert set(by_student) == {"alice", "bob", "carol", "dave", "erin", "fay"}
    assert by_student["alice"].problem == ""
    assert "symbolic link" in by_student["bob"].problem
    assert "symbolic link" in by_student["carol"].problem and "helper.py" in by_student["carol"].problem
    assert "symbolic link" in by_student["dave"].problem
    assert "is a folder, not a notebook" in by_student["erin"].problem
    assert "symbolic link" in by_student["fay"].problem
    todo = plan(found, ASSIGNMENTS)
    refused = [t for t in todo.tasks if t.submission.problem]
    assert len(refused) == 5
    results = dict((task.submission.student, result) for task, result in grade(refused))
    full_marks = ASSIGNMENTS["01_backprop"].max_score
    for student, result in results.items():      # 0 of the assignment's full marks, every test saying why
        assert {r.status for r in result.records} == {"error"}
        assert {r.message for r in result.records} == {by_student[student].problem}
        known = student != "dave"                # a linked student folder: no assignment is read at all
        assert sum(r.max_score for r in result.records) == (full_marks if known else 0) and result.score == 0


def test_a_flat_folder_and_an_upload_refuse_links_and_odd_files(tmp_path):
    flat = tmp_path / "flat"
    alice = write(flat / "alice_01.ipynb", notebook(GOOD))
    (flat / "bob_01.ipynb").symlink_to(alice)
    (flat / "carol_01.ipynb").mkdir()
    os.mkfifo(flat / "dave_01.ipynb")
    found = discover(flat, ASSIGNMENTS, only="01_backprop")
    problems = {s.student: s.problem for s in found.submissions}
    assert problems["alice"] == ""
    assert "symbolic link" in problems["bob"]
    assert "a folder" in problems["carol"] and "not a regular file" in problems["dave"]
    assert file_hash(flat / "bob_01.ipynb") is None and file_hash(flat / "dave_01.ipynb") is None

    upload = tmp_path / "upload"
    write(upload / "01_backprop.ipynb", notebook(GOOD))
    (upload / "sub").mkdir()
    (upload / "sub" / "other.ipynb").symlink_to(alice)
    [sub] = discover_upload(upload, ASSIGNMENTS, "01_backprop", student="s").submissions
    assert "symbolic link" in sub.problem and "other.ipynb" in sub.problem


# ---------------------------------------------------------------- budgets of one test

SOURCE = textwrap.dedent("""\
    import time
    import numpy as np

    class Endless:
        def __len__(self):
            return 10**9
        def __iter__(self):
            return self
        def __next__(self):
            return np.zeros(2**18)          # 2 MB each

    def endless():
        return Endless()

    def sleepy(t):
        time.sleep(t)
        return t
""")


@pytest.fixture(scope="module")
def worker(pool):
    w = pool.spawn(SOURCE, graded_names=["endless", "sleepy"])
    yield w
    w.close()


def test_a_check_pulling_data_without_end_stops_at_the_tests_byte_budget(worker):
    remote = Remote(worker, max_bytes=20 * 2**20)
    endless = RemoteFunction(remote, "endless")()
    pulled = 0
    with pytest.raises(SubmissionAbort) as info:
        for _ in endless:
            pulled += 1
    assert info.value.status == "error" and "received more than 20 MB" in info.value.message
    assert 9 <= pulled <= 11 and remote.received > 20 * 2**20


def test_the_time_budget_grows_with_the_calls_a_test_makes(worker):
    remote = Remote(worker, deadline=time.monotonic() + 0.5, call_seconds=0.5)
    sleepy = RemoteFunction(remote, "sleepy")
    assert [sleepy(0.3) for _ in range(4)] == [0.3] * 4      # 1.2 s > the 0.5 s base
    assert remote.calls == 4


# ---------------------------------------------------------------- the self-check and the hidden test agree

def test_an_array_reshaped_in_place_is_seen_by_the_check():
    top, inner = np.arange(6.0), np.arange(4.0)
    args = [top, [inner]]
    sync_back(args, [np.arange(6.0).reshape(2, 3), [np.arange(2.0)]], "args", {"args[0]", "args[1][0]"})
    assert args[0] is top and top.shape == (2, 3)                 # reshaped: mirrored in place
    assert args[1][0] is not inner and args[1][0].shape == (2,)   # resized: the entry rebound


CLIP_IN_PLACE = textwrap.dedent("""\
    def clip_by_value(grads, limit):
        items = list(grads.values()) if isinstance(grads, dict) else list(grads)
        out = [np.clip(g, -limit, limit) for g in items]
        for g in items:
            g.shape = (-1,)
        return dict(zip(grads, out)) if isinstance(grads, dict) else out
""")


def test_clip_by_value_reshaping_its_input_fails_both_checks(pool):
    from course_lib.selfcheck.core import CheckFailure
    from course_lib.selfcheck.nb04 import check_clip_by_value

    namespace = {"np": np}
    exec(CLIP_IN_PLACE, namespace)
    with pytest.raises(CheckFailure, match="input gradients were modified"):
        check_clip_by_value(namespace["clip_by_value"])
    a = ASSIGNMENTS["04_vanishing_gradients"]
    nb = filled_notebook(ROOT / "solutions" / a.notebook, ROOT / "notebooks" / a.notebook)
    result = grade_submission(pool, with_answer(nb, "clip_by_value", CLIP_IN_PLACE), a, "x")
    record = result.record("test_clip_by_value")
    assert record.status == "failed" and "input gradients were modified" in record.message


# ---------------------------------------------------------------- all of it, through `workbook grade`

def test_workbook_grade_records_every_hostile_input_and_finishes(tmp_path):
    flat = tmp_path / "flat"
    write(flat / "alice_01.ipynb", notebook(DEEP["100k terms"], GOOD))
    (flat / "bob_01.ipynb").symlink_to(flat / "alice_01.ipynb")
    (flat / "=HYPERLINK(1)_01.ipynb").write_bytes(b"\x00\xff not json")
    (flat / "carol_01.ipynb").write_text("[" * 100_000 + "]" * 100_000)
    (flat / "dave_01.ipynb").mkdir()
    raw = os.path.join(os.fsencode(flat), b"caf\xe9_01.ipynb")
    with open(raw, "wb") as f:
        f.write(nbformat.writes(notebook(GOOD)).encode())
    out = tmp_path / "out"
    summary = grade_folder(flat, out, assignment="01_backprop", limits=LIMITS, stream=io.StringIO())
    students = {r.student: r for r in summary.results}
    assert set(students) == {"alice", "bob", "=HYPERLINK(1)", "carol", "dave", os.fsdecode(b"caf\xe9")}
    relu = students["alice"].record("test_relu")
    assert relu is not None and relu.status == "passed"        # graded, its deep cell skipped
    assert any("too deeply" in n for n in students["alice"].notes)
    assert students["bob"].records[0].status == "error" and "symbolic link" in students["bob"].records[0].message
    assert "a folder" in students["dave"].records[0].message
    assert all(r.score == 0 for name in ("=HYPERLINK(1)", "carol") for r in students[name].records)
    rows = list(csv.reader(io.StringIO((out / "grades.csv").read_text(encoding="utf-8"))))
    assert "'=HYPERLINK(1)" in [row[0] for row in rows] and "caf\\xe9" in [row[0] for row in rows]
