"""Files written atomically.

:func:`atomic_save` writes a file through a temporary file in the same
directory, flushed to disk and then renamed over the target with
:func:`os.replace` (atomic on POSIX and Windows): a reader, or a crash at any
moment, sees either the old complete file or the new complete file, never a
half-written one.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable

__all__ = ["atomic_save"]


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
