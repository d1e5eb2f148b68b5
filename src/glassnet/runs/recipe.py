"""A training run described by plain settings: the network, its data handling.

``glassnet train``, ``glassnet sweep``, :func:`glassnet.runs.sweep` and the
playground all describe a run with the same dict of settings (the keys of
:data:`DEFAULTS`, which is also what a ``--config`` TOML file holds and what a
model file stores under ``metadata["config"]``) and build it here, so that a
setting means the same everywhere. :func:`complete_settings` checks every
value's type and range (:mod:`glassnet.runs.checks`) and fills in the
defaults that depend on other settings; contradictory settings raise
ValueError.
"""

from __future__ import annotations

import numpy as np

from glassnet.core import activations, losses
from glassnet.core.layers import BatchNorm, Dense, Dropout
from glassnet.core.network import Network
from glassnet.core.regularizers import L1L2

#: Every setting of a run, with its default. Flags and ``--config`` use these keys.
DEFAULTS: dict = {
    "data": "digits",
    "target": None,
    "missing": None,
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
    "validation_split": None,
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
    """``"none"`` for image data already in [0, 1], else ``"standard"``.

    Parameters
    ----------
    data_name : str
        A dataset's name ("digits", "mnist", "ilpd", ...).

    Returns
    -------
    str
        The ``scale`` setting that suits it.
    """
    return "none" if data_name in UNSCALED else "standard"


def complete_settings(settings: dict, owner: str, *, flags: bool = False) -> dict:
    """All of a run's settings, checked, with the defaults that depend on others.

    Parameters
    ----------
    settings : dict
        The keys of :data:`DEFAULTS` (missing ones take their default).
    owner : str
        Who received them, for messages ("glassnet train", "sweep").
    flags : bool, default False
        Name the ``glassnet train`` flags in messages.

    Returns
    -------
    dict
        Every key of :data:`DEFAULTS`, checked and typed: ``validation_split``
        unset is 0.1 with early stopping, else 0; ``scale`` unset is
        :func:`default_scale` of the data.

    Raises
    ------
    TypeError, ValueError
        A setting of the wrong type or out of range, naming it; ValueError
        for contradictory settings: early stopping with a validation split of
        0 given (it would watch a validation loss that does not exist),
        batch normalization with one sample per batch, or activations that do
        not match the hidden layers.
    """
    from glassnet.runs.checks import check_settings

    settings = check_settings({**DEFAULTS, **settings}, owner, flags=flags)
    hidden_activations(settings)  # one name, or one per hidden layer
    patience, split = settings["early_stopping"], settings["validation_split"]
    if patience and split == 0:
        raise ValueError(
            f"contradictory settings: --early-stopping {patience} --validation-split "
            f"{split:g}: early stopping watches the loss on a validation split, and "
            "a split of 0 holds none out; give a fraction in (0, 1) or leave "
            "--validation-split unset (0.1 with early stopping)."
        )
    if settings["batch_norm"] and settings["batch_size"] == 1:
        raise ValueError(
            "contradictory settings: --batch-norm --batch-size 1: batch "
            "normalization needs at least 2 samples per batch (one sample has no "
            "batch variance); give --batch-size 2 or more, or 0 for the whole set."
        )
    if split is None:
        settings["validation_split"] = 0.1 if patience else 0.0
    if settings["scale"] is None:
        settings["scale"] = default_scale(settings["data"])
    return settings


def hidden_activations(settings: dict) -> list[str]:
    """One activation name per hidden layer, from ``settings["activation"]``.

    A single name (``"relu"``) applies to every hidden layer; a list or a
    comma-separated string (``"tanh,relu"``) gives one name per layer.

    Parameters
    ----------
    settings : dict
        With ``"activation"`` and ``"layers"`` (the hidden sizes).

    Returns
    -------
    list of str
        One name per hidden layer.

    Raises
    ------
    ValueError
        For an ``activation`` that is not a name or a list of names, or a
        list of another length than the hidden layers.
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


#: The output and loss that go together for class labels (the canonical pairs
#: of :mod:`glassnet.core.losses`): one sigmoid unit answers two classes, a softmax
#: layer any number.
CLASSIFICATION_PAIRS = {"sigmoid": "binary_cross_entropy", "softmax": "cross_entropy"}


def _contradiction(data, output, loss, reason: str) -> ValueError:
    return ValueError(
        f"contradictory settings: --output-activation {output or '(default)'} --loss "
        f"{loss or '(default)'} on {data.name}: {reason}."
    )


def output_and_loss(settings: dict, data) -> tuple[str, str, int]:
    """Output activation, loss and number of outputs for the task.

    Regression: any output but sigmoid/softmax, any regression loss (default
    identity and MSE). Class labels: a sigmoid output with binary
    cross-entropy (one unit, two classes only; the default for two classes)
    or a softmax output with cross-entropy (one unit per class; the default
    otherwise). Any other combination raises ValueError: a regression loss on
    class labels would make a network that answers numbers (``Network``
    takes a loss's task as the network's task), and a mismatched pair would
    train something other than what the settings say.

    Parameters
    ----------
    settings : dict
        With ``"output"`` and ``"loss"`` (names, or None for the default).
    data : Dataset
        Its task and classes decide.

    Returns
    -------
    output : str
        The output activation's name.
    loss : str
        The loss's name.
    n_outputs : int
        Output units: 1 for regression (one target) and for a sigmoid
        classifier, else the number of classes or targets.

    Raises
    ------
    ValueError
        For an unknown name, a single class, or a contradictory combination.
    """
    output, loss = settings["output"], settings["loss"]
    # Resolve names first: an unknown one is an error whatever the task.
    output = None if output is None else activations.get(output).name
    loss = None if loss is None else losses.get(loss).name
    if data.task == "regression":
        if output in CLASSIFICATION_PAIRS or loss in CLASSIFICATION_PAIRS.values():
            raise _contradiction(
                data,
                output,
                loss,
                "it has a regression target, and these are for class labels",
            )
        return output or "identity", loss or "mse", 1
    k = data.n_classes
    if k < 2:
        raise ValueError(f"{data.name} has a single class: nothing to classify")
    if output is not None and output not in CLASSIFICATION_PAIRS:
        raise _contradiction(
            data,
            output,
            loss,
            f"its {k} classes need a sigmoid (2 classes) or softmax output, whose "
            "values are probabilities",
        )
    if loss is not None and loss not in CLASSIFICATION_PAIRS.values():
        raise _contradiction(
            data,
            output,
            loss,
            f"its {k} classes need a cross-entropy loss; '{loss}' would train a "
            "regressor that answers numbers, not classes",
        )
    if output is not None and loss is not None and CLASSIFICATION_PAIRS[output] != loss:
        raise _contradiction(
            data,
            output,
            loss,
            "a sigmoid output goes with binary_cross_entropy, a softmax output "
            "with cross_entropy",
        )
    if output is None:
        pairs = {v: o for o, v in CLASSIFICATION_PAIRS.items()}
        output = pairs[loss] if loss is not None else "sigmoid" if k == 2 else "softmax"
    if output == "sigmoid" and k > 2:
        raise _contradiction(
            data,
            settings["output"],
            settings["loss"],
            f"one sigmoid unit answers two classes, and it has {k}; use softmax "
            "with cross_entropy",
        )
    if output == "sigmoid":
        return "sigmoid", "binary_cross_entropy", 1
    return "softmax", "cross_entropy", k


def build_network(settings: dict, data):
    """The Network the settings describe, sized for ``data`` (a Dataset).

    ``settings["output"]`` and ``settings["loss"]`` are set to the output
    activation and loss the network uses, so that what is recorded is what
    ran.

    Parameters
    ----------
    settings : dict
        A run's settings with every key of :data:`MODEL_SETTINGS` (as
        :func:`complete_settings` gives them): ``layers`` (hidden sizes),
        ``activation``, ``output``, ``loss``, ``l1``, ``l2``, ``dropout``,
        ``batch_norm``, ``seed``, ...
    data : Dataset
        Its ``X_train`` of shape (n_samples, n_features) sizes the input,
        its targets the output.

    Returns
    -------
    Network
        Dense layers of ``settings["layers"]`` units (each followed by
        BatchNorm and Dropout when asked), then the output layer; an
        ``L1L2`` regularizer when ``l1`` or ``l2`` is set.

    Raises
    ------
    TypeError
        For a setting of the wrong type.
    ValueError
        For a setting out of its range, or an output or loss that does not
        fit the task.
    """
    from glassnet.runs.checks import check_settings

    check_settings({k: settings[k] for k in MODEL_SETTINGS}, "the run")
    output, loss, n_out = output_and_loss(settings, data)
    settings["output"], settings["loss"] = output, loss
    rng = np.random.default_rng(settings["seed"])
    layers, n_in = [], data.X_train.shape[1]
    activations = hidden_activations(settings)
    for size, activation in zip(settings["layers"], activations, strict=True):
        layers.append(Dense(n_in, size, activation))
        if settings["batch_norm"]:
            layers.append(BatchNorm())
        if settings["dropout"]:
            layers.append(Dropout(settings["dropout"], seed=int(rng.integers(2**31))))
        n_in = size
    layers.append(Dense(n_in, n_out, output))
    regularizer = None
    if settings["l1"] or settings["l2"]:
        regularizer = L1L2(l1=settings["l1"], l2=settings["l2"])
    return Network(layers, loss=loss, seed=settings["seed"], regularizer=regularizer)


def attach_preprocessing(net, settings: dict, data) -> None:
    """Fit the input scaling on the training split; keep schema and classes.

    Sets ``net.preprocessing``, so that the network takes raw rows and
    answers with the data's labels.

    Parameters
    ----------
    net : Network
        The run's network.
    settings : dict
        With ``"scale"``: "standard", "minmax" or "none".
    data : Dataset
        Its ``X_train`` of shape (n_samples, n_features) fits the scaler;
        its schema and classes are kept.
    """
    from glassnet.datasets.preprocessing import SCALERS, Preprocessing

    scaler = None
    if settings["scale"] != "none":
        scaler = SCALERS[settings["scale"]]().fit(data.X_train)
    net.preprocessing = Preprocessing(
        scaler=scaler,
        schema=data.schema,
        classes=data.classes,
        class_names=data.target_names,
    )


def labels(data, y: np.ndarray) -> np.ndarray:
    """The class codes ``y`` of ``data`` as its labels (``data.classes[y]``),
    which a network with :func:`attach_preprocessing` takes; regression
    targets unchanged.

    Parameters
    ----------
    data : Dataset
        Gives the task and the classes.
    y : ndarray of shape (n_samples,)
        Class codes, or regression targets.

    Returns
    -------
    ndarray of shape (n_samples,)
        The labels (an object array), or ``y`` itself for regression.
    """
    if data.task != "classification":
        return y
    classes = np.empty(len(data.classes), dtype=object)
    classes[:] = data.classes
    return classes[y]


def test_metrics(net, data) -> dict:
    """Loss and the task's metrics on the test split (floats).

    Parameters
    ----------
    net : Network
        A network with :func:`attach_preprocessing`.
    data : Dataset
        Its ``X_test`` and ``y_test`` are scored.

    Returns
    -------
    dict of str to float
        ``loss`` and the network's metrics; ``balanced_accuracy`` for
        classification, ``mae`` and ``r2`` for regression.
    """
    from glassnet import metrics

    result = net.evaluate(data.X_test, labels(data, data.y_test))
    if data.task == "classification":
        codes = net.preprocessing.encode(net.predict(data.X_test))
        result["balanced_accuracy"] = metrics.balanced_accuracy(data.y_test, codes)
    else:
        predicted = net.predict(data.X_test)
        result["mae"] = metrics.mean_absolute_error(data.y_test, predicted)
        result["r2"] = metrics.r2_score(data.y_test, predicted)
    return {key: float(value) for key, value in result.items()}


#: A loss this many times that of the untrained network counts as diverged.
DIVERGENCE_FACTOR = 1e6


def divergence_limit(net, data) -> float | None:
    """The ``max_loss`` of a run's TerminateOnNaN: a million times the loss of
    the untrained network on the training split, or None when that loss is 0
    or not finite.

    Adam with a huge rate keeps the loss finite but astronomical; a run whose
    loss passes this is stopped as diverged, as one whose loss is NaN.

    Parameters
    ----------
    net : Network
        The untrained network.
    data : Dataset
        Its training split is scored.

    Returns
    -------
    float or None
        ``DIVERGENCE_FACTOR`` times the untrained loss; None when that loss
        is 0 or not finite.
    """
    with np.errstate(all="ignore"):
        untrained = net.evaluate(data.X_train, labels(data, data.y_train))["loss"]
    if not (np.isfinite(untrained) and untrained > 0):
        return None
    return DIVERGENCE_FACTOR * float(untrained)
