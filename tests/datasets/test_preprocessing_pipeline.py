import numpy as np
import pytest

import glassnet as gn
from glassnet.datasets.preprocessing import Preprocessing
from glassnet.datasets.scalers import FeatureSchema, StandardScaler


def labelled_problem():
    rng = np.random.default_rng(0)
    X = rng.normal(loc=[100.0, -5.0], scale=[30.0, 2.0], size=(200, 2))
    y = np.where((X[:, 0] - 100) / 30 + (X[:, 1] + 5) / 2 > 0, "yes", "no")
    return X, y


def test_a_model_trained_on_yes_no_predicts_yes_no_after_a_round_trip(tmp_path):
    X, y = labelled_problem()
    net = gn.Network.mlp([2, 8, 1], hidden="tanh", seed=0)
    net.preprocessing = Preprocessing(
        scaler=StandardScaler().fit(X),
        schema=FeatureSchema(["x1", "x2"]),
        classes=["no", "yes"],
    )
    net.fit(X, y, epochs=30, batch_size=16, optimizer=gn.SGD(lr=0.3), seed=0)
    predicted = net.predict(X)
    assert set(predicted.tolist()) == {"no", "yes"}
    assert np.mean(predicted == y) > 0.95
    assert net.evaluate(X, y)["accuracy"] == pytest.approx(np.mean(predicted == y))
    net.save(tmp_path / "m.glassnet")
    loaded = gn.load(tmp_path / "m.glassnet")
    assert loaded.preprocessing.classes == ["no", "yes"]
    assert loaded.preprocessing.feature_names == ["x1", "x2"]
    assert np.array_equal(loaded.predict(X), predicted)
    assert np.array_equal(loaded.predict_proba(X), net.predict_proba(X))


def test_scaling_is_applied_before_the_network():
    X, _ = labelled_problem()
    scaler = StandardScaler().fit(X)
    net = gn.Network.mlp([2, 3], seed=0, dtype="float64")
    raw = net.forward(scaler.transform(X))
    net.preprocessing = Preprocessing(scaler=scaler)
    assert np.array_equal(net.forward(X), raw)


def test_unknown_class_names_are_an_error():
    X, y = labelled_problem()
    net = gn.Network.mlp([2, 4, 1], seed=0)
    net.preprocessing = Preprocessing(classes=["no", "yes"])
    with pytest.raises(ValueError, match=r"Unknown class label\(s\) \['maybe'\]"):
        net.fit(X[:3], ["yes", "maybe", "no"], epochs=1)


@pytest.mark.parametrize(
    "classes",
    [
        [2**53, 2**53 + 1, 5],  # distinct ints one float64 apart
        [10**20, 10**20 + 1],
        [-(2**63), 2**63 - 1, 2**63],
    ],
)
def test_integer_classes_are_looked_up_exactly(classes):
    pre = Preprocessing(classes=classes)
    # codes by position; each label also as text (a CSV cell) and NumPy int
    # where it fits
    for k, c in enumerate(classes):
        assert pre.encode([c]).tolist() == [k]
        assert pre.encode([str(c)]).tolist() == [k]
        if -(2**63) <= c < 2**63:
            assert pre.encode(np.array([c], dtype=np.int64)).tolist() == [k]
    assert pre.encode(classes[::-1]).tolist() == list(range(len(classes)))[::-1]


@pytest.mark.parametrize(
    "classes",
    [
        [1, 1.0, 2],
        [-0.0, 0.0, 1.0],
        [2**53, float(2**53)],
        [3, "3", 4],  # text and numbers: compared as text
        ["a", "b", "a"],
        [np.int64(7), 7.0],
    ],
)
def test_classes_that_are_one_class_under_the_lookup_are_refused(classes):
    with pytest.raises(ValueError, match="distinct classes"):
        Preprocessing(classes=classes)


def test_the_documented_rule_3_3point0_and_text_3_name_one_class():
    pre = Preprocessing(classes=[3, 7.5, 9])
    assert pre.encode([3, 3.0, "3", "3.0", " 3 ", 7.5, "7.5", 9.0]).tolist() == [
        0, 0, 0, 0, 0, 1, 1, 2,
    ]  # fmt: skip
    with pytest.raises(ValueError, match=r"Unknown class label\(s\) \['4'\]"):
        pre.encode([3, 4])
    with pytest.raises(ValueError, match="finite"):
        Preprocessing(classes=[1.0, float("nan")])
