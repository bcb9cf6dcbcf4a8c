"""The checks of batchnorm_forward and spatial_batchnorm_forward: one case at a time.

A forward case checks the output of one call and the running averages it
leaves in ``bn_param`` (the forward must store them in the dict it was
given); a RunningAverages case checks them after several calls in a row.
"""
import numpy as np

from course_lib.gradcheck.naming import describe_shape
from course_lib.selfcheck.common import VALUE_TOL, call_forward, require_values
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb06.cases import RunningAverages, describe_case, dims_of, make_bn_param
from course_lib.selfcheck.nb06.mistakes import labelled

INPUTS = ("x", "gamma", "beta")
"""The array inputs of a forward, in order (bn_param follows them); the backward returns one gradient each."""
FORWARD_FIX = "compute the output in new arrays (x - mu rather than x -= mu)."
"""What to do instead of changing x, gamma or beta in place."""
OUTPUT_GAP = 100 * VALUE_TOL
"""A forward output or running average is only named as a mistake lying farther than this from the right one."""


def check_batchnorm_forward_case(batchnorm_forward, case):
    """One case of batchnorm_forward: one call, or RunningAverages."""
    if isinstance(case, RunningAverages):
        check_running_sequence_case("batchnorm_forward", batchnorm_forward, case.case)
    else:
        check_forward_case("batchnorm_forward", batchnorm_forward, case)


def check_spatial_batchnorm_forward_case(spatial_batchnorm_forward, case):
    """One (N, C, H, W) case of spatial_batchnorm_forward."""
    check_forward_case("spatial_batchnorm_forward", spatial_batchnorm_forward, case)


def check_forward_case(fname, forward, case):
    """One call in one mode: the output, then the running averages left in bn_param.

    ``case`` holds x, gamma, beta, mode, eps, momentum, running_mean,
    running_var (before the call), out, new_running_mean, new_running_var, and
    mistakes for the groups "out", "running_mean", "running_var".
    """
    context = f"{fname}, {describe_case(case)}"
    x = case["x"]
    dims = dims_of(x)
    bn_param = make_bn_param(case)
    out, _ = call_forward(fname, forward, (x, case["gamma"], case["beta"]), INPUTS, FORWARD_FIX, params=(bn_param,))
    mistakes = case["mistakes"]
    require_values(context, "out", case["out"], out, labelled(mistakes.get("out")), dims=dims, apart=OUTPUT_GAP)
    for key in ("running_mean", "running_var"):
        if key not in bn_param:
            raise CheckFailure(f"{context}: bn_param has no entry {key!r} after the call; keep the running "
                               "averages in the dict you were given.")
        require_values(context, f"bn_param[{key!r}] after the call", case[f"new_{key}"], bn_param[key],
                       labelled(mistakes.get(key)), apart=OUTPUT_GAP)


def check_running_sequence_case(fname, forward, case):
    """Several train-mode calls sharing ONE bn_param: the running averages after every call.

    ``case``: x_seq (S, N, D), gamma, beta, eps, momentum, running_mean and
    running_var before the first call, means and variances (S, D) after each
    call; mistakes for the groups "running_mean", "running_var" hold (S, D) arrays.
    """
    x_seq = case["x_seq"]
    context = (f"{fname}, {len(x_seq)} train-mode calls in a row with the same bn_param, batches of "
               f"shape {describe_shape(x_seq.shape[1:])}, momentum = {float(case['momentum']):g}")
    bn_param = make_bn_param({**case, "mode": "train"})
    means, variances = [], []
    for x in x_seq:
        call_forward(fname, forward, (x, case["gamma"], case["beta"]), INPUTS, FORWARD_FIX, params=(bn_param,))
        for key in ("running_mean", "running_var"):
            if key not in bn_param:
                raise CheckFailure(f"{context}: bn_param has no entry {key!r} after a call; keep the running "
                                   "averages in the dict you were given.")
        means.append(np.array(bn_param["running_mean"], dtype=np.float64, copy=True))
        variances.append(np.array(bn_param["running_var"], dtype=np.float64, copy=True))
    mistakes = case["mistakes"]
    for label, key, got in (("running_mean", "means", means), ("running_var", "variances", variances)):
        shapes = {np.shape(g) for g in got}
        if shapes != {case[key].shape[1:]}:
            raise CheckFailure(f"{context}: bn_param[{label!r}] must have shape "
                               f"{describe_shape(case[key].shape[1:])} (one entry per feature), got {sorted(shapes)}.")
        require_values(context, f"bn_param[{label!r}] after each call (one row per call)", case[key],
                       np.stack(got), labelled(mistakes.get(label)), apart=OUTPUT_GAP)

