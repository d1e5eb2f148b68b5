"""Gathering training batches into reused arrays.

Each step of the training loop copies the rows of its batch out of the
training data with ``numpy.take`` into arrays made once per batch size (a
cheap gather, no allocation), and converts them as the network takes them:
uint8 pixels become floats in [0, 1] only batch by batch, so a large image
set (or a memory map) is never copied whole into floats.
"""

from __future__ import annotations

import numpy as np


class BatchGather:
    """``gather(idx)`` gives ``(X_batch, Y_batch, w_batch)`` for row indices.

    Parameters
    ----------
    network : Network
    X : ndarray of shape (n_samples, n_features)
        Raw inputs (float, integer or uint8; a memory map is fine).
    Y : ndarray of shape (n_samples, n_outputs)
        Prepared targets.
    weights : ndarray of shape (n_samples,) or None
    """

    def __init__(self, network, X, Y, weights):
        self.network, self.X, self.Y, self.weights = network, X, Y, weights
        self.direct = X.dtype == network.dtype and network.preprocessing is None
        self.pixels = X.dtype == np.uint8 and network.preprocessing is None
        self._buffers: dict[int, dict] = {}

    def _for(self, n: int) -> dict:
        buffers = self._buffers.get(n)
        if buffers is None:
            buffers = self._buffers[n] = {
                "raw": np.empty((n, self.X.shape[1]), dtype=self.X.dtype),
                "X": np.empty((n, self.X.shape[1]), dtype=self.network.dtype),
                "Y": np.empty((n, self.Y.shape[1]), dtype=self.Y.dtype),
            }
        return buffers

    def __call__(self, idx: np.ndarray):
        buffers = self._for(idx.shape[0])
        raw = np.take(self.X, idx, axis=0, out=buffers["raw"], mode="clip")
        if self.direct:
            Xb = raw
        elif self.pixels:
            Xb = np.multiply(raw, 1.0 / 255.0, out=buffers["X"])
        else:
            Xb = self.network._as_batch(raw)
        Yb = np.take(self.Y, idx, axis=0, out=buffers["Y"], mode="clip")
        wb = None if self.weights is None else self.weights[idx]
        return Xb, Yb, wb
