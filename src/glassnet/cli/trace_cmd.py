"""``glassnet trace``: a lecture's worked example, or one step of a saved model."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from glassnet.cli._common import UsageError, format_table, print_json


def add_parser(sub) -> None:
    p = sub.add_parser(
        "trace",
        help="one forward and backward pass in lecture notation",
        description="Lay out one forward and backward pass as the lectures write it: "
        "z, a, delta, dC/dW and dC/db per layer, the loss and, with a learning "
        "rate, the updated parameters and the new prediction. Either a lecture's "
        "worked example (--example NAME; --list for the names) or a saved model on "
        "one sample (MODEL --input ROW --target Y).",
    )
    p.add_argument("model", nargs="?", help="model file to trace")
    p.add_argument(
        "--example",
        metavar="NAME",
        help="a lecture's worked example by name, or 'list' for the names",
    )
    p.add_argument(
        "--list", action="store_true", help="list the worked examples and stop"
    )
    p.add_argument(
        "--input",
        metavar="ROW",
        help="the sample: comma-separated numbers (the model's input features in "
        "order; --input=-1,2 when the first is negative) or a CSV file with the "
        "model's input columns and one row",
    )
    p.add_argument(
        "--target",
        metavar="Y",
        help="the sample's target: a class name or number, or the value(s) of a "
        "regression (comma-separated for several outputs)",
    )
    p.add_argument(
        "--lr",
        type=float,
        help="also show one SGD update with this learning rate and the new prediction",
    )
    p.add_argument(
        "--format",
        choices=["text", "markdown", "latex", "json"],
        default="text",
        help="text for the terminal (default), markdown, latex or json",
    )
    p.add_argument(
        "--notation",
        choices=["wb", "transfer"],
        help="wb: weight matrices and bias vectors (lectures 001/003/004); transfer: "
        "lecture 002's bias-augmented transfer matrices (default: the example's "
        "lecture, wb for a model)",
    )
    p.add_argument(
        "--decimals",
        type=int,
        metavar="N",
        help="digits after the decimal point, 0 to 16, for text, Markdown and LaTeX "
        "(default: the slide's for --example, else 4; JSON keeps every digit)",
    )
    p.add_argument("--precision", type=int, help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help="the same as --format json")
    p.set_defaults(run=run)


def run(args) -> int:
    fmt = "json" if args.json else args.format
    if args.list or args.example == "list":
        if args.model:
            raise UsageError("--list takes no model file")
        return _print_examples(fmt)
    if args.example is not None:
        trace = _example_trace(args)
    elif args.model:
        trace = _model_trace(args)
    else:
        raise UsageError(
            "nothing to trace: give --example NAME (--list for the names) or a "
            "model file with --input ROW --target Y"
        )
    print(trace.render(fmt, notation=args.notation, decimals=_decimals(args)))
    return 0


def _decimals(args) -> int | None:
    """``--decimals``, checked here so that the error names the flag."""
    if args.precision is not None:
        if args.decimals is not None:
            raise UsageError("give --decimals only (--precision is its old name)")
        print(
            "glassnet: warning: --precision is deprecated; use --decimals",
            file=sys.stderr,
        )
        args.decimals = args.precision
    if args.decimals is not None and not 0 <= args.decimals <= 16:
        raise UsageError(
            f"--decimals must be an integer from 0 to 16. Got {args.decimals} instead."
        )
    return args.decimals


def _print_examples(fmt: str) -> int:
    from glassnet.inspection.lecture_examples import lecture_examples

    examples = lecture_examples()
    if fmt == "json":
        print_json([{"name": k, "title": e.title} for k, e in examples.items()])
    else:
        rows = [[name, example.title] for name, example in examples.items()]
        print(format_table(["example", "title"], rows))
    return 0


def _example_trace(args):
    from glassnet.inspection.lecture_examples import lecture_examples

    examples = lecture_examples()
    if args.example not in examples:
        raise UsageError(
            f"unknown example {args.example!r}; the examples are "
            f"{', '.join(examples)} (or 'list')"
        )
    extra = [
        flag
        for flag, value in (
            ("a model file", args.model),
            ("--input", args.input),
            ("--target", args.target),
            ("--lr", args.lr),
        )
        if value is not None
    ]
    if extra:
        raise UsageError(
            f"--example takes no {', '.join(extra)}: a worked example brings its own "
            "network, sample and learning rate"
        )
    return examples[args.example].trace()


def _model_trace(args):
    import glassnet as gn

    if args.input is None or args.target is None:
        raise UsageError(
            "tracing a model needs --input ROW (the sample) and --target Y (its target)"
        )
    net = gn.load(args.model)
    X = read_row(net, args.input)
    y = parse_target(net, args.target)
    optimizer = None if args.lr is None else gn.SGD(lr=args.lr)
    trace = net.trace(X, y, optimizer=optimizer)
    others = sorted({type(layer).__name__ for layer in net.layers} - {"Dense"})
    notes = [f"{_describe_input(args.input)}; target {args.target}."]
    if others:
        notes.append(
            f"The model's {' and '.join(others)} layers run (in training mode) "
            "between the Dense layers shown; the formulas leave them out."
        )
    return replace(
        trace,
        title=f"One step of {Path(args.model).name}",
        notes=(*trace.notes, *notes),
    )


def _describe_input(row: str) -> str:
    from glassnet.cli._common import is_csv_path

    if is_csv_path(row):
        return f"Input: the row of {Path(row).name}"
    return f"Input before preprocessing: {_abbreviated(row.split(','))}"


def read_row(net, row: str) -> np.ndarray:
    """The sample of ``--input``: numbers, or a one-row CSV file; (1, n_inputs)."""
    from glassnet.cli._common import is_csv_path

    schema = net.preprocessing.schema if net.preprocessing else None
    if is_csv_path(row):
        return _read_row_file(row, schema)
    values = []
    for part in row.split(","):
        try:
            values.append(float(part))
        except ValueError:
            raise UsageError(
                f"--input must be comma-separated numbers or a CSV file; {part!r} is "
                f"not a number and {row!r} is not a file"
            ) from None
    if len(values) != net.n_inputs:
        names = schema.feature_names if schema is not None else []
        shown = f" ({_abbreviated(names)})" if names else ""
        raise UsageError(
            f"--input has {len(values)} value(s); the model expects {net.n_inputs}"
            f"{shown}"
        )
    X = np.array([values])
    if not np.all(np.isfinite(X)):
        raise UsageError(f"--input must hold finite numbers; got {row!r}")
    return X


def _read_row_file(path: str, schema) -> np.ndarray:
    from glassnet.datasets import encode_table, read_csv_table

    if not Path(path).is_file():
        raise UsageError(f"--input file {path} does not exist")
    if schema is None:
        raise UsageError(
            "the model has no input schema to read a CSV file with; give --input as "
            "comma-separated numbers"
        )
    table = read_csv_table(path)
    if table.n_rows != 1:
        raise UsageError(
            f"--input file {path} has {table.n_rows} data rows; expected exactly one"
        )
    return encode_table(table, schema)


def _abbreviated(names: list[str], keep: int = 6) -> str:
    if len(names) <= keep:
        return ", ".join(names)
    return ", ".join([*names[: keep // 2], "...", *names[-(keep // 2) :]])


def parse_target(net, text: str) -> np.ndarray:
    """``--target`` as the network's ``y`` for one sample.

    A classifier takes a class name, or a class number 0 .. n_classes - 1;
    a regressor one number per output.
    """
    if net.task == "classification":
        classes = net.preprocessing.classes if net.preprocessing else None
        names = [str(c) for c in classes] if classes else []
        if text in names:
            return np.array([text])
        n = max(2, net.n_outputs)
        try:
            code = int(text)
        except ValueError:
            code = -1
        if 0 <= code < n:
            return np.array([code])
        known = f"a class name ({_abbreviated(names)}) or " if names else ""
        raise UsageError(
            f"--target must be {known}a class number 0 to {n - 1}; got {text!r}"
        )
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise UsageError(
            f"--target must be {net.n_outputs} number(s) for this regression model; "
            f"got {text!r}"
        ) from None
    if len(values) != net.n_outputs or not np.all(np.isfinite(values)):
        raise UsageError(
            f"--target must be {net.n_outputs} finite number(s) for this regression "
            f"model; got {len(values)} value(s): {text!r}"
        )
    return np.array([values])
