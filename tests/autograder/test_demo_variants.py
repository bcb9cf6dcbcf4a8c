"""The demo's hand-written submissions, graded by the real judge in a sandbox.

Every valid alternative gets full marks for every test; every typical mistake
loses exactly the points of the tests it names, the first of them with its
diagnosis, and keeps the others; every hostile or broken notebook costs only
the tests it names, each with a clear message, and the rest of the notebook
is graded as usual. One grading of a whole notebook per variant: those of
notebooks 01 and 05 take seconds each (and tests/autograder/test_judge.py already grades
hostile code on 01), so they are marked slow, and so is every variant but the
first of each list elsewhere.
"""
import ast

import pytest

from autograder.assignments import defined_names, load_assignments
from autograder.demo.answer_cells import Mistake, Variant, catalogue
from autograder.demo.answer_cells.broken import ALL_TESTS, BROKEN
from autograder.demo.class_builder import base_notebook, build_notebook
from autograder.judge import grade_submission
from autograder.sandbox import Limits, WorkerPool
from autograder.syllabus import SYLLABUS

ASSIGNMENTS = load_assignments()
CATALOGUES = {nb.name: catalogue(nb.name) for nb in SYLLABUS}
LIMITS = Limits(wall_seconds=5.0, memory_mb=1024, cpu_seconds=120, output_chars=5000)
BROKEN_LIMITS = Limits(wall_seconds=2.0, memory_mb=1024, cpu_seconds=120, output_chars=5000)
HEAVY = {"01_backprop", "05_optimizers"}    # a whole grading of these takes seconds


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(LIMITS) as p:
        yield p


_bases = {}


def graded(pool, name, items, limits=LIMITS):
    """{test grade_id: record} of the solution notebook of ``name`` with ``items`` applied."""
    if name not in _bases:
        _bases[name] = base_notebook(ASSIGNMENTS[name])
    notebook = build_notebook(_bases[name], items)
    if isinstance(notebook, str):
        raise AssertionError("use a file for a notebook that is not JSON")
    result = grade_submission(pool, notebook, ASSIGNMENTS[name], "demo", limits=limits)
    return {r.test: r for r in result.records}, result


def params(kind):
    out = []
    for name, entry in CATALOGUES.items():
        for k, item in enumerate(getattr(entry, kind)):
            slow = name in HEAVY or k > 0
            out.append(pytest.param(name, item, id=f"{name[:2]}-{item.grade_id}-{k}",
                                    marks=[pytest.mark.slow] if slow else []))
    return out


# ---------------------------------------------------------------- the catalogue itself

@pytest.mark.parametrize("name", [nb.name for nb in SYLLABUS])
def test_every_notebook_has_alternatives_and_mistakes_of_real_cells(name):
    entry, a = CATALOGUES[name], ASSIGNMENTS[name]
    assert len(entry.alternatives) >= 3 and len(entry.mistakes) >= 4
    tests = {t.grade_id for t in a.tests}
    labels = [item.label for item in entry.alternatives + entry.mistakes]
    assert len(set(labels)) == len(labels)
    for item in entry.alternatives + entry.mistakes:
        assert isinstance(item, (Variant, Mistake))
        assert item.grade_id in a.solution_cells, item.label
        ast.parse(item.source)
        # the cell defines what the solution's cell defines (helpers may come on top)
        assert set(a.solution_cells[item.grade_id]) <= set(defined_names(item.source)), item.label
    for mistake in entry.mistakes:
        assert mistake.expected_phrase and set(mistake.lost_tests) <= tests, mistake.label


def test_the_issues_typical_mistakes_are_in_the_catalogue():
    def labels(name):
        return " | ".join(m.label for m in CATALOGUES[name].mistakes)

    assert "missing 1/M" in labels("02_minibatch") and "transposed gradient" in labels("02_minibatch")
    assert "unrotated filter" in labels("03_cnn_backprop")
    assert "forgotten bias correction" in labels("05_optimizers")


def test_the_broken_submissions_cover_what_the_design_promises_to_survive():
    text = "\n".join(src for b in BROKEN for src in b.cells.values())
    for hostile in ("while True", "os._exit", "sys.exit", "ctypes", "np.empty(50_000_000)", "print(",
                    "subprocess", "np.allclose =", "autograder.checks", "(np.ndarray)", "(float)"):
        assert hostile in text, hostile
    assert any(b.deleted for b in BROKEN) and any(b.notebook_text for b in BROKEN)
    for b in BROKEN:
        tests = {t.grade_id for t in ASSIGNMENTS[b.assignment].tests}
        assert set(b.costs) <= tests | {ALL_TESTS}, b.label
        assert all(cell in ASSIGNMENTS[b.assignment].solution_cells for cell in list(b.cells) + list(b.deleted))


# ---------------------------------------------------------------- graded

@pytest.mark.parametrize("name, variant", params("alternatives"))
def test_a_valid_alternative_gets_full_marks(pool, name, variant):
    records, result = graded(pool, name, [variant])
    wrong = {t: (r.status, r.message[:300]) for t, r in records.items() if r.status != "passed"}
    assert not wrong, f"{variant.label}: {wrong}"
    assert sum(r.score for r in records.values()) == ASSIGNMENTS[name].max_score
    assert result.notes == []


@pytest.mark.parametrize("name, mistake", params("mistakes"))
def test_a_typical_mistake_loses_exactly_its_tests_with_the_diagnosis(pool, name, mistake):
    records, _ = graded(pool, name, [mistake])
    lost = {t for t, r in records.items() if r.status != "passed"}
    assert lost == set(mistake.lost_tests), {t: records[t].message[:300] for t in lost}
    for test in lost:
        assert records[test].status == "failed" and records[test].score == 0
    diagnosis = records[mistake.lost_tests[0]].message
    assert mistake.expected_phrase in diagnosis, diagnosis
    a = ASSIGNMENTS[name]
    assert sum(r.score for r in records.values()) == a.max_score - sum(a.test(t).points for t in lost)


@pytest.mark.parametrize("item", [pytest.param(b, id=f"{b.assignment[:2]}-{k}",
                                               marks=[pytest.mark.slow] if b.assignment in HEAVY else [])
                                  for k, b in enumerate(BROKEN)])
def test_a_broken_submission_costs_only_its_tests(pool, item, tmp_path):
    a = ASSIGNMENTS[item.assignment]
    if item.notebook_text is not None:
        path = tmp_path / a.notebook
        path.write_text(item.notebook_text)
        result = grade_submission(pool, path, a, "mallory", limits=BROKEN_LIMITS)
        records = {r.test: r for r in result.records}
    else:
        records, result = graded(pool, item.assignment, [item], limits=BROKEN_LIMITS)
    costs = {t.grade_id: item.costs[ALL_TESTS] for t in a.tests} if ALL_TESTS in item.costs else item.costs
    for test, record in records.items():
        if test in costs:
            status, phrase = costs[test]
            assert (record.status, record.score) == (status, 0.0), (item.label, record)
            assert phrase in record.message, (item.label, record.message)
        else:
            assert record.status == "passed", (item.label, record)
    for output in result.outputs.values():
        assert len(output) < 4200          # megabytes printed: a capped echo, never a lost point
    if not costs:
        assert result.outputs and "more characters of output not shown" in "".join(result.outputs.values())
