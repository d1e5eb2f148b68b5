"""W4: MNIST test accuracy against training time (60 s budget).

    python benchmarks/accuracy_time.py [--budget 60] [--layers 512,512]
        [--dropout 0.2] [--epochs 26] [--batch 128] [--lr 1e-3]

Trains an MLP on the real MNIST (60,000 images, uint8 pixels converted batch
by batch), evaluates the 10,000 test images after every epoch (the clock is
stopped meanwhile) and prints the time at which 98.0% was first reached and
the best accuracy within the budget. The learning rate follows a cosine
decay over ``--epochs``: choose it so that the decay ends within the budget
(26 epochs took 54 s on the Intel machine of benchmarks/README.md, 20 epochs
55 s on the AMD one).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import machine, mnist  # noqa: E402

import glassnet as gn  # noqa: E402


class Clock(gn.Callback):
    """Training time per epoch and test accuracy after it (clock stopped)."""

    def __init__(self, X_test, y_test, budget):
        self.X_test, self.y_test, self.budget = X_test, y_test, budget
        self.elapsed, self.rows = 0.0, []

    def on_epoch_begin(self, epoch, logs):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs):
        self.elapsed += time.perf_counter() - self.start
        accuracy = float(np.mean(self.network.predict(self.X_test) == self.y_test))
        self.rows.append((epoch + 1, self.elapsed, accuracy))
        print(
            f"epoch {epoch + 1:>3}  {self.elapsed:6.1f} s  test accuracy "
            f"{accuracy:.4f}",
            flush=True,
        )
        if self.elapsed >= self.budget:
            self.network.stop_training = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--layers", default="512,512")
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument("--epochs", type=int, default=26)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    data = mnist(dtype="uint8")
    sizes = [784, *map(int, args.layers.split(",")), 10]
    layers = []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1], strict=True):
        layers.append(gn.Dense(n_in, n_out, "relu"))
        if args.dropout:
            layers.append(gn.Dropout(args.dropout))
    layers.append(gn.Dense(sizes[-2], 10, "softmax"))
    net = gn.Network(layers, seed=args.seed)
    clock = Clock(data.X_test, data.y_test, args.budget)
    print(
        f"W4 on {machine()}: {'-'.join(map(str, sizes))}, dropout {args.dropout}, "
        f"Adam lr {args.lr} with cosine decay over {args.epochs} epochs, "
        f"batch {args.batch}, budget {args.budget:.0f} s"
    )
    net.fit(
        data.X_train,
        data.y_train,
        epochs=args.epochs,
        batch_size=args.batch,
        optimizer=gn.Adam(args.lr),
        metrics=[],
        seed=args.seed,
        callbacks=[gn.LearningRateScheduler("cosine"), clock],
    )
    reached = next((t for _, t, a in clock.rows if a >= 0.98), None)
    within = [a for _, t, a in clock.rows if t <= args.budget]
    print(
        f"98.0% first reached after {reached:.1f} s of training"
        if reached
        else "98.0% not reached"
    )
    print(f"best test accuracy within {args.budget:.0f} s: {max(within):.4f}")


if __name__ == "__main__":
    main()
