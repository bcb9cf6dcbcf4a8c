"""Supervision: no submission can signal, stop or outlive the processes that grade it, and the run always ends.

Hostile submissions call the kernel directly (ctypes ``syscall``), past the
audit hooks, so what stops them is the seccomp allow-list (limits.py). Faults
the kernel filter cannot stop, or that come from outside (an administrator,
the OOM killer), are simulated from the test: SIGKILL and SIGSTOP of the
zygote and of a grading process. Every wait is on a condition with a generous
deadline, never on a fixed sleep.
"""
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import nbformat
import pytest

from autograder.assignments import load_assignments
from autograder.grade import grade_folder
from autograder.grading.discover import discover
from autograder.grading.grade import GRADING_PROCESS_DIED, Settings, Supervisor
from autograder.grading.plan import plan
from autograder.sandbox import Limits, WorkerPool
from autograder.sandbox.pool import is_stopped
from autograder.submissions import filled_notebook, with_answer

ROOT = Path(__file__).resolve().parents[2]
NB01 = load_assignments()["01_backprop"]
LIMITS = Limits(wall_seconds=20.0, memory_mb=512, cpu_seconds=120)
PATIENCE = 120.0   # seconds a condition may take on a loaded machine

# One line of ctypes each: the signal family aimed at PID (a process that is not the worker).
LIBC = "__import__('ctypes').CDLL(None, use_errno=True)"
SIGINFO = "__import__('ctypes').create_string_buffer(__import__('struct').pack('iii', 9, 0, -1) + bytes(116))"
SIGNAL_ATTACKS = {
    "kill": f"{LIBC}.syscall(62, PID, 9)",
    "tkill": f"{LIBC}.syscall(200, PID, 9)",
    "tgkill": f"{LIBC}.syscall(234, PID, PID, 9)",
    "rt_sigqueueinfo": f"{LIBC}.syscall(129, PID, 9, {SIGINFO})",
    "rt_tgsigqueueinfo": f"{LIBC}.syscall(297, PID, PID, 9, {SIGINFO})",
    "pidfd_send_signal": f"{LIBC}.syscall(424, {LIBC}.syscall(434, PID, 0), 9, 0, 0)",
    "fcntl F_SETOWN": f"{LIBC}.syscall(72, 0, 8, PID)",
    "ioctl FIOSETOWN": f"{LIBC}.ioctl(0, 0x8901, __import__('ctypes').byref(__import__('ctypes').c_int(PID)))",
}
PROBE = textwrap.dedent('''
    import ctypes
    import os

    def attack(pid):
        PID = pid
        result = EXPRESSION
        return int(result), ctypes.get_errno()

    def peer_pid():
        """The judge's pid from the grading socket (SO_PEERCRED), or the errno that refused it."""
        libc = ctypes.CDLL(None, use_errno=True)
        cred, size = ctypes.create_string_buffer(12), ctypes.c_uint32(12)
        for fd in range(3, 256):
            if libc.getsockopt(fd, 1, 17, cred, ctypes.byref(size)) == 0:
                return int.from_bytes(cred.raw[:4], "little")
        return -ctypes.get_errno()

    def clear_death_signal():
        return ctypes.CDLL(None, use_errno=True).prctl(1, 0, 0, 0, 0)

    def parent():
        return os.getppid()
''')


def alive(pid):
    """True while ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(condition, what, patience=PATIENCE):
    deadline = time.monotonic() + patience
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what} after {patience:g} s"
        time.sleep(0.05)


@pytest.fixture
def victim():
    """A process of the same user, not related to the sandbox: what an attack would kill."""
    proc = subprocess.Popen(["sleep", "600"])
    yield proc
    proc.kill()
    proc.wait()


# ---------------------------------------------------------------- signals, seen from the sandbox

@pytest.mark.parametrize("syscall", sorted(SIGNAL_ATTACKS))
def test_every_signal_syscall_aimed_elsewhere_is_refused(syscall, victim):
    with WorkerPool(LIMITS) as pool:
        worker = pool.spawn(PROBE.replace("EXPRESSION", SIGNAL_ATTACKS[syscall]), graded_names=[])
        assert "seccomp" in worker.protections
        zygote = worker.call("parent")
        for target in (victim.pid, zygote, os.getpid()):
            result, errno = worker.call("attack", (target,))
            assert result == -1 and errno == 1, (syscall, target)   # EPERM
        assert victim.poll() is None and alive(zygote)
        assert worker.call("parent") == zygote      # the same worker answers on


def test_without_seccomp_the_same_attack_would_work(victim):
    """The control: the kill above is stopped by the kernel filter, not by the way the test is written."""
    with WorkerPool(Limits(seccomp=False)) as pool:
        worker = pool.spawn(PROBE.replace("EXPRESSION", SIGNAL_ATTACKS["kill"]), graded_names=[])
        assert worker.call("attack", (victim.pid,))[0] == 0
        wait_for(lambda: victim.poll() is not None, "the victim to die")


def test_a_worker_cannot_learn_the_judges_pid_nor_outlive_its_zygote():
    with WorkerPool(LIMITS) as pool:
        worker = pool.spawn(PROBE.replace("EXPRESSION", "0"), graded_names=[])
        assert worker.call("peer_pid") == -1                  # -EPERM, not os.getpid()
        assert worker.call("clear_death_signal") == -1
        pid = worker.pid
        os.kill(pool._proc.pid, signal.SIGKILL)               # the zygote dies...
        wait_for(lambda: not alive(pid), "the worker to die with its zygote")
        assert worker.call("parent") > 0                      # a fresh zygote, a fresh worker
        assert worker.pid != pid and alive(pool._proc.pid)


def attacked_notebook(attacks):
    """Notebook 01, solved, with each forward of ``attacks`` ({cell: expression}) attacking its zygote first."""
    nb = filled_notebook(ROOT / "solutions" / NB01.notebook, ROOT / "notebooks" / NB01.notebook)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in attacks:
            lines = cell.source.split("\n")
            at = next(i for i, line in enumerate(lines) if line.startswith("def "))
            attack = attacks[grade_id].replace("PID", "__import__('os').getppid()")
            lines.insert(at + 1, f"    _ = {attack}")
            cell.source = "\n".join(lines)
    return nb


def test_a_graded_run_of_signal_attacks_ends_with_a_record_for_each(tmp_path):
    cells = ["cos_module", "leaky_relu", "relative_error", "relu", "sigmoid", "softplus", "tanh",
             "numerical_gradient"]
    attacks = dict(zip(cells, (SIGNAL_ATTACKS[k] for k in sorted(SIGNAL_ATTACKS))))
    folder = tmp_path / "flat"
    folder.mkdir()
    nbformat.write(attacked_notebook(attacks), folder / "mallory_01.ipynb")
    summary = grade_folder(folder, tmp_path / "out", assignment=NB01.name, limits=LIMITS,
                           stream=open(os.devnull, "w"))
    (result,) = summary.results
    by_test = {r.test: r for r in result.records}
    assert len(by_test) == len(NB01.tests)
    # every attack was refused, so each function went on to return its right value
    assert all(r.status == "passed" for r in by_test.values()), [(r.test, r.message) for r in by_test.values()]


# ---------------------------------------------------------------- the zygote, from outside

def children(pid):
    """Pids whose parent is ``pid`` (read from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return found


def descendants(pid):
    found, todo = [], [pid]
    while todo:
        for child in children(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


SMALL = "def f():\n    return 3\n"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSTOP], ids=["SIGKILL", "SIGSTOP"])
def test_a_killed_or_stopped_zygote_is_replaced(sig):
    with WorkerPool(LIMITS, control_seconds=PATIENCE) as pool:
        first = pool.spawn(SMALL, graded_names=[])
        zygote = pool._proc.pid
        os.kill(zygote, sig)
        wait_for(lambda: not alive(zygote) or is_stopped(zygote), "the signal to arrive")
        second = pool.spawn(SMALL, graded_names=[])
        assert second.call("f") == 3
        assert pool.replaced == 1 and pool._proc.pid != zygote
        wait_for(lambda: not alive(zygote), "the old zygote to be gone")
        wait_for(lambda: not alive(first.pid), "its worker to die with it")
        assert first.call("f") == 3           # reloaded into a worker of the new zygote


# ---------------------------------------------------------------- grading processes, from outside

SLEEPER = ("import time\n\n\ndef relu_forward(x):\n    time.sleep(600)\n    return x, x\n\n\n"
           "def relu_backward(dout, cache):\n    return dout\n")


def class_folder(tmp_path, students):
    """A flat folder of notebook-01 submissions, solved, but the relu cell of "slow" sleeps."""
    folder = tmp_path / "flat"
    folder.mkdir()
    solved = filled_notebook(ROOT / "solutions" / NB01.notebook, ROOT / "notebooks" / NB01.notebook)
    for student in students:
        nb = with_answer(solved, "relu", SLEEPER) if student == "slow" else solved
        nbformat.write(nb, folder / f"{student}_01.ipynb")
    return folder


def tasks_in(folder):
    assignments = load_assignments()
    return plan(discover(folder, assignments, only=NB01.name), assignments).tasks


def run_in_background(supervisor, tasks):
    """Consume supervisor.run(tasks) in a thread; -> (thread, {student: result})."""
    results = {}

    def consume():
        for task, result in supervisor.run(tasks):
            results[task.submission.student] = result

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    return thread, results


def grading(supervisor, student):
    return [p for p in supervisor.processes if p.task is not None and p.task.submission.student == student]


def by_test(result):
    return {r.test: r for r in result.records}


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSTOP], ids=["SIGKILL", "SIGSTOP"])
def test_a_grading_process_that_dies_or_stops_costs_only_its_submission(sig, tmp_path):
    students = ["slow", "t1", "t2", "t3"]
    tasks = tasks_in(class_folder(tmp_path, students))
    assert sorted(t.submission.student for t in tasks) == sorted(students)
    supervisor = Supervisor(Settings(limits=Limits(wall_seconds=600), jobs=2, stall_seconds=10))
    thread, results = run_in_background(supervisor, tasks)
    wait_for(lambda: grading(supervisor, "slow"), "the slow submission to be given out")
    pid = grading(supervisor, "slow")[0].process.pid
    wait_for(lambda: len(descendants(pid)) >= 2, "its zygote and worker to start")
    below = descendants(pid)
    os.kill(pid, sig)
    thread.join(timeout=10 * PATIENCE)
    assert not thread.is_alive()
    assert sorted(results) == sorted(students)
    for record in results["slow"].records:
        assert record.status == "error" and record.message.startswith(GRADING_PROCESS_DIED)
    said = results["slow"].records[0].message
    assert ("SIGKILL" in said) if sig == signal.SIGKILL else ("stopped answering" in said)
    for student in students[1:]:
        assert all(r.status == "passed" for r in results[student].records), student
    wait_for(lambda: not any(alive(p) for p in [pid, *below]), "the process, its zygote and worker to be gone")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSTOP], ids=["SIGKILL", "SIGSTOP"])
def test_a_zygote_killed_or_stopped_mid_submission_costs_one_test(sig, tmp_path):
    tasks = tasks_in(class_folder(tmp_path, ["slow", "t1"]))
    supervisor = Supervisor(Settings(limits=Limits(wall_seconds=20), jobs=1))
    thread, results = run_in_background(supervisor, tasks)
    wait_for(lambda: grading(supervisor, "slow"), "the slow submission to be given out")
    judge = grading(supervisor, "slow")[0].process.pid

    def zygote_with_a_worker():
        return [z for z in children(judge) if children(z)]

    wait_for(zygote_with_a_worker, "a worker to start")
    zygote = zygote_with_a_worker()[0]
    os.kill(zygote, sig)
    thread.join(timeout=10 * PATIENCE)
    assert not thread.is_alive() and sorted(results) == ["slow", "t1"]
    slow = by_test(results["slow"])
    assert slow.pop("test_relu").status in ("timeout", "error")      # it sleeps: lost whatever happens
    # The kill lands in whichever test runs at that moment (the sleeping relu as a rule, but an earlier
    # one on a loaded machine): at most that one test more is lost, and it says its worker stopped.
    lost = [r for r in slow.values() if r.status != "passed"]
    assert len(lost) <= 1 and all(r.status in ("timeout", "error") for r in lost), [(r.test, r.message) for r in lost]
    assert all(r.status == "passed" for r in results["t1"].records)
    wait_for(lambda: not alive(zygote), "the old zygote to be gone")


def test_a_run_killed_from_outside_leaves_no_process_behind_and_resumes(tmp_path):
    students = [f"s{i}" for i in range(6)]
    folder = class_folder(tmp_path, students)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "autograder.cli", "grade", str(folder), "--out", str(out), "--jobs", "2"]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: list((out / "results").glob("*/*.json")), "a first result file")
    below = descendants(proc.pid)
    proc.kill()                        # the parent alone, as `kill -9 <pid>` would
    proc.wait()
    assert below   # grading processes, their zygotes and workers
    wait_for(lambda: not any(alive(p) for p in below), "every process of the run to die with it")
    finished = {p: p.read_bytes() for p in (out / "results").glob("*/*.json")}
    assert 1 <= len(finished) < len(students)
    summary = grade_folder(folder, out, jobs=2, stream=open(os.devnull, "w"))
    assert summary.skipped == len(finished) and summary.graded == len(students) - len(finished)
    assert all(p.read_bytes() == data for p, data in finished.items())
    assert all(r.status == "passed" for result in summary.results for r in result.records)


# ---------------------------------------------------------------- what a call leaves behind

# relu_forward returns the right value but leaves a thread that waits for the worker's next
# request for another function and then spins holding the GIL (sum over a range never lets go
# of it), so that request never gets an answer: a starved worker, made deterministic.
LEAKER = textwrap.dedent('''
    import gc
    import threading

    def _lurk(next_call):
        next_call.wait()
        sum(range(10**15))

    def relu_forward(x):
        if threading.active_count() == 1:
            session = next(o for o in gc.get_objects() if type(o).__name__ == "Session")
            next_call, served = threading.Event(), session.call

            def call(header, blobs):
                if not str(header.get("target")).startswith("relu"):
                    next_call.set()
                return served(header, blobs)

            session.call = call
            threading.Thread(target=_lurk, args=(next_call,), daemon=True).start()
        return np.maximum(x, 0.0), x

    def relu_backward(dout, cache):
        return dout * (cache > 0)
''')


def test_threads_left_running_by_one_function_cost_nothing_to_the_others(tmp_path):
    folder = tmp_path / "flat"
    folder.mkdir()
    solved = filled_notebook(ROOT / "solutions" / NB01.notebook, ROOT / "notebooks" / NB01.notebook)
    nbformat.write(with_answer(solved, "relu", LEAKER), folder / "leaky_01.ipynb")
    summary = grade_folder(folder, tmp_path / "out", assignment=NB01.name, stream=open(os.devnull, "w"),
                           limits=Limits(wall_seconds=20))
    (result,) = summary.results
    records = by_test(result)
    assert records["test_relu"].status == "passed"
    assert all(r.status == "passed" for r in records.values()), [(r.test, r.message) for r in records.values()]
    assert any("relu_forward left 1 thread running" in note and "replaced before the next test" in note
               for note in result.notes), result.notes


def test_the_judge_counts_what_a_call_leaves_behind():
    source = "import threading, time\n\ndef leave():\n    threading.Thread(target=time.sleep, args=(60,)).start()\n" \
             "    return 1\n\ndef f():\n    return 2\n"
    with WorkerPool(LIMITS) as pool:
        worker = pool.spawn(source, graded_names=[])
        assert worker.call("f") == 2 and not worker.replace_if_left_behind()
        first = worker.pid
        assert worker.call("leave") == 1 and worker.left_behind == "leave left 1 thread running after it returned"
        assert worker.replace_if_left_behind() and worker.pid != first and worker.restarts == 0
        assert worker.call("f") == 2 and not worker.left_behind
        wait_for(lambda: not alive(first), "the old worker to be gone")


def test_a_platform_without_seccomp_is_named_in_the_result(tmp_path):
    folder = class_folder(tmp_path, ["t1"])
    summary = grade_folder(folder, tmp_path / "out", assignment=NB01.name, stream=open(os.devnull, "w"),
                           limits=Limits(seccomp=False))
    (result,) = summary.results
    assert all(r.status == "passed" for r in result.records)
    assert any("seccomp" in note and "supervisor" in note for note in result.notes), result.notes
    with_filter = grade_folder(folder, tmp_path / "out2", assignment=NB01.name, stream=open(os.devnull, "w"))
    assert not any("seccomp" in note for note in with_filter.results[0].notes)
