"""Nesterov momentum: the gradient is taken at the look-ahead point."""
import numpy as np

from course_lib.optim.base import Optimizer, check_hyperparameter


class Nesterov(Optimizer):
    """Momentum whose gradient is evaluated where the velocity alone would lead.

    Update (lecture 000, Nesterov momentum; lecture 003 writes the same with
    beta for alpha)::

        theta~ <- theta + alpha * v
        g      <- grad C(theta~)
        v      <- alpha * v - eta * g
        theta  <- theta + v

    with v = 0 before the first step. Lecture 004 writes the look-ahead as
    theta + v (no alpha); we follow lecture 000 and Sutskever et al. (2013),
    which scale it by alpha. The momentum parameter is delta in lecture 000
    and ``alpha`` here (delta is the stabiliser elsewhere).

    Parameters: ``eta`` > 0 (or a ``schedule``), ``alpha`` in [0, 1),
    ``clip_value``, ``clip_norm``. State: ``state["v"]``.
    """

    def __init__(self, eta=None, alpha=0.9, *, schedule=None, clip_value=None, clip_norm=None):
        self.alpha = check_hyperparameter("alpha", alpha, low=0, high=1)
        super().__init__(eta, schedule=schedule, clip_value=clip_value, clip_norm=clip_norm)

    def _init_state(self, theta):
        return {"v": np.zeros_like(theta)}

    def _update(self, theta, gradient, eta, i):
        v = self.state["v"]
        theta_ahead = theta + self.alpha * v
        g = gradient(theta_ahead)
        v = self.alpha * v - eta * g
        self.state["v"] = v
        return theta + v
