"""A playground run's settings, their limits, and how they are checked.

A configuration is a flat dict (the keys of :data:`DEFAULTS`). The page sends
it as JSON with typed values, or copies it from its URL, where every value
is a string (``layers=4,2``); :func:`parse_config` accepts both and checks
every value against :class:`Limits`, so a link that was edited by hand gets
the same clear message as a request from the page.

The keys follow ``glassnet train`` (:data:`glassnet.runs.recipe.DEFAULTS`)
wherever the command has the setting, so that a run can be exported as the
command that reproduces it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from glassnet.core._validation import some_names
from glassnet.core.optimizers import OPTIMIZERS
from glassnet.datasets.toy import GENERATORS, REGRESSION

__all__ = [
    "DATASETS",
    "DEFAULTS",
    "FEATURES",
    "HIDDEN_ACTIVATIONS",
    "Limits",
    "PlaygroundError",
    "parse_config",
]

OWNER = "the playground"

#: Dataset names: the generated 2-D sets, and "upload" for a CSV file.
DATASETS = (*GENERATORS, "upload")
#: Input features computed from the two coordinates, in the page's order;
#: each maps to its column name, ``{0}``/``{1}`` standing for the two
#: coordinates' names (``x1``/``x2`` for the generated sets).
FEATURES = {
    "x1": "{0}",
    "x2": "{1}",
    "x1sq": "{0}^2",
    "x2sq": "{1}^2",
    "x1x2": "{0}*{1}",
    "sinx1": "sin({0})",
    "sinx2": "sin({1})",
}
HIDDEN_ACTIVATIONS = ("tanh", "relu", "sigmoid", "leaky_relu", "identity")
OUTPUTS = ("auto", "sigmoid", "softmax", "identity", "tanh")
LOSS_NAMES = ("auto", "binary_cross_entropy", "cross_entropy", "mse", "mae", "huber")
SCALES = ("none", "standard", "minmax")
NOTATIONS = ("wb", "transfer")

#: The TensorFlow Playground's defaults where it has the setting.
DEFAULTS: dict = {
    "data": "circle",
    "noise": 0.0,
    "n_samples": 500,
    "test_size": 0.5,
    "batch_size": 10,
    "features": ["x1", "x2"],
    "layers": [4, 2],
    "activation": ["tanh", "tanh"],
    "output": "auto",
    "loss": "auto",
    "optimizer": "sgd",
    "lr": 0.03,
    "l1": 0.0,
    "l2": 0.0,
    "dropout": 0.0,
    "scale": "none",
    "seed": 0,
}


class PlaygroundError(Exception):
    """A request the playground refuses: an HTTP status and a message for the page."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Limits:
    """What one playground server allows, to protect the machine.

    Attributes
    ----------
    max_sessions : int
        Browser tabs (sessions) open at the same time. Each tab keeps a
        connection open for its stream, and a browser opens at most 6 to one
        server: with the default 5, one is left for the tabs' requests, so a
        further tab is told the limit instead of hanging.
    max_points : int
        Points of a dataset (generated or uploaded).
    max_layers : int
        Hidden layers.
    max_units : int
        Units per hidden layer.
    max_upload_bytes : int
        Size of an uploaded CSV file.
    max_classes : int
        Classes of an uploaded classification set.
    max_updates_per_second : float
        Updates streamed to one page while it plays.
    grace_seconds : float
        A session without an open page and without requests for this long is
        freed (a tab that never opened its stream). A session whose page's
        stream breaks (a closed tab, a killed browser) is freed at once.
    request_timeout : float
        Seconds a connection may take to send its request and receive the
        answer, in all (a stream: to take each write), before it is closed.
    max_connections : int
        Connections served at the same time. When all are taken, the one
        that has waited longest for its request to arrive is closed to make
        room; if none is waiting, the new one is answered 503.
    """

    max_sessions: int = 5
    max_points: int = 2000
    max_layers: int = 8
    max_units: int = 16
    max_upload_bytes: int = 1 << 20
    max_classes: int = 8
    max_updates_per_second: float = 60.0
    grace_seconds: float = 20.0
    request_timeout: float = 30.0
    max_connections: int = 64

    def to_dict(self) -> dict:
        return {
            "max_sessions": self.max_sessions,
            "max_points": self.max_points,
            "max_layers": self.max_layers,
            "max_units": self.max_units,
            "max_upload_bytes": self.max_upload_bytes,
            "max_classes": self.max_classes,
        }


def bad(message: str) -> PlaygroundError:
    return PlaygroundError(400, message)


def shown(value) -> str:
    """``repr(value)`` cut to about 60 characters, for a one-line message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "..."


def _range_message(name, kind, low, high, value) -> str:
    article = "an" if kind == "int" else "a"
    return (
        f"The '{name}' parameter of {OWNER} must be {article} {kind} in the range "
        f"[{low}, {high}]. Got {shown(value)} instead."
    )


def _number(value, name: str, low, high, *, integer: bool = False):
    """``value`` (a number or its text) as an int/float in [low, high]."""
    kind = "int" if integer else "float"
    parsed = value
    if isinstance(value, str):
        try:
            parsed = int(value) if integer else float(value)
        except ValueError:
            raise bad(_range_message(name, kind, low, high, value)) from None
    if isinstance(parsed, bool) or not isinstance(parsed, (int, float)):
        raise bad(_range_message(name, kind, low, high, value))
    if integer and isinstance(parsed, float):
        if not parsed.is_integer():
            raise bad(_range_message(name, kind, low, high, value))
        parsed = int(parsed)
    if not math.isfinite(parsed) or not low <= parsed <= high:
        raise bad(_range_message(name, kind, low, high, value))
    return parsed if integer else float(parsed)


def _choice(value, name: str, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise bad(
            f"The '{name}' parameter of {OWNER} must be one of {allowed}. Got "
            f"{shown(value)} instead."
        )
    return value


def _items(value, name: str) -> list:
    """A list from a list, or from comma-separated text ("" is empty)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return value
    raise bad(
        f"The '{name}' parameter of {OWNER} must be a list or comma-separated "
        f"text. Got {shown(value)} instead."
    )


def _layers(value, limits: Limits) -> list[int]:
    sizes = _items(value, "layers")
    if len(sizes) > limits.max_layers:
        raise bad(
            f"The 'layers' parameter of {OWNER} must list at most "
            f"{limits.max_layers} hidden layers. Got {len(sizes)}."
        )
    return [_number(s, "layers", 1, limits.max_units, integer=True) for s in sizes]


def _activations(value, n_layers: int) -> list[str]:
    names = _items(value, "activation")
    names = [_choice(a, "activation", HIDDEN_ACTIVATIONS) for a in names]
    if len(names) == 1:
        return names * n_layers
    if len(names) != n_layers and not (n_layers == 0 and not names):
        raise bad(
            f"The 'activation' parameter of {OWNER} lists {len(names)} "
            f"activations for {n_layers} hidden layers: give one for all of them "
            "or one per layer."
        )
    return names


def _features(value) -> list[str]:
    names = [_choice(f, "features", FEATURES) for f in _items(value, "features")]
    if not names:
        raise bad(f"The 'features' parameter of {OWNER} must name at least one input.")
    if len(set(names)) != len(names):
        raise bad(f"The 'features' parameter of {OWNER} repeats a feature: {names}.")
    return [f for f in FEATURES if f in names]


def parse_config(raw, limits: Limits) -> dict:
    """Check a configuration; missing keys take their :data:`DEFAULTS`.

    Parameters
    ----------
    raw : dict
        Settings by name, typed (JSON) or as text (from a URL).
    limits : Limits

    Returns
    -------
    dict
        Every key of :data:`DEFAULTS`, typed and checked.

    Raises
    ------
    PlaygroundError
        Status 400, naming the setting, what is allowed and what was given.
    """
    if not isinstance(raw, dict):
        raise bad(
            f"The configuration must be a JSON object of settings. Got "
            f"{type(raw).__name__}."
        )
    unknown = sorted(set(raw) - set(DEFAULTS))
    if unknown:
        raise bad(
            f"Unknown setting(s) {some_names(unknown)}; valid: {', '.join(DEFAULTS)}."
        )
    given = {**DEFAULTS, **raw}
    config = {
        "data": _choice(given["data"], "data", DATASETS),
        "noise": _number(given["noise"], "noise", 0, 0.5),
        "n_samples": _number(
            given["n_samples"], "n_samples", 10, limits.max_points, integer=True
        ),
        "test_size": _number(given["test_size"], "test_size", 0.1, 0.9),
        "batch_size": _number(
            given["batch_size"], "batch_size", 1, limits.max_points, integer=True
        ),
        "features": _features(given["features"]),
        "layers": _layers(given["layers"], limits),
    }
    # Without activations, the default one applies to however many layers.
    activation = raw.get("activation", DEFAULTS["activation"][0])
    config["activation"] = _activations(activation, len(config["layers"]))
    config.update(
        output=_choice(given["output"], "output", OUTPUTS),
        loss=_choice(given["loss"], "loss", LOSS_NAMES),
        optimizer=_choice(given["optimizer"], "optimizer", tuple(OPTIMIZERS)),
        lr=_number(given["lr"], "lr", 1e-6, 10),
        l1=_number(given["l1"], "l1", 0, 10),
        l2=_number(given["l2"], "l2", 0, 10),
        dropout=_number(given["dropout"], "dropout", 0, 0.9),
        scale=_choice(given["scale"], "scale", SCALES),
        seed=_number(given["seed"], "seed", 0, 2**31 - 1, integer=True),
    )
    return config


def is_regression(config: dict) -> bool | None:
    """True/False for a generated set; None for an upload (the file decides)."""
    if config["data"] == "upload":
        return None
    return config["data"] in REGRESSION


def options(limits: Limits) -> dict:
    """What the page offers: every choice, the defaults and the limits."""
    return {
        "defaults": DEFAULTS,
        "datasets": list(DATASETS),
        "regression": list(REGRESSION),
        "features": FEATURES,
        "activations": list(HIDDEN_ACTIVATIONS),
        "outputs": list(OUTPUTS),
        "losses": list(LOSS_NAMES),
        "optimizers": list(OPTIMIZERS),
        "scales": list(SCALES),
        "notations": list(NOTATIONS),
        "limits": limits.to_dict(),
    }
