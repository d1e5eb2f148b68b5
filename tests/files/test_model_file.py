"""Model files: exact round trips, atomic writes, and refusal of bad files."""

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet.files.atomic import check_writable
from glassnet.files.model_file import FORMAT_VERSION, MANIFEST


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


def test_an_exp_output_with_the_poisson_loss_round_trips(tmp_path):
    net = gn.Network.mlp([3, 4, 2], output="exp", loss="poisson", seed=0)
    net.save(tmp_path / "p.glassnet")
    loaded = gn.load(tmp_path / "p.glassnet")
    assert loaded.output_activation == gn.Exp() and loaded.loss.name == "poisson"
    X = np.random.default_rng(0).normal(size=(5, 3))
    first, last = loaded.layers
    H = first.activation(X @ first.W.T + first.b)
    expected = np.exp(H @ last.W.T + last.b)
    np.testing.assert_allclose(loaded.forward(X), expected, rtol=1e-5)
    assert np.array_equal(loaded.forward(X), net.forward(X))


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


# -- saving: what save writes, load reads ---------------------------------------
def test_a_diverged_network_is_not_saved(tmp_path):
    net = gn.Network.mlp([3, 4, 2], seed=0)
    net.layers[1].W[0, 1] = np.nan
    with pytest.raises(ValueError, match=r"layer 2's W holds NaN .*diverged"):
        net.save(tmp_path / "m.glassnet")
    assert not list(tmp_path.iterdir())


def test_non_finite_metadata_is_stored_as_null(tmp_path):
    net = gn.Network.mlp([3, 2], seed=0)
    history = {"loss": [1.0, float("nan"), float("inf")], "val_loss": [0.5, 0.25, 0.0]}
    net.save(
        tmp_path / "m.glassnet",
        metadata={"history": history, "note": float("-inf"), "x": [float("nan")]},
    )
    with zipfile.ZipFile(tmp_path / "m.glassnet") as archive:
        text = archive.read(MANIFEST).decode()
    assert "NaN" not in text and "Infinity" not in text  # standard JSON
    meta = gn.load(tmp_path / "m.glassnet").metadata
    loss = meta["history"]["loss"]
    assert loss[0] == 1.0 and np.isnan(loss[1]) and np.isnan(loss[2])
    assert meta["history"]["val_loss"] == [0.5, 0.25, 0.0]
    assert meta["note"] is None and meta["x"] == [None]


def random_metadata(rng, n_inputs):
    """Metadata of every kind save may be handed, valid or not."""
    values = [0, -3, 2.5, float("nan"), float("inf"), "s", None, True, [1, None]]
    pick = lambda: values[int(rng.integers(0, len(values)))]  # noqa: E731
    options = {
        "config": [{"seed": 3}, {"seed": None}, {"seed": "3"}, "x", {"lr": pick()}],
        "dataset": ["digits", 5],
        "feature_names": [[f"f{i}" for i in range(n_inputs)], ["a"], "ab"],
        "history": [{"loss": [pick(), pick()]}, {"loss": 1.0}, {"loss": ["x"]}],
        "test_metrics": [{"acc": pick()}, {"acc": "x"}],
        "train_seconds": [1.5, -1, float("nan"), "x"],
        "epoch": [3, -1, 2.0],
        "nested": [[[[1]]], json.loads("[" * 40 + "]" * 40), {"a": {"b": pick()}}],
        "other": [pick(), {"k": pick()}],
    }
    chosen = rng.choice(list(options), size=int(rng.integers(0, 5)), replace=False)
    return {
        key: options[key][int(rng.integers(0, len(options[key])))] for key in chosen
    }


def test_everything_save_accepts_load_accepts(tmp_path):
    from glassnet.datasets.preprocessing import Preprocessing
    from glassnet.datasets.scalers import StandardScaler

    rng = np.random.default_rng(11)
    X = rng.normal(size=(10, 3))
    n_saved = n_refused = 0
    for i in range(60):
        net = gn.Network.mlp([3, 4, int(rng.integers(1, 4))], seed=i)
        classes = [["a", "b"], ["a", "b", "c"], None][int(rng.integers(0, 3))]
        net.preprocessing = Preprocessing(
            scaler=StandardScaler().fit(X) if rng.random() < 0.5 else None,
            classes=classes,
        )
        path = tmp_path / f"m{i}.glassnet"
        try:
            net.save(path, metadata=random_metadata(rng, 3))
        except ValueError as exc:
            assert "load would refuse" in str(exc) or "nest" in str(exc), exc
            assert not path.exists()
            n_refused += 1
            continue
        loaded = gn.load(path)  # never refused
        loaded.save(path)  # and what load gives, save takes
        n_saved += 1
    assert n_saved > 10 and n_refused > 10


@pytest.mark.parametrize(
    "metadata, saved",
    [
        ({"notes": "x" * 2_000_000}, True),  # a large manifest: past the deflate cap
        ({"notes": "x" * 200_000 + "\u00e9" * 10}, True),
        ({"history": {"loss": [0.5] * 400_000}}, True),  # deflates ~1000x
        ({"notes": "a," * 1_500_000}, True),  # commas in a string are no values
        ({"x": [{}] * 1_100_000}, False),  # more JSON values than load reads
        ({"history": {"loss": [0.5] * 1_100_000}}, False),
    ],
    ids=["notes", "unicode", "history", "commas", "dicts", "long-history"],
)
@pytest.mark.slow  # large manifests
def test_large_metadata_is_saved_only_if_load_reads_it(tmp_path, metadata, saved):
    net = gn.Network.mlp([3, 2], seed=0)
    path = tmp_path / "m.glassnet"
    if not saved:
        with pytest.raises(ValueError, match="JSON values.*load would refuse"):
            net.save(path, metadata=metadata)
        assert not path.exists()
        return
    net.save(path, metadata=metadata)
    loaded = gn.load(path)
    assert {key: loaded.metadata[key] for key in metadata} == metadata
    loaded.save(path)


def test_a_deflated_manifest_of_an_older_file_still_loads(tmp_path):
    net = gn.Network.mlp([3, 2], seed=0)
    path = tmp_path / "m.glassnet"
    net.save(path, metadata={"notes": "x" * 10})
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(path, "w") as archive:
        text = json.dumps(json.loads(members.pop(MANIFEST)), indent=2)
        archive.writestr(MANIFEST, text, compress_type=zipfile.ZIP_DEFLATED)
        for name, blob in members.items():
            archive.writestr(name, blob)
    assert gn.load(path).metadata["notes"] == "x" * 10


def test_save_refuses_a_field_that_load_would_refuse(tmp_path):
    net = gn.Network.mlp([3, 2], seed=0)
    with pytest.raises(ValueError, match=r"'metadata.feature_names' must list 3"):
        net.save(tmp_path / "m.glassnet", metadata={"feature_names": ["a"]})
    assert not list(tmp_path.iterdir())


# -- saving: the file on disk ---------------------------------------------------
@pytest.mark.slow  # a subprocess or a real dataset
def test_a_killed_save_leaves_a_temporary_the_next_save_removes(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    target = tmp_path / "model.glassnet"
    code = (
        "import sys, time\n"
        "from glassnet.files.atomic import atomic_save\n"
        "def write(tmp):\n"
        "    open(tmp, 'wb').write(b'x' * 1000)\n"
        "    time.sleep(60)\n"
        "atomic_save(sys.argv[1], write)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code, str(target)])
    deadline = time.monotonic() + 20
    while not list(tmp_path.glob(".model.glassnet.*.tmp")):
        assert time.monotonic() < deadline and child.poll() is None
        time.sleep(0.05)
    time.sleep(0.2)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    [stale] = tmp_path.glob(".model.glassnet.*.tmp")
    # a temporary of a live writer (this process), of another target, and an
    # old-style one (no pid) that is recent: all kept; an old one: removed
    host = stale.name.split(".")[-2][:6]
    alive = tmp_path / f".model.glassnet.{host}-{os.getpid()}-{'0' * 12}.tmp"
    other = tmp_path / ".model.glassnet.x.aaaaaa-1-000000000000.tmp"
    recent = tmp_path / ".model.glassnet.0123456789ab.tmp"
    old = tmp_path / ".model.glassnet.ba9876543210.tmp"
    for path in (alive, other, recent, old):
        path.write_bytes(b"")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    gn.Network.mlp([2, 2], seed=0).save(target)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["model.glassnet", alive.name, other.name, recent.name])
    gn.load(target)


def test_an_overwritten_file_keeps_its_mode_and_a_new_one_gets_the_umask(tmp_path):
    import os
    import stat

    net = gn.Network.mlp([2, 2], seed=0)
    path = tmp_path / "m.glassnet"
    old_umask = os.umask(0o027)
    try:
        net.save(path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o640  # 0o666 & ~0o027
        path.chmod(0o600)
        net.save(path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(old_umask)


def test_a_symbolic_link_is_saved_through(tmp_path):
    import os

    net = gn.Network.mlp([2, 2], seed=0)
    target = tmp_path / "real" / "m.glassnet"
    target.parent.mkdir()
    target.write_bytes(b"old")
    link = tmp_path / "link.glassnet"
    link.symlink_to(target)
    net.save(link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert np.array_equal(gn.load(target).get_weights()[0], net.get_weights()[0])
    # a dangling link creates its target, as open(link, "w") does
    dangling = tmp_path / "dangling.glassnet"
    dangling.symlink_to(tmp_path / "new.glassnet")
    net.save(dangling)
    assert dangling.is_symlink() and (tmp_path / "new.glassnet").is_file()
    assert sorted(p.name for p in target.parent.iterdir()) == ["m.glassnet"]


def test_a_replaced_file_keeps_only_its_permission_bits(tmp_path):
    import stat

    net = gn.Network.mlp([2, 2], seed=0)
    path = tmp_path / "m.glassnet"
    path.write_bytes(b"old")
    path.chmod(0o4755)
    net.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o755


def test_an_empty_path_or_a_directory_is_named(tmp_path):
    net = gn.Network.mlp([2, 2], seed=0)
    with pytest.raises(FileNotFoundError, match="Cannot write '': empty path"):
        net.save("")
    with pytest.raises(IsADirectoryError, match=f"Cannot write {tmp_path}: it is a"):
        net.save(tmp_path)
    with pytest.raises(IsADirectoryError, match="it is a directory"):
        gn.save(net, str(tmp_path) + "/")
    with pytest.raises(FileNotFoundError, match="Cannot write '': empty path"):
        check_writable("")
    assert not list(tmp_path.iterdir())


def test_a_long_legal_file_name_is_saved(tmp_path):
    net = gn.Network.mlp([2, 2], seed=0)
    for name in ("m" * 246 + ".glassnet", "é" * 118 + ".glassnet"):  # 255 bytes
        path = tmp_path / name
        net.save(path)
        net.save(path)  # over an existing file too
        gn.load(path)
    assert len(list(tmp_path.iterdir())) == 2


def test_check_writable_names_the_path_and_the_reason(tmp_path, monkeypatch):
    import errno
    import os

    from glassnet.files.model_file import check_writable

    check_writable(tmp_path / "m.glassnet")
    assert not list(tmp_path.iterdir())  # the probe is removed
    with pytest.raises(IsADirectoryError, match=f"Cannot write {tmp_path}: it is a"):
        check_writable(tmp_path)
    with pytest.raises(FileNotFoundError, match="directory .*absent does not exist"):
        check_writable(tmp_path / "absent" / "m.glassnet")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(
        OSError, match="Cannot write .*m.glassnet: No space left"
    ) as info:
        check_writable(tmp_path / "m.glassnet")
    assert info.value.errno == errno.ENOSPC
    assert not list(tmp_path.iterdir())


@pytest.mark.skipif(
    not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0,
    reason="permissions do not bind root",
)
def test_check_writable_finds_a_read_only_folder(tmp_path):
    from glassnet.files.model_file import check_writable

    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match="Cannot write .*ro/m.glassnet"):
            check_writable(folder / "m.glassnet")
    finally:
        folder.chmod(0o700)


def test_a_model_file_saved_before_the_subpackage_layout_predicts_the_same():
    # Saved, with its predictions, by the code as it was before the modules
    # moved into subpackages: the file format and the numbers must not change.
    data = Path(__file__).resolve().parents[1] / "data"
    expected = np.load(data / "before_layout_expected.npz")
    net = gn.load(data / "before_layout.glassnet")
    # (saved with the compiled kernels' rounding; both backends agree to
    # float32 rounding, and the default backend of inference depends on
    # whether the kernels are loaded)
    np.testing.assert_allclose(
        net.predict_proba(expected["X"]), expected["proba"], rtol=1e-6, atol=1e-7
    )
    np.testing.assert_array_equal(net.predict(expected["X"]), expected["labels"])


def _device_twin_of_dev_null(tmp_path):
    """A character device like /dev/null in tmp_path (needs root), else skip."""
    import os
    import stat

    twin = tmp_path / "null"
    try:
        os.mknod(twin, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, AttributeError, OSError):
        pytest.skip("creating a device file needs root")
    return twin


def test_saving_to_a_device_writes_into_it_and_keeps_the_device(
    model_and_inputs, tmp_path
):
    import os
    import stat

    net = model_and_inputs[0]
    twin = _device_twin_of_dev_null(tmp_path)
    gn.save(net, twin)  # the bytes go to the device, as open() would send them
    check_writable(twin)
    assert stat.S_ISCHR(os.stat(twin).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.glassnet", "null"]


def test_saving_to_a_named_pipe_streams_into_it(model_and_inputs, tmp_path):
    import os
    import stat
    import threading

    net = model_and_inputs[0]
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    gn.save(net, pipe)
    reader.join(timeout=30)
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)
    copy = tmp_path / "copy.glassnet"
    copy.write_bytes(received[0])
    X = model_and_inputs[2]
    assert np.array_equal(gn.load(copy).predict(X), net.predict(X))
