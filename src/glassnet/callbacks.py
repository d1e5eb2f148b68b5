"""Callbacks: watch the training loop through a ``logs`` dict, and may stop it.

The loop in :mod:`glassnet.training` calls the hooks below on every callback
in order. A callback never reaches into the loop; it reads ``logs`` (the
epoch's ``loss``, ``val_loss`` and metrics) and the network it is given, and
asks the loop to stop by setting ``network.stop_training = True``.
"""

from __future__ import annotations

import sys
import time

__all__ = ["Callback", "CallbackList", "EpochLogger"]


class Callback:
    """Base class with Keras-style hooks; override the ones you need.

    Attributes
    ----------
    network : Network
        Set by the loop before ``on_train_begin``.
    params : dict
        ``epochs``, ``batch_size``, ``steps`` (batches per epoch), ``n_samples``.
    """

    network = None
    params: dict = {}

    def set_context(self, network, params: dict) -> None:
        self.network = network
        self.params = params

    def on_train_begin(self, logs: dict) -> None: ...

    def on_epoch_begin(self, epoch: int, logs: dict) -> None: ...

    def on_batch_end(self, batch: int, logs: dict) -> None: ...

    def on_epoch_end(self, epoch: int, logs: dict) -> None: ...

    def on_train_end(self, logs: dict) -> None: ...


class CallbackList:
    """Calls each hook on every callback, in order."""

    def __init__(self, callbacks, network, params: dict):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(
                    "Every entry of 'callbacks' must be a glassnet Callback. "
                    f"Got {type(cb).__name__} instead."
                )
            cb.set_context(network, params)

    def __getattr__(self, hook: str):
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        def call(*args):
            for cb in self.callbacks:
                getattr(cb, hook)(*args)

        return call


class EpochLogger(Callback):
    """Prints one line per epoch: loss, validation loss and metrics, time."""

    def __init__(self, stream=None):
        self.stream = stream

    def on_epoch_begin(self, epoch, logs):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs):
        width = len(str(self.params.get("epochs", epoch + 1)))
        parts = [f"epoch {epoch + 1:>{width}}/{self.params.get('epochs', '?')}"]
        parts += [
            f"{key} {value:.4f}"
            for key, value in logs.items()
            if isinstance(value, float) and key not in ("lr", "epoch_time")
        ]
        parts.append(f"{time.perf_counter() - self._start:.2f}s")
        print("  ".join(parts), file=self.stream or sys.stdout, flush=True)
