"""How a submission's failure looks to the check code, and which record it becomes.

    raise to_check_exception(fault, "relu_forward", locate=extraction.locate)

A SubmissionFault (autograder/sandbox/faults.py) is shown to the check as:
  StudentRaised   the submission's code raised X: an exception of (a look-alike of) class X,
                  so ``except ValueError`` in a check works as in the kernel
  SubmissionAbort everything else: a BaseException that check code does not catch; its
                  ``status`` is the record status (timeout, missing, error) and its
                  ``message`` the record message
Both keep the fault as ``.fault``; the judge reads the record from it.
"""
import builtins

import numpy as np

from autograder.sandbox import SubmissionFault
from course_lib.selfcheck.core import CheckFailure

RECORD_STATUS = {"timeout": "timeout", "missing": "missing"}   # any other fault status is an "error" record


class SubmissionAbort(BaseException):
    """The submission gave no value: timeout, crash, memory, a missing name, a broken channel.

    A BaseException so that a check's ``except Exception`` does not turn it
    into a wrong-answer message. ``status`` and ``message`` are the record's.
    """

    def __init__(self, fault):
        super().__init__(fault.describe())
        self.fault = fault

    @property
    def status(self):
        return RECORD_STATUS.get(self.fault.status, "error")

    @property
    def message(self):
        return self.fault.describe()

    @classmethod
    def of(cls, status, message, label=""):
        """An abort the judge decides on itself (the test's time ran out)."""
        return cls(SubmissionFault(status, message, label))


class StudentRaised(Exception):
    """Mixed into every exception re-raised in the judge for the submission's code."""

    label = type_name = text = ""
    fault = None


def to_check_exception(fault, label, *, timeout=None, wall_seconds=None):
    """The exception the check code should see for ``fault`` (already located) of a call to ``label``.

    ``timeout`` is the limit the call had; below the per-call ``wall_seconds``
    it was the test's budget that ran out, and the message says so.
    """
    if fault.status == "error" and fault.raised:
        return student_exception(fault.exc_type, fault.text + fault.where(), label, fault.exc_bases, fault)
    if fault.status == "timeout" and timeout is not None and timeout < wall_seconds:
        return SubmissionAbort.of("timeout", f"the time for this test ran out while {label} was running; "
                                             "its worker was stopped", label)
    if fault.status == "missing" and "." in label:    # a method or attribute of an object
        return student_exception("AttributeError", fault.describe(), label, fault=fault)
    return SubmissionAbort(fault)


_EXTRA_EXCEPTIONS = {"CheckFailure": CheckFailure, "LinAlgError": np.linalg.LinAlgError}
_student_classes = {}


def student_exception(type_name, text, label="", classes=(), fault=None):
    """An exception of (a look-alike of) class ``type_name``, marked StudentRaised.

    ``classes`` are the names of its class and builtin bases, most derived
    first, as the worker reports them: the first one known here (a builtin,
    CheckFailure, LinAlgError) becomes the base class, so a student's
    ``class StepError(RuntimeError)`` is caught by ``except RuntimeError``.
    Its str() is the submission's own message, as in the kernel.
    """
    short = type_name.rsplit(".", 1)[-1]
    if short == "CheckFailure":
        return CheckFailure(text)       # e.g. a counting graph's budget, checked in the worker
    base = None
    for name in [short, *classes]:
        candidate = _EXTRA_EXCEPTIONS.get(name) or getattr(builtins, name, None)
        if isinstance(candidate, type) and issubclass(candidate, Exception):
            base = candidate
            break
    key = (short, base)
    cls = _student_classes.get(key)
    if cls is None:
        bases = (base, StudentRaised) if base is not None else (StudentRaised,)
        try:
            cls = type(short, bases, {})
        except TypeError:        # a base with an incompatible layout
            cls = type(short, (StudentRaised,), {})
        _student_classes[key] = cls
    exc = cls.__new__(cls)
    Exception.__init__(exc, text)
    exc.label, exc.type_name, exc.text, exc.fault = label, short, text, fault
    return exc
