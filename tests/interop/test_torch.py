"""PyTorch interchange: torch computes what glassnet computes, both ways."""

import numpy as np
import pytest
from optional_support import require

torch = require("torch", "torch")
nn = torch.nn

import glassnet as gn  # noqa: E402
from glassnet.datasets.preprocessing import Preprocessing  # noqa: E402
from glassnet.datasets.scalers import MinMaxScaler, StandardScaler  # noqa: E402

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
OUTPUTS = [("softmax", 3), ("sigmoid", 1), ("sigmoid", 2), ("identity", 2)]


def torch_forward(module, X):
    dtype = next(module.parameters()).dtype
    with torch.no_grad():
        return module(torch.as_tensor(X, dtype=dtype)).numpy()


def randomize(net, rng):
    for layer in net.layers:
        if isinstance(layer, gn.Dense):
            layer.b = rng.normal(size=layer.n_out)
        if isinstance(layer, gn.BatchNorm):
            n = layer.n_in
            layer.gamma[...] = rng.uniform(0.5, 2.0, n)
            layer.beta[...] = rng.normal(size=n)
            layer.running_mean[...] = rng.normal(size=n)
            layer.running_var[...] = rng.uniform(0.2, 3.0, n)
    return net


def mixed_network(hidden, output, n_out, dtype="float32"):
    return gn.Network(
        [
            gn.Dense(5, 8),
            gn.BatchNorm(activation=hidden),
            gn.Dropout(0.25),
            gn.Dense(8, 6, hidden),
            gn.BatchNorm(activation="tanh"),
            gn.Dense(6, n_out, output),
        ],
        seed=0,
        dtype=dtype,
    )


@pytest.mark.parametrize(("output", "n_out"), OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_torch_outputs_equal_glassnets_and_round_trip(hidden, output, n_out, rng):
    net = randomize(mixed_network(hidden, output, n_out), rng)
    X = rng.normal(size=(64, 5)).astype(np.float32)
    module = net.to_torch()
    assert not module.training
    np.testing.assert_allclose(
        torch_forward(module, X), net.forward(X), rtol=1e-5, atol=1e-5
    )
    back = gn.from_torch(module)
    np.testing.assert_array_equal(back.forward(X), net.forward(X))
    np.testing.assert_array_equal(back.predict(X), net.predict(X))
    assert [type(a) for a in back.layers] == [type(b) for b in net.layers]
    assert back.loss.name == net.loss.name


def test_module_layout_and_float64(rng):
    net = randomize(mixed_network("leaky_relu", "softmax", 3, "float64"), rng)
    module = net.to_torch()
    kinds = [type(m).__name__ for m in module]
    assert kinds == [
        "Linear", "BatchNorm1d", "LeakyReLU", "Dropout", "Linear", "LeakyReLU",
        "BatchNorm1d", "Tanh", "Linear", "Softmax",
    ]  # fmt: skip
    assert module[0].weight.dtype == torch.float64
    np.testing.assert_array_equal(module[0].weight.detach().numpy(), net.layers[0].W)
    assert module[1].momentum == pytest.approx(0.1)
    X = rng.normal(size=(20, 5))
    np.testing.assert_allclose(torch_forward(module, X), net.forward(X), rtol=1e-12)
    assert gn.from_torch(module).dtype == np.float64


def test_a_torch_built_sequential_imports(rng):
    torch.manual_seed(0)
    module = nn.Sequential(
        nn.Linear(6, 10),
        nn.BatchNorm1d(10),
        nn.ReLU(),
        nn.Dropout(0.1),
        nn.Sequential(nn.Linear(10, 4, bias=False), nn.Tanh()),
        nn.Identity(),
        nn.Linear(4, 1),
        nn.Sigmoid(),
    )
    module.train()
    module(torch.randn(32, 6))  # moves the running statistics off 0 and 1
    module.eval()
    net = gn.from_torch(module)
    assert net.loss.name == "binary_cross_entropy"
    X = rng.normal(size=(30, 6)).astype(np.float32)
    np.testing.assert_allclose(
        net.forward(X), torch_forward(module, X), rtol=1e-5, atol=1e-6
    )


def test_batch_norm_momentum_means_the_same_running_average(rng):
    """One training pass: glassnet's and torch's running means agree."""
    layers = [gn.Dense(3, 4), gn.BatchNorm(momentum=0.7), gn.Dense(4, 1)]
    net = gn.Network(layers, seed=0)
    module = net.to_torch().train()
    X = rng.normal(size=(16, 3)).astype(np.float32)
    net.forward(X, training=True)
    with torch.no_grad():
        module(torch.from_numpy(X))
    np.testing.assert_allclose(
        module[1].running_mean.numpy(), net.layers[1].running_mean, rtol=1e-5
    )


@pytest.mark.parametrize("scaler", [StandardScaler(), MinMaxScaler()])
def test_input_scaling_is_folded_into_the_first_linear(scaler, rng):
    X = rng.normal(loc=10.0, scale=5.0, size=(50, 3))
    net = gn.Network.mlp([3, 4, 2], output="softmax", seed=0)
    net.preprocessing = Preprocessing(scaler=scaler.fit(X))
    np.testing.assert_allclose(
        torch_forward(net.to_torch(), X), net.forward(X), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize(
    ("module", "error", "message"),
    [
        (nn.Sequential(nn.Linear(2, 2), nn.GELU()), TypeError, "Supported: Linear"),
        (nn.Sequential(nn.ReLU(), nn.Linear(2, 2)), ValueError, "must directly"),
        (nn.Sequential(nn.Linear(2, 3), nn.Softmax(dim=0)), ValueError, "dim=1"),
        (nn.Linear(2, 2), TypeError, "torch.nn.Sequential"),
        (
            nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2, momentum=None)),
            ValueError,
            "running averages",
        ),
    ],
    ids=["gelu", "activation-first", "softmax-dim0", "not-sequential", "cumulative"],
)
def test_unsupported_modules_are_named(module, error, message):
    with pytest.raises(error, match=message):
        gn.from_torch(module)


def test_an_exp_output_is_refused_by_name():
    # torch.nn has no module for exp: the export says so instead of dropping it
    net = gn.Network.mlp([3, 4, 2], output="exp", loss="poisson", seed=0)
    with pytest.raises(ValueError, match="activation 'exp' to PyTorch"):
        net.to_torch()


# -- the two sides are independent ----------------------------------------------


def bn_network(dtype):
    """Dense -> BatchNorm(relu) -> Dense(softmax), statistics made non-trivial."""
    net = gn.Network(
        [gn.Dense(4, 5), gn.BatchNorm(activation="relu"), gn.Dense(5, 3, "softmax")],
        dtype=dtype,
        seed=0,
    )
    return randomize(net, np.random.default_rng(1))


def glassnet_arrays(net):
    """Every parameter and running statistic of ``net`` by name."""
    return {
        f"{i}.{name}": array
        for i, layer in enumerate(net.layers)
        for name, array in [*layer.parameters(), *layer.buffers()]
    }


def torch_arrays(module):
    return {
        name: tensor.detach().numpy()
        for name, tensor in module.state_dict().items()
        if tensor.dtype.is_floating_point
    }


def snapshot(arrays):
    return {name: array.copy() for name, array in arrays.items()}


def assert_unchanged(arrays, before):
    for name, array in arrays.items():
        np.testing.assert_array_equal(array, before[name], err_msg=name)


def assert_no_shared_memory(ours, theirs):
    for a_name, a in ours.items():
        for b_name, b in theirs.items():
            assert not np.shares_memory(a, b), (a_name, b_name)


def torch_train(module, X, y, steps=3):
    module.train()
    optimizer = torch.optim.SGD(module.parameters(), lr=0.5)
    dtype = next(module.parameters()).dtype
    inputs, targets = torch.as_tensor(X, dtype=dtype), torch.as_tensor(y)
    for _ in range(steps):
        optimizer.zero_grad()
        # the module ends in a softmax: the negative log of the class's output
        out = module(inputs)
        loss = -torch.log(out[torch.arange(len(targets)), targets]).mean()
        loss.backward()
        optimizer.step()
    module.eval()


DTYPES = ["float32", "float64"]
# glassnet name, PyTorch name of the same array in to_torch's Sequential
PAIRS = [
    ("0.W", "0.weight"),
    ("0.b", "0.bias"),
    ("1.gamma", "1.weight"),
    ("1.beta", "1.bias"),
    ("1.running_mean", "1.running_mean"),
    ("1.running_var", "1.running_var"),
    ("2.W", "3.weight"),
    ("2.b", "3.bias"),
]


@pytest.mark.parametrize("dtype", DTYPES)
def test_to_torch_shares_no_memory_with_the_network(dtype):
    net = bn_network(dtype)
    module = net.to_torch()
    assert_no_shared_memory(glassnet_arrays(net), torch_arrays(module))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("pair", PAIRS, ids=[p[0] for p in PAIRS])
def test_changing_either_side_in_place_leaves_the_other(dtype, pair):
    ours, theirs = pair
    net = bn_network(dtype)
    module = net.to_torch()
    # the torch side in place: the network keeps every value
    before = snapshot(glassnet_arrays(net))
    with torch.no_grad():
        module.state_dict()[theirs].add_(1.0)
    assert_unchanged(glassnet_arrays(net), before)
    # the network in place: the module keeps every value
    before = snapshot(torch_arrays(module))
    glassnet_arrays(net)[ours][...] += 1.0
    assert_unchanged(torch_arrays(module), before)


@pytest.mark.parametrize("dtype", DTYPES)
def test_training_either_side_leaves_the_other(dtype):
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(16, 4)), np.arange(16) % 3
    net = bn_network(dtype)
    module = net.to_torch()
    before = snapshot(glassnet_arrays(net))
    torch_train(module, X, y)
    changed = torch_arrays(module)
    assert not np.array_equal(changed["1.running_mean"], before["1.running_mean"])
    assert_unchanged(glassnet_arrays(net), before)
    before = snapshot(torch_arrays(module))
    net.fit(X, y, epochs=2, optimizer=gn.SGD(lr=0.5), metrics=[], seed=0)
    assert not np.array_equal(net.layers[1].gamma, before["1.weight"])
    assert_unchanged(torch_arrays(module), before)


@pytest.mark.parametrize("dtype", DTYPES)
def test_from_torch_shares_no_memory_with_the_module(dtype):
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(16, 4)), np.arange(16) % 3
    module = bn_network(dtype).to_torch()
    net = gn.from_torch(module)
    assert net.dtype == np.dtype(dtype)
    assert_no_shared_memory(glassnet_arrays(net), torch_arrays(module))
    before = snapshot(glassnet_arrays(net))
    torch_train(module, X, y)
    assert_unchanged(glassnet_arrays(net), before)
    before = snapshot(torch_arrays(module))
    for array in glassnet_arrays(net).values():
        array += 1.0
    net.fit(X, y, epochs=2, optimizer=gn.SGD(lr=0.5), metrics=[], seed=0)
    assert_unchanged(torch_arrays(module), before)


def batch_norm_pair(direction, rng):
    """A glassnet network and its torch Sequential, either side converted."""
    if direction == "to_torch":
        layers = [
            gn.Dense(3, 4),
            gn.BatchNorm(momentum=0.8, activation="relu"),
            gn.Dense(4, 1, "sigmoid"),
        ]
        net = gn.Network(layers, seed=0, dtype="float64")
        net.layers[1].running_mean[...] = rng.normal(size=4)
        net.layers[1].running_var[...] = rng.uniform(0.5, 2.0, 4)
        return net, net.to_torch()
    torch.manual_seed(0)
    module = nn.Sequential(
        nn.Linear(3, 4),
        nn.BatchNorm1d(4, momentum=0.2),
        nn.ReLU(),
        nn.Linear(4, 1),
        nn.Sigmoid(),
    ).double()
    with torch.no_grad():
        module[1].running_mean.copy_(torch.from_numpy(rng.normal(size=4)))
        module[1].running_var.copy_(torch.from_numpy(rng.uniform(0.5, 2.0, 4)))
    return gn.from_torch(module), module


@pytest.mark.parametrize("direction", ["to_torch", "from_torch"])
def test_one_training_step_moves_both_running_variances_alike(direction, rng):
    """Both keep the unbiased running variance: no correction in the conversion."""
    net, module = batch_norm_pair(direction, rng)
    X = rng.normal(size=(5, 3))
    y = rng.integers(0, 2, 5)
    net.train_step(X, y, optimizer=gn.SGD(lr=0.1))
    module.train()
    optimizer = torch.optim.SGD(module.parameters(), lr=0.1)
    output = module(torch.from_numpy(X))
    target = torch.from_numpy(y.astype(np.float64)[:, None])
    nn.functional.binary_cross_entropy(output, target).backward()
    optimizer.step()
    bn = net.layers[1]
    np.testing.assert_allclose(bn.running_var, module[1].running_var.detach(), 1e-12)
    np.testing.assert_allclose(bn.running_mean, module[1].running_mean.detach(), 1e-12)
    np.testing.assert_allclose(net.layers[0].W, module[0].weight.detach(), 1e-12)
