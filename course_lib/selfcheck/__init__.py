"""Self-checks a student runs in the notebooks (reference-free, shipped in the release).

``run_check(name, check, *functions)`` prints one line: PASS, what is wrong,
or "not implemented yet". Shared machinery: ``core.py`` (running a check),
``common.py`` (comparisons and messages), ``table.py`` (the table that makes
each notebook's check pairs), ``stored.py`` (the stored values). Each
notebook's own checks live in its home, the package ``nbNN/``.
"""
from .core import CheckFailure, CheckResult, evaluate, run_check

__all__ = ["CheckFailure", "CheckResult", "evaluate", "run_check"]
