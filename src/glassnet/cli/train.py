"""``glassnet train``: settings from defaults, a TOML file and flags; train; save."""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from glassnet.cli._common import UsageError, load_data, print_json
from glassnet.optimizers import OPTIMIZERS

#: Every setting of a run, with its default. Flags and ``--config`` use these keys.
DEFAULTS: dict = {
    "data": "digits",
    "target": None,
    "missing": "error",
    "n_samples": None,
    "noise": None,
    "test_size": None,
    "layers": [128],
    "activation": "relu",
    "output": None,
    "loss": None,
    "optimizer": "adam",
    "lr": 0.001,
    "epochs": 20,
    "batch_size": 32,
    "l1": 0.0,
    "l2": 0.0,
    "dropout": 0.0,
    "batch_norm": False,
    "early_stopping": 0,
    "validation_split": 0.0,
    "scale": None,
    "seed": 0,
    "out": "model.glassnet",
    "plots": None,
}

#: Settings passed to the data loader when given (None: the loader's default).
DATA_OPTIONS = ("n_samples", "noise", "test_size")

#: Image data already lies in [0, 1]; tabular data is standardized.
_UNSCALED = ("digits", "mnist", "fashion-mnist")


def _layers(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in str(text).split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive integers such as 256,128; got {text!r}"
        ) from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(
            f"layer sizes must be positive integers; got {text!r}"
        )
    return sizes


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
        help="empty, NA or ? cells of a CSV file: an error (default), filled with the "
        "training median (most frequent category), or rows dropped",
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
    a("--output", help="output activation (default: from the task)")
    a("--loss", help="loss (default: from the task)")
    a(
        "--optimizer",
        help=f"{', '.join(OPTIMIZERS)} (default: adam)",
    )
    a("--lr", type=float, help="learning rate (default: 0.001)")
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
        help="fraction of the training data held out for validation (default: 0, or "
        "0.1 with early stopping)",
    )
    a(
        "--scale",
        choices=["standard", "minmax", "none"],
        help="input scaling fitted on the training data (default: standard for "
        "tables, none for images)",
    )
    a("--seed", type=int, help="seed of the split, initialization and order")
    a("--out", help="model file to write (default: model.glassnet)")
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


def read_config(path: str) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise UsageError(
                "--config needs a TOML reader: on Python 3.10 run 'pip install tomli'"
            ) from None
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"config file {path} does not exist")
    try:
        settings = tomllib.loads(file.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"config file {path} is not valid TOML: {exc}") from None
    settings = settings.get("train", settings)
    settings = {key.replace("-", "_"): value for key, value in settings.items()}
    unknown = sorted(set(settings) - set(DEFAULTS))
    if unknown:
        raise UsageError(
            f"config file {path} has unknown setting(s) {unknown}; valid: "
            f"{', '.join(DEFAULTS)}"
        )
    if "layers" in settings and not isinstance(settings["layers"], list):
        settings["layers"] = _layers(settings["layers"])
    return settings


def hidden_activations(settings: dict) -> list[str]:
    """One activation name per hidden layer, from ``settings["activation"]``.

    A single name (``"relu"``) applies to every hidden layer; a list or a
    comma-separated string (``"tanh,relu"``) gives one name per layer.
    """
    value, n = settings["activation"], len(settings["layers"])
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(a, str) for a in names):
        raise UsageError(f"activation must be a name or a list of names; got {value!r}")
    names = [name.strip() for name in names]
    if len(names) == 1:
        return names * n
    if len(names) != n:
        raise UsageError(
            f"activation lists {len(names)} names for {n} hidden layers; give one "
            "name for all of them or one per layer"
        )
    return names


def resolve_settings(args) -> dict:
    """Defaults, overridden by the config file, overridden by given flags."""
    settings = dict(DEFAULTS)
    if args.config:
        settings.update(read_config(args.config))
    for key in DEFAULTS:
        value = getattr(args, key, None)
        if value is not None:
            settings[key] = value
    if settings["early_stopping"] and not settings["validation_split"]:
        settings["validation_split"] = 0.1
    if settings["scale"] is None:
        settings["scale"] = "none" if settings["data"] in _UNSCALED else "standard"
    return settings


def _output_and_loss(settings: dict, data) -> tuple[str, str, int]:
    """Output activation, loss and number of outputs for the task."""
    import glassnet as gn

    output, loss = settings["output"], settings["loss"]
    # Resolve names first: an unknown one is an error whatever the task.
    output = None if output is None else gn.get_activation(output).name
    loss = None if loss is None else gn.get_loss(loss).name
    if data.task == "regression":
        if output in ("softmax", "sigmoid") or loss in (
            "cross_entropy",
            "binary_cross_entropy",
        ):
            raise UsageError(
                f"contradictory settings: {data.name} has a regression target, but "
                f"--output {output or '(default)'} --loss {loss or '(default)'} are "
                "for classification"
            )
        return output or "identity", loss or "mse", 1
    if data.n_classes < 2:
        raise UsageError(f"{data.name} has a single class: nothing to classify")
    if output in ("identity", "linear", "relu", "tanh", "leaky_relu") or loss in (
        "mse",
        "sse",
        "mae",
        "huber",
    ):
        raise UsageError(
            f"contradictory settings: {data.name} has class labels, which need a "
            "sigmoid or softmax output with a cross-entropy loss"
        )
    binary = data.n_classes == 2 and output != "softmax" and loss != "cross_entropy"
    if binary:
        return "sigmoid", "binary_cross_entropy", 1
    return "softmax", "cross_entropy", data.n_classes


def build_network(settings: dict, data):
    import glassnet as gn

    output, loss, n_out = _output_and_loss(settings, data)
    rng = np.random.default_rng(settings["seed"])
    layers, n_in = [], data.X_train.shape[1]
    activations = hidden_activations(settings)
    for size, activation in zip(settings["layers"], activations, strict=True):
        layers.append(gn.Dense(n_in, size, activation))
        if settings["batch_norm"]:
            layers.append(gn.BatchNorm())
        if settings["dropout"]:
            layers.append(
                gn.Dropout(settings["dropout"], seed=int(rng.integers(2**31)))
            )
        n_in = size
    layers.append(gn.Dense(n_in, n_out, output))
    regularizer = None
    if settings["l1"] or settings["l2"]:
        regularizer = gn.L1L2(l1=settings["l1"], l2=settings["l2"])
    return gn.Network(layers, loss=loss, seed=settings["seed"], regularizer=regularizer)


def attach_preprocessing(net, settings: dict, data) -> None:
    from glassnet.pipeline import SCALERS, Preprocessing

    scaler = None
    if settings["scale"] != "none":
        scaler = SCALERS[settings["scale"]]().fit(data.X_train)
    net.preprocessing = Preprocessing(
        scaler=scaler, schema=data.schema, classes=data.target_names
    )


def test_metrics(net, data) -> dict:
    from glassnet import metrics

    result = net.evaluate(data.X_test, data.y_test)
    if data.task == "classification":
        codes = net.preprocessing.encode(net.predict(data.X_test))
        result["balanced_accuracy"] = metrics.balanced_accuracy(data.y_test, codes)
    else:
        predicted = net.predict(data.X_test)
        result["mae"] = metrics.mean_absolute_error(data.y_test, predicted)
        result["r2"] = metrics.r2_score(data.y_test, predicted)
    return {key: float(value) for key, value in result.items()}


def run(args) -> int:
    import glassnet as gn

    settings = resolve_settings(args)
    out = Path(settings["out"])
    if not (out.parent if str(out.parent) else Path(".")).is_dir():
        raise UsageError(f"cannot write {out}: directory {out.parent} does not exist")
    data = load_data(
        settings["data"],
        target=settings["target"],
        seed=settings["seed"],
        missing=settings["missing"],
        options={k: settings[k] for k in DATA_OPTIONS if settings[k] is not None},
    )
    plots = _plots_directory(settings["plots"])
    net = build_network(settings, data)
    attach_preprocessing(net, settings, data)
    optimizer = gn.get_optimizer(settings["optimizer"], lr=settings["lr"])
    callbacks = []
    if settings["early_stopping"]:
        callbacks.append(
            gn.EarlyStopping(patience=settings["early_stopping"], restore_best=True)
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
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        history = net.fit(
            data.X_train,
            data.y_train,
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
    result = test_metrics(net, data)
    net.metadata = {
        "config": settings,
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
        from glassnet.plotting import save_training_plots

        written = save_training_plots(net, history, plots, X=data.X_test, y=data.y_test)
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
    return path


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """Training warnings (e.g. diagnostics) as one ``glassnet: warning:`` line."""
    print(f"glassnet: warning: {message}", file=sys.stderr, flush=True)
