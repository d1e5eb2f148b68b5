"""glassnet playground, run as a user runs it (a subprocess on 127.0.0.1)."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.request

import pytest
from cli_support import ROOT, assert_usage_error, run

#: subprocesses, browsers, servers or real datasets: `pytest -m "not slow"` skips
pytestmark = pytest.mark.slow


def start(*args):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.Popen(
        [sys.executable, "-m", "glassnet", "playground", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def first_line(process, seconds=30):
    """The first line the process prints, waiting at most ``seconds``."""
    lines = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()))
    reader.start()
    reader.join(seconds)
    assert lines and lines[0], "the playground printed nothing"
    return lines[0]


def test_help():
    result = run("playground", "--help", cwd=ROOT)
    assert result.returncode == 0
    for flag in ("--host", "--port", "--open", "--json"):
        assert flag in result.stdout


def test_serves_the_page_and_stops_on_ctrl_c():
    process = start("--port", "0", "--json")
    try:
        address = json.loads(first_line(process))
        assert address["host"] == "127.0.0.1" and address["port"] > 0
        with urllib.request.urlopen(address["url"], timeout=10) as page:
            assert b"glassnet playground" in page.read()
        with urllib.request.urlopen(address["url"] + "api/options", timeout=10) as r:
            assert json.loads(r.read())["defaults"]["data"] == "circle"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()


def test_a_port_in_use_is_a_clear_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("playground", "--port", port, cwd=tmp_path, timeout=30)
    assert_usage_error(result, f"cannot listen on 127.0.0.1 port {port}")


def test_another_host_is_warned_about(tmp_path):
    # 192.0.2.1 (TEST-NET-1) is no address of this machine: nothing is bound.
    result = run("playground", "--host", "192.0.2.1", "--port", "0", cwd=tmp_path)
    assert result.returncode == 2
    warning, error = result.stderr.strip().splitlines()
    assert warning.startswith("glassnet: warning: serving on 192.0.2.1")
    assert "any web page you visit could send it requests" in warning
    assert error.startswith("glassnet: error: cannot listen on 192.0.2.1")


def test_bad_options(tmp_path):
    result = run("playground", "--port", "70000", cwd=tmp_path)
    assert_usage_error(result, "--port must be in [0, 65535]")
    result = run("playground", "--max-sessions", "0", cwd=tmp_path)
    assert_usage_error(result, "--max-sessions must be in [1, 256]")
