"""Build the values notebook 01's self-checks replay: ``build() -> dict[str, ndarray]``.

Inputs are drawn with the home's case builders (course_lib/selfcheck/nb01/cases.py)
on fixed seeds, completed by fresh.py's builders (course_lib's references and
mistaken.py), and flattened to the keys that cases.py documents and reads.
Written by ``python -m autograder.checks.stored_values 01``.
"""
import numpy as np

from autograder.checks.nb01.fresh import (
    backprop_case,
    cos_module_case,
    cubic_case,
    elementwise_case,
    path_case,
    relative_error_case,
)
from course_lib.selfcheck.nb01.cases import (
    ACTIVATIONS,
    BACKPROP_QUERIES,
    COS_SPECS,
    NUMERICAL_GRADIENT_SPECS,
    PATH_QUERIES,
    activation_inputs,
    activation_params,
    cubic_inputs,
    example_graphs,
    relative_error_pairs,
)
from course_lib.selfcheck.stored import mistake_entries

SEED = 20240101
NUMERICAL_GRADIENT_SEED = 1001


def build():
    values = {}
    rng = np.random.default_rng(NUMERICAL_GRADIENT_SEED)
    values["numerical_gradient_n"] = np.array(len(NUMERICAL_GRADIENT_SPECS))
    for k, (shape, h) in enumerate(NUMERICAL_GRADIENT_SPECS):
        case = cubic_case(*cubic_inputs(shape, rng), h)
        key = f"numerical_gradient_{k}"
        values.update({f"{key}_x": case.x, f"{key}_coef": case.coef, f"{key}_h": np.array(np.nan if h is None else h),
                       f"{key}_centered": case.centered})
        values.update(mistake_entries(key, case.mistakes))

    rng = np.random.default_rng(SEED)
    pairs = relative_error_pairs(rng)
    values["relative_error_n"] = np.array(len(pairs))
    for k, (a, b) in enumerate(pairs):
        case = relative_error_case(a, b)
        values.update({f"relative_error_{k}_a": a, f"relative_error_{k}_b": b,
                       f"relative_error_{k}_rho": np.array(case.rho)})
        values.update(mistake_entries(f"relative_error_{k}", case.mistakes))

    for op in ACTIVATIONS:
        inputs = activation_inputs(op, rng)
        values[f"{op}_n"] = np.array(len(inputs))
        for k, (x, fd) in enumerate(inputs):
            case = elementwise_case(op, x, rng.standard_normal(x.shape), activation_params(op), fd)
            key = f"{op}_{k}"
            values.update({f"{key}_x": x, f"{key}_dout": case.dout, f"{key}_out": case.out, f"{key}_dx": case.dx,
                           f"{key}_fd": np.array(fd)})
            values.update(mistake_entries(f"{key}__forward", case.forward_mistakes))
            values.update(mistake_entries(f"{key}__backward", case.backward_mistakes))

    values["cos_module_n"] = np.array(len(COS_SPECS))
    for k, (shape, theta) in enumerate(COS_SPECS):
        x = rng.standard_normal(shape)
        case = cos_module_case(x, theta, rng.standard_normal(shape))
        key = f"cos_module_{k}"
        values.update({f"{key}_x": x, f"{key}_theta": np.array(theta), f"{key}_dout": case.dout,
                       f"{key}_out": case.out, f"{key}_dx": case.dx, f"{key}_dtheta": np.array(case.dtheta)})
        for group in ("out", "dx", "dtheta"):
            values.update(mistake_entries(f"{key}__{group}", getattr(case, f"{group}_mistakes")))

    graphs = list(example_graphs().items())
    for k, (index, w, o) in enumerate(PATH_QUERIES):
        # the product along each single path is named for the two-path graph's d o / d w only
        case = path_case(graphs[index][1], graphs[index][0], w, o, single_paths=index == 0 and w == "w")
        values[f"path_derivative_{k}"] = np.array(case.value)
        values[f"path_derivative_{k}__paths"] = np.array(list(case.single_paths), dtype=str)
        values[f"path_derivative_{k}__products"] = np.array(list(case.single_paths.values()), dtype=np.float64)
    for k, (index, o) in enumerate(BACKPROP_QUERIES):
        values[f"backprop_{k}"] = backprop_case(graphs[index][1], graphs[index][0], o).values
    return values
