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
    after the optimizer's update, when the trace was taken with one. Each
    parameter is kept as the attribute of the same name.

    Parameters
    ----------
    index : int
        The layer's number in the network, from 1.
    name : str
        The layer's ``repr``, e.g. ``"Dense(4, 4, activation='sigmoid')"``.
    activation : str
        The name of its activation ``phi``.
    x : ndarray of shape (n_samples, n_in)
        Its input ``a^(l-1)`` (the sample itself for the first layer).
    z : ndarray of shape (n_samples, n_out)
        Pre-activation ``z^(l) = W^(l) a^(l-1) + b^(l)``, one row per sample.
    a : ndarray of shape (n_samples, n_out)
        Activation ``a^(l) = phi(z^(l))``.
    delta : ndarray of shape (n_samples, n_out)
        ``delta^(l) = dC/dz^(l)``.
    W : ndarray of shape (n_out, n_in)
        The weights of the pass.
    b : ndarray of shape (n_out,)
        The biases of the pass.
    dW : ndarray of shape (n_out, n_in)
        ``dC/dW^(l) = delta^(l)T a^(l-1)`` summed over the samples.
    db : ndarray of shape (n_out,)
        ``dC/db^(l)``, ``delta^(l)`` summed over the samples.
    psi : ndarray of shape (n_samples, n_out) or None, optional
        ``phi'(z^(l))``; ``None`` for softmax (a Jacobian per sample).
    W_new : ndarray of shape (n_out, n_in) or None, optional
        ``W`` after the optimizer's update.
    b_new : ndarray of shape (n_out,) or None, optional
        ``b`` after the optimizer's update.
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

    Made by :meth:`Network.trace` (or :func:`trace_network`), and by the
    lectures' worked examples (:func:`~glassnet.lecture_examples`); each
    parameter is kept as the attribute of the same name. ``str(trace)`` is
    the text rendering; in a notebook it shows as Markdown with LaTeX.

    Parameters
    ----------
    loss : float
        The cost ``C`` of the traced batch.
    layers : list of LayerTrace
        One per layer with weights, in order.
    targets : ndarray of shape (n_samples, n_outputs) or None
        The targets as the loss saw them (class labels one-hot encoded).
    loss_name : str
        The loss's name, e.g. "binary_cross_entropy".
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
    title : str
        Heading of the rendering (worked examples use it).
    notes : tuple of str
        Remarks shown after the passes.
    corrections : tuple of Correction
        Numbers of a printed example that the mathematics corrects; the
        rendering marks them with a dagger.
    notation : {"wb", "transfer"}
        Default notation of ``str()`` and the notebook renderings.
    decimals : int
        Default decimals of ``str()`` and the notebook renderings.
    penalty : float
        The weight penalty ``R(W)`` included in ``loss`` (0 without a
        regularizer): ``loss`` is the data loss plus ``penalty``.
    penalized : tuple of int
        The :attr:`LayerTrace.index` of each layer whose ``dW`` includes the
        penalty's gradient ``dR/dW`` (``l1 sign(W) + 2 l2 W``); the
        renderings write ``+ R(W)`` and ``+ dR/dW`` into the formulas.

    See Also
    --------
    glassnet.gradcheck : Checks the same gradients against finite differences.

    Examples
    --------
    Lecture 003's binary example: ``h_1 = [0.69 0.63 0.66 0.67]`` and the
    loss 0.327 on the slide.

    >>> import glassnet as gn
    >>> trace = gn.lecture_examples()["lecture003-binary"].trace()
    >>> round(trace.loss, 3)
    0.327
    >>> trace.layers[0].a.round(2)
    array([[0.69, 0.63, 0.66, 0.67]])
    >>> [t.dW.shape for t in trace.layers]  # (n_out, n_in) per layer
    [(4, 4), (1, 4)]
    >>> text = trace.to_text(decimals=2)
    >>> print("\\n".join(line for line in text.splitlines() if "a^(" in line[:7]))
      a^(0) = x = [0.30, 0.50, -0.40, 0.30]^T
      a^(1) = sigma(z^(1)) = [0.69, 0.63, 0.66, 0.67]^T
      a^(2) = sigma(z^(2)) = 0.72†

    The dagger marks a number that the slide prints differently
    (``trace.corrections`` says why).
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
    penalty: float = 0.0
    penalized: tuple[int, ...] = ()

    @classmethod
    def from_network(cls, network, loss: float, **options) -> Trace:
        """Copy the arrays of the network's last forward and backward pass.

        Parameters
        ----------
        network : Network
            A network just after ``loss_and_gradients`` (its layers hold
            ``X``, ``Z``, ``A``, ``delta``, ``dW``, ``db``).
        loss : float
            The loss of that pass.
        **options
            The other fields of :class:`Trace` (``targets``, ``loss_name``,
            ...).

        Returns
        -------
        Trace
            With one :class:`LayerTrace` per layer with weights; the arrays
            are copies.
        """
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
        """The network output ``a^L`` of the traced pass, (n_samples, n_outputs)."""
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
            Plain text; Markdown with LaTeX equations (``$$``); a LaTeX
            ``align*`` environment; or JSON of every number (:meth:`to_dict`).
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

        Returns
        -------
        str
            The forward pass, the backward pass, the update (when traced
            with an optimizer), the notes and the corrections.

        Raises
        ------
        ValueError
            An unknown ``format`` or ``notation``; ``decimals`` outside
            [0, 16]; both ``decimals`` and ``precision`` given.
        TypeError
            ``decimals`` is not an int.

        Examples
        --------
        Lecture 002's grounded example, in its transfer-matrix notation:

        >>> import glassnet as gn
        >>> trace = gn.lecture_examples()["lecture002-grounded"].trace()
        >>> text = trace.render("text", notation="transfer", decimals=3)
        >>> print(text.splitlines()[7])
          x^(0) = [1.000, 0.000, 1.000]^T
        >>> print(text.splitlines()[12])
          x^(1)_[1+] = sigma(W^(0)T x^(0)) = [0.550, 0.711]^T
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
        """``render("text", ...)``; see :meth:`render`.

        Parameters
        ----------
        notation : {"wb", "transfer"}, optional
            Default: the trace's own ``notation``.
        decimals : int in [0, 16], optional
            Default: the trace's own ``decimals``.

        Returns
        -------
        str
            Plain text, one equation per line.

        Raises
        ------
        ValueError
            An unknown ``notation`` or ``decimals`` outside [0, 16].
        TypeError
            ``decimals`` is not an int.

        Examples
        --------
        A 1-1 sigmoid network with ``w = 2``, ``b = -1`` on ``x = 1``:
        ``z = 1``, ``a = sigma(1) = 0.7311``, ``C = -log(a) = 0.3133`` and
        ``delta = a - y = -0.2689`` (the fused delta of sigmoid and binary
        cross-entropy).

        >>> import numpy as np
        >>> import glassnet as gn
        >>> net = gn.Network.mlp([1, 1], seed=0, dtype="float64")
        >>> net.set_weights([np.array([[2.0]]), np.array([-1.0])])
        >>> trace = net.trace(np.array([[1.0]]), np.array([1]))
        >>> print(trace.to_text())
          Network 1-1, loss binary_cross_entropy, one sample.
          learnable parameters = (1 + 1) x 1 = 2 x 1 = 2
        <BLANKLINE>
        Forward pass
          a^(0) = x = 1.0000
          W^(1) = 2.0000
          b^(1) = -1.0000
          z^(1) = W^(1) a^(0) + b^(1) = 1.0000
          a^(1) = sigma(z^(1)) = 0.7311
          y = 1.0000
          loss C = binary cross entropy(a^(1), y) = 0.3133
        <BLANKLINE>
        Backward pass
          delta^(1) = dC/dz^(1) = a^(1) - y = -0.2689
          dC/dW^(1) = delta^(1) a^(0)T = -0.2689
          dC/db^(1) = delta^(1) = -0.2689
        """
        return self.render("text", notation=notation, decimals=decimals)

    def to_markdown(self, *, notation: str | None = None, decimals=None) -> str:
        """``render("markdown", ...)``; see :meth:`render`.

        Parameters
        ----------
        notation : {"wb", "transfer"}, optional
            Default: the trace's own ``notation``.
        decimals : int in [0, 16], optional
            Default: the trace's own ``decimals``.

        Returns
        -------
        str
            Markdown: headings, and the equations as LaTeX ``aligned``
            blocks between ``$$`` (Jupyter and GitHub render them).

        Raises
        ------
        ValueError
            An unknown ``notation`` or ``decimals`` outside [0, 16].
        TypeError
            ``decimals`` is not an int.

        Examples
        --------
        >>> import glassnet as gn
        >>> trace = gn.lecture_examples()["lecture003-binary"].trace()
        >>> markdown = trace.to_markdown(decimals=2)
        >>> print(markdown.splitlines()[0])
        ## Lecture 003: loss function for binary classification
        >>> line = next(x for x in markdown.splitlines() if x.startswith("a^{(1)} &"))
        >>> print(line.split(" = ")[-1])
        \\begin{pmatrix} 0.69 \\\\ 0.63 \\\\ 0.66 \\\\ 0.67 \\end{pmatrix} \\\\
        """
        return self.render("markdown", notation=notation, decimals=decimals)

    def to_latex(self, *, notation: str | None = None, decimals=None) -> str:
        """``render("latex", ...)``; see :meth:`render`.

        Parameters
        ----------
        notation : {"wb", "transfer"}, optional
            Default: the trace's own ``notation``.
        decimals : int in [0, 16], optional
            Default: the trace's own ``decimals``.

        Returns
        -------
        str
            One LaTeX ``align*`` environment, matrices as ``pmatrix`` (amsmath).

        Raises
        ------
        ValueError
            An unknown ``notation`` or ``decimals`` outside [0, 16].
        TypeError
            ``decimals`` is not an int.
        """
        return self.render("latex", notation=notation, decimals=decimals)

    def to_json(self, *, notation: str | None = None) -> str:
        """``render("json", ...)``: every digit, so no ``decimals``.

        Parameters
        ----------
        notation : {"wb", "transfer"}, optional
            "transfer" adds each layer's transfer matrices. Default: the
            trace's own ``notation``.

        Returns
        -------
        str
            :meth:`to_dict` as JSON, indented by 2.

        Raises
        ------
        ValueError
            An unknown ``notation``.
        """
        return self.render("json", notation=notation)

    def to_dict(self, *, notation: str = "wb") -> dict:
        """Every number of the trace as JSON-ready lists (exact float values).

        Parameters
        ----------
        notation : {"wb", "transfer"}, default "wb"
            "transfer" adds each layer's ``transfer_matrix`` and
            ``transfer_gradient``, shape (n_in + 1, n_out).

        Returns
        -------
        dict
            ``title``, ``notation``, ``loss_name``, ``loss``, ``n_params``,
            ``input`` (n_samples x n_features nested lists), ``targets``,
            ``output``, ``layers`` (one dict per layer: ``x``, ``z``, ``a``,
            ``delta``, ``psi``, ``W``, ``b``, ``dW``, ``db`` and, after an
            update, ``W_new``, ``b_new``), ``optimizer``, ``step_size``,
            ``new_output``, ``new_loss``, ``penalty``, ``penalized``, ``notes``
            and ``corrections``.

        Raises
        ------
        ValueError
            An unknown ``notation``, or a correction naming a layer that is
            not in the trace.
        """
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
            "penalty": self.penalty,
            "penalized": list(self.penalized),
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
        """The computed number that ``correction`` points at.

        Parameters
        ----------
        correction : Correction
            Names a layer, a field and an index.

        Returns
        -------
        float
            ``getattr(layer, correction.quantity)[correction.index]``.

        Raises
        ------
        ValueError
            When the correction's layer is not in the trace.
        """
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
        The network to trace; left unchanged (see Notes).
    X : array-like of shape (n_samples, n_features)
        The batch, samples as rows.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Its targets: class labels (one-hot accepted) or regression targets.
    optimizer : str or Optimizer, optional
        With one, the trace also holds the parameters after one update and
        the new prediction: the network's own ``train_step`` runs on a copy
        of the network with a copy of the optimizer, so neither changes.

    Returns
    -------
    Trace
        The loss and one :class:`LayerTrace` per layer with weights.

    Raises
    ------
    ValueError
        When a layer cannot train on so few samples (batch normalization on
        one sample); ``X`` or ``y`` of the wrong shape or with NaN; a label
        the loss cannot take; an unknown optimizer name.
    TypeError
        For non-numeric data, or an ``optimizer`` that is neither a name nor
        an Optimizer.

    Notes
    -----
    The network is left exactly as it was: the training-mode pass runs on a
    deep copy (:meth:`Network.astype`), so its parameters, gradients, batch
    normalization's running statistics, dropout's random generator and the
    arrays its layers keep from their last pass (``X``, ``Z``, ``A``) are
    untouched, and its next prediction or fit is the one it would have made
    without the trace. The copy's dropout draws the masks the network itself
    would have drawn next.

    Examples
    --------
    One SGD step of lecture 002's grounded example takes the prediction
    from 0.512 to 0.722, as on the slide:

    >>> import glassnet as gn
    >>> from glassnet.inspection import trace_network
    >>> example = gn.lecture_examples()["lecture002-grounded"]
    >>> network, X, y = example.build()
    >>> trace = trace_network(network, X, y, optimizer=gn.SGD(lr=1.0))
    >>> float(trace.output.round(3)[0, 0]), float(trace.new_output.round(3)[0, 0])
    (0.512, 0.722)
    >>> trace.step_size
    1.0
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
    penalty, penalized, penalty_notes = _penalty_of(traced)
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
        notes=_preprocessing_note(traced) + penalty_notes,
        penalty=penalty,
        penalized=penalized,
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


def _penalty_of(network) -> tuple[float, tuple[int, ...], tuple[str, ...]]:
    """``R(W)`` of ``network``'s weights, the indices of the layers it
    penalizes, and a note naming the regularizers (empty without one)."""
    from glassnet.core import regularizers

    pairs = [
        (reg, layer)
        for reg, layer in regularizers.penalized_layers(network)
        if reg.l1 or reg.l2
    ]
    if not pairs:
        return 0.0, (), ()
    index = {id(layer): i + 1 for i, layer in enumerate(network.layers)}
    penalized = tuple(index[id(layer)] for _, layer in pairs)
    penalty = float(sum(reg.penalty(layer.W) for reg, layer in pairs))
    names = sorted({repr(reg) for reg, _ in pairs})
    note = (
        f"The cost includes the weight penalty R(W) = l1 sum|W| + l2 sum W^2 of "
        f"{', '.join(names)} over the weights of layer(s) "
        f"{', '.join(map(str, penalized))} (not the biases): R(W) = {penalty:.6g}, "
        "and each dC/dW of those layers adds dR/dW = l1 sign(W) + 2 l2 W."
    )
    return penalty, penalized, (note,)


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
