"""California housing (Pace & Barry 1997): 20,640 census block groups."""

from __future__ import annotations

import csv
import dataclasses
import os

import numpy as np

from glassnet.core._validation import some_names
from glassnet.datasets._checks import check_choice, check_dir
from glassnet.datasets.base import Dataset
from glassnet.datasets.csv_loader import load_csv
from glassnet.datasets.paths import describe_dirs, search_dirs
from glassnet.datasets.split import train_test_split
from glassnet.datasets.table import numeric_column, read_csv_table

BASE_FEATURES = [
    "longitude",
    "latitude",
    "housing_median_age",
    "total_rooms",
    "total_bedrooms",
    "population",
    "households",
    "median_income",
]
TARGET = "median_house_value"
CSV_COLUMNS = BASE_FEATURES + [TARGET, "ocean_proximity"]
#: The target is returned in units of $100,000.
TARGET_UNIT = 100_000.0

#: source -> accepted file names (StatLib's tarball unpacks to a sub-folder)
FILES = {
    "statlib": (
        "cal_housing.data",
        os.path.join("CaliforniaHousing", "cal_housing.data"),
    ),
    "csv": ("housing.csv",),
}

_COMMON = (
    "California housing: one row per census block group of the 1990 U.S. "
    "census of California (20,640 rows), features longitude, latitude, "
    "housing median age, total rooms, total bedrooms, population, households "
    "and median income (tens of thousands of USD); target: median house value "
    "in units of $100,000 (capped at 5.00001). Source: R. K. Pace and R. Barry, "
    "'Sparse Spatial Autoregressions', Statistics & Probability Letters 33 "
    "(1997), via the StatLib repository (no explicit licence, freely "
    "redistributed for research and teaching). "
)
DESCRIPTION_STATLIB = _COMMON + (
    "Read from StatLib's cal_housing.data (complete, no missing values). "
    "Split: random, seeded."
)
DESCRIPTION_CSV = _COMMON + (
    "Read from housing.csv of A. Geron's 'Hands-On Machine Learning' "
    "repository (Apache-2.0): ocean_proximity is one-hot encoded and the 207 "
    "missing total_bedrooms are filled with the training-part median. "
    "Split: random, seeded."
)


def locate_file(data_dir=None, source: str = "auto"):
    """Return ``(path or None, form, searched directories)``.

    ``form`` is ``"statlib"`` or ``"csv"``. With ``source="auto"`` the first
    directory holding either file wins, ``cal_housing.data`` first.
    """
    check_choice(source, "source", ("auto", "statlib", "csv"))
    forms = ("statlib", "csv") if source == "auto" else (source,)
    dirs = search_dirs("california-housing", check_dir(data_dir))
    for d in dirs:
        for form in forms:
            for name in FILES[form]:
                if (d / name).is_file():
                    return d / name, form, dirs
    return None, None, dirs


def _load_statlib(path, test_size, seed) -> Dataset:
    table = read_csv_table(path, columns=BASE_FEATURES + [TARGET])
    data = np.column_stack(
        [numeric_column(table, j, allow_missing=False) for j in range(9)]
    )
    X_train, X_test, y_train, y_test = train_test_split(
        data[:, :8], data[:, 8] / TARGET_UNIT, test_size=test_size, seed=seed
    )
    return Dataset(
        X_train=X_train.astype(np.float32),
        y_train=y_train.astype(np.float32),
        X_test=X_test.astype(np.float32),
        y_test=y_test.astype(np.float32),
        feature_names=list(BASE_FEATURES),
        target_names=None,
        task="regression",
        name="california-housing",
        description=DESCRIPTION_STATLIB,
    )


def _load_csv_form(path, test_size, seed) -> Dataset:
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            columns = [cell.strip() for cell in next(csv.reader(f), [])]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"{path}: the header row cannot be read ({exc}).") from exc
    if columns != CSV_COLUMNS:
        raise ValueError(
            f"{path}: expected the header {','.join(CSV_COLUMNS)}; found "
            f"{len(columns)} columns: {some_names(columns)}."
        )
    data = load_csv(
        path,
        target=TARGET,
        test_size=test_size,
        seed=seed,
        task="regression",
        missing="median",
    )

    def scale(y: np.ndarray) -> np.ndarray:
        return (y.astype(np.float64) / TARGET_UNIT).astype(np.float32)

    return dataclasses.replace(
        data,
        y_train=scale(data.y_train),
        y_test=scale(data.y_test),
        name="california-housing",
        description=DESCRIPTION_CSV,
    )


def load_california_housing(
    data_dir: str | os.PathLike | None = None,
    *,
    test_size=0.2,
    seed=0,
    source: str = "auto",
) -> Dataset:
    """Load California housing (regression) from either published file.

    Looked up in ``data_dir``, ``data_dir/california-housing``,
    ``$GLASSNET_DATA/california-housing``, ``$GLASSNET_DATA`` and
    ``$XDG_CACHE_HOME/glassnet/california-housing`` (default
    ``~/.cache/glassnet/california-housing``); nothing is downloaded.

    - ``cal_housing.data`` (StatLib; 9 numeric columns, no header: longitude,
      latitude, housingMedianAge, totalRooms, totalBedrooms, population,
      households, medianIncome, medianHouseValue) gives the 8 base features.
    - ``housing.csv`` (Geron's variant with a header) gives the same 8 base
      features, with its 207 empty ``total_bedrooms`` filled by the training
      median, then 5 one-hot columns ``ocean_proximity=<1H OCEAN``,
      ``=INLAND``, ``=ISLAND``, ``=NEAR BAY``, ``=NEAR OCEAN``.

    Split: random (not stratified) with :func:`train_test_split` and
    ``np.random.default_rng(seed)``; default 16,512 training and 4,128 test
    rows. Both files list the same rows in the same order, so a given seed
    selects the same rows from either.

    Parameters
    ----------
    data_dir : str or os.PathLike, optional
        Directory searched first (see the module documentation).
    test_size : float in (0, 1) or int, default 0.2
        Fraction (rounded up) or number of test samples.
    seed : int >= 0 or None, default 0
        Seeds the split (None: fresh entropy).
    source : {"auto", "statlib", "csv"}, default "auto"
        Which file to read; "auto" takes the first directory holding either,
        preferring ``cal_housing.data``.

    Returns
    -------
    Dataset
        X float32 (n, 8) or (n, 13); y float32, median house value / 100,000.

    Raises
    ------
    FileNotFoundError
        No file in the searched directories (all named).
    ValueError
        Bad cells (file, line, column) or an unexpected header.
    """
    path, form, dirs = locate_file(data_dir, source)
    if path is None:
        forms = ("statlib", "csv") if source == "auto" else (source,)
        wanted = " or ".join(repr(FILES[f][0]) for f in forms)
        raise FileNotFoundError(
            f"California housing file not found. Searched: {describe_dirs(dirs)}. "
            f"Put {wanted} in one of those directories: cal_housing.data is in "
            "StatLib's cal_housing.tgz, housing.csv in the ageron/handson-ml2 "
            "repository (datasets/housing)."
        )
    if form == "statlib":
        return _load_statlib(path, test_size, seed)
    return _load_csv_form(path, test_size, seed)
