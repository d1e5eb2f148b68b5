"""Finding the shared real data for tests.

Tests locate real data through the ``GLASSNET_DATA`` environment variable.
When it is unset or a file is absent the test is skipped with the reason,
except under continuous integration (``CI`` set), where it fails instead.
"""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np
import pytest


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so missing data is an error)")
    pytest.skip(reason)


def require(path: Path) -> Path:
    """Return ``path`` if the file exists, else skip (or fail under CI)."""
    if not path.is_file():
        _unavailable(f"data file {path} is absent")
    return path


@pytest.fixture(scope="session", name="data_dir")
def data_dir_fixture() -> Path:
    """The ``data_dir`` fixture: the directory named by ``GLASSNET_DATA``
    (skip, or fail under CI, when unset). Test modules import it with
    ``from datasets_support import data_dir_fixture  # noqa: F401``."""
    value = os.environ.get("GLASSNET_DATA")
    if not value:
        _unavailable("GLASSNET_DATA is not set; it should name the shared data folder")
    path = Path(value)
    if not path.is_dir():
        _unavailable(f"GLASSNET_DATA={value} is not a directory")
    return path


def write_idx(path: Path, dims, payload: bytes, *, code: int = 0x08, magic=None):
    """Write an IDX file by hand: magic (default ``00 00 code len(dims)``),
    big-endian int32 dimensions, then ``payload``; gzip it if the name ends
    in ``.gz``."""
    head = magic if magic is not None else bytes([0, 0, code, len(dims)])
    data = head + struct.pack(f">{len(dims)}I", *dims) + payload
    if path.suffix == ".gz":
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def write_fake_mnist(folder: Path, n_train: int = 3, n_test: int = 2) -> list[Path]:
    """Four small, valid MNIST-format files; pixel (i, r, c) = (i + r + c) % 256
    and label i % 10. Returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        i, r, c = np.meshgrid(np.arange(n), np.arange(28), np.arange(28), indexing="ij")
        pixels = ((i + r + c) % 256).astype(np.uint8)
        paths.append(
            write_idx(
                folder / f"{prefix}-images-idx3-ubyte.gz", (n, 28, 28), pixels.tobytes()
            )
        )
        labels = (np.arange(n) % 10).astype(np.uint8)
        paths.append(
            write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", (n,), labels.tobytes())
        )
    return paths
