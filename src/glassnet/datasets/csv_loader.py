"""Load any CSV table as a :class:`Dataset`."""

from __future__ import annotations

import os
from collections import Counter

import numpy as np

from glassnet.core._validation import short_repr
from glassnet.datasets._checks import check_choice, check_int
from glassnet.datasets.base import Dataset
from glassnet.datasets.scalers import FeatureSchema
from glassnet.datasets.split import train_test_split
from glassnet.datasets.table import (
    CsvTable,
    as_int,
    column_cells,
    display_name,
    is_missing,
    is_numeric_column,
    missing_error,
    missing_mask,
    numeric_column,
    read_csv_table,
)

#: ``task="auto"`` treats an integer-valued numeric target with at most this
#: many distinct values as class labels.
MAX_AUTO_CLASSES = 20

#: Default of ``load_csv(max_categories=)``: a text column with more distinct
#: values than this (an identifier, free text) is refused rather than one-hot
#: encoded into that many features.
MAX_CATEGORIES = 100

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

_MISSING_HINT = "; pass missing='median' or missing='drop' to handle missing values"


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _kinds(table: CsvTable, categorical) -> dict[str, bool]:
    """Column name -> True if numeric."""
    if isinstance(categorical, str):
        categorical = [categorical]
    for name in categorical:
        table.column_index(name, what="column listed in 'categorical'")
    forced = set(categorical)
    return {
        name: name not in forced and is_numeric_column(table, j)
        for j, name in enumerate(table.columns)
    }


def _keep_rows(table: CsvTable, t: int, missing: str) -> np.ndarray:
    """Indices of the rows used, after the missing-value policy."""
    gaps = np.stack([missing_mask(table, j) for j in range(len(table.columns))], 1)
    if missing == "error" and gaps.any():
        i, j = np.argwhere(gaps)[0]
        raise missing_error(table, int(i), int(j), _MISSING_HINT)
    # "median" keeps every row with a target: a missing target cannot be filled.
    keep = ~gaps.any(axis=1) if missing == "drop" else ~gaps[:, t]
    if not keep.any():
        raise ValueError(
            f"{table.path}: no rows are left after removing rows with missing "
            f"values (missing={missing!r})."
        )
    return np.flatnonzero(keep)


def _exact_integers(table, t: int, rows: np.ndarray) -> np.ndarray | None:
    """The target cells of ``rows`` as exact integers when every one is an
    integer cell: int64, or Python ints (an object array) beyond its range.
    None when a cell is not an integer (``2.5``, ``2.0``, ``1e3``)."""
    cells = _cells(table, t, rows)
    text = "".join(cells)
    # only ASCII digits and no cell empty: every cell is an integer cell, and
    # with at most 18 digits below 10**18, an int64
    if all(cells) and text.isascii() and text.isdigit() and max(map(len, cells)) <= 18:
        return np.fromiter(map(int, cells), np.int64, len(cells))
    values = list(map(as_int, cells))
    if any(v is None for v in values):
        return None
    if all(INT64_MIN <= v <= INT64_MAX for v in values):
        return np.array(values, dtype=np.int64)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _cells(table: CsvTable, j: int, rows: np.ndarray) -> list[str]:
    """The cells of column ``j`` in ``rows`` (indices), in that order."""
    cells = column_cells(table, j)
    if rows.size == len(cells) and np.array_equal(rows, np.arange(rows.size)):
        return cells
    return [cells[i] for i in rows.tolist()]


def _check_class_count(table, name: str, count: int, limit: int | None) -> None:
    """Refuse a classification target with more than ``limit`` classes."""
    if limit is not None and count > limit:
        raise ValueError(
            f"{table.path}: target column {short_repr(name)} has {count:,} "
            f"distinct values, more classes than max_categories={limit}; a "
            "network would need an output unit for each. Choose another target "
            "(an identifier?), use task='regression' for a numeric one, or raise "
            "the limit: max_categories= of load_csv, --max-categories of "
            "glassnet train."
        )


def _target(table, t: int, numeric: bool, task: str, rows: np.ndarray, limit):
    """Return (y, target_names, classes, task) for the kept rows."""
    name = table.columns[t]
    exact = _exact_integers(table, t, rows) if numeric else None
    if exact is not None:
        values = exact
    elif numeric:
        values = numeric_column(table, t, allow_missing=True)[rows]
    else:
        values = np.array(_cells(table, t, rows), dtype=object)
    if task == "auto":
        distinct = np.unique(values)
        integral = exact is not None or (numeric and np.all(np.mod(values, 1) == 0))
        small = distinct.size <= MAX_AUTO_CLASSES
        task = "classification" if not numeric or (integral and small) else "regression"
    if task == "regression":
        if not numeric:
            raise ValueError(
                f"{table.path}: task='regression' needs a numeric target, but "
                f"column {short_repr(name)} holds text such as {short_repr(values[0])}."
            )
        return values.astype(np.float32), None, None, task
    classes, codes = np.unique(values, return_inverse=True)
    _check_class_count(table, name, len(classes), limit)
    # The labels keep the column's type: "1"/"2" are ints (exact), "1.5" floats.
    if exact is not None:
        labels = [int(c) for c in classes]
    elif numeric:
        labels = [float(c) for c in classes]
    else:
        labels = [str(c) for c in classes]
    names = [
        str(c) if exact is not None or not numeric else _format_number(c)
        for c in labels
    ]
    if len(classes) < 2:
        raise ValueError(
            f"{table.path}: target column {short_repr(name)} has a single class "
            f"{short_repr(names[0])}; classification needs at least 2 classes."
        )
    return codes.ravel().astype(np.int64), names, labels, task


def load_csv(
    path: str | os.PathLike,
    *,
    target: str,
    test_size=0.2,
    seed=0,
    task: str = "auto",
    missing: str = "error",
    categorical=(),
    max_categories: int | None = MAX_CATEGORIES,
    delimiter: str | None = None,
) -> Dataset:
    """Load a CSV file with a header row as a :class:`Dataset`.

    Parsing follows :mod:`glassnet.datasets.table` (stdlib ``csv`` rules,
    the separator detected from the header: ``,`` ``;`` tab or ``|``;
    missing cells are empty, ``NA``, ``NaN`` or ``?``). Columns
    other than ``target`` are features: a column is numeric when more than half
    of its non-missing cells are numbers (the others are then errors), else
    categorical. Numeric columns are used as they are; a categorical column
    ``col`` becomes one-hot features ``"col=<category>"``, categories sorted,
    in the column's place. The categories are those of all used rows.

    Split: :func:`train_test_split` with ``np.random.default_rng(seed)``,
    stratified by class for classification, plain random for regression.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file.
    target : str
        Name of the target column.
    test_size : float in (0, 1) or int, default 0.2
        Fraction (rounded up) or number of test samples.
    seed : int >= 0 or None, default 0
        Seeds the split (None: fresh entropy).
    task : {"auto", "classification", "regression"}, default "auto"
        "auto": classification if the target is non-numeric, or
        integer-valued with at most 20 distinct values; else regression.
        Class labels are sorted (numerically for numbers) and coded 0..k-1;
        ``target_names`` holds them as strings and ``classes`` in the
        column's type: int when every label cell is an integer ("2"), read
        exactly (int64, Python ints beyond; ``9007199254740993`` stays
        distinct from ``9007199254740992``), float for other numbers ("2.5",
        "2.0"), str for text. Numbers follow the CSV number grammar of
        :mod:`glassnet.datasets.table` (no ``1_000``, no non-ASCII digits).
    missing : {"error", "median", "drop"}, default "error"
        "error": any missing cell raises ValueError. "drop": rows with a
        missing cell are removed before splitting. "median": rows with a
        missing target are removed; missing feature cells are filled with the
        training part's median (numeric) or most frequent category
        (categorical; ties to the first in sorted order), computed after the
        split on training rows only. These fill values are stored in the
        returned ``schema.fill_values`` for every feature column.
    categorical : sequence of str, default ()
        Columns to treat as categorical even if their values are numbers
        (e.g. integer codes).
    max_categories : int >= 1 or None, default 100
        Most distinct values a categorical feature column may have (counted
        on the rows used). A column with more, such as an identifier or free
        text, raises ValueError naming it: one-hot encoding it would add a
        feature per value (15,000 unique IDs in 15,000 rows make a
        15,000 x 15,000 matrix). Remove such a column from the file, or raise
        the limit; None means no limit. ``glassnet train --max-categories``
        sets it. The same limit applies to the classes of a classification
        target (text, or numbers with ``task="classification"``): a target
        with more distinct values raises ValueError naming the column, the
        count and this option, before any array of that size is made (an
        output unit per class would make a 15,000-class network of a column
        of IDs).
    delimiter : str, optional
        Field separator, one character; by default detected from the header
        line as :func:`read_csv_table` describes (``glassnet train
        --delimiter`` sets it).

    Returns
    -------
    Dataset
        X float32 (n, n_features); y int64 codes or float32 values; ``name``
        is the file stem; ``schema`` describes the input columns and their
        encoding.

    Raises
    ------
    ValueError
        Naming file, line and column: bad numbers ("data.csv, line 7, column
        'age': expected a number, got 'abc'"), infinite values, missing cells
        under missing="error", ragged rows, an empty file, an unknown target
        column (naming a few available ones), a single class, a categorical
        column or a classification target with more than ``max_categories``
        distinct values.
    """
    check_choice(task, "task", ("auto", "classification", "regression"))
    check_choice(missing, "missing", ("error", "median", "drop"))
    if max_categories is not None:
        check_int(max_categories, "max_categories", minimum=1)
    if not isinstance(target, str):
        raise TypeError(
            f"The 'target' parameter must be a column name (str). Got "
            f"{type(target).__name__} instead."
        )
    table = read_csv_table(path, delimiter=delimiter)
    t = table.column_index(target, what="target column")
    if len(table.columns) < 2:
        raise ValueError(
            f"{table.path} has no feature columns besides {short_repr(target)}."
        )
    numeric = _kinds(table, categorical)
    rows = _keep_rows(table, t, missing)
    y, target_names, classes, task = _target(
        table, t, numeric[target], task, rows, max_categories
    )
    idx_train, idx_test, _, _ = train_test_split(
        np.arange(rows.size),
        y,
        test_size=test_size,
        seed=seed,
        stratify=y if task == "classification" else None,
    )
    features = [c for c in table.columns if c != target]
    X, categories, fills = _features(
        table,
        features,
        numeric,
        rows,
        idx_train,
        missing=missing,
        max_categories=max_categories,
    )
    schema = FeatureSchema(features, categories=categories, fill_values=fills)
    description = (
        f"Table read from {table.path}: {rows.size} rows used of {table.n_rows}, "
        f"{len(features)} input columns ({len(categories)} categorical, one-hot "
        f"encoded) giving {X.shape[1]} features, target column {short_repr(target)} "
        f"({task}). Missing values: {missing!r}. Split: "
        f"{'stratified' if task == 'classification' else 'random'}, "
        f"test_size={test_size!r}, seed={seed!r}. Source and licence: those of "
        "the file."
    )
    return Dataset(
        X_train=X[idx_train],
        y_train=y[idx_train],
        X_test=X[idx_test],
        y_test=y[idx_test],
        feature_names=schema.feature_names,
        target_names=target_names,
        task=task,
        name=display_name(table.path),
        description=description,
        schema=schema,
        classes=classes,
    )


def _features(table, features, numeric, rows, idx_train, *, missing, max_categories):
    """Encode the feature columns of the used ``rows``.

    Returns ``(X, categories, fills)``: X float32 of shape (rows.size,
    n_features), written in place column block by column block (no
    intermediate float64 copy); the categories of each categorical column; the
    fill values under missing="median", learned on the ``idx_train`` rows.
    """
    categories, fills = {}, {}
    for name in features:
        if not numeric[name]:
            cats = _categories(table, name, rows, max_categories)
            categories[name] = cats
            if missing == "median":
                cells = _cells(table, table.positions[name], rows[idx_train])
                fills[name] = _mode(cells, cats)
    width = len(features) - len(categories) + sum(map(len, categories.values()))
    X = np.zeros((rows.size, width), dtype=np.float32)
    start = 0
    for name in features:
        j = table.positions[name]
        if numeric[name]:
            values = numeric_column(table, j, allow_missing=True)[rows]
            if missing == "median":
                fills[name] = _median(table, name, values[idx_train])
                values[np.isnan(values)] = fills[name]
            X[:, start] = values
            start += 1
            continue
        position = {c: k for k, c in enumerate(categories[name])}
        fill = fills.get(name)
        codes = [position[fill if is_missing(c) else c] for c in _cells(table, j, rows)]
        X[np.arange(rows.size), start + np.asarray(codes, dtype=np.int64)] = 1.0
        start += len(position)
    return X, categories, fills


def _categories(
    table: CsvTable, name: str, rows: np.ndarray, limit: int | None
) -> list[str]:
    """Sorted distinct non-missing cells of a categorical column in ``rows``;
    ValueError if there are none or more than ``limit``."""
    j = table.positions[name]
    cats = set(_cells(table, j, rows))
    cats = sorted(c for c in cats if not is_missing(c))
    if not cats:
        raise ValueError(f"{table.path}: column {short_repr(name)} has no values.")
    if limit is not None and len(cats) > limit:
        raise ValueError(
            f"{table.path}: column {short_repr(name)} has "
            f"{len(cats):,} distinct values (such as {short_repr(cats[0])}), more "
            f"than max_categories={limit}; one-hot encoding would make a feature "
            "of each. Remove the column (an identifier?) or raise the limit: "
            "max_categories= of load_csv, --max-categories of glassnet train."
        )
    return cats


def _median(table: CsvTable, name: str, train_values: np.ndarray) -> float:
    present = train_values[~np.isnan(train_values)]
    if present.size == 0:
        raise ValueError(
            f"{table.path}: column {short_repr(name)} has no values in the "
            "training part, so missing='median' cannot fill it."
        )
    return float(np.median(present))


def _mode(cells: list[str], categories: list[str]) -> str:
    """Most frequent non-missing cell, ties to the first in sorted order."""
    counts = Counter(c for c in cells if not is_missing(c))
    if not counts:
        return categories[0]
    return min(counts, key=lambda c: (-counts[c], c))
