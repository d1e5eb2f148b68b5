"""glassnet predict/evaluate on a model saved from Python (no column schema)."""

import numpy as np
import pytest
from cli_support import assert_usage_error, run

import glassnet as gn

pytestmark = pytest.mark.slow


@pytest.fixture
def python_model(tmp_path):
    net = gn.Network(
        [gn.Dense(2, 3, activation="tanh"), gn.Dense(3, 1, activation="sigmoid")],
        seed=0,
    )
    net.save(tmp_path / "m.glassnet")
    X = np.array([[0.5, -0.2], [1.0, 2.0], [-1.5, 0.25]])
    (tmp_path / "x.csv").write_text("a,b\n" + "".join(f"{a},{b}\n" for a, b in X))
    return net, X


def test_predict_reads_columns_in_order(tmp_path, python_model):
    net, X = python_model
    result = run("predict", "m.glassnet", "--input", "x.csv", "--proba", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    got = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    # p(1) = sigmoid of the forward pass, computed here from the weights
    W1, b1, W2, b2 = (p for layer in net.layers for p in (layer.W, layer.b))
    z = np.tanh(X @ W1.reshape(3, 2).T + b1) @ W2.reshape(1, 3).T + b2
    p1 = 1 / (1 + np.exp(-z[:, 0]))
    np.testing.assert_allclose(got[:, -1], p1, rtol=1e-5)


def test_wrong_column_count_says_what_to_give(tmp_path, python_model):
    (tmp_path / "three.csv").write_text("a,b,c\n1,2,3\n")
    result = run("predict", "m.glassnet", "--input", "three.csv", cwd=tmp_path)
    assert_usage_error(result, "has 3 input column(s), but the model takes 2 inputs")
    assert "one per input, in the order the network takes them" in result.stderr


def test_evaluate_skips_the_target_column(tmp_path, python_model):
    net, X = python_model
    y = np.array([1, 0, 1])
    rows = "".join(f"{a},{t},{b}\n" for (a, b), t in zip(X, y, strict=True))
    (tmp_path / "xy.csv").write_text("a,label,b\n" + rows)
    result = run(
        "evaluate",
        "m.glassnet",
        "--data",
        "xy.csv",
        "--target",
        "label",
        "--json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    import json

    got = json.loads(result.stdout)
    assert got["accuracy"] == pytest.approx(net.evaluate(X, y)["accuracy"])
