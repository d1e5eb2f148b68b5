"""``glassnet --version`` and ``python -m glassnet --version``."""

import pytest
from cli_support import run

import glassnet as gn

#: subprocesses: `pytest -m "not slow"` skips them
pytestmark = pytest.mark.slow


def test_version_is_printed(tmp_path):
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"glassnet {gn.__version__}"
