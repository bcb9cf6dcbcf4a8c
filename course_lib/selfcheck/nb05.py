"""Self-checks of notebook 05 (optimizers), shipped with the student release.

No reference optimizer or schedule is used here. A student's optimizer is
judged by its *trajectory*: a fresh instance makes ``steps`` steps
``theta <- opt.step(theta, grad_fn)`` from theta_0 on a test problem, and every
iterate is compared with the lecture's. What the trajectories are compared with:
  * stored cases, ``expected("nb05", key)``: the problem (an ill-conditioned
    quadratic 1/2 x^T A x - b^T x or Rosenbrock's function), theta_0, the
    constructor arguments, the right trajectory and the trajectories of the
    usual mistakes from the same start (computed by the instructor's build,
    autograder/expected/nb05.py, from course_lib and autograder/checks/nb05.py);
  * the student's own class: two instances stepped in turn must each follow
    the path one instance follows alone (no state shared between instances).
Contract checks at every step: ``step`` returns a new numpy array of theta's
shape and leaves the array it was given unchanged.

``check_optimizer(name, cls, cases)`` takes the cases as arguments, so the
hidden grading checks (autograder/checks/nb05.py) replay it on other problems
with trajectories computed from course_lib. A case's ``grad_fn`` (and a
schedule in its ``kwargs``) is whatever callable the caller passes: a plain
function here, a TrustedFunction in grading. The class itself is only
constructed with keyword arguments and asked to ``step``.
"""
import inspect
from dataclasses import dataclass, field

import numpy as np

from course_lib.data import rosenbrock_gradient
from course_lib.gradcheck.naming import format_value
from course_lib.selfcheck.common import stored_count, vector_text
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.expected import expected

NB = "nb05"
SAME = 1e-9
"""Largest relative distance of a right iterate from the lecture's; a right class lands near 1e-15."""
NAMEABLE = 1e-8
"""A known mistake is only named when its trajectory differs from the right one by more than this."""

OPTIMIZERS = ("SGD", "Momentum", "Nesterov", "NesterovSimplified", "AdaGrad", "RMSProp",
              "RMSPropNesterov", "AdaDelta", "Adam")
SCHEDULES = ("inverse_decay", "exponential_decay")

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

SCHEDULE_LATE = (
    "the learning rate of each step is one step late in the schedule: the first update must use "
    "schedule(0), the second schedule(1), ..., i.e. schedule(t) with t = the number of updates made "
    "BEFORE this one (increase your step counter after reading the rate)"
)
UPHILL = "theta moves uphill: the update adds the gradient; a descent step subtracts it"

# What each known mistake is, in words; the trajectories they produce are stored per case.
MISTAKES = {
    "SGD": {
        "uphill": UPHILL + ": theta <- theta - eta * g",
    },
    "Momentum": {
        "uphill": "the velocity pushes theta uphill (one sign is wrong): v <- alpha * v - eta * g, "
                  "then theta <- theta + v",
        "alpha_sign": "the old velocity enters with the wrong sign: v <- alpha * v - eta * g keeps "
                      "+alpha * v, the part of the previous step that carries on",
        "lagged": "theta is moved with the OLD velocity: update v first, v <- alpha * v - eta * g, then "
                  "move theta <- theta + v with the new v",
        "dampened": "the gradient is weighted by (1 - alpha) (an exponential moving average); the lecture's "
                    "velocity is v <- alpha * v - eta * g, without the factor (1 - alpha)",
    },
    "Nesterov": {
        "no_lookahead": "the gradient is taken at theta itself, which is plain momentum; Nesterov takes it "
                        "at the look-ahead point theta~ = theta + alpha * v (with the velocity of the "
                        "previous step)",
        "lookahead_v": "the look-ahead point is theta + v (as printed on one slide of lecture 004); this "
                       "notebook follows lecture 000: theta~ = theta + alpha * v",
        "lookahead_minus": "the look-ahead point is theta - alpha * v; the velocity already points "
                           "downhill, so look ahead to theta~ = theta + alpha * v",
        "returns_lookahead": "step returns the look-ahead point theta + alpha * v of the NEXT step; return "
                             "theta + v, the new parameters themselves",
        "uphill": "the velocity pushes theta uphill (one sign is wrong): v <- alpha * v - eta * g, then "
                  "theta <- theta + v",
    },
    "NesterovSimplified": {
        "alpha_not_squared": "Theta moves by alpha * v - eta * (1 + alpha) * g; the old velocity enters with "
                             "alpha^2: Theta <- Theta + alpha^2 * v - eta * (1 + alpha) * g",
        "no_one_plus_alpha": "the gradient term is -eta * g; in the variable Theta = theta + alpha * v it is "
                             "-eta * (1 + alpha) * g",
        "velocity_first": "v is updated before Theta, so Theta uses the new velocity; Theta's update needs the "
                          "velocity of the previous step, then v <- alpha * v - eta * g",
        "momentum": "the update is plain momentum (Theta <- Theta + alpha * v - eta * g); the simplified "
                    "Nesterov update is Theta <- Theta + alpha^2 * v - eta * (1 + alpha) * g",
    },
    "AdaGrad": {
        "delta_inside": "the stabiliser is inside the square root, eta / sqrt(delta + r) (RMSProp's form); "
                        "AdaGrad divides by delta + sqrt(r)",
        "no_sqrt": "the step is divided by delta + r; AdaGrad divides by delta + sqrt(r), the square root "
                   "of the accumulated squares",
        "old_r": "the step uses r from BEFORE adding g * g; first accumulate r <- r + g * g, then divide "
                 "by delta + sqrt(r)",
        "no_accumulation": "r holds only the current g * g; AdaGrad adds up the squares of ALL past "
                           "gradients: r <- r + g * g",
        "uphill": UPHILL + ": v = -(eta / (delta + sqrt(r))) * g",
    },
    "RMSProp": {
        "delta_outside": "the stabiliser is outside the square root, eta / (delta + sqrt(r)) (AdaGrad's "
                         "form); RMSProp divides by sqrt(delta + r)",
        "no_one_minus_rho": "r <- rho * r + g * g; the new square is weighted by (1 - rho): "
                            "r <- rho * r + (1 - rho) * g * g",
        "rho_swapped": "the weights are swapped, r <- (1 - rho) * r + rho * g * g; the old average keeps "
                       "the weight rho: r <- rho * r + (1 - rho) * g * g",
        "old_r": "the step uses r from BEFORE this step's update; update r first, then divide by "
                 "sqrt(delta + r)",
        "no_sqrt": "the step is divided by delta + r; RMSProp divides by sqrt(delta + r)",
        "uphill": UPHILL + ": v = -(eta / sqrt(delta + r)) * g",
    },
    "RMSPropNesterov": {
        "no_lookahead": "the gradient is taken at theta itself; with Nesterov momentum it is taken at the "
                        "look-ahead point theta + alpha * v, and r is fed that same gradient",
        "lookahead_v": "the look-ahead point is theta + v; it is theta + alpha * v",
        "delta_outside": "the stabiliser is outside the square root, delta + sqrt(r); as in RMSProp "
                         "divide by sqrt(delta + r)",
        "old_r": "the step uses r from BEFORE this step's update; update r with the look-ahead gradient "
                 "first, then v <- alpha * v - (eta / sqrt(delta + r)) * g",
        "scaled_velocity": "the whole velocity is divided by sqrt(delta + r) (v <- alpha * v - eta * g, "
                           "theta <- theta + v / sqrt(delta + r)); only the new gradient term is scaled: "
                           "v <- alpha * v - (eta / sqrt(delta + r)) * g, theta <- theta + v",
        "uphill": UPHILL + ": v <- alpha * v - (eta / sqrt(delta + r)) * g",
    },
    "AdaDelta": {
        "no_delta_numerator": "theta never moves: with s = 0 at the start, sqrt(s) / sqrt(delta + r) is 0 "
                              "forever; the numerator needs the stabiliser too: sqrt(delta + s)",
        "s_of_gradients": "s accumulates the squared gradients; s is the moving average of the squared "
                          "UPDATES: s <- rho * s + (1 - rho) * v * v",
        "inverted": "the ratio is upside down, sqrt(delta + r) / sqrt(delta + s); the step is "
                    "v = -(sqrt(delta + s) / sqrt(delta + r)) * g",
        "old_r": "the step uses r from BEFORE this step's update; update r first, then compute v, then s",
        "eta_in_s": "s accumulates the squares of eta * v; eta only scales the move of theta "
                    "(theta <- theta + eta * v) while s accumulates the unscaled v",
        "eta_ignored": "eta is ignored; theta moves by eta * v (with eta = 1, the default, this is the "
                       "lecture's algorithm)",
        "uphill": UPHILL + ": v = -(sqrt(delta + s) / sqrt(delta + r)) * g",
    },
    "Adam": {
        "no_bias_correction": "the moments are used without bias correction; divide by 1 - rho^i before "
                              "the step: s' = s / (1 - rho1^i), r' = r / (1 - rho2^i)",
        "correction_without_power": "the bias correction divides by 1 - rho instead of 1 - rho^i (a "
                                    "misprint on one slide of lecture 004); i is the step number, "
                                    "1 on the first step",
        "power_late": "the bias correction uses rho^(i+1); on the first step i = 1: s' = s / (1 - rho1^1)",
        "power_early": "the bias correction uses rho^0 = 1 on the first step, a division by zero; the "
                       "step number i starts at 1: s' = s / (1 - rho1^i)",
        "delta_inside": "the stabiliser is inside the square root, sqrt(delta + r'); Adam divides by "
                        "delta + sqrt(r')",
        "paper_epsilon": "delta is added to the square root of the UNCORRECTED r (the rearranged form of "
                         "Kingma and Ba's paper, eta_i = eta sqrt(1 - rho2^i) / (1 - rho1^i)); the lecture "
                         "adds it after the correction: v = -eta * s' / (delta + sqrt(r'))",
        "only_s_corrected": "only s is bias-corrected; correct r too: r' = r / (1 - rho2^i)",
        "only_r_corrected": "only r is bias-corrected; correct s too: s' = s / (1 - rho1^i)",
        "rhos_swapped": "rho1 and rho2 are swapped; s (the gradients) decays with rho1, r (the squares) "
                        "with rho2",
        "uphill": UPHILL + ": v = -eta * s' / (delta + sqrt(r'))",
    },
}
for _mistakes in MISTAKES.values():
    _mistakes["schedule_late"] = SCHEDULE_LATE
del _mistakes

# What to look at when the first step is right and a later one is not.
CARRIED = {
    "SGD": "SGD carries nothing but the step count (for a schedule)",
    "Momentum": "the velocity v must be kept on self between steps and start at 0",
    "Nesterov": "the velocity v must be kept on self between steps and start at 0",
    "NesterovSimplified": "the velocity v must be kept on self between steps and start at 0",
    "AdaGrad": "r must keep the running SUM of g * g over all steps so far, starting at 0",
    "RMSProp": "r must keep the moving average rho * r + (1 - rho) * g * g, starting at 0",
    "RMSPropNesterov": "v and r must be kept on self between steps, both starting at 0",
    "AdaDelta": "r and s must be kept on self between steps, both starting at 0, and s accumulates v * v "
                "after v is computed",
    "Adam": "s and r must be kept on self between steps, starting at 0, and the step number i in the "
            "corrections 1 - rho^i must grow by one per step (1, 2, 3, ...)",
}
# The lecture's update, to quote when the very first step is wrong.
UPDATES = {
    "SGD": "theta <- theta - eta * g",
    "Momentum": "v <- alpha * v - eta * g;  theta <- theta + v",
    "Nesterov": "g at theta + alpha * v;  v <- alpha * v - eta * g;  theta <- theta + v",
    "NesterovSimplified": "g at Theta;  Theta <- Theta + alpha^2 * v - eta * (1 + alpha) * g;  "
                          "v <- alpha * v - eta * g",
    "AdaGrad": "r <- r + g * g;  theta <- theta - (eta / (delta + sqrt(r))) * g",
    "RMSProp": "r <- rho * r + (1 - rho) * g * g;  theta <- theta - (eta / sqrt(delta + r)) * g",
    "RMSPropNesterov": "g at theta + alpha * v;  r <- rho * r + (1 - rho) * g * g;  "
                       "v <- alpha * v - (eta / sqrt(delta + r)) * g;  theta <- theta + v",
    "AdaDelta": "r <- rho * r + (1 - rho) * g * g;  v = -(sqrt(delta + s) / sqrt(delta + r)) * g;  "
                "s <- rho * s + (1 - rho) * v * v;  theta <- theta + eta * v",
    "Adam": "s <- rho1 * s + (1 - rho1) * g;  r <- rho2 * r + (1 - rho2) * g * g;  "
            "s' = s / (1 - rho1^i);  r' = r / (1 - rho2^i);  theta <- theta - eta * s' / (delta + sqrt(r'))",
}

SCHEDULE_MISTAKES = {
    "inverse_decay": {
        "late": "eta0 / (1 + k (t + 1)), the rate one step later: at t = 0 the schedule must give eta0 itself",
        "early": "eta0 / (1 + k (t - 1)), the rate one step earlier: at t = 0 the schedule must give eta0",
        "exponential": "eta0 exp(-k t), exponential decay; inverse decay is eta0 / (1 + k t)",
        "power": "eta0 / (1 + k)^t, which decays exponentially; inverse decay is eta0 / (1 + k t)",
        "precedence": "eta0 + k t (eta0 / 1 + k * t: parentheses missing); write eta0 / (1 + k * t)",
        "times": "eta0 (1 + k t), which grows; divide: eta0 / (1 + k t)",
        "no_t": "eta0 / (1 + k), the same rate at every t; the decay grows with t: eta0 / (1 + k t)",
    },
    "exponential_decay": {
        "late": "eta0 exp(-k (t + 1)), the rate one step later: at t = 0 the schedule must give eta0 itself",
        "early": "eta0 exp(-k (t - 1)), the rate one step earlier: at t = 0 the schedule must give eta0",
        "growth": "eta0 exp(+k t), which grows; the exponent is -k t",
        "inverse": "eta0 / (1 + k t), inverse decay; exponential decay is eta0 exp(-k t)",
        "discrete": "eta0 (1 - k)^t, close for small k but not the lecture's eta0 exp(-k t)",
        "no_t": "eta0 exp(-k), the same rate at every t; the exponent is -k t",
    },
}


# ----------------------------------------------------------------------------- problems and cases


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


def inverse_schedule(eta0, k):
    """t -> eta0 / (1 + k t), the schedule the stored cases use."""
    return lambda t: eta0 / (1.0 + k * t)


@dataclass
class OptimizerCase:
    """One run: ``cls(**kwargs)`` steps from theta0 on a problem; expected (steps + 1, d) path.

    label: "" for an ordinary case, "defaults" when only some hyperparameters are given (the
    others keep their defaults), "schedule" when kwargs holds a schedule. schedule_text says in
    words what the schedule in kwargs is. mistakes: {key of MISTAKES[name]: path of that mistake}.
    """

    label: str
    problem: str
    grad_fn: object
    theta0: np.ndarray
    kwargs: dict
    expected: np.ndarray
    mistakes: dict = field(default_factory=dict)
    schedule_text: str = ""

    @property
    def steps(self):
        return len(self.expected) - 1

    def call_text(self, name):
        args = [f"{k}={self.schedule_text or 'a schedule'}" if k == "schedule" else f"{k}={v!r}"
                for k, v in self.kwargs.items()]
        return f"{name}({', '.join(args)})"

    def context(self, name):
        return (f"{self.call_text(name)} on {self.problem}, {self.steps} steps from theta_0 = "
                f"{vector_text(self.theta0)}")


def stored_case(name, c):
    """Case c of optimizer ``name`` from the stored values (see autograder/expected/nb05.py)."""
    key = f"{name}_{c}"
    p = int(expected(NB, f"{key}_problem"))
    kind = str(expected(NB, f"problem_{p}_kind"))
    if kind == "quadratic":
        params = {"A": expected(NB, f"problem_{p}_A"), "b": expected(NB, f"problem_{p}_b")}
    else:
        a, b = expected(NB, f"problem_{p}_ab")
        params = {"a": float(a), "b": float(b)}
    theta0 = expected(NB, f"{key}_theta0")
    names = [str(n) for n in expected(NB, f"{key}_kw_names")]
    values = expected(NB, f"{key}_kw_values")
    kwargs = {n: float(v) for n, v in zip(names, values)}
    schedule = expected(NB, f"{key}_schedule")
    schedule_text = ""
    if schedule.size:
        eta0, k = (float(v) for v in schedule)
        kwargs["schedule"] = inverse_schedule(eta0, k)
        schedule_text = f"(t -> {eta0:g} / (1 + {k:g} t))"
    mistakes = {m: expected(NB, f"{key}_mistake_{m}") for m in MISTAKES[name]}
    return OptimizerCase(
        label=str(expected(NB, f"{key}_label")), problem=describe_problem(kind, params, theta0.size),
        grad_fn=gradient_function(kind, params), theta0=theta0, kwargs=kwargs,
        expected=expected(NB, f"{key}_path"), mistakes=mistakes, schedule_text=schedule_text)


def stored_cases(name):
    return [stored_case(name, c) for c in range(stored_count(NB, name))]


# ----------------------------------------------------------------------------- running a class


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


def _step_result(context, k, given, before, new):
    """The new iterate as a float64 copy, after the contract checks of step k."""
    if not np.array_equal(given, before, equal_nan=True):
        raise CheckFailure(
            f"{context}: step {k} changed the array theta it was given (in place, e.g. theta -= ... or "
            "theta[...] = ...). Compute the new parameters as a new array (theta = theta + v) and return it; "
            "the caller's theta must stay as it was.")
    if not isinstance(new, np.ndarray):
        raise CheckFailure(
            f"{context}: step {k} returned {type(new).__name__}, expected the new parameters as a numpy "
            f"array of shape {before.shape}.")
    if new.shape != before.shape:
        raise CheckFailure(
            f"{context}: step {k} returned an array of shape {new.shape}, expected theta's shape "
            f"{before.shape}.")
    if new is given or np.shares_memory(new, given):
        raise CheckFailure(
            f"{context}: step {k} returned the array it was given (or a view of it). Return a new array, "
            "so that the caller's theta keeps its value.")
    return np.array(new, dtype=np.float64)


def run_in_turn(name, optimizers, case):
    """Paths of the given instances stepped in turn (one step each, round after round) from theta_0.

    Returns a list of (steps + 1, d) arrays. A path that becomes non-finite stops there: its
    later rows are NaN and its optimizer is not asked again.
    """
    context = case.context(name)
    thetas = [np.array(case.theta0, dtype=np.float64) for _ in optimizers]
    paths = [np.full((case.steps + 1, case.theta0.size), np.nan) for _ in optimizers]
    for path, theta in zip(paths, thetas):
        path[0] = theta.ravel()
    alive = [True] * len(optimizers)
    with np.errstate(all="ignore"):
        for k in range(1, case.steps + 1):
            for j, opt in enumerate(optimizers):
                if not alive[j]:
                    continue
                given = thetas[j].copy()
                new = _step_result(context, k, given, thetas[j], opt.step(given, case.grad_fn))
                thetas[j] = new
                paths[j][k] = new.ravel()
                alive[j] = bool(np.all(np.isfinite(new)))
    return paths


def make_optimizer(name, cls, case):
    try:
        return cls(**case.kwargs)
    except TypeError as err:
        problem = signature_problem(name, cls)
        raise CheckFailure(f"{case.call_text(name)} could not be created: TypeError: {err}"
                           + (f". {problem}" if problem else "")) from None


def row_errors(path, ref):
    """Relative distance of every iterate: ||p_k - e_k|| / max(||e_k||, 1e-3 * max_j ||e_j||).

    Rows that are non-finite in both count as equal; non-finite in one only, as infinitely far.
    """
    path, ref = np.asarray(path, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    bad_p = ~np.all(np.isfinite(path), axis=1)
    bad_r = ~np.all(np.isfinite(ref), axis=1)
    with np.errstate(all="ignore"):
        norms = np.linalg.norm(np.where(np.isfinite(ref), ref, 0.0), axis=1)
        floor = 1e-3 * max(float(np.max(norms)), 1e-12)
        errors = np.linalg.norm(path - ref, axis=1) / np.maximum(norms, floor)
    errors = np.where(bad_p | bad_r, np.inf, errors)
    return np.where(bad_p & bad_r, 0.0, errors)


def path_misfit(path, ref):
    """The largest relative distance of an iterate of ``path`` from the same iterate of ``ref`` (see row_errors)."""
    return float(np.max(row_errors(path, ref)))


def _why(name, cls, case, path):
    """The diagnosis of a path that is not the lecture's and matches no known mistake."""
    errors = row_errors(path, case.expected)
    k = int(np.argmax(errors > SAME))
    want, got = case.expected[k], path[k]
    if np.all(path[1:] == path[0]):
        return (f"theta never moves: every step returned theta_0. Compute the update and return "
                f"theta plus it ({UPDATES[name]}).")
    where = f"theta_{k}: expected {vector_text(want)}, got {vector_text(got)}"
    if not np.all(np.isfinite(got)):
        where += " (your iterates overflowed or divided by zero here)"
    if case.label == "defaults":
        wrong = default_problems(name, cls)
        detail = "; ".join(wrong) if wrong else f"they must be {signature_text(name)}"
        return (f"with the default hyperparameters the path differs from step {k} on ({where}), while "
                f"the cases with every hyperparameter given pass: check the defaults: {detail}.")
    if case.label == "schedule":
        return (f"with a learning-rate schedule the path differs from step {k} on ({where}). When "
                "schedule is given, step number t (0 for the first update) must use eta = schedule(t) "
                "instead of eta.")
    if k == 1:
        return f"the first step is already wrong, {where}. The lecture's step: {UPDATES[name]}."
    right = "step 1 is" if k == 2 else f"steps 1 to {k - 1} are"
    return (f"{right} right but step {k} is not, {where}. Since the first step is right, look at what "
            f"is carried from one step to the next: {CARRIED[name]}.")


def check_optimizer_case(name, cls, case):
    """A fresh instance's path against the expected one; names a known mistake when it matches one."""
    (path,) = run_in_turn(name, [make_optimizer(name, cls, case)], case)
    if path_misfit(path, case.expected) <= SAME:
        return path
    for key, wrong in case.mistakes.items():
        if path_misfit(wrong, case.expected) > NAMEABLE and path_misfit(path, wrong) <= SAME:
            raise CheckFailure(f"{case.context(name)}: {MISTAKES[name][key]}.")
    raise CheckFailure(f"{case.context(name)}: {_why(name, cls, case, path)}")


def check_independent_instances(name, cls, case):
    """Two instances stepped in turn must each follow the path that one instance follows alone."""
    first, second = make_optimizer(name, cls, case), make_optimizer(name, cls, case)
    paths = run_in_turn(name, [first, second], case)
    if max(path_misfit(p, case.expected) for p in paths) > SAME:
        raise CheckFailure(
            f"{case.context(name)}: alone, an instance follows the right path, but two instances stepped in "
            "turn do not: they share state. Create every state variable (v, r, s, the step count) on self "
            "in __init__ (self.v = None, self.t = 0, ...); a variable assigned in the class body "
            "(class Momentum: v = ...) or a global is shared by all instances, and so is an array that "
            "one instance changes in place.")


def check_optimizer(name, cls, cases):
    """Constructor names, the first case, two instances in turn on it, then the other cases."""
    problem = signature_problem(name, cls)
    if problem is not None:
        raise CheckFailure(problem)
    check_optimizer_case(name, cls, cases[0])
    # before the other cases: shared state would otherwise show as a confusing failure there
    check_independent_instances(name, cls, cases[0])
    for case in cases[1:]:
        check_optimizer_case(name, cls, case)


def check_SGD(SGD):
    """Stored trajectories: an ill-conditioned quadratic, Rosenbrock, a schedule; two instances in turn."""
    check_optimizer("SGD", SGD, stored_cases("SGD"))


def check_Momentum(Momentum):
    """Stored trajectories with given and default alpha, a schedule; two instances in turn."""
    check_optimizer("Momentum", Momentum, stored_cases("Momentum"))


def check_Nesterov(Nesterov):
    """Stored trajectories: the gradient at the look-ahead point theta + alpha v; two instances in turn."""
    check_optimizer("Nesterov", Nesterov, stored_cases("Nesterov"))


def check_NesterovSimplified(NesterovSimplified):
    """Stored trajectories of Theta = theta + alpha v; two instances in turn."""
    check_optimizer("NesterovSimplified", NesterovSimplified, stored_cases("NesterovSimplified"))


def check_AdaGrad(AdaGrad):
    """Stored trajectories (a large delta shows where it sits); two instances in turn."""
    check_optimizer("AdaGrad", AdaGrad, stored_cases("AdaGrad"))


def check_RMSProp(RMSProp):
    """Stored trajectories (a large delta shows where it sits); two instances in turn."""
    check_optimizer("RMSProp", RMSProp, stored_cases("RMSProp"))


def check_RMSPropNesterov(RMSPropNesterov):
    """Stored trajectories of RMSProp with Nesterov momentum; two instances in turn."""
    check_optimizer("RMSPropNesterov", RMSPropNesterov, stored_cases("RMSPropNesterov"))


def check_AdaDelta(AdaDelta):
    """Stored trajectories, with eta = 1 (the lecture's AdaDelta) and other eta; two instances in turn."""
    check_optimizer("AdaDelta", AdaDelta, stored_cases("AdaDelta"))


def check_Adam(Adam):
    """Stored trajectories, the bias correction and delta's place told apart; two instances in turn."""
    check_optimizer("Adam", Adam, stored_cases("Adam"))


# ----------------------------------------------------------------------------- schedules


def check_schedule_values(fname, fn, eta0s, ks, ts, want, mistakes):
    """fn(eta0, k, t) for every triple against ``want``; a known mistake is named when it matches.

    mistakes: {key of SCHEDULE_MISTAKES[fname]: array of that mistake's values}.
    """
    got = np.empty(len(want))
    for j, (eta0, k, t) in enumerate(zip(eta0s, ks, ts)):
        call = f"{fname}({float(eta0):g}, {float(k):g}, {int(t)})"
        out = fn(float(eta0), float(k), int(t))
        if isinstance(out, (bool, np.bool_)) or np.ndim(out) != 0:
            raise CheckFailure(f"{call} returned {type(out).__name__} "
                               f"{np.shape(out) if np.ndim(out) else ''}, expected one number.")
        try:
            got[j] = float(out)
        except (TypeError, ValueError):
            raise CheckFailure(f"{call} returned {out!r}, expected a number.") from None
    with np.errstate(all="ignore"):
        errors = np.abs(got - want) / np.abs(want)
    errors = np.where(np.isnan(errors), np.inf, errors)
    if np.max(errors) <= SAME:
        return
    for key, wrong in mistakes.items():
        with np.errstate(all="ignore"):
            apart = np.max(np.abs(wrong - want) / np.abs(want))
            near = np.nan_to_num(np.abs(got - wrong) / np.abs(wrong), nan=np.inf)
        if apart > NAMEABLE and np.max(near) <= SAME:
            raise CheckFailure(f"{fname} computes {SCHEDULE_MISTAKES[fname][key]}.")
    j = int(np.argmax(errors))
    raise CheckFailure(
        f"{fname}({float(eta0s[j]):g}, {float(ks[j]):g}, {int(ts[j])}) returned {format_value(got[j])}, "
        f"expected {format_value(want[j])} ({int(np.sum(errors > SAME))} of {len(want)} values wrong).")


def _check_stored_schedule(fname, fn):
    eta0s, ks, ts = (expected(NB, f"{fname}_{part}") for part in ("eta0", "k", "t"))
    mistakes = {m: expected(NB, f"{fname}_mistake_{m}") for m in SCHEDULE_MISTAKES[fname]}
    check_schedule_values(fname, fn, eta0s, ks, ts, expected(NB, f"{fname}_values"), mistakes)


def check_inverse_decay(inverse_decay):
    """Stored values on a grid of eta0, k (including 0) and t (including 0)."""
    _check_stored_schedule("inverse_decay", inverse_decay)


def check_exponential_decay(exponential_decay):
    """Stored values on a grid of eta0, k (including 0) and t (including 0)."""
    _check_stored_schedule("exponential_decay", exponential_decay)
