"""The points of a playground run: a generated 2-D set or an uploaded CSV file.

Generated sets come from :func:`glassnet.datasets.load` with the run's
``n_samples``, ``noise``, ``test_size`` and ``seed`` -- the call that
``glassnet train --data NAME`` makes -- and an upload is read by
:func:`glassnet.datasets.load_csv`, as ``glassnet train --data FILE.csv``
reads it. The network sees the chosen input features of the two coordinates
(:func:`expand`), in the order of :data:`~glassnet.playground.config.FEATURES`.
"""

from __future__ import annotations

import functools
import math
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from glassnet.datasets import Dataset, load, load_csv, read_csv_table
from glassnet.datasets.table import as_float, is_missing, numeric_column
from glassnet.datasets.toy import GENERATORS, REGRESSION
from glassnet.playground.config import FEATURES, Limits, PlaygroundError

__all__ = [
    "Points",
    "Upload",
    "dataset_samples",
    "expand",
    "feature_dataset",
    "load_points",
    "read_upload",
]

#: The Playground draws its sets on [-6, 6]^2.
PLAYGROUND_BOX = (-6.0, 6.0, -6.0, 6.0)
#: Points per dataset in the page's thumbnails of the generated sets.
SAMPLE_POINTS = 100
#: Label column names recognised in an upload (else the last column).
LABEL_NAMES = ("label", "y", "class", "target")
#: Content types a browser gives a CSV file (or none at all).
CSV_TYPES = (
    "",
    "text/csv",
    "text/plain",
    "application/csv",
    "application/vnd.ms-excel",
    "application/octet-stream",
    "text/comma-separated-values",
)


@dataclass(frozen=True)
class Upload:
    """A CSV file the page sent: its name, bytes and label column."""

    filename: str
    content: bytes
    label: str


@dataclass(frozen=True)
class Points:
    """The two coordinates and the targets of a run, split.

    Attributes
    ----------
    X_train : ndarray of shape (n_train, 2), float32
    y_train : ndarray of shape (n_train,)
        int64 class codes or float32 values.
    X_test : ndarray of shape (n_test, 2), float32
    y_test : ndarray of shape (n_test,)
    task : {"classification", "regression"}
    classes : list of str or None
        Class names, ``classes[code]``.
    columns : tuple of str
        Names of the two coordinates (``("x1", "x2")`` for generated sets).
    target : str
        Name of the label column.
    name : str
        Dataset name, or the uploaded file's stem.
    domain : tuple of float
        ``(x1_min, x1_max, x2_min, x2_max)`` of the plots.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    task: str
    classes: list[str] | None
    columns: tuple[str, str]
    target: str
    name: str
    domain: tuple[float, float, float, float]


def expand(X: np.ndarray, features: list[str]) -> np.ndarray:
    """The input features of 2-D points.

    Parameters
    ----------
    X : ndarray of shape (n, 2)
    features : list of str
        Keys of :data:`FEATURES`: ``x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2``.

    Returns
    -------
    ndarray of shape (n, len(features)), float32
    """
    x1 = np.asarray(X[:, 0], dtype=np.float64)
    x2 = np.asarray(X[:, 1], dtype=np.float64)
    table = {
        "x1": lambda: x1,
        "x2": lambda: x2,
        "x1sq": lambda: x1 * x1,
        "x2sq": lambda: x2 * x2,
        "x1x2": lambda: x1 * x2,
        "sinx1": lambda: np.sin(x1),
        "sinx2": lambda: np.sin(x2),
    }
    return np.column_stack([table[f]() for f in features]).astype(np.float32)


def feature_names(features: list[str], columns: tuple[str, str]) -> list[str]:
    """Column names of the features, e.g. ``x1^2`` or ``sin(x2)``."""
    return [FEATURES[f].format(*columns) for f in features]


def feature_dataset(points: Points, features: list[str]) -> Dataset:
    """A :class:`Dataset` of the input features, for building the network."""
    return Dataset(
        X_train=expand(points.X_train, features),
        y_train=points.y_train,
        X_test=expand(points.X_test, features),
        y_test=points.y_test,
        feature_names=feature_names(features, points.columns),
        target_names=points.classes,
        task=points.task,
        name=points.name,
        description=f"{points.name} in the playground",
        # the playground trains on class codes: the model keeps the names
        classes=points.classes,
    )


def _square_box(X: np.ndarray) -> tuple[float, float, float, float]:
    """A square around every point with a 10% margin."""
    low, high = X.min(axis=0).astype(float), X.max(axis=0).astype(float)
    centre = (low + high) / 2
    half = max(float((high - low).max()) / 2 * 1.1, 1e-3)
    return (centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half)


def _domain(X: np.ndarray, generated: bool) -> tuple[float, float, float, float]:
    """The Playground's box for its sets (points outside are not drawn, as
    there); a square around the points for small sets (moons) and uploads."""
    if generated and float(np.ptp(X, axis=0).max()) > 6.0:
        return PLAYGROUND_BOX
    return _square_box(X)


def load_points(config: dict, upload: Upload | None) -> Points:
    """The points of a run, split with the run's ``test_size`` and ``seed``."""
    if config["data"] == "upload":
        if upload is None:
            raise PlaygroundError(
                400, "The 'upload' dataset needs a CSV file: upload one first."
            )
        return _upload_points(upload, config)
    data = load(
        config["data"],
        n_samples=config["n_samples"],
        noise=config["noise"],
        test_size=config["test_size"],
        seed=config["seed"],
    )
    X = np.vstack([data.X_train, data.X_test])
    return Points(
        X_train=data.X_train,
        y_train=data.y_train,
        X_test=data.X_test,
        y_test=data.y_test,
        task=data.task,
        classes=data.target_names,
        columns=("x1", "x2"),
        target="label",
        name=data.name,
        domain=_domain(X, generated=True),
    )


@functools.cache
def dataset_samples(n_points: int = SAMPLE_POINTS, seed: int = 0) -> dict:
    """A small sample of every generated set, for the page's thumbnails.

    Each set as ``glassnet.datasets.toy.GENERATORS[name](n_points, noise=0,
    seed=seed)`` makes it, drawn on the box a run of it is drawn on.

    Returns
    -------
    dict
        By dataset name: ``points``, a list of ``n_points`` rows
        ``[x1, x2, y]`` (coordinates to 3 decimals; ``y`` a class code, or a
        value for the :data:`~glassnet.datasets.toy.REGRESSION` sets);
        ``domain`` ``[x1_min, x1_max, x2_min, x2_max]``; ``task``
        ``"classification"`` or ``"regression"``; ``value_range``
        ``[-top, top]`` with ``top`` the largest ``|y|`` (1 for classes).
    """
    samples = {}
    for name, generate in GENERATORS.items():
        X, y = generate(n_points, noise=0.0, seed=seed)
        regression = name in REGRESSION
        top = float(np.abs(y).max()) if regression else 1.0
        label = (lambda v: round(float(v), 3)) if regression else int
        samples[name] = {
            "points": [
                [round(float(a), 3), round(float(b), 3), label(v)]
                for (a, b), v in zip(X, y, strict=True)
            ],
            "domain": [round(float(v), 3) for v in _domain(X, generated=True)],
            "task": "regression" if regression else "classification",
            "value_range": [-top, top] if top > 0 else [-1.0, 1.0],
        }
    return samples


# -- uploads -------------------------------------------------------------------
def _safe_filename(name: str) -> str:
    stem = Path(name or "upload.csv").name
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "upload"
    if not stem.lower().endswith(".csv"):
        stem += ".csv"
    return stem[-80:]


def _check_bytes(content: bytes, filename: str, content_type: str) -> None:
    kind = content_type.split(";")[0].strip().lower()
    if kind not in CSV_TYPES:
        raise PlaygroundError(
            415,
            f"{filename} is not a CSV file (its type is {kind}). Upload a "
            "comma-separated text file with a header row, e.g. x1,x2,label.",
        )
    if b"\x00" in content:
        raise PlaygroundError(
            415,
            f"{filename} is not a CSV file: it holds binary data. Upload a "
            "comma-separated text file with a header row, e.g. x1,x2,label.",
        )
    try:
        content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlaygroundError(
            415, f"{filename} is not a CSV file: its text is not UTF-8."
        ) from None


def _label_column(columns: list[str]) -> str:
    for name in columns:
        if name.strip().lower() in LABEL_NAMES:
            return name
    return columns[-1]


def _with_file(content: bytes, filename: str, work):
    """Run ``work(path)`` on the bytes saved as ``filename`` in a fresh folder;
    messages name the file as the user called it."""
    with tempfile.TemporaryDirectory(prefix="glassnet-playground-") as folder:
        path = Path(folder) / filename
        path.write_bytes(content)
        try:
            return work(path)
        except (ValueError, TypeError, OSError) as exc:
            message = str(exc).replace(str(path), filename)
            raise PlaygroundError(400, message) from None


def _check_table(path: Path, filename: str, limits: Limits) -> str:
    table = read_csv_table(path)
    if len(table.columns) != 3:
        # A few names, each cut short: a header of 50,000 names stays one line.
        shown = ", ".join(name[:40] for name in table.columns[:5])
        if len(table.columns) > 5:
            shown += f" and {len(table.columns) - 5:,} more"
        raise ValueError(
            f"{filename} has {len(table.columns)} columns ({shown}); the "
            "playground needs 3: two numeric features and a label."
        )
    if all(as_float(c) is not None for c in table.columns):
        raise ValueError(
            f"{filename}: the first line must be a header naming the columns "
            f"(e.g. x1,x2,label); got the numbers {', '.join(table.columns)}."
        )
    if table.n_rows > limits.max_points:
        raise ValueError(
            f"{filename} has {table.n_rows} rows; the playground takes at most "
            f"{limits.max_points} points."
        )
    label = _label_column(table.columns)
    for j, name in enumerate(table.columns):
        if name != label:
            numeric_column(table, j, allow_missing=False)
    t = table.columns.index(label)
    missing = [i for i, row in enumerate(table.rows) if is_missing(row[t])]
    if missing:
        raise ValueError(f"{table.where(missing[0], t)}: the label is missing.")
    return label


def read_upload(
    content: bytes, filename: str, content_type: str, limits: Limits
) -> Upload:
    """Check an uploaded file; the error names the file, line and column.

    Raises
    ------
    PlaygroundError
        413 too large, 415 not CSV text, 400 a problem with its contents
        (columns, header, non-numeric or missing values, too many rows or
        classes).
    """
    filename = _safe_filename(filename)
    if len(content) > limits.max_upload_bytes:
        raise PlaygroundError(
            413,
            f"{filename} is {len(content):,} bytes; uploads are limited to "
            f"{limits.max_upload_bytes:,} bytes.",
        )
    _check_bytes(content, filename, content_type)
    label = _with_file(
        content, filename, lambda path: _check_table(path, filename, limits)
    )
    upload = Upload(filename=filename, content=content, label=label)
    points = _upload_points(upload, {"test_size": 0.5, "seed": 0})
    n_classes = len(points.classes or ())
    if n_classes > limits.max_classes:
        raise PlaygroundError(
            400,
            f"{filename}: the label column {label!r} has {n_classes} classes; the "
            f"playground shows at most {limits.max_classes}.",
        )
    return upload


def _upload_points(upload: Upload, config: dict) -> Points:
    def work(path):
        return load_csv(
            path,
            target=upload.label,
            test_size=config["test_size"],
            seed=config["seed"],
        )

    data = _with_file(upload.content, upload.filename, work)
    X = np.vstack([data.X_train, data.X_test])
    if not np.all(np.isfinite(X)) or not math.isfinite(float(np.abs(X).max())):
        raise PlaygroundError(400, f"{upload.filename}: the features are not finite.")
    return Points(
        X_train=data.X_train,
        y_train=data.y_train,
        X_test=data.X_test,
        y_test=data.y_test,
        task=data.task,
        classes=data.target_names,
        columns=tuple(data.feature_names),
        target=upload.label,
        name=data.name,
        domain=_domain(X, generated=False),
    )
