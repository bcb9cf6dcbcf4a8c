"""A worker's session: one submission's namespace, its objects, and the requests it serves.

    session = Session(limits, protections)    # in the forked worker, after confinement
    reply, blobs = session.handle(header, blobs)

Requests (worker.py reads them from the judge's socket):
  load     execute the extracted source statement by statement in a fresh
           module; a failing statement is reported (its line and its fault)
           and the rest still runs
  call     call a function, a class (creating an instance) or a method of a
           handle; objects the judge cannot receive stay in a handle table
  getattr  read an attribute of a handle (a module's params, an optimizer's state)
  call_many  a batch of calls in one request, each reply kept apart (protocol.py, "Batches")
A request that ends without a value raises a SubmissionFault (faults.py),
sent back as its fields. A judge-side function passed as an argument
arrives as a stub that calls back into the judge (protocol.py, "Callbacks").
"""
import ast
import builtins
import dataclasses
import importlib
import linecache
import sys
import time
import types
from copy import deepcopy

import numpy as np

from autograder.sandbox import limits as limits_mod
from autograder.sandbox import protocol
from autograder.sandbox.faults import SubmissionFault, fault_from_exception

SUBMISSION_MODULE = "submission"
FILENAME = "<submission>"


class Session:
    """One submission's namespace, handle table and captured output."""

    def __init__(self, limits, protections):
        self.limits = limits
        self.protections = protections
        self.namespace = None
        self.handles = {}
        self.sock = None          # set by serve(); callbacks write to it
        self.request_ids = []     # ids of the requests being served, innermost last
        self.output = limits_mod.BoundedOutput(limits.output_chars)
        sys.stdout = sys.stderr = sys.__stdout__ = sys.__stderr__ = self.output
        sys.stdin = sys.__stdin__ = _EmptyInput()

    def handle(self, header, blobs):
        start = time.perf_counter()
        self.request_ids.append(header.get("id"))
        try:
            op = header.get("op")
            if op == "load":
                reply, out_blobs = self.load(header["source"], header.get("graded", [])), []
            elif op == "call":
                reply, out_blobs = self.call(header, blobs)
            elif op == "call_many":
                reply, out_blobs = self.call_many(header, blobs)
            elif op == "getattr":
                reply, out_blobs = self.getattr(header)
            else:
                raise SubmissionFault("protocol", f"unknown op {op!r}")
        except SubmissionFault as fault:
            reply, out_blobs = fault.to_reply(), []
        except Exception as exc:  # e.g. a trusted course_lib target that fails to import: not the submission's
            raised = fault_from_exception(exc, filename=FILENAME)
            fault = SubmissionFault("error", raised.detail, line=raised.line, code=raised.code)
            reply, out_blobs = fault.to_reply(), []
        finally:
            self.request_ids.pop()
        reply["output"], reply["output_dropped"] = self.output.take()
        reply["seconds"] = time.perf_counter() - start
        return reply, out_blobs

    # -- load

    def load(self, source, graded):
        linecache.cache[FILENAME] = (len(source), None, source.splitlines(True), FILENAME)
        module = types.ModuleType(SUBMISSION_MODULE)
        module.__file__ = FILENAME
        sys.modules[SUBMISSION_MODULE] = module
        self.namespace = module.__dict__
        failures = []   # one per statement that failed: {"statement": its line, **the fault's fields}
        try:
            tree = ast.parse(source, FILENAME)
        except SyntaxError as exc:
            fault = SubmissionFault("error", f"the extracted code does not parse: {exc.msg} (line {exc.lineno})")
            return {"status": "ok", "defined": [], "protections": self.protections,
                    "failures": [dict(fault.to_reply(), statement=None)]}
        flags = 0
        for stmt in tree.body:
            if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
                flags |= _future_flags(stmt)
            try:
                exec(compile(ast.Module([stmt], []), FILENAME, "exec", flags, dont_inherit=True),
                     self.namespace)
            except BaseException as exc:  # SystemExit and MemoryError included
                fault = fault_from_exception(exc, filename=FILENAME)
                failures.append(dict(fault.to_reply(), statement=stmt.lineno))
        defined = sorted(k for k in self.namespace if not k.startswith("__"))
        return {"status": "ok", "defined": defined, "failures": failures,
                "protections": self.protections}

    # -- call

    def call(self, header, blobs):
        encoder = protocol.Encoder()
        reply, _ = self._call_one(header, blobs, encoder, header.get("id"))
        return reply, encoder.blobs

    def call_many(self, header, blobs):
        """The calls of a batch in order, each reply kept apart (protocol.py, "Batches")."""
        calls, request_id = header.get("calls"), header.get("id")
        if type(calls) is not list or not 0 < len(calls) <= protocol.MAX_BATCH \
                or not all(type(c) is dict for c in calls):
            raise SubmissionFault("protocol", "a batch must be a non-empty list of calls")
        self.output.cap = self.limits.output_chars * len(calls)   # k calls may print k times as much
        encoder, results, replies, built = protocol.Encoder(), [], [], {}
        reported = time.monotonic()
        try:
            for i, call in enumerate(calls):
                def earlier(j, as_float64, i=i):
                    if not 0 <= j < i:
                        raise protocol.FrameError(f"call {i} of the batch refers to the result of call {j}")
                    if replies[j].get("status") != "ok":
                        raise _Skipped(j)
                    return np.array(results[j], dtype=np.float64) if as_float64 else deepcopy(results[j])
                call = dict(call, keep=header.get("keep"), return_args=header.get("return_args"))
                try:
                    reply, value = self._call_one(call, blobs, encoder, request_id, earlier, built)
                except _Skipped as skipped:
                    reply, value = {"status": "skipped", "detail": f"call {skipped.index} of the batch failed"}, None
                except SubmissionFault as fault:
                    reply, value = fault.to_reply(), None
                except Exception as exc:  # e.g. copying an earlier result raised
                    reply, value = fault_from_exception(exc, filename=FILENAME).to_reply(), None
                replies.append(reply)
                results.append(value)
                now = time.monotonic()
                if i + 1 < len(calls) and self.sock is not None and now - reported >= protocol.PROGRESS_SECONDS:
                    protocol.write_frame(self.sock, {"op": "progress", "id": request_id, "done": i + 1})
                    reported = now
        finally:
            self.output.cap = self.limits.output_chars
        return {"status": "ok", "results": replies}, encoder.blobs

    def _call_one(self, header, blobs, encoder, request_id, earlier=None, built=None):
        """One call -> (its reply, the value it returned); its result and arguments go through ``encoder``."""
        target, label = self._resolve(header.get("target"), header.get("method"))
        decoder = protocol.Decoder(blobs, on_handle=self._lookup_handle, build_functions=True,
                                   on_callback=lambda n: self._callback_stub(n, request_id), on_result=earlier,
                                   built=built)
        try:
            args = decoder.decode(header.get("args", []))
            kwargs = decoder.decode(header.get("kwargs", {"__dict__": []}))
        except protocol.FrameError as exc:
            raise SubmissionFault("protocol", f"bad arguments: {exc}", label) from None
        if type(args) is not list or type(kwargs) is not dict or not all(type(k) is str for k in kwargs):
            raise SubmissionFault("protocol", "bad arguments: args must be a list and kwargs a dict", label)
        before = _array_snapshot(args, kwargs)
        try:
            result = target(*args, **kwargs)
        except SystemExit as exc:
            raise SubmissionFault("error", f"{label} called exit({exc.code!r}); a graded function must "
                                           "return its result, not end the program", label) from None
        except MemoryError:
            raise SubmissionFault("memory", f"{label} used more than {self.limits.memory_mb} MB of memory "
                                            "(MemoryError)", label) from None
        except BaseException as exc:
            raise fault_from_exception(exc, label, FILENAME) from None
        reply = {"status": "ok", "mutated": _changed_arrays(before, args, kwargs)}
        on_object = encoder.on_object
        try:
            reply["value"] = self._encode_result(encoder, result, header.get("keep"), label)
            if header.get("return_args"):
                # arguments that were handles go back as handles, trusted functions as None
                encoder.on_object = self._handle_or_none
                reply["args"] = encoder.encode(args, "args")
                reply["kwargs"] = encoder.encode(kwargs, "kwargs")
        except (protocol.EncodeError, RecursionError, MemoryError) as exc:
            raise SubmissionFault("error", f"{label} returned something that cannot be graded: {exc}",
                                  label) from None
        finally:
            encoder.on_object = on_object
        return reply, result

    def _encode_result(self, encoder, result, keep, label):
        if keep == "all":
            return self._store(result, "result")
        if keep == "objects":
            encoder.on_object = self._store
            return encoder.encode(result, "result")
        keep = set(keep or ())
        if not keep:
            return encoder.encode(result, "result")
        if not isinstance(result, (tuple, list)) or len(result) <= max(keep):
            raise SubmissionFault("error", f"{label} returned {type(result).__name__}, expected a tuple "
                                           f"of at least {max(keep) + 1} items such as (out, cache)", label)
        items = [self._store(v, f"result[{i}]") if i in keep else encoder.encode(v, f"result[{i}]")
                 for i, v in enumerate(result)]
        return {"__tuple__": items}

    def _store(self, obj, where):
        handle_id = len(self.handles) + 1
        self.handles[handle_id] = obj
        return {"__handle__": handle_id, "type": type(obj).__name__}

    def _handle_or_none(self, obj, where):
        for handle_id, held in self.handles.items():
            if held is obj:
                return {"__handle__": handle_id, "type": type(obj).__name__}
        return None

    def _lookup_handle(self, handle_id, _type_name=""):
        if handle_id not in self.handles:
            raise protocol.FrameError(f"unknown handle {handle_id}")
        return self.handles[handle_id]

    def _resolve(self, target, method):
        """-> (callable, label used in messages)."""
        if self.namespace is None:
            raise SubmissionFault("protocol", "call before load")
        if isinstance(target, dict) and "__handle__" in target:
            try:
                obj = self._lookup_handle(target["__handle__"])
            except protocol.FrameError as exc:
                raise SubmissionFault("protocol", str(exc)) from None
            label = type(obj).__name__
        elif isinstance(target, str) and target.startswith("course_lib."):
            # the judge building a trusted object (e.g. a course_lib Sequential)
            module_name, _, attr = target.rpartition(".")
            obj = getattr(importlib.import_module(module_name), attr)
            label = target
        elif isinstance(target, str):
            if target not in self.namespace:
                raise SubmissionFault("missing", f"{target} is not defined in the submission", target)
            obj, label = self.namespace[target], target
        else:
            raise SubmissionFault("protocol", f"bad call target {target!r}")
        if method is not None:
            try:
                obj = getattr(obj, method)
            except BaseException as exc:
                raise _missing(exc, f"{label}.{method}", f"{label} has no method {method}") from None
            label = f"{label}.{method}"
        if not callable(obj):
            raise SubmissionFault("error", f"{label} is a {type(obj).__name__}, not a function", label)
        return obj, label

    # -- callbacks into the judge

    def _callback_stub(self, number, request_id):
        """A function that runs the judge's callback ``number`` (valid while request_id is served)."""
        def judge_function(*args, **kwargs):
            return self._run_callback(number, request_id, args, kwargs)

        judge_function.__qualname__ = judge_function.__name__ = f"judge_function_{number}"
        return judge_function

    def _run_callback(self, number, request_id, args, kwargs):
        if request_id not in self.request_ids:
            raise RuntimeError("this function of the grader was passed to an earlier call and can no "
                               "longer be used; do not keep it between calls")
        encoder = protocol.Encoder(on_object=self._store)   # objects of the submission stay here
        try:
            header = {"op": "callback", "id": request_id, "callback": number,
                      "args": encoder.encode(list(args), "args"),
                      "kwargs": encoder.encode(dict(kwargs), "kwargs")}
        except (protocol.EncodeError, RecursionError) as exc:
            raise TypeError(f"cannot pass these arguments to the grader's function: {exc}") from None
        protocol.write_frame(self.sock, header, encoder.blobs)
        while True:
            reply, blobs = protocol.read_frame(self.sock)
            if reply.get("op") == "callback_reply" and reply.get("id") == request_id:
                break
            # the judge's function calls the submission while we wait for its result
            answer, out_blobs = self.handle(reply, blobs)
            answer["id"] = reply.get("id")
            protocol.write_frame(self.sock, answer, out_blobs)
        if reply.get("status") == "ok":
            return protocol.Decoder(blobs, on_handle=self._lookup_handle).decode(reply.get("value"))
        raise _judge_exception(str(reply.get("exception", "")), str(reply.get("message", "")))

    # -- getattr

    def getattr(self, header):
        target = header.get("target")
        if not (isinstance(target, dict) and target.get("__handle__") in self.handles):
            raise SubmissionFault("protocol", "getattr needs a live handle")
        obj = self.handles[target["__handle__"]]
        name = header.get("name", "")
        try:
            value = getattr(obj, name)
        except BaseException as exc:
            label = f"{type(obj).__name__}.{name}"
            raise _missing(exc, label, label) from None
        encoder = protocol.Encoder(on_object=self._store if header.get("keep") == "objects" else None)
        try:
            tree = encoder.encode(value, f"{type(obj).__name__}.{name}")
        except (protocol.EncodeError, RecursionError) as exc:
            raise SubmissionFault("error", str(exc)) from None
        return {"status": "ok", "value": tree}, encoder.blobs


def _missing(exc, label, head):
    """The fault for a name the submission's object lacks: "<head>: AttributeError: ..." and its fields."""
    raised = fault_from_exception(exc, filename=FILENAME)
    return dataclasses.replace(raised, status="missing", detail=f"{head}: {raised.detail}", label=label)


def _judge_exception(type_name, message):
    """The exception a judge-side function raised, re-created for the submission's code."""
    if type_name == "CheckFailure":
        try:
            from course_lib.selfcheck.core import CheckFailure
            return CheckFailure(message)
        except Exception:
            return AssertionError(message)
    cls = getattr(builtins, type_name, None)
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            return cls(message)
        except Exception:
            pass
    return RuntimeError(f"{type_name}: {message}")


class _Skipped(Exception):
    """A call of a batch takes the result of an earlier call that failed: it is not run."""

    def __init__(self, index):
        super().__init__(index)
        self.index = index


class _EmptyInput:
    """sys.stdin for graded code: input() gets end-of-file at once instead of hanging."""

    def readline(self, *_):
        return ""

    def read(self, *_):
        return ""


def _future_flags(stmt):
    import __future__
    flags = 0
    for alias in stmt.names:
        feature = getattr(__future__, alias.name, None)
        if feature is not None:
            flags |= feature.compiler_flag
    return flags


def _array_snapshot(args, kwargs):
    return [(path, arr, arr.copy()) for path, arr in _arrays_in(("args", args), ("kwargs", kwargs))]


def _changed_arrays(snapshot, args, kwargs):
    """Paths of argument arrays that the call changed in place ("args[0]")."""
    changed = []
    for path, arr, copy in snapshot:
        if arr.shape != copy.shape or not np.array_equal(arr, copy, equal_nan=True):
            changed.append(path)
    return changed


def _arrays_in(*pairs):
    stack = list(pairs)
    while stack:
        path, value = stack.pop()
        if isinstance(value, np.ndarray):
            yield path, value
        elif isinstance(value, (list, tuple)):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(value))
        elif isinstance(value, dict):
            stack.extend((f"{path}[{k!r}]", v) for k, v in value.items())

