"""One Adam step over W1's and W3's parameters, five ways, taking turns.

    python benchmarks/adam_step.py [--turns 11]

- NumPy, one pass per operation over the whole buffer (a dozen passes);
- NumPy by blocks of 16K to 128K entries (glassnet's NumPy backend: the
  block's arrays stay in cache between its passes; ``ADAM_BLOCK``);
- numexpr (if installed), three fused expressions, on one and on all cores;
- the compiled kernel (numba, if installed), one pass.

Prints milliseconds per step (median over the turns). The figures chose
``NumpyBackend.ADAM_BLOCK`` and kept numexpr out (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import machine  # noqa: E402

from glassnet.core import backends  # noqa: E402
from glassnet.core.backends import NumpyBackend  # noqa: E402

OPTIONS = dict(lr_t=1e-3, beta1=0.9, beta2=0.999, eps_hat=1e-8, tiny=1e-30, flush=False)


def arrays(n):
    rng = np.random.default_rng(0)
    p, g, m = (rng.standard_normal(n, dtype=np.float32) for _ in range(3))
    v = np.abs(rng.standard_normal(n, dtype=np.float32)) * 1e-4
    return p, g, m, v, np.empty(n, np.float32)


def numpy_blocks(block):
    class Blocked(NumpyBackend):
        ADAM_BLOCK = block

    backend = Blocked()
    return lambda a: backend.adam(*a, **OPTIONS)


def numexpr_step(threads):
    import numexpr

    constants = {
        k: np.float32(x)
        for k, x in dict(b1=0.9, c1=0.1, b2=0.999, c2=0.001, lr=1e-3, eps=1e-8).items()
    }

    def step(a):
        numexpr.set_num_threads(threads)
        p, g, m, v, _ = a
        names = dict(constants, p=p, g=g, m=m, v=v)
        numexpr.evaluate("b1 * m + c1 * g", local_dict=names, out=m)
        numexpr.evaluate("b2 * v + c2 * (g * g)", local_dict=names, out=v)
        numexpr.evaluate("p - lr * m / (sqrt(v) + eps)", local_dict=names, out=p)

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=11)
    args = parser.parse_args()
    print(f"{machine()}; ms per Adam step, median of {args.turns} turns")
    steps = {"NumPy, whole buffer": numpy_blocks(2**62)}
    for block in (16384, 65536, 131072):
        steps[f"NumPy, blocks of {block}"] = numpy_blocks(block)
    try:
        import numexpr

        steps["numexpr, 1 thread"] = numexpr_step(1)
        steps[f"numexpr, {numexpr.detect_number_of_cores()} threads"] = numexpr_step(
            numexpr.detect_number_of_cores()
        )
    except ImportError:
        print("(numexpr not installed)")
    try:
        compiled = backends.get("compiled")
        steps["compiled kernel"] = lambda a: compiled.adam(*a, **OPTIONS)
    except ImportError:
        print("(numba not installed)")
    for name, n in (("W1", 235146), ("W3", 1863690)):
        a = arrays(n)
        reps = max(1, 20_000_000 // n)
        times = {key: [] for key in steps}
        for step in steps.values():
            step(a)
        for _ in range(args.turns):
            for key, step in steps.items():
                start = time.perf_counter()
                for _ in range(reps):
                    step(a)
                times[key].append((time.perf_counter() - start) / reps * 1e3)
        print(f"{name}: {n:,} parameters")
        for key, t in times.items():
            print(f"  {key:<28} {statistics.median(t):8.3f}")


if __name__ == "__main__":
    main()
