"""Stand-ins, in the judge, for a submission's functions, classes and objects.

The judge runs a notebook's hidden test code unchanged, with each student
name bound to a proxy into the sandboxed worker that holds the submission:

    remote = Remote(worker, deadline=time.monotonic() + 60)
    relu_forward = RemoteFunction(remote, "relu_forward")
    out, cache = relu_forward(x)        # out: a plain ndarray; cache: plain data, or a RemoteObject
    dx = relu_backward(dout, cache)     # a RemoteObject goes back as the worker's own object
    opt = Adam(lr=1e-3)                 # RemoteClass -> RemoteObject: the instance stays in the worker
    theta = opt.step(theta, grad_fn)    # methods are forwarded

What crosses, judge -> worker:
  plain data         numbers, strings, None, numeric ndarrays, tuples, lists, dicts (copied);
                     a numpy Generator as its state
  RemoteObject       as a reference to the worker's object
  TrustedFunction    built by the worker itself (fast, no round trip per call)
  other functions    stay in the judge: the worker calls them back with plain data
                     (the check's f of numerical_gradient, an activation phi, a grad_fn)
  trusted objects    rebuilt inside the worker from plain data; see autograder/trusted_types.py
and worker -> judge: plain data only (base ndarrays of numbers, Python floats and ints,
NumPy scalars, tuples, lists, dicts, strings), or RemoteObjects for anything else.
An ndarray subclass, a float whose __eq__ lies or a monkeypatched numpy in
the worker arrive as plain numbers: the judge compares with its own numpy.

Arguments are copies, so what the submission does to them in place (an
input it should not modify, the running averages batch norm must update
in bn_param) is copied back into the judge's objects after each call: the
check sees the same effects as in the notebook's kernel.

Outcomes, as the check code sees them (each carries the worker's SubmissionFault as ``.fault``):
  the submission's code raised X   -> an exception of class X (for builtin X, CheckFailure and
                                      LinAlgError; a look-alike class otherwise) marked StudentRaised,
                                      so ``except ValueError`` in a check works as in the kernel
  a judge-side function it called raised -> that same exception object
  timeout, crash, memory, missing name, protocol -> SubmissionAbort, a BaseException that check
                                      code does not catch; the judge records its status
Any keyword argument reaches the submission's function, ``timeout`` and
``keep`` included: the worker takes the arguments as one tuple and one dict.

    remote.py      Remote: one test's link to the worker (time budget, output, objects built there)
    objects.py     RemoteFunction, RemoteClass, RemoteObject, RemoteMethod, make_proxies
    exceptions.py  SubmissionAbort, StudentRaised, and the fault -> exception the check sees
    effects.py     copying what a call did to its arguments back into the judge's objects
"""
from autograder.proxies.exceptions import StudentRaised, SubmissionAbort, student_exception
from autograder.proxies.objects import (
    RemoteClass,
    RemoteFunction,
    RemoteMethod,
    RemoteObject,
    handle_of,
    make_proxies,
    remote_object,
)
from autograder.proxies.remote import OUTPUT_CHARS, Remote
from autograder.trusted_types import ProxyError

__all__ = ["OUTPUT_CHARS", "ProxyError", "Remote", "RemoteClass", "RemoteFunction", "RemoteMethod", "RemoteObject",
           "StudentRaised", "SubmissionAbort", "handle_of", "make_proxies", "remote_object", "student_exception"]
