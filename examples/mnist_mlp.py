"""MNIST with a 784-256-128-10 ReLU network, dropout and Adam.

Reads the original IDX files from the folder given with ``--data``, else
``$GLASSNET_DATA/mnist``, else the user cache (downloading them there),
scales the pixels to [0, 1] (lecture 003: "divide by 255, flatten 784"),
trains for 20 epochs with Adam and a cosine learning-rate decay, watching a
stratified 10% validation split, then reports the accuracy on the 10,000
test images, which training never sees, with the per-class accuracy and the
wall time.

    python examples/mnist_mlp.py            # under a minute on 2 CPU cores
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import glassnet as gn
from glassnet.datasets import load_mnist


def no_data(error: Exception) -> SystemExit:
    """One line saying how to get the data, instead of a traceback."""
    first = str(error).splitlines()[0] if str(error) else type(error).__name__
    return SystemExit(
        f"{Path(__file__).name}: {first} -- point GLASSNET_DATA at a folder "
        "holding the data or pass --data ('glassnet datasets' says where each "
        "dataset is looked for)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=None, help="folder of the IDX files"
    )
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=2, choices=(0, 1, 2))
    args = parser.parse_args()
    start = time.perf_counter()
    try:  # --data, else $GLASSNET_DATA, else the user cache (downloaded there)
        data = load_mnist(args.data)  # float32 pixels in [0, 1], flattened to 784
    except (OSError, ValueError) as error:
        raise no_data(error) from None
    X_train, y_train, X_test, y_test = (
        data.X_train,
        data.y_train,
        data.X_test,
        data.y_test,
    )
    net = gn.Network(
        [
            gn.Dense(784, 256, "relu"),
            gn.Dropout(0.2),
            gn.Dense(256, 128, "relu"),
            gn.Dropout(0.2),
            gn.Dense(128, 10, "softmax"),
        ],
        loss="cross_entropy",
        seed=args.seed,
    )
    print(net.summary())
    net.fit(
        X_train,
        y_train,
        epochs=args.epochs,
        batch_size=128,
        optimizer=gn.Adam(lr=1e-3),
        validation_split=0.1,
        callbacks=[gn.LearningRateScheduler(gn.CosineDecay())],
        seed=args.seed,
        verbose=args.verbose,
    )
    result = net.evaluate(X_test, y_test, metrics=["accuracy", "per_class_accuracy"])
    elapsed = time.perf_counter() - start
    per_class = "  ".join(
        f"{digit}: {acc:.3f}" for digit, acc in enumerate(result["per_class_accuracy"])
    )
    print(f"test loss {result['loss']:.4f}   test accuracy {result['accuracy']:.4f}")
    print(f"per-class accuracy  {per_class}")
    print(f"wall time {elapsed:.1f} s ({args.epochs} epochs, data loading included)")


if __name__ == "__main__":
    main()
