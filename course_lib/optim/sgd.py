"""Plain (mini-batch) stochastic gradient descent."""
from course_lib.optim.base import Optimizer


class SGD(Optimizer):
    """Gradient descent with step size eta.

    Update (lecture 004, SGD)::

        g     <- grad C(theta)
        theta <- theta - eta * g

    Parameters: ``eta`` > 0 (or a ``schedule``), ``clip_value``, ``clip_norm``
    as in `Optimizer`. No state besides the step count.
    """

    def __init__(self, eta=None, *, schedule=None, clip_value=None, clip_norm=None):
        super().__init__(eta, schedule=schedule, clip_value=clip_value, clip_norm=clip_norm)

    def _update(self, theta, gradient, eta, i):
        g = gradient(theta)
        return theta - eta * g
