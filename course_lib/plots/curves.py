"""Training curves of a course_lib.optim.History and per-layer gradient-norm bars.

Curves are drawn once and then updated in place with ``update_history_lines``
(``Line2D.set_data``), which is what a live training widget needs: moving
existing lines is much cheaper than drawing new ones.
"""

import numpy as np

# Name of each line -> (History field, axes index 0 = loss / 1 = accuracy, label, style).
HISTORY_LINES = {
    "step_loss": ("step_loss", 0, "train loss (mini-batch)", {"linewidth": 0.8, "alpha": 0.35}),
    "train_loss": ("epoch_train_loss", 0, "train loss (epoch mean)", {"marker": "o"}),
    "val_loss": ("epoch_val_loss", 0, "validation loss", {"marker": "s"}),
    "train_accuracy": ("epoch_train_accuracy", 1, "train accuracy", {"marker": "o"}),
    "val_accuracy": ("epoch_val_accuracy", 1, "validation accuracy", {"marker": "s"}),
}


def history_xy(history, name):
    """x (epochs, fractional for per-step values) and y arrays of one line of HISTORY_LINES."""
    field_name = HISTORY_LINES[name][0]
    y = np.asarray(getattr(history, field_name), dtype=np.float64)
    if name == "step_loss":
        # Step i (0-based) ends at epoch (i + 1) / steps_per_epoch, so both kinds share one x axis.
        x = (np.arange(len(y)) + 1) / max(history.steps_per_epoch, 1)
    else:
        x = np.arange(1, len(y) + 1, dtype=np.float64)
    return x, y


def plot_history(history, axes=None):
    """Loss and accuracy against epochs; returns a dict name -> Line2D (the keys of HISTORY_LINES).

    history : course_lib.optim.History (may still be empty: the lines are
        then empty and can be filled later with update_history_lines).
    axes : a pair (loss_ax, accuracy_ax); None makes a new figure with two
        side-by-side axes (reach it as ``lines["train_loss"].figure``).
    Validation lines stay empty when training had no validation set.
    """
    if axes is None:
        import matplotlib.pyplot as plt  # only here: library code draws on axes it is given

        _, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    if len(axes) != 2:
        raise ValueError(f"axes must be a pair (loss_ax, accuracy_ax), got {len(axes)} axes.")
    lines = {}
    for name, (_, which, label, style) in HISTORY_LINES.items():
        x, y = history_xy(history, name)
        (lines[name],) = axes[which].plot(x, y, label=label, **style)
    loss_ax, acc_ax = axes
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("loss")
    loss_ax.legend(loc="upper right", fontsize="small")
    acc_ax.set_xlabel("epoch")
    acc_ax.set_ylabel("accuracy")
    acc_ax.set_ylim(0.0, 1.02)
    acc_ax.legend(loc="lower right", fontsize="small")
    _rescale(lines)
    return lines


def update_history_lines(lines, history):
    """Give every line of plot_history the current data of history and rescale the axes."""
    for name, line in lines.items():
        line.set_data(*history_xy(history, name))
    _rescale(lines)


def _rescale(lines):
    for ax in {line.axes for line in lines.values()}:
        ax.relim()
        # Accuracy keeps its fixed 0..1 range; only the epoch axis follows the data.
        fixed_y = ax is lines["train_accuracy"].axes
        ax.autoscale_view(scalex=True, scaley=not fixed_y)


def plot_grad_norm_bars(ax, norms, labels=None, log=True):
    """One bar per layer, first layer first, height ||grad_b C|| of that layer; returns the BarContainer.

    norms : sequence of L non-negative floats (course_lib.gradient_norms.layer_gradient_norms).
    labels : L tick labels; default "1", "2", ..., "L" (layer numbers).
    log : logarithmic y axis, so norms that differ by orders of magnitude
        (vanishing gradients) all stay visible.
    A norm of exactly zero (a log axis cannot show it) or a NaN/inf norm
    gets no visible bar but its value written at the bottom of its slot.
    """
    norms = np.asarray(norms, dtype=np.float64).ravel()
    if norms.size == 0:
        raise ValueError("norms is empty: there must be one gradient norm per layer.")
    if labels is None:
        labels = [str(i) for i in range(1, norms.size + 1)]
    if len(labels) != norms.size:
        raise ValueError(f"labels has {len(labels)} entries but norms has {norms.size}; "
                         "give one label per layer.")
    visible = np.isfinite(norms) & (norms > 0)
    heights = np.where(np.isfinite(norms), norms, 0.0)
    positions = np.arange(norms.size)
    bars = ax.bar(positions, heights, color="tab:blue")
    ax.set_xticks(positions, labels)
    ax.set_xlabel("layer (input side first)")
    ax.set_ylabel("||grad_b C||")
    if log and visible.any():
        ax.set_yscale("log")
        low = norms[visible].min()
        ax.set_ylim(low / 10 ** 0.5, norms[visible].max() * 10 ** 0.5)
    for i in np.flatnonzero(~visible):
        text = "0" if norms[i] == 0 else f"{norms[i]}"
        ax.annotate(text, (positions[i], 0), xycoords=("data", "axes fraction"),
                    xytext=(0, 3), textcoords="offset points", ha="center", color="tab:red")
    return bars


def plot_lr_range(ax, etas, losses, label=None):
    """Loss against learning rate on a log x axis (course_lib.widgets.lr_range_test); returns the Line2D."""
    (line,) = ax.plot(np.asarray(etas, dtype=np.float64), np.asarray(losses, dtype=np.float64), label=label)
    ax.set_xscale("log")
    ax.set_xlabel("learning rate eta (log scale)")
    ax.set_ylabel("mini-batch loss")
    return line
