"""safetensors with PyTorch's names: round trips through torch's load_state_dict."""

import numpy as np
import pytest

import glassnet as gn

pytest.importorskip("safetensors")
torch = pytest.importorskip("torch")
from safetensors.torch import load_file, save_file  # noqa: E402


def _network(dtype="float32"):
    net = gn.Network(
        [
            gn.Dense(4, 6, activation="relu"),
            gn.BatchNorm(6, activation="tanh"),
            gn.Dropout(0.2),
            gn.Dense(6, 5, activation="leaky_relu"),
            gn.Dense(5, 3, activation="softmax"),
        ],
        seed=0,
        dtype=dtype,
    )
    rng = np.random.default_rng(1)
    X = rng.normal(size=(32, 4))
    net.fit(X, rng.integers(0, 3, 32), epochs=2, batch_size=8, seed=0)
    return net, rng.normal(size=(7, 4))


def _by_hand():
    # the nn.Sequential a PyTorch user writes for this architecture
    nn = torch.nn
    return nn.Sequential(
        nn.Linear(4, 6), nn.ReLU(), nn.BatchNorm1d(6), nn.Tanh(), nn.Dropout(0.2),
        nn.Linear(6, 5), nn.LeakyReLU(0.01), nn.Linear(5, 3), nn.Softmax(dim=1),
    ).eval()  # fmt: skip


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_names_are_the_state_dict_of_to_torch(tmp_path, dtype):
    net, X = _network(dtype)
    path = tmp_path / "m.safetensors"
    gn.to_safetensors(net, path)
    tensors = load_file(path)
    expected = net.to_torch().state_dict()
    assert set(tensors) == set(expected)
    for key, value in expected.items():
        assert tensors[key].dtype == value.dtype, key
        torch.testing.assert_close(tensors[key], value, rtol=0, atol=0)


def test_load_state_dict_into_a_module_built_by_hand(tmp_path):
    net, X = _network("float32")
    path = tmp_path / "m.safetensors"
    gn.to_safetensors(net, path)
    module = _by_hand()
    module.load_state_dict(load_file(path))  # strict: every key, no extra
    with torch.no_grad():
        out = module(torch.tensor(X, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(out, net.forward(X), rtol=1e-5, atol=1e-6)


def test_from_safetensors_round_trip(tmp_path):
    net, X = _network("float64")
    path = tmp_path / "m.safetensors"
    gn.to_safetensors(net, path)
    back = gn.from_safetensors(path)
    assert back.dtype == np.float64
    assert [type(layer) for layer in back.layers] == [
        type(layer) for layer in net.layers
    ]
    assert type(back.loss) is type(net.loss)
    np.testing.assert_array_equal(back.forward(X), net.forward(X))


def test_from_safetensors_reads_a_file_written_by_torch(tmp_path):
    # weights trained in PyTorch, written by safetensors.torch with the metadata
    # of a glassnet file of the same architecture
    net, X = _network("float32")
    gn.to_safetensors(net, tmp_path / "arch.safetensors")
    from safetensors import safe_open

    with safe_open(tmp_path / "arch.safetensors", framework="pt") as f:
        metadata = f.metadata()
    module = _by_hand()
    torch.manual_seed(0)
    for p in module.parameters():
        torch.nn.init.normal_(p)
    module[2].running_mean.normal_()
    module[2].running_var.uniform_(0.5, 2.0)
    save_file(module.state_dict(), tmp_path / "t.safetensors", metadata=metadata)
    back = gn.from_safetensors(tmp_path / "t.safetensors")
    with torch.no_grad():
        expected = module(torch.tensor(X, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(back.forward(X), expected, rtol=1e-5, atol=1e-6)


def test_scaler_is_folded_as_to_torch_does(tmp_path):
    from glassnet.datasets import load_digits

    data = load_digits(seed=0)
    net = gn.Network.mlp([64, 8, 10], output="softmax", seed=0)
    net.fit(data.X_train[:50], data.y_train[:50], epochs=1)
    path = tmp_path / "m.safetensors"
    gn.to_safetensors(net, path)
    module = net.to_torch()
    module.load_state_dict(load_file(path))
    with torch.no_grad():
        out = module(torch.tensor(data.X_test[:5], dtype=torch.float32)).numpy()
    np.testing.assert_allclose(out, net.predict_proba(data.X_test[:5]), rtol=1e-5)


def test_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="No such safetensors file"):
        gn.from_safetensors(tmp_path / "missing.safetensors")
    (tmp_path / "junk.safetensors").write_bytes(b"not a file at all")
    with pytest.raises(ValueError, match="is not a readable safetensors file"):
        gn.from_safetensors(tmp_path / "junk.safetensors")
    save_file({"0.weight": torch.zeros(2, 2)}, tmp_path / "plain.safetensors")
    with pytest.raises(ValueError, match="no glassnet architecture"):
        gn.from_safetensors(tmp_path / "plain.safetensors")


def test_metadata_nested_too_deep_for_python_is_refused_by_name(tmp_path):
    from safetensors.numpy import save_file as save_numpy

    path = tmp_path / "deep.safetensors"
    deep = "[" * 100_000 + "]" * 100_000  # json.loads: RecursionError
    save_numpy({"w": np.zeros(2, np.float32)}, str(path), metadata={"glassnet": deep})
    with pytest.raises(ValueError, match="glassnet metadata cannot be read"):
        gn.from_safetensors(path)
