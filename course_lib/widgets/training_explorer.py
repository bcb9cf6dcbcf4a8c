"""TrainingExplorer: train a small network on the digits with the student's optimizers and watch the curves.

In a notebook::

    explorer = TrainingExplorer({"SGD": SGD, "Momentum": Momentum, "Adam": Adam})
    explorer        # pick an optimizer, a learning rate, a schedule; press Run

Run builds a fresh network with ``model_factory(Generator(seed))``, then
trains it one epoch at a time with course_lib.optim.train (same optimizer
object throughout, so its state and schedule carry on; the same Generator
shuffles every epoch, which makes the result identical to one call of
``train`` for all the epochs). After each epoch the loss and accuracy curves
and the progress bar move. "Range test" runs lr_range_test for the chosen
optimizer and draws its loss against eta, with the learning rate of the
eta slider marked, to help choose eta.

Controls, ``explorer.controls[key]`` (stable keys):
  "optimizer"   Dropdown of the names of ``optimizers``
  "eta"         FloatLogSlider, learning rate eta (eta0 of the schedule when one is chosen)
  "schedule"    Dropdown "none", "inverse" (eta0 / (1 + k t)), "exponential" (eta0 exp(-k t)),
                t = number of updates made so far
  "k"           FloatLogSlider, decay factor k of the schedule (shown only with a schedule)
  "batch_size"  Dropdown of mini-batch sizes
  "epochs"      IntSlider
  "run"         Button: train afresh (same as ``run()``)
  "range_test"  Button: learning-rate range test (same as ``run_range_test()``)

Other public attributes: ``figure``, ``axes`` (loss, accuracy, range
test), ``lines`` (plot_history's dict name -> Line2D), ``range_line``,
``eta_marker``, ``progress`` (ipywidgets.IntProgress, one tick per epoch),
``status`` (ipywidgets.HTML: the last epoch's figures, "diverged at step
k", "not implemented yet" or an error), ``history`` (History of the last
run), ``model`` (the network it trained), ``range_result`` ((etas, losses)
of the last range test), ``output`` (ipywidgets.Output with the figure),
``widget``.
"""
import functools
import html

import ipywidgets
import numpy as np

from course_lib.layers.losses import softmax_cross_entropy
from course_lib.optim import DivergenceError, History, exponential_decay, inverse_decay, train
from course_lib.plots import plot_history, plot_lr_range, update_history_lines
from course_lib.validation import check_positive_int, check_rng
from course_lib.widgets.figure_view import new_figure, show_figure
from course_lib.widgets.lr_explorer import check_optimizers
from course_lib.widgets.lr_range_test import lr_range_test
from course_lib.widgets.models import digits_mlp
from course_lib.widgets.optimizer_choice import make_optimizer

SCHEDULES = {"none": None, "inverse": inverse_decay, "exponential": exponential_decay}
BATCH_SIZES = (8, 16, 32, 64, 128, 256)
# Learning rates the range test sweeps, and its length in steps.
RANGE_ETA_MIN, RANGE_ETA_MAX, RANGE_STEPS = 1e-4, 10.0, 100


def _status(name, text):
    """One status line: the optimizer's name in bold, then ``text`` (escaped)."""
    return f"<b>{html.escape(name)}</b>: {html.escape(text)}"


def _error_text(err):
    return f"error: {type(err).__name__}: {err}"


def _append_history(total, part):
    """Append the lists of History ``part`` (one more epoch) to ``total``, in place."""
    total.steps_per_epoch = part.steps_per_epoch
    for name in ("step_loss", "step_eta", "epoch_train_loss", "epoch_train_accuracy",
                 "epoch_val_loss", "epoch_val_accuracy", "epoch_grad_norms"):
        getattr(total, name).extend(getattr(part, name))


class TrainingExplorer:
    """Train, watch loss and accuracy per epoch, run a learning-rate range test; see the module docstring."""

    def __init__(self, optimizers, data=None, model_factory=None, loss=softmax_cross_entropy, seed=0,
                 eta=0.05, epochs=5, batch_size=32):
        self.optimizers = check_optimizers(optimizers)
        if data is None:
            from course_lib.data import load_digits

            data = load_digits(seed=0)
        self.data = data
        self.model_factory = digits_mlp if model_factory is None else model_factory
        if not callable(self.model_factory):
            raise TypeError(f"model_factory must be a callable seed -> model, got {model_factory!r}.")
        self.loss = loss
        self.seed = seed
        epochs = check_positive_int("epochs", epochs)
        if batch_size not in BATCH_SIZES:
            raise ValueError(f"batch_size must be one of {BATCH_SIZES}, got {batch_size!r}.")
        self.controls = {
            "optimizer": ipywidgets.Dropdown(options=list(self.optimizers), description="optimizer"),
            "eta": ipywidgets.FloatLogSlider(value=eta, base=10, min=-4, max=0.5, step=0.01,
                                             readout_format=".2e", description="eta"),
            "schedule": ipywidgets.Dropdown(options=list(SCHEDULES), value="none", description="schedule"),
            "k": ipywidgets.FloatLogSlider(value=0.01, base=10, min=-4, max=0, step=0.01,
                                           readout_format=".1e", description="k"),
            "batch_size": ipywidgets.Dropdown(options=list(BATCH_SIZES), value=batch_size,
                                              description="batch size"),
            "epochs": ipywidgets.IntSlider(value=epochs, min=1, max=max(30, epochs), description="epochs"),
            "run": ipywidgets.Button(description="Run", button_style="primary", icon="play"),
            "range_test": ipywidgets.Button(description="Range test", icon="search"),
        }
        self.progress = ipywidgets.IntProgress(value=0, min=0, max=epochs, description="epochs")
        self.status = ipywidgets.HTML("Press <b>Run</b> to train.")
        self.output = ipywidgets.Output()

        self.figure = new_figure((12.0, 3.4))
        self.axes = self.figure.subplots(1, 3)
        self.figure.subplots_adjust(left=0.06, right=0.99, bottom=0.17, top=0.9, wspace=0.28)
        self.history = History()
        self.model = None
        self.lines = plot_history(self.history, axes=self.axes[:2])
        range_ax = self.axes[2]
        self.range_line = plot_lr_range(range_ax, [], [], label="range test")
        range_ax.set_xlim(RANGE_ETA_MIN, RANGE_ETA_MAX)
        self.eta_marker = range_ax.axvline(eta, color="k", linestyle="--", linewidth=1, label="eta")
        range_ax.legend(loc="upper left", fontsize="small")
        self.range_result = None

        self.controls["run"].on_click(lambda _button: self.run())
        self.controls["range_test"].on_click(lambda _button: self.run_range_test())
        self.controls["eta"].observe(self._on_eta, names="value")
        self.controls["schedule"].observe(self._on_schedule, names="value")
        self._on_schedule(None)
        c = self.controls
        self.widget = ipywidgets.VBox([
            ipywidgets.HBox([
                ipywidgets.VBox([c["optimizer"], c["eta"], c["schedule"], c["k"]]),
                ipywidgets.VBox([c["batch_size"], c["epochs"], ipywidgets.HBox([c["run"], c["range_test"]])]),
            ]),
            self.progress, self.output, self.status,
        ])
        show_figure(self.output, self.figure)

    # -- controls -------------------------------------------------------------------------------

    def _on_schedule(self, change):
        self.controls["k"].layout.display = "none" if self.controls["schedule"].value == "none" else ""

    def _on_eta(self, change):
        self.eta_marker.set_xdata([change["new"], change["new"]])
        show_figure(self.output, self.figure)

    def _schedule(self, eta):
        rule = SCHEDULES[self.controls["schedule"].value]
        return None if rule is None else functools.partial(rule, eta, self.controls["k"].value)

    # -- training -------------------------------------------------------------------------------

    def run(self):
        """Train a fresh network with the current controls; returns the History (also ``history``)."""
        button = self.controls["run"]
        button.disabled = True
        try:
            self._train()
        finally:
            button.disabled = False
        return self.history

    def _train(self):
        name = self.controls["optimizer"].value
        eta = self.controls["eta"].value
        schedule = self._schedule(eta)
        epochs = self.controls["epochs"].value
        batch_size = self.controls["batch_size"].value
        self.history = History()
        self.progress.max, self.progress.value = epochs, 0
        self.status.value = f"training with {html.escape(name)} ..."
        update_history_lines(self.lines, self.history)
        show_figure(self.output, self.figure)
        epoch = 0
        try:
            # With a schedule, eta is its eta0 and must not be passed a second time.
            optimizer = make_optimizer(self.optimizers[name], eta=None if schedule else eta,
                                       schedule=schedule)
            rng = check_rng(self.seed)
            self.model = self.model_factory(rng)
            for epoch in range(1, epochs + 1):
                part = train(self.model, self.loss, self.data, optimizer, 1, batch_size, seed=rng,
                             progress=False)
                _append_history(self.history, part)
                self.progress.value = epoch
                self.status.value = self._epoch_summary(name, epoch, epochs)
                update_history_lines(self.lines, self.history)
                show_figure(self.output, self.figure)
        except DivergenceError as err:
            step = len(self.history.step_loss) + err.step  # history holds the epochs completed before
            self.status.value = _status(name, f"diverged at step {step} (epoch {epoch}) with "
                                              f"eta = {err.eta:.3g}; lower the learning rate.")
        except NotImplementedError:
            self.status.value = _status(name, "not implemented yet.")
        except Exception as err:  # a student's bug must show here, not vanish in the kernel log
            self.status.value = _status(name, _error_text(err))
        update_history_lines(self.lines, self.history)
        show_figure(self.output, self.figure)

    def _epoch_summary(self, name, epoch, epochs):
        h = self.history
        text = (f"<b>{html.escape(name)}</b> epoch {epoch}/{epochs}: "
                f"train loss {h.epoch_train_loss[-1]:.4f}, train accuracy {h.epoch_train_accuracy[-1]:.3f}")
        if h.epoch_val_loss:
            text += (f", validation loss {h.epoch_val_loss[-1]:.4f}, "
                     f"validation accuracy {h.epoch_val_accuracy[-1]:.3f}")
        return text

    # -- learning-rate range test ---------------------------------------------------------------

    def run_range_test(self):
        """lr_range_test for the chosen optimizer, plotted; returns (etas, losses), None on failure."""
        name = self.controls["optimizer"].value
        button = self.controls["range_test"]
        button.disabled = True
        self.status.value = f"range test with {html.escape(name)} ..."
        try:
            etas, losses = lr_range_test(
                self.model_factory, self.loss, self.data, self.optimizers[name],
                RANGE_ETA_MIN, RANGE_ETA_MAX, RANGE_STEPS, self.seed,
                batch_size=self.controls["batch_size"].value)
        except NotImplementedError:
            self.status.value = _status(name, "not implemented yet.")
            return None
        except Exception as err:
            self.status.value = _status(name, _error_text(err))
            return None
        finally:
            button.disabled = False
        self.range_result = (etas, losses)
        self.range_line.set_data(etas, losses)
        ax = self.range_line.axes
        ax.relim()
        ax.autoscale_view(scalex=False, scaley=True)
        if len(losses):
            best = int(np.argmin(losses))
            self.status.value = (f"<b>{html.escape(name)}</b> range test: {len(losses)} steps, lowest loss "
                                 f"{losses[best]:.4f} at eta = {etas[best]:.3g}; "
                                 "pick eta somewhat below that.")
        else:
            self.status.value = f"<b>{html.escape(name)}</b> range test: the very first step diverged."
        show_figure(self.output, self.figure)
        return self.range_result

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
