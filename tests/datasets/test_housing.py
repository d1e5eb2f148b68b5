"""load_california_housing in both published forms (numbers from SOURCE.md)."""

import numpy as np
import pytest
from datasets_support import data_dir_fixture, require  # noqa: F401

from glassnet.datasets import load_california_housing

#: subprocesses, browsers, servers or real datasets: `pytest -m "not slow"` skips
pytestmark = pytest.mark.slow

BASE = [
    "longitude",
    "latitude",
    "housing_median_age",
    "total_rooms",
    "total_bedrooms",
    "population",
    "households",
    "median_income",
]
# SOURCE.md: ocean_proximity counts; one-hot columns come in sorted order.
OCEAN = {
    "<1H OCEAN": 9136,
    "INLAND": 6551,
    "ISLAND": 5,
    "NEAR BAY": 2290,
    "NEAR OCEAN": 2658,
}
# First line of cal_housing.data, read by hand; its value 452600 -> 4.526.
FIRST = [-122.23, 37.88, 41.0, 880.0, 129.0, 322.0, 126.0, 8.3252]


@pytest.fixture(scope="module")
def folder(data_dir):
    for name in ("cal_housing.data", "housing.csv"):
        require(data_dir / "california-housing" / name)
    return data_dir / "california-housing"


@pytest.fixture(scope="module")
def statlib(folder):
    return load_california_housing(folder, source="statlib")


@pytest.fixture(scope="module")
def csv_form(folder):
    return load_california_housing(folder, source="csv")


def _all(data):
    return (
        np.concatenate([data.X_train, data.X_test]),
        np.concatenate([data.y_train, data.y_test]),
    )


def test_statlib_form(statlib):
    assert statlib.feature_names == BASE
    assert statlib.task == "regression" and statlib.target_names is None
    assert statlib.n_classes is None
    assert (len(statlib.y_train), len(statlib.y_test)) == (16512, 4128)
    X, y = _all(statlib)
    assert X.dtype == np.float32 and y.dtype == np.float32
    # SOURCE.md: values 14999..500001, mean 206855.8 -> in units of $100,000.
    assert y.min() == np.float32(0.14999) and y.max() == np.float32(5.00001)
    assert float(y.astype(np.float64).mean()) == pytest.approx(2.068558, abs=1e-6)
    i = int(np.flatnonzero(np.all(np.isclose(X, FIRST), axis=1))[0])
    assert y[i] == np.float32(4.526)


def test_csv_form(csv_form):
    names = [f"ocean_proximity={c}" for c in OCEAN]
    assert csv_form.feature_names == BASE + names
    X, y = _all(csv_form)
    assert X.shape == (20640, 13)
    onehot = X[:, 8:]
    assert np.all(onehot.sum(axis=1) == 1)
    assert onehot.sum(axis=0).astype(int).tolist() == list(OCEAN.values())
    assert not np.isnan(X).any()
    assert csv_form.schema.categories == {"ocean_proximity": list(OCEAN)}


def test_both_forms_give_the_same_rows_and_split(statlib, csv_form):
    # Same rows in the same order, same seed: the same split.
    assert np.array_equal(statlib.y_train, csv_form.y_train)
    assert np.array_equal(statlib.y_test, csv_form.y_test)
    a, b = statlib.X_train, csv_form.X_train[:, :8]
    others = [0, 1, 2, 3, 5, 6, 7]
    assert np.array_equal(a[:, others], b[:, others])
    # total_bedrooms differs only where housing.csv left it empty (207 rows).
    differs = np.concatenate(
        [a[:, 4] != b[:, 4], statlib.X_test[:, 4] != csv_form.X_test[:, 4]]
    )
    assert 0 < differs.sum() <= 207


def test_missing_bedrooms_filled_with_training_median(statlib, csv_form):
    a, b = statlib.X_train[:, 4], csv_form.X_train[:, 4]
    filled = a != b
    median = float(np.median(b[~filled].astype(np.float64)))
    assert np.all(b[filled] == np.float32(median))
    assert csv_form.schema.fill_values["total_bedrooms"] == median


def test_auto_prefers_statlib_and_falls_back(folder, tmp_path):
    assert load_california_housing(folder).feature_names == BASE
    (tmp_path / "housing.csv").write_bytes((folder / "housing.csv").read_bytes())
    data = load_california_housing(tmp_path, test_size=0.5, seed=1)
    assert data.X_train.shape == (10320, 13)


def test_not_found_and_bad_source(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_DATA", str(tmp_path / "shared"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(FileNotFoundError) as info:
        load_california_housing(tmp_path / "mine")
    message = str(info.value)
    assert "'cal_housing.data' or 'housing.csv'" in message
    assert repr(str(tmp_path / "shared" / "california-housing")) in message
    with pytest.raises(ValueError, match="'source' parameter must be one of"):
        load_california_housing(source="sklearn")


def test_bad_files(tmp_path):
    (tmp_path / "cal_housing.data").write_text("1,2,3,4,5,6,7,8,9\n1,2,3,4,x,6,7,8,9\n")
    with pytest.raises(
        ValueError, match="line 2, column 'total_bedrooms': expected a number, got 'x'"
    ):
        load_california_housing(tmp_path)
    (tmp_path / "housing.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="expected the header longitude,latitude"):
        load_california_housing(tmp_path, source="csv")
