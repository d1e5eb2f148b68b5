"""Running the command line as a user types it: a subprocess per command."""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args, cwd, timeout=300):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "glassnet", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=env,
    )


def interrupt_after(*args, first, cwd, timeout=120):
    """Run the command, send SIGINT (Ctrl-C) once a stdout line starts with
    ``first``; return the completed process (stdout after that line)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    process = subprocess.Popen(
        [sys.executable, "-m", "glassnet", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=env,
    )
    watchdog = threading.Timer(timeout, process.kill)  # bounded even if silent
    watchdog.start()
    try:
        for line in process.stdout:
            if line.startswith(first):
                process.send_signal(signal.SIGINT)
                break
        stdout, stderr = process.communicate(timeout=timeout)
    finally:
        watchdog.cancel()
        process.kill()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def assert_usage_error(result, message):
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("glassnet: error: "), lines
    assert message in lines[0], lines[0]
    assert "Traceback" not in result.stderr
