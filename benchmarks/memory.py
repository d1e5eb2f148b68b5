"""Peak memory of a glassnet-only process training W1 from uint8 MNIST.

    python benchmarks/memory.py [--epochs 2] [--float32]

Loads MNIST as uint8 pixels (47 MB for the training images), trains
784-256-128-10 (ReLU, Adam, batch 128): each batch is gathered and converted
to float32 on its own, so no float copy of the data set is ever made. Prints
the process's peak resident memory (``ru_maxrss``). ``--float32`` loads the
float32 copy instead (188 MB more), for comparison. Runs without the
optional compiled kernels (numba's compiler alone takes about 100 MB).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("GLASSNET_ACCELERATE", "0")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import mnist, peak_rss_mb  # noqa: E402

import glassnet as gn  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--float32", action="store_true")
    args = parser.parse_args()
    print(f"after imports: peak RSS {peak_rss_mb():.0f} MB")
    data = mnist(dtype="float32" if args.float32 else "uint8")
    print(
        f"after loading MNIST ({data.X_train.dtype}): peak RSS {peak_rss_mb():.0f} MB"
    )
    net = gn.Network.mlp([784, 256, 128, 10], hidden="relu", seed=0)
    start = time.perf_counter()
    net.fit(
        data.X_train,
        data.y_train,
        epochs=args.epochs,
        batch_size=128,
        optimizer=gn.Adam(1e-3),
        seed=0,
    )
    seconds = time.perf_counter() - start
    accuracy = net.evaluate(data.X_test, data.y_test)["accuracy"]
    print(
        f"trained {args.epochs} epochs in {seconds:.1f} s, test accuracy {accuracy:.4f}"
    )
    print(f"peak resident memory: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
