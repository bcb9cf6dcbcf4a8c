"""Running untrusted submission code: a warm fork server, confined workers, plain-data replies.

    pool.py               the judge's side: WorkerPool, the warm zygotes workers are forked from
    client.py             the judge's side of one worker: Worker (call, call_many, new, call_method,
                          get_attr),
                          timeouts, restarts, callbacks into the judge
    faults.py             SubmissionFault: every way a request ends without a value, worker to judge
    protocol.py           frames and value encoding (.npy blobs, never pickle), Handle
    trusted_functions.py  TrustedFunction: functions the worker builds from a name and plain data
    limits.py             Limits and the confinement a worker applies to itself
    worker.py             the untrusted side: the zygote's loop, forking and confining a worker
    session.py            the untrusted side: one submission's namespace and the requests it serves
Nothing here imports the rest of autograder (tests/test_architecture.py).
"""
from autograder.sandbox.client import CallInfo, LoadFailure, Outcome, UnsendableArguments, Worker
from autograder.sandbox.faults import STATUSES, SubmissionFault
from autograder.sandbox.limits import Limits
from autograder.sandbox.pool import WorkerPool
from autograder.sandbox.protocol import Earlier, Handle
from autograder.sandbox.trusted_functions import TrustedFunction

__all__ = ["CallInfo", "Earlier", "Handle", "Limits", "LoadFailure", "Outcome", "STATUSES", "SubmissionFault",
           "TrustedFunction", "UnsendableArguments", "Worker", "WorkerPool"]
