"""Stored expected values for the self-checks.

The student release holds no reference implementation, so the visible
checks compare against arrays computed once by the instructor's build
(``python -m autograder.expected``) and shipped as ``expected/<notebook>.npz``.
"""
from functools import lru_cache
from pathlib import Path

import numpy as np

EXPECTED_DIR = Path(__file__).with_name("expected")


@lru_cache(maxsize=None)
def _load(notebook):
    path = EXPECTED_DIR / f"{notebook}.npz"
    if not path.exists():
        raise FileNotFoundError(
            f"no stored expected values for notebook {notebook!r} at {path}; "
            "an instructor builds them with `python -m autograder.expected`."
        )
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def expected(notebook, key):
    """The stored array ``key`` of ``notebook`` (a copy, so a check cannot spoil it)."""
    values = _load(notebook)
    if key not in values:
        raise KeyError(f"{notebook}.npz has no entry {key!r}; known: {sorted(values)}")
    return values[key].copy()
