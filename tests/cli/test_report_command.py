"""``glassnet train --plots`` and ``glassnet report``, run as a user types them."""

import json
import os

import numpy as np
import pytest
from cli_support import assert_usage_error, run
from report_support import assert_self_contained, check_png, embedded_pngs

import glassnet as gn

#: subprocesses, browsers, servers or real datasets: `pytest -m "not slow"` skips
pytestmark = pytest.mark.slow

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    """A short run on the digits with --plots: the model and what train printed."""
    folder = tmp_path_factory.mktemp("digits")
    result = run(
        "train",
        "--layers",
        "12",
        "--epochs",
        "3",
        "--validation-split",
        "0.2",
        "--plots",
        "plots",
        "--json",
        cwd=folder,
    )
    assert result.returncode == 0, result.stderr
    return folder, json.loads(result.stdout)


def test_train_plots_writes_the_plots_of_the_run(digits_run):
    folder, summary = digits_run
    expected = {
        "learning_curves",
        "network",
        "diagnostics",
        "confusion_matrix",
        "first_layer_weights",  # 64 pixel inputs: an 8 x 8 image per neuron
        "saliency",  # ... and a saliency map per test image
    }
    assert set(summary["plots"]) == expected
    for name in expected:
        path = folder / "plots" / f"{name}.png"
        assert summary["plots"][name] == str(path.relative_to(folder))
        check_png(path)
    assert sorted(p.name for p in (folder / "plots").iterdir()) == sorted(
        f"{name}.png" for name in expected
    )
    # the diagnostics were recorded and saved with the model
    history = gn.load(folder / "model.glassnet").metadata["history"]
    assert len(history["grad_norm/1"]) == len(history["grad_norm/2"]) == 3
    assert len(history["val_loss"]) == 3


def test_train_plots_of_a_2d_problem_draw_the_decision_boundary(tmp_path):
    result = run(
        "train",
        "--data",
        "moons",
        "--layers",
        "6",
        "--epochs",
        "2",
        "--plots",
        "out/plots",
        "--quiet",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    names = sorted(p.stem for p in (tmp_path / "out" / "plots").iterdir())
    assert names == [
        "confusion_matrix",
        "decision_boundary",
        "diagnostics",
        "learning_curves",
        "network",
    ]
    check_png(tmp_path / "out" / "plots" / "decision_boundary.png")
    assert "plots in out/plots: " in result.stdout


def test_train_without_plots_records_no_diagnostics(tmp_path):
    assert run("train", "--epochs", "1", "--quiet", cwd=tmp_path).returncode == 0
    history = gn.load(tmp_path / "model.glassnet").metadata["history"]
    assert not any("/" in key for key in history)


def test_train_plots_into_a_file_is_an_error(tmp_path):
    (tmp_path / "taken").write_text("not a directory")
    result = run("train", "--epochs", "1", "--plots", "taken", cwd=tmp_path)
    assert_usage_error(result, "--plots taken: exists and is not a directory")
    assert not (tmp_path / "model.glassnet").exists()


def test_report_is_one_self_contained_page(digits_run, tmp_path):
    folder, _ = digits_run
    model = folder / "model.glassnet"
    out = tmp_path / "report.html"
    result = run("report", model, "--data", "digits", "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}" in result.stdout
    text = out.read_text(encoding="utf-8")
    parser = assert_self_contained(text)
    assert parser.headings == [
        "Network",
        "Training config",
        "Learning curves",
        "Test metrics",
        "Diagnostics",
        "First-layer weights",
        "Saliency",  # an image classifier with test data
    ]
    # network, learning curves, confusion matrix, diagnostics, first-layer
    # weights, saliency
    images = embedded_pngs(parser, tmp_path)
    assert len(images) == 6
    for path in images:
        check_png(path, min_width=250)
    # every metric of 'glassnet evaluate', with the same values
    evaluation = json.loads(
        run("evaluate", model, "--data", "digits", "--json", cwd=tmp_path).stdout
    )
    for key in ("loss", "accuracy", "balanced_accuracy", "f1_score_macro"):
        assert f"<td>{key}</td><td class='num'>{evaluation[key]:.4f}</td>" in text
    # the training config from the model file
    assert "<dt>layers</dt><dd>[12]</dd>" in text
    assert "<dt>validation_split</dt><dd>0.2</dd>" in text


def test_report_of_a_regression_on_a_csv_file(tmp_path):
    rows = "\n".join(
        f"{i % 5},{i % 3},{0.5 * (i % 5) - 0.3 * (i % 3)}" for i in range(60)
    )
    (tmp_path / "d.csv").write_text("a,b,y\n" + rows + "\n")
    trained = run(
        "train",
        "--data",
        "d.csv",
        "--target",
        "y",
        "--layers",
        "4",
        "--epochs",
        "2",
        "--quiet",
        cwd=tmp_path,
    )
    assert trained.returncode == 0, trained.stderr
    result = run(
        "report",
        "model.glassnet",
        "--data",
        "d.csv",
        "--target",
        "y",
        "--title",
        "Fit of <y>",
        "--json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    # d.csv is the training file: its ceil(0.2 * 60) = 12 held-out rows
    assert (summary["report"], summary["samples"]) == ("report.html", 12)
    assert summary["held_out"] is True
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    parser = assert_self_contained(text)
    assert "Test metrics" in parser.headings and "<td>r2</td>" in text
    assert "Decision boundary" in parser.headings  # two inputs, a and b
    assert "Confusion" not in text  # a regression has no classes
    assert "<h1>Fit of &lt;y&gt;</h1>" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["absent.glassnet", "--data", "digits"], "absent.glassnet does not exist"),
        (["MODEL", "--data", "nosuchset"], "Unknown dataset 'nosuchset'"),
        (["MODEL", "--data", "d.csv"], "--target is required"),
        (["MODEL", "--data", "digits", "--out", "no/r.html"], "directory no does not"),
    ],
)
def test_bad_report_requests(args, message, digits_run, tmp_path):
    (tmp_path / "d.csv").write_text("a,y\n1,0\n")
    model = digits_run[0] / "model.glassnet"
    args = [model if a == "MODEL" else a for a in args]
    result = run("report", *args, cwd=tmp_path)
    assert_usage_error(result, message)
    assert not (tmp_path / "report.html").exists()
    assert not list(tmp_path.rglob("*.html"))


def _table(path, n=50, seed=0):
    """n rows of two features; label "b" where x1 > x2."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    path.write_text(
        "x1,x2,y\n"
        + "".join(f"{a:.3f},{b:.3f},{'b' if a > b else 'a'}\n" for a, b in X)
    )


def test_evaluate_and_report_say_which_rows_they_score(tmp_path):
    _table(tmp_path / "train.csv")
    result = run(
        "train", "--data", "train.csv", "--target", "y", "--layers", "4",
        "--epochs", "2", "--quiet", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    net = gn.load(tmp_path / "model.glassnet")
    # The training file: its ceil(0.2 * 50) = 10 held-out rows, as in training.
    same = run(
        "evaluate", "model.glassnet", "--data", "train.csv", "--target", "y",
        "--json", cwd=tmp_path,
    )  # fmt: skip
    scored = json.loads(same.stdout)
    assert sum(map(sum, scored["confusion_matrix"])) == 10
    assert scored["held_out"] is True
    assert scored["accuracy"] == net.metadata["test_metrics"]["accuracy"]
    text = run(
        "evaluate", "model.glassnet", "--data", "train.csv", "--target", "y",
        cwd=tmp_path,
    ).stdout  # fmt: skip
    assert text.startswith("scored: the 10 held-out test rows of train.csv")
    # Another file (one more row): all its rows, said to be all of them.
    text = (tmp_path / "train.csv").read_text()
    (tmp_path / "other.csv").write_text(text + "0.100,0.200,a\n")
    other = json.loads(
        run(
            "evaluate", "model.glassnet", "--data", "other.csv", "--target", "y",
            "--json", cwd=tmp_path,
        ).stdout
    )  # fmt: skip
    assert sum(map(sum, other["confusion_matrix"])) == 51
    assert other["held_out"] is False and other["scored"].startswith("all 51 rows")
    # The report says the same, and does not call training rows test samples.
    run(
        "report", "model.glassnet", "--data", "other.csv", "--target", "y",
        "--out", "r.html", cwd=tmp_path,
    )  # fmt: skip
    page = (tmp_path / "r.html").read_text()
    assert "evaluated on all 51 rows of other.csv" in page
    assert "Metrics (the rows include training data)" in page
    assert "test samples" not in page
    run(
        "report", "model.glassnet", "--data", "train.csv", "--target", "y",
        "--out", "t.html", cwd=tmp_path,
    )  # fmt: skip
    page = (tmp_path / "t.html").read_text()
    assert "evaluated on the 10 held-out test rows of train.csv" in page
    assert "Test metrics" in page


@pytest.mark.parametrize("where", ["file", "sys"])
def test_an_unwritable_plots_folder_is_refused_before_training(tmp_path, where):
    (tmp_path / "a-file").write_text("not a folder")
    folder = tmp_path / "a-file" / "plots" if where == "file" else "/sys/plots"
    if where == "sys" and not os.path.isdir("/sys"):
        pytest.skip("no /sys on this system")
    result = run(
        "train", "--epochs", "2", "--out", "pl.glassnet", "--plots", folder,
        cwd=tmp_path,
    )  # fmt: skip
    assert_usage_error(result, f"--plots {folder}: cannot write plots")
    assert "epoch" not in result.stdout  # not a single epoch trained
    assert not (tmp_path / "pl.glassnet").exists()


def test_warnings_of_a_command_are_escaped_like_its_errors(tmp_path):
    # a class name with ESC: matplotlib warns that glyph 27 is missing
    names = ["x\x1b[31mred", "plain"]
    rows = "".join(f"{i % 5},{i % 7},{names[i % 2]}\n" for i in range(40))
    (tmp_path / "e.csv").write_text("a,b,y\n" + rows)
    common = ("--data", "e.csv", "--target", "y")
    trained = run("train", *common, "--epochs", "1", "--out", "e.glassnet",
                  "--quiet", cwd=tmp_path)  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    result = run("report", "e.glassnet", *common, "--out", "r.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stderr and "\x1b" not in result.stdout
    warned = [x for x in result.stderr.splitlines() if "Glyph 27" in x]
    assert warned and all(x.startswith("glassnet: warning: ") for x in warned)
    assert "(\\x1b)" in warned[0]
