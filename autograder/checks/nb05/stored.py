"""Build notebook 05's stored values, course_lib/selfcheck/nb05/stored.npz, from course_lib's references.

Problems, starting points and constructor arguments are stored next to the
trajectories, so a self-check replays exactly the run they were computed for.
The key layout is in the docstring of course_lib/selfcheck/nb05/cases.py,
whose readers (stored_optimizer_cases, stored_schedule_cases) read them back.
Run through ``python -m autograder.checks.stored_values 05``.
"""
import numpy as np

from autograder.checks.nb05.fresh import build_case, schedule_case
from course_lib.selfcheck.nb05.cases import (
    DEFAULTS,
    OPTIMIZERS,
    SCHEDULE,
    SCHEDULES,
    gradient_function,
    make_problems,
    schedule_grid,
)

SEED = 5005
CHECK_PROBLEMS = make_problems(SEED, (0.5, 3.0, 12.0), (0.5, 1.0, 2.5), 100.0)
CHECK_STARTS = {"Q": (1.5, -2.0, 0.8), "S": (-1.0, 1.5, 2.0), "R": (-1.2, 1.0)}
CHECK_SCHEDULE = (0.2, 0.5)
"""eta0 and k of the inverse-decay schedule the schedule cases use."""

# (label, problem, steps, kwargs), as fresh.GRADE_CASES but other problems and values.
CHECK_CASES = {
    "SGD": [("", "Q", 40, {"eta": 0.15}), ("", "R", 60, {"eta": 0.001}), (SCHEDULE, "S", 20, {})],
    "Momentum": [("", "Q", 50, {"eta": 0.05, "alpha": 0.7}), ("", "R", 60, {"eta": 0.0008, "alpha": 0.8}),
                 (DEFAULTS, "Q", 30, {"eta": 0.02}), (SCHEDULE, "S", 20, {"alpha": 0.6})],
    "Nesterov": [("", "Q", 50, {"eta": 0.05, "alpha": 0.75}), ("", "R", 60, {"eta": 0.0008, "alpha": 0.8}),
                 (DEFAULTS, "Q", 30, {"eta": 0.02}), (SCHEDULE, "S", 20, {"alpha": 0.6})],
    "NesterovSimplified": [("", "Q", 50, {"eta": 0.05, "alpha": 0.75}),
                           ("", "R", 60, {"eta": 0.0008, "alpha": 0.8}),
                           (DEFAULTS, "Q", 30, {"eta": 0.02}), (SCHEDULE, "S", 20, {"alpha": 0.6})],
    "AdaGrad": [("", "Q", 50, {"eta": 0.5, "delta": 0.3}), ("", "R", 60, {"eta": 0.05, "delta": 1e-3}),
                (DEFAULTS, "Q", 30, {"eta": 0.4}), (SCHEDULE, "S", 20, {"delta": 0.1})],
    "RMSProp": [("", "Q", 50, {"eta": 0.05, "rho": 0.8, "delta": 0.2}),
                ("", "R", 60, {"eta": 0.005, "rho": 0.95, "delta": 1e-4}),
                (DEFAULTS, "Q", 30, {"eta": 0.03}), (SCHEDULE, "S", 20, {"rho": 0.75, "delta": 0.1})],
    "RMSPropNesterov": [("", "Q", 50, {"eta": 0.03, "alpha": 0.5, "rho": 0.85, "delta": 0.2}),
                        ("", "R", 60, {"eta": 0.003, "alpha": 0.6, "rho": 0.9, "delta": 1e-4}),
                        (DEFAULTS, "Q", 30, {"eta": 0.01}),
                        (SCHEDULE, "S", 20, {"alpha": 0.4, "rho": 0.8, "delta": 0.1})],
    "AdaDelta": [("", "Q", 50, {"rho": 0.85, "delta": 0.01}),
                 ("", "R", 60, {"rho": 0.9, "delta": 1e-3, "eta": 2.0}),
                 (DEFAULTS, "Q", 30, {}), (SCHEDULE, "S", 20, {"rho": 0.8, "delta": 0.01})],
    "Adam": [("", "Q", 50, {"eta": 0.08, "rho1": 0.75, "rho2": 0.9, "delta": 0.05}),
             ("", "R", 60, {"eta": 0.01, "rho1": 0.8, "rho2": 0.99, "delta": 1e-6}),
             (DEFAULTS, "Q", 30, {"eta": 0.05}), (DEFAULTS, "S", 30, {}),
             (SCHEDULE, "S", 20, {"rho1": 0.7, "rho2": 0.95, "delta": 0.01})],
}
CHECK_SCHEDULE_GRID = schedule_grid((0.1, 0.5, 2.0), (0.0, 0.01, 0.3, 1.5), (0, 1, 2, 5, 10, 37))


def inverse_schedule(eta0, k):
    """t -> eta0 / (1 + k t), the schedule the stored cases use (the self-check reads its stored rates)."""
    return lambda t: eta0 / (1.0 + k * t)


def schedule_rates(eta0, k, steps):
    """The rates of inverse_schedule(eta0, k) at t = 0, 1, ..., 2 steps + 1 (cases.StoredSchedule's reach)."""
    schedule = inverse_schedule(eta0, k)
    return np.array([schedule(t) for t in range(2 * steps + 2)], dtype=np.float64)


def _problem_values():
    values, index = {}, {}
    for p, (key, (kind, params)) in enumerate(CHECK_PROBLEMS.items()):
        index[key] = p
        values[f"problem_{p}_kind"] = np.array(kind)
        if kind == "quadratic":
            values[f"problem_{p}_A"], values[f"problem_{p}_b"] = params["A"], params["b"]
        else:
            values[f"problem_{p}_ab"] = np.array([params["a"], params["b"]])
    return values, index


def _optimizer_values(index):
    values = {}
    for name in OPTIMIZERS:
        values[f"{name}_n"] = np.array(len(CHECK_CASES[name]))
        for c, (label, key, steps, kwargs) in enumerate(CHECK_CASES[name]):
            kind, params = CHECK_PROBLEMS[key]
            case = build_case(name, label, (kind, params), CHECK_STARTS[key], steps, kwargs,
                              gradient_function(kind, params), schedule=inverse_schedule(*CHECK_SCHEDULE),
                              first=c == 0)
            prefix = f"{name}_{c}"
            values.update({
                f"{prefix}_problem": np.array(index[key]), f"{prefix}_label": np.array(label),
                f"{prefix}_theta0": case.theta0, f"{prefix}_path": case.expected,
                f"{prefix}_kw_names": np.array(list(kwargs), dtype=str),
                f"{prefix}_kw_values": np.array(list(kwargs.values()), dtype=np.float64),
                f"{prefix}_schedule": np.array(CHECK_SCHEDULE if label == SCHEDULE else [], dtype=np.float64),
            })
            if label == SCHEDULE:
                values[f"{prefix}_schedule_rates"] = schedule_rates(*CHECK_SCHEDULE, steps)
            for mistake, path in case.mistakes.items():
                values[f"{prefix}_mistake_{mistake}"] = path
    return values


def _schedule_values():
    values = {}
    eta0s, ks, ts = CHECK_SCHEDULE_GRID
    for fname in SCHEDULES:
        case = schedule_case(fname, eta0s, ks, ts)
        values.update({f"{fname}_eta0": eta0s, f"{fname}_k": ks, f"{fname}_t": ts, f"{fname}_values": case.expected})
        for key, wrong in case.mistakes.items():
            values[f"{fname}_mistake_{key}"] = wrong
    return values


def build():
    """{key: array}: the problems, every optimizer's stored cases, the schedules' grids (layout in cases.py)."""
    values, index = _problem_values()
    return {**values, **_optimizer_values(index), **_schedule_values()}
