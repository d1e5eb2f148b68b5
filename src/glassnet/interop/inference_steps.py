"""A network at inference time, as the steps an exporter writes out.

At inference dropout is the identity and batch normalization is an affine
map with its running statistics, ``gamma (x - mu) / sqrt(var + eps) + beta``.
A batch-norm layer right after a Dense layer with an identity activation
(dropout between them changes nothing) therefore folds into that layer::

    s  = gamma / sqrt(var + eps)                   (per unit, shape (n_out,))
    W' = diag(s) W,  b' = s (b - mu) + beta,  then the batch norm's activation

Any other batch norm stays a :class:`Normalize` step. The ONNX exporter
and the scikit-learn weight export read these steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glassnet.core.activations import Activation
from glassnet.core.layers import BatchNorm, Dense, Dropout


@dataclass
class Affine:
    """``A = activation(X W^T + b)``; W (n_out, n_in), b (n_out,), float64.

    Parameters
    ----------
    W : ndarray of shape (n_out, n_in)
        Weights.
    b : ndarray of shape (n_out,)
        Biases.
    activation : Activation
        Applied to ``X W^T + b``.
    """

    W: np.ndarray
    b: np.ndarray
    activation: Activation


@dataclass
class Normalize:
    """Batch normalization at inference, then ``activation``; arrays (n,).

    ``A = activation(gamma (X - mean) / sqrt(var + eps) + beta)``.

    Parameters
    ----------
    mean : ndarray of shape (n,)
        Running mean of each feature.
    var : ndarray of shape (n,)
        Running variance of each feature.
    gamma : ndarray of shape (n,)
        Scale.
    beta : ndarray of shape (n,)
        Shift.
    eps : float
        Added to the variance.
    activation : Activation
        Applied after the normalization.
    """

    mean: np.ndarray
    var: np.ndarray
    gamma: np.ndarray
    beta: np.ndarray
    eps: float
    activation: Activation


def _normalize(layer: BatchNorm) -> Normalize:
    def as64(a):
        return np.array(a, dtype=np.float64)

    return Normalize(
        as64(layer.running_mean),
        as64(layer.running_var),
        as64(layer.gamma),
        as64(layer.beta),
        float(layer.eps),
        layer.activation,
    )


def inference_steps(network, *, fold: bool = True) -> list[Affine | Normalize]:
    """The layers of ``network`` at inference, batch norm folded where exact.

    Parameters
    ----------
    network : Network
        Dense, Dropout and BatchNorm layers.
    fold : bool, default True
        Fold a batch norm right after a Dense layer with an identity
        activation into it; False keeps every batch norm a step.

    Returns
    -------
    list of Affine or Normalize
        In order, as float64 copies; dropout left out.

    Raises
    ------
    TypeError
        For a layer of another kind.
    """
    steps: list[Affine | Normalize] = []
    for layer in network.layers:
        if isinstance(layer, Dropout):
            continue
        if isinstance(layer, Dense):
            W = np.asarray(layer.W, dtype=np.float64)
            b = np.asarray(layer.b, dtype=np.float64)
            steps.append(Affine(W.copy(), b.copy(), layer.activation))
        elif isinstance(layer, BatchNorm):
            norm = _normalize(layer)
            last = steps[-1] if steps else None
            if fold and isinstance(last, Affine) and last.activation.name == "identity":
                s = norm.gamma / np.sqrt(norm.var + norm.eps)
                steps[-1] = Affine(
                    s[:, None] * last.W,
                    s * (last.b - norm.mean) + norm.beta,
                    norm.activation,
                )
            else:
                steps.append(norm)
        else:
            raise TypeError(
                f"Cannot export a {type(layer).__name__} layer: only Dense, "
                "Dropout and BatchNorm are supported."
            )
    return steps
