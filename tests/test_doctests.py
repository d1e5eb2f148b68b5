"""Every Examples section of the glassnet package runs, and shows what it prints.

The modules are found with :mod:`pkgutil` (the command line and the
playground included: their docstrings are documentation too); each is one
test, run by :class:`doctest.DocTestRunner` with ``ELLIPSIS`` and
``NORMALIZE_WHITESPACE``, on the NumPy backend (``GLASSNET_ACCELERATE=0``:
the compiled one agrees to float32 rounding and would first compile its
kernels). A module whose optional dependency is missing
(matplotlib, torch, onnx, ...) is skipped with the reason. The deprecated
stand-ins of :mod:`glassnet._moved` are not modules of their own and are not
collected, nor is ``glassnet.__main__`` (a script: importing it runs it).
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import glassnet

OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _module_names() -> list[str]:
    names = ["glassnet"]
    for info in pkgutil.walk_packages(glassnet.__path__, "glassnet."):
        if not info.name.endswith("__main__"):  # a script: importing runs it
            names.append(info.name)
    return sorted(names)


MODULES = _module_names()


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, monkeypatch):
    # the NumPy backend: an example needs no kernel compilation (seconds)
    monkeypatch.setenv("GLASSNET_ACCELERATE", "0")
    try:
        module = importlib.import_module(name)
    except ImportError as error:  # an optional dependency
        pytest.skip(f"{name} needs {error.name or error}")
    finder = doctest.DocTestFinder(exclude_empty=True)
    # only the objects defined in this module (re-exports are tested at home)
    tests = [t for t in finder.find(module, name) if t.examples]
    if not tests:
        return  # nothing to run (most modules: the public API carries them)
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    printed = []
    with np.printoptions(legacy=False):
        for test in sorted(tests, key=lambda t: t.name):
            runner.run(test, out=printed.append)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, "".join(printed)
