"""Running a notebook self-check so that it explains, never crashes.

A self-check is a plain function that raises ``CheckFailure`` with a
sentence a student can act on. ``run_check`` calls it, turns every outcome
(passed, wrong, not implemented yet, crashed) into one printed line and
never raises, so a student notebook keeps running past an unfinished stub.

Warnings and anything written to stderr while a check runs are captured and
summarised in the verdict instead: nbgrader gives zero to a graded cell that
writes to stderr, and a numpy overflow warning from a correct function must
not cost points.
"""
import contextlib
import io
import traceback
import warnings
from dataclasses import dataclass, replace


class CheckFailure(AssertionError):
    """A wrong answer. The message says what is wrong and, where known, the fix."""


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: str  # "passed", "failed", "not implemented", "error"
    message: str

    @property
    def passed(self):
        return self.status == "passed"

    def __str__(self):
        mark = "PASS" if self.passed else "FAIL"
        return f"[{mark}] {self.name}: {self.message}"


NOT_IMPLEMENTED = "not implemented yet: write the function in the cell above, run that cell, then run this check again."


def _where_it_broke(exc):
    """The last traceback frame that belongs to the student's notebook code, as 'line N of your cell'."""
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        name = frame.filename
        if name.startswith("<ipython-input") or "/ipykernel_" in name or name.startswith("<"):
            return f" (in {frame.name}, line {frame.lineno} of your cell: {frame.line!s})"
    return ""


def evaluate(name, check, *args, **kwargs):
    """Run ``check(*args, **kwargs)`` and return a CheckResult; never raises (except KeyboardInterrupt).

    Warnings and stderr output of the run are captured and mentioned in the message.
    """
    stderr = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stderr(stderr):
        warnings.simplefilter("always")
        result = _evaluate(name, check, *args, **kwargs)
    return _with_noise_note(result, caught, stderr.getvalue())


def _with_noise_note(result, caught, stderr_text):
    """Append a short note about warnings and stderr output, which never change the verdict."""
    notes = []
    if caught:
        first = str(caught[0].message).splitlines()[0][:120]
        notes.append(f"{len(caught)} warning(s), e.g. {type(caught[0].message).__name__}: {first}")
    if stderr_text.strip():
        notes.append(f"{len(stderr_text)} characters written to stderr")
    if not notes:
        return result
    return replace(result, message=f"{result.message} (while checking, your code produced {' and '.join(notes)}; "
                                  "they cost nothing, but look for overflow or division by zero.)")


def _evaluate(name, check, *args, **kwargs):
    try:
        check(*args, **kwargs)
    except NotImplementedError:
        return CheckResult(name, "not implemented", NOT_IMPLEMENTED)
    except CheckFailure as exc:
        return CheckResult(name, "failed", str(exc))
    except Exception as exc:  # a crash inside the student's code is feedback too
        detail = f"{type(exc).__name__}: {exc}{_where_it_broke(exc)}"
        return CheckResult(name, "error", f"your code raised {detail}")
    return CheckResult(name, "passed", "all checks passed.")


def run_check(name, check, *args, **kwargs):
    """Evaluate a self-check and print its one-line verdict (for notebook cells)."""
    result = evaluate(name, check, *args, **kwargs)
    print(result)
    return None
