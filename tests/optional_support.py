"""Optional dependencies in tests: skip with the reason, or fail under CI.

Continuous integration (``CI`` set) installs every optional dependency the
tests use (``.ci/run``), so there a missing one is an error, not a skip.
"""

from __future__ import annotations

import importlib
import os

import pytest


def require(module: str, extra: str):
    """Import ``module`` or skip (fail under CI), naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError:
        reason = f"{module} is not installed (pip install 'glassnet[{extra}]')"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI installs it, so its absence is an error")
        pytest.skip(reason, allow_module_level=True)
