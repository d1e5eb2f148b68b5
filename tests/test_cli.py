"""The command line, run as a user types it."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "glassnet", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def test_train_without_arguments_reaches_95_percent_on_the_bundled_digits():
    result = run("train")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    epoch_lines = [line for line in lines if line.startswith("epoch ")]
    assert len(epoch_lines) == 40
    assert "loss" in epoch_lines[0] and "val_loss" in epoch_lines[0]
    assert lines[-1].startswith("test accuracy: ")
    assert float(lines[-1].split(":")[1]) >= 0.95


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--data", "nosuchset"], "Unknown dataset 'nosuchset'"),
        (["train", "--activation", "swish"], "Unknown activation 'swish'"),
        (["train", "--layers", "64,x"], "comma-separated positive integers"),
    ],
)
def test_bad_usage_is_one_line_on_stderr_and_exit_code_2(args, message):
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == "" or "Traceback" not in result.stderr


def test_examples_run():
    for script in ("lectures.py", "xor.py"):
        result = subprocess.run(
            [sys.executable, str(ROOT / "examples" / script)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
    assert (
        "0.722"
        in subprocess.run(
            [sys.executable, str(ROOT / "examples" / "lectures.py")],
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
    )
