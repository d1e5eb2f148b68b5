"""MNIST with a 784-256-128-10 ReLU network, dropout and Adam.

Reads the original IDX files of ``../shared/data/mnist`` (or the folder given
with ``--data``, or ``$GLASSNET_DATA/mnist``), scales the pixels to [0, 1]
(lecture 003: "divide by 255, flatten 784"), trains for 20 epochs with Adam
and a cosine learning-rate decay, watching a stratified 10% validation split,
then reports the accuracy on the 10,000 test images, which training never
sees, with the per-class accuracy and the wall time.

    python examples/mnist_mlp.py            # under a minute on 2 CPU cores
"""

from __future__ import annotations

import argparse
import gzip
import os
import time
from pathlib import Path

import numpy as np

import glassnet as gn

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def read_idx(path: Path) -> np.ndarray:
    """An IDX file (gzip): big-endian magic, dimension sizes, then uint8 data."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    n_dims = raw[3]  # magic = 0x00 0x00 0x08 (uint8) n_dims
    shape = np.frombuffer(raw, dtype=">i4", count=n_dims, offset=4)
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * n_dims).reshape(shape)


def load_mnist(folder: Path):
    """``(X_train, y_train, X_test, y_test)``; X as float32 in [0, 1], (n, 784)."""

    def images(name):
        return read_idx(folder / name).reshape(-1, 784).astype(np.float32) / 255.0

    def labels(name):
        return read_idx(folder / name).astype(np.int64)

    return (
        images("train-images-idx3-ubyte.gz"),
        labels("train-labels-idx1-ubyte.gz"),
        images("t10k-images-idx3-ubyte.gz"),
        labels("t10k-labels-idx1-ubyte.gz"),
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
    folder = args.data or Path(os.environ.get("GLASSNET_DATA", DEFAULT_DATA)) / "mnist"

    start = time.perf_counter()
    X_train, y_train, X_test, y_test = load_mnist(folder)
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
