"""AdaGrad (Duchi et al., 2011): per-coordinate steps shrunk by all past squared gradients."""
import numpy as np

from course_lib.optim.base import Optimizer, check_hyperparameter


class AdaGrad(Optimizer):
    """Divide each coordinate's step by the root of its accumulated squared gradients.

    Update (lecture 000, AdaGrad; all operations componentwise)::

        g     <- grad C(theta)
        r     <- r + g * g
        v     <- -(eta / (delta + sqrt(r))) * g
        theta <- theta + v

    with r = 0 before the first step. The stabiliser sits outside the root,
    delta + sqrt(r), as in lectures 000 and 004 (lecture 003 writes
    sqrt(r + epsilon); we follow 000).

    Parameters: ``eta`` > 0 (or a ``schedule``), ``delta`` > 0,
    ``clip_value``, ``clip_norm``. State: ``state["r"]``.
    """

    def __init__(self, eta=None, delta=1e-7, *, schedule=None, clip_value=None, clip_norm=None):
        self.delta = check_hyperparameter("delta", delta, low=0, low_open=True, high=None)
        super().__init__(eta, schedule=schedule, clip_value=clip_value, clip_norm=clip_norm)

    def _init_state(self, theta):
        return {"r": np.zeros_like(theta)}

    def _update(self, theta, gradient, eta, i):
        g = gradient(theta)
        r = self.state["r"] + g * g
        v = -(eta / (self.delta + np.sqrt(r))) * g
        self.state["r"] = r
        return theta + v
