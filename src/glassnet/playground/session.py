"""One browser tab's run: its data, network, optimizer and training position.

Training goes batch by batch in the order :func:`glassnet.fit` uses: one
generator ``np.random.default_rng(seed)`` draws a permutation of the
training points at the start of every epoch, and each batch is one
:meth:`Network.train_step`. Playing runs the rest of the current epoch per
update; "step" runs one batch. Every method that reads or changes the
network holds the session's lock, so the page's requests and its stream
never see a half-made update.
"""

from __future__ import annotations

import copy
import json
import math
import secrets
import threading
import time

import numpy as np

from glassnet.cli._common import UsageError
from glassnet.core._validation import some_names
from glassnet.core.optimizers import get_optimizer
from glassnet.playground import export, field, frames, views
from glassnet.playground.config import NOTATIONS, Limits, PlaygroundError, shown
from glassnet.playground.data import (
    Upload,
    expand,
    feature_dataset,
    load_points,
)
from glassnet.runs.recipe import attach_preprocessing, build_network
from glassnet.training.diagnostics import dead_fraction, rms, saturation

__all__ = ["Session"]

#: The fields of a parameter edit (``col`` for a weight only).
EDIT_FIELDS = ("layer", "param", "row", "col", "value")
#: Loss-curve points kept per run (older ones are thinned beyond this).
HISTORY_LIMIT = 20000


def _bad(message: str) -> PlaygroundError:
    return PlaygroundError(400, message)


class Session:
    """A run of the playground, owned by one page.

    Parameters
    ----------
    config : dict
        Checked settings (:func:`~glassnet.playground.config.parse_config`).
    limits : Limits
    upload : Upload, optional
        The CSV file of ``data="upload"``.
    """

    def __init__(self, config: dict, limits: Limits, upload: Upload | None = None):
        self.id = secrets.token_urlsafe(16)
        self.limits = limits
        self.cond = threading.Condition(threading.RLock())
        self.version = 0
        self.playing = False
        self.closed = False
        self.stream_token = 0
        self.streaming = False
        self.touched = time.monotonic()
        self._build(config, upload)

    # -- building ----------------------------------------------------------------
    def _build(self, config: dict, upload: Upload | None) -> None:
        """Make every part first, then replace the old run (errors change nothing)."""
        try:
            points = load_points(config, upload)
            data = feature_dataset(points, config["features"])
            filename = upload.filename if upload is not None else None
            settings = export.train_settings(config, points, filename)
            net = build_network(settings, data)
            attach_preprocessing(net, settings, data)
        except PlaygroundError:
            raise
        except (UsageError, ValueError, TypeError) as exc:
            raise _bad(str(exc)) from None
        with self.cond:
            self.config, self.upload, self.points = config, upload, points
            self.settings, self.net = settings, net
            self.optimizer = get_optimizer(config["optimizer"], lr=config["lr"])
            self.X_train, self.y_train = data.X_train, data.y_train
            self.X_test, self.y_test = data.X_test, data.y_test
            self.feature_names = list(data.feature_names)
            self._start(points)
            self.version += 1

    def _start(self, points) -> None:
        n = self.X_train.shape[0]
        self.batch_size = min(self.config["batch_size"], n)
        self.n_batches = math.ceil(n / self.batch_size)
        self.order_rng = np.random.default_rng(self.config["seed"])
        self.order = None
        self.cursor = self.epoch = self.updates = 0
        self.edited = False
        self.notice = None
        # Stepping through one sample: {"point": i, "resume": playing before}.
        self.stepping: dict | None = None
        self.history: list[list] = []
        self.dense = [
            (i + 1, layer)
            for i, layer in enumerate(self.net.layers)
            if hasattr(layer, "W")
        ]
        self.kind = _output_kind(self.net)
        top = float(np.abs(np.concatenate([self.y_train, self.y_test])).max())
        self.value_range = (-top, top) if self.kind == "regression" else (0.0, 1.0)
        if self.value_range[1] <= 0:
            self.value_range = (-1.0, 1.0)
        features = self.config["features"]
        self.grid = expand(
            frames.grid_points(points.domain, frames.BOUNDARY_SIZE), features
        )
        self.unit_grid = expand(
            frames.grid_points(points.domain, frames.UNIT_SIZE), features
        )
        self._grad_sum = np.zeros(len(self.dense))
        self._grad_batches = 0
        self.grad_norms = None
        self._evaluate()

    def reconfigure(self, config: dict, upload: Upload | None = None) -> None:
        """A new run with these settings (the current upload unless given)."""
        with self.cond:
            self.playing = False
            self._build(config, upload if upload is not None else self.upload)
            self.cond.notify_all()

    def reset(self) -> None:
        """Start the run again from its seed."""
        self.reconfigure(self.config)

    # -- training ----------------------------------------------------------------
    def _train_batch(self) -> None:
        # A diverging run overflows: the page says so (see _evaluate), so
        # NumPy's warnings would only fill the terminal.
        with np.errstate(all="ignore"):
            self._train_batch_quietly()

    def _train_batch_quietly(self) -> None:
        if self.order is None:
            self.order = self.order_rng.permutation(self.X_train.shape[0])
        start = self.cursor * self.batch_size
        idx = self.order[start : start + self.batch_size]
        self.net.train_step(self.X_train[idx], self.y_train[idx], self.optimizer)
        self._grad_sum += [rms(layer.dW) for _, layer in self.dense]
        self._grad_batches += 1
        self.cursor += 1
        self.updates += 1
        if self.cursor == self.n_batches:
            self.epoch += 1
            self.cursor = 0
            self.order = None

    def step(self) -> None:
        """Pause and train on the next batch."""
        with self.cond:
            self.playing = False
            self._train_batch()
            self._evaluate()
            self.version += 1

    def advance(self) -> dict | None:
        """While playing: the rest of the epoch, then its frame (None if paused)."""
        with self.cond:
            if not self.playing or self.closed:
                return None
            self._train_batch()
            while self.cursor != 0:
                self._train_batch()
            self._evaluate()
            self.version += 1
            return self.frame()

    def play(self, playing: bool) -> None:
        with self.cond:
            if playing:
                self.stepping = None  # playing leaves the step-through
            now = bool(playing) and self.notice is None
            if now != self.playing:
                # a new version: a frame streamed before the change, arriving
                # after it, is older and cannot undo it on the page
                self.version += 1
            self.playing = now
            self.cond.notify_all()

    # -- stepping through one sample --------------------------------------------------
    def step_through(self, request: dict) -> dict:
        """Pause and trace one training point, to walk through stage by stage.

        ``request``: ``{"point": i, "notation": "wb" or "transfer",
        "decimals": d}`` (the last two optional). Training stays paused
        until :meth:`end_step_through`, which resumes it if it was playing
        when the step-through began. Returns :meth:`trace` of the point:
        the numbers the page shows are the network's own forward and
        backward pass (:func:`glassnet.inspection.trace.trace_network`).
        """
        point, notation, decimals = _step_through_request(request)
        with self.cond:
            i = _index(point, "point", self.X_train.shape[0])
            resume = self.playing if self.stepping is None else self.stepping["resume"]
            self.playing = False
            self.stepping = {"point": i, "resume": resume}
            self.version += 1
            self.cond.notify_all()
            return self.trace(i, notation, decimals)

    def end_step_through(self) -> None:
        """Leave the step-through: training resumes if it was playing before."""
        with self.cond:
            if self.stepping is None:
                return
            resume = self.stepping["resume"]
            self.stepping = None
            self.playing = resume and self.notice is None
            self.version += 1
            self.cond.notify_all()

    def _evaluate(self) -> None:
        with np.errstate(all="ignore"):
            self._evaluate_quietly()

    def _evaluate_quietly(self) -> None:
        """Losses, metrics and diagnostics of the network as it is now."""
        test = self.net.evaluate(self.X_test, self.y_test)
        train = self.net.evaluate(self.X_train, self.y_train)
        self.metrics = {f"train_{k}": v for k, v in train.items()}
        self.metrics.update({f"test_{k}": v for k, v in test.items()})
        self.net.forward(self.X_train)  # inference: each layer keeps its A and Z
        self.saturation = [
            saturation(layer.A, layer.activation) for _, layer in self.dense
        ]
        self.dead = [
            dead_fraction(layer.Z) if layer.activation.name == "relu" else None
            for _, layer in self.dense
        ]
        if self._grad_batches:
            self.grad_norms = (self._grad_sum / self._grad_batches).tolist()
            self._grad_sum[:] = 0.0
            self._grad_batches = 0
        position = self.epoch + self.cursor / self.n_batches
        self.history.append([position, train["loss"], test["loss"]])
        if len(self.history) > HISTORY_LIMIT:
            self.history = self.history[::2]
        if not (
            math.isfinite(train["loss"])
            and np.all(np.isfinite(self.net.parameters_flat))
        ):
            self.playing = False
            self.notice = (
                "Training diverged: the loss or the weights are no longer finite "
                "numbers. Lower the learning rate, then reset."
            )

    # -- what the page draws, and exports ----------------------------------------------
    def frame(self) -> dict:
        """The run's state now (see :func:`glassnet.playground.views.frame`)."""
        return views.frame(self)

    def setup(self) -> dict:
        """What stays fixed during the run (see :mod:`glassnet.playground.views`)."""
        return views.setup(self)

    def model_file(self) -> bytes:
        """The network as a glassnet model file."""
        return export.model_file(self)

    def train_config(self) -> dict:
        """The ``glassnet train`` command and TOML file of this run."""
        return export.train_config(self)

    def data_csv(self) -> str:
        """The points as CSV: the model's input columns and the label."""
        return export.points_csv(self)

    # -- editing -----------------------------------------------------------------
    def set_parameter(self, request: dict) -> None:
        """Set one weight ``W[row, col]`` or bias ``b[row]`` of a layer.

        ``request``: ``{"layer": l, "param": "W" or "b", "row": k, "col": j,
        "value": v}``, ``l`` the layer's position in the network (from 1).
        """
        if not isinstance(request, dict):
            raise _bad("The parameter edit must be a JSON object.")
        unknown = sorted(set(request) - set(EDIT_FIELDS))
        if unknown:
            raise _bad(
                f"Unknown field(s) {some_names(unknown)} in a parameter edit; "
                f"valid: {', '.join(EDIT_FIELDS)}."
            )
        with self.cond:
            layers = dict(self.dense)
            number = request.get("layer")
            if not _is_int(number) or number not in layers:
                raise _bad(
                    f"The 'layer' of a parameter edit must be one of {list(layers)}. "
                    f"Got {shown(number)} instead."
                )
            layer = layers[number]
            param = request.get("param")
            if not isinstance(param, str) or param not in ("W", "b"):
                raise _bad(
                    "The 'param' of a parameter edit must be 'W' or 'b'. Got "
                    f"{shown(param)} instead."
                )
            row = _index(request.get("row"), "row", layer.n_out)
            # A bias has no column: one given anyway must still be an index.
            col = (
                _index(request.get("col"), "col", layer.n_in)
                if (param == "W" or "col" in request)
                else None
            )
            value = _edit_value(request.get("value"))
            if param == "W":
                layer.W[row, col] = value
            else:
                layer.b[row] = value
            self.edited = True
            self.notice = None
            self._evaluate()
            self.version += 1

    # -- the numbers behind the pictures --------------------------------------------
    def input_gradients(self) -> dict:
        """``dC/dx`` of every training point's own cost, in the plane.

        ``gradient`` is a list of ``[dC/dx1, dC/dx2]``, one per training
        point in the order of the setup's ``train`` (None where not finite);
        the page draws arrows of minus it. Inference mode (no dropout); see
        :func:`glassnet.playground.field.plane_gradients`.
        """
        with self.cond:
            gradient = field.plane_gradients(
                self.net, self.points.X_train, self.y_train, self.config["features"]
            )
            return {
                "version": self.version,
                "direction": "dC/dx (the page draws -dC/dx)",
                "gradient": [[frames.finite(a), frames.finite(b)] for a, b in gradient],
            }

    def trace(self, point, notation: str = "wb", decimals=4) -> dict:
        """One step on training point ``point`` alone, in lecture notation.

        The forward and backward pass and the update of a copy of the network
        with a copy of the optimizer (its state included); the run is not
        changed. ``decimals`` (an int in [0, 16], or its digits as text) are
        the digits after the point of the plain-text rendering, as
        ``glassnet trace --decimals``; the JSON keeps every digit.
        """
        decimals = _decimals(decimals)
        if notation not in NOTATIONS:
            raise _bad(
                f"The 'notation' of a trace must be one of {', '.join(NOTATIONS)}. "
                f"Got {shown(notation)} instead."
            )
        with self.cond:
            i = _index(point, "point", self.X_train.shape[0])
            net = copy.deepcopy(self.net)
            optimizer = copy.deepcopy(self.optimizer)
            info = {
                "point": i,
                "x": [float(v) for v in self.points.X_train[i]],
                "y": _label(self.points, self.points.y_train[i]),
                "epoch": self.epoch,
                "batch": self.cursor,
                "updates": self.updates,
                "version": self.version,
            }
        trace = net.trace(
            self.X_train[i : i + 1], self.y_train[i : i + 1], optimizer=optimizer
        )
        document = json.loads(trace.render("json", notation=notation))
        info["fused_factor"] = trace.fused_factor
        info["trace"] = _finite_tree(document)
        info["decimals"] = decimals
        info["text"] = trace.render("text", notation=notation, decimals=decimals)
        return info


#: The fields of a step-through request.
STEP_THROUGH_FIELDS = ("point", "notation", "decimals")


def _step_through_request(request) -> tuple[int, str, int]:
    """``point`` (a JSON int), ``notation`` and ``decimals`` of a step-through."""
    if not isinstance(request, dict):
        raise _bad("The step-through request must be a JSON object.")
    unknown = sorted(set(request) - set(STEP_THROUGH_FIELDS))
    if unknown:
        raise _bad(
            f"Unknown field(s) {some_names(unknown)} in a step-through request; "
            f"valid: {', '.join(STEP_THROUGH_FIELDS)}."
        )
    point = request.get("point")
    if not _is_int(point):
        raise _bad(
            "The 'point' of a step-through must be an int (a training point's "
            f"number). Got {shown(point)} instead."
        )
    notation = request.get("notation", "wb")
    if not isinstance(notation, str) or notation not in NOTATIONS:
        raise _bad(
            f"The 'notation' of a trace must be one of {', '.join(NOTATIONS)}. "
            f"Got {shown(notation)} instead."
        )
    decimals = request.get("decimals", 4)
    if not _is_int(decimals) or not 0 <= decimals <= MAX_DECIMALS:
        raise _bad(
            f"The 'decimals' of a trace must be an int in the range "
            f"[0, {MAX_DECIMALS}]. Got {shown(decimals)} instead."
        )
    return point, notation, decimals


def _is_int(value) -> bool:
    """An int of JSON: not a bool (``True == 1``), not a float."""
    return isinstance(value, int) and not isinstance(value, bool)


def _edit_value(value) -> float:
    """The new value of a weight or bias: a finite number in [-1000, 1000]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad(f"The 'value' must be a number. Got {shown(value)} instead.")
    if not (-1000 <= value <= 1000 and math.isfinite(value)):
        raise _bad(
            "The 'value' must be a finite number in [-1000, 1000]. Got "
            f"{shown(value)} instead."
        )
    return float(value)


def _output_kind(net) -> str:
    if net.task == "regression":
        return "regression"
    return "binary" if net.n_outputs <= 2 else "multiclass"


def _index(value, name: str, size: int) -> int:
    # Text (a query string) counts only as plain ASCII digits, few enough to
    # be an index: "²" and a 5000-digit number are refused, not a crash.
    text = value.strip() if isinstance(value, str) else None
    if text and text.isascii() and text.isdigit() and len(text) <= 18:
        value = int(text)
    if not _is_int(value) or not 0 <= value < size:
        raise _bad(
            f"The '{name}' must be an int in the range [0, {size - 1}]. Got "
            f"{shown(value)} instead."
        )
    return value


#: Digits after the point a trace may be written with (Trace.render's range).
MAX_DECIMALS = 16


def _decimals(value) -> int:
    """``decimals`` of a trace: an int in [0, MAX_DECIMALS], or its digits."""
    text = value.strip() if isinstance(value, str) else None
    if text and text.isascii() and text.isdigit() and len(text) <= 2:
        value = int(text)
    if isinstance(value, str) and len(value) > 40:
        value = value[:40] + "..."
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 0 <= value <= MAX_DECIMALS
    ):
        raise _bad(
            f"The 'decimals' of a trace must be an int in the range "
            f"[0, {MAX_DECIMALS}]. Got {value!r} instead."
        )
    return value


def _label(points, value):
    if points.classes is not None:
        return points.classes[int(value)]
    return float(value)


def _finite_tree(value):
    """A JSON document with NaN and infinities replaced by None."""
    if isinstance(value, float):
        return frames.finite(value)
    if isinstance(value, list):
        return [_finite_tree(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite_tree(v) for k, v in value.items()}
    return value
