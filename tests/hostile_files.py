"""Builders of hostile model files, small on disk, for the io tests.

Every builder writes the zip by hand (local headers, directory, end record),
so a test controls what zipfile's writer would not let it: the compression
method, the declared sizes and CRC, and streams that inflate far past them.
Large streams are compressed chunk by chunk, so building a file that
inflates to gigabytes takes little memory.
"""

import bz2
import hashlib
import io
import json
import struct
import zipfile
import zlib

import numpy as np

STORED, DEFLATED, BZIP2, LZMA = 0, 8, 12, 14
_CHUNK = 1 << 20


def raw_zip(entries) -> bytes:
    """A zip of ``(name, method, compressed bytes, crc32, declared size)``."""
    out, directory = bytearray(), bytearray()
    for name, method, data, crc, size in entries:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack(
            "<4s5H3L2H",
            *(b"PK\x03\x04", 20, 0, method, 0, 0x21),
            *(crc, len(data), size, len(encoded), 0),
        )
        out += encoded + data
        directory += struct.pack(
            "<4s6H3L5H2L",
            *(b"PK\x01\x02", 20, 20, 0, method, 0, 0x21),
            *(crc, len(data), size, len(encoded), 0, 0, 0, 0, 0, offset),
        )
        directory += encoded
    start = len(out)
    out += directory
    n = len(entries)
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n, n, len(directory), start, 0)
    return bytes(out)


def npy_header(shape, dtype="float32") -> bytes:
    """The bytes ``np.save`` writes before the data of such an array."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer,
        {"descr": np.dtype(dtype).str, "fortran_order": False, "shape": tuple(shape)},
    )
    return buffer.getvalue()


def npy_bytes(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def compress(method: int, pieces) -> bytes:
    """``pieces`` (an iterable of bytes) compressed as one stream."""
    if method == STORED:
        return b"".join(pieces)
    if method == DEFLATED:
        engine = zlib.compressobj(9, zlib.DEFLATED, -15)
    elif method == BZIP2:
        engine = bz2.BZ2Compressor(9)
    else:
        engine = zipfile.LZMACompressor()
    out = [engine.compress(piece) for piece in pieces]
    return b"".join([*out, engine.flush()])


def zeros(n_bytes: int):
    """``n_bytes`` zero bytes, as chunks."""
    chunk = bytes(_CHUNK)
    for start in range(0, n_bytes, _CHUNK):
        yield chunk[: min(_CHUNK, n_bytes - start)]


def dense_manifest(n_in: int, n_out: int, blobs: dict) -> dict:
    """A one-layer regression model whose arrays are ``blobs`` (name -> sha)."""
    return {
        "format": "glassnet-model",
        "format_version": 1,
        "glassnet_version": "0",
        "dtype": "float32",
        "layers": [
            {
                "type": "Dense",
                "n_in": n_in,
                "n_out": n_out,
                "activation": {"name": "identity"},
                "init": {"name": "glorot_uniform"},
            }
        ],
        "loss": {"name": "mse"},
        "regularizer": None,
        "preprocessing": None,
        "metadata": {},
        "arrays": {
            "layers/0/W.npy": {
                "shape": [n_out, n_in],
                "dtype": "float32",
                "sha256": blobs["W"],
            },
            "layers/0/b.npy": {
                "shape": [n_out],
                "dtype": "float32",
                "sha256": blobs["b"],
            },
        },
    }


def _entry(name: str, method: int, data: bytes, crc: int, size: int):
    return (name, method, data, crc, size)


def manifest_entry(manifest: dict, method: int = DEFLATED):
    text = json.dumps(manifest).encode()
    return _entry(
        "glassnet.json", method, compress(method, [text]), zlib.crc32(text), len(text)
    )


def inflating_member(n_in: int, n_out: int, method: int, extra_bytes: int) -> bytes:
    """A valid 1-layer model whose W member's stream goes on ``extra_bytes``.

    The member declares the size and CRC of the true ``.npy`` bytes; its
    compressed stream then continues with ``extra_bytes`` zeros, which a
    reader that inflates a chunk at a time without a limit holds in memory.
    """
    W = npy_bytes(np.zeros((n_out, n_in), dtype=np.float32))
    b = npy_bytes(np.zeros(n_out, dtype=np.float32))
    digests = {"W": hashlib.sha256(W).hexdigest(), "b": hashlib.sha256(b).hexdigest()}
    stream = compress(method, [W, *zeros(extra_bytes)])
    return raw_zip(
        [
            manifest_entry(dense_manifest(n_in, n_out, digests)),
            _entry("layers/0/W.npy", method, stream, zlib.crc32(W), len(W)),
            _entry("layers/0/b.npy", STORED, b, zlib.crc32(b), len(b)),
        ]
    )


def deflate_bomb(n_in: int, n_out: int) -> bytes:
    """A model whose W (all zeros, float32) is stored deflated: ~1000x smaller."""
    header = npy_header((n_out, n_in))
    n_data = n_in * n_out * 4
    digest, crc = hashlib.sha256(header), zlib.crc32(header)
    for chunk in zeros(n_data):
        digest.update(chunk)
        crc = zlib.crc32(chunk, crc)
    W = compress(DEFLATED, [header, *zeros(n_data)])
    b = npy_bytes(np.zeros(n_out, dtype=np.float32))
    digests = {"W": digest.hexdigest(), "b": hashlib.sha256(b).hexdigest()}
    return raw_zip(
        [
            manifest_entry(dense_manifest(n_in, n_out, digests)),
            _entry("layers/0/W.npy", DEFLATED, W, crc, len(header) + n_data),
            _entry("layers/0/b.npy", STORED, b, zlib.crc32(b), len(b)),
        ]
    )


def sizes_in_json(n_in: int, n_out: int) -> bytes:
    """A manifest declaring a large layer, with tiny (wrong) arrays."""
    W = npy_bytes(np.zeros((1, 1), dtype=np.float32))
    b = npy_bytes(np.zeros(1, dtype=np.float32))
    digests = {"W": hashlib.sha256(W).hexdigest(), "b": hashlib.sha256(b).hexdigest()}
    return raw_zip(
        [
            manifest_entry(dense_manifest(n_in, n_out, digests)),
            _entry("layers/0/W.npy", STORED, W, zlib.crc32(W), len(W)),
            _entry("layers/0/b.npy", STORED, b, zlib.crc32(b), len(b)),
        ]
    )


def two_layer_arrays(n_layers: int):
    """Manifest records and zip entries of Dense(2, 1) first, Dense(1, 1) last."""
    records, entries = {}, []
    for index, shape in ((0, (1, 2)), (n_layers - 1, (1, 1))):
        for name, array_shape in (("W", shape), ("b", shape[:1])):
            blob = npy_bytes(np.zeros(array_shape, dtype=np.float32))
            member = f"layers/{index}/{name}.npy"
            records[member] = {
                "shape": list(array_shape),
                "dtype": "float32",
                "sha256": hashlib.sha256(blob).hexdigest(),
            }
            entries.append(_entry(member, STORED, blob, zlib.crc32(blob), len(blob)))
    return records, entries


def many_layers(n_dropout: int, method: int = STORED) -> bytes:
    """Dense(2, 1), ``n_dropout`` Dropout layers (no arrays), Dense(1, 1)."""
    records, entries = two_layer_arrays(n_dropout + 2)
    manifest = dense_manifest(2, 1, {"W": "0" * 64, "b": "0" * 64})
    dense = {**manifest["layers"][0], "n_in": 1}
    dropouts = [{"type": "Dropout", "rate": 0.2, "seed": i} for i in range(n_dropout)]
    manifest["layers"] += [*dropouts, dense]
    manifest["arrays"] = records
    return raw_zip([manifest_entry(manifest, method), *entries])


def many_values(n_dicts: int, pad_bytes: int) -> bytes:
    """A valid model whose deflated metadata is ``n_dicts`` empty dicts.

    ``pad_bytes`` random bytes (base64, which deflate barely shrinks) make
    the compressed manifest large enough that the inflated one fits the
    byte cap of ``1 MiB + 32 x compressed size``.
    """
    import base64

    records, entries = two_layer_arrays(2)
    manifest = dense_manifest(2, 1, {"W": "0" * 64, "b": "0" * 64})
    manifest["layers"].append({**manifest["layers"][0], "n_in": 1})
    manifest["arrays"] = records
    pad = np.random.default_rng(0).bytes(pad_bytes)
    manifest["metadata"] = {"pad": base64.b64encode(pad).decode(), "x": []}
    text = json.dumps(manifest).replace('"x": []', '"x": [' + "{}," * n_dicts + "{}]")
    data = text.encode()
    manifest_member = _entry(
        "glassnet.json",
        DEFLATED,
        compress(DEFLATED, [data]),
        zlib.crc32(data),
        len(data),
    )
    return raw_zip([manifest_member, *entries])
