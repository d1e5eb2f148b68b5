"""``glassnet datasets`` and ``glassnet gradcheck``."""

from __future__ import annotations

import numpy as np

from glassnet.cli._common import (
    UsageError,
    deprecated_flag,
    format_table,
    print_json,
)


def add_parsers(sub) -> None:
    p = sub.add_parser(
        "datasets",
        help="each dataset: bundled, found locally, or downloadable",
        description="List the datasets and where each one is (nothing is downloaded).",
    )
    p.add_argument("--data-dir", help="also look in this directory")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(run=run_datasets)

    p = sub.add_parser(
        "gradcheck",
        help="check backpropagation against finite differences",
        description="Compare backpropagation's gradients with five-point central "
        "differences in float64, on a random network and random data, or on a saved "
        "model and the first rows of a dataset. Exit code 1 if a check fails.",
    )
    p.add_argument("model", nargs="?", help="model file (default: a random network)")
    p.add_argument("--sizes", default="4,5,3", help="random network sizes (4,5,3)")
    p.add_argument("--activation", default="tanh", help="hidden activation (tanh)")
    p.add_argument(
        "--output-activation",
        dest="output",
        help="output activation (default: from the loss)",
    )
    deprecated_flag(p, "--output", "--output-activation", dest="output")
    p.add_argument("--loss", default="cross_entropy", help="loss (cross_entropy)")
    p.add_argument(
        "--data",
        help="for a saved model: a dataset name (the first test samples, split as "
        "in training) or PATH.csv (the first held-out rows of the training file, "
        "the first rows of another file), as for 'glassnet evaluate'",
    )
    p.add_argument("--target", help="target column of a CSV file")
    p.add_argument("--samples", type=int, default=8, help="number of samples (8)")
    p.add_argument("--seed", type=int, default=0, help="seed of a random network (0)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(run=run_gradcheck)


def run_datasets(args) -> int:
    from glassnet.datasets import available

    status = available(args.data_dir) if args.data_dir else available()
    if args.json:
        print_json(status)
    else:
        print(format_table(["dataset", "status"], [[k, v] for k, v in status.items()]))
    return 0


def _random_problem(args):
    import glassnet as gn

    try:
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        raise UsageError(
            f"--sizes must be integers such as 4,5,3; got {args.sizes!r}"
        ) from None
    rng = np.random.default_rng(args.seed)
    net = gn.Network.mlp(
        sizes,
        hidden=args.activation,
        output=args.output,
        loss=args.loss,
        seed=args.seed,
        dtype="float64",
    )
    X = rng.normal(size=(args.samples, sizes[0]))
    if net.loss.name == "cross_entropy":
        y = rng.integers(0, sizes[-1], size=args.samples)
    elif net.loss.name == "binary_cross_entropy":
        y = rng.integers(0, 2, size=(args.samples, sizes[-1]))
    else:
        y = rng.normal(size=(args.samples, sizes[-1]))
    return net, X, y


def run_gradcheck(args) -> int:
    import glassnet as gn
    from glassnet.cli.inspect_cmds import _evaluation_data

    if args.samples < 1:
        raise UsageError(f"--samples must be a positive integer; got {args.samples}")
    if args.model:
        net = gn.load(args.model)
        if not args.data:
            raise UsageError("--data is required to check a saved model")
        # The rows 'glassnet evaluate' scores, read as it reads them (the
        # recorded split and target; labels as the model knows them).
        X, y, _ = _evaluation_data(net, args)
        X, y = X[: args.samples], y[: args.samples]
    else:
        if args.data or args.target:
            raise UsageError(
                "--data and --target apply to a saved model; give its file, or "
                "leave them out to check a random network"
            )
        net, X, y = _random_problem(args)
    report = gn.gradcheck(net, X, y)
    if args.json:
        print_json(
            {
                "passed": report.passed,
                "checks": [vars(c) | {"shape": list(c.shape)} for c in report.checks],
            }
        )
    else:
        print(report)
    return 0 if report.passed else 1
