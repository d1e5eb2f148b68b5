"""Metrics: how good predictions are, for classifiers and regressors.

The functions take NumPy arrays -- class labels ``y_true``, ``y_pred`` of
shape (n_samples,), scores, or regression values -- and follow
scikit-learn's definitions. :func:`get_metric` resolves the names used in
``fit(metrics=[...])`` and :meth:`Network.evaluate`; the defaults follow the
task: accuracy for classifiers, MAE for regressors.

Classification (lecture 003: accuracy and per-class accuracy):

* ``accuracy`` -- fraction of samples predicted correctly;
* ``per_class_accuracy`` -- for each class, the fraction of its samples
  predicted correctly (its recall);
* ``confusion_matrix`` -- ``C[i, j]`` counts samples of class ``i``
  predicted as ``j``;
* ``precision`` / ``recall`` / ``f1`` -- per class, or their macro average
  over the classes present in ``y_true`` or ``y_pred``;
* ``balanced_accuracy`` -- mean per-class recall over the classes present
  in ``y_true`` (robust to imbalance);
* ``roc_auc`` -- area under the ROC curve of a binary task's scores.

Regression: ``mse``, ``rmse``, ``mae``, ``r2``.

Every function takes ``sample_weight`` (shape (n_samples,), non-negative,
not all zero), as scikit-learn's do: a sample of weight ``w`` counts as
``w`` samples -- weighted accuracy ``sum w_i [y_i = y_hat_i] / sum w_i``,
weighted counts in the confusion matrix, weighted means and sums of squares
in the regression metrics, weighted pairs in ROC AUC. Which classes a macro
average runs over does not depend on the weights (scikit-learn's rule).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from glassnet.core._validation import check_sample_weight

__all__ = [
    "get",
    "evaluation_report",
    "METRICS",
    "Metric",
    "accuracy",
    "balanced_accuracy",
    "confusion_matrix",
    "f1_score",
    "get_metric",
    "mean_absolute_error",
    "mean_squared_error",
    "per_class_accuracy",
    "precision",
    "r2_score",
    "recall",
    "roc_auc",
    "root_mean_squared_error",
]


def _labels(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true).ravel()
    y_pred = np.asarray(y_pred).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(
            "y_true and y_pred must have the same number of samples. Got "
            f"{y_true.shape[0]} and {y_pred.shape[0]}."
        )
    if y_true.size == 0:
        raise ValueError("y_true and y_pred must contain at least one sample.")
    return y_true.astype(np.int64), y_pred.astype(np.int64)


def _weights(sample_weight, n_samples: int) -> np.ndarray | None:
    """The weights as given, float64 of shape (n_samples,), checked; or None."""
    if sample_weight is None:
        return None
    check_sample_weight(sample_weight, n_samples)
    return np.asarray(sample_weight, dtype=np.float64)


def accuracy(y_true, y_pred, *, sample_weight=None) -> float:
    """Fraction of correct predictions (lecture 003).

    With ``sample_weight``: ``sum w_i [y_i = y_hat_i] / sum w_i``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted integer class labels.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights, not all zero: a sample of weight ``w`` counts
        as ``w`` samples.

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    ValueError
        If ``y_true`` and ``y_pred`` differ in length or are empty, or for
        invalid weights.

    Examples
    --------
    >>> from glassnet.metrics import accuracy
    >>> accuracy([0, 1, 1, 0], [0, 1, 0, 0])
    0.75
    >>> accuracy([0, 1, 1, 0], [0, 1, 0, 0], sample_weight=[1, 1, 2, 0])
    0.5
    """
    y_true, y_pred = _labels(y_true, y_pred)
    w = _weights(sample_weight, y_true.size)
    return float(np.average(y_true == y_pred, weights=w))


def confusion_matrix(
    y_true, y_pred, *, n_classes: int | None = None, sample_weight=None
) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of class ``i`` predicted as class ``j``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        Integer class labels in ``[0, n_classes)``.
    n_classes : int, optional
        Default: ``1 + the largest label``.
    sample_weight : array-like of shape (n_samples,), optional
        Each sample adds its weight instead of 1 (scikit-learn's rule).

    Returns
    -------
    ndarray of shape (n_classes, n_classes)
        int64 counts, or float64 sums of weights with ``sample_weight``.

    Raises
    ------
    ValueError
        If ``y_true`` and ``y_pred`` differ in length or are empty, for a
        negative label, a label ``>= n_classes``, or invalid weights.

    Examples
    --------
    >>> from glassnet.metrics import confusion_matrix
    >>> confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2])
    array([[1, 0, 0],
           [0, 1, 1],
           [0, 0, 1]])
    """
    y_true, y_pred = _labels(y_true, y_pred)
    w = _weights(sample_weight, y_true.size)
    if min(y_true.min(), y_pred.min()) < 0:
        raise ValueError("Class labels must be non-negative integers.")
    k = int(max(y_true.max(), y_pred.max())) + 1
    if n_classes is not None:
        if k > n_classes:
            raise ValueError(f"Got the label {k - 1} with n_classes={n_classes}.")
        k = n_classes
    # Each (true, predicted) pair is one cell of the k x k table.
    counts = np.bincount(y_true * k + y_pred, weights=w, minlength=k * k)
    return counts.reshape(k, k)


def per_class_accuracy(
    y_true, y_pred, *, n_classes: int | None = None, sample_weight=None
) -> np.ndarray:
    """For each class, the fraction of its samples predicted correctly.

    Lecture 003: "the accuracy of the class '1' is 50%". This is each class's
    recall (weighted: the fraction of its weight).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted integer class labels.
    n_classes : int, optional
        Default: ``1 + the largest label``.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights, not all zero: a sample of weight ``w`` counts
        as ``w`` samples.

    Returns
    -------
    ndarray of shape (n_classes,)
        NaN for a class without samples, or whose samples all weigh 0.

    Raises
    ------
    ValueError
        As :func:`confusion_matrix`.

    Examples
    --------
    >>> from glassnet.metrics import per_class_accuracy
    >>> per_class_accuracy([0, 0, 1, 1], [0, 1, 1, 1])
    array([0.5, 1. ])
    """
    C = confusion_matrix(
        y_true, y_pred, n_classes=n_classes, sample_weight=sample_weight
    )
    support = C.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.diag(C) / support


def _per_class(
    y_true, y_pred, n_classes, average: str | None, which: str, sample_weight=None
):
    """Precision, recall or F1 per class, or their macro average."""
    if average not in (None, "macro"):
        raise ValueError(
            f"The 'average' parameter of {which} must be None (per class) or "
            f"'macro'. Got {average!r} instead."
        )
    C = confusion_matrix(
        y_true, y_pred, n_classes=n_classes, sample_weight=sample_weight
    )
    tp = np.diag(C).astype(np.float64)
    predicted, actual = C.sum(axis=0), C.sum(axis=1)
    # A class never predicted has precision 0 (scikit-learn's zero_division=0).
    prec = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    rec = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    if which == "precision":
        values = prec
    elif which == "recall":
        values = rec
    else:
        # F1 = harmonic mean of precision and recall = 2 P R / (P + R)
        denominator = prec + rec
        values = np.divide(
            2 * prec * rec, denominator, out=np.zeros_like(tp), where=denominator > 0
        )
    if average is None:
        return values
    # the classes that occur in y_true or y_pred, whatever their weights
    # (scikit-learn's labels for a macro average)
    occurs = np.zeros(C.shape[0], dtype=bool)
    for labels in _labels(y_true, y_pred):
        occurs[labels] = True
    return float(values[occurs].mean())


def precision(
    y_true, y_pred, *, average: str | None = "macro", n_classes=None, sample_weight=None
):
    """Precision ``TP / (TP + FP)`` per class (``average=None``) or macro mean.

    A class with no predicted (precision) or no true (recall) samples
    scores 0; the macro mean runs over the classes present in ``y_true`` or
    ``y_pred`` (scikit-learn's rule).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted integer class labels.
    average : {"macro", None}, default "macro"
        None gives the value of each class.
    n_classes : int, optional
        Default: ``1 + the largest label``.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights, not all zero: a sample of weight ``w`` counts
        as ``w`` samples.

    Returns
    -------
    float or ndarray of shape (n_classes,)
        The macro mean, or the value of each class.

    Raises
    ------
    ValueError
        For another ``average``, labels of different lengths, negative
        labels or a label ``>= n_classes``.

    Examples
    --------
    >>> from glassnet.metrics import precision
    >>> precision([0, 0, 1, 1], [0, 1, 1, 1], average=None)  # 1/1 and 2/3
    array([1.        , 0.66666667])
    """
    return _per_class(y_true, y_pred, n_classes, average, "precision", sample_weight)


def recall(
    y_true, y_pred, *, average: str | None = "macro", n_classes=None, sample_weight=None
):
    """Recall ``TP / (TP + FN)`` per class (``average=None``) or macro mean.

    A class with no predicted (precision) or no true (recall) samples
    scores 0; the macro mean runs over the classes present in ``y_true`` or
    ``y_pred`` (scikit-learn's rule).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted integer class labels.
    average : {"macro", None}, default "macro"
        None gives the value of each class.
    n_classes : int, optional
        Default: ``1 + the largest label``.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights, not all zero: a sample of weight ``w`` counts
        as ``w`` samples.

    Returns
    -------
    float or ndarray of shape (n_classes,)
        The macro mean, or the value of each class.

    Raises
    ------
    ValueError
        For another ``average``, labels of different lengths, negative
        labels or a label ``>= n_classes``.
    """
    return _per_class(y_true, y_pred, n_classes, average, "recall", sample_weight)


def f1_score(
    y_true, y_pred, *, average: str | None = "macro", n_classes=None, sample_weight=None
):
    """F1 ``2 P R / (P + R)`` per class (``average=None``) or macro mean.

    A class with no predicted (precision) or no true (recall) samples
    scores 0; the macro mean runs over the classes present in ``y_true`` or
    ``y_pred`` (scikit-learn's rule).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted integer class labels.
    average : {"macro", None}, default "macro"
        None gives the value of each class.
    n_classes : int, optional
        Default: ``1 + the largest label``.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights, not all zero: a sample of weight ``w`` counts
        as ``w`` samples.

    Returns
    -------
    float or ndarray of shape (n_classes,)
        The macro mean, or the value of each class.

    Raises
    ------
    ValueError
        For another ``average``, labels of different lengths, negative
        labels or a label ``>= n_classes``.
    """
    return _per_class(y_true, y_pred, n_classes, average, "f1", sample_weight)


def balanced_accuracy(y_true, y_pred, *, sample_weight=None) -> float:
    """Mean recall over the classes present in ``y_true`` (with weight > 0).

    Robust to class imbalance (scikit-learn's ``balanced_accuracy_score``).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted integer class labels.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights, not all zero: a sample of weight ``w`` counts
        as ``w`` samples.

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    ValueError
        If ``y_true`` and ``y_pred`` differ in length or are empty, or for
        invalid weights.

    Examples
    --------
    >>> from glassnet.metrics import balanced_accuracy
    >>> balanced_accuracy([0, 0, 0, 1], [0, 0, 0, 0])  # recalls 1 and 0
    0.5
    """
    y_true, y_pred = _labels(y_true, y_pred)
    recalls = per_class_accuracy(y_true, y_pred, sample_weight=sample_weight)
    return float(np.nanmean(recalls))


def roc_auc(y_true, scores, *, sample_weight=None) -> float:
    """Area under the ROC curve of a binary task.

    The probability that a random positive sample scores higher than a
    random negative one (ties count half), computed from ranks
    (Mann-Whitney U): ``(sum of positive ranks - P (P + 1) / 2) / (P N)``.
    With ``sample_weight`` each (positive, negative) pair counts with the
    product of their weights, which is the area under the weighted ROC
    curve (scikit-learn's).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        0/1 labels; both classes must occur (with a positive weight).
    scores : array-like of shape (n_samples,)
        Higher means more likely class 1 (e.g. ``predict_proba(X)[:, 1]``).
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights, not all zero.

    Returns
    -------
    float
        In [0, 1]; 0.5 for scores that do not tell the classes apart.

    Raises
    ------
    ValueError
        If ``y_true`` and ``scores`` differ in length, only one class occurs
        (with a positive weight), or for invalid weights.

    Examples
    --------
    >>> from glassnet.metrics import roc_auc
    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])  # 3 of 4 pairs ordered
    0.75
    """
    y_true = np.asarray(y_true).ravel()
    scores = np.asarray(scores, dtype=np.float64).ravel()
    if y_true.shape != scores.shape:
        raise ValueError(
            "y_true and scores must have the same number of samples. Got "
            f"{y_true.shape[0]} and {scores.shape[0]}."
        )
    positive = y_true == 1
    w = _weights(sample_weight, y_true.size)
    if w is not None:
        return _weighted_auc(positive, scores, w)
    n_pos = int(positive.sum())
    n_neg = y_true.size - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError(
            "roc_auc needs samples of both classes in y_true; only one is present."
        )
    return float(
        (_average_ranks(scores)[positive].sum() - n_pos * (n_pos + 1) / 2)
        / (n_pos * n_neg)
    )


def _weighted_auc(positive: np.ndarray, scores: np.ndarray, w: np.ndarray) -> float:
    """``sum_{i pos, j neg} w_i w_j ([s_i > s_j] + [s_i = s_j] / 2) / (W+ W-)``."""
    w_pos, w_neg = np.where(positive, w, 0.0), np.where(positive, 0.0, w)
    total_pos, total_neg = w_pos.sum(), w_neg.sum()
    if total_pos == 0 or total_neg == 0:
        raise ValueError(
            "roc_auc needs samples of both classes in y_true with a positive "
            "weight; only one has."
        )
    # per distinct score: the positive and negative weight at it, and the
    # negative weight strictly below it
    distinct, group = np.unique(scores, return_inverse=True)
    pos_at = np.bincount(group, weights=w_pos, minlength=distinct.size)
    neg_at = np.bincount(group, weights=w_neg, minlength=distinct.size)
    neg_below = np.cumsum(neg_at) - neg_at
    pairs = np.sum(pos_at * (neg_below + 0.5 * neg_at))
    return float(pairs / (total_pos * total_neg))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n of ``values``, tied values sharing their mean rank."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    # Start of each run of equal values, and the mean rank of each run.
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], values.size]
    run_rank = (starts + 1 + ends) / 2.0
    ranks = np.empty(values.size)
    ranks[order] = np.repeat(run_rank, ends - starts)
    return ranks


def _values(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.ndim == 1:
        y_true = y_true.reshape(-1, 1)
    if y_pred.ndim == 1:
        y_pred = y_pred.reshape(-1, 1)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape. Got {y_true.shape} and "
            f"{y_pred.shape}."
        )
    return y_true, y_pred


def mean_squared_error(y_true, y_pred, *, sample_weight=None) -> float:
    """Mean squared error ``1/(n k) sum (y - y_hat)^2``, in squared units.

    Weighted: ``sum_i w_i (y_i - y_hat_i)^2 / sum_i w_i``, averaged over outputs.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True and predicted values.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights, not all zero: a sample of weight ``w`` counts
        as ``w`` samples.

    Returns
    -------
    float
        In the squared units of the targets.

    Raises
    ------
    ValueError
        If ``y_true`` and ``y_pred`` differ in shape, or for invalid weights.

    Examples
    --------
    >>> from glassnet.metrics import mean_squared_error
    >>> mean_squared_error([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
    1.3333333333333333
    """
    y_true, y_pred = _values(y_true, y_pred)
    w = _weights(sample_weight, y_true.shape[0])
    return float(np.mean(np.average((y_true - y_pred) ** 2, axis=0, weights=w)))


def root_mean_squared_error(y_true, y_pred, *, sample_weight=None) -> float:
    """``sqrt(MSE)`` (weighted MSE with ``sample_weight``), in the target's units.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True and predicted values.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights, not all zero: a sample of weight ``w`` counts
        as ``w`` samples.

    Returns
    -------
    float
        In the units of the targets.

    Raises
    ------
    ValueError
        If ``y_true`` and ``y_pred`` differ in shape, or for invalid weights.
    """
    mse = mean_squared_error(y_true, y_pred, sample_weight=sample_weight)
    return float(np.sqrt(mse))


def mean_absolute_error(y_true, y_pred, *, sample_weight=None) -> float:
    """Mean absolute error ``1/(n k) sum |y - y_hat|``.

    Weighted as :func:`mean_squared_error`.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True and predicted values.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights, not all zero: a sample of weight ``w`` counts
        as ``w`` samples.

    Returns
    -------
    float
        In the units of the targets.

    Raises
    ------
    ValueError
        If ``y_true`` and ``y_pred`` differ in shape, or for invalid weights.

    Examples
    --------
    >>> from glassnet.metrics import mean_absolute_error
    >>> mean_absolute_error([1.0, 2.0, 3.0], [2.0, 2.0, 5.0])
    1.0
    """
    y_true, y_pred = _values(y_true, y_pred)
    w = _weights(sample_weight, y_true.shape[0])
    return float(np.mean(np.average(np.abs(y_true - y_pred), axis=0, weights=w)))


def r2_score(y_true, y_pred, *, sample_weight=None) -> float:
    """Coefficient of determination ``1 - SS_res / SS_tot``, averaged over outputs.

    1 is a perfect fit, 0 predicting the mean; an output whose target is
    constant scores 1 if predicted exactly, else 0 (scikit-learn). Weighted:
    ``SS_res = sum w_i (y_i - y_hat_i)^2``, ``SS_tot = sum w_i (y_i - y_w)^2``
    with ``y_w`` the weighted mean (scikit-learn's).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True and predicted values.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights, not all zero: a sample of weight ``w`` counts
        as ``w`` samples.

    Returns
    -------
    float
        At most 1 (unbounded below).

    Raises
    ------
    ValueError
        If ``y_true`` and ``y_pred`` differ in shape, or for invalid weights.

    Examples
    --------
    >>> from glassnet.metrics import r2_score
    >>> r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 4.0])  # 1 - 1 / 2
    0.5
    """
    y_true, y_pred = _values(y_true, y_pred)
    w = _weights(sample_weight, y_true.shape[0])
    w = np.ones(y_true.shape[0]) if w is None else w
    ss_res = np.sum(w[:, None] * (y_true - y_pred) ** 2, axis=0)
    mean = np.average(y_true, axis=0, weights=w)
    ss_tot = np.sum(w[:, None] * (y_true - mean) ** 2, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(ss_tot > 0, 1 - ss_res / ss_tot, np.where(ss_res == 0, 1.0, 0.0))
    return float(np.mean(r2))


# -- metrics by name, computed from a network's outputs --------------------------


@dataclass(frozen=True)
class Metric:
    """A named metric as ``fit`` and ``evaluate`` use it.

    ``kind`` says what it is computed from: ``"labels"`` (true and predicted
    class labels), ``"scores"`` (true labels and the positive-class score of
    a binary task) or ``"values"`` (regression targets and outputs).
    ``function(y_true, second, n_classes, sample_weight)`` computes it, the
    weights of shape (n_samples,) or None.

    Parameters
    ----------
    name : str
        The name ``fit(metrics=[...])`` and the logs use.
    function : callable
        ``function(y_true, second, n_classes, sample_weight)``.
    kind : {"labels", "scores", "values"}
        What the metric is computed from.
    greater_is_better : bool, default True
        False for the errors (MSE, MAE, ...).
    per_class : bool, default False
        Whether the value is an array, one entry per class (or a matrix).
    """

    name: str
    function: Callable
    kind: str
    greater_is_better: bool = True
    per_class: bool = False

    @property
    def task(self) -> str:
        """``"classification"`` or ``"regression"``, from :attr:`kind`."""
        return "regression" if self.kind == "values" else "classification"


def _macro(fn):
    return lambda t, p, k, w: fn(t, p, average="macro", n_classes=k, sample_weight=w)


def _each(fn):
    return lambda t, p, k, w: fn(t, p, average=None, n_classes=k, sample_weight=w)


def _no_classes(fn):
    return lambda t, p, k, w: fn(t, p, sample_weight=w)


def _with_classes(fn):
    return lambda t, p, k, w: fn(t, p, n_classes=k, sample_weight=w)


_ALL = [
    Metric("accuracy", _no_classes(accuracy), "labels"),
    Metric("balanced_accuracy", _no_classes(balanced_accuracy), "labels"),
    Metric(
        "per_class_accuracy",
        _with_classes(per_class_accuracy),
        "labels",
        per_class=True,
    ),
    Metric(
        "confusion_matrix", _with_classes(confusion_matrix), "labels", per_class=True
    ),
    Metric("precision", _macro(precision), "labels"),
    Metric("recall", _macro(recall), "labels"),
    Metric("f1", _macro(f1_score), "labels"),
    Metric("per_class_precision", _each(precision), "labels", per_class=True),
    Metric("per_class_recall", _each(recall), "labels", per_class=True),
    Metric("per_class_f1", _each(f1_score), "labels", per_class=True),
    Metric("roc_auc", _no_classes(roc_auc), "scores"),
    Metric("mse", _no_classes(mean_squared_error), "values", greater_is_better=False),
    Metric(
        "rmse", _no_classes(root_mean_squared_error), "values", greater_is_better=False
    ),
    Metric("mae", _no_classes(mean_absolute_error), "values", greater_is_better=False),
    Metric("r2", _no_classes(r2_score), "values"),
]

#: Registry: name -> :class:`Metric`.
METRICS: dict[str, Metric] = {m.name: m for m in _ALL}
_ALIASES = {
    "acc": "accuracy",
    "auc": "roc_auc",
    "f1_score": "f1",
    "r2_score": "r2",
    "mean_squared_error": "mse",
    "mean_absolute_error": "mae",
    "root_mean_squared_error": "rmse",
    # Keras's names: one accuracy here, since the targets are prepared (class
    # labels and one-hot rows alike). Not binary_accuracy: for several sigmoid
    # outputs Keras averages over labels, glassnet's accuracy is per sample.
    "categorical_accuracy": "accuracy",
    "sparse_categorical_accuracy": "accuracy",
}
_DEFAULT = {"classification": ["accuracy"], "regression": ["mae"]}


def get_metric(metric: str | Metric) -> Metric:
    """Resolve a name (or :class:`Metric`); an unknown name lists the valid ones.

    Keras's names are accepted as aliases: ``"acc"``, ``"mean_squared_error"``,
    ``"mean_absolute_error"``, and ``"categorical_accuracy"`` and
    ``"sparse_categorical_accuracy"`` for ``"accuracy"`` (which takes labels
    or one-hot rows alike). With several sigmoid outputs ``"accuracy"`` is
    the subset accuracy (every label of a sample right), not Keras's
    ``binary_accuracy`` (the mean over labels).

    Parameters
    ----------
    metric : str or Metric
        A name of :data:`METRICS` or an alias (case, spaces and ``-`` versus
        ``_`` do not matter), or a Metric, returned as is.

    Returns
    -------
    Metric
        The metric.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.
    TypeError
        For anything that is neither a str nor a Metric.

    Examples
    --------
    >>> import glassnet as gn
    >>> gn.metrics.get("acc").name
    'accuracy'
    """
    if isinstance(metric, Metric):
        return metric
    if isinstance(metric, str):
        key = metric.strip().lower().replace("-", "_")
        key = _ALIASES.get(key, key)
        if key in METRICS:
            return METRICS[key]
        raise ValueError(
            f"Unknown metric {metric!r}. Valid names: {', '.join(sorted(METRICS))}."
        )
    raise TypeError(
        f"A metric must be a name (str) or a Metric. Got {type(metric).__name__}."
    )


def resolve_metrics(metrics, network) -> list[Metric]:
    """The metrics for ``network``: ``None`` gives the task's defaults.

    Raises a clear error for a metric that does not fit the network's task.
    """
    kind = output_kind(network)
    task = "regression" if kind == "regression" else "classification"
    if metrics is None:
        metrics = _DEFAULT[task]
    elif isinstance(metrics, (str, Metric)):
        metrics = [metrics]
    resolved = [get_metric(m) for m in metrics]
    for m in resolved:
        if m.task != task:
            raise ValueError(
                f"The metric {m.name!r} is for {m.task}; this network is a "
                f"{'regressor' if task == 'regression' else 'classifier'}."
            )
        if kind == "multilabel" and m.name != "accuracy":
            raise ValueError(
                f"The metric {m.name!r} needs one label per sample; with several "
                "sigmoid outputs (multi-label) only 'accuracy' is available."
            )
        if m.kind == "scores" and kind == "multiclass" and network.n_outputs != 2:
            raise ValueError(
                f"The metric {m.name!r} is defined for binary tasks; this network "
                f"has {network.n_outputs} classes."
            )
    return resolved


def output_kind(network) -> str:
    """``"binary"``, ``"multiclass"``, ``"multilabel"`` or ``"regression"``."""
    if network.task != "classification":
        return "regression"
    if network.output_activation.name == "softmax":
        return "multiclass"
    return "binary" if network.n_outputs == 1 else "multilabel"


def compute_metrics(metrics: list[Metric], A, Y, kind: str, sample_weight=None) -> dict:
    """Every metric of the outputs ``A`` against the prepared targets ``Y``.

    Parameters
    ----------
    metrics : list of Metric
    A : ndarray of shape (n_samples, n_outputs)
        Network outputs (probabilities for classifiers).
    Y : ndarray of shape (n_samples, n_outputs)
        Targets as the loss prepared them (one-hot rows for softmax).
    kind : str
        :func:`output_kind` of the network.
    sample_weight : ndarray of shape (n_samples,), optional
        Weights of the samples: every metric is then the weighted one (see
        the module docstring), as the loss is weighted. If every weight is 0
        (an epoch stopped after a batch of weight-0 samples) no sample
        counts and every metric is NaN.
    """
    if not metrics:
        return {}
    w = sample_weight
    if w is not None and not np.any(np.asarray(w) > 0):
        return {m.name: float("nan") for m in metrics}
    if kind == "regression":
        return {m.name: m.function(Y, A, None, w) for m in metrics}
    if kind == "multilabel":
        # subset accuracy: every label of the sample right
        exact = np.all((A >= 0.5) == (Y >= 0.5), axis=1)
        return {"accuracy": float(np.average(exact, weights=_weights(w, exact.size)))}
    if kind == "binary":
        y_true, y_pred, scores = Y[:, 0] >= 0.5, A[:, 0] >= 0.5, A[:, 0]
        n_classes = 2
    else:
        y_true, y_pred, n_classes = Y.argmax(axis=1), A.argmax(axis=1), A.shape[1]
        scores = A[:, -1]
    results = {}
    for m in metrics:
        second = scores if m.kind == "scores" else y_pred
        results[m.name] = m.function(y_true, second, n_classes, w)
    return results


def evaluation_report(net, X, y) -> dict:
    """Loss and every metric of the task, as ``glassnet evaluate`` prints them.

    Classifiers: accuracy, balanced accuracy, macro precision/recall/F1, ROC
    AUC for two classes, per-class accuracy and the confusion matrix (lists);
    regressors: MSE-type loss, RMSE, MAE and R2.

    Parameters
    ----------
    net : Network
        A trained network.
    X : array-like of shape (n_samples, n_features)
        Inputs.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets; class names when the network has them
        (``net.preprocessing.classes``).

    Returns
    -------
    dict
        Floats by name, and lists for ``per_class_accuracy`` and
        ``confusion_matrix``.

    Raises
    ------
    ValueError
        For invalid inputs or targets (see :meth:`Network.evaluate`).
    """
    result = {key: float(v) for key, v in net.evaluate(X, y).items()}
    if net.task != "classification":
        predicted = net.predict(X)
        y = np.asarray(y, dtype=np.float64)
        result["rmse"] = root_mean_squared_error(y, predicted)
        result["mae"] = mean_absolute_error(y, predicted)
        result["r2"] = r2_score(y, predicted)
        return {k: float(v) for k, v in result.items()}
    encode = net.preprocessing.encode if net.preprocessing else np.asarray
    truth = encode(np.asarray(y))
    predicted = encode(net.predict(X))
    n = max(2, net.n_outputs)
    result["balanced_accuracy"] = float(balanced_accuracy(truth, predicted))
    for name, score in (
        ("precision", precision),
        ("recall", recall),
        ("f1_score", f1_score),
    ):
        result[f"{name}_macro"] = float(score(truth, predicted, n_classes=n))
    if n == 2:
        result["roc_auc"] = float(roc_auc(truth, net.predict_proba(X)[:, 1]))
    result["per_class_accuracy"] = per_class_accuracy(
        truth, predicted, n_classes=n
    ).tolist()
    result["confusion_matrix"] = confusion_matrix(
        truth, predicted, n_classes=n
    ).tolist()
    return result


#: The resolver under the name Keras gives it: ``metrics.get(name_or_object)``.
get = get_metric
