"""Implementations of notebook 05's optimizers and schedules, for the tests of its self-check and hidden check.

course_lib's references, two independently written sets of classes (the configurable
``student(*bugs)``, which plants one named mistake at a time, and the valid ``alternative()``),
stubs, and the schedules with their typical mistakes.
"""
import math

import numpy as np

from course_lib import optim
from course_lib.selfcheck.nb05.cases import OPTIMIZERS
from course_lib.selfcheck.nb05.mistakes import MISTAKES

# ----------------------------------------------------------------------------- a student's classes


def student(*bugs):
    """{name: class}: the lecture's rules, standalone, with the named bugs switched on."""
    bugs = set(bugs)

    class Base:
        def _next_eta(self):
            if self.schedule is None:
                eta = self.eta
            else:
                eta = self.schedule(self.t + 1 if "schedule_late" in bugs else self.t)
            self.t += 1
            return eta

        def _done(self, theta, v):
            if "in_place" in bugs:
                theta += v
                return theta
            if "returns_list" in bugs:
                return list(theta + v)
            return theta + v

    class SGD(Base):
        def __init__(self, eta=None, *, schedule=None):
            self.eta, self.schedule, self.t = eta, schedule, 0

        def step(self, theta, grad_fn):
            eta = self._next_eta()
            g = grad_fn(theta)
            return self._done(theta, (1 if "uphill" in bugs else -1) * eta * g)

    class Momentum(Base):
        shared = {}

        def __init__(self, eta=None, alpha=0.5 if "wrong_default" in bugs else 0.9, *, schedule=None):
            self.eta, self.alpha, self.schedule, self.t = eta, alpha, schedule, 0
            self.state = Momentum.shared if "shared_state" in bugs else {}

        def step(self, theta, grad_fn):
            eta = self._next_eta()
            v = self.state.get("v", np.zeros_like(theta))
            g = grad_fn(theta)
            if "buffer_form" in bugs:  # PyTorch: b <- alpha b + g, theta <- theta - eta b
                self.state["v"] = self.alpha * v + g
                return self._done(theta, -eta * self.state["v"])
            a = -self.alpha if "alpha_sign" in bugs else self.alpha
            c = (1 - self.alpha) if "dampened" in bugs else 1.0
            new_v = a * v + (1 if "uphill" in bugs else -1) * c * eta * g
            self.state["v"] = new_v
            return self._done(theta, v if "lagged" in bugs else new_v)

    class Nesterov(Base):
        def __init__(self, eta=None, alpha=0.9, *, schedule=None):
            self.eta, self.alpha, self.schedule, self.t, self.v = eta, alpha, schedule, 0, None

        def step(self, theta, grad_fn):
            eta = self._next_eta()
            v = np.zeros_like(theta) if self.v is None else self.v
            if "no_lookahead" in bugs:
                ahead = theta
            elif "lookahead_v" in bugs:
                ahead = theta + v
            elif "lookahead_minus" in bugs:
                ahead = theta - self.alpha * v
            elif "lookahead_alpha_squared" in bugs:
                ahead = theta + self.alpha * (self.alpha * v)
            else:
                ahead = theta + self.alpha * v
            self.v = self.alpha * v + (1 if "uphill" in bugs else -1) * eta * grad_fn(ahead)
            new = theta + self.v
            return new + self.alpha * self.v if "returns_lookahead" in bugs else new

    class NesterovSimplified(Base):
        def __init__(self, eta=None, alpha=0.9, *, schedule=None):
            self.eta, self.alpha, self.schedule, self.t, self.v = eta, alpha, schedule, 0, None

        def step(self, Theta, grad_fn):
            eta = self._next_eta()
            v = np.zeros_like(Theta) if self.v is None else self.v
            g = grad_fn(Theta)
            new_v = self.alpha * v - eta * g
            if "velocity_first" in bugs:
                v = new_v
            a = self.alpha
            if "momentum" in bugs:
                move = a * v - eta * g
            else:
                move = (a if "alpha_not_squared" in bugs else a * a) * v \
                    - eta * (1.0 if "no_one_plus_alpha" in bugs else 1 + a) * g
            self.v = new_v
            return self._done(Theta, move)

    class AdaGrad(Base):
        def __init__(self, eta=None, delta=1e-7, *, schedule=None):
            self.eta, self.delta, self.schedule, self.t, self.r = eta, delta, schedule, 0, 0.0

        def step(self, theta, grad_fn):
            eta = self._next_eta()
            g = grad_fn(theta)
            old = self.r
            if "norm_squared" in bugs:
                self.r = self.r + g @ g
            else:
                self.r = g * g if "no_accumulation" in bugs else self.r + g * g
            r = old if "old_r" in bugs else self.r
            if "delta_inside" in bugs:
                denominator = np.sqrt(self.delta + r)
            elif "no_sqrt" in bugs:
                denominator = self.delta + r
            else:
                denominator = self.delta + np.sqrt(r)
            return self._done(theta, (1 if "uphill" in bugs else -1) * eta / denominator * g)

    class RMSProp(Base):
        def __init__(self, eta=None, rho=0.9, delta=1e-6, *, schedule=None):
            self.eta, self.rho, self.delta, self.schedule = eta, rho, delta, schedule
            self.t, self.r = 0, 0.0

        def step(self, theta, grad_fn):
            eta = self._next_eta()
            g = grad_fn(theta)
            old = self.r
            if "no_one_minus_rho" in bugs:
                self.r = self.rho * self.r + g * g
            elif "rho_swapped" in bugs:
                self.r = (1 - self.rho) * self.r + self.rho * g * g
            elif "norm_squared" in bugs:
                self.r = self.rho * self.r + (1 - self.rho) * (g @ g)
            else:
                self.r = self.rho * self.r + (1 - self.rho) * g * g
            r = old if "old_r" in bugs else self.r
            if "delta_outside" in bugs:
                denominator = self.delta + np.sqrt(r)
            elif "no_sqrt" in bugs:
                denominator = self.delta + r
            else:
                denominator = np.sqrt(self.delta + r)
            return self._done(theta, (1 if "uphill" in bugs else -1) * eta / denominator * g)

    class RMSPropNesterov(Base):
        def __init__(self, eta=None, alpha=0.9, rho=0.9, delta=1e-6, *, schedule=None):
            self.eta, self.alpha, self.rho, self.delta = eta, alpha, rho, delta
            self.schedule, self.t, self.v, self.r = schedule, 0, 0.0, 0.0

        def step(self, theta, grad_fn):
            eta = self._next_eta()
            if "no_lookahead" in bugs:
                g = grad_fn(theta)
            elif "lookahead_v" in bugs:
                g = grad_fn(theta + self.v)
            else:
                g = grad_fn(theta + self.alpha * self.v)
            old = self.r
            self.r = self.rho * self.r + (1 - self.rho) * g * g
            r = old if "old_r" in bugs else self.r
            root = self.delta + np.sqrt(r) if "delta_outside" in bugs else np.sqrt(self.delta + r)
            sign = 1 if "uphill" in bugs else -1
            if "scaled_velocity" in bugs:
                self.v = self.alpha * self.v + sign * eta * g
                return self._done(theta, self.v / root)
            self.v = self.alpha * self.v + sign * eta / root * g
            return self._done(theta, self.v)

    class AdaDelta(Base):
        def __init__(self, rho=0.95, delta=1e-6, eta=1.0, *, schedule=None):
            self.rho, self.delta, self.eta, self.schedule = rho, delta, eta, schedule
            self.t, self.r, self.s = 0, 0.0, 0.0

        def step(self, theta, grad_fn):
            eta = self._next_eta()
            g = grad_fn(theta)
            old = self.r
            self.r = self.rho * self.r + (1 - self.rho) * g * g
            r = old if "old_r" in bugs else self.r
            top = np.sqrt(self.s) if "no_delta_numerator" in bugs else np.sqrt(self.delta + self.s)
            ratio = np.sqrt(self.delta + r) / top if "inverted" in bugs else top / np.sqrt(self.delta + r)
            v = (1 if "uphill" in bugs else -1) * ratio * g
            moved = v if "eta_ignored" in bugs else eta * v
            squared = g if "s_of_gradients" in bugs else (moved if "eta_in_s" in bugs else v)
            self.s = self.rho * self.s + (1 - self.rho) * squared * squared
            return self._done(theta, moved)

    class Adam(Base):
        def __init__(self, eta=0.001, rho1=0.9, rho2=0.999, delta=1e-8, *, schedule=None):
            self.eta, self.rho1, self.rho2, self.delta = eta, rho1, rho2, delta
            self.schedule, self.t, self.s, self.r = schedule, 0, 0.0, 0.0

        def step(self, theta, grad_fn):
            eta = self._next_eta()
            i = self.t
            g = grad_fn(theta)
            rho1, rho2 = (self.rho2, self.rho1) if "rhos_swapped" in bugs else (self.rho1, self.rho2)
            self.s = rho1 * self.s + (1 - rho1) * g
            self.r = rho2 * self.r + (1 - rho2) * g * g
            if "paper_epsilon" in bugs:
                step = eta * math.sqrt(1 - rho2 ** i) / (1 - rho1 ** i)
                return self._done(theta, -step * self.s / (np.sqrt(self.r) + self.delta))
            power = {"power_late": i + 1, "power_early": i - 1}
            p = next((power[b] for b in power if b in bugs), i)
            c1, c2 = 1 - rho1 ** p, 1 - rho2 ** p
            if "no_bias_correction" in bugs:
                c1 = c2 = 1.0
            if "correction_without_power" in bugs:
                c1, c2 = 1 - rho1, 1 - rho2
            if "only_s_corrected" in bugs:
                c2 = 1.0
            if "only_r_corrected" in bugs:
                c1 = 1.0
            s_hat, r_hat = self.s / c1, self.r / c2
            if "corrected_kept" in bugs:
                self.s, self.r = s_hat, r_hat
            root = np.sqrt(self.delta + r_hat) if "delta_inside" in bugs else self.delta + np.sqrt(r_hat)
            return self._done(theta, (1 if "uphill" in bugs else -1) * eta * s_hat / root)

    if "missing_parameter" in bugs:
        class Adam(Adam):  # noqa: F811 -- rho2 renamed beta2
            def __init__(self, eta=0.001, rho1=0.9, beta2=0.999, delta=1e-8, *, schedule=None):
                super().__init__(eta, rho1, beta2, delta, schedule=schedule)

    return {"SGD": SGD, "Momentum": Momentum, "Nesterov": Nesterov, "NesterovSimplified": NesterovSimplified,
            "AdaGrad": AdaGrad, "RMSProp": RMSProp, "RMSPropNesterov": RMSPropNesterov,
            "AdaDelta": AdaDelta, "Adam": Adam}


def alternative():
    """{name: class}: valid rewrites, different arithmetic, same trajectories up to rounding."""

    def rate(opt):
        eta = opt.eta if opt.schedule is None else opt.schedule(opt.t)
        opt.t += 1
        return eta

    class SGD:
        def __init__(self, eta=None, *, schedule=None):
            self.eta, self.schedule, self.t = eta, schedule, 0

        def step(self, theta, grad_fn):
            out = np.empty_like(theta)
            eta, g = rate(self), grad_fn(theta.copy())
            for j in range(theta.size):
                out[j] = theta[j] - eta * g[j]
            return out

    class Momentum:
        """Keeps u = -v and subtracts it."""

        def __init__(self, eta=None, alpha=0.9, *, schedule=None):
            self.eta, self.alpha, self.schedule, self.t, self.u = eta, alpha, schedule, 0, None

        def step(self, theta, grad_fn):
            eta = rate(self)
            if self.u is None:
                self.u = np.zeros(theta.shape)
            self.u = self.alpha * self.u + eta * grad_fn(theta)
            return theta - self.u

    class Nesterov:
        def __init__(self, eta=None, alpha=0.9, *, schedule=None):
            self.eta, self.alpha, self.schedule, self.t, self.u = eta, alpha, schedule, 0, 0.0

        def step(self, theta, grad_fn):
            eta = rate(self)
            self.u = self.alpha * self.u + eta * grad_fn(theta - self.alpha * self.u)
            return theta - self.u

    class NesterovSimplified:
        """Runs classic Nesterov on theta = Theta - alpha v and hands back the look-ahead point."""

        def __init__(self, eta=None, alpha=0.9, *, schedule=None):
            self.eta, self.alpha, self.schedule, self.t, self.v = eta, alpha, schedule, 0, 0.0

        def step(self, Theta, grad_fn):
            eta = rate(self)
            theta = Theta - self.alpha * self.v
            self.v = self.alpha * self.v - eta * grad_fn(Theta)
            theta = theta + self.v
            return theta + self.alpha * self.v

    class AdaGrad:
        def __init__(self, eta=None, delta=1e-7, *, schedule=None):
            self.eta, self.delta, self.schedule, self.t, self.r = eta, delta, schedule, 0, None

        def step(self, theta, grad_fn):
            eta, g = rate(self), grad_fn(theta)
            self.r = np.square(g) if self.r is None else self.r + np.square(g)
            return theta - np.divide(eta * g, np.add(self.delta, np.sqrt(self.r)))

    class RMSProp:
        def __init__(self, eta=None, rho=0.9, delta=1e-6, *, schedule=None):
            self.eta, self.rho, self.delta, self.schedule, self.t, self.r = eta, rho, delta, schedule, 0, 0.0

        def step(self, theta, grad_fn):
            eta, g = rate(self), grad_fn(theta)
            self.r = self.r + (1 - self.rho) * (g ** 2 - self.r)   # rho r + (1 - rho) g^2, rearranged
            return theta - eta * g / (self.delta + self.r) ** 0.5

    class RMSPropNesterov:
        def __init__(self, eta=None, alpha=0.9, rho=0.9, delta=1e-6, *, schedule=None):
            self.eta, self.alpha, self.rho, self.delta = eta, alpha, rho, delta
            self.schedule, self.t, self.state = schedule, 0, {}

        def step(self, theta, grad_fn):
            eta = rate(self)
            v = self.state.get("v", np.zeros_like(theta))
            r = self.state.get("r", np.zeros_like(theta))
            g = grad_fn(theta + self.alpha * v)
            r = self.rho * r + (1 - self.rho) * g * g
            v = self.alpha * v - eta * g / np.sqrt(self.delta + r)
            self.state = {"v": v, "r": r}
            return theta + v

    class AdaDelta:
        def __init__(self, rho=0.95, delta=1e-6, eta=1.0, *, schedule=None):
            self.rho, self.delta, self.eta, self.schedule, self.t = rho, delta, eta, schedule, 0
            self.r = self.s = None

        def step(self, theta, grad_fn):
            eta, g = rate(self), grad_fn(theta)
            if self.r is None:
                self.r, self.s = np.zeros_like(theta), np.zeros_like(theta)
            self.r = self.rho * self.r + (1 - self.rho) * g * g
            v = -np.sqrt((self.delta + self.s) / (self.delta + self.r)) * g
            self.s = self.rho * self.s + (1 - self.rho) * v * v
            return theta + eta * v

    class Adam:
        def __init__(self, eta=0.001, rho1=0.9, rho2=0.999, delta=1e-8, *, schedule=None):
            self.eta, self.rho1, self.rho2, self.delta = eta, rho1, rho2, delta
            self.schedule, self.t, self.m = schedule, 0, None

        def step(self, theta, grad_fn):
            eta = rate(self)
            g = grad_fn(theta)
            if self.m is None:
                self.m = [[0.0, 0.0] for _ in range(theta.size)]
            out = theta.astype(np.float64)   # a copy
            for j in range(theta.size):
                s, r = self.m[j]
                s = self.rho1 * s + (1 - self.rho1) * g[j]
                r = self.rho2 * r + (1 - self.rho2) * g[j] ** 2
                self.m[j] = [s, r]
                r_hat = r / (1 - self.rho2 ** self.t)
                out[j] -= eta * (s / (1 - self.rho1 ** self.t)) / (self.delta + math.sqrt(r_hat))
            return out

    return {"SGD": SGD, "Momentum": Momentum, "Nesterov": Nesterov, "NesterovSimplified": NesterovSimplified,
            "AdaGrad": AdaGrad, "RMSProp": RMSProp, "RMSPropNesterov": RMSPropNesterov,
            "AdaDelta": AdaDelta, "Adam": Adam}


REFERENCES = {name: getattr(optim, name) for name in OPTIMIZERS}
VALID = {"reference": REFERENCES, "student": student(), "alternative": alternative()}

# (optimizer, bug of student(), key of MISTAKES[optimizer] the check must name)
NAMED_BUGS = [(name, key, key) for name in OPTIMIZERS for key in MISTAKES[name]]


def stub_class():
    class Stub:
        def __init__(self, eta=None, alpha=0.9, rho=0.9, rho1=0.9, rho2=0.999, delta=1e-8, *, schedule=None):
            raise NotImplementedError()

    return Stub


def half_stub_class():
    """A constructor that works and a step that is not written yet."""
    class HalfStub:
        def __init__(self, eta=None, alpha=0.9, rho=0.9, rho1=0.9, rho2=0.999, delta=1e-8, *, schedule=None):
            self.eta = eta

        def step(self, theta, grad_fn):
            raise NotImplementedError()

    return HalfStub


# ----------------------------------------------------------------------------- schedules


def valid_schedules():
    return {
        "reference": {"inverse_decay": optim.inverse_decay, "exponential_decay": optim.exponential_decay},
        "numpy": {"inverse_decay": lambda eta0, k, t: eta0 * np.reciprocal(1.0 + np.float64(k) * t),
                  "exponential_decay": lambda eta0, k, t: eta0 * np.exp(-k) ** t},
    }


SCHEDULE_BUGS = {
    "inverse_decay": {
        "late": lambda eta0, k, t: eta0 / (1 + k * (t + 1)),
        "early": lambda eta0, k, t: eta0 / (1 + k * (t - 1)),
        "exponential": lambda eta0, k, t: eta0 * math.exp(-k * t),
        "power": lambda eta0, k, t: eta0 / (1 + k) ** t,
        "precedence": lambda eta0, k, t: eta0 / 1 + k * t,
        "times": lambda eta0, k, t: eta0 * (1 + k * t),
        "no_t": lambda eta0, k, t: eta0 / (1 + k),
    },
    "exponential_decay": {
        "late": lambda eta0, k, t: eta0 * math.exp(-k * (t + 1)),
        "early": lambda eta0, k, t: eta0 * math.exp(-k * (t - 1)),
        "growth": lambda eta0, k, t: eta0 * math.exp(k * t),
        "inverse": lambda eta0, k, t: eta0 / (1 + k * t),
        "discrete": lambda eta0, k, t: eta0 * (1 - k) ** t,
        "no_t": lambda eta0, k, t: eta0 * math.exp(-k),
    },
}
SCHEDULE_CASES = [(fname, key) for fname, bugs in SCHEDULE_BUGS.items() for key in bugs]
