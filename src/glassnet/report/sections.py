"""The sections of :mod:`glassnet.report.html_report`: HTML strings built from a model.

Each ``*_section`` function returns one ``<section>`` (or ``""`` when there is
nothing to show); every string from the model file or the data is escaped
with :func:`escape`. Figures come from :mod:`glassnet.report.plots` as embedded
PNG data URIs through :class:`Figures`.
"""

from __future__ import annotations

import html
import json
import math

import numpy as np

#: Image datasets whose first-layer weights are drawn as images.
_IMAGE_PREFIX = "pixel"


def escape(value) -> str:
    """HTML-escaped ``str(value)``.

    Parameters
    ----------
    value : object
        Anything; its ``str`` is escaped.

    Returns
    -------
    str
        With ``&``, ``<``, ``>`` and both quotes escaped.
    """
    return html.escape(str(value), quote=True)


def section(heading: str, *parts: str) -> str:
    return f"<section>\n<h2>{escape(heading)}</h2>\n{''.join(parts)}\n</section>"


def row(*parts: str) -> str:
    """Parts side by side, wrapping on narrow screens.

    Parameters
    ----------
    *parts : str
        HTML fragments.

    Returns
    -------
    str
        A flex ``<div class='row'>`` holding each part in its own ``<div>``.
    """
    return "<div class='row'>" + "".join(f"<div>{p}</div>" for p in parts) + "</div>"


def table(header: list[str], rows: list[list], numeric=()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='num'>{escape(_number(c))}</td>"
            if j in numeric
            else f"<td>{escape(c)}</td>"
            for j, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _number(value) -> str:
    if not isinstance(value, (float, np.floating)):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:.4f}"
    return f"{value:.3e}"


class Figures:
    """Figures as ``<figure>`` elements with embedded PNGs (matplotlib lazily)."""

    def __init__(self):
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            self.available = False
        else:
            self.available = True

    def __call__(self, draw, caption: str) -> str:
        if not self.available:
            return (
                "<p class='note'>Figures need matplotlib: pip install "
                "'glassnet[plot]'.</p>"
            )
        from glassnet.report.plots import figure_to_data_uri, off_pyplot

        with off_pyplot():  # never left open in the user's pyplot
            uri = figure_to_data_uri(draw())
        return (
            f"<figure><img src='{uri}' alt='{escape(caption)}'>"
            f"<figcaption>{escape(caption)}</figcaption></figure>"
        )


# -- sections ------------------------------------------------------------------
def network_section(network, figures: Figures) -> str:
    from glassnet.report.notebook import network_html
    from glassnet.report.plots import plot_network

    return section(
        "Network",
        row(
            network_html(network),
            figures(
                lambda: plot_network(network),
                "The network: link width proportional to |w|, blue positive, orange "
                "negative; the square 1 is the bias neuron.",
            ),
        ),
    )


def config_section(metadata: dict) -> str:
    config = metadata.get("config")
    if not isinstance(config, dict) or not config:
        return section(
            "Training config",
            "<p class='note'>The model file holds no training config.</p>",
        )
    items = "".join(
        f"<div><dt>{escape(key)}</dt><dd>{escape(_config_value(value))}</dd></div>"
        for key, value in config.items()
    )
    extra = []
    if "train_seconds" in metadata:
        extra.append(f"Training took {float(metadata['train_seconds']):.2f} s.")
    epochs = len((metadata.get("history") or {}).get("loss", []))
    if epochs:
        extra.append(f"{epochs} epochs ran.")
    note = f"<p class='note'>{escape(' '.join(extra))}</p>" if extra else ""
    return section("Training config", f"<dl class='config'>{items}</dl>", note)


def _config_value(value) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def curves_section(records: dict, figures: Figures) -> str:
    from glassnet.report.notebook import _table as history_table
    from glassnet.report.plots import plot_learning_curves

    if not records.get("loss"):
        return section(
            "Learning curves", "<p class='note'>No per-epoch history was saved.</p>"
        )
    if not figures.available:
        return section("Learning curves", history_table(records))
    return section(
        "Learning curves",
        figures(
            lambda: plot_learning_curves(records),
            "Loss and metric per epoch; dashed: the best epoch; shaded: "
            "overfitting (validation loss rising while training loss falls).",
        ),
    )


def metrics_section(
    network, X, y, figures: Figures, *, rows: str | None = None, held_out=True
) -> str:
    """Metrics on ``(X, y)``; ``rows`` says which rows they are, and
    ``held_out=False`` heads them as including training data.

    Parameters
    ----------
    network : Network
        The network evaluated.
    X : array-like of shape (n_samples, n_features)
        The rows evaluated (raw: the network's preprocessing applies).
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Their targets.
    figures : Figures
        Draws the confusion matrix (or notes that matplotlib is missing).
    rows : str, optional
        Which rows these are, in words.
    held_out : bool, default True
        Whether the rows are held out from training.

    Returns
    -------
    str
        An HTML ``<section>``: the metrics table and, for classifiers, the
        per-class table and the confusion matrix.
    """
    from glassnet.metrics import evaluation_report
    from glassnet.report.plots import plot_confusion_matrix

    result = evaluation_report(network, X, y)
    scalars = [[k, v] for k, v in result.items() if isinstance(v, float)]
    parts = [table(["metric", "value"], scalars, numeric=(1,))]
    kind = "test samples" if held_out else "samples"
    if "confusion_matrix" in result:
        names = _class_names(network)
        per_class = zip(names, result["per_class_accuracy"], strict=True)
        counts = np.asarray(result["confusion_matrix"]).sum(axis=1)
        per_row = [
            [name, int(n), acc]
            for (name, acc), n in zip(per_class, counts, strict=True)
        ]
        parts.append(table(["class", kind, "accuracy"], per_row, numeric=(1, 2)))
        truth, predicted = _codes(network, X, y)
        parts.append(
            figures(
                lambda: plot_confusion_matrix(truth, predicted, labels=names),
                f"Confusion matrix of the {kind}: rows are the true classes, "
                "columns the predicted ones.",
            )
        )
    heading = "Test metrics" if held_out else "Metrics (the rows include training data)"
    note = f"<p class='note'>Scored: {escape(rows)}.</p>" if rows else ""
    return section(heading, note, row(*parts))


def _class_names(network) -> list[str]:
    names = network.preprocessing.names if network.preprocessing else None
    return names or [str(k) for k in range(max(2, network.n_outputs))]


def _codes(network, X, y) -> tuple[np.ndarray, np.ndarray]:
    """True and predicted class codes, 0 .. n_classes - 1."""
    encode = network.preprocessing.encode if network.preprocessing else np.asarray
    predicted = encode(network.predict(X))
    return _true_codes(network, y), np.asarray(predicted).astype(np.int64)


def _true_codes(network, y) -> np.ndarray:
    """Class codes (n_samples,) of labels or one-hot rows ``y``."""
    encode = network.preprocessing.encode if network.preprocessing else np.asarray
    truth = encode(np.asarray(y))
    if truth.ndim == 2:  # one-hot targets
        truth = truth.argmax(axis=1) if truth.shape[1] > 1 else truth[:, 0]
    return truth.astype(np.int64)


def boundary_section(network, X, y, figures: Figures) -> str:
    from glassnet.report.plots import plot_decision_boundary

    return section(
        "Decision boundary",
        figures(
            lambda: plot_decision_boundary(network, X, y),
            "The network's output over the input plane with the test points, and "
            "beside it each hidden unit's activation over the same plane.",
        ),
    )


def diagnostics_section(records: dict, figures: Figures) -> str:
    from glassnet.report.plots import plot_diagnostics

    layers = sorted(int(k.split("/")[1]) for k in records if k.startswith("grad_norm/"))
    if not layers:
        return ""
    names = ("grad_norm", "delta_norm", "update_ratio", "saturation", "dead_relu")
    shown = [n for n in names if any(f"{n}/{i}" in records for i in layers)]
    rows = [[i, *(_last(records.get(f"{n}/{i}")) for n in shown)] for i in layers]
    return section(
        "Diagnostics",
        figures(
            lambda: plot_diagnostics(records),
            "Per layer and epoch: the RMS of dC/dW, the fraction of saturated "
            "activations and dead ReLUs, and the size of one update relative "
            "to the weights.",
        ),
        "<p class='note'>At the last epoch:</p>",
        table(["layer", *shown], rows, numeric=tuple(range(len(shown) + 1))),
        _findings(records, layers),
    )


def _last(values) -> float | str:
    return float(values[-1]) if values else ""


def _findings(records: dict, layers: list[int]) -> str:
    """What the diagnostics say, with the lectures' remedies (default thresholds)."""
    from glassnet.training.diagnostics import REMEDIES, Diagnostics, overfitting_start

    limits = Diagnostics()
    found = []
    ratio = np.asarray(records.get("grad_ratio") or [np.nan], dtype=float)
    if len(layers) > 1 and np.nanmin(ratio) < limits.vanishing:
        found.append(
            (
                "vanishing",
                f"Vanishing gradients: the first layer's gradient norm "
                f"fell to {np.nanmin(ratio):.3g} times the last layer's.",
            )
        )
    if len(layers) > 1 and np.nanmax(ratio) > limits.exploding:
        found.append(
            (
                "exploding",
                f"Exploding gradients: the first layer's gradient norm "
                f"rose to {np.nanmax(ratio):.3g} times the last layer's.",
            )
        )
    for i in layers[:-1]:
        for key, kind, threshold, text in (
            ("saturation", "saturation", limits.saturated, "saturated activations"),
            ("dead_relu", "dead", limits.dead, "dead ReLUs"),
        ):
            value = _last(records.get(f"{key}/{i}"))
            if value != "" and value > threshold:
                found.append((kind, f"Layer {i}: {value:.0%} {text} at the end."))
    if records.get("val_loss"):
        start = overfitting_start(records["loss"], records["val_loss"])
        if start is not None:
            found.append(
                (
                    "overfitting",
                    f"Overfitting: the validation loss was lowest at "
                    f"epoch {start + 1} and then rose while the training loss fell.",
                )
            )
    if not found:
        return "<p class='ok'>No diagnostic crossed its warning threshold.</p>"
    return "".join(
        f"<p class='finding'>{escape(text)} Remedies: {escape(REMEDIES[kind])}.</p>"
        for kind, text in found
    )


def is_image_model(network) -> bool:
    """Square inputs of at least 4 x 4 named as pixels (or not named at all).

    Parameters
    ----------
    network : Network
        Its inputs and feature names decide.

    Returns
    -------
    bool
        Whether its first-layer weights can be drawn as images.
    """
    side = math.isqrt(network.n_inputs)
    if side < 4 or side * side != network.n_inputs:
        return False
    names = network.preprocessing.feature_names if network.preprocessing else None
    return not names or all(str(n).startswith(_IMAGE_PREFIX) for n in names)


def weights_section(network, figures: Figures) -> str:
    from glassnet.report.plots import plot_first_layer_weights

    return section(
        "First-layer weights",
        figures(
            lambda: plot_first_layer_weights(network),
            "Each first-layer neuron's incoming weights drawn as an image: blue "
            "positive, red negative.",
        ),
    )


#: Test images shown in the saliency section.
SALIENCY_IMAGES = 6


def saliency_section(network, X, y, figures: Figures) -> str:
    """Saliency maps of a few test images of an image classifier ("" otherwise).

    One image per class (the first of each, in class order of appearance,
    up to :data:`SALIENCY_IMAGES`), with the maps of its predicted class and
    of its runner-up, the class the network finds next most probable.
    """
    from glassnet.report.plots import plot_saliency

    single_label = network.output_activation.name == "softmax" or (
        network.n_outputs == 1
    )
    if network.task != "classification" or not single_label:
        return ""
    X = network.prepare_inputs(X)
    _, first = np.unique(_true_codes(network, y), return_index=True)
    rows = np.sort(first)[:SALIENCY_IMAGES]
    # every class of the test labels, or the first SALIENCY_IMAGES to appear
    which = (
        "each class"
        if rows.size == first.size
        else f"each of the first {rows.size} of the {first.size} classes to appear "
        "in the test set"
    )
    images = X[rows]
    labels = np.asarray(y)[rows] if np.ndim(y) == 1 else None
    runner_up = np.argsort(network.predict_proba(images), axis=1, kind="stable")[:, -2]
    if network.preprocessing is not None:
        runner_up = network.preprocessing.decode(runner_up)
    return section(
        "Saliency",
        figures(
            lambda: plot_saliency(
                network, images, runner_up, y=labels, max_images=SALIENCY_IMAGES
            ),
            f"For one test image of {which}: the image, then the gradient of "
            "its predicted class's score (the logit, before the softmax) with "
            "respect to each pixel, then that of its runner-up class (the next "
            "most probable). Blue pixels push the image towards the class as "
            "they brighten, red ones away from it; each column has its own "
            "scale, symmetric about 0 (Simonyan et al. 2013).",
        ),
    )
