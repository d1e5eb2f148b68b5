"""Optimizers: update parameters in place from their gradients.

An optimizer's :meth:`Optimizer.step` receives parallel lists of parameter
arrays and gradient arrays and changes the parameter arrays in place (they
stay the same objects, so a network's layers keep seeing them). State such as
momentum is created lazily, one array per parameter, on the first step.
"""

from __future__ import annotations

import numpy as np

from glassnet._validation import check_number

__all__ = ["OPTIMIZERS", "SGD", "Optimizer", "get_optimizer"]


class Optimizer:
    """Base class.

    Parameters
    ----------
    lr : float
        Learning rate (lecture 002's rho, lecture 003's eta), > 0.
    """

    name = "optimizer"

    def __init__(self, lr: float = 0.01):
        self.lr = lr
        self.iterations = 0
        self.state: dict[int, dict[str, np.ndarray]] = {}

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = check_number(value, "lr", type(self).__name__, low=0, low_open=True)

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Update every ``params[i]`` in place using ``grads[i]``."""
        self.iterations += 1
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            self._update(i, p, g)

    def _update(self, index: int, param: np.ndarray, grad: np.ndarray) -> None:
        raise NotImplementedError

    def _slot(self, index: int, name: str, like: np.ndarray) -> np.ndarray:
        """Lazily created state array of the shape and dtype of ``like``."""
        slots = self.state.setdefault(index, {})
        if name not in slots:
            slots[name] = np.zeros_like(like)
        return slots[name]

    def reset(self) -> None:
        """Forget all state (moments, step count)."""
        self.iterations = 0
        self.state.clear()

    def config(self) -> dict:
        return {"name": self.name, "lr": self.lr}

    def __repr__(self) -> str:
        options = {k: v for k, v in self.config().items() if k != "name"}
        args = ", ".join(f"{k}={v!r}" for k, v in options.items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Plain gradient descent ``w <- w - lr * dC/dw`` (lecture 002).

    With ``batch_size=None`` in :meth:`Network.fit` this is full-batch
    gradient descent, with ``1`` stochastic gradient descent and with ``k``
    mini-batch SGD (lecture 003).
    """

    name = "sgd"

    def __init__(self, lr: float = 0.01):
        super().__init__(lr)

    def _update(self, index, param, grad):
        # w <- w - rho * dC/dw, without a temporary the size of w
        step = self._slot(index, "step", param)
        np.multiply(grad, self.lr, out=step)
        param -= step


OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD}


def get_optimizer(optimizer: str | Optimizer, **kwargs) -> Optimizer:
    """Resolve a name or instance; an unknown name lists the valid ones."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, str):
        key = optimizer.strip().lower()
        if key in OPTIMIZERS:
            return OPTIMIZERS[key](**kwargs)
        raise ValueError(
            f"Unknown optimizer {optimizer!r}. Valid names: "
            f"{', '.join(sorted(OPTIMIZERS))}."
        )
    raise TypeError(
        "The 'optimizer' parameter must be a name (str) or an Optimizer instance. "
        f"Got {type(optimizer).__name__} instead."
    )
