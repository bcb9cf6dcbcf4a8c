"""Adam (Kingma & Ba, 2014): RMSProp plus momentum, with bias-corrected moments."""
import numpy as np

from course_lib.optim.base import Optimizer, check_hyperparameter


class Adam(Optimizer):
    """Step along the bias-corrected mean gradient, scaled per coordinate by its RMS.

    Update at step i = 1, 2, ... (lecture 000, Adam; componentwise)::

        g     <- grad C(theta)
        s     <- rho1 * s + (1 - rho1) * g            (first moment)
        r     <- rho2 * r + (1 - rho2) * g * g        (second moment)
        s'    <- s / (1 - rho1^i)                     (bias corrections)
        r'    <- r / (1 - rho2^i)
        v     <- -eta * s' / (delta + sqrt(r'))
        theta <- theta + v

    with s = 0 and r = 0 before the first step. The moments start at zero
    and would be biased towards it; dividing by 1 - rho^i removes that bias,
    so the first step is -eta * g / (delta + |g|), about eta per coordinate.
    (Lecture 004 prints the correction as 1 - rho without the power i;
    lecture 000 and the paper use rho^i, which we follow.)

    Parameters: ``eta`` > 0 (default 0.001, or a ``schedule``), ``rho1`` and
    ``rho2`` in [0, 1), ``delta`` > 0, ``clip_value``, ``clip_norm``.
    State: ``state["s"]``, ``state["r"]``.
    """

    default_eta = 0.001

    def __init__(self, eta=None, rho1=0.9, rho2=0.999, delta=1e-8, *, schedule=None,
                 clip_value=None, clip_norm=None):
        self.rho1 = check_hyperparameter("rho1", rho1, low=0, high=1)
        self.rho2 = check_hyperparameter("rho2", rho2, low=0, high=1)
        self.delta = check_hyperparameter("delta", delta, low=0, low_open=True, high=None)
        super().__init__(eta, schedule=schedule, clip_value=clip_value, clip_norm=clip_norm)

    def _init_state(self, theta):
        return {"s": np.zeros_like(theta), "r": np.zeros_like(theta)}

    def _update(self, theta, gradient, eta, i):
        g = gradient(theta)
        s = self.rho1 * self.state["s"] + (1 - self.rho1) * g
        r = self.rho2 * self.state["r"] + (1 - self.rho2) * (g * g)
        s_hat = s / (1 - self.rho1 ** i)
        r_hat = r / (1 - self.rho2 ** i)
        v = -eta * s_hat / (self.delta + np.sqrt(r_hat))
        self.state["s"] = s
        self.state["r"] = r
        return theta + v
