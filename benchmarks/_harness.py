"""Shared pieces of the benchmark scripts: data, timing by turns, the GEMM peak.

Every script runs all implementations in one process and takes turns: each
turn times one epoch (or one run) of every implementation, in a rotating
order, so that the machine's slow and fast moments fall on all of them alike.
Ratios are paired: per turn, glassnet's time over the other's; the median of
those is reported next to each implementation's median and minimum.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


def data_dir() -> Path:
    value = os.environ.get("GLASSNET_DATA")
    if value:
        return Path(value)
    here = Path(__file__).resolve().parents[2] / "shared" / "data"
    if here.is_dir():
        return here
    raise SystemExit(
        "Set GLASSNET_DATA to the folder holding mnist/ (the IDX .gz files)."
    )


def mnist(dtype="float32"):
    from glassnet.datasets import load_mnist

    return load_mnist(data_dir() / "mnist", dtype=dtype)


@dataclass
class Runner:
    """One implementation: ``epoch()`` trains once over the data."""

    name: str
    epoch: callable
    accuracy: callable | None = None
    times: list[float] = field(default_factory=list)


#: Seconds of rest, untimed, before each runner's turn. The thread pools of
#: BLAS, OpenMP (PyTorch) and XLA (JAX) keep spinning for a while after their
#: work ends; without a rest the next runner would share the cores with the
#: previous library's idle threads, which no user running one library meets.
SETTLE_SECONDS = 0.5


def take_turns(
    runners: list[Runner], turns: int, warmup: int = 1, settle: float = SETTLE_SECONDS
) -> None:
    """Time ``turns`` epochs of every runner, alternating, after ``warmup``.

    Each timed epoch starts after ``settle`` seconds of rest (not timed).
    """
    for _ in range(warmup):
        for r in runners:
            r.epoch()
    for turn in range(turns):
        order = runners[turn % len(runners) :] + runners[: turn % len(runners)]
        for r in order:
            time.sleep(settle)
            start = time.perf_counter()
            r.epoch()
            r.times.append(time.perf_counter() - start)


def gemm_peak(dtype=np.float32, n: int = 2048, repeats: int = 5) -> float:
    """GFLOP/s of the best of ``repeats`` n x n matrix products."""
    rng = np.random.default_rng(0)
    a = rng.random((n, n), dtype=np.float64).astype(dtype)
    b = rng.random((n, n), dtype=np.float64).astype(dtype)
    out = np.empty((n, n), dtype=dtype)
    np.matmul(a, b, out=out)
    best = min(_timed(lambda: np.matmul(a, b, out=out)) for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def _timed(f) -> float:
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def matmul_floor_epoch(
    sizes: list[int],
    n_samples: int,
    batch: int,
    transposed: bool = False,
    adam=None,
):
    """A function running the matrix products of one MLP epoch, alone.

    Forward ``X W^T`` per layer, backward ``dW = delta^T X`` per layer and
    ``delta W`` for every layer but the first (its input gradient is not
    needed), on preallocated float32 arrays. ``transposed`` keeps every W
    (and dW) as the rows of its transpose, as glassnet does, computing
    ``dW^T = X^T delta``. Timed as a runner among the others, it gives the
    floor turn by turn.

    Every W and dW is a view into one flat buffer of all parameters (and one
    of all gradients), each followed by its bias, as in glassnet. With
    ``adam`` (a glassnet backend), each step also runs that backend's Adam
    step over those two buffers, flushing the moments every 64 steps as
    glassnet's Adam asks (the compiled kernel flushes at every step anyway): the
    products and the optimizer alone, the least an epoch with that backend's
    Adam can cost.
    """
    rng = np.random.default_rng(0)
    shapes = [(o, i) for i, o in zip(sizes, sizes[1:], strict=False)]
    # every W (and dW) a view into one flat buffer of all parameters (and
    # one of all gradients), each W followed by its bias, as in glassnet
    n_params = sum(o * i + o for o, i in shapes)
    p = rng.random(n_params, dtype=np.float32)
    g = np.zeros(n_params, np.float32)
    Ws, dW, start = [], [], 0
    for shape in shapes:
        shape = shape[::-1] if transposed else shape
        stop = start + shape[0] * shape[1]
        Ws.append(p[start:stop].reshape(shape))
        dW.append(g[start:stop].reshape(shape))
        start = stop + shape[0 if not transposed else 1]
    steps = []
    for rows in [batch] * (n_samples // batch) + (
        [n_samples % batch] if n_samples % batch else []
    ):
        steps.append(rows)
    acts = {
        r: [rng.random((r, s), dtype=np.float32) for s in sizes] for r in set(steps)
    }
    outs = {r: [np.empty((r, s), dtype=np.float32) for s in sizes] for r in set(steps)}
    m, v, scratch = (np.zeros(n_params, np.float32) for _ in range(3))
    t = 0

    def step_adam():
        nonlocal t
        t += 1
        adam.adam(
            p, g, m, v, scratch, lr_t=1e-3, beta1=0.9, beta2=0.999,
            eps_hat=1e-8, tiny=1e-30, flush=t % 64 == 0,
        )  # fmt: skip

    def epoch():
        for r in steps:
            a, o = acts[r], outs[r]
            for k, W in enumerate(Ws):  # W here is W^T when transposed
                np.matmul(a[k], W if transposed else W.T, out=o[k + 1])
            for k in range(len(Ws) - 1, -1, -1):
                if transposed:
                    np.matmul(a[k].T, a[k + 1], out=dW[k])
                else:
                    np.matmul(a[k + 1].T, a[k], out=dW[k])
                if k > 0:
                    np.matmul(a[k + 1], Ws[k].T if transposed else Ws[k], out=o[k])
            if adam is not None:
                step_adam()

    epoch()
    return epoch


def epoch_flops(sizes: list[int], n_samples: int) -> float:
    """Matrix-product FLOPs of one epoch (no input gradient for layer 1)."""
    forward = sum(i * o for i, o in zip(sizes, sizes[1:], strict=False))
    dX = sum(i * o for i, o in zip(sizes[1:], sizes[2:], strict=False))
    return 2.0 * n_samples * (2 * forward + dX)


def report(runners: list[Runner], *, reference: str, flops=None, peak=None) -> str:
    base = next(r for r in runners if r.name == reference)
    lines = [
        f"{'implementation':<28} {'median s':>9} {'min s':>8} {'g/impl':>7}"
        + (f" {'GFLOP/s':>8} {'of peak':>8}" if flops else "")
        + f" {'accuracy':>9}"
    ]
    for r in runners:
        ratios = [b / t for b, t in zip(base.times, r.times, strict=False)]
        med = statistics.median(r.times)
        line = f"{r.name:<28} {med:>9.3f} {min(r.times):>8.3f}"
        line += f" {statistics.median(ratios):>7.2f}"
        if flops:
            line += f" {flops / med / 1e9:>8.1f} {flops / med / 1e9 / peak:>8.0%}"
        acc = r.accuracy() if r.accuracy else float("nan")
        line += f" {acc:>9.4f}"
        lines.append(line)
    lines.append(
        f"g/impl: median over the turns of {reference}'s time / this one's, "
        f"paired by turn; medians of {len(base.times)} turns"
    )
    return "\n".join(lines)


def machine() -> str:
    import numpy

    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, NumPy {numpy.__version__}"
    )


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
