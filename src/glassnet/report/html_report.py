"""One self-contained HTML page about a trained model.

:func:`report_html` lays out the network's summary and diagram, its training
config, learning curves, test metrics, confusion matrix (classifiers),
decision boundary (2-D inputs), diagnostics (when the run recorded them),
first-layer weights (image inputs) and saliency maps (image classifiers with
test data). Figures are embedded as PNG data URIs and the style sheet is
inline; the page has no script and its Content Security Policy forbids
loading anything, so it opens offline and anywhere.
:func:`write_report` writes it atomically. Every string that comes from the
model file or the data (config values, class and feature names, the title)
is HTML-escaped.

Figures need matplotlib (the ``plot`` extra); without it the page says so and
shows the learning curves as a table.
"""

from __future__ import annotations

from pathlib import Path

from glassnet.report import sections as sections_of
from glassnet.report.sections import escape as _e

__all__ = ["report_html", "write_report"]

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
  color: #1d2330; background: #f6f7f9; line-height: 1.45; }
main { max-width: 1100px; margin: 0 auto; padding: 1.5rem 2rem 3rem; }
h1 { font-size: 1.7rem; margin: 0.2rem 0 0.2rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 0.6rem; border-bottom: 2px solid #d7dce4;
  padding-bottom: 0.2rem; }
.subtitle { color: #5a6475; margin: 0 0 1rem; }
section { background: #fff; border: 1px solid #e1e5eb; border-radius: 6px;
  padding: 0.4rem 1.2rem 1rem; margin-top: 1.2rem; }
table { border-collapse: collapse; font-size: 0.9rem; margin: 0.5rem 0; }
th, td { padding: 0.25rem 0.7rem; border-bottom: 1px solid #e6e9ee;
  text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #eef1f5; }
figure { margin: 0.8rem 0; display: table; }
figcaption { display: table-caption; caption-side: bottom; }
.row { display: flex; flex-wrap: wrap; gap: 0 2rem; align-items: flex-start; }
.row > div { min-width: 0; }
dl.config { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr));
  gap: 0.3rem 1.5rem; margin: 0.6rem 0; }
dl.config dt { color: #5a6475; font-size: 0.8rem; }
dl.config dd { margin: 0; font-family: ui-monospace, monospace; font-size: 0.9rem;
  overflow-wrap: anywhere; }
img { max-width: 100%; height: auto; }
figcaption { color: #5a6475; font-size: 0.85rem; }
.note { color: #5a6475; font-size: 0.9rem; }
.finding { border-left: 4px solid #d9822b; padding: 0.3rem 0.8rem;
  background: #fff7ee; margin: 0.5rem 0; }
.ok { border-left: 4px solid #3a9a5b; padding: 0.3rem 0.8rem; background: #f0f9f3; }
footer { color: #8a93a3; font-size: 0.8rem; margin-top: 2rem; }
"""

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def report_html(
    network,
    X=None,
    y=None,
    *,
    history=None,
    title=None,
    rows: str | None = None,
    held_out: bool = True,
) -> str:
    """The report as one HTML document.

    Parameters
    ----------
    network : Network
        Its ``metadata`` (from ``glassnet train``) gives the training config
        (``"config"``), the per-epoch history (``"history"``) and the dataset
        name (``"dataset"``) when present.
    X : array-like of shape (n_samples, n_features), optional
        Test inputs (raw: the network's preprocessing applies).
    y : array-like of shape (n_samples,) or (n_samples, n_outputs), optional
        Test targets; with ``X``, the metrics, confusion matrix and decision
        boundary are shown.
    history : History or dict of str to list, optional
        Per-epoch records. Default: ``network.metadata["history"]``.
    title : str, optional
        Default: "glassnet report".
    rows : str, optional
        Which rows ``X`` and ``y`` are, in words (e.g. "the 117 held-out test
        rows of liver.csv"); shown under the title and above the metrics.
        Default: "N samples".
    held_out : bool, default True
        Whether the rows are held out from training. If False the metrics are
        headed "Metrics (the rows include training data)", not "Test metrics".

    Returns
    -------
    str
        A complete HTML5 document (UTF-8, inline style, figures as PNG data
        URIs, no script), every string from the model or the data escaped.

    Raises
    ------
    ValueError
        For ``X`` without ``y`` or ``y`` without ``X``; ``X`` or ``y`` the
        network cannot take.
    TypeError
        For a ``history`` that is not a History or a dict.
    """
    if (X is None) != (y is None):
        raise ValueError("report_html needs both X and y, or neither.")
    metadata = getattr(network, "metadata", None) or {}
    records = _history_records(history, metadata)
    figures = sections_of.Figures()
    sections = [
        sections_of.network_section(network, figures),
        sections_of.config_section(metadata),
        sections_of.curves_section(records, figures),
    ]
    if X is not None:
        sections.append(
            sections_of.metrics_section(
                network, X, y, figures, rows=rows, held_out=held_out
            )
        )
        if network.n_inputs == 2:
            sections.append(sections_of.boundary_section(network, X, y, figures))
    sections.append(sections_of.diagnostics_section(records, figures))
    if sections_of.is_image_model(network):
        sections.append(sections_of.weights_section(network, figures))
        if X is not None:
            sections.append(sections_of.saliency_section(network, X, y, figures))
    subtitle = _subtitle(network, metadata, X, rows)
    return _page(title or "glassnet report", subtitle, sections)


def write_report(
    network,
    X,
    y,
    path,
    *,
    history=None,
    title=None,
    rows: str | None = None,
    held_out: bool = True,
) -> Path:
    """Write :func:`report_html` to ``path`` atomically; return the path.

    Parameters
    ----------
    network, X, y, history, title, rows, held_out
        As for :func:`report_html`; ``X`` of shape (n_samples, n_features)
        and ``y`` of shape (n_samples,) or (n_samples, n_outputs), or both
        None.
    path : str or Path
        The HTML file to create or replace; its directory must exist.

    Returns
    -------
    Path
        ``path``, written atomically (through a temporary file).

    Raises
    ------
    FileNotFoundError
        When the directory of ``path`` does not exist.
    ValueError, TypeError
        As :func:`report_html`.
    """
    from glassnet.files.atomic import atomic_save

    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise FileNotFoundError(
            f"The 'path' parameter of write_report must be in an existing "
            f"directory. Got {str(path)!r}; {str(directory)!r} does not exist."
        )
    document = report_html(
        network, X, y, history=history, title=title, rows=rows, held_out=held_out
    )

    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(document)

    atomic_save(path, write)
    return path


# -- page and pieces -----------------------------------------------------------
def _page(title: str, subtitle: str, sections: list[str]) -> str:
    from glassnet._version import __version__

    body = "\n".join(s for s in sections if s)
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        f"<meta http-equiv='Content-Security-Policy' content=\"{_CSP}\">\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<main>\n<h1>{_e(title)}</h1>\n<p class='subtitle'>{subtitle}</p>\n"
        f"{body}\n<footer>Written by glassnet {_e(__version__)}.</footer>\n"
        "</main>\n</body>\n</html>\n"
    )


def _subtitle(network, metadata: dict, X, rows: str | None) -> str:
    parts = [f"{_e(network.task)} network"]
    if metadata.get("dataset"):
        parts.append(f"trained on {_e(metadata['dataset'])}")
    if X is not None:
        parts.append(f"evaluated on {_e(rows or f'{len(X):,} samples')}")
    return ", ".join(parts)


def _history_records(history, metadata: dict) -> dict:
    if history is None:
        records = metadata.get("history") or {}
    else:
        records = getattr(history, "history", history)
    if not isinstance(records, dict):
        raise TypeError(
            "The 'history' parameter of report_html must be a History or a dict of "
            f"per-epoch lists. Got {type(history).__name__} instead."
        )
    return records
