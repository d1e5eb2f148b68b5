"""Time glassnet's CSV reading against pandas on a 100,000 x 12 numeric table.

    python benchmarks/csv_read.py [--rows 100000] [--turns 5]

Prints the median and minimum wall time of each reader over the turns (taking
turns, so a noisy moment falls on each alike): ``read_csv_table`` (cells only),
``load_csv`` (cells, numbers, split) and, when pandas is installed,
``pandas.read_csv`` itself.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from glassnet.datasets import load_csv, read_csv_table


def write_table(path: Path, rows: int) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, 11)).round(6)
    y = rng.integers(0, 3, size=rows)
    names = [f"x{i}" for i in range(11)] + ["y"]
    lines = [",".join(names)]
    lines += [
        ",".join([*map(repr, row), str(t)])
        for row, t in zip(X.tolist(), y.tolist(), strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--turns", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "table.csv"
        write_table(path, args.rows)
        runners = {
            "read_csv_table": lambda: read_csv_table(path),
            "load_csv": lambda: load_csv(path, target="y"),
        }
        try:
            import pandas as pd
        except ImportError:
            pd = None
        if pd is not None:
            runners["pandas.read_csv"] = lambda: pd.read_csv(path)
        times = {name: [] for name in runners}
        for turn in range(args.turns):
            names = list(runners)
            names = names[turn % len(names) :] + names[: turn % len(names)]
            for name in names:
                start = time.perf_counter()
                runners[name]()
                times[name].append(time.perf_counter() - start)
    print(f"{args.rows:,} rows x 12 columns, {args.turns} turns (seconds)")
    for name, ts in times.items():
        print(f"  {name:<20} median {statistics.median(ts):.3f}  min {min(ts):.3f}")


if __name__ == "__main__":
    main()
