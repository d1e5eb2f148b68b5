"""Gathering training batches into reused arrays.

Each step of the training loop copies the rows of its batch out of the
training data with ``numpy.take`` into arrays made once per batch size (a
cheap gather, no allocation), and converts them as the network takes them:
uint8 pixels become floats in [0, 1] only batch by batch, so a large image
set (or a memory map) is never copied whole into floats. (With the compiled
backend, uint8 rows are gathered and converted in one pass.)
"""

from __future__ import annotations

import numpy as np

from glassnet.core import regularizers
from glassnet.metrics import compute_metrics, output_kind


class BatchGather:
    """``gather(idx)`` gives ``(X_batch, Y_batch, w_batch)`` for row indices.

    Parameters
    ----------
    network : Network
        Converts the raw rows as it takes them (its dtype, preprocessing).
    X : ndarray of shape (n_samples, n_features)
        Raw inputs (float, integer or uint8; a memory map is fine; a SciPy
        CSR matrix, densified one batch at a time).
    Y : ndarray of shape (n_samples, n_outputs)
        Prepared targets.
    weights : ndarray of shape (n_samples,) or None
        Per-sample weights, or None.
    """

    def __init__(self, network, X, Y, weights):
        self.network, self.X, self.Y, self.weights = network, X, Y, weights
        self.direct = X.dtype == network.dtype and network.preprocessing is None
        self.pixels = X.dtype == np.uint8 and network.preprocessing is None
        self.sparse = hasattr(X, "tocsr")
        self._buffers: dict[int, dict] = {}

    def _for(self, n: int) -> dict:
        buffers = self._buffers.get(n)
        if buffers is None:
            buffers = self._buffers[n] = {
                "raw": np.empty((n, self.X.shape[1]), dtype=self.X.dtype),
                "X": np.empty((n, self.X.shape[1]), dtype=self.network.dtype),
                "Y": np.empty((n, self.Y.shape[1]), dtype=self.Y.dtype),
                "w": None if self.weights is None else np.empty(n, self.weights.dtype),
            }
        return buffers

    def __call__(self, idx: np.ndarray):
        buffers = self._for(idx.shape[0])
        Yb = self.Y.take(idx, axis=0, out=buffers["Y"], mode="clip")
        wb = None
        if self.weights is not None:
            wb = self.weights.take(idx, out=buffers["w"], mode="clip")
        if self.sparse:  # a SciPy sparse dataset: only this batch is densified
            return self.network.as_batch(self.X[idx]), Yb, wb
        if self.pixels:  # x / 255, by the open workspace's backend
            backend = self.network.backend
            Xb = backend.gather_pixels(self.X, idx, buffers["X"], buffers["raw"])
            return Xb, Yb, wb
        raw = self.X.take(idx, axis=0, out=buffers["raw"], mode="clip")
        Xb = raw if self.direct else self.network.as_batch(raw)
        return Xb, Yb, wb


class StreamLoop:
    """Training epochs over batches that come from outside, for data too big
    for memory: ``fit(batches, epochs=...)`` with no ``y``.

    ``source`` is re-iterable (a list, a ``Sequence``-like object) or a
    function returning a new iterator of ``(X_batch, y_batch)`` pairs for
    every epoch; a one-shot generator serves one epoch. Each batch is checked
    and converted as the network takes it (uint8 pixels to [0, 1], the
    network's preprocessing); the epoch's loss and metrics come from the kept
    outputs of its batches, as in :class:`~glassnet.training.loop.fit`'s loop.

    Parameters
    ----------
    network : Network
        The network to train.
    optimizer : Optimizer
        Updates it after every batch.
    source : iterable or callable
        The ``(X_batch, y_batch)`` pairs, ``X_batch`` of shape
        (batch_size, n_features) and ``y_batch`` of shape (batch_size,) or
        (batch_size, n_outputs); or a function returning a new iterator of
        them.
    backend : str or Backend, optional
        The workspace's backend for every epoch (None: the default).

    Raises
    ------
    TypeError
        For a ``source`` that is neither iterable nor callable.
    """

    def __init__(self, network, optimizer, source, *, backend=None):
        if not callable(source) and not hasattr(source, "__iter__"):
            raise TypeError(
                "Without y, fit's first argument must be an iterable of "
                "(X_batch, y_batch) pairs or a function returning one. Got "
                f"{type(source).__name__} instead."
            )
        self.network, self.optimizer, self.source = network, optimizer, source
        self.backend = backend  # the workspace's for every epoch (None: default)
        self.epochs_run = 0
        self.Z = self.Y = None

    def _batches(self):
        return iter(self.source() if callable(self.source) else self.source)

    def run_epoch(self, hooks) -> int:
        """Train on every batch of one pass over ``source``.

        Parameters
        ----------
        hooks : CallbackList
            Its batch hooks are called around each batch (only those some
            callback implements).

        Returns
        -------
        int
            The number of samples seen.

        Raises
        ------
        ValueError
            For an item that is not an ``(X_batch, y_batch)`` pair, a batch
            the network cannot take, or a source that yields nothing (a
            generator already used up).
        """
        net, last = self.network, self.network.layers[-1]
        batch_logs = hooks.overrides("on_train_batch_end")
        batch_begin = hooks.overrides("on_train_batch_begin")
        outputs, targets, seen = [], [], 0
        for step, item in enumerate(self._batches()):
            if batch_begin:
                hooks.on_train_batch_begin(step, {})
            Xb, yb = _check_pair(net, item, step)
            Yb = net.prepare_targets(yb, Xb, name=f"y of batch {step}")
            loss = net.train_batch(
                net.as_batch(Xb), Yb, self.optimizer, with_loss=batch_logs
            )
            outputs.append(last.Z.copy())
            targets.append(Yb)
            seen += Xb.shape[0]
            if batch_logs:
                hooks.on_train_batch_end(step, {"loss": loss, "size": Xb.shape[0]})
            if net.stop_training:
                break
        self.epochs_run += 1
        if not outputs:
            raise ValueError(
                f"The batches given to fit yielded nothing in epoch "
                f"{self.epochs_run}: a generator serves one epoch only; pass a "
                "list, or a function that returns a new iterator per epoch."
            )
        self.Z, self.Y = np.concatenate(outputs), np.concatenate(targets)
        return seen

    def epoch_logs(self, seen: int, metric_list) -> dict:
        """Loss and metrics of the epoch from the kept outputs of its batches.

        Parameters
        ----------
        seen : int
            Samples seen in the epoch (all of the kept outputs).
        metric_list : list of Metric
            The metrics to compute.

        Returns
        -------
        dict
            ``{"loss": ..., "<metric>": ...}``.
        """
        return outputs_logs(self.network, self.Z, self.Y, None, metric_list)


def outputs_logs(network, Z, Y, weights, metric_list) -> dict:
    """Loss and metrics from output pre-activations Z (n, k) and targets Y.

    Parameters
    ----------
    network : Network
        Its output activation, loss and weight penalty apply.
    Z : ndarray of shape (n_samples, n_outputs)
        The output layer's pre-activations.
    Y : ndarray of shape (n_samples, n_outputs)
        Prepared targets.
    weights : ndarray of shape (n_samples,) or None
        Per-sample weights of the loss and the metrics.
    metric_list : list of Metric
        The metrics to compute.

    Returns
    -------
    dict
        ``{"loss": ..., "<metric>": ...}``; the loss includes the weight
        penalty at the current weights.
    """
    last, loss = network.layers[-1], network.loss
    # the outputs themselves only when a metric or the loss needs them
    need_A = metric_list or not loss.value_from_z
    A = last.activation(Z) if need_A else None
    # the penalty of the weights as they are at the end of the epoch
    value = loss.value(A, Y, Z, weights, activation=last.activation)
    value += regularizers.penalty(network)
    metrics = compute_metrics(metric_list, A, Y, output_kind(network), weights)
    return {"loss": value, **metrics}


def _check_pair(network, item, step: int):
    """One ``(X_batch, y_batch)`` of a batch stream, X checked."""
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        raise ValueError(
            f"Batch {step} of the batches given to fit must be a pair "
            f"(X_batch, y_batch). Got {type(item).__name__} instead."
        )
    return network.prepare_inputs(item[0], name=f"X of batch {step}"), item[1]
