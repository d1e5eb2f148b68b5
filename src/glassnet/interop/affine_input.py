"""Input scaling as an affine map, folded into the first Dense layer.

Both stored scalers are per-feature affine maps ``x' = a x + c``:

* :class:`StandardScaler`: ``a = 1 / scale``, ``c = -mean / scale``;
* :class:`MinMaxScaler`: ``a = (hi - lo) / range``, ``c = lo - data_min a``.

A first layer ``W x' + b`` then equals ``(W diag(a)) x + (b + W c)``, so
formats without a scaling step (a PyTorch ``nn.Sequential``, scikit-learn's
``coefs_``) get the scaling inside their first weights.
"""

from __future__ import annotations

import numpy as np

from glassnet.datasets.scalers import MinMaxScaler, StandardScaler


def scaler_affine(scaler) -> tuple[np.ndarray, np.ndarray] | None:
    """``(a, c)`` of shape (n_features,) each, or None without a scaler.

    Parameters
    ----------
    scaler : StandardScaler, MinMaxScaler or None
        A fitted scaler (``network.preprocessing.scaler``).

    Returns
    -------
    a, c : ndarray of shape (n_features,)
        The scaling is ``x' = a x + c``, feature by feature (None without
        a scaler).

    Raises
    ------
    TypeError
        For another kind of scaler.
    """
    if scaler is None:
        return None
    if isinstance(scaler, StandardScaler):
        return 1.0 / scaler.scale_, -scaler.mean_ / scaler.scale_
    if isinstance(scaler, MinMaxScaler):
        lo, hi = scaler.feature_range
        a = (hi - lo) / scaler._range()
        return a, lo - scaler.data_min_ * a
    raise TypeError(
        f"Cannot fold the input scaling {type(scaler).__name__} into the weights: "
        "only StandardScaler and MinMaxScaler are supported."
    )


def fold_scaler(network, W: np.ndarray, b: np.ndarray):
    """First-layer ``(W, b)`` (float64) with ``network``'s input scaling folded in.

    Parameters
    ----------
    network : Network
        Its ``preprocessing.scaler``, if any, is folded.
    W : ndarray of shape (n_out, n_features)
        The first Dense layer's weights.
    b : ndarray of shape (n_out,)
        Its biases.

    Returns
    -------
    W, b : ndarray of shape (n_out, n_features) and (n_out,)
        ``W diag(a)`` and ``b + W c`` (the module's docstring), or ``W`` and
        ``b`` themselves without a scaler.

    Raises
    ------
    TypeError
        For a scaler that is not a StandardScaler or a MinMaxScaler.
    """
    preprocessing = getattr(network, "preprocessing", None)
    affine = scaler_affine(None if preprocessing is None else preprocessing.scaler)
    if affine is None:
        return W, b
    a, c = affine
    return W * a[None, :], b + W @ c
