"""A playground run as ``glassnet train`` settings, TOML, a command line and CSV.

The run's data come from the loader ``glassnet train`` calls, its network
from the command's own :func:`build_network`, and it is trained batch by
batch in the order :func:`glassnet.fit` visits the samples. So
``glassnet train`` with the exported settings starts from the same data and
the same weights, bit for bit, and takes the same steps: its weights agree
with the run's to float32 rounding (fit's loop may add a few sums in another
order). What the settings cannot say (input features other than ``x1, x2``,
weights edited by hand, a run stopped between epochs) is listed in the
notes.
"""

from __future__ import annotations

import csv
import io
import json
import math
import shlex

import numpy as np

from glassnet.files.model_file import write_model
from glassnet.playground import frames
from glassnet.playground.config import FEATURES, PlaygroundError
from glassnet.playground.data import Points, expand, feature_names
from glassnet.runs.recipe import DEFAULTS as TRAIN_DEFAULTS

__all__ = [
    "command_line",
    "data_csv",
    "for_epochs",
    "model_file",
    "points_csv",
    "toml_text",
    "train_config",
    "train_settings",
]

MODEL_FILE = "playground.glassnet"

#: The command-line flag of each setting written into the command.
_FLAGS = {
    "data": "--data",
    "target": "--target",
    "n_samples": "--n-samples",
    "noise": "--noise",
    "test_size": "--test-size",
    "layers": "--layers",
    "activation": "--activation",
    "output": "--output-activation",
    "loss": "--loss",
    "optimizer": "--optimizer",
    "lr": "--lr",
    "epochs": "--epochs",
    "batch_size": "--batch-size",
    "l1": "--l1",
    "l2": "--l2",
    "dropout": "--dropout",
    "scale": "--scale",
    "seed": "--seed",
    "out": "--out",
}


def train_settings(config: dict, points: Points, filename: str | None) -> dict:
    """The ``glassnet train`` settings (keys of its DEFAULTS) of a run.

    ``epochs`` is 1 here; :func:`for_epochs` sets the run's count.
    """
    activations = config["activation"]
    if not activations:
        activation = TRAIN_DEFAULTS["activation"]
    elif len(set(activations)) == 1:
        activation = activations[0]
    else:
        activation = list(activations)
    upload = config["data"] == "upload"
    settings = dict(TRAIN_DEFAULTS)
    settings.update(
        data=filename if upload else config["data"],
        target=points.target if upload else None,
        n_samples=None if upload else config["n_samples"],
        noise=None if upload else config["noise"],
        test_size=config["test_size"],
        layers=list(config["layers"]),
        activation=activation,
        output=None if config["output"] == "auto" else config["output"],
        loss=None if config["loss"] == "auto" else config["loss"],
        optimizer=config["optimizer"],
        lr=config["lr"],
        epochs=1,
        batch_size=config["batch_size"],
        l1=config["l1"],
        l2=config["l2"],
        dropout=config["dropout"],
        batch_norm=False,
        early_stopping=0,
        validation_split=0.0,
        scale=config["scale"],
        seed=config["seed"],
        out=MODEL_FILE,
    )
    return settings


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"


def toml_text(settings: dict, notes: list[str]) -> str:
    """The settings as a ``glassnet train --config`` file (unset ones left out)."""
    lines = ["# glassnet train --config playground.toml", "# exported by glassnet"]
    lines += [f"# note: {note}" for note in notes]
    lines.append("")
    for key in TRAIN_DEFAULTS:
        value = settings[key]
        if value is not None:
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _flag_value(value) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def command_line(settings: dict) -> str:
    """``glassnet train ...`` with every setting of the run spelled out."""
    words = ["glassnet", "train"]
    for key, flag in _FLAGS.items():
        value = settings[key]
        if value is not None:
            words += [flag, _flag_value(value)]
    return shlex.join(words)


def data_csv(points: Points, features: list[str]) -> str:
    """The points as CSV: the model's input columns and the label column,
    training points first, then test points."""
    names = feature_names(features, points.columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*names, points.target])
    for X, y in ((points.X_train, points.y_train), (points.X_test, points.y_test)):
        values = expand(X, features)  # float32: str() is the shortest exact text
        labels = (
            [points.classes[int(c)] for c in y]
            if points.classes is not None
            else [str(v) for v in np.asarray(y, dtype=np.float32)]
        )
        for row, label in zip(values, labels, strict=True):
            writer.writerow([*(str(v) for v in row), label])
    return buffer.getvalue()


def for_epochs(settings: dict, epochs: int) -> dict:
    """The settings with ``epochs`` set to the run's whole epochs (at least 1)."""
    return {**settings, "epochs": max(1, int(epochs))}


# -- a session's exports -----------------------------------------------------------
def model_file(session) -> bytes:
    """The network as a glassnet model file (what ``net.save`` writes)."""
    with session.cond:
        if not np.all(np.isfinite(session.net.parameters_flat)):
            raise PlaygroundError(
                409,
                "The network's weights are not finite numbers (training "
                "diverged), so there is no model to save. Reset the run.",
            )
        settings = for_epochs(session.settings, session.epoch)
        metadata = {
            "config": settings,
            "dataset": session.points.name,
            "task": session.points.task,
            "feature_names": session.feature_names,
            "test_metrics": {
                k[5:]: float(v)
                for k, v in session.metrics.items()
                if k.startswith("test_") and math.isfinite(v)
            },
            "playground": {
                "config": session.config,
                "epoch": session.epoch,
                "batch": session.cursor,
                "updates": session.updates,
                "edited": session.edited,
                "history": [
                    [p[0], frames.finite(p[1]), frames.finite(p[2])]
                    for p in frames.thin(session.history, 1000)
                ],
            },
        }
        buffer = io.BytesIO()
        write_model(session.net, buffer, metadata=metadata)
        return buffer.getvalue()


def train_config(session) -> dict:
    """The ``glassnet train`` command and TOML file of this run."""
    with session.cond:
        settings = for_epochs(session.settings, session.epoch)
        gaps = _notes(session, settings["epochs"])
        notes = list(gaps)
        if session.upload is not None:
            notes.append(
                f"The command reads the uploaded file {session.upload.filename}; "
                "download it next to the command."
            )
        return {
            "command": command_line(settings),
            "toml": toml_text(settings, notes),
            "settings": settings,
            "notes": notes,
            "complete": not gaps,
        }


def _notes(session, epochs: int) -> list[str]:
    """What the command cannot reproduce of the run."""
    notes = []
    if session.config["features"] != ["x1", "x2"]:
        derived = [FEATURES[f] for f in session.config["features"]]
        notes.append(
            "glassnet train cannot compute the input features "
            f"{', '.join(d.format('x1', 'x2') for d in derived)}: the command "
            "trains on x1 and x2 only. The data CSV holds the points with these "
            "features (glassnet train --data FILE.csv splits it its own way)."
        )
    if session.cursor:
        notes.append(
            f"The run is {session.cursor} of {session.n_batches} batches into epoch "
            f"{session.epoch + 1}; the command trains {epochs} whole epoch(s)."
        )
    elif session.epoch == 0:
        notes.append("No epoch has been trained yet; the command trains 1.")
    if session.edited:
        notes.append("Weights and biases edited by hand are not in the command.")
    return notes


def points_csv(session) -> str:
    """The session's points as CSV (see :func:`data_csv`)."""
    with session.cond:
        return data_csv(session.points, session.config["features"])
