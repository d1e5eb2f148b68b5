"""Where loaders look for data files.

Search order for a dataset stored in sub-folder ``sub`` (e.g. ``"mnist"``):

1. the explicit ``data_dir`` argument, then ``data_dir/sub``;
2. ``$GLASSNET_DATA/sub``, then ``$GLASSNET_DATA`` itself;
3. the user cache, ``$XDG_CACHE_HOME/glassnet/sub`` or
   ``~/.cache/glassnet/sub`` (where downloads go).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

ENV_VAR = "GLASSNET_DATA"


def cache_root() -> Path:
    """``$XDG_CACHE_HOME/glassnet``, or ``~/.cache/glassnet`` when unset."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
    return Path(base).expanduser() / "glassnet"


def search_dirs(sub: str, data_dir: Path | None = None) -> list[Path]:
    """The directories searched for dataset ``sub``, in order, without repeats."""
    dirs: list[Path] = []
    if data_dir is not None:
        dirs += [data_dir, data_dir / sub]
    env = os.environ.get(ENV_VAR)
    if env:
        root = Path(env).expanduser()
        dirs += [root / sub, root]
    dirs.append(cache_root() / sub)
    unique: list[Path] = []
    for d in dirs:
        if d not in unique:
            unique.append(d)
    return unique


def find_in(
    dirs: Sequence[Path], names: Sequence[Sequence[str]]
) -> tuple[Path, list[Path]] | None:
    """The first directory holding one alternative of every required file.

    Parameters
    ----------
    dirs : sequence of Path
        Directories in search order.
    names : sequence of sequences of str
        For each required file, its accepted names in order of preference
        (e.g. ``["train-images-idx3-ubyte.gz", "train-images-idx3-ubyte"]``).

    Returns
    -------
    (directory, paths) or None
        ``paths[i]`` is the file found for ``names[i]``.
    """
    for d in dirs:
        found = []
        for alternatives in names:
            hit = next((d / n for n in alternatives if (d / n).is_file()), None)
            if hit is None:
                break
            found.append(hit)
        else:
            return d, found
    return None


def describe_dirs(dirs: Sequence[Path]) -> str:
    """The directories as a readable, quoted, comma-separated list."""
    return ", ".join(repr(str(d)) for d in dirs)
