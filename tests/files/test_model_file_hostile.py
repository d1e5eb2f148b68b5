"""Model files from untrusted sources: bounded memory and time, one clear error.

Each hostile file is built inside the test (see hostile_files.py), small on
disk; the memory a load takes is measured with tracemalloc (NumPy reports its
array memory to it), so a regression fails here instead of eating the machine.
"""

import hashlib
import io
import json
import time
import tracemalloc
import zipfile
import zlib

import hostile_files as h
import numpy as np
import pytest

import glassnet as gn
from glassnet.files.model_file import MANIFEST

MiB = 1 << 20


def peak_load(path):
    """(the exception load raised or None, the peak traced bytes)."""
    tracemalloc.start()
    try:
        gn.load(path)
        error = None
    except Exception as exc:  # noqa: BLE001 -- the test inspects it
        error = exc
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return error, peak


@pytest.fixture
def saved(tmp_path):
    rng = np.random.default_rng(0)
    net = gn.Network.mlp([5, 7, 3], hidden="tanh", seed=1)
    net.fit(rng.normal(size=(40, 5)), rng.integers(0, 3, size=40), epochs=2, seed=0)
    path = tmp_path / "model.glassnet"
    net.save(path)
    return net, path


def members_of(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_members(path, members, edit=None):
    manifest = json.loads(members[MANIFEST])
    if edit:
        edit(manifest)
    members = {**members, MANIFEST: json.dumps(manifest).encode()}
    with zipfile.ZipFile(path, "w") as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)


def refused(path, *fragments):
    with pytest.raises(gn.ModelFileError) as info:
        gn.load(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message and len(message) < 600
    for fragment in fragments:
        assert fragment in message, message
    return message


# -- resources follow sizes declared inside the file ------------------------------
@pytest.mark.parametrize("method", [h.BZIP2, h.LZMA], ids=["bzip2", "lzma"])
def test_a_member_that_inflates_past_its_size_is_refused_unread(tmp_path, method):
    # declared size and CRC are the true .npy's; the stream goes on 8 MiB
    path = tmp_path / "m.glassnet"
    path.write_bytes(h.inflating_member(4, 3, method, 8 * MiB))
    error, peak = peak_load(path)
    assert isinstance(error, gn.ModelFileError), error
    assert "compression method" in str(error)
    assert peak < 2 * MiB


def test_a_deflate_bomb_is_refused_before_inflating(tmp_path):
    # 2560 x 2560 float32 zeros: 25 MiB deflated into ~26 KB
    path = tmp_path / "bomb.glassnet"
    path.write_bytes(h.deflate_bomb(2560, 2560))
    error, peak = peak_load(path)
    assert isinstance(error, gn.ModelFileError), error
    assert "more than a file of" in str(error)
    assert peak < 2 * MiB


def test_a_deflated_member_is_read_with_a_hard_cap(tmp_path):
    # The stream inflates 32 MiB past the size (and CRC) it declares: reading
    # stops at the declared size, so the rest is never inflated.
    path = tmp_path / "long.glassnet"
    path.write_bytes(h.inflating_member(4, 3, h.DEFLATED, 32 * MiB))
    error, peak = peak_load(path)
    assert error is None
    assert peak < 2 * MiB


def test_layer_sizes_in_the_json_are_checked_before_allocating(tmp_path):
    # 3000 x 3000 float32 weights (36 MB) declared in a file of ~1 KB
    path = tmp_path / "sizes.glassnet"
    path.write_bytes(h.sizes_in_json(3000, 3000))
    error, peak = peak_load(path)
    assert isinstance(error, gn.ModelFileError), error
    assert "36012000 bytes of weights" in str(error)
    assert peak < 2 * MiB


def test_a_manifest_that_inflates_past_its_cap_is_refused(tmp_path, saved):
    _, path = saved
    members = members_of(path)
    manifest = json.loads(members[MANIFEST])
    manifest["metadata"]["padding"] = " " * (48 * MiB)  # deflates ~1000x
    text = json.dumps(manifest).encode()
    entries = [
        ("glassnet.json", h.DEFLATED, h.compress(h.DEFLATED, [text]), 0, len(text))
    ]
    for name, blob in members.items():
        if name != MANIFEST:
            entries.append((name, h.STORED, blob, zlib.crc32(blob), len(blob)))
    path.write_bytes(h.raw_zip(entries))
    error, peak = peak_load(path)
    assert isinstance(error, gn.ModelFileError), error
    assert "manifest allows" in str(error)
    assert peak < 12 * MiB


def test_an_npy_header_is_checked_against_the_architecture(saved):
    # The header claims 10^6 x 10^6 floats; the checksum matches the bytes.
    _, path = saved
    blob = h.npy_header((10**6, 10**6)) + bytes(16)

    def point_at(manifest):
        manifest["arrays"]["layers/0/b.npy"]["sha256"] = hashlib.sha256(
            blob
        ).hexdigest()

    write_members(path, {**members_of(path), "layers/0/b.npy": blob}, point_at)
    refused(path, "'layers/0/b.npy' has dtype float32 and shape (1000000, 1000000)")


def test_an_array_of_another_dtype_is_refused(saved):
    _, path = saved
    blob = h.npy_bytes(np.zeros(7, dtype=np.float16))

    def point_at(manifest):
        manifest["arrays"]["layers/0/b.npy"]["sha256"] = hashlib.sha256(
            blob
        ).hexdigest()

    write_members(path, {**members_of(path), "layers/0/b.npy": blob}, point_at)
    refused(path, "float16", "expected float32")


def test_layers_are_not_drawn_at_random_on_load(saved, monkeypatch):
    from glassnet.core import initializers

    net, path = saved

    def no_draw(*args):
        raise AssertionError("a saved model's weights are never drawn")

    monkeypatch.setattr(initializers.GlorotUniform, "__call__", no_draw)
    loaded = gn.load(path)
    for a, b in zip(net.get_weights(), loaded.get_weights(), strict=True):
        assert np.array_equal(a, b)


def deep(depth):
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "edit, field",
    [
        (
            lambda m: m["layers"][0].update(activation={"name": 5}),
            "layers[0].activation",
        ),
        (lambda m: m["layers"][0].update(n_in="5"), "layers[0]"),
        (lambda m: m["layers"][1].update(n_in=6), "layers[1]"),
        (lambda m: m.update(loss={"name": ["mse"]}), "'loss'"),
        (lambda m: m.update(loss={"name": "huber", "delta": "x"}), "'loss'"),
        (lambda m: m.update(regularizer={"l2": 0.1}), "'regularizer'"),
        (lambda m: m.update(dtype="float16"), "'dtype'"),
        (lambda m: m.update(metadata="x"), "'metadata'"),
        (lambda m: m["metadata"].update(config="x"), "metadata.config"),
        (lambda m: m["metadata"].update(config={"seed": "1"}), "metadata.config.seed"),
        (lambda m: m["metadata"].update(feature_names=["a"] * 4), "feature_names"),
        (lambda m: m["metadata"].update(test_metrics={"acc": "x"}), "test_metrics"),
        (lambda m: m["metadata"].update(history={"loss": 1.0}), "metadata.history"),
        (lambda m: m["metadata"].update(train_seconds=-1), "train_seconds"),
        (lambda m: m["metadata"].update(x=json.loads(deep(40))), "nest"),
        (lambda m: m.update(preprocessing={"classes": ["a", "b"]}), "classes"),
        (lambda m: m.update(preprocessing={"classes": ["a", "a", "b"]}), "classes"),
        (lambda m: m.update(preprocessing={"classes": "abc"}), "preprocessing"),
        (
            lambda m: m.update(
                preprocessing={"scaler": {"type": "StandardScaler", "mean": [0] * 4}}
            ),
            "preprocessing",
        ),
        (
            lambda m: m.update(
                preprocessing={
                    "scaler": {
                        "type": "StandardScaler",
                        "mean": [0] * 4,
                        "scale": [1] * 4,
                    }
                }
            ),
            "preprocessing.scaler",
        ),
        (
            lambda m: m.update(
                preprocessing={
                    "scaler": {
                        "type": "StandardScaler",
                        "mean": [0] * 5,
                        "scale": [1, 1, None, 1, 1],
                    }
                }
            ),
            "preprocessing",
        ),
        (
            lambda m: m.update(
                preprocessing={"schema": {"type": "FeatureSchema", "columns": ["a"]}}
            ),
            "preprocessing.schema",
        ),
        (lambda m: m["arrays"]["layers/0/W.npy"].update(shape=[5, 7]), "shape"),
        (lambda m: m["arrays"]["layers/0/W.npy"].update(dtype="float16"), "dtype"),
        (lambda m: m["arrays"].pop("layers/1/b.npy"), "missing 1"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_every_field_is_checked_at_load(saved, edit, field):
    _, path = saved
    write_members(path, members_of(path), edit)
    refused(path, field)


@pytest.mark.parametrize(
    "text",
    [deep(100_000), '{"format": NaN}', "[" + "1" * 5000 + "]", '{"a": "\\ud800"'],
    ids=["deep", "nan", "huge-int", "broken"],
)
def test_a_manifest_that_json_cannot_read_is_one_error(saved, text):
    _, path = saved
    members = members_of(path)
    members[MANIFEST] = text.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    refused(path, "not valid JSON")


@pytest.mark.slow  # hundreds of files
def test_many_extra_members_are_counted_not_listed(saved, tmp_path):
    _, path = saved
    members = members_of(path)
    with zipfile.ZipFile(path, "a") as archive:
        for i in range(2000):
            archive.writestr(f"x/{i:05d}", b"")
    message = refused(path, "2000: 'x/00000'", "and 1995 more")
    assert "x/01999" not in message
    # a zip directory larger than any model's is refused before it is parsed
    big = tmp_path / "big.glassnet"
    with zipfile.ZipFile(big, "w") as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
        for i in range(40_000):
            archive.writestr(f"x/{i:08d}", b"")
    refused(big, "zip directory")


def test_a_load_of_a_valid_model_is_bounded_by_its_size(tmp_path):
    # 1024 x 1024 float32 weights (4 MiB). The loaded network holds its
    # parameters and gradients (2x); while loading, one member's bytes and a
    # layer's zero arrays before the network binds them add at most 3x more.
    net = gn.Network.mlp([1024, 1024, 2], seed=0)
    net.save(tmp_path / "m.glassnet")
    error, peak = peak_load(tmp_path / "m.glassnet")
    assert error is None
    assert peak < 5 * net.n_params * 4


# -- the fuzz test ----------------------------------------------------------------
def mutation(data: bytes, rng) -> tuple[bytes, bool]:
    """Seeded damage of a model file: byte flips, cuts, swaps, JSON edits.

    Returns the damaged bytes and whether a load of them, if any, must give
    the original model (true for flipped bytes, which checksums catch).
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members[MANIFEST])
    kind = rng.integers(0, 5)
    if kind == 0:  # flip bytes
        damaged = bytearray(data)
        for position in rng.choice(len(data), size=rng.integers(1, 8)):
            damaged[position] ^= 1 << int(rng.integers(0, 8))
        return bytes(damaged), True
    if kind == 1:  # truncate
        return data[: int(rng.integers(0, len(data)))], True
    if kind == 2:  # swap two members' contents
        names = [n for n in members]
        a, b = rng.choice(len(names), size=2, replace=False)
        members[names[a]], members[names[b]] = members[names[b]], members[names[a]]
    else:  # replace one JSON value somewhere with another
        replacements = [None, -1, 0, 2**70, 1e308, "x", [], {}, [1, 2], {"name": 5}]
        node, parent, key = manifest, None, None
        for _ in range(int(rng.integers(1, 5))):
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            if not keys:
                break
            parent, key = node, keys[int(rng.integers(0, len(keys)))]
            if not isinstance(node[key], (dict, list)) or rng.random() < 0.3:
                break
            node = node[key]
        if parent is not None:
            parent[key] = replacements[int(rng.integers(0, len(replacements)))]
        members[MANIFEST] = json.dumps(manifest).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    return buffer.getvalue(), kind == 2


@pytest.mark.slow  # hundreds of files
def test_fuzzed_model_files_fail_only_with_model_file_error(tmp_path):
    rng = np.random.default_rng(7)
    layers = [
        gn.Dense(4, 6, "relu"),
        gn.BatchNorm(activation="tanh"),
        gn.Dropout(0.2, seed=1),
        gn.Dense(6, 3, "softmax"),
    ]
    net = gn.Network(layers, seed=0)
    X = rng.normal(size=(30, 4))
    net.fit(X, rng.integers(0, 3, size=30), epochs=1, batch_size=10, seed=0)
    from glassnet.datasets.preprocessing import Preprocessing
    from glassnet.datasets.scalers import StandardScaler

    net.preprocessing = Preprocessing(
        scaler=StandardScaler().fit(X), classes=["a", "b", "c"]
    )
    source = tmp_path / "source.glassnet"
    net.save(source, metadata={"history": {"loss": [1.0, 0.5]}, "config": {"seed": 0}})
    data = source.read_bytes()
    path = tmp_path / "fuzz.glassnet"
    reference = net.predict_proba(X)
    tracemalloc.start()
    start = time.perf_counter()
    outcomes = {"loaded": 0, "refused": 0}
    try:
        for _ in range(300):
            damaged, must_match = mutation(data, rng)
            path.write_bytes(damaged)
            before = time.perf_counter()
            try:
                loaded = gn.load(path)
            except gn.ModelFileError as exc:
                assert str(path) in str(exc) and "\n" not in str(exc)
                outcomes["refused"] += 1
            else:  # damage that loads changed nothing, or a valid field
                if must_match:
                    assert np.array_equal(loaded.predict_proba(X), reference)
                outcomes["loaded"] += 1
            assert time.perf_counter() - before < 2.0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 30
    assert peak < 8 * MiB
    assert outcomes["refused"] > 150


# -- the manifest's JSON values and the layers are counted ------------------------
def test_a_manifest_of_millions_of_json_values_is_refused_before_parsing(tmp_path):
    # 1.5M empty dicts (4.5 MB, within the byte cap thanks to 200 KB of
    # random padding): parsed, they would take ~110 MB of Python objects.
    path = tmp_path / "values.glassnet"
    path.write_bytes(h.many_values(1_500_000, 150_000))
    start = time.perf_counter()
    error, peak = peak_load(path)
    assert isinstance(error, gn.ModelFileError), error
    assert "JSON values" in str(error) and str(path) in str(error)
    assert peak < 24 * MiB  # the manifest's bytes and one chunk of the scan
    assert time.perf_counter() - start < 2.0


def test_commas_inside_strings_are_not_json_values(tmp_path):
    # 3M commas in one string: far past the plain count's limit, one value
    net = gn.Network.mlp([2, 1], seed=0)
    path = tmp_path / "m.glassnet"
    net.save(path, metadata={"notes": 'a,:[{\\"' * 400_000})
    assert gn.load(path).metadata["notes"] == 'a,:[{\\"' * 400_000


def test_memory_error_while_parsing_is_one_error(saved, monkeypatch):
    _, path = saved

    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(json, "loads", out_of_memory)
    refused(path, "too large to parse")


@pytest.mark.parametrize("method", [h.STORED, h.DEFLATED], ids=["stored", "deflate"])
def test_the_number_of_layers_is_capped(tmp_path, method):
    from glassnet.files.model_file import MAX_LAYERS

    path = tmp_path / "layers.glassnet"
    path.write_bytes(h.many_layers(MAX_LAYERS - 2, method))
    assert len(gn.load(path).layers) == MAX_LAYERS
    # 20,000 Dropout layers (no arrays, so the weights' budget is not hit)
    path.write_bytes(h.many_layers(20_000, method))
    start = time.perf_counter()
    error, peak = peak_load(path)
    assert isinstance(error, gn.ModelFileError), error
    assert f"at most {MAX_LAYERS} layers. Got 20002" in str(error)
    assert time.perf_counter() - start < 1.0
    assert peak < 16 * MiB


def test_every_layer_counts_in_the_budget(tmp_path, monkeypatch):
    from glassnet.files import model_file

    path = tmp_path / "layers.glassnet"
    path.write_bytes(h.many_layers(100))
    size = path.stat().st_size
    # weights 12 + 4 bytes: the budget fits them, not 102 layers of 4096
    monkeypatch.setattr(model_file, "ARRAY_SLACK_BYTES", 50 * 4096 - 8 * size)
    refused(path, "and 102 x 4096 for the layers")


# -- a .npy header NumPy cannot parse ------------------------------------------
@pytest.mark.parametrize(
    "header",
    [
        "{'descr': '<f4', 'fortran_order': False, 'shape': (10*, }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (7,) ",
        "{'descr': '<f4', 'fortran_order': False, 'shape': ('''",
        "{'descr': [('a', '<f4', (3,))] * 9, 'fortran_order': False, 'shape': (7,)}",
        "\x00\xff",
    ],
)
def test_a_malformed_npy_header_is_one_error(saved, header):
    _, path = saved
    text = header.encode("latin-1")
    text += b" " * (63 - (10 + len(text)) % 64) + b"\n"
    blob = b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text + bytes(28)

    def point_at(manifest):
        manifest["arrays"]["layers/0/b.npy"]["sha256"] = hashlib.sha256(
            blob
        ).hexdigest()

    write_members(path, {**members_of(path), "layers/0/b.npy": blob}, point_at)
    refused(path, "'layers/0/b.npy' is not a .npy array")


# -- numbers and names in messages are shortened ----------------------------------
@pytest.mark.parametrize(
    "edit",
    [
        lambda m: m["layers"][0].update(n_in=10**4000),
        lambda m: m["layers"][0].update(n_out=10**4000),
        lambda m: m["layers"][1].update(n_in=10**4000),
        lambda m: m["layers"][0].update(activation={"name": "x" * 10_000}),
        lambda m: m["layers"][0].update(type="x" * 10_000),
        lambda m: m.update(dtype="x" * 10_000),
        lambda m: m.update(format_version=10**4000),
        lambda m: m.update(loss={"name": "x" * 10_000}),
        lambda m: m["arrays"]["layers/0/W.npy"].update(shape=[10**4000, 5]),
        lambda m: m["arrays"]["layers/0/W.npy"].update(dtype="x" * 10_000),
        lambda m: m["arrays"].update({"x" * 10_000: {}}),
        lambda m: m["metadata"].update(config={"seed": "x" * 10_000}),
        lambda m: m["metadata"].update(epoch=-(10**4000)),
        lambda m: m["metadata"].update(feature_names="x" * 10_000),
        lambda m: m.update(preprocessing={"classes": ["x" * 10_000] * 3}),
    ],
)
def test_a_message_shortens_what_the_file_holds(saved, edit):
    _, path = saved
    write_members(path, members_of(path), edit)
    message = refused(path)
    assert len(message) - len(str(path)) < 400, message


def test_a_huge_shape_in_an_npy_header_is_shortened(saved):
    _, path = saved
    blob = h.npy_header((10**600,)) + bytes(28)

    def point_at(manifest):
        manifest["arrays"]["layers/0/b.npy"]["sha256"] = hashlib.sha256(
            blob
        ).hexdigest()

    write_members(path, {**members_of(path), "layers/0/b.npy": blob}, point_at)
    message = refused(path, "'layers/0/b.npy' has dtype float32 and shape (1000")
    assert len(message) - len(str(path)) < 400, message
