"""Weight files, written atomically.

:func:`atomic_save` writes any file through a temporary file in the same
directory, flushed to disk and then renamed over the target with
:func:`os.replace` (atomic on POSIX and Windows): a reader, or a crash at any
moment, sees either the old complete file or the new complete file, never a
half-written one.

:func:`save_weights` / :func:`load_weights` store ``net.get_weights()`` as
an ``.npz`` archive of plain arrays plus a JSON description (layer configs,
loss, and whatever the caller adds, e.g. the epoch); nothing is pickled.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Callable

import numpy as np

__all__ = ["atomic_save", "load_weights", "save_weights"]

_FORMAT = "glassnet-weights"


def atomic_save(path, write: Callable[[str], None]) -> None:
    """Create or replace ``path`` with what ``write(temporary_path)`` writes.

    Parameters
    ----------
    path : str or os.PathLike
        The file to create or replace.
    write : callable
        Writes the complete file to the path it is given. If it raises, the
        temporary file is removed and ``path`` is left as it was.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    # A fresh hidden name beside the target (same file system, so the rename
    # is atomic); created with open(), so the file gets the usual permissions.
    tmp = os.path.join(
        directory, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp"
    )
    with open(tmp, "xb"):
        pass
    try:
        write(tmp)
        # Make the bytes durable before the rename makes them visible.
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_directory(directory)


def _sync_directory(directory: str) -> None:
    """Persist the rename itself (POSIX); a no-op where directories can't be opened."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_weights_npz(network, path, meta: dict | None = None) -> None:
    """Write ``network.get_weights()`` and a JSON description to ``path`` (.npz)."""
    description = {
        "format": _FORMAT,
        "version": 1,
        "layers": [layer.config() for layer in network.layers],
        "loss": network.loss.config(),
        **(meta or {}),
    }
    arrays = {f"weight_{i:03d}": w for i, w in enumerate(network.get_weights())}
    with open(path, "wb") as f:
        np.savez(f, meta=np.array(json.dumps(description)), **arrays)


def save_weights(network, path, *, meta: dict | None = None) -> None:
    """Save the network's weights to ``path`` atomically (see module docstring).

    Parameters
    ----------
    network : Network
    path : str or os.PathLike
        Written as given (an ``.npz`` archive, whatever the suffix).
    meta : dict, optional
        JSON-serialisable extras stored with the weights.
    """
    atomic_save(path, lambda tmp: write_weights_npz(network, tmp, meta))


def load_weights(network, path) -> dict:
    """Set ``network``'s weights from a file of :func:`save_weights`.

    Returns the stored description (layer configs, loss, extras).
    """
    with np.load(os.fspath(path), allow_pickle=False) as data:
        if "meta" not in data.files:
            raise ValueError(f"{os.fspath(path)!r} is not a glassnet weights file.")
        meta = json.loads(str(data["meta"]))
        names = sorted(name for name in data.files if name.startswith("weight_"))
        weights = [data[name] for name in names]
    if meta.get("format") != _FORMAT:
        raise ValueError(f"{os.fspath(path)!r} is not a glassnet weights file.")
    network.set_weights(weights)
    return meta
