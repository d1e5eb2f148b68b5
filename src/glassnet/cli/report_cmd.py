"""``glassnet report``: one self-contained HTML page about a saved model."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from glassnet.cli._common import STDOUT, UsageError, print_json


def add_parser(sub) -> None:
    p = sub.add_parser(
        "report",
        help="an HTML page with a model's summary, curves, metrics and plots",
        description="Write one self-contained HTML page about a saved model: its "
        "summary and diagram, training config, learning curves, test metrics, "
        "confusion matrix (classifiers), decision boundary (2-D inputs), "
        "diagnostics (if trained with --plots), first-layer weights (images) and "
        "saliency maps (image classifiers). "
        "Plots are embedded; the page needs no network access and no JavaScript.",
    )
    p.add_argument("model", help="model file")
    p.add_argument(
        "--data",
        required=True,
        help="dataset name (its test split, split as in training) or PATH.csv "
        "(the held-out rows of the training file, every row of another file)",
    )
    p.add_argument("--target", help="target column of a CSV file")
    p.add_argument(
        "--out",
        default="report.html",
        help="HTML file to write (report.html); '-': standard output, which then "
        "holds the page only (the summary goes to standard error; no --json)",
    )
    p.add_argument(
        "--title",
        help="page title (default: 'glassnet report: ' and the model file's name)",
    )
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(run=run)


def run(args) -> int:
    import glassnet as gn
    from glassnet.cli.inspect_cmds import _evaluation_data
    from glassnet.report.html_report import write_report

    if args.out == STDOUT:
        if args.json:
            raise UsageError(
                "--json needs standard output, which --out - gives to the page; "
                "write the page to a file"
            )
        return _report_to_stdout(args)
    out = Path(args.out)
    directory = out.parent if str(out.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"cannot write {out}: directory {directory} does not exist")
    if out.is_dir():
        raise UsageError(f"cannot write {out}: it is a directory")
    net = gn.load(args.model)
    X, y, scored = _evaluation_data(net, args)
    title = args.title or f"glassnet report: {Path(args.model).name}"
    try:
        write_report(
            net, X, y, out, title=title, rows=scored.rows, held_out=scored.held_out
        )
    except ImportError as exc:  # a plot needs an extra that is not installed
        raise UsageError(str(exc)) from None
    if args.json:
        print_json(
            {
                "report": str(out),
                "samples": len(X),
                "scored": scored.rows,
                "held_out": scored.held_out,
            }
        )
    else:
        print(f"scored: {scored.rows}")
        print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB)")
    return 0


def _report_to_stdout(args) -> int:
    """``--out -``: the page written to a temporary file, then copied to
    standard output; the summary lines on standard error."""
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "report.html"
        saved, sys.stdout = sys.stdout, sys.stderr
        try:
            run(_with_out(args, str(page)))
        finally:
            sys.stdout = saved
        sys.stdout.write(page.read_text(encoding="utf-8"))
        sys.stdout.flush()
    return 0


def _with_out(args, out: str):
    import argparse

    return argparse.Namespace(**{**vars(args), "out": out})
