"""Where a W1 epoch's time goes, phase by phase, epoch after epoch.

    python benchmarks/phases.py [--epochs 12] [--backend compiled|numpy]

Trains 784-256-128-10 (ReLU, softmax, Adam, batch 128) on the 60,000 MNIST
training images through the public ``fit``, one epoch per call, and times
every call of the backend's operations: the matrix products of the dense
layers (``dense_forward``; ``dense_backward``, whose bias gradient is a GEMV),
bias + ReLU, bias + softmax, the ReLU derivative, the Adam step, and the batch
gather. After each epoch, 0.5 s later, the same epoch's products alone (the
floor of ``speed.py``, W stored as W^T) are timed too. Each line is one epoch:
its wall time, the floor, their ratio, the seconds of each phase and the
median Adam step in milliseconds in each sixth of the epoch.

The timers cost about a microsecond per call (about 4 ms per epoch). The
Adam column shows what the paired medians of ``speed.py`` cannot: on a shared
virtual machine the same step runs at two speeds, minutes apart or within one
epoch (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import SETTLE_SECONDS, machine, matmul_floor_epoch, mnist  # noqa: E402

import glassnet as gn  # noqa: E402
from glassnet.core import backends  # noqa: E402
from glassnet.training import batches  # noqa: E402

SIZES = [784, 256, 128, 10]
PHASES = {
    "dense_forward": "fwd products",
    "dense_backward": "bwd products",
    "bias_relu": "bias+relu",
    "bias_softmax": "bias+softmax",
    "relu_backward": "relu'",
    "adam": "adam",
}


def timed(name, f, totals, steps):
    """``f`` that adds its wall time to ``totals[name]`` (and logs Adam's)."""

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        out = f(*args, **kwargs)
        elapsed = time.perf_counter() - start
        totals[name] += elapsed
        if name == "adam":
            steps.append(elapsed)
        return out

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--backend", default="compiled", choices=["compiled", "numpy"])
    args = parser.parse_args()
    backend = backends.get(args.backend)
    totals, steps = collections.Counter(), []
    cls = type(backend)
    for name in PHASES:
        setattr(cls, name, timed(name, getattr(cls, name), totals, steps))
    gather = batches.BatchGather.__call__
    batches.BatchGather.__call__ = timed("gather", gather, totals, [])

    data = mnist()
    X, y = data.X_train, data.y_train
    net = gn.Network.mlp(SIZES, hidden="relu", output="softmax", seed=0)
    optimizer = gn.Adam(1e-3)
    floor = matmul_floor_epoch(SIZES, X.shape[0], 128, transposed=True)
    print(machine())
    print(f"W1, backend {args.backend}; seconds per epoch (first epoch untimed)")
    names = ["gather", *PHASES]
    header = ["epoch", "floor", "ratio", *(PHASES.get(n, n) for n in names)]
    print(" ".join(f"{h:>12}" for h in header) + "   Adam ms per sixth")
    ratios = []
    for epoch in range(args.epochs + 1):
        totals.clear()
        steps.clear()
        time.sleep(SETTLE_SECONDS)
        start = time.perf_counter()
        net.fit(X, y, epochs=1, batch_size=128, optimizer=optimizer, metrics=[],
                seed=epoch, backend=args.backend)  # fmt: skip
        wall = time.perf_counter() - start
        time.sleep(SETTLE_SECONDS)
        start = time.perf_counter()
        floor()
        products = time.perf_counter() - start
        if epoch == 0:  # the kernels load and the buffers are made
            continue
        ratios.append(wall / products)
        sixths = [np.median(part) * 1e3 for part in np.array_split(steps, 6)]
        cells = [wall, products, wall / products, *(totals[n] for n in names)]
        print(
            " ".join(f"{c:>12.3f}" for c in cells)
            + "   "
            + " ".join(f"{s:.3f}" for s in sixths)
        )
    print(
        f"epoch / floor: median {statistics.median(ratios):.2f}, "
        f"min {min(ratios):.2f}, max {max(ratios):.2f}"
    )


if __name__ == "__main__":
    main()
