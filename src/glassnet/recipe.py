"""A training run described by plain settings: the network, its data handling.

``glassnet train``, ``glassnet sweep``, :func:`glassnet.sweep` and the
playground all describe a run with the same dict of settings (the keys of
:data:`DEFAULTS`, which is also what a ``--config`` TOML file holds and what a
model file stores under ``metadata["config"]``) and build it here, so that a
setting means the same everywhere. Contradictory settings raise ValueError.
"""

from __future__ import annotations

import numpy as np

#: Every setting of a run, with its default. Flags and ``--config`` use these keys.
DEFAULTS: dict = {
    "data": "digits",
    "target": None,
    "missing": "error",
    "max_categories": None,
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
DATA_OPTIONS = ("n_samples", "noise", "test_size", "max_categories")

#: Image data already lies in [0, 1]; tabular data is standardized.
UNSCALED = ("digits", "mnist", "fashion-mnist")


#: The settings that describe the network and its training (not the data).
MODEL_SETTINGS = (
    "layers",
    "activation",
    "output",
    "loss",
    "optimizer",
    "lr",
    "epochs",
    "batch_size",
    "l1",
    "l2",
    "dropout",
    "batch_norm",
    "early_stopping",
    "validation_split",
    "scale",
    "seed",
)


def default_scale(data_name: str) -> str:
    """``"none"`` for image data already in [0, 1], else ``"standard"``."""
    return "none" if data_name in UNSCALED else "standard"


def hidden_activations(settings: dict) -> list[str]:
    """One activation name per hidden layer, from ``settings["activation"]``.

    A single name (``"relu"``) applies to every hidden layer; a list or a
    comma-separated string (``"tanh,relu"``) gives one name per layer.
    """
    value, n = settings["activation"], len(settings["layers"])
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(a, str) for a in names):
        raise ValueError(f"activation must be a name or a list of names; got {value!r}")
    names = [name.strip() for name in names]
    if len(names) == 1:
        return names * n
    if len(names) != n:
        raise ValueError(
            f"activation lists {len(names)} names for {n} hidden layers; give one "
            "name for all of them or one per layer"
        )
    return names


def output_and_loss(settings: dict, data) -> tuple[str, str, int]:
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
            raise ValueError(
                f"contradictory settings: {data.name} has a regression target, but "
                f"--output {output or '(default)'} --loss {loss or '(default)'} are "
                "for classification"
            )
        return output or "identity", loss or "mse", 1
    if data.n_classes < 2:
        raise ValueError(f"{data.name} has a single class: nothing to classify")
    if output in ("identity", "linear", "relu", "tanh", "leaky_relu") or loss in (
        "mse",
        "sse",
        "mae",
        "huber",
    ):
        raise ValueError(
            f"contradictory settings: {data.name} has class labels, which need a "
            "sigmoid or softmax output with a cross-entropy loss"
        )
    binary = data.n_classes == 2 and output != "softmax" and loss != "cross_entropy"
    if binary:
        return "sigmoid", "binary_cross_entropy", 1
    return "softmax", "cross_entropy", data.n_classes


def build_network(settings: dict, data):
    """The Network the settings describe, sized for ``data`` (a Dataset)."""
    import glassnet as gn

    output, loss, n_out = output_and_loss(settings, data)
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
    """Fit the input scaling on the training split; keep schema and classes."""
    from glassnet.pipeline import SCALERS, Preprocessing

    scaler = None
    if settings["scale"] != "none":
        scaler = SCALERS[settings["scale"]]().fit(data.X_train)
    net.preprocessing = Preprocessing(
        scaler=scaler, schema=data.schema, classes=data.target_names
    )


def test_metrics(net, data) -> dict:
    """Loss and the task's metrics on the test split (floats)."""
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
