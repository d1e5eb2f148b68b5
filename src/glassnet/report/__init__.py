"""Reports and figures: the HTML report, matplotlib plots, notebook HTML.

:mod:`~glassnet.report.html_report` writes one self-contained HTML page about
a model (metrics, learning curves, confusion matrix, weights, decision
boundaries); :mod:`~glassnet.report.plots` draws each figure on its own
(matplotlib, the ``plot`` extra, imported on the first plot);
:mod:`~glassnet.report.notebook` gives Jupyter its HTML views. Built on
:mod:`glassnet.inspection` and below.
"""

from glassnet.report.html_report import report_html, write_report

__all__ = ["report_html", "write_report"]
