"""Lecture 002's warning about vanishing gradients, measured.

"The derivative psi of many activation functions yields a value in [-1, 1] ...
the gradient becomes smaller and smaller (vanishes) as we backpropagate toward
the input layer." For the logistic function psi(a) = a (1 - a) is at most 1/4,
so a deep sigmoid network passes back a fraction of the gradient at every
layer: its first layer learns orders of magnitude more slowly than its last.
The same depth with ReLU units and He initialization keeps the gradient level.

Both networks train for a few epochs on the bundled 8x8 digits with a
glassnet.Diagnostics callback; the script prints the gradient norm of every
layer and writes the gradient-flow plot.

Run: python examples/vanishing_gradients.py [--out vanishing_gradients.png]

The plot is written to ``--out`` (default ``vanishing_gradients.png`` in the current
directory).
"""

import argparse
import warnings

import glassnet as gn
from glassnet.datasets import load_digits

DEPTH, WIDTH = 8, 32


def build(hidden: str, init=None, seed: int = 0) -> gn.Network:
    """64 inputs, DEPTH hidden layers of WIDTH units, 10 softmax outputs."""
    sizes = [64] + [WIDTH] * DEPTH + [10]
    return gn.Network.mlp(sizes, hidden=hidden, init=init, seed=seed)


def run(hidden: str, init, X, y, *, epochs: int = 3) -> gn.Diagnostics:
    diagnostics = gn.Diagnostics()
    network = build(hidden, init)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", gn.DiagnosticWarning)
        network.fit(
            X,
            y,
            epochs=epochs,
            batch_size=64,
            optimizer=gn.SGD(lr=0.1),
            callbacks=[diagnostics],
            seed=0,
        )
    for warning in caught:
        print(f"  warning: {warning.message}\n")
    return diagnostics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        default="vanishing_gradients.png",
        help="plot file (default: in the current directory)",
    )
    args = parser.parse_args()
    data = load_digits(seed=0)
    X, y = data.X_train, data.y_train
    runs = {}
    for label, hidden, init in [
        ("sigmoid", "sigmoid", None),
        ("ReLU + He", "relu", "he_normal"),
    ]:
        print(f"{label}: {DEPTH} hidden layers of {WIDTH} units")
        runs[label] = run(hidden, init, X, y)

    print("gradient norm (RMS of dC/dW) per layer, first epoch")
    print(f"{'layer':>5}  " + "  ".join(f"{label:>12}" for label in runs))
    for i in runs["sigmoid"].layer_indices:
        norms = [d.figures[f"grad_norm/{i}"][0] for d in runs.values()]
        print(f"{i:>5}  " + "  ".join(f"{v:>12.3e}" for v in norms))
    ratios = [d.figures["grad_ratio"][0] for d in runs.values()]
    print("first / last  " + "  ".join(f"{r:>12.3e}" for r in ratios))

    try:
        gn.plotting.plot_gradient_flow(runs, save=args.out)
    except ImportError as exc:
        print(f"no plot: {exc}")
    else:
        print(f"plot written to {args.out}")


if __name__ == "__main__":
    main()
