"""LearningRateExplorer: watch optimizers, the student's own classes, move on 2-D test functions.

In a notebook::

    explorer = LearningRateExplorer({"SGD": SGD, "Momentum": Momentum, "AdaDelta": AdaDelta, "Adam": Adam},
                                    eta=0.05, etas={"AdaDelta": 1.0})
    explorer        # the last expression of a cell shows the widget

``optimizers`` maps a name to an optimizer class (``step(theta, grad_fn)``)
or to a factory, any callable returning one. The explorer reads the names of
its parameters: a parameter called ``eta`` gets the optimizer's own
learning-rate slider, parameters called alpha, rho, rho1, rho2 get the
shared sliders of those names (course_lib.widgets.optimizer_choice). So a
factory can run a variant next to the original::

    LearningRateExplorer({
        "SGD": SGD,
        "SGD x2": lambda eta: SGD(2 * eta),                    # twice the step of its slider
        "Momentum 0.5": lambda eta: Momentum(eta, alpha=0.5),  # alpha fixed: not named, so no slider
    })

(``functools.partial(Momentum, alpha=0.5)`` would still name alpha, so the
alpha slider would override it; a lambda that does not name it fixes it.) A
factory whose learning rate is not called ``eta``, like a class without one
(the lecture's AdaDelta), gets no slider and runs as it is.

Every optimizer has its own learning rate: one shared eta would push
AdaDelta, whose eta only scales a step that already has the right size
(default 1), far from where it works. Each starts at ``etas[name]`` when
given, else at ``eta``. "compare" overlays several learning rates per
optimizer (course_lib.widgets.eta_choices): eta/3, eta and 3 eta of its own
slider, eta/10, eta, 10 eta, or a typed list used for every optimizer, each
in the optimizer's colour with its own line style.

On every change of a control, each selected optimizer is built afresh for
each of its learning rates (make_optimizer), run ``steps`` steps from theta0
on the chosen surface, and its path is drawn over the surface's contour
lines; the readout gives, per run, the learning rate and the final value of
f, or says "not implemented yet" (the constructor or step raised
NotImplementedError), "diverged at step k" (non-finite or huge iterates) or
the error another exception reported.

Controls, ``explorer.controls[key]`` (keys are stable; notebooks and tests use them):
  "optimizers"  SelectMultiple of the names of ``optimizers``: the ones to run
  "surface"     Dropdown of the surface names: "x^2 + y^2", "x^2 + 4y^2",
                "Rosenbrock" by default (the keys of ``surfaces`` otherwise)
  "compare"     Dropdown: "one eta each", "eta/3, eta, 3 eta", "eta/10, eta, 10 eta",
                "a list of etas"
  "eta_list"    Text, the learning rates of "a list of etas", e.g. "0.01, 0.03, 0.1"
                (shown only in that mode; read when Enter is pressed or the box is left)
  "eta:NAME"    FloatLogSlider, optimizer NAME's own learning rate, 1e-4 to about 3
                (one per optimizer that takes eta; shown while it is selected, except
                with a list, which replaces them)
  "alpha"       FloatSlider, momentum parameter alpha          } each shown only while a
  "rho"         FloatSlider, decay rate rho (RMSProp, AdaDelta) } selected constructor has
  "rho1"        FloatSlider, Adam's first-moment decay rho1     } a parameter of that name
  "rho2"        FloatSlider, Adam's second-moment decay rho2    }
  "steps"       IntSlider, number of steps from theta0

Other public attributes: ``surfaces`` (name -> Surface(f, grad, xlim,
ylim, theta0, minimum)), ``figure``/``ax`` (matplotlib, object API),
``runs`` (name -> list of Run, one per learning rate, smallest eta first, for
the selected optimizers), ``run_lines`` (name -> list of Line2D; entry k is
drawn with style k of eta_choices.ETA_STYLES), ``lines`` (name -> its
entry 0: the own eta, or the first listed), ``last_paths`` (name -> (steps +
1, 2) array of that entry-0 run, for optimizers that ran; NaN rows after a
divergence), ``final_values`` (name -> f at its last iterate, None when it
did not finish), ``messages`` (name -> its readout text), ``readout``
(ipywidgets.HTML), ``output`` (ipywidgets.Output holding the figure as an
image), ``timing`` (Label), ``last_redraw_seconds``, ``runs_computed`` (how
many optimizer runs the last redraw had to compute), ``layers``
(LayeredFigure; ``layers.full_draws`` counts whole-figure draws),
``widget`` (the whole layout; CSS class "lr-explorer", its readout
"lr-explorer-readout") and ``redraw()``.

Kept responsive (9 optimizers on Rosenbrock, 60 steps: moving one eta
redraws in about 11 ms, recomputing all 9 runs in about 20 ms; 26 and 47 ms
on a 2-core machine at load 8, where drawing the whole figure each time took
168 ms):
  * each surface's contour lines are computed once, the first time it is
    shown, and merely hidden while another surface is;
  * the figure is drawn in two layers (course_lib.widgets.layered_figure):
    axes, contours, title and legend are drawn only when one of them
    changes (surface, steps, selection, compare mode); moving a slider
    restores their saved pixels and draws just the paths (Line2D objects made
    once and moved with set_data), then encodes one PNG;
  * a run is recomputed only when its own inputs changed: moving Adam's eta
    reruns Adam alone, moving alpha only the optimizers that take alpha.
``last_redraw_seconds`` (also shown under the readout) measures the whole
redraw including the rendering.
"""
import html
import math
import time
from dataclasses import dataclass

import ipywidgets
import numpy as np
from matplotlib.colors import to_hex
from matplotlib.lines import Line2D

from course_lib.data import quadratic_bowl, rosenbrock
from course_lib.plots import plot_surface_contours, plot_trajectory, run_trajectory
from course_lib.validation import ShapeError, check_positive_int
from course_lib.widgets.eta_choices import COMPARE, ETA_STYLES, LIST_MODE, eta_choices, format_etas, parse_etas
from course_lib.widgets.figure_view import new_figure, show_png
from course_lib.widgets.layered_figure import LayeredFigure
from course_lib.widgets.optimizer_choice import (
    SLIDER_HYPERPARAMETERS,
    constructor_parameters,
    make_optimizer,
    slider_hyperparameters,
)

# Slider range, step and label of each hyperparameter, and the value used
# when no constructor gives a default.
HYPER_SLIDERS = {
    "alpha": {"min": 0.0, "max": 0.99, "step": 0.01, "readout_format": ".2f", "value": 0.9},
    "rho": {"min": 0.0, "max": 0.99, "step": 0.01, "readout_format": ".2f", "value": 0.9},
    "rho1": {"min": 0.0, "max": 0.99, "step": 0.01, "readout_format": ".2f", "value": 0.9},
    "rho2": {"min": 0.9, "max": 0.9999, "step": 0.0001, "readout_format": ".4f", "value": 0.999},
}
# log10 range of the learning-rate sliders: 1e-4 to about 3.
ETA_LOG_MIN, ETA_LOG_MAX = -4.0, 0.5
# At most this many optimizers are selected at first, so the plot starts readable.
INITIALLY_SELECTED = 3
# Wide enough for "NesterovSimplified" in front of its slider.
DESCRIPTION = {"description_width": "130px"}


def _wide():
    """A fresh Layout for one control (each needs its own: hiding one sets its layout.display)."""
    return ipywidgets.Layout(width="420px")


@dataclass(frozen=True)
class Surface:
    """A test function f(w), w = (x, y), its gradient, the plotted window and the start point."""

    f: object
    grad: object
    xlim: tuple = (-2.0, 2.0)
    ylim: tuple = (-2.0, 2.0)
    theta0: tuple = (-1.5, 1.5)
    minimum: tuple = None


@dataclass(frozen=True)
class Run:
    """One optimizer at one learning rate.

    label : "eta", "3 eta", "eta/3" (factors of its own eta), "eta = 0.01" (a listed value) or "no eta".
    eta : the learning rate it ran with (None when its constructor takes none).
    style : k, index of its line style in eta_choices.ETA_STYLES.
    path : (steps + 1, 2) iterates, or None when it did not run; final_value : f at the last iterate,
    None when it did not finish; message : its readout text.
    """

    name: str
    label: str
    eta: float
    style: int
    path: np.ndarray
    final_value: float
    message: str


def default_surfaces():
    """The lecture's circular bowl, elliptical bowl and Rosenbrock's valley (a=1, b=100)."""
    return {
        "x^2 + y^2": Surface(*quadratic_bowl(1.0, 1.0), theta0=(-1.5, 1.7), minimum=(0.0, 0.0)),
        "x^2 + 4y^2": Surface(*quadratic_bowl(1.0, 4.0), theta0=(-1.8, 1.2), minimum=(0.0, 0.0)),
        "Rosenbrock": Surface(*rosenbrock(1.0, 100.0), ylim=(-1.0, 3.0), theta0=(-1.5, 2.0),
                              minimum=(1.0, 1.0)),
    }


def _as_surface(name, spec):
    if isinstance(spec, Surface):
        return spec
    if isinstance(spec, (tuple, list)) and len(spec) == 2 and all(callable(s) for s in spec):
        return Surface(*spec)
    raise TypeError(
        f"surfaces[{name!r}] must be a Surface(f, grad, xlim, ylim, theta0) or a pair (f, grad) "
        f"such as course_lib.data.quadratic_bowl(1, 4), got {spec!r}."
    )


def check_optimizers(optimizers):
    """A non-empty dict name -> class or factory; returned as a new dict."""
    if not isinstance(optimizers, dict) or not optimizers:
        raise TypeError(
            "optimizers must be a non-empty dict name -> optimizer class, e.g. "
            f"{{'SGD': SGD, 'Adam': Adam}}, got {optimizers!r}."
        )
    for name, factory in optimizers.items():
        if not callable(factory):
            raise TypeError(f"optimizers[{name!r}] must be an optimizer class or factory, got {factory!r}.")
    return dict(optimizers)


def _point(name, value):
    """value as a float64 point (2,); integers are fine for a start point such as (1, -1)."""
    try:
        point = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a point (x, y) of two numbers, got {value!r}.") from None
    if point.shape != (2,):
        raise ShapeError(f"{name} must be a point (x, y) of shape (2,), got shape {point.shape}.")
    return point


def _check_eta(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a learning rate > 0, got {value!r}.")
    return float(value)


class LearningRateExplorer:
    """Trajectories of optimizers on a 2-D surface with live controls; see the module docstring."""

    def __init__(self, optimizers, surfaces=None, theta0=None, steps=50, eta=0.05, selected=None, etas=None,
                 compare="one eta each"):
        self.optimizers = check_optimizers(optimizers)
        surfaces = default_surfaces() if surfaces is None else surfaces
        if not isinstance(surfaces, dict) or not surfaces:
            raise TypeError(
                f"surfaces must be a non-empty dict name -> Surface or (f, grad), got {surfaces!r}.")
        self.surfaces = {name: _as_surface(name, spec) for name, spec in surfaces.items()}
        self.theta0 = None if theta0 is None else _point("theta0", theta0)
        steps = check_positive_int("steps", steps)
        # What each constructor takes, read once from its signature.
        self.hyperparameters = {name: slider_hyperparameters(f) for name, f in self.optimizers.items()}
        self.takes_eta = {name: "eta" in constructor_parameters(f) for name, f in self.optimizers.items()}
        start_etas = self._start_etas(eta, etas)
        self.controls = self._make_controls(start_etas, steps, selected, compare)

        self.figure = new_figure((6.6, 4.6))
        # The legend lives right of the axes, so a path never runs under it (paths are drawn last).
        self.ax = self.figure.add_axes((0.08, 0.09, 0.62, 0.84))
        self.ax.set_anchor("W")
        self.layers = LayeredFigure(self.figure)
        self._contours = {}  # surface name -> ContourSet, made the first time it is shown
        self.run_lines = {name: [] for name in self.optimizers}
        self.lines = {name: self._line(name, 0) for name in self.optimizers}
        (self._start_marker,) = self.ax.plot([], [], "k^", markersize=8, zorder=5)
        (self._minimum_marker,) = self.ax.plot([], [], "r*", markersize=12, zorder=5)
        self._legend_spec = None

        self.readout = ipywidgets.HTML()
        self.timing = ipywidgets.Label()
        self.output = ipywidgets.Output()
        self.runs, self.last_paths, self.final_values, self.messages = {}, {}, {}, {}
        self._cache = {}  # inputs of a run -> its (path, final value, message), from the last redraw
        self.runs_computed = 0
        self.last_redraw_seconds = None
        c = self.controls
        eta_sliders = [c[f"eta:{name}"] for name in self.optimizers if self.takes_eta[name]]
        self._eta_header = ipywidgets.HTML("<b>learning rate eta of each optimizer</b>")
        self.widget = ipywidgets.HBox([
            ipywidgets.VBox([c["optimizers"], c["surface"], c["compare"], c["eta_list"], self._eta_header,
                             *eta_sliders, *(c[h] for h in SLIDER_HYPERPARAMETERS), c["steps"]],
                            layout=ipywidgets.Layout(min_width="430px")),
            ipywidgets.VBox([self.output, self.readout, self.timing]),
        ])
        # CSS classes for the page (the browser test finds the explorer and its readout by them).
        self.widget.add_class("lr-explorer")
        self.readout.add_class("lr-explorer-readout")
        self.redraw()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

    # -- construction -------------------------------------------------------------------------

    def _start_etas(self, eta, etas):
        eta = _check_eta("eta", eta)
        etas = {} if etas is None else dict(etas)
        unknown = [name for name in etas if name not in self.optimizers]
        if unknown:
            raise ValueError(f"etas names {unknown} are not keys of optimizers ({list(self.optimizers)}).")
        return {name: _check_eta(f"etas[{name!r}]", etas.get(name, eta)) for name in self.optimizers}

    def _make_controls(self, start_etas, steps, selected, compare):
        names = list(self.optimizers)
        if selected is None:
            selected = names[:INITIALLY_SELECTED]
        unknown = [s for s in selected if s not in self.optimizers]
        if unknown:
            raise ValueError(f"selected names {unknown} are not keys of optimizers ({names}).")
        listed = ""
        if not isinstance(compare, str):  # a list of learning rates
            listed = format_etas(parse_etas(format_etas(compare)))
            compare = LIST_MODE
        if compare not in COMPARE:
            raise ValueError(f"compare must be one of {list(COMPARE)} or a list of learning rates, "
                             f"got {compare!r}.")
        controls = {
            "optimizers": ipywidgets.SelectMultiple(
                options=names, value=tuple(selected), rows=min(len(names), 9), description="optimizers",
                style=DESCRIPTION, layout=_wide()),
            "surface": ipywidgets.Dropdown(options=list(self.surfaces), description="surface",
                                           style=DESCRIPTION, layout=_wide()),
            "compare": ipywidgets.Dropdown(options=list(COMPARE), value=compare, description="compare",
                                           style=DESCRIPTION, layout=_wide()),
            "eta_list": ipywidgets.Text(value=listed, placeholder="e.g. 0.01, 0.03, 0.1", description="etas",
                                        continuous_update=False, style=DESCRIPTION, layout=_wide()),
        }
        for name in names:
            if self.takes_eta[name]:
                controls[f"eta:{name}"] = ipywidgets.FloatLogSlider(
                    value=start_etas[name], base=10, min=ETA_LOG_MIN, max=ETA_LOG_MAX, step=0.01,
                    readout_format=".2e", description=name, style=DESCRIPTION, layout=_wide())
        for hyper, spec in HYPER_SLIDERS.items():
            spec = dict(spec)
            # Start from the first constructor's own default, so the first run is the textbook one.
            defaults = [h[hyper] for h in self.hyperparameters.values() if h.get(hyper) is not None]
            if defaults:
                spec["value"] = min(max(defaults[0], spec["min"]), spec["max"])
            controls[hyper] = ipywidgets.FloatSlider(description=hyper, style=DESCRIPTION, layout=_wide(), **spec)
        controls["steps"] = ipywidgets.IntSlider(value=steps, min=1, max=max(300, steps), description="steps",
                                                 style=DESCRIPTION, layout=_wide())
        return controls

    def _line(self, name, k):
        """Line k of optimizer ``name`` (style ETA_STYLES[k]), made the first time it is needed."""
        lines = self.run_lines[name]
        while len(lines) <= k:
            linestyle, marker = ETA_STYLES[len(lines)]
            colour = f"C{list(self.optimizers).index(name) % 10}"
            lines.append(plot_trajectory(self.ax, np.empty((0, 2)), label=name, color=colour,
                                         linestyle=linestyle, marker=marker, visible=False))
        return lines[k]

    # -- updating -----------------------------------------------------------------------------

    def _on_change(self, change):
        self.redraw()

    def redraw(self):
        """Run every selected optimizer with the current controls and update plot and readout.

        Returns the time the redraw took in seconds (also ``last_redraw_seconds``).
        """
        start = time.perf_counter()
        surface_name = self.controls["surface"].value
        surface = self.surfaces[surface_name]
        selected = [name for name in self.optimizers if name in self.controls["optimizers"].value]
        compare = self.controls["compare"].value
        self._show_surface(surface_name)
        self._update_control_visibility(selected, compare)
        theta0 = self.theta0 if self.theta0 is not None else _point("theta0", surface.theta0)
        steps = self.controls["steps"].value
        hyper = {name: self.controls[name].value for name in SLIDER_HYPERPARAMETERS}

        self.list_error, listed = None, ()
        if compare == LIST_MODE:
            try:
                listed = parse_etas(self.controls["eta_list"].value)
            except ValueError as err:
                self.list_error = str(err)
        inputs = (surface_name, tuple(theta0), steps)
        cache, self.runs_computed = {}, 0
        self.runs = {}
        for name in self.optimizers:
            drawn = set()
            if name in selected and self.list_error is None:
                own_eta = self.controls[f"eta:{name}"].value if self.takes_eta[name] else None
                taken = tuple((h, hyper[h]) for h in self.hyperparameters[name])
                runs = []
                for k, label, eta in eta_choices(compare, own_eta, listed):
                    key = (name, eta, taken, inputs)
                    if key not in self._cache:
                        self._cache[key] = self._run_one(name, surface, theta0, steps, eta, hyper)
                        self.runs_computed += 1
                    cache[key] = self._cache[key]
                    path, value, message = cache[key]
                    line = self._line(name, k)
                    line.set_data(*((path[:, 0], path[:, 1]) if path is not None else ([], [])))
                    drawn.add(k)
                    runs.append(Run(name, label, eta, k, path, value, message))
                self.runs[name] = sorted(runs, key=lambda r: -math.inf if r.eta is None else r.eta)
            for k, line in enumerate(self.run_lines[name]):
                line.set_visible(k in drawn)
        self._cache = cache  # only what this redraw used, so the cache never grows beyond one picture

        first = {name: next(r for r in runs if r.style == 0) for name, runs in self.runs.items()}
        self.last_paths = {name: r.path for name, r in first.items() if r.path is not None}
        self.final_values = {name: r.final_value for name, r in first.items()}
        self.messages = {name: r.message for name, r in first.items()}

        self._start_marker.set_data([theta0[0]], [theta0[1]])
        self.ax.set_title(f"{surface_name}: {steps} steps", fontsize="medium")
        self._update_legend()
        self.readout.value = self._readout_html(selected)
        moving = [line for lines in self.run_lines.values() for line in lines]
        moving += [self._start_marker, self._minimum_marker]
        png = self.layers.render((surface_name, self.ax.get_title(), self._legend_spec), moving)
        show_png(self.output, png, self.figure.canvas.get_width_height())
        self.last_redraw_seconds = time.perf_counter() - start
        self.timing.value = f"redrawn in {1000 * self.last_redraw_seconds:.0f} ms"
        return self.last_redraw_seconds

    def _run_one(self, name, surface, theta0, steps, eta, hyper):
        """(path or None, final f or None, readout text) for one optimizer at one eta; never raises."""
        try:
            optimizer = make_optimizer(self.optimizers[name], eta=eta, **hyper)
            path, diverged_at = run_trajectory(optimizer, surface.grad, theta0, steps)
        except NotImplementedError:
            return None, None, "not implemented yet"
        except Exception as err:  # a student's bug must show in the readout, not kill the widget
            return None, None, f"error: {type(err).__name__}: {err}"
        if diverged_at is not None:
            return path, None, f"diverged at step {diverged_at}"
        value = float(surface.f(path[-1]))
        x, y = path[-1]
        return path, value, f"f = {value:.6g} at ({x:.4g}, {y:.4g}) after {steps} steps"

    def _show_surface(self, name):
        surface = self.surfaces[name]
        if name not in self._contours:
            contours = plot_surface_contours(self.ax, surface.f, surface.xlim, surface.ylim)
            contours.set_zorder(1)  # under the paths, as the layered drawing puts them
            self._contours[name] = contours
        for other, contours in self._contours.items():
            contours.set_visible(other == name)
        self.ax.set_xlim(*surface.xlim)
        self.ax.set_ylim(*surface.ylim)
        if surface.minimum is None:
            self._minimum_marker.set_data([], [])
        else:
            self._minimum_marker.set_data([surface.minimum[0]], [surface.minimum[1]])

    def _update_control_visibility(self, selected, compare):
        def show(widget, shown):
            widget.layout.display = "" if shown else "none"

        for hyper in SLIDER_HYPERPARAMETERS:
            show(self.controls[hyper], any(hyper in self.hyperparameters[name] for name in selected))
        own = compare != LIST_MODE
        show(self.controls["eta_list"], not own)
        for name in self.optimizers:
            if self.takes_eta[name]:
                show(self.controls[f"eta:{name}"], own and name in selected)
        show(self._eta_header, own and any(self.takes_eta[name] for name in selected))

    def _update_legend(self):
        """One entry per optimizer shown (its colour) and, with several etas, one per line style.

        Rebuilt only when its entries change: it belongs to the background layer.
        """
        styles = {}  # style k -> label, in the order of the first optimizer's etas (smallest first)
        for runs in self.runs.values():
            if len(runs) > 1:
                styles.update({r.style: r.label for r in runs if r.style not in styles})
        spec = (tuple(self.runs), tuple(styles.items()))
        if spec == self._legend_spec:
            return
        self._legend_spec = spec
        handles = [Line2D([], [], color=self.lines[name].get_color(), marker="o", markersize=4, label=name)
                   for name in self.runs]
        for k, label in styles.items():
            linestyle, marker = ETA_STYLES[k]
            handles.append(Line2D([], [], color="0.3", linestyle=linestyle, marker=marker, markersize=4,
                                  label=label))
        if handles:
            self.ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.03, 1.0), borderaxespad=0,
                           fontsize="small")
        elif self.ax.get_legend() is not None:
            self.ax.get_legend().remove()

    def _readout_html(self, selected):
        if self.list_error:
            return f"<b>etas:</b> {html.escape(self.list_error)}."
        if not selected:
            return "<i>Select one or more optimizers.</i>"
        rows = []
        for name, runs in self.runs.items():
            colour = to_hex(self.lines[name].get_color())
            for run in runs:
                eta = "(no eta)" if run.eta is None else (
                    run.label if run.label.startswith("eta =") else f"{run.label} = {run.eta:.3g}")
                rows.append(
                    f"<tr><td style='color:{colour}'>&#9632;</td><td><b>{html.escape(name)}</b></td>"
                    f"<td>{html.escape(eta)}</td><td>{html.escape(run.message)}</td></tr>"
                )
        return "<table>" + "".join(rows) + "</table>"

    # -- display ------------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
