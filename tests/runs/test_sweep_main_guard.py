"""A sweep at a script's top level says to add the __main__ guard."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed")
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import numpy as np
import glassnet as gn

X = np.random.default_rng(0).normal(size=(40, 2))
y = (X[:, 0] > 0).astype(int)
result = gn.sweep({"lr": [0.01]}, X, y, base={"epochs": 1}, n_workers=1)
"""


def test_script_without_main_guard(tmp_path):
    (tmp_path / "script.py").write_text(SCRIPT)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    result = subprocess.run(
        [sys.executable, "script.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("RuntimeError: ")
    assert 'if __name__ == "__main__":' in last
    # the worker's own error says the same, in one line
    assert "gn.sweep was called as a worker imported the script" in result.stderr
