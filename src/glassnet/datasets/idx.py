"""Reader for the IDX format of MNIST and Fashion-MNIST.

An IDX file starts with a 4-byte magic number: two zero bytes, a dtype code
and the number of dimensions. Then come the dimensions as big-endian int32
and the payload, row-major and big-endian. MNIST images have magic 0x00000803
(2051: uint8, 3 dimensions), labels 0x00000801 (2049: uint8, 1 dimension).
Files may be gzip-compressed (detected from the content, not the name).
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from glassnet.core._validation import short_int, short_repr, short_shape

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


def _kind(path: Path) -> tuple[bool, int]:
    """``(gzip-compressed?, size in bytes)`` of the file."""
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b", os.fstat(f.fileno()).st_size


def _read_exact(f, n: int) -> bytes:
    data = f.read(n)
    return data if data is not None else b""


def _read_payload(f, expected: int, available: int | None) -> tuple[bytearray, int]:
    """Read the payload: ``(data, found)``, ``data`` empty unless ``found`` is
    exactly ``expected`` bytes.

    ``available`` is the payload size of a raw file (its size less the header),
    known before reading; then nothing is read unless it matches. A gzip
    stream's size is unknown until it is decompressed, so at most
    ``expected + 1`` bytes are decompressed, in chunks, into a buffer that
    grows with what was actually read (never to the declared size up front):
    a damaged header declaring terabytes costs only the real payload.
    ``found`` is then ``expected + 1`` for "longer than declared".
    """
    if available is not None and available != expected:
        return bytearray(), available
    data = bytearray()
    while len(data) <= expected:
        chunk = f.read(min(_CHUNK, expected + 1 - len(data)))
        if not chunk:
            break
        data += chunk
    return (data, len(data)) if len(data) == expected else (bytearray(), len(data))


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

    Notes
    -----
    The file is untrusted: the header's declared size is checked against the
    file (raw) or against what a bounded read decompresses (gzip: at most the
    declared size + 1 byte) before the array exists, so a damaged header
    declaring terabytes fails at once with a ValueError instead of an
    allocation of the declared size.
    """
    path = Path(path)
    name = str(path)
    compressed, size = _kind(path)
    try:
        with gzip.open(path, "rb") if compressed else open(path, "rb") as f:
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
            # Python integers: the product of 255 sizes < 2**32 cannot overflow.
            expected = math.prod(shape) * dtype.itemsize
            available = None if compressed else size - 4 - 4 * ndim
            data, found = _read_payload(f, expected, available)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise ValueError(
            f"{name}: the gzip stream could not be decompressed, the file may be "
            f"truncated or damaged ({exc})."
        ) from exc
    if found != expected:
        dims = short_shape(shape)
        long = found > expected
        amount = f"more than {short_int(expected)}" if long and compressed else found
        raise ValueError(
            f"{name}: expected {short_int(expected)} payload bytes after the header "
            f"({dims} items of {dtype.itemsize} byte(s)), found {amount} "
            f"({'too long' if long else 'truncated'}); the header's dimensions "
            "do not match the file."
        )
    try:
        out = np.frombuffer(data, dtype=dtype).reshape(shape)
    except ValueError as exc:  # e.g. (0, 2**32 - 1, 2**32 - 1): more than NumPy takes
        raise ValueError(
            f"{name}: the header's {ndim} dimensions ({short_shape(shape)}) "
            f"do not describe an array NumPy can hold ({short_repr(exc, width=100)})."
        ) from None
    return out.astype(dtype.newbyteorder("="), copy=False)
