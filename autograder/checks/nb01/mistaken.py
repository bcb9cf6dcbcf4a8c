"""The arrays notebook 01's known mistakes give on a case's inputs, keyed by the slugs of
course_lib/selfcheck/nb01/mistakes.py (which holds their texts).

Each builder takes the inputs and the right results of one case, so fresh.py
(hidden cases) and stored.py (the self-check's stored cases) get the same
arrays for the same inputs. The order of a dict is the order in which a
check tries the mistakes.
"""
import numpy as np

DEFAULT_ALPHA = 0.01
"""The leaky ReLU's slope when the forward is called without alpha (the notebook's default)."""


def numerical_gradient_mistakes(x, coef, step):
    """What typical wrong finite differences give on f(x) = sum(coef x^3) with step ``step``, in closed form."""
    centered = coef * (3 * x**2 + step**2)
    return {
        "forward_difference": coef * (3 * x**2 + 3 * x * step + step**2),
        "backward_difference": coef * (3 * x**2 - 3 * x * step + step**2),
        # after f(x + h e_i), x_i lowered by h only: (f(x + h e_i) - f(x)) / (2h)
        "half_forward": 0.5 * coef * (3 * x**2 + 3 * x * step + step**2),
        "twice": 2 * centered,
        "half": 0.5 * centered,
        "all_at_once": np.full(x.shape, float(np.sum(centered))),
        "own_step": 3 * coef * x**2,
    }


def relative_error_mistakes(a, b):
    """Typical wrong ratios of the pair (a, b), as numbers (inf or nan where they divide by zero)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    diff, total = np.linalg.norm(a - b), np.linalg.norm(a + b)
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "sum_of_norms": diff / (np.linalg.norm(a) + np.linalg.norm(b)),
            "squares": (diff / total) ** 2,
            "swapped": total / diff,
            "largest_entry": float(np.max(np.abs(a - b) / np.abs(a + b))) if a.size else np.nan,
            "over_a": diff / np.linalg.norm(a),
        }


def forward_mistakes(op, x, out, params=()):
    """Typical wrong forwards of each activation, computed from x and the right output."""
    if op == "sigmoid":
        return {"complement": 1.0 - out}
    if op == "relu":
        return {"min": np.minimum(x, 0.0), "mask": (x > 0).astype(np.float64)}
    if op == "leaky_relu":
        alpha = params[0] if params else DEFAULT_ALPHA
        return {"fixed_slope": np.where(x > 0, x, 0.01 * x), "swapped": np.where(x > 0, alpha * x, x),
                "relu": np.maximum(x, 0.0)}
    if op == "softplus":
        return {"minus_x": out - x, "minus_log2": out - np.log(2.0)}
    return {}


def backward_mistakes(op, x, out, dout, dx, params=()):
    """Typical wrong backwards, computed from the input, the right output and the right dx."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        local = np.where(dout != 0, dx / dout, 0.0)  # the right h'(x)
        common = {"local_only": local}
        if op == "sigmoid":
            again = 1.0 / (1.0 + np.exp(-out))  # the sigmoid applied to the cached output once more
            specific = {"from_input": dout * x * (1 - x), "output": dout * out,
                        "sigmoid_of_output": dout * again * (1 - again)}
        elif op == "tanh":
            specific = {"from_input": dout * (1 - x**2), "one_minus_a": dout * (1 - out),
                        "one_minus_a_squared": dout * (1 - out) ** 2}
        elif op == "relu":
            specific = {"mask_ge": dout * (x >= 0), "mask_of_dout": dout * (dout > 0),
                        "output": dout * np.maximum(x, 0.0)}
        elif op == "leaky_relu":
            alpha = params[0] if params else DEFAULT_ALPHA
            specific = {"mask_ge": dout * np.where(x >= 0, 1.0, alpha), "swapped": dout * np.where(x > 0, alpha, 1.0),
                        "relu": dout * (x > 0), "fixed_slope": dout * np.where(x > 0, 1.0, 0.01)}
        elif op == "softplus":
            specific = {"sigmoid_of_minus_x": dout - dx, "exp": dout * np.exp(np.minimum(x, 50.0)),
                        "output": dout * out}
        else:
            specific = {}
    return {**specific, **common}


def cos_module_mistakes(x, theta, dout, out):
    """(out, dx, dtheta) mistakes of the cosine module a = cos(theta x) + pi."""
    sin = np.sin(theta * x)
    per_entry = -x * sin * dout
    out_mistakes = {"no_pi": out - np.pi, "no_theta": np.cos(x) + np.pi, "sine": np.sin(theta * x) + np.pi}
    dx_mistakes = {"no_inner_factor": -sin * dout, "theta_derivative": -x * sin * dout}
    dtheta_mistakes = {"mean": np.array(per_entry.mean()), "sum_of_dx": np.array(np.sum(-theta * sin * dout))}
    return out_mistakes, dx_mistakes, dtheta_mistakes


def single_path_products(graph, w, o, limit=64):
    """{"w -> ... -> o": product of its local derivatives} for every path, or {} beyond ``limit`` paths
    (or for a single path, which is no mistake)."""
    products, stack = {}, [([w], 1.0)]
    while stack:
        path, product = stack.pop()
        if path[-1] == o:
            products[" -> ".join(path)] = product
            if len(products) > limit:
                return {}
            continue
        for nxt, z in graph.successors(path[-1]).items():
            stack.append((path + [nxt], product * z))
    return products if len(products) > 1 else {}
