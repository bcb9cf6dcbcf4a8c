"""Simplified Nesterov momentum (Bengio et al., 2012): update the look-ahead point."""
import numpy as np

from course_lib.optim.base import Optimizer, check_hyperparameter


class NesterovSimplified(Optimizer):
    """Nesterov momentum written on the look-ahead variable Theta = theta + alpha v.

    Classic Nesterov (see `Nesterov`) needs the gradient at theta + alpha v,
    a point the network's parameters never hold, which does not fit a plain
    forward/backward pass. Bengio et al. change variable to
    ``Theta = theta + alpha * v`` and store Theta in the network instead, so
    every gradient is taken at the parameters themselves. Update (lecture
    000, simplified Nesterov momentum)::

        (before the first step)  Theta <- theta,  v <- 0
        g     <- grad C(Theta)
        Theta <- Theta + alpha^2 * v - eta * (1 + alpha) * g
        v     <- alpha * v - eta * g

    Relation to the classic sequence. Started from the same theta_0 with the
    same hyperparameters, ``Theta_k = theta_k + alpha * v_k`` after every
    step k, where theta_k, v_k are classic Nesterov's iterates, and both
    methods evaluate the gradient at the same points. Proof by one step:
    Theta_{k+1} = theta_{k+1} + alpha v_{k+1} = theta_k + (1 + alpha) v_{k+1}
    = Theta_k + alpha^2 v_k - eta (1 + alpha) g_k. So ``theta = Theta -
    alpha * v`` recovers the classic iterate (`classic_theta`), and when the
    velocity vanishes at the optimum the two coincide.

    ``step(Theta, grad_fn)`` takes and returns Theta. Parameters: ``eta`` > 0
    (or a ``schedule``), ``alpha`` in [0, 1), ``clip_value``, ``clip_norm``.
    State: ``state["v"]`` (the same velocity as classic Nesterov's).
    """

    def __init__(self, eta=None, alpha=0.9, *, schedule=None, clip_value=None, clip_norm=None):
        self.alpha = check_hyperparameter("alpha", alpha, low=0, high=1)
        super().__init__(eta, schedule=schedule, clip_value=clip_value, clip_norm=clip_norm)

    def _init_state(self, theta):
        return {"v": np.zeros_like(theta)}

    def _update(self, Theta, gradient, eta, i):
        v = self.state["v"]
        g = gradient(Theta)
        new_Theta = Theta + self.alpha ** 2 * v - eta * (1 + self.alpha) * g
        self.state["v"] = self.alpha * v - eta * g
        return new_Theta

    def classic_theta(self, Theta):
        """The classic Nesterov iterate theta = Theta - alpha * v for the current velocity."""
        v = self.state.get("v", 0.0)
        return np.asarray(Theta, dtype=np.float64) - self.alpha * v
