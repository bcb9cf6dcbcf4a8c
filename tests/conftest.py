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
