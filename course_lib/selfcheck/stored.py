"""The values a notebook's self-checks compare with, stored next to its home.

The student release holds no reference implementation of the functions a
student writes, so the visible checks replay cases whose inputs, expected
outputs and the outputs of known mistakes were computed once by the
instructor's build (``python -m autograder.checks.stored_values``) and
shipped as ``course_lib/selfcheck/nbNN/stored.npz``.

    stored("nb03", "conv2d_0_x")     # a copy of one stored array
"""
from functools import lru_cache
from pathlib import Path

import numpy as np

SELFCHECK_DIR = Path(__file__).resolve().parent


def stored_path(notebook):
    """Where notebook ``notebook`` ("nb03") keeps its stored values."""
    return SELFCHECK_DIR / notebook / "stored.npz"


@lru_cache(maxsize=None)
def _load(notebook):
    path = stored_path(notebook)
    if not path.exists():
        raise FileNotFoundError(
            f"no stored values for notebook {notebook!r} at {path}; an instructor builds them with "
            "`python -m autograder.checks.stored_values` (or `make notebooks`).")
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def stored(notebook, key):
    """The stored array ``key`` of ``notebook`` (a copy, so a check cannot spoil it)."""
    values = _load(notebook)
    if key not in values:
        raise KeyError(f"{notebook}/stored.npz has no entry {key!r}; known: {sorted(values)}")
    return values[key].copy()


# ----------------------------------------------------------------------------- the layout of stored cases
# A notebook stores kind "conv2d" as "conv2d_n" (how many cases) and case k under the prefix
# "conv2d_k". A case stored as a dict has "<prefix>__keys" (its plain entries, each "<prefix>__<key>"),
# and its known mistakes "<prefix>__mistakes" ("slug" or "group/slug"), each under
# "<prefix>__mistake__<slug>" or "<prefix>__mistake__<group>__<slug>".


def mistake_entries(prefix, mistakes):
    """The stored entries of the known mistakes {slug: array} of case ``prefix`` (what stored_mistakes reads)."""
    entries = {f"{prefix}__mistakes": np.array(list(mistakes), dtype=str)}
    for slug, value in mistakes.items():
        entries[f"{prefix}__mistake__{slug}"] = np.asarray(value, dtype=np.float64)
    return entries


def stored_count(notebook, kind):
    """How many stored cases of ``kind`` the notebook has (the entry "<kind>_n")."""
    return int(stored(notebook, f"{kind}_n"))


def stored_mistakes(notebook, prefix):
    """The known mistakes of the stored case ``prefix``: {slug: array}, or {group: {slug: array}}."""
    mistakes = {}
    for entry in stored(notebook, f"{prefix}__mistakes"):
        *groups, slug = str(entry).split("/")
        place = mistakes
        for group in groups:
            place = place.setdefault(group, {})
        place[slug] = stored(notebook, f"{prefix}__mistake__" + "__".join([*groups, slug]))
    return mistakes


def stored_case(notebook, prefix):
    """The stored case ``prefix`` as a dict: its plain entries, and ``case["mistakes"]``."""
    case = {str(k): stored(notebook, f"{prefix}__{k}") for k in stored(notebook, f"{prefix}__keys")}
    case["mistakes"] = stored_mistakes(notebook, prefix)
    return case
