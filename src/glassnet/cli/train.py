"""``glassnet train``: settings from defaults, a TOML file and flags; train; save."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
import warnings
from pathlib import Path

from glassnet.cli._common import (
    DATA_FLAGS,
    UsageError,
    deprecated_flag,
    file_sha256,
    is_csv_path,
    load_data,
    print_json,
    read_toml,
    refuse_stdout,
    resolve_data_options,
    show_warning,
)
from glassnet.core.optimizers import OPTIMIZERS
from glassnet.files.model_file import check_writable
from glassnet.runs.recipe import (
    DATA_OPTIONS,
    DEFAULTS,
    attach_preprocessing,
    build_network,
    complete_settings,
    divergence_limit,
    labels,
    test_metrics,
)

__all__ = ["DATA_OPTIONS", "DEFAULTS", "add_parser", "resolve_settings", "run"]


def _layers(text: str) -> list[int]:
    """``--layers``: comma-separated positive integers; an empty list, an
    empty item (``8,,8``) or anything else is refused, never skipped."""
    parts = [part.strip() for part in str(text).split(",")]
    if not all(part.isdecimal() and part.isascii() and int(part) > 0 for part in parts):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive integers such as 256,128; got {text!r}"
        )
    return [int(part) for part in parts]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "train",
        help="train a network and save it (default: the bundled 8x8 digits)",
        description="Train a multilayer perceptron, print its test metrics and save "
        "it. Without arguments: a 64-128-10 ReLU network on the bundled 8x8 digits, "
        "saved to model.glassnet. Settings come from the defaults, then --config, "
        "then the flags given.",
    )
    a = p.add_argument
    a("--config", help="TOML file with any of the settings below")
    a(
        "--data",
        help="digits, mnist, fashion-mnist, ilpd, california-housing, xor, "
        "circle, gauss, multi-gauss, spiral, moons, plane, multi-gauss-regression, "
        "or PATH.csv (default: digits)",
    )
    a("--target", help="target column of a CSV file")
    a(
        "--missing",
        choices=["error", "median", "drop"],
        help="empty, NA or ? cells of a CSV file or ILPD: an error (default for a "
        "CSV file), filled with the training median (most frequent category; "
        "default for ILPD), or rows dropped",
    )
    a(
        "--max-categories",
        dest="max_categories",
        type=int,
        metavar="N",
        help="most distinct values a text column of a CSV file may have, and most "
        "classes of its target; one with more (an identifier?) is refused rather "
        "than one-hot encoded or given an output unit per value (default: 100)",
    )
    a(
        "--n-samples",
        dest="n_samples",
        type=int,
        help="points of a generated 2-D set (default: 500)",
    )
    a(
        "--noise",
        type=float,
        help="noise of a generated 2-D set, in [0, 1) (default: 0)",
    )
    a(
        "--test-size",
        dest="test_size",
        type=float,
        help="fraction of the data held out for testing (default: the dataset's)",
    )
    a("--layers", type=_layers, help="hidden layer sizes, e.g. 256,128 (default: 128)")
    a(
        "--activation",
        help="hidden activation, one for every hidden layer or one per layer "
        "such as tanh,relu (default: relu)",
    )
    a(
        "--output-activation",
        dest="output",
        help="output activation (default: from the task)",
    )
    deprecated_flag(p, "--output", "--output-activation", dest="output")
    a("--loss", help="loss (default: from the task)")
    a(
        "--optimizer",
        help=f"{', '.join(OPTIMIZERS)} (default: adam)",
    )
    a(
        "--lr",
        type=float,
        help="learning rate, greater than 0 (default: 0.001); 0, which would "
        "train nothing, is refused",
    )
    a("--epochs", type=int, help="passes over the training data (default: 20)")
    a(
        "--batch-size",
        type=int,
        dest="batch_size",
        help="samples per update; 0 for the whole training set (default: 32)",
    )
    a("--l1", type=float, help="L1 penalty on weights (default: 0)")
    a("--l2", type=float, help="L2 penalty on weights (default: 0)")
    a("--dropout", type=float, help="dropout rate after each hidden layer (default: 0)")
    a(
        "--batch-norm",
        dest="batch_norm",
        action="store_const",
        const=True,
        help="batch normalization after each hidden layer",
    )
    a(
        "--early-stopping",
        dest="early_stopping",
        type=int,
        metavar="PATIENCE",
        help="stop when the validation loss has not improved for PATIENCE epochs and "
        "restore the best weights (default: off)",
    )
    a(
        "--validation-split",
        dest="validation_split",
        type=float,
        help="fraction of the training data held out for validation, in [0, 1) "
        "(default: 0, or 0.1 with early stopping, which refuses 0)",
    )
    a(
        "--scale",
        choices=["standard", "minmax", "none"],
        help="input scaling fitted on the training data (default: standard for "
        "tables, none for images)",
    )
    a("--seed", type=int, help="seed of the split, initialization and order")
    a(
        "--out",
        help="model file to write (default: model.glassnet); '-' (standard "
        "output) is refused, the file is binary",
    )
    a(
        "--plots",
        metavar="DIR",
        help="record diagnostics and write the run's plots (PNG) into DIR: learning "
        "curves, network, diagnostics, the confusion matrix and decision boundary "
        "(2-D data) on the test split, first-layer weights (images)",
    )
    a("--json", action="store_true", help="print the results as JSON")
    a("--quiet", action="store_true", help="no progress output")
    p.set_defaults(run=run)


#: Tables of a sweep file, which ``glassnet train`` does not read.
SWEEP_TABLES = ("grid", "sweep")


def read_config(path: str) -> dict:
    """The settings of a ``--config`` file: top-level keys or one [train] table.

    Every key must be a setting; a [grid] or [sweep] table (read by
    ``glassnet sweep``), settings both at the top level and in [train], or
    any other table are errors, so nothing in the file is silently ignored.
    """
    document = read_toml(path)
    tables = [key for key in SWEEP_TABLES if key in document]
    if tables:
        raise UsageError(
            f"config file {path} has the table(s) "
            f"{', '.join(f'[{t}]' for t in tables)}, which 'glassnet sweep' reads, "
            "not 'glassnet train'; run 'glassnet sweep --config' or remove them"
        )
    if "train" in document:
        beside = sorted(set(document) - {"train"})
        if beside:
            raise UsageError(
                f"config file {path} has settings both in its [train] table and "
                f"at the top level ({', '.join(beside)}); put them all in [train]"
            )
        document = document["train"]
        if not isinstance(document, dict):
            raise UsageError(f"config file {path}: 'train' must be a table")
    settings = {key.replace("-", "_"): value for key, value in document.items()}
    unknown = sorted(set(settings) - set(DEFAULTS))
    if unknown:
        raise UsageError(
            f"config file {path} has unknown setting(s) {unknown}; valid: "
            f"{', '.join(DEFAULTS)}"
        )
    return settings


def resolve_settings(args) -> dict:
    """Defaults, overridden by the config file, overridden by given flags."""
    settings = dict(DEFAULTS)
    if args.config:
        settings.update(read_config(args.config))
    for key in DEFAULTS:
        value = getattr(args, key, None)
        if value is not None:
            settings[key] = value
    settings = complete_settings(settings, "glassnet train", flags=True)
    refuse_zero_lr(settings["lr"], "glassnet train")
    return settings


def refuse_zero_lr(lr: float, command: str) -> None:
    """A learning rate of 0 trains nothing: on the command line, a mistake.

    (The library takes it, as PyTorch does, for schedules that start at 0.)
    """
    if lr == 0:
        raise UsageError(
            f"The 'lr' setting (--lr) of {command} must be a float in the range "
            "(0, inf): a learning rate of 0 never changes the weights, and the "
            "untrained network would be saved. Got 0 instead."
        )


def record_data_options(settings: dict) -> None:
    """Put into ``settings`` the data options the run uses, defaults included.

    Options the data source does not take are removed (they were not given:
    giving one is an error), so the recorded config holds what was used.
    """
    given = {key: settings.get(key) for key in DATA_FLAGS}
    used = resolve_data_options(settings["data"], given)
    for key in DATA_FLAGS:
        if key in used:
            settings[key] = used[key]
        else:
            settings.pop(key, None)


def run(args) -> int:
    import glassnet as gn

    settings = resolve_settings(args)
    refuse_stdout("--out", settings["out"], "a model file")
    out = Path(settings["out"])
    check_writable(out)  # a directory, read-only folder, full disk: now
    record_data_options(settings)
    data = load_data(
        settings["data"],
        target=settings.get("target"),
        seed=settings["seed"],
        missing=settings.get("missing"),
        options={k: settings[k] for k in DATA_OPTIONS if k in settings},
    )
    plots = _plots_directory(settings["plots"])
    net = build_network(settings, data)
    attach_preprocessing(net, settings, data)
    optimizer = gn.optimizers.get(settings["optimizer"], lr=settings["lr"])
    # stops a diverging run at the end of the epoch; nothing is saved then
    # (an astronomical loss counts as diverged too: see divergence_limit).
    guard = gn.TerminateOnNaN(
        restore=False,
        warn=False,
        check_batches=False,
        max_loss=divergence_limit(net, data),
    )
    callbacks = [guard]
    if settings["early_stopping"]:
        callbacks.append(
            gn.EarlyStopping(
                patience=settings["early_stopping"], restore_best_weights=True
            )
        )
    quiet = args.quiet or args.json
    if not quiet:
        sizes = [data.X_train.shape[1], *settings["layers"], net.n_outputs]
        print(
            f"{data.name}: {data.X_train.shape[0]} training and "
            f"{data.X_test.shape[0]} test samples; network "
            f"{'-'.join(map(str, sizes))}, {settings['optimizer']} "
            f"lr {settings['lr']:g}",
            flush=True,
        )
    start = time.perf_counter()
    with warnings.catch_warnings(), _interrupt_note(out):
        warnings.showwarning = show_warning
        history = net.fit(
            data.X_train,
            labels(data, data.y_train),
            epochs=settings["epochs"],
            batch_size=settings["batch_size"] or None,
            optimizer=optimizer,
            validation_split=settings["validation_split"] or None,
            callbacks=callbacks,
            seed=settings["seed"],
            verbose=0 if quiet else (1 if sys.stdout.isatty() else 2),
            diagnostics=plots is not None,
        )
    seconds = time.perf_counter() - start
    if guard.terminated:
        raise UsageError(
            f"training diverged in epoch {guard.stopped_epoch + 1} of "
            f"{settings['epochs']} (lr {guard.lr:g}): {guard.reason}; no model was "
            f"saved to {out}. Try a lower --lr or scaled inputs (--scale standard)."
        )
    result = test_metrics(net, data)
    net.metadata = {
        "config": settings,
        **_data_identity(settings["data"]),
        "dataset": data.name,
        "task": data.task,
        "feature_names": list(data.feature_names),
        "history": {k: [float(v) for v in vals] for k, vals in history.history.items()},
        "test_metrics": result,
        "train_seconds": seconds,
    }
    net.save(out)
    written = {}
    if plots is not None:
        from glassnet.report.plots import save_training_plots

        written = save_training_plots(
            net, history, plots, X=data.X_test, y=labels(data, data.y_test)
        )
    if args.json:
        print_json(
            {
                "test": result,
                "epochs": len(history.epoch),
                "seconds": seconds,
                "model": str(out),
                "config": settings,
                **({"plots": {k: str(v) for k, v in written.items()}} if plots else {}),
            }
        )
    else:
        for key, value in result.items():
            print(f"test {key}: {value:.4f}")
        print(f"trained {len(history.epoch)} epochs in {seconds:.1f} s; saved {out}")
        if written:
            print(f"plots in {plots}: {', '.join(p.name for p in written.values())}")
    return 0


def _data_identity(data: str) -> dict:
    """For a CSV file, the SHA-256 of its bytes: ``evaluate`` and ``report``
    recognise the training file by it and score its held-out rows."""
    return {"data_sha256": file_sha256(data)} if is_csv_path(data) else {}


@contextlib.contextmanager
def _interrupt_note(out: Path):
    """Ctrl-C in training: say on stderr that nothing was saved, then stop."""
    try:
        yield
    except KeyboardInterrupt:
        print(f"glassnet: training interrupted; no model was saved to {out}",
              file=sys.stderr, flush=True)  # fmt: skip
        raise


def _plots_directory(directory) -> Path | None:
    """The ``--plots`` directory, checked (and matplotlib found) before training."""
    if directory is None:
        return None
    path = Path(directory)
    if path.exists() and not path.is_dir():
        raise UsageError(f"--plots {directory}: exists and is not a directory")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError(
            "--plots needs matplotlib: pip install 'glassnet[plot]'"
        ) from None
    # Made and probed now: an unwritable folder is found before training.
    try:
        path.mkdir(parents=True, exist_ok=True)
        check_writable(path / "plot.png")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(
            f"--plots {directory}: cannot write plots into this folder ({reason})"
        ) from None
    return path
