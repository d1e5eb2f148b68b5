"""The :class:`Dataset` container returned by every loader."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from glassnet.datasets.scalers import FeatureSchema

TASKS = ("classification", "regression")


@dataclass(frozen=True, eq=False)
class Dataset:
    """A train/test split with its metadata.

    Attributes
    ----------
    X_train : ndarray of shape (n_train, n_features)
        float32 unless a loader was asked for something else (MNIST with
        ``dtype="uint8"`` or ``flatten=False``).
    y_train : ndarray of shape (n_train,)
        int64 class codes ``0 .. n_classes-1`` for classification, float32
        values for regression.
    X_test : ndarray of shape (n_test, n_features)
        The test inputs, as ``X_train``.
    y_test : ndarray of shape (n_test,)
        The test targets, as ``y_train``.
    feature_names : list of str
        One name per feature (column of X).
    target_names : list of str or None
        Class names, ``target_names[code]``; None for regression.
    task : {"classification", "regression"}
        What the targets are.
    name : str
        Registry name of the dataset, e.g. ``"digits"``.
    description : str
        One paragraph: what the data is, its source, licence and split.
    schema : FeatureSchema
        The input columns and their encoding. Defaults to one numeric column
        per feature name; loaders of tables with categorical columns fill it
        in so that new input files can be encoded the same way.
    classes : list or None
        The class labels in the type the source gives them, ``classes[code]``:
        ints for an integer target column, floats for a float one, str for
        text. Default ``list(range(n_classes))``: the codes in ``y`` are the
        labels themselves (digits 0-9, ILPD's 0/1). None for regression. A
        model trained on the dataset predicts these labels.

    Raises
    ------
    ValueError
        If the fields are inconsistent: an unknown task, arrays whose shapes
        do not match, a feature name per feature missing, class codes out of
        range, or class names for a regression set.
    TypeError
        If ``X_*`` or ``y_*`` is not a NumPy array.

    Examples
    --------
    >>> from glassnet.datasets import load_digits
    >>> data = load_digits()
    >>> data.X_train.shape, data.X_test.shape, data.n_classes
    ((1437, 64), (360, 64), 10)
    >>> data.X_train.dtype, float(data.X_train.max())
    (dtype('float32'), 1.0)
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: list[str]
    target_names: list[str] | None
    task: str
    name: str
    description: str
    schema: FeatureSchema | None = field(default=None, repr=False)
    classes: list | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(
                "The 'task' field must be 'classification' or 'regression'. "
                f"Got {self.task!r} instead."
            )
        for X, y, part in (
            (self.X_train, self.y_train, "train"),
            (self.X_test, self.y_test, "test"),
        ):
            if not isinstance(X, np.ndarray) or not isinstance(y, np.ndarray):
                raise TypeError(f"X_{part} and y_{part} must be NumPy arrays.")
            if X.ndim < 2 or y.ndim != 1 or X.shape[0] != y.shape[0]:
                raise ValueError(
                    f"X_{part} must be (n_samples, n_features) and y_{part} "
                    f"(n_samples,) with the same n_samples. Got {X.shape} and "
                    f"{y.shape}."
                )
        if self.X_train.shape[1:] != self.X_test.shape[1:]:
            raise ValueError(
                "X_train and X_test must have the same number of features. Got "
                f"{self.X_train.shape[1:]} and {self.X_test.shape[1:]}."
            )
        n_features = int(np.prod(self.X_train.shape[1:]))
        if len(self.feature_names) != n_features:
            raise ValueError(
                f"feature_names must have one name per feature ({n_features}). "
                f"Got {len(self.feature_names)}."
            )
        if self.task == "classification":
            if not self.target_names:
                raise ValueError("A classification Dataset needs target_names.")
            for y, part in ((self.y_train, "train"), (self.y_test, "test")):
                if y.size and (y.min() < 0 or y.max() >= len(self.target_names)):
                    raise ValueError(
                        f"y_{part} must hold class codes in [0, "
                        f"{len(self.target_names) - 1}]."
                    )
            if self.classes is None:
                object.__setattr__(self, "classes", list(range(self.n_classes)))
            elif len(self.classes) != len(self.target_names):
                raise ValueError(
                    "classes must have one label per class "
                    f"({len(self.target_names)}). Got {len(self.classes)}."
                )
            object.__setattr__(self, "classes", [_plain(c) for c in self.classes])
        elif self.target_names is not None or self.classes is not None:
            raise ValueError(
                "A regression Dataset has target_names=None and classes=None."
            )
        if self.schema is None:
            object.__setattr__(self, "schema", FeatureSchema(self.feature_names))
        elif self.schema.feature_names != list(self.feature_names):
            raise ValueError("schema.feature_names must equal feature_names.")

    @property
    def n_classes(self) -> int | None:
        """Number of classes, or None for regression."""
        if self.task == "regression":
            return None
        return len(self.target_names)

    @property
    def n_features(self) -> int:
        """Number of features per sample (784 for MNIST, flattened or not)."""
        return len(self.feature_names)

    def __repr__(self) -> str:
        classes = "" if self.n_classes is None else f", n_classes={self.n_classes}"
        return (
            f"Dataset(name={self.name!r}, task={self.task!r}, "
            f"X_train={self.X_train.shape} {self.X_train.dtype}, "
            f"X_test={self.X_test.shape} {self.X_test.dtype}{classes})"
        )


def _plain(label):
    """A NumPy scalar label as the Python int, float, bool or str it holds."""
    return label.item() if isinstance(label, np.generic) else label
