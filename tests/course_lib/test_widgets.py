"""course_lib.widgets driven from Python, without a browser: set a control, check plot and readout.

Each expectation is computed independently of the widget: optimizer paths by
calling the optimizer's step in a plain loop, training histories by one
call of course_lib.optim.train, gradient norms by layer_gradient_norms on a
network assembled here.
"""
import functools
import os

os.environ["MPLBACKEND"] = "Agg"  # before anything imports pyplot

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from course_lib.data import load_digits
from course_lib.gradient_norms import layer_gradient_norms
from course_lib.init import constant_init, gaussian_init, he_init, xavier_init
from course_lib.layers.losses import softmax_cross_entropy
from course_lib.modules import LeakyReLU, Linear, ReLU, Sequential, Sigmoid, Tanh
from course_lib.optim import (
    SGD,
    AdaDelta,
    Adam,
    Momentum,
    RMSProp,
    inverse_decay,
    train,
)
from course_lib.plots.trajectories import DIVERGENCE_LIMIT
from course_lib.widgets import DepthInitExplorer, LearningRateExplorer, TrainingExplorer, lr_range_test
from course_lib.widgets.figure_view import displayed_png
from course_lib.widgets.models import digits_mlp
from course_lib.widgets.training_explorer import RANGE_ETA_MAX, RANGE_ETA_MIN, RANGE_STEPS

ALL_OPTIMIZERS = {"SGD": SGD, "Momentum": Momentum, "RMSProp": RMSProp, "AdaDelta": AdaDelta, "Adam": Adam}


def manual_path(optimizer, grad, theta0, steps):
    """The iterates of a plain loop over optimizer.step, theta0 first: (steps + 1, 2)."""
    theta = np.asarray(theta0, dtype=np.float64)
    points = [theta]
    for _ in range(steps):
        theta = optimizer.step(theta, grad)
        points.append(theta)
    return np.array(points)


def line_path(line):
    return np.column_stack([line.get_xdata(), line.get_ydata()])


def hyper_shown(explorer):
    return {name for name in ("alpha", "rho", "rho1", "rho2")
            if explorer.controls[name].layout.display != "none"}


# -- LearningRateExplorer -------------------------------------------------------------------------

@pytest.fixture
def lr_explorer():
    return LearningRateExplorer(dict(ALL_OPTIMIZERS), selected=list(ALL_OPTIMIZERS), steps=30)


def test_controls_have_the_documented_keys(lr_explorer):
    assert set(lr_explorer.controls) == {"optimizers", "surface", "eta", "alpha", "rho", "rho1", "rho2",
                                         "steps"}
    assert list(lr_explorer.controls["surface"].options) == ["x^2 + y^2", "x^2 + 4y^2", "Rosenbrock"]
    bundle = lr_explorer._repr_mimebundle_()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == lr_explorer.widget.model_id


def test_eta_change_moves_lines_and_readout_like_an_independent_run(lr_explorer):
    surface = lr_explorer.surfaces["x^2 + y^2"]
    before_line = line_path(lr_explorer.lines["SGD"]).copy()
    before_readout = lr_explorer.readout.value
    before_png = displayed_png(lr_explorer.output)

    lr_explorer.controls["eta"].value = 0.3

    for name, make in (("SGD", lambda: SGD(0.3)),
                       ("Momentum", lambda: Momentum(0.3, alpha=lr_explorer.controls["alpha"].value)),
                       ("Adam", lambda: Adam(0.3, rho1=lr_explorer.controls["rho1"].value,
                                             rho2=lr_explorer.controls["rho2"].value))):
        expected = manual_path(make(), surface.grad, surface.theta0, 30)
        np.testing.assert_array_equal(line_path(lr_explorer.lines[name]), expected)
        np.testing.assert_array_equal(lr_explorer.last_paths[name], expected)
        final = surface.f(expected[-1])
        assert lr_explorer.final_values[name] == final
        assert f"f = {final:.6g}" in lr_explorer.readout.value
    assert not np.array_equal(line_path(lr_explorer.lines["SGD"]), before_line)
    assert lr_explorer.readout.value != before_readout
    png = displayed_png(lr_explorer.output)
    assert png.startswith(b"\x89PNG") and png != before_png


def test_hyperparameter_slider_changes_only_the_optimizers_that_take_it(lr_explorer):
    sgd_before = line_path(lr_explorer.lines["SGD"]).copy()
    momentum_before = line_path(lr_explorer.lines["Momentum"]).copy()
    lr_explorer.controls["alpha"].value = 0.5
    surface = lr_explorer.surfaces["x^2 + y^2"]
    eta = lr_explorer.controls["eta"].value
    expected = manual_path(Momentum(eta, alpha=0.5), surface.grad, surface.theta0, 30)
    np.testing.assert_array_equal(line_path(lr_explorer.lines["Momentum"]), expected)
    assert not np.array_equal(expected, momentum_before)
    np.testing.assert_array_equal(line_path(lr_explorer.lines["SGD"]), sgd_before)

    lr_explorer.controls["rho"].value = 0.5
    for name, make in (("RMSProp", lambda: RMSProp(eta, rho=0.5)),
                       ("AdaDelta", lambda: AdaDelta(rho=0.5, eta=eta))):
        np.testing.assert_array_equal(line_path(lr_explorer.lines[name]),
                                      manual_path(make(), surface.grad, surface.theta0, 30))


def test_selection_hides_and_shows_hyperparameter_sliders_and_lines(lr_explorer):
    selection = lr_explorer.controls["optimizers"]
    assert hyper_shown(lr_explorer) == {"alpha", "rho", "rho1", "rho2"}
    selection.value = ("SGD",)
    assert hyper_shown(lr_explorer) == set()
    assert lr_explorer.lines["SGD"].get_visible() and not lr_explorer.lines["Adam"].get_visible()
    assert set(lr_explorer.last_paths) == {"SGD"} and "Adam" not in lr_explorer.readout.value
    selection.value = ("SGD", "Momentum")
    assert hyper_shown(lr_explorer) == {"alpha"}
    selection.value = ("Adam",)
    assert hyper_shown(lr_explorer) == {"rho1", "rho2"}
    selection.value = ("AdaDelta", "RMSProp")
    assert hyper_shown(lr_explorer) == {"rho"}
    selection.value = ()
    assert "Select" in lr_explorer.readout.value


def test_surface_and_steps_controls(lr_explorer):
    lr_explorer.controls["optimizers"].value = ("Adam",)
    lr_explorer.controls["surface"].value = "Rosenbrock"
    lr_explorer.controls["steps"].value = 40
    surface = lr_explorer.surfaces["Rosenbrock"]
    eta = lr_explorer.controls["eta"].value
    expected = manual_path(Adam(eta), surface.grad, surface.theta0, 40)
    np.testing.assert_array_equal(line_path(lr_explorer.lines["Adam"]), expected)
    assert lr_explorer.ax.get_ylim() == surface.ylim
    visible = [name for name, c in lr_explorer._contours.items() if c.get_visible()]
    assert visible == ["Rosenbrock"]
    lr_explorer.controls["surface"].value = "x^2 + y^2"
    visible = [name for name, c in lr_explorer._contours.items() if c.get_visible()]
    assert visible == ["x^2 + y^2"] and len(lr_explorer._contours) == 2


def test_not_implemented_is_reported_and_the_others_still_run():
    class StepNotWritten:
        def __init__(self, eta=0.01, alpha=0.9):
            self.eta, self.alpha = eta, alpha

        def step(self, theta, grad_fn):
            raise NotImplementedError("write the momentum update")

    class ConstructorNotWritten:
        def __init__(self, eta=0.01):
            raise NotImplementedError

    explorer = LearningRateExplorer({"SGD": SGD, "mine": StepNotWritten, "other": ConstructorNotWritten},
                                    steps=10)
    assert explorer.messages["mine"] == "not implemented yet"
    assert explorer.messages["other"] == "not implemented yet"
    assert explorer.readout.value.count("not implemented yet") == 2
    assert len(explorer.lines["mine"].get_xdata()) == 0 and "mine" not in explorer.last_paths
    assert explorer.final_values["SGD"] is not None and explorer.last_paths["SGD"].shape == (11, 2)
    assert hyper_shown(explorer) == {"alpha"}  # read from StepNotWritten's signature


def test_other_student_errors_are_shown_not_raised():
    class Buggy:
        def __init__(self, eta):
            self.eta = eta

        def step(self, theta, grad_fn):
            raise ValueError("shapes (2,) and (3,) not aligned")

    explorer = LearningRateExplorer({"buggy": Buggy}, steps=5)
    assert explorer.messages["buggy"] == "error: ValueError: shapes (2,) and (3,) not aligned"
    assert "ValueError" in explorer.readout.value


def test_divergence_is_reported_with_its_step(lr_explorer):
    lr_explorer.controls["optimizers"].value = ("SGD",)
    lr_explorer.controls["surface"].value = "x^2 + 4y^2"
    lr_explorer.controls["steps"].value = 100
    lr_explorer.controls["eta"].value = 0.3
    # SGD multiplies y by 1 - 8 eta = -1.4 each step on x^2 + 4 y^2.
    y0 = abs(lr_explorer.surfaces["x^2 + 4y^2"].theta0[1])
    k = next(k for k in range(1, 101) if y0 * 1.4 ** k > DIVERGENCE_LIMIT)
    assert lr_explorer.messages["SGD"] == f"diverged at step {k}"
    assert f"diverged at step {k}" in lr_explorer.readout.value
    assert lr_explorer.final_values["SGD"] is None
    assert np.all(np.isnan(lr_explorer.last_paths["SGD"][k + 1:]))


def test_factories_and_constructors_without_eta():
    def momentum_factory(eta, alpha=0.7):
        return Momentum(eta, alpha)

    class LectureAdaDelta(AdaDelta):  # the lecture's AdaDelta has no learning rate
        def __init__(self, rho=0.95, delta=1e-6):
            super().__init__(rho=rho, delta=delta)

    explorer = LearningRateExplorer({"factory": momentum_factory, "AdaDelta": LectureAdaDelta},
                                    theta0=(1.0, -1.0), steps=15)
    assert explorer.controls["alpha"].value == 0.7  # the first constructor's default
    explorer.controls["eta"].value = 0.02
    grad = explorer.surfaces["x^2 + y^2"].grad
    np.testing.assert_array_equal(explorer.last_paths["factory"],
                                  manual_path(Momentum(0.02, 0.7), grad, (1.0, -1.0), 15))
    np.testing.assert_array_equal(explorer.last_paths["AdaDelta"],
                                  manual_path(AdaDelta(rho=0.95), grad, (1.0, -1.0), 15))


def test_bad_arguments_are_refused_clearly():
    with pytest.raises(TypeError, match="non-empty dict"):
        LearningRateExplorer({})
    with pytest.raises(TypeError, match="optimizer class"):
        LearningRateExplorer({"SGD": "SGD"})
    with pytest.raises(ValueError, match="not keys"):
        LearningRateExplorer({"SGD": SGD}, selected=["Adam"])
    with pytest.raises(TypeError, match=r"surfaces\['bowl'\]"):
        LearningRateExplorer({"SGD": SGD}, surfaces={"bowl": 3})


def test_redraw_time_is_measured_and_printed():
    explorer = LearningRateExplorer(dict(ALL_OPTIMIZERS), selected=list(ALL_OPTIMIZERS), steps=50)
    first, *others = explorer.controls["surface"].options
    timings = {f"{first}, first draw (with its contours)": explorer.last_redraw_seconds,
               f"{first}, redraw": explorer.redraw()}
    for surface in others:
        explorer.controls["surface"].value = surface  # the first visit also computes the contours
        timings[f"{surface}, first visit"] = explorer.last_redraw_seconds
        timings[f"{surface}, redraw"] = explorer.redraw()
    explorer.controls["steps"].value = 300
    timings[f"{surface}, 300 steps"] = explorer.last_redraw_seconds
    for what, seconds in timings.items():
        print(f"LearningRateExplorer redraw, 5 optimizers, {what}: {1000 * seconds:.0f} ms")
    assert all(seconds > 0 for seconds in timings.values())
    assert explorer.timing.value.startswith("redrawn in ")


# -- TrainingExplorer and lr_range_test ------------------------------------------------------------

N_TRAIN, N_VAL, BATCH = 96, 48, 32  # three steps per epoch


@pytest.fixture(scope="module")
def tiny_digits():
    splits = load_digits(seed=0)
    return ((splits.x_train[:N_TRAIN], splits.y_train[:N_TRAIN]),
            (splits.x_val[:N_VAL], splits.y_val[:N_VAL]))


def training_explorer(optimizers, data, epochs=1, seed=3):
    return TrainingExplorer(optimizers, data=data, seed=seed, epochs=epochs, batch_size=BATCH)


def test_training_explorer_run_equals_train_and_updates_curves(tiny_digits):
    explorer = training_explorer({"SGD": SGD, "Adam": Adam}, tiny_digits)
    assert set(explorer.controls) == {"optimizer", "eta", "schedule", "k", "batch_size", "epochs", "run",
                                      "range_test"}
    before = displayed_png(explorer.output)
    explorer.controls["eta"].value = 0.1
    explorer.controls["run"].click()

    rng = np.random.default_rng(3)
    expected = train(digits_mlp(rng), softmax_cross_entropy, tiny_digits, SGD(0.1), 1, BATCH, seed=rng,
                     progress=False)
    assert explorer.history == expected
    np.testing.assert_array_equal(explorer.lines["step_loss"].get_ydata(), expected.step_loss)
    np.testing.assert_array_equal(explorer.lines["train_loss"].get_ydata(), expected.epoch_train_loss)
    np.testing.assert_array_equal(explorer.lines["val_accuracy"].get_ydata(), expected.epoch_val_accuracy)
    assert explorer.progress.value == explorer.progress.max == 1
    assert "epoch 1/1" in explorer.status.value
    assert f"{expected.epoch_train_loss[-1]:.4f}" in explorer.status.value
    assert displayed_png(explorer.output) != before
    assert not explorer.controls["run"].disabled


def test_training_explorer_epochs_and_schedule(tiny_digits):
    explorer = training_explorer({"SGD": SGD, "Momentum": Momentum}, tiny_digits)
    assert explorer.controls["k"].layout.display == "none"
    explorer.controls["optimizer"].value = "Momentum"
    explorer.controls["schedule"].value = "inverse"
    assert explorer.controls["k"].layout.display == ""
    explorer.controls["k"].value = 0.1
    explorer.controls["eta"].value = 0.05
    explorer.controls["epochs"].value = 2
    history = explorer.run()

    rng = np.random.default_rng(3)
    schedule = functools.partial(inverse_decay, 0.05, 0.1)
    expected = train(digits_mlp(rng), softmax_cross_entropy, tiny_digits, Momentum(schedule=schedule), 2,
                     BATCH, seed=rng, progress=False)
    assert history == expected
    np.testing.assert_allclose(history.step_eta, [0.05 / (1 + 0.1 * t) for t in range(6)], rtol=1e-15)
    np.testing.assert_array_equal(explorer.lines["train_accuracy"].get_xdata(), [1, 2])


def test_training_explorer_reports_divergence_and_unfinished_optimizers(tiny_digits):
    class ExplodesAtStepFive:
        def __init__(self, eta=0.1):
            self.eta, self.t = eta, 0

        def step(self, theta, grad_fn):
            self.t += 1
            new = theta - self.eta * grad_fn(theta)
            return new * np.nan if self.t == 5 else new

    class Unfinished:
        def __init__(self, eta=0.1):
            pass

        def step(self, theta, grad_fn):
            raise NotImplementedError

    explorer = training_explorer({"explodes": ExplodesAtStepFive, "unfinished": Unfinished}, tiny_digits,
                                 epochs=3)
    explorer.run()
    # Three steps per epoch: step 5 is the second step of epoch 2; epoch 1 stays on the curves.
    assert "diverged at step 5 (epoch 2)" in explorer.status.value
    assert len(explorer.history.epoch_train_loss) == 1
    assert len(explorer.lines["train_loss"].get_xdata()) == 1
    explorer.controls["optimizer"].value = "unfinished"
    explorer.run()
    assert "not implemented yet" in explorer.status.value


def test_lr_range_test_matches_train_with_the_same_schedule(tiny_digits):
    etas, losses = lr_range_test(digits_mlp, softmax_cross_entropy, tiny_digits, SGD, 1e-3, 1e-1, 6, seed=5,
                                 batch_size=BATCH, stop_factor=1e6)
    expected_etas = 1e-3 * 100.0 ** (np.arange(6) / 5)
    np.testing.assert_allclose(etas, expected_etas, rtol=1e-14)
    rng = np.random.default_rng(5)
    schedule = lambda t: float(expected_etas[t])  # noqa: E731
    history = train(digits_mlp(rng), softmax_cross_entropy, tiny_digits, SGD(schedule=schedule), 2, BATCH,
                    seed=rng, progress=False)
    np.testing.assert_allclose(losses, history.step_loss, rtol=1e-13)


def test_lr_range_test_stops_when_the_loss_explodes(tiny_digits):
    etas, losses = lr_range_test(digits_mlp, softmax_cross_entropy, tiny_digits, SGD, 1e-2, 1e3, 40, seed=0,
                                 batch_size=BATCH)
    assert 2 <= len(losses) < 40 and len(etas) == len(losses)
    running_min = np.minimum.accumulate(losses)
    assert np.all(losses[:-1] <= 4.0 * running_min[:-1])
    assert losses[-1] > 4.0 * running_min[-2]


def test_lr_range_test_needs_a_schedule_argument(tiny_digits):
    class NoSchedule:
        def __init__(self, eta=0.1):
            self.eta = eta

        def step(self, theta, grad_fn):
            return theta - self.eta * grad_fn(theta)

    with pytest.raises(TypeError, match="schedule"):
        lr_range_test(digits_mlp, softmax_cross_entropy, tiny_digits, NoSchedule, 1e-3, 1.0, 5)
    with pytest.raises(ValueError, match="eta_min must be below eta_max"):
        lr_range_test(digits_mlp, softmax_cross_entropy, tiny_digits, SGD, 1.0, 1e-3, 5)


def test_training_explorer_range_test_button(tiny_digits):
    explorer = training_explorer({"SGD": SGD, "Adam": Adam}, tiny_digits)
    explorer.controls["optimizer"].value = "Adam"
    explorer.controls["eta"].value = 0.002
    explorer.controls["range_test"].click()
    etas, losses = lr_range_test(digits_mlp, softmax_cross_entropy, tiny_digits, Adam, RANGE_ETA_MIN,
                                 RANGE_ETA_MAX, RANGE_STEPS, 3, batch_size=BATCH)
    np.testing.assert_array_equal(explorer.range_line.get_xdata(), etas)
    np.testing.assert_array_equal(explorer.range_line.get_ydata(), losses)
    assert explorer.range_line.axes.get_xscale() == "log"
    assert list(explorer.eta_marker.get_xdata()) == [0.002, 0.002]
    best = int(np.argmin(losses))
    assert f"at eta = {etas[best]:.3g}" in explorer.status.value


# -- DepthInitExplorer ----------------------------------------------------------------------------

ACTIVATION_MODULES = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "leaky relu": lambda: LeakyReLU(0.01)}
INITS = {"gaussian": gaussian_init, "he": he_init, "xavier": xavier_init,
         "constant": lambda r_in, r_out, rng: constant_init(r_in, r_out, 0.1)}


def net_built_here(depth, activation, init, seed=0, width=30):
    rng = np.random.default_rng(seed)
    sizes = [64] + [width] * (depth - 1) + [10]
    layers = []
    for i in range(depth):
        linear = Linear(sizes[i], sizes[i + 1])
        linear.params["w"] = INITS[init](sizes[i], sizes[i + 1], rng)
        layers.append(linear)
        if i + 1 < depth:
            layers.append(ACTIVATION_MODULES[activation]())
    return Sequential(*layers)


@pytest.fixture(scope="module")
def digits():
    return load_digits(seed=0)


def test_depth_explorer_bars_equal_layer_gradient_norms(digits):
    explorer = DepthInitExplorer(data=digits)
    assert set(explorer.controls) == {"activation", "depth", "init"}
    x, y = digits.x_train[:100], digits.y_train[:100]
    for activation, depth, init in (("sigmoid", 5, "gaussian"), ("relu", 8, "he"),
                                    ("leaky relu", 2, "xavier"), ("tanh", 3, "constant")):
        explorer.controls["activation"].value = activation
        explorer.controls["depth"].value = depth
        explorer.controls["init"].value = init
        expected = layer_gradient_norms(net_built_here(depth, activation, init), x, y)
        assert explorer.norms == expected
        assert [bar.get_height() for bar in explorer.bars.patches] == expected
        assert explorer.ax.get_yscale() == "log"
        assert f"first layer {expected[0]:.3g}" in explorer.readout.value


def test_depth_explorer_shows_vanishing_gradients_for_sigmoid(digits):
    explorer = DepthInitExplorer(data=digits, depth=6, activation="sigmoid", init="gaussian")
    assert explorer.norms[0] < explorer.norms[-1] / 10


def test_depth_explorer_uses_the_students_functions(digits):
    calls = []

    def my_he(r_in, r_out, rng):
        calls.append((r_in, r_out))
        return he_init(r_in, r_out, rng)

    def my_norms(model, x, y):
        raise NotImplementedError

    explorer = DepthInitExplorer(data=digits, initializers={"he": my_he}, init="he", depth=4)
    assert calls == [(64, 30), (30, 30), (30, 30), (30, 10)]
    explorer = DepthInitExplorer(data=digits, layer_gradient_norms=my_norms)
    assert explorer.readout.value == "not implemented yet" and explorer.norms is None
    explorer.controls["depth"].value = 3  # still responds after a failure
    assert explorer.readout.value == "not implemented yet"

    def wrong_shape(r_in, r_out, rng):
        return np.zeros((r_out, r_in))

    explorer = DepthInitExplorer(data=digits, initializers={"xavier": wrong_shape}, init="xavier")
    assert "ShapeError" in explorer.readout.value and "(r_in, r_out)" in explorer.readout.value
