"""Argument checks shared by the dataset loaders.

Messages follow one form: they name the parameter, say what is allowed and
what was received, e.g. "The 'seed' parameter must be an int >= 0 or None.
Got -1 instead."
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np


def check_seed(seed, name: str = "seed") -> np.random.Generator:
    """Return ``np.random.default_rng(seed)`` for an int >= 0 or None."""
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0
    ):
        exc = TypeError if not isinstance(seed, numbers.Number) else ValueError
        raise exc(
            f"The '{name}' parameter must be an int >= 0 or None. Got {seed!r} instead."
        )
    return np.random.default_rng(None if seed is None else int(seed))


def check_choice(value, name: str, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise ValueError."""
    choices = list(choices)
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(
            f"The '{name}' parameter must be one of {allowed}. Got {value!r} instead."
        )
    return value


def check_int(value, name: str, *, minimum: int) -> int:
    """Return ``value`` as an int >= ``minimum``, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        exc = TypeError if not isinstance(value, numbers.Number) else ValueError
        raise exc(
            f"The '{name}' parameter must be an int >= {minimum}. "
            f"Got {value!r} instead."
        )
    if value < minimum:
        raise ValueError(
            f"The '{name}' parameter must be an int >= {minimum}. "
            f"Got {value!r} instead."
        )
    return int(value)


def check_dir(value, name: str = "data_dir") -> Path | None:
    """Return ``value`` as an expanded Path, None for None, else raise TypeError."""
    if value is None:
        return None
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(
            f"The '{name}' parameter must be a str or os.PathLike path or None. "
            f"Got {type(value).__name__} instead."
        )
    return Path(value).expanduser()


def check_file(value, name: str = "path") -> Path:
    """Return ``value`` as a Path to an existing file, else raise."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(
            f"The '{name}' parameter must be a str or os.PathLike path. "
            f"Got {type(value).__name__} instead."
        )
    path = Path(value).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"The file {str(path)!r} does not exist.")
    return path
