"""The values shipped with each notebook's self-check are what the references give now.

``course_lib/selfcheck/nbNN/stored.npz`` is built by
``python -m autograder.checks.stored_values`` from course_lib's references.
It is compared with a fresh build to a relative tolerance of 1e-12: another
CPU or BLAS build changes the last bits of a matrix product, never more.
"""
import numpy as np
import pytest

from autograder.checks.stored_values import build, home
from autograder.syllabus import SYLLABUS
from course_lib.selfcheck.stored import stored_path

RTOL = 1e-12


@pytest.mark.parametrize("number", [nb.number for nb in SYLLABUS])
def test_committed_stored_values_equal_a_fresh_build(number):
    fresh = build(number)
    with np.load(stored_path(home(number)), allow_pickle=False) as data:
        committed = {key: data[key] for key in data.files}
    assert sorted(committed) == sorted(fresh)
    for key, value in fresh.items():
        value = np.asarray(value)
        assert committed[key].dtype == value.dtype and committed[key].shape == value.shape, key
        if value.dtype.kind in "fc":
            np.testing.assert_allclose(committed[key], value, rtol=RTOL, atol=1e-300, err_msg=key)
        else:
            np.testing.assert_array_equal(committed[key], value, err_msg=key)
