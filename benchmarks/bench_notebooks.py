"""Run time of each solution notebook top to bottom, against the README's goal of 30 s.

Each notebook runs in a fresh kernel of this virtualenv with nbclient, as the
tests run it (tests/support/notebook_runner.py), one after the other; the
kernel's start is included. nbclient records when each cell started and
finished, so the slowest cells are printed too: they are where to cut.

The kernel's BLAS uses as many threads as numpy chooses (a student's
setting) unless ``--blas-threads N`` sets OPENBLAS_NUM_THREADS (and OMP's
and MKL's) for it. On a busy machine two BLAS threads per kernel make the
notebooks' small matrix products several times slower (they spin waiting for
a core); the test suite runs its kernels with one (tests/conftest.py).

Run: .venv/bin/python benchmarks/bench_notebooks.py [--notebooks 05,06] [--cells 3] [--blas-threads 1]
"""
import argparse
import os
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 30.0
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def run(path, blas_threads=None):
    """-> (seconds top to bottom, [(seconds, cell index, first line)] of its code cells)."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=True,
                            resources={"metadata": {"path": str(path.parent)}})
    env = dict(os.environ)
    if blas_threads is not None:
        env.update({name: str(blas_threads) for name in BLAS_THREAD_VARIABLES})
    start = time.perf_counter()
    client.execute(env=env)
    seconds = time.perf_counter() - start
    cells = []
    for index, cell in enumerate(nb.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        began, ended = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        if cell.cell_type == "code" and began and ended:
            took = (_when(ended) - _when(began)).total_seconds()
            first = next((line for line in cell.source.splitlines() if line.strip()), "")
            cells.append((took, index, first[:60]))
    return seconds, sorted(cells, reverse=True)


def _when(stamp):
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", default="all", help="comma-separated numbers (default: all)")
    parser.add_argument("--cells", type=int, default=3, help="slowest cells shown per notebook (default: 3)")
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="BLAS threads of the kernel (default: numpy's choice)")
    args = parser.parse_args(argv)
    paths = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
    if args.notebooks != "all":
        wanted = {n.strip().zfill(2) for n in args.notebooks.split(",")}
        paths = [p for p in paths if p.name[:2] in wanted]
    threads = "numpy's default" if args.blas_threads is None else args.blas_threads
    print(f"solution notebooks top to bottom (nbclient, fresh kernel, BLAS threads: {threads}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}), goal {GOAL_SECONDS:g} s each:")
    over = []
    for path in paths:
        seconds, cells = run(path, args.blas_threads)
        if seconds > GOAL_SECONDS:
            over.append(path.name)
        print(f"  {path.stem:24s} {seconds:6.1f} s   goal/this {GOAL_SECONDS / seconds:5.2f}", flush=True)
        for took, index, first in cells[:args.cells]:
            print(f"      cell {index:3d}: {took:5.1f} s   {first}")
    print("every notebook under the goal" if not over else f"over the goal: {', '.join(over)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
