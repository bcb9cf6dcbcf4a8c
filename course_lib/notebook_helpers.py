"""Helpers for the notebooks' demo cells: a demo that needs a student function says so.

A demo cell that calls a function the student has not written yet would end
in a bare ``NotImplementedError`` traceback. Wrapped in ``needs``, it prints
one line instead and the notebook's "Run All" carries on::

    with needs(conv2d_forward="§3", conv2d_backward="§3"):
        out, cache = conv2d_forward(x, w, b)
        ...

prints ``needs `conv2d_forward` from §3: write it first, run its cell, then
run this cell again.`` when the stub raised. The function named is the one
whose code raised (the innermost frame of the traceback, or the class of the
method that raised), when it is one of those listed; otherwise every listed
function is named. Any other exception is not caught: a bug in written code
must still show its traceback.
"""
import sys

__all__ = ["needs"]


def _raising_names(traceback):
    """Function names (and, for methods, class names) of the frames of a traceback, innermost first."""
    names = []
    while traceback is not None:
        frame = traceback.tb_frame
        names.append(frame.f_code.co_name)
        owner = frame.f_locals.get("self")
        if owner is not None:
            names.append(type(owner).__name__)
        owner_cls = frame.f_locals.get("cls")
        if isinstance(owner_cls, type):
            names.append(owner_cls.__name__)
        traceback = traceback.tb_next
    return names[::-1]


def missing_message(required, traceback=None):
    """The one line printed for a stub: which of ``required`` (name -> section) to write first."""
    raised = [name for name in _raising_names(traceback) if name in required]
    names = raised[:1] if raised else list(required)
    parts = [f"`{name}` from {required[name]}" if required[name] else f"`{name}`" for name in names]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"needs {listed}: write it first, run its cell, then run this cell again."


class needs:
    """Context manager: turn a stub's NotImplementedError into one line naming what to write.

    needs(name="§3", other="§4", ...) : keyword names of the student functions (or classes) the
    block uses, each with the section where it is written ("" if there is none to name).
    On NotImplementedError inside the block it prints missing_message(...), closes the figures
    the block opened (so no half-drawn plot is shown) and suppresses the error; the cell goes
    on after the block. ``.missing`` is True afterwards when that happened.
    """

    def __init__(self, **required):
        if not required:
            raise TypeError("needs(...) takes the student functions the cell uses, e.g. needs(conv2d_forward='§3').")
        self.required = required
        self.missing = False
        self._figures_before = set()

    def __enter__(self):
        self._figures_before = set(_open_figures())
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is None or not issubclass(exc_type, NotImplementedError):
            return False
        self.missing = True
        _close_figures_except(self._figures_before)
        print(missing_message(self.required, traceback))
        return True


def _open_figures():
    pyplot = sys.modules.get("matplotlib.pyplot")
    return pyplot.get_fignums() if pyplot is not None else []


def _close_figures_except(keep):
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return
    for number in pyplot.get_fignums():
        if number not in keep:
            pyplot.close(number)
