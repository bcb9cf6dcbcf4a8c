"""The stored values of notebook 07's self-checks, computed from course_lib's references.

The cases come from the same builders as the hidden checks (fresh.py), on
other seeds and settings: inputs (test problems by their parameters), the
right answers, and what each typical mistake gives on the same inputs, so
that a self-check names a mistake without shipping a reference. The key
layout is described in course_lib/selfcheck/nb07/cases.py, which reads them.
"""
import numpy as np

from autograder.checks.nb07.fresh import (
    bfgs_case,
    cg_case,
    first_iterate,
    hessian_case,
    hvp_case,
    lbfgs_case,
    ls_case,
    newton_case,
)
from course_lib.selfcheck.nb07.cases import seeded_cases, visible_minimize_problems

# Finite differences divide rounding by their step, so a last-bit change of a gradient on another
# CPU or BLAS grows to about 1e-16 / delta of the result: these stored values are compared with a
# fresh build to these relative tolerances (tests/notebooks/test_stored_values.py), the rest to 1e-12.
# The first iterates of minimize ("minfirst_") go through hessian_fd (Newton) or hvp_fd (CG): 1e-9
# measured across OpenBLAS core types; the self-check allows 1e-6 (FIRST_STEP_TOL).
TOLERANCES = {"hess_": 1e-9, "hvp_": 1e-7, "minfirst_": 1e-7}

VISIBLE_HESSIAN = [("quartic", 3, 0.05), ("quartic", 4, 1e-5), ("rosenbrock", 4, 1e-4)]
VISIBLE_NEWTON = [(3, "spd"), (5, "spd"), (2, "indefinite")]
VISIBLE_HVP = [("quadratic", 4, 2.5, 0.4, 1e-6), ("quadratic", 3, 0.5, 3.0, 1e-6),
               ("rosenbrock", 5, 2.5, 0.3, 1e-3), ("quartic", 3, 1.7, 0.6, 1e-2),
               ("quartic", 4, 1.3, 0.8, 1e-6)]  # delta = 1e-6: called without it, at the default
VISIBLE_CG = [(4, False), (5, True)]
VISIBLE_LS = [("rosenbrock", 2, 1.0, 1e-4, 0.5, False), ("quadratic", 3, 3.0, 0.3, 0.5, True),
              ("quadratic", 4, 1.0, 0.45, 0.3, True), ("quartic", 3, 0.7, 0.2, 0.8, False),
              ("quadratic", 3, "2.4*", 0.45, 0.5, False)]
VISIBLE_BFGS = [(4, False), (2, False), (6, True)]
VISIBLE_LBFGS = [(5, 3), (4, 1), (6, 5)]

# (stored kind, builder, seed, settings): the prefixes <kind>_k of the stored cases
GROUPS = [
    ("hess", hessian_case, 20240701, VISIBLE_HESSIAN),
    ("newton", newton_case, 20240702, VISIBLE_NEWTON),
    ("hvp", hvp_case, 20240703, VISIBLE_HVP),
    ("cg", cg_case, 20240704, VISIBLE_CG),
    ("ls", ls_case, 20240705, VISIBLE_LS),
    ("bfgs", bfgs_case, 20240706, VISIBLE_BFGS),
    ("lbfgs", lbfgs_case, 20240707, VISIBLE_LBFGS),
]


def flatten_case(prefix, case):
    """The entries of one data case under keys P__... (layout in course_lib/selfcheck/nb07/cases.py)."""
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
    """{key: array}: every stored case of every kind, the counts <kind>_n, and the first iterate of each
    method on each visible minimize problem (minfirst_<method>_<k>)."""
    values = {}
    for kind, make_case, seed, settings in GROUPS:
        cases = seeded_cases(make_case, seed, settings)
        values[f"{kind}_n"] = np.array(len(cases))
        for k, case in enumerate(cases):
            values.update(flatten_case(f"{kind}_{k}", case))
    for method in ("newton", "cg", "bfgs", "lbfgs"):
        for k, (f, grad, w0, *_) in enumerate(visible_minimize_problems()):
            values[f"minfirst_{method}_{k}"] = np.asarray(first_iterate(method, f, grad, w0))
    return values
