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
