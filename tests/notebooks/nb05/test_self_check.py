"""Notebook 05's visible self-checks: pass on valid optimizers, name the usual mistakes, explain stubs.

Besides course_lib's references, two independently written sets of classes
(tests/notebooks/nb05/implementations.py, shared with test_hidden_check.py): ``student(*bugs)``,
the lecture's update rules as plain standalone classes (as a student writes
them) with optional named bugs, and ``alternative()``, valid rewrites that
change the arithmetic (a negated velocity, square root of a ratio,
per-coordinate loops, the simplified Nesterov update computed through the
classic variables).
"""
import inspect

import numpy as np
import pytest

from autograder.expected.nb05 import build
from course_lib import optim
from course_lib.selfcheck import evaluate
from course_lib.selfcheck import nb05 as checks
from course_lib.selfcheck.expected import EXPECTED_DIR
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


def visible(name, cls):
    return evaluate(name, getattr(checks, f"check_{name}"), cls)


# ----------------------------------------------------------------------------- tests


@pytest.mark.parametrize("label", list(VALID))
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_valid_optimizers_pass(label, name):
    result = visible(name, VALID[label][name])
    assert result.passed, result.message


@pytest.mark.parametrize("name, bug, key", NAMED_BUGS, ids=lambda v: v if isinstance(v, str) else None)
def test_each_typical_mistake_is_named(name, bug, key):
    result = visible(name, student(bug)[name])
    assert result.status == "failed", f"{name} with {bug}: {result}"
    assert checks.MISTAKES[name][key] in result.message, f"{name} with {bug}: {result.message}"


def test_every_mistake_is_nameable_in_some_stored_case():
    for name in OPTIMIZERS:
        for key in checks.MISTAKES[name]:
            assert any(checks.path_misfit(case.mistakes[key], case.expected) > 100 * checks.NAMEABLE
                       for case in checks.stored_cases(name)), (name, key)


@pytest.mark.parametrize("name", ["SGD", "AdaGrad", "Adam"])
def test_a_step_that_changes_theta_in_place_fails(name):
    result = visible(name, student("in_place")[name])
    assert result.status == "failed"
    assert "changed the array theta it was given" in result.message


def test_a_step_returning_a_list_fails():
    result = visible("SGD", student("returns_list")["SGD"])
    assert result.status == "failed" and "returned list" in result.message


def test_state_shared_between_instances_is_named():
    result = visible("Momentum", student("shared_state")["Momentum"])
    assert result.status == "failed"
    assert "they share state" in result.message


def test_wrong_default_is_explained():
    result = visible("Momentum", student("wrong_default")["Momentum"])
    assert result.status == "failed"
    assert "default hyperparameters" in result.message
    assert "alpha defaults to 0.5, the lecture's default is 0.9" in result.message


def test_missing_constructor_parameter_is_named():
    result = visible("Adam", student("missing_parameter")["Adam"])
    assert result.status == "failed"
    assert "must accept the keyword argument rho2" in result.message
    assert "def __init__(self, eta=0.001, rho1=0.9, rho2=0.999, delta=1e-08, *, schedule=None)" in result.message


def test_a_class_that_never_moves_is_explained():
    class Frozen:
        def __init__(self, eta=None, *, schedule=None):
            pass

        def step(self, theta, grad_fn):
            return theta.copy()

    result = visible("SGD", Frozen)
    assert result.status == "failed" and "theta never moves" in result.message


def test_an_unknown_mistake_says_which_step_first_differs():
    class EtaHalvedLater(optim.Momentum):
        """Right on the first step, wrong from the second on."""

        def current_eta(self):
            return self.eta if self.t == 0 else 0.5 * self.eta

    result = visible("Momentum", EtaHalvedLater)
    assert result.status == "failed"
    assert "step 1 is right but step 2 is not" in result.message
    assert "velocity v must be kept" in result.message


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_stubs_are_not_implemented(name):
    for stub in (stub_class(), half_stub_class()):
        assert visible(name, stub).status == "not implemented"


def test_the_signatures_match_course_lib():
    for name in OPTIMIZERS:
        params = inspect.signature(getattr(optim, name)).parameters
        for hyper, default in checks.HYPERPARAMETERS[name].items():
            assert hyper in params, (name, hyper)
            reference_default = params[hyper].default
            # course_lib writes eta=None and keeps the effective default in default_eta
            if hyper == "eta" and reference_default is None:
                reference_default = getattr(optim, name).default_eta
            assert reference_default == default, (name, hyper)
        assert params["schedule"].default is None


# ----------------------------------------------------------------------------- schedules


@pytest.mark.parametrize("label", ["reference", "numpy"])
@pytest.mark.parametrize("fname", checks.SCHEDULES)
def test_valid_schedules_pass(label, fname):
    result = evaluate(fname, getattr(checks, f"check_{fname}"), valid_schedules()[label][fname])
    assert result.passed, result.message


@pytest.mark.parametrize("fname, key", SCHEDULE_CASES)
def test_schedule_mistakes_are_named(fname, key):
    result = evaluate(fname, getattr(checks, f"check_{fname}"), SCHEDULE_BUGS[fname][key])
    assert result.status == "failed"
    assert checks.SCHEDULE_MISTAKES[fname][key] in result.message, result.message


def test_schedule_returning_an_array_is_refused():
    result = evaluate("inverse_decay", checks.check_inverse_decay,
                      lambda eta0, k, t: np.array([eta0 / (1 + k * t)]))
    assert result.status == "failed" and "expected one number" in result.message


@pytest.mark.parametrize("fname", checks.SCHEDULES)
def test_schedule_stub_is_not_implemented(fname):
    def stub(eta0, k, t):
        raise NotImplementedError()

    assert evaluate(fname, getattr(checks, f"check_{fname}"), stub).status == "not implemented"


# ----------------------------------------------------------------------------- stored values


def test_committed_expected_values_equal_build():
    fresh = build()
    with np.load(EXPECTED_DIR / "nb05.npz", allow_pickle=False) as stored:
        assert sorted(stored.files) == sorted(fresh)
        for key, value in fresh.items():
            assert np.array_equal(stored[key], value, equal_nan=value.dtype.kind == "f"), key


def test_stored_paths_start_at_theta0_and_stay_finite():
    for name in OPTIMIZERS:
        for case in checks.stored_cases(name):
            assert np.array_equal(case.expected[0], case.theta0)
            assert np.all(np.isfinite(case.expected)), name
