"""load_ilpd against numbers from ilpd/SOURCE.md and rows read by hand."""

import numpy as np
import pytest
from datasets_support import data_dir_fixture, require  # noqa: F401

from glassnet.datasets import load_ilpd

#: subprocesses, browsers, servers or real datasets: `pytest -m "not slow"` skips
pytestmark = pytest.mark.slow

FEATURES = [
    "Age",
    "Gender=Female",
    "Gender=Male",
    "TB",
    "DB",
    "Alkphos",
    "Sgpt",
    "Sgot",
    "TP",
    "ALB",
    "A/G Ratio",
]


def _onehot(row):
    """[age, male, ...] as the features: Age, Gender=Female, Gender=Male, ..."""
    return [row[0], 1 - row[1], row[1], *row[2:]]


# Data rows of ilpd.csv read by hand (file lines 2, 3, 211): features, target.
ROWS = [
    ([65, 0, 0.7, 0.1, 187, 16, 18, 6.8, 3.3, 0.9], 1),  # Female, Selector 1
    ([62, 1, 10.9, 5.5, 699, 64, 100, 7.5, 3.2, 0.74], 1),  # Male, Selector 1
]
# The 4 rows with an empty A/G Ratio (data rows 210, 242, 254, 313), without it.
INCOMPLETE = [
    ([45, 0, 0.9, 0.3, 189, 23, 33, 6.6, 3.9], 1),
    ([51, 1, 0.8, 0.2, 230, 24, 46, 6.5, 3.1], 1),
    ([35, 0, 0.6, 0.2, 180, 12, 15, 5.2, 2.7], 0),  # Selector 2
    ([27, 1, 1.3, 0.6, 106, 25, 54, 8.5, 4.8], 0),
]
ROWS = [(_onehot(features), target) for features, target in ROWS]
INCOMPLETE = [(_onehot(features), target) for features, target in INCOMPLETE]


@pytest.fixture(scope="module")
def ilpd_dir(data_dir):
    require(data_dir / "ilpd" / "ilpd.csv")
    return data_dir / "ilpd"


@pytest.fixture(scope="module")
def ilpd(ilpd_dir):
    return load_ilpd(ilpd_dir)


def _all(data):
    return (
        np.concatenate([data.X_train, data.X_test]),
        np.concatenate([data.y_train, data.y_test]),
    )


def _find(X, features):
    hits = np.flatnonzero(np.all(np.isclose(X[:, : len(features)], features), axis=1))
    assert hits.size == 1
    return int(hits[0])


def test_counts_and_types(ilpd):
    assert ilpd.feature_names == FEATURES
    assert ilpd.target_names == ["non-patient", "patient"]
    assert (len(ilpd.y_train), len(ilpd.y_test)) == (466, 117)  # ceil(0.2 * 583)
    X, y = _all(ilpd)
    assert X.dtype == np.float32 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [167, 416]  # Selector 2, Selector 1
    assert int(X[:, 2].sum()) == 441  # 441 male, 142 female
    assert int(X[:, 1].sum()) == 142
    assert not np.isnan(X).any()


def test_split_is_stratified(ilpd):
    ideal = 117 * 416 / 583
    assert abs(int(ilpd.y_test.sum()) - ideal) < 1


def test_rows_read_by_hand(ilpd):
    X, y = _all(ilpd)
    for features, target in ROWS:
        i = _find(X, features)
        assert y[i] == target


def test_missing_filled_with_training_median(ilpd):
    X, y = _all(ilpd)
    filled = [_find(X, features) for features, _ in INCOMPLETE]
    assert [int(y[i]) for i in filled] == [t for _, t in INCOMPLETE]
    # The median of A/G Ratio over the training rows that had a value.
    n_train = len(ilpd.y_train)
    train_known = [i for i in range(n_train) if i not in filled]
    median = float(np.median(X[train_known, 10].astype(np.float64)))
    assert X[filled, 10].tolist() == [np.float32(median)] * 4
    assert ilpd.schema.fill_values["A/G Ratio"] == pytest.approx(median)


def test_missing_drop(ilpd_dir):
    data = load_ilpd(ilpd_dir, missing="drop")
    X, y = _all(data)
    assert len(y) == 579
    for features, _ in INCOMPLETE:
        assert not np.all(np.isclose(X[:, :10], features), axis=1).any()
    assert np.bincount(y).tolist() == [165, 414]  # two of each class dropped


def test_uci_file_without_header(ilpd_dir, tmp_path):
    lines = (ilpd_dir / "ilpd.csv").read_text().splitlines(keepends=True)
    (tmp_path / "Indian Liver Patient Dataset (ILPD).csv").write_text(
        "".join(lines[1:])
    )
    data = load_ilpd(tmp_path, seed=2)
    assert len(data.y_train) + len(data.y_test) == 583


def test_lookup_through_environment(ilpd_dir, tmp_path, monkeypatch):
    (tmp_path / "ilpd").mkdir()
    (tmp_path / "ilpd" / "ilpd.csv").write_bytes((ilpd_dir / "ilpd.csv").read_bytes())
    monkeypatch.setenv("GLASSNET_DATA", str(tmp_path))
    assert load_ilpd().X_train.shape == (466, 11)


def test_not_found(tmp_path, monkeypatch):
    monkeypatch.setenv("GLASSNET_DATA", str(tmp_path / "shared"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(FileNotFoundError) as info:
        load_ilpd(tmp_path / "mine")
    message = str(info.value)
    assert "dataset id 225" in message and "'ilpd.csv'" in message
    for folder in ["mine", "mine/ilpd", "shared/ilpd", "shared", "cache/glassnet/ilpd"]:
        assert repr(str(tmp_path / folder)) in message


def test_bad_cells(tmp_path):
    header = "Age,Gender,TB,DB,Alkphos,Sgpt,Sgot,TP,ALB,A/G Ratio,Selector\n"
    good = "65,Female,0.7,0.1,187,16,18,6.8,3.3,0.9,1\n"
    (tmp_path / "ilpd.csv").write_text(header + good + "40,M,1,1,1,1,1,1,1,1,2\n")
    with pytest.raises(
        ValueError,
        match="line 3, column 'Gender': expected 'Male' or 'Female', got 'M'",
    ):
        load_ilpd(tmp_path)
    (tmp_path / "ilpd.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="expected the header Age,Gender"):
        load_ilpd(tmp_path)
    with pytest.raises(ValueError, match="'missing' parameter must be one of"):
        load_ilpd(tmp_path, missing="error")
