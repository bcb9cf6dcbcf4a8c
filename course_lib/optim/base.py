"""The `Optimizer` base class every first-order method of notebook 05 builds on.

An optimizer turns the current parameters theta and a way to get gradients
into new parameters::

    theta = optimizer.step(theta, grad_fn)

``grad_fn(point)`` returns the gradient of the cost at *any* point, not only
at theta, because Nesterov-style methods evaluate it at a look-ahead point.
``step`` never changes the array it is given; it returns a new float64 array
of the same shape.

What the base class does for every method, so a subclass only writes the
lecture's update lines:
  * keeps the step count ``t`` (updates made so far) and a ``state`` dict of
    arrays (velocity ``v``, accumulators ``r``, ``s``), created as zeros on
    the first step, cleared by ``reset()``;
  * gives the learning rate of each step: the constant ``eta``, or
    ``schedule(t)`` when a schedule is given (``t`` = 0 on the first step, so
    a decayed rate starts at eta0 like the lecture's eta_0);
  * clips every gradient it evaluates when ``clip_value`` / ``clip_norm`` are
    set (value clipping first, then norm clipping, using course_lib.clipping);
  * refuses a non-finite gradient with a FloatingPointError that names the
    step and the learning rate, before theta or the state are touched.

A note on names. Lecture 000 writes delta for three different things: the
numerical stabiliser, the momentum parameter and the decay factor of a
schedule. Here ``delta`` is only the stabiliser; the momentum parameter is
``alpha`` as in lectures 001 and 004, and the decay factor of a schedule is
``k`` as in lecture 003.
"""
import math
import numbers

import numpy as np

from course_lib.clipping import clip_by_norm, clip_by_value
from course_lib.validation import ShapeError, as_float_array


def check_hyperparameter(name, value, low=None, high=None, low_open=False, high_open=True):
    """Return ``value`` as a float after checking it is a real number in a range.

    ``low``/``high`` are the bounds (None = unbounded); ``low_open``/``high_open``
    say whether that bound itself is excluded. The error names the argument,
    the range and what arrived, e.g. ``alpha must be in [0, 1), got 1.2``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} of type {type(value).__name__}.")
    value = float(value)
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    interval = f"{left}{lo}, {hi}{right}"
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number in {interval}, got {value}.")
    too_low = low is not None and (value < low or (low_open and value == low))
    too_high = high is not None and (value > high or (high_open and value == high))
    if too_low or too_high:
        raise ValueError(f"{name} must be in {interval}, got {value:g}.")
    return value


class Optimizer:
    """Base class: step count, state, learning rate or schedule, clipping, checks.

    Parameters
    ----------
    eta : float > 0 or None
        Constant learning rate (step size). None means "use the schedule",
        or the class's ``default_eta`` when there is no schedule.
    schedule : callable t -> eta_t, optional
        Learning rate of the step made after ``t`` updates (t = 0, 1, 2, ...),
        e.g. ``functools.partial(inverse_decay, 0.1, 0.01)``. Give either
        ``eta`` or ``schedule``, not both.
    clip_value : float > 0, optional
        Clip every gradient entry to [-clip_value, clip_value].
    clip_norm : float > 0, optional
        Rescale every gradient whose L2 norm exceeds clip_norm to that norm.

    Subclasses set ``default_eta``, create their state arrays in
    ``_init_state(theta)`` and write the lecture's update in
    ``_update(theta, gradient, eta, i)``, where ``gradient(point)`` gives the
    checked and clipped gradient and ``i`` is the lecture's step index
    (1 on the first step).
    """

    default_eta = None

    def __init__(self, eta=None, *, schedule=None, clip_value=None, clip_norm=None):
        name = type(self).__name__
        if schedule is not None and eta is not None:
            raise ValueError(
                f"{name}: pass either eta (a constant learning rate) or schedule (a callable "
                "t -> eta_t), not both; the schedule gives the learning rate of every step."
            )
        if schedule is not None and not callable(schedule):
            raise TypeError(
                f"schedule must be a callable t -> eta_t such as "
                f"functools.partial(inverse_decay, eta0, k), got {schedule!r}."
            )
        if eta is None and schedule is None:
            eta = self.default_eta
            if eta is None:
                raise ValueError(
                    f"{name} needs a learning rate: pass eta=0.1 for a constant rate or "
                    "schedule=functools.partial(inverse_decay, 0.1, 0.01) for a decaying one."
                )
        self.eta = None if eta is None else check_hyperparameter("eta", eta, low=0, low_open=True, high=None)
        self.schedule = schedule
        self.clip_value = None if clip_value is None else check_hyperparameter(
            "clip_value", clip_value, low=0, low_open=True, high=None)
        self.clip_norm = None if clip_norm is None else check_hyperparameter(
            "clip_norm", clip_norm, low=0, low_open=True, high=None)
        self.reset()

    def reset(self):
        """Forget everything learnt from past steps: t = 0 and no state arrays."""
        self.t = 0
        self.state = {}

    def current_eta(self):
        """Learning rate the next step will use: schedule(t) or the constant eta."""
        if self.schedule is None:
            return self.eta
        eta = self.schedule(self.t)
        try:
            return check_hyperparameter(f"schedule({self.t})", eta, low=0, low_open=True, high=None)
        except (TypeError, ValueError) as err:
            raise ValueError(f"the learning-rate schedule returned a bad value: {err}") from None

    def step(self, theta, grad_fn):
        """Make one update and return the new parameters (a new float64 array).

        theta : float array of any shape; it is not modified.
        grad_fn : callable point -> gradient with point's shape.
        """
        theta = np.array(as_float_array("theta", theta), dtype=np.float64)
        if not callable(grad_fn):
            raise TypeError(f"grad_fn must be a callable point -> gradient, got {grad_fn!r}.")
        if not self.state:
            self.state = self._init_state(theta)
        else:
            some_state = next(iter(self.state.values()))
            if some_state.shape != theta.shape:
                raise ShapeError(
                    f"theta has shape {theta.shape} but the optimizer's state was built for "
                    f"shape {some_state.shape}; call reset() before optimising other parameters."
                )
        i = self.t + 1
        eta = self.current_eta()

        def gradient(point):
            return self._checked_gradient(grad_fn, point, i, eta)

        new_theta = self._update(theta, gradient, eta, i)
        self.t = i
        return new_theta

    def _checked_gradient(self, grad_fn, point, i, eta):
        """grad_fn(point) as float64, shape-checked, finite, then clipped."""
        g = np.array(grad_fn(point.copy()), dtype=np.float64)
        if g.shape != point.shape:
            raise ShapeError(
                f"grad_fn returned a gradient of shape {g.shape} for parameters of shape "
                f"{point.shape}; it must return one partial derivative per parameter."
            )
        if not np.all(np.isfinite(g)):
            bad = int(np.size(g) - np.count_nonzero(np.isfinite(g)))
            raise FloatingPointError(
                f"{type(self).__name__}: the gradient has {bad} non-finite entries (NaN or inf) at "
                f"step {i} with learning rate eta={eta:g}; the iterates have probably diverged: "
                "lower eta, or clip gradients with clip_norm=... / clip_value=..."
            )
        if self.clip_value is not None:
            g = clip_by_value([g], self.clip_value)[0]
        if self.clip_norm is not None:
            g = clip_by_norm([g], self.clip_norm)[0]
        return g

    def _init_state(self, theta):
        """State arrays keyed by the lecture's names, all zeros of theta's shape."""
        return {}

    def _update(self, theta, gradient, eta, i):
        raise NotImplementedError(f"{type(self).__name__} must implement _update")

    def __repr__(self):
        fields = {k: v for k, v in vars(self).items() if k not in ("state", "t") and v is not None}
        args = ", ".join(f"{k}={v!r}" for k, v in fields.items())
        return f"{type(self).__name__}({args})"
