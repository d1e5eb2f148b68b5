"""The command line, run as a user types it (a subprocess per command)."""

import csv
import json
import os
import zipfile

import numpy as np
import pytest
from cli_support import ROOT, assert_usage_error, interrupt_after, run  # noqa: F401
from datasets_support import data_dir_fixture, require  # noqa: F401

import glassnet as gn

#: subprocesses, browsers, servers or real datasets: `pytest -m "not slow"` skips
pytestmark = pytest.mark.slow

COMMANDS = [
    "train",
    "evaluate",
    "predict",
    "inspect",
    "datasets",
    "trace",
    "gradcheck",
    "report",
]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_command_has_help(command, tmp_path):
    result = run(*([command] if command else []), "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "usage: glassnet" in result.stdout


def test_train_without_arguments_trains_on_the_digits_and_saves(tmp_path):
    result = run("train", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert sum(line.startswith("epoch ") for line in lines) == 20
    accuracy = [line for line in lines if line.startswith("test accuracy: ")]
    assert float(accuracy[0].split(":")[1]) >= 0.95
    model = gn.load(tmp_path / "model.glassnet")
    assert model.metadata["config"]["data"] == "digits"
    assert model.metadata["test_metrics"]["accuracy"] >= 0.95


@pytest.fixture(scope="module")
def ilpd_csv(data_dir, tmp_path_factory):
    """ILPD with the selector as yes/no labels, a user's CSV file."""
    folder = tmp_path_factory.mktemp("ilpd")
    with open(data_dir / "ilpd" / "ilpd.csv", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    header[-1] = "patient"
    for row in body:
        row[-1] = "yes" if row[-1] == "1" else "no"
    path = folder / "liver.csv"
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([header, *body])
    features = folder / "features.csv"
    with open(features, "w", newline="") as f:
        csv.writer(f).writerows([header[:-1], *(row[:-1] for row in body[:40])])
    return path, features


def test_train_evaluate_predict_round_trip_on_a_csv(ilpd_csv, tmp_path):
    data, features = ilpd_csv
    model = tmp_path / "liver.glassnet"
    result = run(
        "train",
        "--data",
        data,
        "--target",
        "patient",
        "--missing",
        "median",
        "--layers",
        "16",
        "--epochs",
        "30",
        "--out",
        model,
        "--json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["model"] == str(model) and 0.5 < summary["test"]["accuracy"] <= 1

    evaluation = run(
        "evaluate", model, "--data", data, "--target", "patient", "--json", cwd=tmp_path
    )
    assert evaluation.returncode == 0, evaluation.stderr
    metrics = json.loads(evaluation.stdout)
    assert len(metrics["confusion_matrix"]) == 2
    # The training file (same SHA-256): its held-out rows, ceil(0.2 * 583) = 117,
    # not all 583 rows of which 466 were training rows.
    assert sum(map(sum, metrics["confusion_matrix"])) == 117
    assert metrics["held_out"] is True and "117 held-out test rows" in metrics["scored"]
    trained = gn.load(model).metadata["test_metrics"]
    assert metrics["accuracy"] == pytest.approx(trained["accuracy"])
    assert metrics["loss"] == pytest.approx(trained["loss"], rel=1e-6)

    out = tmp_path / "predictions.csv"
    predicted = run("predict", model, "--input", features, "--out", out, cwd=tmp_path)
    assert predicted.returncode == 0, predicted.stderr
    with open(out, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["prediction"] and len(rows) == 41
    assert {r[0] for r in rows[1:]} <= {"yes", "no"}

    # the same predictions in-process, from the same file
    from glassnet.datasets import encode_table, read_csv_table

    net = gn.load(model)
    X = encode_table(read_csv_table(features), net.preprocessing.schema)
    assert [r[0] for r in rows[1:]] == net.predict(X).tolist()
    proba = run("predict", model, "--input", features, "--proba", cwd=tmp_path)
    values = np.array([row.split(",") for row in proba.stdout.split()[1:]], float)
    assert np.allclose(values, net.predict_proba(X), atol=1e-6)
    assert proba.stdout.splitlines()[0] == "p(no),p(yes)"


@pytest.mark.parametrize(
    ("data", "lr"), [("multi-gauss-regression", "10"), ("xor", "1e6")]
)
def test_train_stops_a_diverging_run_and_saves_nothing(data, lr, tmp_path):
    result = run("train", "--data", data, "--optimizer", "sgd", "--lr", lr,
                 "--epochs", "50", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout.count("epoch ") == 1  # stopped after the first epoch
    last = result.stderr.strip().splitlines()[-1]  # after NumPy's overflow warnings
    assert last.startswith(f"glassnet: error: training diverged in epoch 1 of 50 "
                           f"(lr {float(lr):g}): the ")  # fmt: skip
    assert "no model was saved to model.glassnet" in last
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "model.glassnet").exists()


def test_train_stops_a_run_whose_loss_explodes_without_nan(tmp_path):
    # Adam with lr 1e6 keeps every number finite but the loss astronomical
    result = run("train", "--data", "multi-gauss-regression", "--lr", "1e6",
                 "--epochs", "20", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2, (result.stdout, result.stderr)
    last = result.stderr.strip().splitlines()[-1]
    assert "training diverged in epoch" in last and "above max_loss=" in last
    assert not (tmp_path / "model.glassnet").exists()


def test_ctrl_c_in_train_says_that_no_model_was_saved(tmp_path):
    result = interrupt_after("train", "--epochs", "100000", "--out", "m.glassnet",
                             first="epoch ", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 130, result.stderr
    assert "training interrupted; no model was saved to m.glassnet" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "m.glassnet").exists()


def test_inspect_shows_summary_config_and_weight_statistics(tmp_path):
    assert run("train", "--epochs", "2", "--layers", "8", cwd=tmp_path).returncode == 0
    result = run("inspect", "model.glassnet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Total parameters: 610" in result.stdout  # 64*8 + 8 + 8*10 + 10
    assert "layers = [8]" in result.stdout and "weight statistics" in result.stdout
    info = json.loads(run("inspect", "model.glassnet", "--json", cwd=tmp_path).stdout)
    W = gn.load(tmp_path / "model.glassnet").layers[0].W
    stats = info["weights"][0]
    assert stats["shape"] == [8, 64]
    assert stats["std"] == pytest.approx(float(W.std()), rel=1e-6)


def test_config_file_and_flags_override_it(tmp_path):
    (tmp_path / "run.toml").write_text(
        'data = "digits"\nlayers = [12, 6]\nepochs = 3\nlr = 0.01\nseed = 4\n'
    )
    result = run(
        "train",
        "--config",
        "run.toml",
        "--epochs",
        "2",
        "--out",
        "m.glassnet",
        "--quiet",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    config = gn.load(tmp_path / "m.glassnet").metadata["config"]
    assert config["layers"] == [12, 6] and config["lr"] == 0.01 and config["seed"] == 4
    assert config["epochs"] == 2  # the flag wins over the file
    # the saved config repeats the run
    again = tmp_path / "again.toml"
    again.write_text(
        "\n".join(
            f"{k} = {json.dumps(v)}"
            for k, v in config.items()
            if v is not None and k != "out"
        )
        + '\nout = "b.glassnet"\n'
    )
    assert run("train", "--config", again, "--quiet", cwd=tmp_path).returncode == 0
    a = gn.load(tmp_path / "m.glassnet").get_weights()
    b = gn.load(tmp_path / "b.glassnet").get_weights()
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_training_toolkit_flags(tmp_path):
    result = run(
        "train",
        "--data",
        "moons",
        "--layers",
        "16,16",
        "--dropout",
        "0.1",
        "--batch-norm",
        "--l2",
        "0.001",
        "--optimizer",
        "rmsprop",
        "--lr",
        "0.01",
        "--early-stopping",
        "3",
        "--epochs",
        "40",
        "--quiet",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    net = gn.load(tmp_path / "model.glassnet")
    kinds = [type(layer).__name__ for layer in net.layers]
    assert kinds == ["Dense", "BatchNorm", "Dropout"] * 2 + ["Dense"]
    assert net.regularizer.config()["l2"] == 0.001
    assert "val_loss" in net.metadata["history"]


@pytest.mark.parametrize("name", ["ilpd", "california-housing", "circle", "plane"])
def test_train_and_evaluate_named_datasets(name, data_dir, tmp_path):
    result = run("train", "--data", name, "--epochs", "3", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    evaluation = run(
        "evaluate", "model.glassnet", "--data", name, "--json", cwd=tmp_path
    )
    assert evaluation.returncode == 0, evaluation.stderr
    metrics = json.loads(evaluation.stdout)
    assert ("r2" in metrics) == (name in ("california-housing", "plane"))


def test_mnist_one_epoch_end_to_end(data_dir, tmp_path):
    result = run(
        "train",
        "--data",
        "mnist",
        "--epochs",
        "1",
        "--layers",
        "64",
        "--batch-size",
        "128",
        "--json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["test"]["accuracy"] > 0.9


def test_datasets_lists_every_dataset(data_dir, tmp_path):
    result = run("datasets", "--json", cwd=tmp_path)
    status = json.loads(result.stdout)
    assert status["digits"] == "bundled"
    assert str(data_dir) in status["mnist"]


def test_gradcheck_command(tmp_path):
    result = run(
        "gradcheck", "--sizes", "3,4,2", "--activation", "sigmoid", cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout
    assert "passed" in result.stdout.splitlines()[-1]


# -- bad input: one line, exit code 2, no output file ---------------------------------


def write(path, text):
    path.write_text(text)
    return path


GOOD_ROWS = "".join(f"{i},{i % 3},{i % 2}\n" for i in range(10))
CSV_ERRORS = [
    ("a,b,y\n1,2,0\n3,x,1\n" + GOOD_ROWS, "line 3, column 'b'"),
    ("a,b,y\n1,2,0\n3,nan,1\n" + GOOD_ROWS, "line 3, column 'b'"),
    ("a,b,y\n1,2,0\n3,inf,1\n" + GOOD_ROWS, "line 3, column 'b'"),
    ("a,b,y\n1,2,0\n3,1\n" + GOOD_ROWS, "line 3 has 2 fields"),
    ("a,b,y\n" + "".join(f"{i},{i},0\n" for i in range(10)), "single class"),
]


@pytest.mark.parametrize(("text", "message"), CSV_ERRORS)
def test_bad_csv_files(text, message, tmp_path):
    data = write(tmp_path / "d.csv", text)
    result = run("train", "--data", data, "--target", "y", cwd=tmp_path)
    assert_usage_error(result, message)
    assert not (tmp_path / "model.glassnet").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", "missing.csv", "--target", "y"], "missing.csv does not exist"),
        (["--data", "d.csv", "--target", "z"], "'z'"),
        (["--data", "nosuchset"], "Unknown dataset 'nosuchset'"),
        (["--activation", "swish"], "The 'activation' setting (--activation)"),
        (["--loss", "hinge"], "The 'loss' setting (--loss) of glassnet train"),
        (["--optimizer", "adamant"], "Got 'adamant' (str) instead."),
        (
            ["--data", "plane", "--output-activation", "softmax"],
            "contradictory settings",
        ),
        (["--data", "digits", "--loss", "mse"], "contradictory settings"),
        (["--layers", "64,x"], "comma-separated positive integers"),
        (["--lr", "-1"], "'lr' setting (--lr) of glassnet train must be a float"),
        (["--dropout", "1.5"], "in the range [0, 1). Got 1.5 instead."),
        (["--config", "absent.toml"], "absent.toml does not exist"),
    ],
)
def test_bad_training_requests(args, message, tmp_path):
    write(tmp_path / "d.csv", "a,b,y\n" + GOOD_ROWS)
    result = run("train", *args, cwd=tmp_path)
    assert_usage_error(result, message)
    assert not (tmp_path / "model.glassnet").exists()


def test_unreadable_data_files(tmp_path):
    (tmp_path / "folder.csv").mkdir()
    result = run("train", "--data", "folder.csv", "--target", "y", cwd=tmp_path)
    assert_usage_error(result, "folder.csv is not a readable file")
    (tmp_path / "binary.csv").write_bytes(bytes(range(256)) * 4)
    result = run("train", "--data", "binary.csv", "--target", "y", cwd=tmp_path)
    assert_usage_error(result, "binary.csv")
    if os.geteuid() != 0:  # root reads files whatever their permissions
        locked = write(tmp_path / "locked.csv", "a,y\n1,0\n2,1\n")
        locked.chmod(0)
        result = run("train", "--data", locked, "--target", "y", cwd=tmp_path)
        assert_usage_error(result, "not readable")
    assert not (tmp_path / "model.glassnet").exists()


@pytest.fixture(scope="module")
def digits_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    assert run("train", "--epochs", "1", "--quiet", cwd=folder).returncode == 0
    return folder / "model.glassnet"


def test_predict_with_missing_or_extra_columns(digits_model, tmp_path):
    names = [f"pixel_{i}" for i in range(64)]
    net = gn.load(digits_model)
    names = net.preprocessing.feature_names
    missing = write(
        tmp_path / "m.csv", ",".join(names[:-1]) + "\n" + ",".join(["0"] * 63)
    )
    result = run(
        "predict", digits_model, "--input", missing, "--out", "o.csv", cwd=tmp_path
    )
    assert_usage_error(result, names[-1])
    extra = write(
        tmp_path / "e.csv", ",".join([*names, "colour"]) + "\n" + ",".join(["0"] * 65)
    )
    result = run(
        "predict", digits_model, "--input", extra, "--out", "o.csv", cwd=tmp_path
    )
    assert_usage_error(result, "colour")
    assert not (tmp_path / "o.csv").exists()


def test_bad_model_files(digits_model, tmp_path):
    data = digits_model.read_bytes()
    truncated = tmp_path / "truncated.glassnet"
    truncated.write_bytes(data[: len(data) // 2])
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("hello.txt", "hi")
    newer = tmp_path / "newer.glassnet"
    with zipfile.ZipFile(digits_model) as src, zipfile.ZipFile(newer, "w") as dst:
        for name in src.namelist():
            blob = src.read(name)
            if name == "glassnet.json":
                manifest = json.loads(blob)
                manifest["format_version"] = 99
                blob = json.dumps(manifest).encode()
            dst.writestr(name, blob)
    pickled = tmp_path / "pickled.glassnet"
    with zipfile.ZipFile(digits_model) as src, zipfile.ZipFile(pickled, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        dst.writestr("payload.pkl", b"\x80\x04K\x01.")
    cases = [
        (truncated, "truncated or corrupt"),
        (other, "not a glassnet model"),
        (newer, "version 99"),
        (pickled, "payload.pkl"),
        (tmp_path / "absent.glassnet", "does not exist"),
    ]
    for path, message in cases:
        for command in (["inspect", path], ["evaluate", path, "--data", "digits"]):
            assert_usage_error(run(*command, cwd=tmp_path), message)


def test_download_progress_is_shown_on_stderr():
    import io

    from glassnet.cli._common import DownloadBar

    stream = io.StringIO()
    bar = DownloadBar(stream)
    for done in (0, 2_500_000, 2_500_001, 10_000_000):
        bar(done, 10_000_000)
    # one line, redrawn in place, once per whole percent
    assert stream.getvalue() == (
        "\rdownloading   0% 0.0/10.0 MB\rdownloading  25% 2.5/10.0 MB"
        "\rdownloading 100% 10.0/10.0 MB\n"
    )


def test_gradcheck_of_a_model_trained_with_standard_scaling(tmp_path):
    # the check must see the model's scaler on both sides (analytic and numeric)
    trained = run(
        "train", "--scale", "standard", "--layers", "6", "--epochs", "1",
        "--out", "m.glassnet", cwd=tmp_path,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    result = run("gradcheck", "m.glassnet", "--data", "digits", "--samples", "3",
                 cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "passed"


# -- labels keep their type; a built-in dataset's encoding is in the model -----------


def test_a_digits_model_predicts_integer_digits(digits_model):
    from glassnet.datasets import load

    net = gn.load(digits_model)
    data = load("digits")
    predicted = net.predict(data.X_test)
    assert predicted.dtype == np.int64
    # the accuracy worked out here equals the one the model recorded
    accuracy = np.mean(predicted == data.y_test)
    assert accuracy == pytest.approx(net.metadata["test_metrics"]["accuracy"])
    assert accuracy > 0.5


def _labelled_csv(path, labels):
    """40 rows, two features; the label is labels[0] where x1 + x2 < 0."""
    rng = np.random.default_rng(0)
    X = np.round(rng.normal(size=(40, 2)), 3)  # as the file holds them
    chosen = [labels[0] if a + b < 0 else labels[1] for a, b in X]
    rows = zip(X, chosen, strict=True)
    lines = ["x1,x2,y", *(f"{a:.3f},{b:.3f},{c}" for (a, b), c in rows)]
    path.write_text("\n".join(lines) + "\n")
    return X, chosen


@pytest.mark.parametrize(
    ("cells", "labels"),
    [
        (["3", "7"], [3, 7]),  # an integer target column stays integer
        (["1.0", "2.0"], [1.0, 2.0]),  # a float column stays float
        (["no", "yes"], ["no", "yes"]),  # strings stay strings
    ],
    ids=["int", "float", "str"],
)
def test_csv_labels_keep_their_type(cells, labels, tmp_path):
    X, chosen = _labelled_csv(tmp_path / "d.csv", cells)
    result = run(
        "train", "--data", "d.csv", "--target", "y", "--layers", "4",
        "--epochs", "2", "--quiet", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    net = gn.load(tmp_path / "model.glassnet")
    assert net.preprocessing.classes == labels
    assert [type(c) for c in net.preprocessing.classes] == [type(labels[0])] * 2
    predicted = net.predict(X)
    assert set(predicted.tolist()) <= set(labels)
    assert all(type(v) is type(labels[0]) for v in predicted.tolist())
    y = np.array([labels[cells.index(c)] for c in chosen])
    # evaluate maps the labels, not their positions: 3 is class 0, 7 class 1
    assert net.evaluate(X, y)["accuracy"] == pytest.approx(np.mean(predicted == y))
    (tmp_path / "in.csv").write_text(
        "x1,x2\n" + "".join(f"{a:.3f},{b:.3f}\n" for a, b in X)
    )
    out = run("predict", "model.glassnet", "--input", "in.csv", "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)["rows"]
    assert [row[0] for row in rows] == [
        v if isinstance(v, (int, str)) else f"{v:.9g}" for v in predicted.tolist()
    ]


def test_an_ilpd_model_reads_the_published_columns(data_dir, tmp_path):
    source = require(data_dir / "ilpd" / "ilpd.csv")
    result = run("train", "--data", "ilpd", "--epochs", "2", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with open(source, newline="") as f:
        rows = list(csv.reader(f))[:31]  # the header and 30 patients
    with open(tmp_path / "patients.csv", "w", newline="") as f:
        csv.writer(f).writerows(row[:10] for row in rows)  # without Selector
    out = run(
        "predict", "model.glassnet", "--input", "patients.csv", "--json",
        cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    predicted = [row[0] for row in json.loads(out.stdout)["rows"]]
    # The same rows encoded by hand: Age, Gender one-hot (Female, Male), the rest.
    X = np.array(
        [
            [float(r[0]), r[1] == "Female", r[1] == "Male", *map(float, r[2:10])]
            for r in rows[1:]
        ],
        dtype=np.float64,
    )
    net = gn.load(tmp_path / "model.glassnet")
    assert predicted == net.predict(X).tolist()
    assert set(predicted) <= {0, 1}


def test_escaped_warnings_print_warnings_and_log_records_on_one_escaped_line(capsys):
    import logging
    import warnings

    from glassnet.cli._common import escaped_warnings

    # a library's logger without handlers (pytest's own are on the root)
    logger = logging.getLogger("glassnet-test.library")
    logger.propagate = False
    with escaped_warnings():
        warnings.warn("bad \x1b[2J name\nsecond line", UserWarning, stacklevel=1)
        logger.warning("log \x1b]0;title\x07 %s", "x")
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert err.splitlines() == [
        "glassnet: warning: bad \\x1b[2J name\\nsecond line",
        "glassnet: warning: log \\x1b]0;title\\x07 x",
    ]
