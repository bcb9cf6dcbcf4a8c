"""Stored expected values of notebook 07's self-checks, computed from course_lib's references.

The cases come from the same builders as the hidden checks
(autograder/checks/nb07.py), on other seeds and settings: inputs (test
problems by their parameters), the right answers, and what each typical
mistake gives on the same inputs, so that a self-check names a mistake
without shipping a reference. Keys, for a case with prefix P (see
course_lib.selfcheck.nb07.stored_case):
  P__keys               names of the plain entries
  P__<key>              the entries (problem, A, b, B, d, w, eps, H, v, delta, Hv, ...)
  P__mistakes           the slugs of the stored mistakes
  P__mistake__<slug>    what mistake <slug> gives on this case
Prefixes: hess_k, newton_k, hvp_k, cg_k, ls_k, bfgs_k, lbfgs_k, with k < <kind>_n.
"""
import numpy as np

from autograder.checks.nb07 import (
    VISIBLE_BFGS,
    VISIBLE_CG,
    VISIBLE_HESSIAN,
    VISIBLE_HVP,
    VISIBLE_LBFGS,
    VISIBLE_LS,
    VISIBLE_NEWTON,
    bfgs_case,
    cg_case,
    hessian_case,
    hvp_case,
    lbfgs_case,
    ls_case,
    newton_case,
    seeded_cases,
)


def flatten_case(prefix, case):
    """The entries of one case under keys P__..., as described in the module docstring."""
    plain = [k for k in case if k != "mistakes"]
    values = {f"{prefix}__keys": np.array(plain)}
    for key in plain:
        values[f"{prefix}__{key}"] = np.asarray(case[key])
    slugs = list(case["mistakes"])
    values[f"{prefix}__mistakes"] = np.array(slugs, dtype=str)
    for slug in slugs:
        values[f"{prefix}__mistake__{slug}"] = np.asarray(case["mistakes"][slug], dtype=np.float64)
    return values


def build():
    values = {}
    groups = [
        ("hess", seeded_cases(hessian_case, 20240701, VISIBLE_HESSIAN)),
        ("newton", seeded_cases(newton_case, 20240702, VISIBLE_NEWTON)),
        ("hvp", seeded_cases(hvp_case, 20240703, VISIBLE_HVP)),
        ("cg", seeded_cases(cg_case, 20240704, VISIBLE_CG)),
        ("ls", seeded_cases(ls_case, 20240705, VISIBLE_LS)),
        ("bfgs", seeded_cases(bfgs_case, 20240706, VISIBLE_BFGS)),
        ("lbfgs", seeded_cases(lbfgs_case, 20240707, VISIBLE_LBFGS)),
    ]
    for kind, cases in groups:
        values[f"{kind}_n"] = np.array(len(cases))
        for k, case in enumerate(cases):
            values.update(flatten_case(f"{kind}_{k}", case))
    return values
