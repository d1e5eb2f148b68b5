"""glassnet train: per-layer activations and the options of the generated sets."""

import numpy as np
import pytest
from cli_support import assert_usage_error, run

import glassnet as gn
from glassnet.datasets import load

#: subprocesses, browsers, servers or real datasets: `pytest -m "not slow"` skips
pytestmark = pytest.mark.slow


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
        "train", "--data", "circle", "--layers", "4,4",
        "--activation", "relu,tanh,relu",
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
    assert_usage_error(result, "--noise is not an option of the dataset 'digits'")
    (tmp_path / "t.csv").write_text("a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n")
    result = run(
        "train", "--data", "t.csv", "--target", "y", "--n-samples", "10",
        cwd=tmp_path,
    )  # fmt: skip
    assert_usage_error(result, "--n-samples is not an option of a CSV file")


def test_multi_gauss_regression_trains_a_regressor(tmp_path):
    result = run(
        "train", "--data", "multi-gauss-regression", "--layers", "8",
        "--activation", "tanh", "--epochs", "2", "--json", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    net = gn.load(tmp_path / "model.glassnet")
    assert net.task == "regression" and net.output_activation.name == "identity"


# -- contradictory settings are refused; what is recorded is what ran ---------------


@pytest.mark.parametrize(
    ("data", "flags"),
    [
        ("digits", ["--output-activation", "sigmoid"]),  # one sigmoid unit, 10 classes
        ("digits", ["--loss", "binary_cross_entropy"]),
        ("digits", ["--loss", "mse"]),  # a regressor on class labels
        ("digits", ["--output-activation", "softmax", "--loss", "bce"]),
        ("xor", ["--output-activation", "sigmoid", "--loss", "cross_entropy"]),
        ("digits", ["--output-activation", "relu"]),
        # class outputs on a regression target
        ("plane", ["--output-activation", "softmax"]),
        ("plane", ["--loss", "cross_entropy"]),
    ],
    ids=lambda v: v if isinstance(v, str) else " ".join(v),
)
def test_contradictory_settings_are_refused(data, flags, tmp_path):
    result = run("train", "--data", data, *flags, "--epochs", "1", cwd=tmp_path)
    assert_usage_error(result, "contradictory settings: --output-activation ")
    assert not (tmp_path / "model.glassnet").exists()


def test_the_recorded_settings_are_those_used(tmp_path):
    result = run(
        "train", "--data", "xor", "--loss", "cross_entropy", "--layers", "4",
        "--epochs", "1", "--quiet", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    net = gn.load(tmp_path / "model.glassnet")
    config = net.metadata["config"]
    # cross-entropy on 2 classes: a softmax layer of 2 units, and it says so
    assert (config["output"], config["loss"]) == ("softmax", "cross_entropy")
    assert net.output_activation.name == "softmax" and net.n_outputs == 2
    # load_toy's defaults: 500 points, no noise, half of them for testing
    assert (config["n_samples"], config["noise"], config["test_size"]) == (
        500,
        0.0,
        0.5,
    )
    assert "target" not in config and "missing" not in config  # CSV/ILPD only
    shown = run("inspect", "model.glassnet", cwd=tmp_path).stdout
    for line in ("output = 'softmax'", "loss = 'cross_entropy'", "noise = 0.0"):
        assert f"  {line}\n" in shown
    assert "test_size = 0.5" in shown and "test_size = None" not in shown


def test_digits_config_has_no_options_it_does_not_take(tmp_path):
    result = run("train", "--layers", "4", "--epochs", "1", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    config = gn.load(tmp_path / "model.glassnet").metadata["config"]
    assert (config["output"], config["loss"]) == ("softmax", "cross_entropy")
    assert config["test_size"] == 0.2  # load_digits' default
    assert not {"noise", "n_samples", "missing", "target"} & set(config)
    result = run("train", "--missing", "drop", "--epochs", "1", cwd=tmp_path)
    assert_usage_error(result, "--missing is not an option of the dataset 'digits'")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("epochs = 1\n[train]\nlayers = [4]\n", "both in its [train] table and at"),
        ("[train]\nepochs = 1\n[grid]\nlr = [0.1, 0.01]\n", "[grid]"),
        ("epochs = 1\n[sweep]\nworkers = 1\n", "[sweep]"),
        ("[train]\nepochs = 1\nlayer = [4]\n", "unknown setting(s) ['layer']"),
    ],
    ids=["top-level-beside-train", "grid", "sweep", "unknown"],
)
def test_config_keys_are_never_dropped(text, message, tmp_path):
    (tmp_path / "run.toml").write_text(text)
    result = run("train", "--config", "run.toml", cwd=tmp_path)
    assert_usage_error(result, message)
    assert not (tmp_path / "model.glassnet").exists()
