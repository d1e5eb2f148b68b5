"""Model files: exact round trips, atomic writes, and refusal of bad files."""

import io
import json
import zipfile

import numpy as np
import pytest

import glassnet as gn
from glassnet.io import FORMAT_VERSION, MANIFEST


@pytest.fixture
def model_and_inputs(tmp_path):
    rng = np.random.default_rng(0)
    net = gn.Network.mlp([5, 7, 3], hidden="tanh", seed=1)
    net.fit(rng.normal(size=(40, 5)), rng.integers(0, 3, size=40), epochs=2, seed=0)
    path = tmp_path / "model.glassnet"
    net.save(path, metadata={"note": "test"})
    return net, path, rng.normal(size=(20, 5))


def test_round_trip_is_bit_for_bit(model_and_inputs):
    net, path, X = model_and_inputs
    loaded = gn.load(path)
    assert loaded.dtype == net.dtype
    assert [repr(layer) for layer in loaded.layers] == [repr(x) for x in net.layers]
    assert loaded.loss.name == net.loss.name
    for a, b in zip(net.get_weights(), loaded.get_weights(), strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    assert np.array_equal(loaded.predict_proba(X), net.predict_proba(X))
    assert loaded.metadata == {"note": "test"}


def test_dropout_batch_norm_and_regularizers_round_trip(tmp_path):
    rng = np.random.default_rng(3)
    layers = [
        gn.Dense(4, 6, "relu", regularizer=gn.L1(0.01)),
        gn.BatchNorm(activation="tanh"),
        gn.Dropout(0.3, seed=1),
        gn.Dense(6, 2, "softmax"),
    ]
    net = gn.Network(layers, seed=0, regularizer=gn.L2(0.02))
    X, y = rng.normal(size=(30, 4)), rng.integers(0, 2, size=30)
    net.fit(X, y, epochs=2, batch_size=8, seed=0)
    net.save(tmp_path / "bn.glassnet")
    loaded = gn.load(tmp_path / "bn.glassnet")
    assert [repr(layer) for layer in loaded.layers] == [repr(x) for x in net.layers]
    assert loaded.regularizer.config() == net.regularizer.config()
    assert loaded.layers[0].regularizer.config() == net.layers[0].regularizer.config()
    # running statistics are restored: inference outputs agree bit for bit
    assert np.array_equal(loaded.predict_proba(X), net.predict_proba(X))
    assert loaded.evaluate(X, y)["loss"] == net.evaluate(X, y)["loss"]


def test_float64_and_regression_round_trip(tmp_path):
    net = gn.Network.mlp([2, 3, 1], loss="huber", seed=0, dtype="float64")
    net.save(tmp_path / "r.glassnet")
    loaded = gn.load(tmp_path / "r.glassnet")
    assert loaded.dtype == np.float64 and loaded.loss.name == "huber"
    X = np.array([[0.1, 0.2], [3.0, -1.0]])
    assert np.array_equal(loaded.predict(X), net.predict(X))


def test_the_file_is_a_zip_of_json_and_npy(model_and_inputs):
    _, path, _ = model_and_inputs
    with zipfile.ZipFile(path) as archive:
        names = sorted(archive.namelist())
        manifest = json.loads(archive.read(MANIFEST))
    assert names == sorted(
        [
            MANIFEST,
            "layers/0/W.npy",
            "layers/0/b.npy",
            "layers/1/W.npy",
            "layers/1/b.npy",
        ]
    )
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["layers"][0]["activation"] == {"name": "tanh"}
    assert manifest["arrays"]["layers/0/W.npy"]["shape"] == [7, 5]


def test_save_is_atomic_and_keeps_the_old_file(model_and_inputs, monkeypatch):
    net, path, X = model_and_inputs
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", crash)
    with pytest.raises(OSError, match="disk full"):
        net.save(path)
    assert path.read_bytes() == before  # the old model is intact
    assert [p.name for p in path.parent.iterdir()] == ["model.glassnet"]  # no temp


def test_unserialisable_metadata_is_refused_before_writing(tmp_path):
    net = gn.Network.mlp([2, 2], seed=0)
    with pytest.raises(ValueError, match="JSON-serialisable"):
        net.save(tmp_path / "m.glassnet", metadata={"x": object()})
    assert not list(tmp_path.iterdir())


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        gn.load(tmp_path / "absent.glassnet")
    with pytest.raises(FileNotFoundError, match="directory"):
        gn.Network.mlp([2, 2], seed=0).save(tmp_path / "no" / "m.glassnet")


def test_truncated_file(model_and_inputs):
    _, path, _ = model_and_inputs
    data = path.read_bytes()
    for cut in (10, len(data) // 2, len(data) - 5):
        path.write_bytes(data[:cut])
        with pytest.raises(gn.ModelFileError, match="truncated or corrupt"):
            gn.load(path)


def rewrite(path, edit_manifest=None, extra=None, replace=None):
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members[MANIFEST])
    if edit_manifest:
        edit_manifest(manifest)
    members[MANIFEST] = json.dumps(manifest).encode()
    members.update(replace or {})
    members.update(extra or {})
    with zipfile.ZipFile(path, "w") as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)


def test_newer_format_version(model_and_inputs):
    _, path, _ = model_and_inputs
    rewrite(path, edit_manifest=lambda m: m.update(format_version=FORMAT_VERSION + 1))
    with pytest.raises(gn.ModelFileError, match="newer than this glassnet reads"):
        gn.load(path)


def test_zip_that_is_not_a_model(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(gn.ModelFileError, match="zip archive but not a glassnet model"):
        gn.load(path)
    text = tmp_path / "notes.glassnet"
    text.write_text("just text")
    with pytest.raises(gn.ModelFileError, match="not a glassnet model file"):
        gn.load(text)


def pickled_npy(value) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.array([value, None], dtype=object), allow_pickle=True)
    return buffer.getvalue()


def test_a_pickled_array_is_refused_even_with_a_matching_checksum(model_and_inputs):
    import hashlib

    _, path, _ = model_and_inputs
    blob = pickled_npy({"payload": 1})

    def point_to_pickle(manifest):
        entry = manifest["arrays"]["layers/0/b.npy"]
        entry["sha256"] = hashlib.sha256(blob).hexdigest()

    rewrite(path, edit_manifest=point_to_pickle, replace={"layers/0/b.npy": blob})
    with pytest.raises(gn.ModelFileError, match="pickled object"):
        gn.load(path)


def test_an_extra_pickle_member_is_refused(model_and_inputs):
    _, path, _ = model_and_inputs
    rewrite(path, extra={"payload.pkl": b"\x80\x04K\x01."})
    with pytest.raises(gn.ModelFileError, match=r"members .*payload.pkl"):
        gn.load(path)


def test_changed_weights_fail_the_checksum(model_and_inputs):
    _, path, _ = model_and_inputs
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(7, dtype=np.float32))
    rewrite(path, replace={"layers/0/b.npy": buffer.getvalue()})
    with pytest.raises(gn.ModelFileError, match="checksum"):
        gn.load(path)


def test_flipped_bytes_never_load_a_wrong_model(model_and_inputs):
    """200 seeded single-byte flips: each loads identically or is refused."""
    net, path, X = model_and_inputs
    reference = net.predict_proba(X)
    data = path.read_bytes()
    rng = np.random.default_rng(2024)
    outcomes = {"identical": 0, "refused": 0}
    for position in rng.choice(len(data), size=200, replace=False):
        damaged = bytearray(data)
        damaged[position] ^= 1 << int(rng.integers(0, 8))
        path.write_bytes(bytes(damaged))
        try:
            loaded = gn.load(path)
        except gn.ModelFileError as exc:
            assert str(path) in str(exc)
            outcomes["refused"] += 1
            continue
        assert np.array_equal(loaded.predict_proba(X), reference), position
        outcomes["identical"] += 1
    assert outcomes["refused"] > 100
