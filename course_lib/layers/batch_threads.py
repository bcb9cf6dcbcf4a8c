"""Spread the chunks of a batch over threads (used by conv.py).

numpy runs one elementwise operation on one core, and OpenBLAS does not
split the small matrix products of a convolution well, so conv.py splits the
batch into chunks itself and lets a few threads take chunks until none is
left. numpy releases the GIL inside copies, ufunc loops and BLAS calls, which
is where the time goes, so the threads really run at the same time.

How many threads: as many as numpy's BLAS may use at the moment, so
``threadpoolctl.threadpool_limits(n)`` (or OPENBLAS_NUM_THREADS) governs
course_lib as it governs numpy; 1 when that cannot be known. While the
threads run, BLAS is held to one thread each: BLAS's own threads would
otherwise spin waiting for work on the cores the chunks need (measured:
several times slower on a busy 2-core machine).
"""
import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait

_blas_controllers = None
_pool = None
_pool_pid = None
_pool_lock = threading.Lock()


def blas_threads():
    """The number of threads numpy's BLAS is allowed to use now (1 if unknown)."""
    global _blas_controllers
    if _blas_controllers is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _blas_controllers = []
        else:
            _blas_controllers = ThreadpoolController().select(user_api="blas").lib_controllers
    counts = [c.num_threads for c in _blas_controllers]
    return max([n for n in counts if isinstance(n, int) and n > 0], default=1)


@contextlib.contextmanager
def _one_blas_thread():
    """Set numpy's BLAS to one thread for the duration, then restore its setting."""
    saved = [(c, c.num_threads) for c in _blas_controllers or []]
    for c, _ in saved:
        c.set_num_threads(1)
    try:
        yield
    finally:
        for c, n in saved:
            c.set_num_threads(n)


def _get_pool():
    global _pool, _pool_pid
    with _pool_lock:
        # A forked child inherits the pool object but not its threads: make a new one.
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1,
                                       thread_name_prefix="course_lib")
            _pool_pid = os.getpid()
        return _pool


def run_chunks(process, n_chunks, threads):
    """Call ``process(claim)`` on up to ``threads`` threads (the caller's included).

    ``claim()`` returns the index of the next chunk nobody has taken yet, or
    None when all ``n_chunks`` are taken, so a thread slowed down by other
    work simply takes fewer chunks. Returns the list of what each call of
    ``process`` returned (one per thread, in no particular order).
    """
    lock = threading.Lock()
    taken = [0]

    def claim():
        with lock:
            k = taken[0]
            taken[0] += 1
        return k if k < n_chunks else None

    workers = max(1, min(threads, n_chunks, os.cpu_count() or 1))
    if workers == 1:
        return [process(claim)]
    pool = _get_pool()
    with _one_blas_thread():
        futures = [pool.submit(process, claim) for _ in range(workers - 1)]
        try:
            mine = process(claim)
        finally:
            wait(futures)    # even if this thread failed: the helpers write into shared arrays
    return [mine] + [f.result() for f in futures]
