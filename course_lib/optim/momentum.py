"""Momentum (heavy ball) gradient descent."""
import numpy as np

from course_lib.optim.base import Optimizer, check_hyperparameter


class Momentum(Optimizer):
    """Gradient descent with a velocity v that averages past gradients.

    Update (lecture 000, momentum; lecture 001 equations (14)-(15))::

        g     <- grad C(theta)
        v     <- alpha * v - eta * g
        theta <- theta + v

    with v = 0 before the first step. Lecture 000 calls the momentum
    parameter delta; it is ``alpha`` here (as in lectures 001 and 004)
    because delta is the numerical stabiliser of the adaptive methods.

    Parameters: ``eta`` > 0 (or a ``schedule``), ``alpha`` in [0, 1),
    ``clip_value``, ``clip_norm``. State: ``state["v"]``.
    """

    def __init__(self, eta=None, alpha=0.9, *, schedule=None, clip_value=None, clip_norm=None):
        self.alpha = check_hyperparameter("alpha", alpha, low=0, high=1)
        super().__init__(eta, schedule=schedule, clip_value=clip_value, clip_norm=clip_norm)

    def _init_state(self, theta):
        return {"v": np.zeros_like(theta)}

    def _update(self, theta, gradient, eta, i):
        g = gradient(theta)
        v = self.alpha * self.state["v"] - eta * g
        self.state["v"] = v
        return theta + v
