"""The stored values of notebook 06's self-checks, computed from course_lib's references.

The cases are made by the same builders as the hidden checks (fresh.py) on
other seeds: inputs stored next to the right answers and to the results of
the typical mistakes, so that a self-check names a mistake without shipping
any batch norm formula. The key layout is described in
course_lib/selfcheck/nb06/cases.py, which reads them.
"""
import numpy as np

from autograder.checks.nb06.fresh import (
    FORWARD_SETTINGS,
    SPATIAL_SETTINGS,
    backward_cases,
    forward_cases,
    sequence_case,
)


def flatten_case(prefix, case):
    """The entries of one case under keys P__... (layout in course_lib/selfcheck/nb06/cases.py)."""
    values = {}
    plain = [k for k in case if k != "mistakes"]
    values[f"{prefix}__keys"] = np.array(plain)
    for key in plain:
        values[f"{prefix}__{key}"] = np.asarray(case[key])
    entries = []
    for group, found in case["mistakes"].items():
        for slug, value in found.items():
            entries.append(f"{group}/{slug}")
            values[f"{prefix}__mistake__{group}__{slug}"] = np.asarray(value, dtype=np.float64)
    values[f"{prefix}__mistakes"] = np.array(entries)
    return values


def build():
    """{key: array}: every stored case, and the counts <kind>_n."""
    values = {}
    groups = [
        ("fwd", forward_cases(20240601, FORWARD_SETTINGS)),
        ("bwd", backward_cases(20240602, FORWARD_SETTINGS)),
        ("sfwd", forward_cases(20240603, SPATIAL_SETTINGS)),
        ("sbwd", backward_cases(20240604, SPATIAL_SETTINGS)),
    ]
    for kind, cases in groups:
        values[f"{kind}_n"] = np.array(len(cases))
        for k, case in enumerate(cases):
            values.update(flatten_case(f"{kind}_{k}", case))
    values.update(flatten_case("seq", sequence_case(20240605)))
    return values
