"""Notebook 05's hidden cases: problems, starting points and hyperparameters the self-checks never showed.

Trusted, never shipped. The right paths and values come from course_lib's
references, the mistakes' from mistaken.py, on fixed seeds. Every callable an
optimizer is handed (the gradient, a schedule) is a TrustedFunction, which the
sandbox sends by name for the worker to rebuild, and which the notebook's
kernel simply calls; a submission's class is only constructed with keyword
arguments and asked to ``step(theta, grad_fn)``.

    fresh_optimizer_cases("Adam")          # OptimizerCase, one at a time, the first one first
    fresh_schedule_cases("inverse_decay")  # [ScheduleCase]
"""
import functools

import numpy as np

from autograder.checks.nb05.mistaken import case_paths, schedule_variants
from autograder.sandbox import TrustedFunction
from course_lib import optim
from course_lib.selfcheck.nb05.cases import (
    DEFAULTS,
    SCHEDULE,
    OptimizerCase,
    ScheduleCase,
    describe_problem,
    make_problems,
    schedule_grid,
)

SEED = 7505

GRADE_PROBLEMS = make_problems(SEED, (0.3, 2.0, 7.0, 25.0), (0.4, 1.5, 3.5), 20.0)
GRADE_STARTS = {"Q": (1.3, -0.7, 2.1, -1.6), "S": (-2.0, 1.2, 0.6), "R": (-0.9, 1.3, 0.4)}

# (label, problem, steps, kwargs): the first case makes every hyperparameter matter (a large
# delta shows where the stabiliser sits); "defaults" leaves some out; "schedule" passes one.
GRADE_CASES = {
    "SGD": [("", "Q", 50, {"eta": 0.07}), ("", "R", 80, {"eta": 0.004}),
            (SCHEDULE, "S", 25, {})],
    "Momentum": [("", "Q", 60, {"eta": 0.02, "alpha": 0.75}), ("", "R", 80, {"eta": 0.002, "alpha": 0.6}),
                 (DEFAULTS, "Q", 40, {"eta": 0.01}), (SCHEDULE, "S", 25, {"alpha": 0.5})],
    "Nesterov": [("", "Q", 60, {"eta": 0.025, "alpha": 0.8}), ("", "R", 80, {"eta": 0.002, "alpha": 0.65}),
                 (DEFAULTS, "Q", 40, {"eta": 0.01}), (SCHEDULE, "S", 25, {"alpha": 0.55})],
    "NesterovSimplified": [("", "Q", 60, {"eta": 0.025, "alpha": 0.8}),
                           ("", "R", 80, {"eta": 0.002, "alpha": 0.65}),
                           (DEFAULTS, "Q", 40, {"eta": 0.01}), (SCHEDULE, "S", 25, {"alpha": 0.55})],
    "AdaGrad": [("", "Q", 60, {"eta": 0.6, "delta": 0.4}), ("", "R", 80, {"eta": 0.08, "delta": 1e-3}),
                (DEFAULTS, "Q", 40, {"eta": 0.3}), (SCHEDULE, "S", 25, {"delta": 0.2})],
    "RMSProp": [("", "Q", 60, {"eta": 0.04, "rho": 0.7, "delta": 0.3}),
                ("", "R", 80, {"eta": 0.01, "rho": 0.95, "delta": 1e-4}),
                (DEFAULTS, "Q", 40, {"eta": 0.02}), (SCHEDULE, "S", 25, {"rho": 0.8, "delta": 0.1})],
    "RMSPropNesterov": [("", "Q", 60, {"eta": 0.02, "alpha": 0.6, "rho": 0.8, "delta": 0.3}),
                        ("", "R", 80, {"eta": 0.004, "alpha": 0.5, "rho": 0.9, "delta": 1e-4}),
                        (DEFAULTS, "Q", 40, {"eta": 0.01}),
                        (SCHEDULE, "S", 25, {"alpha": 0.5, "rho": 0.7, "delta": 0.1})],
    "AdaDelta": [("", "Q", 60, {"rho": 0.8, "delta": 0.02}), ("", "R", 80, {"rho": 0.9, "delta": 1e-3, "eta": 3.0}),
                 (DEFAULTS, "Q", 40, {}), (SCHEDULE, "S", 25, {"rho": 0.85, "delta": 0.01})],
    "Adam": [("", "Q", 60, {"eta": 0.05, "rho1": 0.8, "rho2": 0.95, "delta": 0.05}),
             ("", "R", 80, {"eta": 0.02, "rho1": 0.7, "rho2": 0.99, "delta": 1e-6}),
             (DEFAULTS, "Q", 40, {"eta": 0.03}), (DEFAULTS, "S", 30, {}),
             (SCHEDULE, "S", 25, {"rho1": 0.6, "rho2": 0.9, "delta": 0.01})],
}

GRADE_SCHEDULE_GRID = schedule_grid((0.05, 0.8, 3.0), (0.0, 0.02, 0.45, 1.7), (0, 1, 3, 8, 25, 60))


def trusted_grad(kind, params):
    return TrustedFunction(kind, "grad", **params)


def grade_schedule():
    """A decaying schedule the sandbox can rebuild: eta_t = sigma'(t) = 0.25, 0.197, 0.105, 0.045, ..."""
    return TrustedFunction("sigmoid", "derivative")


def build_case(name, label, problem, theta0, steps, kwargs, grad_fn, schedule=None, schedule_text="", first=False):
    """An OptimizerCase with the reference's and the mistakes' paths computed on grad_fn."""
    kind, params = problem
    kwargs = dict(kwargs)
    if label == SCHEDULE:
        kwargs["schedule"] = schedule
    theta0 = np.asarray(theta0, dtype=np.float64)
    reference, mistakes = case_paths(name, kwargs, grad_fn, theta0, steps)
    return OptimizerCase(name=name, label=label, problem=describe_problem(kind, params, theta0.size),
                         grad_fn=grad_fn, theta0=theta0, kwargs=kwargs, expected=reference, mistakes=mistakes,
                         schedule_text=schedule_text if label == SCHEDULE else "", first=first)


def fresh_optimizer_cases(name):
    """The hidden check's cases of optimizer ``name``, the first one first.

    Built one at a time: a failed case stops the check, so the paths of the cases after it
    are never computed.
    """
    for c in range(len(GRADE_CASES[name])):
        yield grade_case(name, c)


@functools.lru_cache(maxsize=None)
def grade_case(name, c):
    """Case ``c`` of optimizer ``name``, built once per process: the reference's and the mistakes' paths
    are the same for every submission, and computing them took most of a submission's grading time.
    Its arrays are read-only, so no check can change what the next submission is compared with.
    """
    label, key, steps, kwargs = GRADE_CASES[name][c]
    kind, params = GRADE_PROBLEMS[key]
    case = build_case(name, label, (kind, params), GRADE_STARTS[key], steps, kwargs,
                      trusted_grad(kind, params), schedule=grade_schedule(),
                      schedule_text="(t -> sigma'(t))", first=c == 0)
    for array in (case.theta0, case.expected, *case.mistakes.values()):
        array.setflags(write=False)
    return case


def schedule_case(fname, eta0s, ks, ts):
    """A ScheduleCase on the flat grid, with the reference's values and the mistakes'."""
    reference = getattr(optim, fname)
    values = np.array([reference(float(e), float(k), int(t)) for e, k, t in zip(eta0s, ks, ts)])
    return ScheduleCase(fname, eta0s, ks, ts, values, schedule_variants(fname, eta0s, ks, ts))


def fresh_schedule_cases(fname):
    """The hidden check's one case of schedule ``fname``: a grid the self-check never showed."""
    return [schedule_case(fname, *GRADE_SCHEDULE_GRID)]
