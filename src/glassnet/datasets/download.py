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
    timeout: float = 60.0,
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
        Created if needed. Each file is written to a temporary file there and
        renamed once its md5 matches.
    progress : callable, optional
        Called as ``progress(bytes_done, bytes_total)`` at the start and after
        every chunk, counting over all files.
    timeout : float, default 60
        Socket timeout in seconds per request.

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
    total = sum(size for _, size, _ in files)
    done = 0

    def on_chunk(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    if progress is not None:
        progress(0, total)
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"cannot create {str(dest_dir)!r}: {exc}") from exc
    paths = []
    for name, _, md5 in files:
        errors = []
        start = done
        for base in base_urls:
            url = base + name
            try:
                _fetch(
                    url, dest_dir / name, md5=md5, timeout=timeout, on_chunk=on_chunk
                )
            except (OSError, http.client.HTTPException) as exc:
                reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
                errors.append(f"{url}: {reason}")
                done = start
                continue
            break
        else:
            raise DownloadError("; ".join(errors))
        paths.append(dest_dir / name)
    return paths
