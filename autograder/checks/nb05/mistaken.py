"""The known mistakes of notebook 05, as code: the wrong update rules and schedules, and what they give.

Trusted, never shipped. Each wrong update rule is a subclass of course_lib's
reference with a replaced ``_update`` (``VARIANTS``; ``variant_class`` builds
it); each wrong schedule is a formula (``schedule_variants``). The keys are
those of the catalogue in words, course_lib/selfcheck/nb05/mistakes.py. The
hidden checks (fresh.py) and the stored values (stored.py) both take the
mistakes' paths and values from here, so the visible checks can name a
mistake without the release holding its code.
"""
import math

import numpy as np

from course_lib import optim
from course_lib.selfcheck.nb05.mistakes import MISTAKES

# ----------------------------------------------------------------------------- wrong update rules
# Each function replaces the reference's _update(self, theta, gradient, eta, i): ``gradient(point)``
# is the checked gradient, ``i`` the lecture's step number (1 first), state in self.state.


def _uphill_sgd(self, theta, gradient, eta, i):
    return theta + eta * gradient(theta)


def _momentum_rule(sign_alpha=1.0, sign_g=-1.0, damp=False, lagged=False, at=None):
    """Momentum-like update: v <- sign_alpha alpha v + sign_g c eta g(point), theta + v (or old v)."""

    def update(self, theta, gradient, eta, i):
        v = self.state["v"]
        point = theta if at is None else at(self, theta, v)
        c = (1 - self.alpha) if damp else 1.0
        new_v = sign_alpha * self.alpha * v + sign_g * c * eta * gradient(point)
        self.state["v"] = new_v
        return theta + (v if lagged else new_v)

    return update


def _momentum_buffer(self, theta, gradient, eta, i):
    """PyTorch's form: the buffer b <- alpha b + g sums raw gradients, theta <- theta - eta b."""
    b = self.alpha * self.state["v"] + gradient(theta)
    self.state["v"] = b
    return theta - eta * b


def _nesterov_returns_lookahead(self, theta, gradient, eta, i):
    v = self.state["v"]
    v = self.alpha * v - eta * gradient(theta + self.alpha * v)
    self.state["v"] = v
    return theta + v + self.alpha * v


def _simplified_rule(v_coef, g_coef, velocity_first=False):
    """Theta <- Theta + v_coef(alpha) v - g_coef(alpha) eta g, v <- alpha v - eta g (v first if asked)."""

    def update(self, Theta, gradient, eta, i):
        g = gradient(Theta)
        new_v = self.alpha * self.state["v"] - eta * g
        v = new_v if velocity_first else self.state["v"]
        self.state["v"] = new_v
        return Theta + v_coef(self.alpha) * v - g_coef(self.alpha) * eta * g

    return update


def _square(g):
    return g * g


def _norm_squared(g):
    """g @ g, one number for every parameter (the squared norm instead of the componentwise squares)."""
    return float(np.ravel(g) @ np.ravel(g))


def _adagrad_rule(denominator=lambda delta, r: delta + np.sqrt(r), old_r=False, accumulate=True, sign=-1.0,
                  square=_square):
    def update(self, theta, gradient, eta, i):
        g = gradient(theta)
        old = self.state["r"]
        r = old + square(g) if accumulate else square(g)
        self.state["r"] = r
        return theta + sign * (eta / denominator(self.delta, old if old_r else r)) * g

    return update


def _rmsprop_rule(denominator=lambda delta, r: np.sqrt(delta + r), weights=None, old_r=False, sign=-1.0,
                  square=_square):
    """weights(rho) -> (weight of the old r, weight of g * g); the lecture's is (rho, 1 - rho)."""
    weights = weights or (lambda rho: (rho, 1 - rho))

    def update(self, theta, gradient, eta, i):
        g = gradient(theta)
        keep, new = weights(self.rho)
        old = self.state["r"]
        r = keep * old + new * square(g)
        self.state["r"] = r
        return theta + sign * (eta / denominator(self.delta, old if old_r else r)) * g

    return update


def _rmsprop_nesterov_rule(lookahead=lambda alpha, v: alpha * v, denominator=lambda d, r: np.sqrt(d + r),
                           old_r=False, scaled_velocity=False, sign=-1.0):
    def update(self, theta, gradient, eta, i):
        v = self.state["v"]
        g = gradient(theta + lookahead(self.alpha, v))
        old = self.state["r"]
        r = self.rho * old + (1 - self.rho) * (g * g)
        scale = 1.0 / denominator(self.delta, old if old_r else r)
        self.state["r"] = r
        if scaled_velocity:
            v = self.alpha * v + sign * eta * g
            self.state["v"] = v
            return theta + scale * v
        v = self.alpha * v + sign * eta * scale * g
        self.state["v"] = v
        return theta + v

    return update


def _adadelta_rule(numerator_delta=True, s_of=lambda v, g: v, inverted=False, old_r=False,
                   eta_in_s=False, eta_used=True, sign=-1.0):
    def update(self, theta, gradient, eta, i):
        g = gradient(theta)
        old_r_value = self.state["r"]
        r = self.rho * old_r_value + (1 - self.rho) * (g * g)
        s = self.state["s"]
        top = np.sqrt(self.delta + s) if numerator_delta else np.sqrt(s)
        bottom = np.sqrt(self.delta + (old_r_value if old_r else r))
        v = sign * ((bottom / top) if inverted else (top / bottom)) * g
        moved = eta * v if eta_used else v
        x = s_of(moved if eta_in_s else v, g)
        self.state["s"] = self.rho * s + (1 - self.rho) * (x * x)
        self.state["r"] = r
        return theta + moved

    return update


def _adam_rule(correction1=lambda rho, i: 1 - rho ** i, correction2=lambda rho, i: 1 - rho ** i,
               delta_inside=False, paper=False, swapped=False, sign=-1.0, keep_corrected=False):
    def update(self, theta, gradient, eta, i):
        g = gradient(theta)
        rho1, rho2 = (self.rho2, self.rho1) if swapped else (self.rho1, self.rho2)
        s = rho1 * self.state["s"] + (1 - rho1) * g
        r = rho2 * self.state["r"] + (1 - rho2) * (g * g)
        self.state["s"], self.state["r"] = s, r
        if paper:
            step = eta * math.sqrt(1 - rho2 ** i) / (1 - rho1 ** i)
            return theta + sign * step * s / (np.sqrt(r) + self.delta)
        with np.errstate(divide="ignore", invalid="ignore"):
            s_hat = s / correction1(rho1, i)
            r_hat = r / correction2(rho2, i)
        if keep_corrected:  # the corrected moments written over the moving averages
            self.state["s"], self.state["r"] = s_hat, r_hat
        root = np.sqrt(self.delta + r_hat) if delta_inside else self.delta + np.sqrt(r_hat)
        return theta + sign * eta * s_hat / root

    return update


def _no_correction(rho, i):
    return 1.0


def _lookahead(self, theta, v):
    return theta + self.alpha * v


VARIANTS = {
    "SGD": {"uphill": _uphill_sgd},
    "Momentum": {
        "uphill": _momentum_rule(sign_g=1.0),
        "alpha_sign": _momentum_rule(sign_alpha=-1.0),
        "lagged": _momentum_rule(lagged=True),
        "dampened": _momentum_rule(damp=True),
        "buffer_form": _momentum_buffer,
    },
    "Nesterov": {
        "no_lookahead": _momentum_rule(),
        "lookahead_v": _momentum_rule(at=lambda self, theta, v: theta + v),
        "lookahead_minus": _momentum_rule(at=lambda self, theta, v: theta - self.alpha * v),
        "lookahead_alpha_squared": _momentum_rule(at=lambda self, theta, v: theta + self.alpha ** 2 * v),
        "returns_lookahead": _nesterov_returns_lookahead,
        "uphill": _momentum_rule(sign_g=1.0, at=_lookahead),
    },
    "NesterovSimplified": {
        "alpha_not_squared": _simplified_rule(lambda a: a, lambda a: 1 + a),
        "no_one_plus_alpha": _simplified_rule(lambda a: a * a, lambda a: 1.0),
        "velocity_first": _simplified_rule(lambda a: a * a, lambda a: 1 + a, velocity_first=True),
        "momentum": _simplified_rule(lambda a: a, lambda a: 1.0),
    },
    "AdaGrad": {
        "delta_inside": _adagrad_rule(denominator=lambda delta, r: np.sqrt(delta + r)),
        "no_sqrt": _adagrad_rule(denominator=lambda delta, r: delta + r),
        "old_r": _adagrad_rule(old_r=True),
        "no_accumulation": _adagrad_rule(accumulate=False),
        "norm_squared": _adagrad_rule(square=_norm_squared),
        "uphill": _adagrad_rule(sign=1.0),
    },
    "RMSProp": {
        "delta_outside": _rmsprop_rule(denominator=lambda delta, r: delta + np.sqrt(r)),
        "no_one_minus_rho": _rmsprop_rule(weights=lambda rho: (rho, 1.0)),
        "rho_swapped": _rmsprop_rule(weights=lambda rho: (1 - rho, rho)),
        "old_r": _rmsprop_rule(old_r=True),
        "no_sqrt": _rmsprop_rule(denominator=lambda delta, r: delta + r),
        "norm_squared": _rmsprop_rule(square=_norm_squared),
        "uphill": _rmsprop_rule(sign=1.0),
    },
    "RMSPropNesterov": {
        "no_lookahead": _rmsprop_nesterov_rule(lookahead=lambda alpha, v: 0.0 * v),
        "lookahead_v": _rmsprop_nesterov_rule(lookahead=lambda alpha, v: v),
        "delta_outside": _rmsprop_nesterov_rule(denominator=lambda delta, r: delta + np.sqrt(r)),
        "old_r": _rmsprop_nesterov_rule(old_r=True),
        "scaled_velocity": _rmsprop_nesterov_rule(scaled_velocity=True),
        "uphill": _rmsprop_nesterov_rule(sign=1.0),
    },
    "AdaDelta": {
        "no_delta_numerator": _adadelta_rule(numerator_delta=False),
        "s_of_gradients": _adadelta_rule(s_of=lambda v, g: g),
        "inverted": _adadelta_rule(inverted=True),
        "old_r": _adadelta_rule(old_r=True),
        "eta_in_s": _adadelta_rule(eta_in_s=True),
        "eta_ignored": _adadelta_rule(eta_used=False),
        "uphill": _adadelta_rule(sign=1.0),
    },
    "Adam": {
        "no_bias_correction": _adam_rule(_no_correction, _no_correction),
        "correction_without_power": _adam_rule(lambda rho, i: 1 - rho, lambda rho, i: 1 - rho),
        "power_late": _adam_rule(lambda rho, i: 1 - rho ** (i + 1), lambda rho, i: 1 - rho ** (i + 1)),
        "power_early": _adam_rule(lambda rho, i: 1 - rho ** (i - 1), lambda rho, i: 1 - rho ** (i - 1)),
        "delta_inside": _adam_rule(delta_inside=True),
        "paper_epsilon": _adam_rule(paper=True),
        "only_s_corrected": _adam_rule(correction2=_no_correction),
        "only_r_corrected": _adam_rule(correction1=_no_correction),
        "rhos_swapped": _adam_rule(swapped=True),
        "corrected_kept": _adam_rule(keep_corrected=True),
        "uphill": _adam_rule(sign=1.0),
    },
}


def _late_eta(self):
    """The schedule read one step late: schedule(t + 1) instead of schedule(t)."""
    return self.eta if self.schedule is None else float(self.schedule(self.t + 1))


def variant_class(name, key):
    """The reference class of ``name`` with mistake ``key`` built in (a course_lib.optim subclass)."""
    reference = getattr(optim, name)
    if key == "schedule_late":
        return type(f"{name}_{key}", (reference,), {"current_eta": _late_eta})
    return type(f"{name}_{key}", (reference,), {"_update": VARIANTS[name][key]})


def trusted_path(cls, kwargs, grad_fn, theta0, steps):
    """Path (steps + 1, d) of a course_lib-style optimizer, stopping like the checks' runner.

    After the first non-finite iterate (or a FloatingPointError, which course_lib's optimizers
    raise for a non-finite gradient) the remaining rows are NaN.
    """
    opt = cls(**kwargs)
    theta = np.array(theta0, dtype=np.float64)
    path = np.full((steps + 1, theta.size), np.nan)
    path[0] = theta
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            try:
                theta = np.asarray(opt.step(theta, grad_fn), dtype=np.float64)
            except FloatingPointError:
                break
            path[k] = theta
            if not np.all(np.isfinite(theta)):
                break
    return path


def case_paths(name, kwargs, grad_fn, theta0, steps):
    """(reference path, {mistake key: path}) for one case."""
    reference = trusted_path(getattr(optim, name), kwargs, grad_fn, theta0, steps)
    mistakes = {key: trusted_path(variant_class(name, key), kwargs, grad_fn, theta0, steps)
                for key in MISTAKES[name]}
    return reference, mistakes


# ----------------------------------------------------------------------------- schedules


def schedule_variants(fname, eta0, k, t):
    """Values of the usual wrong schedules: {key of SCHEDULE_MISTAKES[fname]: array}."""
    eta0, k, t = (np.asarray(a, dtype=np.float64) for a in (eta0, k, t))
    if fname == "inverse_decay":
        return {
            "late": eta0 / (1 + k * (t + 1)),
            "early": eta0 / (1 + k * (t - 1)),
            "exponential": eta0 * np.exp(-k * t),
            "power": eta0 / (1 + k) ** t,
            "precedence": eta0 + k * t,
            "times": eta0 * (1 + k * t),
            "no_t": eta0 / (1 + k),
        }
    return {
        "late": eta0 * np.exp(-k * (t + 1)),
        "early": eta0 * np.exp(-k * (t - 1)),
        "growth": eta0 * np.exp(k * t),
        "inverse": eta0 / (1 + k * t),
        "discrete": eta0 * (1 - k) ** t,
        "no_t": eta0 * np.exp(-k) + 0 * t,
    }
