"""Who runs the threads: OpenBLAS's own pool, or one pool of glassnet's own.

    python benchmarks/threads.py [--turns 7]

For W1 (784-256-128-10, batch 128) and W3 (784-1024-1024-10, batch 256) this
times the work of one epoch's training steps, the matrix products and the
Adam update of every parameter, two ways, taking turns:

- ``BLAS pool``: the products on OpenBLAS's threads (all cores), Adam in
  NumPy on the calling thread (what glassnet's NumPy backend does);
- ``own pool``: OpenBLAS limited to one thread (threadpoolctl), every product
  split in two halves (rows of the batch, or rows of dW^T) run on a persistent
  pool of two threads of ours, and Adam's passes split the same way, so that
  the same threads run the products and the optimizer, as PyTorch's single
  OpenMP pool does;
- ``Adam split``: the products on OpenBLAS's threads, Adam's halves on two
  threads (the calling one and one of ours).

Needs ``pip install threadpoolctl``. The figures decide whether glassnet keeps
an own pool (see benchmarks/README.md: neither split won, so glassnet has
none).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import machine  # noqa: E402

B1, B2, EPS, LR = 0.9, 0.999, 1e-8, 1e-3


def adam(p, g, m, v, s):
    """NumPy Adam over one slice: the passes of glassnet's NumPy backend."""
    m *= B1
    np.multiply(g, 1 - B1, out=s)
    m += s
    v *= B2
    np.multiply(g, g, out=s)
    s *= 1 - B2
    v += s
    np.sqrt(v, out=s)
    s += EPS
    np.divide(m, s, out=s)
    s *= LR
    p -= s


def workload(sizes, batch, n_samples=60000):
    rng = np.random.default_rng(0)
    WT = [
        rng.standard_normal((i, o), dtype=np.float32) * 0.05
        for i, o in zip(sizes, sizes[1:], strict=False)
    ]
    dWT = [np.empty_like(w) for w in WT]
    A = [rng.random((batch, s), dtype=np.float32) for s in sizes]
    D = [rng.standard_normal((batch, s), dtype=np.float32) for s in sizes]
    n = sum(w.size for w in WT)
    p, g, m, v, s = (np.zeros(n, np.float32) for _ in range(5))
    g[:] = rng.standard_normal(n, dtype=np.float32)
    v += 1e-4
    return WT, dWT, A, D, (p, g, m, v, s), n_samples // batch


def blas_pool(work):
    WT, dWT, A, D, flat, steps = work

    def epoch():
        for _ in range(steps):
            for k, w in enumerate(WT):
                np.matmul(A[k], w, out=A[k + 1])
            for k in range(len(WT) - 1, -1, -1):
                np.matmul(A[k].T, D[k + 1], out=dWT[k])
                if k:
                    np.matmul(D[k + 1], WT[k].T, out=D[k])
            adam(*flat)

    return epoch


def own_pool(work, pool):
    WT, dWT, A, D, flat, steps = work
    half = [a.shape[0] // 2 for a in A]

    def both(f, g):
        future = pool.submit(g)
        f()
        future.result()

    def forward(k):
        h = half[k]
        both(
            lambda: np.matmul(A[k][:h], WT[k], out=A[k + 1][:h]),
            lambda: np.matmul(A[k][h:], WT[k], out=A[k + 1][h:]),
        )

    def grads(k):
        r = WT[k].shape[0] // 2
        both(
            lambda: np.matmul(A[k][:, :r].T, D[k + 1], out=dWT[k][:r]),
            lambda: np.matmul(A[k][:, r:].T, D[k + 1], out=dWT[k][r:]),
        )
        if k:
            h = half[k]
            both(
                lambda: np.matmul(D[k + 1][:h], WT[k].T, out=D[k][:h]),
                lambda: np.matmul(D[k + 1][h:], WT[k].T, out=D[k][h:]),
            )

    p = flat[0]
    mid = p.shape[0] // 2
    lo = [a[:mid] for a in flat]
    hi = [a[mid:] for a in flat]

    def epoch():
        for _ in range(steps):
            for k in range(len(WT)):
                forward(k)
            for k in range(len(WT) - 1, -1, -1):
                grads(k)
            both(lambda: adam(*lo), lambda: adam(*hi))

    return epoch


def split_adam(work, pool):
    """The BLAS pool for the products; Adam's halves on two threads of ours."""
    WT, dWT, A, D, flat, steps = work
    mid = flat[0].shape[0] // 2
    lo = [a[:mid] for a in flat]
    hi = [a[mid:] for a in flat]

    def epoch():
        for _ in range(steps):
            for k, w in enumerate(WT):
                np.matmul(A[k], w, out=A[k + 1])
            for k in range(len(WT) - 1, -1, -1):
                np.matmul(A[k].T, D[k + 1], out=dWT[k])
                if k:
                    np.matmul(D[k + 1], WT[k].T, out=D[k])
            future = pool.submit(adam, *hi)
            adam(*lo)
            future.result()

    return epoch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=7)
    args = parser.parse_args()
    from threadpoolctl import threadpool_limits

    print(f"{machine()}; median of {args.turns} turns, seconds per epoch")
    pool = ThreadPoolExecutor(max_workers=1)  # plus the calling thread: two
    for name, sizes, batch in (
        ("W1", [784, 256, 128, 10], 128),
        ("W3", [784, 1024, 1024, 10], 256),
    ):
        work = workload(sizes, batch)
        runs = {
            "BLAS pool": blas_pool(work),
            "own pool": own_pool(work, pool),
            "Adam split": split_adam(work, pool),
        }
        times = {key: [] for key in runs}
        for turn in range(args.turns + 1):
            items = list(runs.items())
            for key, run in items if turn % 2 else items[::-1]:
                time.sleep(0.5)  # the previous run's spinning threads settle
                if key == "own pool":
                    with threadpool_limits(1, user_api="blas"):
                        start = time.perf_counter()
                        run()
                else:
                    start = time.perf_counter()
                    run()
                if turn:  # the first turn warms up
                    times[key].append(time.perf_counter() - start)
        base = times["BLAS pool"]
        for key, t in times.items():
            ratio = statistics.median(b / x for b, x in zip(base, t, strict=True))
            print(
                f"{name} {key:<10} median {statistics.median(t):.3f} "
                f"min {min(t):.3f}  BLAS pool / this {ratio:.2f}"
            )
    pool.shutdown()
    print(f"cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
