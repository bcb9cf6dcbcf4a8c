"""Shared set-up of the test suite.

Layout mirrors the packages: ``tests/course_lib/`` (the reference library),
``tests/autograder/`` (grading, sandbox, exports, CLI), ``tests/notebooks/``
(the notebooks end to end, and ``nbNN/`` per notebook: its self-check and
hidden check as one suite, with the implementations they are tried on), and
``tests/support/`` (finite differences, the notebook runner, the browser
harness). Every folder is a package, so modules may share a base name.
"""
import os

# Matplotlib draws off-screen in every test (the notebooks' kernels set their own backend).
os.environ.setdefault("MPLBACKEND", "Agg")

# One BLAS thread per process unless the environment says otherwise. The suite runs two xdist workers on two
# cores, and the notebook kernels and subprocesses a worker starts inherit this: with numpy's default (a
# thread per core) each of them spins BLAS threads on cores the other worker needs, and the small matrix
# products of the notebooks' experiments run several times slower (benchmarks/bench_notebooks.py
# --blas-threads). Tests that need another count set it for their child (test_portability) or patch
# course_lib's (test_conv).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
