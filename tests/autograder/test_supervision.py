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
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from autograder.assignments import load_assignments
from autograder.grade import grade_folder
from autograder.sandbox import Limits, WorkerPool
from autograder.submissions import filled_notebook

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
