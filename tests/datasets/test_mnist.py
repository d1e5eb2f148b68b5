"""load_mnist / load_fashion_mnist: real files, lookup order, options, and the
download path served from local files through file:// URLs (no network)."""

import dataclasses
import gzip
import hashlib

import numpy as np
import pytest
from datasets_support import (  # noqa: F401
    data_dir_fixture,
    require,
    write_fake_mnist,
    write_idx,
)

from glassnet.datasets import load_fashion_mnist, load_mnist
from glassnet.datasets import mnist as mnist_module

#: subprocesses, browsers, servers or real datasets: `pytest -m "not slow"` skips
pytestmark = pytest.mark.slow

MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
FILE_NAMES = [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
]


@pytest.fixture(scope="module")
def mnist(data_dir):
    for name in FILE_NAMES:
        require(data_dir / "mnist" / name)
    return load_mnist(data_dir / "mnist", download=False)


@pytest.fixture(scope="module")
def fashion_uint8(data_dir):
    for name in FILE_NAMES:
        require(data_dir / "fashion-mnist" / name)
    return load_fashion_mnist(data_dir / "fashion-mnist", dtype="uint8", download=False)


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No real data reachable: GLASSNET_DATA and the cache point into tmp."""
    monkeypatch.setenv("GLASSNET_DATA", str(tmp_path / "shared"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path


def test_real_mnist(mnist):
    assert mnist.X_train.shape == (60000, 784)
    assert mnist.X_test.shape == (10000, 784)
    assert mnist.X_train.dtype == np.float32
    assert mnist.X_train.min() == 0.0 and mnist.X_train.max() == 1.0
    # SOURCE.md: mean pixel 33.32 (train) on the 0..255 scale.
    assert float(mnist.X_train.mean(dtype=np.float64)) * 255 == pytest.approx(
        33.32, abs=0.005
    )
    assert np.bincount(mnist.y_train).tolist() == MNIST_TRAIN_COUNTS
    assert np.bincount(mnist.y_test).tolist() == MNIST_TEST_COUNTS
    assert mnist.y_train.dtype == np.int64
    assert mnist.n_classes == 10
    assert mnist.feature_names[0] == "pixel_0_0"
    assert mnist.feature_names[783] == "pixel_27_27"
    assert "LeCun" in mnist.description


def test_real_fashion_mnist_uint8(fashion_uint8):
    data = fashion_uint8
    assert data.X_train.dtype == np.uint8 and data.X_train.shape == (60000, 784)
    assert np.bincount(data.y_train).tolist() == [6000] * 10
    assert np.bincount(data.y_test).tolist() == [1000] * 10
    # SOURCE.md: mean pixel 72.94 (train) / 73.15 (test).
    assert round(float(data.X_train.mean()), 2) == 72.94
    assert round(float(data.X_test.mean()), 2) == 73.15
    assert data.target_names[0] == "T-shirt/top"
    assert data.target_names[9] == "Ankle boot"
    assert "MIT" in data.description


def test_float32_is_uint8_divided_by_255(isolated):
    folder = isolated / "fake"
    write_fake_mnist(folder)
    raw = load_mnist(folder, dtype="uint8", download=False)
    scaled = load_mnist(folder, download=False)
    assert raw.X_train.shape == (3, 784)
    assert np.array_equal(scaled.X_train, raw.X_train.astype(np.float32) / 255)
    # Fake pixel (image i, row r, column c) = i + r + c, flattened row-major.
    assert raw.X_train[2, 28 * 27 + 27] == 2 + 27 + 27
    assert raw.y_train.tolist() == [0, 1, 2] and raw.y_test.tolist() == [0, 1]


def test_flatten_false_keeps_images(isolated):
    write_fake_mnist(isolated / "fake")
    data = load_mnist(isolated / "fake", flatten=False, download=False)
    assert data.X_train.shape == (3, 28, 28)
    assert data.X_test.shape == (2, 28, 28)
    assert data.X_train[1, 2, 3] == np.float32(6 / 255)


def test_raw_idx_files_are_accepted(isolated):
    folder = isolated / "raw"
    for path in write_fake_mnist(folder):
        path.with_suffix("").write_bytes(gzip.decompress(path.read_bytes()))
        path.unlink()
    assert load_mnist(folder, download=False).X_train.shape == (3, 784)


@pytest.mark.parametrize(
    "where", ["env_subfolder", "env_root", "cache", "data_dir_subfolder"]
)
def test_lookup_order_places(isolated, where):
    places = {
        "env_subfolder": isolated / "shared" / "mnist",
        "env_root": isolated / "shared",
        "cache": isolated / "cache" / "glassnet" / "mnist",
        "data_dir_subfolder": isolated / "mine" / "mnist",
    }
    write_fake_mnist(places[where], n_train=4)
    data_dir = isolated / "mine" if where == "data_dir_subfolder" else None
    assert load_mnist(data_dir, download=False).X_train.shape == (4, 784)


def test_explicit_dir_wins_over_environment(isolated):
    write_fake_mnist(isolated / "shared" / "mnist", n_train=4)
    write_fake_mnist(isolated / "mine", n_train=5)
    assert load_mnist(isolated / "mine", download=False).X_train.shape[0] == 5
    assert load_mnist(download=False).X_train.shape[0] == 4


def test_not_found_names_directories_and_files(isolated):
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(isolated / "mine", download=False)
    message = str(info.value)
    for folder in [
        isolated / "mine",
        isolated / "mine" / "mnist",
        isolated / "shared" / "mnist",
        isolated / "shared",
        isolated / "cache" / "glassnet" / "mnist",
    ]:
        assert repr(str(folder)) in message
    for name in FILE_NAMES:
        assert name in message
    assert "download=False" in message


def test_count_mismatch_between_images_and_labels(isolated):
    folder = isolated / "fake"
    write_fake_mnist(folder)
    write_idx(folder / "train-labels-idx1-ubyte.gz", (2,), bytes([1, 2]))
    with pytest.raises(ValueError, match="holds 3 images but .* holds 2 labels"):
        load_mnist(folder, download=False)


def test_images_with_wrong_dtype_code(isolated):
    folder = isolated / "fake"
    write_fake_mnist(folder)
    # dtype code 0x0D (float32): a valid IDX file, but not MNIST images.
    write_idx(
        folder / "t10k-images-idx3-ubyte.gz", (1, 28, 28), bytes(4 * 784), code=13
    )
    with pytest.raises(ValueError, match="expected uint8 images of 28 x 28 pixels"):
        load_mnist(folder, download=False)


def test_bad_options(isolated):
    with pytest.raises(ValueError, match="'kind' parameter must be one of"):
        load_mnist(kind="kmnist")
    with pytest.raises(ValueError, match="'dtype' parameter must be one of"):
        load_mnist(dtype="float64")
    with pytest.raises(TypeError, match="'flatten' parameter must be a bool"):
        load_mnist(flatten="yes")


# --- downloading, served from a local folder through file:// URLs ---------


def _fake_source(monkeypatch, server):
    """Point SOURCES['mnist'] at the fake files in ``server`` (sizes, md5s)."""
    paths = write_fake_mnist(server)
    files = tuple(
        (p.name, p.stat().st_size, hashlib.md5(p.read_bytes()).hexdigest())
        for p in paths
    )
    source = dataclasses.replace(mnist_module.SOURCES["mnist"], files=files)
    monkeypatch.setitem(mnist_module.SOURCES, "mnist", source)
    return files


def test_download_to_cache_with_progress(isolated, monkeypatch):
    server = isolated / "server"
    files = _fake_source(monkeypatch, server)
    monkeypatch.setitem(mnist_module.MIRRORS, "mnist", (server.as_uri() + "/",))
    calls = []
    data = load_mnist(progress=lambda done, total: calls.append((done, total)))
    assert data.X_train.shape == (3, 784)
    cache = isolated / "cache" / "glassnet" / "mnist"
    assert sorted(p.name for p in cache.iterdir()) == sorted(FILE_NAMES)
    total = sum(size for _, size, _ in files)
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert all(t == total for _, t in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    # The second call finds the cached files and downloads nothing.
    monkeypatch.setitem(mnist_module.MIRRORS, "mnist", ())
    assert load_mnist(download=True).X_test.shape == (2, 784)


def test_download_goes_to_data_dir_and_tries_mirrors_in_order(isolated, monkeypatch):
    server = isolated / "server"
    _fake_source(monkeypatch, server)
    dead = (isolated / "nothing-here").as_uri() + "/"
    monkeypatch.setitem(mnist_module.MIRRORS, "mnist", (dead, server.as_uri() + "/"))
    data = load_mnist(isolated / "mine")
    assert data.X_train.shape == (3, 784)
    assert (isolated / "mine" / "t10k-labels-idx1-ubyte.gz").is_file()


def test_download_keeps_verified_files(isolated, monkeypatch):
    server = isolated / "server"
    files = _fake_source(monkeypatch, server)
    monkeypatch.setitem(mnist_module.MIRRORS, "mnist", (server.as_uri() + "/",))
    mine = isolated / "mine"
    mine.mkdir()
    for name in FILE_NAMES[:2]:
        (mine / name).write_bytes((server / name).read_bytes())
    calls = []
    load_mnist(mine, progress=lambda done, total: calls.append(total))
    assert calls[-1] == files[2][1] + files[3][1]  # only the two test files


def test_checksum_mismatch_deletes_the_download(isolated, monkeypatch):
    server = isolated / "server"
    _fake_source(monkeypatch, server)
    (server / "train-images-idx3-ubyte.gz").write_bytes(b"not the published file")
    monkeypatch.setitem(mnist_module.MIRRORS, "mnist", (server.as_uri() + "/",))
    with pytest.raises(ValueError, match="md5 .* published checksum .* was deleted"):
        load_mnist()
    cache = isolated / "cache" / "glassnet" / "mnist"
    assert not cache.exists()  # neither the file, a temporary part nor the folder


def test_offline_download_raises_file_not_found(isolated, monkeypatch):
    _fake_source(monkeypatch, isolated / "server")
    dead = (isolated / "nothing-here").as_uri() + "/"
    monkeypatch.setitem(mnist_module.MIRRORS, "mnist", (dead,))
    with pytest.raises(FileNotFoundError) as info:
        load_mnist()
    message = str(info.value)
    assert "Downloading to" in message and "failed" in message
    assert "train-images-idx3-ubyte.gz" in message
    assert repr(str(isolated / "shared" / "mnist")) in message


@pytest.fixture
def real_mnist_dir(data_dir):
    for name in FILE_NAMES:
        require(data_dir / "mnist" / name)
    return data_dir / "mnist"


def test_real_files_pass_the_published_checksums(real_mnist_dir, isolated, monkeypatch):
    # Serve the shared copies as a mirror: the md5s in the loader (from
    # SOURCE.md) must accept them byte for byte.
    monkeypatch.setitem(mnist_module.MIRRORS, "mnist", (real_mnist_dir.as_uri() + "/",))
    calls = []
    data = load_mnist(dtype="uint8", progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (11594722, 11594722)  # sum of the 4 sizes in SOURCE.md
    assert data.X_test.shape == (10000, 784)
