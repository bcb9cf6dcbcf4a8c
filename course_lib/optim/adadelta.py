"""AdaDelta (Zeiler, 2012): RMSProp whose step size comes from past updates."""
import numpy as np

from course_lib.optim.base import Optimizer, check_hyperparameter


class AdaDelta(Optimizer):
    """Scale each gradient by RMS(past updates) / RMS(past gradients); no step size needed.

    Update (lecture 000, AdaDelta; componentwise)::

        g     <- grad C(theta)
        r     <- rho * r + (1 - rho) * g * g
        v     <- -(sqrt(delta + s) / sqrt(delta + r)) * g
        s     <- rho * s + (1 - rho) * v * v
        theta <- theta + v

    with r = 0 and s = 0 before the first step.

    The lecture's AdaDelta has no learning rate. So that a schedule or a
    learning-rate sweep can be plugged in like for every other optimizer,
    ``eta`` (default 1.0) multiplies the step that moves theta:
    theta <- theta + eta * v, while s keeps accumulating the unscaled v
    (the convention of Zeiler's paper and PyTorch). With eta = 1, the
    default, this is exactly the lecture's algorithm.

    Parameters: ``rho`` in [0, 1), ``delta`` > 0, ``eta`` > 0 (or a
    ``schedule``), ``clip_value``, ``clip_norm``.
    State: ``state["r"]``, ``state["s"]``.
    """

    default_eta = 1.0

    def __init__(self, rho=0.95, delta=1e-6, eta=None, *, schedule=None, clip_value=None,
                 clip_norm=None):
        self.rho = check_hyperparameter("rho", rho, low=0, high=1)
        self.delta = check_hyperparameter("delta", delta, low=0, low_open=True, high=None)
        super().__init__(eta, schedule=schedule, clip_value=clip_value, clip_norm=clip_norm)

    def _init_state(self, theta):
        return {"r": np.zeros_like(theta), "s": np.zeros_like(theta)}

    def _update(self, theta, gradient, eta, i):
        g = gradient(theta)
        r = self.rho * self.state["r"] + (1 - self.rho) * (g * g)
        v = -(np.sqrt(self.delta + self.state["s"]) / np.sqrt(self.delta + r)) * g
        s = self.rho * self.state["s"] + (1 - self.rho) * (v * v)
        self.state["r"] = r
        self.state["s"] = s
        return theta + eta * v
