"""The training loop: batching, shuffling, validation, History, the stop flag.

The loop only batches and calls hooks (lecture 003): per epoch it shuffles
the samples, cuts them into batches -- all of them at once for batch gradient
descent, one for stochastic gradient descent, ``k`` for mini-batch SGD --
and for each batch runs forward, the loss's output delta, backward and the
optimizer's update. Everything else (printing, early stopping, schedules,
checkpoints) is a callback; after each epoch the loop computes the epoch's
metrics once and hands them to the callbacks in ``logs``.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass

import numpy as np

from glassnet.core import backends, regularizers
from glassnet.core._registry import lookup
from glassnet.core._validation import check_number, check_sample_weight
from glassnet.core.optimizers import (
    OPTIMIZERS,
    SGD,
    Adam,
    Optimizer,
    get_optimizer,
)
from glassnet.metrics import compute_metrics, output_kind, resolve_metrics
from glassnet.training import fit_data as _fit_data
from glassnet.training.batches import BatchGather, StreamLoop, outputs_logs
from glassnet.training.callbacks import Callback, CallbackList, EpochLogger

__all__ = ["History", "evaluate", "fit"]


class History(Callback):
    """Per-epoch record of training: ``history.history["loss"]`` and the rest.

    Attributes
    ----------
    history : dict of str to list
        One entry per epoch for each key of the epoch logs: ``loss``, every
        metric (e.g. ``accuracy``), with validation data ``val_loss`` and the
        ``val_`` twin of every metric, ``lr`` (the learning rate used in the
        epoch) and ``epoch_time`` (seconds, validation included).
    epoch : list of int
        The epoch numbers recorded (0-based).

    See Also
    --------
    fit : Returns the History of its run (Keras's ``History`` object).

    Examples
    --------
    >>> import numpy as np
    >>> import glassnet as gn
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    >>> y = np.array([0, 1, 1, 0])
    >>> net = gn.Network.mlp([2, 2, 1], hidden="tanh", seed=1, dtype="float64")
    >>> history = net.fit(X, y, epochs=4, batch_size=None, optimizer=gn.Adam(lr=0.1))
    >>> history
    History(epochs=4, keys=[loss, accuracy, lr, epoch_time])
    >>> history.epoch
    [0, 1, 2, 3]
    >>> history.history["lr"]
    [0.1, 0.1, 0.1, 0.1]
    >>> round(history.history["loss"][0], 4)  # the epoch's mean cost, nats
    0.7098
    """

    def __init__(self):
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch, logs):
        """Append the epoch's number and every entry of its logs.

        Parameters
        ----------
        epoch : int
            Index of the epoch, from 0.
        logs : dict
            The epoch's logs; a key first seen later than epoch 0 gets a
            shorter list.
        """
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def _repr_html_(self) -> str:
        # the one reference upward of the training package, like Network's
        # _repr_html_: notebook HTML is drawn by the report package
        return importlib.import_module("glassnet.report.notebook").history_html(self)

    def __repr__(self) -> str:
        keys = ", ".join(self.history)
        return f"History(epochs={len(self.epoch)}, keys=[{keys}])"


@dataclass
class _Split:
    """Samples, prepared targets (n, n_outputs) and weights (n,) or None."""

    X: np.ndarray
    Y: np.ndarray
    weights: np.ndarray | None = None


def _validation_part(network, validation_data) -> _Split:
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (
        2,
        3,
    ):
        raise ValueError(
            "The 'validation_data' parameter must be a pair (X_val, y_val) or a "
            "triple (X_val, y_val, sample_weight_val). Got "
            f"{type(validation_data).__name__} instead."
        )
    X_val = network.prepare_inputs(validation_data[0], name="X_val")
    Y_val = network.prepare_targets(validation_data[1], X_val, name="y_val")
    w_val = None
    if len(validation_data) == 3 and validation_data[2] is not None:
        w_val = check_sample_weight(
            validation_data[2],
            X_val.shape[0],
            dtype=network.dtype,
            name="sample_weight_val",
        )
    return _Split(X_val, Y_val, w_val)


def _prepare_data(network, X, Y, options, rng) -> tuple[_Split, _Split | None]:
    """The training part (with its weights) and the validation part, if any."""
    sample_weight = options["sample_weight"]
    if sample_weight is not None:
        sample_weight = check_sample_weight(sample_weight, X.shape[0])
    labels = _fit_data.class_labels(network, Y)
    fraction = check_number(
        options["validation_split"],
        "validation_split",
        "fit",
        low=0,
        high=1,
        high_open=True,
        allow_none=True,
    )
    validation = None
    if options["validation_data"] is not None:
        if fraction:
            raise ValueError(
                "Pass either validation_data or validation_split to fit, not both."
            )
        validation = _validation_part(network, options["validation_data"])
    elif fraction:
        train, val = _fit_data.split_indices(X.shape[0], labels, fraction, rng)
        w_val = None
        if sample_weight is not None:
            _fit_data.check_split_weights(sample_weight, train, val, fraction)
            w_val = check_sample_weight(
                sample_weight[val], val.size, dtype=network.dtype
            )
            sample_weight = sample_weight[train]
        validation = _Split(X[val], Y[val], w_val)
        X, Y = X[train], Y[train]
        labels = None if labels is None else labels[train]
    weights = _fit_data.training_weights(
        network, Y, labels, sample_weight, options["class_weight"]
    )
    return _Split(X, Y, weights), validation


def fit(
    network,
    X,
    y=None,
    *,
    epochs: int = 10,
    batch_size: int | None = 32,
    optimizer: str | Optimizer | None = None,
    metrics=None,
    validation_data=None,
    validation_split: float | None = None,
    sample_weight=None,
    class_weight=None,
    shuffle: bool = True,
    seed: int | None = None,
    verbose: int = 0,
    callbacks: list[Callback] | None = None,
    diagnostics=False,
    backend=None,
) -> History:
    """Train ``network`` on ``(X, y)`` by backpropagation.

    Per epoch the samples are shuffled and cut into batches, and each batch
    runs forward, the loss's output delta, backward and the optimizer's
    update (lecture 003: batch, stochastic and mini-batch gradient descent).
    ``network.fit(X, y, ...)`` is the same call. Parameters and behaviour
    follow Keras's ``Model.fit``; everything beyond batching (printing,
    early stopping, schedules, checkpoints) is a
    :class:`~glassnet.training.callbacks.Callback`.

    Parameters
    ----------
    network : Network
        The network to train, in place; its ``optimizer`` is set to the one
        used.
    X : array-like of shape (n_samples, n_features), or batches
        Samples as rows: float, integer, or uint8 pixels (converted to
        ``x / 255`` batch by batch, so a uint8 array or a memory map is never
        copied whole into floats). Or, with ``y`` omitted, an iterable of
        ``(X_batch, y_batch)`` pairs (re-iterable, or a function returning a
        new iterator per epoch) for data that does not fit in memory.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Class labels (one-hot accepted) or regression targets.
    epochs : int, default 10
        Passes over the whole training set.
    batch_size : int or None, default 32
        ``None``: full-batch gradient descent (one update per epoch);
        ``1``: stochastic gradient descent; ``k``: mini-batch SGD.
    optimizer : str, Optimizer or None, default None
        The optimizer is kept on the network (``network.optimizer``) with
        its state (momenta, moments, step count, a schedule's rate), so a
        second ``fit`` continues the first, as Keras's ``fit`` does after
        one ``compile``. None: the network's kept optimizer, else
        ``SGD(lr=0.01)``. A name ("adam", ...): the kept optimizer when it
        is of that kind, else a new one with default settings. An
        ``Optimizer`` instance: that one, with the state it holds; pass a
        new instance (``gn.Adam()``) to start afresh.
    metrics : list of str, optional
        Computed after every epoch on the training outputs of that epoch
        (training mode, as Keras does) and on the validation data. Default:
        ``["accuracy"]`` for classifiers, ``["mae"]`` for regressors; ``[]``
        for none. See :mod:`glassnet.metrics`. With weights the metrics are
        weighted as the loss is (Keras's ``weighted_metrics``): the training
        ones by ``sample_weight`` times ``class_weight``, the validation ones
        by the validation part's ``sample_weight``.
    validation_data : (X_val, y_val) or (X_val, y_val, sample_weight_val)
        Evaluated after every epoch into ``val_loss`` and ``val_<metric>``.
    validation_split : float in [0, 1), optional
        Hold out this fraction of ``(X, y)`` for validation instead: a random
        split seeded by ``seed``, stratified by class for classifiers.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weight of each sample's cost, in the loss and in its
        gradient (rescaled to average 1).
    class_weight : dict or "balanced", optional
        Weight of each class's samples, ``{label: weight}`` with the labels
        as ``y`` gives them (``{"dog": 3}``, or ``{2: 3}`` for labels 1/2 of
        a network whose ``preprocessing`` knows its classes; scikit-learn's
        meaning); "balanced" weighs class ``c`` by ``n / (n_classes n_c)``.
        Multiplies ``sample_weight``.
    shuffle : bool, default True
        Visit the samples in a new random order every epoch.
    seed : int, optional
        Seeds the validation split and the shuffling.
    verbose : {0, 1, 2}, default 0
        0 prints nothing, 1 a progress bar per epoch, 2 one line per epoch.
    callbacks : list of Callback, optional
        Called at every hook in order, before the verbose printer and the
        History (which so records what they add to ``logs``).
    diagnostics : bool or Diagnostics, default False
        Record per-layer gradient norms, saturation, dead units and update
        ratios every epoch (keys such as ``"grad_norm/1"`` in the History) and
        warn about vanishing or exploding gradients, saturation and
        overfitting; see :class:`glassnet.Diagnostics`.
    backend : {"numpy", "compiled"} or None, default None
        Whose operations run the training steps, the optimizer's updates and
        the validation passes (see :mod:`glassnet.core.backends`). None
        chooses by the size of the run: "compiled" (numba, the ``fast``
        extra) when the time its kernels are expected to save exceeds the
        time to load them, or when they are loaded already, else "numpy"
        (:func:`glassnet.core.backends.choose`; ``GLASSNET_ACCELERATE=0`` or
        ``1`` overrides). The two agree to float32 rounding.

    Returns
    -------
    History
        One entry per epoch for every key of the epoch logs (``loss``, the
        metrics, ``val_*``, ``lr``, ``epoch_time`` in seconds).

    Raises
    ------
    ValueError
        For an unknown backend; ``X`` or ``y`` of the wrong shape, with NaN,
        or a label the loss cannot take; an ``epochs``, ``batch_size``,
        ``verbose`` or ``validation_split`` out of its range; both
        ``validation_data`` and ``validation_split``; ``sample_weight`` that
        is negative, of the wrong length, or 0 on every sample of the
        training or the validation part of ``validation_split``; a
        ``batch_size`` smaller than a layer can learn from (batch
        normalization needs 2); named DataFrame columns that are not the
        model's feature names.
    TypeError
        For non-numeric data or settings, a ``callbacks`` entry that is not a
        Callback (or defines an ``on_*`` method that is not a hook), or a
        ``diagnostics`` that is not a bool or a Diagnostics callback.
    ImportError
        For ``backend="compiled"`` without numba.

    See Also
    --------
    evaluate : Loss and metrics in inference mode.

    Examples
    --------
    XOR, which a perceptron cannot learn, learnt by a 2-2-1 network with
    full-batch Adam (lecture 002):

    >>> import numpy as np
    >>> import glassnet as gn
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    >>> y = np.array([0, 1, 1, 0])
    >>> net = gn.Network.mlp([2, 2, 1], hidden="tanh", seed=1, dtype="float64")
    >>> history = gn.fit(
    ...     net, X, y, epochs=300, batch_size=None, optimizer=gn.Adam(lr=0.1)
    ... )
    >>> round(history.history["loss"][-1], 4), history.history["accuracy"][-1]
    (0.002, 1.0)
    >>> net.predict(X)
    array([0, 1, 1, 0])
    """
    if backend is not None or y is None:
        backend = backends.get(backend)
    if y is None:
        return _fit_stream(
            network,
            X,
            epochs=epochs,
            optimizer=optimizer,
            metrics=metrics,
            validation_data=validation_data,
            verbose=verbose,
            callbacks=callbacks,
            diagnostics=diagnostics,
            backend=backend,
        )
    X = network.prepare_inputs(X)
    Y = network.prepare_targets(y, X)
    epochs = check_number(epochs, "epochs", "fit", low=1, integer=True)
    verbose = check_number(verbose, "verbose", "fit", low=0, high=2, integer=True)
    optimizer = resolve_optimizer(network, optimizer)
    metric_list = resolve_metrics(metrics, network)
    rng = np.random.default_rng(seed)
    options = {
        "sample_weight": sample_weight,
        "class_weight": class_weight,
        "validation_data": validation_data,
        "validation_split": validation_split,
    }
    train, validation = _prepare_data(network, X, Y, options, rng)
    n = train.X.shape[0]
    if batch_size is None:
        batch_size = n
    batch_size = min(
        check_number(batch_size, "batch_size", "fit", low=1, integer=True), n
    )
    _check_batch_size(network, batch_size, n)
    params = {
        "epochs": epochs,
        "batch_size": batch_size,
        "steps": len(batch_bounds(n, batch_size, network)),
        "n_samples": n,
        "metrics": [m.name for m in metric_list],
    }
    if backend is None:
        backend = _choose_backend(network, optimizer, params)
    loop = _Loop(network, optimizer, train, batch_size, shuffle, rng, backend=backend)
    return _train(
        network, loop, params, callbacks, verbose, diagnostics, metric_list, validation
    )


def _choose_backend(network, optimizer, params):
    """The backend for ``fit(backend=None)``: by the size of the run."""
    units = sum(int(layer.n_out or 0) for layer in network.layers)
    compiled_update = isinstance(optimizer, Adam) or (
        isinstance(optimizer, SGD) and optimizer.momentum == 0
    )
    return backends.choose(
        params["epochs"] * params["steps"],
        network.parameters_flat.size,
        params["batch_size"] * units,
        updates=compiled_update,
    )


def resolve_optimizer(network, optimizer) -> Optimizer:
    """The optimizer a ``fit`` of ``network`` trains with (rule in fit's docstring).

    None continues ``network.optimizer`` (else a new ``SGD``); a name continues
    it when it is of that name's class, else builds the named one; an
    ``Optimizer`` instance is used as it is.
    """
    kept = getattr(network, "optimizer", None)
    if not isinstance(kept, Optimizer):
        kept = None
    if optimizer is None:
        return kept if kept is not None else SGD()
    if isinstance(optimizer, str):
        cls = lookup(optimizer, OPTIMIZERS, "optimizer")
        if kept is not None and type(kept) is cls:
            return kept
    return get_optimizer(optimizer)


def _fit_stream(
    network,
    source,
    *,
    epochs,
    optimizer,
    metrics,
    validation_data,
    verbose,
    callbacks,
    diagnostics,
    backend,
) -> History:
    """fit on batches from an iterable (no y): see :class:`StreamLoop`."""
    epochs = check_number(epochs, "epochs", "fit", low=1, integer=True)
    verbose = check_number(verbose, "verbose", "fit", low=0, high=2, integer=True)
    optimizer = resolve_optimizer(network, optimizer)
    metric_list = resolve_metrics(metrics, network)
    loop = StreamLoop(network, optimizer, source, backend=backend)
    validation = None
    if validation_data is not None:
        validation = _validation_part(network, validation_data)
    params = {
        "epochs": epochs,
        "batch_size": None,
        "steps": None,
        "n_samples": None,
        "metrics": [m.name for m in metric_list],
    }
    return _train(
        network, loop, params, callbacks, verbose, diagnostics, metric_list, validation
    )


def _train(
    network, loop, params, callbacks, verbose, diagnostics, metric_list, validation
) -> History:
    """Set up the callbacks around ``loop`` and run the epochs."""
    if isinstance(callbacks, Callback):
        callbacks = [callbacks]
    history = History()
    callbacks = [*(callbacks or []), *_diagnostics_callbacks(diagnostics)]
    # History comes last so that it records what the other callbacks add to logs.
    hooks = CallbackList(
        [*callbacks, *_verbose_callbacks(verbose), history], network, params
    )
    network.stop_training = False
    network.optimizer = loop.optimizer
    _run(loop, hooks, params["epochs"], metric_list, validation)
    return history


def _run(loop, hooks, epochs: int, metric_list, validation) -> None:
    """The epochs: train, then the epoch's logs to the callbacks; stop on request."""
    network, optimizer = loop.network, loop.optimizer
    logs: dict = {}
    hooks.on_train_begin(logs)
    for epoch in range(epochs):
        hooks.on_epoch_begin(epoch, {})
        start, lr = time.perf_counter(), optimizer.lr
        # one backend for the steps, the updates and the validation passes
        with network.workspace(loop.backend):
            seen = loop.run_epoch(hooks)
            logs = loop.epoch_logs(seen, metric_list)
            if validation is not None:
                logs.update(_validation_logs(network, metric_list, validation, hooks))
        logs["lr"] = lr
        logs["epoch_time"] = time.perf_counter() - start
        hooks.on_epoch_end(epoch, logs)
        if network.stop_training:
            break
    hooks.on_train_end(logs)


def _diagnostics_callbacks(diagnostics) -> list[Callback]:
    if diagnostics is True:
        from glassnet.training.diagnostics import Diagnostics

        return [Diagnostics()]
    if diagnostics is False or diagnostics is None:
        return []
    if isinstance(diagnostics, Callback):
        return [diagnostics]
    raise TypeError(
        "The 'diagnostics' parameter of fit must be True, False or a Diagnostics "
        f"callback. Got {diagnostics!r} instead."
    )


def _verbose_callbacks(verbose: int) -> list[Callback]:
    if verbose == 1:
        from glassnet.training.progress import ProgressBar

        return [ProgressBar()]
    return [EpochLogger()] if verbose == 2 else []


def _check_batch_size(network, batch_size: int, n: int) -> None:
    """Refuse batches smaller than a layer can learn from (batch normalization)."""
    layers = [layer for layer in network.layers if layer.min_batch_size > batch_size]
    if not layers:
        return
    need = max(layer.min_batch_size for layer in layers)
    if n < need:
        raise ValueError(
            f"fit needs at least {need} training samples for a network with "
            f"{layers[0]!r}: a batch of {n} sample has no batch statistics to "
            f"learn from. Got {n} training sample(s)."
        )
    raise ValueError(
        f"The 'batch_size' parameter of fit must be at least {need} for a network "
        f"with {layers[0]!r}: a batch of one sample has no batch variance to learn "
        f"from. Got {batch_size} instead."
    )


def batch_bounds(n: int, batch_size: int, network) -> list[tuple[int, int]]:
    """``(start, stop)`` of each batch of an epoch of ``n`` samples.

    Batches of ``batch_size`` samples in order, the last one the remainder;
    a remainder smaller than some layer's ``min_batch_size`` (batch
    normalization needs 2 samples) joins the batch before it, so no layer
    ever learns from a batch it cannot use.
    """
    starts = list(range(0, n, batch_size))
    smallest = max(getattr(layer, "min_batch_size", 1) for layer in network.layers)
    if len(starts) > 1 and n - starts[-1] < smallest:
        starts.pop()
    return list(zip(starts, [*starts[1:], n], strict=True))


class _Loop:
    """One epoch of batches: forward, output delta, backward, update.

    The step does nothing else: the output pre-activations of every batch
    are kept, and the epoch's loss (the mean of the batch losses, each with
    the weights of its own step) and metrics are computed once from them at
    the end of the epoch. A batch's loss is computed during the epoch only
    when a callback watches ``on_train_batch_end`` (e.g. the progress bar).
    """

    def __init__(
        self, network, optimizer, data: _Split, batch_size, shuffle, rng, *, backend
    ):
        self.network, self.optimizer, self.data = network, optimizer, data
        self.backend = backend  # the workspace's for every epoch
        self.batch_size, self.shuffle, self.rng = batch_size, shuffle, rng
        self.gather = BatchGather(network, data.X, data.Y, data.weights)
        n = data.X.shape[0]
        self.bounds = batch_bounds(n, batch_size, network)
        self.z_out = np.empty((n, network.n_outputs), dtype=network.dtype)
        self.order = np.arange(n)

    def run_epoch(self, hooks) -> int:
        """Train on every batch once; returns the number of samples seen."""
        net = self.network
        last, train, optimizer = net.layers[-1], net.train_batch, self.optimizer
        penalties = regularizers.penalized_layers(net)
        batch_logs = hooks.overrides("on_train_batch_end")
        batch_begin = hooks.overrides("on_train_batch_begin")
        n = self.data.X.shape[0]
        if self.shuffle:
            self.order = self.rng.permutation(n)
        seen = 0
        for step, (start, stop) in enumerate(self.bounds):
            if batch_begin:
                hooks.on_train_batch_begin(step, {})
            idx = self.order[start:stop]
            Xb, Yb, wb = self.gather(idx)
            loss = train(
                Xb, Yb, optimizer, wb, penalties=penalties, with_loss=batch_logs
            )
            self.z_out[start : start + idx.shape[0]] = last.Z
            seen = start + idx.shape[0]
            if batch_logs:
                hooks.on_train_batch_end(step, {"loss": loss, "size": idx.shape[0]})
            if net.stop_training:
                break
        return seen

    def epoch_logs(self, seen: int, metric_list) -> dict:
        """Loss and metrics of the epoch from the kept outputs of its batches."""
        data, idx = self.data, self.order[:seen]
        weights = None if data.weights is None else data.weights[idx]
        return outputs_logs(
            self.network, self.z_out[:seen], data.Y[idx], weights, metric_list
        )


def _validation_logs(network, metric_list, validation: _Split, hooks=None) -> dict:
    """``val_loss`` and ``val_<metric>``, between ``on_test_begin`` and ``_end``."""
    if hooks is not None:
        hooks.on_test_begin({})
    loss, A = _loss_and_outputs(network, validation, hooks=hooks)
    kind, weights = output_kind(network), validation.weights
    metrics = compute_metrics(metric_list, A, validation.Y, kind, weights)
    if hooks is not None:
        hooks.on_test_end({"loss": loss, **metrics})
    logs = {"val_loss": loss}
    logs.update({f"val_{name}": value for name, value in metrics.items()})
    return logs


def _loss_and_outputs(network, data: _Split, batch_size=None, *, hooks=None):
    """Mean loss and outputs (n, n_outputs) in inference mode, in chunks.

    With ``hooks`` watching them, ``on_test_batch_begin/end`` around each
    chunk (``logs``: the chunk's mean ``loss`` and its ``size``).
    """
    n = data.X.shape[0]
    size = batch_size or network.INFERENCE_CHUNK
    watch = hooks is not None and (
        hooks.overrides("on_test_batch_begin") or hooks.overrides("on_test_batch_end")
    )
    if not watch:
        size = n  # one call: infer still runs it in bounded chunks
    outputs = np.empty((n, network.n_outputs), dtype=network.dtype)
    total = 0.0
    for step, start in enumerate(range(0, n, size)):
        rows = slice(start, min(start + size, n))
        if watch:
            hooks.on_test_batch_begin(step, {})
        losses: list[float] = []
        outputs[rows] = network.infer(
            data.X[rows],
            each_chunk=_chunk_loss(network, data, start, losses),
            chunk_size=batch_size,
        )
        count = rows.stop - rows.start
        loss = sum(loss * rows_ for loss, rows_ in losses) / count
        total += loss * count
        if watch:
            hooks.on_test_batch_end(step, {"loss": loss, "size": count})
    return total / n, outputs


def _chunk_loss(network, data: _Split, offset: int, losses: list):
    """``each_chunk`` for infer: append (mean loss, rows) of every chunk."""

    def add_loss(rows, A):
        rows = slice(offset + rows.start, offset + rows.start + A.shape[0])
        wb = None if data.weights is None else data.weights[rows]
        losses.append((network.output_loss(data.Y[rows], wb), A.shape[0]))

    return add_loss


def evaluate(
    network, X, y, *, metrics=None, sample_weight=None, batch_size: int = 2048
) -> dict:
    """Loss and metrics of ``network`` on ``(X, y)`` in inference mode.

    Inference mode: dropout off, batch normalization with its running
    statistics (Keras's ``Model.evaluate``). ``network.evaluate(X, y)`` is
    the same call.

    Parameters
    ----------
    network : Network
        A network of ``n_features`` inputs and ``n_outputs`` outputs.
    X : array-like of shape (n_samples, n_features)
        Samples as rows.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Class labels (one-hot accepted) or regression targets.
    metrics : list of str, optional
        Default: ``["accuracy"]`` for classifiers, ``["mae"]`` for
        regressors. Per-class metrics (e.g. "per_class_recall",
        "confusion_matrix") give arrays.
    sample_weight : array-like of shape (n_samples,), optional
        Weights the loss and the metrics (weighted accuracy, MAE, R2...).
    batch_size : int, default 2048
        Samples per forward pass (bounds memory).

    Returns
    -------
    dict
        ``{"loss": ..., "<metric>": ...}``; the loss includes any weight
        penalty, as in training.

    Raises
    ------
    ValueError
        For ``X`` or ``y`` of the wrong shape or with NaN, a label the loss
        cannot take, an unknown metric, a ``batch_size`` below 1, or
        ``sample_weight`` that is negative, of the wrong length or all 0.
    TypeError
        For non-numeric data or ``batch_size``.

    Examples
    --------
    >>> import numpy as np
    >>> import glassnet as gn
    >>> net = gn.Network.mlp([2, 1], loss="mse", seed=0)
    >>> net.set_weights([np.array([[1.0, 2.0]]), np.array([0.5])])
    >>> X = np.array([[1.0, 1.0], [0.0, -1.0]])
    >>> y = np.array([3.5, -1.0])
    >>> net.predict(X).ravel()  # 1 + 2 + 0.5 and -2 + 0.5: errors 0 and 0.5
    array([ 3.5, -1.5], dtype=float32)
    >>> scores = gn.evaluate(net, X, y, metrics=["mae"])
    >>> {name: round(value, 4) for name, value in scores.items()}
    {'loss': 0.125, 'mae': 0.25}
    """
    X = network.prepare_inputs(X)
    Y = network.prepare_targets(y, X)
    batch_size = check_number(batch_size, "batch_size", "evaluate", low=1, integer=True)
    metric_list = resolve_metrics(metrics, network)
    weights = None
    if sample_weight is not None:
        weights = check_sample_weight(sample_weight, X.shape[0], dtype=network.dtype)
    loss, A = _loss_and_outputs(network, _Split(X, Y, weights), batch_size)
    metrics = compute_metrics(metric_list, A, Y, output_kind(network), weights)
    return {"loss": loss, **metrics}
