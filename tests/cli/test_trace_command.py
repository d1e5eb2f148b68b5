"""``glassnet trace``: the lectures' worked examples and one step of a saved model."""

import json

import numpy as np
import pytest
from cli_support import assert_usage_error, run
from trace_support import GROUNDED_PRINTED, numbers_in

import glassnet as gn
from glassnet.datasets import load
from glassnet.inspection.lecture_examples import EXAMPLES

#: subprocesses, browsers, servers or real datasets: `pytest -m "not slow"` skips
pytestmark = pytest.mark.slow


def test_list_names_every_example_with_its_title(tmp_path):
    for args in (["--list"], ["--example", "list"]):
        result = run("trace", *args, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        for name, example in EXAMPLES.items():
            assert any(
                name in line and example.title in line
                for line in result.stdout.splitlines()
            ), name
    listed = json.loads(run("trace", "--list", "--json", cwd=tmp_path).stdout)
    assert [entry["name"] for entry in listed] == list(EXAMPLES)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_each_example_prints_its_trace(name, tmp_path):
    result = run("trace", "--example", name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert EXAMPLES[name].title.upper() in result.stdout
    assert "Backward pass" in result.stdout
    document = json.loads(
        run("trace", "--example", name, "--json", cwd=tmp_path).stdout
    )
    assert document["title"] == EXAMPLES[name].title
    assert document["notation"] == EXAMPLES[name].notation


@pytest.mark.parametrize("fmt", ["latex", "markdown"])
def test_grounded_example_prints_every_number_of_the_slide(fmt, tmp_path):
    result = run(
        "trace", "--example", "lecture002-grounded", "--format", fmt, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    shown = numbers_in(result.stdout)
    for value in GROUNDED_PRINTED:
        assert any(abs(s - value) < 5e-4 for s in shown), value
    # the cost of the slide, -log(0.512) = 0.670, and the lecture's own symbols
    assert any(abs(s - 0.670) < 5e-4 for s in shown)
    assert r"\mathbb{W}^{(0)}" in result.stdout and r"\psi" in result.stdout


def test_notation_switch(tmp_path):
    wb = run(
        "trace", "--example", "lecture002-grounded", "--notation", "wb", cwd=tmp_path
    )
    transfer = run("trace", "--example", "lecture002-grounded", cwd=tmp_path)
    assert "z^(1) = W^(1) a^(0) + b^(1)" in wb.stdout
    assert "psi(x^(1))" in transfer.stdout and "b^(1)" not in transfer.stdout


# -- a saved model on one sample ----------------------------------------------------


@pytest.fixture(scope="module")
def moons_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("moons")
    result = run(
        "train",
        "--data",
        "moons",
        "--layers",
        "4",
        "--epochs",
        "3",
        "--quiet",
        cwd=folder,
    )
    assert result.returncode == 0, result.stderr
    return folder / "model.glassnet"


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_model_trace_is_the_backpropagation_worked_by_hand(moons_model, tmp_path):
    lr, raw = 0.5, np.array([0.5, -0.2])
    result = run(
        "trace",
        moons_model,
        "--input",
        "0.5,-0.2",
        "--target",
        "1",
        "--lr",
        lr,
        "--json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)

    # The input as training scaled it: standardized with the training split's
    # mean and population standard deviation (moons, seed 0).
    X_train = load("moons", seed=0).X_train
    x = (raw - X_train.mean(axis=0)) / X_train.std(axis=0)
    net = gn.load(moons_model)
    (W1, b1), (W2, b2) = [(layer.W, layer.b) for layer in net.layers]
    z1 = W1 @ x + b1
    a1 = np.maximum(z1, 0)
    z2 = W2 @ a1 + b2
    a2 = sigmoid(z2)
    # sigmoid with binary cross-entropy: delta^L = a^L - y (lecture 002)
    delta2 = a2 - 1.0
    delta1 = (W2.T @ delta2) * (z1 > 0)
    dW2, dW1 = np.outer(delta2, a1), np.outer(delta1, x)
    W1_new, b1_new = W1 - lr * dW1, b1 - lr * delta1
    W2_new, b2_new = W2 - lr * dW2, b2 - lr * delta2
    new_output = sigmoid(W2_new @ np.maximum(W1_new @ x + b1_new, 0) + b2_new)

    first, last = document["layers"]
    close = dict(rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(first["x"][0], x, **close)
    np.testing.assert_allclose(first["z"][0], z1, **close)
    np.testing.assert_allclose(last["a"][0], a2, **close)
    assert document["loss"] == pytest.approx(-np.log(a2[0]), rel=1e-4)
    np.testing.assert_allclose(last["delta"][0], delta2, **close)
    np.testing.assert_allclose(first["delta"][0], delta1, **close)
    np.testing.assert_allclose(first["dW"], dW1, **close)
    np.testing.assert_allclose(last["dW"], dW2, **close)
    np.testing.assert_allclose(first["W_new"], W1_new, **close)
    np.testing.assert_allclose(last["b_new"], b2_new, **close)
    np.testing.assert_allclose(document["new_output"][0], new_output, **close)
    assert document["step_size"] == lr

    text = run(
        "trace",
        moons_model,
        "--input",
        "0.5,-0.2",
        "--target",
        "1",
        "--lr",
        lr,
        cwd=tmp_path,
    )
    assert text.returncode == 0, text.stderr
    assert f"{-np.log(a2[0]):.4f}" in text.stdout  # the loss C
    assert f"{new_output[0]:.4f}" in text.stdout  # the prediction after the update


def test_model_trace_from_a_csv_row_with_a_categorical_column(tmp_path):
    rows = [
        f"{i % 7 / 2},{'red' if i % 3 else 'blue'},{'yes' if i % 2 else 'no'}"
        for i in range(40)
    ]
    (tmp_path / "d.csv").write_text("size,colour,label\n" + "\n".join(rows) + "\n")
    trained = run(
        "train",
        "--data",
        "d.csv",
        "--target",
        "label",
        "--layers",
        "3",
        "--epochs",
        "2",
        "--quiet",
        cwd=tmp_path,
    )
    assert trained.returncode == 0, trained.stderr
    (tmp_path / "row.csv").write_text("colour,size\nblue,1.5\n")
    from_file = run(
        "trace",
        "model.glassnet",
        "--input",
        "row.csv",
        "--target",
        "yes",
        "--json",
        cwd=tmp_path,
    )
    assert from_file.returncode == 0, from_file.stderr
    # the same sample as features: size, then colour one-hot (blue, red)
    from_numbers = run(
        "trace",
        "model.glassnet",
        "--input",
        "1.5,1,0",
        "--target",
        "1",
        "--json",
        cwd=tmp_path,
    )
    a, b = json.loads(from_file.stdout), json.loads(from_numbers.stdout)
    assert a["input"] == b["input"] and a["loss"] == b["loss"]
    assert a["targets"] == [[1.0]]  # classes sorted: no = 0, yes = 1
    (tmp_path / "two.csv").write_text("colour,size\nblue,1.5\nred,2\n")
    result = run(
        "trace", "model.glassnet", "--input", "two.csv", "--target", "yes", cwd=tmp_path
    )
    assert_usage_error(result, "two.csv has 2 data rows; expected exactly one")


# -- bad input: one line on stderr, exit code 2, nothing on stdout -------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--example", "lecture009"],
            "unknown example 'lecture009'; the examples are lecture002-grounded, "
            "lecture003-binary, lecture003-multiclass, lecture004-parameters",
        ),
        (
            ["MODEL", "--input", "1,2,3", "--target", "1"],
            "has 3 value(s); the model expects 2 (x1, x2)",
        ),
        (["MODEL", "--input", "1,x", "--target", "1"], "'x' is not a number"),
        (
            ["MODEL", "--input", "absent.csv", "--target", "1"],
            "absent.csv does not exist",
        ),
        (["MODEL", "--input", "1,2", "--target", "2"], "class number 0 to 1; got '2'"),
        (["MODEL", "--input", "1,2"], "needs --input ROW (the sample) and --target"),
        (
            ["absent.glassnet", "--input", "1,2", "--target", "1"],
            "absent.glassnet does not exist",
        ),
        (["--example", "lecture002-grounded", "--lr", "1"], "--example takes no --lr"),
        ([], "nothing to trace"),
    ],
)
def test_bad_trace_requests(args, message, moons_model, tmp_path):
    args = [moons_model if a == "MODEL" else a for a in args]
    result = run("trace", *args, cwd=tmp_path)
    assert_usage_error(result, message)
    assert result.stdout == ""


def test_model_trace_names_the_layers_its_formulas_leave_out(tmp_path):
    trained = run(
        "train",
        "--data",
        "moons",
        "--layers",
        "3",
        "--batch-norm",
        "--dropout",
        "0.1",
        "--epochs",
        "1",
        "--quiet",
        cwd=tmp_path,
    )
    assert trained.returncode == 0, trained.stderr
    result = run(
        "trace", "model.glassnet", "--input=-1,2", "--target", "0", cwd=tmp_path
    )
    # batch normalization cannot take a training step on the one sample
    assert result.returncode == 2, result.stdout
    assert "BatchNorm(3) cannot train on 1 sample(s)" in result.stderr
    trained = run(
        "train", "--data", "moons", "--layers", "3", "--dropout", "0.1",
        "--epochs", "1", "--quiet", "--out", "d.glassnet", cwd=tmp_path,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    result = run("trace", "d.glassnet", "--input=-1,2", "--target", "0", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Dropout layers run (in training mode)" in " ".join(result.stdout.split())


def test_decimals_flag_sets_the_digits(tmp_path):
    # sigma(0.9) = 1 / (1 + e^-0.9) = 0.710950: the second hidden unit of the
    # grounded example (x^(0) = [1, 0, 1], column [0.6, -0.4, 0.3] of W^(0))
    args = ("trace", "--example", "lecture002-grounded")
    two = run(*args, "--decimals", "2", cwd=tmp_path)
    assert two.returncode == 0, two.stderr
    assert "[0.55, 0.71]^T" in two.stdout and "0.7109" not in two.stdout
    four = run(*args, "--decimals", "4", "--format", "latex", cwd=tmp_path)
    assert r"0.5498 \\ 0.7109" in four.stdout
    old = run(*args, "--precision", "2", cwd=tmp_path)
    assert old.stdout == two.stdout and "--decimals" in old.stderr
    assert_usage_error(
        run(*args, "--decimals", "17", cwd=tmp_path), "--decimals must be an integer"
    )
