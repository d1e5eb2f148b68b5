"""Weight penalties: L2 and L1 regularization of the weight matrices.

A regularizer adds a penalty ``R(W)`` to the cost (lecture 003's
"regularized loss": the data term plus a regularizer) and ``dR/dW`` to the
weight gradient. It applies to weights only, never to biases: a bias shifts
a unit's threshold and does not make the fitted function less smooth.

Set one per layer (``Dense(..., regularizer=L2(1e-4))``) or for the whole
network (``Network(..., regularizer="l2")``); a layer's own regularizer takes
precedence. The penalty is part of the loss that training and
:meth:`Network.evaluate` report, as in Keras.

=========  =================================  ===========================
name       penalty R(W)                       gradient dR/dW
=========  =================================  ===========================
l2         l2 * sum(W^2)                      2 * l2 * W
l1         l1 * sum(abs(W))                   l1 * sign(W)
l1_l2      l1 * sum(abs(W)) + l2 * sum(W^2)   l1 * sign(W) + 2 * l2 * W
=========  =================================  ===========================

(Keras's convention. PyTorch's ``weight_decay=wd`` equals ``L2(wd / 2)``.)
"""

from __future__ import annotations

import numpy as np

from glassnet.core._validation import check_number

__all__ = [
    "get",
    "L1",
    "L1L2",
    "L2",
    "REGULARIZERS",
    "Regularizer",
    "get_regularizer",
]


class Regularizer:
    """``L1L2``-style penalty with strengths ``l1`` and ``l2`` (both >= 0).

    Parameters
    ----------
    l1 : float, default 0
        Strength of ``sum(|W|)``.
    l2 : float, default 0
        Strength of ``sum(W^2)``.
    """

    name = "l1_l2"

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        owner = type(self).__name__
        self.l1 = check_number(l1, "l1", owner, low=0)
        self.l2 = check_number(l2, "l2", owner, low=0)

    def penalty(self, W: np.ndarray) -> float:
        """``R(W) = l1 * sum(|W|) + l2 * sum(W^2)`` for W of any shape."""
        total = 0.0
        if self.l1:
            total += self.l1 * float(np.sum(np.abs(W)))
        if self.l2:
            # sum(W^2) as a dot product of the flattened matrix: no temporary.
            flat = W.reshape(-1)
            total += self.l2 * float(np.dot(flat, flat))
        return total

    def add_gradient(self, W: np.ndarray, dW: np.ndarray) -> None:
        """``dW += dR/dW``, in place; ``dW`` has the shape of ``W``."""
        if self.l1:
            # d|w|/dw = sign(w) (0 at w = 0, a subgradient)
            dW += self.l1 * np.sign(W)
        if self.l2:
            # d(w^2)/dw = 2 w
            dW += (2.0 * self.l2) * W

    def config(self) -> dict:
        return {"name": self.name, "l1": self.l1, "l2": self.l2}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(l1={self.l1!r}, l2={self.l2!r})"


class L1L2(Regularizer):
    """Both penalties: ``l1 * sum(|W|) + l2 * sum(W^2)``."""


class L2(Regularizer):
    """``R(W) = l2 * sum(W^2)``, gradient ``2 * l2 * W`` (weight decay).

    Parameters
    ----------
    l2 : float, default 0.01
    """

    name = "l2"

    def __init__(self, l2: float = 0.01):
        super().__init__(l1=0.0, l2=l2)

    def config(self) -> dict:
        return {"name": self.name, "l2": self.l2}

    def __repr__(self) -> str:
        return f"L2({self.l2!r})"


class L1(Regularizer):
    """``R(W) = l1 * sum(|W|)``, gradient ``l1 * sign(W)`` (drives weights to 0).

    Parameters
    ----------
    l1 : float, default 0.01
    """

    name = "l1"

    def __init__(self, l1: float = 0.01):
        super().__init__(l1=l1, l2=0.0)

    def config(self) -> dict:
        return {"name": self.name, "l1": self.l1}

    def __repr__(self) -> str:
        return f"L1({self.l1!r})"


REGULARIZERS: dict[str, type[Regularizer]] = {"l1": L1, "l2": L2, "l1_l2": L1L2}


def get_regularizer(regularizer: str | Regularizer | dict | None):
    """Resolve a name, a config dict or an instance; ``None`` stays ``None``.

    A name gives the default strength 0.01; an unknown name lists the valid
    ones.
    """
    if regularizer is None or isinstance(regularizer, Regularizer):
        return regularizer
    if isinstance(regularizer, dict):
        options = dict(regularizer)
        return get_regularizer(options.pop("name", None)).__class__(**options)
    if isinstance(regularizer, str):
        key = regularizer.strip().lower().replace("-", "_")
        if key in REGULARIZERS:
            return REGULARIZERS[key]()
        raise ValueError(
            f"Unknown regularizer {regularizer!r}. Valid names: "
            f"{', '.join(sorted(REGULARIZERS))}."
        )
    raise TypeError(
        "The 'regularizer' parameter must be a name (str), a Regularizer "
        f"instance or None. Got {type(regularizer).__name__} instead."
    )


def penalized_layers(network):
    """``[(regularizer, layer), ...]`` for every layer with weights to penalize.

    A layer's own ``regularizer`` wins over the network's.
    """
    pairs = []
    for layer in network.layers:
        if not getattr(layer, "penalizes_weights", False):
            continue
        regularizer = layer.regularizer or network.regularizer
        if regularizer is not None:
            pairs.append((regularizer, layer))
    return pairs


def penalty(network) -> float:
    """Sum of the penalties of every penalized layer's ``W``."""
    return sum(reg.penalty(layer.W) for reg, layer in penalized_layers(network))


def add_penalty_gradients(network, pairs=None) -> None:
    """Add ``dR/dW`` to every penalized layer's ``dW`` (after backward).

    ``pairs`` is :func:`penalized_layers` of the network, if already known.
    """
    for reg, layer in penalized_layers(network) if pairs is None else pairs:
        reg.add_gradient(layer.W, layer.dW)


#: The resolver under the name Keras gives it: ``regularizers.get(name_or_object)``.
get = get_regularizer
