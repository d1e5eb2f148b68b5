"""Old import paths of the modules that moved into subpackages.

glassnet's modules once sat side by side in one folder; they now live in
subpackages by concept (:mod:`glassnet.core`, :mod:`glassnet.training`, ...).
So that code written against the old paths keeps working, each old module
name is registered in ``sys.modules`` as a stand-in that forwards every
attribute to the module's new home, with a ``DeprecationWarning`` naming it:
``from glassnet.io import load`` still works and says to use
``glassnet.files.model_file`` (or ``glassnet.load``).

Families of named objects keep their short public paths without a warning:
``glassnet.activations``, ``glassnet.losses``, ``glassnet.initializers``,
``glassnet.regularizers``, ``glassnet.optimizers``, ``glassnet.schedules``
and ``glassnet.plotting`` are the modules themselves (``gn.optimizers.get``,
as in Keras). Nothing here imports a module before it is used.
"""

from __future__ import annotations

import importlib
import sys
import types
import warnings

#: Public short paths: the same module object under a second name.
ALIASES = {
    "activations": "core.activations",
    "losses": "core.losses",
    "initializers": "core.initializers",
    "regularizers": "core.regularizers",
    "optimizers": "core.optimizers",
    "schedules": "training.schedules",
    "plotting": "report.plots",
}

#: Old module paths (below ``glassnet.``) and where each module went.
MOVED = {
    "layers": "core.layers",
    "network": "core.network",
    "callbacks": "training.callbacks",
    "progress": "training.progress",
    "gradcheck": "inspection.gradcheck",
    "diagnostics": "training.diagnostics",
    "trace": "inspection.trace",
    "io": "files.model_file",
    "onnx_export": "interop.onnx",
    "torch_interop": "interop.torch",
    "sklearn_interop": "interop.sklearn_weights",
    "recipe": "runs.recipe",
    "sweep": "runs.sweep",
    "notebook": "report.notebook",
    "preprocessing": "datasets.scalers",
    "pipeline": "datasets.preprocessing",
}


#: Names an old module had that now live in a second new module.
ALSO = {"trace": "inspection.lecture_examples"}


class _Alias(types.ModuleType):
    """A module under a second name: attributes come from the real module."""

    def __init__(self, old: str, new: str, deprecated: bool):
        super().__init__(f"glassnet.{old}")
        also = ALSO.get(old)
        self.__dict__.update(
            _new=f"glassnet.{new}",
            _also=None if also is None else f"glassnet.{also}",
            _deprecated=deprecated,
        )
        self.__doc__ = f"Moved to :mod:`glassnet.{new}`."

    def _target(self, name: str | None = None):
        module = importlib.import_module(self.__dict__["_new"])
        also = self.__dict__["_also"]
        if name is not None and also is not None and not hasattr(module, name):
            return importlib.import_module(also)
        return module

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        target = self._target(name)
        if self.__dict__["_deprecated"]:
            warnings.warn(
                f"The module {self.__name__} moved to {target.__name__}; "
                f"import {name} from there (or from glassnet). The old path "
                "will be removed in a future release.",
                DeprecationWarning,
                stacklevel=2,
            )
        return getattr(target, name)

    def __dir__(self):
        return dir(self._target())


def install() -> None:
    """Register the old and short module paths (imports nothing yet)."""
    for old, new in MOVED.items():
        sys.modules.setdefault(f"glassnet.{old}", _Alias(old, new, deprecated=True))


def module(name: str):
    """The real module behind a short public path, e.g. ``"optimizers"``."""
    return importlib.import_module(f"glassnet.{ALIASES[name]}")
