"""Lecture 002's saturation of neurons, and how initialization avoids it.

"A neuron saturates if its output is very close to the lower or upper limit
of its activation function, e.g. -1 and 1 for tanh ... Reason of saturation:
W x, the input of the activation function, is too big. How to avoid:
initialize W with random numbers in a small range; scale your input data."

Two tanh networks on the bundled 8x8 digits (inputs scaled to [0, 1], as
the lecture also advises), identical but for the range of their initial
weights:

* small weights, U(-0.3, 0.3): no unit starts near +-1, and the network learns;
* large weights, U(-3, 3): about 80% of the hidden activations start within
  2% of +-1, where tanh' = 1 - a^2 is nearly 0, and stay there; the loss falls
  far more slowly.

The script prints, per epoch, each hidden layer's saturated fraction (from a
glassnet.Diagnostics callback on an evaluation batch) and the training loss,
then the held-out accuracy, and writes the large-weight run's diagnostics plot.

Run: python examples/saturation.py [--out saturation.png]

The plot is written to ``--out`` (default ``saturation.png`` in the current
directory).
"""

import argparse

import numpy as np

import glassnet as gn
from glassnet.core.initializers import SmallUniform
from glassnet.datasets import load_digits


def run(limit: float, data, *, epochs: int = 10):
    """Train a 64-32-32-10 tanh network whose weights start in U(-limit, limit)."""
    network = gn.Network.mlp(
        [64, 32, 32, 10], hidden="tanh", init=SmallUniform(limit), seed=0
    )
    diagnostics = gn.Diagnostics(data.X_train[:500])  # warns of saturation
    history = network.fit(
        data.X_train,
        data.y_train,
        epochs=epochs,
        batch_size=32,
        optimizer=gn.SGD(lr=0.1),
        callbacks=[diagnostics],
        seed=0,
    )
    accuracy = float(np.mean(network.predict(data.X_test) == data.y_test))
    return history, diagnostics, accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        default="saturation.png",
        help="plot file (default: in the current directory)",
    )
    args = parser.parse_args()
    data = load_digits(seed=0)  # the bundled 8x8 digits, seeded 80/20 split
    runs = {}
    for label, limit in [("small", 0.3), ("large", 3.0)]:
        history, diagnostics, accuracy = run(limit, data)
        runs[label] = diagnostics
        print(f"{label} initial weights, U(-{limit}, {limit})")
        print("  epoch  saturated layer 1  saturated layer 2    loss")
        for epoch, loss in enumerate(history.history["loss"]):
            s1 = diagnostics.figures["saturation/1"][epoch]
            s2 = diagnostics.figures["saturation/2"][epoch]
            print(f"  {epoch + 1:>5}  {s1:>17.1%}  {s2:>17.1%}  {loss:.4f}")
        print(f"  accuracy on the {len(data.y_test)} held-out digits: {accuracy:.1%}\n")

    try:
        gn.plotting.plot_diagnostics(runs["large"], save=args.out)
    except ImportError as exc:
        print(f"no plot: {exc}")
    else:
        print(f"plot of the large-weight run written to {args.out}")


if __name__ == "__main__":
    main()
