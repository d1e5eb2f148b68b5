"""Hyperparameter sweeps on Dask (optional extra ``distributed``).

Every configuration of a parameter grid is one task on a
``dask.distributed`` cluster: a ``LocalCluster`` on this machine by default,
or any running cluster (``scheduler="tcp://host:8786"``, or a ``client=``).
A task builds the network exactly as ``glassnet train`` does from the same
settings (``layers``, ``activation``, ``optimizer``, ``lr``, ``epochs``,
``batch_size``, ``l1``, ``l2``, ``dropout``, ``batch_norm``,
``early_stopping``, ``validation_split``, ``scale``, ``seed``, ``loss``,
``output``), trains it with :func:`glassnet.fit` on the training part and
scores it on a held-out validation part. Every configuration's settings
are checked before anything runs. A configuration that fails is
reported with its cause -- an error, a training that diverged (NaN or
infinite loss or weights), a worker process that died (e.g. out of memory)
-- and the others go on: the dataset is one task of the graph, which the
scheduler recomputes on another worker if the workers holding it die. Ctrl-C
raises :class:`SweepInterrupted`, which holds the results of the
configurations that finished.

In a script, under the ``__main__`` guard (the workers are processes that
import the script again)::

    if __name__ == "__main__":
        result = gn.sweep({"lr": [1e-3, 1e-2], "layers": [[32], [64, 32]]}, X, y)
        print(result.table())
        result.to_csv("sweep.csv"); result.save_best("best.glassnet")
"""

from __future__ import annotations

import io
import itertools
import logging
import sys
import time
import warnings
from dataclasses import replace

import numpy as np

from glassnet.runs.recipe import (
    DEFAULTS,
    MODEL_SETTINGS,
    complete_settings,
    output_and_loss,
)
from glassnet.runs.sweep_results import SweepResult

__all__ = [
    "SETTINGS",
    "SweepInterrupted",
    "SweepResult",
    "expand_grid",
    "sweep",
    "train_configuration",
]

#: Settings a configuration may set, with their defaults (``glassnet train``'s).
SETTINGS: dict = {key: DEFAULTS[key] for key in MODEL_SETTINGS}


def _check_keys(settings: dict, where: str) -> None:
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise ValueError(
            f"The {where} name unknown setting(s) {unknown}; valid: "
            f"{', '.join(SETTINGS)}."
        )


def expand_grid(param_grid) -> list[dict]:
    """Every configuration of a grid, in order (scikit-learn's ParameterGrid).

    Parameters
    ----------
    param_grid : dict or list of dict
        Setting name -> list of values; every combination is one
        configuration. A list of grids concatenates their configurations.
        A value that is not a list is a single value.

    Returns
    -------
    list of dict
        One dict of settings per configuration; the last setting of a grid
        varies fastest.

    Raises
    ------
    TypeError
        For a ``param_grid`` that is not a dict or a list of dicts.
    ValueError
        For an empty list of values, or a key that is not a setting of
        ``glassnet train`` (the message lists them).

    Examples
    --------
    >>> from glassnet.runs import expand_grid
    >>> expand_grid({"layers": [[8], [16]], "lr": [0.1, 0.01]})
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'layers': [8], 'lr': 0.1}, {'layers': [8], 'lr': 0.01},
     {'layers': [16], 'lr': 0.1}, {'layers': [16], 'lr': 0.01}]
    """
    grids = [param_grid] if isinstance(param_grid, dict) else param_grid
    if not isinstance(grids, (list, tuple)) or not all(
        isinstance(g, dict) for g in grids
    ):
        raise TypeError(
            "The 'param_grid' parameter of sweep must be a dict of lists or a list "
            f"of such dicts. Got {type(param_grid).__name__} instead."
        )
    configurations = []
    for grid in grids:
        _check_keys(grid, "param_grid's keys")
        axes = [v if isinstance(v, (list, tuple)) else [v] for v in grid.values()]
        if any(len(axis) == 0 for axis in axes):
            raise ValueError("Every list of values in 'param_grid' must be non-empty.")
        for values in itertools.product(*axes):
            configurations.append(dict(zip(grid, values, strict=True)))
    return configurations


def resolve_settings(
    base: dict, params: dict, data_name: str, owner: str = "sweep"
) -> dict:
    """Defaults, then ``base``, then one configuration's ``params``, checked.

    A setting both in ``base`` and in the configuration is refused (which
    one was meant?), as are values of the wrong type or out of range and
    contradictory settings (see :func:`glassnet.runs.recipe.complete_settings`).
    """
    both = sorted(set(base) & set(params))
    if both:
        raise ValueError(
            f"contradictory settings: {', '.join(both)} both in the base settings "
            f"({', '.join(f'{k}={base[k]!r}' for k in both)}) and in the grid "
            f"({', '.join(f'{k}={params[k]!r}' for k in both)}); give each in one "
            "place."
        )
    settings = {**SETTINGS, **base, **params, "data": data_name}
    settings = complete_settings(settings, owner)
    return {key: settings[key] for key in SETTINGS}


def train_configuration(settings: dict, data) -> dict:
    """Train and score one configuration; never raises (errors are reported).

    Runs on a Dask worker. ``data`` is a :class:`~glassnet.datasets.Dataset`
    whose test part is the validation part of the sweep.

    Parameters
    ----------
    settings : dict
        One configuration's complete settings (see
        :func:`~glassnet.runs.recipe.complete_settings`).
    data : Dataset
        Training part and validation part (as its test split).

    Returns
    -------
    dict
        ``status`` ("ok" or "failed"), ``seconds``, and either ``metrics``
        (validation loss and metrics), ``epochs`` and ``model`` (the model
        file's bytes) or ``error`` ("ExceptionType: message", or "diverged
        in epoch 2 of 10 (lr 10): the loss became nan" when the loss or the
        weights became NaN or infinite: no model is kept then).
    """
    from glassnet.core import optimizers
    from glassnet.files.model_file import write_model
    from glassnet.runs.recipe import (
        attach_preprocessing,
        build_network,
        divergence_limit,
        labels,
        test_metrics,
    )
    from glassnet.training.callbacks import EarlyStopping, TerminateOnNaN

    start = time.perf_counter()
    try:
        net = build_network(settings, data)
        attach_preprocessing(net, settings, data)
        guard = TerminateOnNaN(
            restore=False,
            warn=False,
            check_batches=False,
            max_loss=divergence_limit(net, data),  # as glassnet train
        )
        callbacks = [guard]
        if settings["early_stopping"]:
            patience = settings["early_stopping"]
            callbacks.append(
                EarlyStopping(patience=patience, restore_best_weights=True)
            )
        history = net.fit(
            data.X_train,
            labels(data, data.y_train),
            epochs=settings["epochs"],
            batch_size=settings["batch_size"] or None,
            optimizer=optimizers.get(settings["optimizer"], lr=settings["lr"]),
            validation_split=settings["validation_split"] or None,
            callbacks=callbacks,
            seed=settings["seed"],
        )
        if guard.terminated:
            return {
                "status": "failed",
                "error": f"diverged in epoch {guard.stopped_epoch + 1} of "
                f"{settings['epochs']} (lr {guard.lr:g}): {guard.reason}",
                "seconds": time.perf_counter() - start,
            }
        metrics = test_metrics(net, data)
        net.metadata = {"config": settings, "validation_metrics": metrics}
        buffer = io.BytesIO()
        write_model(net, buffer)
    except Exception as exc:  # reported with the configuration, never raised
        return _failure(exc, start)
    return {
        "status": "ok",
        "metrics": metrics,
        "epochs": len(history.epoch),
        "seconds": time.perf_counter() - start,
        "model": buffer.getvalue(),
    }


def _failure(exc: BaseException, start: float | None) -> dict:
    """The record of a failed configuration; ``start=None``: time unknown."""
    message = str(exc).strip().splitlines()
    if type(exc).__name__ == "KilledWorker":  # its message names a task key
        message = [
            "the worker process training it died (e.g. it ran out of memory, or "
            "was killed)"
        ]
    error = f"{type(exc).__name__}: {message[0]}" if message else type(exc).__name__
    seconds = None if start is None else time.perf_counter() - start
    return {"status": "failed", "error": error, "seconds": seconds}


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep.

    Parameters
    ----------
    result : SweepResult
        What the sweep had recorded when interrupted.

    Attributes
    ----------
    result : SweepResult
        The configurations that finished, with their results (and the best
        model among them); the others have status "pending".
    """

    def __init__(self, result: SweepResult):
        done = sum(r["status"] != "pending" for r in result.results)
        super().__init__(
            f"sweep interrupted after {done} of {len(result.results)} configurations"
        )
        self.result = result


def _sweep_data(X, y, task, validation_fraction, seed, feature_names):
    """A Dataset whose test part is the seeded (stratified) validation part."""
    from glassnet.datasets import Dataset, train_test_split

    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0]:
        raise ValueError(
            "sweep needs X of shape (n_samples, n_features) and y of shape "
            f"(n_samples,). Got {X.shape} and {y.shape}."
        )
    if task is None:
        task = "classification" if y.dtype.kind in "biuUSO" else "regression"
    classes = None
    if task == "classification":
        classes, y = np.unique(y, return_inverse=True)
        classes = classes.tolist()
    else:
        y = y.astype(np.float64)
    stratify = y if task == "classification" else None
    X_train, X_val, y_train, y_val = train_test_split(
        X, y, test_size=validation_fraction, seed=seed, stratify=stratify
    )
    names = feature_names or [f"x{j}" for j in range(X.shape[1])]
    return Dataset(
        X_train,
        y_train,
        X_val,
        y_val,
        list(names),
        None if classes is None else [str(c) for c in classes],
        task,
        "arrays",
        "",
        classes=classes,
    )


def split_validation(data, validation_fraction: float, seed: int):
    """``data`` with its training part split into training and validation parts."""
    from glassnet.datasets import train_test_split

    stratify = data.y_train if data.task == "classification" else None
    X_train, X_val, y_train, y_val = train_test_split(
        data.X_train,
        data.y_train,
        test_size=validation_fraction,
        seed=seed,
        stratify=stratify,
    )
    return replace(data, X_train=X_train, y_train=y_train, X_test=X_val, y_test=y_val)


def _import_distributed():
    try:
        import distributed
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "Sweeps run on Dask: pip install 'glassnet[distributed]'"
        ) from None
    return distributed


_MAIN_GUARD = (
    "Dask's workers are processes that import the main script again: put the "
    "gn.sweep call (and the code it needs) under 'if __name__ == \"__main__\":'"
)


def _in_worker_import() -> bool:
    """Whether the main script is being imported by a spawned process (where a
    sweep started at the script's top level would start workers of its own)."""
    import multiprocessing

    # the flag multiprocessing's own "bootstrapping phase" check reads
    return bool(getattr(multiprocessing.current_process(), "_inheriting", False))


class _Cluster:
    """A client of ``client``, of the cluster at ``scheduler``, or of a new
    LocalCluster; closes what it opened."""

    def __init__(self, client, scheduler, n_workers, processes):
        self.client, self.scheduler = client, scheduler
        self.n_workers, self.processes = n_workers, processes
        self._opened = []

    def __enter__(self):
        if self.client is not None:
            return self.client
        distributed = _import_distributed()
        if self.scheduler is not None:
            client = distributed.Client(self.scheduler, timeout="20s")
        else:
            try:
                cluster = distributed.LocalCluster(
                    n_workers=self.n_workers,
                    threads_per_worker=1,
                    processes=self.processes,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            except Exception as exc:
                script = getattr(sys.modules.get("__main__"), "__file__", None)
                if not (self.processes and script):
                    raise
                raise RuntimeError(
                    f"The sweep's worker processes failed to start ({exc}). "
                    f"{_MAIN_GUARD}."
                ) from None
            self._opened.append(cluster)
            client = distributed.Client(cluster)
        self._opened.insert(0, client)
        return client

    def __exit__(self, *exc_info):
        for resource in self._opened:
            resource.close()


def run_sweep(
    configurations: list[dict],
    data,
    *,
    base: dict | None = None,
    score: str | None = None,
    client=None,
    scheduler: str | None = None,
    n_workers: int = 2,
    processes: bool = True,
    progress=None,
) -> SweepResult:
    """Train every configuration on ``data`` (test part = validation) on Dask.

    ``progress(record)``, if given, is called on this machine with each
    configuration's record as it finishes. See :func:`sweep`.
    """
    from glassnet.core._validation import check_number

    base = dict(base or {})
    _check_keys(base, "base settings")
    for params in configurations:
        _check_keys(params, "configurations")
    if not configurations:
        raise ValueError("The sweep has no configurations to run.")
    n_workers = check_number(n_workers, "n_workers", "sweep", low=1, integer=True)
    result = SweepResult.empty(configurations, data.task, score)
    # Every configuration checked before anything runs: a setting of the
    # wrong type, out of range or contradicting another (or the data) is an
    # error of the sweep, not a failed configuration found minutes later.
    settings = [resolve_settings(base, p, data.name) for p in configurations]
    for one in settings:
        output_and_loss(one, data)
    interrupted = False
    with _Cluster(client, scheduler, n_workers, processes) as dask_client:
        try:
            _run_tasks(dask_client, settings, data, result, progress)
        except KeyboardInterrupt:
            interrupted = True
    if interrupted:
        raise SweepInterrupted(result) from None
    return result


def _run_tasks(dask_client, settings: list[dict], data, result, progress) -> None:
    """Run every configuration and record each outcome as it arrives.

    A worker that dies fails every task it holds, the ones queued there with
    the one that killed it. So when several configurations failed that way,
    each runs again alone: the one at fault fails again, the others complete.
    """
    distributed = _import_distributed()
    data_future = _data_task(dask_client, data)

    def submit(index):
        return dask_client.submit(
            train_configuration, settings[index], data_future, pure=False
        )

    def record(index, outcome):
        entry = result.add(index, outcome)
        if progress is not None:
            progress(entry)

    futures = {submit(index): index for index in range(len(settings))}
    suspects = {}
    for future in distributed.as_completed(futures):
        outcome, died = _outcome(future, distributed)
        if died:
            suspects[futures[future]] = outcome
        else:
            record(futures[future], outcome)
    if len(suspects) == 1:
        record(*suspects.popitem())
    for index in sorted(suspects):
        record(index, _outcome(submit(index), distributed)[0])


def _outcome(future, distributed) -> tuple[dict, bool]:
    """The task's record, and whether its worker died while holding it."""
    try:
        return future.result(), False
    except distributed.KilledWorker as exc:
        return _failure(exc, None), True
    except Exception as exc:  # the task was lost (e.g. cancelled)
        return _failure(exc, None), False


def _data_task(dask_client, data):
    """A task holding the data, on which every configuration's task depends.

    The data is not scattered: a scattered object has no recipe, so when the
    workers holding it die (a configuration that runs out of memory, retried
    on the next worker) every configuration still waiting is lost with it.
    As a task's argument the scheduler keeps it, and recomputes the task on
    another worker when needed; each worker fetches it once.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Sending large graph", UserWarning)
        return dask_client.submit(_same, data, pure=False)


def _same(data):
    return data


def sweep(
    param_grid,
    X,
    y,
    *,
    base: dict | None = None,
    task: str | None = None,
    score: str | None = None,
    validation_fraction: float = 0.2,
    seed: int = 0,
    feature_names: list[str] | None = None,
    client=None,
    scheduler: str | None = None,
    n_workers: int = 2,
    processes: bool = True,
    progress=None,
) -> SweepResult:
    """Train one network per configuration of ``param_grid``, each a Dask task.

    Parameters
    ----------
    param_grid : dict or list of dict
        Setting name -> list of values (see :func:`expand_grid`); the names
        are ``glassnet train``'s settings (:data:`SETTINGS`).
    X : array-like of shape (n_samples, n_features)
        The samples; the validation part is split off it.
    y : array-like of shape (n_samples,)
        Class labels (ints, strings) or regression values (floats).
    base : dict, optional
        Settings shared by every configuration (e.g. ``{"epochs": 50}``).
    task : {"classification", "regression"}, optional
        Default: classification for integer, bool and string labels.
    score : str, optional
        Validation metric that ranks the configurations: "accuracy"
        (default for classifiers), "balanced_accuracy", "r2" (default for
        regressors), "mae" or "loss" (lower is better for the last two).
    validation_fraction : float in (0, 1), default 0.2
        Held out (stratified for classes, seeded by ``seed``) for scoring.
    seed : int, default 0
        Seeds the validation split (a configuration's own ``seed`` setting
        seeds its network and shuffling).
    feature_names : list of str, optional
        Stored in the model files.
    client : distributed.Client, optional
        Run on this client's cluster (left open).
    scheduler : str, optional
        Address of a running Dask scheduler, e.g. "tcp://10.0.0.5:8786".
        Without ``client`` or ``scheduler``: a LocalCluster of ``n_workers``
        single-threaded workers (processes, or threads with
        ``processes=False``), closed at the end.
    n_workers : int, default 2
        Workers of that LocalCluster.
    processes : bool, default True
        Whether its workers are processes (else threads).
    progress : callable, optional
        Called with each configuration's record as it finishes.

    Returns
    -------
    SweepResult
        Every configuration's settings, status, validation metrics, score,
        epochs, seconds and error; ``best_index``, ``best_params``,
        ``best_network()``, ``save_best(path)``, ``table()``, ``to_csv``,
        ``to_json``.

    Raises
    ------
    RuntimeError
        When called while a worker process imports the script (no
        ``__main__`` guard), or when the LocalCluster's worker processes
        fail to start in a script; the message says to add the guard.
    TypeError, ValueError
        Before anything runs, for a setting (of ``base`` or of any
        configuration) of the wrong type or out of range, naming it
        (``{"batch_norm": ["false"]}``: a string, not a boolean), for a
        setting both in ``base`` and in the grid, and for contradictory
        settings (early stopping with ``validation_split=0``; an output or
        loss that does not fit the task).
    SweepInterrupted
        On Ctrl-C (a ``KeyboardInterrupt``); its ``result`` holds the
        configurations that finished.

    Notes
    -----
    In a script, call it under ``if __name__ == "__main__":``: the
    LocalCluster's workers are processes that import the script again, and a
    sweep at its top level would run again in each.
    """
    from glassnet.core._validation import check_number

    if _in_worker_import():
        raise RuntimeError(
            f"gn.sweep was called as a worker imported the script: {_MAIN_GUARD}."
        )
    fraction = check_number(
        validation_fraction,
        "validation_fraction",
        "sweep",
        low=0,
        high=1,
        low_open=True,
        high_open=True,
    )
    if task not in (None, "classification", "regression"):
        raise ValueError(
            "The 'task' parameter of sweep must be 'classification', 'regression' "
            f"or None. Got {task!r} instead."
        )
    data = _sweep_data(X, y, task, fraction, seed, feature_names)
    return run_sweep(
        expand_grid(param_grid),
        data,
        base=base,
        score=score,
        client=client,
        scheduler=scheduler,
        n_workers=n_workers,
        processes=processes,
        progress=progress,
    )
