"""Watching one logged quantity for improvement (early stopping, plateaus).

Shared by :class:`~glassnet.training.callbacks.EarlyStopping`,
:class:`~glassnet.training.callbacks.ModelCheckpoint` and
:class:`~glassnet.training.schedules.ReduceOnPlateau`.
"""

from __future__ import annotations

import math

from glassnet.core._validation import check_number
from glassnet.metrics import METRICS

_MODES = ("auto", "min", "max")


def _maximized(monitor: str) -> bool:
    name = monitor[4:] if monitor.startswith("val_") else monitor
    metric = METRICS.get(name)
    return metric is not None and metric.greater_is_better


class Monitor:
    """The best value so far of ``logs[monitor]`` and whether a new one beats it.

    Parameters
    ----------
    monitor : str
        Key of the epoch ``logs``, e.g. ``"val_loss"`` or ``"val_accuracy"``.
    mode : {"auto", "min", "max"}
        "auto" maximizes accuracy-like metrics and minimizes the rest.
    min_delta : float >= 0
        An improvement must beat the best by more than this.
    owner : str
        Name of the user-facing class, for error messages.

    Raises
    ------
    TypeError
        For a ``monitor`` that is not a non-empty string, or a non-numeric
        ``min_delta``.
    ValueError
        For an unknown ``mode`` or a negative ``min_delta``.
    """

    def __init__(self, monitor: str, mode: str, min_delta: float, owner: str):
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(
                f"The 'monitor' parameter of {owner} must be the name of a logged "
                f"quantity such as 'val_loss'. Got {monitor!r} instead."
            )
        if mode not in _MODES:
            raise ValueError(
                f"The 'mode' parameter of {owner} must be one of "
                f"{', '.join(map(repr, _MODES))}. Got {mode!r} instead."
            )
        self.monitor = monitor
        self.owner = owner
        self.min_delta = check_number(min_delta, "min_delta", owner, low=0)
        if mode == "auto":
            mode = "max" if _maximized(monitor) else "min"
        self.mode = mode
        self.reset()

    def reset(self) -> None:
        """Forget the best value: ``-inf`` when maximizing, else ``inf``."""
        self.best = -math.inf if self.mode == "max" else math.inf

    def value(self, logs: dict) -> float:
        """``logs[monitor]``, or a clear error naming the available keys.

        Parameters
        ----------
        logs : dict
            An epoch's logs.

        Returns
        -------
        float
            The monitored value.

        Raises
        ------
        ValueError
            When ``monitor`` is not in ``logs`` (the message lists the keys,
            and for ``val_*`` says how to get validation data).
        """
        if self.monitor not in logs:
            hint = ""
            if self.monitor.startswith("val_"):
                hint = (
                    " Pass validation_data or validation_split to fit, or monitor "
                    f"{self.monitor[4:]!r}."
                )
            raise ValueError(
                f"{self.owner} monitors {self.monitor!r}, which is not in the "
                f"epoch logs (available: {', '.join(logs)}).{hint}"
            )
        return float(logs[self.monitor])

    def improved(self, value: float) -> bool:
        """Whether ``value`` beats the best by more than ``min_delta`` (NaN never).

        Parameters
        ----------
        value : float
            A new value of the monitored quantity.

        Returns
        -------
        bool
            True when it improves on ``best`` by more than ``min_delta``.
        """
        if self.mode == "max":
            return value > self.best + self.min_delta
        return value < self.best - self.min_delta
