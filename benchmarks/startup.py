"""Start-up and short-job wall time, with the ``fast`` extra (numba) and without.

    python benchmarks/startup.py [--runs 7] [--no-mnist]

Every run is a fresh Python process, timed from the parent (start to exit,
median of ``--runs``). Three jobs:

- ``import``: ``python -c "import glassnet"``;
- ``train``: the README's main job, ``glassnet train`` (``python -m glassnet
  train``: 64-128-10 on the bundled 8x8 digits, 20 epochs), its model written
  to a temporary folder that is also the working directory;
- ``mnist``: a job where the compiled kernels pay off once their cache is
  warm, ``Network.fit`` of 784-256-128-10 on the 60,000 MNIST training
  images for 10 epochs (Adam, batch 128, the default backend, which by
  ``glassnet.core.backends.choose`` takes the kernels with a warm cache and
  NumPy with a cold one; about ten seconds), loading the images included
  (needs ``GLASSNET_DATA``; ``--no-mnist`` leaves it out).

each in three settings:

- ``NumPy only``: numba made unimportable in the child before anything runs
  (``sys.modules["numba"] = None``, then the job through ``runpy`` or
  ``exec``), so that ``importlib.util.find_spec("numba")`` is None and any
  ``import numba`` fails, as without the extra;
- ``fast, warm``: numba importable, ``NUMBA_CACHE_DIR`` a temporary folder
  filled by one earlier run of the same job (numba's kernel cache on disk
  holds every kernel the job compiles);
- ``fast, cold``: numba importable, ``NUMBA_CACHE_DIR`` a fresh empty folder
  for every run, so the kernels the job uses are compiled in it.

``NUMBA_CACHE_DIR`` always points to a temporary folder, so the package's own
``__pycache__`` is neither read nor written by numba. The runs take turns
(every job and setting once per turn, in a rotating order). The table gives
the medians and the ratios ``fast / NumPy only``; the target is ``train`` with
the extra at most 1.1x NumPy only, warm and cold.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import data_dir, machine  # noqa: E402

TARGET = 1.1  # train with the fast extra / NumPy only, warm and cold

NO_NUMBA = "import sys; sys.modules['numba'] = None\n"

JOBS = {
    "import": "import glassnet\n",
    "train": (
        "import runpy, sys\n"
        "sys.argv = ['glassnet', 'train', '--out', {out!r}]\n"
        "runpy.run_module('glassnet', run_name='__main__', alter_sys=True)\n"
    ),
    "mnist": (
        "import glassnet as gn\n"
        "from glassnet.datasets import load_mnist\n"
        "d = load_mnist({mnist!r}, dtype='float32')\n"
        "net = gn.Network.mlp([784, 256, 128, 10], hidden='relu',"
        " output='softmax', seed=0)\n"
        "net.fit(d.X_train, d.y_train, epochs=10,"
        " batch_size=128, optimizer=gn.Adam(1e-3), metrics=[], seed=0)\n"
    ),
}
SETTINGS = ("NumPy only", "fast, warm", "fast, cold")


def run_once(code: str, cwd: str, cache_dir: str | None) -> float:
    """Wall time in seconds of ``python -c code`` in a fresh process."""
    env = dict(os.environ)
    env.pop("GLASSNET_ACCELERATE", None)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"The job failed:\n{code}\n{done.stderr}")
    return elapsed


def numba_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("numba") is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per cell")
    parser.add_argument("--no-mnist", action="store_true", help="skip the MNIST job")
    args = parser.parse_args()
    if not numba_installed():
        raise SystemExit("numba is not installed: pip install 'glassnet[fast]'")
    jobs = dict(JOBS)
    if args.no_mnist:
        del jobs["mnist"]
    else:
        mnist = data_dir() / "mnist"
        if not mnist.is_dir():
            raise SystemExit(f"No MNIST at {mnist}; pass --no-mnist to skip it.")
    print(f"start-up on {machine()}; median of {args.runs} runs, fresh processes")
    times = {(job, s): [] for job in jobs for s in SETTINGS}
    with tempfile.TemporaryDirectory(prefix="glassnet-startup-") as root:
        work = os.path.join(root, "work")  # cwd of every run: a model lands here
        os.mkdir(work)
        out = os.path.join(work, "model.glassnet")
        codes = {
            job: text.format(out=out, mnist=str(data_dir() / "mnist"))
            for job, text in jobs.items()
        }
        warm = {}
        for job in jobs:  # one run per job fills its warm kernel cache
            warm[job] = os.path.join(root, f"warm-{job}")
            os.mkdir(warm[job])
            run_once(codes[job], work, warm[job])
        cells = [(job, s) for job in jobs for s in SETTINGS]
        for turn in range(args.runs):
            shift = turn % len(cells)
            for job, setting in cells[shift:] + cells[:shift]:
                if setting == "NumPy only":
                    t = run_once(NO_NUMBA + codes[job], work, None)
                elif setting == "fast, warm":
                    t = run_once(codes[job], work, warm[job])
                else:
                    cold = tempfile.mkdtemp(prefix="cold-", dir=root)
                    t = run_once(codes[job], work, cold)
                    shutil.rmtree(cold)
                times[job, setting].append(t)
    med = {cell: statistics.median(t) for cell, t in times.items()}
    print(
        f"{'job':<8} {'NumPy only':>11} {'fast, warm':>11} {'fast, cold':>11}"
        f" {'warm/NumPy':>11} {'cold/NumPy':>11}"
    )
    for job in jobs:
        base = med[job, "NumPy only"]
        w, c = med[job, "fast, warm"], med[job, "fast, cold"]
        print(
            f"{job:<8} {base:>11.3f} {w:>11.3f} {c:>11.3f}"
            f" {w / base:>11.2f} {c / base:>11.2f}"
        )
    base = med["train", "NumPy only"]
    verdict = [
        f"{kind} {med['train', f'fast, {kind}'] / base:.2f}"
        + (" ok" if med["train", f"fast, {kind}"] / base <= TARGET else " MISSED")
        for kind in ("warm", "cold")
    ]
    print(
        "seconds, medians; ratios are of the medians. Target: train with the "
        f"fast extra at most {TARGET}x NumPy only: " + ", ".join(verdict)
    )


if __name__ == "__main__":
    main()
