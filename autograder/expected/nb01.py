"""Stored expected values of notebook 01's self-checks, computed from course_lib's references.

Inputs are stored next to the outputs, so a self-check replays exactly the
case the values were computed for. Keys:
  relative_error_n, relative_error_{k}_{a,b,rho}
  {op}_n, {op}_{k}_{x,dout,out,dx,fd}           op in sigmoid, tanh, relu, leaky_relu, softplus
  cos_module_n, cos_module_{k}_{x,theta,dout,out,dx,dtheta}
  path_derivative_{k}                          one per course_lib.selfcheck.nb01.PATH_QUERIES entry
  backprop_{k}                                 d o / d node in graph.nodes order, per BACKPROP_QUERIES
"""
import numpy as np

from course_lib.gradcheck.relative_error import relative_error
from course_lib.graph import backprop_derivatives, path_derivative
from course_lib.layers import activations
from course_lib.layers.cos_module import cos_module_backward, cos_module_forward
from course_lib.selfcheck.nb01 import (
    ACTIVATIONS,
    BACKPROP_QUERIES,
    PATH_QUERIES,
    RELU_ALPHA,
    example_graphs,
)

KINK_GAP = 0.05
"""Stored ReLU inputs used for finite differences are at least this far from 0."""


def away_from_kink(x, gap=KINK_GAP):
    """Entries closer than ``gap`` to 0 are moved to +-2 gap, keeping their sign."""
    return np.where(np.abs(x) < gap, np.copysign(2 * gap, x), x)


def relative_error_cases(rng):
    """(a, b) pairs: scalars, vectors, matrices, a batch of one, equal, opposite, both zero."""
    a_vec = rng.standard_normal(5)
    a_mat = rng.standard_normal((3, 4))
    a_row = rng.standard_normal((1, 6))
    a_eq = rng.standard_normal(4)
    a_opp = np.array([1.0, -2.0, 0.5])
    return [
        (np.array(1.5), np.array(1.5000003)),
        (a_vec, a_vec + 1e-7 * rng.standard_normal(5)),
        (a_mat, a_mat * (1.0 + 0.1 * rng.standard_normal((3, 4)))),
        (a_row, 1e-3 * a_row + rng.standard_normal((1, 6))),
        (a_opp, a_opp * np.array([1.0, 1.0, -1.0])),
        (a_mat, -a_mat),
        (np.zeros((2, 3)), np.zeros((2, 3))),
        (a_eq, a_eq.copy()),
    ]


def activation_inputs(op, rng):
    """(x, fd) cases for one activation: three shapes with every dimension distinct, then special inputs."""
    shapes = [(3, 4), (1, 5), (2, 3, 4)]
    cases = []
    for shape in shapes:
        x = 2.0 * rng.standard_normal(shape)
        if op in ("relu", "leaky_relu"):
            x = away_from_kink(x)
        cases.append((x, True))
    if op in ("relu", "leaky_relu"):
        # exact zeros: the derivative at the kink follows the lecture's x <= 0 branch
        cases.append((np.array([[-1.0, 0.0, 0.7, 0.0, -0.2], [0.0, 2.0, -3.0, 0.0, 0.4]]), False))
    elif op == "softplus":
        cases.append((np.array([[-1000.0, -50.0, -3.0, 0.0], [2.0, 40.0, 710.0, 1000.0]]), False))
    else:
        cases.append((np.array([-12.0, -8.0, -0.5, 0.25, 7.0, 11.0]), True))  # the saturated tails
    return cases


def build():
    values = {}
    rng = np.random.default_rng(20240101)

    cases = relative_error_cases(rng)
    values["relative_error_n"] = np.array(len(cases))
    for k, (a, b) in enumerate(cases):
        values[f"relative_error_{k}_a"] = a
        values[f"relative_error_{k}_b"] = b
        values[f"relative_error_{k}_rho"] = np.array(relative_error(a, b))

    for op in ACTIVATIONS:
        forward = getattr(activations, f"{op}_forward")
        backward = getattr(activations, f"{op}_backward")
        params = (RELU_ALPHA,) if op == "leaky_relu" else ()
        op_cases = activation_inputs(op, rng)
        values[f"{op}_n"] = np.array(len(op_cases))
        for k, (x, fd) in enumerate(op_cases):
            dout = rng.standard_normal(x.shape)
            out, cache = forward(x, *params)
            values[f"{op}_{k}_x"] = x
            values[f"{op}_{k}_dout"] = dout
            values[f"{op}_{k}_out"] = out
            values[f"{op}_{k}_dx"] = backward(dout, cache)
            values[f"{op}_{k}_fd"] = np.array(fd)

    cos_cases = [((3, 4), 1.7), ((1, 5), -0.6), ((2, 3, 4), 2.3)]
    values["cos_module_n"] = np.array(len(cos_cases))
    for k, (shape, theta) in enumerate(cos_cases):
        x = rng.standard_normal(shape)
        dout = rng.standard_normal(shape)
        out, cache = cos_module_forward(x, theta)
        dx, dtheta = cos_module_backward(dout, cache)
        key = f"cos_module_{k}"
        values.update({f"{key}_x": x, f"{key}_theta": np.array(theta), f"{key}_dout": dout,
                       f"{key}_out": out, f"{key}_dx": dx, f"{key}_dtheta": np.array(dtheta)})

    graphs = list(example_graphs().values())
    for k, (index, w, o) in enumerate(PATH_QUERIES):
        values[f"path_derivative_{k}"] = np.array(path_derivative(graphs[index], w, o))
    for k, (index, o) in enumerate(BACKPROP_QUERIES):
        graph = graphs[index]
        derivatives = backprop_derivatives(graph, o)
        values[f"backprop_{k}"] = np.array([derivatives[n] for n in graph.nodes])
    return values
