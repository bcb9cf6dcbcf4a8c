"""Running untrusted submission code: a warm fork server, confined workers, plain-data replies.

    protocol.py  frames, value encoding (.npy blobs, never pickle), TrustedFunction, SubmissionError
    limits.py    Limits and the confinement a worker applies to itself
    worker.py    the untrusted side: zygote, request loop, reference-import guard
    pool.py      the judge's side: WorkerPool, Worker, timeouts and crash handling
"""
from autograder.sandbox.limits import Limits
from autograder.sandbox.pool import CallInfo, Worker, WorkerPool
from autograder.sandbox.protocol import STATUSES, Handle, SubmissionError, TrustedFunction

__all__ = ["CallInfo", "Handle", "Limits", "STATUSES", "SubmissionError", "TrustedFunction",
           "Worker", "WorkerPool"]
