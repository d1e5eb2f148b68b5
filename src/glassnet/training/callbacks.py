"""Callbacks: watch the training loop through a ``logs`` dict, and may stop it.

The loop in :mod:`glassnet.training.loop` calls the hooks below on every callback
in order. A callback never reaches into the loop; it reads ``logs`` (the
epoch's ``loss``, ``val_loss``, metrics, ``lr`` and ``epoch_time``; a batch's
``loss`` and ``size``) and the network it is given (``network.optimizer`` is
the optimizer in use), and asks the loop to stop by setting
``network.stop_training = True``.

The hooks are Keras's, under Keras's names: ``on_train_begin/end``,
``on_epoch_begin/end``, ``on_train_batch_begin/end`` (with the older
``on_batch_begin/end`` as aliases, as in Keras) and, around the validation
pass of each epoch, ``on_test_begin/end`` and ``on_test_batch_begin/end``.
A callback that defines any other ``on_*`` method (``on_predict_end``, a
misspelt hook) is refused by :class:`CallbackList` rather than silently never
called.
"""

from __future__ import annotations

import csv
import math
import os
import sys
import time
import types
import warnings

import numpy as np

from glassnet.core._validation import check_number
from glassnet.files.atomic import atomic_save
from glassnet.training.monitor import Monitor
from glassnet.training.schedules import ReduceOnPlateau, Schedule, get_schedule

__all__ = [
    "CSVLogger",
    "Callback",
    "CallbackList",
    "DivergenceWarning",
    "EarlyStopping",
    "EpochLogger",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
]


class Callback:
    """Base class with Keras-style hooks; override the ones you need.

    The hooks and their names are Keras's (``keras.callbacks.Callback``);
    every hook of this base class does nothing, except that
    ``on_train_batch_begin/end`` call ``on_batch_begin/end``, their older
    names. A callback asks the loop to stop by setting
    ``self.network.stop_training = True``.

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
        """Give the callback the network it watches and the run's settings.

        Called by the loop (through :class:`CallbackList`) before
        ``on_train_begin``.

        Parameters
        ----------
        network : Network
            The network being trained; stored as ``self.network``.
        params : dict
            ``epochs``, ``batch_size``, ``steps`` (batches per epoch),
            ``n_samples`` and ``metrics``; stored as ``self.params``.
        """
        self.network = network
        self.params = params

    def on_train_begin(self, logs: dict) -> None:
        """Before the first epoch.

        Parameters
        ----------
        logs : dict
            Empty.
        """

    def on_epoch_begin(self, epoch: int, logs: dict) -> None:
        """Before an epoch's first batch.

        Parameters
        ----------
        epoch : int
            Index of the epoch, from 0.
        logs : dict
            Empty.
        """

    def on_batch_begin(self, batch: int, logs: dict) -> None:
        """Before a training batch (the older name of ``on_train_batch_begin``).

        Parameters
        ----------
        batch : int
            Index of the batch within its epoch, from 0.
        logs : dict
            Empty.
        """

    def on_batch_end(self, batch: int, logs: dict) -> None:
        """After a training batch (the older name of ``on_train_batch_end``).

        Parameters
        ----------
        batch : int
            Index of the batch within its epoch, from 0.
        logs : dict
            ``loss`` (float, the batch's mean loss) and ``size`` (int, its
            number of samples).
        """

    def on_train_batch_begin(self, batch: int, logs: dict) -> None:
        """Before a training batch; calls :meth:`on_batch_begin` (Keras's alias).

        Parameters
        ----------
        batch : int
            Index of the batch within its epoch, from 0.
        logs : dict
            Empty.
        """
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict) -> None:
        """After a training batch; calls :meth:`on_batch_end`, as Keras does.

        Parameters
        ----------
        batch : int
            Index of the batch within its epoch, from 0.
        logs : dict
            ``loss`` (float, the batch's mean loss) and ``size`` (int, its
            number of samples).
        """
        self.on_batch_end(batch, logs)

    def on_test_begin(self, logs: dict) -> None:
        """Before the validation pass of an epoch.

        Parameters
        ----------
        logs : dict
            Empty.
        """

    def on_test_batch_begin(self, batch: int, logs: dict) -> None:
        """Before a chunk of the validation pass.

        Parameters
        ----------
        batch : int
            Index of the chunk within the validation pass, from 0.
        logs : dict
            Empty.
        """

    def on_test_batch_end(self, batch: int, logs: dict) -> None:
        """After a chunk of the validation pass.

        Parameters
        ----------
        batch : int
            Index of the chunk within the validation pass, from 0.
        logs : dict
            ``loss`` (float, the chunk's mean loss) and ``size`` (int, its
            number of samples).
        """

    def on_test_end(self, logs: dict) -> None:
        """After the validation pass of an epoch.

        Parameters
        ----------
        logs : dict
            As Keras gives them, unprefixed: ``loss`` and the metrics of the
            validation data (they are ``val_loss`` etc. in the epoch's logs).
        """

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        """After an epoch, its validation pass included.

        Parameters
        ----------
        epoch : int
            Index of the epoch, from 0.
        logs : dict
            The epoch's ``loss``, metrics (``accuracy``, ...), with
            validation data ``val_loss`` and ``val_<metric>``, ``lr`` (the
            learning rate used) and ``epoch_time`` (seconds). A callback may
            add entries; :class:`~glassnet.training.loop.History` records them.
        """

    def on_train_end(self, logs: dict) -> None:
        """After the last epoch, or the epoch in which training was stopped.

        Parameters
        ----------
        logs : dict
            The last epoch's logs (empty when no epoch ran).
        """


#: Every hook the training loop calls.
HOOKS = tuple(name for name in vars(Callback) if name.startswith("on_"))

# Keras's names for the batch hooks, and the older names they call.
_ALIASES = {
    "on_train_batch_begin": "on_batch_begin",
    "on_train_batch_end": "on_batch_end",
}


def _implements(cb: Callback, hook: str) -> bool:
    return getattr(getattr(cb, hook), "__func__", None) is not getattr(Callback, hook)


def _check_hooks(cb: Callback) -> None:
    """Refuse ``on_*`` methods that the loop would never call."""
    unknown = sorted(
        name
        for name in dir(cb)
        if name.startswith("on_")
        and name not in HOOKS
        and callable(getattr(cb, name, None))
    )
    if unknown:
        raise TypeError(
            f"The callback {type(cb).__name__} defines {', '.join(unknown)}, which "
            f"fit never calls. The hooks fit calls are: {', '.join(HOOKS)}."
        )


class CallbackList:
    """Calls each hook on every callback, in order.

    ``callback_list.on_epoch_end(epoch, logs)`` calls ``on_epoch_end`` on
    every callback, and likewise for every hook.

    Parameters
    ----------
    callbacks : iterable of Callback
        The callbacks, in the order their hooks are called.
    network : Network
        The network being trained, given to each callback.
    params : dict
        The run's settings, given to each callback (see
        :meth:`Callback.set_context`).

    Raises
    ------
    TypeError
        For an entry that is not a :class:`Callback`, or one that defines an
        ``on_*`` method that is not a hook (see the module's docstring for
        the list).
    """

    def __init__(self, callbacks, network, params: dict):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(
                    "Every entry of 'callbacks' must be a glassnet Callback. "
                    f"Got {type(cb).__name__} instead."
                )
            _check_hooks(cb)
            cb.set_context(network, params)

    def overrides(self, hook: str) -> bool:
        """Whether any callback implements ``hook`` (the loop skips the rest).

        ``on_train_batch_end`` counts as implemented by a callback that
        implements ``on_batch_end`` (its alias), and likewise for begin. A
        callback may opt out of a hook its class implements by binding the
        base class's no-op to itself (see :class:`TerminateOnNaN`).

        Parameters
        ----------
        hook : str
            Name of a hook, e.g. ``"on_train_batch_end"``.

        Returns
        -------
        bool
            True when at least one callback does something in ``hook``.
        """
        alias = _ALIASES.get(hook)
        return any(
            _implements(cb, hook) or (alias is not None and _implements(cb, alias))
            for cb in self.callbacks
        )

    def __getattr__(self, hook: str):
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        methods = [getattr(cb, hook) for cb in self.callbacks]

        def call(*args):
            for method in methods:
                method(*args)

        # Cache it: the loop calls on_train_batch_end once per batch.
        setattr(self, hook, call)
        return call


def scalar_logs(logs: dict) -> dict:
    """The entries of ``logs`` that are single numbers (not per-class arrays).

    Parameters
    ----------
    logs : dict
        Epoch or batch logs.

    Returns
    -------
    dict of str to float
        The numeric entries (booleans left out), as Python floats.
    """
    return {
        k: float(v)
        for k, v in logs.items()
        if isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
    }


def format_logs(logs: dict) -> str:
    """``loss 0.1234  val_loss 0.2345 ...`` for the scalar entries of ``logs``.

    Parameters
    ----------
    logs : dict
        Epoch logs.

    Returns
    -------
    str
        Each scalar entry as ``key value`` (4 decimals; ``lr`` with 4
        significant digits), without ``epoch_time`` and the per-layer
        diagnostics.
    """
    return "  ".join(
        f"{key} {value:.4g}" if key == "lr" else f"{key} {value:.4f}"
        for key, value in scalar_logs(logs).items()
        # per-layer diagnostics ("grad_norm/1", ...) are for plots, not the line
        if key != "epoch_time" and "/" not in key and key != "grad_ratio"
    )


class EpochLogger(Callback):
    """Prints one line per epoch: loss, validation loss and metrics, time.

    ``fit(verbose=2)`` uses it. A line reads
    ``epoch  3/10  loss 0.4321  accuracy 0.8750  lr 0.01  0.02s``: the
    epoch 1-based, the scalar logs, the epoch's wall time in seconds.

    Parameters
    ----------
    stream : file-like, optional
        Where the lines go; default ``sys.stdout``.
    """

    def __init__(self, stream=None):
        self.stream = stream

    def on_epoch_begin(self, epoch, logs):
        """Start the epoch's clock.

        Parameters
        ----------
        epoch : int
            Index of the epoch, from 0.
        logs : dict
            Empty.
        """
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs):
        """Print the epoch's line.

        Parameters
        ----------
        epoch : int
            Index of the epoch, from 0 (printed from 1).
        logs : dict
            The epoch's logs.
        """
        epochs = self.params.get("epochs", epoch + 1)
        width = len(str(epochs))
        line = f"epoch {epoch + 1:>{width}}/{epochs}  {format_logs(logs)}"
        line += f"  {time.perf_counter() - self._start:.2f}s"
        print(line, file=self.stream or sys.stdout, flush=True)


class EarlyStopping(Callback):
    """Stop when a monitored quantity has stopped improving (lecture 002).

    Parameters
    ----------
    monitor : str, default "val_loss"
        Key of the epoch logs, e.g. "val_loss", "val_accuracy", "loss".
    mode : {"auto", "min", "max"}, default "auto"
        "auto" maximizes accuracy-like metrics and minimizes the rest.
    patience : int >= 0, default 0
        Epochs without improvement before stopping.
    min_delta : float >= 0, default 0
        An improvement must beat the best by more than this, both to reset
        the patience count and to become the best epoch (Keras's rule). An
        epoch that beats the best by less is neither: the weights restored
        are those of the last epoch that improved by more than ``min_delta``.
        (scikit-learn's MLP applies its ``tol`` to the count only and keeps
        the strictly best epoch; :mod:`glassnet.sklearn` follows that.)
    restore_best_weights : bool, default False
        When training ends -- stopped here, or by running out of epochs --
        set the weights back to those of the best epoch (``restored_epoch``
        says which). Keras's name; ``restore_best=`` still works and warns.
    baseline : float, optional
        The value to beat: training stops if no epoch improves on it within
        ``patience`` epochs (as in Keras).
    start_from_epoch : int >= 0, default 0
        Epochs of warm-up before improvement is watched (as in Keras).
    verbose : {0, 1}, default 0
        1 prints a line when this callback stops training and when it
        restores weights, naming the epoch (1-based, as printed by ``fit``).
    restore_best : bool, optional
        Deprecated name of ``restore_best_weights`` (warns with a
        ``DeprecationWarning``).

    Attributes
    ----------
    best : float
        Best monitored value; ``best_epoch`` is its epoch (0-based).
    stopped_epoch : int or None
        Epoch after which this callback stopped training.
    restored_epoch : int or None
        The epoch (0-based) whose weights were restored at the end.

    Raises
    ------
    TypeError
        For a ``monitor`` that is not a non-empty string, or a non-numeric
        ``patience``, ``min_delta``, ``baseline``, ``start_from_epoch`` or
        ``verbose``.
    ValueError
        For an unknown ``mode``, or a number out of its range (a negative
        ``patience``, ...). During training, ``on_epoch_end`` raises
        ``ValueError`` when ``monitor`` is not in the epoch logs (e.g.
        ``"val_loss"`` without validation data).

    See Also
    --------
    glassnet.training.callbacks.ModelCheckpoint : Save the best epoch's model.

    Examples
    --------
    Training stops once the validation loss has not improved by more than
    ``min_delta`` for ``patience`` epochs, and the best epoch's weights come
    back:

    >>> import numpy as np
    >>> import glassnet as gn
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(64, 2))
    >>> y = X @ np.array([1.0, -2.0]) + rng.normal(scale=0.5, size=64)
    >>> net = gn.Network.mlp([2, 1], loss="mse", seed=0)
    >>> stop = gn.EarlyStopping(patience=3, min_delta=1e-3, restore_best_weights=True)
    >>> history = net.fit(
    ...     X[:48], y[:48], validation_data=(X[48:], y[48:]), epochs=100,
    ...     optimizer=gn.SGD(lr=0.1), callbacks=[stop], seed=0,
    ... )
    >>> len(history.epoch), stop.stopped_epoch, stop.restored_epoch
    (10, 9, 6)
    >>> round(history.history["val_loss"][6], 4)
    0.2657
    >>> round(gn.evaluate(net, X[48:], y[48:])["loss"], 4)
    0.2657
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        *,
        mode: str = "auto",
        patience: int = 0,
        min_delta: float = 0.0,
        restore_best_weights: bool = False,
        baseline: float | None = None,
        start_from_epoch: int = 0,
        verbose: int = 0,
        restore_best: bool | None = None,
    ):
        owner = "EarlyStopping"
        self.monitor = Monitor(monitor, mode, min_delta, owner)
        self.patience = check_number(patience, "patience", owner, low=0, integer=True)
        if restore_best is not None:
            warnings.warn(
                "The 'restore_best' parameter of EarlyStopping is now "
                "'restore_best_weights' (Keras's name); 'restore_best' will be "
                "removed in a future release.",
                DeprecationWarning,
                stacklevel=2,
            )
            restore_best_weights = restore_best
        self.restore_best_weights = bool(restore_best_weights)
        self.baseline = check_number(baseline, "baseline", owner, allow_none=True)
        self.start_from_epoch = check_number(
            start_from_epoch, "start_from_epoch", owner, low=0, integer=True
        )
        self.verbose = check_number(
            verbose, "verbose", owner, low=0, high=1, integer=True
        )

    @property
    def restore_best(self) -> bool:
        """Deprecated name of :attr:`restore_best_weights`."""
        return self.restore_best_weights

    @property
    def best(self) -> float:
        """Best value of the monitored quantity so far (``inf`` or ``-inf`` before
        any, ``baseline`` when given)."""
        return self.monitor.best

    def on_train_begin(self, logs):
        """Forget the best value, the patience count and the kept weights.

        Parameters
        ----------
        logs : dict
            Empty.
        """
        self.monitor.reset()
        if self.baseline is not None:
            self.monitor.best = self.baseline  # an epoch must beat it
        self.wait = 0
        self.best_epoch = None
        self.best_weights = None
        self.stopped_epoch = None
        self.restored_epoch = None

    def on_epoch_end(self, epoch, logs):
        """Compare ``logs[monitor]`` with the best; stop after ``patience`` misses.

        Parameters
        ----------
        epoch : int
            Index of the epoch, from 0.
        logs : dict
            The epoch's logs; must hold ``monitor``.

        Raises
        ------
        ValueError
            When ``monitor`` is not in ``logs``.
        """
        if epoch < self.start_from_epoch:
            return
        value = self.monitor.value(logs)
        if self.monitor.improved(value):
            self.monitor.best = value
            self.best_epoch = epoch
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = self.network.get_weights()
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.network.stop_training = True
            if self.verbose:
                print(
                    f"Epoch {epoch + 1}: early stopping ({self.monitor.monitor} did "
                    f"not improve for {self.wait} epochs)",
                    flush=True,
                )

    def on_train_end(self, logs):
        """Restore the best epoch's weights when ``restore_best_weights``.

        Parameters
        ----------
        logs : dict
            The last epoch's logs.
        """
        if self.restore_best_weights and self.best_weights is not None:
            self.network.set_weights(self.best_weights)
            self.restored_epoch = self.best_epoch
            if self.verbose:
                print(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}.",
                    flush=True,
                )


class ModelCheckpoint(Callback):
    """Save the model after every epoch, or only when it is the best so far.

    Every file is written atomically (through a temporary file and
    :func:`os.replace`), so a crash never leaves a half-written checkpoint.
    An epoch whose training loss or weights are NaN or infinite (a diverging
    run) is never saved; its epoch (0-based) goes to ``skipped_epochs``.
    Other non-finite logs (e.g. an infinite ``val_loss``) are stored as
    ``None`` in the metadata, which is JSON. The parameters are those of
    Keras's ``ModelCheckpoint`` (``filepath`` fields, ``monitor``, ``mode``,
    ``save_best_only``).

    Parameters
    ----------
    filepath : str or os.PathLike
        May hold ``str.format`` fields filled from the epoch (1-based) and
        the scalar logs, e.g. ``"ckpt-{epoch:02d}-{val_loss:.3f}.glassnet"``.
    monitor : str, default "val_loss"
        Key of the epoch logs watched by ``save_best_only``.
    mode : {"auto", "min", "max"}, default "auto"
        "auto" maximizes accuracy-like metrics and minimizes the rest.
    save_best_only : bool, default False
        Save only when ``monitor`` improves on the best so far.
    min_delta : float >= 0, default 0
        An improvement must beat the best by more than this.
    save : callable, optional
        ``save(network, path, meta)`` writes a complete file to ``path``.
        Default: a model file
        (:func:`glassnet.files.model_file.write_model`; load it with
        :func:`glassnet.load`), whose metadata holds the epoch and the logs.

    Attributes
    ----------
    last_saved : str or None
        Path of the last file written.
    skipped_epochs : list of int
        Epochs (0-based) not saved because the loss or weights were not finite.

    Raises
    ------
    TypeError
        For a ``monitor`` that is not a non-empty string or a non-numeric
        ``min_delta``.
    ValueError
        For an unknown ``mode`` or a negative ``min_delta``. During training,
        ``on_epoch_end`` raises ``ValueError`` for a ``filepath`` field that
        is not in the logs, or a ``monitor`` that is not.
    """

    def __init__(
        self,
        filepath,
        *,
        monitor: str = "val_loss",
        mode: str = "auto",
        save_best_only: bool = False,
        min_delta: float = 0.0,
        save=None,
    ):
        self.filepath = os.fspath(filepath)
        self.monitor = Monitor(monitor, mode, min_delta, "ModelCheckpoint")
        self.save_best_only = bool(save_best_only)
        self.save = save if save is not None else _write_model
        self.last_saved = None

    def on_train_begin(self, logs):
        """Forget the best value and the skipped epochs.

        Parameters
        ----------
        logs : dict
            Empty.
        """
        self.monitor.reset()
        self.skipped_epochs = []

    def on_epoch_end(self, epoch, logs):
        """Save the model (when finite, and improved with ``save_best_only``).

        Parameters
        ----------
        epoch : int
            Index of the epoch, from 0 (``{epoch}`` in ``filepath`` is 1-based).
        logs : dict
            The epoch's logs: the fields of ``filepath`` and the metadata.

        Raises
        ------
        ValueError
            When ``filepath`` names a field that is not in ``logs``, or
            ``save_best_only`` watches a ``monitor`` that is not.
        """
        if not _finite(logs.get("loss", 0.0)) or not all(
            np.all(np.isfinite(w)) for w in self.network.get_weights()
        ):
            self.skipped_epochs.append(epoch)
            return
        if self.save_best_only:
            value = self.monitor.value(logs)
            if not self.monitor.improved(value):
                return
            self.monitor.best = value
        scalars = scalar_logs(logs)
        try:
            path = self.filepath.format(epoch=epoch + 1, **scalars)
        except KeyError as exc:
            raise ValueError(
                f"The filepath of ModelCheckpoint names {{{exc.args[0]}}}, which is "
                f"not in the epoch logs (available: epoch, {', '.join(scalars)})."
            ) from None
        finite = {k: (v if math.isfinite(v) else None) for k, v in scalars.items()}
        meta = {"epoch": epoch + 1, "logs": finite}
        atomic_save(path, lambda tmp: self.save(self.network, tmp, meta))
        self.last_saved = path


def _finite(value) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return True  # not a number (e.g. a per-class array): nothing to check


def _write_model(network, path, meta):
    from glassnet.files.model_file import write_model

    write_model(network, path, metadata=meta)


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate before every epoch from a schedule.

    Parameters
    ----------
    schedule : Schedule, str or callable
        A :class:`~glassnet.training.schedules.Schedule` (or its name, e.g.
        "cosine"), called as ``schedule(epoch, lr0, epochs)`` with ``lr0`` the
        optimizer's rate when training began; or, as in Keras, any
        ``f(epoch, lr) -> new_lr`` of the current rate. The rate it returns
        must be a float in ``[0, inf)``; 0 is allowed (as in PyTorch) and
        leaves the weights unchanged for that epoch.
    **kwargs
        Options of a schedule given by name.

    Raises
    ------
    TypeError
        For a ``schedule`` that is neither a schedule, a schedule name nor
        callable. During training, ``on_epoch_begin`` raises ``TypeError`` or
        ``ValueError`` (naming the schedule and the epoch) when the schedule
        returns a rate that is not a float in ``[0, inf)``.
    ValueError
        For an unknown schedule name (the message lists the known ones).

    Examples
    --------
    Halve the rate every 2 epochs (``StepDecay``), starting from the
    optimizer's 0.1:

    >>> import numpy as np
    >>> import glassnet as gn
    >>> X, y = np.eye(4), np.arange(4.0)
    >>> net = gn.Network.mlp([4, 1], loss="mse", seed=0)
    >>> scheduler = gn.LearningRateScheduler(gn.StepDecay(step_size=2, gamma=0.5))
    >>> history = net.fit(
    ...     X, y, epochs=5, optimizer=gn.SGD(lr=0.1), callbacks=[scheduler]
    ... )
    >>> [round(lr, 3) for lr in history.history["lr"]]
    [0.1, 0.1, 0.05, 0.05, 0.025]

    Any ``f(epoch, lr)`` works too, as in Keras:

    >>> scheduler = gn.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    >>> history = net.fit(X, y, epochs=3, callbacks=[scheduler])
    >>> [round(lr, 4) for lr in history.history["lr"]]
    [0.1, 0.05, 0.0333]
    """

    def __init__(self, schedule, **kwargs):
        if isinstance(schedule, str):
            schedule = get_schedule(schedule, **kwargs)
        if not callable(schedule):
            raise TypeError(
                "The 'schedule' parameter of LearningRateScheduler must be a "
                "Schedule, a schedule name or a function f(epoch, lr). Got "
                f"{type(schedule).__name__} instead."
            )
        self.schedule = schedule

    #: Whether a later fit starts from the rate the schedule left behind
    #: (Keras's ReduceLROnPlateau) rather than from the rate training began
    #: with (PyTorch's ``initial_lr``).
    resumes_from_last_rate = False

    def on_train_begin(self, logs):
        """Take the starting rate ``lr0`` from the optimizer; reset the schedule.

        Parameters
        ----------
        logs : dict
            Empty.
        """
        optimizer = self.network.optimizer
        # A rate that a schedule left on the optimizer (0 at the end of a
        # cosine, say) is not a new starting point for the next fit of the
        # same optimizer: start again from the rate the schedule started
        # from, as PyTorch keeps ``initial_lr``. A rate set by the user
        # since then is the new starting point.
        start, left = getattr(optimizer, "_scheduled_rates", (None, None))
        resume = self.resumes_from_last_rate or left is None or optimizer.lr != left
        self.lr0 = optimizer.lr if resume else start
        if isinstance(self.schedule, Schedule):
            self.schedule.reset()

    def on_epoch_begin(self, epoch, logs):
        """Set the optimizer's rate for this epoch from the schedule.

        Parameters
        ----------
        epoch : int
            Index of the epoch, from 0.
        logs : dict
            Empty.

        Raises
        ------
        TypeError
            When the schedule returns a rate that is not a number.
        ValueError
            When it returns a negative or non-finite rate.
        """
        optimizer = self.network.optimizer
        if isinstance(self.schedule, Schedule):
            lr = self.schedule(epoch, self.lr0, self.params.get("epochs"))
        else:
            lr = self.schedule(epoch, optimizer.lr)
        try:
            optimizer.lr = lr  # any rate in [0, inf), 0 included
        except (TypeError, ValueError) as exc:
            raise type(exc)(
                f"{exc} It came from the schedule {self.schedule!r} of "
                f"{type(self).__name__} at epoch {epoch + 1}."
            ) from None
        optimizer._scheduled_rates = (self.lr0, optimizer.lr)

    def on_epoch_end(self, epoch, logs):
        """Show the epoch's logs to the schedule (a plateau schedule watches them).

        Parameters
        ----------
        epoch : int
            Index of the epoch, from 0.
        logs : dict
            The epoch's logs.
        """
        if isinstance(self.schedule, Schedule):
            self.schedule.observe(epoch, logs)


class ReduceLROnPlateau(LearningRateScheduler):
    """Divide the learning rate when a monitored quantity stops improving.

    A :class:`LearningRateScheduler` with the
    :class:`~glassnet.training.schedules.ReduceOnPlateau` schedule; the parameters
    and their defaults are Keras's (``keras.callbacks.ReduceLROnPlateau``).
    A reduction applies at once, at the end of the epoch that triggers it,
    and a later ``fit`` starts from the reduced rate, as in Keras.

    Parameters
    ----------
    monitor : str, default "val_loss"
        Key of the epoch logs to watch.
    **kwargs
        ``factor`` (default 0.1), ``patience`` (10), ``mode`` ("auto"),
        ``min_delta`` (1e-4), ``cooldown`` (0), ``min_lr`` (0): see
        :class:`~glassnet.training.schedules.ReduceOnPlateau`.

    Raises
    ------
    TypeError
        For an unknown keyword or a non-numeric option.
    ValueError
        For an option out of its range (e.g. ``factor`` not in ``(0, 1)``).
        During training, ``on_epoch_end`` raises ``ValueError`` when
        ``monitor`` is not in the epoch logs.
    """

    resumes_from_last_rate = True

    def __init__(self, monitor: str = "val_loss", **kwargs):
        super().__init__(ReduceOnPlateau(monitor, **kwargs))

    def on_epoch_end(self, epoch, logs):
        """Watch ``logs[monitor]`` and reduce the rate at once on a plateau.

        Parameters
        ----------
        epoch : int
            Index of the epoch, from 0.
        logs : dict
            The epoch's logs; must hold ``monitor``.

        Raises
        ------
        ValueError
            When ``monitor`` is not in ``logs``.
        """
        super().on_epoch_end(epoch, logs)
        # Apply a reduction at once, as Keras does, so that the optimizer
        # holds the reduced rate after the last epoch too.
        self.on_epoch_begin(epoch + 1, logs)


class DivergenceWarning(RuntimeWarning):
    """Training diverged: the loss or the weights became NaN or infinite."""


class TerminateOnNaN(Callback):
    """Stop when the loss or the weights become non-finite (Keras's callback).

    The loss is checked after every batch and every epoch, the weights after
    every epoch. On failure training stops, and with ``restore`` the weights
    (and batch-norm statistics) go back to the last ones known finite --
    those at the end of the last good epoch, or the initial ones -- and the
    optimizer's state is reset (it holds NaN too). A
    :class:`DivergenceWarning` says what happened and suggests a lower
    learning rate or scaled inputs.

    Parameters
    ----------
    restore : bool, default True
        Put back the last finite weights; ``False`` leaves the network (and
        the optimizer) as they were when the divergence was seen.
    warn : bool, default True
        Issue the :class:`DivergenceWarning`; ``False`` only records.
    check_batches : bool, default True
        Check the loss of every batch, stopping within the epoch. The loop
        then computes each batch's loss, which costs time on small batches
        (about as much again as the step of a 64-128-10 network on batches of
        32); ``False`` checks at the end of each epoch only.
    max_loss : float, optional
        A loss above this also counts as divergence (weights that grew
        without bound can keep the loss finite but astronomically large,
        e.g. Adam with a learning rate of 1e6). The command line sets it to
        a million times the untrained network's loss. ``None``: only
        non-finite losses count, as in Keras.

    Raises
    ------
    TypeError
        For a non-numeric ``max_loss``.
    ValueError
        For a ``max_loss`` that is not positive.

    Attributes
    ----------
    terminated : bool
        Whether training diverged and was stopped here.
    stopped_epoch : int or None
        The epoch (0-based) in which the loss or weights became non-finite.
    lr : float or None
        The optimizer's learning rate at that moment.
    restored_epoch : int or None
        The epoch (0-based) whose final weights the network holds after a
        restore; ``None`` for the initial weights (or when nothing was
        restored).
    kept : str or None
        What the network holds now, in words: "the initial weights", "the
        weights from the end of epoch 3" (1-based), or "the non-finite
        weights" (``restore=False``).
    reason : str or None
        What became non-finite, e.g. "the loss became nan at batch 3".
    message : str or None
        One sentence: epoch, learning rate, what became non-finite, what was
        kept.
    """

    def __init__(
        self,
        *,
        restore: bool = True,
        warn: bool = True,
        check_batches: bool = True,
        max_loss: float | None = None,
    ):
        self.restore = bool(restore)
        self.warn = bool(warn)
        self.max_loss = check_number(
            max_loss,
            "max_loss",
            "TerminateOnNaN",
            low=0,
            low_open=True,
            allow_none=True,
        )
        if not check_batches:
            # the base class's no-op: the loop then skips the batch losses
            self.on_batch_end = types.MethodType(Callback.on_batch_end, self)

    def on_train_begin(self, logs):
        """Forget any earlier divergence; keep the initial weights as good.

        Parameters
        ----------
        logs : dict
            Empty.
        """
        self.terminated = False
        self.stopped_epoch = self.lr = self.restored_epoch = None
        self.kept = self.reason = self.message = None
        self._good = self.network.get_weights() if self.restore else None
        self._good_epoch = None
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs):
        """Note the epoch, for the message.

        Parameters
        ----------
        epoch : int
            Index of the epoch, from 0.
        logs : dict
            Empty.
        """
        self._epoch = epoch

    def _loss_problem(self, loss: float) -> str | None:
        if not math.isfinite(loss):
            return f"the loss became {loss}"
        if self.max_loss is not None and loss > self.max_loss:
            return f"the loss reached {loss:.4g}, above max_loss={self.max_loss:.4g}"
        return None

    def on_batch_end(self, batch, logs):
        """Stop when the batch's loss is not finite (or above ``max_loss``).

        Parameters
        ----------
        batch : int
            Index of the batch within its epoch, from 0.
        logs : dict
            The batch's ``loss`` and ``size``.
        """
        problem = None if self.terminated else self._loss_problem(logs["loss"])
        if problem is not None:
            self._terminate(f"{problem} at batch {batch + 1}")

    def on_epoch_end(self, epoch, logs):
        """Stop when the epoch's loss or the weights are not finite.

        Otherwise, with ``restore``, keep the weights as the last good ones.

        Parameters
        ----------
        epoch : int
            Index of the epoch, from 0.
        logs : dict
            The epoch's logs.
        """
        if self.terminated:
            return
        weights = self.network.get_weights()
        problem = self._loss_problem(logs.get("loss", 0.0))
        if problem is not None:
            self._terminate(problem)
        elif not all(np.all(np.isfinite(w)) for w in weights):
            self._terminate("the weights became NaN or infinite")
        elif self.restore:
            self._good, self._good_epoch = weights, epoch

    def _terminate(self, what: str) -> None:
        self.terminated = True
        self.stopped_epoch, self.reason = self._epoch, what
        self.network.stop_training = True
        optimizer = getattr(self.network, "optimizer", None)
        self.lr = None if optimizer is None else float(optimizer.lr)
        if self.restore:
            self.network.set_weights(self._good)
            if optimizer is not None:
                optimizer.reset()
            self.restored_epoch = self._good_epoch
            self.kept = (
                "the initial weights"
                if self._good_epoch is None
                else f"the weights from the end of epoch {self._good_epoch + 1}"
            )
            kept = f"restored {self.kept}, the last finite ones"
        else:
            self.kept = "the non-finite weights"
            kept = "kept the non-finite weights"
        lr = "" if self.lr is None else f" (lr {self.lr:g})"
        self.message = (
            f"Training diverged in epoch {self._epoch + 1}{lr}: {what}. "
            f"Stopped and {kept}."
        )
        if self.warn:
            warnings.warn(
                f"{self.message} Try a lower learning rate, gradient clipping, or "
                "scaling the inputs (e.g. standardize each feature).",
                DivergenceWarning,
                stacklevel=2,
            )


class CSVLogger(Callback):
    """Write one CSV row per epoch: the epoch and every scalar log.

    The columns are ``epoch`` (1-based) and the scalar logs in the order of
    the first epoch's logs (as Keras's ``CSVLogger``); floats are written
    with ``repr``, so they read back exactly.

    Parameters
    ----------
    filename : str or os.PathLike
        The CSV file, created or replaced when training begins.
    separator : str, default ","
        The field delimiter.
    append : bool, default False
        Append to an existing file (no second header) instead of replacing it.
    """

    def __init__(self, filename, *, separator: str = ",", append: bool = False):
        self.filename = os.fspath(filename)
        self.separator = separator
        self.append = bool(append)
        self._file = None

    def on_train_begin(self, logs):
        """Open the file (replaced, or appended to with ``append``).

        Parameters
        ----------
        logs : dict
            Empty.

        Raises
        ------
        OSError
            When the file cannot be opened for writing.
        """
        has_rows = self.append and os.path.exists(self.filename)
        has_rows = has_rows and os.path.getsize(self.filename) > 0
        self._file = open(  # noqa: SIM115 -- closed in on_train_end
            self.filename, "a" if self.append else "w", newline=""
        )
        self._writer = None
        self._write_header = not has_rows

    def on_epoch_end(self, epoch, logs):
        """Write the epoch's row (and the header before the first).

        Parameters
        ----------
        epoch : int
            Index of the epoch, from 0 (written from 1).
        logs : dict
            The epoch's logs; the scalar ones are written.
        """
        row = {"epoch": epoch + 1, **scalar_logs(logs)}
        if self._writer is None:
            self._writer = csv.DictWriter(
                self._file,
                fieldnames=list(row),
                delimiter=self.separator,
                restval="",
                extrasaction="ignore",
            )
            if self._write_header:
                self._writer.writeheader()
        self._writer.writerow(
            {k: repr(v) if isinstance(v, float) else v for k, v in row.items()}
        )
        self._file.flush()

    def on_train_end(self, logs):
        """Close the file.

        Parameters
        ----------
        logs : dict
            The last epoch's logs.
        """
        if self._file is not None:
            self._file.close()
            self._file = None
