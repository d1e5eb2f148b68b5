"""Plots of training and of what a network has learned (matplotlib, optional).

Every function returns the :class:`matplotlib.figure.Figure` it drew on and,
given ``save="path.png"`` (or ``.svg``/``.pdf``), also writes it.

Where the figure comes from follows matplotlib's own habits:

* ``ax=`` (the single-axes plots: confusion matrix, decision boundary,
  gradient flow, network) draws into axes you made, as scikit-learn's
  ``ConfusionMatrixDisplay.plot(ax=...)`` does; the returned figure is
  ``ax.figure``, and nothing else of it is changed but for a colour bar
  beside ``ax``.
* Without ``ax``, when your program has imported ``matplotlib.pyplot``, the
  figure is a pyplot figure: ``plt.show()`` shows it, as after
  ``plt.subplots()``, and ``plt.close(fig)`` frees it. (In Jupyter with
  pyplot imported, end the line with ``;`` or the figure shows twice: once
  as the cell's value, once from pyplot.)
* Without ``ax`` and without pyplot, the figure is drawn on matplotlib's Agg
  canvas: plotting works headless, never changes the global backend and
  leaves no figure open; in Jupyter a returned figure displays itself. The
  HTML report and :func:`save_training_plots` always draw this way.

matplotlib is imported on first use; without it every function raises an
``ImportError`` that names the ``plot`` extra (``pip install "glassnet[plot]"``).
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import io
import math
import sys
from pathlib import Path

import numpy as np

from glassnet.files.atomic import atomic_save
from glassnet.training.diagnostics import overfitting_start

__all__ = [
    "figure_to_data_uri",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_diagnostics",
    "plot_first_layer_weights",
    "plot_gradient_flow",
    "plot_learning_curves",
    "plot_network",
    "plot_saliency",
    "save_training_plots",
]

POSITIVE, NEGATIVE = "#1f77b4", "#ff7f0e"  # blue and orange, as the Playground
SAVE_FORMATS = (".png", ".svg", ".pdf")
METRIC_KEYS = ("accuracy", "mae", "mse", "r2", "f1", "precision", "recall")
# Widest figure, in inches at 100 dpi: 1020 px fit the HTML report's column
# (1036 px from a 1280 px window), so its figures are shown at full size and
# the smallest text, SMALL_FONT points, stays 11 px high.
FIGURE_WIDTH = 10.2
SMALL_FONT = 8


# True while the report or save_training_plots draws: never pyplot figures.
_OFF_PYPLOT = contextvars.ContextVar("glassnet_plots_off_pyplot", default=False)


@contextlib.contextmanager
def off_pyplot():
    """Within the block, figures are Agg figures even when pyplot is imported."""
    token = _OFF_PYPLOT.set(True)
    try:
        yield
    finally:
        _OFF_PYPLOT.reset(token)


def _figure(width: float, height: float):
    """A new Figure: pyplot's when pyplot is in use, else on an Agg canvas."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "glassnet's plots need matplotlib, an optional extra. Install it with "
            "pip install 'glassnet[plot]' (or pip install matplotlib)."
        ) from exc
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None and not _OFF_PYPLOT.get():
        return pyplot.figure(figsize=(width, height), dpi=100, layout="constrained")
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _axes(ax, width: float, height: float, caller: str):
    """``(figure, axes)``: the given ``ax`` and its figure, or a new figure's."""
    if ax is None:
        fig = _figure(width, height)
        return fig, fig.subplots()
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(
            f"The 'ax' parameter of {caller} must be a matplotlib Axes (e.g. from "
            f"plt.subplots()) or None. Got {type(ax).__name__} instead."
        )
    return ax.figure, ax


def _finish(fig, save):
    if save is not None:
        path = Path(save)
        if path.suffix.lower() not in SAVE_FORMATS:
            raise ValueError(
                "The 'save' parameter must be a path ending in "
                f"{', '.join(SAVE_FORMATS)}. Got {str(save)!r} instead."
            )
        fmt = path.suffix.lower()[1:]
        # Through a temporary file: a failed save leaves no half-written image.
        atomic_save(path, lambda tmp: fig.savefig(tmp, format=fmt))
    return fig


def figure_to_data_uri(fig, format: str = "png") -> str:
    """``data:image/...;base64,...`` of the figure, for self-contained HTML.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to encode.
    format : {"png", "svg"}, default "png"
        The image format.

    Returns
    -------
    str
        A ``data:`` URI (RFC 2397), ready for an ``<img src=...>``.

    Raises
    ------
    ValueError
        For a ``format`` other than "png" and "svg".
    """
    if format not in ("png", "svg"):
        raise ValueError(
            f"The 'format' parameter of figure_to_data_uri must be 'png' or 'svg'. "
            f"Got {format!r} instead."
        )
    buffer = io.BytesIO()
    fig.savefig(buffer, format=format)
    mime = "image/png" if format == "png" else "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(buffer.getvalue()).decode('ascii')}"


def _records(history) -> dict[str, list]:
    """The per-epoch dict of a History, a Diagnostics callback or a plain dict."""
    for attribute in ("history", "figures"):
        records = getattr(history, attribute, None)
        if isinstance(records, dict):
            return records
    if isinstance(history, dict):
        return history
    raise TypeError(
        "Expected a History, a Diagnostics callback or a dict of per-epoch lists. "
        f"Got {type(history).__name__} instead."
    )


def _per_layer(records: dict, name: str) -> dict[int, np.ndarray]:
    """``{layer: values}`` for the keys ``"<name>/<layer>"``."""
    prefix = f"{name}/"
    return {
        int(key[len(prefix) :]): np.asarray(values, dtype=float)
        for key, values in sorted(records.items(), key=lambda kv: kv[0])
        if key.startswith(prefix)
    }


# -- learning curves -----------------------------------------------------------
def plot_learning_curves(
    history, *, metric: str | None = None, patience: int = 3, save=None
):
    """Training and validation loss (and a metric) per epoch.

    The best epoch (lowest validation loss, else training loss) is marked with
    a dashed line, and the epochs after the validation loss started rising
    while the training loss fell (see
    :func:`glassnet.training.diagnostics.overfitting_start`) are shaded.

    Parameters
    ----------
    history : History, or dict of str to list
        Needs ``"loss"``; uses ``"val_loss"``, ``metric`` and ``"val_" + metric``.
    metric : str, optional
        Default: the first of accuracy, mae, mse, r2, ... that was logged.
    patience : int, default 3
        Epochs of rising validation loss that count as overfitting.
    save : str or Path, optional
        Also write the figure there (.png, .svg or .pdf, atomically).

    Returns
    -------
    matplotlib.figure.Figure
        A new figure: loss, and the metric beside it, against the epoch
        (1-based).

    Raises
    ------
    ValueError
        For a record without ``"loss"``, a ``metric`` that was not logged,
        or a ``save`` path of another format.
    TypeError
        For a ``history`` that is not a History, a Diagnostics callback or a
        dict.
    ImportError
        Without matplotlib.
    """
    records = _records(history)
    if not records.get("loss"):
        raise ValueError(
            "plot_learning_curves needs a 'loss' entry per epoch. Got keys "
            f"{sorted(records)} instead."
        )
    if metric is None:
        metric = next((m for m in METRIC_KEYS if records.get(m)), None)
    elif metric not in records:
        raise ValueError(
            f"The 'metric' parameter of plot_learning_curves must be a logged "
            f"quantity ({', '.join(sorted(records))}). Got {metric!r} instead."
        )
    panels = [("loss", "loss")] + ([(metric, metric)] if metric else [])
    fig = _figure(5.0 * len(panels), 3.8)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    loss = np.asarray(records["loss"], dtype=float)
    epochs = np.arange(1, len(loss) + 1)
    val = records.get("val_loss")
    reference = np.asarray(val if val else loss, dtype=float)
    best = int(np.nanargmin(reference))
    start = overfitting_start(loss, val, patience=patience) if val else None
    for ax, (key, label) in zip(axes, panels, strict=True):
        ax.plot(epochs, records[key], "o-", ms=3, label=f"training {label}")
        if records.get(f"val_{key}"):
            ax.plot(
                epochs, records[f"val_{key}"], "s-", ms=3, label=f"validation {label}"
            )
        ax.axvline(best + 1, color="0.3", ls="--", lw=1, label=f"best epoch {best + 1}")
        if start is not None:
            ax.axvspan(
                start + 1, len(loss), color="tab:red", alpha=0.12, label="overfitting"
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=SMALL_FONT)
    axes[0].plot(best + 1, reference[best], "*", color="k", ms=12)
    axes[0].set_title("Learning curves")
    return _finish(fig, save)


# -- confusion matrix ----------------------------------------------------------
def _flat_labels(y, name: str) -> np.ndarray:
    """Labels of shape (n_samples,): one-hot or probability rows become argmax."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        y = y.argmax(axis=1)
    y = y.ravel()
    if y.dtype.kind == "f" and not np.all(y == np.round(y)):
        raise ValueError(
            f"{name} must hold class labels (or one-hot rows). Got non-integer numbers."
        )
    return y


def _class_codes(y_true, y_pred) -> tuple[np.ndarray, np.ndarray, list | None]:
    """Integer codes of both label arrays, and the class names if not integers."""
    true, pred = _flat_labels(y_true, "y_true"), _flat_labels(y_pred, "y_pred")
    if true.shape != pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same number of samples. Got "
            f"{true.size} and {pred.size}."
        )
    if true.dtype.kind in "biuf" and pred.dtype.kind in "biuf":
        return true.astype(np.int64), pred.astype(np.int64), None
    # Class names (e.g. strings decoded by the network's preprocessing).
    classes = np.unique(np.concatenate([true.astype(str), pred.astype(str)]))
    codes = [np.searchsorted(classes, a.astype(str)) for a in (true, pred)]
    return codes[0], codes[1], [str(c) for c in classes]


def plot_confusion_matrix(
    y_true, y_pred, *, labels=None, normalize: bool = False, ax=None, save=None
):
    """Counts of true class (rows) against predicted class (columns).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_classes)
        Integer labels, or one-hot / probability rows (argmax is taken).
    labels : list of str, optional
        Class names, one per class. Default: the labels themselves when they
        are not integers (e.g. names), else 0, 1, ...
    normalize : bool, default False
        Show each row as fractions of that true class.
    ax : matplotlib Axes, optional
        Draw into these axes (a colour bar is added beside them).
    save : str or Path, optional
        Also write the figure there (.png, .svg or .pdf, atomically).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on (``ax.figure`` when ``ax`` is given).

    Raises
    ------
    ValueError
        For labels that are not class labels, ``y_true`` and ``y_pred`` of
        different lengths, or a ``save`` path of another format.
    TypeError
        For an ``ax`` that is not a matplotlib Axes.
    ImportError
        Without matplotlib.
    """
    true, pred, names = _class_codes(y_true, y_pred)
    labels = names if labels is None else labels
    n = int(max(true.max(), pred.max()) + 1) if labels is None else len(labels)
    counts = np.zeros((n, n), dtype=np.int64)
    np.add.at(counts, (true, pred), 1)
    shown = (
        counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
        if normalize
        else counts
    )
    fig, ax = _axes(
        ax, 1.2 + 0.45 * n + 2.5, 0.8 + 0.45 * n + 2.0, "plot_confusion_matrix"
    )
    image = ax.imshow(shown, cmap="Blues")
    fig.colorbar(image, ax=ax, shrink=0.8)
    names = [str(i) for i in range(n)] if labels is None else [str(s) for s in labels]
    # Upright labels unless many long names would run into each other.
    crowded = n > 6 and max(len(name) for name in names) > 3
    ax.set_xticks(range(n), names, rotation=45 if crowded else 0)
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    threshold = shown.max() / 2 if shown.size else 0
    for (i, j), value in np.ndenumerate(shown):
        text = f"{value:.2f}" if normalize else str(value)
        color = "white" if value > threshold else "black"
        ax.text(j, i, text, ha="center", va="center", color=color, fontsize=8)
    accuracy = np.trace(counts) / max(counts.sum(), 1)
    ax.set_title(f"Confusion matrix (accuracy {accuracy:.1%})")
    return _finish(fig, save)


# -- decision boundary with one heatmap per hidden unit ------------------------
def _grid(X: np.ndarray, resolution: int):
    low, high = X.min(axis=0), X.max(axis=0)
    pad = 0.1 * np.maximum(high - low, 1e-9)
    xs = np.linspace(low[0] - pad[0], high[0] + pad[0], resolution)
    ys = np.linspace(low[1] - pad[1], high[1] + pad[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return gx, gy, np.column_stack([gx.ravel(), gy.ravel()])


def _hidden_maps(network, points: np.ndarray) -> tuple[np.ndarray, list]:
    """The network output and ``(index, layer, A)`` of every hidden layer."""
    output = network.forward(points)
    dense = [
        (i + 1, layer) for i, layer in enumerate(network.layers) if hasattr(layer, "W")
    ]
    hidden = [(i, layer, np.array(layer.A)) for i, layer in dense[:-1]]
    return output, hidden


def plot_decision_boundary(
    network,
    X,
    y,
    *,
    resolution: int = 150,
    max_units: int = 8,
    units_per_row: int = 4,
    ax=None,
    save=None,
):
    """The network's output over a 2-D input plane, and each hidden unit's.

    Left: the predicted probability (one sigmoid output), the predicted class
    (softmax; shade = confidence) or the output value (regression) over the
    plane around ``X``, the 0.5 contour, and the training points. Right: one
    small heatmap per hidden unit (up to ``max_units`` per layer, wrapped
    after ``units_per_row``), its activation over the same plane -- as the
    TensorFlow Playground draws them -- with one colour bar per layer: the
    activation's range where it is bounded (sigmoid [0, 1], tanh [-1, 1]),
    else the range the layer's units take on the plane.

    Parameters
    ----------
    network : Network with 2 inputs
        The network to draw.
    X : array-like of shape (n_samples, 2)
        The training points, drawn over the plane (which they set).
    y : array-like of shape (n_samples,) or (n_samples, n_classes)
        Their labels or targets, which colour them.
    resolution : int, default 150
        Grid points per axis.
    max_units : int, default 8
        Hidden units drawn per layer.
    units_per_row : int, default 4
        Unit heatmaps per row.
    ax : matplotlib Axes, optional
        Draw only the output panel, into these axes (no unit heatmaps).
    save : str or Path, optional
        Also write the figure there (.png, .svg or .pdf, atomically).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on (``ax.figure`` when ``ax`` is given).

    Raises
    ------
    ValueError
        For a network without 2 inputs, ``X`` not of shape (n_samples, 2),
        or a ``save`` path of another format.
    TypeError
        For an ``ax`` that is not a matplotlib Axes.
    ImportError
        Without matplotlib.
    """
    X = np.asarray(X, dtype=float)
    if network.n_inputs != 2 or X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            "plot_decision_boundary needs a network with 2 inputs and X of shape "
            f"(n_samples, 2). Got a network with {network.n_inputs} inputs and X of "
            f"shape {X.shape}."
        )
    gx, gy, points = _grid(X, resolution)
    output, hidden = _hidden_maps(network, points)
    if ax is not None:
        fig, ax = _axes(ax, 0, 0, "plot_decision_boundary")
        _draw_output(ax, network, gx, gy, output, X, y)
        return _finish(fig, save)
    hidden = [(i, layer, A[:, :max_units]) for i, layer, A in hidden]
    columns = min(max((A.shape[1] for _, _, A in hidden), default=0), units_per_row)
    spans = [math.ceil(A.shape[1] / columns) for _, _, A in hidden] if columns else []
    rows = max(sum(spans), 1)
    width = 4.6 + (1.2 * columns + 0.6 if columns else 0)
    fig = _figure(width, max(4.4, 1.3 * rows + 0.5))
    ratios = [4.0] + ([1.0] * columns + [0.12] if columns else [])
    grid = fig.add_gridspec(rows, len(ratios), width_ratios=ratios)
    _draw_output(fig.add_subplot(grid[:, 0]), network, gx, gy, output, X, y)
    extent = (gx.min(), gx.max(), gy.min(), gy.max())
    top = 0
    for span, (index, layer, activations) in zip(spans, hidden, strict=True):
        vmin, vmax = _unit_range(layer, activations)
        for unit in range(activations.shape[1]):
            row, col = top + unit // columns, 1 + unit % columns
            cell = fig.add_subplot(grid[row, col])
            image = cell.imshow(
                activations[:, unit].reshape(gx.shape),
                origin="lower",
                extent=extent,
                cmap="RdBu_r",
                vmin=vmin,
                vmax=vmax,
                aspect="auto",
            )
            cell.set_box_aspect(1)
            cell.set_xticks([])
            cell.set_yticks([])
            cell.set_title(f"layer {index}, unit {unit + 1}", fontsize=SMALL_FONT)
        bar = fig.colorbar(image, cax=fig.add_subplot(grid[top : top + span, -1]))
        bar.ax.tick_params(labelsize=SMALL_FONT)
        bar.set_label(f"layer {index} ({layer.activation.name})", fontsize=SMALL_FONT)
        top += span
    return _finish(fig, save)


def _unit_range(layer, activations: np.ndarray) -> tuple[float, float]:
    """The activation's bounds, or the range its units take where unbounded."""
    low, high = layer.activation.limits
    vmin = low if np.isfinite(low) else float(activations.min())
    vmax = high if np.isfinite(high) else float(activations.max())
    return vmin, max(vmax, vmin + 1e-9)


def _draw_output(ax, network, gx, gy, output, X, y) -> None:
    name = network.output_activation.name
    labels = None
    if network.task == "classification":
        # The targets as the network encodes them, so colours match its outputs.
        Y = network.prepare_targets(y, network.prepare_inputs(X))
        labels = Y[:, 0] if Y.shape[1] == 1 else Y.argmax(axis=1)
    if network.task == "classification" and output.shape[1] == 1:
        surface = output[:, 0].reshape(gx.shape)
        image = ax.contourf(
            gx, gy, surface, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.8
        )
        ax.contour(gx, gy, surface, levels=[0.5], colors="k", linewidths=1.5)
        label = "P(y = 1)"
    elif network.task == "classification":
        classes = output.argmax(axis=1).reshape(gx.shape)
        confidence = output.max(axis=1).reshape(gx.shape)
        image = ax.contourf(
            gx,
            gy,
            classes,
            levels=np.arange(output.shape[1] + 1) - 0.5,
            cmap="tab10",
            vmin=0,
            vmax=9,
            alpha=0.5,
        )
        ax.contourf(
            gx, gy, confidence, levels=np.linspace(0, 1, 6), cmap="Greys", alpha=0.15
        )
        label = "predicted class"
    else:
        surface = output[:, 0].reshape(gx.shape)
        image = ax.contourf(gx, gy, surface, levels=20, cmap="viridis", alpha=0.8)
        label = "output"
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.8, label=label)
    if label == "predicted class":
        bar.set_ticks(range(output.shape[1]))
    if labels is not None:
        cmap = "RdBu_r" if output.shape[1] == 1 else "tab10"
        vmax = 1 if output.shape[1] == 1 else 9
        ax.scatter(
            X[:, 0],
            X[:, 1],
            c=labels,
            cmap=cmap,
            vmin=0,
            vmax=vmax,
            edgecolors="k",
            s=22,
            linewidths=0.7,
        )
    else:
        ax.scatter(
            X[:, 0],
            X[:, 1],
            c=np.asarray(y, dtype=float).ravel(),
            cmap="viridis",
            edgecolors="k",
            s=22,
            linewidths=0.7,
        )
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(f"Decision boundary ({name} output)")


# -- first-layer weights as images ---------------------------------------------
def plot_first_layer_weights(
    network,
    *,
    image_shape: tuple[int, int] | None = None,
    max_units: int = 64,
    save=None,
):
    """Each first-layer neuron's incoming weights drawn as an image.

    Neuron ``k``'s weights ``W[k, :]`` are reshaped to the input image; blue is
    positive, red negative, on one symmetric scale for all neurons.

    Parameters
    ----------
    network : Network
        Its first layer's ``W`` of shape (n_out, n_in) is drawn.
    image_shape : (int, int), optional
        Default: square images (64 inputs -> 8 x 8, 784 -> 28 x 28).
    max_units : int, default 64
        Neurons drawn (the first ones).
    save : str or Path, optional
        Also write the figure there (.png, .svg or .pdf, atomically).

    Returns
    -------
    matplotlib.figure.Figure
        A new figure, one image per neuron.

    Raises
    ------
    ValueError
        For inputs that are not a square image without ``image_shape``, an
        ``image_shape`` that is not a pair of positive ints or has another
        number of pixels, or a ``save`` path of another format.
    ImportError
        Without matplotlib.
    """
    first = next(layer for layer in network.layers if hasattr(layer, "W"))
    W = np.asarray(first.W, dtype=float)
    n_in = W.shape[1]
    image_shape = _image_shape(n_in, image_shape, "plot_first_layer_weights")
    units = min(W.shape[0], max_units)
    cols = math.ceil(math.sqrt(units))
    rows = math.ceil(units / cols)
    fig = _figure(min(1.2 * cols + 1.0, FIGURE_WIDTH), 1.2 * rows + 0.5)
    axes = fig.subplots(rows, cols, squeeze=False)
    scale = float(np.abs(W[:units]).max()) or 1.0
    image = None
    for k, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if k < units:
            image = ax.imshow(
                W[k].reshape(image_shape),
                cmap="RdBu",
                vmin=-scale,
                vmax=scale,
                interpolation="nearest",
            )
            ax.set_title(str(k + 1), fontsize=SMALL_FONT)
    fig.colorbar(image, ax=axes, shrink=0.7, label="weight")
    fig.suptitle(f"First-layer weights ({units} of {W.shape[0]} neurons)")
    return _finish(fig, save)


# -- saliency maps ------------------------------------------------------------
def _image_shape(n_in: int, image_shape, caller: str) -> tuple[int, int]:
    """``image_shape`` checked against ``n_in`` pixels; default a square."""
    if image_shape is None:
        side = math.isqrt(n_in)
        if side * side != n_in:
            raise ValueError(
                f"The 'image_shape' parameter of {caller} is needed: the {n_in} "
                "inputs are not a square image."
            )
        return side, side
    pair = (
        isinstance(image_shape, (tuple, list))
        and len(image_shape) == 2
        and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0
            for v in image_shape
        )
    )
    if not pair:
        raise ValueError(
            f"The 'image_shape' parameter of {caller} must be a pair (height, "
            f"width) of positive ints. Got {image_shape!r} instead."
        )
    if image_shape[0] * image_shape[1] != n_in:
        raise ValueError(
            f"The 'image_shape' parameter of {caller} must have {n_in} pixels. "
            f"Got {tuple(image_shape)} instead."
        )
    return int(image_shape[0]), int(image_shape[1])


def plot_saliency(
    network,
    X,
    target=None,
    *,
    y=None,
    score: str = "logit",
    image_shape: tuple[int, int] | None = None,
    max_images: int = 6,
    save=None,
):
    """Images and their saliency maps: which pixels push each towards a class.

    One column per image (the first ``max_images`` rows of ``X``): the image
    itself, then the saliency map ``dS_c/dx`` of its predicted class, then,
    with ``target``, the map of that class (Simonyan et al. 2013; see
    :meth:`glassnet.Network.saliency`, which computes them). Blue pixels raise
    the class score when they brighten, red ones lower it, on a diverging
    colormap centred at 0; the maps of one image share one symmetric scale
    (``±`` the largest ``|value|`` of the two), written under them, and carry
    the image's outline (a contour at half its brightest pixel).

    Parameters
    ----------
    network : Network
        A classifier whose inputs are images.
    X : array-like of shape (n_samples, n_features)
        Raw images, one per row (pixels in row-major order), as
        :meth:`~glassnet.Network.predict` takes them.
    target : class label or array-like of shape (n_samples,), optional
        The class (in the model's labels, e.g. ``3``) of the third row of
        maps, one for all images or one per image.
    y : array-like of shape (n_samples,), optional
        True labels, shown in the images' titles.
    score : {"logit", "probability"}, default "logit"
        The class score differentiated (see :meth:`Network.saliency`).
    image_shape : (int, int), optional
        Default: square images (784 inputs -> 28 x 28).
    max_images : int, default 6
        At most this many images (the first rows of ``X``) are shown.
    save : str or Path, optional
        Also write the figure to this file (PNG by its suffix, as
        matplotlib's ``savefig``).

    Returns
    -------
    matplotlib.figure.Figure
        Its axes, column by column, hold the image, the predicted class's map
        and (with ``target``) the target's map, each as ``ax.images[0]``, the
        maps exactly ``network.saliency`` reshaped to ``image_shape``.

    Raises
    ------
    ValueError
        As :meth:`Network.saliency` (a regression network, unknown classes,
        bad ``X``), for an ``image_shape`` that is not a pair of positive ints
        or does not match the inputs, and
        for ``max_images`` not a positive int.
    """
    if (
        isinstance(max_images, bool)
        or not isinstance(max_images, int)
        or max_images < 1
    ):
        raise ValueError(
            "The 'max_images' parameter of plot_saliency must be a positive int. "
            f"Got {max_images!r} instead."
        )
    shape = _image_shape(network.n_inputs, image_shape, "plot_saliency")
    X = network.prepare_inputs(X)
    n = min(X.shape[0], max_images)
    if target is not None and np.ndim(target) == 1:
        if len(target) != X.shape[0]:
            raise ValueError(
                "The 'target' parameter of plot_saliency must be one class label "
                f"or one per image of X ({X.shape[0]}). Got {len(target)} labels "
                "instead."
            )
        target = np.asarray(target)[:n]
    images = X[:n]
    maps, titles = _saliency_maps(network, images, target, score)
    truth = None
    if y is not None:
        truth = _flat_labels(y, "y")
        if truth.shape[0] != X.shape[0]:
            raise ValueError(
                "The 'y' parameter of plot_saliency must give one label per image "
                f"of X ({X.shape[0]}). Got {truth.shape[0]} instead."
            )
        truth = truth[:n]
    fig = _figure(min(1.6 * n + 0.4, FIGURE_WIDTH), 1.75 * (1 + len(maps)) + 0.5)
    axes = fig.subplots(1 + len(maps), n, squeeze=False)
    pixels = images.toarray() if hasattr(images, "toarray") else images
    pixels = np.asarray(pixels, dtype=float).reshape(n, *shape)
    for i in range(n):
        title = f"predicted {titles[0][i]}"
        if truth is not None:
            title += f"\ntrue {truth[i]}"
        _draw_saliency_column(
            axes[:, i],
            pixels[i],
            [m[i].reshape(shape) for m in maps],
            title,
            [t[i] for t in titles[1:]],
        )
    what = "logit" if score == "logit" else "probability"
    fig.suptitle(
        f"Saliency: gradient of the class {what} with respect to each pixel "
        "(blue raises it, red lowers it)",
        fontsize=SMALL_FONT + 2,
    )
    return _finish(fig, save)


def _saliency_maps(network, images, target, score):
    """The maps (each (n, n_features)) and, first, the predicted labels, then
    each map's panel titles."""
    predicted = network.predict(images)
    maps = [network.saliency(images, None, score=score)]
    titles = [list(predicted), [f"towards {p} (predicted)" for p in predicted]]
    if target is not None:
        maps.append(network.saliency(images, target, score=score))
        chosen = np.broadcast_to(np.asarray(target, dtype=object), (len(predicted),))
        titles.append([f"towards {t}" for t in chosen])
    return maps, titles


def _draw_saliency_column(axes, picture, maps, title, map_titles) -> None:
    """One image (grey) over its maps, all on one symmetric diverging scale."""
    axes[0].imshow(picture, cmap="gray_r", interpolation="nearest")
    axes[0].set_title(title, fontsize=SMALL_FONT)
    ink = picture - picture.min()
    scale = max(float(np.abs(m).max()) for m in maps) or 1.0
    for ax, m, name in zip(axes[1:], maps, map_titles, strict=True):
        ax.imshow(m, cmap="RdBu", vmin=-scale, vmax=scale, interpolation="nearest")
        if ink.max() > 0:  # the image's outline over its map: where the ink is
            ax.contour(
                ink, levels=[ink.max() / 2], colors="k", linewidths=0.5, alpha=0.6
            )
        ax.set_title(name, fontsize=SMALL_FONT)
    axes[-1].set_xlabel(f"±{scale:.2g}", fontsize=SMALL_FONT)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])


# -- diagnostics over epochs ---------------------------------------------------
def plot_diagnostics(history, *, save=None):
    """Per-layer gradient norms, saturation/dead ReLUs and update ratios per epoch.

    Parameters
    ----------
    history : History, Diagnostics or dict
        With the keys a :class:`glassnet.Diagnostics` callback logs.
    save : str or Path, optional
        Also write the figure there (.png, .svg or .pdf, atomically).

    Returns
    -------
    matplotlib.figure.Figure
        A new figure, one panel per kind of figure, one line per layer.

    Raises
    ------
    ValueError
        For a record without ``"grad_norm/<layer>"`` entries, or a ``save``
        path of another format.
    TypeError
        For a ``history`` that is not a History, a Diagnostics callback or a
        dict.
    ImportError
        Without matplotlib.
    """
    records = _records(history)
    grads = _per_layer(records, "grad_norm")
    if not grads:
        raise ValueError(
            "plot_diagnostics found no 'grad_norm/<layer>' entries; train with "
            "callbacks=[glassnet.Diagnostics()] and pass its History or the callback."
        )
    fig = _figure(FIGURE_WIDTH, 3.8)
    axes = fig.subplots(1, 3)
    for index, values in grads.items():
        epochs = np.arange(1, len(values) + 1)
        axes[0].semilogy(epochs, values, "o-", ms=3, label=f"layer {index}")
    axes[0].set_title("Gradient norm, RMS of dC/dW")
    activity = [("saturation", "-", "saturated"), ("dead_relu", "--", "dead ReLUs")]
    for name, style, label in activity:
        for index, values in _per_layer(records, name).items():
            epochs = np.arange(1, len(values) + 1)
            axes[1].plot(
                epochs, values, style, marker="o", ms=3, label=f"layer {index} {label}"
            )
    axes[1].set_ylim(-0.05, 1.05)
    axes[1].set_ylabel("fraction")
    axes[1].set_title("Saturated activations / dead ReLUs")
    for index, values in _per_layer(records, "update_ratio").items():
        epochs = np.arange(1, len(values) + 1)
        axes[2].semilogy(epochs, values, "o-", ms=3, label=f"layer {index}")
    axes[2].set_title("Update ratio |dW| / |W| per step")
    for ax in axes:
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        if ax.has_data():
            ax.legend(fontsize=SMALL_FONT)
        else:
            ax.text(0.5, 0.5, "not measured", ha="center", transform=ax.transAxes)
    return _finish(fig, save)


def plot_gradient_flow(runs: dict, *, epoch: int = 0, ax=None, save=None):
    """Gradient norm per layer for one or more runs, on a log scale.

    Parameters
    ----------
    runs : dict of str to (History, Diagnostics or dict)
        Label -> the record of a run with :class:`glassnet.Diagnostics`.
    epoch : int, default 0
        Which epoch (0-based; -1 for the last).
    ax : matplotlib Axes, optional
        Draw into these axes.
    save : str or Path, optional
        Also write the figure there (.png, .svg or .pdf, atomically).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on (``ax.figure`` when ``ax`` is given).

    Raises
    ------
    TypeError
        For ``runs`` that is not a non-empty dict, a record that is not a
        History, a Diagnostics callback or a dict, or an ``ax`` that is not
        a matplotlib Axes.
    ValueError
        For a run without ``"grad_norm/<layer>"`` entries, or a ``save``
        path of another format.
    ImportError
        Without matplotlib.
    """
    if not isinstance(runs, dict) or not runs:
        raise TypeError(
            "The 'runs' parameter of plot_gradient_flow must be a non-empty dict of "
            f"label -> History or Diagnostics. Got {type(runs).__name__} instead."
        )
    fig, ax = _axes(ax, 6.5, 4.0, "plot_gradient_flow")
    for label, history in runs.items():
        grads = _per_layer(_records(history), "grad_norm")
        if not grads:
            raise ValueError(
                f"The run {label!r} has no 'grad_norm/<layer>' entries; train it with "
                "callbacks=[glassnet.Diagnostics()]."
            )
        layers = sorted(grads)
        ax.semilogy(layers, [grads[i][epoch] for i in layers], "o-", label=label)
    ax.set_xlabel("layer (1 = first weight layer; the last is the output)")
    ax.set_ylabel("gradient norm, RMS of dC/dW")
    ax.set_title("Gradient flow: first layers against last")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    return _finish(fig, save)


# -- the network itself --------------------------------------------------------
def plot_network(network, *, max_units: int = 12, ax=None, save=None):
    """The layers as columns of neurons, links wide as ``|w|`` and coloured by sign.

    Each non-output column has lecture 002's bias neuron ``1`` on top, linked
    to the next layer with width proportional to ``|b|``. Blue links are
    positive weights, orange negative; widths share one scale.

    Parameters
    ----------
    network : Network
        The network to draw (its Dense layers).
    max_units : int, default 12
        Neurons drawn per layer; the rest are counted under the column.
    ax : matplotlib Axes, optional
        Draw into these axes.
    save : str or Path, optional
        Also write the figure there (.png, .svg or .pdf, atomically).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on (``ax.figure`` when ``ax`` is given).

    Raises
    ------
    TypeError
        For an ``ax`` that is not a matplotlib Axes.
    ValueError
        For a ``save`` path of another format.
    ImportError
        Without matplotlib.
    """
    dense = [layer for layer in network.layers if hasattr(layer, "W")]
    sizes = [dense[0].n_in, *(layer.n_out for layer in dense)]
    shown = [min(n, max_units) for n in sizes]
    width = min(2.0 + 1.8 * len(sizes), FIGURE_WIDTH)
    fig, ax = _axes(ax, width, 1.2 + 0.45 * (max(shown) + 1), "plot_network")
    ax.set_axis_off()
    height = max(shown) + 1

    def y_of(count: int, k: int) -> float:
        # neuron 1 on top, each column centred
        return (height + count) / 2 - 1 - k

    scale = (
        max(
            max(float(np.abs(layer.W).max()), float(np.abs(layer.b).max()))
            for layer in dense
        )
        or 1.0
    )
    for col, layer in enumerate(dense):
        W, b = np.asarray(layer.W, float), np.asarray(layer.b, float)
        for k in range(shown[col + 1]):
            target = (col + 1, y_of(shown[col + 1], k))
            for j in range(shown[col]):
                _link(ax, (col, y_of(shown[col], j)), target, W[k, j], scale)
            _link(ax, (col, height + 0.2), target, b[k], scale)
    for col, (n, m) in enumerate(zip(sizes, shown, strict=True)):
        ys = [y_of(m, k) for k in range(m)]
        ax.scatter([col] * m, ys, s=260, c="white", edgecolors="k", zorder=3)
        if col < len(dense):
            ax.scatter(
                [col],
                [height + 0.2],
                s=220,
                marker="s",
                c="0.85",
                edgecolors="k",
                zorder=3,
            )
            ax.text(
                col, height + 0.2, "1", ha="center", va="center", fontsize=8, zorder=4
            )
        name = "input" if col == 0 else dense[col - 1].activation.name
        more = f"\n(+{n - m} not drawn)" if n > m else ""
        units = "unit" if n == 1 else "units"
        ax.text(
            col, -0.9, f"{name}\n{n} {units}{more}", ha="center", va="top", fontsize=8
        )
    ax.plot([], [], color=POSITIVE, lw=2, label="w > 0")
    ax.plot([], [], color=NEGATIVE, lw=2, label="w < 0")
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    ax.set_xlim(-0.6, len(sizes) - 0.4)
    ax.set_ylim(-2.2, height + 1.0)
    ax.set_title(f"Network: link width proportional to |w| (max {scale:.3g})")
    return _finish(fig, save)


def _link(ax, start, end, weight: float, scale: float) -> None:
    width = 4.0 * abs(weight) / scale
    if width < 0.05:
        return
    color = POSITIVE if weight > 0 else NEGATIVE
    ax.plot(
        [start[0], end[0]],
        [start[1], end[1]],
        color=color,
        lw=width,
        alpha=0.75,
        solid_capstyle="round",
        zorder=1,
    )


# -- all that fit a run ---------------------------------------------------------
def save_training_plots(
    network, history, directory, *, X=None, y=None, diagnostics=None, format="png"
) -> dict[str, Path]:
    """Write every plot that fits this network and run into ``directory``.

    Always the learning curves and the network diagram; the diagnostics when
    recorded (in ``history`` or a separate ``diagnostics`` callback); with
    data ``(X, y)``, the confusion matrix of a classifier and the decision
    boundary of a 2-input network; the first-layer weights when the inputs
    form a square image (at least 4 x 4), and with data the saliency maps of
    a single-label image classifier.

    Parameters
    ----------
    network : Network
        The trained network.
    history : History or dict
        Its training record (per-epoch lists).
    directory : str or Path
        Created if missing.
    X : array-like of shape (n_samples, n_features), optional
        Data for the confusion matrix and the decision boundary.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs), optional
        Its labels or targets.
    diagnostics : Diagnostics, optional
        A Diagnostics callback of the run, when its figures are not in
        ``history``.
    format : {"png", "svg", "pdf"}, default "png"
        The image format of every file.

    Returns
    -------
    dict of str to Path
        Plot name -> file written.

    Raises
    ------
    ValueError
        For an unknown ``format``, or a ``history`` without ``"loss"``.
    TypeError
        For a ``history`` that is not a History or a dict.
    ImportError
        Without matplotlib.
    """
    if f".{format}" not in SAVE_FORMATS:
        raise ValueError(
            "The 'format' parameter of save_training_plots must be one of "
            f"{', '.join(f[1:] for f in SAVE_FORMATS)}. Got {format!r} instead."
        )
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    plots = {
        "learning_curves": lambda: plot_learning_curves(history),
        "network": lambda: plot_network(network),
    }
    source = diagnostics if diagnostics is not None else history
    if _per_layer(_records(source), "grad_norm"):
        plots["diagnostics"] = lambda: plot_diagnostics(source)
    if X is not None and y is not None:
        if network.task == "classification":
            plots["confusion_matrix"] = lambda: plot_confusion_matrix(
                y, network.predict(X)
            )
        if network.n_inputs == 2:
            plots["decision_boundary"] = lambda: plot_decision_boundary(network, X, y)
    side = math.isqrt(network.n_inputs)
    if side >= 4 and side * side == network.n_inputs:
        plots["first_layer_weights"] = lambda: plot_first_layer_weights(network)
        single_label = network.output_activation.name == "softmax" or (
            network.n_outputs == 1
        )
        if X is not None and network.task == "classification" and single_label:
            plots["saliency"] = lambda: plot_saliency(network, X, y=y)
    written = {}
    for name, draw in plots.items():
        path = directory / f"{name}.{format}"
        with off_pyplot():
            _finish(draw(), path)
        written[name] = path
    return written
