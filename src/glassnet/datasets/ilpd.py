"""ILPD, the Indian Liver Patient Dataset (UCI id 225): 583 patients."""

from __future__ import annotations

import os

import numpy as np

from glassnet.core._validation import short_repr, some_names
from glassnet.datasets._checks import check_choice, check_dir
from glassnet.datasets.base import Dataset
from glassnet.datasets.paths import describe_dirs, find_in, search_dirs
from glassnet.datasets.scalers import FeatureSchema
from glassnet.datasets.split import train_test_split
from glassnet.datasets.table import as_float, numeric_column, read_csv_table

COLUMNS = [
    "Age",
    "Gender",
    "TB",
    "DB",
    "Alkphos",
    "Sgpt",
    "Sgot",
    "TP",
    "ALB",
    "A/G Ratio",
    "Selector",
]
#: The input columns, as the file has them; Gender is one-hot encoded.
INPUT_COLUMNS = COLUMNS[:10]
GENDERS = ["Female", "Male"]
FEATURES = ["Age", "Gender=Female", "Gender=Male"] + COLUMNS[2:10]
#: Accepted file names: the copy with a header row, then the UCI original.
FILE_NAMES = ("ilpd.csv", "Indian Liver Patient Dataset (ILPD).csv")
UCI_URL = "https://archive.ics.uci.edu/dataset/225/ilpd+indian+liver+patient+dataset"

DESCRIPTION = (
    "ILPD (Indian Liver Patient Dataset): 583 patient records from the north "
    "east of Andhra Pradesh, India (416 liver patients, 167 non-patients), 10 "
    "features: age, gender (one-hot: Gender=Female, Gender=Male), total and direct "
    "bilirubin, alkaline phosphatase, two aminotransferases, total proteins, "
    "albumin and the albumin/globulin ratio. Target: 1 = liver patient "
    "(Selector 1), 0 = non-patient (Selector 2). Creators B. V. Ramana and N. B. "
    "Venkateswarlu; UCI Machine Learning Repository, dataset id 225, DOI "
    "10.24432/C5D02C; licence CC BY 4.0. Split: stratified by class, seeded; "
    "missing values filled with training medians or dropped."
)


def locate_file(data_dir=None):
    """Return ``(path or None, searched directories)``; nothing is downloaded."""
    dirs = search_dirs("ilpd", check_dir(data_dir))
    hit = find_in(dirs, [FILE_NAMES])
    return (hit[1][0] if hit else None), dirs


def _read(path):
    table = read_csv_table(path)
    if table.columns != COLUMNS:
        if as_float(table.columns[0]) is None:
            raise ValueError(
                f"{table.path}: expected the header {','.join(COLUMNS)} or no "
                f"header row; found {len(table.columns)} columns: "
                f"{some_names(table.columns)}."
            )
        table = read_csv_table(path, columns=COLUMNS)
    return table


def _coded(table, col: int, codes: dict[str, int]) -> np.ndarray:
    out = np.empty(table.n_rows, dtype=np.int64)
    for i, row in enumerate(table.rows):
        cell = row[col]
        if cell not in codes:
            allowed = " or ".join(repr(k) for k in codes)
            raise ValueError(
                f"{table.where(i, col)}: expected {allowed}, got {short_repr(cell)}."
            )
        out[i] = codes[cell]
    return out


def load_ilpd(
    data_dir: str | os.PathLike | None = None,
    *,
    test_size=0.2,
    seed=0,
    missing: str = "median",
) -> Dataset:
    """Load the Indian Liver Patient Dataset (binary classification).

    The file ``ilpd.csv`` (header ``Age,Gender,TB,DB,Alkphos,Sgpt,Sgot,TP,ALB,
    A/G Ratio,Selector``) or the UCI original ``Indian Liver Patient Dataset
    (ILPD).csv`` (same columns, no header) is looked up in ``data_dir``,
    ``data_dir/ilpd``, ``$GLASSNET_DATA/ilpd``, ``$GLASSNET_DATA`` and
    ``$XDG_CACHE_HOME/glassnet/ilpd`` (default ``~/.cache/glassnet/ilpd``).
    It is not downloaded.

    Split: stratified by class with :func:`train_test_split` and
    ``np.random.default_rng(seed)``; default 466 training and 117 test rows.

    Parameters
    ----------
    data_dir : str or os.PathLike, optional
        Directory searched first (see the module documentation).
    test_size : float in (0, 1) or int, default 0.2
        Fraction (rounded up) or number of test samples.
    seed : int >= 0 or None, default 0
        Seeds the split (None: fresh entropy).
    missing : {"median", "drop"}, default "median"
        The file has 4 empty ``A/G Ratio`` cells. "median": after the split,
        each missing numeric cell gets the median of its column over the
        training rows only (the values are in ``schema.fill_values``).
        "drop": rows with a missing cell are removed before the split (579
        rows remain).

    Returns
    -------
    Dataset
        X float32 (n, 11): ``Age, Gender=Female, Gender=Male, TB, DB,
        Alkphos, Sgpt, Sgot, TP, ALB, A/G Ratio``, Gender one-hot encoded as
        :func:`load_csv` encodes a text column, so ``schema`` (the columns
        ``Age .. A/G Ratio`` of the file, Gender with categories ``Female``
        and ``Male``) reads new rows in the file's own format; y int64, 1 =
        patient (Selector 1), 0 = non-patient (Selector 2);
        ``target_names = ["non-patient", "patient"]``, ``classes = [0, 1]``.

    Raises
    ------
    FileNotFoundError
        The file is in none of the searched directories (all named).
    ValueError
        An unexpected header, a bad number, gender or selector value, with
        file, line and column.
    """
    check_choice(missing, "missing", ("median", "drop"))
    path, dirs = locate_file(data_dir)
    if path is None:
        raise FileNotFoundError(
            f"ILPD file not found. Searched: {describe_dirs(dirs)}. Put "
            f"{FILE_NAMES[0]!r} (with the header row {','.join(COLUMNS)}) or the "
            f"UCI file {FILE_NAMES[1]!r} in one of those directories. Get it "
            f"from the UCI Machine Learning Repository, dataset id 225: {UCI_URL}"
        )
    table = _read(path)
    # Gender one-hot as load_csv encodes a text column (categories sorted),
    # so the model's schema reads rows in the file's own format.
    gender = _coded(table, 1, {"Male": 1, "Female": 0})  # codes into GENDERS
    y = _coded(table, 10, {"1": 1, "2": 0})
    X = np.column_stack(
        [numeric_column(table, 0, allow_missing=False), np.eye(2)[gender]]
        + [numeric_column(table, j, allow_missing=True) for j in range(2, 10)]
    )
    fills = {}
    if missing == "drop":
        keep = ~np.isnan(X).any(axis=1)
        X, y = X[keep], y[keep]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, seed=seed, stratify=y
    )
    if missing == "median":
        medians = np.nanmedian(X_train, axis=0)
        for part in (X_train, X_test):
            rows, cols = np.nonzero(np.isnan(part))
            part[rows, cols] = medians[cols]
        numeric = [name for name in FEATURES if not name.startswith("Gender=")]
        fills = {
            name: float(m)
            for name, m in zip(FEATURES, medians, strict=True)
            if name in numeric
        }
        # the most frequent gender of the training rows (ties: the first)
        fills["Gender"] = GENDERS[int(np.argmax(X_train[:, 1:3].sum(axis=0)))]
    return Dataset(
        X_train=X_train.astype(np.float32),
        y_train=y_train,
        X_test=X_test.astype(np.float32),
        y_test=y_test,
        feature_names=list(FEATURES),
        target_names=["non-patient", "patient"],
        task="classification",
        name="ilpd",
        description=DESCRIPTION,
        schema=FeatureSchema(
            INPUT_COLUMNS, categories={"Gender": GENDERS}, fill_values=fills
        ),
    )
