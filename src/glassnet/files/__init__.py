"""Model files: a zip of JSON and ``.npy`` arrays, never pickle.

:mod:`~glassnet.files.model_file` writes and reads a network with its
preprocessing and metadata, checking every size and field of an untrusted
file before allocating anything; :mod:`~glassnet.files.atomic` writes any
file through a temporary that is renamed over the target, so a crash never
leaves a half-written model. Built on :mod:`glassnet.core` and
:mod:`glassnet.datasets` (the preprocessing stored in a model).
"""

from glassnet.files.atomic import atomic_save
from glassnet.files.model_file import (
    FORMAT_NAME,
    FORMAT_VERSION,
    ModelFileError,
    load,
    save,
)

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "ModelFileError",
    "atomic_save",
    "load",
    "save",
]
