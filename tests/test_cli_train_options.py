"""glassnet train: per-layer activations and the options of the generated sets."""

import numpy as np
from test_cli import assert_usage_error, run

import glassnet as gn
from glassnet.datasets import load


def test_one_activation_per_hidden_layer(tmp_path):
    result = run(
        "train",
        "--data",
        "xor",
        "--layers",
        "5,3",
        "--activation",
        "tanh,relu",
        "--epochs",
        "1",
        "--quiet",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    net = gn.load(tmp_path / "model.glassnet")
    dense = [layer for layer in net.layers if hasattr(layer, "W")]
    assert [layer.activation.name for layer in dense] == ["tanh", "relu", "sigmoid"]
    assert [layer.n_out for layer in dense] == [5, 3, 1]


def test_activations_from_a_toml_list_and_a_count_mismatch(tmp_path):
    (tmp_path / "run.toml").write_text(
        'data = "circle"\nlayers = [4, 4]\nactivation = ["relu", "sigmoid"]\n'
        "epochs = 1\n"
    )
    result = run("train", "--config", "run.toml", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    net = gn.load(tmp_path / "model.glassnet")
    assert [layer.activation.name for layer in net.layers] == [
        "relu",
        "sigmoid",
        "sigmoid",
    ]
    result = run(
        "train", "--data", "circle", "--layers", "4,4", "--activation", "a,b,c",
        cwd=tmp_path,
    )  # fmt: skip
    assert_usage_error(result, "activation lists 3 names for 2 hidden layers")


def test_points_noise_and_test_size_of_a_generated_set(tmp_path):
    result = run(
        "train", "--data", "circle", "--n-samples", "120", "--noise", "0.2",
        "--test-size", "0.25", "--seed", "4", "--epochs", "1", "--json",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    net = gn.load(tmp_path / "model.glassnet")
    config = net.metadata["config"]
    assert (config["n_samples"], config["noise"], config["test_size"]) == (
        120,
        0.2,
        0.25,
    )
    # Evaluated on the test part of the very set the options describe.
    data = load("circle", n_samples=120, noise=0.2, test_size=0.25, seed=4)
    assert data.X_test.shape[0] == 30
    codes = net.preprocessing.encode(net.predict(data.X_test))
    accuracy = float(np.mean(codes == data.y_test))
    assert net.metadata["test_metrics"]["accuracy"] == accuracy


def test_generated_set_options_are_refused_elsewhere(tmp_path):
    result = run("train", "--data", "digits", "--noise", "0.1", cwd=tmp_path)
    assert_usage_error(result, "does not accept 'noise'")
    (tmp_path / "t.csv").write_text("a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n")
    result = run(
        "train", "--data", "t.csv", "--target", "y", "--n-samples", "10",
        cwd=tmp_path,
    )  # fmt: skip
    assert_usage_error(result, "n_samples apply to the generated 2-D sets")


def test_multi_gauss_regression_trains_a_regressor(tmp_path):
    result = run(
        "train", "--data", "multi-gauss-regression", "--layers", "8",
        "--activation", "tanh", "--epochs", "2", "--json", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    net = gn.load(tmp_path / "model.glassnet")
    assert net.task == "regression" and net.output_activation.name == "identity"
