"""LearningRateExplorer: watch optimizers, the student's own classes, move on 2-D test functions.

In a notebook::

    explorer = LearningRateExplorer({"SGD": SGD, "Momentum": Momentum, "Adam": Adam})
    explorer        # the last expression of a cell shows the widget

``optimizers`` maps a name to an optimizer class (``step(theta, grad_fn)``)
or to a factory ``callable(eta, **hyper) -> optimizer``. On every change of
a control, each selected optimizer is built afresh from the control values
(see course_lib.widgets.optimizer_choice for which arguments it gets), run
``steps`` steps from theta0 on the chosen surface, and its path is drawn
over the surface's contour lines; the readout gives the final value of f
per optimizer, or says "not implemented yet" (the constructor or step
raised NotImplementedError), "diverged at step k" (non-finite or huge
iterates) or the error another exception reported.

Controls, ``explorer.controls[key]`` (keys are stable; notebooks and tests use them):
  "optimizers"  SelectMultiple of the names of ``optimizers``: the ones to run
  "surface"     Dropdown of the surface names: "x^2 + y^2", "x^2 + 4y^2",
                "Rosenbrock" by default (the keys of ``surfaces`` otherwise)
  "eta"         FloatLogSlider, learning rate eta from 1e-4 to about 3
  "alpha"       FloatSlider, momentum parameter alpha          } each shown only while a
  "rho"         FloatSlider, decay rate rho (RMSProp, AdaDelta) } selected constructor has
  "rho1"        FloatSlider, Adam's first-moment decay rho1     } a parameter of that name
  "rho2"        FloatSlider, Adam's second-moment decay rho2    }
  "steps"       IntSlider, number of steps from theta0

Other public attributes: ``surfaces`` (name -> Surface(f, grad, xlim,
ylim, theta0, minimum)), ``figure``/``ax`` (matplotlib, object API),
``lines`` (name -> Line2D of that optimizer's path), ``last_paths`` (name
-> (steps + 1, 2) array of the last redraw, for optimizers that ran; NaN
rows after a divergence), ``final_values`` (name -> f at the last iterate,
None when it did not finish), ``messages`` (name -> the readout text),
``readout`` (ipywidgets.HTML), ``output`` (ipywidgets.Output holding the
figure as an image), ``timing`` (Label), ``last_redraw_seconds``,
``widget`` (the whole layout) and ``redraw()``.

Kept responsive: each surface's contour lines are computed once, the first
time it is shown, and merely hidden while another surface is; a redraw
only moves the existing path lines (``Line2D.set_data``) and renders one
PNG (course_lib.widgets.figure_view). ``last_redraw_seconds`` (also shown
under the readout) measures the whole redraw including the rendering.
"""
import html
import time
from dataclasses import dataclass

import ipywidgets
import numpy as np
from matplotlib.colors import to_hex

from course_lib.data import quadratic_bowl, rosenbrock
from course_lib.plots import plot_surface_contours, plot_trajectory, run_trajectory
from course_lib.validation import ShapeError, check_positive_int
from course_lib.widgets.figure_view import new_figure, show_figure
from course_lib.widgets.optimizer_choice import SLIDER_HYPERPARAMETERS, make_optimizer, slider_hyperparameters

# Slider range, step and label of each hyperparameter, and the value used
# when no constructor gives a default.
HYPER_SLIDERS = {
    "alpha": {"min": 0.0, "max": 0.99, "step": 0.01, "readout_format": ".2f", "value": 0.9},
    "rho": {"min": 0.0, "max": 0.99, "step": 0.01, "readout_format": ".2f", "value": 0.9},
    "rho1": {"min": 0.0, "max": 0.99, "step": 0.01, "readout_format": ".2f", "value": 0.9},
    "rho2": {"min": 0.9, "max": 0.9999, "step": 0.0001, "readout_format": ".4f", "value": 0.999},
}
# At most this many optimizers are selected at first, so the plot starts readable.
INITIALLY_SELECTED = 3


@dataclass(frozen=True)
class Surface:
    """A test function f(w), w = (x, y), its gradient, the plotted window and the start point."""

    f: object
    grad: object
    xlim: tuple = (-2.0, 2.0)
    ylim: tuple = (-2.0, 2.0)
    theta0: tuple = (-1.5, 1.5)
    minimum: tuple = None


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


class LearningRateExplorer:
    """Trajectories of optimizers on a 2-D surface with live controls; see the module docstring."""

    def __init__(self, optimizers, surfaces=None, theta0=None, steps=50, eta=0.05, selected=None):
        self.optimizers = check_optimizers(optimizers)
        surfaces = default_surfaces() if surfaces is None else surfaces
        if not isinstance(surfaces, dict) or not surfaces:
            raise TypeError(
                f"surfaces must be a non-empty dict name -> Surface or (f, grad), got {surfaces!r}.")
        self.surfaces = {name: _as_surface(name, spec) for name, spec in surfaces.items()}
        self.theta0 = None if theta0 is None else _point("theta0", theta0)
        steps = check_positive_int("steps", steps)
        # Which slider hyperparameters each constructor takes, read once from its signature.
        self.hyperparameters = {name: slider_hyperparameters(f) for name, f in self.optimizers.items()}
        self.controls = self._make_controls(eta, steps, selected)

        self.figure = new_figure((5.6, 4.6))
        self.ax = self.figure.add_subplot()
        self.figure.subplots_adjust(left=0.1, right=0.97, bottom=0.1, top=0.93)
        self._contours = {}  # surface name -> ContourSet, made the first time it is shown
        self.lines = {
            name: plot_trajectory(self.ax, np.empty((0, 2)), label=name, color=f"C{i % 10}", visible=False)
            for i, name in enumerate(self.optimizers)
        }
        (self._start_marker,) = self.ax.plot([], [], "k^", markersize=8, zorder=5)
        (self._minimum_marker,) = self.ax.plot([], [], "r*", markersize=12, zorder=5)

        self.readout = ipywidgets.HTML()
        self.timing = ipywidgets.Label()
        self.output = ipywidgets.Output()
        self.last_paths, self.final_values, self.messages = {}, {}, {}
        self.last_redraw_seconds = None
        self.widget = ipywidgets.HBox([
            ipywidgets.VBox(list(self.controls.values()), layout=ipywidgets.Layout(min_width="320px")),
            ipywidgets.VBox([self.output, self.readout, self.timing]),
        ])
        self.redraw()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

    # -- construction -------------------------------------------------------------------------

    def _make_controls(self, eta, steps, selected):
        names = list(self.optimizers)
        if selected is None:
            selected = names[:INITIALLY_SELECTED]
        unknown = [s for s in selected if s not in self.optimizers]
        if unknown:
            raise ValueError(f"selected names {unknown} are not keys of optimizers ({names}).")
        controls = {
            "optimizers": ipywidgets.SelectMultiple(
                options=names, value=tuple(selected), rows=min(len(names), 9), description="optimizers"),
            "surface": ipywidgets.Dropdown(options=list(self.surfaces), description="surface"),
            "eta": ipywidgets.FloatLogSlider(
                value=eta, base=10, min=-4, max=0.5, step=0.01, readout_format=".2e", description="eta"),
        }
        for hyper, spec in HYPER_SLIDERS.items():
            spec = dict(spec)
            # Start from the first constructor's own default, so the first run is the textbook one.
            defaults = [h[hyper] for h in self.hyperparameters.values() if h.get(hyper) is not None]
            if defaults:
                spec["value"] = min(max(defaults[0], spec["min"]), spec["max"])
            controls[hyper] = ipywidgets.FloatSlider(description=hyper, **spec)
        controls["steps"] = ipywidgets.IntSlider(value=steps, min=1, max=max(300, steps), description="steps")
        return controls

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
        selected = self.controls["optimizers"].value
        self._show_surface(surface_name)
        self._update_slider_visibility(selected)
        theta0 = self.theta0 if self.theta0 is not None else _point("theta0", surface.theta0)
        steps = self.controls["steps"].value
        eta = self.controls["eta"].value
        hyper = {name: self.controls[name].value for name in SLIDER_HYPERPARAMETERS}

        self.last_paths, self.final_values, self.messages = {}, {}, {}
        for name, line in self.lines.items():
            line.set_visible(name in selected)
            if name not in selected:
                continue
            path, value, message = self._run_one(name, surface, theta0, steps, eta, hyper)
            if path is None:
                line.set_data([], [])
            else:
                self.last_paths[name] = path
                line.set_data(path[:, 0], path[:, 1])
            self.final_values[name] = value
            self.messages[name] = message

        self._start_marker.set_data([theta0[0]], [theta0[1]])
        self.ax.set_title(f"{surface_name}: {steps} steps, eta = {eta:.3g}", fontsize="medium")
        visible = [self.lines[name] for name in self.lines if name in selected]
        if visible:
            self.ax.legend(handles=visible, loc="upper right", fontsize="small")
        elif self.ax.get_legend() is not None:
            self.ax.get_legend().remove()
        self.readout.value = self._readout_html(selected)
        show_figure(self.output, self.figure)
        self.last_redraw_seconds = time.perf_counter() - start
        self.timing.value = f"redrawn in {1000 * self.last_redraw_seconds:.0f} ms"
        return self.last_redraw_seconds

    def _run_one(self, name, surface, theta0, steps, eta, hyper):
        """(path or None, final f or None, readout text) for one optimizer; never raises."""
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
            self._contours[name] = plot_surface_contours(self.ax, surface.f, surface.xlim, surface.ylim)
        for other, contours in self._contours.items():
            contours.set_visible(other == name)
        self.ax.set_xlim(*surface.xlim)
        self.ax.set_ylim(*surface.ylim)
        if surface.minimum is None:
            self._minimum_marker.set_data([], [])
        else:
            self._minimum_marker.set_data([surface.minimum[0]], [surface.minimum[1]])

    def _update_slider_visibility(self, selected):
        for hyper in SLIDER_HYPERPARAMETERS:
            used = any(hyper in self.hyperparameters[name] for name in selected)
            self.controls[hyper].layout.display = "" if used else "none"

    def _readout_html(self, selected):
        if not selected:
            return "<i>Select one or more optimizers.</i>"
        rows = []
        for name in self.lines:
            if name not in selected:
                continue
            colour = to_hex(self.lines[name].get_color())
            rows.append(
                f"<tr><td style='color:{colour}'>&#9632;</td><td><b>{html.escape(name)}</b></td>"
                f"<td>{html.escape(self.messages[name])}</td></tr>"
            )
        return "<table>" + "".join(rows) + "</table>"

    # -- display ------------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
