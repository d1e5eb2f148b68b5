"""Files written atomically, and a check that an output path can be written.

:func:`atomic_save` writes a file through a temporary file in the same
directory, flushed to disk and then renamed over the target with
:func:`os.replace` (atomic on POSIX and Windows): a reader, or a crash at any
moment, sees either the old complete file or the new complete file, never a
half-written one.

The temporary's name is ``.<target name>.<host>-<pid>-<random>.tmp`` (the
target's name shortened, with a hash, so that the whole name stays within
the file system's 255-byte limit). A writer killed before the rename leaves
its temporary behind; the next save of the same target removes those whose
process is gone (same host) or that are older than :data:`STALE_SECONDS`.

:func:`check_writable` finds a path that cannot be written (a directory, a
missing or read-only folder, a full disk) before hours of work, not after.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import socket
import stat
import time
from collections.abc import Callable

__all__ = ["atomic_save", "check_writable", "write_target"]

#: Longest file name, in bytes, on the file systems in use (NAME_MAX).
NAME_MAX = 255
#: A temporary whose writer cannot be checked is stale after this long.
STALE_SECONDS = 3600.0
# ".<prefix>." + "<host 6>-<pid>-<token 12>.tmp": room for a 10-digit pid
_SUFFIX_BYTES = 2 + 6 + 1 + 10 + 1 + 12 + 4
_TEMP_TAIL = re.compile(r"(?:([0-9a-f]{6})-([0-9]+)-)?[0-9a-f]{12}\.tmp")


def _host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]


def _temp_prefix(name: str) -> str:
    """``name``, or its start and a hash of it, short enough for a temporary."""
    room = NAME_MAX - _SUFFIX_BYTES
    if len(os.fsencode(name)) <= room:
        return name
    digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:16]
    # the first bytes, cut at a character boundary
    head = os.fsencode(name)[: room - len(digest) - 1].decode("utf-8", "ignore")
    return f"{head}~{digest}"


def _writer_is_gone(host: str | None, pid: str | None, age: float) -> bool:
    if age > STALE_SECONDS:
        return True
    if host != _host_tag() or pid is None or os.name == "nt":
        return False  # another machine's writer, or one we cannot ask
    try:
        os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except (OSError, OverflowError, ValueError):
        return False  # exists under another user, or cannot be asked
    return False


def _remove_stale_temporaries(directory: str, prefix: str) -> None:
    """Remove temporaries of the same target left by writers that died."""
    start = f".{prefix}."
    with contextlib.suppress(OSError), os.scandir(directory) as entries:
        for entry in entries:
            if not entry.name.startswith(start):
                continue
            match = _TEMP_TAIL.fullmatch(entry.name[len(start) :])
            if match is None:
                continue
            with contextlib.suppress(OSError):
                info = entry.stat(follow_symlinks=False)
                if not stat.S_ISREG(info.st_mode):
                    continue
                age = time.time() - info.st_mtime
                if _writer_is_gone(match.group(1), match.group(2), age):
                    os.unlink(entry.path)


def write_target(path) -> str:
    """The file that writing ``path`` creates or replaces, as :func:`open` would.

    A symbolic link is followed (the link stays, its target is replaced);
    an empty path and a directory are refused with a message naming them.
    """
    name = os.fspath(path)
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    if not name:
        raise _error(FileNotFoundError, errno.ENOENT, "Cannot write '': empty path.")
    if os.path.islink(name):
        name = os.path.realpath(name)
    if os.path.isdir(name):
        message = f"Cannot write {os.fspath(path)}: it is a directory."
        raise _error(IsADirectoryError, errno.EISDIR, message)
    return name


def _is_special(path) -> bool:
    """Whether ``path`` (links followed) exists and is neither a file nor a folder."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _error(kind: type[OSError], number: int, message: str) -> OSError:
    """``kind(message)`` with its errno set (and no "[Errno n]" in the text)."""
    error = kind(message)
    error.errno = number
    return error


def atomic_save(path, write: Callable[[str], None]) -> None:
    """Create or replace ``path`` with what ``write(temporary_path)`` writes.

    A device, named pipe or socket that ``path`` names (``/dev/null``,
    ``/dev/stdout``, a FIFO) is written into directly, as :func:`open` would:
    there is nothing to replace atomically, and a rename would replace the
    device itself by an ordinary file. A replaced file keeps its permission
    bits (``0o777``: never setuid, setgid or sticky); a new file gets the
    mode :func:`open` would give it (``0o666`` less the umask). A symbolic
    link is written through, as :func:`open` does: its target is replaced
    atomically and the link kept.

    Raises
    ------
    FileNotFoundError
        ``path`` is empty, or its directory does not exist.
    IsADirectoryError
        ``path`` is a directory.

    Parameters
    ----------
    path : str or os.PathLike
        The file to create or replace.
    write : callable
        Writes the complete file to the path it is given. If it raises, the
        temporary file is removed and ``path`` is left as it was.
    """
    if _is_special(path):
        write(os.fspath(path))  # nothing to replace: write into the device
        return
    path = write_target(path)
    directory = os.path.dirname(os.path.abspath(path))
    prefix = _temp_prefix(os.path.basename(path))
    _remove_stale_temporaries(directory, prefix)
    # A fresh hidden name beside the target (same file system, so the rename
    # is atomic); created with open(), so the file gets the usual permissions.
    tag = f"{_host_tag()}-{os.getpid()}-{secrets.token_hex(6)}"
    tmp = os.path.join(directory, f".{prefix}.{tag}.tmp")
    with open(tmp, "xb"):
        pass
    try:
        write(tmp)
        # Make the bytes durable before the rename makes them visible.
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode) & 0o777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_directory(directory)


def check_writable(path) -> None:
    """Raise unless a file can be saved at ``path`` (call it before training).

    Checks that ``path`` is not a directory, that its folder exists, and that
    a file can be created, written (one block, flushed to disk) and removed
    there -- which finds a read-only folder or a full disk. Nothing is left
    behind, and an existing file at ``path`` is not touched.

    Raises
    ------
    IsADirectoryError
        ``path`` is a directory.
    FileNotFoundError
        The folder of ``path`` does not exist.
    PermissionError, OSError
        The folder is not writable, the disk is full, ... (the message names
        the path and the reason).
    """
    if _is_special(path):
        # a device or pipe: opening it to probe could block or have effects;
        # only its permission is asked
        if not os.access(path, os.W_OK):
            raise PermissionError(f"Cannot write {os.fspath(path)}: permission denied.")
        return
    name = write_target(path)
    directory = os.path.dirname(os.path.abspath(name))
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"Cannot write {name}: the directory {directory} does not exist."
        )
    prefix = _temp_prefix(os.path.basename(name))
    probe = os.path.join(directory, f".{prefix}.{_host_tag()}-{os.getpid()}-")
    probe += f"{secrets.token_hex(6)}.tmp"
    try:
        with open(probe, "xb") as f:
            f.write(b"\0" * 4096)
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:
        error = type(exc)(
            f"Cannot write {name}: {exc.strerror or exc} (in {directory})."
        )
        error.errno = exc.errno
        raise error from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(probe)


def _sync_directory(directory: str) -> None:
    """Persist the rename itself (POSIX); a no-op where directories can't be opened."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
