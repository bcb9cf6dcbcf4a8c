"""The float-sensitive tests pass whatever BLAS kernel and thread count numpy runs.

Another CPU or BLAS build changes the last bits of a matrix product (FMA
or not, another blocking, another order of a threaded reduction). Tests
that compare stored or peer floats must survive that, so this test runs
them again in child processes under OpenBLAS kernels of other core types
(OPENBLAS_CORETYPE) with one and with two BLAS threads, and checks that the
child really ran the kernel asked for (threadpoolctl reports it), so a
setting that is silently ignored cannot pass for a check.
"""
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Compare stored values, peers (scipy, finite differences) and the students' checks' tolerances.
FLOAT_SENSITIVE = [
    "tests/notebooks/test_stored_values.py",
    "tests/course_lib/test_minimize.py",
    "tests/course_lib/test_second_order.py",
    "tests/course_lib/test_conv.py",
]


def core_types():
    """Two OpenBLAS core types this CPU can run that use different kernels."""
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64"):
        flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
        return ("Prescott", "Haswell" if " avx2" in flags else "Nehalem")
    if machine in ("aarch64", "arm64"):
        return ("ARMV8", "NEOVERSEN1")
    raise AssertionError(f"no OpenBLAS core types are known for {machine!r}: add a pair to core_types()")


PROBE = ("import json, numpy; from threadpoolctl import threadpool_info; "
         "print(json.dumps([(p.get('architecture'), p['num_threads']) for p in threadpool_info() "
         "if p.get('internal_api') == 'openblas']))")


def child_env(core_type, threads):
    env = dict(os.environ)
    env.pop("OPENBLAS_L2_SIZE", None)    # set with the core type on some hosts; it belongs to the default kernel
    env.update(OPENBLAS_CORETYPE=core_type, OPENBLAS_NUM_THREADS=str(threads), PYTHONHASHSEED="0")
    return env


def kernel(env):
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=120)
    return json.loads(out.stdout)


def test_the_two_core_types_select_two_different_kernels():
    first, second = (kernel(child_env(core, 1)) for core in core_types())
    assert first and second, "numpy does not use OpenBLAS here; adapt this test to the BLAS it uses"
    assert first[0][0] != second[0][0], f"both core types ran the same kernel: {first} {second}"


@pytest.mark.slow
@pytest.mark.parametrize("which, threads", [(0, 1), (1, 2)], ids=["first-core-type-1-thread",
                                                                   "second-core-type-2-threads"])
def test_float_sensitive_tests_pass_under_another_kernel_and_thread_count(which, threads):
    core = core_types()[which]
    env = child_env(core, threads)
    assert kernel(env)[0][1] == threads
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "no:randomly", *FLOAT_SENSITIVE],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, (f"under OPENBLAS_CORETYPE={core} with {threads} thread(s):\n"
                                    f"{result.stdout[-4000:]}\n{result.stderr[-2000:]}")
