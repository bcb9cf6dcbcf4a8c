"""course_lib.widgets driven from Python, without a browser: set a control, check plot and readout.

Each expectation is computed independently of the widget: optimizer paths by
calling the optimizer's step in a plain loop, training histories by one
call of course_lib.optim.train, gradient norms by layer_gradient_norms on a
network assembled here.
"""
import functools
import io
import os

os.environ["MPLBACKEND"] = "Agg"  # before anything imports pyplot

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from PIL import Image

from course_lib.data import load_digits
from course_lib.gradient_norms import layer_gradient_norms
from course_lib.init import constant_init, gaussian_init, he_init, xavier_init
from course_lib.layers.losses import softmax_cross_entropy
from course_lib.modules import LeakyReLU, Linear, ReLU, Sequential, Sigmoid, Tanh
from course_lib.optim import (
    SGD,
    AdaDelta,
    Adam,
    History,
    Momentum,
    RMSProp,
    inverse_decay,
    train,
)
from course_lib.plots.trajectories import DIVERGENCE_LIMIT
from course_lib.widgets import DepthInitExplorer, LearningRateExplorer, TrainingExplorer, lr_range_test
from course_lib.widgets.eta_choices import COMPARE, parse_etas
from course_lib.widgets.figure_view import displayed_png, figure_png
from course_lib.widgets.loss_verdict import EXPLODED_RATIO, loss_verdict
from course_lib.widgets.models import digits_mlp
from course_lib.widgets.training_explorer import MAX_EARLIER_RUNS, RANGE_ETA_MAX, RANGE_ETA_MIN, RANGE_STEPS

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


def etas_shown(explorer):
    return {key.removeprefix("eta:") for key, control in explorer.controls.items()
            if key.startswith("eta:") and control.layout.display != "none"}


# -- LearningRateExplorer -------------------------------------------------------------------------

@pytest.fixture
def lr_explorer():
    return LearningRateExplorer(dict(ALL_OPTIMIZERS), selected=list(ALL_OPTIMIZERS), steps=30)


def own_eta(explorer, name):
    return explorer.controls[f"eta:{name}"].value


def test_controls_have_the_documented_keys(lr_explorer):
    assert set(lr_explorer.controls) == {"optimizers", "surface", "compare", "eta_list", "alpha", "rho", "rho1",
                                         "rho2", "steps"} | {f"eta:{name}" for name in ALL_OPTIMIZERS}
    assert list(lr_explorer.controls["surface"].options) == ["x^2 + y^2", "x^2 + 4y^2", "Rosenbrock"]
    assert list(lr_explorer.controls["compare"].options) == list(COMPARE)
    bundle = lr_explorer._repr_mimebundle_()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == lr_explorer.widget.model_id


def test_eta_change_moves_lines_and_readout_like_an_independent_run(lr_explorer):
    surface = lr_explorer.surfaces["x^2 + y^2"]
    before_line = line_path(lr_explorer.lines["SGD"]).copy()
    before_readout = lr_explorer.readout.value
    before_png = displayed_png(lr_explorer.output)

    lr_explorer.controls["eta:SGD"].value = 0.3

    expected = manual_path(SGD(0.3), surface.grad, surface.theta0, 30)
    np.testing.assert_array_equal(line_path(lr_explorer.lines["SGD"]), expected)
    np.testing.assert_array_equal(lr_explorer.last_paths["SGD"], expected)
    final = surface.f(expected[-1])
    assert lr_explorer.final_values["SGD"] == final
    assert f"f = {final:.6g}" in lr_explorer.readout.value and "eta = 0.3<" in lr_explorer.readout.value
    assert not np.array_equal(line_path(lr_explorer.lines["SGD"]), before_line)
    assert lr_explorer.readout.value != before_readout
    png = displayed_png(lr_explorer.output)
    assert png.startswith(b"\x89PNG") and png != before_png


def test_each_optimizer_has_its_own_eta(lr_explorer):
    surface = lr_explorer.surfaces["x^2 + y^2"]
    others = {name: lr_explorer.last_paths[name].copy() for name in ALL_OPTIMIZERS if name != "Adam"}
    lr_explorer.controls["eta:Adam"].value = 0.2
    lr_explorer.controls["eta:AdaDelta"].value = 1.0
    expected = {
        "Adam": manual_path(Adam(0.2, rho1=lr_explorer.controls["rho1"].value,
                                 rho2=lr_explorer.controls["rho2"].value), surface.grad, surface.theta0, 30),
        "AdaDelta": manual_path(AdaDelta(rho=lr_explorer.controls["rho"].value, eta=1.0), surface.grad,
                                surface.theta0, 30),
        "SGD": manual_path(SGD(0.05), surface.grad, surface.theta0, 30),
    }
    for name, path in expected.items():
        np.testing.assert_array_equal(lr_explorer.last_paths[name], path)
    for name in ("SGD", "Momentum", "RMSProp"):  # untouched by the other optimizers' sliders
        np.testing.assert_array_equal(lr_explorer.last_paths[name], others[name])
    assert own_eta(lr_explorer, "SGD") == 0.05


def test_start_etas_come_from_eta_and_etas():
    explorer = LearningRateExplorer(dict(ALL_OPTIMIZERS), eta=0.02, etas={"AdaDelta": 1.0, "Adam": 0.1},
                                    selected=["SGD", "AdaDelta", "Adam"], steps=10)
    assert {name: own_eta(explorer, name) for name in ALL_OPTIMIZERS} == pytest.approx(
        {"SGD": 0.02, "Momentum": 0.02, "RMSProp": 0.02, "AdaDelta": 1.0, "Adam": 0.1}, rel=1e-12)
    surface = explorer.surfaces["x^2 + y^2"]
    rho = explorer.controls["rho"].value
    np.testing.assert_array_equal(explorer.last_paths["AdaDelta"],
                                  manual_path(AdaDelta(rho=rho, eta=1.0), surface.grad, surface.theta0, 10))
    with pytest.raises(ValueError, match="not keys"):
        LearningRateExplorer({"SGD": SGD}, etas={"Adam": 0.1})
    with pytest.raises(ValueError, match="learning rate > 0"):
        LearningRateExplorer({"SGD": SGD}, etas={"SGD": -1.0})


@pytest.mark.parametrize("compare, factors", [("eta/3, eta, 3 eta", (1 / 3, 1, 3)),
                                              ("eta/10, eta, 10 eta", (0.1, 1, 10))])
def test_compare_overlays_three_etas_per_optimizer(compare, factors):
    explorer = LearningRateExplorer(dict(ALL_OPTIMIZERS), selected=["SGD", "Adam"], eta=0.03,
                                    etas={"Adam": 0.1}, steps=20)
    surface = explorer.surfaces["x^2 + y^2"]
    explorer.controls["compare"].value = compare
    for name, own, make in (("SGD", 0.03, SGD), ("Adam", 0.1, Adam)):
        runs = explorer.runs[name]
        assert [run.eta for run in runs] == pytest.approx([own * f for f in factors], rel=1e-12)
        visible = [line for line in explorer.run_lines[name] if line.get_visible()]
        assert len(visible) == 3 and len({line.get_linestyle() for line in visible}) == 3
        for run in runs:
            expected = manual_path(make(run.eta), surface.grad, surface.theta0, 20)
            np.testing.assert_array_equal(run.path, expected)
            line = explorer.run_lines[name][run.style]
            assert line.get_visible() and line.get_color() == explorer.lines[name].get_color()
            np.testing.assert_array_equal(line_path(line), expected)
            assert f"{run.label} = {run.eta:.3g}" in explorer.readout.value
        np.testing.assert_array_equal(explorer.last_paths[name],  # entry 0 stays the own eta
                                      manual_path(make(own), surface.grad, surface.theta0, 20))
    assert explorer.readout.value.count("<tr>") == 6
    labels = [text.get_text() for text in explorer.ax.get_legend().get_texts()]
    low, high = (f"eta/{1 / factors[0]:g}", f"{factors[2]:g} eta")
    assert labels == ["SGD", "Adam", low, "eta", high]

    explorer.controls["compare"].value = "one eta each"
    assert explorer.readout.value.count("<tr>") == 2
    assert sum(line.get_visible() for lines in explorer.run_lines.values() for line in lines) == 2
    assert [t.get_text() for t in explorer.ax.get_legend().get_texts()] == ["SGD", "Adam"]


def test_a_list_of_etas_is_run_for_every_selected_optimizer():
    explorer = LearningRateExplorer(dict(ALL_OPTIMIZERS), selected=["SGD", "Momentum"], steps=15)
    surface = explorer.surfaces["x^2 + y^2"]
    assert explorer.controls["eta_list"].layout.display == "none"
    explorer.controls["compare"].value = "a list of etas"
    assert explorer.controls["eta_list"].layout.display == ""
    assert explorer.controls["eta:SGD"].layout.display == "none"  # the list replaces the own sliders
    assert "type one or more learning rates" in explorer.readout.value
    assert not any(line.get_visible() for lines in explorer.run_lines.values() for line in lines)

    explorer.controls["eta_list"].value = "0.1, 0.25;0.3"
    alpha = explorer.controls["alpha"].value
    for name, make in (("SGD", SGD), ("Momentum", lambda eta: Momentum(eta, alpha=alpha))):
        assert [run.eta for run in explorer.runs[name]] == [0.1, 0.25, 0.3]
        for run in explorer.runs[name]:
            np.testing.assert_array_equal(run.path, manual_path(make(run.eta), surface.grad, surface.theta0, 15))
    assert explorer.readout.value.count("eta = 0.25<") == 2
    assert [t.get_text() for t in explorer.ax.get_legend().get_texts()] == [
        "SGD", "Momentum", "eta = 0.1", "eta = 0.25", "eta = 0.3"]

    explorer.controls["eta_list"].value = "0.1, fast"
    assert "fast" in explorer.readout.value and "is not a number" in explorer.readout.value
    assert explorer.runs == {}
    explorer.controls["compare"].value = "one eta each"
    assert explorer.controls["eta:SGD"].layout.display == "" and len(explorer.runs) == 2


def test_a_list_can_be_given_to_the_constructor():
    explorer = LearningRateExplorer({"SGD": SGD}, compare=[0.3, 0.1], steps=5)
    assert explorer.controls["compare"].value == "a list of etas"
    assert explorer.controls["eta_list"].value == "0.3, 0.1"
    assert [run.eta for run in explorer.runs["SGD"]] == [0.1, 0.3]
    assert explorer.runs["SGD"][1].style == 0  # the first value typed gets the solid line
    with pytest.raises(ValueError, match="compare must be one of"):
        LearningRateExplorer({"SGD": SGD}, compare="everything")


@pytest.mark.parametrize("text, message", [("", "type one or more"), ("0.1 x", "'x' is not a number"),
                                           ("0.1, -2", "must be a number > 0"), ("inf", "must be a number > 0"),
                                           ("1 2 3 4 5 6 7", "at most 6")])
def test_parse_etas_explains_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        parse_etas(text)


def test_parse_etas_reads_commas_semicolons_and_spaces():
    assert parse_etas(" 0.01,0.03 ; 1e-1  0.01") == (0.01, 0.03, 0.1)


def test_hyperparameter_slider_changes_only_the_optimizers_that_take_it(lr_explorer):
    sgd_before = line_path(lr_explorer.lines["SGD"]).copy()
    momentum_before = line_path(lr_explorer.lines["Momentum"]).copy()
    lr_explorer.controls["alpha"].value = 0.5
    assert lr_explorer.runs_computed == 1  # only Momentum takes alpha
    surface = lr_explorer.surfaces["x^2 + y^2"]
    eta = own_eta(lr_explorer, "Momentum")
    expected = manual_path(Momentum(eta, alpha=0.5), surface.grad, surface.theta0, 30)
    np.testing.assert_array_equal(line_path(lr_explorer.lines["Momentum"]), expected)
    assert not np.array_equal(expected, momentum_before)
    np.testing.assert_array_equal(line_path(lr_explorer.lines["SGD"]), sgd_before)

    lr_explorer.controls["rho"].value = 0.5
    for name, make in (("RMSProp", lambda: RMSProp(own_eta(lr_explorer, "RMSProp"), rho=0.5)),
                       ("AdaDelta", lambda: AdaDelta(rho=0.5, eta=own_eta(lr_explorer, "AdaDelta")))):
        np.testing.assert_array_equal(line_path(lr_explorer.lines[name]),
                                      manual_path(make(), surface.grad, surface.theta0, 30))


def test_selection_hides_and_shows_sliders_and_lines(lr_explorer):
    selection = lr_explorer.controls["optimizers"]
    assert hyper_shown(lr_explorer) == {"alpha", "rho", "rho1", "rho2"}
    selection.value = ("SGD",)
    assert hyper_shown(lr_explorer) == set()
    assert etas_shown(lr_explorer) == {"SGD"}
    assert lr_explorer.lines["SGD"].get_visible() and not lr_explorer.lines["Adam"].get_visible()
    assert set(lr_explorer.last_paths) == {"SGD"} and "Adam" not in lr_explorer.readout.value
    selection.value = ("SGD", "Momentum")
    assert hyper_shown(lr_explorer) == {"alpha"} and etas_shown(lr_explorer) == {"SGD", "Momentum"}
    selection.value = ("Adam",)
    assert hyper_shown(lr_explorer) == {"rho1", "rho2"}
    selection.value = ("AdaDelta", "RMSProp")
    assert hyper_shown(lr_explorer) == {"rho"}
    selection.value = ()
    assert "Select" in lr_explorer.readout.value and etas_shown(lr_explorer) == set()


def test_surface_and_steps_controls(lr_explorer):
    lr_explorer.controls["optimizers"].value = ("Adam",)
    lr_explorer.controls["surface"].value = "Rosenbrock"
    lr_explorer.controls["steps"].value = 40
    surface = lr_explorer.surfaces["Rosenbrock"]
    expected = manual_path(Adam(own_eta(lr_explorer, "Adam")), surface.grad, surface.theta0, 40)
    np.testing.assert_array_equal(line_path(lr_explorer.lines["Adam"]), expected)
    assert lr_explorer.ax.get_ylim() == surface.ylim
    visible = [name for name, c in lr_explorer._contours.items() if c.get_visible()]
    assert visible == ["Rosenbrock"]
    lr_explorer.controls["surface"].value = "x^2 + y^2"
    visible = [name for name, c in lr_explorer._contours.items() if c.get_visible()]
    assert visible == ["x^2 + y^2"] and len(lr_explorer._contours) == 2


def test_moving_one_eta_reruns_one_optimizer_and_draws_only_the_paths():
    """The work a slider move costs, counted: runs computed, whole-figure draws, figures and lines made."""
    explorer = LearningRateExplorer(dict(ALL_OPTIMIZERS), selected=list(ALL_OPTIMIZERS), steps=60)
    explorer.controls["surface"].value = "Rosenbrock"
    lines_before = list(explorer.ax.lines)
    draws = explorer.layers.full_draws
    for value in (0.001, 0.002, 0.004):
        explorer.controls["eta:Adam"].value = value
        assert explorer.runs_computed == 1
    assert explorer.layers.full_draws == draws  # background reused: no contour or legend redrawn
    assert list(explorer.ax.lines) == lines_before  # the same Line2D objects, moved with set_data
    assert explorer.figure.axes == [explorer.ax]

    explorer.controls["compare"].value = "eta/3, eta, 3 eta"
    assert explorer.runs_computed == 2 * len(ALL_OPTIMIZERS)  # the own etas are reused
    assert explorer.layers.full_draws == draws + 1  # the legend gained the line styles
    explorer.controls["eta:SGD"].value = 0.01
    assert explorer.runs_computed == 3 and explorer.layers.full_draws == draws + 1
    explorer.controls["steps"].value = 61
    assert explorer.runs_computed == 3 * len(ALL_OPTIMIZERS) and explorer.layers.full_draws == draws + 2
    assert explorer.figure.axes == [explorer.ax]


def test_layered_drawing_shows_what_a_full_draw_shows():
    explorer = LearningRateExplorer(dict(ALL_OPTIMIZERS), selected=list(ALL_OPTIMIZERS), steps=60,
                                    compare="eta/3, eta, 3 eta")
    explorer.controls["surface"].value = "Rosenbrock"
    explorer.controls["eta:Adam"].value = 0.3  # drawn over the saved background

    def pixels(png):
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int64)

    layered = pixels(displayed_png(explorer.output))
    full = pixels(figure_png(explorer.figure))
    for line in explorer.ax.lines:
        line.set_visible(False)
    without_paths = pixels(figure_png(explorer.figure))
    differ = (np.abs(layered - full).max(axis=2) > 40).mean()
    paths = (np.abs(without_paths - full).max(axis=2) > 40).mean()
    # Only the stacking order of paths against contour lines and the axes frame differs.
    assert paths > 0.005 and differ < paths / 5, (differ, paths)


def test_factories_and_constructors_without_eta():
    def momentum_factory(eta, alpha=0.7):
        return Momentum(eta, alpha)

    class LectureAdaDelta(AdaDelta):  # the lecture's AdaDelta has no learning rate
        def __init__(self, rho=0.95, delta=1e-6):
            super().__init__(rho=rho, delta=delta)

    explorer = LearningRateExplorer({"factory": momentum_factory, "AdaDelta": LectureAdaDelta},
                                    theta0=(1.0, -1.0), steps=15, compare="eta/3, eta, 3 eta")
    assert explorer.controls["alpha"].value == 0.7  # the first constructor's default
    assert "eta:AdaDelta" not in explorer.controls and explorer.takes_eta == {"factory": True, "AdaDelta": False}
    explorer.controls["eta:factory"].value = 0.02
    grad = explorer.surfaces["x^2 + y^2"].grad
    np.testing.assert_array_equal(explorer.last_paths["factory"],
                                  manual_path(Momentum(0.02, 0.7), grad, (1.0, -1.0), 15))
    np.testing.assert_array_equal(explorer.last_paths["AdaDelta"],
                                  manual_path(AdaDelta(rho=0.95), grad, (1.0, -1.0), 15))
    assert len(explorer.runs["AdaDelta"]) == 1 and "(no eta)" in explorer.readout.value


def test_the_documented_factories_run_variants_next_to_the_original():
    explorer = LearningRateExplorer({
        "SGD": SGD,
        "SGD x2": lambda eta: SGD(2 * eta),
        "Momentum 0.5": lambda eta: Momentum(eta, alpha=0.5),
    }, selected=["SGD", "SGD x2", "Momentum 0.5"], eta=0.04, steps=12)
    assert hyper_shown(explorer) == set()  # alpha is fixed inside the lambda, so it gets no slider
    grad, theta0 = explorer.surfaces["x^2 + y^2"].grad, explorer.surfaces["x^2 + y^2"].theta0
    np.testing.assert_array_equal(explorer.last_paths["SGD x2"], manual_path(SGD(0.08), grad, theta0, 12))
    np.testing.assert_array_equal(explorer.last_paths["Momentum 0.5"],
                                  manual_path(Momentum(0.04, alpha=0.5), grad, theta0, 12))
    explorer.controls["eta:SGD x2"].value = 0.1
    np.testing.assert_array_equal(explorer.last_paths["SGD x2"], manual_path(SGD(0.2), grad, theta0, 12))
    np.testing.assert_array_equal(explorer.last_paths["SGD"], manual_path(SGD(0.04), grad, theta0, 12))


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
    lr_explorer.controls["eta:SGD"].value = 0.3
    # SGD multiplies y by 1 - 8 eta = -1.4 each step on x^2 + 4 y^2.
    y0 = abs(lr_explorer.surfaces["x^2 + 4y^2"].theta0[1])
    k = next(k for k in range(1, 101) if y0 * 1.4 ** k > DIVERGENCE_LIMIT)
    assert lr_explorer.messages["SGD"] == f"diverged at step {k}"
    assert f"diverged at step {k}" in lr_explorer.readout.value
    assert lr_explorer.final_values["SGD"] is None
    assert np.all(np.isnan(lr_explorer.last_paths["SGD"][k + 1:]))


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
    assert set(explorer.controls) == {"optimizer", "eta", "schedule", "k", "batch_size", "epochs", "log_loss",
                                      "run", "clear", "range_test"}
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


class Exploding:
    """Plain gradient steps that also scale theta by 3 each step: the loss grows but stays finite."""

    def __init__(self, eta=0.1):
        self.eta = eta

    def step(self, theta, grad_fn):
        return 3.0 * (theta - self.eta * grad_fn(theta))


def independent_history(optimizer, data, epochs=1, seed=3):
    rng = np.random.default_rng(seed)
    return train(digits_mlp(rng), softmax_cross_entropy, data, optimizer, epochs, BATCH, seed=rng, progress=False)


def legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def test_earlier_runs_stay_with_their_settings_until_cleared(tiny_digits):
    explorer = training_explorer({"SGD": SGD, "Adam": Adam}, tiny_digits)
    loss_ax, accuracy_ax = explorer.axes[:2]
    assert explorer.controls["clear"].disabled
    explorer.controls["eta"].value = 0.1
    explorer.run()
    assert explorer.earlier_runs == [] and explorer.controls["clear"].disabled
    assert loss_ax.get_title() == "now: SGD, eta=0.1, batch 32, 1 epochs"
    explorer.controls["optimizer"].value = "Adam"
    explorer.controls["eta"].value = 0.01
    explorer.controls["schedule"].value = "inverse"
    explorer.controls["k"].value = 0.1
    explorer.run()

    first = independent_history(SGD(0.1), tiny_digits)
    second = independent_history(Adam(schedule=functools.partial(inverse_decay, 0.01, 0.1)), tiny_digits)
    assert explorer.history == second
    np.testing.assert_array_equal(explorer.lines["train_loss"].get_ydata(), second.epoch_train_loss)
    (earlier,) = explorer.earlier_runs
    assert earlier.label == "SGD, eta=0.1, batch 32, 1 epochs" and earlier.history == first
    np.testing.assert_array_equal(earlier.loss_line.get_ydata(), first.epoch_train_loss)
    np.testing.assert_array_equal(earlier.accuracy_line.get_ydata(), first.epoch_val_accuracy)
    assert earlier.loss_line.get_color() == earlier.accuracy_line.get_color()
    assert earlier.loss_line.get_color() not in {line.get_color() for line in explorer.lines.values()}
    assert earlier.label in legend_texts(loss_ax)
    assert loss_ax.get_title() == "now: Adam, eta=0.01, inverse k=0.1, batch 32, 1 epochs"
    assert not explorer.controls["clear"].disabled

    before = displayed_png(explorer.output)
    explorer.controls["clear"].click()
    assert explorer.earlier_runs == [] and explorer.controls["clear"].disabled
    assert earlier.loss_line not in loss_ax.lines and earlier.accuracy_line not in accuracy_ax.lines
    assert earlier.label not in legend_texts(loss_ax)
    assert explorer.history == second  # the current run stays
    assert displayed_png(explorer.output) != before


def test_at_most_max_earlier_runs_are_kept_oldest_first_out(tiny_digits):
    explorer = training_explorer({"SGD": SGD}, tiny_digits)
    etas = [0.01 * (i + 1) for i in range(MAX_EARLIER_RUNS + 2)]
    for eta in etas:
        explorer.controls["eta"].value = eta
        explorer.run()
    kept = [f"SGD, eta={eta:.3g}, batch 32, 1 epochs" for eta in etas[1:-1]]
    assert [run.label for run in explorer.earlier_runs] == kept
    assert len(explorer.axes[0].lines) == 3 + MAX_EARLIER_RUNS  # the current run's 3 loss lines + kept
    assert len({run.loss_line.get_color() for run in explorer.earlier_runs}) == MAX_EARLIER_RUNS


def test_settings_changed_notice_until_run_is_pressed(tiny_digits):
    explorer = training_explorer({"SGD": SGD, "Adam": Adam}, tiny_digits)
    explorer.controls["eta"].value = 0.2  # no run yet: nothing to be out of date
    assert explorer.notice.value == ""
    explorer.run()
    assert explorer.notice.value == ""
    for key, value in (("eta", 0.3), ("optimizer", "Adam"), ("batch_size", 16), ("epochs", 2),
                       ("schedule", "exponential")):
        old = explorer.controls[key].value
        explorer.controls[key].value = value
        assert "settings changed, press Run" in explorer.notice.value, key
        assert explorer.controls["run"].button_style == "warning"
        explorer.controls[key].value = old  # back to the run's settings: the curves are current again
        assert explorer.notice.value == "" and explorer.controls["run"].button_style == "primary", key
    explorer.controls["k"].value = 0.5  # k does not matter without a schedule
    assert explorer.notice.value == ""
    explorer.controls["log_loss"].value = True  # a view, not a setting
    assert explorer.notice.value == ""
    explorer.controls["eta"].value = 0.3
    explorer.run()
    assert explorer.notice.value == ""


def test_an_exploding_loss_is_said_in_words(tiny_digits):
    explorer = training_explorer({"explodes": Exploding, "SGD": SGD}, tiny_digits, epochs=2)
    explorer.run()
    history = independent_history(Exploding(0.05), tiny_digits, epochs=2)
    assert explorer.history == history
    start, last = history.step_loss[0], history.epoch_train_loss[-1]
    assert np.isfinite(last) and last > EXPLODED_RATIO * start
    assert explorer.verdict.kind == "exploded"
    assert "exploded" in explorer.status.value and f"{last:.4g}" in explorer.status.value
    explorer.controls["optimizer"].value = "SGD"
    explorer.run()
    assert explorer.verdict is None and "exploded" not in explorer.status.value
    assert explorer.earlier_runs[0].label.endswith("(exploded)")


def test_a_diverged_run_is_kept_and_labelled(tiny_digits):
    class NanAtStepFive(Exploding):
        def __init__(self, eta=0.1):
            self.eta, self.t = eta, 0

        def step(self, theta, grad_fn):
            self.t += 1
            new = theta - self.eta * grad_fn(theta)
            return new * np.nan if self.t == 5 else new

    explorer = training_explorer({"nan": NanAtStepFive}, tiny_digits, epochs=3)
    explorer.run()
    assert explorer.verdict.kind == "diverged" and "diverged at step 5" in explorer.status.value
    explorer.run()
    assert explorer.earlier_runs[0].label.endswith("(diverged)")
    assert len(explorer.earlier_runs[0].loss_line.get_xdata()) == 1  # the one epoch it finished


@pytest.mark.parametrize("step_loss, epoch_losses, kind", [
    ([2.0, 1.5], [1.0, 0.5], None),
    ([2.0, 1.5], [1.9, 2.9], None),  # mini-batch noise, not a rise
    ([2.0, 3.0], [2.5, 3.1], "rose"),
    ([2.0, 9.0], [15.0, 20.5], "exploded"),
    ([2.0, 9.0], [3.0, float("nan")], "diverged"),
    ([2.0, 9.0], [float("inf"), 3.0], "diverged"),
])
def test_loss_verdict(step_loss, epoch_losses, kind):
    history = History(steps_per_epoch=1, step_loss=step_loss, epoch_train_loss=epoch_losses)
    verdict = loss_verdict(history)
    assert (verdict and verdict.kind) == kind
    if kind == "exploded":
        assert "20.5" in verdict.text and "10 times" in verdict.text
    assert loss_verdict(History()) is None


def test_adam_at_eta_3_on_the_digits_is_called_exploded(digits):
    """The case a student met: Adam at eta = 3 ends at a train loss of about 1362, with no warning."""
    explorer = TrainingExplorer({"Adam": Adam}, data=digits, eta=3.0, epochs=3)
    explorer.run()
    assert explorer.history.epoch_train_loss[-1] > EXPLODED_RATIO * explorer.history.step_loss[0]
    assert explorer.verdict.kind == "exploded" and "exploded" in explorer.status.value


def test_log_scale_loss_axis(tiny_digits):
    explorer = training_explorer({"SGD": SGD}, tiny_digits)
    explorer.run()
    loss_ax = explorer.axes[0]
    assert loss_ax.get_yscale() == "linear"
    before = displayed_png(explorer.output)
    explorer.controls["log_loss"].value = True
    assert loss_ax.get_yscale() == "log" and explorer.axes[1].get_yscale() == "linear"
    low, high = loss_ax.get_ylim()
    assert 0 < low <= min(explorer.history.step_loss) and high >= max(explorer.history.step_loss)
    assert displayed_png(explorer.output) != before
    explorer.run()  # stays log for the next run
    assert loss_ax.get_yscale() == "log"
    explorer.controls["log_loss"].value = False
    assert loss_ax.get_yscale() == "linear"


def test_log_scale_before_any_run_and_at_the_start_of_a_run(tiny_digits):
    explorer = training_explorer({"SGD": SGD}, tiny_digits)
    explorer.controls["log_loss"].value = True  # nothing to show yet: still a figure, no error
    assert explorer.axes[0].get_yscale() == "log" and displayed_png(explorer.output) is not None
    seen = []
    explorer.status.observe(lambda change: seen.append(explorer.axes[0].get_ylim()), names="value")
    explorer.run()  # its first drawing has empty curves on the log axis
    assert seen and all(low > 0 for low, _ in seen)
    assert explorer.axes[0].get_ylim()[0] <= min(explorer.history.step_loss)


def test_moving_eta_redraws_only_its_marker(tiny_digits):
    explorer = training_explorer({"SGD": SGD}, tiny_digits)
    explorer.run()
    draws = explorer.layers.full_draws
    before = displayed_png(explorer.output)
    explorer.controls["eta"].value = 0.5
    assert explorer.layers.full_draws == draws and list(explorer.eta_marker.get_xdata()) == [0.5, 0.5]
    assert displayed_png(explorer.output) != before
    explorer.run()
    assert explorer.layers.full_draws > draws


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
