"""Notebook 05's cases: the test problems, what one run of an optimizer or a schedule is, the stored ones.

An optimizer is judged on its *trajectory*: a fresh instance ``cls(**kwargs)``
makes ``steps`` steps ``theta <- opt.step(theta, grad_fn)`` from theta_0 on a
test problem (an ill-conditioned quadratic 1/2 x^T A x - b^T x or Rosenbrock's
function), and every iterate is compared with the lecture's. A schedule is
judged on its values fn(eta0, k, t) over a grid. Both cases carry the right
answers and the answers of the known mistakes (mistakes.py names them), computed
by the trusted side from course_lib's references: fresh for the hidden checks,
stored in ``stored.npz`` for the self-checks. Drawing the problems and the grid
from a seed reveals no answer, so it lives here for both sides.

Layout of the stored values, ``stored("nb05", key)`` (written by autograder/checks/nb05/stored.py):
  problem_{p}_kind ("quadratic" or "rosenbrock"); problem_{p}_A, problem_{p}_b (quadratic);
      problem_{p}_ab (Rosenbrock's a and b)
  {name}_n; {name}_{c}_{problem,label,theta0,kw_names,kw_values,schedule,path};
  {name}_{c}_mistake_{key}     name in OPTIMIZERS, key in MISTAKES[name]; schedule is
      [eta0, k] of an inverse-decay schedule, or empty; then {name}_{c}_schedule_rates holds
      its rates at t = 0, 1, ..., 2 steps + 1
  {fname}_{eta0,k,t,values}; {fname}_mistake_{key}   fname in SCHEDULES, key in
      SCHEDULE_MISTAKES[fname]
"""
from dataclasses import dataclass, field

import numpy as np

from course_lib.data import rosenbrock_gradient
from course_lib.gradcheck.naming import format_value
from course_lib.selfcheck.common import matrix_with_eigenvalues, vector_text
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb05.mistakes import MISTAKES, SCHEDULE_MISTAKES
from course_lib.selfcheck.stored import stored

NB = "nb05"
OPTIMIZERS = ("SGD", "Momentum", "Nesterov", "NesterovSimplified", "AdaGrad", "RMSProp",
              "RMSPropNesterov", "AdaDelta", "Adam")
SCHEDULES = ("inverse_decay", "exponential_decay")

SAME = 1e-9
"""Largest relative distance of a right iterate (or value) from the lecture's; a right class lands near 1e-15."""
NAMEABLE = 1e-8
"""A known mistake is only named when its answer differs from the right one by more than this."""

DEFAULTS = "defaults"
"""Label of a case that leaves some hyperparameters out, so that they keep their defaults."""
SCHEDULE = "schedule"
"""Label of a case whose optimizer gets a decaying schedule instead of eta."""


# ----------------------------------------------------------------------------- problems


def quadratic_gradient(A, b):
    """grad f for f(x) = 1/2 x^T A x - b^T x (A symmetric): x -> A x - b."""
    A, b = np.array(A, dtype=np.float64), np.array(b, dtype=np.float64)
    return lambda x: A @ np.asarray(x, dtype=np.float64) - b


def gradient_function(kind, params):
    """The gradient x -> grad f(x) of a test problem: "quadratic" (A, b) or "rosenbrock" (a, b)."""
    if kind == "quadratic":
        return quadratic_gradient(params["A"], params["b"])
    if kind == "rosenbrock":
        a, b = float(params["a"]), float(params["b"])
        return lambda x: rosenbrock_gradient(x, a=a, b=b)
    raise ValueError(f"unknown problem kind {kind!r}; expected 'quadratic' or 'rosenbrock'.")


def describe_problem(kind, params, dim):
    if kind == "quadratic":
        eigenvalues = np.linalg.eigvalsh(np.asarray(params["A"], dtype=np.float64))
        return (f"the quadratic f(x) = 1/2 x^T A x - b^T x in {dim} dimensions (eigenvalues of A from "
                f"{format_value(eigenvalues[0])} to {format_value(eigenvalues[-1])})")
    return f"Rosenbrock's function in {dim} dimensions (a = {params['a']:g}, b = {params['b']:g})"


def make_problems(seed, quadratic_eigenvalues, gentle_eigenvalues, rosenbrock_b):
    """{"Q": ill-conditioned quadratic, "S": gentle quadratic (for schedules), "R": Rosenbrock}.

    Each value is (kind, params), as gradient_function and TrustedFunction name them. A (d, d)
    has the given eigenvalues; b (d,) is standard normal; all drawn from default_rng(seed).
    """
    rng = np.random.default_rng(seed)
    q = {"A": matrix_with_eigenvalues(rng, quadratic_eigenvalues, symmetrise=False),
         "b": rng.standard_normal(len(quadratic_eigenvalues))}
    s = {"A": matrix_with_eigenvalues(rng, gentle_eigenvalues, symmetrise=False),
         "b": rng.standard_normal(len(gentle_eigenvalues))}
    return {"Q": ("quadratic", q), "S": ("quadratic", s),
            "R": ("rosenbrock", {"a": 1.0, "b": float(rosenbrock_b)})}


def schedule_grid(eta0s, ks, ts):
    """Every combination as three flat arrays (eta0, k, t); t as integers."""
    e, k, t = np.meshgrid(np.asarray(eta0s, float), np.asarray(ks, float), np.asarray(ts, np.int64),
                          indexing="ij")
    return e.ravel(), k.ravel(), t.ravel()


# ----------------------------------------------------------------------------- cases


@dataclass
class OptimizerCase:
    """One run of optimizer ``name``: ``cls(**kwargs)`` steps from theta0 on a problem; expected (steps + 1, d) path.

    label: "" for an ordinary case, DEFAULTS when only some hyperparameters are given (the
    others keep their defaults), SCHEDULE when kwargs holds a schedule. schedule_text says in
    words what the schedule in kwargs is. mistakes: {key of MISTAKES[name]: path of that mistake}.
    first: the check's first case, on which the constructor's signature is read before the run
    and two instances are stepped in turn after it. A case's ``grad_fn`` (and a schedule in its
    ``kwargs``) is whatever callable the builder passes: a plain function in the self-check, a
    TrustedFunction in grading.
    """

    name: str
    label: str
    problem: str
    grad_fn: object
    theta0: np.ndarray
    kwargs: dict
    expected: np.ndarray
    mistakes: dict = field(default_factory=dict)
    schedule_text: str = ""
    first: bool = False

    @property
    def steps(self):
        return len(self.expected) - 1

    def call_text(self):
        args = [f"{k}={self.schedule_text or 'a schedule'}" if k == "schedule" else f"{k}={v!r}"
                for k, v in self.kwargs.items()]
        return f"{self.name}({', '.join(args)})"

    def context(self):
        return (f"{self.call_text()} on {self.problem}, {self.steps} steps from theta_0 = "
                f"{vector_text(self.theta0)}")


@dataclass
class ScheduleCase:
    """Schedule ``name`` ("inverse_decay") at every (eta0s[j], ks[j], ts[j]): values ``expected``, all (n,).

    mistakes: {key of SCHEDULE_MISTAKES[name]: (n,) values of that mistake}.
    """

    name: str
    eta0s: np.ndarray
    ks: np.ndarray
    ts: np.ndarray
    expected: np.ndarray
    mistakes: dict = field(default_factory=dict)


class StoredSchedule:
    """A stored case's learning-rate schedule, t -> rates[t], read from the stored rates.

    The rates cover t = 0 .. 2 steps + 1, so a step counter that is one off or moves twice per
    step still gets its rate and the path shows the mistake. Any other t (not a whole number,
    negative, or further on) has no stored rate: the check says what t must be.
    """

    def __init__(self, rates, text):
        self.rates = np.asarray(rates, dtype=np.float64)
        self.text = text             # "(t -> 0.2 / (1 + 0.5 t))", for the messages

    def __call__(self, t):
        try:
            # a number, a numpy scalar or a 0-d array; float() would also read a string
            position = float("nan") if isinstance(t, (str, bytes)) else float(t)
        except (TypeError, ValueError):
            position = float("nan")
        if position.is_integer() and 0 <= position < len(self.rates):
            return float(self.rates[int(position)])
        raise CheckFailure(
            f"the schedule {self.text} was called with t = {t!r}; t is the number of updates made before "
            f"this one: 0 on the first step, then 1, 2, ... (a whole number, at most {len(self.rates) - 1} "
            "in this case).")

    def __repr__(self):
        return f"StoredSchedule{self.text}"


# ----------------------------------------------------------------------------- stored cases


def stored_problem(p):
    """(kind, params) of stored problem p."""
    kind = str(stored(NB, f"problem_{p}_kind"))
    if kind == "quadratic":
        return kind, {"A": stored(NB, f"problem_{p}_A"), "b": stored(NB, f"problem_{p}_b")}
    a, b = stored(NB, f"problem_{p}_ab")
    return kind, {"a": float(a), "b": float(b)}


def stored_optimizer_case(name, c):
    """Case c of optimizer ``name`` from the stored values (layout in this module's docstring)."""
    key = f"{name}_{c}"
    kind, params = stored_problem(int(stored(NB, f"{key}_problem")))
    theta0 = stored(NB, f"{key}_theta0")
    names = [str(n) for n in stored(NB, f"{key}_kw_names")]
    values = stored(NB, f"{key}_kw_values")
    kwargs = {n: float(v) for n, v in zip(names, values)}
    schedule = stored(NB, f"{key}_schedule")
    schedule_text = ""
    if schedule.size:
        eta0, k = (float(v) for v in schedule)
        schedule_text = f"(t -> {eta0:g} / (1 + {k:g} t))"
        kwargs["schedule"] = StoredSchedule(stored(NB, f"{key}_schedule_rates"), schedule_text)
    mistakes = {m: stored(NB, f"{key}_mistake_{m}") for m in MISTAKES[name]}
    return OptimizerCase(
        name=name, label=str(stored(NB, f"{key}_label")), problem=describe_problem(kind, params, theta0.size),
        grad_fn=gradient_function(kind, params), theta0=theta0, kwargs=kwargs,
        expected=stored(NB, f"{key}_path"), mistakes=mistakes, schedule_text=schedule_text, first=c == 0)


def stored_optimizer_cases(name):
    """The self-check's cases of optimizer ``name``, the first one first."""
    return [stored_optimizer_case(name, c) for c in range(int(stored(NB, f"{name}_n")))]


def stored_schedule_cases(fname):
    """The self-check's one case of schedule ``fname``: the stored grid, values and mistakes."""
    eta0s, ks, ts = (stored(NB, f"{fname}_{part}") for part in ("eta0", "k", "t"))
    mistakes = {m: stored(NB, f"{fname}_mistake_{m}") for m in SCHEDULE_MISTAKES[fname]}
    return [ScheduleCase(fname, eta0s, ks, ts, stored(NB, f"{fname}_values"), mistakes)]
