"""conv2d forward + backward: course_lib (im2col + BLAS) against PyTorch CPU, float64.

Usage:  python benchmarks/bench_conv.py [--repeats 31] [--threads 1 2]

Both libraries see the same data (N=64, C=3, 32x32 images, 16 filters of
3x3, stride 1, pad 1) in the same process. After three warm-up runs each,
the two are timed in alternation, ``--repeats`` rounds, and each figure is
the median of its runs: on a shared machine a burst of other work then
slows both alike instead of one. For a fair comparison both get the same
number of threads: torch.set_num_threads for PyTorch, and threadpoolctl's
limit on numpy's BLAS for course_lib, whose conv2d spreads its batch over
as many threads as that limit allows (course_lib/layers/batch_threads.py).
PyTorch is optional (pip install '.[bench]'); without it this script says so
and exits with status 0.
"""
import argparse
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from course_lib.layers.conv import conv2d_backward, conv2d_forward  # noqa: E402

N, C, H, W, F, K, STRIDE, PAD = 64, 3, 32, 32, 16, 3, 1, 1


def median_ms_pair(ours, theirs, repeats, warmup=3):
    """Median milliseconds of ours() and theirs(), timed in alternation after a warm-up."""
    for _ in range(warmup):
        ours()
        theirs()
    times = ([], [])
    for k in range(repeats):
        # Alternate which goes first, so neither always runs right after the other.
        order = ((0, ours), (1, theirs)) if k % 2 == 0 else ((1, theirs), (0, ours))
        for slot, fn in order:
            start = time.perf_counter()
            fn()
            times[slot].append(time.perf_counter() - start)
    return tuple(1e3 * statistics.median(t) for t in times)


def blas_limit(threads):
    """Limit numpy's BLAS threads if threadpoolctl is available, else do nothing."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=threads, user_api="blas")


def blas_description():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "numpy BLAS: unknown (threadpoolctl not installed, its threads are not limited)"
    blas = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    if not blas:
        return "numpy BLAS: none found"
    return "numpy BLAS: " + ", ".join(
        f"{p['internal_api']} {p.get('version', '')} ({p['num_threads']} threads by default)" for p in blas
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=31)
    parser.add_argument("--threads", type=int, nargs="+", default=None,
                        help="thread counts to compare at (default: 1 and all cores)")
    args = parser.parse_args(argv)

    try:
        import torch
    except ImportError:
        print("PyTorch is not installed, so there is nothing to compare with; "
              "install it with: pip install '.[bench]'")
        return 0

    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, C, H, W))
    w = rng.standard_normal((F, C, K, K))
    b = rng.standard_normal(F)
    out_side = 1 + (H + 2 * PAD - K) // STRIDE
    dout = rng.standard_normal((N, F, out_side, out_side))

    def ours_forward():
        return conv2d_forward(x, w, b, STRIDE, PAD)

    def ours_both():
        out, cache = conv2d_forward(x, w, b, STRIDE, PAD)
        return (out,) + conv2d_backward(dout, cache)

    dout_t = torch.from_numpy(dout)

    def torch_forward():
        with torch.no_grad():
            return torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w),
                                              torch.from_numpy(b), stride=STRIDE, padding=PAD)

    def torch_both():
        xt, wt, bt = (torch.from_numpy(a).requires_grad_() for a in (x, w, b))
        out = torch.nn.functional.conv2d(xt, wt, bt, stride=STRIDE, padding=PAD)
        out.backward(dout_t)
        return out.detach(), xt.grad, wt.grad, bt.grad

    print(f"conv2d float64: x ({N}, {C}, {H}, {W}), w ({F}, {C}, {K}, {K}), stride {STRIDE}, pad {PAD}")
    print(f"numpy {np.__version__}; {blas_description()}")
    print(f"torch {torch.__version__} ({torch.get_num_threads()} threads by default); "
          f"{os.cpu_count()} CPU cores; load average {os.getloadavg()[0]:.2f} (other work slows both)")

    names = ("out", "dx", "dw", "db")
    diffs = [float(np.max(np.abs(a - t.numpy()))) for a, t in zip(ours_both(), torch_both())]
    print("agreement with PyTorch (max |difference|): "
          + ", ".join(f"{n} {d:.1e}" for n, d in zip(names, diffs)))
    if max(diffs) > 1e-8:
        print("WARNING: course_lib and PyTorch disagree; the timings below compare different things.")

    default_torch_threads = torch.get_num_threads()
    thread_counts = args.threads or sorted({1, os.cpu_count() or 1})
    rows = []
    for threads in thread_counts:
        torch.set_num_threads(threads)
        with blas_limit(threads):
            for label, ours, theirs in (("forward", ours_forward, torch_forward),
                                        ("forward+backward", ours_both, torch_both)):
                t_ours, t_torch = median_ms_pair(ours, theirs, args.repeats)
                rows.append((threads, label, t_ours, t_torch, t_ours / t_torch))
    torch.set_num_threads(default_torch_threads)

    print()
    print(f"median of {args.repeats} alternated runs after warm-up; "
          "both libraries limited to the same thread count")
    header = f"{'threads':>7}  {'pass':<16}  {'course_lib ms':>13}  {'PyTorch ms':>10}  {'course_lib/PyTorch':>18}"
    print(header)
    print("-" * len(header))
    for threads, label, t_ours, t_torch, ratio in rows:
        print(f"{threads:>7}  {label:<16}  {t_ours:>13.2f}  {t_torch:>10.2f}  {ratio:>18.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
