"""read_idx on the real MNIST/Fashion-MNIST files and on broken files."""

import gzip
import struct

import numpy as np
import pytest
from datasets_support import data_dir_fixture, require, write_idx  # noqa: F401

from glassnet.datasets import read_idx

# Label counts per digit from mnist/SOURCE.md.
MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.mark.parametrize(
    ("folder", "prefix", "counts"),
    [
        ("mnist", "train", MNIST_TRAIN_COUNTS),
        ("mnist", "t10k", MNIST_TEST_COUNTS),
        ("fashion-mnist", "train", [6000] * 10),
        ("fashion-mnist", "t10k", [1000] * 10),
    ],
)
def test_real_label_files(data_dir, folder, prefix, counts):
    labels = read_idx(require(data_dir / folder / f"{prefix}-labels-idx1-ubyte.gz"))
    assert labels.dtype == np.uint8
    assert labels.shape == (sum(counts),)
    assert np.bincount(labels, minlength=10).tolist() == counts


def test_real_test_images(data_dir):
    images = read_idx(require(data_dir / "mnist" / "t10k-images-idx3-ubyte.gz"))
    assert images.shape == (10000, 28, 28)
    assert images.dtype == np.uint8
    assert images.min() == 0 and images.max() == 255
    assert round(float(images.mean()), 2) == 33.79  # SOURCE.md: test mean pixel
    assert images.flags.writeable


def test_raw_and_gzip_give_the_same_array(tmp_path):
    payload = bytes(range(24))
    raw = read_idx(write_idx(tmp_path / "a-idx3-ubyte", (2, 3, 4), payload))
    packed = read_idx(write_idx(tmp_path / "a-idx3-ubyte.gz", (2, 3, 4), payload))
    assert raw.shape == (2, 3, 4)
    assert np.array_equal(raw, packed)
    assert raw[1, 2, 3] == 23


@pytest.mark.parametrize(
    ("code", "fmt", "values"),
    [
        (0x09, ">b", [-1, 5, -128]),
        (0x0B, ">h", [-2, 300, 32767]),
        (0x0C, ">i", [1, -2, 70000]),
        (0x0D, ">f", [0.5, -1.25, 3.0]),
        (0x0E, ">d", [0.1, -2.5e300, 7.0]),
    ],
)
def test_other_idx_types_are_big_endian(tmp_path, code, fmt, values):
    payload = b"".join(struct.pack(fmt, v) for v in values)
    out = read_idx(write_idx(tmp_path / "v.idx", (3,), payload, code=code))
    assert out.tolist() == values
    assert out.dtype.isnative


@pytest.mark.parametrize(
    ("magic", "found"),
    [
        (bytes([1, 0, 8, 3]), "0x01000803"),  # first bytes must be zero
        (bytes([0, 0, 0x07, 1]), "0x00000701"),  # 0x07 is no IDX dtype code
        (bytes([0, 0, 0x08, 0]), "0x00000800"),  # zero dimensions
    ],
)
def test_bad_magic(tmp_path, magic, found):
    path = write_idx(tmp_path / "bad.gz", (1,), b"\x00", magic=magic)
    with pytest.raises(
        ValueError, match=f"bad.gz: expected an IDX magic.*found {found}"
    ):
        read_idx(path)


def test_truncated_payload(tmp_path):
    # 2 images of 28 x 28 bytes need 1568 bytes; only 1000 are there.
    path = write_idx(tmp_path / "short.gz", (2, 28, 28), bytes(1000))
    with pytest.raises(
        ValueError,
        match=r"short.gz: expected 1568 payload bytes .*found 1000 \(truncated",
    ):
        read_idx(path)


def test_oversized_payload(tmp_path):
    path = write_idx(tmp_path / "long", (2, 28, 28), bytes(1570))
    with pytest.raises(ValueError, match=r"expected 1568 .*found 1570 \(too long\)"):
        read_idx(path)


def test_header_cut_short(tmp_path):
    path = tmp_path / "head.idx"
    path.write_bytes(bytes([0, 0, 8, 3]) + struct.pack(">I", 5))
    with pytest.raises(ValueError, match="head.idx: expected 3 dimension sizes"):
        read_idx(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.idx"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match="expected a 4-byte IDX magic number"):
        read_idx(path)


def test_truncated_gzip_stream(tmp_path):
    data = gzip.compress(bytes([0, 0, 8, 1]) + struct.pack(">I", 5000) + bytes(5000))
    path = tmp_path / "cut.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="cut.gz: the gzip stream could not be"):
        read_idx(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nope.gz")


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("size", [1, 7, 2**32 - 1])
def test_255_dimensions_give_a_short_message(tmp_path, gz, size):
    # dimension byte 0xFF: 255 sizes follow the magic number, then a few bytes
    blob = struct.pack(">HBB", 0, 0x08, 255) + struct.pack(">255I", *[size] * 255)
    blob += b"\x00" * 10
    path = tmp_path / ("x.idx.gz" if gz else "x.idx")
    path.write_bytes(gzip.compress(blob) if gz else blob)
    with pytest.raises(ValueError) as info:
        read_idx(path)
    message = str(info.value)
    assert "255 dimensions" in message and "\n" not in message
    assert len(message) < 400, message
