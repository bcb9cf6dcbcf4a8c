"""The judge's side of one worker: requests, replies, timeouts, restarts (the pool forks it).

    w = pool.spawn(extraction.source, graded_names=extraction.found)
    out, cache = w.call("relu_forward", (x,), keep=[1])    # cache stays in the worker
    dx = w.call("relu_backward", (dout, cache))
    outcomes = w.call_many([("relu_forward", (x,), {}), ("relu_forward", (2 * x,), {})])   # one request
    opt = w.new("Adam", kwargs={"lr": 1e-3})
    theta = w.call_method(opt, "step", (theta, TrustedFunction("quadratic", "grad", A=A, b=b)))
    w.close()

Every failure of the submission is a SubmissionFault (faults.py), and the
Worker keeps going:
  timeout   the call ran past its wall-clock limit: the worker's process group
            is killed; the next call starts a fresh worker (source reloaded)
  crashed   the worker died (os._exit, segfault, killed): the exit code or
            signal is reported, and the next call gets a fresh worker
  memory    MemoryError under RLIMIT_AS: "used more than N MB"
  protocol  the reply was malformed, answered another request, or bytes
            arrived outside a reply (the submission wrote to the channel)
Output past the cap is cut and noted in ``worker.last.output``. Statements
that failed while loading are in ``worker.load_failures``.

What a call leaves behind: after each call the judge counts the worker's
threads (/proc/<pid>/task) and children. A call that returns but leaves
threads running (or, without seccomp, a child process) marks the worker;
``replace_if_left_behind()``, called before each test, then gives the next
test a fresh worker, so a spinning thread costs nothing to the submission's
other functions. ``worker.notes`` says which call left what.

A judge-side function among the arguments (not a TrustedFunction) stays
here: the worker calls it back with plain data (protocol.py, "Callbacks").
If it raises (a check's CheckFailure, say) and the call then fails, the
call raises that same exception, as it would in the notebook's kernel.

Why forged replies gain nothing: each request carries a fresh random id
that the reply must echo, so a submission cannot prepare answers to calls it
has not seen; while a call runs it can only answer that call, with data it
could have returned anyway; anything else breaks the framing or the id and
ends that worker. The judge never trusts a reply's content: sizes are
checked before reading, arrays must be numeric, and scores are computed
here, not there. A Worker is not thread-safe; use one per thread.
"""
import os
import secrets
import select
import signal
import socket
import time
from dataclasses import dataclass, field

from autograder.sandbox.faults import SubmissionFault, fault_from_exit
from autograder.sandbox.protocol import (
    MAX_BATCH,
    PROGRESS_SECONDS,
    ChannelClosed,
    Decoder,
    EncodeError,
    Encoder,
    FrameError,
    Handle,
    read_frame,
    write_frame,
)


class UnsendableArguments(TypeError):
    """The judge passed an argument that cannot cross to the worker (an object that is not plain data)."""


@dataclass(frozen=True)
class LoadFailure:
    """A top-level statement of the submission that failed while loading: its line, and why."""

    statement: int        # line of the extracted source where the statement starts (None: nothing ran)
    fault: SubmissionFault

    @classmethod
    def from_reply(cls, reply):
        statement = reply.get("statement")
        return cls(statement if type(statement) is int else None, SubmissionFault.from_reply(reply))


@dataclass
class CallInfo:
    """What the last request of a Worker printed and did besides its value."""

    output: str = ""
    output_dropped: int = 0          # characters past Limits.output_chars
    seconds: float = 0.0             # time inside the worker
    mutated: list = field(default_factory=list)   # argument arrays changed in place, "args[0]"
    args: tuple = None               # arguments after the call, with return_args=True
    kwargs: dict = None


@dataclass
class Outcome:
    """One call of a batch (Worker.call_many): its value, or the fault that stopped it."""

    value: object = None
    fault: SubmissionFault = None    # the submission raised (status "error"), or a name is missing
    skipped: bool = False            # not run: it takes the result of a call that failed
    mutated: list = field(default_factory=list)
    args: tuple = None               # arguments after the call, with return_args=True
    kwargs: dict = None


class Worker:
    """One submission loaded in a worker process; restarts itself after a failure.

    The submission's arguments are passed explicitly, as ``args`` (a
    sequence) and ``kwargs`` (a dict), so every keyword name reaches the
    submission, ``timeout`` and ``keep`` included; the keywords after ``*``
    are the sandbox's own.
    """

    def __init__(self, pool, source, graded_names, limits):
        self.pool, self.source, self.limits = pool, source, limits
        self.graded_names = sorted(graded_names)
        self.restarts = -1
        self.round_trips = 0          # requests sent and callbacks answered, over restarts (SubmissionResult)
        self.last = CallInfo()
        self.notes = []               # sentences for the result: what calls left behind
        self.left_behind = ""         # what the last offending call left, until the worker is replaced
        self.pid = self._sock = self.token = None
        self._start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- public API

    def call(self, name, args=(), kwargs=None, *, timeout=None, keep=(), return_args=False):
        """Call the submission's ``name(*args, **kwargs)``; return its value as plain data.

        ``keep`` lists positions of a tuple result that stay in the worker as
        Handles (``keep=[1]`` for ``(out, cache)``); ``keep="all"`` keeps the
        whole result; ``keep="objects"`` keeps whatever is not plain data.
        With ``return_args``, ``self.last.args``/``kwargs`` hold the
        arguments after the call (batchnorm updates bn_param in place).
        """
        header = {"op": "call", "target": name, "method": None, "keep": _keep(keep),
                  "return_args": bool(return_args)}
        return self._call(header, args, kwargs, timeout, name)

    def call_many(self, calls, *, timeout=None, until=None, keep=(), return_args=False):
        """Run a batch of calls in one request; -> one Outcome per call, in order.

        ``calls``: (target, args, kwargs) triples, target a name of the submission or
        (Handle, method). An argument ``Earlier(i)`` is a copy of what call i returned.
        One call that raises, or that needs the result of one that did, does not lose the
        others: its Outcome holds the SubmissionFault. Every call is held to the per-call
        wall-clock limit (``timeout``, default Limits.wall_seconds), the whole batch to
        ``until`` (a time.monotonic() value, the test's budget) if given; the reply may be
        k times the per-call size and printed output. A timeout, a crash or a protocol fault
        ends the batch and raises, as a single call would.
        """
        per_call = timeout or self.limits.wall_seconds
        requests, labels = [], []
        for target, args, kwargs in calls:
            if isinstance(target, tuple):
                handle, method = target
                self._check_handles(handle)
                requests.append({"target": {"__handle__": handle.id}, "method": method})
                labels.append(f"{handle.type_name}.{method}")
            else:
                requests.append({"target": target, "method": None})
                labels.append(str(target))
            kwargs = {} if kwargs is None else kwargs
            if not isinstance(args, (tuple, list)) or not isinstance(kwargs, dict):
                raise UnsendableArguments(f"cannot send the arguments of {labels[-1]}: args must be a tuple or "
                                          "list and kwargs a dict")
            self._check_handles(args, kwargs)
            requests[-1]["args"], requests[-1]["kwargs"] = list(args), dict(kwargs)
        if not 0 < len(requests) <= MAX_BATCH:
            raise ValueError(f"a batch holds 1 to {MAX_BATCH} calls, got {len(requests)}")
        self._ensure_running()
        callbacks = _Callbacks()
        encoder = Encoder(on_object=callbacks.register)
        try:
            for i, request in enumerate(requests):
                request["args"] = encoder.encode(request["args"], f"call {i}: args")
                request["kwargs"] = encoder.encode(request["kwargs"], f"call {i}: kwargs")
        except EncodeError as exc:
            raise UnsendableArguments(f"cannot send the arguments of a batch of {labels[0]}: {exc}") from None
        header = {"op": "call_many", "calls": requests, "keep": _keep(keep), "return_args": bool(return_args)}
        label = labels[0] if len(set(labels)) == 1 else "a batch of calls"
        try:
            reply, blobs = self._exchange(header, encoder.blobs, per_call, f"{label} (batch of {len(requests)})",
                                          callbacks, batch=len(requests), until=until)
        except SubmissionFault as fault:
            if callbacks.error is not None and fault.status == "error":
                raise callbacks.error from None
            raise
        finally:
            self._look_for_leftovers(label)
        results = reply.get("results")
        if type(results) is not list or len(results) != len(requests) or not all(type(r) is dict for r in results):
            self._stop()
            raise SubmissionFault("protocol", f"{label}: the reply to a batch of {len(requests)} calls does not "
                                              "hold one result per call", label)
        return [self._outcome(r, blobs, lab, header["keep"], header["return_args"]) for r, lab in zip(results, labels)]

    def _outcome(self, reply, blobs, label, keep, return_args):
        """One call's reply within a batch -> Outcome (a protocol fault in it ends the worker and raises)."""
        status = reply.get("status")
        if status == "skipped":
            return Outcome(fault=SubmissionFault("error", f"{label} was not run: {str(reply.get('detail'))[:200]}",
                                                 label), skipped=True)
        if status != "ok":
            fault = SubmissionFault.from_reply(reply)
            if fault.status not in ("error", "missing"):   # a call cannot time out or crash alone
                self._stop()
                raise SubmissionFault("protocol", f"{label}: a result of a batch has status {fault.status!r}",
                                      label)
            return Outcome(fault=fault)
        value = self._decode(reply.get("value"), blobs, label)
        if not _handles_where_asked(value, keep):
            self._stop()
            raise SubmissionFault("protocol", f"{label}: the reply holds an object reference "
                                              "where plain data was expected", label)
        outcome = Outcome(value=value, mutated=[str(p) for p in _list(reply.get("mutated"))])
        if return_args:
            args_after = self._decode(reply.get("args"), blobs, label)
            kwargs_after = self._decode(reply.get("kwargs"), blobs, label)
            outcome.args = tuple(args_after) if isinstance(args_after, list) else ()
            outcome.kwargs = kwargs_after if isinstance(kwargs_after, dict) else {}
        return outcome

    def new(self, class_name, args=(), kwargs=None, *, timeout=None):
        """Create an instance of the submission's class (or a "course_lib.x.Name"); -> Handle."""
        header = {"op": "call", "target": class_name, "method": None, "keep": "all"}
        return self._call(header, args, kwargs, timeout, class_name)

    def call_method(self, handle, method, args=(), kwargs=None, *, timeout=None, keep=(), return_args=False):
        """Call ``method`` of an object held in the worker, e.g. an optimizer's step."""
        self._check_handles(handle)
        header = {"op": "call", "target": {"__handle__": handle.id}, "method": method,
                  "keep": _keep(keep), "return_args": bool(return_args)}
        return self._call(header, args, kwargs, timeout, f"{handle.type_name}.{method}")

    def get_attr(self, handle, name, *, timeout=None, keep=None):
        """Read ``handle.name`` (e.g. a module's ``params`` dict) as plain data."""
        self._check_handles(handle)
        self._ensure_running()
        header = {"op": "getattr", "target": {"__handle__": handle.id}, "name": name, "keep": keep}
        label = f"{handle.type_name}.{name}"
        reply, blobs = self._exchange(header, [], timeout or self.limits.wall_seconds, label)
        return self._decode(reply.get("value"), blobs, label)

    def restart(self):
        """Stop this worker and load the submission into a fresh one."""
        self._stop()
        self._start()

    def replace_if_left_behind(self):
        """Before a test: a fresh worker if a call left threads or children running; -> True if replaced."""
        if not self.left_behind or self._sock is None:
            return False
        self.notes.append(f"{self.left_behind}; the worker was replaced before the next test")
        self._stop()
        self.restarts -= 1            # not a failure: _start counts one
        self._start()
        return True

    def close(self):
        self._stop()

    # -- starting and stopping

    def _start(self):
        self.restarts += 1
        self.pid, self._sock = self.pool.fork_worker(self.limits)
        self.token = secrets.token_hex(8)
        header = {"op": "load", "source": self.source, "graded": self.graded_names}
        try:
            reply, _ = self._exchange(header, [], self.limits.load_seconds, "loading the notebook's code")
        except SubmissionFault:
            self._stop()
            raise
        self.load_failures = [LoadFailure.from_reply(f) for f in _list(reply.get("failures"))[:1000]
                              if isinstance(f, dict)]
        self.left_behind = ""
        self._threads = _thread_count(self.pid)   # the loaded code's own threads are not leftovers
        self.defined = [str(m) for m in _list(reply.get("defined"))]
        self.protections = [str(m) for m in _list(reply.get("protections"))]

    def _stop(self):
        """Kill the worker's process group, reap it; -> raw wait status or None."""
        if self.pid is None:
            return None
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        status = self.pool.reap(self.pid)
        self._sock.close()
        self.pid = self._sock = self.token = None
        return status

    def _look_for_leftovers(self, label):
        if self.pid is None or self.left_behind:
            return
        extra = _thread_count(self.pid) - self._threads
        kids = _child_count(self.pid)
        if extra > 0 or kids > 0:
            what = [f"{n} {word}{'s' if n > 1 else ''}" for n, word in ((extra, "thread"), (kids, "child process"))
                    if n > 0]
            self.left_behind = f"{label} left {' and '.join(what)} running after it returned"

    def _ensure_running(self):
        """Start a fresh worker if the last one stopped; catch bytes sent outside a reply."""
        if self._sock is not None and _readable(self._sock):
            try:
                pending = self._sock.recv(1, socket.MSG_PEEK)
            except OSError:
                pending = b""
            self._stop()
            if pending:
                raise SubmissionFault(
                    "protocol", "the submission wrote to the grading channel outside a reply "
                                "(during an earlier call); its worker was stopped")
        if self._sock is None:
            self._start()

    # -- requests

    def _call(self, header, args, kwargs, timeout, label):
        kwargs = {} if kwargs is None else kwargs
        if not isinstance(args, (tuple, list)) or not isinstance(kwargs, dict):
            raise UnsendableArguments(f"cannot send the arguments of {label}: args must be a tuple or list "
                                      "and kwargs a dict")
        self._check_handles(args, kwargs)
        self._ensure_running()
        callbacks = _Callbacks()
        encoder = Encoder(on_object=callbacks.register)
        try:
            header["args"] = encoder.encode(list(args), "args")
            header["kwargs"] = encoder.encode(dict(kwargs), "kwargs")
        except EncodeError as exc:
            raise UnsendableArguments(f"cannot send the arguments of {label}: {exc}") from None
        try:
            reply, blobs = self._exchange(header, encoder.blobs, timeout or self.limits.wall_seconds,
                                          label, callbacks)
        except SubmissionFault as fault:
            if callbacks.error is not None and fault.status == "error":
                raise callbacks.error from None   # what made the submission's code raise
            raise
        finally:
            self._look_for_leftovers(label)
        value = self._decode(reply.get("value"), blobs, label)
        if not _handles_where_asked(value, header["keep"]):
            self._stop()
            raise SubmissionFault("protocol", f"{label}: the reply holds an object reference "
                                              "where plain data was expected", label)
        self.last.mutated = [str(p) for p in _list(reply.get("mutated"))]
        if header.get("return_args"):
            args_after = self._decode(reply.get("args"), blobs, label)
            kwargs_after = self._decode(reply.get("kwargs"), blobs, label)
            self.last.args = tuple(args_after) if isinstance(args_after, list) else ()
            self.last.kwargs = kwargs_after if isinstance(kwargs_after, dict) else {}
        return value

    def _exchange(self, header, blobs, timeout, label, callbacks=None, batch=1, until=None):
        """Send one request, serve its callbacks, return its reply.

        ``batch`` > 1 (a call_many of that many calls): each progress frame of the worker
        (calls done) gives the running call ``timeout`` seconds again (plus the reporting
        interval, protocol.PROGRESS_SECONDS), never past ``until``, and the reply may be
        ``batch`` times the per-reply size.
        """
        request_id = secrets.token_hex(16)
        until = float("inf") if until is None else until
        deadline = min(time.monotonic() + timeout, until)
        self.round_trips += 1
        done = 0
        try:
            write_frame(self._sock, dict(header, id=request_id), blobs, deadline)
            while True:
                reply, reply_blobs = read_frame(self._sock, deadline, batch * self.limits.max_reply_mb * 2**20)
                if reply.get("op") == "progress" and batch > 1 and reply.get("id") == request_id:
                    step = reply.get("done")
                    if type(step) is not int or not done < step < batch:
                        raise FrameError("a progress report of a batch is out of order")
                    done = step
                    deadline = min(time.monotonic() + timeout + PROGRESS_SECONDS, until)
                    continue
                if reply.get("op") != "callback" or callbacks is None or reply.get("id") != request_id:
                    break
                self._answer_callback(reply, reply_blobs, callbacks, request_id, deadline)
        except TimeoutError:
            self._stop()
            raise SubmissionFault("timeout", f"{label} did not finish within {timeout:g} s "
                                             "(wall clock); its worker was stopped", label) from None
        except ChannelClosed:
            raise fault_from_exit(self._stop(), self.limits, label) from None
        except FrameError as exc:
            self._stop()
            raise SubmissionFault("protocol", f"{label}: malformed reply ({exc}); was something "
                                              "written to the grading channel?", label) from None
        if reply.get("id") != request_id:
            self._stop()
            raise SubmissionFault("protocol", f"{label}: the reply does not answer this request; "
                                              "was something written to the grading channel?", label)
        self.last = CallInfo(seconds=_number(reply.get("seconds")))
        self.last.output, self.last.output_dropped = _output(reply, self.limits, batch)
        if reply.get("status") != "ok":
            raise SubmissionFault.from_reply(reply, output=self.last.output)
        return reply, reply_blobs

    def _answer_callback(self, request, blobs, callbacks, request_id, deadline):
        """Run a judge-side function the worker asked for; send back its value or its error.

        Anything that leaves this method without a reply written (a malformed
        request, an abort in the judge) stops the worker, which would
        otherwise wait for the reply forever.
        """
        self.round_trips += 1
        try:
            function = callbacks.get(request.get("callback"))
            decoder = Decoder(blobs, on_handle=lambda i, t: Handle(self.token, i, str(t)[:100]))
            try:
                args = decoder.decode(request.get("args"))
                kwargs = decoder.decode(request.get("kwargs"))
            except EncodeError as exc:
                raise FrameError(f"bad callback arguments ({exc})") from None
            if (function is None or not isinstance(args, list) or not isinstance(kwargs, dict)
                    or not all(isinstance(k, str) for k in kwargs)):
                raise FrameError("a callback request is malformed")
            encoder = Encoder()
            try:
                answer = {"status": "ok", "value": encoder.encode(function(*args, **kwargs), "value")}
            except EncodeError as exc:
                encoder = Encoder()
                answer = {"status": "error", "exception": "TypeError",
                          "message": f"the grader's function returned a value that cannot be sent: {exc}"}
            except Exception as exc:  # a check's CheckFailure, or a bad argument from the submission
                if self._sock is None:
                    raise   # the function called the submission, and that stopped the worker
                callbacks.error = callbacks.error or exc
                encoder = Encoder()
                answer = {"status": "error", "exception": type(exc).__name__, "message": str(exc)[:2000]}
            write_frame(self._sock, dict(answer, op="callback_reply", id=request_id), encoder.blobs, deadline)
        except (FrameError, TimeoutError, ChannelClosed):
            raise   # _exchange stops the worker and says why
        except BaseException:
            self._stop()
            raise

    def _decode(self, tree, blobs, label):
        decoder = Decoder(blobs, on_handle=lambda i, t: Handle(self.token, i, str(t)[:100]))
        try:
            return decoder.decode(tree)
        except EncodeError as exc:     # e.g. an array of strings or objects
            raise SubmissionFault("error", f"{label} returned {exc}", label, output=self.last.output) from None
        except FrameError as exc:
            self._stop()
            raise SubmissionFault("protocol", f"{label}: malformed value ({exc})", label) from None

    def _check_handles(self, *values):
        for value in _walk(values):
            if isinstance(value, Handle) and value.token != self.token:
                raise SubmissionFault(
                    "error", f"the {value.type_name or 'object'} made earlier lived in a worker "
                             "that has since stopped (after a failure); create it again")


def _thread_count(pid):
    """Threads of process ``pid`` (0 where /proc cannot tell)."""
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


def _child_count(pid):
    """Children of process ``pid``, from /proc/<pid>/task/*/children (0 where /proc cannot tell)."""
    count = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                count += len(f.read().split())
    except OSError:
        pass
    return count


class _Callbacks:
    """The judge-side functions among one call's arguments, by number."""

    def __init__(self):
        self.functions = []
        self.error = None   # the first exception one of them raised

    def register(self, value, where):
        if not callable(value) or isinstance(value, type):
            raise EncodeError(f"{where} is an object of type {type(value).__name__}, "
                              "expected an array, numbers or a function")
        self.functions.append(value)
        return {"__callback__": len(self.functions) - 1}

    def get(self, number):
        if type(number) is int and 0 <= number < len(self.functions):
            return self.functions[number]
        return None


def _keep(keep):
    if keep in ("all", "objects"):
        return keep
    return sorted(int(i) for i in keep)


def _output(reply, limits, batch=1):
    text = reply.get("output")
    text = text[:batch * limits.output_chars] if isinstance(text, str) else ""
    dropped = reply.get("output_dropped")
    dropped = dropped if type(dropped) is int and dropped > 0 else 0
    if dropped:
        text += f"\n[... {dropped} more characters of output were dropped]"
    return text, dropped


def _handles_where_asked(value, keep):
    """True if Handles appear exactly where ``keep`` asked for them."""
    if keep == "objects":
        return True
    if keep == "all":
        return isinstance(value, Handle)
    if keep:
        if not isinstance(value, tuple) or not all(isinstance(value[i], Handle) for i in keep):
            return False
        value = [v for i, v in enumerate(value) if i not in keep]
    return not any(isinstance(v, Handle) for v in _walk([value]))


def _readable(sock):
    poller = select.poll()   # not select.select: fd numbers can pass 1024 in a long run
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


def _list(value):
    return value if isinstance(value, list) else []


def _number(value):
    return float(value) if type(value) in (int, float) else 0.0


def _walk(values):
    stack = list(values)
    while stack:
        value = stack.pop()
        yield value
        if isinstance(value, (list, tuple)):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
