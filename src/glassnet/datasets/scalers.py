"""Feature scaling, label encoding and input-column schemas.

Every transformer is fitted on training data only and can be stored in a model
file: ``to_config()`` returns a JSON-serialisable dict of plain Python lists,
floats, ints and strings, and ``from_config(cfg)`` rebuilds an identical
object (float64 statistics are stored as Python floats, whose ``repr`` round
trips exactly).

- :class:`StandardScaler`: ``(x - mean) / std`` per column.
- :class:`MinMaxScaler`: maps each column's training range onto
  ``feature_range``.
- :class:`LabelEncoder`: any sortable hashable labels to ``0 .. k-1`` and back.
- :class:`FeatureSchema`: the input columns a model expects (with the
  categories of one-hot encoded columns and the values that fill missing
  cells) and a ``check(columns)`` that names missing and unexpected columns.
"""

from __future__ import annotations

import math
import numbers
from collections import Counter

import numpy as np

from glassnet.core._validation import as_array, some_names

__all__ = [
    "FeatureSchema",
    "LabelEncoder",
    "MinMaxScaler",
    "StandardScaler",
    "from_config",
]


def _as_2d_float(X, name: str, owner: str) -> np.ndarray:
    if isinstance(X, (str, bytes)) or X is None:
        raise TypeError(
            f"{owner}: {name} must be a 2-D numeric array of shape "
            f"(n_samples, n_features). Got {type(X).__name__} instead."
        )
    arr = as_array(X)
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{owner}: {name} must be numeric. Got an array of dtype {arr.dtype} "
            "instead."
        )
    if arr.ndim != 2:
        raise ValueError(
            f"{owner}: {name} must be 2-D of shape (n_samples, n_features). "
            f"Got shape {arr.shape} instead."
        )
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        row, col = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{owner}: {name} must be finite. Got {arr[row, col]} at row {row}, "
            f"column {col}."
        )
    return arr


def _out_dtype(arr: np.ndarray) -> np.dtype:
    """float32/float64 inputs keep their dtype; integers become float64."""
    return arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float64)


def _floats(values) -> list[float]:
    return [float(v) for v in np.asarray(values, dtype=np.float64).ravel()]


def _finite_number(value) -> bool:
    """A JSON number (not a bool) that is finite as a float64."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond float64's range
        return False


def _finite_list(cfg: dict, key: str, owner: str) -> np.ndarray:
    """``cfg[key]``: a list of finite numbers (JSON's), as float64."""
    values = cfg.get(key)
    if not isinstance(values, list) or not all(map(_finite_number, values)):
        raise ValueError(
            f"{owner}.from_config: '{key}' must be a list of finite numbers."
        )
    return np.array(values, dtype=np.float64)


def _check_type(cfg, cls) -> dict:
    if not isinstance(cfg, dict):
        raise TypeError(
            f"{cls.__name__}.from_config expects a dict. Got {type(cfg).__name__} "
            "instead."
        )
    if cfg.get("type") != cls.__name__:
        raise ValueError(
            f"{cls.__name__}.from_config expects a config with "
            f"type={cls.__name__!r}. Got type={cfg.get('type')!r} instead."
        )
    return cfg


class _ColumnTransformer:
    """Shared fitted-state checks of the two scalers."""

    n_features_in_: int | None = None

    def _check_fitted(self) -> None:
        if self.n_features_in_ is None:
            raise RuntimeError(
                f"This {type(self).__name__} is not fitted yet; call fit(X) with "
                "the training data first."
            )

    def _check_input(self, X, name: str = "X") -> np.ndarray:
        self._check_fitted()
        arr = _as_2d_float(X, name, type(self).__name__)
        if arr.shape[1] != self.n_features_in_:
            raise ValueError(
                f"{type(self).__name__}: {name} has {arr.shape[1]} features but the "
                f"scaler was fitted on {self.n_features_in_}."
            )
        return arr

    def fit_transform(self, X) -> np.ndarray:
        """Fit on ``X`` (n_samples, n_features) and return it transformed."""
        return self.fit(X).transform(X)


class StandardScaler(_ColumnTransformer):
    """Standardise columns: ``z = (x - mean_) / scale_``.

    ``mean_`` and ``scale_`` (population standard deviation, ``ddof=0``) are
    computed in float64 on the data passed to :meth:`fit`, which must be the
    training data only. A constant column has standard deviation 0; its
    ``scale_`` is set to 1, so it becomes all zeros instead of dividing by zero.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,), float64
    scale_ : ndarray of shape (n_features,), float64
    n_features_in_ : int
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None
        self.n_features_in_ = None

    def fit(self, X) -> StandardScaler:
        """Compute column means and standard deviations.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, n_samples >= 1.
        """
        arr = _as_2d_float(X, "X", "StandardScaler")
        if arr.shape[0] == 0:
            raise ValueError("StandardScaler: X must have at least one row. Got 0.")
        data = arr.astype(np.float64)
        self.mean_ = data.mean(axis=0)
        std = data.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        self.n_features_in_ = arr.shape[1]
        return self

    def transform(self, X) -> np.ndarray:
        """Return ``(X - mean_) / scale_``, shape (n_samples, n_features).

        float32 input stays float32; integer input becomes float64.
        """
        arr = self._check_input(X)
        out = (arr.astype(np.float64) - self.mean_) / self.scale_
        return out.astype(_out_dtype(arr), copy=False)

    def transform_slope(self) -> np.ndarray:
        """``d x'_j / d x_j = 1 / scale_j``, shape (n_features,), float64."""
        self._check_fitted()
        return 1.0 / self.scale_

    def inverse_transform(self, Z) -> np.ndarray:
        """Return ``Z * scale_ + mean_``, shape (n_samples, n_features)."""
        arr = self._check_input(Z, "Z")
        out = arr.astype(np.float64) * self.scale_ + self.mean_
        return out.astype(_out_dtype(arr), copy=False)

    def to_config(self) -> dict:
        """JSON-serialisable state: ``{"type", "mean", "scale"}``."""
        self._check_fitted()
        return {
            "type": "StandardScaler",
            "mean": _floats(self.mean_),
            "scale": _floats(self.scale_),
        }

    @classmethod
    def from_config(cls, cfg: dict) -> StandardScaler:
        """Rebuild a fitted scaler from :meth:`to_config` output."""
        cfg = _check_type(cfg, cls)
        mean = _finite_list(cfg, "mean", cls.__name__)
        scale = _finite_list(cfg, "scale", cls.__name__)
        if mean.shape != scale.shape or np.any(scale <= 0):
            raise ValueError(
                "StandardScaler.from_config: 'mean' and 'scale' must be lists of "
                "the same length with scale > 0. Got lengths "
                f"{mean.size} and {scale.size}."
            )
        obj = cls()
        obj.mean_, obj.scale_, obj.n_features_in_ = mean, scale, mean.size
        return obj


class MinMaxScaler(_ColumnTransformer):
    """Map each column's training range ``[data_min_, data_max_]`` onto
    ``feature_range``.

    ``x' = lo + (x - data_min_) * (hi - lo) / (data_max_ - data_min_)``. A
    constant column (``data_max_ == data_min_``) has its range treated as 1, so
    it maps to ``lo`` instead of dividing by zero. Values outside the training
    range map outside ``feature_range`` (no clipping).

    Parameters
    ----------
    feature_range : tuple (lo, hi), default (0.0, 1.0)
        Target interval, ``lo < hi``.

    Attributes
    ----------
    data_min_, data_max_ : ndarray of shape (n_features,), float64
    n_features_in_ : int
    """

    def __init__(self, feature_range: tuple[float, float] = (0.0, 1.0)) -> None:
        ok = (
            isinstance(feature_range, (tuple, list))
            and len(feature_range) == 2
            and all(
                isinstance(v, numbers.Real) and not isinstance(v, bool)
                for v in feature_range
            )
            and np.all(np.isfinite(feature_range))
            and feature_range[0] < feature_range[1]
        )
        if not ok:
            raise ValueError(
                "The 'feature_range' parameter must be a pair (lo, hi) of finite "
                f"floats with lo < hi. Got {feature_range!r} instead."
            )
        self.feature_range = (float(feature_range[0]), float(feature_range[1]))
        self.data_min_: np.ndarray | None = None
        self.data_max_: np.ndarray | None = None
        self.n_features_in_ = None

    def fit(self, X) -> MinMaxScaler:
        """Record column minima and maxima of ``X`` (n_samples, n_features)."""
        arr = _as_2d_float(X, "X", "MinMaxScaler")
        if arr.shape[0] == 0:
            raise ValueError("MinMaxScaler: X must have at least one row. Got 0.")
        data = arr.astype(np.float64)
        self.data_min_ = data.min(axis=0)
        self.data_max_ = data.max(axis=0)
        self.n_features_in_ = arr.shape[1]
        return self

    def _range(self) -> np.ndarray:
        span = self.data_max_ - self.data_min_
        return np.where(span > 0, span, 1.0)

    def transform(self, X) -> np.ndarray:
        """Scale ``X`` (n_samples, n_features); float32 input stays float32."""
        arr = self._check_input(X)
        lo, hi = self.feature_range
        out = lo + (arr.astype(np.float64) - self.data_min_) * (hi - lo) / self._range()
        return out.astype(_out_dtype(arr), copy=False)

    def transform_slope(self) -> np.ndarray:
        """``d x'_j / d x_j = (hi - lo) / (data_max_j - data_min_j)``, shape
        (n_features,), float64 (a constant column's range counts as 1)."""
        self._check_fitted()
        lo, hi = self.feature_range
        return (hi - lo) / self._range()

    def inverse_transform(self, Z) -> np.ndarray:
        """Undo :meth:`transform` (constant columns come back as their value)."""
        arr = self._check_input(Z, "Z")
        lo, hi = self.feature_range
        out = (arr.astype(np.float64) - lo) * self._range() / (hi - lo) + self.data_min_
        return out.astype(_out_dtype(arr), copy=False)

    def to_config(self) -> dict:
        """JSON-serialisable state: ``{"type", "feature_range", "data_min",
        "data_max"}``."""
        self._check_fitted()
        return {
            "type": "MinMaxScaler",
            "feature_range": list(self.feature_range),
            "data_min": _floats(self.data_min_),
            "data_max": _floats(self.data_max_),
        }

    @classmethod
    def from_config(cls, cfg: dict) -> MinMaxScaler:
        """Rebuild a fitted scaler from :meth:`to_config` output."""
        cfg = _check_type(cfg, cls)
        feature_range = cfg.get("feature_range")
        if not isinstance(feature_range, list):
            raise ValueError(
                "MinMaxScaler.from_config: 'feature_range' must be a list [lo, hi]."
            )
        obj = cls(tuple(feature_range))
        dmin = _finite_list(cfg, "data_min", cls.__name__)
        dmax = _finite_list(cfg, "data_max", cls.__name__)
        if dmin.shape != dmax.shape or np.any(dmax < dmin):
            raise ValueError(
                "MinMaxScaler.from_config: 'data_min' and 'data_max' must be lists "
                "of the same length with data_min <= data_max."
            )
        obj.data_min_, obj.data_max_, obj.n_features_in_ = dmin, dmax, dmin.size
        return obj


def _plain(label):
    """NumPy scalars become the equivalent Python scalar."""
    return label.item() if isinstance(label, np.generic) else label


class LabelEncoder:
    """Encode class labels as integers ``0 .. k-1`` in sorted label order.

    Labels can be any hashable, mutually sortable values: ints, floats,
    strings, tuples. NumPy scalars are stored as Python scalars.

    Attributes
    ----------
    classes_ : list
        The distinct training labels, sorted; ``classes_[code]`` is the label.
    """

    def __init__(self) -> None:
        self.classes_: list | None = None
        self._index: dict = {}

    def fit(self, y) -> LabelEncoder:
        """Learn the sorted distinct labels of ``y`` (n_samples,)."""
        labels = [_plain(v) for v in self._as_list(y)]
        if not labels:
            raise ValueError("LabelEncoder: y must contain at least one label. Got 0.")
        try:
            classes = sorted(set(labels))
        except TypeError as exc:
            kinds = sorted({type(v).__name__ for v in labels})
            raise TypeError(
                "LabelEncoder: labels must be mutually sortable. Got labels of "
                f"types {', '.join(kinds)}."
            ) from exc
        self._set_classes(classes)
        return self

    def _set_classes(self, classes: list) -> None:
        self.classes_ = classes
        self._index = {c: i for i, c in enumerate(classes)}

    @staticmethod
    def _as_list(y) -> list:
        if isinstance(y, (str, bytes)):
            raise TypeError(
                "LabelEncoder: y must be a 1-D sequence of labels. Got a single "
                f"{type(y).__name__} instead."
            )
        if isinstance(y, np.ndarray):
            if y.ndim != 1:
                raise ValueError(
                    f"LabelEncoder: y must be 1-D. Got shape {y.shape} instead."
                )
            return y.tolist()
        return list(y)

    def _check_fitted(self) -> None:
        if self.classes_ is None:
            raise RuntimeError(
                "This LabelEncoder is not fitted yet; call fit(y) with the training "
                "labels first."
            )

    def transform(self, y) -> np.ndarray:
        """Return the int64 codes, shape (n_samples,), of the labels in ``y``."""
        self._check_fitted()
        labels = [_plain(v) for v in self._as_list(y)]
        unknown = [v for v in dict.fromkeys(labels) if v not in self._index]
        if unknown:
            raise ValueError(
                f"LabelEncoder: y contains labels not seen in fit: "
                f"{', '.join(repr(v) for v in unknown[:10])}"
                f"{' ...' if len(unknown) > 10 else ''}. Known labels: "
                f"{', '.join(repr(v) for v in self.classes_)}."
            )
        return np.array([self._index[v] for v in labels], dtype=np.int64)

    def fit_transform(self, y) -> np.ndarray:
        """Fit on ``y`` and return its codes."""
        return self.fit(y).transform(y)

    def inverse_transform(self, codes) -> np.ndarray:
        """Return the labels, shape (n_samples,), of integer ``codes``.

        The result has a str, int64 or float64 dtype when all classes are of
        that kind, else object dtype.
        """
        self._check_fitted()
        arr = np.asarray(codes)
        if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
            raise ValueError(
                "LabelEncoder: codes must be a 1-D integer array. Got shape "
                f"{arr.shape} and dtype {arr.dtype} instead."
            )
        k = len(self.classes_)
        if arr.size and (arr.min() < 0 or arr.max() >= k):
            raise ValueError(
                f"LabelEncoder: codes must be in [0, {k - 1}]. Got values from "
                f"{arr.min()} to {arr.max()}."
            )
        out = np.empty(arr.size, dtype=object)
        out[:] = [self.classes_[i] for i in arr.tolist()]
        for kind, dtype in ((str, str), (int, np.int64), (float, np.float64)):
            if all(type(c) is kind for c in self.classes_):
                return out.astype(dtype)
        return out

    def to_config(self) -> dict:
        """JSON-serialisable state: ``{"type", "classes"}``.

        Raises TypeError when a class is not a str, int, float or bool.
        """
        self._check_fitted()
        for c in self.classes_:
            if not isinstance(c, (str, int, float)):
                raise TypeError(
                    "LabelEncoder.to_config: classes must be str, int, float or "
                    f"bool to be stored. Got {c!r} of type {type(c).__name__}."
                )
        return {"type": "LabelEncoder", "classes": list(self.classes_)}

    @classmethod
    def from_config(cls, cfg: dict) -> LabelEncoder:
        """Rebuild a fitted encoder from :meth:`to_config` output."""
        cfg = _check_type(cfg, cls)
        classes = cfg.get("classes")
        if not isinstance(classes, list) or not all(
            isinstance(c, (str, int, float)) for c in classes
        ):
            raise ValueError(
                "LabelEncoder.from_config: 'classes' must be a list of str, int, "
                "float or bool labels."
            )
        if not classes or len(set(classes)) != len(classes):
            raise ValueError(
                "LabelEncoder.from_config: 'classes' must be a non-empty list of "
                f"distinct labels. Got {classes!r}."
            )
        obj = cls()
        obj._set_classes(classes)
        return obj


class FeatureSchema:
    """The input columns a model expects and how they become features.

    A numeric column is one feature with the column's name. A categorical
    column ``col`` with categories ``[c1, c2, ...]`` (sorted) becomes one-hot
    features named ``"col=c1"``, ``"col=c2"``, ... in its place.

    Parameters
    ----------
    columns : list of str
        The input column names, in order.
    categories : dict of str to list of str, optional
        Categorical columns and their categories (stored sorted).
    fill_values : dict of str to float or str, optional
        Values for missing cells per column, learned on training data (a median
        for numeric columns, the most frequent category for categorical ones).
        A column without one has no missing values allowed.
    """

    def __init__(
        self,
        columns,
        *,
        categories: dict | None = None,
        fill_values: dict | None = None,
    ) -> None:
        if isinstance(columns, str):
            raise TypeError(
                "FeatureSchema: 'columns' must be a list of column names. Got a "
                "single str instead."
            )
        columns = [str(c) for c in columns]
        known = set(columns)
        if len(known) != len(columns):
            dupes = sorted(c for c, n in Counter(columns).items() if n > 1)
            raise ValueError(
                f"FeatureSchema: column names must be unique. Got duplicates: "
                f"{some_names(dupes)}."
            )
        categories = dict(categories or {})
        fill_values = dict(fill_values or {})
        for kind, mapping in (("categories", categories), ("fill_values", fill_values)):
            extra = [c for c in mapping if c not in known]
            if extra:
                raise ValueError(
                    f"FeatureSchema: '{kind}' names columns that are not in "
                    f"'columns': {some_names(extra)}."
                )
        self.columns: list[str] = columns
        self.categories: dict[str, list[str]] = {
            c: sorted(str(v) for v in categories[c]) for c in columns if c in categories
        }
        self.fill_values: dict[str, float | str] = {
            c: (str(v) if c in self.categories else float(v))
            for c, v in fill_values.items()
        }

    @property
    def feature_names(self) -> list[str]:
        """Feature names after one-hot encoding, in model input order."""
        names = []
        for col in self.columns:
            if col in self.categories:
                names.extend(f"{col}={cat}" for cat in self.categories[col])
            else:
                names.append(col)
        return names

    @property
    def n_features(self) -> int:
        """Number of features after encoding."""
        return len(self.feature_names)

    def check(self, columns, *, allow_extra: bool = False) -> None:
        """Raise ValueError unless ``columns`` holds exactly the expected columns.

        Order does not matter. The message names the first few missing and
        unexpected columns and counts the others; with
        ``allow_extra=True`` only missing ones fail. Time is linear in the
        number of columns.
        """
        given = [str(c) for c in columns]
        given_set, expected = set(given), set(self.columns)
        missing = [c for c in self.columns if c not in given_set]
        unexpected = [] if allow_extra else [c for c in given if c not in expected]
        if missing or unexpected:
            parts = []
            if missing:
                parts.append(f"missing {some_names(missing)}")
            if unexpected:
                parts.append(f"unexpected {some_names(unexpected)}")
            raise ValueError(
                f"The input columns do not match the {len(self.columns)} columns "
                f"the model was trained on: {'; '.join(parts)}."
            )

    def to_config(self) -> dict:
        """JSON-serialisable state: ``{"type", "columns", "categories",
        "fill_values"}``."""
        return {
            "type": "FeatureSchema",
            "columns": list(self.columns),
            "categories": {c: list(v) for c, v in self.categories.items()},
            "fill_values": dict(self.fill_values),
        }

    @classmethod
    def from_config(cls, cfg: dict) -> FeatureSchema:
        """Rebuild a schema from :meth:`to_config` output."""
        cfg = _check_type(cfg, cls)
        columns = cfg.get("columns")
        if not _str_list(columns):
            raise ValueError(
                "FeatureSchema.from_config: 'columns' must be a list of str."
            )
        categories = cfg.get("categories") or {}
        if not isinstance(categories, dict) or not all(
            _str_list(cats) and len(set(cats)) == len(cats)
            for cats in categories.values()
        ):
            raise ValueError(
                "FeatureSchema.from_config: 'categories' must map column names to "
                "lists of distinct str."
            )
        fill_values = cfg.get("fill_values") or {}
        if not isinstance(fill_values, dict) or not all(
            isinstance(v, str) if c in categories else _finite_number(v)
            for c, v in fill_values.items()
        ):
            raise ValueError(
                "FeatureSchema.from_config: 'fill_values' must map numeric columns "
                "to finite numbers and categorical columns to str."
            )
        return cls(columns, categories=categories, fill_values=fill_values)

    def __eq__(self, other) -> bool:
        if not isinstance(other, FeatureSchema):
            return NotImplemented
        return self.to_config() == other.to_config()

    __hash__ = None

    def __repr__(self) -> str:
        return (
            f"FeatureSchema({len(self.columns)} columns, "
            f"{len(self.categories)} categorical, {self.n_features} features)"
        )


def _str_list(values) -> bool:
    return isinstance(values, list) and all(isinstance(v, str) for v in values)


_TYPES = {
    cls.__name__: cls
    for cls in (StandardScaler, MinMaxScaler, LabelEncoder, FeatureSchema)
}


def from_config(cfg: dict):
    """Rebuild any transformer of this module from its ``to_config()`` dict."""
    kind = cfg.get("type") if isinstance(cfg, dict) else None
    if kind not in _TYPES:
        raise ValueError(
            f"The config 'type' must be one of {', '.join(map(repr, _TYPES))}. "
            f"Got {kind!r} instead."
        )
    return _TYPES[kind].from_config(cfg)
