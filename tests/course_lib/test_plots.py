"""course_lib.plots: contour levels, optimizer trajectories, training curves, gradient-norm bars."""
import os

os.environ["MPLBACKEND"] = "Agg"  # before anything imports pyplot

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

from course_lib.data import quadratic_bowl, rosenbrock
from course_lib.optim import SGD, History, Momentum
from course_lib.plots import (
    log_levels,
    plot_grad_norm_bars,
    plot_history,
    plot_lr_range,
    plot_surface_contours,
    plot_trajectory,
    run_trajectory,
    surface_grid,
    update_history_lines,
)
from course_lib.plots.trajectories import DIVERGENCE_LIMIT
from course_lib.validation import ShapeError


def new_ax():
    return Figure().add_subplot()


# -- contours -------------------------------------------------------------------------------------

def test_surface_grid_matches_pointwise_evaluation():
    f, _ = rosenbrock()
    X, Y, Z = surface_grid(f, (-2, 2), (-1, 3), resolution=7)
    assert X.shape == Y.shape == Z.shape == (7, 7)
    assert X[0, 0] == -2 and X[0, -1] == 2 and Y[0, 0] == -1 and Y[-1, 0] == 3
    expected = np.array([[f(np.array([x, y])) for x, y in zip(xr, yr)] for xr, yr in zip(X, Y)])
    np.testing.assert_allclose(Z, expected, rtol=1e-14)


def test_surface_grid_accepts_a_function_of_one_point_only():
    f, _ = rosenbrock()

    def single_point_f(w):
        w = np.asarray(w)
        if w.shape != (2,):
            raise ValueError("one point at a time")
        return f(w)

    _, _, Z = surface_grid(single_point_f, (-2, 2), (-1, 3), resolution=5)
    _, _, Z_vectorised = surface_grid(f, (-2, 2), (-1, 3), resolution=5)
    np.testing.assert_allclose(Z, Z_vectorised, rtol=1e-14)


def test_log_levels_are_geometric_above_the_minimum():
    Z = np.array([[3.0, 5.0], [11.0, 3.0 + 1e4]])
    levels = log_levels(Z, n=5, dynamic_range=1e4)
    assert levels.shape == (5,)
    np.testing.assert_allclose(levels[-1], Z.max())
    np.testing.assert_allclose(levels[0], 3.0 + 1.0)
    gaps = levels - Z.min()
    np.testing.assert_allclose(gaps[1:] / gaps[:-1], np.full(4, 10.0), rtol=1e-12)


def test_log_levels_ignore_non_finite_and_refuse_constant():
    levels = log_levels(np.array([0.0, np.inf, 1.0, np.nan]), n=3)
    assert np.all(np.isfinite(levels)) and levels[-1] == 1.0
    with pytest.raises(ValueError, match="constant"):
        log_levels(np.full((3, 3), 2.0))
    with pytest.raises(ValueError, match="no finite"):
        log_levels(np.array([np.nan]))


def test_plot_surface_contours_uses_log_levels_and_limits():
    f, _ = quadratic_bowl(1.0, 4.0)
    ax = new_ax()
    contours = plot_surface_contours(ax, f, (-2, 2), (-1.5, 1.5), levels=12, resolution=60)
    _, _, Z = surface_grid(f, (-2, 2), (-1.5, 1.5), resolution=60)
    np.testing.assert_allclose(contours.levels, log_levels(Z, 12))
    assert ax.get_xlim() == (-2, 2) and ax.get_ylim() == (-1.5, 1.5)
    with pytest.raises(ValueError, match="xlim"):
        plot_surface_contours(ax, f, (2, -2), (-1, 1))


# -- trajectories ---------------------------------------------------------------------------------

def test_run_trajectory_equals_the_optimizers_own_steps():
    _, grad = quadratic_bowl(1.0, 4.0)
    theta0 = np.array([-1.8, 1.2])
    path, diverged_at = run_trajectory(Momentum(0.05, alpha=0.8), grad, theta0, 20)
    assert diverged_at is None
    assert path.shape == (21, 2) and path.dtype == np.float64
    reference, theta = Momentum(0.05, alpha=0.8), theta0.copy()
    expected = [theta0]
    for _ in range(20):
        theta = reference.step(theta, grad)
        expected.append(theta)
    np.testing.assert_array_equal(path, np.array(expected))


def test_run_trajectory_stops_when_iterates_grow_huge():
    # SGD on x^2 + y^2 multiplies theta by (1 - 2 eta) = -2 at eta = 1.5.
    _, grad = quadratic_bowl()
    theta0 = np.array([0.5, -0.25])
    path, diverged_at = run_trajectory(SGD(1.5), grad, theta0, 60)
    k = next(k for k in range(61) if 0.5 * 2.0 ** k > DIVERGENCE_LIMIT)
    assert diverged_at == k
    np.testing.assert_allclose(path[:k + 1], theta0 * (-2.0) ** np.arange(k + 1)[:, None])
    assert np.all(np.isnan(path[k + 1:]))
    assert path.shape == (61, 2)


def test_run_trajectory_reports_non_finite_iterates_and_gradients():
    class NaNAtThirdStep:
        def __init__(self):
            self.t = 0

        def step(self, theta, grad_fn):
            self.t += 1
            return theta * np.nan if self.t == 3 else theta - 0.1 * grad_fn(theta)

    _, grad = quadratic_bowl()
    path, diverged_at = run_trajectory(NaNAtThirdStep(), grad, [1.0, 1.0], 10)
    assert diverged_at == 3
    assert np.all(np.isfinite(path[:3])) and np.all(np.isnan(path[3:]))

    # course_lib's optimizers refuse a non-finite gradient with a FloatingPointError.
    path, diverged_at = run_trajectory(SGD(0.1), lambda w: np.array([np.inf, 0.0]), [1.0, 1.0], 5)
    assert diverged_at == 1 and np.all(np.isnan(path[1:]))


def test_run_trajectory_passes_on_other_errors_and_checks_shapes():
    class Unfinished:
        def step(self, theta, grad_fn):
            raise NotImplementedError

    class WrongShape:
        def step(self, theta, grad_fn):
            return np.zeros(3)

    _, grad = quadratic_bowl()
    with pytest.raises(NotImplementedError):
        run_trajectory(Unfinished(), grad, [1.0, 1.0], 5)
    with pytest.raises(ShapeError, match="shape"):
        run_trajectory(WrongShape(), grad, [1.0, 1.0], 5)


def test_run_trajectory_is_not_fooled_by_a_step_that_mutates_theta():
    class InPlace:
        def step(self, theta, grad_fn):
            theta -= 0.25 * grad_fn(theta)
            return theta

    _, grad = quadratic_bowl()
    path, _ = run_trajectory(InPlace(), grad, [1.0, -2.0], 3)
    np.testing.assert_allclose(path[:, 0], 0.5 ** np.arange(4))
    np.testing.assert_allclose(path[:, 1], -2.0 * 0.5 ** np.arange(4))


def test_plot_trajectory_draws_the_path():
    ax = new_ax()
    path = np.array([[0.0, 1.0], [0.5, 0.25], [0.75, 0.0]])
    line = plot_trajectory(ax, path, label="SGD", color="C3")
    np.testing.assert_array_equal(line.get_xdata(), path[:, 0])
    np.testing.assert_array_equal(line.get_ydata(), path[:, 1])
    assert line.get_label() == "SGD"
    with pytest.raises(ShapeError, match=r"\(K, 2\)"):
        plot_trajectory(ax, np.zeros((3, 3)))


# -- curves ---------------------------------------------------------------------------------------

def make_history(epochs, steps_per_epoch, with_val=True, seed=0):
    rng = np.random.default_rng(seed)
    h = History(steps_per_epoch=steps_per_epoch)
    h.step_loss = list(rng.uniform(0.1, 2.0, epochs * steps_per_epoch))
    h.step_eta = [0.1] * (epochs * steps_per_epoch)
    h.epoch_train_loss = list(rng.uniform(0.1, 2.0, epochs))
    h.epoch_train_accuracy = list(rng.uniform(0, 1, epochs))
    if with_val:
        h.epoch_val_loss = list(rng.uniform(0.1, 2.0, epochs))
        h.epoch_val_accuracy = list(rng.uniform(0, 1, epochs))
    return h


def test_plot_history_lines_hold_the_history():
    fig = Figure()
    axes = fig.subplots(1, 2)
    h = make_history(epochs=3, steps_per_epoch=4)
    lines = plot_history(h, axes=axes)
    np.testing.assert_allclose(lines["step_loss"].get_xdata(), np.arange(1, 13) / 4)
    np.testing.assert_array_equal(lines["step_loss"].get_ydata(), h.step_loss)
    for name, field in (("train_loss", "epoch_train_loss"), ("val_loss", "epoch_val_loss"),
                        ("train_accuracy", "epoch_train_accuracy"), ("val_accuracy", "epoch_val_accuracy")):
        np.testing.assert_array_equal(lines[name].get_xdata(), [1, 2, 3])
        np.testing.assert_array_equal(lines[name].get_ydata(), getattr(h, field))
    assert lines["train_loss"].axes is axes[0] and lines["val_accuracy"].axes is axes[1]
    assert axes[1].get_ylim() == (0.0, 1.02)


def test_update_history_lines_follows_a_growing_history():
    fig = Figure()
    axes = fig.subplots(1, 2)
    lines = plot_history(History(), axes=axes)
    assert len(lines["train_loss"].get_xdata()) == 0
    h = make_history(epochs=6, steps_per_epoch=2, with_val=False)
    h.epoch_train_loss[-1] = 50.0  # far above the others: the loss axis must grow to show it
    update_history_lines(lines, h)
    np.testing.assert_array_equal(lines["train_loss"].get_ydata(), h.epoch_train_loss)
    assert len(lines["val_loss"].get_xdata()) == 0
    assert axes[0].get_ylim()[1] >= 50.0 and axes[0].get_xlim()[1] >= 6
    assert axes[1].get_ylim() == (0.0, 1.02)


def test_plot_history_without_axes_makes_a_figure():
    import matplotlib.pyplot as plt

    lines = plot_history(make_history(2, 3))
    fig = lines["train_loss"].figure
    assert len(fig.axes) == 2
    plt.close(fig)
    with pytest.raises(ValueError, match="pair"):
        plot_history(History(), axes=[new_ax()])


def test_grad_norm_bars_heights_order_and_log_scale():
    ax = new_ax()
    norms = [1e-5, 3e-3, 0.2]
    bars = plot_grad_norm_bars(ax, norms)
    assert [p.get_height() for p in bars.patches] == norms
    assert [p.get_x() + p.get_width() / 2 for p in bars.patches] == [0, 1, 2]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3"]
    assert ax.get_yscale() == "log"
    low, high = ax.get_ylim()
    assert low < min(norms) and high > max(norms)


def test_grad_norm_bars_mark_zero_norms_and_check_labels():
    ax = new_ax()
    plot_grad_norm_bars(ax, [0.0, 0.5], labels=["in", "out"])
    assert [t.get_text() for t in ax.texts] == ["0"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["in", "out"]
    with pytest.raises(ValueError, match="one label per layer"):
        plot_grad_norm_bars(new_ax(), [1.0, 2.0], labels=["a"])
    with pytest.raises(ValueError, match="empty"):
        plot_grad_norm_bars(new_ax(), [])


def test_plot_lr_range_uses_a_log_axis():
    ax = new_ax()
    etas = np.geomspace(1e-4, 1.0, 9)
    losses = np.linspace(2.0, 1.0, 9)
    line = plot_lr_range(ax, etas, losses)
    assert ax.get_xscale() == "log"
    np.testing.assert_array_equal(line.get_xdata(), etas)
    np.testing.assert_array_equal(line.get_ydata(), losses)
