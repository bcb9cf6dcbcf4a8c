"""The per-case check of clip_by_value and clip_by_norm.

On a ClipCase (cases.py), a list or a dict of gradient arrays: the same kind
of container back, the input arrays untouched and not returned themselves,
the values against the expected ones, and a wrong result named when it equals
one of the usual wrong rules (mistakes.CLIP_MISTAKES).
"""
import numpy as np

from course_lib.gradcheck import contract_diagnosis
from course_lib.gradcheck._ratio import ratio
from course_lib.gradcheck.naming import describe_index, format_value
from course_lib.selfcheck.common import describe
from course_lib.selfcheck.core import CheckFailure
from course_lib.selfcheck.nb04.compare import CONTAINERS, DIFFERENT, SAME
from course_lib.selfcheck.nb04.mistakes import CLIP_MISTAKES

CLIP_PARAMETER = {"clip_by_value": "limit", "clip_by_norm": "max_norm"}
"""The name of each function's threshold, as the messages give it."""


def make_container(kind, names, arrays):
    """A list or a dict (keys ``names``) of the given arrays."""
    if kind == "dict":
        return {str(name): array for name, array in zip(names, arrays)}
    if kind == "list":
        return list(arrays)
    raise ValueError(f"kind must be 'list' or 'dict', got {kind!r}.")


def _label(kind, name):
    return f"grads[{name!r}]" if kind == "dict" else f"grads[{name}]"


def _flat(arrays):
    return np.concatenate([np.ravel(a) for a in arrays]) if arrays else np.zeros(0)


def clip_case_text(fname, kind, arrays, param, global_norm=None):
    shapes = ", ".join(str(tuple(a.shape)) for a in arrays)
    norm = "" if global_norm is None or fname != "clip_by_norm" else f" (||g|| = {format_value(global_norm)})"
    return f"{fname} on a {kind} of arrays of shapes {shapes}, {CLIP_PARAMETER[fname]} = {param:g}{norm}"


def _result_arrays(fname, result, kind, names, context):
    """The student's output arrays in the input's order, after checking the container."""
    if kind == "list":
        if not isinstance(result, list):
            raise CheckFailure(f"{context}: given a list, it must return a list (one array per input array), "
                               f"got {describe(result, CONTAINERS)}.")
        if len(result) != len(names):
            raise CheckFailure(f"{context}: given {len(names)} arrays, it returned {len(result)}.")
        return list(result)
    if not isinstance(result, dict):
        raise CheckFailure(f"{context}: given a dict, it must return a dict with the same keys, got "
                           f"{describe(result, CONTAINERS)}.")
    if set(result) != set(names):
        raise CheckFailure(f"{context}: the returned dict has keys {sorted(result)}, expected the input's keys "
                           f"{sorted(names)}.")
    return [result[name] for name in names]


def check_clip_case(clip, case):
    """One container of gradients: container, untouched input, new arrays, values, named mistakes."""
    fname, kind, names, arrays, param = case.fname, case.kind, case.names, case.arrays, case.param
    expected_arrays, mistakes, global_norm = case.outs, case.mistakes, case.global_norm
    context = clip_case_text(fname, kind, arrays, param, global_norm)
    inputs = [np.array(a, dtype=np.float64) for a in arrays]
    grads = make_container(kind, names, inputs)
    result = clip(grads, param)
    same_container = len(grads) == len(names) and (kind != "dict" or list(grads) == [str(n) for n in names])
    if not same_container or any(g is not a or not np.array_equal(a, b)
                                 for g, a, b in zip(grads.values() if kind == "dict" else grads, inputs, arrays)):
        raise CheckFailure(
            f"{context}: the input gradients were modified. Build new arrays (np.clip(g, ...), g * factor) "
            "instead of changing them in place (g *= ..., g[...] = ...)."
        )
    outs = _result_arrays(fname, result, kind, [str(n) for n in names] if kind == "dict" else names, context)
    for name, out, a in zip(names, outs, inputs):
        problem = contract_diagnosis(f"{context}: the result's {_label(kind, name)}", out, a.shape)
        if problem is not None:
            hint = ""
            if problem.kind == "nan" and fname == "clip_by_norm" and global_norm == 0:
                hint = " Here ||g|| = 0: divide by ||g|| only when it exceeds max_norm."
            raise CheckFailure(problem.message + hint)
        if isinstance(out, np.ndarray) and np.shares_memory(out, a):
            raise CheckFailure(
                f"{context}: the result's {_label(kind, name)} is the input array itself (or a view of it). "
                "Return new arrays (copies where nothing changes), so that updating the result can never "
                "change the gradients it came from."
            )
    outs = [np.asarray(o, dtype=np.float64) for o in outs]
    want, got = _flat(expected_arrays), _flat(outs)
    if ratio(want, got) <= SAME:
        return
    for key, value in (mistakes or {}).items():
        value = _flat(value)
        if ratio(value, want) > DIFFERENT and ratio(value, got) <= SAME:
            raise CheckFailure(f"{context}: wrong result; {CLIP_MISTAKES[fname][key]}.")
    worst_error, worst = -1.0, None
    n_wrong = 0
    for name, out, exp, a in zip(names, outs, expected_arrays, inputs):
        errors = np.abs(out - exp) / np.maximum(np.abs(exp), 1e-12 * (1 + float(np.max(np.abs(want)))))
        n_wrong += int(np.sum(errors > SAME))
        if errors.size and float(np.max(errors)) > worst_error:
            idx = np.unravel_index(int(np.argmax(errors)), errors.shape)
            worst_error, worst = float(np.max(errors)), (name, idx, exp[idx], out[idx], a[idx])
    name, idx, exp, out, a = worst
    raise CheckFailure(
        f"{context}: {n_wrong} of {want.size} entries are wrong; the worst is {_label(kind, name)}"
        f"{describe_index(idx)}: input {format_value(a)}, expected {format_value(exp)}, got {format_value(out)}."
    )

