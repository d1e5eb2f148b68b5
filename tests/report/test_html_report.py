"""The HTML report: its sections, numbers, escaping and atomic writing."""

import sys

import numpy as np
import pytest
from report_support import assert_self_contained, check_png, embedded_pngs

import glassnet as gn
from glassnet.datasets.preprocessing import Preprocessing
from glassnet.datasets.scalers import FeatureSchema
from glassnet.report import report_html, write_report

#: reports with figures rendered by matplotlib: `pytest -m "not slow"` skips them
pytestmark = pytest.mark.slow


@pytest.fixture
def mpl():
    return pytest.importorskip("matplotlib")


@pytest.fixture
def circle(rng):
    """A trained 2-D classifier, its test split and the History with diagnostics."""
    X = rng.normal(size=(120, 2))
    y = (np.hypot(X[:, 0], X[:, 1]) > 1.1).astype(int)
    net = gn.Network.mlp([2, 6, 1], hidden="tanh", seed=0)
    history = net.fit(
        X[:80],
        y[:80],
        epochs=6,
        batch_size=16,
        optimizer=gn.SGD(lr=0.5),
        validation_data=(X[80:100], y[80:100]),
        diagnostics=gn.Diagnostics(warn=False),
        seed=0,
        verbose=0,
    )
    return net, X[100:], y[100:], history


def metric_cell(name, value):
    return f"<td>{name}</td><td class='num'>{value:.4f}</td>"


def test_classifier_report_sections_and_numbers(mpl, circle, tmp_path):
    net, X, y, history = circle
    text = report_html(net, X, y, history=history, title="Circle")
    parser = assert_self_contained(text)
    assert parser.headings == [
        "Network",
        "Training config",
        "Learning curves",
        "Test metrics",
        "Decision boundary",
        "Diagnostics",
    ]
    # network, learning curves, confusion matrix, decision boundary, diagnostics
    for path in embedded_pngs(parser, tmp_path):
        check_png(path, min_width=250)
    assert len(embedded_pngs(parser, tmp_path)) == 5
    # accuracy and the loss worked out here, not by the library
    p = net.predict_proba(X)[:, 1]
    accuracy = np.mean((p > 0.5) == y)
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert metric_cell("accuracy", accuracy) in text
    assert metric_cell("loss", loss) in text
    # per class: test samples and accuracy
    for k in (0, 1):
        mask = y == k
        cells = f"<td>{k}</td><td class='num'>{mask.sum()}</td>"
        share = np.mean((p[mask] > 0.5) == k)
        assert cells + f"<td class='num'>{share:.4f}</td>" in text
    # last epoch's gradient norm of layer 1, from the History
    assert f"{history.history['grad_norm/1'][-1]:.4f}" in text
    assert "<p class='note'>The model file holds no training config.</p>" in text


def test_regression_report_has_r2_and_no_classes(mpl, rng):
    from sklearn.metrics import r2_score

    X = rng.normal(size=(60, 3))
    y = X @ [1.0, -2.0, 0.5] + 0.1
    net = gn.Network.mlp([3, 5, 1], output="identity", loss="mse", seed=0)
    history = net.fit(X, y, epochs=3, batch_size=20, seed=0, verbose=0)
    text = report_html(net, X, y, history=history)
    parser = assert_self_contained(text)
    assert "Decision boundary" not in parser.headings
    assert "Diagnostics" not in parser.headings  # not recorded in this run
    assert "confusion" not in text.lower()
    predicted = net.predict(X).ravel()
    assert metric_cell("r2", r2_score(y, predicted)) in text
    assert metric_cell("mae", np.mean(np.abs(y - predicted))) in text


def test_image_models_show_first_layer_weights(mpl):
    net = gn.Network.mlp([16, 3, 2], seed=0)
    assert "First-layer weights" in assert_self_contained(report_html(net)).headings
    # 16 named table columns are not a 4 x 4 image
    net.preprocessing = Preprocessing(
        schema=FeatureSchema([f"feature_{i}" for i in range(16)])
    )
    parser = assert_self_contained(report_html(net))
    assert "First-layer weights" not in parser.headings
    assert parser.headings == ["Network", "Training config", "Learning curves"]


def test_every_user_string_is_escaped(mpl, rng):
    net = gn.Network.mlp([2, 3, 2], seed=0)
    net.preprocessing = Preprocessing(
        schema=FeatureSchema(["<x1>", "x2 & co"]), classes=["<b>cat</b>", "dog's"]
    )
    net.metadata = {
        "config": {"data": "<script>alert(1)</script>", "<key>": [1, "<i>"]},
        "dataset": "<img src=x>",
        "history": {"loss": [1.0, 0.5]},
    }
    X = rng.normal(size=(10, 2))
    text = report_html(net, X, ["<b>cat</b>"] * 5 + ["dog's"] * 5, title="<h1>T")
    for raw in ("<script>", "<b>cat", "<img src=x>", "<key>", "<i>", "<h1>T"):
        assert raw not in text
    for escaped in (
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "<td>&lt;b&gt;cat&lt;/b&gt;</td>",
        "<td>dog&#x27;s</td>",
        "<dt>&lt;key&gt;</dt><dd>[1, &quot;&lt;i&gt;&quot;]</dd>",
        "trained on &lt;img src=x&gt;",
        "<title>&lt;h1&gt;T</title>",
    ):
        assert escaped in text
    assert_self_contained(text)


def test_without_matplotlib_the_page_has_tables_and_says_why(monkeypatch, circle):
    net, X, y, history = circle
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    text = report_html(net, X, y, history=history)
    parser = assert_self_contained(text)
    assert "img" not in parser.tags
    assert "Figures need matplotlib: pip install 'glassnet[plot]'" in text
    # the learning curves as a table, one row per epoch
    assert text.count("<tr><td>") >= len(history.history["loss"])


def test_write_report_is_atomic(mpl, circle, tmp_path):
    net, X, y, history = circle
    path = tmp_path / "r.html"
    assert write_report(net, X, y, path, history=history) == path
    before = path.read_bytes()
    assert before.startswith(b"<!DOCTYPE html>")
    with pytest.raises(ValueError, match="features"):
        write_report(net, np.zeros((4, 3)), [0, 1, 0, 1], path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]
    with pytest.raises(FileNotFoundError, match="missing' does not exist"):
        write_report(net, X, y, tmp_path / "missing" / "r.html")
    with pytest.raises(ValueError, match="both X and y"):
        report_html(net, X)
