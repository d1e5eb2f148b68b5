"""Download of published data files, checked against their md5 checksums.

Only the standard library is used (``urllib``). Nothing is printed: pass a
``progress(bytes_done, bytes_total)`` callable to follow a download.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

Progress = Callable[[int, int], None]

_CHUNK = 1 << 16

#: Seconds a connection attempt, and then each read, may wait for the server
#: before the mirror counts as failed (a network that accepts and never
#: answers must not hang a command for minutes).
TIMEOUT = 10.0


class DownloadError(OSError):
    """Every URL of a file failed with a network or file-system error."""


def _fetch(url: str, dest: Path, *, md5: str, timeout: float, on_chunk) -> None:
    """Stream ``url`` into a temporary file next to ``dest``, check the md5 and
    move it into place. The temporary file never survives a failure."""
    fd, tmp_name = tempfile.mkstemp(
        dir=dest.parent, prefix=f".{dest.name}.", suffix=".part"
    )
    tmp = Path(tmp_name)
    try:
        digest = hashlib.md5()
        with (
            os.fdopen(fd, "wb") as out,
            urllib.request.urlopen(url, timeout=timeout) as response,
        ):
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                digest.update(chunk)
                on_chunk(len(chunk))
        if digest.hexdigest() != md5:
            raise ValueError(
                f"The file downloaded from {url} has md5 {digest.hexdigest()}, "
                f"but the published checksum of {dest.name} is {md5}; the "
                "download was deleted. Try again later or put the file in place "
                "by hand."
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def download_files(
    files: Sequence[tuple[str, int, str]],
    base_urls: Sequence[str],
    dest_dir: Path,
    *,
    progress: Progress | None = None,
    timeout: float | None = None,
) -> list[Path]:
    """Download files into ``dest_dir``, trying each base URL in order.

    Parameters
    ----------
    files : sequence of (name, size, md5)
        File names (appended to a base URL), published sizes in bytes (used
        for ``bytes_total``) and published md5 checksums.
    base_urls : sequence of str
        Mirrors, each ending in ``/``, e.g. ``"https://host/mnist/"``;
        ``file://`` URLs work too.
    dest_dir : Path
        Created if needed (and removed again, with any parents created, if
        it is still empty after a failure). Each file is written to a
        temporary file there and renamed once its md5 matches.
    progress : callable, optional
        Called as ``progress(bytes_done, bytes_total)`` at the start and after
        every chunk, counting over all files.
    timeout : float, optional
        Seconds to wait for a connection, then for each read, before trying
        the next URL; default :data:`TIMEOUT` (10 s).

    Returns
    -------
    list of Path
        The downloaded files, in the order of ``files``.

    Raises
    ------
    ValueError
        A downloaded file's md5 differs from the published one (the file is
        deleted).
    DownloadError
        For some file every base URL failed (no network, HTTP error, ...).
    """
    count = _Count(sum(size for _, size, _ in files), progress)
    count.add(0)
    timeout = TIMEOUT if timeout is None else timeout
    created = [d for d in (dest_dir, *dest_dir.parents) if not d.exists()]
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _remove_empty(created)
        raise DownloadError(f"cannot create {str(dest_dir)!r}: {exc}") from exc
    try:
        return _download_all(files, base_urls, dest_dir, timeout, count)
    except BaseException:
        _remove_empty(created)
        raise


def _remove_empty(directories: list[Path]) -> None:
    """Remove the directories a failed download created, deepest first,
    as long as they are empty."""
    for directory in directories:
        try:
            directory.rmdir()
        except OSError:
            return


class _Count:
    """Bytes done over all files, reported to ``progress``."""

    def __init__(self, total: int, progress: Progress | None):
        self.total, self.progress, self.done = total, progress, 0

    def add(self, n: int) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(self.done, self.total)


def _download_all(files, base_urls, dest_dir, timeout, count: _Count) -> list:
    paths = []
    for name, _, md5 in files:
        errors = []
        start = count.done
        for base in base_urls:
            url = base + name
            try:
                _fetch(
                    url, dest_dir / name, md5=md5, timeout=timeout, on_chunk=count.add
                )
            except (OSError, http.client.HTTPException) as exc:
                reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
                errors.append(f"{url}: {reason}")
                count.done = start
                continue
            break
        else:
            raise DownloadError("; ".join(errors))
        paths.append(dest_dir / name)
    return paths
