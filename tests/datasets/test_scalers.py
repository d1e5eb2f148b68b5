"""Scalers, label encoder and feature schema: numbers worked out by hand,
errors, and exact config round trips through JSON."""

import json
import math

import numpy as np
import pytest

from glassnet.datasets import scalers as pp
from glassnet.datasets.scalers import (
    FeatureSchema,
    LabelEncoder,
    MinMaxScaler,
    StandardScaler,
)

# Column 0: 1, 3, 5 (mean 3, population variance 8/3); column 1 constant.
X = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]])


def test_standard_scaler_by_hand():
    s = StandardScaler().fit(X)
    assert s.mean_.tolist() == [3.0, 10.0]
    assert s.scale_[0] == pytest.approx(math.sqrt(8 / 3))
    assert s.scale_[1] == 1.0  # constant column: no division by zero
    z = s.transform(X)
    r = math.sqrt(1.5)  # 2 / sqrt(8/3)
    np.testing.assert_allclose(z, [[-r, 0.0], [0.0, 0.0], [r, 0.0]])
    # New data uses the training statistics: (7 - 3) / sqrt(8/3) = sqrt(6).
    np.testing.assert_allclose(s.transform([[7.0, 12.0]]), [[math.sqrt(6), 2.0]])
    np.testing.assert_allclose(s.inverse_transform(z), X)


def test_standard_scaler_dtypes():
    s = StandardScaler().fit(X)
    assert s.transform(X.astype(np.float32)).dtype == np.float32
    assert s.transform(X.astype(np.int64)).dtype == np.float64


@pytest.mark.parametrize(
    ("feature_range", "expected", "new"),
    [((0.0, 1.0), [0.0, 0.5, 1.0], 1.5), ((-1.0, 1.0), [-1.0, 0.0, 1.0], 2.0)],
)
def test_min_max_scaler_by_hand(feature_range, expected, new):
    s = MinMaxScaler(feature_range).fit(X)
    z = s.transform(X)
    np.testing.assert_allclose(z[:, 0], expected)
    assert np.all(z[:, 1] == feature_range[0])  # constant column -> lo
    # 7 lies past the training maximum 5: (7 - 1) / 4 of the range.
    assert s.transform([[7.0, 10.0]])[0, 0] == pytest.approx(new)
    np.testing.assert_allclose(s.inverse_transform(z), X)


@pytest.mark.parametrize("cls", [StandardScaler, MinMaxScaler])
def test_scaler_errors(cls):
    s = cls()
    with pytest.raises(RuntimeError, match="not fitted"):
        s.transform(X)
    s.fit(X)
    with pytest.raises(
        ValueError, match="has 3 features but the scaler was fitted on 2"
    ):
        s.transform(np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"must be 2-D .*Got shape \(3,\)"):
        s.transform(np.zeros(3))
    with pytest.raises(ValueError, match="must be finite. Got nan at row 0, column 1"):
        cls().fit([[1.0, np.nan]])
    with pytest.raises(TypeError, match="must be numeric"):
        cls().fit([["a", "b"]])


@pytest.mark.parametrize("bad", [(1, 0), (0, 0), (0,), "01", (0, float("inf"))])
def test_min_max_bad_range(bad):
    with pytest.raises(ValueError, match="'feature_range' parameter"):
        MinMaxScaler(bad)


def test_label_encoder_strings():
    enc = LabelEncoder().fit(["yes", "no", "maybe", "no"])
    assert enc.classes_ == ["maybe", "no", "yes"]
    codes = enc.transform(["yes", "no", "maybe", "no"])
    assert codes.dtype == np.int64
    assert codes.tolist() == [2, 1, 0, 1]
    back = enc.inverse_transform(codes)
    assert back.tolist() == ["yes", "no", "maybe", "no"]


def test_label_encoder_numbers_sort_numerically():
    enc = LabelEncoder().fit(np.array([10, 2, 33, 2]))
    assert enc.classes_ == [2, 10, 33]
    assert all(type(c) is int for c in enc.classes_)  # no NumPy scalars
    assert enc.transform([33, 2]).tolist() == [2, 0]
    assert enc.inverse_transform(np.array([1])).dtype == np.int64


def test_label_encoder_errors():
    enc = LabelEncoder().fit(["a", "b"])
    with pytest.raises(
        ValueError, match="not seen in fit: 'c'. Known labels: 'a', 'b'"
    ):
        enc.transform(["a", "c"])
    with pytest.raises(ValueError, match=r"codes must be in \[0, 1\]"):
        enc.inverse_transform(np.array([2]))
    with pytest.raises(TypeError, match="mutually sortable"):
        LabelEncoder().fit([1, "a"])
    with pytest.raises(RuntimeError, match="not fitted"):
        LabelEncoder().transform(["a"])


def test_feature_schema_names_and_check():
    schema = FeatureSchema(
        ["age", "color", "size"], categories={"color": ["red", "blue"]}
    )
    assert schema.feature_names == ["age", "color=blue", "color=red", "size"]
    schema.check(["size", "color", "age"])  # order does not matter
    with pytest.raises(ValueError) as info:
        schema.check(["age", "colour", "weight"])
    message = str(info.value)
    assert "missing 'color', 'size'" in message
    assert "unexpected 'colour', 'weight'" in message
    schema.check(["age", "color", "size", "target"], allow_extra=True)
    with pytest.raises(ValueError, match="must be unique"):
        FeatureSchema(["a", "a"])
    with pytest.raises(ValueError, match="not in 'columns': 'b'"):
        FeatureSchema(["a"], categories={"b": ["x"]})


def _plain_json_types(value):
    if isinstance(value, dict):
        return all(
            isinstance(k, str) and _plain_json_types(v) for k, v in value.items()
        )
    if isinstance(value, list):
        return all(_plain_json_types(v) for v in value)
    return type(value) in (str, int, float, bool)


def _awkward_data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(50, 4)) * np.array([1e-7, 0.1, 3.0, 1e6]) + 0.1


@pytest.mark.parametrize(
    "make",
    [
        lambda: StandardScaler().fit(_awkward_data()),
        lambda: MinMaxScaler((-0.3, 0.7)).fit(_awkward_data()),
        lambda: LabelEncoder().fit(np.array(["b", "a", "c"])),
        lambda: LabelEncoder().fit(np.array([3, 1, 2])),
        lambda: LabelEncoder().fit([0.1, 0.2, 0.30000000000000004]),
        lambda: FeatureSchema(
            ["x", "c"],
            categories={"c": ["u", "v"]},
            fill_values={"x": 0.1 + 0.2, "c": "v"},
        ),
    ],
)
def test_config_round_trip_is_exact(make):
    obj = make()
    cfg = obj.to_config()
    assert _plain_json_types(cfg)
    again = pp.from_config(json.loads(json.dumps(cfg)))
    assert type(again) is type(obj)
    assert again.to_config() == cfg
    if isinstance(obj, (StandardScaler, MinMaxScaler)):
        data = _awkward_data()
        assert np.array_equal(again.transform(data), obj.transform(data))


def test_label_encoder_round_trip_keeps_codes():
    enc = LabelEncoder().fit(["no", "yes"])
    again = LabelEncoder.from_config(json.loads(json.dumps(enc.to_config())))
    assert again.transform(["yes", "no"]).tolist() == [1, 0]


def test_from_config_type_checks():
    with pytest.raises(
        ValueError, match="type='StandardScaler'. Got type='MinMaxScaler'"
    ):
        StandardScaler.from_config(MinMaxScaler().fit(X).to_config())
    with pytest.raises(ValueError, match="config 'type' must be one of"):
        pp.from_config({"type": "Nope"})
    with pytest.raises(RuntimeError, match="not fitted"):
        StandardScaler().to_config()
