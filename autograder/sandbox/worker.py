"""The untrusted side: a warm zygote that forks workers, and the worker's request loop.

``python -m autograder.sandbox.worker CONTROL_FD`` is started by pool.py as a
fresh interpreter (never a fork of the judge, whose memory holds expected
answers). It imports numpy and scipy once, says it is ready, and then, for
each "spawn" on the control socket, forks a worker that confines itself
(limits.confine) and serves requests on the socket the judge passed along.

A worker holds one submission in a Session (session.py), which serves the
requests load, call and getattr; this module is the loop around it.

Nothing here needs to stay intact once submission code has run: a submission
can monkeypatch numpy or this module, and the only effect is on what its own
worker sends back. The judge compares answers in its own process, with its
own numpy, and validates every frame, so patching ``np.allclose`` in the
worker cannot raise a score.

Reference implementations. The zygote is started with one folder on its
path (pool.py): for grading, the release package of the assignment graded,
where every function graded in that assignment or a later one is a stub
raising NotImplementedError("you write <name> in notebook NN"), next to a
copy of this package. Landlock lets a worker read that folder, the Python
standard library and the third-party site-packages, nothing of the
repository: no reference to import by any trick (importlib, sys.modules,
__import__, reading and exec'ing a source file), no hidden check to read.
"""
import importlib
import json
import os
import socket
import sys

from autograder.sandbox import limits as limits_mod
from autograder.sandbox import protocol
from autograder.sandbox.faults import SETUP_FAILED_EXIT
from autograder.sandbox.session import Session

PRELOAD = ("numpy", "scipy", "scipy.linalg", "scipy.special", "scipy.optimize", "course_lib")


# ---------------------------------------------------------------- zygote

def zygote_main(control_fd, readable=()):
    """Preload, report ready, then fork a worker per "spawn" until the judge goes away.

    ``readable``: the folders (and files) of the package a worker may read, besides Python's own.
    """
    limits_mod.die_with_parent()   # the judge went away: so do we
    _forget_editable_installs()
    ctrl = socket.socket(fileno=control_fd)
    preloaded, failed = [], {}
    for name in PRELOAD:
        try:
            importlib.import_module(name)
            preloaded.append(name)
        except Exception as exc:  # a broken course_lib must not stop grading
            failed[name] = f"{type(exc).__name__}: {exc}"
    read_roots = limits_mod.default_read_roots(readable)
    ctrl.send(json.dumps({"ready": True, "preloaded": preloaded, "failed": failed}).encode())
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(ctrl, 1 << 16, 1)
        except OSError:
            break
        if not data:
            break
        request = json.loads(data)
        if request["op"] == "spawn":
            try:
                pid = os.fork()
            except OSError as exc:
                pid, reply = None, {"error": str(exc)}
            if pid == 0:
                _become_worker(ctrl, fds[0], request, read_roots)
            for fd in fds:
                os.close(fd)
            ctrl.send(json.dumps({"pid": pid} if pid else reply).encode())
        elif request["op"] == "reap":
            try:
                _, status = os.waitpid(request["pid"], 0)
            except ChildProcessError:
                status = None
            ctrl.send(json.dumps({"status": status}).encode())
        else:
            break


def _forget_editable_installs():
    """Drop the import hooks of an editable install of this project (``pip install -e``).

    They would map ``course_lib`` to the repository; the worker must find it on its path only.
    """
    sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in getattr(f, "__module__", "")
                        and "__editable__" not in getattr(type(f), "__module__", "")]


def _become_worker(ctrl, fd, request, read_roots):
    """In the forked child: confine, then serve; never return into the zygote loop."""
    code = SETUP_FAILED_EXIT
    try:
        ctrl.close()   # before anything else: a submission must not reach the zygote
        os.setsid()
        sock = socket.socket(fileno=fd)
        limits = limits_mod.Limits(**request["limits"])
        session = Session(limits, limits_mod.confine(limits, sock.fileno(), read_roots))
        code = 0
        serve(sock, session)
    finally:
        os._exit(code)


# ---------------------------------------------------------------- request loop

def serve(sock, session):
    session.sock = sock
    while True:
        try:
            header, blobs = protocol.read_frame(sock)
        except (protocol.ChannelClosed, protocol.FrameError, OSError):
            return
        reply, out_blobs = session.handle(header, blobs)
        reply["id"] = header.get("id")
        try:
            protocol.write_frame(sock, reply, out_blobs)
        except (protocol.ChannelClosed, OSError):
            return



if __name__ == "__main__":
    zygote_main(int(sys.argv[1]), json.loads(sys.argv[2]) if len(sys.argv) > 2 else ())
