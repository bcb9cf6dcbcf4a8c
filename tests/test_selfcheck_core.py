"""run_check turns every outcome into one line and never raises."""
from course_lib.selfcheck import CheckFailure, evaluate, run_check


def _passes(fn):
    assert fn(2) == 4


def _strict(fn):
    if fn(2) != 4:
        raise CheckFailure(f"expected 4 for input 2, got {fn(2)}: did you add instead of multiply?")


def test_passed_failed_not_implemented_and_crash_are_told_apart():
    assert evaluate("double", _passes, lambda x: 2 * x).status == "passed"
    failed = evaluate("double", _strict, lambda x: x + 3)
    assert failed.status == "failed" and "got 5" in failed.message

    def stub(x):
        raise NotImplementedError()

    assert evaluate("double", _strict, stub).status == "not implemented"
    assert "not implemented yet" in evaluate("double", _strict, stub).message

    crashed = evaluate("double", _strict, lambda x: x / 0)
    assert crashed.status == "error" and "ZeroDivisionError" in crashed.message


def test_run_check_prints_one_verdict_line(capsys):
    run_check("double", _strict, lambda x: 2 * x)
    out = capsys.readouterr().out
    assert out.strip() == "[PASS] double: all checks passed."
