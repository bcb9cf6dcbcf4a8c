"""Notebook 05's hidden grading checks: full marks for valid answers, named mistakes for wrong ones.

The implementations (course_lib's references, the configurable ``student(*bugs)``
and the valid ``alternative()``) come from tests/notebooks/nb05/implementations.py. The last
test runs the checks on a submission held in a sandboxed worker, through the
judge's proxies, as the grader does.
"""
import textwrap
import time

import numpy as np
import pytest

from autograder.checks import nb05 as grading
from autograder.expected.nb05 import CHECK_PROBLEMS
from autograder.sandbox import Limits, TrustedFunction, WorkerPool
from course_lib import optim
from course_lib.selfcheck import evaluate
from course_lib.selfcheck import nb05 as checks
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


def graded(name, cls):
    return evaluate(name, getattr(grading, f"grade_{name}"), cls)


@pytest.mark.parametrize("label", list(VALID))
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_valid_optimizers_get_full_marks(label, name):
    result = graded(name, VALID[label][name])
    assert result.passed, result.message


@pytest.mark.parametrize("name, bug, key", NAMED_BUGS, ids=lambda v: v if isinstance(v, str) else None)
def test_each_typical_mistake_fails_with_its_name(name, bug, key):
    result = graded(name, student(bug)[name])
    assert result.status == "failed", f"{name} with {bug}: {result}"
    assert checks.MISTAKES[name][key] in result.message, f"{name} with {bug}: {result.message}"


def test_every_mistake_is_nameable_in_some_grading_case():
    for name in OPTIMIZERS:
        cases = grading.grade_cases(name)
        for key in checks.MISTAKES[name]:
            assert any(checks.path_misfit(c.mistakes[key], c.expected) > 100 * checks.NAMEABLE
                       for c in cases), (name, key)


def test_grading_problems_are_not_the_self_check_problems():
    for key, (kind, params) in grading.GRADE_PROBLEMS.items():
        _, shown = CHECK_PROBLEMS[key]
        if kind == "quadratic":
            assert params["A"].shape != shown["A"].shape or not np.allclose(params["A"], shown["A"])
        else:
            assert params["b"] != shown["b"]


def test_grading_schedule_is_a_trusted_decaying_function():
    schedule = grading.grade_schedule()
    assert isinstance(schedule, TrustedFunction)
    rates = np.array([schedule(t) for t in range(6)])
    assert rates[0] == 0.25 and np.all(np.diff(rates) < 0)


def test_behaviour_mistakes_fail():
    assert "changed the array theta" in graded("Adam", student("in_place")["Adam"]).message
    assert "they share state" in graded("Momentum", student("shared_state")["Momentum"]).message
    assert "alpha defaults to 0.5" in graded("Momentum", student("wrong_default")["Momentum"]).message
    assert "must accept the keyword argument rho2" in graded("Adam", student("missing_parameter")["Adam"]).message


def test_a_bug_in_one_class_costs_only_that_class():
    classes = student("no_lookahead")
    results = {name: graded(name, classes[name]) for name in OPTIMIZERS}
    assert {name for name, r in results.items() if not r.passed} == {"Nesterov", "RMSPropNesterov"}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_stubs_are_not_implemented(name):
    for stub in (stub_class(), half_stub_class()):
        assert graded(name, stub).status == "not implemented"


@pytest.mark.parametrize("label", ["reference", "numpy"])
@pytest.mark.parametrize("fname", checks.SCHEDULES)
def test_valid_schedules_get_full_marks(label, fname):
    result = evaluate(fname, getattr(grading, f"grade_{fname}"), valid_schedules()[label][fname])
    assert result.passed, result.message


@pytest.mark.parametrize("fname, key", SCHEDULE_CASES)
def test_schedule_mistakes_fail_with_their_name(fname, key):
    result = evaluate(fname, getattr(grading, f"grade_{fname}"), SCHEDULE_BUGS[fname][key])
    assert result.status == "failed"
    assert checks.SCHEDULE_MISTAKES[fname][key] in result.message, result.message


def test_variant_classes_differ_from_the_reference_only_by_their_update():
    for name in OPTIMIZERS:
        for key in checks.MISTAKES[name]:
            cls = grading.variant_class(name, key)
            assert issubclass(cls, getattr(optim, name))


# ----------------------------------------------------------------------------- in the sandbox

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
            assert graded("Momentum", proxies["Momentum"]).passed
            nesterov = graded("Nesterov", proxies["Nesterov"])
            assert nesterov.status == "failed" and checks.MISTAKES["Nesterov"]["no_lookahead"] in nesterov.message
            sgd = graded("SGD", proxies["SGD"])
            assert sgd.status == "failed" and "changed the array theta" in sgd.message
            assert evaluate("inverse_decay", grading.grade_inverse_decay, proxies["inverse_decay"]).passed
        finally:
            worker.close()
