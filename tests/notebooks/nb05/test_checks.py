"""Notebook 05's checks, both sides: pass on valid optimizers and schedules, name the usual mistakes, explain stubs.

Every behaviour is tried on the self-check (``check_<x>``, stored cases) and the
hidden check (``grade_<x>``, fresh cases) alike. The implementations come from
tests/notebooks/nb05/implementations.py: course_lib's references,
``student(*bugs)``, the lecture's update rules as plain standalone classes (as a
student writes them) with optional named bugs, and ``alternative()``, valid
rewrites that change the arithmetic (a negated velocity, square root of a
ratio, per-coordinate loops, the simplified Nesterov update computed through the
classic variables). The tests of one side only come last; the very last runs
the hidden checks on a submission held in a sandboxed worker, through the
judge's proxies, as the grader does.
"""
import ast
import functools
import inspect
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import autograder.checks.nb05 as hidden
import course_lib.selfcheck.nb05 as home
from autograder.checks.nb05.fresh import GRADE_PROBLEMS, fresh_optimizer_cases, grade_schedule
from autograder.checks.nb05.mistaken import variant_class
from autograder.checks.nb05.stored import CHECK_PROBLEMS, CHECK_SCHEDULE, inverse_schedule
from autograder.sandbox import Limits, TrustedFunction, WorkerPool
from autograder.syllabus import SYLLABUS
from course_lib import optim
from course_lib.selfcheck import CheckFailure, evaluate
from course_lib.selfcheck.nb05.api import HYPERPARAMETERS
from course_lib.selfcheck.nb05.cases import (
    NAMEABLE,
    SCHEDULE,
    SCHEDULES,
    StoredSchedule,
    stored_optimizer_cases,
)
from course_lib.selfcheck.nb05.mistakes import MISTAKES, SCHEDULE_MISTAKES
from course_lib.selfcheck.nb05.trajectories import path_misfit
from tests.notebooks.nb05.implementations import (
    NAMED_BUGS,
    OPTIMIZERS,
    SCHEDULE_BUGS,
    SCHEDULE_CASES,
    VALID,
    half_stub_class,
    stub_class,
    student,
    valid_schedules,
)

SIDES = ["self-check", "hidden check"]
PREFIX = {"self-check": (home, "check"), "hidden check": (hidden, "grade")}


@functools.lru_cache(maxsize=None)
def fresh_cases(name):
    """The hidden check's cases of one optimizer, built once for the tests that read them."""
    return tuple(fresh_optimizer_cases(name))


CASES = {"self-check": stored_optimizer_cases, "hidden check": fresh_cases}


def check_of(side, stem):
    """check_<stem> of the self-check or grade_<stem> of the hidden check."""
    module, prefix = PREFIX[side]
    return getattr(module, f"{prefix}_{stem}")


def run(side, name, implementation):
    return evaluate(name, check_of(side, name), implementation)


# ----------------------------------------------------------------------------- the table and the manifest


def test_the_table_has_one_row_per_check_of_the_manifest():
    assert sorted(home.TABLE.rows) == sorted(t.check for t in SYLLABUS["05"].tests)


@pytest.mark.parametrize("side", SIDES)
def test_every_graded_test_has_its_check_on_both_sides(side):
    for test in SYLLABUS["05"].tests:
        assert callable(check_of(side, test.check)), (side, test.check)


def test_the_home_holds_no_reference():
    """The shipped home never imports course_lib.optim, where the references live."""
    folder = Path(home.__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            assert not any(n == "course_lib.optim" or n.startswith("course_lib.optim.") for n in names), path


@pytest.mark.parametrize("side", SIDES)
def test_only_the_first_case_opens_the_check(side):
    for name in OPTIMIZERS:
        firsts = [case.first for case in CASES[side](name)]
        assert firsts[:2] == [True, False] and sum(firsts) == 1, (side, name)


# ----------------------------------------------------------------------------- optimizers, both sides


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("label", list(VALID))
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_valid_optimizers_pass(name, label, side):
    result = run(side, name, VALID[label][name])
    assert result.passed, result.message


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("name, bug, key", NAMED_BUGS, ids=lambda v: v if isinstance(v, str) else None)
def test_each_typical_mistake_is_named(name, bug, key, side):
    result = run(side, name, student(bug)[name])
    assert result.status == "failed", f"{name} with {bug}: {result}"
    assert MISTAKES[name][key] in result.message, f"{name} with {bug}: {result.message}"


@pytest.mark.parametrize("side", SIDES)
def test_every_mistake_is_nameable_in_some_case(side):
    for name in OPTIMIZERS:
        cases = CASES[side](name)
        for key in MISTAKES[name]:
            assert any(path_misfit(case.mistakes[key], case.expected) > 100 * NAMEABLE for case in cases), \
                (side, name, key)


@pytest.mark.parametrize("side", SIDES)
def test_the_expected_paths_start_at_theta0_and_stay_finite(side):
    for name in OPTIMIZERS:
        for case in CASES[side](name):
            assert np.array_equal(case.expected[0], case.theta0)
            assert np.all(np.isfinite(case.expected)), (side, name)


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("name", ["SGD", "AdaGrad", "Adam"])
def test_a_step_that_changes_theta_in_place_fails(name, side):
    result = run(side, name, student("in_place")[name])
    assert result.status == "failed"
    assert "changed the array theta it was given" in result.message


@pytest.mark.parametrize("side", SIDES)
def test_a_step_returning_a_list_fails(side):
    result = run(side, "SGD", student("returns_list")["SGD"])
    assert result.status == "failed" and "returned list" in result.message


@pytest.mark.parametrize("side", SIDES)
def test_state_shared_between_instances_is_named(side):
    result = run(side, "Momentum", student("shared_state")["Momentum"])
    assert result.status == "failed"
    assert "they share state" in result.message


@pytest.mark.parametrize("side", SIDES)
def test_wrong_default_is_explained(side):
    result = run(side, "Momentum", student("wrong_default")["Momentum"])
    assert result.status == "failed"
    assert "default hyperparameters" in result.message
    assert "alpha defaults to 0.5, the lecture's default is 0.9" in result.message


@pytest.mark.parametrize("side", SIDES)
def test_missing_constructor_parameter_is_named(side):
    result = run(side, "Adam", student("missing_parameter")["Adam"])
    assert result.status == "failed"
    assert "must accept the keyword argument rho2" in result.message
    assert "def __init__(self, eta=0.001, rho1=0.9, rho2=0.999, delta=1e-08, *, schedule=None)" in result.message


@pytest.mark.parametrize("side", SIDES)
def test_a_class_that_never_moves_is_explained(side):
    class Frozen:
        def __init__(self, eta=None, *, schedule=None):
            pass

        def step(self, theta, grad_fn):
            return theta.copy()

    result = run(side, "SGD", Frozen)
    assert result.status == "failed" and "theta never moves" in result.message


@pytest.mark.parametrize("side", SIDES)
def test_an_unknown_mistake_says_which_step_first_differs(side):
    class EtaHalvedLater(optim.Momentum):
        """Right on the first step, wrong from the second on."""

        def current_eta(self):
            return self.eta if self.t == 0 else 0.5 * self.eta

    result = run(side, "Momentum", EtaHalvedLater)
    assert result.status == "failed"
    assert "step 1 is right but step 2 is not" in result.message
    assert "velocity v must be kept" in result.message


@pytest.mark.parametrize("side", SIDES)
def test_a_bug_in_one_class_costs_only_that_class(side):
    classes = student("no_lookahead")
    results = {name: run(side, name, classes[name]) for name in OPTIMIZERS}
    assert {name for name, r in results.items() if not r.passed} == {"Nesterov", "RMSPropNesterov"}


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_stubs_are_not_implemented(name, side):
    for stub in (stub_class(), half_stub_class()):
        assert run(side, name, stub).status == "not implemented"


# ----------------------------------------------------------------------------- schedules, both sides


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("label", ["reference", "numpy"])
@pytest.mark.parametrize("fname", SCHEDULES)
def test_valid_schedules_pass(fname, label, side):
    result = run(side, fname, valid_schedules()[label][fname])
    assert result.passed, result.message


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("fname, key", SCHEDULE_CASES)
def test_schedule_mistakes_are_named(fname, key, side):
    result = run(side, fname, SCHEDULE_BUGS[fname][key])
    assert result.status == "failed"
    assert SCHEDULE_MISTAKES[fname][key] in result.message, result.message


@pytest.mark.parametrize("side", SIDES)
def test_schedule_returning_an_array_is_refused(side):
    result = run(side, "inverse_decay", lambda eta0, k, t: np.array([eta0 / (1 + k * t)]))
    assert result.status == "failed" and "expected one number" in result.message


@pytest.mark.parametrize("side", SIDES)
def test_an_unknown_schedule_mistake_names_the_worst_value(side):
    result = run(side, "exponential_decay", lambda eta0, k, t: eta0 * 2.0 ** (-k * t))
    assert result.status == "failed"
    assert result.message.startswith("exponential_decay(") and "values wrong)" in result.message


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("fname", SCHEDULES)
def test_schedule_stub_is_not_implemented(fname, side):
    def stub(eta0, k, t):
        raise NotImplementedError()

    assert run(side, fname, stub).status == "not implemented"


# ----------------------------------------------------------------------------- the self-check only


def test_the_signatures_match_course_lib():
    for name in OPTIMIZERS:
        params = inspect.signature(getattr(optim, name)).parameters
        for hyper, default in HYPERPARAMETERS[name].items():
            assert hyper in params, (name, hyper)
            reference_default = params[hyper].default
            # course_lib writes eta=None and keeps the effective default in default_eta
            if hyper == "eta" and reference_default is None:
                reference_default = getattr(optim, name).default_eta
            assert reference_default == default, (name, hyper)
        assert params["schedule"].default is None


def test_a_stored_schedule_gives_the_rates_the_paths_were_built_with():
    schedule_cases = [case for name in OPTIMIZERS for case in stored_optimizer_cases(name) if case.label == SCHEDULE]
    assert len(schedule_cases) == len(OPTIMIZERS)
    built = inverse_schedule(*CHECK_SCHEDULE)
    for case in schedule_cases:
        schedule = case.kwargs["schedule"]
        assert isinstance(schedule, StoredSchedule)
        assert case.schedule_text == "(t -> 0.2 / (1 + 0.5 t))"
        for t in range(2 * case.steps + 2):
            assert schedule(t) == built(t) and type(schedule(t)) is float
        assert schedule(np.int64(3)) == schedule(3.0) == built(3)


@pytest.mark.parametrize("t", [-1, 0.5, 42, "0", None])
def test_a_stored_schedule_says_what_t_must_be(t):
    (case,) = [c for c in stored_optimizer_cases("SGD") if c.label == SCHEDULE]
    with pytest.raises(CheckFailure, match="t is the number of updates made before this one"):
        case.kwargs["schedule"](t)


def test_a_schedule_called_with_an_odd_t_fails_the_self_check():
    class HalfStepSGD(optim.SGD):
        def current_eta(self):
            return self.eta if self.schedule is None else float(self.schedule(self.t + 0.5))

    result = run("self-check", "SGD", HalfStepSGD)
    assert result.status == "failed" and "was called with t = 0.5" in result.message


# ----------------------------------------------------------------------------- the hidden check only


def test_grading_problems_are_not_the_self_check_problems():
    for key, (kind, params) in GRADE_PROBLEMS.items():
        _, shown = CHECK_PROBLEMS[key]
        if kind == "quadratic":
            assert params["A"].shape != shown["A"].shape or not np.allclose(params["A"], shown["A"])
        else:
            assert params["b"] != shown["b"]


def test_grading_schedule_is_a_trusted_decaying_function():
    schedule = grade_schedule()
    assert isinstance(schedule, TrustedFunction)
    rates = np.array([schedule(t) for t in range(6)])
    assert rates[0] == 0.25 and np.all(np.diff(rates) < 0)
    for name in OPTIMIZERS:
        (case,) = [c for c in fresh_cases(name) if c.label == SCHEDULE]
        assert isinstance(case.kwargs["schedule"], TrustedFunction) and isinstance(case.grad_fn, TrustedFunction)


def test_variant_classes_differ_from_the_reference_only_by_their_update():
    for name in OPTIMIZERS:
        for key in MISTAKES[name]:
            cls = variant_class(name, key)
            assert issubclass(cls, getattr(optim, name))


SUBMISSION = textwrap.dedent('''
    import numpy as np


    class Momentum:
        def __init__(self, eta=None, alpha=0.9, *, schedule=None):
            self.eta, self.alpha, self.schedule, self.t, self.v = eta, alpha, schedule, 0, 0.0

        def step(self, theta, grad_fn):
            eta = self.eta if self.schedule is None else self.schedule(self.t)
            self.t += 1
            self.v = self.alpha * self.v - eta * grad_fn(theta)
            return theta + self.v


    class Nesterov(Momentum):
        """Forgets the look-ahead point."""


    class SGD:
        def __init__(self, eta=None, *, schedule=None):
            self.eta = eta

        def step(self, theta, grad_fn):
            theta -= self.eta * grad_fn(theta)
            return theta


    def inverse_decay(eta0, k, t):
        return eta0 / (1 + k * t)
''')


def test_the_checks_run_unchanged_on_a_sandboxed_submission():
    from autograder.proxies import Remote, make_proxies

    with WorkerPool(Limits(wall_seconds=20.0, cpu_seconds=60)) as pool:
        worker = pool.spawn(SUBMISSION, graded_names={"Momentum", "Nesterov", "SGD", "inverse_decay"})
        try:
            remote = Remote(worker, deadline=time.monotonic() + 120)
            proxies = make_proxies(remote, ["Momentum", "Nesterov", "SGD", "inverse_decay"],
                                   class_names={"Momentum", "Nesterov", "SGD"})
            assert run("hidden check", "Momentum", proxies["Momentum"]).passed
            nesterov = run("hidden check", "Nesterov", proxies["Nesterov"])
            assert nesterov.status == "failed" and MISTAKES["Nesterov"]["no_lookahead"] in nesterov.message
            sgd = run("hidden check", "SGD", proxies["SGD"])
            assert sgd.status == "failed" and "changed the array theta" in sgd.message
            assert run("hidden check", "inverse_decay", proxies["inverse_decay"]).passed
        finally:
            worker.close()
