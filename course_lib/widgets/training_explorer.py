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

Comparing runs: when Run starts a new run, the previous one stays on the
plot as an earlier run, dashed, in a colour of its own (its epoch-mean train
loss on the loss axes, its validation accuracy on the accuracy axes, the
same colour on both), and the loss legend names its settings, e.g.
"SGD, eta=0.1, batch 32, 3 epochs". At most MAX_EARLIER_RUNS are kept, the
oldest leaves first; "Clear" removes them all. The current run keeps the
full set of curves, and the loss axes' title gives its settings.

When a control moves after a run, a notice says "settings changed, press
Run": the curves still show the settings of the run. When a run ends, its
loss is judged (course_lib.widgets.loss_verdict): a loss that is not finite
("diverged"), ends more than 10 times above its start ("exploded") or more
than 1.5 times above it ("rose") is said in words under the plot, and the
earlier run's legend entry carries the word.

Controls, ``explorer.controls[key]`` (stable keys):
  "optimizer"   Dropdown of the names of ``optimizers``
  "eta"         FloatLogSlider, learning rate eta (eta0 of the schedule when one is chosen)
  "schedule"    Dropdown "none", "inverse" (eta0 / (1 + k t)), "exponential" (eta0 exp(-k t)),
                t = number of updates made so far
  "k"           FloatLogSlider, decay factor k of the schedule (shown only with a schedule)
  "batch_size"  Dropdown of mini-batch sizes
  "epochs"      IntSlider
  "log_loss"    Checkbox: logarithmic loss axis (an exploding loss and a small one both stay readable)
  "run"         Button: train afresh (same as ``run()``)
  "clear"       Button: remove the earlier runs from the plot (same as ``clear_runs()``)
  "range_test"  Button: learning-rate range test (same as ``run_range_test()``)

Other public attributes: ``figure``, ``axes`` (loss, accuracy, range
test), ``lines`` (plot_history's dict name -> Line2D, the current run),
``earlier_runs`` (list of EarlierRun(label, history, loss_line,
accuracy_line), oldest first), ``run_settings`` (the settings dict of the
current run, None before the first), ``verdict`` (LossVerdict of the
current run or None), ``notice`` (ipywidgets.HTML: "settings changed, press
Run" or empty), ``range_line``, ``eta_marker``, ``progress``
(ipywidgets.IntProgress, one tick per epoch), ``status``
(ipywidgets.HTML: the last epoch's figures and the verdict, "diverged at
step k", "not implemented yet" or an error), ``history`` (History of the
last run), ``model`` (the network it trained), ``range_result`` ((etas,
losses) of the last range test), ``output`` (ipywidgets.Output with the
figure), ``layers`` (LayeredFigure: moving the eta slider only redraws its
marker), ``widget`` (CSS class "training-explorer").
"""
import functools
import html
from dataclasses import dataclass

import ipywidgets
import numpy as np

from course_lib.layers.losses import softmax_cross_entropy
from course_lib.optim import DivergenceError, History, exponential_decay, inverse_decay, train
from course_lib.plots import plot_history, plot_lr_range, update_history_lines
from course_lib.validation import check_positive_int, check_rng
from course_lib.widgets.figure_view import new_figure, show_png
from course_lib.widgets.layered_figure import LayeredFigure
from course_lib.widgets.loss_verdict import LossVerdict, loss_verdict
from course_lib.widgets.lr_explorer import check_optimizers
from course_lib.widgets.lr_range_test import lr_range_test
from course_lib.widgets.models import digits_mlp
from course_lib.widgets.optimizer_choice import make_optimizer

SCHEDULES = {"none": None, "inverse": inverse_decay, "exponential": exponential_decay}
BATCH_SIZES = (8, 16, 32, 64, 128, 256)
# Learning rates the range test sweeps, and its length in steps.
RANGE_ETA_MIN, RANGE_ETA_MAX, RANGE_STEPS = 1e-4, 10.0, 100
# Earlier runs kept on the plot, and their colours (none of them used by the current run's curves).
MAX_EARLIER_RUNS = 6
EARLIER_COLOURS = ("tab:purple", "tab:brown", "tab:pink", "tab:gray", "tab:olive", "tab:cyan")
# Loss range of an empty log-scale loss axis.
EMPTY_LOG_LIMITS = (0.01, 10.0)
# Controls whose change makes the curves out of date.
SETTINGS = ("optimizer", "eta", "schedule", "k", "batch_size", "epochs")
CHANGED_NOTICE = "<b style='color:#b35900'>settings changed, press Run</b> (the curves show the last run)"


@dataclass
class EarlierRun:
    """A finished run kept for comparison: its legend label (settings), History and its two lines."""

    label: str
    history: History
    loss_line: object
    accuracy_line: object


def settings_label(settings):
    """Short text of a settings dict: "Adam, eta=0.003, inverse k=0.01, batch 32, 3 epochs"."""
    parts = [settings["optimizer"], f"eta={settings['eta']:.3g}"]
    if settings["schedule"] != "none":
        parts.append(f"{settings['schedule']} k={settings['k']:.2g}")
    parts += [f"batch {settings['batch_size']}", f"{settings['epochs']} epochs"]
    return ", ".join(parts)


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
    """Train, watch loss and accuracy per epoch, compare runs, run a range test; see the module docstring."""

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
            "log_loss": ipywidgets.Checkbox(value=False, description="log-scale loss", indent=False),
            "run": ipywidgets.Button(description="Run", button_style="primary", icon="play"),
            "clear": ipywidgets.Button(description="Clear", icon="eraser", disabled=True,
                                       tooltip="remove the earlier runs from the plot"),
            "range_test": ipywidgets.Button(description="Range test", icon="search"),
        }
        self.progress = ipywidgets.IntProgress(value=0, min=0, max=epochs, description="epochs")
        self.status = ipywidgets.HTML("Press <b>Run</b> to train.")
        self.notice = ipywidgets.HTML("")
        self.output = ipywidgets.Output()

        self.figure = new_figure((12.0, 3.6))
        self.axes = self.figure.subplots(1, 3)
        self.figure.subplots_adjust(left=0.06, right=0.99, bottom=0.16, top=0.88, wspace=0.28)
        self.layers = LayeredFigure(self.figure)
        self._version = 0  # bumped whenever something other than the eta marker changes on the figure
        self.history = History()
        self.model = None
        self.run_settings, self.verdict = None, None
        self.earlier_runs = []
        self._earlier_count = 0  # runs ever kept, to hand out colours in turn
        self.lines = plot_history(self.history, axes=self.axes[:2])
        range_ax = self.axes[2]
        self.range_line = plot_lr_range(range_ax, [], [], label="range test")
        range_ax.set_xlim(RANGE_ETA_MIN, RANGE_ETA_MAX)
        self.eta_marker = range_ax.axvline(eta, color="k", linestyle="--", linewidth=1, label="eta")
        range_ax.legend(loc="upper left", fontsize="small")
        self.range_result = None
        self._update_legends()

        self.controls["run"].on_click(lambda _button: self.run())
        self.controls["clear"].on_click(lambda _button: self.clear_runs())
        self.controls["range_test"].on_click(lambda _button: self.run_range_test())
        self.controls["eta"].observe(self._on_eta, names="value")
        self.controls["schedule"].observe(self._on_schedule, names="value")
        self.controls["log_loss"].observe(self._on_log_loss, names="value")
        for key in SETTINGS:
            self.controls[key].observe(self._on_setting, names="value")
        self._on_schedule(None)
        c = self.controls
        self.widget = ipywidgets.VBox([
            ipywidgets.HBox([
                ipywidgets.VBox([c["optimizer"], c["eta"], c["schedule"], c["k"]]),
                ipywidgets.VBox([c["batch_size"], c["epochs"], c["log_loss"],
                                 ipywidgets.HBox([c["run"], c["clear"], c["range_test"]])]),
            ]),
            self.notice, self.progress, self.output, self.status,
        ])
        self.widget.add_class("training-explorer")
        self._show()

    # -- drawing --------------------------------------------------------------------------------

    def _show(self, changed=True):
        """Render the figure into the Output; only the eta marker moved when changed is False."""
        if changed:
            self._version += 1
        png = self.layers.render(self._version, [self.eta_marker])
        show_png(self.output, png, self.figure.canvas.get_width_height())

    def _update_curves(self):
        """Give the current run's lines its History and rescale the axes."""
        update_history_lines(self.lines, self.history)
        loss_ax = self.axes[0]
        if loss_ax.get_yscale() == "log":
            # A log axis cannot place ticks without a positive value (no run yet, or a fresh one).
            values = np.concatenate([np.asarray(line.get_ydata(), dtype=np.float64).ravel()
                                     for line in loss_ax.lines] + [np.empty(0)])
            if not np.any(np.isfinite(values) & (values > 0)):
                loss_ax.set_ylim(EMPTY_LOG_LIMITS)

    def _update_legends(self):
        """Loss legend: the current run's curves, then one entry per earlier run with its settings."""
        loss_ax = self.axes[0]
        loss_ax.legend(loc="upper right", fontsize="x-small")  # picks up the earlier runs' labelled lines
        title = "" if self.run_settings is None else f"now: {settings_label(self.run_settings)}"
        loss_ax.set_title(title, fontsize="small")

    # -- controls -------------------------------------------------------------------------------

    def settings(self):
        """The current values of the controls that decide a run: a dict keyed like SETTINGS."""
        return {key: self.controls[key].value for key in SETTINGS}

    def _on_schedule(self, change):
        self.controls["k"].layout.display = "none" if self.controls["schedule"].value == "none" else ""

    def _on_eta(self, change):
        self.eta_marker.set_xdata([change["new"], change["new"]])
        self._show(changed=False)

    def _on_log_loss(self, change):
        self.axes[0].set_yscale("log" if change["new"] else "linear")
        self._update_curves()
        self._show()

    def _on_setting(self, change):
        self._update_notice()

    def _update_notice(self):
        changed = self.run_settings is not None and self._relevant(self.settings()) != self._relevant(
            self.run_settings)
        self.notice.value = CHANGED_NOTICE if changed else ""
        self.controls["run"].button_style = "warning" if changed else "primary"

    @staticmethod
    def _relevant(settings):
        """The settings that change a run: k only matters with a schedule."""
        settings = dict(settings)
        if settings["schedule"] == "none":
            settings.pop("k")
        return settings

    def _schedule(self, eta):
        rule = SCHEDULES[self.controls["schedule"].value]
        return None if rule is None else functools.partial(rule, eta, self.controls["k"].value)

    # -- earlier runs ---------------------------------------------------------------------------

    def _keep_current_run(self):
        """Move the current run, if it finished an epoch, to the earlier runs (dashed, own colour)."""
        h = self.history
        if self.run_settings is None or not h.epoch_train_loss:
            return
        label = settings_label(self.run_settings)
        if self.verdict is not None:
            label += f" ({self.verdict.kind})"
        colour = EARLIER_COLOURS[self._earlier_count % len(EARLIER_COLOURS)]
        self._earlier_count += 1
        epochs = np.arange(1, len(h.epoch_train_loss) + 1)
        accuracy = h.epoch_val_accuracy if h.epoch_val_accuracy else h.epoch_train_accuracy
        style = {"color": colour, "linestyle": "--", "marker": ".", "linewidth": 1.2}
        (loss_line,) = self.axes[0].plot(epochs, h.epoch_train_loss, label=label, **style)
        (accuracy_line,) = self.axes[1].plot(epochs[:len(accuracy)], accuracy, **style)
        self.earlier_runs.append(EarlierRun(label, h, loss_line, accuracy_line))
        while len(self.earlier_runs) > MAX_EARLIER_RUNS:
            self._remove(self.earlier_runs.pop(0))
        self.controls["clear"].disabled = False

    @staticmethod
    def _remove(run):
        run.loss_line.remove()
        run.accuracy_line.remove()

    def clear_runs(self):
        """Remove every earlier run from the plot (the current run stays)."""
        for run in self.earlier_runs:
            self._remove(run)
        self.earlier_runs = []
        self.controls["clear"].disabled = True
        self._update_curves()
        self._update_legends()
        self._show()

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
        self._keep_current_run()
        settings = self.settings()
        name, eta, epochs, batch_size = (settings[key] for key in ("optimizer", "eta", "epochs", "batch_size"))
        schedule = self._schedule(eta)
        self.history, self.run_settings, self.verdict = History(), settings, None
        self._update_notice()
        self.progress.max, self.progress.value = epochs, 0
        self.status.value = f"training with {html.escape(name)} ..."
        self._update_curves()
        self._update_legends()
        self._show()
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
                self.verdict = loss_verdict(self.history)
                self.progress.value = epoch
                self.status.value = self._epoch_summary(name, epoch, epochs)
                self._update_curves()
                self._show()
        except DivergenceError as err:
            step = len(self.history.step_loss) + err.step  # history holds the epochs completed before
            text = f"diverged at step {step} (epoch {epoch}) with eta = {err.eta:.3g}; lower the learning rate."
            self.verdict = LossVerdict("diverged", text)
            self.status.value = _status(name, text)
        except NotImplementedError:
            self.status.value = _status(name, "not implemented yet.")
        except Exception as err:  # a student's bug must show here, not vanish in the kernel log
            self.status.value = _status(name, _error_text(err))
        self._update_curves()
        self._show()

    def _epoch_summary(self, name, epoch, epochs):
        h = self.history
        text = (f"<b>{html.escape(name)}</b> epoch {epoch}/{epochs}: "
                f"train loss {h.epoch_train_loss[-1]:.4f}, train accuracy {h.epoch_train_accuracy[-1]:.3f}")
        if h.epoch_val_loss:
            text += (f", validation loss {h.epoch_val_loss[-1]:.4f}, "
                     f"validation accuracy {h.epoch_val_accuracy[-1]:.3f}")
        if self.verdict is not None:
            text += f"<br><b style='color:#c00000'>&#9888; {html.escape(self.verdict.text)}</b>"
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
        self._show()
        return self.range_result

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
