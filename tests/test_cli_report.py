"""``glassnet train --plots`` and ``glassnet report``, run as a user types them."""

import json

import pytest
from report_support import assert_self_contained, embedded_pngs
from test_cli import assert_usage_error, run
from test_plotting import check_png

import glassnet as gn

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
    ]
    # network, learning curves, confusion matrix, diagnostics, first-layer weights
    images = embedded_pngs(parser, tmp_path)
    assert len(images) == 5
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
    assert json.loads(result.stdout) == {"report": "report.html", "samples": 60}
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
