"""The cases of notebook 06's checks: drawing their inputs, the stored layout, and the readers.

A data case is a dict of arrays: the inputs of one call, the right answers
and ``case["mistakes"][group][slug]``, what mistake ``slug`` gives for
``group`` ("out", "running_mean", "running_var", "dx", "dgamma"). The
inputs are drawn here (``bn_inputs``, ``backward_inputs``,
``sequence_inputs``); the trusted side adds the answers
(autograder/checks/nb06/fresh.py), and the self-checks read the stored ones.
Entries:
  forward   x, gamma, beta, mode, eps, momentum, running_mean, running_var (before the call),
            out, new_running_mean, new_running_var
  backward  the forward inputs, dout, out, dx, dgamma, dbeta; and, never stored, ``fd``: how the
            backward is compared with the student's own forward, "entries" (every entry, the
            default) or "direction" (one random direction, for the larger hidden spatial cases)
  sequence  x_seq (S, N, D), gamma, beta, mode, eps, momentum, running_mean, running_var (before
            the first call), means and variances (S, D) after each call; wrapped in RunningAverages

Stored layout (``stored("nb06", key)``), for a case with prefix P:
  P__keys                        names of the plain entries
  P__<key>                       the entries (0-d arrays for numbers and the mode)
  P__mistakes                    "group/slug" entries
  P__mistake__<group>__<slug>    what mistake <slug> gives for <group>
Prefixes: fwd_k, bwd_k (k < fwd_n, bwd_n), seq, sfwd_k, sbwd_k (spatial, k < sfwd_n, sbwd_n).
"""
from dataclasses import dataclass

import numpy as np

import course_lib.selfcheck.stored as stored_values
from course_lib.gradcheck.naming import describe_shape
from course_lib.validation import check_rng

NB = "nb06"
DEFAULT_EPS = 1e-5

# ----------------------------------------------------------------------------- drawing inputs


def bn_inputs(rng, shape, eps=DEFAULT_EPS, momentum=0.9, mode="train", spread=1.0):
    """Inputs of one case: x of ``shape`` (features off zero mean), gamma, beta, running averages.

    ``spread`` scales the features; with a large eps a small spread makes
    every eps mistake loud. gamma stays away from 1 and beta from 0, so that
    forgetting either shows.
    """
    rng = check_rng(rng)
    C = shape[1]
    per_feature = (1, C) + (1,) * (len(shape) - 2)
    x = spread * (rng.standard_normal(shape) * (0.5 + rng.random(per_feature)) + rng.standard_normal(per_feature))
    return {
        "x": x,
        "gamma": 1.2 + rng.random(C),
        "beta": rng.standard_normal(C),
        "mode": np.array(mode),
        "eps": np.array(float(eps)),
        "momentum": np.array(float(momentum)),
        "running_mean": rng.standard_normal(C),
        "running_var": 0.5 + rng.random(C),
    }


def backward_inputs(rng, shape, **settings):
    """bn_inputs and a Gaussian dout of x's shape (dout = ones would make dx exactly zero)."""
    rng = check_rng(rng)
    inputs = bn_inputs(rng, shape, **settings)
    return {**inputs, "dout": rng.standard_normal(inputs["x"].shape)}


def sequence_inputs(rng, steps=4, shape=(5, 3), momentum=0.7, eps=DEFAULT_EPS):
    """Several train-mode batches (each a shifted, stretched copy of one draw) for one bn_param."""
    inputs = bn_inputs(check_rng(rng), shape, eps=eps, momentum=momentum)
    x_seq = np.stack([inputs["x"] * (1 + 0.5 * s) + s for s in range(steps)])
    return {"x_seq": x_seq, "gamma": inputs["gamma"], "beta": inputs["beta"], "mode": np.array("train"),
            "eps": inputs["eps"], "momentum": inputs["momentum"], "running_mean": inputs["running_mean"],
            "running_var": inputs["running_var"]}


# ----------------------------------------------------------------------------- reading a case


def make_bn_param(case):
    """A fresh bn_param dict for a case, with copies of its running averages."""
    return {
        "mode": str(case["mode"]),
        "eps": float(case["eps"]),
        "momentum": float(case["momentum"]),
        "running_mean": np.array(case["running_mean"], dtype=np.float64, copy=True),
        "running_var": np.array(case["running_var"], dtype=np.float64, copy=True),
    }


def describe_case(case):
    mode, x = str(case["mode"]), case["x"]
    return (f"{mode} mode, x of shape {describe_shape(x.shape)}, eps = {float(case['eps']):g}, "
            f"momentum = {float(case['momentum']):g}")


def dims_of(x):
    """Named dimensions for messages ("1/N", "(N, D)")."""
    names = ("N", "D") if x.ndim == 2 else ("N", "C", "H", "W")
    return dict(zip(names, x.shape))


# ----------------------------------------------------------------------------- cases that are not one call


@dataclass(frozen=True, eq=False)
class RunningAverages:
    """A sequence case: several train-mode calls sharing one bn_param."""

    case: dict


@dataclass(frozen=True)
class FormsAgree:
    """Both backward forms, fed one cache of the student's forward on a batch drawn from ``seed``, agree."""

    seed: int = 66


# ----------------------------------------------------------------------------- stored cases


def stored_case(prefix):
    """The stored case ``prefix`` ("fwd_0") as a dict, with ``case["mistakes"][group][slug]``."""
    return stored_values.stored_case(NB, prefix)


def stored_cases(kind):
    """The stored cases of ``kind`` ("fwd", "bwd", "sfwd", "sbwd"), in order."""
    return [stored_case(f"{kind}_{k}") for k in range(stored_values.stored_count(NB, kind))]


def stored_batchnorm_forward_cases():
    yield from stored_cases("fwd")
    yield RunningAverages(stored_case("seq"))


def stored_batchnorm_backward_cases():
    return stored_cases("bwd")


def stored_batchnorm_backward_alt_cases():
    yield from stored_cases("bwd")
    yield FormsAgree()


def stored_spatial_batchnorm_forward_cases():
    return stored_cases("sfwd")


def stored_spatial_batchnorm_backward_cases():
    return stored_cases("sbwd")
