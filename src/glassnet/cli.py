"""The ``glassnet`` command.

Every command prints results on stdout and problems on stderr, exits 0 on
success and 2 on bad usage or input (one line: ``glassnet: error: ...``).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

__all__ = ["main"]


class UsageError(Exception):
    """A problem with what the user asked for: exit code 2, one line."""


class _Parser(argparse.ArgumentParser):
    """argparse with glassnet's error form: one line on stderr, exit code 2."""

    def error(self, message: str):
        self.exit(2, f"glassnet: error: {message} (see '{self.prog} --help')\n")


def _parse_layers(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive integers such as 256,128; got {text!r}"
        ) from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(
            f"layer sizes must be positive integers; got {text!r}"
        )
    return sizes


def _add_train(sub) -> None:
    p = sub.add_parser(
        "train",
        help="train a network (default: a small MLP on the bundled 8x8 digits)",
        description="Train a multilayer perceptron. Without arguments: a 64-128-10 "
        "ReLU network on the bundled 8x8 handwritten digits, by mini-batch SGD.",
    )
    p.add_argument("--data", default="digits", help="dataset name (default: digits)")
    p.add_argument(
        "--layers",
        type=_parse_layers,
        default=[128],
        help="hidden layer sizes, comma-separated (default: 128)",
    )
    p.add_argument("--activation", default="relu", help="hidden activation")
    p.add_argument("--epochs", type=int, default=40, help="passes over the data")
    p.add_argument(
        "--batch-size",
        type=int,
        default=16,
        help="samples per update; 0 means the whole training set",
    )
    p.add_argument("--lr", type=float, default=0.1, help="learning rate")
    p.add_argument("--seed", type=int, default=0, help="seed of split, init, order")
    p.set_defaults(run=_run_train)


def _run_train(args) -> int:
    import glassnet as gn
    from glassnet.datasets import load

    data = load(args.data, seed=args.seed)
    sizes = [data.X_train.shape[1], *args.layers, data.n_classes]
    net = gn.Network.mlp(sizes, hidden=args.activation, seed=args.seed)
    print(
        f"glassnet: {data.name}, {data.X_train.shape[0]} training and "
        f"{data.X_test.shape[0]} test samples; network {'-'.join(map(str, sizes))}"
    )
    net.fit(
        data.X_train,
        data.y_train,
        epochs=args.epochs,
        batch_size=args.batch_size or None,
        optimizer=gn.SGD(lr=args.lr),
        validation_data=(data.X_test, data.y_test),
        seed=args.seed,
        verbose=1,
    )
    accuracy = float(np.mean(net.predict(data.X_test) == data.y_test))
    print(f"test accuracy: {accuracy:.4f}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="glassnet",
        description="Feedforward neural networks trained by backpropagation.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    _add_train(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``glassnet`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (UsageError, ValueError, TypeError, FileNotFoundError, OSError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"glassnet: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
