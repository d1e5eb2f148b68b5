"""load(name) and available(): the registry of datasets, and Dataset itself."""

import numpy as np
import pytest
from datasets_support import data_dir_fixture, write_fake_mnist  # noqa: F401

import glassnet.datasets as gd
from glassnet.datasets import Dataset, available, load
from glassnet.datasets import download as download_module

NAMES = [
    "digits",
    "mnist",
    "fashion-mnist",
    "ilpd",
    "california-housing",
    "xor",
    "circle",
    "gauss",
    "spiral",
    "moons",
    "plane",
]


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_DATA", str(tmp_path / "shared"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def no_download(*args, **kwargs):
        raise AssertionError("nothing may be downloaded here")

    monkeypatch.setattr(download_module, "download_files", no_download)
    monkeypatch.setattr(gd.mnist, "download_files", no_download)
    return tmp_path


def test_registry_names():
    assert set(NAMES) <= set(gd.REGISTRY)


@pytest.mark.parametrize("name", ["digits", "xor", "Moons", "multi_gauss"])
def test_load_by_name(name):
    data = load(name, seed=1)
    assert isinstance(data, Dataset)
    assert data.name == name.lower().replace("_", "-")


def test_load_passes_options():
    assert load("digits", test_size=97).X_test.shape == (97, 64)
    assert load("spiral", n_samples=40, noise=0.1).X_train.shape == (20, 2)


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError) as info:
        load("cifar10")
    message = str(info.value)
    assert "Unknown dataset 'cifar10'" in message
    for name in NAMES:
        assert name in message


def test_unknown_option_lists_the_options():
    with pytest.raises(TypeError, match="does not accept 'data_dir'. Its options: "):
        load("xor", data_dir="x")


def test_mnist_by_name_ignores_seed(isolated):
    write_fake_mnist(isolated / "shared" / "mnist")
    data = load("mnist", seed=3, download=False)
    assert data.X_train.shape == (3, 784)


def test_available_without_data(isolated):
    status = available()
    assert set(NAMES) <= set(status)
    assert status["digits"] == "bundled"
    assert status["xor"] == "generated"
    cache = isolated / "cache" / "glassnet"
    assert status["mnist"] == f"downloadable (to {cache / 'mnist'})"
    assert status["fashion-mnist"] == f"downloadable (to {cache / 'fashion-mnist'})"
    assert status["ilpd"].startswith("missing (put ilpd.csv in one of: ")
    assert repr(str(isolated / "shared" / "ilpd")) in status["ilpd"]
    assert status["california-housing"].startswith("missing (put cal_housing.data")


def test_available_with_local_files(isolated):
    write_fake_mnist(isolated / "shared" / "mnist")
    (isolated / "mine").mkdir()
    (isolated / "mine" / "housing.csv").write_text("x\n")
    status = available(isolated / "mine")
    assert status["mnist"] == f"found locally at {isolated / 'shared' / 'mnist'}"
    assert status["california-housing"] == (
        f"found locally at {isolated / 'mine' / 'housing.csv'}"
    )
    assert status["fashion-mnist"] == f"downloadable (to {isolated / 'mine'})"


def test_available_with_shared_data(data_dir, monkeypatch):
    monkeypatch.setenv("GLASSNET_DATA", str(data_dir))
    status = available()
    assert status["ilpd"] == f"found locally at {data_dir / 'ilpd' / 'ilpd.csv'}"
    assert status["mnist"] == f"found locally at {data_dir / 'mnist'}"


def _tiny(**changes):
    fields = dict(
        X_train=np.zeros((3, 2), np.float32),
        y_train=np.array([0, 1, 1]),
        X_test=np.zeros((1, 2), np.float32),
        y_test=np.array([0]),
        feature_names=["a", "b"],
        target_names=["no", "yes"],
        task="classification",
        name="tiny",
        description="A tiny table.",
    )
    fields.update(changes)
    return Dataset(**fields)


def test_dataset_fields_and_checks():
    data = _tiny()
    assert data.n_classes == 2 and data.n_features == 2
    assert data.schema.feature_names == ["a", "b"]
    assert "tiny" in repr(data) and "(3, 2)" in repr(data)
    with pytest.raises(AttributeError):
        data.name = "other"  # frozen
    with pytest.raises(ValueError, match="one name per feature"):
        _tiny(feature_names=["a"])
    with pytest.raises(ValueError, match=r"class codes in \[0, 1\]"):
        _tiny(y_test=np.array([2]))
    with pytest.raises(ValueError, match="'task' field"):
        _tiny(task="ranking")
    regression = _tiny(task="regression", target_names=None)
    assert regression.n_classes is None
