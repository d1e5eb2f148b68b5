"""Metrics on small cases worked out by hand."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import metrics as gm

# 3 classes, 8 samples. Confusion matrix (rows true, columns predicted):
#   [[2, 1, 0],
#    [0, 2, 1],
#    [1, 0, 1]]
Y_TRUE = [0, 0, 0, 1, 1, 1, 2, 2]
Y_PRED = [0, 0, 1, 1, 1, 2, 0, 2]


def test_confusion_matrix_and_accuracy():
    C = gm.confusion_matrix(Y_TRUE, Y_PRED)
    np.testing.assert_array_equal(C, [[2, 1, 0], [0, 2, 1], [1, 0, 1]])
    assert gm.accuracy(Y_TRUE, Y_PRED) == 5 / 8
    assert gm.confusion_matrix([0, 1], [1, 1], n_classes=4).shape == (4, 4)


def test_per_class_accuracy_like_lecture_003():
    # Lecture 003: "the accuracy of the class '1' is 50% and of class '5' is 100%".
    acc = gm.per_class_accuracy([1, 1, 5, 5], [1, 7, 5, 5], n_classes=8)
    assert acc[1] == 0.5 and acc[5] == 1.0
    assert np.isnan(acc[0])  # no samples of class 0
    np.testing.assert_allclose(
        gm.per_class_accuracy(Y_TRUE, Y_PRED), [2 / 3, 2 / 3, 1 / 2]
    )


def test_precision_recall_f1():
    # precision = diag / column sums, recall = diag / row sums
    precision = np.array([2 / 3, 2 / 3, 1 / 2])
    recall = np.array([2 / 3, 2 / 3, 1 / 2])
    f1 = 2 * precision * recall / (precision + recall)
    np.testing.assert_allclose(gm.precision(Y_TRUE, Y_PRED, average=None), precision)
    np.testing.assert_allclose(gm.recall(Y_TRUE, Y_PRED, average=None), recall)
    np.testing.assert_allclose(gm.f1_score(Y_TRUE, Y_PRED, average=None), f1)
    assert gm.precision(Y_TRUE, Y_PRED) == pytest.approx(precision.mean())
    assert gm.f1_score(Y_TRUE, Y_PRED) == pytest.approx(f1.mean())
    # Binary, imbalanced: precision 1/2, recall 1/3 for class 1.
    t, p = [1, 1, 1, 0, 0, 0, 0], [1, 0, 0, 1, 0, 0, 0]
    assert gm.precision(t, p, average=None)[1] == pytest.approx(0.5)
    assert gm.recall(t, p, average=None)[1] == pytest.approx(1 / 3)
    assert gm.f1_score(t, p, average=None)[1] == pytest.approx(0.4)
    # A class never predicted has precision 0, not NaN.
    assert gm.precision([0, 1], [0, 0], average=None)[1] == 0.0


def test_balanced_accuracy_is_mean_recall_over_present_classes():
    t = [0] * 8 + [1] * 2
    p = [0] * 10
    assert gm.accuracy(t, p) == 0.8
    assert gm.balanced_accuracy(t, p) == 0.5
    assert gm.balanced_accuracy(Y_TRUE, Y_PRED) == pytest.approx(
        (2 / 3 + 2 / 3 + 0.5) / 3
    )


def test_roc_auc_counts_ordered_pairs_with_ties_as_half():
    # Positives score 0.9, 0.4, 0.6; negatives 0.1, 0.4, 0.7. Of the 9 pairs,
    # the positive wins 6 (0.9 beats all 3, 0.6 beats 0.1 and 0.4, 0.4
    # beats 0.1) and ties 1 (0.4 vs 0.4): AUC = (6 + 0.5) / 9.
    y = [1, 0, 1, 0, 1, 0]
    s = [0.9, 0.1, 0.4, 0.4, 0.6, 0.7]
    assert gm.roc_auc(y, s) == pytest.approx(6.5 / 9)
    assert gm.roc_auc([0, 1], [0.2, 0.8]) == 1.0
    assert gm.roc_auc([0, 1], [0.8, 0.2]) == 0.0
    with pytest.raises(ValueError, match="both classes"):
        gm.roc_auc([1, 1], [0.2, 0.3])


def test_regression_metrics():
    y, p = [3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0]
    # errors 0.5, -0.5, 0, -1
    assert gm.mean_squared_error(y, p) == pytest.approx(1.5 / 4)
    assert gm.root_mean_squared_error(y, p) == pytest.approx(np.sqrt(1.5 / 4))
    assert gm.mean_absolute_error(y, p) == pytest.approx(0.5)
    # SS_tot = sum (y - 2.875)^2 = 29.1875, SS_res = 1.5
    assert gm.r2_score(y, p) == pytest.approx(1 - 1.5 / 29.1875)
    assert gm.r2_score([1.0, 1.0], [1.0, 1.0]) == 1.0


def test_metric_inputs_are_checked():
    with pytest.raises(ValueError, match="same number of samples"):
        gm.accuracy([0, 1], [0])
    with pytest.raises(ValueError, match="same shape"):
        gm.r2_score([1.0, 2.0], [[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"Unknown metric 'acuracy'.*accuracy"):
        gn.metrics.get("acuracy")
    with pytest.raises(ValueError, match="'average' parameter of precision"):
        gm.precision([0], [0], average="micro")


# -- through the network ----------------------------------------------------------


@pytest.fixture
def blobs():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(c, 0.5, size=(30, 2)) for c in ((0, 0), (3, 0), (0, 3))])
    return X, np.repeat([0, 1, 2], 30)


def test_evaluate_defaults_follow_the_task(blobs):
    X, y = blobs
    clf = gn.Network.mlp([2, 8, 3], seed=0)
    assert set(clf.evaluate(X, y)) == {"loss", "accuracy"}
    reg = gn.Network.mlp([2, 8, 1], loss="mse", seed=0)
    result = reg.evaluate(X, y.astype(float))
    assert set(result) == {"loss", "mae"}
    assert result["mae"] == pytest.approx(
        gm.mean_absolute_error(y, reg.predict(X)), rel=1e-5
    )


def test_evaluate_metrics_match_the_functions(blobs):
    X, y = blobs
    net = gn.Network.mlp([2, 8, 3], seed=0)
    net.fit(X, y, epochs=30, optimizer=gn.Adam(lr=0.05), seed=0)
    names = [
        "accuracy",
        "balanced_accuracy",
        "f1",
        "per_class_recall",
        "confusion_matrix",
    ]
    result = net.evaluate(X, y, metrics=names)
    pred = net.predict(X)
    assert result["accuracy"] == gm.accuracy(y, pred)
    assert result["balanced_accuracy"] == gm.balanced_accuracy(y, pred)
    assert result["f1"] == gm.f1_score(y, pred)
    np.testing.assert_array_equal(
        result["per_class_recall"], gm.recall(y, pred, average=None)
    )
    np.testing.assert_array_equal(
        result["confusion_matrix"], gm.confusion_matrix(y, pred)
    )
    assert result["accuracy"] > 0.9


def test_binary_sigmoid_network_metrics_and_roc_auc(blobs):
    X, y = blobs
    y = (y == 1).astype(int)
    net = gn.Network.mlp([2, 8, 1], seed=0)
    net.fit(X, y, epochs=20, optimizer=gn.Adam(lr=0.05), seed=0)
    result = net.evaluate(X, y, metrics=["accuracy", "roc_auc", "per_class_recall"])
    assert result["roc_auc"] == gm.roc_auc(y, net.predict_proba(X)[:, 1])
    assert result["per_class_recall"].shape == (2,)


@pytest.mark.parametrize(
    "sizes, loss, metric, message",
    [
        ([2, 4, 3], None, "r2", "'r2' is for regression; this network is a classifier"),
        ([2, 4, 1], "mse", "accuracy", "'accuracy' is for classification"),
        ([2, 4, 3], None, "roc_auc", "defined for binary tasks"),
    ],
    ids=["r2_on_classifier", "accuracy_on_regressor", "auc_on_three_classes"],
)
def test_metric_that_does_not_fit_the_task_is_refused(
    blobs, sizes, loss, metric, message
):
    X, y = blobs
    net = gn.Network.mlp(sizes, loss=loss, seed=0)
    with pytest.raises(ValueError, match=message):
        net.evaluate(X, y, metrics=[metric])
