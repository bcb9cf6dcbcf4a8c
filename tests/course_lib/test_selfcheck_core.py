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


def test_warnings_and_stderr_are_captured_and_never_change_the_verdict(capsys):
    import sys
    import warnings

    import numpy as np

    def noisy_double(x):
        with np.errstate(over="warn"):
            np.exp(np.array([1000.0]))  # overflow warning from a correct function
        print("debugging output", file=sys.stderr)
        return 2 * x

    run_check("double", _strict, noisy_double)
    captured = capsys.readouterr()
    assert captured.err == ""  # nbgrader would zero a graded cell that writes to stderr
    assert captured.out.startswith("[PASS] double: all checks passed.")
    assert "1 warning(s), e.g. RuntimeWarning: overflow" in captured.out
    assert "characters written to stderr" in captured.out
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the capture does not leak a changed filter
        assert evaluate("double", _strict, lambda x: 2 * x).passed
