"""Learning-rate schedules: the learning rate of each epoch.

Lecture 001's "dynamically vary step size". A schedule maps the 0-based
``epoch`` and the optimizer's learning rate when training began, ``lr0``, to
the rate of that epoch; :class:`~glassnet.training.callbacks.LearningRateScheduler`
sets ``optimizer.lr`` from it before every epoch, for any optimizer::

    net.fit(X, y, optimizer=gn.Adam(lr=1e-3),
            callbacks=[gn.LearningRateScheduler(gn.CosineDecay(warmup_epochs=2))])

==================  =========================================================
name                learning rate of epoch t
==================  =========================================================
constant            lr0
step                lr0 * gamma ** (t // step_size)
exponential         lr0 * gamma ** t
inverse_scaling     lr0 / (1 + decay * t) ** power
cosine              warm-up t < w: lr0 * (t + 1) / (w + 1); then
                    min_lr + (lr0 - min_lr) * (1 + cos(pi (t - w) / (T - w))) / 2
                    over the T epochs of training
reduce_on_plateau   lr0 * factor ** k after k plateaus of the monitored value
==================  =========================================================

Every schedule returns a rate in ``[0, inf)`` for every epoch, and 0 is a
rate like any other (as in PyTorch, every optimizer accepts it and then
leaves the weights unchanged): cosine decay ends at ``min_lr`` (default 0)
and holds it past its ``T`` epochs; the step, exponential and inverse-scaling
decays and repeated plateau reductions may underflow to 0 after many epochs,
which is returned as 0, never as an error.
"""

from __future__ import annotations

import math

from glassnet.core._registry import resolve
from glassnet.core._validation import check_number
from glassnet.training.monitor import Monitor

__all__ = [
    "get",
    "SCHEDULES",
    "Constant",
    "CosineDecay",
    "ExponentialDecay",
    "InverseScaling",
    "ReduceOnPlateau",
    "Schedule",
    "StepDecay",
    "get_schedule",
]


class Schedule:
    """Base class: ``schedule(epoch, lr0, epochs)`` is the rate of ``epoch``.

    ``epoch`` is 0-based, ``lr0`` the optimizer's learning rate when
    training began, ``epochs`` the planned number of epochs of the run (only
    cosine decay needs it); the result is a learning rate in ``[0, inf)``.
    :meth:`observe` sees every epoch's logs after the epoch; only stateful
    schedules (:class:`ReduceOnPlateau`) use it. A subclass implements
    ``__call__`` and, for :meth:`config`, gives its options.

    Examples
    --------
    >>> from glassnet.schedules import ExponentialDecay
    >>> schedule = ExponentialDecay(gamma=0.5)
    >>> [schedule(t, lr0=0.1) for t in range(4)]
    [0.1, 0.05, 0.025, 0.0125]
    >>> schedule.config()
    {'name': 'exponential', 'gamma': 0.5}
    """

    name = "schedule"

    def __call__(self, epoch: int, lr0: float, epochs: int | None = None) -> float:
        """The learning rate of ``epoch``.

        Parameters
        ----------
        epoch : int
            Index of the epoch, from 0.
        lr0 : float
            The optimizer's learning rate when training began.
        epochs : int, optional
            The planned number of epochs of the run (only cosine decay
            needs it).

        Returns
        -------
        float
            The rate, in ``[0, inf)``.
        """
        raise NotImplementedError

    def observe(self, epoch: int, logs: dict) -> None:
        """Called after every epoch with its logs (``loss``, ``val_loss``, ...).

        Does nothing here; stateful schedules override it.

        Parameters
        ----------
        epoch : int
            Index of the epoch that ended, from 0.
        logs : dict
            The epoch's logs.
        """

    def reset(self) -> None:
        """Forget what :meth:`observe` saw (called when training begins)."""

    def config(self) -> dict:
        """The schedule's name and options, enough to build it again.

        Returns
        -------
        dict
            ``{"name": ..., <option>: <value>, ...}``;
            ``get_schedule(config.pop("name"), **config)`` rebuilds it.
        """
        return {"name": self.name}

    def __repr__(self) -> str:
        options = {k: v for k, v in self.config().items() if k != "name"}
        args = ", ".join(f"{k}={v!r}" for k, v in options.items())
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    """``lr_t = lr0``: the rate training began with, every epoch."""

    name = "constant"

    def __call__(self, epoch, lr0, epochs=None):
        return lr0


class StepDecay(Schedule):
    """``lr_t = lr0 * gamma ** (t // step_size)``: drop by ``gamma`` every few epochs.

    PyTorch's ``StepLR``, per epoch.

    Parameters
    ----------
    step_size : int >= 1, default 10
        Epochs between two drops.
    gamma : float in (0, 1], default 0.1
        Factor of each drop.

    Raises
    ------
    TypeError
        For a non-numeric ``step_size`` or ``gamma``.
    ValueError
        For a ``step_size`` below 1 or not whole, or ``gamma`` out of
        ``(0, 1]``.

    Examples
    --------
    >>> from glassnet.schedules import StepDecay
    >>> schedule = StepDecay(step_size=2, gamma=0.5)
    >>> [schedule(t, lr0=1.0) for t in range(6)]
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    name = "step"

    def __init__(self, step_size: int = 10, gamma: float = 0.1):
        self.step_size = check_number(
            step_size, "step_size", "StepDecay", low=1, integer=True
        )
        self.gamma = check_number(
            gamma, "gamma", "StepDecay", low=0, high=1, low_open=True
        )

    def __call__(self, epoch, lr0, epochs=None):
        return lr0 * self.gamma ** (epoch // self.step_size)

    def config(self):
        """The name, ``step_size`` and ``gamma``.

        Returns
        -------
        dict
            ``{"name": "step", "step_size": ..., "gamma": ...}``.
        """
        return {"name": self.name, "step_size": self.step_size, "gamma": self.gamma}


class ExponentialDecay(Schedule):
    """``lr_t = lr0 * gamma ** t``.

    PyTorch's ``ExponentialLR``, per epoch.

    Parameters
    ----------
    gamma : float in (0, 1], default 0.95
        Factor applied after every epoch.

    Raises
    ------
    TypeError
        For a non-numeric ``gamma``.
    ValueError
        For a ``gamma`` out of ``(0, 1]``.
    """

    name = "exponential"

    def __init__(self, gamma: float = 0.95):
        self.gamma = check_number(
            gamma, "gamma", "ExponentialDecay", low=0, high=1, low_open=True
        )

    def __call__(self, epoch, lr0, epochs=None):
        return lr0 * self.gamma**epoch

    def config(self):
        """The name and ``gamma``.

        Returns
        -------
        dict
            ``{"name": "exponential", "gamma": ...}``.
        """
        return {"name": self.name, "gamma": self.gamma}


class InverseScaling(Schedule):
    """``lr_t = lr0 / (1 + decay * t) ** power``.

    ``power=0.5`` is scikit-learn's "invscaling" (per epoch); ``power=1``
    Keras's ``InverseTimeDecay``.

    Parameters
    ----------
    decay : float > 0, default 1
        Growth of the denominator per epoch.
    power : float > 0, default 0.5
        Exponent of the denominator.

    Raises
    ------
    TypeError
        For a non-numeric ``decay`` or ``power``.
    ValueError
        For a ``decay`` or ``power`` that is not positive.

    Examples
    --------
    >>> from glassnet.schedules import InverseScaling
    >>> schedule = InverseScaling(decay=1.0, power=0.5)
    >>> [round(schedule(t, lr0=1.0), 4) for t in range(4)]
    [1.0, 0.7071, 0.5774, 0.5]
    """

    name = "inverse_scaling"

    def __init__(self, decay: float = 1.0, power: float = 0.5):
        owner = "InverseScaling"
        self.decay = check_number(decay, "decay", owner, low=0, low_open=True)
        self.power = check_number(power, "power", owner, low=0, low_open=True)

    def __call__(self, epoch, lr0, epochs=None):
        try:
            denominator = (1.0 + self.decay * epoch) ** self.power
        except OverflowError:  # Python floats raise where NumPy gives inf
            return 0.0
        return lr0 / denominator

    def config(self):
        """The name, ``decay`` and ``power``.

        Returns
        -------
        dict
            ``{"name": "inverse_scaling", "decay": ..., "power": ...}``.
        """
        return {"name": self.name, "decay": self.decay, "power": self.power}


class CosineDecay(Schedule):
    """Cosine annealing from ``lr0`` to ``min_lr``, after an optional warm-up.

    Warm-up, epochs ``t < w``: ``lr_t = lr0 * (t + 1) / (w + 1)``, a straight
    line from 0 that reaches ``lr0`` at ``t = w``. Then, over the remaining
    ``T - w`` epochs (PyTorch's ``CosineAnnealingLR``)::

        lr_t = min_lr + (lr0 - min_lr) * (1 + cos(pi * (t - w) / (T - w))) / 2

    It reaches ``min_lr`` at ``t = T`` and holds it for every later epoch (a
    ``fit`` longer than ``T`` epochs), where PyTorch's formula would climb
    back up. ``min_lr = 0`` gives a rate of exactly 0 there, which every
    optimizer accepts (the weights then stay as they are).

    Parameters
    ----------
    epochs : int, optional
        ``T``; default: the number of epochs given to ``fit``.
    min_lr : float >= 0, default 0
        The rate reached at ``t = T`` and held after it.
    warmup_epochs : int >= 0, default 0
        ``w``, the epochs of linear warm-up.

    Raises
    ------
    TypeError
        For a non-numeric option.
    ValueError
        For an option out of its range. Calling the schedule raises
        ``ValueError`` when ``T`` (``epochs``, or the run's) is unknown or not
        above ``warmup_epochs``.

    Examples
    --------
    >>> from glassnet.schedules import CosineDecay
    >>> schedule = CosineDecay(epochs=4)
    >>> [round(schedule(t, lr0=1.0), 4) for t in range(6)]
    [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.0]
    >>> warm = CosineDecay(epochs=6, warmup_epochs=2)
    >>> [round(warm(t, lr0=1.0), 4) for t in range(4)]
    [0.3333, 0.6667, 1.0, 0.8536]
    """

    name = "cosine"

    def __init__(
        self, epochs: int | None = None, *, min_lr: float = 0.0, warmup_epochs: int = 0
    ):
        owner = "CosineDecay"
        self.epochs = check_number(
            epochs, "epochs", owner, low=1, integer=True, allow_none=True
        )
        self.min_lr = check_number(min_lr, "min_lr", owner, low=0)
        self.warmup_epochs = check_number(
            warmup_epochs, "warmup_epochs", owner, low=0, integer=True
        )

    def __call__(self, epoch, lr0, epochs=None):
        """The warm-up or cosine rate of ``epoch``; ``min_lr`` after ``T`` epochs.

        Raises
        ------
        ValueError
            When ``T`` (the ``epochs`` given here or to the schedule) is
            unknown or not above ``warmup_epochs``.
        """
        total = self.epochs if self.epochs is not None else epochs
        w = self.warmup_epochs
        if total is None or total <= w:
            raise ValueError(
                f"CosineDecay needs more epochs than its {w} warm-up epochs. Got "
                f"epochs={total!r}; pass CosineDecay(epochs=...) or train longer."
            )
        if epoch < w:
            return lr0 * (epoch + 1) / (w + 1)
        progress = min((epoch - w) / (total - w), 1.0)
        return (
            self.min_lr + (lr0 - self.min_lr) * (1 + math.cos(math.pi * progress)) / 2
        )

    def config(self):
        """The name, ``epochs``, ``min_lr`` and ``warmup_epochs``.

        Returns
        -------
        dict
            ``{"name": "cosine", "epochs": ..., "min_lr": ...,
            "warmup_epochs": ...}``.
        """
        return {
            "name": self.name,
            "epochs": self.epochs,
            "min_lr": self.min_lr,
            "warmup_epochs": self.warmup_epochs,
        }


class ReduceOnPlateau(Schedule):
    """Multiply the rate by ``factor`` when a monitored value stops improving.

    After each epoch (:meth:`observe`): if ``logs[monitor]`` beats the best
    so far by more than ``min_delta``, it becomes the best; otherwise a wait
    counter grows, and when it reaches ``patience`` the rate is multiplied by
    ``factor`` (never below ``min_lr``) and ``cooldown`` epochs pass before
    the counter runs again. So ``lr_t = max(lr0 * factor ** k, min_lr)`` after
    ``k`` reductions (Keras's ``ReduceLROnPlateau``).

    Parameters
    ----------
    monitor : str, default "val_loss"
        Key of the epoch logs to watch.
    factor : float in (0, 1), default 0.1
        Multiplies the rate at each reduction.
    patience : int >= 0, default 10
        Epochs without improvement before a reduction.
    mode : {"auto", "min", "max"}, default "auto"
        "auto" maximizes accuracy-like metrics and minimizes the rest.
    min_delta : float >= 0, default 1e-4
        An improvement must beat the best by more than this.
    cooldown : int >= 0, default 0
        Epochs after a reduction before the wait counter runs again.
    min_lr : float >= 0, default 0
        The rate is never reduced below this.

    Attributes
    ----------
    reductions : int
        ``k``, the number of reductions so far.

    Raises
    ------
    TypeError
        For a ``monitor`` that is not a non-empty string, or a non-numeric
        option.
    ValueError
        For an unknown ``mode`` or an option out of its range.
        :meth:`observe` raises ``ValueError`` when ``monitor`` is not in the
        epoch logs.

    Examples
    --------
    >>> from glassnet.schedules import ReduceOnPlateau
    >>> schedule = ReduceOnPlateau("loss", factor=0.5, patience=1)
    >>> rates = []
    >>> for epoch, loss in enumerate([1.0, 0.5, 0.6, 0.55, 0.4]):
    ...     rates.append(schedule(epoch, lr0=0.1))
    ...     schedule.observe(epoch, {"loss": loss})
    >>> rates
    [0.1, 0.1, 0.1, 0.05, 0.025]
    """

    name = "reduce_on_plateau"

    def __init__(
        self,
        monitor: str = "val_loss",
        *,
        factor: float = 0.1,
        patience: int = 10,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ):
        owner = type(self).__name__
        self.factor = check_number(
            factor, "factor", owner, low=0, high=1, low_open=True, high_open=True
        )
        self.patience = check_number(patience, "patience", owner, low=0, integer=True)
        self.cooldown = check_number(cooldown, "cooldown", owner, low=0, integer=True)
        self.min_lr = check_number(min_lr, "min_lr", owner, low=0)
        self.monitor = Monitor(monitor, mode, min_delta, owner)
        self.reset()

    def reset(self):
        """Forget the best value, the reductions and the counters."""
        self.monitor.reset()
        self.reductions = 0
        self.wait = 0
        self.cooldown_left = 0
        self._lr0 = None

    def __call__(self, epoch, lr0, epochs=None):
        self._lr0 = lr0
        return max(lr0 * self.factor**self.reductions, min(self.min_lr, lr0))

    def observe(self, epoch, logs):
        """Count an epoch without improvement of ``logs[monitor]``; reduce on a plateau.

        Parameters
        ----------
        epoch : int
            Index of the epoch that ended, from 0.
        logs : dict
            The epoch's logs; must hold ``monitor``.

        Raises
        ------
        ValueError
            When ``monitor`` is not in ``logs``.
        """
        value = self.monitor.value(logs)
        if self.cooldown_left > 0:
            self.cooldown_left -= 1
            self.wait = 0
        if self.monitor.improved(value):
            self.monitor.best = value
            self.wait = 0
        elif self.cooldown_left == 0:
            self.wait += 1
            if self.wait >= self.patience and self._can_reduce():
                self.reductions += 1
                self.cooldown_left = self.cooldown
                self.wait = 0

    def _can_reduce(self) -> bool:
        # Keras reduces only while the rate is above min_lr.
        lr0 = self._lr0 if self._lr0 is not None else math.inf
        return lr0 * self.factor**self.reductions > self.min_lr

    def config(self):
        """The name and every option (``monitor``, ``factor``, ...).

        Returns
        -------
        dict
            ``{"name": "reduce_on_plateau", "monitor": ..., "factor": ...,
            "patience": ..., "mode": ..., "min_delta": ..., "cooldown": ...,
            "min_lr": ...}`` (``mode`` as resolved, "min" or "max").
        """
        return {
            "name": self.name,
            "monitor": self.monitor.monitor,
            "factor": self.factor,
            "patience": self.patience,
            "mode": self.monitor.mode,
            "min_delta": self.monitor.min_delta,
            "cooldown": self.cooldown,
            "min_lr": self.min_lr,
        }


SCHEDULES: dict[str, type[Schedule]] = {
    "constant": Constant,
    "step": StepDecay,
    "exponential": ExponentialDecay,
    "inverse_scaling": InverseScaling,
    "invscaling": InverseScaling,
    "cosine": CosineDecay,
    "reduce_on_plateau": ReduceOnPlateau,
    "plateau": ReduceOnPlateau,
}


def get_schedule(schedule: str | Schedule, **kwargs) -> Schedule:
    """Resolve a name or instance; an unknown name lists the valid ones.

    Parameters
    ----------
    schedule : str or Schedule
        A name of :data:`SCHEDULES` ("step", "cosine", ...; case and ``-``
        or ``_`` do not matter) or a :class:`Schedule`, returned as it is.
    **kwargs
        Options of the named schedule (e.g. ``gamma=0.5``).

    Returns
    -------
    Schedule
        A new schedule of that name, or ``schedule`` itself.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the known ones).
    TypeError
        For anything else, or options the schedule does not take.

    Examples
    --------
    >>> from glassnet import schedules
    >>> schedules.get("step", step_size=5)
    StepDecay(step_size=5, gamma=0.1)
    """
    return resolve(schedule, SCHEDULES, Schedule, "schedule", "schedule", **kwargs)


#: The resolver under the name Keras gives it: ``schedules.get(name_or_object)``.
get = get_schedule
