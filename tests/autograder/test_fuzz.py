"""Property tests: whatever a submission's files or a worker's bytes hold, the judge answers cleanly.

Random notebook JSON (wrong types, missing keys, deep nesting, huge cells,
odd bytes) goes through extraction and discovery; random frames, headers and
.npy blobs go through the sandbox protocol's decoders. The only acceptable
outcomes are a result (with notes) or the module's own refusal
(DiscoveryError, FrameError, EncodeError, ChannelClosed); any other
exception is a bug. Each property runs a bounded number of examples, a few
seconds in all.
"""
import io
import json
import socket
import struct
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.assignments import load_assignments, recognise
from autograder.extract import Extraction, extract_source
from autograder.grading.discover import DiscoveryError, discover
from autograder.sandbox.protocol import MAGIC, ChannelClosed, Decoder, EncodeError, FrameError, read_frame

ASSIGNMENTS = load_assignments()
WANTED = {"relu_forward": "relu", "sigmoid_forward": "sigmoid"}
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=40))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=10), inner, max_size=5)), max_leaves=30)
code_text = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["def relu_forward(x):\n    return x, x\n", "%time x\n", "!ls\n", "x?\n", "%%bash\nls\n",
                     "a = %who\n", "class A:\n  pass\n", "import numpy as np\n", "\x00", "'''", "\\\n",
                     "def sigmoid_forward(x):\n    return 1 / (1 + np.exp(-x)), x\n"]),
    st.builds(lambda chunk, n: chunk * n, st.sampled_from(["\n", " ", "%", "#", "'", '"', "(", "1+", "-", "a."]),
              st.integers(0, 200_000)),
)
source = st.one_of(code_text, st.lists(code_text, max_size=4), json_values)
metadata = st.one_of(json_values, st.fixed_dictionaries({"nbgrader": st.one_of(
    json_values, st.fixed_dictionaries({"grade_id": st.one_of(st.sampled_from(list(WANTED.values())), json_values),
                                        "solution": json_values}))}))
cells = st.one_of(json_values, st.fixed_dictionaries(
    {"cell_type": st.one_of(st.sampled_from(["code", "markdown", "raw"]), json_values),
     "source": source, "metadata": metadata},
    optional={"outputs": json_values, "execution_count": json_values, "id": json_values}))
notebooks = st.one_of(json_values, st.fixed_dictionaries(
    {"cells": st.one_of(st.lists(cells, max_size=6), json_values)},
    optional={"nbformat": st.one_of(st.just(4), json_values), "nbformat_minor": st.one_of(st.just(5), json_values),
              "metadata": json_values}))


def deeply_nested(depth):
    return "[" * depth + "]" * depth


def file_bytes(nb):
    return json.dumps(nb).encode()


@FUZZ
@given(notebooks)
def test_random_notebook_json_gives_an_extraction(nb):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "alice_01.ipynb"
        path.write_bytes(file_bytes(nb))
        from_file = extract_source(path, WANTED)
        recognise(path, ASSIGNMENTS)
    from_dict = extract_source(nb, WANTED) if isinstance(nb, dict) else from_file
    for ex in (from_file, from_dict):
        assert isinstance(ex, Extraction) and isinstance(ex.source, str)
        assert ex.found | ex.missing == set(WANTED)
        assert all(isinstance(n.text, str) for n in ex.notes)


odd_files = st.one_of(
    st.binary(max_size=2000),
    st.builds(lambda nb, cut: file_bytes(nb)[:cut], notebooks, st.integers(0, 400)),
    st.builds(lambda d: deeply_nested(d).encode(), st.integers(1, 200_000)),
    st.builds(lambda d: ('{"cells": ' + deeply_nested(d) + ', "nbformat": 4}').encode(), st.integers(1, 100_000)),
    st.builds(lambda b: file_bytes({"cells": [{"cell_type": "code", "source": "x = 1\n", "metadata": {}}],
                                    "nbformat": 4, "nbformat_minor": 5, "metadata": {}}) + b, st.binary(max_size=50)),
)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["alice", "bob_01", "carol_02_optim", "é", "x y", "=1"]), odd_files),
                min_size=1, max_size=3))
def test_random_files_in_a_folder_give_a_discovery_or_a_clean_refusal(files):
    with tempfile.TemporaryDirectory() as folder:
        for name, data in files:
            (Path(folder) / f"{name}.ipynb").write_bytes(data)
        try:
            found = discover(folder, ASSIGNMENTS)
        except DiscoveryError:
            return
        for sub in found.submissions:
            assert sub.problem or sub.assignment in ASSIGNMENTS
            ex = extract_source(sub.notebook, WANTED)
            assert isinstance(ex, Extraction)


# ---------------------------------------------------------------- the protocol decoders

def read(data, max_bytes=1 << 20):
    """read_frame on ``data`` as a worker would send it, then the end of the stream."""
    judge, worker = socket.socketpair()
    try:
        worker.sendall(data)
        worker.shutdown(socket.SHUT_WR)
        return read_frame(judge, None, max_bytes)
    finally:
        judge.close()
        worker.close()


def frame(header, blobs=()):
    body = dict(header, blobs=[len(b) for b in blobs]) if isinstance(header, dict) else header
    text = json.dumps(body).encode()
    return MAGIC + struct.pack(">I", len(text)) + text + b"".join(blobs)


@FUZZ
@given(st.one_of(st.binary(max_size=3000), st.builds(lambda b: MAGIC + b, st.binary(max_size=3000)),
                 st.builds(lambda n, b: MAGIC + struct.pack(">I", n) + b, st.integers(0, 2**32 - 1),
                           st.binary(max_size=3000))))
def test_random_bytes_on_the_channel_are_refused_cleanly(data):
    try:
        header, blobs = read(data)
    except (FrameError, ChannelClosed):
        return
    decode_or_refuse(header.get("value"), blobs)


def npy(descr, shape, fortran, extra):
    """A .npy blob with any header; ``extra`` None: exactly as many data bytes as the header states."""
    buf = io.BytesIO()
    header = {"descr": descr, "fortran_order": fortran, "shape": shape}
    np.lib.format.write_array_header_1_0(buf, header)
    if extra is None:
        extra = b"\0" * abs(int(np.prod(shape, dtype=np.int64)) * np.dtype(descr).itemsize)
    return buf.getvalue() + extra


blobs = st.lists(st.one_of(
    st.binary(max_size=200),
    st.builds(npy, st.sampled_from(["<f8", ">i4", "<c16", "|b1", "<U3", "|O", "|V8", "<f2", "<m8[s]"]),
              st.lists(st.integers(-3, 4), max_size=4).map(tuple), st.booleans(),
              st.one_of(st.none(), st.binary(max_size=200))),
    st.builds(lambda a: np.lib.format.header_data_from_array_1_0(a) and _npy_of(a),
              st.sampled_from([np.zeros(3), np.arange(6).reshape(2, 3), np.float32(2.5), np.ones((0, 4))])),
), max_size=4)


def _npy_of(a):
    buf = io.BytesIO()
    np.save(buf, np.asarray(a), allow_pickle=False)
    return buf.getvalue()


tags = ["__array__", "__scalar__", "__tuple__", "__dict__", "__handle__", "__generator__", "__function__",
        "__callback__", "__other__"]
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.builds(lambda tag, body: {tag: body}, st.sampled_from(tags), st.one_of(inner, st.integers(-2, 5))),
        st.builds(lambda pairs: {"__dict__": pairs}, st.lists(st.lists(inner, max_size=3), max_size=3)),
        st.builds(lambda keys: {"__generator__": keys}, st.dictionaries(
            st.sampled_from(["state", "inc", "has_uint32", "uinteger", "x"]), st.integers(-2**130, 2**130))),
    ), max_leaves=20)


def decode_or_refuse(tree, blob_list):
    for decoder in (Decoder(blob_list), Decoder(blob_list, on_handle=lambda i, t: ("handle", i))):
        try:
            decoder.decode(tree)
        except (FrameError, EncodeError):
            pass


@FUZZ
@given(trees, blobs)
def test_random_values_and_blobs_decode_or_are_refused(tree, blob_list):
    decode_or_refuse(tree, blob_list)
    try:
        header, got = read(frame({"id": "x", "status": "ok", "value": tree}, blob_list))
    except FrameError:
        return
    assert got == blob_list
    decode_or_refuse(header["value"], got)


def test_a_deeply_nested_header_is_refused():
    for text in (deeply_nested(100_000), '{"value": ' + deeply_nested(50) + "}"):
        data = text.encode()
        try:
            header, blobs = read(MAGIC + struct.pack(">I", len(data)) + data)
        except FrameError:
            continue
        decode_or_refuse(header.get("value"), blobs)


@settings(FUZZ, max_examples=300)
@given(blobs)
def test_every_random_blob_read_as_an_array_or_scalar_is_refused_or_numeric(blob_list):
    for i in range(len(blob_list)):
        for tag in ("__array__", "__scalar__"):
            try:
                value = Decoder(blob_list).decode({tag: i})
            except (FrameError, EncodeError):
                continue
            assert np.asarray(value).dtype.kind in "biufc"
