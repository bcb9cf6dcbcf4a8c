"""Checks of the elementwise modules: the five activations and the cosine module (lecture 003).

A module's forward gives (out, cache); its backward gives dx = h'(x) * dout
(and, for a = cos(theta x) + pi, also dtheta = sum of -x sin(theta x) dout,
one number since theta is shared by every entry). Each case checks the
forward's values, the backward against the expected gradient and against
finite differences of the student's own forward, and the contract: inputs
untouched, shapes, a backward linear in dout.
"""
import numpy as np

from course_lib.gradcheck import numerical_gradient_array
from course_lib.gradcheck.naming import describe_index, describe_shape, format_value
from course_lib.selfcheck.common import (
    call_backward,
    call_forward,
    describe,
    misfit,
    own_fd_agrees,
    require_array,
    require_fd_agreement,
    require_gradient,
    require_values,
)
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb01.mistakes import BACKWARD, BACKWARD_ANY, COS_DTHETA, COS_DX, COS_OUT, FORWARD, named

IN_PLACE_FIX = "compute the output in a new array (np.maximum(x, 0.0) rather than x[x < 0] = 0)."
"""What to do instead of changing x in place. The forwards get x itself (copy=False), so a cache may keep it."""

OVERFLOW_HINTS = {
    "softplus": "exp(x) overflows for x > 709. Compute ln(1 + e^x) as max(x, 0) + log1p(exp(-|x|)), "
                "which only exponentiates numbers <= 0.",
    "sigmoid": "use exp(-|x|), which never overflows: 1 / (1 + e^-|x|) for x >= 0 and "
               "e^-|x| / (1 + e^-|x|) for x < 0.",
    "tanh": "exp(|x|) overflows for |x| > 709, and (e^x - e^-x) / (e^x + e^-x) becomes inf / inf = nan. Use "
            "np.tanh(x), or a form that only exponentiates numbers <= 0: sign(x) (1 - e^-2|x|) / (1 + e^-2|x|).",
}


def check_elementwise_case(forward, backward, case):
    """Forward values, backward vs the expected dx and vs finite differences of the student's forward.

    Also the contract: inputs untouched, shapes, backward linear in dout.
    ``case.fd`` False skips the finite differences (inputs too large for them).
    """
    op, x, dout, params = case.op, case.x, case.dout, case.params
    fname, bname = f"{op}_forward", f"{op}_backward"
    extra = f", alpha = {params[0]:g}" if params else ""
    if op == "leaky_relu" and not params:
        extra = ", alpha not passed (its default is 0.01)"
    context = f"x of shape {describe_shape(x.shape)}{extra}"
    out, cache = call_forward(fname, forward, [x], ("x",), IN_PLACE_FIX, params=params, copy=False)
    if op in OVERFLOW_HINTS and np.shape(out) == x.shape and not np.all(np.isfinite(np.asarray(out, dtype=float))):
        worst = tuple(int(i) for i in np.argwhere(~np.isfinite(np.asarray(out, dtype=float)))[0])
        raise CheckFailure(
            f"{fname}, {context}: out is not finite at {describe_index(worst)} (x = {format_value(x[worst])}); "
            f"{OVERFLOW_HINTS[op]}"
        )
    require_values(f"{fname}, {context}", "out", case.out, out, named(FORWARD[op], case.forward_mistakes), x=x)
    dx = call_backward(bname, backward, dout, cache)
    dx = require_array(f"{bname}, {context}: dx", dx, x.shape)
    mistakes = named({**BACKWARD[op], **BACKWARD_ANY}, case.backward_mistakes)
    require_gradient(f"{bname}, {context}", "dx", case.dx, dx, candidates=mistakes, named_first=True)
    if case.fd and not _own_fd_agrees(forward, {"x": x}, params, dout, {"x": dx}):
        # the forward is right by now, so a disagreement can only come from the backward
        numerical = numerical_gradient_array(lambda z: forward(z, *params)[0], x.copy(), dout)
        require_fd_agreement(f"{bname}, {context}", "dx", numerical, dx, fname, candidates=mistakes)
    doubled = require_array(f"{bname}, {context}: dx for 2 * dout", backward(2.0 * dout, cache), x.shape)
    if misfit(2.0 * dx, doubled) > 1e-12:
        raise CheckFailure(
            f"{bname}, {context}: doubling dout did not double dx; the backward must be linear in dout "
            "(dx = h'(x) * dout) and must not change the cache."
        )


def _own_fd_agrees(forward, inputs, params, dout, grads):
    """The backward against the student's own forward along two random directions (own_fd_agrees, 4 forwards).

    ``inputs`` maps the forward's leading arguments to their values (copied, then moved); a
    0-d one (theta) is passed as a float. ``params`` are the trailing arguments (alpha).
    """
    moved = {name: np.array(value, dtype=np.float64, copy=True) for name, value in inputs.items()}

    def loss():
        args = [float(v) if v.ndim == 0 else v for v in moved.values()]
        return float(np.sum(dout * np.asarray(forward(*args, *params)[0], dtype=np.float64)))

    return own_fd_agrees(loss, moved, grads)


def check_cos_module_case(forward, backward, case):
    """a = cos(theta x) + pi: values, dx, dtheta (one number), and finite differences in x and theta."""
    x, theta, dout = case.x, case.theta, case.dout
    context = f"x of shape {describe_shape(x.shape)}, theta = {theta:g}"
    out, cache = call_forward("cos_module_forward", forward, [x], ("x",), IN_PLACE_FIX, params=(theta,), copy=False)
    require_values(f"cos_module_forward, {context}", "out", case.out, out, named(COS_OUT, case.out_mistakes), x=x)
    dx, dtheta = call_backward("cos_module_backward", backward, dout, cache, n_grads=2)
    dx = require_array(f"cos_module_backward, {context}: dx", dx, x.shape)
    bname = f"cos_module_backward, {context}"
    if np.ndim(dtheta) != 0:
        hint = ""
        if np.shape(dtheta) == x.shape:
            hint = (" It has the shape of x: theta is ONE number used by every entry, so its gradient is the "
                    "SUM over all entries of -x sin(theta x) dout (shared weights add up).")
        raise CheckFailure(f"{bname}: dtheta must be a single number, got {describe(dtheta)}.{hint}")
    dtheta = float(require_array(f"{bname}: dtheta", dtheta, ()))
    require_gradient(bname, "dx", case.dx, dx, candidates=named(COS_DX, case.dx_mistakes), named_first=True)
    require_gradient(bname, "dtheta", np.array(case.dtheta), np.array(dtheta),
                     candidates=named(COS_DTHETA, case.dtheta_mistakes), named_first=True)
    # The forward is right by now: finite differences of it must agree with the backward.
    if _own_fd_agrees(forward, {"x": x, "theta": np.array(theta, dtype=np.float64)}, (), dout,
                      {"x": dx, "theta": np.array(dtheta)}):
        return
    numerical_dx = numerical_gradient_array(lambda z: forward(z, theta)[0], x.copy(), dout)
    numerical_dtheta = numerical_gradient_array(lambda t: forward(x.copy(), float(t))[0], np.array(theta), dout)
    for label, numerical, mine in (("dx", numerical_dx, dx), ("dtheta", numerical_dtheta, np.array(dtheta))):
        require_fd_agreement(bname, label, numerical, mine, "cos_module_forward")
