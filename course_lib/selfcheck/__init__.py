"""Self-checks a student runs in the notebooks (reference-free, shipped in the release).

``run_check(name, check, *functions)`` prints one line: PASS, what is wrong,
or "not implemented yet". Per-notebook checks live in ``nbNN.py``.
"""
from .core import CheckFailure, CheckResult, evaluate, run_check
from .expected import expected

__all__ = ["CheckFailure", "CheckResult", "evaluate", "run_check", "expected"]
