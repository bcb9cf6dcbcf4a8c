"""Copying back what a call did to its arguments, and which judge objects cross as trusted copies.

Arguments cross to the worker as copies, so what the submission does to
them in place (an input it should not modify, the running averages batch
norm must update in bn_param) is copied back into the judge's objects after
each call: the check sees the same effects as in the notebook's kernel.
"""
import numpy as np

from autograder.proxies.objects import RemoteFunction, RemoteObject
from autograder.sandbox import Handle
from autograder.trusted_types import PLAIN_SCALARS, TRUSTED_TYPES


def holds_mutable(value):
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, (np.ndarray, list, dict, np.random.Generator)):
            return True
        if isinstance(v, tuple):
            stack.extend(v)
    return False


def sync_back(original, after, path, mutated):
    """Copy what a call did to its (copied) arguments into the judge's originals, in place.

    Arrays changed in place get their new contents; dict and list entries
    that were rebound, added or removed are rebound, added or removed;
    generators get their new state. Objects that went over as handles are
    left alone (trusted objects have their own ``sync``).
    """
    if isinstance(original, np.ndarray):
        if path in mutated and isinstance(after, np.ndarray) and original.flags.writeable:
            _mirror(original, after)
        return
    if isinstance(original, np.random.Generator):
        if isinstance(after, np.random.Generator):
            original.bit_generator.state = after.bit_generator.state
        return
    if isinstance(original, dict) and isinstance(after, dict):
        for key in [k for k in original if k not in after]:
            del original[key]
        for key, new in after.items():
            sub = f"{path}[{key!r}]"
            if key not in original:
                original[key] = new
            elif _copied_whole(original[key], new, sub, mutated):
                original[key] = new
            else:
                sync_back(original[key], new, sub, mutated)
        return
    if isinstance(original, (list, tuple)) and isinstance(after, (list, tuple)):
        if isinstance(original, list) and len(original) != len(after):
            original[:] = after
            return
        for i, (old, new) in enumerate(zip(original, after)):
            sub = f"{path}[{i}]"
            if isinstance(original, list) and _copied_whole(old, new, sub, mutated):
                original[i] = new
            else:
                sync_back(old, new, sub, mutated)


def _can_mirror(original, after):
    """True if ``_mirror`` can give ``original`` what ``after`` holds, in place."""
    if original.dtype != after.dtype:
        return False
    return after.shape == original.shape or (
        after.size == original.size and (original.flags.c_contiguous or original.flags.f_contiguous))


def _mirror(original, after):
    """Give ``original`` the contents (and, when possible in place, the shape) ``after`` has."""
    if after.shape != original.shape and after.size == original.size:
        try:
            original.shape = after.shape       # g.shape = (-1,) in the worker: the same here
        except AttributeError:
            pass                               # not possible without a copy
    if after.shape == original.shape:
        try:
            original[...] = after
        except (TypeError, ValueError):
            pass


def _copied_whole(old, new, path, mutated):
    """True if the entry was rebound to another value (rather than changed in place, or untouched)."""
    if isinstance(new, Handle) or new is None and callable(old) or trusted_spec(old):
        return False     # went over as a handle or a callback: nothing to copy
    if isinstance(old, np.ndarray) and isinstance(new, np.ndarray):
        if path in mutated:
            # changed in place beyond what can be mirrored here (resized, retyped): the entry
            # becomes the changed array, so a check that the input was left alone sees it was not
            return not _can_mirror(old, new)
        return not (old.shape == new.shape and old.dtype == new.dtype and np.array_equal(old, new, equal_nan=True))
    if isinstance(old, (dict, list, tuple, np.random.Generator)) and type(old) is type(new):
        return False
    try:
        return type(old) is not type(new) or bool(old != new)
    except Exception:
        return True


def trusted_spec(value):
    if isinstance(value, (RemoteObject, RemoteFunction, Handle)) or isinstance(value, PLAIN_SCALARS):
        return None
    for spec in TRUSTED_TYPES:
        if spec.accepts(value):
            return spec
    return None
