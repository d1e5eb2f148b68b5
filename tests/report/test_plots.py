"""Every plot renders to a non-blank PNG; the notebook HTML hooks."""

import base64
import sys

import numpy as np
import pytest
from report_support import check_png

import glassnet as gn
from glassnet.report import notebook
from glassnet.report import plots as plotting
from glassnet.training.diagnostics import Diagnostics

#: figures rendered by matplotlib: `pytest -m "not slow"` skips them
pytestmark = pytest.mark.slow


@pytest.fixture
def mpl():
    return pytest.importorskip("matplotlib")


@pytest.fixture
def trained_2d(rng):
    X = rng.normal(size=(80, 2))
    y = (np.hypot(X[:, 0], X[:, 1]) > 1.0).astype(int)
    net = gn.Network.mlp([2, 5, 3, 1], hidden="tanh", seed=0)
    diagnostics = Diagnostics(warn=False)
    history = net.fit(
        X[:60],
        y[:60],
        epochs=15,
        batch_size=16,
        optimizer=gn.SGD(lr=0.3),
        validation_data=(X[60:], y[60:]),
        callbacks=[diagnostics],
        seed=0,
    )
    return net, X, y, history, diagnostics


def overfitting_history():
    # validation loss bottoms out at epoch 4 (index 3) and rises for 4 epochs
    return {
        "loss": [1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2],
        "val_loss": [1.1, 0.9, 0.8, 0.7, 0.75, 0.8, 0.9, 1.0],
        "accuracy": [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95],
        "val_accuracy": [0.5, 0.55, 0.6, 0.65, 0.64, 0.63, 0.6, 0.58],
    }


def test_learning_curves_mark_the_best_epoch_and_overfitting(mpl, tmp_path):
    fig = plotting.plot_learning_curves(overfitting_history(), save=tmp_path / "lc.png")
    check_png(tmp_path / "lc.png")
    loss_axes, metric_axes = fig.axes[:2]
    assert metric_axes.get_ylabel() == "accuracy"
    labels = [t.get_text() for t in loss_axes.get_legend().get_texts()]
    assert "best epoch 4" in labels and "overfitting" in labels
    # the shaded span runs from the best epoch to the last
    (span,) = loss_axes.patches
    if hasattr(span, "get_width"):  # a Rectangle (matplotlib >= 3.9)
        x = [span.get_x(), span.get_x() + span.get_width()]
    else:  # a Polygon
        x = np.asarray(span.get_xy())[:, 0]
    assert min(x) == 4 and max(x) == 8


def test_learning_curves_from_a_history(mpl, tmp_path, trained_2d):
    history = trained_2d[3]
    fig = plotting.plot_learning_curves(history, save=tmp_path / "lc.svg")
    assert fig.axes[0].get_ylabel() == "loss"
    assert (tmp_path / "lc.svg").read_text().lstrip().startswith("<?xml")


def test_confusion_matrix_counts(mpl, tmp_path):
    y_true = [0, 0, 1, 1, 2, 2, 2]
    y_pred = [0, 1, 1, 1, 2, 0, 2]
    fig = plotting.plot_confusion_matrix(
        y_true, y_pred, labels=["a", "b", "c"], save=tmp_path / "cm.png"
    )
    check_png(tmp_path / "cm.png", min_width=250, min_colours=10)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    # row = true class, column = predicted: [[1, 1, 0], [0, 2, 0], [1, 0, 2]]
    assert texts == ["1", "1", "0", "0", "2", "0", "1", "0", "2"]
    assert "71.4%" in ax.get_title()  # 5 of 7 right


def test_decision_boundary_with_one_heatmap_per_hidden_unit(mpl, tmp_path, trained_2d):
    net, X, y, _, _ = trained_2d
    fig = plotting.plot_decision_boundary(
        net, X, y, resolution=60, save=tmp_path / "db.png"
    )
    check_png(tmp_path / "db.png", min_width=600)
    titles = [ax.get_title() for ax in fig.axes]
    units = [t for t in titles if t.startswith("layer")]
    assert len(units) == 5 + 3  # hidden layers of 5 and 3 units
    assert "layer 2, unit 3" in units
    fig = plotting.plot_decision_boundary(net, X, y, resolution=30, max_units=2)
    assert len([ax for ax in fig.axes if ax.get_title().startswith("layer")]) == 4


def test_decision_boundary_of_a_softmax_network(mpl, tmp_path, rng):
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
    net = gn.Network.mlp([2, 4, 3], hidden="relu", seed=0)
    net.fit(X, y, epochs=5, batch_size=16, seed=0)
    plotting.plot_decision_boundary(net, X, y, resolution=40, save=tmp_path / "s.png")
    check_png(tmp_path / "s.png")


def test_first_layer_weights_as_images(mpl, tmp_path):
    net = gn.Network.mlp([64, 10, 10], seed=0)
    fig = plotting.plot_first_layer_weights(net, save=tmp_path / "w.png")
    check_png(tmp_path / "w.png", min_width=250)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 10
    assert images[0].get_array().shape == (8, 8)
    # neuron 3's image is its row of W, pixel for pixel
    assert np.allclose(images[2].get_array(), net.layers[0].W[2].reshape(8, 8))
    fig = plotting.plot_first_layer_weights(
        gn.Network.mlp([6, 4, 2], seed=0), image_shape=(2, 3), max_units=3
    )
    assert len([ax for ax in fig.axes if ax.images]) == 3


def test_gradient_norms_and_saturation_over_epochs(mpl, tmp_path, trained_2d):
    diagnostics = trained_2d[4]
    fig = plotting.plot_diagnostics(diagnostics, save=tmp_path / "d.png")
    check_png(tmp_path / "d.png", min_width=800)
    grads = fig.axes[0]
    assert len(grads.lines) == 3  # one line per layer
    assert np.allclose(grads.lines[0].get_ydata(), diagnostics.figures["grad_norm/1"])
    saturation_lines = fig.axes[1].lines
    assert len(saturation_lines) == 3  # two tanh layers and the sigmoid output


def test_gradient_flow_of_two_runs(mpl, tmp_path, rng):
    X, y = rng.normal(size=(64, 6)), rng.integers(0, 2, size=64)
    runs = {}
    for hidden in ("sigmoid", "relu"):
        diagnostics = Diagnostics(warn=False)
        net = gn.Network.mlp([6, 8, 8, 8, 2], hidden=hidden, seed=0)
        net.fit(X, y, epochs=1, batch_size=32, callbacks=[diagnostics])
        runs[hidden] = diagnostics
    fig = plotting.plot_gradient_flow(runs, save=tmp_path / "flow.png")
    check_png(tmp_path / "flow.png", min_colours=10)
    assert [line.get_label() for line in fig.axes[0].lines] == ["sigmoid", "relu"]


def test_network_diagram_widths_and_colours(mpl, tmp_path):
    hidden = gn.Dense(2, 2, "tanh", seed=0)
    hidden.W, hidden.b = [[1.0, -1.0], [0.5, 0.0]], [0.0, 0.0]
    out = gn.Dense(2, 1, "sigmoid", seed=0)
    out.W, out.b = [[-2.0, 1.0]], [1.0]
    net = gn.Network([hidden, out])
    fig = plotting.plot_network(net, save=tmp_path / "net.png")
    check_png(tmp_path / "net.png", min_colours=10)
    links = [line for line in fig.axes[0].lines if len(line.get_xdata()) == 2]
    # nonzero weights and biases: 1, -1, 0.5 into layer 1; -2, 1, bias 1 into layer 2
    assert len(links) == 6
    widths = sorted(round(line.get_linewidth(), 6) for line in links)
    # width = 4 |w| / max |w| with max |w| = 2
    assert widths == [1.0, 2.0, 2.0, 2.0, 2.0, 4.0]
    negative = [line for line in links if line.get_color() == plotting.NEGATIVE]
    assert sorted(round(line.get_linewidth(), 6) for line in negative) == [2.0, 4.0]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: plotting.plot_decision_boundary(
                gn.Network.mlp([3, 2, 1], seed=0), np.zeros((4, 3)), [0, 1, 0, 1]
            ),
            ValueError,
            "needs a network with 2 inputs",
        ),
        (
            lambda: plotting.plot_first_layer_weights(
                gn.Network.mlp([5, 2, 2], seed=0)
            ),
            ValueError,
            "'image_shape' parameter",
        ),
        (
            lambda: plotting.plot_diagnostics({"loss": [1.0]}),
            ValueError,
            "no 'grad_norm/<layer>' entries",
        ),
        (
            lambda: plotting.plot_learning_curves({"loss": [1.0]}, save="curve.jpg"),
            ValueError,
            "'save' parameter must be a path ending in .png",
        ),
        (
            lambda: plotting.plot_learning_curves([1, 2]),
            TypeError,
            "Expected a History",
        ),
    ],
)
def test_bad_inputs(mpl, call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_missing_matplotlib_names_the_plot_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    with pytest.raises(ImportError, match=r"glassnet\[plot\]"):
        plotting.plot_learning_curves({"loss": [1.0, 0.5]})


def test_save_training_plots_writes_what_fits_the_run(mpl, tmp_path, trained_2d):
    net, X, y, history, diagnostics = trained_2d
    written = plotting.save_training_plots(
        net, history, tmp_path / "plots", X=X, y=y, diagnostics=diagnostics
    )
    assert set(written) == {
        "learning_curves",
        "network",
        "diagnostics",
        "confusion_matrix",
        "decision_boundary",
    }
    for path in written.values():
        check_png(path, min_colours=10)
    image_net = gn.Network.mlp([16, 3, 2], seed=0)
    written = plotting.save_training_plots(
        image_net, {"loss": [1.0, 0.5]}, tmp_path / "svg", format="svg"
    )
    assert set(written) == {"learning_curves", "network", "first_layer_weights"}
    assert written["network"].suffix == ".svg"


def test_a_failed_save_leaves_the_old_file_and_no_partial_one(
    mpl, tmp_path, monkeypatch
):
    from matplotlib.figure import Figure

    def broken(self, target, **options):
        with open(target, "wb") as f:
            f.write(b"\x89PNG half an image")
        raise OSError("disk full")

    path = tmp_path / "curves.png"
    path.write_bytes(b"the previous image")
    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(OSError, match="disk full"):
        plotting.plot_learning_curves({"loss": [1.0, 0.5]}, save=path)
    assert path.read_bytes() == b"the previous image"
    assert [p.name for p in tmp_path.iterdir()] == ["curves.png"]


# -- notebooks ------------------------------------------------------------------
def test_network_html_summary_table():
    net = gn.Network.mlp([3, 4, 2], hidden="sigmoid", seed=0)
    html = net._repr_html_()
    assert html.startswith("<table>") and html.count("<tr>") == 1 + 2 + 1
    assert "Total parameters: 26" in html
    assert "Dense(3, 4, activation=&#x27;sigmoid&#x27;)" in html


def test_history_html_is_an_inline_png(mpl, trained_2d):
    html = notebook.history_html(trained_2d[3])
    prefix = "<img src='data:image/png;base64,"
    assert html.startswith(prefix)
    data = base64.b64decode(html[len(prefix) : html.index("'", len(prefix))])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"


def test_history_html_without_matplotlib_is_a_table(monkeypatch, trained_2d):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    history = trained_2d[3]
    html = notebook.history_html(history)
    assert html.startswith("<table>")
    assert "<th>loss</th>" in html and "<th>val_loss</th>" in html
    assert "grad_norm" not in html  # per-layer diagnostics stay out of the table
    assert f"<td>{history.history['loss'][0]:.4g}</td>" in html
    long = {"loss": [float(i) for i in range(50)]}
    table = notebook._table(long)
    assert table.count("<tr>") == 1 + notebook.MAX_ROWS + 1


def test_class_names_as_labels(mpl, tmp_path):
    from glassnet.datasets.preprocessing import Preprocessing

    fig = plotting.plot_confusion_matrix(["no", "yes", "yes"], ["no", "no", "yes"])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["no", "yes"]
    assert [t.get_text() for t in ax.texts] == ["1", "0", "1", "1"]
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    net = gn.Network.mlp([2, 3, 1], seed=0)
    net.preprocessing = Preprocessing(classes=["no", "yes"])
    plotting.plot_decision_boundary(
        net, X, ["no", "yes", "yes", "no"], resolution=20, save=tmp_path / "n.png"
    )
    check_png(tmp_path / "n.png")


# -- ax=, pyplot and legible sizes ---------------------------------------------
def _agg_axes():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 3))
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def test_confusion_matrix_draws_into_the_given_axes(mpl):
    fig, ax = _agg_axes()
    returned = plotting.plot_confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], ax=ax)
    assert returned is fig
    # rows = true class: [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    np.testing.assert_array_equal(
        ax.images[0].get_array(), [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    )
    # only a colour bar is added beside the axes
    assert [a for a in fig.axes if a is not ax] == [ax.images[0].colorbar.ax]


def test_gradient_flow_network_and_boundary_draw_into_the_given_axes(mpl, trained_2d):
    net, X, y, _, diagnostics = trained_2d
    fig, ax = _agg_axes()
    assert plotting.plot_gradient_flow({"run": diagnostics}, ax=ax) is fig
    assert [line.get_label() for line in ax.lines] == ["run"]
    fig, ax = _agg_axes()
    assert plotting.plot_network(net, ax=ax) is fig
    # 2 inputs + bias into 5, 5 + bias into 3, 3 + bias into 1: 15 + 18 + 4 links
    assert len([line for line in ax.lines if len(line.get_xdata()) == 2]) <= 37
    assert ax.collections  # the neurons
    fig, ax = _agg_axes()
    assert plotting.plot_decision_boundary(net, X, y, resolution=20, ax=ax) is fig
    # the output panel and its colour bar only: no unit heatmaps
    assert len(fig.axes) == 2 and ax.get_title().startswith("Decision boundary")


@pytest.mark.parametrize("ax", ["axes", 3, np.zeros(2)])
def test_ax_must_be_matplotlib_axes(mpl, ax):
    with pytest.raises(TypeError, match="'ax' parameter of plot_confusion_matrix"):
        plotting.plot_confusion_matrix([0, 1], [0, 1], ax=ax)


PYPLOT_SCRIPT = """
import warnings
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import glassnet as gn
from glassnet.report import plots, notebook

warnings.simplefilter("error")
assert matplotlib.get_backend().lower() == "agg"
fig = plots.plot_confusion_matrix([0, 1, 1], [0, 1, 0])
assert plt.get_fignums() == [fig.number], plt.get_fignums()
plt.show()  # the usual pyplot flow: no error, nothing left to do
plt.close(fig)
net = gn.Network.mlp([2, 3, 1], seed=0)
history = net.fit(np.zeros((8, 2)), np.arange(8) % 2, epochs=2, verbose=0)
assert notebook.history_html(history).startswith("<img")
plots.save_training_plots(net, history, "out")
assert plt.get_fignums() == [], plt.get_fignums()
print("ok")
"""


@pytest.mark.slow
def test_with_pyplot_imported_plt_show_shows_the_figures(mpl, tmp_path):
    import os
    import subprocess

    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "error"}
    result = subprocess.run(
        [sys.executable, "-c", PYPLOT_SCRIPT],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


#: The HTML report's column is 1036 px wide in a 1280 px window; text of a
#: figure shown there must be at least 11 px (8 points at 100 dpi) high.
REPORT_COLUMN_PX = 1036


def _smallest_shown_text_px(fig) -> float:
    fig.canvas.draw()
    width_px = fig.get_figwidth() * fig.dpi
    scale = min(1.0, REPORT_COLUMN_PX / width_px)
    sizes = [
        text.get_fontsize()
        for text in fig.findobj(mpl_text_type())
        if text.get_visible() and text.get_text().strip()
    ]
    return min(sizes) * fig.dpi / 72 * scale


def mpl_text_type():
    from matplotlib.text import Text

    return Text


def test_report_figures_keep_text_legible_in_a_1280_px_window(mpl, rng):
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    deep = gn.Network.mlp([2, 8, 8, 1], hidden="relu", seed=0)
    history = deep.fit(X, y, epochs=2, diagnostics=gn.Diagnostics(warn=False))
    images = gn.Network.mlp([64, 64, 10], seed=0)
    eight = gn.Network.mlp([2, *[4] * 8, 1], seed=0)
    figures = {
        "boundary": plotting.plot_decision_boundary(deep, X, y, resolution=20),
        "diagnostics": plotting.plot_diagnostics(history),
        "weights": plotting.plot_first_layer_weights(images),
        "network": plotting.plot_network(eight),
        "curves": plotting.plot_learning_curves(history),
        "confusion": plotting.plot_confusion_matrix(np.arange(10), np.arange(10)),
    }
    for name, fig in figures.items():
        assert fig.get_figwidth() * fig.dpi <= REPORT_COLUMN_PX, name
        assert _smallest_shown_text_px(fig) >= 11.0, name


def test_unit_heatmaps_have_one_colour_scale_per_layer(mpl, rng):
    X = rng.normal(size=(30, 2))
    y = (X[:, 1] > 0).astype(int)
    net = gn.Network.mlp([2, 3, 2, 1], hidden="tanh", seed=0)
    fig = plotting.plot_decision_boundary(net, X, y, resolution=20)
    bars = {ax.get_ylabel(): ax for ax in fig.axes}
    # the output's, then one per hidden layer, on tanh's range [-1, 1]
    assert "P(y = 1)" in bars
    for name in ("layer 1 (tanh)", "layer 2 (tanh)"):
        assert bars[name].get_ylim() == pytest.approx((-1.0, 1.0)), name
    units = [ax for ax in fig.axes if ax.get_title().startswith("layer")]
    assert all(ax.images[0].get_clim() == (-1.0, 1.0) for ax in units)


def test_confusion_matrix_labels_stand_upright_unless_crowded(mpl):
    digits = np.arange(10)
    fig = plotting.plot_confusion_matrix(digits, digits)
    ax = fig.axes[0]
    assert [t.get_rotation() for t in ax.get_xticklabels()] == [0.0] * 10
    names = [f"class {i}" for i in range(10)]
    fig = plotting.plot_confusion_matrix(digits, digits, labels=names)
    assert {t.get_rotation() for t in fig.axes[0].get_xticklabels()} == {45.0}
