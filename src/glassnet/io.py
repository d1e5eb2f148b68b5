"""Model files: a zip of JSON and ``.npy`` arrays, safe to share.

Layout of ``model.glassnet`` (a zip archive)::

    glassnet.json             format name and version, layer configs, loss,
                              dtype, preprocessing, labels, training metadata,
                              and for every array its path, shape, dtype and
                              SHA-256
    layers/<i>/<name>.npy     parameters (W, b, ...) and layer state

Loading reads JSON with :mod:`json` and arrays with
``numpy.load(allow_pickle=False)``, so a model file can never execute code.
Every array is checked against its recorded SHA-256, shape and dtype (on top
of the zip's own CRC-32), so a damaged file is refused rather than loaded
with wrong weights. Saving writes a temporary file beside the target and
renames it over the target, so a crash never leaves a half-written model.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np

from glassnet._files import atomic_save

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "ModelFileError",
    "load",
    "save",
    "write_model",
]

FORMAT_NAME = "glassnet-model"
FORMAT_VERSION = 1
MANIFEST = "glassnet.json"
#: Largest member read from a model file (guards against zip bombs).
MAX_MEMBER_BYTES = 4 << 30


class ModelFileError(ValueError):
    """A file that is not a (readable, intact, supported) glassnet model."""


def _array_bytes(arr: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(arr), allow_pickle=False)
    return buffer.getvalue()


def _to_json(value, what: str) -> str:
    try:
        return json.dumps(value, indent=2, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"The {what} of a model must be JSON-serialisable (str, int, float, "
            f"bool, None, lists and dicts of them): {exc}"
        ) from None


def write_model(network, path, *, metadata: dict | None = None) -> None:
    """Write the model file to ``path`` directly (see :func:`save`)."""
    from glassnet import __version__

    arrays: dict[str, np.ndarray] = {}
    for i, layer in enumerate(network.layers):
        for name, value in [*layer.parameters(), *layer.buffers()]:
            arrays[f"layers/{i}/{name}.npy"] = value
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
        "metadata": {**getattr(network, "metadata", {}), **(metadata or {})},
        "arrays": {
            member: {
                "shape": list(arrays[member].shape),
                "dtype": arrays[member].dtype.name,
                "sha256": hashlib.sha256(blob).hexdigest(),
            }
            for member, blob in blobs.items()
        },
    }
    text = _to_json(manifest, "metadata and preprocessing")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, text)
        for member, blob in blobs.items():
            archive.writestr(member, blob)


def _regularizer_config(network):
    regularizer = getattr(network, "regularizer", None)
    return None if regularizer is None else regularizer.config()


def save(network, path, *, metadata: dict | None = None) -> Path:
    """Write ``network`` to ``path`` atomically; returns the path.

    Parameters
    ----------
    network : Network
    path : str or Path
        Conventionally ending in ``.glassnet``.
    metadata : dict, optional
        JSON-serialisable extra information (training config, history, ...),
        merged over ``network.metadata``.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise FileNotFoundError(
            f"Cannot save the model to {path}: the directory {directory} does not "
            "exist."
        )
    # Fail on unserialisable metadata before any file exists.
    _to_json({**getattr(network, "metadata", {}), **(metadata or {})}, "metadata")
    atomic_save(path, lambda tmp: write_model(network, tmp, metadata=metadata))
    return path


def _read_member(archive: zipfile.ZipFile, member: str, path: Path) -> bytes:
    try:
        info = archive.getinfo(member)
    except KeyError:
        raise ModelFileError(
            f"{path} is damaged: it lacks the member {member!r} that its manifest "
            "lists."
        ) from None
    if info.file_size > MAX_MEMBER_BYTES:
        raise ModelFileError(f"{path}: member {member!r} is implausibly large.")
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise ModelFileError(
            f"{path} is truncated or corrupt (reading {member!r}: {exc})."
        ) from None
    except Exception as exc:  # zlib.error and other decompression failures
        raise ModelFileError(
            f"{path} is truncated or corrupt (reading {member!r}: {exc})."
        ) from None


def _read_manifest(archive: zipfile.ZipFile, path: Path) -> dict:
    if MANIFEST not in archive.namelist():
        raise ModelFileError(
            f"{path} is a zip archive but not a glassnet model (it has no {MANIFEST})."
        )
    try:
        manifest = json.loads(_read_member(archive, MANIFEST, path).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(
            f"{path} is corrupt: its {MANIFEST} is not valid JSON ({exc})."
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{path} is not a glassnet model (unknown format).")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelFileError(f"{path} is corrupt: invalid format_version {version!r}.")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path} uses model file format version {version}, newer than this "
            f"glassnet reads (version {FORMAT_VERSION}); upgrade glassnet to load it."
        )
    return manifest


def _load_array(archive, member: str, spec: dict, path: Path) -> np.ndarray:
    blob = _read_member(archive, member, path)
    if not isinstance(spec, dict) or hashlib.sha256(blob).hexdigest() != spec.get(
        "sha256"
    ):
        raise ModelFileError(
            f"{path} is corrupt: the checksum of {member!r} does not match."
        )
    try:
        arr = np.load(io.BytesIO(blob), allow_pickle=False)
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise ModelFileError(
                f"{path} is refused: {member!r} holds a pickled object, which a "
                "model file must never contain (loading it could run code)."
            ) from None
        raise ModelFileError(f"{path} is corrupt: {member!r}: {exc}.") from None
    if arr.dtype.kind != "f" or list(arr.shape) != spec.get("shape"):
        raise ModelFileError(
            f"{path} is corrupt: {member!r} has dtype {arr.dtype} and shape "
            f"{arr.shape}, expected {spec.get('dtype')} {spec.get('shape')}."
        )
    return arr


def load(path):
    """Read a model file written by :func:`save`; returns the Network.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ModelFileError
        The file is truncated, corrupt, not a glassnet model, written by a
        newer glassnet, or contains a pickle.
    """
    from glassnet.layers import layer_from_config
    from glassnet.losses import loss_from_config
    from glassnet.network import Network
    from glassnet.regularizers import get_regularizer

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Model file {path} does not exist.")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise ModelFileError(
            f"{path} is not a glassnet model file, or it is truncated or corrupt "
            f"(not a readable zip archive: {exc})."
        ) from None
    with archive:
        manifest = _read_manifest(archive, path)
        listed = manifest.get("arrays")
        if not isinstance(listed, dict):
            raise ModelFileError(f"{path} is corrupt: its array list is missing.")
        unexpected = set(archive.namelist()) - set(listed) - {MANIFEST}
        if unexpected:
            raise ModelFileError(
                f"{path} is refused: it contains members that a glassnet model "
                f"does not have: {sorted(unexpected)}."
            )
        try:
            dtype = manifest["dtype"]
            layers = [layer_from_config(c, dtype=dtype) for c in manifest["layers"]]
            loss = loss_from_config(manifest["loss"])
            regularizer = get_regularizer(manifest.get("regularizer"))
            network = Network(
                layers, loss=loss, seed=0, dtype=dtype, regularizer=regularizer
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(
                f"{path} is corrupt: its architecture cannot be rebuilt ({exc})."
            ) from None
        expected = [
            f"layers/{i}/{name}.npy"
            for i, layer in enumerate(network.layers)
            for name, _ in [*layer.parameters(), *layer.buffers()]
        ]
        if set(expected) != set(listed):
            raise ModelFileError(
                f"{path} is corrupt: its arrays do not match its layers."
            )
        # get_weights order: each layer's parameters, then its buffers
        weights = [_load_array(archive, m, listed[m], path) for m in expected]
    try:
        network.set_weights(weights)
    except ValueError as exc:
        raise ModelFileError(f"{path} is corrupt: {exc}") from None
    network.metadata = manifest.get("metadata") or {}
    if manifest.get("preprocessing") is not None:
        from glassnet.pipeline import Preprocessing

        try:
            network.preprocessing = Preprocessing.from_config(manifest["preprocessing"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(
                f"{path} is corrupt: its preprocessing cannot be rebuilt ({exc})."
            ) from None
    return network
