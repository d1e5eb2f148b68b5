"""The training loop: batching, shuffling, validation, History, the stop flag.

The loop only batches and calls hooks (lecture 003): per epoch it shuffles
the samples, cuts them into batches -- all of them at once for batch gradient
descent, one for stochastic gradient descent, ``k`` for mini-batch SGD --
and for each batch runs forward, the loss's output delta, backward and the
optimizer's update. Everything else (printing, early stopping, schedules)
is a callback.
"""

from __future__ import annotations

import time

import numpy as np

from glassnet._validation import check_number
from glassnet.callbacks import Callback, CallbackList, EpochLogger
from glassnet.optimizers import Optimizer, get_optimizer

__all__ = ["History", "fit"]


class History(Callback):
    """Per-epoch record of training: ``history.history["loss"]`` and the rest.

    Attributes
    ----------
    history : dict of str to list
        ``loss`` and, with validation data, ``val_loss``; one entry per epoch.
    epoch : list of int
        The epoch numbers recorded (0-based).
    """

    def __init__(self):
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch, logs):
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def __repr__(self) -> str:
        keys = ", ".join(self.history)
        return f"History(epochs={len(self.epoch)}, keys=[{keys}])"


def _check_validation(network, validation_data):
    if validation_data is None:
        return None
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise ValueError(
            "The 'validation_data' parameter must be a pair (X_val, y_val). Got "
            f"{type(validation_data).__name__} instead."
        )
    X_val = network._inputs(validation_data[0], name="X_val")
    return X_val, network._targets(X_val, validation_data[1], name="y_val")


def fit(
    network,
    X,
    y,
    *,
    epochs: int = 10,
    batch_size: int | None = 32,
    optimizer: str | Optimizer = "sgd",
    validation_data=None,
    shuffle: bool = True,
    seed: int | None = None,
    verbose: int = 0,
    callbacks: list[Callback] | None = None,
) -> History:
    """Train ``network`` on ``(X, y)`` by backpropagation.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Class labels (one-hot accepted) or regression targets.
    epochs : int, default 10
        Passes over the whole training set.
    batch_size : int or None, default 32
        ``None``: full-batch gradient descent (one update per epoch);
        ``1``: stochastic gradient descent; ``k``: mini-batch SGD.
    optimizer : str or Optimizer, default "sgd"
    validation_data : (X_val, y_val), optional
        Evaluated after every epoch into ``val_loss``.
    shuffle : bool, default True
        Visit the samples in a new random order every epoch.
    seed : int, optional
        Seeds the shuffling.
    verbose : {0, 1}
        0 prints nothing, 1 one line per epoch.
    callbacks : list of Callback, optional

    Returns
    -------
    History
    """
    X = network._inputs(X)
    Y = network._targets(X, y)
    n = X.shape[0]
    epochs = check_number(epochs, "epochs", "fit", low=1, integer=True)
    if batch_size is None:
        batch_size = n
    batch_size = min(
        check_number(batch_size, "batch_size", "fit", low=1, integer=True), n
    )
    verbose = check_number(verbose, "verbose", "fit", low=0, high=2, integer=True)
    optimizer = get_optimizer(optimizer)
    validation = _check_validation(network, validation_data)
    rng = np.random.default_rng(seed)

    history = History()
    extra = [EpochLogger()] if verbose else []
    steps = -(-n // batch_size)
    params = {
        "epochs": epochs,
        "batch_size": batch_size,
        "steps": steps,
        "n_samples": n,
    }
    hooks = CallbackList([history, *(callbacks or []), *extra], network, params)
    network.stop_training = False
    network.optimizer = optimizer
    logs: dict = {}
    hooks.on_train_begin(logs)
    for epoch in range(epochs):
        hooks.on_epoch_begin(epoch, {})
        start = time.perf_counter()
        order = rng.permutation(n) if shuffle else np.arange(n)
        loss_sum = 0.0
        for step in range(steps):
            idx = order[step * batch_size : (step + 1) * batch_size]
            Xb = network._as_batch(X[idx])
            Yb = Y[idx]
            network._forward(Xb, training=True)
            batch_loss = network._loss_value(Yb)
            network._backward(Yb)
            optimizer.step([network.parameters_flat], [network.gradients_flat])
            loss_sum += batch_loss * len(idx)
            hooks.on_batch_end(step, {"loss": batch_loss, "size": len(idx)})
        logs = {"loss": loss_sum / n}
        if validation is not None:
            logs["val_loss"] = _loss_on(network, *validation)
        logs["epoch_time"] = time.perf_counter() - start
        hooks.on_epoch_end(epoch, logs)
        if network.stop_training:
            break
    hooks.on_train_end(logs)
    return history


def _loss_on(network, X, Y, batch_size: int = 4096) -> float:
    """Mean loss over ``(X, Y)`` in inference mode, in chunks to bound memory."""
    total = 0.0
    for start in range(0, X.shape[0], batch_size):
        Xb = network._as_batch(X[start : start + batch_size])
        Yb = Y[start : start + batch_size]
        network._forward(Xb, training=False)
        total += network._loss_value(Yb) * Xb.shape[0]
    return total / X.shape[0]
