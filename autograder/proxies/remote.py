"""One test's link to the worker: its time budget, what it printed, the objects built there.

    remote = Remote(worker, deadline=time.monotonic() + 60, locate=extraction.locate)
    remote.call("relu_forward", (x,), {})        # what a RemoteFunction does when called
    remote.timeout("copying a graph")            # the time a request may take now (trusted_types.py)
"""
import time

import numpy as np

from autograder.proxies.effects import holds_mutable, sync_back, trusted_spec
from autograder.proxies.exceptions import SubmissionAbort, student_exception, to_check_exception
from autograder.proxies.objects import RemoteObject, handle_of, remote_object
from autograder.sandbox import Handle, SubmissionFault, UnsendableArguments
from autograder.trusted_types import PLAIN_SCALARS, ProxyError

OUTPUT_CHARS = 4000          # printed output kept per test, for the feedback page


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
        return self._request(name, lambda w, a, k, **opts: w.call(name, a, k, **opts), args, kwargs)

    def call_method(self, handle, method, args, kwargs):
        label = f"{handle.type_name}.{method}"
        return self._request(label, lambda w, a, k, **opts: w.call_method(handle, method, a, k, **opts),
                             args, kwargs)

    def get_attr(self, handle, name):
        label = f"{handle.type_name}.{name}"
        try:
            value = self.worker.get_attr(handle, name, timeout=self.timeout(label), keep="objects")
        except SubmissionFault as fault:
            located = fault.located(self.locate)
            if fault.status == "missing":   # 'SGD' object has no attribute 'step'
                text = located.text + located.where() if located.raised else located.describe()
                raise student_exception("AttributeError", text, handle.type_name, fault=located) from None
            raise self._translate(fault, label) from None
        finally:
            self._collect_output()
        return self._wrap(value)

    # -- for proxies and trusted types

    def timeout(self, label):
        """Seconds the next request may take: the per-call limit, or what is left of the test's budget.

        Past the budget, a SubmissionAbort("timeout") saying that ``label`` was not called.
        """
        wall = self.worker.limits.wall_seconds
        if self.deadline is None:
            return wall
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise SubmissionAbort.of("timeout", f"the time for this test ran out before {label} was called", label)
        return min(wall, remaining)

    def is_method(self, type_name, name):
        """True if ``name`` of a ``type_name`` object was seen to be a method (called without a lookup)."""
        return (type_name, name) in self._methods

    def remember_method(self, type_name, name):
        self._methods.add((type_name, name))

    # -- machinery

    def _request(self, label, send, args, kwargs):
        built = []
        out_args = [self._outgoing(a, built) for a in args]
        out_kwargs = {k: self._outgoing(v, built) for k, v in kwargs.items()}
        sync = holds_mutable(tuple(args) + tuple(kwargs.values())) or bool(built)
        timeout = self.timeout(label)
        try:
            value = send(self.worker, out_args, out_kwargs, keep="objects", return_args=sync, timeout=timeout)
        except SubmissionFault as fault:
            self._collect_output()
            raise self._translate(fault, label, timeout) from None
        except UnsendableArguments as exc:
            raise ProxyError(str(exc)) from None
        self._collect_output()
        if sync:
            last = self.worker.last
            mutated = set(last.mutated)
            sync_back(list(args), list(last.args or ()), "args", mutated)
            sync_back(dict(kwargs), dict(last.kwargs or {}), "kwargs", mutated)
            for obj, handle, spec in built:
                if spec.sync is not None:
                    try:
                        spec.sync(self, obj, handle)
                    except SubmissionFault as fault:
                        raise self._translate(fault, f"reading back a {type(obj).__name__}") from None
        return self._wrap(value)

    def _collect_output(self):
        text = self.worker.last.output or ""
        room = self.output_chars - len(self.output)
        if room > 0:
            self.output += text[:room]
        self.output_dropped += max(0, len(text) - max(room, 0)) + self.worker.last.output_dropped

    def _outgoing(self, value, built):
        """A judge value as the worker should receive it (handles for RemoteObjects and trusted objects)."""
        if isinstance(value, RemoteObject):
            return handle_of(value)
        if isinstance(value, PLAIN_SCALARS) or isinstance(value, np.ndarray) or callable(value) \
                and not trusted_spec(value):
            return value
        if isinstance(value, tuple):
            return tuple(self._outgoing(v, built) for v in value)
        if isinstance(value, list):
            return [self._outgoing(v, built) for v in value]
        if isinstance(value, dict):
            return {k: self._outgoing(v, built) for k, v in value.items()}
        spec = trusted_spec(value)
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
        except SubmissionFault as fault:
            raise self._translate(fault, f"building a {type(obj).__name__} for the submission") from None
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

    def _translate(self, fault, label, timeout=None):
        """SubmissionFault -> the exception the check code should see (autograder/proxies/exceptions.py)."""
        return to_check_exception(fault.located(self.locate), label, timeout=timeout,
                                  wall_seconds=self.worker.limits.wall_seconds)
