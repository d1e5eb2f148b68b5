"""One flag name per meaning, the old spellings, and errors naming flags."""

import csv

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main


@pytest.fixture(autouse=True)
def _no_accelerator(monkeypatch):
    monkeypatch.setenv("GLASSNET_ACCELERATE", "0")


@pytest.fixture
def model(tmp_path):
    """A two-input regressor saved to a file, with columns x1, x2."""
    net = gn.Network.mlp([2, 3, 1], output="identity", loss="mse", seed=0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2))
    net.fit(X, X.sum(axis=1, keepdims=True), epochs=1, verbose=0)
    path = tmp_path / "m.glassnet"
    gn.save(net, path)
    (tmp_path / "in.csv").write_text("0.5,-1\n2,3\n")
    return net, path


def _error(capsys, argv) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("glassnet: error: ")
    return err


def _train_csv(tmp_path, gap=False):
    rows = ["x1,x2,y"] + [f"{i % 5},{(i * 7) % 3},{i % 2}" for i in range(40)]
    if gap:
        rows[3] = ",1,0"
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    return str(tmp_path / "t.csv")


def test_train_output_activation_and_its_old_spelling(tmp_path, capsys):
    out = tmp_path / "m.glassnet"
    base = ["train", "--data", "xor", "--epochs", "1", "--quiet", "--out", str(out)]
    assert main([*base, "--output-activation", "softmax"]) == 0
    assert gn.load(out).layers[-1].activation.name == "softmax"
    assert capsys.readouterr().err == ""
    assert main([*base, "--output", "sigmoid"]) == 0
    assert gn.load(out).layers[-1].activation.name == "sigmoid"
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "glassnet: warning: --output is now --output-activation; --output will be "
        "removed in a future version"
    ]


def test_train_unknown_output_activation_names_the_new_flag(tmp_path, capsys):
    err = _error(capsys, ["train", "--output-activation", "swish", "--quiet"])
    assert "(--output-activation)" in err and "Got 'swish'" in err


def test_gradcheck_output_activation_and_its_old_spelling(capsys):
    assert main(["gradcheck", "--output-activation", "softmax"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["gradcheck", "--output", "softmax"]) == 0
    assert "--output is now --output-activation" in capsys.readouterr().err


def test_predict_out_file_dash_and_old_spelling(model, tmp_path, capsys):
    net, path = model
    expected = net.predict(np.array([[0.5, -1.0], [2.0, 3.0]])).ravel()
    inputs = str(tmp_path / "in.csv")
    (tmp_path / "in.csv").write_text("x1,x2\n0.5,-1\n2,3\n")
    out = tmp_path / "p.csv"
    assert main(["predict", str(path), "--input", inputs, "--out", str(out)]) == 0
    rows = list(csv.reader(out.open()))
    assert rows[0] == ["prediction"]
    np.testing.assert_allclose([float(r[0]) for r in rows[1:]], expected, rtol=1e-6)
    assert capsys.readouterr() == ("", "")
    assert main(["predict", str(path), "--input", inputs, "--out", "-"]) == 0
    shown = capsys.readouterr()
    assert shown.out.splitlines()[0] == "prediction"
    assert len(shown.out.splitlines()) == 3 and shown.err == ""
    assert not (tmp_path / "-").exists()
    out.unlink()
    assert main(["predict", str(path), "--input", inputs, "--output", str(out)]) == 0
    assert out.is_file()
    assert "--output is now --out" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["train", "export"])
def test_binary_files_are_refused_on_standard_output(command, model, capsys):
    _, path = model
    argv = ["train", "--quiet"] if command == "train" else ["export", str(path)]
    err = _error(capsys, [*argv, "--out", "-"])
    assert "--out must be a file name" in err and "binary" in err


@pytest.mark.parametrize(
    ("args", "flag", "parameter"),
    [
        (["--dropout", "1.5"], "--dropout", "'rate'"),
        (["--batch-size", "-1"], "--batch-size", "parameter of fit"),
        (["--lr", "-1"], "--lr", "parameter of"),
        (["--epochs", "0"], "--epochs", "parameter of fit"),
    ],
)
def test_train_errors_name_the_flag(args, flag, parameter, tmp_path, capsys):
    err = _error(capsys, ["train", "--data", "xor", *args, "--quiet",
                          "--out", str(tmp_path / "m.glassnet")])  # fmt: skip
    assert flag in err and parameter not in err


def test_missing_value_hint_names_the_flag(tmp_path, capsys):
    data = _train_csv(tmp_path, gap=True)
    argv = ["train", "--data", data, "--target", "y", "--epochs", "1", "--quiet"]
    err = _error(capsys, [*argv, "--out", str(tmp_path / "m.glassnet")])
    assert "--missing median or --missing drop" in err
    assert "missing='median'" not in err


@pytest.mark.parametrize(
    ("argv", "flag", "parameter"),
    [
        (["gradcheck", "--sizes", "0,3"], "--sizes", "'n_in' parameter of Dense"),
        (["trace", "MODEL", "--input", "1,2", "--target", "0", "--lr", "-1"],
         "--lr", "'lr' parameter of SGD"),
    ],
)  # fmt: skip
def test_other_commands_name_the_flag(argv, flag, parameter, model, capsys):
    _, path = model
    argv = [str(path) if a == "MODEL" else a for a in argv]
    err = _error(capsys, argv)
    assert err.startswith(f"glassnet: error: {flag} must be ")
    assert parameter not in err


def test_the_table_leaves_unknown_parameters_and_other_commands_alone():
    from glassnet.cli._common import name_flags

    text = "The 'n_in' parameter of Dense must be a positive int. Got 0 instead."
    assert name_flags(text, "gradcheck").startswith("--sizes must be")
    assert name_flags(text, "predict") == text
    other = "The 'tol' parameter of Diagnostics must be positive."
    assert name_flags(other, "train") == other
