"""The results of a sweep: one record per configuration, the best model."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np

from glassnet.files.atomic import atomic_save

SCORES = {
    "classification": ("accuracy", "balanced_accuracy", "loss"),
    "regression": ("r2", "mae", "loss"),
}
#: Scores where lower is better.
_LOWER_IS_BETTER = ("loss", "mae")


class SweepResult:
    """Every configuration's record, and the best configuration's model.

    Attributes
    ----------
    results : list of dict
        In configuration order: ``index``, ``params`` (the grid's values),
        ``status`` ("ok", "failed", or "pending" if it never ran),
        ``score``, ``metrics`` (validation loss and metrics), ``epochs``,
        ``seconds``, ``error`` (for a failure: "ExceptionType: message").
    score : str
        The validation metric that ranks configurations.
    greater_is_better : bool
    best_index : int or None
        Index of the best successful configuration (ties: the first).
    """

    def __init__(self, configurations, task: str, score: str | None):
        score = score or SCORES[task][0]
        if score not in SCORES[task]:
            raise ValueError(
                f"The 'score' parameter of sweep must be one of "
                f"{', '.join(SCORES[task])} for {task}. Got {score!r} instead."
            )
        self.score = score
        self.greater_is_better = score not in _LOWER_IS_BETTER
        self.results = [
            {"index": i, "params": dict(p), "status": "pending"}
            for i, p in enumerate(configurations)
        ]
        self.best_index: int | None = None
        self._best_model: bytes | None = None

    @classmethod
    def empty(cls, configurations, task: str, score: str | None) -> SweepResult:
        return cls(configurations, task, score)

    def add(self, index: int, outcome: dict) -> dict:
        """Record one configuration's outcome; keep its model if it is the best."""
        record = self.results[index]
        record["status"] = outcome["status"]
        record["seconds"] = outcome.get("seconds")
        if outcome["status"] != "ok":
            record["error"] = outcome.get("error", "unknown error")
            return record
        record["metrics"] = outcome["metrics"]
        record["epochs"] = outcome["epochs"]
        record["score"] = value = float(outcome["metrics"][self.score])
        if math.isfinite(value) and self._beats_best(index, value):
            self.best_index = index
            self._best_model = outcome["model"]
        return record

    def _beats_best(self, index: int, value: float) -> bool:
        if self.best_index is None:
            return True
        best = self.results[self.best_index]["score"]
        if value == best:
            return index < self.best_index
        return value > best if self.greater_is_better else value < best

    # -- the best configuration ---------------------------------------------------
    @property
    def best_params(self) -> dict | None:
        """The grid's values of the best configuration."""
        return self._best("params")

    @property
    def best_score(self) -> float | None:
        return self._best("score")

    def _best(self, key: str):
        return None if self.best_index is None else self.results[self.best_index][key]

    def _require_best(self) -> bytes:
        if self._best_model is None:
            errors = {r["error"] for r in self.results if "error" in r}
            raise ValueError(
                "No configuration of the sweep succeeded"
                + (f" (errors: {'; '.join(sorted(errors))})" if errors else "")
                + "."
            )
        return self._best_model

    def save_best(self, path) -> Path:
        """Write the best configuration's model file to ``path`` (atomically)."""
        blob = self._require_best()
        path = Path(path)

        def write(tmp):
            with open(tmp, "wb") as handle:
                handle.write(blob)

        atomic_save(path, write)
        return path

    def best_network(self):
        """The best configuration's trained :class:`~glassnet.Network`."""
        from glassnet.files.model_file import load

        blob = self._require_best()
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "best.glassnet")
            with open(path, "wb") as handle:
                handle.write(blob)
            return load(path)

    # -- reports ----------------------------------------------------------------------
    def _param_names(self) -> list[str]:
        names: list[str] = []
        for record in self.results:
            names += [k for k in record["params"] if k not in names]
        return names

    def rows(self) -> tuple[list[str], list[list]]:
        """Header and one row per configuration (params, status, score, ...)."""
        params = self._param_names()
        header = ["index", *params, "status", self.score, "epochs_run", "seconds"]
        header.append("error")
        rows = []
        for r in self.results:
            values = [_cell(r["params"].get(name, "")) for name in params]
            tail = [r.get(k) for k in ("score", "epochs", "seconds", "error")]
            tail = ["" if v is None else v for v in tail]  # e.g. unknown seconds
            rows.append([r["index"], *values, r["status"], *tail])
        return header, rows

    def table(self) -> str:
        """The results as an aligned text table (the best row marked with ``*``)."""
        header, rows = self.rows()
        n_params = len(header) - 6
        cells = [header] + [
            [_text(v, i <= n_params) for i, v in enumerate(row)] for row in rows
        ]
        for row, record in zip(cells[1:], self.results, strict=True):
            row[0] += " *" if record["index"] == self.best_index else ""
        widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                 for r in cells]  # fmt: skip
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def to_frame(self):
        """The results as a pandas ``DataFrame``, one row per configuration.

        Indexed by configuration index; columns: every grid setting (its
        values as given, lists included), ``status``, the score (named after
        it, e.g. ``accuracy``), ``val_<name>`` for every validation metric,
        ``epochs_run``, ``seconds``, ``error`` and ``best`` (True on the best
        row). Missing values (a failed configuration's score) are NaN/None.

        Raises ``ModuleNotFoundError`` without pandas
        (``pip install 'glassnet[dataframe]'`` or ``pip install pandas``).
        """
        try:
            import pandas as pd
        except ModuleNotFoundError:
            raise ModuleNotFoundError(
                "SweepResult.to_frame needs pandas: pip install 'glassnet[dataframe]' "
                "(or pip install pandas); table() and to_csv() need nothing."
            ) from None
        params = self._param_names()
        metric_names: list[str] = []
        for r in self.results:
            metric_names += [k for k in r.get("metrics", {}) if k not in metric_names]
        records = []
        for r in self.results:
            row = {name: r["params"].get(name) for name in params}
            row["status"] = r["status"]
            row[self.score] = r.get("score", math.nan)
            metrics = r.get("metrics", {})
            for name in metric_names:
                value = metrics.get(name, math.nan)
                row[f"val_{name}"] = value if np.ndim(value) == 0 else list(value)
            row["epochs_run"] = r.get("epochs")
            row["seconds"] = r.get("seconds")
            row["error"] = r.get("error")
            row["best"] = r["index"] == self.best_index
            records.append(row)
        index = pd.Index([r["index"] for r in self.results], name="index")
        return pd.DataFrame.from_records(records, index=index)

    def to_dict(self) -> dict:
        """JSON-serialisable summary: score, best configuration, every record.

        A NaN or infinite number (e.g. the metrics of a configuration whose
        outputs overflowed) becomes ``None``, JSON's null.
        """
        return _json_safe(
            {
                "score": self.score,
                "greater_is_better": self.greater_is_better,
                "best_index": self.best_index,
                "best_params": self.best_params,
                "best_score": self.best_score,
                "results": self.results,
            }
        )

    def to_json(self, path) -> Path:
        """Write :meth:`to_dict` as JSON (atomically)."""
        text = json.dumps(
            self.to_dict(), indent=2, default=_json_default, allow_nan=False
        )
        return _write_text(path, text + "\n")

    def to_csv(self, path) -> Path:
        """Write one CSV row per configuration (atomically)."""
        header, rows = self.rows()
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return _write_text(path, buffer.getvalue())

    def __repr__(self) -> str:
        ok = sum(r["status"] == "ok" for r in self.results)
        return (
            f"SweepResult({len(self.results)} configurations, {ok} ok, "
            f"best {self.score}={self.best_score!r} at index {self.best_index})"
        )


def _cell(value):
    return json.dumps(value) if isinstance(value, (list, tuple, dict)) else value


def _text(value, is_param: bool) -> str:
    if isinstance(value, float):
        return f"{value:g}" if is_param else f"{value:.4f}"
    return str(value)


def _json_safe(value):
    """A copy of ``value`` with NumPy scalars as Python numbers, non-finite as None."""
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    if isinstance(value, np.ndarray):
        return _json_safe(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def _write_text(path, text: str) -> Path:
    path = Path(path)

    def write(tmp):
        with open(tmp, "w", newline="") as handle:
            handle.write(text)

    atomic_save(path, write)
    return path
