"""The per-case check of a notebook-05 learning-rate schedule, fn(eta0, k, t) -> eta_t.

A case (cases.ScheduleCase) holds a grid of (eta0, k, t), with k = 0 and t = 0
among them, the right values and the values of the known mistakes. Every value
must be one number within a relative SAME of the right one; a grid that misses
matches a known mistake (mistakes.SCHEDULE_MISTAKES) or is told its worst value.
"""
import numpy as np

from course_lib.batch import call_many
from course_lib.gradcheck.naming import format_value
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb05.cases import NAMEABLE, SAME
from course_lib.selfcheck.nb05.mistakes import SCHEDULE_MISTAKES


def schedule_values(fname, fn, eta0s, ks, ts):
    """fn(eta0, k, t) for every triple, as a float64 array; each answer must be one number.

    The calls go in one batch (course_lib.batch.call_many); the first exception is raised
    as a single call would have raised it.
    """
    got = np.empty(len(eta0s))
    triples = [(float(eta0), float(k), int(t)) for eta0, k, t in zip(eta0s, ks, ts)]
    results = call_many([(fn, triple, {}) for triple in triples])
    for j, ((eta0, k, t), result) in enumerate(zip(triples, results)):
        call = f"{fname}({eta0:g}, {k:g}, {t})"
        if result.error is not None:
            raise result.error
        out = result.value
        if isinstance(out, (bool, np.bool_)) or np.ndim(out) != 0:
            raise CheckFailure(f"{call} returned {type(out).__name__} "
                               f"{np.shape(out) if np.ndim(out) else ''}, expected one number.")
        try:
            got[j] = float(out)
        except (TypeError, ValueError):
            raise CheckFailure(f"{call} returned {out!r}, expected a number.") from None
    return got


def check_schedule_case(fn, case):
    """fn at every point of the case's grid against ``case.expected``; a known mistake is named when it matches."""
    fname, want = case.name, case.expected
    got = schedule_values(fname, fn, case.eta0s, case.ks, case.ts)
    with np.errstate(all="ignore"):
        errors = np.abs(got - want) / np.abs(want)
    errors = np.where(np.isnan(errors), np.inf, errors)
    if np.max(errors) <= SAME:
        return
    for key, wrong in case.mistakes.items():
        with np.errstate(all="ignore"):
            apart = np.max(np.abs(wrong - want) / np.abs(want))
            near = np.nan_to_num(np.abs(got - wrong) / np.abs(wrong), nan=np.inf)
        if apart > NAMEABLE and np.max(near) <= SAME:
            raise CheckFailure(f"{fname} computes {SCHEDULE_MISTAKES[fname][key]}.")
    j = int(np.argmax(errors))
    raise CheckFailure(
        f"{fname}({float(case.eta0s[j]):g}, {float(case.ks[j]):g}, {int(case.ts[j])}) returned "
        f"{format_value(got[j])}, expected {format_value(want[j])} "
        f"({int(np.sum(errors > SAME))} of {len(want)} values wrong).")
