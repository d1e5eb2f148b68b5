"""The examples without their data: one line saying how to get it, no files."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("script", ["ilpd.py", "california_housing.py"])
def test_missing_data_is_one_line(tmp_path, script):
    env = {k: v for k, v in os.environ.items() if k != "GLASSNET_DATA"}
    env.update(PYTHONPATH=str(ROOT / "src"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{script}: ") and "GLASSNET_DATA" in lines[0]
    # nothing created, not even the (empty) cache folder
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    assert not (tmp_path / "cache").exists()
