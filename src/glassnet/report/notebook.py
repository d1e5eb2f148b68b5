"""HTML for Jupyter: a network's summary table and a history's learning curve.

``Network._repr_html_`` and ``History._repr_html_`` call these. The learning
curve is an inline PNG when matplotlib is installed and a table otherwise, so
a notebook never needs network access or the ``plot`` extra to show a result.
"""

from __future__ import annotations

import html

import numpy as np

__all__ = ["history_html", "network_html"]

#: Epochs listed in the table fallback before the middle ones are elided.
MAX_ROWS = 20


def network_html(network) -> str:
    """The network's summary as an HTML table: layers, output shapes, parameters.

    Parameters
    ----------
    network : Network
        The network to describe (its :meth:`~glassnet.Network.summary`).

    Returns
    -------
    str
        An HTML ``<table>``, names escaped.
    """
    summary = network.summary()
    rows = "".join(
        "<tr>"
        f"<td style='text-align:left'>{html.escape(name)}</td>"
        f"<td style='text-align:left'>{html.escape(shape)}</td>"
        f"<td style='text-align:right'>{count:,}</td>"
        "</tr>"
        for name, shape, count in summary.rows
    )
    return (
        "<table>"
        "<thead><tr><th style='text-align:left'>Layer</th>"
        "<th style='text-align:left'>Output shape</th>"
        "<th style='text-align:right'>Params</th></tr></thead>"
        f"<tbody>{rows}</tbody>"
        "<tfoot><tr><td colspan='3' style='text-align:left'>"
        f"Total parameters: {summary.total_params:,}; loss: "
        f"{html.escape(summary.loss)}; dtype: {html.escape(summary.dtype)}"
        "</td></tr></tfoot></table>"
    )


def history_html(history) -> str:
    """The learning curve as an inline PNG, or a table without matplotlib.

    Parameters
    ----------
    history : History
        Anything with a ``history`` dict of per-epoch lists.

    Returns
    -------
    str
        An HTML ``<img>`` with a PNG data URI, or a ``<table>`` of the
        epochs (at most ``MAX_ROWS`` listed) without matplotlib.
    """
    records = history.history
    if not records.get("loss"):
        return "<p>History: no epochs recorded.</p>"
    try:
        from glassnet.report.plots import (
            figure_to_data_uri,
            off_pyplot,
            plot_learning_curves,
        )

        with off_pyplot():  # an image in the HTML, not a figure left in pyplot
            uri = figure_to_data_uri(plot_learning_curves(history))
    except ImportError:
        return _table(records)
    return f"<img src='{uri}' alt='learning curves'/>"


def _table(records: dict) -> str:
    keys = [k for k, v in records.items() if "/" not in k and _numeric(v)]
    n = len(records["loss"])
    epochs = list(range(n))
    if n > MAX_ROWS:
        half = MAX_ROWS // 2
        epochs = [*range(half), None, *range(n - half, n)]
    head = "".join(f"<th>{html.escape(k)}</th>" for k in keys)
    body = []
    for e in epochs:
        if e is None:
            body.append(f"<tr><td colspan='{len(keys) + 1}'>...</td></tr>")
            continue
        cells = "".join(f"<td>{records[k][e]:.4g}</td>" for k in keys)
        body.append(f"<tr><td>{e + 1}</td>{cells}</tr>")
    return (
        f"<table><thead><tr><th>epoch</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _numeric(values) -> bool:
    return all(isinstance(v, (int, float, np.floating, np.integer)) for v in values)
