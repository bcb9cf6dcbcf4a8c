"""The judge's side of the sandbox: warm zygotes, from which each Worker is forked.

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

SANDBOX_DIR = os.path.dirname(os.path.abspath(__file__))
PROJECT_ROOT = os.path.dirname(os.path.dirname(SANDBOX_DIR))
ZYGOTE_START_SECONDS = 120.0
CONTROL_SECONDS = 30.0


class WorkerPool:
    """Starts zygotes; ``spawn`` gives a Worker holding one submission.

    ``package``: the folder a worker imports ``course_lib`` from, and the only
    folder besides Python's own that it may read. For grading, the release of
    the assignment (autograder/grading/releases.py builds it with a copy of
    this package next to it); None means this repository's course_lib and
    sandbox, for the sandbox's own tests and tools. One zygote per folder,
    started on first use; at most ``max_zygotes`` stay warm.
    """

    def __init__(self, limits=None, *, python=None, control_seconds=CONTROL_SECONDS, package=None,
                 max_zygotes=3):
        self.limits = limits or Limits()
        self.control_seconds = control_seconds
        self.package = package
        self.max_zygotes = max_zygotes
        self._python = python or sys.executable
        self._zygotes = {}         # package folder (or None) -> Zygote, most recently used last
        self._workers = weakref.WeakSet()
        self._closed = False
        self.zygote(package)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def spawn(self, source, *, graded_names, limits=None, package=None):
        """Fork a worker (from the zygote of ``package``, default the pool's) and load ``source`` into it.

        Raises SubmissionFault if loading times out or kills the worker;
        statements that merely fail are listed in ``worker.load_failures``.
        ``graded_names`` are sent along; the release package holds stubs for them.
        """
        zygote = self.zygote(self.package if package is None else package)
        worker = Worker(zygote, source, graded_names, limits or self.limits)
        self._workers.add(worker)
        zygote.workers.add(worker)
        return worker

    def zygote(self, package):
        """The warm zygote of ``package``, started if needed (evicting the least recently used idle one)."""
        if self._closed:
            raise RuntimeError("the worker pool is closed")
        key = None if package is None else os.fspath(package)
        zygote = self._zygotes.pop(key, None)
        if zygote is None:
            for old in list(self._zygotes):
                if len(self._zygotes) < self.max_zygotes:
                    break
                if not self._zygotes[old].workers:
                    self._zygotes.pop(old).close()
            zygote = Zygote(self._python, key, self.control_seconds)
        self._zygotes[key] = zygote
        return zygote

    @property
    def replaced(self):
        """Zygotes replaced after dying or stopping, over all packages."""
        return sum(z.replaced for z in self._zygotes.values())

    @property
    def _proc(self):
        """The most recently used zygote's process (for tests)."""
        return next(reversed(self._zygotes.values())).proc

    @property
    def preloaded(self):
        return next(reversed(self._zygotes.values())).preloaded

    def close(self):
        for worker in list(self._workers):
            worker.close()
        for zygote in self._zygotes.values():
            zygote.close()
        self._zygotes.clear()
        self._closed = True


class Zygote:
    """One warm zygote: its process, its control socket, what it preloaded; replaced when it fails."""

    def __init__(self, python, package, control_seconds):
        self.python, self.package, self.control_seconds = python, package, control_seconds
        self.replaced = 0
        self.workers = weakref.WeakSet()
        self._lock = threading.Lock()
        self.proc = self._ctrl = None
        self._start()

    def close(self):
        if self._ctrl is not None:
            try:
                self._ctrl.send(json.dumps({"op": "exit"}).encode())
            except OSError:
                pass
            self._ctrl.close()
            self._ctrl = None
        if self.proc is not None:
            try:
                self.proc.wait(timeout=0 if is_stopped(self.proc.pid) else 5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def _replace(self):
        """Kill the zygote (stopped, dead or silent) and start a fresh one."""
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)   # a stopped process dies of SIGKILL too
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()
        self.replaced += 1
        self._start()

    def _start(self):
        if self._ctrl is not None:   # replacing a zygote that died
            self._ctrl.close()
            self._ctrl = None
        if self.package is None:
            path, readable = PROJECT_ROOT, [os.path.join(PROJECT_ROOT, "course_lib"), SANDBOX_DIR,
                                            os.path.join(PROJECT_ROOT, "autograder", "__init__.py")]
        else:
            path, readable = self.package, [self.package]
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": path,
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
        self.proc = subprocess.Popen(
            [self.python, *flags, "-m", "autograder.sandbox.worker", str(child.fileno()), json.dumps(readable)],
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
            self.proc.kill()
            raise RuntimeError(f"the sandbox zygote did not start:\n{detail}")
        self._ctrl = parent
        self.preloaded = ready["preloaded"]
        self.preload_failures = ready["failed"]

    def _control(self, request, fd=None):
        with self._lock:
            if self._ctrl is None:
                raise RuntimeError("the worker pool is closed")
            if self.proc is not None and is_stopped(self.proc.pid):
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
                    raise          # closed
                self._replace()    # dead, stopped or silent: start another one, once
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
                self._replace()    # the worker died with the old zygote
            return None


def is_stopped(pid):
    """True if process ``pid`` is stopped by a signal (SIGSTOP, SIGTSTP) or traced (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("T", "t")
    except (OSError, IndexError):
        return False

