"""The values shipped with each notebook's self-check are what the references give now.

``course_lib/selfcheck/nbNN/stored.npz`` is built by
``python -m autograder.checks.stored_values`` from course_lib's references.
It is compared with a fresh build to 1e-12 relative to each array's largest
entry: another CPU or BLAS build changes the last bits of a matrix product,
never more (an entry that a sum cancels to nearly zero may differ by more
than 1e-12 of itself, but not of the array's scale). Values made by finite
differences amplify rounding by 1/step: a notebook's ``stored.py`` declares
looser tolerances for them in ``TOLERANCES`` (key prefix -> rtol), with why.
"""
import importlib

import numpy as np
import pytest

from autograder.checks.stored_values import build, home
from autograder.syllabus import SYLLABUS
from course_lib.selfcheck.stored import stored_path

RTOL = 1e-12


@pytest.mark.parametrize("number", [nb.number for nb in SYLLABUS])
def test_committed_stored_values_equal_a_fresh_build(number):
    fresh = build(number)
    builder = importlib.import_module(f"autograder.checks.{home(number)}.stored")
    loose = getattr(builder, "TOLERANCES", {})
    with np.load(stored_path(home(number)), allow_pickle=False) as data:
        committed = {key: data[key] for key in data.files}
    assert sorted(committed) == sorted(fresh)
    for key, value in fresh.items():
        value = np.asarray(value)
        assert committed[key].dtype == value.dtype and committed[key].shape == value.shape, key
        if value.dtype.kind in "fc":
            rtol = max([RTOL] + [tol for prefix, tol in loose.items() if key.startswith(prefix)])
            scale = float(np.max(np.abs(value[np.isfinite(value)]), initial=0.0))
            np.testing.assert_allclose(committed[key], value, rtol=rtol, atol=rtol * scale, err_msg=key)
        else:
            np.testing.assert_array_equal(committed[key], value, err_msg=key)
