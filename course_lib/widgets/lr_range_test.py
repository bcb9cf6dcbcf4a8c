"""The learning-rate range test: one short run whose learning rate grows every step.

Training starts from a fresh network with a tiny learning rate eta_min,
which is multiplied by the same factor after every mini-batch step until it
reaches eta_max after ``steps`` steps:

    eta_t = eta_min * (eta_max / eta_min) ** (t / (steps - 1)),   t = 0, ..., steps - 1.

Plotting the mini-batch loss against eta_t on a log axis shows three zones:
too small (the loss hardly moves), useful (it falls fast) and too large (it
shoots up). A good constant learning rate sits in the falling part, well
before the minimum of the curve. The test stops early once the loss
exceeds ``stop_factor`` times the lowest loss seen, or stops being finite:
beyond that point the curve says nothing more.
"""
import math

import numpy as np

from course_lib.optim.train import split_data
from course_lib.params import get_flat_params, loss_and_grad_fn
from course_lib.validation import check_positive_int, check_rng
from course_lib.widgets.optimizer_choice import make_optimizer


def range_test_etas(eta_min, eta_max, steps):
    """The geometric learning-rate sequence eta_0 = eta_min, ..., eta_{steps-1} = eta_max, shape (steps,)."""
    steps = check_positive_int("steps", steps)
    if steps < 2:
        raise ValueError(f"steps must be at least 2 to go from eta_min to eta_max, got {steps}.")
    for name, value in (("eta_min", eta_min), ("eta_max", eta_max)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a finite number > 0, got {value!r}.")
    if not eta_min < eta_max:
        raise ValueError(f"eta_min must be below eta_max, got eta_min={eta_min:g}, eta_max={eta_max:g}.")
    return eta_min * (eta_max / eta_min) ** (np.arange(steps) / (steps - 1))


def lr_range_test(model_factory, loss, data, optimizer_cls, eta_min=1e-4, eta_max=10.0, steps=100, seed=0,
                  *, batch_size=32, stop_factor=4.0):
    """Run the range test; returns (etas, losses), two float64 arrays of equal length <= steps.

    model_factory : callable seed -> a fresh model (course_lib.modules), e.g.
        course_lib.widgets.models.digits_mlp; it is called with the
        Generator made from ``seed``, which then also shuffles the data.
    loss : callable (scores, y) -> (loss, dscores), e.g. softmax_cross_entropy.
    data : DataSplits, ((x_train, y_train), (x_val, y_val)) or (x_train, y_train);
        only the training part is used.
    optimizer_cls : optimizer class (or factory) accepting ``schedule=``;
        the learning rate of step t is etas[t] (see range_test_etas).
    batch_size : mini-batch size; the batches walk through a fresh random
        permutation of the training set on every pass, as in
        course_lib.optim.train, so the first epoch of the test sees the same
        batches as ``train`` with the same Generator would.
    stop_factor : stop after the first loss above stop_factor * (lowest
        loss so far); that loss is the last one returned. A non-finite loss
        or gradient also stops the test and is not returned.

    losses[t] is the mini-batch loss at the parameters the step t starts
    from, measured by the optimizer's first gradient evaluation (as
    History.step_loss); etas[t] is the learning rate step t used.
    """
    etas = range_test_etas(eta_min, eta_max, steps)
    batch_size = check_positive_int("batch_size", batch_size)
    if not stop_factor > 1:
        raise ValueError(f"stop_factor must be greater than 1, got {stop_factor!r}.")
    x_train, y_train, _, _ = split_data(data)
    n = len(x_train)
    if n == 0:
        raise ValueError("the training set is empty.")
    rng = check_rng(seed)
    model = model_factory(rng)
    optimizer = make_optimizer(optimizer_cls, schedule=lambda t: float(etas[min(t, len(etas) - 1)]))
    theta = get_flat_params(model)
    model.train()
    losses, best, order, start = [], math.inf, None, n
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(len(etas)):
            if start >= n:  # a new pass over the training set
                order, start = rng.permutation(n), 0
            idx = order[start:start + batch_size]
            start += batch_size
            fun = loss_and_grad_fn(model, loss, x_train[idx], y_train[idx])
            seen = []

            def grad_fn(point, fun=fun, seen=seen):
                value, grad = fun(point)
                seen.append(value)
                return grad

            try:
                theta = np.asarray(optimizer.step(theta, grad_fn), dtype=np.float64)
            except FloatingPointError:
                break
            if not seen or not math.isfinite(seen[0]) or not np.all(np.isfinite(theta)):
                break
            losses.append(seen[0])
            best = min(best, seen[0])
            if seen[0] > stop_factor * best:
                break
    return etas[:len(losses)].copy(), np.array(losses, dtype=np.float64)

