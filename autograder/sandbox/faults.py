"""The one vocabulary for "the submission gave no value", from the worker to the record.

    raise SubmissionFault("error", label="relu_forward", exc_type="ValueError",
                          text="shapes do not match", line=12, code="return x * mask")
    fault.describe(locate)   # "relu_forward raised ValueError: shapes do not match (cell 5, line 3: return x * mask)"

A worker refuses a request by raising a SubmissionFault; it crosses to the
judge as plain fields in the reply (``to_reply``/``from_reply``, which
checks every field, since the reply is untrusted), and the judge raises it
again from the pool's Worker. The judge's proxies then show it to the check
code (an exception of the student's class, or an abort the check cannot
catch) and the judge turns it into the test's record, reading the same
fields: nothing is parsed back out of a message.

Fields:
  status     a key of STATUSES below (what kind of failure)
  label      what was running: "relu_forward", "Adam.step", "loading the notebook's code"
  exc_type   the class name when the submission's code raised ("" otherwise), and
  exc_bases  that class's builtin bases, most derived first (("StepError", "ValueError", ...))
  text       the exception's own message (str(exc)), when the submission raised
  detail     the sentence that says what happened, without a location; for a raised
             exception it is "<label> raised <exc_type>: <text>"
  line, code the line of the extracted source the failure points at, and its text
  cell, cell_line  where that line is in the notebook (0-based cell), once located (``located``)
  output     what the call printed before it failed
``describe()`` is the sentence for a student: detail, then "(cell C, line L: code)".

Record statuses are coarser (autograder/grading/record.py): memory, crashed
and protocol become "error"; the judge decides (autograder/judge.py).
"""
import dataclasses
import os
import signal
import traceback
from dataclasses import dataclass

MAX_MESSAGE_CHARS = 2000
MAX_TEXT_CHARS = 500
SETUP_FAILED_EXIT = 70          # exit code of a worker that could not confine itself

# Outcomes of a request; "ok" is the only one that is not a SubmissionFault.
STATUSES = {
    "ok": "the call returned a value",
    "error": "the submission raised an exception or returned something unusable",
    "missing": "the function, class or attribute is not defined in the submission",
    "timeout": "over the wall-clock or CPU-time limit; the worker was stopped",
    "memory": "over the memory limit",
    "crashed": "the worker process died (os._exit, a signal, a crash in compiled code)",
    "protocol": "the worker sent something that is not a well-formed reply to this request",
}
_REPLY_FIELDS = ("label", "exc_type", "exc_bases", "text", "detail", "line", "code")


@dataclass(eq=False)   # exceptions compare by identity, and stay hashable
class SubmissionFault(Exception):
    """A request that ended without a value (see the module docstring for the fields)."""

    status: str
    detail: str = ""
    label: str = ""
    exc_type: str = ""
    exc_bases: tuple = ()
    text: str = ""
    line: int = None
    code: str = ""
    cell: int = None
    cell_line: int = None
    output: str = ""

    def __post_init__(self):
        super().__init__(f"[{self.status}] {self.describe()}")

    def __str__(self):
        return f"[{self.status}] {self.describe()}"

    @property
    def raised(self):
        """True when the submission's code raised an exception (its class is exc_type)."""
        return bool(self.exc_type)

    def where(self):
        """" (cell 5, line 3: return x * mask)", " (line 12: ...)" before locating, or ""."""
        if self.line is None:
            return ""
        place = f"cell {self.cell + 1}, line {self.cell_line}" if self.cell is not None else f"line {self.line}"
        return f" ({place}: {self.code})"

    def describe(self):
        return f"{self.detail}{self.where()}"

    @property
    def message(self):
        """The sentence for a student: ``describe()``."""
        return self.describe()

    def located(self, locate):
        """A copy with cell and cell_line set; ``locate(line) -> (cell, line in cell) or None``."""
        place = locate(self.line) if locate is not None and self.line is not None else None
        if place is None:
            return self
        return dataclasses.replace(self, cell=place[0], cell_line=place[1])

    def to_reply(self):
        """The fields a worker sends (plain JSON)."""
        reply = {k: getattr(self, k) for k in _REPLY_FIELDS}
        reply.update(status=self.status, exc_bases=list(self.exc_bases))
        return reply

    @classmethod
    def from_reply(cls, reply, output=""):
        """The fault a worker's reply describes; every field checked and bounded (the reply is untrusted)."""
        status = reply.get("status")
        if status not in STATUSES or status == "ok":
            status = "protocol"
        bases = reply.get("exc_bases")
        bases = [b for b in bases if type(b) is str and b.isidentifier()][:20] if isinstance(bases, list) else []
        line = reply.get("line")
        return cls(status, _text(reply.get("detail"), MAX_MESSAGE_CHARS), _text(reply.get("label"), 200),
                   _text(reply.get("exc_type"), 100), tuple(bases), _text(reply.get("text"), MAX_MESSAGE_CHARS),
                   line if type(line) is int else None, _text(reply.get("code"), 200), output=output)


def _text(value, limit):
    return value[:limit] if isinstance(value, str) else ""


# ---------------------------------------------------------------- made in the worker

def fault_from_exception(exc, label="", filename="<submission>", status="error"):
    """The fault for an exception the submission's code raised while running ``label``.

    The line is the last frame in ``filename`` (the extracted source), if any.
    """
    try:
        text = str(exc)
    except BaseException:
        text = "<the exception's message could not be printed>"
    text = text[:MAX_TEXT_CHARS]
    line, code = None, ""
    try:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
        if frames:
            line, code = frames[-1].lineno, (frames[-1].line or "").strip()[:200]
    except BaseException:
        pass
    exc_type = type(exc).__name__
    head = f"{label} raised " if label else ""
    return SubmissionFault(status, f"{head}{exc_type}: {text}"[:MAX_MESSAGE_CHARS], label, exc_type,
                           tuple(exception_classes(exc)), text, line, code)


def exception_classes(exc):
    """The class of ``exc`` and its builtin bases, most derived first: ["MyError", "ValueError", ...]."""
    names = [type(exc).__name__]
    names += [c.__name__ for c in type(exc).__mro__[1:] if c.__module__ == "builtins"]
    return names[:20]


# ---------------------------------------------------------------- made in the judge

def fault_from_exit(wait_status, limits, label):
    """The fault for a worker that died while running ``label`` (``wait_status`` from waitpid, or None)."""
    status, detail = _exit_words(wait_status, limits, label)
    return SubmissionFault(status, detail, label)


def _exit_words(status, limits, label):
    if status is None:
        return "crashed", f"{label}: the worker stopped unexpectedly"
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == SETUP_FAILED_EXIT:
        return "crashed", (f"{label}: the worker could not apply its limits (exit code "
                           f"{SETUP_FAILED_EXIT}); check Limits and the platform")
    if os.WIFEXITED(status):
        return "crashed", (f"{label}: the worker exited with code {os.WEXITSTATUS(status)} before "
                           "answering (os._exit(), or exit from compiled code)")
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    if sig == signal.SIGXCPU:
        return "timeout", f"{label} used more than {limits.cpu_seconds} s of CPU time"
    if sig == signal.SIGKILL:
        return "crashed", (f"{label}: the worker was killed (SIGKILL), most likely for using more "
                           f"than {limits.memory_mb} MB of memory")
    if sig == signal.SIGSEGV:
        return "crashed", (f"{label} crashed with a segmentation fault (SIGSEGV): an invalid "
                           "memory access in compiled code or ctypes")
    if sig == signal.SIGSYS:
        return "crashed", f"{label} made a forbidden system call (SIGSYS)"
    name = signal.Signals(sig).name if sig else f"wait status {status}"
    return "crashed", f"{label}: the worker died from {name}"
