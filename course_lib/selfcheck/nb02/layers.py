"""Checks of the row-convention layers: linear, softmax, softmax cross-entropy and mean squared error.

One sample per row: out = x w + b; softmax normalises each row, stably
(subtract the row's maximum before exp); the losses are means over the N
samples, softmax cross-entropy -(1/N) sum_i log p_{i, y_i} with
dscores = (p - onehot(y)) / N, mean squared error (1/(2N)) sum_i ||pred_i - target_i||^2.
Gradients are also compared with finite differences of the student's own
forward or loss, so a wrong forward and a wrong backward are told apart.
"""
import numpy as np

from course_lib.gradcheck import contract_diagnosis, directional_check, numerical_gradient, numerical_gradient_array
from course_lib.gradcheck.naming import format_value
from course_lib.selfcheck.common import (
    GRAD_THRESHOLD,
    describe,
    misfit,
    own_fd_agrees,
    require_array,
    require_fd_agreement,
    require_gradient,
)
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb02.cases import SoftmaxPropertiesCase
from course_lib.selfcheck.nb02.mistakes import LINEAR_OUT, MSE_LOSS, SCE_DSCORES, SCE_LOSS, SOFTMAX, named
from course_lib.selfcheck.nb02.require import LISTS, require_pair, require_scalar, require_values


# ----------------------------------------------------------------------------- linear
def _linear_context(x, w):
    (N, D), M = x.shape, w.shape[1]
    return f"x of shape ({N}, {D}) = (N, D), w of shape ({D}, {M}) = (D, M)", {"N": N, "D": D, "M": M}


def check_linear_case(linear_forward, linear_backward, case):
    """Forward values, the three gradients against the expected ones and against finite
    differences of the student's own forward, linearity in dout; inputs untouched."""
    x, w, b, dout = case.x, case.w, case.b, case.dout
    where, dims = _linear_context(x, w)
    x_in, w_in, b_in = x.copy(), w.copy(), b.copy()
    fctx = f"linear_forward, {where}"
    out, cache = require_pair(fctx, linear_forward(x_in, w_in, b_in), "(out, cache)")
    if not (np.array_equal(x_in, x) and np.array_equal(w_in, w) and np.array_equal(b_in, b)):
        raise CheckFailure(f"{fctx}: x, w or b was modified in place; compute out in a new array.")
    require_values(fctx, "out", case.out, out, named(LINEAR_OUT, case.out_mistakes), dims, ("sample", "feature"))
    bctx = f"linear_backward, {where}"
    dout_in = dout.copy()
    grads = linear_backward(dout_in, cache)
    if not np.array_equal(dout_in, dout):
        raise CheckFailure(f"{bctx}: dout was modified in place; compute the gradients in new arrays.")
    if not (isinstance(grads, tuple) and len(grads) == 3):
        raise CheckFailure(f"{bctx}: must return a tuple (dx, dw, db) of 3 gradients, in the order of the "
                           f"forward's inputs, got {describe(grads, LISTS)}.")
    dx, dw, db = grads
    require_gradient(bctx, "dx", case.dx, dx, dims)
    require_gradient(bctx, "dw", case.dw, dw, dims)
    require_gradient(bctx, "db", case.db, db, dims, upstream=dout, summed_axes=(0,))
    if case.fd and not _linear_fd_agrees(linear_forward, x, w, b, dout, dx, dw, db):
        # the forward is right by now, so a disagreement can only come from the backward
        for label, arr, value, build in (
                ("dx", x, dx, lambda v: linear_forward(v, w, b)[0]),
                ("dw", w, dw, lambda v: linear_forward(x, v, b)[0]),
                ("db", b, db, lambda v: linear_forward(x, w, v)[0])):
            numerical = numerical_gradient_array(build, arr.copy(), dout)
            require_fd_agreement(bctx, label, numerical, value, "linear_forward", dims)
    doubled = linear_backward(2.0 * dout, cache)
    for label, single, twice in zip(("dx", "dw", "db"), (dx, dw, db), tuple(doubled)):
        if misfit(2.0 * np.asarray(single, dtype=np.float64), np.asarray(twice, dtype=np.float64)) > 1e-12:
            raise CheckFailure(f"{bctx}: doubling dout did not double {label}; the backward must be linear in "
                               "dout and must not change the cache.")
    if case.rng is not None:
        check_linear_directional(linear_forward, linear_backward, x, w, b, case.rng)


def _linear_fd_agrees(linear_forward, x, w, b, dout, dx, dw, db):
    """dx, dw, db against the student's own forward along two random directions (own_fd_agrees, 4 forwards)."""
    params = {"x": x.copy(), "w": w.copy(), "b": b.copy()}

    def loss():
        return float(np.sum(dout * np.asarray(linear_forward(params["x"], params["w"], params["b"])[0],
                                              dtype=np.float64)))

    return own_fd_agrees(loss, params, {"x": dx, "w": dw, "b": db})


def check_linear_directional(linear_forward, linear_backward, x, w, b, rng):
    """The backward against a central difference of the student's own forward, along one random direction
    (dout and the direction drawn from ``rng``)."""
    params = {"x": x.copy(), "w": w.copy(), "b": b.copy()}
    out, cache = require_pair("linear_forward", linear_forward(params["x"].copy(), params["w"].copy(),
                                                               params["b"].copy()), "(out, cache)")
    dout = rng.standard_normal(np.shape(out))
    dx, dw, db = linear_backward(dout, cache)

    def f():
        return float(np.sum(dout * np.asarray(linear_forward(params["x"], params["w"], params["b"])[0])))

    result = directional_check(f, params, {"x": dx, "w": dw, "b": db}, rng=rng, threshold=GRAD_THRESHOLD,
                               five_point=False)
    if not result.passed:
        raise CheckFailure(f"linear_backward disagrees with finite differences of your own linear_forward: "
                           f"{result.message}")


# ----------------------------------------------------------------------------- softmax
def _softmax_nonfinite_message(context, scores, probs):
    bad_rows = ~np.all(np.isfinite(probs), axis=1)
    row_max = scores.max(axis=1)
    top = int(np.argmax(row_max))
    where = f"rows {', '.join(str(int(r)) for r in np.flatnonzero(bad_rows))} hold NaN or inf"
    if not bad_rows[top] and np.any(row_max[bad_rows] < row_max[top] - 700):
        return (f"{context}: {where}, the rows whose scores lie far below the LARGEST score of the whole "
                "array: subtract each row's own maximum (scores.max(axis=1, keepdims=True)), not one maximum "
                "for the whole array, whose exp underflows to 0 in the other rows.")
    return (f"{context}: {where}; scores reach {format_value(row_max.max())} and exp({format_value(row_max.max())}) "
            "overflows to inf (or every exp of a very negative row underflows to 0): subtract the maximum of "
            "each row before exp, a^(k) = exp(x^(k) - mu) / sum_j exp(x^(j) - mu), which leaves the result unchanged.")


def check_softmax_case(softmax, case):
    """Values (stable for very large or very negative scores), or (a SoftmaxPropertiesCase) the properties."""
    if isinstance(case, SoftmaxPropertiesCase):
        check_softmax_properties(softmax, case.scores)
        return
    scores = case.scores
    N, K = scores.shape
    context = (f"softmax on scores of shape ({N}, {K}) ranging from {format_value(scores.min())} "
               f"to {format_value(scores.max())}")
    dims = {"N": N, "K": K}
    scores_in = scores.copy()
    with np.errstate(all="ignore"):  # an overflow in the student's code is reported below, in words
        probs = softmax(scores_in)
    if not np.array_equal(scores_in, scores):
        raise CheckFailure(f"{context}: scores was modified in place (scores -= max?); work on a new array.")
    shaped = contract_diagnosis("the result", probs, (N, K), dims)
    if shaped is not None and shaped.kind == "nan":
        raise CheckFailure(_softmax_nonfinite_message(context, scores, np.asarray(probs, dtype=np.float64)))
    require_values(context, "the result", case.probs, probs, named(SOFTMAX, case.mistakes), dims, ("sample", "class"))


def check_softmax_properties(softmax, scores):
    """Reference-free: rows are probability distributions, and adding a constant to a row changes nothing."""
    N, K = scores.shape
    context = f"softmax on scores of shape ({N}, {K})"
    probs = require_array(f"{context}: the result", softmax(scores.copy()), (N, K))
    if np.any(probs < 0) or np.any(probs > 1) or misfit(probs.sum(axis=1), np.ones(N)) > 1e-12:
        raise CheckFailure(f"{context}: each row must be a probability distribution (entries in [0, 1] "
                           f"summing to 1), but the row sums are {np.round(probs.sum(axis=1), 6)}.")
    offsets = np.linspace(-40.0, 60.0, N).reshape(N, 1)
    moved = require_array(f"{context}: the result", softmax(scores + offsets), (N, K))
    if misfit(probs, moved) > 1e-10:
        raise CheckFailure(f"{context}: adding a constant to every score of a row changed the result, but "
                           "exp(x + c) / sum exp(x + c) = exp(x) / sum exp(x) for any constant c.")


# ----------------------------------------------------------------------------- the losses
def _loss_fd_agrees(loss_of, arg, grad):
    """A loss's gradient against the student's own loss along two random directions (4 loss calls).

    ``loss_of(a)`` is the loss at ``a`` (a copy of ``arg`` moved in place).
    """
    params = {"a": np.array(arg, dtype=np.float64, copy=True)}
    return own_fd_agrees(lambda: loss_of(params["a"]), params, {"a": grad})


def check_softmax_cross_entropy_case(softmax_cross_entropy, case):
    """The loss and dscores against the expected ones, dscores against finite differences of the student's loss."""
    scores, y, loss_e = case.scores, case.y, case.loss
    N, K = scores.shape
    context = (f"softmax_cross_entropy on scores of shape ({N}, {K}) = (N, K) ranging from "
               f"{format_value(scores.min())} to {format_value(scores.max())}")
    dims = {"N": N, "K": K}
    scores_in, y_in = scores.copy(), y.copy()
    with np.errstate(all="ignore"):
        result = softmax_cross_entropy(scores_in, y_in)
    if not (np.array_equal(scores_in, scores) and np.array_equal(y_in, y)):
        raise CheckFailure(f"{context}: scores or y was modified in place; work on new arrays.")
    loss, dscores = require_pair(context, result, "(loss, dscores)")
    if np.size(loss) == 1 and not np.isfinite(np.asarray(loss, dtype=np.float64)).all():
        raise CheckFailure(
            f"{context}: the loss is {float(np.asarray(loss).reshape(()))} but should be {format_value(loss_e)}. "
            "A probability that underflows to 0 has log -inf, and exp of a large score overflows: compute "
            "log p_y = (s_y - mu) - log sum_j exp(s_j - mu), with mu the row maximum, instead of log(softmax(s)).")
    require_scalar(context, "the loss", loss_e, loss, dims, named(SCE_LOSS, case.loss_mistakes))
    require_gradient(context, "dscores", case.dscores, dscores, dims,
                     candidates=named(SCE_DSCORES, case.dscores_mistakes))
    if case.fd and not _loss_fd_agrees(lambda s: softmax_cross_entropy(s, y)[0], scores, dscores):
        numerical = numerical_gradient(lambda s: softmax_cross_entropy(s, y)[0], scores.copy())
        require_fd_agreement(context, "dscores", numerical, dscores, "loss", dims)


def check_mse_loss_case(mse_loss, case):
    """The loss (1/(2N)) sum ||pred_i - target_i||^2 and dpred against the expected ones and finite differences."""
    pred, target = case.pred, case.target
    N, K = pred.shape
    context = f"mse_loss on pred of shape ({N}, {K}) = (N, K)"
    dims = {"N": N, "K": K}
    pred_in, target_in = pred.copy(), target.copy()
    result = mse_loss(pred_in, target_in)
    if not (np.array_equal(pred_in, pred) and np.array_equal(target_in, target)):
        raise CheckFailure(f"{context}: pred or target was modified in place; work on new arrays.")
    loss, dpred = require_pair(context, result, "(loss, dpred)")
    require_scalar(context, "the loss", case.loss, loss, dims, named(MSE_LOSS, case.loss_mistakes))
    require_gradient(context, "dpred", case.dpred, dpred, dims)
    if case.fd and not _loss_fd_agrees(lambda p: mse_loss(p, target)[0], pred, dpred):
        numerical = numerical_gradient(lambda p: mse_loss(p, target)[0], pred.copy())
        require_fd_agreement(context, "dpred", numerical, dpred, "loss", dims)
