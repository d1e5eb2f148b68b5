"""Checks of public inputs, with one message form.

Messages name the parameter, what is allowed, and what was received, e.g.
"The 'lr' parameter of SGD must be a float in (0, inf). Got -1 instead."
"""

from __future__ import annotations

import collections
import numbers

import numpy as np


def as_array(data) -> np.ndarray:
    """``np.asarray(data)``, with pandas' nullable columns made NumPy numbers.

    A pandas DataFrame or Series whose columns are all numeric or boolean,
    nullable extension dtypes (``Int64``, ``UInt8``, ``Float64``,
    ``boolean``) included, becomes an array of the columns' common NumPy
    dtype; if any value is missing (``pd.NA``), a float64 array with NaN
    there, which the callers then refuse as non-finite. Anything else (text
    or categorical columns included) is ``np.asarray(data)``. pandas is never
    imported here: only objects that pandas made are looked at.
    """
    if not type(data).__module__.startswith("pandas") or not hasattr(data, "to_numpy"):
        return np.asarray(data)
    ndim = getattr(data, "ndim", 0)
    dtypes = [data.dtype] if ndim == 1 else list(getattr(data, "dtypes", []))
    if ndim not in (1, 2) or all(isinstance(d, np.dtype) for d in dtypes):
        return np.asarray(data)  # plain NumPy columns: NumPy's own conversion
    try:
        numpy_dtypes = [np.dtype(getattr(d, "numpy_dtype", d)) for d in dtypes]
    except TypeError:  # e.g. a categorical column: no NumPy equivalent
        return np.asarray(data)
    if not numpy_dtypes or any(d.kind not in "biuf" for d in numpy_dtypes):
        return np.asarray(data)
    missing = np.asarray(data.isna()).any()
    if missing:
        return data.to_numpy(dtype=np.float64, na_value=np.nan)
    return data.to_numpy(dtype=np.result_type(*numpy_dtypes))


def check_X(X, *, n_features: int | None = None, name: str = "X") -> np.ndarray:
    """Return ``X`` as a 2-D numeric finite array, or raise a clear error.

    Integer and unsigned arrays (e.g. uint8 images) are accepted as they are;
    the network converts each batch to its dtype. pandas columns of nullable
    dtypes (``Int64``, ``Float64``, ``boolean``) are accepted as the NumPy
    numbers they hold; a missing value (``pd.NA``) is NaN, refused as every
    non-finite value is (see :func:`as_array`).

    A SciPy sparse matrix or array (anything with ``tocsr``, e.g. CSR or CSC
    after a TF-IDF step) is returned as CSR, never densified: the network
    densifies one batch at a time (:meth:`glassnet.Network.as_batch`).
    SciPy is not imported here.
    """
    if hasattr(X, "tocsr") and hasattr(X, "shape") and hasattr(X, "dtype"):
        return _check_sparse(X, n_features, name)
    if isinstance(X, (str, bytes)) or X is None:
        raise TypeError(
            f"{name} must be a 2-D numeric array of shape (n_samples, n_features). "
            f"Got {type(X).__name__} instead."
        )
    try:
        arr = as_array(X)
    except ValueError as exc:
        raise ValueError(
            f"{name} must be a 2-D numeric array of shape (n_samples, n_features); "
            "its rows have different lengths."
        ) from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must be numeric (int or float). Got an array of dtype "
            f"{arr.dtype} instead."
        )
    if arr.ndim != 2:
        hint = " (use X.reshape(-1, 1) for a single feature)" if arr.ndim == 1 else ""
        raise ValueError(
            f"{name} must be 2-D of shape (n_samples, n_features). Got an array "
            f"with {arr.ndim} dimension(s), shape {arr.shape}{hint}."
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must contain at least one sample. Got 0 rows.")
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(
            f"{name} has {arr.shape[1]} features per sample but the network's "
            f"first layer expects {n_features}."
        )
    # A NaN or an infinity makes the sum of squares non-finite: one pass (a
    # BLAS dot product on every core) without a temporary, instead of a
    # boolean copy of the whole array. (A sum that overflows from finite
    # values is looked at entry by entry.)
    if arr.dtype.kind == "f" and not _all_finite(arr):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{name} must be finite. Got {arr[tuple(bad)]} at row {bad[0]}, "
            f"column {bad[1]}."
        )
    return arr


def _check_sparse(X, n_features, name: str):
    """:func:`check_X`'s checks for a sparse matrix, which becomes CSR."""
    if len(X.shape) != 2:
        raise ValueError(
            f"{name} must be 2-D of shape (n_samples, n_features). Got a sparse "
            f"array of shape {X.shape} instead."
        )
    if np.dtype(X.dtype).kind not in "biuf":
        raise TypeError(
            f"{name} must be numeric (int or float). Got a sparse matrix of dtype "
            f"{X.dtype} instead."
        )
    X = X.tocsr()
    if X.shape[0] == 0:
        raise ValueError(f"{name} must contain at least one sample. Got 0 rows.")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(
            f"{name} has {X.shape[1]} features per sample but the network's "
            f"first layer expects {n_features}."
        )
    if X.dtype.kind == "f" and not np.all(np.isfinite(X.data)):
        raise ValueError(
            f"{name} must be finite. Got NaN or infinity among its values."
        )
    return X


def _all_finite(arr: np.ndarray) -> bool:
    with np.errstate(over="ignore", invalid="ignore"):
        if arr.flags.c_contiguous:
            flat = arr.reshape(-1)
            if np.isfinite(np.dot(flat, flat)):
                return True
        elif np.isfinite(arr.sum()):
            return True
    return bool(np.all(np.isfinite(arr)))


def check_y_length(X: np.ndarray, y, *, name: str = "y") -> np.ndarray:
    """``y`` as an array with as many rows as ``X``."""
    if y is None:
        raise TypeError(f"{name} is required: the targets for the samples in X.")
    arr = as_array(y)
    if arr.ndim == 0 or arr.shape[0] != X.shape[0]:
        got = "a scalar" if arr.ndim == 0 else f"{arr.shape[0]} targets"
        raise ValueError(
            f"X and {name} must have the same number of samples. Got "
            f"{X.shape[0]} samples in X and {got} in {name}."
        )
    return arr


def check_number(
    value,
    name: str,
    owner: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    integer: bool = False,
    allow_none: bool = False,
):
    """Validate a scalar hyperparameter against an interval."""
    if value is None and allow_none:
        return None
    kind = "int" if integer else "float"
    lo = "-inf" if low is None else low
    hi = "inf" if high is None else high
    interval = (
        f"{'(' if low_open or low is None else '['}{lo}, {hi}"
        f"{')' if high_open or high is None else ']'}"
    )
    message = (
        f"The '{name}' parameter of {owner} must be "
        f"{'an' if integer else 'a'} {kind} in the range {interval}"
        f"{' or None' if allow_none else ''}. Got {value!r} instead."
    )
    valid_type = (
        isinstance(value, numbers.Integral)
        if integer
        else isinstance(value, numbers.Real)
    )
    if isinstance(value, bool) or not valid_type:
        raise (TypeError if not isinstance(value, numbers.Number) else ValueError)(
            message
        )
    if not np.isfinite(value):
        raise ValueError(message)
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError(message)
    if high is not None and (value > high or (high_open and value == high)):
        raise ValueError(message)
    return int(value) if integer else float(value)


def check_sample_weight(
    sample_weight, n_samples: int, *, dtype=np.float64, name: str = "sample_weight"
):
    """Sample weights as a float array of shape (n_samples,) with mean 1.

    Weights must be finite, non-negative and not all zero. They are rescaled
    to average 1, so that scaling every weight by the same factor changes
    nothing and equal weights give the unweighted mean. Errors name
    ``name`` (e.g. "sample_weight_val" for a validation triple's weights).
    """
    if isinstance(sample_weight, (str, bytes)):
        raise TypeError(
            f"{name} must be an array of shape (n_samples,) of non-negative "
            f"numbers. Got {type(sample_weight).__name__} instead."
        )
    w = as_array(sample_weight)
    if w.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must be numeric. Got an array of dtype {w.dtype} instead."
        )
    if w.ndim != 1 or w.shape[0] != n_samples:
        raise ValueError(
            f"{name} must have shape ({n_samples},), one weight per sample. "
            f"Got shape {w.shape} instead."
        )
    w = w.astype(np.float64)
    if not np.all(np.isfinite(w)):
        raise ValueError(f"{name} must be finite. Got NaN or infinity.")
    if np.any(w < 0):
        bad = int(np.argmax(w < 0))
        raise ValueError(
            f"{name} must be non-negative. Got {float(w[bad])!r} at index {bad}."
        )
    total = w.sum()
    if total == 0:
        raise ValueError(f"{name} must not be all zero.")
    return (w * (n_samples / total)).astype(dtype)


def short_repr(value, *, width: int = 60) -> str:
    """``repr(value)`` of a name or cell from a file, cut to about ``width``
    characters (``'aaaa...'``) so that one huge cell cannot flood a message."""
    text = str(value)
    if len(text) <= width:
        return repr(text)
    return repr(text[:width]) + "..."


def some_names(names, *, limit: int = 5) -> str:
    """The first ``limit`` of ``names`` and how many more there are.

    Error messages list offending names through this, so that a file with
    50,000 bad column names gives a one-line message, e.g.
    ``"'a', 'b', 'c', 'd', 'e' and 49,995 more"``. Names are shown with
    :func:`short_repr`, so control characters in them are escaped.
    """
    names = list(names)
    shown = ", ".join(short_repr(name) for name in names[:limit])
    rest = len(names) - limit
    return shown if rest <= 0 else f"{shown} and {rest:,} more"


def column_order(X, feature_names, *, name: str = "X") -> list[int] | None:
    """Where each of a model's features is among ``X``'s named columns.

    ``X`` with a ``columns`` attribute of str names (a pandas or polars
    DataFrame) and a model that knows its ``feature_names`` are matched by
    name, as scikit-learn matches ``feature_names_in_``: the result lists,
    for each feature in model order, the index of its column in ``X``
    (``None`` when they are already in order). Without names on either
    side (an array, a frame with integer column labels, a model without
    names), ``X`` is taken by position and the result is ``None``.

    Raises ValueError, naming a few missing and unexpected columns and the
    counts, when the names are not the model's feature names in some order.
    """
    columns = getattr(X, "columns", None)
    if columns is None or not feature_names or isinstance(X, np.ndarray):
        return None
    given = list(columns)
    if not given or not all(isinstance(c, str) for c in given):
        return None
    names = [str(n) for n in feature_names]
    if given == names:
        return None
    position = {c: i for i, c in enumerate(given)}
    if len(position) == len(given) and set(given) == set(names):
        return [position[n] for n in names]
    expected = set(names)
    missing = [n for n in names if n not in position]
    unexpected = [c for c in given if c not in expected]
    counts = collections.Counter(given)
    repeated = (
        sorted(c for c, n in counts.items() if n > 1)
        if not (missing or unexpected)
        else []
    )
    parts = [
        f"{label} {some_names(items)} ({len(items)})"
        for label, items in (
            ("missing", missing),
            ("unexpected", unexpected),
            ("repeated", repeated),
        )
        if items
    ]
    raise ValueError(
        f"The columns of {name} must be the model's {len(names)} feature names, "
        f"in any order. Got {len(given)} columns: {'; '.join(parts)} instead."
    )


def short_int(value: int, *, digits: int = 40) -> str:
    """``str(value)`` of a number from a file, or its first digits and its
    length when it has more than ``digits`` (``'123456...(2,400 digits)'``)."""
    text = str(value)
    if len(text.lstrip("-")) <= digits:
        return text
    return f"{text[:6]}...({len(text.lstrip('-')):,} digits)"


def short_shape(shape, *, limit: int = 6, sep: str = " x ") -> str:
    """An array shape read from a file, joined by ``sep``, cut after ``limit``
    dimensions (``'1 x 1 x 1 x 1 x 1 x 1 x ... (255 dimensions)'``), so a
    damaged header cannot make a message of thousands of characters."""
    dims = [short_int(d) for d in shape]
    if len(dims) <= limit:
        return sep.join(dims)
    return f"{sep.join(dims[:limit])}{sep}... ({len(dims)} dimensions)"
