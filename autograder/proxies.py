"""Stand-ins, in the judge, for a submission's functions, classes and objects.

The judge runs a notebook's hidden test code unchanged, with each student
name bound to a proxy into the sandboxed worker that holds the submission:

    remote = Remote(worker, deadline=time.monotonic() + 60)
    relu_forward = RemoteFunction(remote, "relu_forward")
    out, cache = relu_forward(x)        # out: a plain ndarray; cache: plain data, or a RemoteObject
    dx = relu_backward(dout, cache)     # a RemoteObject goes back as the worker's own object
    opt = Adam(lr=1e-3)                 # RemoteClass -> RemoteObject: the instance stays in the worker
    theta = opt.step(theta, grad_fn)    # methods are forwarded

What crosses, judge -> worker:
  plain data         numbers, strings, None, numeric ndarrays, tuples, lists, dicts (copied);
                     a numpy Generator as its state
  RemoteObject       as a reference to the worker's object
  TrustedFunction    built by the worker itself (fast, no round trip per call)
  other functions    stay in the judge: the worker calls them back with plain data
                     (the check's f of numerical_gradient, an activation phi, a grad_fn)
  trusted objects    rebuilt inside the worker from plain data; see autograder/trusted_types.py
and worker -> judge: plain data only (base ndarrays of numbers, Python floats and ints,
NumPy scalars, tuples, lists, dicts, strings), or RemoteObjects for anything else.
An ndarray subclass, a float whose __eq__ lies or a monkeypatched numpy in
the worker arrive as plain numbers: the judge compares with its own numpy.

Arguments are copies, so what the submission does to them in place (an
input it should not modify, the running averages batch norm must update
in bn_param) is copied back into the judge's objects after each call: the
check sees the same effects as in the notebook's kernel.

Outcomes, as the check code sees them:
  the submission's code raised X   -> an exception of class X (for builtin X, CheckFailure and
                                      LinAlgError; a look-alike class otherwise) marked StudentRaised,
                                      so ``except ValueError`` in a check works as in the kernel
  a judge-side function it called raised -> that same exception object
  timeout, crash, memory, missing name, protocol -> SubmissionAbort, a BaseException that check
                                      code does not catch; the judge records its status
Keyword arguments named ``timeout``, ``keep`` or ``return_args`` cannot be
passed to a submission's function (Worker.call uses those names).
"""
import builtins
import re
import time

import numpy as np

from autograder.sandbox import Handle, SubmissionError
from autograder.trusted_types import PLAIN_SCALARS, TRUSTED_TYPES, ProxyError
from course_lib.selfcheck.core import CheckFailure

OUTPUT_CHARS = 4000          # printed output kept per test, for the feedback page


class SubmissionAbort(BaseException):
    """The submission gave no value: timeout, crash, memory, a missing name, a broken channel.

    A BaseException so that a check's ``except Exception`` does not turn it
    into a wrong-answer message. ``status`` is a record status.
    """

    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


class StudentRaised(Exception):
    """Mixed into every exception re-raised in the judge for the submission's code."""

    label = type_name = text = ""


# ---------------------------------------------------------------- one test's connection

class Remote:
    """One test's link to the worker: time budget, printed output, objects built in the worker.

    ``locate(lineno) -> (cell index, line in cell) or None`` turns line numbers
    of the extracted source into notebook positions (Extraction.locate).
    """

    def __init__(self, worker, *, deadline=None, locate=None, output_chars=OUTPUT_CHARS):
        self.worker = worker
        self.deadline = deadline
        self.locate = locate
        self.output_chars = output_chars
        self.output = ""
        self.output_dropped = 0
        self._built = {}          # id(judge object) -> (object, worker token, fingerprint, Handle)
        self._methods = set()     # (type name, attribute) known to be methods: called without a lookup

    # -- the three kinds of request

    def call(self, name, args, kwargs):
        return self._request(name, lambda w, a, k, **opts: w.call(name, *a, **opts, **k), args, kwargs)

    def call_method(self, handle, method, args, kwargs):
        label = f"{handle.type_name}.{method}"
        return self._request(label, lambda w, a, k, **opts: w.call_method(handle, method, *a, **opts, **k),
                             args, kwargs)

    def get_attr(self, handle, name):
        label = f"{handle.type_name}.{name}"
        try:
            value = self.worker.get_attr(handle, name, timeout=self._timeout(label), keep="objects")
        except SubmissionError as exc:
            if exc.status == "missing":   # "SGD.step: AttributeError: 'SGD' object has no attribute 'step'"
                text = self._where(exc.message, exc.lineno)
                text = text.split(": ", 2)[-1] if text.startswith(f"{label}: ") else text
                raise student_exception("AttributeError", text, handle.type_name) from None
            raise self._translate(exc, label) from None
        finally:
            self._collect_output()
        return self._wrap(value)

    # -- machinery

    def _request(self, label, send, args, kwargs):
        built = []
        out_args = [self._outgoing(a, built) for a in args]
        out_kwargs = {k: self._outgoing(v, built) for k, v in kwargs.items()}
        sync = _holds_mutable(tuple(args) + tuple(kwargs.values())) or bool(built)
        timeout = self._timeout(label)
        try:
            value = send(self.worker, out_args, out_kwargs, keep="objects", return_args=sync, timeout=timeout)
        except SubmissionError as exc:
            self._collect_output()
            raise self._translate(exc, label, timeout) from None
        except TypeError as exc:
            if str(exc).startswith("cannot send the arguments"):
                raise ProxyError(str(exc)) from None
            raise
        self._collect_output()
        if sync:
            last = self.worker.last
            mutated = set(last.mutated)
            _sync_back(list(args), list(last.args or ()), "args", mutated)
            _sync_back(dict(kwargs), dict(last.kwargs or {}), "kwargs", mutated)
            for obj, handle, spec in built:
                if spec.sync is not None:
                    try:
                        spec.sync(self, obj, handle)
                    except SubmissionError as exc:
                        raise self._translate(exc, f"reading back a {type(obj).__name__}") from None
        return self._wrap(value)

    def _timeout(self, label):
        wall = self.worker.limits.wall_seconds
        if self.deadline is None:
            return wall
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise SubmissionAbort("timeout", f"the time for this test ran out before {label} was called")
        return min(wall, remaining)

    def _collect_output(self):
        text = self.worker.last.output or ""
        room = self.output_chars - len(self.output)
        if room > 0:
            self.output += text[:room]
        self.output_dropped += max(0, len(text) - max(room, 0)) + self.worker.last.output_dropped

    def _outgoing(self, value, built):
        """A judge value as the worker should receive it (handles for RemoteObjects and trusted objects)."""
        if isinstance(value, RemoteObject):
            return object.__getattribute__(value, "_handle")
        if isinstance(value, PLAIN_SCALARS) or isinstance(value, np.ndarray) or callable(value) \
                and not _trusted_spec(value):
            return value
        if isinstance(value, tuple):
            return tuple(self._outgoing(v, built) for v in value)
        if isinstance(value, list):
            return [self._outgoing(v, built) for v in value]
        if isinstance(value, dict):
            return {k: self._outgoing(v, built) for k, v in value.items()}
        spec = _trusted_spec(value)
        if spec is None:
            return value      # Generator, Handle, or something the encoder will refuse clearly
        handle = self._build(value, spec)
        built.append((value, handle, spec))
        return handle

    def _build(self, obj, spec):
        """A Handle to a copy of trusted ``obj`` in the worker (reused while obj is unchanged)."""
        fingerprint = spec.fingerprint(obj) if spec.fingerprint else None
        cached = self._built.get(id(obj))
        if (cached and cached[0] is obj and cached[1] == self.worker.token and fingerprint is not None
                and cached[2] == fingerprint):
            return cached[3]
        try:
            handle = spec.build(self, obj)
        except SubmissionError as exc:
            raise self._translate(exc, f"building a {type(obj).__name__} for the submission") from None
        self._built[id(obj)] = (obj, self.worker.token, fingerprint, handle)
        return handle

    def _wrap(self, value):
        """Handles in a result -> RemoteObjects (containers rebuilt, plain data as it came)."""
        if isinstance(value, Handle):
            return remote_object(self, value)
        if isinstance(value, tuple):
            return tuple(self._wrap(v) for v in value)
        if isinstance(value, list):
            return [self._wrap(v) for v in value]
        if isinstance(value, dict):
            return {k: self._wrap(v) for k, v in value.items()}
        return value

    def _translate(self, exc, label, timeout=None):
        """SubmissionError -> the exception the check code should see (see the module docstring)."""
        message = self._where(exc.message, exc.lineno)
        if exc.status == "error":
            match = re.match(rf"{re.escape(label)} raised ([A-Za-z_][\w.]*): (.*)", message, re.DOTALL)
            if match:
                return student_exception(match.group(1), match.group(2), label, exc.exception)
            return SubmissionAbort("error", message)
        if exc.status == "timeout" and timeout is not None and timeout < self.worker.limits.wall_seconds:
            return SubmissionAbort("timeout", f"the time for this test ran out while {label} was running; "
                                              "its worker was stopped")
        if exc.status == "missing" and "." in label:    # a method or attribute of an object
            return student_exception("AttributeError", message, label)
        if exc.status == "memory":
            return SubmissionAbort("error", message)
        if exc.status in ("timeout", "missing"):
            return SubmissionAbort(exc.status, message)
        return SubmissionAbort("error", message)     # crashed, protocol

    def _where(self, message, lineno):
        """Replace "(line N: ...)" of the extracted source by the notebook's cell and line."""
        if lineno is None or self.locate is None:
            return message
        place = self.locate(lineno)
        if place is None:
            return message
        cell, line = place
        return message.replace(f"(line {lineno}: ", f"(cell {cell + 1}, line {line}: ")


# ---------------------------------------------------------------- proxies

class RemoteFunction:
    """A function of the submission; calling it runs it in the worker."""

    def __init__(self, remote, name):
        self._remote, self.__name__ = remote, name

    def __call__(self, *args, **kwargs):
        return self._remote.call(self.__name__, args, kwargs)

    def __repr__(self):
        return f"<submission function {self.__name__}>"


class RemoteClass(RemoteFunction):
    """A class of the submission: calling it makes an instance that stays in the worker.

    ``isinstance(obj, proxy)`` is true for RemoteObjects of that class name.
    """

    def __instancecheck__(self, obj):
        return isinstance(obj, RemoteObject) and object.__getattribute__(obj, "_handle").type_name == self.__name__

    def __repr__(self):
        return f"<submission class {self.__name__}>"


class RemoteObject:
    """An object living in the worker (an instance, a cache, a bound method).

    Attribute reads, method calls, item access and len() are forwarded;
    dunder names other than those are not (numpy's probing of ``__array__``
    and the like gets an AttributeError, not a round trip).
    """

    __slots__ = ("_remote", "_handle")

    def __init__(self, remote, handle):
        object.__setattr__(self, "_remote", remote)
        object.__setattr__(self, "_handle", handle)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        remote, handle = self._remote, self._handle
        if (handle.type_name, name) in remote._methods:
            return RemoteMethod(remote, handle, name)
        value = remote.get_attr(handle, name)
        if isinstance(value, RemoteObject) and object.__getattribute__(value, "_handle").type_name == "method":
            remote._methods.add((handle.type_name, name))
            return RemoteMethod(remote, handle, name)   # opt.step(...) -> one request, labelled "Adam.step"
        return value

    def __setattr__(self, name, value):
        self._remote.call_method(self._handle, "__setattr__", (name, value), {})

    def __call__(self, *args, **kwargs):
        return self._remote.call_method(self._handle, "__call__", args, kwargs)

    def __len__(self):
        return self._remote.call_method(self._handle, "__len__", (), {})

    def __getitem__(self, key):
        return self._remote.call_method(self._handle, "__getitem__", (key,), {})

    def __setitem__(self, key, value):
        self._remote.call_method(self._handle, "__setitem__", (key, value), {})

    def __iter__(self):
        iterator = self._remote.call_method(self._handle, "__iter__", (), {})
        while True:
            try:
                yield iterator.__next__()
            except StopIteration:
                return

    def __next__(self):
        return self._remote.call_method(self._handle, "__next__", (), {})

    def __bool__(self):
        return True

    def __repr__(self):
        return f"<submission's {self._handle.type_name} object>"


class RemoteMethod:
    """A method of a RemoteObject, called as ``call_method(handle, name)``."""

    def __init__(self, remote, handle, name):
        self._remote, self._handle, self.__name__ = remote, handle, name

    def __call__(self, *args, **kwargs):
        return self._remote.call_method(self._handle, self.__name__, args, kwargs)

    def __repr__(self):
        return f"<method {self.__name__} of the submission's {self._handle.type_name} object>"


_object_classes = {}


def remote_object(remote, handle):
    """A RemoteObject whose class is named after the worker object's type (messages say "Adam")."""
    name = handle.type_name if handle.type_name.isidentifier() else "object"
    cls = _object_classes.get(name)
    if cls is None:
        cls = _object_classes[name] = type(name, (RemoteObject,), {"__slots__": ()})
    return cls(remote, handle)


def make_proxies(remote, names, class_names=()):
    """{name: RemoteFunction or RemoteClass} for the student names of a test."""
    return {n: (RemoteClass if n in class_names else RemoteFunction)(remote, n) for n in names}


# ---------------------------------------------------------------- exceptions of the submission

_EXTRA_EXCEPTIONS = {"CheckFailure": CheckFailure, "LinAlgError": np.linalg.LinAlgError}
_student_classes = {}


def student_exception(type_name, text, label="", classes=()):
    """An exception of (a look-alike of) class ``type_name``, marked StudentRaised.

    ``classes`` are the names of its class and builtin bases, most derived
    first, as the worker reports them: the first one known here (a builtin,
    CheckFailure, LinAlgError) becomes the base class, so a student's
    ``class StepError(RuntimeError)`` is caught by ``except RuntimeError``.
    Its str() is the submission's own message, as in the kernel.
    """
    short = type_name.rsplit(".", 1)[-1]
    if short == "CheckFailure":
        return CheckFailure(text)       # e.g. a counting graph's budget, checked in the worker
    base = None
    for name in [short, *classes]:
        candidate = _EXTRA_EXCEPTIONS.get(name) or getattr(builtins, name, None)
        if isinstance(candidate, type) and issubclass(candidate, Exception):
            base = candidate
            break
    key = (short, base)
    cls = _student_classes.get(key)
    if cls is None:
        bases = (base, StudentRaised) if base is not None else (StudentRaised,)
        try:
            cls = type(short, bases, {})
        except TypeError:        # a base with an incompatible layout
            cls = type(short, (StudentRaised,), {})
        _student_classes[key] = cls
    exc = cls.__new__(cls)
    Exception.__init__(exc, text)
    exc.label, exc.type_name, exc.text = label, short, text
    return exc


# ---------------------------------------------------------------- copying effects back

def _holds_mutable(value):
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, (np.ndarray, list, dict, np.random.Generator)):
            return True
        if isinstance(v, tuple):
            stack.extend(v)
    return False


def _sync_back(original, after, path, mutated):
    """Copy what a call did to its (copied) arguments into the judge's originals, in place.

    Arrays changed in place get their new contents; dict and list entries
    that were rebound, added or removed are rebound, added or removed;
    generators get their new state. Objects that went over as handles are
    left alone (trusted objects have their own ``sync``).
    """
    if isinstance(original, np.ndarray):
        if path in mutated and isinstance(after, np.ndarray) and after.shape == original.shape \
                and original.flags.writeable:
            original[...] = after
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
                _sync_back(original[key], new, sub, mutated)
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
                _sync_back(old, new, sub, mutated)


def _copied_whole(old, new, path, mutated):
    """True if the entry was rebound to another value (rather than changed in place, or untouched)."""
    if isinstance(new, Handle) or new is None and callable(old) or _trusted_spec(old):
        return False     # went over as a handle or a callback: nothing to copy
    if isinstance(old, np.ndarray) and isinstance(new, np.ndarray):
        if path in mutated:
            return False
        return not (old.shape == new.shape and old.dtype == new.dtype and np.array_equal(old, new, equal_nan=True))
    if isinstance(old, (dict, list, tuple, np.random.Generator)) and type(old) is type(new):
        return False
    try:
        return type(old) is not type(new) or bool(old != new)
    except Exception:
        return True


# ---------------------------------------------------------------- trusted objects

def _trusted_spec(value):
    if isinstance(value, (RemoteObject, RemoteFunction, Handle)) or isinstance(value, PLAIN_SCALARS):
        return None
    for spec in TRUSTED_TYPES:
        if spec.accepts(value):
            return spec
    return None
