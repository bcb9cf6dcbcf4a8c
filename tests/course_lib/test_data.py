"""Data sets: digits splits, synthetic sets, test functions, and the IDX reader."""
import gzip
import struct

import numpy as np
import pytest
from sklearn.datasets import load_digits as sklearn_digits

from course_lib.data import (
    DataSplits,
    IdxFormatError,
    load_digits,
    load_mnist,
    make_blobs,
    make_spirals,
    quadratic_bowl,
    quadratic_bowl_hessian,
    read_idx,
    rosenbrock,
    rosenbrock_hessian,
)
from tests.support.helpers_fd import fd_gradient, rel_error

# ------------------------------------------------------------------ digits


@pytest.fixture(scope="module")
def raw_digits():
    bunch = sklearn_digits()
    return bunch.data.astype(np.float64), bunch.target


def test_digits_sizes_and_types():
    d = load_digits()
    assert isinstance(d, DataSplits)
    n = 1797
    assert len(d.x_test) == len(d.y_test) == round(0.15 * n)
    assert len(d.x_val) == len(d.y_val) == round(0.15 * n)
    assert len(d.x_train) + len(d.x_val) + len(d.x_test) == n
    for x, y in [(d.x_train, d.y_train), (d.x_val, d.y_val), (d.x_test, d.y_test)]:
        assert x.dtype == np.float64 and y.dtype == np.int64 and x.shape[1] == 64
        assert np.isfinite(x).all()
    with pytest.raises(AttributeError):
        d.x_train = None  # frozen


def test_digits_split_is_deterministic_and_depends_on_the_seed():
    a, b, c = load_digits(seed=3), load_digits(seed=3), load_digits(seed=4)
    for field in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.y_train, c.y_train)


def rows(x, y):
    return sorted(tuple(r) + (int(label),) for r, label in zip(x, y))


def test_digits_splits_partition_the_data(raw_digits):
    """Every sample lands in exactly one split: the union, as a multiset, is the whole set."""
    d = load_digits(seed=1, standardize=False)
    x_all = np.concatenate([d.x_train, d.x_val, d.x_test])
    y_all = np.concatenate([d.y_train, d.y_val, d.y_test])
    assert rows(x_all, y_all) == rows(*raw_digits)


def test_digits_splits_are_stratified(raw_digits):
    fractions = np.bincount(raw_digits[1]) / len(raw_digits[1])
    d = load_digits(seed=2)
    for y in (d.y_train, d.y_val, d.y_test):
        expected = fractions * len(y)
        assert np.abs(np.bincount(y, minlength=10) - expected).max() <= 1.0


def test_digits_standardised_with_training_statistics_only():
    raw = load_digits(seed=5, standardize=False)
    std = load_digits(seed=5)
    mean, sd = raw.x_train.mean(axis=0), raw.x_train.std(axis=0)
    constant = sd == 0
    assert constant.any()  # the blank corner pixels: the case that must not divide by zero
    np.testing.assert_allclose(std.x_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(std.x_train.std(axis=0)[~constant], 1.0, rtol=1e-12)
    for part in ("x_train", "x_val", "x_test"):
        expected = (getattr(raw, part) - mean) / np.where(constant, 1.0, sd)
        np.testing.assert_allclose(getattr(std, part), expected, rtol=1e-12, atol=1e-12)
    # the validation set was not used: its own mean is not exactly zero
    assert np.abs(std.x_val.mean(axis=0)[~constant]).max() > 1e-3
    np.testing.assert_array_equal(raw.mean, 0.0)
    np.testing.assert_array_equal(raw.std, 1.0)


@pytest.mark.parametrize("kwargs", [dict(val_fraction=-0.1), dict(test_fraction=1.0),
                                    dict(val_fraction=0.5, test_fraction=0.5)])
def test_digits_bad_fractions(kwargs):
    with pytest.raises(ValueError, match="fraction"):
        load_digits(**kwargs)


def test_digits_without_validation_split():
    d = load_digits(val_fraction=0.0)
    assert d.x_val.shape == (0, 64) and d.y_val.shape == (0,)
    assert len(d.x_train) + len(d.x_test) == 1797


# --------------------------------------------------------------- synthetic


@pytest.mark.parametrize("make, kwargs, dim", [
    (make_spirals, dict(n_per_class=40, n_classes=4, noise=0.1), 2),
    (make_blobs, dict(n_per_class=40, n_classes=4, n_features=3), 3),
])
def test_synthetic_shapes_balance_and_seeds(make, kwargs, dim):
    x, y = make(seed=0, **kwargs)
    assert x.shape == (160, dim) and x.dtype == np.float64
    assert y.shape == (160,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [40] * 4)
    x2, y2 = make(seed=0, **kwargs)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    x3, _ = make(seed=1, **kwargs)
    assert not np.array_equal(x, x3)
    assert not np.array_equal(y[:20], np.sort(y[:20]))  # rows are shuffled


def test_spirals_lie_on_the_unit_disc_with_radius_spread():
    x, _ = make_spirals(n_per_class=50, n_classes=3, noise=0.3, seed=0)
    r = np.linalg.norm(x, axis=1)
    assert r.max() <= 1.0 + 1e-12
    np.testing.assert_allclose(np.sort(r)[::3], np.linspace(0, 1, 50), atol=1e-12)


def test_blobs_spread_around_their_centres():
    x, y = make_blobs(n_per_class=4000, n_classes=2, n_features=2, std=0.7, seed=0)
    for k in range(2):
        spread = (x[y == k] - x[y == k].mean(axis=0)).std()
        assert abs(spread - 0.7) < 6 * 0.7 / np.sqrt(2 * 8000)


@pytest.mark.parametrize("bad", [dict(n_per_class=0), dict(n_classes=1.5), dict(noise=-1.0)])
def test_spirals_bad_arguments(bad):
    with pytest.raises(ValueError):
        make_spirals(**bad)


# ---------------------------------------------------------- test functions

POINTS = [np.array([-1.2, 1.0]), np.array([0.3, -0.7]), np.array([1.5, 2.1])]


@pytest.mark.parametrize("a, b", [(1.0, 1.0), (1.0, 4.0), (2.5, 0.5)])
def test_quadratic_bowl(a, b):
    f, grad = quadratic_bowl(a, b)
    hess = quadratic_bowl_hessian(a, b)
    for w in POINTS:
        assert f(w) == pytest.approx(a * w[0] ** 2 + b * w[1] ** 2, rel=1e-15)
        assert rel_error(grad(w), fd_gradient(f, w.copy())) < 1e-8
        H_fd = np.stack([fd_gradient(lambda v, i=i: grad(v)[i], w.copy()) for i in range(2)])
        assert rel_error(hess(w), H_fd) < 1e-8
    assert f(np.zeros(2)) == 0.0 and not grad(np.zeros(2)).any()


@pytest.mark.parametrize("a, b", [(1.0, 100.0), (0.5, 10.0)])
def test_rosenbrock_gradient_and_hessian_vs_fd(a, b):
    f, grad = rosenbrock(a, b)
    hess = rosenbrock_hessian(a, b)
    for w in POINTS:
        assert f(w) == pytest.approx((a - w[0]) ** 2 + b * (w[1] - w[0] ** 2) ** 2, rel=1e-15)
        assert rel_error(grad(w), fd_gradient(f, w.copy())) < 1e-8
        H_fd = np.stack([fd_gradient(lambda v, i=i: grad(v)[i], w.copy()) for i in range(2)])
        assert rel_error(hess(w), H_fd) < 1e-8
        np.testing.assert_array_equal(hess(w), hess(w).T)
    minimum = np.array([a, a**2])
    assert f(minimum) == 0.0 and not grad(minimum).any()
    assert np.all(np.linalg.eigvalsh(hess(minimum)) > 0)


def test_test_functions_evaluate_on_grids():
    f, grad = rosenbrock()
    X, Y = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-1, 3, 4))
    Z = f(np.stack([X, Y]))
    assert Z.shape == (4, 5)
    assert Z[2, 3] == pytest.approx(f(np.array([X[2, 3], Y[2, 3]])))
    assert grad(np.stack([X, Y])).shape == (2, 4, 5)
    assert f(np.zeros(3)) == 2.0  # d = 3: (1 - 0)^2 for each of the two leading coordinates
    with pytest.raises(ValueError, match=r"d >= 2"):
        f(np.zeros(1))


# --------------------------------------------------------------------- IDX

CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C,
         np.float32: 0x0D, np.float64: 0x0E}


def idx_bytes(array, code):
    """An IDX file written independently of the reader, with struct."""
    header = struct.pack(">HBB", 0, code, array.ndim)
    header += b"".join(struct.pack(">I", s) for s in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


@pytest.mark.parametrize("dtype", list(CODES))
def test_read_idx_every_type(tmp_path, dtype):
    rng = np.random.default_rng(0)
    array = (rng.standard_normal((3, 4, 5)) * 50).astype(dtype)
    path = tmp_path / "data.idx"
    path.write_bytes(idx_bytes(array, CODES[dtype]))
    out = read_idx(path)
    assert out.dtype == np.dtype(dtype) and out.dtype.isnative
    np.testing.assert_array_equal(out, array)


def test_read_idx_gzip_and_one_dimension(tmp_path):
    labels = np.array([7, 2, 1, 0, 4], dtype=np.uint8)
    path = tmp_path / "labels.idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(labels, 0x08)))
    np.testing.assert_array_equal(read_idx(path), labels)


def test_read_idx_big_endian_decoding(tmp_path):
    path = tmp_path / "one.idx"
    path.write_bytes(struct.pack(">HBBI", 0, 0x0C, 1, 2) + struct.pack(">ii", 258, -5))
    np.testing.assert_array_equal(read_idx(path), [258, -5])


@pytest.mark.parametrize("content, message", [
    (b"\x00\x00", "too short"),
    (struct.pack(">HBBI", 0x1234, 0x08, 1, 3) + b"abc", "magic"),
    (struct.pack(">HBBI", 0, 0x07, 1, 3) + b"abc", "type code 0x07"),
    (struct.pack(">HBB", 0, 0x08, 3) + struct.pack(">I", 2), "truncated header"),
    (struct.pack(">HBBII", 0, 0x08, 2, 2, 3) + b"abcd", "truncated"),
    (struct.pack(">HBBI", 0, 0x08, 1, 2) + b"abc", "trailing"),
])
def test_read_idx_bad_files(tmp_path, content, message):
    path = tmp_path / "bad.idx"
    path.write_bytes(content)
    with pytest.raises(IdxFormatError, match=message):
        read_idx(path)


def test_read_idx_cut_gzip(tmp_path):
    path = tmp_path / "cut.gz"
    full = gzip.compress(idx_bytes(np.arange(1000, dtype=np.int32), 0x0C))
    path.write_bytes(full[: len(full) // 2])
    with pytest.raises(IdxFormatError, match="gzip"):
        read_idx(path)


def test_load_mnist_from_standard_files(tmp_path):
    rng = np.random.default_rng(0)
    parts = {}
    for split, n in (("train", 5), ("t10k", 3)):
        images = rng.integers(0, 256, size=(n, 28, 28)).astype(np.uint8)
        labels = rng.integers(0, 10, size=n).astype(np.uint8)
        parts[split] = (images, labels)
        (tmp_path / f"{split}-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(images, 0x08)))
        (tmp_path / f"{split}-labels-idx1-ubyte").write_bytes(idx_bytes(labels, 0x08))
    x_train, y_train, x_test, y_test = load_mnist(tmp_path)
    for (images, labels), x, y in ((parts["train"], x_train, y_train), (parts["t10k"], x_test, y_test)):
        assert x.shape == (len(images), 784) and x.dtype == np.float64
        np.testing.assert_allclose(x, images.reshape(len(images), -1) / 255.0)
        assert y.dtype == np.int64
        np.testing.assert_array_equal(y, labels)


def test_load_mnist_names_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte"):
        load_mnist(tmp_path)
