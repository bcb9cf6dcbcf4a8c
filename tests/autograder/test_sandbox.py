"""autograder.sandbox: what a hostile or broken submission can and cannot do to the judge."""
import io
import os
import socket
import struct
import textwrap
import time

import numpy as np
import pytest

from autograder.sandbox import Limits, SubmissionFault, TrustedFunction, WorkerPool, protocol
from tests.support.forged_frames import FORGING_HELPERS
from tests.support.helpers_fd import fd_gradient, rel_error

LIMITS = Limits(wall_seconds=5.0, memory_mb=256, cpu_seconds=60, output_chars=1000)

SUBMISSION = textwrap.dedent('''
    import ctypes
    import json
    import os
    import stat
    import struct
    import subprocess
    import sys

    import numpy as np

    def relu_forward(x):
        return np.maximum(x, 0.0), (x, x > 0)

    def relu_backward(dout, cache):
        x, mask = cache
        return dout * mask

    def several(x):
        return [x.astype(np.float32), (x.sum(), np.int64(3), np.float32(0.5)), {"n": x.shape[0]}]

    def spin():
        while True:
            pass

    def hard_exit():
        os._exit(3)

    def soft_exit():
        sys.exit(3)

    def segfault():
        return ctypes.string_at(0)

    def hog():
        chunks = []
        while True:
            chunks.append(np.ones(2**24))

    def chatty(x):
        for _ in range(20000):
            print("x" * 250)
        return 2 * x

    def patch_numpy(x):
        np.allclose = lambda *a, **k: True
        np.array_equal = lambda *a, **k: True
        return x + 1.0

    def worker_allclose():
        return bool(np.allclose(1.0, 2.0))

    def start_process():
        return subprocess.run(["sleep", "30"]).returncode

    def fork_python():
        return os.fork()

    def fork_libc():
        pid = ctypes.CDLL(None).fork()
        if pid == 0:
            os._exit(0)
        return pid

    def signal_parent():
        return ctypes.CDLL(None, use_errno=True).kill(os.getppid(), 0)

    def signal_parent_python():
        os.kill(os.getppid(), 0)

    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    class FakeFloat(float):
        def __eq__(self, other):
            return True
        def __float__(self):
            return 99.0

    def lying_array():
        return np.arange(3.0).view(Liar)

    def lying_float():
        return FakeFloat(1.5)

    def matrix():
        return np.matrix([[1.0, 2.0], [3.0, 4.0]])

    def an_object():
        return object()

    def object_array():
        return np.array([None, 1], dtype=object)

    def reference_import():
        from course_lib.layers import relu_forward as ref
        return ref(np.ones(2))

    def reference_attribute():
        import course_lib.layers as layers
        return layers.relu_forward(np.ones(2))

    def helper_import():
        import course_lib.layers as layers
        from course_lib.validation import as_float_array
        return callable(layers.linear_forward) and callable(as_float_array)

    def write_garbage():
        os.write(_channel_fd(), b"garbage bytes on the channel")
        return 1.0

    def forge_future_reply():
        os.write(_channel_fd(), _frame({"id": "0" * 32, "status": "ok", "value": 42.0}))
        return 1.0

    def forge_current_reply():
        frame = sys._getframe()
        while not (isinstance(frame.f_locals.get("header"), dict) and "id" in frame.f_locals["header"]):
            frame = frame.f_back
        request_id = frame.f_locals["header"]["id"]
        os.write(_channel_fd(), _frame({"id": request_id, "status": "ok", "value": 42.0}))
        return 1.0

    def write_file(path):
        with open(path, "w") as f:
            f.write("graded: 100")

    def write_file_libc(path):
        return ctypes.CDLL(None).open(path.encode(), os.O_WRONLY | os.O_CREAT, 0o644)

    def read_file(path):
        with open(path) as f:
            return f.read()

    def undefined_name(x):
        y = x + 1
        return y * not_defined_anywhere

    def mutate(x, bn_param):
        x *= 2.0
        bn_param["running_mean"] = 0.9 * bn_param["running_mean"] + 0.1 * x.mean(axis=0)
        return x.sum()

    def draw(rng, n):
        return rng.normal(size=n)

    class SGD:
        def __init__(self, lr):
            self.lr = lr
            self.steps = 0
        def step(self, theta, grad_fn):
            self.steps += 1
            return theta - self.lr * grad_fn(theta)

    def trivial():
        return 1

    import not_a_module_anywhere
''') + FORGING_HELPERS


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(LIMITS) as p:
        yield p


@pytest.fixture(scope="module")
def worker(pool):
    w = pool.spawn(SUBMISSION, graded_names=["relu_forward", "relu_backward"])
    yield w
    w.close()


def rng(seed=0):
    return np.random.default_rng(seed)


def call_error(worker, name, args=(), **options):
    with pytest.raises(SubmissionFault) as info:
        worker.call(name, args, **options)
    return info.value


def processes_related_to(pid):
    """Processes whose parent or process group is ``pid`` (read from /proc, judge side)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == pid:
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid or int(fields[2]) == pid:   # ppid, pgrp
            found.append(int(entry))
    return found


# ---------------------------------------------------------------- plain data

def test_correct_functions_return_bit_identical_arrays(worker):
    x = rng().normal(size=(3, 4))
    out, cache = worker.call("relu_forward", (x,), keep=[1])
    assert type(out) is np.ndarray and out.dtype == np.float64
    assert np.array_equal(out, np.maximum(x, 0.0))
    dout = rng(1).normal(size=(3, 4))
    dx = worker.call("relu_backward", (dout, cache))
    assert np.array_equal(dx, dout * (x > 0))
    as32, (total, three, half), info = worker.call("several", (x,))
    assert as32.dtype == np.float32 and np.array_equal(as32, x.astype(np.float32))
    assert total == x.sum() and type(total) is float
    assert three == 3 and three.dtype == np.int64 and half.dtype == np.float32
    assert info == {"n": 3}


def test_load_errors_are_reported_and_the_rest_still_loads(worker):
    assert any("not_a_module_anywhere" in f.fault.text and f.fault.exc_type == "ModuleNotFoundError"
               and f.statement is not None for f in worker.load_failures)
    assert "relu_forward" in worker.defined and worker.call("trivial") == 1


def test_spawn_and_trivial_call_time(pool, capsys, record_property):
    start = time.perf_counter()
    w = pool.spawn("def trivial():\n    return 1\n", graded_names=[])
    spawned = time.perf_counter()
    assert w.call("trivial") == 1
    done = time.perf_counter()
    w.close()
    record_property("spawn_ms", 1e3 * (spawned - start))
    with capsys.disabled():
        print(f"\n[sandbox] spawn from the warm zygote: {1e3 * (spawned - start):.1f} ms, "
              f"first call: {1e3 * (done - spawned):.1f} ms; layers: {', '.join(w.protections)}")


# ---------------------------------------------------------------- failures end in messages

def test_infinite_loop_times_out_and_the_next_call_gets_a_fresh_worker(worker):
    restarts = worker.restarts
    start = time.perf_counter()
    err = call_error(worker, "spin", timeout=1.0)
    assert time.perf_counter() - start < 3.0
    assert err.status == "timeout" and "1 s" in err.message
    assert worker.call("trivial") == 1 and worker.restarts == restarts + 1


def test_exit_calls_are_errors_and_grading_goes_on(worker):
    err = call_error(worker, "soft_exit")
    assert err.status == "error" and "exit(3)" in err.message
    err = call_error(worker, "hard_exit")
    assert err.status == "crashed" and "exited with code 3" in err.message
    x = rng().normal(size=(2, 5))
    assert np.array_equal(worker.call("relu_forward", (x,), keep=[1])[0], np.maximum(x, 0))


def test_segfault_is_a_crash(worker):
    err = call_error(worker, "segfault")
    assert err.status == "crashed" and "segmentation fault" in err.message
    assert worker.call("trivial") == 1


def test_unbounded_allocation_hits_the_memory_limit(worker):
    err = call_error(worker, "hog")
    assert err.status == "memory" and "more than 256 MB" in err.message
    assert worker.call("trivial") == 1


def test_megabytes_of_output_are_capped_and_the_value_still_graded(worker):
    x = rng().normal(size=4)
    assert np.array_equal(worker.call("chatty", (x,)), 2 * x)
    assert worker.last.output_dropped == 20000 * 251 - LIMITS.output_chars
    assert worker.last.output.startswith("x" * 250 + "\n")
    assert "characters of output were dropped" in worker.last.output


def test_cpu_time_limit(pool):
    w = pool.spawn("def spin():\n    while True:\n        pass\n", graded_names=[],
                   limits=Limits(wall_seconds=20.0, cpu_seconds=1))
    err = call_error(w, "spin")
    assert err.status == "timeout" and "CPU time" in err.message
    w.close()


def test_hanging_load_is_a_timeout(pool):
    with pytest.raises(SubmissionFault) as info:
        pool.spawn("class Spin:\n    while True:\n        pass\n", graded_names=[],
                   limits=Limits(load_seconds=1.0))
    assert info.value.status == "timeout"


def test_exceptions_name_the_line(worker):
    err = call_error(worker, "undefined_name", (1.0,))
    assert err.status == "error" and "NameError" in err.message
    assert err.exc_type == "NameError" and err.label == "undefined_name"
    assert err.line == SUBMISSION.splitlines().index("    return y * not_defined_anywhere") + 1
    assert "not_defined_anywhere" in err.message


def test_missing_function(worker):
    assert call_error(worker, "relu_backwards").status == "missing"


# ---------------------------------------------------------------- nothing leaks into the judge

def test_monkeypatching_numpy_does_not_fool_the_judge(worker):
    real_allclose = np.allclose
    x = rng().normal(size=5)
    got = worker.call("patch_numpy", (x,))
    # the trusted comparison runs here, with the judge's numpy
    assert np.allclose is real_allclose and not np.allclose(got, x)
    # the patch lives on only inside the worker
    assert worker.call("worker_allclose") is True


def test_array_and_float_subclasses_arrive_as_plain_data(worker):
    arr = worker.call("lying_array")
    assert type(arr) is np.ndarray and np.array_equal(arr, [0.0, 1.0, 2.0])
    assert not (arr == 5.0).any()
    value = worker.call("lying_float")
    assert type(value) is float and value == 1.5
    m = worker.call("matrix")
    assert type(m) is np.ndarray and m.shape == (2, 2)


def test_objects_are_refused_with_a_message(worker):
    err = call_error(worker, "an_object")
    assert err.status == "error" and "object of type object, expected an array" in err.message
    err = call_error(worker, "object_array")
    assert err.status == "error" and "dtype object" in err.message


def test_a_worker_of_a_release_meets_stubs_where_the_references_were():
    from autograder.grading.releases import sandbox_package
    with WorkerPool(LIMITS, package=sandbox_package("01_backprop")) as release_pool:
        w = release_pool.spawn(SUBMISSION, graded_names=["relu_forward", "relu_backward"])
        for name in ("reference_import", "reference_attribute"):
            err = call_error(w, name)
            assert err.exc_type == "NotImplementedError" and "you write relu_forward in notebook 01" in err.message
        assert w.call("helper_import") is True   # the rest of course_lib is there


def test_the_hidden_checks_and_solutions_are_unreadable_from_a_worker(worker):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for path in ("autograder/checks/nb01/__init__.py", "autograder/judge.py", "solutions/01_backprop.ipynb"):
        try:
            denied = not worker.call("read_file", (os.path.join(root, path),))
        except SubmissionFault as exc:
            denied = "PermissionError" in exc.message
        assert denied == ("landlock" in worker.protections), path


# ---------------------------------------------------------------- processes, signals, files

def test_starting_processes_is_refused_and_nothing_is_left_behind(worker):
    for name, what in (("start_process", "subprocess"), ("fork_python", "os.fork")):
        err = call_error(worker, name)
        assert err.status == "error" and "not allowed while grading" in err.message and what in err.message
    pid = worker.call("fork_libc")   # past the audit hooks, straight to the kernel
    assert (pid == -1) == ("seccomp" in worker.protections)
    assert processes_related_to(worker.pid) == []
    worker_pid = worker.pid
    worker.restart()
    assert not os.path.exists(f"/proc/{worker_pid}")


def test_signalling_other_processes_is_refused(worker):
    err = call_error(worker, "signal_parent_python")
    assert "signals to other processes" in err.message
    assert (worker.call("signal_parent") == -1) == ("seccomp" in worker.protections)


def test_files_cannot_be_written_or_read_outside_the_python_installation(worker, tmp_path):
    kernel_guard = "seccomp" in worker.protections or "landlock" in worker.protections
    target = tmp_path / "grades.json"
    err = call_error(worker, "write_file", (str(target),))
    assert "PermissionError" in err.message and not target.exists()
    result = worker.call("write_file_libc", (str(target),))   # past the audit hooks
    assert (result == -1) == kernel_guard and target.exists() == (not kernel_guard)
    secret = tmp_path / "other_student.ipynb"
    secret.write_text("answers")
    try:
        denied = worker.call("read_file", (str(secret),)) != "answers"
    except SubmissionFault as exc:
        denied = "PermissionError" in exc.message
    assert denied == ("landlock" in worker.protections)


# ---------------------------------------------------------------- the channel

def test_bytes_written_to_the_channel_cannot_forge_a_result(worker):
    # junk, and a reply prepared for a request that does not exist yet, are rejected
    for name in ("write_garbage", "forge_future_reply"):
        assert call_error(worker, name).status == "protocol"
        assert worker.call("trivial") == 1
    # a reply to the running call can only say what the function could have returned;
    # the genuine reply that follows is caught as stray bytes on the next request
    assert worker.call("forge_current_reply") == 42.0
    assert call_error(worker, "trivial").status == "protocol"
    assert worker.call("trivial") == 1


# ---------------------------------------------------------------- handles and arguments

def test_handles_keep_objects_in_the_worker(worker):
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    b = np.array([1.0, -1.0])
    theta = np.array([0.5, 2.0])
    opt = worker.new("SGD", kwargs={"lr": 0.1})
    grad_fn = TrustedFunction("quadratic", "grad", A=A, b=b)
    step1 = worker.call_method(opt, "step", (theta, grad_fn))
    assert np.allclose(step1, theta - 0.1 * (A @ theta - b), rtol=0, atol=1e-15)
    step2 = worker.call_method(opt, "step", (step1, grad_fn))
    assert np.allclose(step2, step1 - 0.1 * (A @ step1 - b), rtol=0, atol=1e-15)
    assert worker.get_attr(opt, "steps") == 2
    worker.call_method(opt, "step", (step2, grad_fn), return_args=True)
    assert np.array_equal(worker.last.args[0], step2) and worker.last.args[1] is None
    worker.restart()
    with pytest.raises(SubmissionFault, match="create it again"):
        worker.call_method(opt, "step", (theta, grad_fn))


def test_mutated_arguments_are_reported_and_returned(worker):
    x = rng().normal(size=(4, 3))
    bn_param = {"running_mean": np.zeros(3)}
    worker.call("mutate", (x, bn_param), return_args=True)
    assert worker.last.mutated == ["args[0]"]
    x_after, bn_after = worker.last.args
    assert np.array_equal(x_after, 2 * x)
    assert np.allclose(bn_after["running_mean"], 0.1 * (2 * x).mean(axis=0), rtol=0, atol=1e-15)
    assert np.array_equal(bn_param["running_mean"], np.zeros(3))   # the judge's copy is untouched


def test_generators_travel_with_their_state(worker):
    generator = rng(5)
    got = worker.call("draw", (generator, 4), return_args=True)
    assert np.array_equal(got, rng(5).normal(size=4))
    after = worker.last.args[0]
    reference = rng(5)
    reference.normal(size=4)
    assert after.normal() == reference.normal()


# ---------------------------------------------------------------- protocol, no processes

def test_npy_blobs_are_checked_before_loading():
    good = protocol.array_to_npy(np.arange(6.0).reshape(2, 3))
    assert np.array_equal(protocol.npy_to_array(good), np.arange(6.0).reshape(2, 3))
    forged = good.replace(b"(2, 3)", b"(2, 9)")   # a shape claiming more data than sent
    with pytest.raises(protocol.FrameError, match="size does not match"):
        protocol.npy_to_array(forged)
    buf = io.BytesIO()
    np.save(buf, np.array([None, 1], dtype=object), allow_pickle=True)
    with pytest.raises(protocol.EncodeError, match="dtype object"):
        protocol.npy_to_array(buf.getvalue())
    big_endian = protocol.npy_to_array(protocol.array_to_npy(np.arange(3, dtype=">f8")))
    assert big_endian.dtype.isnative and np.array_equal(big_endian, [0.0, 1.0, 2.0])


def test_frames_are_size_checked_and_values_validated():
    a, b = socket.socketpair()
    with a, b:
        b.sendall(protocol.MAGIC + struct.pack(">I", 2**31))
        with pytest.raises(protocol.FrameError, match="over the limit"):
            protocol.read_frame(a, time.monotonic() + 1, max_bytes=2**20)
    with pytest.raises(protocol.FrameError):
        protocol.Decoder([]).decode({"__pickle__": "x"})
    with pytest.raises(protocol.FrameError):
        protocol.Decoder([]).decode({"__array__": 3})
    encoder = protocol.Encoder()
    tree = encoder.encode((1, [2.5, None], {"k": np.eye(2)}))
    assert protocol.Decoder(encoder.blobs).decode(tree)[2]["k"].tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_trusted_functions_have_consistent_derivatives():
    x = rng().normal(size=4)
    rosen = {p: TrustedFunction("rosenbrock", p).build() for p in ("value", "grad", "hessian")}
    assert rel_error(rosen["grad"](x), fd_gradient(rosen["value"], x.copy())) < 1e-7
    hess_fd = np.stack([fd_gradient(lambda z, i=i: rosen["grad"](z)[i], x.copy()) for i in range(4)])
    assert rel_error(rosen["hessian"](x), hess_fd) < 1e-7
    assert rosen["value"](np.ones(4)) == 0.0
    w = rng(1).normal(size=4)
    sine = {p: TrustedFunction("sine_sum", p, w=w).build() for p in ("value", "grad")}
    assert rel_error(sine["grad"](x), fd_gradient(sine["value"], x.copy())) < 1e-7
    sig = TrustedFunction("sigmoid", "derivative").build()
    sig_value = TrustedFunction("sigmoid", "value").build()
    assert rel_error(sig(x), np.diag(np.stack([fd_gradient(lambda z, i=i: sig_value(z)[i], x.copy())
                                                for i in range(4)]))) < 1e-7


def test_closing_the_pool_stops_the_zygote():
    pool = WorkerPool(Limits())
    w = pool.spawn("def f():\n    return 2\n", graded_names=[])
    zygote, worker_pid = pool._proc.pid, w.pid
    assert w.call("f") == 2
    pool.close()
    assert not os.path.exists(f"/proc/{worker_pid}") and not os.path.exists(f"/proc/{zygote}")


def test_a_dead_zygote_is_replaced_on_the_next_spawn():
    with WorkerPool(Limits()) as pool:
        old = pool._proc
        old.kill()
        old.wait()
        w = pool.spawn("def f():\n    return 3\n", graded_names=[])
        assert w.call("f") == 3 and pool._proc is not old


def test_the_judge_accepts_handles_only_where_it_asked_for_them():
    from autograder.sandbox.client import _handles_where_asked
    from autograder.sandbox.protocol import Handle
    h = Handle("t", 1, "tuple")
    assert _handles_where_asked((np.ones(2), h), [1])
    assert not _handles_where_asked((h, np.ones(2)), [1])
    assert not _handles_where_asked([np.ones(2), {"cache": h}], [])
    assert _handles_where_asked(h, "all") and not _handles_where_asked(np.ones(2), "all")
