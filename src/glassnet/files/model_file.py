"""Model files: a zip of JSON and ``.npy`` arrays, safe to share.

Layout of ``model.glassnet`` (a zip archive)::

    glassnet.json             format name and version, layer configs, loss,
                              dtype, preprocessing, labels, training metadata,
                              and for every array its path, shape, dtype and
                              SHA-256 (deflate-compressed)
    layers/<i>/<name>.npy     parameters (W, b, ...) and layer state (stored
                              uncompressed: trained weights barely compress)

Loading reads JSON with :mod:`json` and arrays with NumPy's ``.npy`` header
parser, never with pickle, so a model file can never execute code. A file
from an untrusted source is safe to load:

- Nothing is allocated from a size the file declares before that size has
  been derived from the architecture and checked against a budget that
  follows from the file's own byte size (the arrays may hold at most
  ``ARRAY_SLACK_BYTES + ARRAY_EXPANSION * file size`` bytes, every layer
  counting ``LAYER_BYTES`` more; at most ``MAX_LAYERS`` layers). The
  manifest's JSON values are counted in a linear scan of its bytes before it
  is parsed: at most ``MANIFEST_VALUES`` (layers, metadata, history) plus one
  per ``BYTES_PER_MANIFEST_VALUE`` bytes of arrays in the file (scaler
  statistics, feature names), so its Python objects take a fixed bound plus a
  small multiple of the file's size. Only stored and
  deflate members are read, each in chunks with a hard cap at the size the
  architecture gives it, so a compression bomb is refused after reading its
  cap. Layers are rebuilt without drawing random weights. A load therefore
  takes memory bounded by a small multiple of the final model's size.
- Every field of the manifest, the metadata and the preprocessing is checked
  against the network (types; array shapes and dtypes exactly as recorded;
  as many class names as outputs, as many feature names as inputs; ...), and
  every array against its SHA-256 (on top of the zip's own CRC-32).
- Anything wrong is one :class:`ModelFileError` line naming the file and the
  field.

Saving checks the same rules first (:func:`save` and :func:`load` accept
exactly the same files) and refuses weights that are not finite. A manifest
of more than ``MANIFEST_SLACK_BYTES`` is stored uncompressed, so that the
reader's cap on its inflated size (which a deflated manifest of older files
meets) cannot refuse it. JSON has no
NaN: a non-finite number in the metadata is stored as ``null``, and in the
numeric records (``history``, ``test_metrics``, ``validation_metrics``,
``logs``) a ``null`` reads back as NaN. The file is written to a temporary
file beside the target and renamed over it, so a crash never leaves a
half-written model (see :mod:`glassnet.files.atomic`).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from glassnet.files.atomic import atomic_save, check_writable, write_target

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "ModelFileError",
    "check_writable",
    "load",
    "save",
    "write_model",
]

FORMAT_NAME = "glassnet-model"
FORMAT_VERSION = 1
MANIFEST = "glassnet.json"

#: The arrays of a file of ``s`` bytes may hold at most
#: ``ARRAY_SLACK_BYTES + ARRAY_EXPANSION * s`` bytes. Files written by
#: :func:`save` store arrays uncompressed (so they always fit); older files
#: deflated them, which shrinks trained weights by ~10%.
ARRAY_SLACK_BYTES = 16 << 20
ARRAY_EXPANSION = 8
#: The manifest of ``c`` compressed bytes may inflate to at most
#: ``min(MAX_MANIFEST_BYTES, MANIFEST_SLACK_BYTES + MANIFEST_EXPANSION * c)``.
MANIFEST_SLACK_BYTES = 1 << 20
MANIFEST_EXPANSION = 32
MAX_MANIFEST_BYTES = 256 << 20
#: A manifest may hold at most ``MANIFEST_VALUES`` JSON values (keys
#: included) plus one per ``BYTES_PER_MANIFEST_VALUE`` bytes of the arrays'
#: members in the file. A parsed value takes at most ~80 bytes of Python
#: objects (an empty dict in a list), so the fixed part is ~80 MiB at most.
MANIFEST_VALUES = 1 << 20
BYTES_PER_MANIFEST_VALUE = 8
#: Most layers in a model; every layer also counts ``LAYER_BYTES`` in the
#: arrays' budget (a layer without arrays still takes memory to rebuild).
MAX_LAYERS = 1000
LAYER_BYTES = 4096
#: Largest zip directory read (~75 bytes per member; a model has 1 + 4/layer).
MAX_DIRECTORY_BYTES = 2 << 20
#: Deepest nesting of lists and dicts in the metadata.
MAX_METADATA_DEPTH = 32
#: Largest ``.npy`` header (NumPy writes 64 to 128 bytes for these arrays).
NPY_HEADER_BYTES = 4096
_READ_CHUNK = 1 << 20
_COMPRESSIONS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
#: Metadata records of numbers, where null stands for a non-finite value.
_NUMERIC_RECORDS = ("history", "test_metrics", "validation_metrics", "logs")
# what reading a damaged zip member can raise, from zipfile, zlib and struct
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)


class ModelFileError(ValueError):
    """A file that is not a (readable, intact, supported) glassnet model."""


class _FieldError(Exception):
    """A manifest field that breaks a rule: ``(field, 'must be ... Got ...')``."""

    def __init__(self, field: str, problem: str):
        super().__init__(field, problem)
        self.field, self.problem = field, problem


def _one_line(text, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _shown(value) -> str:
    """``repr(value)`` cut to 60 characters, for a value read from a file."""
    try:
        text = repr(value)
    except ValueError:  # an int too long to convert to text
        return "an int of more than 4300 digits"
    return _one_line(text, 60)


def _few(names) -> str:
    """At most five names and the count, for an error message."""
    names = sorted(names)
    listed = ", ".join(_shown(name) for name in names[:5])
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return f"{len(names)}: {listed}{more}"


# -- the manifest's rules, shared by save and load --------------------------------
@dataclass
class _Plan:
    """What a valid manifest describes, before anything large is allocated."""

    dtype: str
    layers: list
    loss: object
    regularizer: object
    preprocessing: object
    metadata: dict
    arrays: list  # (member, shape) in the order of Network.get_weights
    specs: dict  # the manifest's record of each array
    n_bytes: int


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _rebuilt(what: str, build, config):
    try:
        return build(config)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise _FieldError(what, f"cannot be rebuilt: {_one_line(exc)}") from None


def _check_layers(manifest: dict, dtype: str) -> tuple[list, list, int, int]:
    """Layer configs, arrays ``(member, shape)``, the input and output sizes."""
    from glassnet.core.activations import activation_from_config
    from glassnet.core.initializers import initializer_from_config
    from glassnet.core.layers import layer_array_shapes
    from glassnet.core.regularizers import get_regularizer

    layers = manifest.get("layers")
    if not isinstance(layers, list) or not layers:
        raise _FieldError("layers", "must be a non-empty list of layer configs.")
    if len(layers) > MAX_LAYERS:
        raise _FieldError(
            "layers",
            f"must hold at most {MAX_LAYERS} layers. Got {len(layers)} instead.",
        )
    parts = {
        "activation": activation_from_config,
        "init": initializer_from_config,
        "regularizer": get_regularizer,
    }
    arrays, n_inputs, n_out = [], None, None
    for i, config in enumerate(layers):
        where = f"layers[{i}]"
        try:
            n_out, shapes = layer_array_shapes(config, n_out)
        except (TypeError, ValueError) as exc:
            raise _FieldError(where, f"is invalid: {_one_line(exc)}") from None
        if n_inputs is None:
            n_inputs = shapes[0][1][-1] if shapes else n_out
        for key, build in parts.items():
            if key in config:
                _rebuilt(f"{where}.{key}", build, config[key])
        arrays += [(f"layers/{i}/{name}.npy", shape) for name, shape in shapes]
    return layers, arrays, n_inputs, n_out


def _check_array_specs(listed, arrays: list, dtype: str) -> None:
    if not isinstance(listed, dict):
        raise _FieldError("arrays", "must be a dict of array records.")
    expected = {member for member, _ in arrays}
    if set(listed) != expected:
        missing, extra = expected - set(listed), set(listed) - expected
        detail = "; ".join(
            f"{what} {_few(names)}"
            for what, names in (("missing", missing), ("unexpected", extra))
            if names
        )
        raise _FieldError("arrays", f"do not match the layers ({detail}).")
    for member, shape in arrays:
        spec = listed[member]
        where = f"arrays[{member!r}]"
        if not isinstance(spec, dict):
            raise _FieldError(where, "must be a dict with shape, dtype and sha256.")
        if spec.get("shape") != list(shape):
            raise _FieldError(
                f"{where}.shape",
                f"must be {_shown(list(shape))} (from the layers). "
                f"Got {_shown(spec.get('shape'))} instead.",
            )
        if spec.get("dtype") != dtype:
            raise _FieldError(
                f"{where}.dtype",
                f"must be {dtype!r} (the model's dtype). "
                f"Got {_shown(spec.get('dtype'))} instead.",
            )
        digest = spec.get("sha256")
        if not (
            isinstance(digest, str)
            and len(digest) == 64
            and all(c in "0123456789abcdef" for c in digest)
        ):
            raise _FieldError(f"{where}.sha256", "must be 64 hexadecimal digits.")


def _check_preprocessing(config, n_inputs: int, n_outputs: int):
    from glassnet.datasets.preprocessing import Preprocessing

    if config is None:
        return None
    preprocessing = _rebuilt("preprocessing", Preprocessing.from_config, config)
    scaler = preprocessing.scaler
    if scaler is not None and scaler.n_features_in_ != n_inputs:
        raise _FieldError(
            "preprocessing.scaler",
            f"must scale {_shown(n_inputs)} features (the network's inputs). "
            f"Got {scaler.n_features_in_} instead.",
        )
    schema = preprocessing.schema
    if schema is not None and schema.n_features != n_inputs:
        raise _FieldError(
            "preprocessing.schema",
            f"must give {_shown(n_inputs)} features (the network's inputs). "
            f"Got {schema.n_features} instead.",
        )
    classes = preprocessing.classes
    n_classes = 2 if n_outputs == 1 else n_outputs
    if classes is not None and len(classes) != n_classes:
        raise _FieldError(
            "preprocessing.classes",
            f"must name {_shown(n_classes)} classes (the network has "
            f"{_shown(n_outputs)} output{'s' if n_outputs > 1 else ''}). "
            f"Got {len(classes)} instead.",
        )
    return preprocessing


def _check_depth(value, limit: int) -> None:
    """Refuse lists and dicts nested deeper than ``limit`` (without recursion)."""
    level = [value]
    for _ in range(limit + 1):
        level = [
            child
            for item in level
            if isinstance(item, (list, dict))
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return
    raise _FieldError("metadata", f"must not nest lists and dicts {limit} deep.")


_NULL_OR_NUMBER = (int, float, type(None))  # exact types: bool is not a number


def _number_record(value, where: str, *, lists: bool) -> None:
    if not isinstance(value, dict) or not all(
        (
            isinstance(v, list) and all(type(x) in _NULL_OR_NUMBER for x in v)
            if lists
            else type(v) in _NULL_OR_NUMBER
        )
        for v in value.values()
    ):
        kind = "lists of numbers" if lists else "numbers"
        raise _FieldError(where, f"must map names to {kind} (null for NaN).")


def _check_metadata(metadata, n_inputs: int) -> dict:
    """The fields that glassnet reads back (inspect, evaluate, report)."""
    if not isinstance(metadata, dict):
        raise _FieldError("metadata", f"must be a dict. Got {_shown(metadata)}.")
    _check_depth(metadata, MAX_METADATA_DEPTH)
    config = metadata.get("config", {})
    if not isinstance(config, dict):
        raise _FieldError("metadata.config", f"must be a dict. Got {_shown(config)}.")
    seed = config.get("seed")
    if seed is not None and not (_is_int(seed) and seed >= 0):
        raise _FieldError(
            "metadata.config.seed", f"must be a non-negative int. Got {_shown(seed)}."
        )
    for key in ("dataset", "task"):
        if key in metadata and not isinstance(metadata[key], str):
            raise _FieldError(f"metadata.{key}", "must be a str.")
    names = metadata.get("feature_names")
    if names is not None and not (
        isinstance(names, list)
        and len(names) == n_inputs
        and all(isinstance(n, str) for n in names)
    ):
        count = len(names) if isinstance(names, list) else _shown(names)
        raise _FieldError(
            "metadata.feature_names",
            f"must list {_shown(n_inputs)} names (the network's inputs). Got {count}.",
        )
    for key in _NUMERIC_RECORDS:
        if key in metadata:
            _number_record(metadata[key], f"metadata.{key}", lists=key == "history")
    seconds = metadata.get("train_seconds", 0.0)
    if not (_is_number(seconds) and 0 <= seconds < math.inf):
        raise _FieldError("metadata.train_seconds", "must be a number >= 0.")
    epoch = metadata.get("epoch", 0)
    if not (_is_int(epoch) and epoch >= 0):
        raise _FieldError("metadata.epoch", "must be an int >= 0.")
    return metadata


def _check_manifest(manifest) -> _Plan:
    """Check every rule that does not need the arrays' bytes; raises _FieldError."""
    from glassnet.core.losses import loss_from_config
    from glassnet.core.regularizers import get_regularizer

    dtype = manifest.get("dtype")
    if dtype not in ("float32", "float64"):
        raise _FieldError(
            "dtype", f"must be 'float32' or 'float64'. Got {_shown(dtype)}."
        )
    layers, arrays, n_inputs, n_outputs = _check_layers(manifest, dtype)
    specs = manifest.get("arrays")
    _check_array_specs(specs, arrays, dtype)
    n_values = sum(math.prod(shape) for _, shape in arrays)
    loss = _rebuilt("loss", loss_from_config, manifest.get("loss"))
    regularizer = _rebuilt("regularizer", get_regularizer, manifest.get("regularizer"))
    preprocessing = _check_preprocessing(
        manifest.get("preprocessing"), n_inputs, n_outputs
    )
    metadata = _check_metadata(manifest.get("metadata", {}), n_inputs)
    return _Plan(
        dtype=dtype,
        layers=layers,
        loss=loss,
        regularizer=regularizer,
        preprocessing=preprocessing,
        metadata=metadata,
        arrays=arrays,
        specs=specs,
        n_bytes=n_values * np.dtype(dtype).itemsize,
    )


# -- the manifest's size, shared by save and load ----------------------------------
_STRUCTURAL = np.zeros(256, dtype=bool)
_STRUCTURAL[list(b"[{,:")] = True


def _count_values(text, limit: int) -> int:
    """An upper bound on the values (keys included) in the JSON ``text``.

    Every value or key but the first follows one of ``[ { , :``, so counting
    those characters outside strings bounds them, in linear time and without
    parsing (and bounds what :func:`json.loads` builds before it finds an
    error: it ends strings at the same quotes). The plain count is exact
    unless strings hold such characters; only when it passes ``limit`` are
    strings told apart: escaped backslashes and quotes are dropped, then a
    character is in a string when an odd number of quotes precedes it. This
    runs in chunks (bounded memory) and stops once past ``limit``.
    """
    n = 1 + sum(text.count(c) for c in (b"[", b"{", b",", b":"))
    if n <= limit:
        return n
    if b"\\" in text:  # left to right, as JSON reads escapes
        text = text.replace(b"\\\\", b"").replace(b'\\"', b"")
    data = np.frombuffer(text, dtype=np.uint8)
    n, odd = 1, 0
    for start in range(0, len(data), _READ_CHUNK):
        chunk = data[start : start + _READ_CHUNK]
        # quotes so far, modulo 256 (which keeps the parity): 1 byte each
        quotes = np.cumsum(chunk == ord('"'), dtype=np.uint8)
        outside = (quotes & 1) == odd
        n += int(np.count_nonzero(_STRUCTURAL[chunk] & outside))
        odd ^= int(quotes[-1]) & 1
        if n > limit:
            break
    return n


def _manifest_problem(text: bytes, array_bytes: int) -> str | None:
    """What makes ``text`` too large a manifest for ``array_bytes`` of arrays."""
    if len(text) > MAX_MANIFEST_BYTES:
        return f"has {len(text)} bytes, more than {MAX_MANIFEST_BYTES}"
    budget = MANIFEST_VALUES + array_bytes // BYTES_PER_MANIFEST_VALUE
    n_values = _count_values(text, budget)
    if n_values > budget:
        return (
            f"holds more than {budget} JSON values, the most that a file with "
            f"{array_bytes} bytes of arrays may hold ({MANIFEST_VALUES} plus one "
            f"per {BYTES_PER_MANIFEST_VALUE} bytes)"
        )
    return None


def _manifest_cap(compressed: int) -> int:
    """The most bytes a manifest of ``compressed`` bytes in the zip inflates to."""
    return min(
        MAX_MANIFEST_BYTES, MANIFEST_SLACK_BYTES + MANIFEST_EXPANSION * compressed
    )


# -- writing --------------------------------------------------------------------
def _array_bytes(arr: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(arr), allow_pickle=False)
    return buffer.getvalue()


def _plain_json(value, what: str):
    """``value`` as JSON reads it back, non-finite floats as None."""
    try:
        text = json.dumps(value, allow_nan=True)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValueError(
            f"The {what} of a model must be JSON-serialisable (str, int, float, "
            f"bool, None, lists and dicts of them): {_one_line(exc)}"
        ) from None
    return json.loads(text, parse_constant=lambda _: None)


def _weights(network) -> dict[str, np.ndarray]:
    """The arrays to store by member name; refuses non-finite values."""
    arrays = {}
    for i, layer in enumerate(network.layers):
        for name, value in [*layer.parameters(), *layer.buffers()]:
            if not np.isfinite(value).all():
                raise ValueError(
                    f"Cannot save the model: layer {i + 1}'s {name} holds NaN or "
                    "infinity (the training diverged; lower the learning rate or "
                    "scale the inputs). A model file holds finite weights only."
                )
            arrays[f"layers/{i}/{name}.npy"] = value
    return arrays


def _prepare(network, metadata: dict | None) -> tuple[str, dict[str, bytes]]:
    """The manifest's text and the arrays' ``.npy`` bytes, checked as load would."""
    from glassnet._version import __version__

    extra = _plain_json(
        {**getattr(network, "metadata", {}), **(metadata or {})}, "metadata"
    )
    arrays = _weights(network)
    blobs = {member: _array_bytes(value) for member, value in arrays.items()}
    preprocessing = getattr(network, "preprocessing", None)
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "glassnet_version": __version__,
        "dtype": network.dtype.name,
        "layers": [layer.config() for layer in network.layers],
        "loss": network.loss.config(),
        "regularizer": _regularizer_config(network),
        "preprocessing": None if preprocessing is None else preprocessing.to_config(),
        "metadata": extra,
        "arrays": {
            member: {
                "shape": list(arrays[member].shape),
                "dtype": arrays[member].dtype.name,
                "sha256": hashlib.sha256(blob).hexdigest(),
            }
            for member, blob in blobs.items()
        },
    }
    manifest = _plain_json(manifest, "metadata and preprocessing")
    try:
        _check_manifest(manifest)
    except _FieldError as exc:
        raise ValueError(
            f"Cannot save the model: '{exc.field}' {exc.problem} "
            "(load would refuse the file)."
        ) from None
    # compact: json's C encoder (indent would use the ~10x slower Python one)
    text = json.dumps(
        manifest, separators=(",", ":"), sort_keys=True, allow_nan=False
    ).encode()
    problem = _manifest_problem(text, sum(len(blob) for blob in blobs.values()))
    if problem:
        raise ValueError(
            f"Cannot save the model: its {MANIFEST} {problem} (load would refuse "
            "the file); store less metadata."
        )
    return text, blobs


def _write(path, text: bytes, blobs: dict[str, bytes]) -> None:
    # A deflated manifest inflates to at most _manifest_cap(compressed size),
    # which is at least MANIFEST_SLACK_BYTES; a larger one is stored, so that
    # its cap is its own size.
    small = len(text) <= MANIFEST_SLACK_BYTES
    method = zipfile.ZIP_DEFLATED if small else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(MANIFEST, text, compress_type=method)
        for member, blob in blobs.items():
            archive.writestr(member, blob, compress_type=zipfile.ZIP_STORED)


def write_model(network, path, *, metadata: dict | None = None) -> None:
    """Write the model file to ``path`` (a path or a binary file) directly.

    See :func:`save`, which writes atomically; raises ValueError as it does.
    """
    _write(path, *_prepare(network, metadata))


def _regularizer_config(network):
    regularizer = getattr(network, "regularizer", None)
    return None if regularizer is None else regularizer.config()


def save(network, path, *, metadata: dict | None = None) -> Path:
    """Write ``network`` to ``path`` atomically; returns the path.

    Parameters
    ----------
    network : Network
        The network, with its ``preprocessing`` and ``metadata``.
    path : str or Path
        Conventionally ending in ``.glassnet``. A replaced file keeps its
        permission bits (``0o777``); a symbolic link is written through (its
        target replaced, the link kept), as :func:`open` does.
    metadata : dict, optional
        JSON-serialisable extra information (training config, history, ...),
        merged over ``network.metadata``. Non-finite numbers are stored as
        null (see the module docstring).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    FileNotFoundError
        ``path`` is empty, or its directory does not exist.
    IsADirectoryError
        ``path`` is a directory.
    ValueError
        The weights are not finite (the training diverged), the metadata is
        not JSON-serialisable, or a field breaks a rule that :func:`load`
        checks (e.g. ``metadata["feature_names"]`` not one per input). Nothing
        is written then.
    """
    target = Path(write_target(path))  # before Path(), which reads "" as "."
    path = Path(path)
    directory = target.parent
    if not directory.is_dir():
        raise FileNotFoundError(
            f"Cannot save the model to {path}: the directory {directory} does not "
            "exist."
        )
    # Everything is checked before any file exists.
    text, blobs = _prepare(network, metadata)
    atomic_save(target, lambda tmp: _write(tmp, text, blobs))
    return path


# -- reading --------------------------------------------------------------------
def _open_archive(path: Path) -> zipfile.ZipFile:
    """The zip archive, once its directory is known to be of a model's size."""
    try:
        with open(path, "rb") as f:
            end = zipfile._EndRecData(f)  # the end record, as ZipFile reads it
        directory_bytes = end[zipfile._ECD_SIZE] if end else 0
    except (AttributeError, IndexError, *_ZIP_ERRORS):
        directory_bytes = 0  # let ZipFile report what is wrong
    if directory_bytes > MAX_DIRECTORY_BYTES:
        raise ModelFileError(
            f"{path} is refused: its zip directory has {directory_bytes} bytes, "
            f"more than a model file's (at most {MAX_DIRECTORY_BYTES})."
        )
    try:
        return zipfile.ZipFile(path)
    except _ZIP_ERRORS as exc:
        raise ModelFileError(
            f"{path} is not a glassnet model file, or it is truncated or corrupt "
            f"(not a readable zip archive: {_one_line(exc)})."
        ) from None


def _members(archive: zipfile.ZipFile, path: Path) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    members = {info.filename: info for info in infos}
    if len(members) != len(infos):
        raise ModelFileError(f"{path} is corrupt: it holds a member name twice.")
    for info in infos:
        if info.flag_bits & 0x1:
            raise ModelFileError(
                f"{path} is refused: member {_shown(info.filename)} is encrypted."
            )
        if info.compress_type not in _COMPRESSIONS:
            raise ModelFileError(
                f"{path} is refused: member {_shown(info.filename)} uses "
                f"compression method {info.compress_type}; a model file uses "
                "only stored or deflate members."
            )
    if MANIFEST not in members:
        raise ModelFileError(
            f"{path} is a zip archive but not a glassnet model (it has no {MANIFEST})."
        )
    return members


def _read_capped(archive, info: zipfile.ZipInfo, cap: int, path: Path) -> bytearray:
    """The member's bytes, refused as soon as they pass ``cap``."""
    name = _shown(info.filename)
    if info.file_size > cap:
        raise ModelFileError(
            f"{path} is corrupt: member {name} declares {info.file_size} bytes, "
            f"more than the {cap} its manifest allows."
        )
    data = bytearray()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(min(_READ_CHUNK, cap + 1 - len(data))):
                data += chunk
                if len(data) > cap:
                    raise ModelFileError(
                        f"{path} is corrupt: member {name} inflates past the "
                        f"{cap} bytes its manifest allows."
                    )
    except _ZIP_ERRORS as exc:
        raise ModelFileError(
            f"{path} is truncated or corrupt (reading {name}: {_one_line(exc)})."
        ) from None
    if len(data) != info.file_size:
        raise ModelFileError(f"{path} is truncated or corrupt (reading {name}).")
    return data  # not copied to bytes: the manifest may take 256 MiB


def _read_manifest(archive, members: dict, file_size: int, path: Path) -> dict:
    info = members[MANIFEST]
    text = _read_capped(archive, info, _manifest_cap(info.compress_size), path)
    # The arrays' bytes as the file holds them (what a liar declares is
    # bounded by the file's size); checked against the layers later.
    array_bytes = sum(i.compress_size for n, i in members.items() if n != MANIFEST)
    problem = _manifest_problem(text, min(array_bytes, file_size))
    if problem:
        raise ModelFileError(f"{path} is refused: its {MANIFEST} {problem}.")

    def no_constants(name):
        raise ValueError(f"{name} is not a JSON number")

    try:
        text = text.decode("utf-8")  # the bytes are freed before parsing
        manifest = json.loads(text, parse_constant=no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError, MemoryError) as exc:
        # ValueError: bad JSON, NaN, or an int of more than 4300 digits
        reason = "too large to parse" if isinstance(exc, MemoryError) else exc
        raise ModelFileError(
            f"{path} is corrupt: its {MANIFEST} is not valid JSON "
            f"({_one_line(reason)})."
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{path} is not a glassnet model (unknown format).")
    version = manifest.get("format_version")
    if not _is_int(version) or version < 1:
        raise ModelFileError(
            f"{path} is corrupt: 'format_version' must be a positive int. "
            f"Got {_shown(version)}."
        )
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path} uses model file format version {_shown(version)}, newer than this "
            f"glassnet reads (version {FORMAT_VERSION}); upgrade glassnet to load it."
        )
    return manifest


def _check_budget(plan: _Plan, members: dict, file_size: int, path: Path) -> None:
    budget = ARRAY_SLACK_BYTES + ARRAY_EXPANSION * file_size
    n_bytes = plan.n_bytes + LAYER_BYTES * len(plan.layers)
    if n_bytes > budget:
        raise ModelFileError(
            f"{path} is refused: its layers need {plan.n_bytes} bytes of weights "
            f"and {len(plan.layers)} x {LAYER_BYTES} for the layers, more than a "
            f"file of {file_size} bytes can hold (at most {budget})."
        )
    unexpected = set(members) - {member for member, _ in plan.arrays} - {MANIFEST}
    if unexpected:
        raise ModelFileError(
            f"{path} is refused: it contains members that a glassnet model "
            f"does not have ({_few(unexpected)})."
        )
    for member, _ in plan.arrays:
        if member not in members:
            raise ModelFileError(
                f"{path} is damaged: it lacks the member {member!r} that its "
                "manifest lists."
            )


def _parse_npy(blob: bytes, member: str, shape: tuple, dtype: str, path: Path):
    """The array in ``blob``, a view; checked against ``shape`` and ``dtype``."""
    stream = io.BytesIO(blob)
    fmt = np.lib.format
    try:
        version = fmt.read_magic(stream)
        read_header = {
            (1, 0): fmt.read_array_header_1_0,
            (2, 0): fmt.read_array_header_2_0,
        }[version]
        found, fortran, found_dtype = read_header(
            stream, max_header_size=NPY_HEADER_BYTES
        )
    except Exception as exc:  # noqa: BLE001 -- NumPy's header parser raises anything
        # KeyError, ValueError, SyntaxError, tokenize.TokenError, MemoryError, ...
        raise ModelFileError(
            f"{path} is corrupt: {member!r} is not a .npy array "
            f"({type(exc).__name__}: {_one_line(exc, 200)})."
        ) from None
    if found_dtype.hasobject:
        raise ModelFileError(
            f"{path} is refused: {member!r} holds a pickled object, which a "
            "model file must never contain (loading it could run code)."
        )
    if found_dtype.name != dtype or found_dtype.kind != "f" or found != shape:
        raise ModelFileError(
            f"{path} is corrupt: {member!r} has dtype {_one_line(found_dtype, 60)} and "
            f"shape {_shown(found)}, expected {dtype} {_shown(shape)} (as its "
            "manifest says)."
        )
    offset = stream.tell()
    count = math.prod(shape)
    if len(blob) - offset != count * found_dtype.itemsize:
        raise ModelFileError(
            f"{path} is corrupt: {member!r} has {len(blob) - offset} bytes of "
            f"data, expected {count * found_dtype.itemsize}."
        )
    values = np.frombuffer(blob, dtype=found_dtype, count=count, offset=offset)
    return values.reshape(shape, order="F" if fortran else "C")


def _build_network(plan: _Plan, path: Path):
    from glassnet.core.layers import layer_from_config
    from glassnet.core.network import Network

    try:
        layers = [
            layer_from_config(c, dtype=plan.dtype, draw=False) for c in plan.layers
        ]
        return Network(
            layers,
            loss=plan.loss,
            seed=0,
            dtype=plan.dtype,
            regularizer=plan.regularizer,
        )
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise ModelFileError(
            f"{path} is corrupt: its architecture cannot be rebuilt ({_one_line(exc)})."
        ) from None


def _load_weights(archive, members: dict, plan: _Plan, network, path: Path) -> None:
    """Read each array into the network's own storage, one at a time."""
    targets = [
        p
        for layer in network.layers
        for _, p in [*layer.parameters(), *layer.buffers()]
    ]
    for (member, shape), target in zip(plan.arrays, targets, strict=True):
        info = members[member]
        cap = math.prod(shape) * np.dtype(plan.dtype).itemsize + NPY_HEADER_BYTES
        blob = _read_capped(archive, info, cap, path)
        if hashlib.sha256(blob).hexdigest() != plan.specs[member]["sha256"]:
            raise ModelFileError(
                f"{path} is corrupt: the checksum of {member!r} does not match."
            )
        values = _parse_npy(blob, member, shape, plan.dtype, path)
        if not np.isfinite(values).all():
            raise ModelFileError(
                f"{path} is corrupt: {member!r} must be finite numbers "
                "(it holds NaN or infinity)."
            )
        target[...] = values


def _nan_for_null(value):
    if isinstance(value, list):
        return [math.nan if x is None else x for x in value]
    return math.nan if value is None else value


def _restore_nans(metadata: dict) -> dict:
    """null in the numeric records stands for NaN (JSON has none)."""
    for key in _NUMERIC_RECORDS:
        if key in metadata:
            record = metadata[key]
            metadata[key] = {k: _nan_for_null(v) for k, v in record.items()}
    return metadata


def load(path):
    """Read a model file written by :func:`save`; returns the Network.

    Safe on files from untrusted sources: see the module docstring for what
    is checked and how memory stays bounded.

    Parameters
    ----------
    path : str or Path
        The model file (or a binary file object).

    Returns
    -------
    Network
        The network, with its preprocessing and metadata, in the dtype it
        was saved in.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ModelFileError
        The file is truncated, corrupt, not a glassnet model, written by a
        newer glassnet, contains a pickle, or breaks one of the rules (the
        message names the file and the field).

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> import glassnet as gn
    >>> net = gn.Network.mlp([2, 3, 1], seed=0)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = gn.save(net, os.path.join(folder, "model.glassnet"))
    ...     copy = gn.load(path)
    >>> copy.layers
    [Dense(2, 3, activation='relu'), Dense(3, 1, activation='sigmoid')]
    >>> X = np.array([[0.5, -1.0]])
    >>> bool(np.array_equal(copy.forward(X), net.forward(X)))
    True
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Model file {path} does not exist.")
    file_size = path.stat().st_size
    archive = _open_archive(path)
    with archive:
        members = _members(archive, path)
        manifest = _read_manifest(archive, members, file_size, path)
        try:
            plan = _check_manifest(manifest)
        except _FieldError as exc:
            raise ModelFileError(
                f"{path} is corrupt: '{exc.field}' {exc.problem}"
            ) from None
        _check_budget(plan, members, file_size, path)
        network = _build_network(plan, path)
        _load_weights(archive, members, plan, network, path)
    network.metadata = _restore_nans(plan.metadata)
    network.preprocessing = plan.preprocessing
    return network
