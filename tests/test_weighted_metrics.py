"""Weighted metrics: the functions, fit's epoch logs and evaluate.

Expected values come from scikit-learn's metrics with ``sample_weight``,
computed in the test, or from the arithmetic written beside them.
"""

import numpy as np
import pytest
from optional_support import require

require("sklearn", "sklearn")

from sklearn import metrics as skm  # noqa: E402

import glassnet as gn  # noqa: E402
from glassnet import metrics as gm  # noqa: E402

LABEL_CASES = [
    # (glassnet function, scikit-learn function, keyword arguments of both)
    (gm.accuracy, skm.accuracy_score, {}),
    (gm.balanced_accuracy, skm.balanced_accuracy_score, {}),
    (gm.precision, skm.precision_score, {"average": "macro", "zero_division": 0}),
    (gm.recall, skm.recall_score, {"average": "macro", "zero_division": 0}),
    (gm.f1_score, skm.f1_score, {"average": "macro", "zero_division": 0}),
    (gm.precision, skm.precision_score, {"average": None, "zero_division": 0}),
    (gm.recall, skm.recall_score, {"average": None, "zero_division": 0}),
    (gm.f1_score, skm.f1_score, {"average": None, "zero_division": 0}),
]


@pytest.fixture
def labels(rng):
    y_true = rng.integers(0, 3, size=60)
    y_pred = np.where(rng.random(60) < 0.6, y_true, rng.integers(0, 3, size=60))
    weights = rng.random(60) * 3
    weights[:10] = 0.0  # some samples do not count at all
    return y_true, y_pred, weights


@pytest.mark.parametrize(
    ("ours", "theirs", "kw"), LABEL_CASES, ids=lambda v: getattr(v, "__name__", "")
)
def test_label_metrics_weigh_samples_as_scikit_learn(labels, ours, theirs, kw):
    y_true, y_pred, w = labels
    kw_ours = {k: v for k, v in kw.items() if k != "zero_division"}
    expected = theirs(y_true, y_pred, sample_weight=w, **kw)
    np.testing.assert_allclose(
        ours(y_true, y_pred, sample_weight=w, **kw_ours), expected
    )
    # and the weights matter: without them the value differs
    assert not np.allclose(ours(y_true, y_pred, **kw_ours), expected)


def test_confusion_matrix_and_per_class_accuracy_sum_weights(labels):
    y_true, y_pred, w = labels
    C = gm.confusion_matrix(y_true, y_pred, sample_weight=w)
    np.testing.assert_allclose(C, skm.confusion_matrix(y_true, y_pred, sample_weight=w))
    np.testing.assert_allclose(
        gm.per_class_accuracy(y_true, y_pred, n_classes=3, sample_weight=w),
        skm.recall_score(y_true, y_pred, average=None, sample_weight=w),
    )


def test_macro_average_keeps_a_class_whose_samples_weigh_zero():
    # class 2 occurs once, with weight 0: scikit-learn still averages over it
    y_true, y_pred, w = [0, 0, 1, 1, 2], [0, 1, 1, 1, 2], [1, 1, 1, 1, 0]
    expected = skm.recall_score(
        y_true, y_pred, average="macro", sample_weight=w, zero_division=0
    )
    assert gm.recall(y_true, y_pred, sample_weight=w) == pytest.approx(expected)
    # (1/2 + 1 + 0) / 3 by hand
    assert expected == pytest.approx(0.5)


def test_roc_auc_weighs_pairs(rng):
    y = rng.integers(0, 2, size=50)
    scores = np.round(rng.random(50), 1)  # ties between the classes
    w = rng.random(50)
    expected = skm.roc_auc_score(y, scores, sample_weight=w)
    assert gm.roc_auc(y, scores, sample_weight=w) == pytest.approx(expected)
    # by hand: positive at 0.9 (weight 3) above the negative at 0.1 (weight 1),
    # tied with the negative at 0.9 (weight 2): (3*1 + 3*2/2) / (3*3) = 2/3
    hand = gm.roc_auc([1, 0, 0], [0.9, 0.1, 0.9], sample_weight=[3, 1, 2])
    assert hand == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="positive weight"):
        gm.roc_auc([1, 0, 0], [0.9, 0.1, 0.9], sample_weight=[0, 1, 2])


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (gm.mean_squared_error, skm.mean_squared_error),
        (gm.mean_absolute_error, skm.mean_absolute_error),
        (gm.r2_score, skm.r2_score),
    ],
    ids=["mse", "mae", "r2"],
)
@pytest.mark.parametrize("n_outputs", [1, 2])
def test_regression_metrics_weigh_samples_as_scikit_learn(rng, ours, theirs, n_outputs):
    y = rng.normal(size=(40, n_outputs))
    pred = y + rng.normal(scale=0.5, size=y.shape)
    w = rng.random(40)
    expected = theirs(y, pred, sample_weight=w)
    assert ours(y, pred, sample_weight=w) == pytest.approx(expected)
    assert ours(y, pred) != pytest.approx(expected)


def test_rmse_is_the_root_of_the_weighted_mse(rng):
    y, pred, w = rng.normal(size=20), rng.normal(size=20), rng.random(20)
    mse = np.sum(w * (y - pred) ** 2) / np.sum(w)
    assert gm.root_mean_squared_error(y, pred, sample_weight=w) == pytest.approx(
        np.sqrt(mse)
    )


@pytest.mark.parametrize(
    ("name", "value"), [("negative", [1.0, -1.0]), ("all_zero", [0.0, 0.0])]
)
def test_bad_weights_are_refused_clearly(name, value):
    with pytest.raises(ValueError, match="sample_weight"):
        gm.accuracy([0, 1], [0, 1], sample_weight=value)


# -- fit's epoch logs and evaluate ------------------------------------------------


def _flipped_copies(rng, n=60):
    """Separable 2-class data, plus a weight-0 copy of every sample with the
    other label: weighted, the copies do not exist."""
    X = rng.normal(size=(n, 2))
    y = (X[:, 0] > 0).astype(np.int64)
    X2, y2 = np.vstack([X, X]), np.r_[y, 1 - y]
    w = np.r_[np.ones(n), np.zeros(n)]
    return X2, y2, w


def _classifier():
    return gn.Network(
        [gn.Dense(2, 8, "tanh"), gn.Dense(8, 2, "softmax")],
        loss="cross_entropy",
        seed=0,
    )


def test_validation_metrics_use_the_validation_weights(rng):
    X, y, w = _flipped_copies(rng)
    net = _classifier()
    history = net.fit(
        X,
        y,
        epochs=3,
        optimizer="adam",
        metrics=["accuracy", "balanced_accuracy"],
        validation_data=(X, y, w),
    )
    predicted = net.predict(X)
    # after the last epoch: the weighted accuracy of the final weights
    for name, reference in [
        ("val_accuracy", skm.accuracy_score),
        ("val_balanced_accuracy", skm.balanced_accuracy_score),
    ]:
        expected = reference(y, predicted, sample_weight=w)
        assert history.history[name][-1] == pytest.approx(expected)
    # unweighted, every sample and its flipped copy: exactly one of them right
    assert skm.accuracy_score(y, predicted) == 0.5


def test_validation_split_keeps_the_weights_of_the_held_out_samples(rng):
    X, y, w = _flipped_copies(rng, n=100)
    net = _classifier()
    history = net.fit(
        X,
        y,
        epochs=40,
        optimizer=gn.Adam(0.05),
        batch_size=16,
        validation_split=0.5,
        sample_weight=w,
        seed=0,
    )
    # the held-out samples that count are separable: a weighted accuracy
    # near 1. Unweighted, of a sample and its flipped copy both held out
    # exactly one is right, so the accuracy stays near 1/2 to 3/4.
    assert history.history["val_accuracy"][-1] > 0.95


def test_training_metrics_are_weighted_as_the_loss(rng):
    X, y, w = _flipped_copies(rng)
    net = _classifier()
    # one full batch: the epoch's outputs are those of the initial weights,
    # before the step (training mode, with no dropout here)
    before = net.predict(X)
    history = net.fit(
        X,
        y,
        epochs=1,
        batch_size=None,
        optimizer=gn.SGD(0.1),
        metrics=["accuracy"],
        sample_weight=w,
        shuffle=False,
    )
    expected = skm.accuracy_score(y, before, sample_weight=w)
    assert history.history["accuracy"][0] == pytest.approx(expected)


def test_evaluate_weighs_the_metrics(rng):
    X = rng.normal(size=(30, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    w = rng.random(30)
    net = gn.Network([gn.Dense(3, 1, "identity")], loss="mse", seed=0)
    pred = net.predict(X)
    result = net.evaluate(X, y, metrics=["mae", "r2", "mse"], sample_weight=w)
    assert result["mae"] == pytest.approx(
        skm.mean_absolute_error(y, pred, sample_weight=w)
    )
    assert result["r2"] == pytest.approx(skm.r2_score(y, pred, sample_weight=w))
    assert result["mse"] == pytest.approx(
        skm.mean_squared_error(y, pred, sample_weight=w)
    )


def test_an_epoch_of_weight_zero_samples_only_has_nan_metrics(rng):
    X, y, w = _flipped_copies(rng, n=8)
    order = np.r_[8:16, 0:8]  # the weight-0 copies first
    X, y, w = X[order], y[order], w[order]

    class StopAfterFirstBatch(gn.Callback):
        def on_batch_end(self, batch, logs):
            self.network.stop_training = True

    history = _classifier().fit(
        X,
        y,
        epochs=1,
        batch_size=8,
        sample_weight=w,
        shuffle=False,
        callbacks=[StopAfterFirstBatch()],
    )
    # no sample of the epoch counts: a weighted accuracy is 0 / 0
    assert np.isnan(history.history["accuracy"][0])
