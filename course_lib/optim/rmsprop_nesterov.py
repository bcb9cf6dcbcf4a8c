"""RMSProp combined with Nesterov momentum."""
import numpy as np

from course_lib.optim.base import Optimizer, check_hyperparameter


class RMSPropNesterov(Optimizer):
    """RMSProp scaling of a Nesterov (look-ahead) momentum step.

    Update (lecture 003, "RMSProp with Nesterov momentum", in lecture 000's
    notation: its beta is our alpha, its alpha our eta, its A our r)::

        theta~ <- theta + alpha * v
        g      <- grad C(theta~)
        r      <- rho * r + (1 - rho) * g * g
        v      <- alpha * v - (eta / sqrt(delta + r)) * g
        theta  <- theta + v

    with v = 0 and r = 0 before the first step. The accumulator r is fed the
    look-ahead gradient (lecture 003, equation (18)) and is updated before it
    scales the step, as in plain RMSProp; the stabiliser sits inside the
    root, sqrt(delta + r), as in lecture 000's RMSProp.

    Parameters: ``eta`` > 0 (or a ``schedule``), ``alpha`` in [0, 1),
    ``rho`` in [0, 1), ``delta`` > 0, ``clip_value``, ``clip_norm``.
    State: ``state["v"]``, ``state["r"]``.
    """

    def __init__(self, eta=None, alpha=0.9, rho=0.9, delta=1e-6, *, schedule=None,
                 clip_value=None, clip_norm=None):
        self.alpha = check_hyperparameter("alpha", alpha, low=0, high=1)
        self.rho = check_hyperparameter("rho", rho, low=0, high=1)
        self.delta = check_hyperparameter("delta", delta, low=0, low_open=True, high=None)
        super().__init__(eta, schedule=schedule, clip_value=clip_value, clip_norm=clip_norm)

    def _init_state(self, theta):
        return {"v": np.zeros_like(theta), "r": np.zeros_like(theta)}

    def _update(self, theta, gradient, eta, i):
        v = self.state["v"]
        theta_ahead = theta + self.alpha * v
        g = gradient(theta_ahead)
        r = self.rho * self.state["r"] + (1 - self.rho) * (g * g)
        v = self.alpha * v - (eta / np.sqrt(self.delta + r)) * g
        self.state["r"] = r
        self.state["v"] = v
        return theta + v
