"""One forward and backward pass, kept layer by layer, in lecture notation.

:meth:`Network.trace` returns a :class:`Trace`: the loss and, per layer, the
arrays that the network's own forward and backward computed -- the input
``x``, pre-activation ``z``, activation ``a``, ``delta = dC/dz`` and the
gradients ``dW`` and ``db`` -- copied so that later passes do not change them.
Given an optimizer, the trace also holds the parameters after one update and
the new prediction, computed by the network's own ``train_step`` on a copy.

A trace renders in two notations: ``"wb"``, the weight matrix and bias vector
of lectures 001/003/004 (``z^(l) = W^(l) a^(l-1) + b^(l)``), and
``"transfer"``, lecture 002's bias-augmented transfer matrices
(``x^(l+1) = phi(W^(l)T x^(l))`` with ``x_0 = 1``, ``psi`` and ``nabla``);
and in four formats: plain text, Markdown, LaTeX and JSON. The lectures'
worked examples are in :mod:`glassnet.inspection.lecture_examples`.
"""

from __future__ import annotations

import copy
import json
import warnings
from dataclasses import dataclass, field, replace

import numpy as np

__all__ = [
    "FORMATS",
    "NOTATIONS",
    "Correction",
    "LayerTrace",
    "Trace",
    "trace_network",
]

#: The two ways of writing a layer: lecture 001/003/004's W and b, or lecture
#: 002's bias-augmented transfer matrix.
NOTATIONS = ("wb", "transfer")
#: Output formats of :meth:`Trace.render`.
FORMATS = ("text", "markdown", "latex", "json")


@dataclass(frozen=True)
class LayerTrace:
    """What one layer computed in a traced step.

    Arrays have a leading sample axis: ``x`` (n_samples, n_in); ``z``, ``a``
    and ``delta`` (n_samples, n_out); ``W`` and ``dW`` (n_out, n_in);
    ``b`` and ``db`` (n_out,). ``psi`` (n_samples, n_out) is the derivative
    of the activation at ``z`` (lecture 002's ``psi(a)`` for sigmoid and
    tanh), ``None`` for softmax. ``W_new`` and ``b_new`` are the parameters
    after the optimizer's update, when the trace was taken with one.
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
    psi: np.ndarray | None = None
    W_new: np.ndarray | None = None
    b_new: np.ndarray | None = None

    @property
    def transfer_matrix(self) -> np.ndarray:
        """Lecture 002's transfer matrix ``[b; W^T]``, shape (n_in + 1, n_out)."""
        return np.vstack([self.b[None, :], self.W.T])

    @property
    def transfer_gradient(self) -> np.ndarray:
        """The gradient in lecture 002's transfer-matrix layout, (n_in + 1, n_out)."""
        return np.vstack([self.db[None, :], self.dW.T])

    @property
    def new_transfer_matrix(self) -> np.ndarray | None:
        """The updated transfer matrix, or ``None`` without an optimizer."""
        if self.W_new is None:
            return None
        return np.vstack([self.b_new[None, :], self.W_new.T])


@dataclass(frozen=True)
class Correction:
    """A number printed in a worked example that the mathematics corrects.

    Parameters
    ----------
    quantity : str
        The :class:`LayerTrace` field that holds the correct value, e.g.
        ``"W_new"``, ``"z"`` or ``"a"``.
    layer : int
        The layer's :attr:`LayerTrace.index` (1-based).
    index : tuple of int
        Index into that field's array (per-sample arrays are (n_samples, n_out)).
    printed : str
        What the printed example shows.
    reason : str
        Why the mathematics gives another number.
    """

    quantity: str
    layer: int
    index: tuple[int, ...]
    printed: str
    reason: str


@dataclass(frozen=True)
class Trace:
    """The loss and the per-layer arrays of one forward and backward pass.

    Attributes
    ----------
    loss : float
        The cost ``C`` of the traced batch.
    layers : list of LayerTrace
    targets : ndarray of shape (n_samples, n_outputs) or None
        The targets as the loss saw them (class labels one-hot encoded).
    loss_name : str
    fused_factor : float or None
        ``c`` when the output delta took the fused form ``c (a^L - y)``
        (a canonical loss/activation pair); ``None`` for the chain rule.
    optimizer : str or None
        The optimizer of the traced update, if any.
    step_size : float or None
        The learning rate when that update was a plain gradient step
        ``W <- W - lr dC/dW`` (SGD without momentum), else ``None``.
    new_output : ndarray of shape (n_samples, n_outputs) or None
        The network's prediction after the update.
    new_loss : float or None
        The cost after the update.
    title, notes, corrections
        Text shown with the rendering (worked examples use them).
    notation : {"wb", "transfer"}
    decimals : int
        Defaults for ``str()`` and the notebook renderings.
    """

    loss: float
    layers: list[LayerTrace] = field(default_factory=list)
    targets: np.ndarray | None = None
    loss_name: str = ""
    fused_factor: float | None = None
    optimizer: str | None = None
    step_size: float | None = None
    new_output: np.ndarray | None = None
    new_loss: float | None = None
    title: str = ""
    notes: tuple[str, ...] = ()
    corrections: tuple[Correction, ...] = ()
    notation: str = "wb"
    decimals: int = 4

    @classmethod
    def from_network(cls, network, loss: float, **options) -> Trace:
        """Copy the arrays of the network's last forward and backward pass."""
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
                    psi=_derivative(layer.activation, layer.Z, layer.A),
                )
            )
        return cls(loss=float(loss), layers=entries, **options)

    # -- quantities ------------------------------------------------------------
    @property
    def input(self) -> np.ndarray:
        """The traced batch ``X`` (n_samples, n_inputs), in the network's dtype."""
        return self.layers[0].x

    @property
    def output(self) -> np.ndarray:
        """The network output ``a^L`` of the traced pass."""
        return self.layers[-1].a

    @property
    def n_params(self) -> int:
        """Learnable parameters of the traced layers."""
        return int(sum(t.W.size + t.b.size for t in self.layers))

    # -- renderings ------------------------------------------------------------
    def render(
        self,
        format: str = "text",
        *,
        notation: str | None = None,
        decimals: int | None = None,
        precision: int | None = None,
    ) -> str:
        """The trace as ``"text"``, ``"markdown"``, ``"latex"`` or ``"json"``.

        Parameters
        ----------
        format : {"text", "markdown", "latex", "json"}
        notation : {"wb", "transfer"}, optional
            ``"wb"``: weight matrices and bias vectors (lectures 001, 003,
            004); ``"transfer"``: lecture 002's bias-augmented transfer
            matrices. Default: the trace's own ``notation``.
        decimals : int in [0, 16], optional
            Digits after the decimal point, rounded half to even as Python's
            ``format`` does (``decimals=2`` writes sigma(0.9) = 0.7109... as
            ``0.71``), so a trace can match a slide's digits. Values below
            ``10**-decimals`` (other than 0) are written in scientific
            notation rather than as zeros. JSON ignores it and keeps every
            digit. Default: the trace's own ``decimals`` (4, or the slide's
            for a lecture example).
        precision : int, optional
            Deprecated name of ``decimals``.

        Raises
        ------
        ValueError
            An unknown ``format`` or ``notation``; ``decimals`` outside
            [0, 16]; both ``decimals`` and ``precision`` given.
        TypeError
            ``decimals`` is not an int.
        """
        from glassnet.inspection import trace_render as _trace_render

        notation = _check_choice(
            self.notation if notation is None else notation, "notation", NOTATIONS
        )
        format = _check_choice(format, "format", FORMATS)
        decimals = _decimals(decimals, precision)
        if format == "json":
            return json.dumps(self.to_dict(notation=notation), indent=2)
        decimals = self.decimals if decimals is None else decimals
        return _trace_render.render(self, format, notation, decimals)

    def to_text(self, *, notation: str | None = None, decimals=None) -> str:
        """``render("text", ...)``; see :meth:`render`."""
        return self.render("text", notation=notation, decimals=decimals)

    def to_markdown(self, *, notation: str | None = None, decimals=None) -> str:
        """``render("markdown", ...)``; see :meth:`render`."""
        return self.render("markdown", notation=notation, decimals=decimals)

    def to_latex(self, *, notation: str | None = None, decimals=None) -> str:
        """``render("latex", ...)``; see :meth:`render`."""
        return self.render("latex", notation=notation, decimals=decimals)

    def to_json(self, *, notation: str | None = None) -> str:
        """``render("json", ...)``: every digit, so no ``decimals``."""
        return self.render("json", notation=notation)

    def to_dict(self, *, notation: str = "wb") -> dict:
        """Every number of the trace as JSON-ready lists (exact float values)."""
        notation = _check_choice(notation, "notation", NOTATIONS)
        layers = []
        for t in self.layers:
            entry = {
                "index": t.index,
                "layer": t.name,
                "activation": t.activation,
                **{
                    name: _plain(getattr(t, name))
                    for name in ("x", "z", "a", "delta", "psi", "W", "b", "dW", "db")
                },
            }
            if t.W_new is not None:
                entry["W_new"], entry["b_new"] = _plain(t.W_new), _plain(t.b_new)
            if notation == "transfer":
                entry["transfer_matrix"] = _plain(t.transfer_matrix)
                entry["transfer_gradient"] = _plain(t.transfer_gradient)
                if t.W_new is not None:
                    entry["new_transfer_matrix"] = _plain(t.new_transfer_matrix)
            layers.append(entry)
        return {
            "title": self.title,
            "notation": notation,
            "loss_name": self.loss_name,
            "loss": self.loss,
            "n_params": self.n_params,
            "input": _plain(self.input),
            "targets": _plain(self.targets),
            "output": _plain(self.output),
            "layers": layers,
            "optimizer": self.optimizer,
            "step_size": self.step_size,
            "new_output": _plain(self.new_output),
            "new_loss": self.new_loss,
            "notes": list(self.notes),
            "corrections": [
                {
                    "quantity": c.quantity,
                    "layer": c.layer,
                    "index": list(c.index),
                    "printed": c.printed,
                    "value": float(self.value_of(c)),
                    "reason": c.reason,
                }
                for c in self.corrections
            ],
        }

    def value_of(self, correction: Correction) -> float:
        """The computed number that ``correction`` points at."""
        for t in self.layers:
            if t.index == correction.layer:
                return float(getattr(t, correction.quantity)[correction.index])
        raise ValueError(
            f"The correction names layer {correction.layer}, which is not in the "
            f"trace (layers {[t.index for t in self.layers]})."
        )

    def __str__(self) -> str:
        return self.render("text")

    def _repr_markdown_(self) -> str:
        return self.render("markdown")

    def _repr_latex_(self) -> str:
        return self.render("latex")


def trace_network(network, X, y, *, optimizer=None) -> Trace:
    """Trace one forward and backward pass of ``network`` on ``(X, y)``.

    Parameters
    ----------
    network : Network
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    optimizer : str or Optimizer, optional
        With one, the trace also holds the parameters after one update and
        the new prediction: the network's own ``train_step`` runs on a copy
        of the network with a copy of the optimizer, so neither changes.

    Returns
    -------
    Trace

    Raises
    ------
    ValueError
        When a layer cannot train on so few samples (batch normalization on
        one sample).

    Notes
    -----
    The network is left exactly as it was: the training-mode pass runs on a
    deep copy (:meth:`Network.astype`), so its parameters, gradients, batch
    normalization's running statistics, dropout's random generator and the
    arrays its layers keep from their last pass (``X``, ``Z``, ``A``) are
    untouched, and its next prediction or fit is the one it would have made
    without the trace. The copy's dropout draws the masks the network itself
    would have drawn next.
    """
    from glassnet.core.optimizers import get_optimizer

    n_samples = np.shape(X)[0] if np.ndim(X) else 0
    for layer in network.layers:
        if layer.min_batch_size > n_samples:
            raise ValueError(
                f"A trace follows one training step, and {layer!r} cannot train on "
                f"{n_samples} sample(s): it needs at least {layer.min_batch_size} "
                "(one sample has no batch variance). Trace a batch of "
                f"{layer.min_batch_size} or more samples."
            )
    # The training-mode pass runs on a copy: on the network itself it would
    # move batch normalization's running statistics and draw from dropout's
    # generator, so that the next prediction or fit would differ.
    traced = network.astype(network.dtype)
    loss = traced.loss_and_gradients(X, y)
    last = traced.layers[-1]
    fused = None
    if traced.loss.is_canonical(last.activation):
        fused = float(traced.loss.fused_delta_factor(last.A))
    trace = Trace.from_network(
        traced,
        loss,
        targets=np.array(traced.prepare_targets(y, traced.layers[0].X)),
        loss_name=traced.loss.name,
        fused_factor=fused,
        notes=_preprocessing_note(traced),
    )
    if optimizer is None:
        return trace
    optimizer = copy.deepcopy(get_optimizer(optimizer))
    # A second copy of the untouched network: its step draws the same dropout
    # masks as the traced pass, so the update follows the traced gradients.
    clone = network.astype(network.dtype)
    clone.train_step(X, y, optimizer=optimizer)
    new_output = np.array(clone.forward(X))
    new_loss = clone.loss_and_gradients(X, y)
    updated = {i + 1: layer for i, layer in enumerate(clone.layers)}
    layers = [
        replace(t, W_new=updated[t.index].W.copy(), b_new=updated[t.index].b.copy())
        for t in trace.layers
    ]
    extras = [v for k, v in optimizer.config().items() if k not in ("name", "lr")]
    plain = optimizer.name == "sgd" and not any(extras)
    return replace(
        trace,
        layers=layers,
        optimizer=repr(optimizer),
        step_size=optimizer.lr if plain else None,
        new_output=new_output,
        new_loss=float(new_loss),
    )


def _preprocessing_note(network) -> tuple[str, ...]:
    if getattr(network, "preprocessing", None) is None:
        return ()
    return (
        "The input x is the sample after the network's preprocessing; the "
        "targets y are the labels as the network encodes them.",
    )


def _derivative(activation, Z, A) -> np.ndarray | None:
    """``phi'(z)``, via ``psi(a)`` where the activation defines it (lecture 002)."""
    if hasattr(activation, "psi"):
        return np.array(activation.psi(A))
    try:
        return np.array(activation.derivative(Z))
    except ValueError:  # softmax: a Jacobian, not an elementwise derivative
        return None


def _plain(value):
    return None if value is None else np.asarray(value).tolist()


def _check_choice(value, name: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(
            f"The '{name}' parameter of Trace must be one of "
            f"{', '.join(map(repr, allowed))}. Got {value!r} instead."
        )
    return value


def _decimals(decimals, precision):
    """Check ``decimals`` (or its deprecated name ``precision``); None passes."""
    if precision is not None:
        if decimals is not None:
            raise ValueError(
                "The 'precision' parameter of Trace.render is the old name of "
                "'decimals'; give only 'decimals'. Got both instead."
            )
        warnings.warn(
            "The 'precision' parameter of Trace.render is deprecated; use 'decimals'.",
            DeprecationWarning,
            stacklevel=3,
        )
        decimals = precision
    if decimals is None:
        return None
    message = (
        "The 'decimals' parameter of Trace.render must be an int in the range "
        f"[0, 16]. Got {decimals!r} instead."
    )
    if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
        raise TypeError(message)
    if not 0 <= decimals <= 16:
        raise ValueError(message)
    return int(decimals)
