"""RMSProp (Hinton, 2012): AdaGrad with an exponentially forgetting accumulator."""
import numpy as np

from course_lib.optim.base import Optimizer, check_hyperparameter


class RMSProp(Optimizer):
    """Scale each coordinate's step by a moving root-mean-square of its gradients.

    Update (lecture 000, RMSProp; componentwise)::

        g     <- grad C(theta)
        r     <- rho * r + (1 - rho) * g * g
        v     <- -(eta / sqrt(delta + r)) * g
        theta <- theta + v

    with r = 0 before the first step. Note the stabiliser sits *inside* the
    root here, sqrt(delta + r), unlike AdaGrad's delta + sqrt(r).

    Parameters: ``eta`` > 0 (or a ``schedule``), ``rho`` in [0, 1),
    ``delta`` > 0, ``clip_value``, ``clip_norm``. State: ``state["r"]``.
    """

    def __init__(self, eta=None, rho=0.9, delta=1e-6, *, schedule=None, clip_value=None,
                 clip_norm=None):
        self.rho = check_hyperparameter("rho", rho, low=0, high=1)
        self.delta = check_hyperparameter("delta", delta, low=0, low_open=True, high=None)
        super().__init__(eta, schedule=schedule, clip_value=clip_value, clip_norm=clip_norm)

    def _init_state(self, theta):
        return {"r": np.zeros_like(theta)}

    def _update(self, theta, gradient, eta, i):
        g = gradient(theta)
        r = self.rho * self.state["r"] + (1 - self.rho) * (g * g)
        v = -(eta / np.sqrt(self.delta + r)) * g
        self.state["r"] = r
        return theta + v
