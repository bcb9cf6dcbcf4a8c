"""One test's link to the worker: its time and byte budgets, what it printed, the objects built there.

    remote = Remote(worker, deadline=time.monotonic() + 60, locate=extraction.locate)
    remote.call("relu_forward", (x,), {})        # what a RemoteFunction does when called
    remote.timeout("copying a graph")            # the time a request may take now (trusted_types.py)
    remote.call_many([(f, (x,), {}), ...])       # many calls, one request (course_lib.batch.call_many)

Budgets of one test, on top of the worker's per-call limits (Limits):
  time    ``deadline`` (the base, e.g. now + 120 s) moves CALL_SECONDS later with
          every call the test makes, so the budget is base + calls x CALL_SECONDS:
          a function whose calls take CALL_SECONDS or less on average never runs
          out of test budget, however many calls its check makes
  bytes   what the test receives from the worker (values, arguments sent back,
          printed text) is counted, at most TEST_BYTES; past it the test ends
          with an "error" record. The per-reply cap (Limits.max_reply_mb) alone
          would let a check that iterates over a submission's object pull reply
          after reply.
"""
import contextlib
import time

import numpy as np

from autograder.proxies.effects import holds_mutable, sync_back, trusted_spec
from autograder.proxies.exceptions import SubmissionAbort, student_exception, to_check_exception
from autograder.proxies.objects import RemoteObject, handle_of, remote_object
from autograder.sandbox import Earlier as SandboxEarlier
from autograder.sandbox import Handle, SubmissionFault, UnsendableArguments
from autograder.trusted_types import PLAIN_SCALARS, ProxyError
from course_lib.batch import Earlier, Result

OUTPUT_CHARS = 4000          # printed output kept per test, for the feedback page
CALL_SECONDS = 5.0           # added to a test's time budget for each call it makes
TEST_BYTES = 512 * 2**20     # bytes one test may receive from the worker


class Remote:
    """One test's link to the worker: time budget, printed output, objects built in the worker.

    ``locate(lineno) -> (cell index, line in cell) or None`` turns line numbers
    of the extracted source into notebook positions (Extraction.locate).
    """

    def __init__(self, worker, *, deadline=None, locate=None, output_chars=OUTPUT_CHARS,
                 call_seconds=CALL_SECONDS, max_bytes=TEST_BYTES):
        self.worker = worker
        self.deadline = deadline
        self.locate = locate
        self.output_chars = output_chars
        self.call_seconds = call_seconds
        self.max_bytes = max_bytes
        self.calls = 0
        self.received = 0         # bytes received from the worker in this test
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
        self._count(label, value)
        return self._wrap(value)

    def call_many(self, calls):
        """course_lib.batch.call_many for proxies of this submission: the whole list in one request.

        ``calls``: (RemoteFunction or RemoteMethod, args, kwargs); an argument
        course_lib.batch.Earlier(i) is a copy of what call i returned. Each call counts as
        one toward the test's time budget (CALL_SECONDS each) and is held to the per-call
        limit; -> one course_lib.batch.Result per call, its error the exception the check
        would have seen from a single call. A timeout, a crash or a protocol fault ends
        the test as a single call's would.
        """
        built, sent = [], []
        for fn, args, kwargs in calls:
            target = fn.target
            sent.append((target, [self._outgoing(a, built) for a in args],
                         {k: self._outgoing(v, built) for k, v in (kwargs or {}).items()}))
        sync = bool(built) or any(holds_mutable(tuple(a) + tuple((k or {}).values())) for _, a, k in calls)
        labels = [t if isinstance(t, str) else f"{t[0].type_name}.{t[1]}" for t, _, _ in sent]
        label = labels[0]
        self.calls += len(sent)
        if self.deadline is not None:
            self.deadline += self.call_seconds * len(sent)
        timeout = self.timeout(label)
        with self._answered(label, timeout):
            outcomes = self.worker.call_many(sent, timeout=timeout, until=self.deadline, keep="objects",
                                             return_args=sync)
        results = []
        for (_, args, kwargs), outcome, lab in zip(calls, outcomes, labels):
            self._count(lab, outcome.value, outcome.args, outcome.kwargs)
            if outcome.skipped:
                results.append(Result(skipped=True))
                continue
            if outcome.fault is not None:
                results.append(Result(error=self._translate(outcome.fault, lab), args=tuple(args)))
                continue
            after = tuple(outcome.args or ()) if sync else tuple(args)
            if sync:
                mutated = set(outcome.mutated)
                sync_back(list(args), list(after), "args", mutated)
                sync_back(dict(kwargs or {}), dict(outcome.kwargs or {}), "kwargs", mutated)
            results.append(Result(value=self._wrap(outcome.value), args=self._wrap(after),
                                  kwargs=self._wrap(dict(outcome.kwargs or {})) if sync else dict(kwargs or {})))
        return results

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

    @contextlib.contextmanager
    def _answered(self, label, timeout):
        """Around one request: what the submission printed is collected, a fault becomes a check's exception."""
        try:
            yield
        except SubmissionFault as fault:
            self._collect_output()
            raise self._translate(fault, label, timeout) from None
        except UnsendableArguments as exc:
            raise ProxyError(str(exc)) from None
        self._collect_output()

    def _request(self, label, send, args, kwargs):
        built = []
        out_args = [self._outgoing(a, built) for a in args]
        out_kwargs = {k: self._outgoing(v, built) for k, v in kwargs.items()}
        sync = holds_mutable(tuple(args) + tuple(kwargs.values())) or bool(built)
        self.calls += 1
        if self.deadline is not None:
            self.deadline += self.call_seconds
        timeout = self.timeout(label)
        with self._answered(label, timeout):
            value = send(self.worker, out_args, out_kwargs, keep="objects", return_args=sync, timeout=timeout)
        self._count(label, value, self.worker.last.args, self.worker.last.kwargs)
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

    def _count(self, label, *values):
        """Add what a reply brought to the test's bytes; past ``max_bytes``, end the test."""
        self.received += _size(values) + len(self.worker.last.output or "")
        if self.max_bytes is not None and self.received > self.max_bytes:
            raise SubmissionAbort.of(
                "error", f"this test received more than {self.max_bytes // 2**20} MB from the submission "
                         f"(the last part from {label}); a graded function should return its result, not "
                         "an object that yields data without end", label)

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
        if isinstance(value, Earlier):
            return SandboxEarlier(int(value.index), bool(value.as_float64))
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


def _size(value):
    """Bytes a decoded value occupies, roughly: array data, text, 8 per other item (no recursion)."""
    total, stack = 0, [value]
    while stack:
        v = stack.pop()
        if isinstance(v, np.ndarray):
            total += v.nbytes
        elif isinstance(v, (str, bytes)):
            total += len(v)
        elif isinstance(v, (list, tuple)):
            total += 8 * len(v)
            stack.extend(v)
        elif isinstance(v, dict):
            total += 8 * len(v)
            stack.extend(v.keys())
            stack.extend(v.values())
        else:
            total += 8
    return total
