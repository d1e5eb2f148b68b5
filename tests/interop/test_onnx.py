"""ONNX export: onnxruntime computes what glassnet computes."""

import json

import numpy as np
import pytest
from optional_support import require

onnx = require("onnx", "onnx")
ort = require("onnxruntime", "onnx")

from cli_support import assert_usage_error, run  # noqa: E402

import glassnet as gn  # noqa: E402
from glassnet.datasets.preprocessing import Preprocessing  # noqa: E402
from glassnet.datasets.scalers import MinMaxScaler, StandardScaler  # noqa: E402

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
OUTPUTS = [
    ("softmax", 3),
    ("sigmoid", 1),
    ("sigmoid", 3),
    ("identity", 2),
    ("exp", 2),
]


def onnx_outputs(network, X, tmp_path, dtype="float32"):
    path = tmp_path / "model.onnx"
    network.to_onnx(path, dtype=dtype)
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    results = session.run(None, {"X": X.astype(dtype)})
    return dict(zip(names, results, strict=True)), model


def randomize_batch_norm(network, rng):
    for layer in network.layers:
        if isinstance(layer, gn.BatchNorm):
            n = layer.n_in
            layer.gamma[...] = rng.uniform(0.5, 2.0, n)
            layer.beta[...] = rng.normal(size=n)
            layer.running_mean[...] = rng.normal(size=n)
            layer.running_var[...] = rng.uniform(0.2, 3.0, n)


def assert_matches(network, X, tmp_path, rng):
    outputs, model = onnx_outputs(network, X, tmp_path)
    expected = network.forward(X)
    np.testing.assert_allclose(outputs["output"], expected, rtol=1e-5, atol=1e-5)
    if network.task == "classification":
        codes = network.predict(X)
        if network.preprocessing is not None:
            codes = network.preprocessing.encode(codes)
        np.testing.assert_array_equal(outputs["label"], codes)
    return model


@pytest.mark.parametrize(("output", "n_out"), OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_dense_networks_match_for_every_activation(
    hidden, output, n_out, tmp_path, rng
):
    net = gn.Network.mlp([5, 7, 6, n_out], hidden=hidden, output=output, seed=1)
    for layer in net.layers:
        layer.b = rng.normal(size=layer.n_out)
    X = rng.normal(size=(64, 5)) * 2
    model = assert_matches(net, X, tmp_path, rng)
    ops = [node.op_type for node in model.graph.node]
    assert ops.count("Gemm") == 3


@pytest.mark.parametrize("activation", HIDDEN)
def test_batch_norm_folded_after_identity_dense(activation, tmp_path, rng):
    net = gn.Network(
        [
            gn.Dense(4, 8),
            gn.BatchNorm(activation=activation),
            gn.Dropout(0.5),
            gn.Dense(8, 3, "softmax"),
        ],
        seed=0,
    )
    randomize_batch_norm(net, rng)
    model = assert_matches(net, rng.normal(size=(40, 4)), tmp_path, rng)
    ops = [node.op_type for node in model.graph.node]
    assert "BatchNormalization" not in ops and "Dropout" not in ops
    assert ops.count("Gemm") == 2


def test_batch_norm_after_an_activation_is_exported_as_a_node(tmp_path, rng):
    net = gn.Network(
        [
            gn.BatchNorm(4, activation="tanh"),
            gn.Dense(4, 6, "relu"),
            gn.Dropout(0.2),
            gn.BatchNorm(activation="leaky_relu"),
            gn.Dense(6, 1, "sigmoid"),
        ],
        seed=0,
    )
    randomize_batch_norm(net, rng)
    model = assert_matches(net, rng.normal(size=(40, 4)), tmp_path, rng)
    ops = [node.op_type for node in model.graph.node]
    assert ops.count("BatchNormalization") == 2


def test_trained_network_with_dropout_and_batch_norm(tmp_path, rng):
    X = rng.normal(size=(200, 6))
    y = (X[:, 0] + X[:, 1] ** 2 > 1).astype(int)
    net = gn.Network(
        [
            gn.Dense(6, 16),
            gn.BatchNorm(activation="relu"),
            gn.Dropout(0.3),
            gn.Dense(16, 2, "softmax"),
        ],
        seed=0,
    )
    net.fit(X, y, epochs=5, optimizer="adam", seed=0)
    assert_matches(net, rng.normal(size=(100, 6)), tmp_path, rng)


@pytest.mark.parametrize("scaler", [StandardScaler(), MinMaxScaler((-1.0, 2.0))])
def test_stored_input_scaling_and_class_names(scaler, tmp_path, rng):
    X = rng.normal(loc=50.0, scale=20.0, size=(80, 3))
    net = gn.Network.mlp([3, 5, 2], hidden="tanh", output="softmax", seed=0)
    net.preprocessing = Preprocessing(scaler=scaler.fit(X), classes=["no", "yes"])
    model = assert_matches(net, X, tmp_path, rng)
    ops = [node.op_type for node in model.graph.node]
    expected = ["Sub", "Div"] if isinstance(scaler, StandardScaler) else ["Sub", "Mul"]
    assert ops[:2] == expected
    props = {p.key: p.value for p in model.metadata_props}
    assert json.loads(props["classes"]) == ["no", "yes"]


def test_float64_export_and_opset(tmp_path, rng):
    net = gn.Network.mlp([3, 4, 1], output="identity", dtype="float64", seed=0)
    X = rng.normal(size=(10, 3))
    outputs, model = onnx_outputs(net, X, tmp_path, dtype="float64")
    np.testing.assert_allclose(outputs["output"], net.forward(X), rtol=1e-12)
    assert model.opset_import[0].version == 17 and "label" not in outputs


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"dtype": "float16"}, "'dtype'"), ({"opset": 11}, "'opset'")],
)
def test_bad_export_options(kwargs, message, tmp_path):
    net = gn.Network.mlp([2, 2], seed=0)
    with pytest.raises(ValueError, match=message):
        net.to_onnx(tmp_path / "m.onnx", **kwargs)
    assert not (tmp_path / "m.onnx").exists()


@pytest.mark.slow  # a subprocess or a real dataset
def test_cli_export_writes_a_model_onnxruntime_runs(tmp_path, rng):
    net = gn.Network.mlp([4, 6, 3], output="softmax", seed=0)
    net.save(tmp_path / "m.glassnet")
    result = run("export", "m.glassnet", "--format", "onnx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "wrote m.onnx" in result.stdout and "opset 17" in result.stdout
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    X = rng.normal(size=(5, 4)).astype(np.float32)
    np.testing.assert_allclose(
        session.run(["output"], {"X": X})[0], net.forward(X), atol=1e-6
    )
    result = run("export", "m.glassnet", "--out", "x.onnx", "--json", cwd=tmp_path)
    document = json.loads(result.stdout)
    assert document["outputs"] == ["output", "label"] and document["opset"] == 17


@pytest.mark.slow  # a subprocess or a real dataset
def test_cli_export_errors(tmp_path):
    assert_usage_error(run("export", "missing.glassnet", cwd=tmp_path), "missing")
    gn.Network.mlp([2, 2], seed=0).save(tmp_path / "m.glassnet")
    result = run("export", "m.glassnet", "--out", "no/dir/m.onnx", cwd=tmp_path)
    assert_usage_error(result, "does not exist")
    result = run("export", "m.glassnet", "--format", "tflite", cwd=tmp_path)
    assert result.returncode == 2


def test_a_regression_network_with_a_sigmoid_output_has_no_label(tmp_path, rng):
    net = gn.Network.mlp([3, 4, 1], hidden="tanh", output="sigmoid", loss="mse")
    X = rng.normal(size=(20, 3))
    outputs, _ = onnx_outputs(net, X, tmp_path)
    assert set(outputs) == {"output"}
    W1, b1 = net.layers[0].W.astype(float), net.layers[0].b.astype(float)
    W2, b2 = net.layers[1].W.astype(float), net.layers[1].b.astype(float)
    expected = 1.0 / (1.0 + np.exp(-(np.tanh(X @ W1.T + b1) @ W2.T + b2)))
    np.testing.assert_allclose(outputs["output"], expected, rtol=1e-5, atol=1e-6)
