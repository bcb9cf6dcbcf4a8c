"""Messages between the judge (trusted) and a worker (untrusted), never pickles.

One frame per message, on a stream socket:

    b"AGW1" | header length (4 bytes, big endian) | header (UTF-8 JSON) | blob 0 | blob 1 | ...

The header's ``"blobs"`` lists the byte length of every blob; each blob is
one ``.npy`` file written by ``np.save`` and read back with
``np.load(allow_pickle=False)`` after its header has been checked. Values in
the header are JSON, with tagged objects for what JSON lacks:

    {"__array__": i}              blob i, an ndarray
    {"__scalar__": i}             blob i, a 0-d array standing for a NumPy scalar (np.float32)
    {"__tuple__": [...]}          a tuple (JSON lists stay lists)
    {"__dict__": [[k, v], ...]}   a dict, keys encoded like values
    {"__handle__": n}             an object that stays in the worker (a cache, an optimizer)
    {"__function__": ...}         a TrustedFunction the worker builds itself (grad_fn, phi;
                                  trusted_functions.py)
    {"__generator__": state}      a numpy Generator (PCG64 state), so a submission draws
                                  the same numbers as the reference would
    {"__callback__": n}           a judge-side function the worker may call back (below)
    {"__result__": i, "float64": b}  in a batch (op "call_many"), a copy of what call i of the
                                  same batch returned (theta_k of a trajectory), converted to
                                  a float64 array if b; see below

Batches. {"op": "call_many", "calls": [{"target", "method", "args", "kwargs"}, ...],
"keep", "return_args"} runs the calls in order in one request and answers
{"status": "ok", "results": [one reply per call: {"status": "ok", "value",
"mutated"[, "args", "kwargs"]}, or a fault's fields, or {"status": "skipped"} for a
call whose {"__result__": i} names a call that failed]}: one exception does not
lose the other results. After a call (not the last) that ends PROGRESS_SECONDS
or more after its last report, the worker sends {"op": "progress", "id",
"done": k}: the call running then started at most PROGRESS_SECONDS after that
report, so the judge holds every call of the batch to the per-call wall-clock
limit (plus PROGRESS_SECONDS) without a frame per call. The batch as a whole gets k times the
per-call allowances (time, reply bytes, printed characters), capped by the test's
budget. At most MAX_BATCH calls.

Callbacks. A check may hand the submission a function of its own (the f of
numerical_gradient, an activation phi, a grad_fn): it stays in the judge.
While a call runs, the worker may send {"op": "callback", "id": <the
call's id>, "callback": n, "args", "kwargs"}; the judge runs function n
with those plain-data arguments and answers {"op": "callback_reply", "id",
"status": "ok", "value"} or {"status": "error", "exception": <type name>,
"message"}. Only plain data crosses either way, so the submission can do
nothing with a callback but call it, exactly as it could in the notebook.
While it waits for the reply, the worker serves the judge's own requests
(the judge's function may itself call the submission).

Every request carries a fresh random ``"id"`` that the reply must echo. The
judge treats everything a worker sends as untrusted: frames are size-checked
before they are read, arrays must be numeric, and a frame that is malformed,
too large, or answers another request ends that worker (see pool.py).
"""
import functools
import io
import json
import math
import struct
import time
from dataclasses import dataclass

import numpy as np

from autograder.sandbox.trusted_functions import TrustedFunction, TrustedFunctionError

MAGIC = b"AGW1"
MAX_HEADER_BYTES = 32 * 2**20   # sources and outputs travel in the header
MAX_BLOBS = 100_000
MAX_DEPTH = 64                  # nesting of lists/tuples/dicts in one value
NUMERIC_KINDS = "biufc"         # bool, int, unsigned, float, complex
MAX_BATCH = 10_000              # calls in one call_many request
PROGRESS_SECONDS = 0.05         # a batch reports progress at most this often (see "Batches")

class FrameError(Exception):
    """Bytes on the channel that are not a well-formed frame or value."""


class ChannelClosed(Exception):
    """The other end closed the channel (the worker exited or was killed)."""


class EncodeError(Exception):
    """A value that cannot cross the boundary (an object, a function, an object array)."""


@dataclass(frozen=True)
class Earlier:
    """In a batch of calls, an argument standing for a copy of what call ``index`` of the batch returned.

    With ``as_float64`` the copy is ``np.array(value, dtype=np.float64)``.
    """

    index: int
    as_float64: bool = False


@dataclass(frozen=True)
class Handle:
    """An object living in a worker, e.g. the cache of a forward or an optimizer.

    ``token`` names the worker that holds it: a handle stops being valid
    when that worker stops.
    """

    token: str
    id: int
    type_name: str = ""


# ---------------------------------------------------------------- framing

def write_frame(sock, header, blobs=(), deadline=None):
    """Send one frame. ``deadline`` is a time.monotonic() value or None."""
    header = dict(header, blobs=[len(b) for b in blobs])
    text = json.dumps(header, allow_nan=True).encode("utf-8")
    try:
        _set_timeout(sock, deadline)
        sock.sendall(MAGIC + struct.pack(">I", len(text)) + text)
        for blob in blobs:
            _set_timeout(sock, deadline)
            sock.sendall(blob)
    except TimeoutError:
        raise
    except OSError as exc:  # broken pipe: the peer is gone
        raise ChannelClosed(str(exc)) from None


def read_frame(sock, deadline=None, max_bytes=None):
    """Receive one frame -> (header dict, list of blob bytes).

    Raises ChannelClosed at end of stream, TimeoutError past the deadline,
    FrameError for anything malformed or larger than ``max_bytes`` in total.
    """
    start = _recv_exact(sock, 8, deadline)
    if start[:4] != MAGIC:
        raise FrameError("the frame does not start with the protocol marker")
    (size,) = struct.unpack(">I", start[4:])
    limit = MAX_HEADER_BYTES if max_bytes is None else min(MAX_HEADER_BYTES, max_bytes)
    if size > limit:
        raise FrameError(f"header of {size} bytes is over the limit of {limit}")
    try:
        header = json.loads(_recv_exact(sock, size, deadline).decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # JSON, UTF-8 and int-size errors
        raise FrameError(f"the header is not valid JSON ({exc})") from None
    if not isinstance(header, dict):
        raise FrameError("the header is not a JSON object")
    sizes = header.pop("blobs", [])
    if (not isinstance(sizes, list) or len(sizes) > MAX_BLOBS
            or not all(type(n) is int and n >= 0 for n in sizes)):
        raise FrameError("the list of blob sizes is malformed")
    if max_bytes is not None and size + sum(sizes) > max_bytes:
        raise FrameError(f"the reply is {size + sum(sizes)} bytes, over the limit of {max_bytes}")
    return header, [_recv_exact(sock, n, deadline) for n in sizes]


def _set_timeout(sock, deadline):
    if deadline is None:
        sock.settimeout(None)
        return
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("deadline passed")
    sock.settimeout(remaining)


def _recv_exact(sock, n, deadline):
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        _set_timeout(sock, deadline)
        try:
            k = sock.recv_into(view[got:], n - got)
        except TimeoutError:
            raise
        except OSError as exc:  # reset by a dying peer
            raise ChannelClosed(str(exc)) from None
        if k == 0:
            raise ChannelClosed("end of stream")
        got += k
    return bytes(buf)


# ---------------------------------------------------------------- arrays

def array_to_npy(arr):
    """Bytes of a .npy file holding ``arr`` (a base ndarray of numbers).

    A C-ordered array gets a version 1.0 header built here (cached per dtype and
    shape) and its bytes: what np.save writes, without its per-call overhead, which
    dominated a batch of small calls. Anything else goes through np.save.
    """
    if arr.flags.c_contiguous and not arr.dtype.fields and not arr.dtype.subdtype:
        header = _npy_header(np.lib.format.dtype_to_descr(arr.dtype), arr.shape)
        if header is not None:
            return header + arr.tobytes()
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


@functools.lru_cache(maxsize=1024)
def _npy_header(descr, shape):
    """The .npy 1.0 preamble for a C-ordered array: magic, version, length, the dict padded to 64 bytes."""
    if not isinstance(descr, str):
        return None
    text = repr({"descr": descr, "fortran_order": False, "shape": shape})
    room = 10 + len(text) + 1
    text += " " * ((-room) % 64) + "\n"
    if len(text) >= 2**16:
        return None
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin1")


def npy_to_array(data):
    """Read a .npy blob, refusing anything but a numeric array of exactly the stated size.

    The header is read once and checked before any data is copied, so that a
    forged shape cannot make the judge allocate gigabytes; big-endian data is
    converted to native.
    """
    preamble = bytes(data[:10])
    if preamble[:8] == b"\x93NUMPY\x01\x00" and len(data) >= 10:
        end = 10 + struct.unpack("<H", preamble[8:10])[0]
        if end <= SHORT_HEADER:
            shape, fortran_order, dtype = _short_header(bytes(data[:end]))   # parsed once per distinct header
        else:
            shape, fortran_order, dtype = _read_header(data)
        offset = end
    else:
        shape, fortran_order, dtype, offset = _read_header(data, with_offset=True)
    count = math.prod(shape)
    if count * dtype.itemsize != len(data) - offset:
        raise FrameError("an array blob's size does not match its shape and dtype")
    # The data follow the header just read, so np.load would only parse it again; like np.load, copy
    # them into a writable array and give it the stated shape and order.
    arr = np.frombuffer(data, dtype=dtype, count=count, offset=offset).copy()
    arr = arr.reshape(shape[::-1]).transpose() if fortran_order else arr.reshape(shape)
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr


SHORT_HEADER = 256
"""A .npy header at most this long (every one np.save writes for a few dimensions) is parsed once and cached."""


@functools.lru_cache(maxsize=512)
def _short_header(header):
    """(shape, fortran_order, dtype) of a whole short 1.0 header, checked (see _read_header); cached."""
    return _read_header(header, whole=True)


def _read_header(data, with_offset=False, whole=False):
    """Parse and check a .npy header with numpy's own reader -> (shape, fortran_order, dtype[, offset])."""
    f = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except Exception as exc:  # ValueError, and tokenize.TokenError from numpy's header parser
        raise FrameError(f"an array blob has a malformed .npy header ({type(exc).__name__})") from None
    if whole and f.tell() != len(data):
        raise FrameError("an array blob's header is longer than it says")
    if any(n < 0 for n in shape):   # np.reshape would read -1 as "whatever fits"
        raise FrameError("an array blob's shape has a negative length")
    check_numeric_dtype(dtype)
    return (shape, fortran_order, dtype, f.tell()) if with_offset else (shape, fortran_order, dtype)


def check_numeric_dtype(dtype):
    if dtype.hasobject or dtype.kind not in NUMERIC_KINDS or dtype.fields or dtype.subdtype:
        raise EncodeError(f"an array of dtype {dtype}, expected numbers")


# ---------------------------------------------------------------- values

class Encoder:
    """Turns a value into a JSON tree plus blobs.

    ``on_object(obj, where)`` decides what happens to a value that is not
    plain data: the worker passes one that stores it as a handle, otherwise
    EncodeError names its type and where it sits ("result[1]").
    """

    def __init__(self, on_object=None):
        self.blobs = []
        self.on_object = on_object
        self._functions = {}    # id(TrustedFunction) -> its tree: sent once however often it appears

    def encode(self, value, where="value", depth=0):
        if depth > MAX_DEPTH:
            raise EncodeError(f"{where} is nested more than {MAX_DEPTH} levels deep")
        if value is None or type(value) in (bool, str):
            return value
        if isinstance(value, np.ndarray):
            # Subclasses (np.matrix, masked arrays, ones overriding __eq__) become
            # base arrays; ndarray.view runs none of the subclass's methods.
            arr = np.ndarray.view(value, np.ndarray)
            try:
                check_numeric_dtype(arr.dtype)
            except EncodeError as exc:
                raise EncodeError(f"{where} is {exc}") from None
            return {"__array__": self._blob(array_to_npy(arr))}
        if isinstance(value, float):          # includes np.float64 and other subclasses
            return float.__float__(value)     # the stored double, whatever __float__ says
        if isinstance(value, int):
            return int.__int__(value)
        if isinstance(value, str):
            return str.__str__(value)
        if isinstance(value, np.generic) and value.dtype.kind in NUMERIC_KINDS:
            return {"__scalar__": self._blob(array_to_npy(np.asarray(value)))}
        if isinstance(value, Handle):
            return {"__handle__": value.id}
        if isinstance(value, Earlier):
            return {"__result__": int.__int__(value.index), "float64": bool(value.as_float64)}
        if isinstance(value, TrustedFunction):
            known = self._functions.get(id(value))
            if known is not None and known[0] is value:
                return known[1]
            tree = {"__function__": value.kind, "part": value.part,
                    "params": self.encode(dict(value.params), where, depth + 1)}
            self._functions[id(value)] = (value, tree)
            return tree
        if isinstance(value, np.random.Generator):
            return {"__generator__": _generator_state(value, where)}
        if isinstance(value, tuple):
            return {"__tuple__": [self.encode(v, f"{where}[{i}]", depth + 1)
                                  for i, v in enumerate(tuple.__iter__(value))]}
        if isinstance(value, list):
            return [self.encode(v, f"{where}[{i}]", depth + 1)
                    for i, v in enumerate(list.__iter__(value))]
        if isinstance(value, dict):
            return {"__dict__": [[self.encode(k, f"{where} key", depth + 1),
                                  self.encode(v, f"{where}[{k!r}]", depth + 1)]
                                 for k, v in dict.items(value)]}
        if self.on_object is not None:
            return self.on_object(value, where)
        raise EncodeError(
            f"{where} is an object of type {type(value).__name__}, expected an array or numbers")

    def _blob(self, data):
        self.blobs.append(data)
        return len(self.blobs) - 1


class Decoder:
    """Turns a JSON tree plus blobs back into a value.

    ``on_handle(n)`` maps a handle id to an object (the worker's table, or a
    Handle on the judge side); ``build_functions`` lets the worker turn a
    TrustedFunction into the callable it stands for, ``on_callback(n)`` a
    judge-side function into a stub that calls it back. Anything unexpected
    is a FrameError.
    """

    def __init__(self, blobs, on_handle=None, build_functions=False, on_callback=None, on_result=None,
                 built=None):
        self.blobs = blobs
        self.on_handle = on_handle
        self.build_functions = build_functions
        self.built = {} if built is None else built   # a function's tree (as JSON) -> what it built
        self.on_callback = on_callback   # worker side: callback number -> a stub that calls the judge
        self.on_result = on_result       # worker side, in a batch: (call number, as float64) -> a copy of its result

    def decode(self, tree, depth=0):
        if depth > MAX_DEPTH:
            raise FrameError(f"a value is nested more than {MAX_DEPTH} levels deep")
        if tree is None or type(tree) in (bool, int, float, str):
            return tree
        if type(tree) is list:
            return [self.decode(v, depth + 1) for v in tree]
        if type(tree) is not dict or len(tree) == 0:
            raise FrameError(f"unexpected JSON value {str(tree)[:80]}")
        tag = next(iter(tree))
        body = tree[tag]
        if tag == "__array__":
            return npy_to_array(self._blob(body))
        if tag == "__scalar__":
            arr = npy_to_array(self._blob(body))
            if arr.ndim != 0:
                raise FrameError("a scalar blob holds an array with dimensions")
            return arr[()]
        if tag == "__tuple__" and type(body) is list:
            return tuple(self.decode(v, depth + 1) for v in body)
        if tag == "__dict__" and type(body) is list:
            out = {}
            for pair in body:
                if type(pair) is not list or len(pair) != 2:
                    raise FrameError("a dict entry is not a [key, value] pair")
                key = self.decode(pair[0], depth + 1)
                try:
                    out[key] = self.decode(pair[1], depth + 1)
                except TypeError:
                    raise FrameError("a dict key is not hashable") from None
            return out
        if tag == "__handle__" and type(body) is int and self.on_handle is not None:
            return self.on_handle(body, tree.get("type", ""))
        if tag == "__generator__" and type(body) is dict:
            return _generator_from_state(body)
        if tag == "__function__" and self.build_functions and type(body) is str:
            # the same tree (same blobs) builds the same function: once per request, e.g. a batch's grad_fn
            key = json.dumps(tree, sort_keys=True)
            if key in self.built:
                return self.built[key]
            self.built[key] = self._build_function(body, tree, depth)
            return self.built[key]
        if tag == "__callback__" and type(body) is int and self.on_callback is not None:
            return self.on_callback(body)
        if tag == "__result__" and type(body) is int and self.on_result is not None:
            return self.on_result(body, tree.get("float64") is True)
        raise FrameError(f"unexpected tagged value {tag!r}")

    def _build_function(self, body, tree, depth):
        params = self.decode(tree.get("params"), depth + 1)
        if not isinstance(params, dict):
            raise FrameError("function parameters are not a dict")
        try:
            return TrustedFunction(body, tree.get("part", ""), **params).build()
        except TrustedFunctionError as exc:
            raise FrameError(str(exc)) from None

    def _blob(self, index):
        if type(index) is not int or not 0 <= index < len(self.blobs):
            raise FrameError("a value refers to a blob that does not exist")
        return self.blobs[index]


def _generator_state(rng, where):
    state = rng.bit_generator.state
    if state.get("bit_generator") != "PCG64":
        raise EncodeError(f"{where} is a Generator on {state.get('bit_generator')}; only PCG64 is supported")
    return {"state": state["state"]["state"], "inc": state["state"]["inc"],
            "has_uint32": state["has_uint32"], "uinteger": state["uinteger"]}


def _generator_from_state(body):
    keys = ("state", "inc", "has_uint32", "uinteger")
    if set(body) != set(keys) or not all(type(body[k]) is int for k in keys):
        raise FrameError("a Generator state is malformed")
    bits = np.random.PCG64()
    try:
        bits.state = {"bit_generator": "PCG64",
                      "state": {"state": body["state"], "inc": body["inc"]},
                      "has_uint32": body["has_uint32"], "uinteger": body["uinteger"]}
    except (ValueError, OverflowError, TypeError) as exc:
        raise FrameError(f"a Generator state is invalid ({exc})") from None
    return np.random.Generator(bits)
