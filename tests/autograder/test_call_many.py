"""A batch of calls in one request (Worker.call_many, Remote.call_many, course_lib.batch.call_many).

Results come back in order, one exception does not lose the others, a call
taking the result of a failed one is skipped, every call is still held to the
per-call wall-clock limit, and forged progress or replies end the worker.
"""
import textwrap
import time

import numpy as np
import pytest

from autograder.proxies import Remote, RemoteFunction, StudentRaised, SubmissionAbort
from autograder.sandbox import Earlier, Limits, SubmissionFault, WorkerPool
from course_lib.batch import Earlier as BatchEarlier
from course_lib.batch import call_many
from tests.support.forged_frames import FORGING_HELPERS

LIMITS = Limits(wall_seconds=2.0, memory_mb=256, cpu_seconds=60, output_chars=100)

SUBMISSION = textwrap.dedent('''
    import json
    import os
    import stat
    import struct
    import sys
    import time

    import numpy as np

    def halve(x):
        return 0.5 * x

    def picky(x):
        if x < 0:
            raise ValueError(f"negative {x}")
        return x * x

    def to_list(x):
        return [float(v) for v in np.ravel(x)]

    def double_in_place(x):
        x *= 2.0
        return float(x.sum())

    def nap(seconds):
        time.sleep(seconds)
        return seconds

    class Sneaky:
        batch_runner = "mine"
        def __call__(self, x):
            return x + 1.0

    def sneaky():
        return Sneaky()

    def shout(n):
        print("y" * n)
        return n

    def _request_id():
        frame = sys._getframe()
        while not (isinstance(frame.f_locals.get("header"), dict) and "id" in frame.f_locals["header"]
                   and frame.f_locals["header"].get("op") == "call_many"):
            frame = frame.f_back
        return frame.f_locals["header"]["id"]

    def forge_progress():
        os.write(_channel_fd(), _frame({"op": "progress", "id": _request_id(), "done": 10**6}))
        return 1.0

    def forge_short_reply():
        os.write(_channel_fd(), _frame({"id": _request_id(), "status": "ok", "results": []}))
        return 1.0

    def forge_crashed_result():
        results = [{"status": "timeout", "detail": "made up"}, {"status": "timeout", "detail": "made up"}]
        os.write(_channel_fd(), _frame({"id": _request_id(), "status": "ok", "results": results}))
        return 1.0
''') + FORGING_HELPERS


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(LIMITS) as p:
        yield p


@pytest.fixture()
def worker(pool):
    w = pool.spawn(SUBMISSION, graded_names=["halve"])
    yield w
    w.close()


def test_results_come_back_in_order_in_one_request(worker):
    xs = [np.arange(3.0) + k for k in range(5)]
    before = worker.round_trips
    outcomes = worker.call_many([("halve", (x,), {}) for x in xs])
    assert worker.round_trips == before + 1
    assert [o.fault for o in outcomes] == [None] * 5
    for x, outcome in zip(xs, outcomes):
        assert np.array_equal(outcome.value, 0.5 * x)


def test_one_exception_does_not_lose_the_others(worker):
    outcomes = worker.call_many([("picky", (v,), {}) for v in (2.0, -1.0, 3.0)] + [("missing_name", (), {})])
    assert outcomes[0].value == 4.0 and outcomes[2].value == 9.0
    assert outcomes[1].fault.status == "error" and "negative -1.0" in outcomes[1].fault.message
    assert outcomes[3].fault.status == "missing"


def test_a_chain_feeds_each_result_to_the_next_call_and_skips_after_a_failure(worker):
    chain = [("halve", (np.array([8.0, -4.0]),), {})] + [("halve", (Earlier(k),), {}) for k in range(3)]
    outcomes = worker.call_many(chain)
    assert np.array_equal(outcomes[-1].value, np.array([0.5, -0.25]))
    outcomes = worker.call_many([("picky", (-1.0,), {}), ("picky", (Earlier(0),), {}), ("picky", (5.0,), {})])
    assert outcomes[0].fault is not None and outcomes[1].skipped and outcomes[2].value == 25.0
    listed = worker.call_many([("to_list", (np.ones(2),), {}), ("halve", (Earlier(0, as_float64=True),), {})])
    assert listed[1].value.dtype == np.float64 and np.array_equal(listed[1].value, [0.5, 0.5])


def test_arguments_changed_in_place_are_reported_per_call(worker):
    outcomes = worker.call_many([("double_in_place", (np.ones(3),), {}), ("halve", (np.ones(3),), {})],
                                return_args=True)
    assert outcomes[0].mutated == ["args[0]"] and np.array_equal(outcomes[0].args[0], 2 * np.ones(3))
    assert outcomes[1].mutated == []


def test_every_call_of_a_batch_keeps_the_per_call_time_limit(worker):
    # six calls of 1 s each fit (each within 2 s), although together they take longer than one call's limit
    outcomes = worker.call_many([("nap", (0.6,), {}) for _ in range(6)])
    assert [o.value for o in outcomes] == [0.6] * 6
    start = time.monotonic()
    with pytest.raises(SubmissionFault) as info:
        worker.call_many([("nap", (0.1,), {}), ("nap", (30.0,), {}), ("nap", (0.1,), {})])
    assert info.value.status == "timeout" and time.monotonic() - start < 10
    assert worker.call("halve", (2.0,)) == 1.0   # a fresh worker


def test_the_whole_batch_stops_at_the_budget_it_is_given(worker):
    start = time.monotonic()
    with pytest.raises(SubmissionFault) as info:
        worker.call_many([("nap", (0.5,), {}) for _ in range(20)], until=time.monotonic() + 1.5)
    assert info.value.status == "timeout" and time.monotonic() - start < 5


def test_a_batch_may_print_k_times_what_one_call_may(worker):
    worker.call_many([("shout", (99,), {}) for _ in range(3)])
    assert worker.last.output.count("y") == 3 * 99 and worker.last.output_dropped == 0
    worker.call_many([("shout", (250,), {}) for _ in range(2)])
    assert worker.last.output_dropped > 0 and worker.last.output.count("y") == 2 * LIMITS.output_chars


@pytest.mark.parametrize("name", ["forge_progress", "forge_short_reply", "forge_crashed_result"])
def test_forged_progress_and_replies_end_the_worker(worker, name):
    with pytest.raises(SubmissionFault) as info:
        worker.call_many([(name, (), {}), ("halve", (1.0,), {})])
    assert info.value.status == "protocol"
    assert worker.call("halve", (2.0,)) == 1.0


def test_proxies_batch_through_course_lib_call_many(worker):
    remote = Remote(worker, deadline=time.monotonic() + 60)
    halve, picky = RemoteFunction(remote, "halve"), RemoteFunction(remote, "picky")
    before = worker.round_trips
    results = call_many([(halve, (np.array([4.0]),), {}), (halve, (BatchEarlier(0),), {}),
                         (picky, (-2.0,), {}), (picky, (3.0,), {})])
    assert worker.round_trips == before + 1 and remote.calls == 4
    assert np.array_equal(results[1].value, [1.0])
    assert isinstance(results[2].error, ValueError) and isinstance(results[2].error, StudentRaised)
    assert results[3].value == 9.0
    x = np.ones(2)
    (result,) = call_many([(RemoteFunction(remote, "double_in_place"), (x,), {})])
    assert np.array_equal(x, [2.0, 2.0]) and result.value == 4.0   # copied back, as a single call would
    with pytest.raises(SubmissionAbort):
        call_many([(RemoteFunction(remote, "nap"), (30.0,), {})])


def test_an_object_of_the_submission_cannot_offer_its_own_batch_runner(worker):
    remote = Remote(worker, deadline=time.monotonic() + 60)
    obj = RemoteFunction(remote, "sneaky")()          # a RemoteObject; its attributes are read in the worker
    assert obj.batch_runner == "mine"
    before = worker.round_trips
    results = call_many([(obj, (1.0,), {}), (obj, (2.0,), {})])
    assert [r.value for r in results] == [2.0, 3.0] and worker.round_trips == before + 2   # one by one


def test_plain_functions_run_in_a_loop_with_the_same_results():
    def picky(x):
        if x < 0:
            raise ValueError("negative")
        return x * x

    results = call_many([(picky, (2.0,), {}), (picky, (BatchEarlier(0),), {}), (picky, (-1.0,), {}),
                         (picky, (BatchEarlier(2),), {})])
    assert [r.value for r in results[:2]] == [4.0, 16.0]
    assert isinstance(results[2].error, ValueError) and results[3].skipped
