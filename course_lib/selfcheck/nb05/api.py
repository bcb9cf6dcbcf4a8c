"""The optimizer API a notebook-05 class must offer, checked before and while its trajectory is judged.

A class is only constructed with keyword arguments, ``cls(**case.kwargs)``, and
asked to ``step(theta, grad_fn)``. Its constructor takes the lecture's
hyperparameters with the lecture's defaults (HYPERPARAMETERS) and the
keyword-only ``schedule=None``. Only what ``inspect`` can read is judged here;
everything else is left to the trajectories (trajectories.py).
"""
import inspect

from course_lib.selfcheck.core import CheckFailure

# The lecture's hyperparameters of each constructor and their defaults (None: no default, give it).
# Every constructor also takes the keyword-only argument schedule=None.
HYPERPARAMETERS = {
    "SGD": {"eta": None},
    "Momentum": {"eta": None, "alpha": 0.9},
    "Nesterov": {"eta": None, "alpha": 0.9},
    "NesterovSimplified": {"eta": None, "alpha": 0.9},
    "AdaGrad": {"eta": None, "delta": 1e-7},
    "RMSProp": {"eta": None, "rho": 0.9, "delta": 1e-6},
    "RMSPropNesterov": {"eta": None, "alpha": 0.9, "rho": 0.9, "delta": 1e-6},
    "AdaDelta": {"rho": 0.95, "delta": 1e-6, "eta": 1.0},
    "Adam": {"eta": 0.001, "rho1": 0.9, "rho2": 0.999, "delta": 1e-8},
}


def signature_problem(name, cls):
    """A sentence when cls's constructor visibly lacks a hyperparameter or schedule, else None.

    Only what inspect can read is judged; a constructor taking **kwargs, or one whose
    signature cannot be read, is left to the trajectories.
    """
    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return None
    if any(p.kind == inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return None
    wanted = list(HYPERPARAMETERS[name]) + ["schedule"]
    usable = {n for n, p in params.items() if p.kind != inspect.Parameter.POSITIONAL_ONLY}
    missing = [n for n in wanted if n not in usable]
    if not missing:
        return None
    return (f"{name}'s constructor must accept the keyword argument{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; write it as {signature_text(name)}.")


def signature_text(name):
    """The lecture's constructor of optimizer ``name``, as a line of Python."""
    parts = [f"{n}={d!r}" for n, d in HYPERPARAMETERS[name].items()]
    return f"def __init__(self, {', '.join(parts)}, *, schedule=None)"


def default_problems(name, cls):
    """Sentences naming the constructor defaults that differ from the lecture's (readable ones only)."""
    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return []
    found = []
    for n, want in HYPERPARAMETERS[name].items():
        if want is None or n not in params or params[n].default is inspect.Parameter.empty:
            continue
        got = params[n].default
        if not isinstance(got, (int, float)) or isinstance(got, bool) or abs(got - want) > 1e-12 * abs(want):
            found.append(f"{n} defaults to {got!r}, the lecture's default is {want!r}")
    return found


def make_optimizer(cls, case):
    """A fresh instance ``cls(**case.kwargs)``; a TypeError becomes a CheckFailure naming the call."""
    try:
        return cls(**case.kwargs)
    except TypeError as err:
        problem = signature_problem(case.name, cls)
        raise CheckFailure(f"{case.call_text()} could not be created: TypeError: {err}"
                           + (f". {problem}" if problem else "")) from None
