"""The judge's side of the sandbox: one warm zygote, from which each Worker is forked.

    with WorkerPool(Limits(wall_seconds=5)) as pool:
        w = pool.spawn(extraction.source, graded_names=extraction.found)   # a Worker (client.py)
        out, cache = w.call("relu_forward", (x,), keep=[1])
        w.close()

The zygote is a fresh interpreter (python -m autograder.sandbox.worker),
not a fork of the judge, so no worker can find the judge's expected answers
in its memory. Workers are forked from it in milliseconds, over a control
socket: "spawn" (with the worker's limits and its end of a new socket
pair) and "reap".

Supervision of the zygote: no worker can signal it (the seccomp allow-list
in limits.py), but something outside can kill or stop it. A zygote that is
stopped (SIGSTOP: its /proc state says so), dead, or silent on the control
socket for ``control_seconds`` is killed and replaced by a fresh one, once
per request; its workers die with it (PR_SET_PDEATHSIG), and each Worker
reloads its submission into a fresh worker on its next call.
"""
import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import weakref

from autograder.sandbox.client import Worker
from autograder.sandbox.limits import Limits

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ZYGOTE_START_SECONDS = 120.0
CONTROL_SECONDS = 30.0


class WorkerPool:
    """Starts the zygote; ``spawn`` gives a Worker holding one submission."""

    def __init__(self, limits=None, *, python=None, control_seconds=CONTROL_SECONDS):
        self.limits = limits or Limits()
        self.control_seconds = control_seconds
        self.replaced = 0          # zygotes replaced after dying or stopping
        self._python = python or sys.executable
        self._lock = threading.Lock()
        self._workers = weakref.WeakSet()
        self._proc = self._ctrl = None
        self._start_zygote()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def spawn(self, source, *, graded_names, limits=None):
        """Fork a worker and load ``source`` into it.

        ``graded_names`` are hidden from course_lib as the submission sees
        it. Raises SubmissionFault if loading times out or kills the worker;
        statements that merely fail are listed in ``worker.load_failures``.
        """
        worker = Worker(self, source, graded_names, limits or self.limits)
        self._workers.add(worker)
        return worker

    def close(self):
        for worker in list(self._workers):
            worker.close()
        if self._ctrl is not None:
            try:
                self._ctrl.send(json.dumps({"op": "exit"}).encode())
            except OSError:
                pass
            self._ctrl.close()
            self._ctrl = None
        if self._proc is not None:
            try:
                self._proc.wait(timeout=0 if is_stopped(self._proc.pid) else 5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None

    # -- zygote

    def _replace_zygote(self):
        """Kill the zygote (stopped, dead or silent) and start a fresh one."""
        if self._proc is not None:
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)   # a stopped process dies of SIGKILL too
            except (ProcessLookupError, PermissionError):
                pass
            self._proc.wait()
        self.replaced += 1
        self._start_zygote()

    def _start_zygote(self):
        if self._ctrl is not None:   # replacing a zygote that died
            self._ctrl.close()
            self._ctrl = None
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": PROJECT_ROOT,
            "PYTHONNOUSERSITE": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            # one BLAS thread: no thread pools across fork, bit-reproducible sums
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "MPLBACKEND": "Agg",
            "LANG": "C.UTF-8",
        }
        # -P: do not put the working directory on sys.path (Python >= 3.11)
        flags = ["-P"] if sys.version_info >= (3, 11) else []
        self._stderr = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(
            [self._python, *flags, "-m", "autograder.sandbox.worker", str(child.fileno())],
            pass_fds=[child.fileno()], env=env, cwd="/", stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=self._stderr, start_new_session=True)
        child.close()
        parent.settimeout(ZYGOTE_START_SECONDS)
        try:
            ready = json.loads(parent.recv(1 << 16) or b"{}")
        except (OSError, ValueError):
            ready = {}
        if not ready.get("ready"):
            self._stderr.seek(0)
            detail = self._stderr.read().decode(errors="replace")[-2000:]
            self._proc.kill()
            raise RuntimeError(f"the sandbox zygote did not start:\n{detail}")
        self._ctrl = parent
        self.preloaded = ready["preloaded"]
        self.preload_failures = ready["failed"]

    def _control(self, request, fd=None):
        with self._lock:
            if self._ctrl is None:
                raise RuntimeError("the worker pool is closed")
            if self._proc is not None and is_stopped(self._proc.pid):
                raise RuntimeError("the sandbox zygote is stopped")
            payload = json.dumps(request).encode()
            self._ctrl.settimeout(self.control_seconds)
            try:
                if fd is None:
                    self._ctrl.send(payload)
                else:
                    socket.send_fds(self._ctrl, [payload], [fd])
                data = self._ctrl.recv(1 << 16)
            except OSError as exc:
                raise RuntimeError(f"the sandbox zygote is not answering ({exc})") from None
            if not data:
                raise RuntimeError("the sandbox zygote has stopped")
            return json.loads(data)

    def fork_worker(self, limits):
        """Fork a confined worker from the zygote; -> (pid, judge's end of its socket). Used by Worker."""
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            try:
                reply = self._control({"op": "spawn", "limits": dataclasses.asdict(limits)},
                                      fd=theirs.fileno())
            except RuntimeError:
                if self._ctrl is None:
                    raise                # closed
                self._replace_zygote()   # dead, stopped or silent: start another one, once
                reply = self._control({"op": "spawn", "limits": dataclasses.asdict(limits)},
                                      fd=theirs.fileno())
        finally:
            theirs.close()
        if type(reply.get("pid")) is not int:
            mine.close()
            raise RuntimeError(f"the sandbox zygote could not fork a worker: {reply.get('error')}")
        return reply["pid"], mine

    def reap(self, pid):
        """Wait for a killed or exited worker; -> raw wait status, or None if unknown. Used by Worker."""
        try:
            return self._control({"op": "reap", "pid": pid})["status"]
        except RuntimeError:
            if self._ctrl is not None:
                self._replace_zygote()   # the worker died with the old zygote
            return None


def is_stopped(pid):
    """True if process ``pid`` is stopped by a signal (SIGSTOP, SIGTSTP) or traced (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("T", "t")
    except (OSError, IndexError):
        return False

