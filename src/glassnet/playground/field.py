"""The input-gradient field over the data plane: dC/dx of each training point.

The page draws, at every training point ``x = (x1, x2)`` with label ``y``,
an arrow of ``-dC/dx``: the direction in which moving the point lowers its
own cost ``C(x, y)`` fastest. The network's inputs are features of the two
coordinates (``x1``, ``x1^2``, ``sin(x2)``, ... of
:func:`~glassnet.playground.data.expand`), scaled by the network's
preprocessing, so the gradient with respect to the plane's coordinates is
carried from the network's inputs by the chain rule::

    dC/dx_c = sum_f dC/df * df/dx_c        (f a feature, c = 1, 2)
"""

from __future__ import annotations

import numpy as np

from glassnet.playground.data import expand

__all__ = ["feature_jacobian", "plane_gradients"]

#: d feature / d (x1, x2) of every feature, as a function of x1 and x2.
_JACOBIANS = {
    "x1": lambda x1, x2: (np.ones_like(x1), np.zeros_like(x1)),
    "x2": lambda x1, x2: (np.zeros_like(x1), np.ones_like(x1)),
    "x1sq": lambda x1, x2: (2.0 * x1, np.zeros_like(x1)),
    "x2sq": lambda x1, x2: (np.zeros_like(x1), 2.0 * x2),
    "x1x2": lambda x1, x2: (x2, x1),
    "sinx1": lambda x1, x2: (np.cos(x1), np.zeros_like(x1)),
    "sinx2": lambda x1, x2: (np.zeros_like(x1), np.cos(x2)),
}


def feature_jacobian(X: np.ndarray, features: list[str]) -> np.ndarray:
    """The derivatives of the features with respect to the two coordinates.

    Parameters
    ----------
    X : ndarray of shape (n, 2)
        Points of the plane.
    features : list of str
        Keys of :data:`~glassnet.playground.config.FEATURES`, as
        :func:`~glassnet.playground.data.expand` takes them.

    Returns
    -------
    ndarray of shape (n, len(features), 2), float64
        ``J[i, f, c] = d feature_f / d x_c`` at point ``i``.
    """
    x1 = np.asarray(X[:, 0], dtype=np.float64)
    x2 = np.asarray(X[:, 1], dtype=np.float64)
    columns = [np.stack(_JACOBIANS[f](x1, x2), axis=-1) for f in features]
    return np.stack(columns, axis=1)


def plane_gradients(net, X: np.ndarray, y: np.ndarray, features) -> np.ndarray:
    """``dC_i/dx_i`` of each point's own cost, in the plane's coordinates.

    Parameters
    ----------
    net : Network
        The playground's network (its preprocessing scales the features).
    X : ndarray of shape (n, 2)
        Points of the plane.
    y : ndarray of shape (n,)
        Their targets, as the network trains on them.
    features : list of str
        The network's input features (:func:`feature_jacobian`).

    Returns
    -------
    ndarray of shape (n, 2), float64
        Row ``i``: the gradient of the cost of point ``i`` alone (not divided
        by ``n``), in inference mode (no dropout), with respect to its
        coordinates ``(x1, x2)``: :meth:`Network.input_gradients` (which
        differentiates the network's scaling too) times the features'
        Jacobian.
    """
    with np.errstate(all="ignore"):
        G = np.asarray(net.input_gradients(expand(X, features), y), np.float64)
    return np.einsum("nf,nfc->nc", G, feature_jacobian(X, features))
