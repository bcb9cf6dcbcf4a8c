"""The cases of notebook 07's checks: drawing their inputs, the stored layout, and the readers.

Two kinds of case:
  * a data case, a dict of arrays: a test problem (see problems.py), the
    inputs of one call, the right answer and ``case["mistakes"][slug]``,
    what each known mistake gives on the same inputs. The inputs are drawn
    here (``<x>_inputs(rng, ...)``); the trusted side adds the answers
    (autograder/checks/nb07/fresh.py), and the self-checks read the stored ones.
  * a fact case, a small dataclass below: a check that needs no reference
    (the Hessian of a quadratic is its matrix, v = 0 gives H v = 0, CG
    solves a d-dimensional system in d steps, ...), or a whole line-search
    group, or one ``minimize`` run.

Entries of the data cases, by kind (the stored prefix in brackets):
  hessian_fd  [hess]    problem, w, eps, H
  newton_step [newton]  w, grad, hess, w_new
  hvp_fd      [hvp]     problem, w, v, delta, Hv
  conjugate_gradient [cg]  A, b, x0, x0_given, iterates (row k - 1: x after k iterations;
                        a mistake's entry is its iterates too)
  backtracking_line_search [ls]  problem, w, direction, eta0, c, shrink, eta (nan: no step;
                        a mistake's entry is its step)
  bfgs_update [bfgs]    H_inv, s, y, H_new
  lbfgs_direction [lbfgs]  grad, S (m, d), Y (m, d) (pairs oldest first), q
and, for the minimize runs, minfirst_<method>_<k>: the first iterate w_1 of the notebook's method on
visible problem k (see visible_minimize_problems).

Stored layout (``stored("nb07", key)``), for a case with prefix P = <kind>_k, k < <kind>_n:
  <kind>_n              how many cases of that kind
  P__keys               names of the plain entries
  P__<key>              the entries (0-d arrays for numbers and names)
  P__mistakes           the slugs of the stored mistakes
  P__mistake__<slug>    what mistake <slug> gives on this case
"""
from dataclasses import dataclass
from functools import partial
from typing import Callable, Optional

import numpy as np

import course_lib.selfcheck.stored as stored_values
from course_lib.data.synthetic import rosenbrock_gradient, rosenbrock_value
from course_lib.selfcheck.common import matrix_with_eigenvalues
from course_lib.selfcheck.nb07.problems import make_problem, quadratic_case
from course_lib.validation import check_rng

NB = "nb07"

# ----------------------------------------------------------------------------- drawing inputs


def spd_matrix(rng, d, low=1.0, high=10.0):
    """A symmetric positive definite (d, d) matrix with eigenvalues spread evenly from low to high."""
    return matrix_with_eigenvalues(check_rng(rng), np.linspace(low, high, d))


def seeded_cases(make_case, seed, settings):
    """[make_case(rng, *setting) for each setting], all drawing from one generator seeded with ``seed``."""
    rng = np.random.default_rng(seed)
    return [make_case(rng, *setting) for setting in settings]


def random_vector(rng, d, norm):
    """A Gaussian vector rescaled to the given 2-norm."""
    v = check_rng(rng).standard_normal(d)
    return norm * v / np.linalg.norm(v)


def problem_case(rng, kind, d):
    """The problem entries of a case: "quadratic", "quartic" or "rosenbrock" in d variables."""
    rng = check_rng(rng)
    if kind == "quadratic":
        return quadratic_case(spd_matrix(rng, d, 1.0, 8.0), rng.standard_normal(d))
    if kind == "quartic":
        B = rng.uniform(0.5, 1.5, (d, d)) * rng.choice([-1.0, 1.0], (d, d))
        np.fill_diagonal(B, 0.0)
        return {"problem": np.array("quartic"), "A": spd_matrix(rng, d, 2.0, 6.0), "B": B}
    if kind == "rosenbrock":
        return {"problem": np.array("rosenbrock"), "d": np.array(d)}
    raise ValueError(f"unknown problem kind {kind!r}")


def hessian_inputs(rng, kind, d, eps):
    """A problem, a point w away from the origin and the step eps."""
    rng = check_rng(rng)
    case = problem_case(rng, kind, d)
    if kind == "rosenbrock":
        w = rng.uniform(-1.5, 1.5, d)
    else:
        w = rng.uniform(0.6, 1.6, d) * rng.choice([-1.0, 1.0], d)
    case.update(w=w, eps=np.array(float(eps)))
    return case


def newton_inputs(rng, d, kind="spd"):
    """w, grad and a positive definite ("spd") or indefinite Hessian (one eigenvalue -2)."""
    rng = check_rng(rng)
    if kind == "spd":
        hess = spd_matrix(rng, d, 0.5, 20.0)
    else:  # indefinite: one negative eigenvalue; the raw step is still w - H^-1 grad
        eigenvalues = np.linspace(1.0, 5.0, d)
        eigenvalues[0] = -2.0
        hess = matrix_with_eigenvalues(rng, eigenvalues)
    w, grad = rng.standard_normal(d), 2.0 * rng.standard_normal(d)
    return {"w": w, "grad": grad, "hess": hess}


def hvp_inputs(rng, kind, d, w_norm, v_norm, delta):
    """A problem, w and v of the given norms, and delta."""
    rng = check_rng(rng)
    case = problem_case(rng, kind, d)
    w = random_vector(rng, d, w_norm)
    v = random_vector(rng, d, v_norm)
    case.update(w=w, v=v, delta=np.array(float(delta)))
    return case


def cg_inputs(rng, d, x0_given, high=10.0):
    """A positive definite A (eigenvalues 1 to high), b, and x0 (zeros standing for None unless x0_given)."""
    rng = check_rng(rng)
    A = spd_matrix(rng, d, 1.0, high)
    b = rng.standard_normal(d)
    x0 = rng.standard_normal(d) if x0_given else None
    return {"A": A, "b": b, "x0": np.zeros(d) if x0 is None else x0, "x0_given": np.array(bool(x0_given))}


def ls_inputs(rng, kind, d, eta0, c, shrink, preconditioned):
    """A line search along -grad (or -M grad with a random positive definite M when preconditioned).

    ``eta0`` is a number, or for a quadratic a string "<k>*": k times the exact minimiser along q.
    Between 2 and 2 (1 + c) times it, f has grown but by less than c eta |grad.q|: the step that
    tells Armijo with the wrong sign from "any decrease".
    """
    rng = check_rng(rng)
    case = problem_case(rng, kind, d)
    w = np.array([-1.2, 1.0]) if kind == "rosenbrock" and d == 2 else rng.uniform(-1.5, 1.5, d)
    _, grad = make_problem(case)
    g = grad(w)
    q = -(spd_matrix(rng, d, 0.2, 3.0) @ g) if preconditioned else -g
    if isinstance(eta0, str):
        eta0 = float(eta0.rstrip("*")) * -(g @ q) / (q @ case["A"] @ q)
    case.update(w=w, direction=q, eta0=np.array(float(eta0)), c=np.array(float(c)),
                shrink=np.array(float(shrink)))
    return case


def bfgs_inputs(rng, d, from_quadratic):
    """H_inv positive definite; (s, y) from a quadratic (y = A s) or random with y . s > 0."""
    rng = check_rng(rng)
    if from_quadratic:
        H, A = np.eye(d), spd_matrix(rng, d, 1.0, 6.0)
        s = rng.standard_normal(d)
        y = A @ s
    else:
        H = spd_matrix(rng, d, 0.3, 3.0)
        s = rng.standard_normal(d)
        y = s * rng.uniform(0.5, 2.0, d) + 0.2 * rng.standard_normal(d)
        if y @ s <= 0.1 * np.linalg.norm(y) * np.linalg.norm(s):
            y = s + 0.1 * y
    return {"H_inv": H, "s": s, "y": y}


def lbfgs_pairs(rng, d, m):
    """m pairs (s, y) from a quadratic with a curved spectrum: y = A s, so y . s > 0."""
    rng = check_rng(rng)
    A = spd_matrix(rng, d, 0.5, 12.0)
    S = rng.standard_normal((m, d)) * rng.uniform(0.3, 2.0, (m, 1))
    return S, S @ A.T


def lbfgs_inputs(rng, d, m):
    """grad and m pairs, oldest first."""
    rng = check_rng(rng)
    S, Y = lbfgs_pairs(rng, d, m)
    return {"grad": rng.standard_normal(d), "S": S, "Y": Y}


# ----------------------------------------------------------------------------- fact cases


@dataclass(frozen=True, eq=False)
class QuadraticHessian:
    """hessian_fd of 1/2 w^T A w - b^T w at w must be A (to a misfit of 1e-6)."""

    A: np.ndarray
    b: np.ndarray
    w: np.ndarray
    eps: float


@dataclass(frozen=True, eq=False)
class NewtonOnQuadratic:
    """One newton_step from w on 1/2 w^T A w - b^T w (A positive definite) lands on A^-1 b."""

    A: np.ndarray
    b: np.ndarray
    w: np.ndarray


@dataclass(frozen=True, eq=False)
class HvpAtZero:
    """hvp_fd with v = 0 on the problem and point of a data case must give zeros."""

    case: dict


@dataclass(frozen=True, eq=False)
class CgSolves:
    """conjugate_gradient must solve A x = b in d iterations, and with its default arguments."""

    A: np.ndarray
    b: np.ndarray
    label: str


@dataclass(frozen=True, eq=False)
class LineSearchCases:
    """All line-search data cases at once: a mistake is named only if it explains every one."""

    cases: tuple


@dataclass(frozen=True)
class LineSearchErrors:
    """An uphill direction raises ValueError; no acceptable step in max_iter tries raises RuntimeError."""


@dataclass(frozen=True)
class BfgsSecant:
    """On a pair drawn from ``seed``, the update is symmetric and maps y to s."""

    seed: int


@dataclass(frozen=True, eq=False)
class LbfgsSecant:
    """For grad = the newest y, lbfgs_direction(grad, S, Y) is minus the newest s."""

    S: np.ndarray
    Y: np.ndarray


@dataclass(frozen=True, eq=False)
class LbfgsNoPairs:
    """With no pairs, lbfgs_direction(grad, [], []) is -grad. ``brief``: one sentence for any mismatch."""

    grad: np.ndarray
    brief: bool = False


@dataclass(frozen=True, eq=False)
class MinimizeRun:
    """One run minimize(f, grad, w0, method) that must reach w_star (see minimize.check_minimize_run)."""

    method: str
    f: Callable
    grad: Callable
    w0: np.ndarray
    w_star: np.ndarray
    label: str
    bounds: str = "other"        # "quadratic", "rosenbrock" or "other": see minimize.iteration_bound
    one_step: bool = False       # Newton on a quadratic: exactly one iteration
    first: Optional[np.ndarray] = None  # w_1, the first iterate of the notebook's method (None: not checked)


def quadratic_hessian(seed=70):
    """The fact case of the visible hessian_fd check: a 3-variable quadratic, eps = 1e-4."""
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((3, 3))
    A = M @ M.T + np.eye(3)
    return QuadraticHessian(A, rng.standard_normal(3), np.array([0.5, -1.0, 2.0]), 1e-4)


def newton_on_quadratic(seed=71):
    """The fact case of the visible newton_step check: a 4-variable quadratic."""
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((4, 4))
    return NewtonOnQuadratic(M @ M.T + 0.5 * np.eye(4), rng.standard_normal(4), rng.standard_normal(4))


def visible_quadratic(d=5, seed=77):
    """A (d, d) with eigenvalues 1 .. 20, b; the problem of the visible minimize checks."""
    rng = np.random.default_rng(seed)
    return matrix_with_eigenvalues(rng, np.linspace(1.0, 20.0, d)), rng.standard_normal(d)


# ----------------------------------------------------------------------------- stored cases


def stored_count(kind):
    """How many stored data cases of ``kind`` ("hess", "newton", ...) there are."""
    return stored_values.stored_count(NB, kind)


def stored_case(prefix):
    """The stored data case ``prefix`` ("hess_0") as a dict, with ``case["mistakes"][slug]``."""
    return stored_values.stored_case(NB, prefix)


def stored_cases(kind):
    """The stored data cases of ``kind``, in order."""
    return [stored_case(f"{kind}_{k}") for k in range(stored_count(kind))]


def stored_hessian_fd_cases():
    yield from stored_cases("hess")
    yield quadratic_hessian()


def stored_newton_step_cases():
    yield from stored_cases("newton")
    yield newton_on_quadratic()


def stored_hvp_fd_cases():
    yield from stored_cases("hvp")
    yield HvpAtZero(stored_case("hvp_0"))


def stored_conjugate_gradient_cases():
    yield from stored_cases("cg")
    case = stored_case("cg_0")
    yield CgSolves(case["A"], case["b"], "a positive definite system")


def stored_backtracking_line_search_cases():
    yield LineSearchCases(tuple(stored_cases("ls")))
    yield LineSearchErrors()


def stored_bfgs_update_cases():
    yield from stored_cases("bfgs")
    yield BfgsSecant(72)


def stored_lbfgs_direction_cases():
    yield LbfgsNoPairs(np.array([0.5, -2.0, 1.5]))
    yield from stored_cases("lbfgs")
    case = stored_case("lbfgs_0")
    yield LbfgsSecant(case["S"], case["Y"])


def visible_minimize_problems():
    """(f, grad, w0, w_star, label, bounds) of the visible minimize runs: a quadratic, then Rosenbrock in 2 and
    4 variables. The trusted build stores the first iterate of each method on each (minfirst_<method>_<k>)."""
    A, b = visible_quadratic()
    f, grad = make_problem(quadratic_case(A, b), "minimize")
    problems = [(f, grad, np.ones(b.size), np.linalg.solve(A, b),
                 "a quadratic in 5 variables (eigenvalues of A from 1 to 20)", "quadratic")]
    for w0 in (np.array([-1.2, 1.0]), np.array([-1.2, 1.0, -1.2, 1.0])):
        problems.append((rosenbrock_value, rosenbrock_gradient, w0, np.ones(w0.size),
                         f"Rosenbrock's function in {w0.size} variables", "rosenbrock"))
    return problems


def visible_minimize_runs(method):
    """The visible problems, each with its stored first iterate (Newton on the quadratic: one step)."""
    for k, (f, grad, w0, w_star, label, bounds) in enumerate(visible_minimize_problems()):
        yield MinimizeRun(method, f, grad, w0, w_star, label, bounds, one_step=(method == "newton" and k == 0),
                          first=stored_values.stored(NB, f"minfirst_{method}_{k}"))


stored_minimize_newton_cases = partial(visible_minimize_runs, "newton")
stored_minimize_cg_cases = partial(visible_minimize_runs, "cg")
stored_minimize_bfgs_cases = partial(visible_minimize_runs, "bfgs")
stored_minimize_lbfgs_cases = partial(visible_minimize_runs, "lbfgs")
