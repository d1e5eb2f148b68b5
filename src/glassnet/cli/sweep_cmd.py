"""``glassnet sweep``: a grid of ``glassnet train`` settings, each a Dask task."""

from __future__ import annotations

import sys
from pathlib import Path

from glassnet.cli._common import UsageError, print_json, read_toml, refuse_stdout

#: Keys of the [sweep] table, with their defaults.
OPTIONS = {
    "score": None,
    "validation_fraction": 0.2,
    "workers": 2,
    "scheduler": None,
    "processes": True,
    "out": "sweep-best.glassnet",
    "results": None,
}
_DATA_KEYS = ("data", "target", "missing", "max_categories")
_EXAMPLE = """\
example sweep.toml:

  [train]                 # settings every configuration shares (as for train)
  data = "digits"
  epochs = 10

  [grid]                  # every combination is one configuration
  lr = [0.001, 0.01]
  layers = [[32], [64, 32]]

  [sweep]                 # optional
  score = "accuracy"      # or balanced_accuracy, loss; r2, mae for regression
  validation_fraction = 0.2
  workers = 2
  results = "sweep.csv"   # or .json
  out = "best.glassnet"
"""


def add_parser(sub) -> None:
    import argparse

    p = sub.add_parser(
        "sweep",
        help="train a grid of configurations on Dask and keep the best",
        description="Train every configuration of a grid of 'glassnet train' "
        "settings as a task on Dask (a local cluster, or the scheduler given), "
        "score each on a validation part of the training data, print the table, "
        "save the best model and its test metrics. A failing configuration is "
        "reported with its error. Needs: pip install 'glassnet[distributed]'.",
        epilog=_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    a = p.add_argument
    a("--config", required=True, help="TOML file with [train], [grid], [sweep]")
    a("--scheduler", help="address of a running Dask scheduler, tcp://HOST:PORT")
    a("--workers", type=int, help="workers of the local cluster (default: 2)")
    a(
        "--threads",
        action="store_true",
        help="local workers as threads of this process instead of processes",
    )
    a(
        "--out",
        help="model file for the best configuration (sweep-best.glassnet); "
        "'-' (standard output) is refused, the file is binary",
    )
    a("--results", help="write every configuration's results to this .csv or .json")
    a("--json", action="store_true", help="print the results as JSON")
    a("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(run=run)


def read_sweep_config(path: str) -> tuple[dict, list[dict], dict]:
    """``(train settings, grids, options)`` from a sweep TOML file."""
    from glassnet.runs.sweep import SETTINGS

    document = read_toml(path)
    unknown = sorted(set(document) - {"train", "grid", "sweep"})
    if unknown:
        raise UsageError(
            f"config file {path} has unknown table(s) {unknown}; valid: train, "
            "grid, sweep"
        )
    train = _normalized(document.get("train", {}), path, "train")
    bad = sorted(set(train) - set(SETTINGS) - set(_DATA_KEYS))
    if bad:
        raise UsageError(
            f"config file {path}: [train] has unknown setting(s) {bad}; valid: "
            f"{', '.join([*_DATA_KEYS, *SETTINGS])}"
        )
    grids = document.get("grid")
    if grids is None:
        raise UsageError(f"config file {path} has no [grid] table of values to try")
    grids = [grids] if isinstance(grids, dict) else grids
    grids = [_normalized(grid, path, "grid") for grid in grids]
    options = _normalized(document.get("sweep", {}), path, "sweep")
    bad = sorted(set(options) - set(OPTIONS))
    if bad:
        raise UsageError(
            f"config file {path}: [sweep] has unknown key(s) {bad}; valid: "
            f"{', '.join(OPTIONS)}"
        )
    return train, grids, options


def _normalized(table, path: str, name: str) -> dict:
    if not isinstance(table, dict):
        raise UsageError(f"config file {path}: [{name}] must be a table")
    return {key.replace("-", "_"): value for key, value in table.items()}


def _check_settings(train: dict, configurations: list[dict]) -> None:
    """Every configuration's settings checked before the data is loaded or
    anything runs: types, ranges, contradictions, and no learning rate of 0."""
    from glassnet.cli.train import refuse_zero_lr
    from glassnet.runs.checks import check_settings
    from glassnet.runs.sweep import resolve_settings

    data = {k: v for k, v in train.items() if k in _DATA_KEYS}
    data = check_settings(data, "glassnet sweep")
    base = {k: v for k, v in train.items() if k not in _DATA_KEYS}
    for params in configurations:
        settings = resolve_settings(
            base, params, data.get("data", "digits"), "glassnet sweep"
        )
        refuse_zero_lr(settings["lr"], "glassnet sweep")


def _options(args, options: dict) -> dict:
    from glassnet.core._validation import check_number

    resolved = {**OPTIONS, **options}
    for key in ("scheduler", "workers", "out", "results"):
        if getattr(args, key) is not None:
            resolved[key] = getattr(args, key)
    if args.threads:
        resolved["processes"] = False
    # [sweep] values from the TOML file: typed here, as the settings are
    # ("processes = 'false'" must not be taken as true).
    owner = "the [sweep] table of glassnet sweep"
    for key in ("score", "scheduler", "results"):
        if resolved[key] is not None and not isinstance(resolved[key], str):
            raise UsageError(
                f"The '{key}' parameter of {owner} must be text or unset. Got "
                f"{resolved[key]!r} instead."
            )
    if not isinstance(resolved["out"], str) or not resolved["out"]:
        raise UsageError(
            f"The 'out' parameter of {owner} must be a file path (text). Got "
            f"{resolved['out']!r} instead."
        )
    if not isinstance(resolved["processes"], bool):
        raise UsageError(
            f"The 'processes' parameter of {owner} must be true or false (a "
            f"boolean). Got {resolved['processes']!r} instead."
        )
    resolved["workers"] = check_number(
        resolved["workers"], "workers", owner, low=1, integer=True
    )
    resolved["validation_fraction"] = check_number(
        resolved["validation_fraction"],
        "validation_fraction",
        owner,
        low=0,
        high=1,
        low_open=True,
        high_open=True,
    )
    return resolved


def run(args) -> int:
    from glassnet.cli._common import load_data
    from glassnet.runs.sweep import (
        SweepInterrupted,
        expand_grid,
        run_sweep,
        split_validation,
    )

    train, grids, options = read_sweep_config(args.config)
    options = _options(args, options)
    refuse_stdout("--out", options["out"], "a model file")
    out = Path(options["out"])
    for target in (out, Path(options["results"] or ".")):
        if not (target.parent if str(target.parent) else Path(".")).is_dir():
            raise UsageError(f"cannot write {target}: its directory does not exist")
    configurations = expand_grid(grids)
    _check_settings(train, configurations)
    seed = train.get("seed", 0)
    data = load_data(
        train.get("data", "digits"),
        target=train.get("target"),
        seed=seed,
        missing=train.get("missing"),
        options={"max_categories": train["max_categories"]}
        if "max_categories" in train
        else None,
    )
    base = {k: v for k, v in train.items() if k not in _DATA_KEYS}
    quiet = args.quiet or args.json

    def progress(record):
        if not quiet:
            print(_progress_line(record, len(configurations)), flush=True)

    try:
        result = run_sweep(
            configurations,
            split_validation(data, options["validation_fraction"], seed),
            base=base,
            score=options["score"],
            scheduler=options["scheduler"],
            n_workers=options["workers"],
            processes=bool(options["processes"]),
            progress=progress,
        )
    except ModuleNotFoundError as exc:
        raise UsageError(str(exc)) from None
    except SweepInterrupted as stop:
        return _keep_interrupted(stop, data, out, options)
    _write_results(result, options)
    test = _save_best(result, data, out)
    _report(args, result, test, out, options)
    return 0


def _write_results(result, options: dict) -> None:
    if options["results"]:
        results = Path(options["results"])
        write = result.to_json if results.suffix == ".json" else result.to_csv
        write(results)


def _save_best(result, data, out: Path) -> dict:
    """Save the best configuration's model with its test metrics; return them."""
    from glassnet.runs.recipe import test_metrics

    network = result.best_network()
    test = test_metrics(network, data)
    network.metadata.update(test_metrics=test, sweep=result.to_dict())
    network.save(out)
    return test


def _keep_interrupted(stop, data, out: Path, options: dict) -> int:
    """Ctrl-C: keep the finished configurations' table, results and best model."""
    result = stop.result
    print(result.table(), flush=True)
    _write_results(result, options)
    kept = [f"results in {options['results']}"] if options["results"] else []
    if result.best_index is not None:
        _save_best(result, data, out)
        kept.insert(0, f"best model so far in {out}")
    where = (
        "; ".join(kept) if kept else f"no configuration succeeded, {out} not written"
    )
    print(f"glassnet: {stop}; {where}", file=sys.stderr, flush=True)
    return 130


def _progress_line(record: dict, total: int) -> str:
    head = f"configuration {record['index'] + 1}/{total} {record['params']}"
    if record["status"] != "ok":
        return f"{head}: failed: {record['error']}"
    return f"{head}: score {record['score']:.4f} ({record['seconds']:.1f} s)"


def _report(args, result, test: dict, out: Path, options: dict) -> None:
    if args.json:
        print_json({**result.to_dict(), "test": test, "best_model": str(out)})
        return
    print(result.table())
    ok = sum(r["status"] == "ok" for r in result.results)
    print(
        f"{ok} of {len(result.results)} configurations succeeded; best "
        f"{result.score} {result.best_score:.4f}: {result.best_params}"
    )
    for key, value in test.items():
        print(f"test {key}: {value:.4f}")
    where = f"; results in {options['results']}" if options["results"] else ""
    print(f"saved {out}{where}")
