"""What ``fit`` trains on: the validation split and the weight of each sample.

* ``validation_split=f`` holds out a seeded random fraction ``f`` of the
  samples, stratified for classification: every class keeps its share in
  both parts (not Keras's "the last f of the data", which is biased
  whenever the data are sorted).
* ``sample_weight`` and ``class_weight`` combine into one weight per
  sample, rescaled to average 1 over the training set (see
  :mod:`glassnet.core.losses`).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from glassnet.core._validation import check_number, check_sample_weight
from glassnet.metrics import output_kind


def class_labels(network, Y: np.ndarray) -> np.ndarray | None:
    """One integer class per sample (n,), or None for regression / multi-label.

    Parameters
    ----------
    network : Network
        Its output decides the kind of targets.
    Y : ndarray of shape (n_samples, n_outputs)
        Prepared targets (one-hot rows, or one 0/1 column).

    Returns
    -------
    ndarray of shape (n_samples,) or None
        The class code of each sample.
    """
    kind = output_kind(network)
    if kind == "multiclass":
        return Y.argmax(axis=1)
    if kind == "binary":
        return (Y[:, 0] >= 0.5).astype(np.int64)
    return None


def split_indices(n: int, labels, fraction: float, rng: np.random.Generator):
    """Seeded random ``(train_idx, val_idx)``, stratified by ``labels`` if given.

    ``ceil(fraction * n)`` samples are held out. With labels, class ``c``
    gives ``n_val * n_c / n`` of them, rounded so the total is exact (the
    largest remainders round up).

    Parameters
    ----------
    n : int
        Number of samples.
    labels : ndarray of shape (n,) or None
        Class codes to stratify by.
    fraction : float in (0, 1)
        The fraction held out.
    rng : numpy.random.Generator
        Draws the split.

    Returns
    -------
    train_idx, val_idx : ndarray of shape (n_train,) and (n_val,)
        Sorted row indices of the two parts.

    Raises
    ------
    ValueError
        When either part would be empty.
    """
    n_val = math.ceil(fraction * n)
    if not 1 <= n_val < n:
        raise ValueError(
            f"validation_split={fraction} leaves {n - n_val} of the {n} samples "
            "for training; both parts need at least one sample."
        )
    if labels is None:
        order = rng.permutation(n)
        return np.sort(order[n_val:]), np.sort(order[:n_val])
    classes, inverse, counts = np.unique(
        labels, return_inverse=True, return_counts=True
    )
    exact = n_val * counts / n
    take = np.floor(exact).astype(np.int64)
    leftover = n_val - int(take.sum())
    take[np.argsort(-(exact - take), kind="stable")[:leftover]] += 1
    val = [
        rng.permutation(np.flatnonzero(inverse == c))[: take[c]]
        for c in range(classes.size)
    ]
    val_idx = np.sort(np.concatenate(val))
    train_mask = np.ones(n, dtype=bool)
    train_mask[val_idx] = False
    return np.flatnonzero(train_mask), val_idx


def check_split_weights(sample_weight, train_idx, val_idx, fraction) -> None:
    """Refuse a split that leaves the training or validation part no weight.

    ``sample_weight`` (n,) is already checked (not all zero). A part whose
    samples all weigh 0 has no loss (a weighted mean over nothing).
    scikit-learn's MLP scores such a validation part anyway and stops on
    meaningless scores; here the error says what is wrong.

    Parameters
    ----------
    sample_weight : ndarray of shape (n,)
        The checked weights.
    train_idx, val_idx : ndarray of shape (n_train,) and (n_val,)
        Row indices of the two parts.
    fraction : float
        The ``validation_split``, for the message.

    Raises
    ------
    ValueError
        When every sample of either part weighs 0.
    """
    n = sample_weight.shape[0]
    for part, idx in (("validation", val_idx), ("training", train_idx)):
        if not np.any(sample_weight[idx] > 0):
            raise ValueError(
                "The 'sample_weight' parameter of fit must give a non-zero weight "
                f"to some of the {part} samples ({idx.size} of {n} with "
                f"validation_split={fraction}). Got 0 for all of them instead; "
                "change the weights, the split (seed or fraction), or pass "
                "validation_data."
            )


def class_weight_per_sample(class_weight, labels, network=None) -> np.ndarray:
    """The weight of each sample's class, shape (n,).

    ``labels`` are the class codes of the samples (n,). ``"balanced"``:
    ``w_c = n / (n_classes * n_c)`` over the classes present (scikit-learn's
    rule, so every class carries the same total weight). A dict
    ``{label: weight}``: the keys are class labels as ``y`` gives them
    (scikit-learn's meaning), mapped to codes by ``network.preprocessing``
    when the network knows its class names (labels ``1``/``2`` or
    ``"cat"``/``"dog"``); without, a label is its code. Classes the dict does
    not name weigh 1.

    Parameters
    ----------
    class_weight : dict or "balanced"
        As ``fit`` takes it.
    labels : ndarray of shape (n,) or None
        Class codes of the samples (None for regression or multi-label).
    network : Network, optional
        Maps the dict's labels to codes through its preprocessing.

    Returns
    -------
    ndarray of shape (n,)
        The weight of each sample's class.

    Raises
    ------
    ValueError
        For ``labels`` None (no classes), a string other than "balanced", a
        key that is no class of the training targets, or a negative weight.
    TypeError
        For a ``class_weight`` that is neither a dict nor a string, or a
        non-numeric weight.
    """
    if labels is None:
        raise ValueError(
            "class_weight needs a classifier with one label per sample (softmax "
            "or a single sigmoid output); use sample_weight otherwise."
        )
    classes, counts = np.unique(labels, return_counts=True)
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(
                "The 'class_weight' parameter of fit must be a dict "
                f"{{class: weight}} or 'balanced'. Got {class_weight!r} instead."
            )
        per_class = labels.size / (classes.size * counts)
        return per_class[np.searchsorted(classes, labels)]
    if not isinstance(class_weight, dict):
        raise TypeError(
            "The 'class_weight' parameter of fit must be a dict {class: weight} "
            f"or 'balanced'. Got {type(class_weight).__name__} instead."
        )
    table = np.ones(int(classes.max()) + 1)
    for key, value in class_weight.items():
        code = _class_code(key, network)
        if code is None or code not in classes:
            present = _class_names(classes, network)
            raise ValueError(
                f"The 'class_weight' parameter of fit names the class {key!r}, "
                "which does not occur in the training targets (classes present: "
                f"{', '.join(present)})."
            )
        table[code] = check_number(value, f"class_weight[{key!r}]", "fit", low=0)
    return table[labels]


def _preprocessing_classes(network):
    pre = None if network is None else getattr(network, "preprocessing", None)
    return None if pre is None or pre.classes is None else pre


def _class_code(key, network) -> int | None:
    """The class code of the label ``key``, or None if the network has no such."""
    pre = _preprocessing_classes(network)
    if pre is not None:
        try:
            code = pre.encode(np.array([key])).ravel()[0]
        except (ValueError, TypeError):
            return None
        key = code.item() if isinstance(code, np.generic) else code
    if isinstance(key, numbers.Integral) and not isinstance(key, bool):
        return int(key)
    return None


def _class_names(codes, network) -> list[str]:
    """The labels of ``codes`` as the user writes them (repr), for messages."""
    pre = _preprocessing_classes(network)
    labels = codes.tolist() if pre is None else pre.decode(codes).tolist()
    return [repr(c) for c in labels[:20]] + (["..."] if len(labels) > 20 else [])


def training_weights(network, Y, labels, sample_weight, class_weight):
    """Combined per-sample weights (n,) with mean 1, or None if none were given.

    Parameters
    ----------
    network : Network
        Gives the dtype, and the class names for ``class_weight``.
    Y : ndarray of shape (n, n_outputs)
        Prepared targets of the training part.
    labels : ndarray of shape (n,) or None
        Their class codes.
    sample_weight : array-like of shape (n,) or None
        Non-negative sample weights.
    class_weight : dict, "balanced" or None
        Weights of the classes.

    Returns
    -------
    ndarray of shape (n,) or None
        ``sample_weight`` times the class weights, rescaled to mean 1.

    Raises
    ------
    ValueError
        For invalid weights (negative, of the wrong length, NaN), or when
        every sample weighs 0.
    TypeError
        For non-numeric weights or a ``class_weight`` of the wrong type.
    """
    if sample_weight is None and class_weight is None:
        return None
    n = Y.shape[0]
    w = np.ones(n)
    if sample_weight is not None:
        w = check_sample_weight(sample_weight, n)
    if class_weight is not None:
        w = w * class_weight_per_sample(class_weight, labels, network)
    if not np.any(w > 0):
        raise ValueError("Every training sample has weight 0.")
    return check_sample_weight(w, n, dtype=network.dtype)
