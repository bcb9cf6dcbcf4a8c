"""The statistical check of the Gaussian initialisers xavier_init and he_init.

n independent draws from N(0, s^2) have a sample mean within a few s / sqrt(n)
of 0 and a sample standard deviation within a few s / sqrt(2 n) of s, so an
initialiser is judged by the moments of a large draw, never against one
particular draw. On an InitCase (cases.py): the contract (shape, dtype, the
rng passed in), independent draws, mean 0, the rule's standard deviation
(naming a known wrong formula, mistakes.STD_FORMULAS) and a Gaussian shape.
"""
import math

import numpy as np

from course_lib.gradcheck import contract_diagnosis
from course_lib.gradcheck.naming import format_value
from course_lib.selfcheck.common import describe
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb04.compare import CONTAINERS
from course_lib.selfcheck.nb04.mistakes import STD_FORMULAS

Z = 6.0
"""Tolerances are Z standard errors: a correct rule fails with probability about 2e-9 per statistic."""

INIT_RULES = {
    "xavier_init": ("sqrt(2 / (r_in + r_out))", lambda r_in, r_out: math.sqrt(2.0 / (r_in + r_out))),
    "he_init": ("sqrt(2 / r_in)", lambda r_in, r_out: math.sqrt(2.0 / r_in)),
}


def draw_statistics(w):
    """(n, sample mean, sample std, excess kurtosis) of all entries of w."""
    w = np.asarray(w, dtype=np.float64).ravel()
    mean = float(w.mean())
    centred = w - mean
    var = float(np.mean(centred**2))
    kurtosis = float(np.mean(centred**4) / var**2 - 3.0) if var > 0 else float("nan")
    return w.size, mean, math.sqrt(var), kurtosis


def std_tolerance(std, n):
    """Z standard errors of the sample std of n Gaussian draws with standard deviation std."""
    return Z * std / math.sqrt(2.0 * n)


def mean_tolerance(std, n):
    """Z standard errors of the sample mean of n draws with standard deviation std."""
    return Z * std / math.sqrt(n)


def kurtosis_tolerance(n):
    """Z standard errors of the sample excess kurtosis of n Gaussian draws (0 for a Gaussian)."""
    return Z * math.sqrt(24.0 / n)


def _draw(fname, init, r_in, r_out, rng):
    """Call init(r_in, r_out, rng) and require a finite float64 array of shape (r_in, r_out)."""
    context = f"{fname}({r_in}, {r_out}, rng)"
    w = init(r_in, r_out, rng)
    if not isinstance(w, np.ndarray):
        raise CheckFailure(f"{context} must return a numpy array, got {describe(w, CONTAINERS)}.")
    if w.shape != (r_in, r_out):
        note = ""
        if w.shape == (r_out, r_in):
            note = (" That is the transpose: course_lib's row convention keeps a weight as (r_in, r_out), "
                    "so that x @ w maps r_in features to r_out.")
        raise CheckFailure(f"{context} returned shape {w.shape}, expected (r_in, r_out) = ({r_in}, {r_out}).{note}")
    if w.dtype != np.float64:
        raise CheckFailure(
            f"{context} returned dtype {w.dtype}; the course works in float64 (what rng.standard_normal gives)."
        )
    problem = contract_diagnosis(context, w, (r_in, r_out))
    if problem is not None:
        raise CheckFailure(problem.message)
    return w


def _check_rng_use(fname, init, r_in, r_out, seed):
    """Same generator state, same draw; another seed, another draw."""
    context = f"{fname}({r_in}, {r_out}, rng)"
    first = _draw(fname, init, r_in, r_out, np.random.default_rng(seed))
    again = _draw(fname, init, r_in, r_out, np.random.default_rng(seed))
    if not np.array_equal(first, again):
        raise CheckFailure(
            f"{context}: two generators in the same state gave different weights. Draw from the rng you are "
            "given (rng.standard_normal(...) or rng.normal(...)), not from np.random.randn or a new generator."
        )
    other = _draw(fname, init, r_in, r_out, np.random.default_rng(seed + 1))
    if np.array_equal(first, other) and first.size > 1:
        raise CheckFailure(
            f"{context}: generators with different seeds gave the same weights. Draw from the rng argument; "
            "do not create a generator with a fixed seed inside the function."
        )
    return first


def _name_std_mistake(fname, cases):
    """The wrong formula that every case's sample std agrees with, as a sentence, or None."""
    rule_text, rule = INIT_RULES[fname]
    for text, std_of, advice in STD_FORMULAS:
        if text == rule_text:
            continue
        fits = all(
            abs(s - std_of(r_in, r_out)) <= std_tolerance(std_of(r_in, r_out), n)
            and abs(std_of(r_in, r_out) - rule(r_in, r_out)) > 2 * std_tolerance(rule(r_in, r_out), n)
            for r_in, r_out, n, s in cases
        )
        if fits:
            return f"the standard deviation is {text} instead of {rule_text}{advice.get(fname, advice.get('', ''))}"
    return None


def check_init_rule(fname, init, shapes, small_shapes=(), seed=0):
    """Statistical checks of a Gaussian initialiser against its lecture std ``INIT_RULES[fname]``.

    shapes: large (r_in, r_out) pairs (at least ~10^4 entries each) for the
    statistics; small_shapes: edge cases where only shape, dtype and the use
    of the generator are checked. Order: contract, generator use, independent
    draws, mean 0, standard deviation (naming a known wrong formula), Gaussian shape.
    """
    rule_text, rule = INIT_RULES[fname]
    for k, (r_in, r_out) in enumerate(small_shapes):
        _check_rng_use(fname, init, r_in, r_out, seed + 100 + k)
    cases, kurtoses = [], []
    for k, (r_in, r_out) in enumerate(shapes):
        context = f"{fname}({r_in}, {r_out}, rng)"
        w = _check_rng_use(fname, init, r_in, r_out, seed + k)
        n, mean, std, kurtosis = draw_statistics(w)
        distinct = np.unique(w).size
        if distinct < 0.99 * n:
            raise CheckFailure(
                f"{context}: only {distinct} distinct values among {n} weights. Draw every weight on its own, "
                "one draw per entry of the (r_in, r_out) array; do not repeat a row, a column or one number."
            )
        # The spread of the draws themselves sets the tolerance, so a wrong scale is left to the std check.
        if abs(mean) > mean_tolerance(std, n):
            raise CheckFailure(
                f"{context}: the weights have mean {format_value(mean)}, but {n} draws from a zero-mean "
                f"distribution with their spread (std {format_value(std)}) stay within "
                f"+-{format_value(mean_tolerance(std, n))} of 0. Draw from a zero-mean Gaussian, "
                "rng.standard_normal, not rng.random (uniform on [0, 1))."
            )
        cases.append((r_in, r_out, n, std))
        kurtoses.append((kurtosis, float(np.mean(np.abs(np.ravel(w) - mean) > 2.0 * std))))
    for r_in, r_out, n, std in cases:
        target = rule(r_in, r_out)
        if abs(std - target) > std_tolerance(target, n):
            context = f"{fname}({r_in}, {r_out}, rng)"
            named = _name_std_mistake(fname, cases)
            head = (f"{context}: the weights have standard deviation {format_value(std)}, but the rule's "
                    f"is {rule_text} = {format_value(target)} (a sample of {n} stays within "
                    f"+-{format_value(std_tolerance(target, n))} of it)")
            raise CheckFailure(f"{head}: {named}." if named else f"{head}.")
    for (r_in, r_out, n, _), (kurtosis, far) in zip(cases, kurtoses):
        if abs(kurtosis) > kurtosis_tolerance(n):
            raise CheckFailure(f"{fname}({r_in}, {r_out}, rng): {_not_gaussian(kurtosis, far, rule_text)}")


GAUSSIAN_FAR = 0.0455003
"""The share of a Gaussian's draws that lie more than 2 standard deviations from its mean."""


def _not_gaussian(kurtosis, far, rule_text):
    """The right mean and std, but not the lecture's Gaussian: said with the share of far-out draws.

    ``kurtosis`` (the sample's excess kurtosis, 0 for a Gaussian) tells which way the shape is off:
    below 0 the values are spread evenly over an interval (uniform), above 0 the tails are too heavy.
    """
    seen = (f"{100 * far:.1f}% of the weights lie more than 2 standard deviations from their mean, where "
            f"a Gaussian puts {100 * GAUSSIAN_FAR:.1f}%")
    fix = (f"The lecture draws each weight from a Gaussian distribution with standard deviation {rule_text}: "
           f"rng.standard_normal((r_in, r_out)) * std, or rng.normal(0.0, std, (r_in, r_out)).")
    if kurtosis < 0:
        return (f"the right mean and standard deviation, but the values are spread uniformly over an interval "
                f"(as in rng.uniform(-a, a), Glorot's uniform variant): {seen}. {fix}")
    return (f"the right mean and standard deviation, but the values are not Gaussian: too many of them lie far "
            f"out in the tails ({seen}). {fix}")



def check_init_case(init, case):
    """check_init_rule on the case's shapes and seed."""
    check_init_rule(case.fname, init, case.shapes, case.small_shapes, seed=case.seed)
