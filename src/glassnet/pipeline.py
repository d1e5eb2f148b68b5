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

import numpy as np

from glassnet._validation import some_names
from glassnet.preprocessing import (
    FeatureSchema,
    MinMaxScaler,
    StandardScaler,
)
from glassnet.preprocessing import (
    from_config as transformer_from_config,
)

__all__ = ["SCALERS", "Preprocessing"]

SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler}


class Preprocessing:
    """Input scaling, input schema and class names of a model.

    Parameters
    ----------
    scaler : StandardScaler or MinMaxScaler, optional
        Fitted on the training inputs.
    schema : FeatureSchema, optional
        The columns of an input file and how they are encoded.
    classes : list, optional
        Class names in the order of the network's outputs (code ``k`` is
        ``classes[k]``).
    """

    def __init__(
        self,
        *,
        scaler=None,
        schema: FeatureSchema | None = None,
        classes: list | None = None,
    ):
        self.scaler = scaler
        self.schema = schema
        self.classes = None if classes is None else list(classes)

    @property
    def feature_names(self) -> list[str] | None:
        return None if self.schema is None else self.schema.feature_names

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Scale inputs of shape (n_samples, n_features) as in training."""
        return X if self.scaler is None else self.scaler.transform(X)

    def encode(self, y) -> np.ndarray:
        """Targets to class codes: names are looked up, numbers pass through."""
        y = np.asarray(y)
        if self.classes is None or y.dtype.kind not in "USO":
            return y
        index = {str(name): code for code, name in enumerate(self.classes)}
        unknown = sorted({str(v) for v in y.ravel()} - set(index))
        if unknown:
            raise ValueError(
                f"Unknown class label(s) [{some_names(unknown)}]; the model knows "
                f"[{some_names(map(str, self.classes), limit=10)}]."
            )
        return np.array([index[str(v)] for v in y.ravel()], dtype=np.int64).reshape(
            y.shape
        )

    def decode(self, codes: np.ndarray) -> np.ndarray:
        """Class codes to class names (unchanged without class names)."""
        if self.classes is None:
            return codes
        return np.asarray(self.classes, dtype=object)[np.asarray(codes)]

    def to_config(self) -> dict:
        return {
            "scaler": None if self.scaler is None else self.scaler.to_config(),
            "schema": None if self.schema is None else self.schema.to_config(),
            "classes": self.classes,
        }

    @classmethod
    def from_config(cls, config: dict) -> Preprocessing:
        if not isinstance(config, dict):
            raise TypeError("A preprocessing config must be a dict.")
        scaler = config.get("scaler")
        schema = config.get("schema")
        return cls(
            scaler=None if scaler is None else transformer_from_config(scaler),
            schema=None if schema is None else FeatureSchema.from_config(schema),
            classes=config.get("classes"),
        )

    def __repr__(self) -> str:
        scaler = type(self.scaler).__name__ if self.scaler is not None else None
        n = None if self.schema is None else self.schema.n_features
        return f"Preprocessing(scaler={scaler}, n_features={n}, classes={self.classes})"
