"""One forward and backward pass, kept layer by layer.

:meth:`Network.trace` returns a :class:`Trace`: the loss and, per layer, the
arrays that the network's own forward and backward computed -- the input
``x``, pre-activation ``z``, activation ``a``, ``delta = dC/dz`` and the
gradients ``dW`` and ``db`` -- copied so that later passes do not change them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["LayerTrace", "Trace"]


@dataclass(frozen=True)
class LayerTrace:
    """What one layer computed in a traced step.

    Arrays have a leading sample axis: ``x`` (n_samples, n_in); ``z``, ``a``
    and ``delta`` (n_samples, n_out); ``W`` and ``dW`` (n_out, n_in);
    ``b`` and ``db`` (n_out,).
    """

    index: int
    name: str
    activation: str
    x: np.ndarray
    z: np.ndarray
    a: np.ndarray
    delta: np.ndarray
    W: np.ndarray
    b: np.ndarray
    dW: np.ndarray
    db: np.ndarray

    @property
    def transfer_gradient(self) -> np.ndarray:
        """The gradient in lecture 002's transfer-matrix layout, (n_in + 1, n_out)."""
        return np.vstack([self.db[None, :], self.dW.T])


@dataclass(frozen=True)
class Trace:
    """The loss and the per-layer arrays of one forward and backward pass."""

    loss: float
    layers: list[LayerTrace] = field(default_factory=list)

    @classmethod
    def from_network(cls, network, loss: float) -> Trace:
        entries = []
        for i, layer in enumerate(network.layers):
            if not hasattr(layer, "W"):
                continue
            entries.append(
                LayerTrace(
                    index=i + 1,
                    name=repr(layer),
                    activation=layer.activation.name,
                    x=np.array(layer.X),
                    z=np.array(layer.Z),
                    a=np.array(layer.A),
                    delta=np.array(layer.delta),
                    W=layer.W.copy(),
                    b=layer.b.copy(),
                    dW=layer.dW.copy(),
                    db=layer.db.copy(),
                )
            )
        return cls(loss=float(loss), layers=entries)

    @property
    def output(self) -> np.ndarray:
        """The network output ``a^L`` of the traced pass."""
        return self.layers[-1].a

    def __str__(self) -> str:
        lines = [f"loss C = {self.loss:.6g}"]
        with np.printoptions(precision=4, suppress=True, linewidth=100):
            for t in self.layers:
                lines.append(f"layer {t.index}: {t.name}")
                for label, arr in (
                    ("z", t.z),
                    ("a", t.a),
                    ("delta", t.delta),
                    ("dC/dW", t.dW),
                    ("dC/db", t.db),
                ):
                    text = np.array2string(arr, prefix=" " * 10)
                    lines.append(f"  {label:<7} {text}")
        return "\n".join(lines)
