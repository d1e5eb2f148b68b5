"""A download that cannot succeed: bounded in time, a clean error line, no
empty folders left, and a pointer to local files."""

import socket
import threading
import time

import pytest

from glassnet.cli import main
from glassnet.datasets import download, mnist

#: a local server that never answers: `pytest -m "not slow"` skips them
pytestmark = pytest.mark.slow


@pytest.fixture
def silent_server():
    """A 127.0.0.1 port that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/"
    stop.set()
    thread.join(2)
    for conn in accepted:
        conn.close()
    server.close()


def refused_url() -> str:
    """A 127.0.0.1 port nobody listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture
def offline(monkeypatch, tmp_path):
    monkeypatch.delenv("GLASSNET_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(download, "TIMEOUT", 0.5)
    return tmp_path / "cache"


def test_the_default_timeout_is_short():
    assert download.TIMEOUT <= 10.0


def test_unreachable_mirrors_fail_fast_with_a_clean_line(
    offline, silent_server, monkeypatch, capsys
):
    monkeypatch.setitem(mnist.MIRRORS, "mnist", (silent_server, refused_url()))
    start = time.perf_counter()
    assert main(["train", "--data", "mnist", "--quiet"]) == 2
    # 4 files, 2 mirrors, 0.5 s each at most for the silent one
    assert time.perf_counter() - start < 8.0
    err = capsys.readouterr().err
    lines = err.split("\n")  # not splitlines: the bar redraws with \r
    error = [line for line in lines if "error" in line]
    assert len(error) == 1 and error[0].startswith("glassnet: error: ")
    assert lines[0].startswith("\rdownloading") and lines[0].endswith("MB")
    assert lines[1].startswith("glassnet: error: ")  # on a line of its own
    assert "GLASSNET_DATA" in error[0]
    assert not offline.exists()  # no empty cache folder left behind


def test_a_failed_download_keeps_existing_folders(tmp_path, monkeypatch):
    monkeypatch.setattr(download, "TIMEOUT", 0.5)
    kept = tmp_path / "kept"
    kept.mkdir()
    with pytest.raises(download.DownloadError, match="127.0.0.1"):
        download.download_files(
            [("f.gz", 10, "0" * 32)], [refused_url()], kept / "a" / "b"
        )
    assert kept.is_dir() and not (kept / "a").exists()
