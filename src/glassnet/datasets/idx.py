"""Reader for the IDX format of MNIST and Fashion-MNIST.

An IDX file starts with a 4-byte magic number: two zero bytes, a dtype code
and the number of dimensions. Then come the dimensions as big-endian int32
and the payload, row-major and big-endian. MNIST images have magic 0x00000803
(2051: uint8, 3 dimensions), labels 0x00000801 (2049: uint8, 1 dimension).
Files may be gzip-compressed (detected from the content, not the name).
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np

# dtype code (third magic byte) -> big-endian NumPy dtype
IDX_DTYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

_CHUNK = 1 << 20


def _open(path: Path):
    with open(path, "rb") as f:
        compressed = f.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if compressed else open(path, "rb")


def _read_exact(f, n: int) -> bytes:
    data = f.read(n)
    return data if data is not None else b""


def _fill(f, buffer: memoryview) -> int:
    """Read into ``buffer`` until it is full or the stream ends."""
    done = 0
    while done < len(buffer):
        got = f.readinto(buffer[done:])
        if not got:
            break
        done += got
    return done


def _count_rest(f) -> int:
    extra = 0
    while chunk := f.read(_CHUNK):
        extra += len(chunk)
    return extra


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (raw or gzip-compressed) into an array.

    Parameters
    ----------
    path : str or os.PathLike
        The file, e.g. ``train-images-idx3-ubyte.gz``.

    Returns
    -------
    ndarray of shape given by the file's dimensions
        For MNIST images ``(n_images, 28, 28)`` uint8, for labels
        ``(n_labels,)`` uint8. Multi-byte types are returned in native byte
        order. The array is writable.

    Raises
    ------
    ValueError
        The magic number is malformed (non-zero first bytes, unknown dtype
        code, no dimensions), the header is cut short, the gzip stream is
        damaged, or the payload is shorter or longer than the product of the
        dimensions times the item size. The message names the file, what was
        expected and what was found.
    """
    path = Path(path)
    name = str(path)
    try:
        with _open(path) as f:
            magic = _read_exact(f, 4)
            if len(magic) < 4:
                raise ValueError(
                    f"{name}: expected a 4-byte IDX magic number, found a file of "
                    f"{len(magic)} bytes."
                )
            zero, code, ndim = struct.unpack(">HBB", magic)
            if zero != 0 or code not in IDX_DTYPES or ndim == 0:
                raise ValueError(
                    f"{name}: expected an IDX magic number 0x0000TTNN with dtype "
                    f"code TT in {{{', '.join(f'0x{c:02X}' for c in IDX_DTYPES)}}} "
                    f"and NN >= 1 dimensions (MNIST images 0x00000803 = 2051, "
                    f"labels 0x00000801 = 2049); found 0x{magic.hex().upper()} = "
                    f"{struct.unpack('>I', magic)[0]}."
                )
            header = _read_exact(f, 4 * ndim)
            if len(header) < 4 * ndim:
                raise ValueError(
                    f"{name}: expected {ndim} dimension sizes ({4 * ndim} bytes) "
                    f"after the magic number, found {len(header)} bytes."
                )
            shape = struct.unpack(f">{ndim}I", header)
            dtype = IDX_DTYPES[code]
            expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            out = np.empty(shape, dtype=dtype)
            got = _fill(f, memoryview(out.reshape(-1).view(np.uint8)))
            extra = _count_rest(f) if got == expected else 0
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise ValueError(
            f"{name}: the gzip stream could not be decompressed, the file may be "
            f"truncated or damaged ({exc})."
        ) from exc
    if got != expected or extra:
        dims = " x ".join(map(str, shape))
        raise ValueError(
            f"{name}: expected {expected} payload bytes after the header "
            f"({dims} items of {dtype.itemsize} byte(s)), found "
            f"{got + extra} ({'truncated' if got < expected else 'too long'})."
        )
    return out.astype(dtype.newbyteorder("="), copy=False)
