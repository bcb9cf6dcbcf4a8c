"""Notebook 05 (optimizers): valid alternatives and typical mistakes, as answer cells.

The hidden checks compare every iterate with the lecture's update to 1e-9,
so an alternative must compute the same numbers, up to rounding.
"""
from autograder.demo.answer_cells import Mistake, Variant

ALTERNATIVES = [
    Variant("exponential_decay", "math.exp of a float", """\
import math


def exponential_decay(eta0, k, t):
    return float(eta0) / math.exp(float(k) * float(t))
"""),
    Variant("inverse_decay", "written as a reciprocal", """\
def inverse_decay(eta0, k, t):
    return eta0 * (1.0 + k * t) ** -1
"""),
    Variant("Momentum", "the velocity re-summed from the history of past steps", """\
class Momentum:
    def __init__(self, eta=None, alpha=0.9, *, schedule=None):
        self.eta, self.alpha, self.schedule = eta, alpha, schedule
        self.pushes = []            # eta_t * g_t of every step so far

    def step(self, theta, grad_fn):
        t = len(self.pushes)
        eta = self.schedule(t) if self.schedule is not None else self.eta
        self.pushes.append(eta * grad_fn(theta))
        # v_t = -sum_k alpha^(t-k) eta_k g_k: the recursion v <- alpha v - eta g unrolled
        v = np.zeros_like(theta)
        for push in self.pushes:
            v = self.alpha * v - push
        return theta + v
"""),
    Variant("NesterovSimplified", "derived from Nesterov: keep theta and v, return theta + alpha v", """\
class NesterovSimplified:
    def __init__(self, eta=None, alpha=0.9, *, schedule=None):
        self.eta, self.alpha, self.schedule = eta, alpha, schedule
        self.t = 0
        self.v = 0.0

    def step(self, Theta, grad_fn):
        eta = self.eta if self.schedule is None else self.schedule(self.t)
        self.t += 1
        theta = Theta - self.alpha * self.v          # the parameters behind the look-ahead variable
        self.v = self.alpha * self.v - eta * grad_fn(Theta)
        return (theta + self.v) + self.alpha * self.v
"""),
    Variant("AdaGrad", "r re-summed from the list of squared gradients", """\
class AdaGrad:
    def __init__(self, eta=None, delta=1e-7, *, schedule=None):
        self.eta, self.delta, self.schedule = eta, delta, schedule
        self.squares = []

    def step(self, theta, grad_fn):
        eta = self.eta if self.schedule is None else self.schedule(len(self.squares))
        g = grad_fn(theta)
        self.squares.append(g * g)
        r = np.sum(self.squares, axis=0)
        return theta - eta * g / (self.delta + np.sqrt(r))
"""),
    Variant("RMSProp", "r updated in place on the optimizer's own array", """\
class RMSProp:
    def __init__(self, eta=None, rho=0.9, delta=1e-6, *, schedule=None):
        self.eta, self.rho, self.delta, self.schedule = eta, rho, delta, schedule
        self.t, self.r = 0, None

    def step(self, theta, grad_fn):
        eta = self.eta if self.schedule is None else self.schedule(self.t)
        self.t += 1
        g = grad_fn(theta)
        if self.r is None:
            self.r = np.zeros(np.shape(theta))
        self.r *= self.rho
        self.r += (1.0 - self.rho) * np.square(g)
        return theta - eta / np.sqrt(self.delta + self.r) * g
"""),
    Variant("Adam", "bias correction folded into the step size and the stabiliser", """\
class Adam:
    def __init__(self, eta=0.001, rho1=0.9, rho2=0.999, delta=1e-8, *, schedule=None):
        self.eta, self.rho1, self.rho2, self.delta, self.schedule = eta, rho1, rho2, delta, schedule
        self.i, self.s, self.r = 0, 0.0, 0.0

    def step(self, theta, grad_fn):
        eta = self.eta if self.schedule is None else self.schedule(self.i)
        self.i += 1
        g = grad_fn(theta)
        self.s = self.rho1 * self.s + (1 - self.rho1) * g
        self.r = self.rho2 * self.r + (1 - self.rho2) * g * g
        # s' / (delta + sqrt(r')) = c s / (delta c2 + sqrt(r)) with c = c2 / (1 - rho1^i), c2 = sqrt(1 - rho2^i)
        c2 = np.sqrt(1 - self.rho2 ** self.i)
        step_size = eta * c2 / (1 - self.rho1 ** self.i)
        return theta - step_size * self.s / (self.delta * c2 + np.sqrt(self.r))
"""),
]

MISTAKES = [
    Mistake("Adam", "forgotten bias correction", """\
class Adam:
    def __init__(self, eta=0.001, rho1=0.9, rho2=0.999, delta=1e-8, *, schedule=None):
        self.eta, self.rho1, self.rho2, self.delta, self.schedule = eta, rho1, rho2, delta, schedule
        self.t, self.s, self.r = 0, None, None

    def step(self, theta, grad_fn):
        eta = self.eta if self.schedule is None else self.schedule(self.t)
        self.t += 1
        if self.s is None:
            self.s, self.r = np.zeros_like(theta), np.zeros_like(theta)
        g = grad_fn(theta)
        self.s = self.rho1 * self.s + (1 - self.rho1) * g
        self.r = self.rho2 * self.r + (1 - self.rho2) * g * g
        return theta - eta * self.s / (self.delta + np.sqrt(self.r))
""", "without bias correction"),
    Mistake("Momentum", "theta moved with the old velocity", """\
class Momentum:
    def __init__(self, eta=None, alpha=0.9, *, schedule=None):
        self.eta, self.alpha, self.schedule = eta, alpha, schedule
        self.t, self.v = 0, None

    def step(self, theta, grad_fn):
        eta = self.eta if self.schedule is None else self.schedule(self.t)
        self.t += 1
        if self.v is None:
            self.v = np.zeros_like(theta)
        new_theta = theta + self.v
        self.v = self.alpha * self.v - eta * grad_fn(theta)
        return new_theta
""", "theta is moved with the OLD velocity"),
    Mistake("Nesterov", "the gradient taken at theta (no look-ahead)", """\
class Nesterov:
    def __init__(self, eta=None, alpha=0.9, *, schedule=None):
        self.eta, self.alpha, self.schedule = eta, alpha, schedule
        self.t, self.v = 0, None

    def step(self, theta, grad_fn):
        eta = self.eta if self.schedule is None else self.schedule(self.t)
        self.t += 1
        if self.v is None:
            self.v = np.zeros_like(theta)
        self.v = self.alpha * self.v - eta * grad_fn(theta)
        return theta + self.v
""", "which is plain momentum"),
    Mistake("AdaGrad", "delta inside the square root", """\
class AdaGrad:
    def __init__(self, eta=None, delta=1e-7, *, schedule=None):
        self.eta, self.delta, self.schedule = eta, delta, schedule
        self.t, self.r = 0, None

    def step(self, theta, grad_fn):
        eta = self.eta if self.schedule is None else self.schedule(self.t)
        self.t += 1
        if self.r is None:
            self.r = np.zeros_like(theta)
        g = grad_fn(theta)
        self.r = self.r + g * g
        return theta - eta / np.sqrt(self.delta + self.r) * g
""", "inside the square root"),
    Mistake("RMSProp", "the new square not weighted by 1 - rho", """\
class RMSProp:
    def __init__(self, eta=None, rho=0.9, delta=1e-6, *, schedule=None):
        self.eta, self.rho, self.delta, self.schedule = eta, rho, delta, schedule
        self.t, self.r = 0, None

    def step(self, theta, grad_fn):
        eta = self.eta if self.schedule is None else self.schedule(self.t)
        self.t += 1
        if self.r is None:
            self.r = np.zeros_like(theta)
        g = grad_fn(theta)
        self.r = self.rho * self.r + g * g
        return theta - eta / np.sqrt(self.delta + self.r) * g
""", "the new square is weighted by (1 - rho)"),
    Mistake("exponential_decay", "(1 - k)^t instead of exp(-k t)", """\
def exponential_decay(eta0, k, t):
    return eta0 * (1 - k) ** t
""", "close for small k"),
]
