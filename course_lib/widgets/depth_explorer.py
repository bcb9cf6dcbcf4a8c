"""DepthInitExplorer: per-layer gradient norms of a deep network on the digits, by activation, depth and init.

In a notebook::

    explorer = DepthInitExplorer()
    explorer        # change activation, depth or initialiser and watch the bars

For every setting it builds a fresh network (make_deep_net), runs one
forward and backward pass on one batch of training digits and draws
||grad_{b^l} C|| of every layer l, first (input-side) layer first, on a log
axis: the lecture's measurement of vanishing gradients (course_lib.
gradient_norms.layer_gradient_norms). With sigmoid units and Gaussian
sqrt(1/r_in) weights the first layers get the smallest norms; ReLU with
He weights keeps them level.

Students can plug in their own graded functions: ``layer_gradient_norms``
(same signature as course_lib's) and ``initializers`` (name -> callable
(r_in, r_out, rng) -> weights (r_in, r_out), merged over the defaults).

Controls, ``explorer.controls[key]`` (stable keys):
  "activation"  Dropdown "sigmoid", "tanh", "relu", "leaky relu"
  "depth"       IntSlider 2..10, the number of Linear layers
  "init"        Dropdown "constant", "gaussian" (std sqrt(1/r_in)), "he" (sqrt(2/r_in)),
                "xavier" (sqrt(2/(r_in + r_out))); the values are these keys

Other public attributes: ``figure``/``ax``, ``bars`` (BarContainer, one
bar per layer), ``norms`` (list of floats of the last redraw, None when it
failed), ``model`` (the network measured), ``readout`` (ipywidgets.HTML),
``output`` (ipywidgets.Output with the figure), ``widget``, ``redraw()``.
"""
import functools
import html
import time

import ipywidgets
import numpy as np

from course_lib.gradient_norms import layer_gradient_norms as reference_layer_gradient_norms
from course_lib.init import constant_init, gaussian_init, he_init, xavier_init
from course_lib.modules import LeakyReLU, Linear, ReLU, Sequential, Sigmoid, Tanh
from course_lib.optim.train import split_data
from course_lib.plots import plot_grad_norm_bars
from course_lib.validation import ShapeError, check_positive_int, check_rng
from course_lib.widgets.figure_view import new_figure, show_figure

ACTIVATIONS = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky relu": functools.partial(LeakyReLU, 0.01),
}
INIT_LABELS = {
    "constant": "constant",
    "gaussian": "gaussian sqrt(1/r_in)",
    "he": "he sqrt(2/r_in)",
    "xavier": "xavier sqrt(2/(r_in+r_out))",
}
MIN_DEPTH, MAX_DEPTH = 2, 10


def default_initializers(constant_value=0.1):
    """name -> callable (r_in, r_out, rng) -> weights (r_in, r_out), from course_lib.init."""

    def constant(r_in, r_out, rng):
        return constant_init(r_in, r_out, constant_value)

    return {
        "constant": constant,
        "gaussian": gaussian_init,
        "he": he_init,
        "xavier": xavier_init,
    }


def make_deep_net(depth, activation, initializer, width=30, seed=0, n_in=64, n_out=10):
    """Linear(n_in, width) -> act -> Linear(width, width) -> act ... -> Linear(width, n_out).

    depth : number of Linear layers (>= 2); an activation follows every one but the last.
    activation : a key of ACTIVATIONS.
    initializer : callable (r_in, r_out, rng) -> weights (r_in, r_out); called
        layer by layer, first layer first, with one Generator made from
        ``seed``. Biases start at zero.
    Input (N, n_in), output (N, n_out) class scores.
    """
    depth = check_positive_int("depth", depth)
    if depth < 2:
        raise ValueError(f"depth must be at least 2 (one hidden layer), got {depth}.")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {list(ACTIVATIONS)}, got {activation!r}.")
    rng = check_rng(seed)
    sizes = [n_in] + [width] * (depth - 1) + [n_out]
    layers = []
    for i, (r_in, r_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        weights = np.asarray(initializer(r_in, r_out, rng), dtype=np.float64)
        if weights.shape != (r_in, r_out):
            raise ShapeError(f"the initialiser returned shape {weights.shape} for layer {i + 1}; "
                             f"expected (r_in, r_out) = ({r_in}, {r_out}).")
        layer = Linear(r_in, r_out, init="constant")  # its weights are replaced just below
        layer.params["w"] = weights
        layer.init = getattr(initializer, "__name__", repr(initializer))  # what repr(model) shows
        layers.append(layer)
        if i < depth - 1:
            layers.append(ACTIVATIONS[activation]())
    return Sequential(*layers)


class DepthInitExplorer:
    """Per-layer gradient-norm bars following activation, depth and initialiser; see the module docstring."""

    def __init__(self, data=None, layer_gradient_norms=None, initializers=None, width=30, batch_size=100,
                 seed=0, depth=5, activation="sigmoid", init="gaussian", constant_value=0.1):
        if data is None:
            from course_lib.data import load_digits

            data = load_digits(seed=0)
        x_train, y_train, _, _ = split_data(data)
        batch_size = check_positive_int("batch_size", batch_size)
        self.x, self.y = x_train[:batch_size], y_train[:batch_size]
        self.n_classes = int(np.max(y_train)) + 1
        self.layer_gradient_norms = (reference_layer_gradient_norms if layer_gradient_norms is None
                                     else layer_gradient_norms)
        self.initializers = default_initializers(constant_value)
        self.initializers.update(initializers or {})
        self.width = check_positive_int("width", width)
        self.seed = seed
        self.controls = {
            "activation": ipywidgets.Dropdown(options=list(ACTIVATIONS), value=activation,
                                              description="activation"),
            "depth": ipywidgets.IntSlider(value=depth, min=MIN_DEPTH, max=MAX_DEPTH, description="depth"),
            "init": ipywidgets.Dropdown(
                options=[(INIT_LABELS.get(name, name), name) for name in self.initializers], value=init,
                description="init"),
        }
        self.figure = new_figure((6.0, 3.6))
        self.ax = self.figure.add_subplot()
        self.figure.subplots_adjust(left=0.14, right=0.97, bottom=0.15, top=0.9)
        self.bars, self.norms, self.model = None, None, None
        self.readout = ipywidgets.HTML()
        self.output = ipywidgets.Output()
        self.last_redraw_seconds = None
        self.widget = ipywidgets.HBox([
            ipywidgets.VBox(list(self.controls.values())),
            ipywidgets.VBox([self.output, self.readout]),
        ])
        self.redraw()
        for control in self.controls.values():
            control.observe(lambda _change: self.redraw(), names="value")

    def redraw(self):
        """Build the network of the controls, measure its gradient norms, redraw; returns the norms."""
        start = time.perf_counter()
        activation = self.controls["activation"].value
        depth = self.controls["depth"].value
        init = self.controls["init"].value
        self.ax.clear()  # the number of bars changes with depth, so they are drawn anew
        self.bars = None
        try:
            self.model = make_deep_net(depth, activation, self.initializers[init], self.width, self.seed,
                                       n_in=self.x.shape[1], n_out=self.n_classes)
            self.norms = [float(v) for v in self.layer_gradient_norms(self.model, self.x, self.y)]
            if len(self.norms) != depth:
                raise ValueError(f"layer_gradient_norms returned {len(self.norms)} norms for {depth} layers.")
        except NotImplementedError:
            self.norms = None
            self.readout.value = "not implemented yet"
        except Exception as err:  # shown to the student instead of lost in the kernel log
            self.norms = None
            self.readout.value = f"error: {html.escape(f'{type(err).__name__}: {err}')}"
        else:
            self.bars = plot_grad_norm_bars(self.ax, self.norms)
            first, last = self.norms[0], self.norms[-1]
            ratio = f"{last / first:.3g}" if first > 0 else "infinite"
            self.readout.value = (f"||grad_b C||: first layer {first:.3g}, last layer {last:.3g}; "
                                  f"last / first = {ratio}")
        title = f"{activation}, depth {depth}, {INIT_LABELS.get(init, init)} init"
        self.ax.set_title(title, fontsize="medium")
        show_figure(self.output, self.figure)
        self.last_redraw_seconds = time.perf_counter() - start
        return self.norms

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
