"""What a model does to raw data before and after the network.

A :class:`Preprocessing` holds the input columns a model expects (their
names, categories and fill values), the scaling fitted on the training data,
and the class names. A network with ``net.preprocessing`` set applies it in
every public method: inputs are scaled before ``forward``, string labels are
mapped to class codes for ``fit``/``evaluate``, and ``predict`` answers with
the original class names. It is saved in the model file, so a model trained
on labels ``"yes"``/``"no"`` predicts ``"yes"``/``"no"``.
"""

from __future__ import annotations

import math

import numpy as np

from glassnet.core._validation import short_repr, some_names
from glassnet.datasets.scalers import (
    FeatureSchema,
    MinMaxScaler,
    StandardScaler,
)
from glassnet.datasets.scalers import (
    from_config as transformer_from_config,
)
from glassnet.datasets.table import as_float, as_int

__all__ = ["SCALERS", "Preprocessing"]

SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler}


def _check_classes(classes):
    """``classes`` if it is None or a list of distinct str/int/finite floats."""
    if classes is None:
        return None
    ok = isinstance(classes, list) and all(
        isinstance(c, (str, int)) or (isinstance(c, float) and np.isfinite(c))
        for c in classes
    )
    if not ok or not classes:
        raise ValueError(
            "The 'classes' of a preprocessing config must be null or a non-empty "
            "list of distinct class names (str, int or finite float)."
        )
    return classes


def _key_function(classes: list):
    """How labels are matched to ``classes``: :func:`class_key` when every
    class is a number, else ``str`` (text is looked up as text)."""
    return class_key if all(_is_number(c) for c in classes) else str


def class_key(label):
    """The key a label is looked up by among numeric classes.

    One rule, used both to match labels and to check that classes are
    distinct: a number equal to an integer is that int, exactly (``3``,
    ``3.0``, ``-0.0`` -> ``3``, ``3``, ``0``; ``2**53 + 1`` stays itself);
    another float is itself; text is read as a CSV number (``"3"`` -> ``3``,
    ``"2.5"`` -> ``2.5``); a bool is 0 or 1; other text stays text, an
    unknown label.
    """
    if isinstance(label, str):
        number = as_int(label.strip())
        if number is not None:
            return number
        value = as_float(label.strip())
        if value is None:
            return label
        label = value
    if isinstance(label, bool):
        return int(label)  # as NumPy and float() read it
    if not isinstance(label, (int, float)):
        return str(label)
    if isinstance(label, float) and math.isfinite(label) and label.is_integer():
        return int(label)
    return label


def _check_class_names(names):
    """``names`` if it is None or a list of str (display names of the classes)."""
    if names is not None and not (
        isinstance(names, list) and all(isinstance(n, str) for n in names)
    ):
        raise ValueError(
            "The 'class_names' of a preprocessing config must be null or a list "
            "of strings."
        )
    return names


class Preprocessing:
    """Input scaling, input schema and class labels of a model.

    Parameters
    ----------
    scaler : StandardScaler or MinMaxScaler, optional
        Fitted on the training inputs.
    schema : FeatureSchema, optional
        The columns of an input file and how they are encoded.
    classes : list, optional
        The class labels in the order of the network's outputs (code ``k`` is
        ``classes[k]``), in the type the model learned them: ints stay ints
        (``predict`` answers ``5``, not ``"5"``), floats stay floats and
        strings stay strings. NumPy scalars are stored as Python values.
    class_names : list of str, optional
        How to show each class (``"patient"`` for label ``1``); default
        ``str(label)``. Display only: labels in and out are ``classes``.

    Labels and codes
    ----------------
    :meth:`encode` maps labels to codes by value: with numeric classes,
    ``5``, ``5.0`` and the text ``"5"`` (a cell of a CSV file) all name the
    class ``5``, so a model trained on labels ``3``/``7`` reads ``3`` as code
    0; integers are compared exactly (``2**53`` and ``2**53 + 1`` are two
    classes). With string classes, text is looked up and numbers are class
    codes. The same rule (:func:`class_key`) checks that the classes are
    distinct: ``[1, 1.0, 2]``, ``[-0.0, 0.0, 1.0]`` or ``[2**53,
    float(2**53)]`` raise ValueError.
    """

    def __init__(
        self,
        *,
        scaler=None,
        schema: FeatureSchema | None = None,
        classes: list | None = None,
        class_names: list | None = None,
    ):
        self.scaler = scaler
        self.schema = schema
        self.classes = None if classes is None else _distinct(classes)
        if class_names is not None and (
            self.classes is None or len(class_names) != len(self.classes)
        ):
            raise ValueError(
                "The 'class_names' parameter of Preprocessing must give one name "
                f"per class ({len(self.classes or [])}). Got {len(class_names)} "
                "instead."
            )
        self.class_names = None if class_names is None else list(map(str, class_names))

    @property
    def feature_names(self) -> list[str] | None:
        return None if self.schema is None else self.schema.feature_names

    @property
    def names(self) -> list[str] | None:
        """One display name per class (``class_names``, else ``str(label)``)."""
        if self.classes is None:
            return None
        return self.class_names or [str(c) for c in self.classes]

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Scale inputs of shape (n_samples, n_features) as in training."""
        return X if self.scaler is None else self.scaler.transform(X)

    def transform_slope(self) -> np.ndarray | None:
        """``d transform(x)_j / d x_j``, shape (n_features,); None without scaler.

        :meth:`transform` is affine column by column, so this is constant:
        the factor by which a gradient with respect to the scaled inputs
        becomes one with respect to the raw inputs (chain rule).
        """
        return None if self.scaler is None else self.scaler.transform_slope()

    def encode(self, y) -> np.ndarray:
        """Class labels, shape (n_samples,) or (n_samples, 1), to int64 codes.

        Without classes, and for one-hot targets (n_samples, n_classes), ``y``
        is returned unchanged. Raises ValueError naming unknown labels.
        """
        given = y
        y = np.asarray(given)
        if self.classes is None or (y.ndim == 2 and y.shape[1] > 1):
            return y
        key = _key_function(self.classes)
        if key is str and y.dtype.kind not in "USO":
            return y  # numbers with string classes are class codes
        # A list of Python ints beyond int64 would become float64 here: keep
        # the values as given (an object array) so that they match exactly.
        exact = y if isinstance(given, np.ndarray) else np.asarray(given, dtype=object)
        keys = [key(v) for v in exact.ravel().tolist()]
        index = {key(c): k for k, c in enumerate(self.classes)}
        unknown = sorted({str(v) for v in keys if v not in index})
        if unknown:
            raise ValueError(
                f"Unknown class label(s) [{some_names(unknown)}]; the model knows "
                f"[{some_names(map(str, self.classes), limit=10)}]."
            )
        codes = [index[v] for v in keys]
        return np.array(codes, dtype=np.int64).reshape(y.shape)

    def decode(self, codes: np.ndarray) -> np.ndarray:
        """Class codes to class labels (unchanged without classes).

        The result is int64, float64, bool or str when every label is of that
        type, else an object array.
        """
        if self.classes is None:
            return codes
        labels = np.empty(len(self.classes), dtype=object)
        labels[:] = self.classes
        out = labels[np.asarray(codes)]
        for kind, dtype in ((str, str), (int, np.int64), (float, np.float64)):
            if all(type(c) is kind for c in self.classes):
                return out.astype(dtype)
        if all(type(c) is bool for c in self.classes):
            return out.astype(bool)
        return out

    def to_config(self) -> dict:
        return {
            "scaler": None if self.scaler is None else self.scaler.to_config(),
            "schema": None if self.schema is None else self.schema.to_config(),
            "classes": self.classes,
            "class_names": self.class_names,
        }

    @classmethod
    def from_config(cls, config: dict) -> Preprocessing:
        """Rebuild from :meth:`to_config`; ValueError or TypeError if invalid.

        Checks the parts on their own (a scaler of a known type with finite
        statistics, a schema of str names, distinct class names of JSON
        scalars); whether their sizes fit a network is for the caller.
        """
        if not isinstance(config, dict):
            raise TypeError("A preprocessing config must be a dict.")
        scaler = config.get("scaler")
        kinds = {cls.__name__ for cls in SCALERS.values()}
        if scaler is not None and (
            not isinstance(scaler, dict) or scaler.get("type") not in kinds
        ):
            raise ValueError(
                f"The 'scaler' of a preprocessing config must be one of "
                f"{sorted(kinds)} or null."
            )
        schema = config.get("schema")
        return cls(
            scaler=None if scaler is None else transformer_from_config(scaler),
            schema=None if schema is None else FeatureSchema.from_config(schema),
            classes=_check_classes(config.get("classes")),
            class_names=_check_class_names(config.get("class_names")),
        )

    def __repr__(self) -> str:
        scaler = type(self.scaler).__name__ if self.scaler is not None else None
        n = None if self.schema is None else self.schema.n_features
        return f"Preprocessing(scaler={scaler}, n_features={n}, classes={self.classes})"


def _plain(label):
    return label.item() if isinstance(label, np.generic) else label


def _is_number(label) -> bool:
    return isinstance(label, (int, float)) and not isinstance(label, bool)


def _distinct(classes) -> list:
    """``classes`` as Python values; ValueError when two of them are one class
    under the lookup rule (:func:`class_key`), or a float is not finite."""
    plain = [_plain(c) for c in classes]
    for c in plain:
        if isinstance(c, float) and not math.isfinite(c):
            raise ValueError(
                "The 'classes' parameter of Preprocessing must hold finite "
                f"numbers. Got {c!r} instead."
            )
    key = _key_function(plain)
    first: dict = {}
    for c in plain:
        k = key(c)
        if k in first:
            raise ValueError(
                "The 'classes' parameter of Preprocessing must list distinct "
                f"classes. Got {short_repr(first[k])} and {short_repr(c)}, which "
                "are the same class (3, 3.0 and '3' name one class; ints are "
                "compared exactly)."
            )
        first[k] = c
    return plain
