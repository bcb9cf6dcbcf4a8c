"""The mini-batch training loop of notebook 05: any model, loss and optimizer.

``train`` views the network's parameters as one vector theta
(course_lib.params) so that every optimizer of this package, which works on
``step(theta, grad_fn)``, trains a network exactly as it minimises a
two-dimensional test function. Each epoch it reshuffles the training set with
the seed, makes one optimizer step per mini-batch, then measures the network
in eval mode and appends the figures to a `History` that the notebooks plot.
"""
import math
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from course_lib.gradient_norms import layer_gradient_norms
from course_lib.params import get_flat_params, loss_and_grad_fn, set_flat_params
from course_lib.validation import ShapeError, as_float_array, check_positive_int, check_rng

# The per-layer gradient norms are measured on this many training samples at most.
GRAD_NORM_SAMPLES = 1000


class DivergenceError(FloatingPointError):
    """Training stopped because the loss or the gradient became NaN or infinite.

    Attributes: ``step`` (1-based, counted over all epochs), ``epoch``
    (1-based), ``eta`` (learning rate of that step) and ``loss``.
    """

    def __init__(self, message, step, epoch, eta, loss):
        super().__init__(message)
        self.step, self.epoch, self.eta, self.loss = step, epoch, eta, loss


@dataclass
class History:
    """What happened during `train`; lists grow by one per step or per epoch.

    Per step (length epochs * steps_per_epoch):
      step_loss      mini-batch loss at the point where the optimizer took its
                     first gradient of the step (theta itself, or the
                     look-ahead point for Nesterov and RMSPropNesterov)
      step_eta       learning rate the step used (NaN if the optimizer has none)
    Per epoch (length epochs):
      epoch_train_loss      mean mini-batch loss of the epoch (weighted by batch size)
      epoch_train_accuracy  accuracy on the whole training set after the epoch (eval mode)
      epoch_val_loss        loss on the validation set after the epoch (eval mode)
      epoch_val_accuracy    accuracy on the validation set after the epoch (eval mode)
      epoch_grad_norms      ||grad_b C|| of every Linear/Conv2d layer, first layer first,
                            on the first GRAD_NORM_SAMPLES training samples after the
                            epoch (eval mode, so dropout and batch norm are deterministic)
    Accuracies are NaN when the targets are not class labels; the validation
    lists stay empty when no validation set is given.
    """

    steps_per_epoch: int = 0
    step_loss: list = field(default_factory=list)
    step_eta: list = field(default_factory=list)
    epoch_train_loss: list = field(default_factory=list)
    epoch_train_accuracy: list = field(default_factory=list)
    epoch_val_loss: list = field(default_factory=list)
    epoch_val_accuracy: list = field(default_factory=list)
    epoch_grad_norms: list = field(default_factory=list)


def split_data(data):
    """(x_train, y_train, x_val, y_val) from a DataSplits, ((x, y), (x_val, y_val)) or (x, y)."""
    if hasattr(data, "x_train"):
        parts = (data.x_train, data.y_train, data.x_val, data.y_val)
    elif isinstance(data, (tuple, list)) and len(data) == 2 and isinstance(data[0], (tuple, list)):
        if len(data[0]) != 2 or not isinstance(data[1], (tuple, list)) or len(data[1]) != 2:
            raise ValueError("data must be ((x_train, y_train), (x_val, y_val)); a pair is malformed.")
        parts = (*data[0], *data[1])
    elif isinstance(data, (tuple, list)) and len(data) == 2:
        parts = (data[0], data[1], None, None)
    else:
        raise TypeError(
            "data must be a DataSplits (course_lib.data.load_digits), a pair of pairs "
            f"((x_train, y_train), (x_val, y_val)) or one pair (x_train, y_train); got {type(data).__name__}."
        )
    x_train, y_train, x_val, y_val = parts
    x_train = as_float_array("x_train", x_train)
    y_train = np.asarray(y_train)
    if len(y_train) != len(x_train):
        raise ShapeError(f"x_train has {len(x_train)} samples but y_train has {len(y_train)}.")
    if x_val is not None:
        x_val = as_float_array("x_val", x_val)
        y_val = np.asarray(y_val)
        if len(y_val) != len(x_val):
            raise ShapeError(f"x_val has {len(x_val)} samples but y_val has {len(y_val)}.")
        if len(x_val) == 0:
            x_val = y_val = None
    return x_train, y_train, x_val, y_val


def evaluate(model, loss, x, y, batch_size=1000):
    """(mean loss, accuracy) of the model on (x, y), in the model's current mode.

    Runs forward in chunks of ``batch_size``; the loss is the chunk losses
    averaged with the chunk sizes as weights (exact for a batch-mean loss).
    Accuracy is the fraction of rows whose largest score is at the label;
    NaN when y is not a vector of integer labels.
    """
    total_loss, n_correct, n = 0.0, 0, len(x)
    labels = y.ndim == 1 and np.issubdtype(y.dtype, np.integer)
    for start in range(0, n, batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        scores = model.forward(xb)
        batch_loss, _ = loss(scores, yb)
        total_loss += float(batch_loss) * len(xb)
        if labels and scores.ndim == 2:
            n_correct += int(np.sum(np.argmax(scores, axis=1) == yb))
        else:
            labels = False
    return total_loss / n, (n_correct / n if labels else float("nan"))


def _learning_rate(optimizer, updates_made):
    """The learning rate the optimizer's next update uses; NaN when it cannot be told.

    In order: ``optimizer.current_eta()`` (course_lib's optimizers); else, when
    the optimizer has a ``schedule`` (the notebook's interface: update number t
    uses schedule(t)), the schedule at the optimizer's update count ``t``, or at
    ``updates_made`` (updates made in this call of train) when it keeps no
    integer ``t``; else a numeric ``eta``. A schedule wins over ``eta``: with a
    schedule, ``eta`` is only a constructor default and not the rate used.
    """
    if hasattr(optimizer, "current_eta"):
        return float(optimizer.current_eta())
    schedule = getattr(optimizer, "schedule", None)
    if callable(schedule):
        t = getattr(optimizer, "t", None)
        if isinstance(t, bool) or not isinstance(t, (int, np.integer)):
            t = updates_made
        try:
            return float(schedule(t))
        except (TypeError, ValueError, ArithmeticError):  # a student's schedule may fail; the step will say so
            return float("nan")
    eta = getattr(optimizer, "eta", None)
    return float(eta) if isinstance(eta, (int, float, np.floating, np.integer)) else float("nan")


def train(model, loss, data, optimizer, epochs, batch_size, seed=0, *, progress=True,
          track_grad_norms=True):
    """Train ``model`` with mini-batches and return a `History`.

    model : course_lib.modules module (e.g. Sequential); trained in place.
    loss : callable (scores, y) -> (loss, dscores), a batch mean, e.g.
        course_lib.layers.losses.softmax_cross_entropy.
    data : DataSplits (x_train (N, ...), y_train (N,), x_val, y_val), or
        ((x_train, y_train), (x_val, y_val)), or (x_train, y_train) alone.
    optimizer : anything with ``step(theta, grad_fn) -> theta``, e.g.
        course_lib.optim.Adam(0.001). Its state is kept across calls: call
        ``optimizer.reset()`` to start afresh.
    epochs, batch_size : positive ints (the last batch of an epoch may be smaller).
    seed : int or numpy Generator for the reshuffling of each epoch.
    progress : show a progress bar (ipywidgets in a notebook, a text line on
        stderr in a terminal); False for silence.
    track_grad_norms : record the per-layer gradient norms after every epoch.

    The model is in train mode for the steps and in eval mode for the
    measurements; it is returned to the mode it had on entry. Raises
    DivergenceError (a FloatingPointError) naming the step, the epoch and
    the learning rate as soon as a loss or a gradient is NaN or infinite.
    """
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"optimizer must have a step(theta, grad_fn) method, got {optimizer!r}.")
    x_train, y_train, x_val, y_val = split_data(data)
    n = len(x_train)
    if n == 0:
        raise ValueError("the training set is empty.")
    rng = check_rng(seed)
    steps_per_epoch = math.ceil(n / batch_size)
    history = History(steps_per_epoch=steps_per_epoch)
    bar = make_progress(epochs * steps_per_epoch, enabled=progress)
    was_training = getattr(model, "training", True)
    theta = get_flat_params(model)
    step = 0
    try:
        # Overflow on the way to divergence is reported once, by DivergenceError.
        with np.errstate(over="ignore", invalid="ignore"):
            for epoch in range(1, epochs + 1):
                model.train()
                order = rng.permutation(n)
                loss_sum = 0.0
                for start in range(0, n, batch_size):
                    idx = order[start:start + batch_size]
                    step += 1
                    eta = _learning_rate(optimizer, step - 1)
                    theta, batch_loss = _one_step(model, loss, optimizer, theta,
                                                  x_train[idx], y_train[idx], step, epoch, eta)
                    history.step_loss.append(batch_loss)
                    history.step_eta.append(eta)
                    loss_sum += batch_loss * len(idx)
                    bar.update(step, f"epoch {epoch}/{epochs}  step {step}  loss {batch_loss:.4f}")

                model.eval()
                history.epoch_train_loss.append(loss_sum / n)
                _, train_acc = evaluate(model, loss, x_train, y_train)
                history.epoch_train_accuracy.append(train_acc)
                summary = f"epoch {epoch}/{epochs}  train loss {loss_sum / n:.4f}  train acc {train_acc:.3f}"
                if x_val is not None:
                    val_loss, val_acc = evaluate(model, loss, x_val, y_val)
                    if not math.isfinite(val_loss):
                        raise _divergence(step, epoch, eta, val_loss, f"the validation loss is {val_loss}")
                    history.epoch_val_loss.append(val_loss)
                    history.epoch_val_accuracy.append(val_acc)
                    summary += f"  val loss {val_loss:.4f}  val acc {val_acc:.3f}"
                if track_grad_norms:
                    sample = slice(0, GRAD_NORM_SAMPLES)
                    history.epoch_grad_norms.append(
                        layer_gradient_norms(model, x_train[sample], y_train[sample], loss))
                bar.end_epoch(step, summary)
    finally:
        bar.close()
        if was_training:
            model.train()
        else:
            model.eval()
    return history


def _one_step(model, loss, optimizer, theta, xb, yb, step, epoch, eta):
    """One optimizer step on the mini-batch (xb, yb): returns (new theta, mini-batch loss).

    The loss reported is the one of the optimizer's first gradient
    evaluation. The model is left holding the new theta.
    """
    fun = loss_and_grad_fn(model, loss, xb, yb)
    losses = []

    def grad_fn(point):
        value, grad = fun(point)
        losses.append(value)
        return grad

    try:
        new_theta = optimizer.step(theta, grad_fn)
    except FloatingPointError as err:
        bad_loss = next((v for v in losses if not math.isfinite(v)), None)
        what = (f"the mini-batch loss is {bad_loss}" if bad_loss is not None
                else "the gradient has NaN or infinite entries")
        raise _divergence(step, epoch, eta, bad_loss, what) from err
    if not losses:
        raise RuntimeError("the optimizer's step never called grad_fn, so it cannot have learnt anything.")
    if not math.isfinite(losses[0]):
        raise _divergence(step, epoch, eta, losses[0], f"the mini-batch loss is {losses[0]}")
    new_theta = np.asarray(new_theta, dtype=np.float64)
    if new_theta.shape != theta.shape:
        raise ShapeError(f"optimizer.step returned shape {new_theta.shape}, expected {theta.shape}.")
    if not np.all(np.isfinite(new_theta)):
        raise _divergence(step, epoch, eta, losses[0], "the new parameters are not finite")
    set_flat_params(model, new_theta)
    return new_theta, losses[0]


def _divergence(step, epoch, eta, loss, what):
    return DivergenceError(
        f"training diverged at step {step} (epoch {epoch}) with learning rate eta={eta:g}: "
        f"{what}. Lower the learning rate, or clip gradients (clip_norm=...).",
        step=step, epoch=epoch, eta=eta, loss=loss,
    )


# ----------------------------------------------------------------------------
# Progress bars: a widget in a notebook, a carriage-return line elsewhere.
# ----------------------------------------------------------------------------

class _NoProgress:
    def update(self, step, text):
        pass

    def end_epoch(self, step, text):
        pass

    def close(self):
        pass


class TextProgress:
    """A line on a stream (stderr) rewritten with a carriage return, at most every 0.1 s.

    ``update`` rewrites the current line; ``end_epoch`` writes the epoch's
    summary and starts a new line, so the terminal keeps one line per epoch.
    """

    def __init__(self, total, stream=None, min_interval=0.1):
        self.total = total
        self.stream = sys.stderr if stream is None else stream
        self.min_interval = min_interval
        self._last = -math.inf
        self._width = 0

    def update(self, step, text):
        now = time.monotonic()
        if now - self._last < self.min_interval:
            return
        self._last = now
        self._write(f"[{step}/{self.total}] {text}")

    def end_epoch(self, step, text):
        self._write(f"[{step}/{self.total}] {text}")
        self.stream.write("\n")
        self.stream.flush()
        self._width = 0

    def _write(self, line):
        # Pad with spaces so a shorter line fully covers the previous one.
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._width = len(line)

    def close(self):
        if self._width:  # an unfinished line (training stopped inside an epoch)
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0


class WidgetProgress:
    """An ipywidgets IntProgress bar with a Label beside it, shown with IPython's display."""

    def __init__(self, total):
        import ipywidgets
        from IPython.display import display

        self.bar = ipywidgets.IntProgress(min=0, max=total, value=0)
        self.label = ipywidgets.Label(value="")
        display(ipywidgets.HBox([self.bar, self.label]))

    def update(self, step, text):
        self.bar.value = step
        self.label.value = text

    def end_epoch(self, step, text):
        self.update(step, text)

    def close(self):
        pass


def _in_notebook_kernel():
    """True inside a Jupyter kernel (where widgets can be displayed), False in a terminal."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:
        return False
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def make_progress(total, enabled=True):
    """A progress reporter for ``total`` steps: update(step, text), end_epoch(step, text), close()."""
    if not enabled:
        return _NoProgress()
    if _in_notebook_kernel():
        try:
            return WidgetProgress(total)
        except Exception:
            pass  # no ipywidgets or no frontend: the text line still works
    return TextProgress(total)
