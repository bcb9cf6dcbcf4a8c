"""Reader for the IDX files MNIST is distributed in.

An IDX file is a header followed by raw numbers, all big-endian:
    bytes 0-1   zero
    byte  2     type code: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                0x0D float32, 0x0E float64
    byte  3     number of dimensions d
    then d unsigned 32-bit sizes, then prod(sizes) numbers in C order.
Files may be gzip-compressed (as on the MNIST site); that is detected from
the content, not the file name. Nothing is downloaded: ``load_mnist`` reads
the four standard files from a directory where the user has put them.
"""
import gzip
import os
import struct

import numpy as np

IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

_GZIP_MAGIC = b"\x1f\x8b"


class IdxFormatError(ValueError):
    """The bytes are not a well-formed IDX file."""


def _read_bytes(path):
    with open(path, "rb") as handle:
        raw = handle.read()
    if raw[:2] != _GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, gzip.BadGzipFile) as exc:
        raise IdxFormatError(f"{path}: the gzip stream is damaged or cut short ({exc}).") from exc


def parse_idx(raw, source="<bytes>"):
    """Decode IDX bytes into an ndarray of the native byte order; ``source`` names it in errors."""
    if len(raw) < 4:
        raise IdxFormatError(f"{source}: {len(raw)} bytes is too short for the 4-byte IDX magic number.")
    zero, code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0:
        raise IdxFormatError(
            f"{source}: bad magic number 0x{raw[:4].hex()}; an IDX file starts with two zero bytes, "
            "a type code and the number of dimensions (is this really an IDX file?)."
        )
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise IdxFormatError(f"{source}: unknown data type code 0x{code:02X} (known: {known}).")
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise IdxFormatError(
            f"{source}: truncated header: {ndim} dimensions need {header_size} bytes, "
            f"the file has {len(raw)}."
        )
    shape = struct.unpack(f">{ndim}I", raw[4:header_size])
    dtype = IDX_DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(raw) - header_size
    if found != expected:
        what = "truncated" if found < expected else "has trailing bytes"
        raise IdxFormatError(
            f"{source}: file {what}: shape {shape} of {dtype.name} needs {expected} data bytes, "
            f"found {found}."
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def read_idx(path):
    """Read an IDX file (plain or gzip) into an ndarray of its stored shape and type."""
    return parse_idx(_read_bytes(path), source=str(path))


MNIST_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


def _find(directory, stem):
    for name in (stem, stem + ".gz"):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    return None


def load_mnist(directory):
    """MNIST from the four standard IDX files in ``directory`` (each may end in .gz).

    Returns (x_train, y_train, x_test, y_test): images flattened to
    (N, 784) float64 scaled to [0, 1], labels (N,) int64.
    """
    paths = {key: _find(directory, stem) for key, stem in MNIST_FILES.items()}
    missing = [MNIST_FILES[key] for key, path in paths.items() if path is None]
    if missing:
        raise FileNotFoundError(
            f"MNIST files not found in {directory!r}: {', '.join(missing)} (with or without .gz). "
            "Download them from the MNIST site into that directory."
        )
    arrays = {key: read_idx(path) for key, path in paths.items()}
    for split in ("train", "test"):
        pixels, labels = arrays["x_" + split], arrays["y_" + split]
        if pixels.ndim != 3 or labels.ndim != 1 or len(pixels) != len(labels):
            raise IdxFormatError(
                f"MNIST {split} files disagree: images of shape {pixels.shape}, labels of shape "
                f"{labels.shape}; expected (N, 28, 28) and (N,)."
            )

    def flat(key):
        x = arrays[key]
        return x.reshape(len(x), -1).astype(np.float64) / 255.0

    return (flat("x_train"), arrays["y_train"].astype(np.int64),
            flat("x_test"), arrays["y_test"].astype(np.int64))
