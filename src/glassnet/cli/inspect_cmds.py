"""``glassnet evaluate``, ``predict`` and ``inspect``: using a saved model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from glassnet.cli._common import (
    STDOUT,
    UsageError,
    csv_text,
    deprecated_flag,
    file_sha256,
    format_table,
    is_csv_path,
    load_data,
    print_json,
    printable,
    write_text_atomically,
)
from glassnet.metrics import evaluation_report
from glassnet.runs.recipe import DATA_OPTIONS


def add_parsers(sub) -> None:
    p = sub.add_parser(
        "evaluate",
        help="loss and every metric of a model on a dataset",
        description="Evaluate a saved model: on the test split of a named dataset "
        "(split as in training), on the held-out rows of the CSV file it was "
        "trained on (recognised by its SHA-256), or on every row of another CSV "
        "file. The first line says which rows were scored.",
    )
    p.add_argument("model", help="model file")
    p.add_argument("--data", required=True, help="dataset name or PATH.csv")
    p.add_argument("--target", help="target column of a CSV file")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(run=run_evaluate)

    p = sub.add_parser(
        "predict",
        help="predictions of a model for the rows of a CSV file",
        description="Predict with a saved model. The CSV file must have exactly the "
        "model's input columns (see 'glassnet inspect'). On standard output, class "
        "names have control characters escaped (\\x1b); --out FILE writes them as "
        "they are.",
    )
    p.add_argument("model", help="model file")
    p.add_argument("--input", required=True, help="CSV file with the input columns")
    p.add_argument(
        "--out",
        help="CSV file to write (default, or '-': standard output, where class "
        "names are escaped)",
    )
    deprecated_flag(p, "--output", "--out", dest="out")
    p.add_argument("--proba", action="store_true", help="class probabilities")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(run=run_predict)

    p = sub.add_parser(
        "inspect",
        help="summary, training config and weight statistics of a model",
        description="Describe a saved model.",
    )
    p.add_argument("model", help="model file")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(run=run_inspect)


def _load_model(path: str):
    from glassnet.files.model_file import load

    return load(path)


@dataclass(frozen=True)
class Scored:
    """Which rows an evaluation scores: ``rows`` says it in words; ``held_out``
    is False when they include rows the model was trained on."""

    rows: str
    held_out: bool


def _evaluation_data(net, args):
    """X, y and :class:`Scored`: a dataset's test split, or a CSV file's rows.

    A named dataset gives its test split, split as in training (the recorded
    seed and options when it is the dataset the model was trained on). A CSV
    file whose SHA-256 is the one recorded at training is the training file:
    its held-out test rows are scored, split as in training. Any other CSV
    file is scored whole.
    """
    meta = net.metadata or {}
    config = meta.get("config") or {}
    if is_csv_path(args.data):
        path = Path(args.data)
        if not path.is_file():
            raise UsageError(f"data file {args.data} does not exist")
        if meta.get("data_sha256") and file_sha256(path) == meta["data_sha256"]:
            return _held_out_rows(net, args, config)
        return _all_rows(net, args)
    seed = config.get("seed", 0)
    same = _same_dataset(args.data, config.get("data"))
    # The recorded options of the training run (files written before every
    # option was recorded hold None, or missing='error', for unused ones).
    recorded = {k: config.get(k) for k in (*DATA_OPTIONS, "missing")} if same else {}
    recorded = {k: v for k, v in recorded.items() if v not in (None, "error")}
    missing = recorded.pop("missing", None)
    options = recorded
    data = load_data(
        args.data, target=None, seed=seed, missing=missing, options=options
    )
    described = ", ".join(f"{k} {v}" for k, v in {"seed": seed, **options}.items())
    rows = f"the {len(data.y_test)} test samples of {data.name}"
    if same:
        rows += f" (split as in training: {described})"
    elif meta.get("dataset"):
        rows += f" (its default split, {described}; the model was trained on "
        rows += f"{meta['dataset']})"
    else:
        rows += (
            f" (its default split, {described}; the model records no training "
            "data, so they may include its training samples)"
        )
    held_out = same or bool(meta.get("dataset"))
    return data.X_test, _labels(net, data.y_test), Scored(rows, held_out=held_out)


def _same_dataset(name: str, trained) -> bool:
    from glassnet.datasets.registry import _canonical

    if not isinstance(trained, str) or is_csv_path(trained):
        return False
    try:
        return _canonical(name) == _canonical(trained)
    except ValueError:
        return False


def _labels(net, codes):
    """A dataset's class codes as the labels the model knows."""
    if net.task != "classification" or net.preprocessing is None:
        return codes
    return net.preprocessing.decode(codes)


def _held_out_rows(net, args, config):
    trained = config.get("target")
    if args.target and args.target != trained:
        raise UsageError(
            f"--target {args.target}: {args.data} is the file the model was "
            f"trained on, with --target {trained}"
        )
    options = {"test_size": config["test_size"]} if "test_size" in config else {}
    data = load_data(
        args.data,
        target=trained,
        seed=config.get("seed", 0),
        missing=config.get("missing"),
        options=options,
    )
    n_test, n_train = len(data.y_test), len(data.y_train)
    rows = (
        f"the {n_test} held-out test rows of {Path(args.data).name}, the file the "
        f"model was trained on (its other {n_train} used rows were training rows; "
        "split as in training)"
    )
    return data.X_test, _labels(net, data.y_test), Scored(rows, held_out=True)


def _all_rows(net, args):
    from glassnet.datasets import encode_table, read_csv_table

    if not args.target:
        raise UsageError("--target is required with a CSV file")
    table = read_csv_table(args.data)
    j = table.column_index(args.target, "target column")
    y = np.array([row[j] for row in table.rows])
    schema = net.preprocessing.schema if net.preprocessing else None
    if schema is None:
        X = _numeric_inputs(net, table, skip=j)
        if net.preprocessing is None or net.preprocessing.names is None:
            # no label names recorded: the labels are the class numbers
            y = _numeric_inputs_column(table, j)
    else:
        X = encode_table(table, schema, allow_extra=True)
    if net.task == "regression":
        y = y.astype(np.float64)
    meta = net.metadata or {}
    rows = f"all {len(y)} rows of {Path(args.data).name}"
    if meta.get("data_sha256"):
        rows += (
            " (not the file the model was trained on: its SHA-256 differs from the "
            "recorded one; training rows copied into it would be scored too)"
        )
    elif meta.get("dataset"):
        rows += f" (the model was trained on {meta['dataset']})"
    else:
        rows += " (the model records no training data: they may include its own)"
    return X, y, Scored(rows, held_out=False)


def run_evaluate(args) -> int:
    net = _load_model(args.model)
    X, y, scored = _evaluation_data(net, args)
    result = evaluation_report(net, X, y)
    if args.json:
        print_json({"scored": scored.rows, "held_out": scored.held_out, **result})
        return 0
    print(f"scored: {scored.rows}")
    for key, value in result.items():
        if isinstance(value, float):
            print(f"{key}: {value:.4f}")
    if "confusion_matrix" in result:
        # Class names come from the data file: escaped for the terminal.
        names = [printable(name) for name in _class_names(net)]
        rows = [
            [name, f"{acc:.4f}"]
            for name, acc in zip(names, result["per_class_accuracy"], strict=True)
        ]
        print("\nper-class accuracy\n" + format_table(["class", "accuracy"], rows))
        matrix = [
            [name, *counts]
            for name, counts in zip(names, result["confusion_matrix"], strict=True)
        ]
        print("\nconfusion matrix (rows: true class, columns: predicted)")
        print(format_table(["", *names], matrix))
    return 0


def _class_names(net) -> list[str]:
    names = net.preprocessing.names if net.preprocessing else None
    return names or [str(k) for k in range(max(2, net.n_outputs))]


def _numeric_inputs(net, table, *, skip: int | None = None) -> np.ndarray:
    """The inputs of a model saved without a column schema (built in Python).

    Such a model knows no column names: the file's columns (after its header
    row, but for the target column ``skip``) are its inputs, in order, as
    numbers. Shape (n_rows, n_inputs).
    """
    cols = [j for j in range(len(table.columns)) if j != skip]
    if len(cols) != net.n_inputs:
        raise UsageError(
            f"{table.path} has {len(cols)} input column(s), but the model takes "
            f"{net.n_inputs} inputs and, saved from Python, has no column names "
            f"to pick them by: give a CSV file with a header row and exactly "
            f"{net.n_inputs} numeric columns, one per input, in the order the "
            "network takes them (or train with glassnet train, which records "
            "the columns)"
        )
    return np.stack([_numeric_inputs_column(table, j) for j in cols], axis=1)


def _numeric_inputs_column(table, j: int) -> np.ndarray:
    from glassnet.datasets.table import numeric_column

    try:
        return numeric_column(table, j, allow_missing=False)
    except ValueError as error:
        raise UsageError(
            f"{error} (a model saved from Python reads every column as a number)"
        ) from None


def run_predict(args) -> int:
    from glassnet.datasets import encode_table, read_csv_table

    net = _load_model(args.model)
    schema = net.preprocessing.schema if net.preprocessing else None
    table = read_csv_table(args.input)
    X = _numeric_inputs(net, table) if schema is None else encode_table(table, schema)
    if args.proba:
        if net.task != "classification":
            raise UsageError("--proba needs a classifier; this model is a regressor")
        values = net.predict_proba(X)
        header = [f"p({name})" for name in _class_names(net)]
        rows = [[f"{p:.6g}" for p in row] for row in values]
    else:
        values = net.predict(X)
        header = ["prediction"]
        rows = [
            [v if isinstance(v, str) else f"{v:.9g}" if isinstance(v, float) else v]
            for v in values.tolist()
        ]
    if args.json:
        print_json({"columns": header, "rows": rows})
    elif args.out and args.out != STDOUT:
        write_text_atomically(args.out, csv_text(header, rows))
    else:  # on the terminal, class names from the data file are escaped
        header = [printable(h) for h in header]
        rows = [[printable(c) if isinstance(c, str) else c for c in r] for r in rows]
        print(csv_text(header, rows), end="")
    return 0


def weight_statistics(net) -> list[dict]:
    stats = []
    for i, layer in enumerate(net.layers):
        for name, p in layer.parameters():
            stats.append(
                {
                    "layer": i + 1,
                    "param": name,
                    "shape": list(p.shape),
                    "mean": float(p.mean()),
                    "std": float(p.std()),
                    "min": float(p.min()),
                    "max": float(p.max()),
                    "norm": float(np.linalg.norm(p)),
                }
            )
    return stats


def run_inspect(args) -> int:
    net = _load_model(args.model)
    stats = weight_statistics(net)
    summary = net.summary()
    if args.json:
        print_json(
            {
                "layers": [layer.config() for layer in net.layers],
                "loss": net.loss.config(),
                "dtype": net.dtype.name,
                "total_params": summary.total_params,
                "preprocessing": None
                if net.preprocessing is None
                else net.preprocessing.to_config(),
                "metadata": net.metadata,
                "weights": stats,
            }
        )
        return 0
    print(summary)
    meta = net.metadata
    if net.preprocessing is not None and net.preprocessing.feature_names:
        # Names come from the training file: escaped, so that none can drive
        # the terminal.
        names = net.preprocessing.feature_names
        print(f"\ninput columns ({len(names)}): {', '.join(map(printable, names))}")
        if net.preprocessing.classes:
            shown = [
                repr(label) if str(label) == name else f"{label!r} ({printable(name)})"
                for label, name in zip(
                    net.preprocessing.classes, net.preprocessing.names, strict=True
                )
            ]
            print(f"classes: {', '.join(shown)}")
    if "config" in meta:
        print("\ntraining config")
        for key, value in meta["config"].items():
            print(f"  {printable(key)} = {value!r}")
    if "test_metrics" in meta:
        print(
            "test metrics: "
            + ", ".join(
                f"{printable(k)} {v:.4f}" for k, v in meta["test_metrics"].items()
            )
        )
    print("\nweight statistics")
    rows = [
        [
            s["layer"],
            s["param"],
            "x".join(map(str, s["shape"])),
            s["mean"],
            s["std"],
            s["min"],
            s["max"],
            s["norm"],
        ]
        for s in stats
    ]
    print(
        format_table(
            ["layer", "param", "shape", "mean", "std", "min", "max", "norm"], rows
        )
    )
    return 0
