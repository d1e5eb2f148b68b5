"""Layers: the Layer protocol; :class:`Dense`, :class:`Dropout`, :class:`BatchNorm`.

A layer goes forward (keeping exactly what backward needs) and backward
(turning ``dC/dA`` of its output into ``dC/dX`` of its input and filling its
own parameter gradients). Shapes follow DESIGN.md: samples are rows, and a
Dense layer's ``W[k, j]`` is the weight from input ``j`` to neuron ``k`` --
lecture 001's ``w^l_kj``.
"""

from __future__ import annotations

import hashlib

import numpy as np

from glassnet.core._validation import check_number, short_repr
from glassnet.core.activations import Activation, activation_from_config, get_activation
from glassnet.core.backends import NUMPY, NumpyBackend
from glassnet.core.initializers import (
    Initializer,
    default_initializer,
    get_initializer,
    initializer_from_config,
)
from glassnet.core.regularizers import Regularizer, get_regularizer

__all__ = [
    "LAYERS",
    "BatchNorm",
    "Dense",
    "Dropout",
    "Layer",
    "layer_array_shapes",
    "layer_from_config",
]


class Layer:
    """Protocol every layer follows.

    Attributes set by subclasses: ``n_in`` and ``n_out`` (ints, or ``None``
    until :meth:`build` for size-preserving layers), ``trainable``.
    """

    n_in: int | None = None
    n_out: int | None = None
    #: The fewest samples a training batch may have (see BatchNorm).
    min_batch_size: int = 1
    #: While training: a dict of reusable work arrays (see Dense.buffers_for).
    workspace: dict | None = None
    #: The backend whose operations fill the work arrays: the workspace's
    #: (see :meth:`Network.workspace`), NumPy outside one.
    backend: NumpyBackend = NUMPY

    def build(self, n_in: int, rng: np.random.Generator | None = None) -> None:
        """Fix the input size (called by the network for size-preserving layers).

        Parameters
        ----------
        n_in : int
            The previous layer's output size.
        rng : numpy.random.Generator, optional
            The network's generator, for layers that draw (Dropout's masks).

        Raises
        ------
        ValueError
            If the layer already has another input size.
        """
        if self.n_in is not None and self.n_in != n_in:
            raise ValueError(
                f"{self!r} expects {self.n_in} inputs but the previous layer "
                f"gives {n_in}."
            )
        self.n_in = n_in
        if self.n_out is None:
            self.n_out = n_in

    def forward(self, X: np.ndarray, *, training: bool = False) -> np.ndarray:
        """The forward pass: the layer's output for a batch.

        Keeps what :meth:`backward` needs (``X``, ``Z``, ``A``, a mask, ...)
        on the layer.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_in)
            The previous layer's activations (the inputs for the first).
        training : bool, default False
            Whether this is a training pass (dropout masks, batch statistics).

        Returns
        -------
        A : ndarray of shape (n_samples, n_out)
            The layer's activations.

        Raises
        ------
        ValueError
            If the batch cannot be used (BatchNorm: a training batch of one
            sample).
        """
        raise NotImplementedError

    def backward(self, dA: np.ndarray, *, need_dX: bool = True) -> np.ndarray | None:
        """The backward pass: from ``dC/dA`` to ``dC/dX``, filling the gradients.

        Lecture 001's induction step ``delta = dC/dZ = dC/dA * phi'(Z)``,
        then the gradients of the layer's parameters from ``delta``.

        Parameters
        ----------
        dA : ndarray of shape (n_samples, n_out)
            Gradient of the cost with respect to the layer's activations.
        need_dX : bool, default True
            Whether to compute ``dC/dX`` (False for the first layer).

        Returns
        -------
        dX : ndarray of shape (n_samples, n_in) or None
            Gradient with respect to the layer's inputs; None when not
            ``need_dX``.
        """
        raise NotImplementedError

    def parameters(self) -> list[tuple[str, np.ndarray]]:
        """The trainable parameters, by name.

        Returns
        -------
        list of (str, ndarray)
            ``[(name, array), ...]``, possibly empty (Dense: ``W`` of shape
            (n_out, n_in) and ``b`` of shape (n_out,)).
        """
        return []

    def gradients(self) -> list[np.ndarray]:
        """The gradient arrays of the last backward pass.

        Returns
        -------
        list of ndarray
            One per entry of :meth:`parameters`, in its order, each of the
            shape of its parameter.
        """
        return []

    def buffers(self) -> list[tuple[str, np.ndarray]]:
        """The state that is not trained by gradients, by name.

        E.g. batch normalization's running statistics; saved and restored with
        the parameters by :meth:`Network.get_weights`.

        Returns
        -------
        list of (str, ndarray)
            ``[(name, array), ...]``, possibly empty (BatchNorm: two arrays
            of shape (n_features,)).
        """
        return []

    @property
    def n_params(self) -> int:
        """The number of trainable parameters (int)."""
        return int(sum(p.size for _, p in self.parameters()))

    def _bind(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Move parameters and gradients into the given views (a flat buffer)."""
        if params:
            raise NotImplementedError

    def config(self) -> dict:
        """A JSON-serialisable description, the inverse of ``from_config``.

        Returns
        -------
        dict
            ``{"type": "Dense", ...}`` with the layer's settings (no arrays).
        """
        raise NotImplementedError

    @classmethod
    def array_shapes(cls, config: dict, n_in: int | None) -> tuple[int, list]:
        """What a layer built from ``config`` holds, without building it.

        Parameters
        ----------
        config : dict
            As :meth:`config` returns it.
        n_in : int or None
            The previous layer's output size (None for the first layer).

        Returns
        -------
        n_out : int
            The layer's output size.
        shapes : list of (str, tuple of int)
            The names and shapes of the arrays of :meth:`parameters` then
            :meth:`buffers`.

        Raises
        ------
        ValueError
            When the config's sizes are invalid or do not chain with ``n_in``
            (TypeError for a size that is not an int). A model file is checked
            with this before any array is allocated.
        """
        raise NotImplementedError


def _config_size(config: dict, key: str, owner: str, n_in: int | None) -> int:
    """``config[key]``, a positive int equal to ``n_in`` when that is given."""
    if key not in config:
        raise ValueError(f"A {owner} config must give '{key}'. Got {config!r}.")
    size = _check_size(config[key], key, owner)
    if n_in is not None and size != n_in:
        raise ValueError(
            f"Layer sizes do not chain: a {owner} with {key}={size} follows a "
            f"layer with {n_in} outputs."
        )
    return size


def _check_finite_array(value, name: str, shape: tuple[int, ...], owner: str):
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged nested lists and the like
        raise ValueError(f"{owner}.{name} must be an array of shape {shape}.") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{owner}.{name} must be numeric. Got an array of dtype {arr.dtype}."
        )
    if arr.shape != shape:
        raise ValueError(
            f"{owner}.{name} must have shape {shape}. Got shape {arr.shape} instead."
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(
            f"{owner}.{name} must be finite. Got NaN or infinity in "
            f"{int(np.size(arr) - np.isfinite(arr).sum())} entries."
        )
    return arr


def _check_size(value, name: str, owner: str = "Dense") -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"The '{name}' parameter of {owner} must be a positive int. "
            f"Got {value!r} instead."
        )
    if value < 1:
        raise ValueError(
            f"The '{name}' parameter of {owner} must be a positive int. "
            f"Got {value!r} instead."
        )
    return int(value)


class _WorkArrays(dict):
    """Work arrays by name; those listed in ``lazy`` are made on first use."""

    def __init__(self, dtype, lazy: dict[str, tuple[int, ...]]):
        super().__init__()
        self.dtype, self.lazy = dtype, lazy

    def __missing__(self, name: str) -> np.ndarray:
        array = self[name] = np.empty(self.lazy[name], dtype=self.dtype)
        return array


class Dense(Layer):
    """Fully connected layer ``A = phi(Z)``, ``Z = X W^T + b``.

    Parameters
    ----------
    n_in, n_out : int
        Number of inputs and of neurons.
    activation : str or Activation, default "identity"
        ``phi``; see :mod:`glassnet.core.activations`.
    init : str or Initializer, optional
        Weight initializer; default He for relu-family activations, Glorot
        otherwise. Biases start at zero.
    regularizer : str or Regularizer, optional
        Penalty on ``W`` (never on ``b``); see :mod:`glassnet.core.regularizers`.
        ``None`` uses the network's regularizer, if any.
    seed : int, optional
        Seeds the initializer.
    rng : numpy.random.Generator, optional
        Randomness for the initializer (instead of ``seed``).
    dtype : dtype, default float64
        A network converts its layers to the network's dtype.

    Raises
    ------
    ValueError
        If ``n_in`` or ``n_out`` is not positive (TypeError if it is not an
        int: ``2.5``, ``True``, ``"3"``), or an activation, initializer or
        regularizer name is unknown.

    Notes
    -----
    The layer's parameters exist from construction, and nothing re-draws
    them behind the user's back (as in PyTorch's ``nn.Linear``). ``W`` is
    drawn when the layer is made: from ``seed``/``rng`` if given, else from
    fresh entropy. One exception keeps ``Network(layers, seed=s)``
    reproducible: a network re-draws a layer from its own seed only if the
    layer got no ``seed``/``rng`` and its ``W`` and ``b`` still hold exactly
    the values drawn at construction. Any change to them -- ``d.W[...] = M``,
    ``d.W = M``, ``d.b += 1``, ``set_weights`` -- is seen (the network
    compares the values, not which setter was used) and kept. Once the
    layer has joined a network its parameters are never re-drawn again,
    also when it joins another one. :meth:`reinitialize` re-draws on
    request.

    Attributes
    ----------
    W : ndarray of shape (n_out, n_in)
    b : ndarray of shape (n_out,)
    dW, db : ndarray of shape (n_out, n_in) and (n_out,)
        Gradients of the last backward pass, same shapes as W and b.
    X, Z, A, delta : ndarray
        Kept from the last forward/backward pass: the input of shape
        (n_samples, n_in), the pre-activation, the activation and
        ``delta = dC/dZ``, each of shape (n_samples, n_out).

    Examples
    --------
    >>> import numpy as np
    >>> from glassnet import Dense
    >>> layer = Dense(2, 1, activation="identity", seed=0)
    >>> layer.W = [[1.0, -1.0]]
    >>> layer.b = [0.5]
    >>> layer.forward(np.array([[3.0, 1.0], [0.0, 2.0]]))
    array([[ 2.5],
           [-1.5]])
    >>> layer.W.shape, layer.b.shape, layer.n_params
    ((1, 2), (1,), 3)
    """

    trainable = True
    #: Regularizers apply to this layer's ``W``.
    penalizes_weights = True

    def __init__(
        self,
        n_in: int,
        n_out: int,
        activation: str | Activation = "identity",
        *,
        init: str | Initializer | None = None,
        regularizer: str | Regularizer | None = None,
        seed: int | None = None,
        rng: np.random.Generator | None = None,
        dtype=np.float64,
    ):
        self._configure(n_in, n_out, activation, init, regularizer)
        own_randomness = seed is not None or rng is not None
        if rng is None:
            rng = np.random.default_rng(seed)
        self._allocate(self.init(self.n_in, self.n_out, rng, np.dtype(dtype)))
        # A fingerprint of the provisional draw (see Notes): while W and b
        # still match it, a network may draw them again from its own seed.
        self._provisional = None if own_randomness else self._fingerprint()

    def _configure(self, n_in, n_out, activation, init, regularizer) -> None:
        self.n_in = _check_size(n_in, "n_in")
        self.n_out = _check_size(n_out, "n_out")
        self.activation = get_activation(activation)
        self.init = (
            default_initializer(self.activation.name)
            if init is None
            else get_initializer(init)
        )
        self.regularizer = get_regularizer(regularizer)

    def _allocate(self, W: np.ndarray) -> None:
        self._W = W
        self._b = np.zeros(self.n_out, dtype=W.dtype)
        self.dW = np.zeros_like(self._W)
        self.db = np.zeros_like(self._b)
        self.X = self.Z = self.A = self.delta = None
        self._buffers = None

    # -- parameters ---------------------------------------------------------
    @property
    def W(self) -> np.ndarray:
        """The weights, ndarray of shape (n_out, n_in); assigning copies in.

        Assigning writes into the array the network trains.

        Raises
        ------
        ValueError
            On assigning values of another shape than (n_out, n_in), or not
            finite (TypeError for values that are not numbers).
        """
        return self._W

    @W.setter
    def W(self, value) -> None:
        value = _check_finite_array(value, "W", self._W.shape, "Dense")
        self._W[...] = value
        self._provisional = None

    @property
    def b(self) -> np.ndarray:
        """The biases, ndarray of shape (n_out,); assigning copies in.

        Assigning writes into the array the network trains.

        Raises
        ------
        ValueError
            On assigning values of another shape than (n_out,), or not
            finite (TypeError for values that are not numbers).
        """
        return self._b

    @b.setter
    def b(self, value) -> None:
        value = _check_finite_array(value, "b", self._b.shape, "Dense")
        self._b[...] = value
        self._provisional = None

    def reinitialize(self, rng: np.random.Generator) -> None:
        """Draw fresh weights from ``rng`` (biases to zero), in place.

        Parameters
        ----------
        rng : numpy.random.Generator
            The randomness for the layer's initializer.
        """
        self._W[...] = self.init(self.n_in, self.n_out, rng, self._W.dtype)
        self._b[...] = 0

    def _fingerprint(self) -> bytes:
        digest = hashlib.blake2b(digest_size=16)
        for array in (self._W, self._b):
            digest.update(np.ascontiguousarray(array).view(np.uint8))
        return digest.digest()

    def adopt(self, rng: np.random.Generator) -> None:
        """Called by a network that takes this layer in (see the Notes).

        Re-draws the weights from the network's ``rng`` only while they
        are the untouched provisional draw; from then on they are the
        layer's own for good.

        Parameters
        ----------
        rng : numpy.random.Generator
            The network's generator.
        """
        if self._provisional is not None and self._provisional == self._fingerprint():
            self.reinitialize(rng)
        self._provisional = None

    def parameters(self):
        return [("W", self._W), ("b", self._b)]

    def gradients(self):
        return [self.dW, self.db]

    def _bind(self, params, grads):
        # W (n_out, n_in) is stored transposed, as the rows of W^T (n_in,
        # n_out), and dW likewise: the products X W^T and X^T delta then read
        # and write whole rows, which BLAS does fastest for these shapes.
        W, b = params
        WT = W.reshape(self.n_in, self.n_out)
        WT[...] = self._W.T
        b[...] = self._b
        self._W, self._b = WT.T, b
        dW, self.db = grads
        self.dW = dW.reshape(self.n_in, self.n_out).T

    # -- lecture 002's bias-augmented transfer matrix -------------------------
    @property
    def transfer_matrix(self) -> np.ndarray:
        """Lecture 002's transfer matrix, shape (n_in + 1, n_out).

        Row 0 holds the biases and row ``j + 1`` the weights from input ``j``,
        one column per neuron, so that ``x^(l+1) = phi(T^T [1, x^(l)])``.
        """
        return np.vstack([self._b[None, :], self._W.T])

    @classmethod
    def from_transfer_matrix(
        cls, T, activation: str | Activation = "sigmoid", **kwargs
    ) -> Dense:
        """Build a layer from lecture 002's transfer matrix.

        The conversion is exact: ``b = T[0]`` and ``W = T[1:].T``.

        Parameters
        ----------
        T : array-like of shape (n_in + 1, n_out)
            Row 0 the biases, row ``j + 1`` the weights from input ``j``.
        activation : str or Activation, default "sigmoid"
            The layer's activation.
        **kwargs
            Further arguments of :class:`Dense` (``init``, ``regularizer``,
            ``dtype``: default ``T``'s floating dtype, else float64).

        Returns
        -------
        Dense
            A new layer with ``n_in = T.shape[0] - 1`` and ``n_out =
            T.shape[1]``.

        Raises
        ------
        ValueError
            If ``T`` is not 2-D with at least two rows (ragged rows included),
            or not finite.
        TypeError
            If ``T`` is not numeric (strings, objects, complex numbers).

        Examples
        --------
        >>> from glassnet import Dense
        >>> layer = Dense.from_transfer_matrix([[0.5], [1.0], [-1.0]])
        >>> layer.b, layer.W
        (array([0.5]), array([[ 1., -1.]]))
        """
        expected = (
            "The 'T' parameter of Dense.from_transfer_matrix must be a 2-D "
            "transfer matrix of shape (n_in + 1, n_out) with the biases in row 0"
        )
        try:
            T = np.asarray(T)
        except (ValueError, TypeError) as exc:  # ragged nested lists
            raise ValueError(f"{expected}. Got {short_repr(T)} instead.") from exc
        if T.ndim != 2 or T.shape[0] < 2:
            raise ValueError(f"{expected}. Got shape {T.shape} instead.")
        if T.dtype.kind not in "biuf":
            raise TypeError(
                f"{expected}, of numbers. Got an array of dtype {T.dtype} instead."
            )
        if not np.all(np.isfinite(T)):
            raise ValueError(
                f"{expected}, all finite. Got NaN or infinity in "
                f"{int(T.size - np.isfinite(T).sum())} entries instead."
            )
        dtype = T.dtype if T.dtype.kind == "f" else np.float64
        kwargs.setdefault("dtype", dtype)
        layer = cls(T.shape[0] - 1, T.shape[1], activation, seed=0, **kwargs)
        layer.W = T[1:].T
        layer.b = T[0]
        return layer

    # -- forward and backward -------------------------------------------------
    def forward(self, X, *, training=False):
        """``Z = X W^T + b``, ``A = phi(Z)`` (lecture 001's forward pass)."""
        self.X = X
        # the work arrays of this batch, kept for the backward pass that follows
        self._buffers = buffers = self.buffers_for(X.shape[0])
        if buffers is None:
            self.Z = X @ self._W.T + self._b
            self.A = self.activation(self.Z)
            return self.A
        # The same formulas, written into arrays reused from batch to batch
        # by the operations of the workspace's backend.
        self.Z = self.backend.dense_forward(X, self._W.T, buffers["Z"])
        # Inference writes a ReLU's activations over Z, which no one reads
        # after an inference pass (no loss uses a ReLU output's Z): one pass
        # over the largest arrays of the chunk instead of two.
        in_place = not training and self.activation.name == "relu"
        A = self.Z if in_place else buffers["A"]
        self.A = self.activation.bias_forward_into(self.Z, self._b, A, self.backend)
        return self.A

    def backward(self, dA, *, need_dX=True):
        """From ``dC/dA`` to ``dC/dX``, filling ``dW`` and ``db``."""
        # delta = dC/dZ = dC/dA * phi'(Z)   (lecture 001, induction step)
        buffers = self._buffers
        if buffers is None:
            delta = self.activation.backward(dA, self.Z, self.A)
        else:  # dA is the next layer's dX buffer: overwrite it
            delta = self.activation.backward_into(
                dA, self.Z, self.A, buffers["tmp"], self.backend
            )
        return self.backward_delta(delta, need_dX=need_dX)

    def backward_delta(self, delta, *, need_dX=True):
        """Backward from ``delta = dC/dZ`` directly (the output layer's fused path).

        ``dW = delta^T X``, ``db`` = the column sums of ``delta``, ``dX =
        delta W`` (lecture 001).

        Parameters
        ----------
        delta : ndarray of shape (n_samples, n_out)
            ``dC/dZ``, kept on the layer.
        need_dX : bool, default True
            Whether to compute ``dC/dX``.

        Returns
        -------
        dX : ndarray of shape (n_samples, n_in) or None
            ``dC/dX``; None when not ``need_dX``.
        """
        self.delta = delta
        buffers = self._buffers
        if buffers is not None:  # into the work arrays of this batch
            dX = buffers["dX"] if need_dX else None
            return self.backend.dense_backward(
                delta, self.X, self._W.T, self.dW.T, self.db, dX, buffers["ones"]
            )
        # dC/dw_kj = sum over samples of delta_k a_j   (lecture 001)
        # dC/db_k = sum over samples of delta_k
        # dC/da_j of the previous layer = sum_k w_kj delta_k
        dX = None
        if need_dX:
            dX = np.empty((delta.shape[0], self.n_in), np.result_type(delta, self._W))
        return NUMPY.dense_backward(delta, self.X, self._W.T, self.dW.T, self.db, dX)

    def buffers_for(self, n_samples: int) -> dict | None:
        """Work arrays for a batch of ``n_samples`` while training, else None.

        The training loop gives each layer a ``workspace`` dict; the arrays
        for each batch size are made once and reused, so a training step
        allocates nothing. Outside training (``workspace is None``) every
        pass makes fresh arrays, which callers may keep.

        Parameters
        ----------
        n_samples : int
            The batch size.

        Returns
        -------
        dict or None
            The work arrays by name (``"Z"``, ``"A"``, ``"dX"``, ...), each of
            shape (n_samples, n_out) or (n_samples, n_in); None outside a
            workspace.
        """
        if self.workspace is None:
            return None
        buffers = self.workspace.get(n_samples)
        if buffers is None:
            dtype = self._W.dtype
            out, into = (n_samples, self.n_out), (n_samples, self.n_in)
            # the arrays of the backward pass are made on first use, so
            # inference in chunks holds only Z and A
            lazy = {"A": out, "tmp": out, "delta": out, "dX": into}
            buffers = _WorkArrays(dtype, lazy)
            buffers["Z"] = np.empty(out, dtype=dtype)
            if self.activation.name == "identity":
                buffers["A"] = buffers["Z"]
            buffers["ones"] = np.ones(n_samples, dtype=dtype)
            self.workspace[n_samples] = buffers
        return buffers

    # -- description ------------------------------------------------------------
    def config(self) -> dict:
        config = {
            "type": "Dense",
            "n_in": self.n_in,
            "n_out": self.n_out,
            "activation": self.activation.config(),
            "init": self.init.config(),
        }
        if self.regularizer is not None:
            config["regularizer"] = self.regularizer.config()
        return config

    @classmethod
    def from_config(cls, config: dict, dtype=np.float64, *, draw: bool = True) -> Dense:
        """A new layer with ``config``'s settings (as Keras's ``from_config``).

        With ``draw=True`` its weights are drawn afresh, like a constructed
        layer's (see the class Notes). With ``draw=False`` they are zeros
        and nothing random is drawn, so rebuilding a saved layer costs only
        its arrays' memory; :func:`glassnet.load` then sets the saved
        weights.

        Parameters
        ----------
        config : dict
            As :meth:`config` returns it.
        dtype : dtype, default float64
            The dtype of the layer's arrays.
        draw : bool, default True
            Whether to draw the weights (else zeros).

        Returns
        -------
        Dense
            The new layer.

        Raises
        ------
        ValueError
            If the config lacks a setting or holds an invalid one.
        """
        for key in ("n_in", "n_out", "activation", "init"):
            if key not in config:
                raise ValueError(f"A Dense config must give '{key}'.")
        layer = cls.__new__(cls)
        layer._configure(
            config["n_in"],
            config["n_out"],
            activation_from_config(config["activation"]),
            initializer_from_config(config["init"]),
            get_regularizer(config.get("regularizer")),
        )
        dtype = np.dtype(dtype)
        if draw:
            W = layer.init(layer.n_in, layer.n_out, np.random.default_rng(), dtype)
        else:
            W = np.zeros((layer.n_out, layer.n_in), dtype=dtype)
        layer._allocate(W)
        layer._provisional = layer._fingerprint() if draw else None
        return layer

    @classmethod
    def array_shapes(cls, config, n_in):
        n_in = _config_size(config, "n_in", "Dense", n_in)
        n_out = _config_size(config, "n_out", "Dense", None)
        return n_out, [("W", (n_out, n_in)), ("b", (n_out,))]

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out}, activation={self.activation.name!r})"


class Dropout(Layer):
    """Inverted dropout: in training, keep each input with probability ``1 - rate``.

    Training: ``A = X * mask`` with ``mask = keep / (1 - rate)``, ``keep`` a
    fresh Bernoulli(``1 - rate``) draw per entry. Scaling the kept units by
    ``1 / (1 - rate)`` keeps ``E[A] = X``, so inference is the identity
    ``A = X`` with no rescaling (lecture 002: "nix the output from randomly
    picked neurons").

    Parameters
    ----------
    rate : float in [0, 1), default 0.5
        Fraction of inputs dropped.
    seed : int, optional
        Seeds the masks. Without it, a network draws them from its own seeded
        generator (so ``Network(..., seed=0)`` fixes them too).

    Raises
    ------
    ValueError
        If ``rate`` is not in [0, 1) (TypeError if it is not a number).

    Attributes
    ----------
    mask : ndarray of shape (n_samples, n_in) or None
        The last training pass's mask (0 or ``1 / (1 - rate)``); ``None``
        after an inference pass.
    frozen : bool
        While True (see :meth:`Network.frozen_randomness`), training passes
        reuse the last mask, so the loss is a deterministic function of the
        parameters (for gradient checking).
    """

    trainable = False

    def __init__(self, rate: float = 0.5, *, seed: int | None = None):
        self.rate = check_number(rate, "rate", "Dropout", low=0, high=1, high_open=True)
        self.seed = seed
        self._rng = np.random.default_rng(seed)
        self.mask: np.ndarray | None = None
        self.frozen = False

    def build(self, n_in, rng=None):
        super().build(n_in, rng)
        if rng is not None and self.seed is None:
            self._rng = rng

    def forward(self, X, *, training=False):
        """``X * mask`` in training, ``X`` itself at inference."""
        if not training or self.rate == 0.0:
            self.mask = None
            return X
        reuse = self.frozen and self.mask is not None and self.mask.shape == X.shape
        if not reuse:
            self.mask = self._draw_mask(X.shape, X.dtype)
        return X * self.mask

    def backward(self, dA, *, need_dX=True):
        """``dC/dX = dC/dA * mask`` (the identity after an inference pass)."""
        if not need_dX:
            return None
        # A = X * mask elementwise  =>  dA/dX = mask
        return dA if self.mask is None else dA * self.mask

    def _draw_mask(self, shape, dtype) -> np.ndarray:
        dtype = np.result_type(dtype, np.float32)
        # Reuse the previous mask's memory: u ~ U[0, 1), then keep = (u >= rate).
        mask = self.mask
        if mask is None or mask.shape != shape or mask.dtype != dtype:
            mask = np.empty(shape, dtype=dtype)
        self._rng.random(out=mask, dtype=dtype)
        np.greater_equal(mask, self.rate, out=mask)
        mask *= 1.0 / (1.0 - self.rate)
        return mask

    def config(self) -> dict:
        return {"type": "Dropout", "rate": self.rate, "seed": self.seed}

    @classmethod
    def from_config(cls, config: dict, dtype=np.float64) -> Dropout:
        """A new layer with ``config``'s settings (as Keras's ``from_config``).

        Parameters
        ----------
        config : dict
            As :meth:`config` returns it.
        dtype : dtype, default float64
            Unused: dropout holds no arrays.

        Returns
        -------
        Dropout
            The new layer.

        Raises
        ------
        ValueError
            If the config lacks ``rate`` or holds an invalid rate or seed.
        """
        if "rate" not in config:
            raise ValueError("A Dropout config must give 'rate'.")
        seed = config.get("seed")
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, int) or seed < 0
        ):
            raise ValueError(
                "The 'seed' of a Dropout config must be a non-negative int or "
                f"null. Got {seed!r} instead."
            )
        return cls(config["rate"], seed=seed)

    @classmethod
    def array_shapes(cls, config, n_in):
        if n_in is None:
            raise ValueError("A Dropout layer cannot come first: it has no size.")
        return n_in, []

    def __repr__(self) -> str:
        return f"Dropout({self.rate!r})"


class _InPlace:
    """An array attribute whose assignment copies into the existing array.

    ``layer.gamma = values`` then changes the array the network trains (a
    view of its parameter buffer), in place, instead of replacing it with
    an array that the network no longer sees. The values are checked for
    shape and finiteness first.
    """

    def __set_name__(self, owner, name):
        self.name, self.slot = name, "_" + name

    def __get__(self, layer, owner=None):
        return self if layer is None else getattr(layer, self.slot, None)

    def __set__(self, layer, value):
        target = getattr(layer, self.slot, None)
        if target is None:
            raise AttributeError(
                f"{type(layer).__name__}.{self.name} does not exist before the "
                "layer knows its size (pass n_features, or add it to a Network)."
            )
        owner = type(layer).__name__
        target[...] = _check_finite_array(value, self.name, target.shape, owner)


class BatchNorm(Layer):
    """Batch normalization of each feature, a learnable scale and shift, ``phi``.

    ``x_hat = (X - mu) / sqrt(var + eps)``, ``Z = gamma * x_hat + beta``,
    ``A = phi(Z)`` (Ioffe & Szegedy, 2015; lecture 002: "normalize/scale data
    within each training batch"). In training ``mu`` and ``var`` are the
    batch's mean and biased variance per feature (the paper's Algorithm 1),
    and running averages are kept for inference (its Algorithm 2, which
    estimates the population variance with the unbiased ``m / (m - 1)``
    factor, for a batch of ``m`` samples)::

        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var  = momentum * running_var
                       + (1 - momentum) * var * m / (m - 1)

    At inference ``mu`` and ``var`` are those running averages.

    A batch of one sample has no variance to learn from (``x_hat`` would be
    0 and the output ``beta`` whatever the input), so a training pass on one
    sample raises ``ValueError``; :meth:`Network.fit` never makes such a
    batch for a network with batch normalization (a one-sample remainder
    joins the batch before it).

    Conventions elsewhere: PyTorch's ``BatchNorm1d(momentum=p)`` is
    ``momentum = 1 - p`` here (its default 0.1 is this 0.9) and also keeps
    the unbiased running variance, so the two agree exactly. Keras's
    ``BatchNormalization(momentum=0.99)`` uses this meaning of momentum but
    keeps the biased batch variance in its moving variance.

    Parameters
    ----------
    n_features : int, optional
        Number of features; a network sets it from the previous layer.
    momentum : float in [0, 1), default 0.9
        Weight of the old running statistics (PyTorch's ``momentum=0.1``).
    eps : float > 0, default 1e-5
        Added to the variance.
    activation : str or Activation, default "identity"
        ``phi``; so ``Dense(n, m)`` then ``BatchNorm(activation="relu")``
        normalizes before the nonlinearity as in the original paper.

    Raises
    ------
    ValueError
        If ``momentum`` is not in [0, 1), ``eps`` not positive, or
        ``n_features`` not positive (TypeError if ``n_features`` is not an
        int, or ``momentum`` or ``eps`` not a number).

    Attributes
    ----------
    gamma, beta : ndarray of shape (n_features,)
        Scale (starts at 1) and shift (starts at 0); ``dgamma``, ``dbeta``
        are their gradients.
    running_mean, running_var : ndarray of shape (n_features,)
        The running averages of the batch statistics, used at inference.
    X_hat, Z, A, delta : ndarrays of shape (n_samples, n_features)
        Kept from the last forward/backward pass; ``delta = dC/dZ``.
    inv_std : ndarray of shape (n_features,)
        ``1 / sqrt(var + eps)`` of the last forward pass.
    """

    trainable = True
    #: One sample has no batch variance to learn from.
    min_batch_size = 2
    gamma = _InPlace()
    beta = _InPlace()
    running_mean = _InPlace()
    running_var = _InPlace()

    def __init__(
        self,
        n_features: int | None = None,
        *,
        momentum: float = 0.9,
        eps: float = 1e-5,
        activation: str | Activation = "identity",
    ):
        self.momentum = check_number(
            momentum, "momentum", "BatchNorm", low=0, high=1, high_open=True
        )
        self.eps = check_number(eps, "eps", "BatchNorm", low=0, low_open=True)
        self.activation = get_activation(activation)
        self.X_hat = self.Z = self.A = self.delta = self.inv_std = None
        self._training = False
        if n_features is not None:
            self.build(_check_size(n_features, "n_features", "BatchNorm"))

    def build(self, n_in, rng=None):
        super().build(n_in, rng)
        if getattr(self, "_gamma", None) is None:
            self._gamma = np.ones(n_in)
            self._beta = np.zeros(n_in)
            self.dgamma = np.zeros(n_in)
            self.dbeta = np.zeros(n_in)
            self._running_mean = np.zeros(n_in)
            self._running_var = np.ones(n_in)

    def parameters(self):
        return [("gamma", self.gamma), ("beta", self.beta)] if self.n_in else []

    def gradients(self):
        return [self.dgamma, self.dbeta] if self.n_in else []

    def buffers(self):
        return [("running_mean", self.running_mean), ("running_var", self.running_var)]

    def _bind(self, params, grads):
        gamma, beta = params
        gamma[...] = self._gamma
        beta[...] = self._beta
        self._gamma, self._beta = gamma, beta
        self.dgamma, self.dbeta = grads
        self._running_mean = self._running_mean.astype(gamma.dtype)
        self._running_var = self._running_var.astype(gamma.dtype)

    def forward(self, X, *, training=False):
        """``A = phi(gamma * x_hat + beta)``, batch statistics in training."""
        if training:
            m = X.shape[0]
            if m < 2:
                raise ValueError(
                    "BatchNorm cannot learn from a training batch of 1 sample: its "
                    "variance is 0, so the layer would output beta whatever the "
                    "input and pull its running variance toward 0. Use "
                    "batch_size >= 2 (fit folds a one-sample remainder into the "
                    "batch before it), or call the network in inference mode."
                )
            mu = X.mean(axis=0)
            Xc = X - mu
            var = np.mean(Xc * Xc, axis=0)
            # Algorithm 2: the population variance is estimated unbiasedly
            self._update_running(mu, var * (m / (m - 1.0)))
        else:
            Xc = X - self.running_mean
            var = self.running_var
        self._training = training
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        Xc *= self.inv_std
        self.X_hat = Xc
        self.Z = self.X_hat * self.gamma + self.beta
        self.A = self.activation(self.Z)
        return self.A

    def backward(self, dA, *, need_dX=True):
        """From ``dC/dA`` to ``dC/dX``, filling ``dgamma`` and ``dbeta``."""
        # delta = dC/dZ = dC/dA * phi'(Z), as in Dense
        dZ = self.delta = self.activation.backward(dA, self.Z, self.A)
        # Z = gamma * x_hat + beta  =>  dC/dgamma = sum_i dZ_i x_hat_i,
        #                              dC/dbeta = sum_i dZ_i
        np.sum(dZ * self.X_hat, axis=0, out=self.dgamma)
        np.sum(dZ, axis=0, out=self.dbeta)
        if not need_dX:
            return None
        G = dZ * self.gamma  # dC/dx_hat
        if not self._training:
            # Running statistics are constants: x_hat = (x - mu) * inv_std.
            return G * self.inv_std
        # In training mu and var depend on every sample of the batch. With
        # x_hat_i = (x_i - mu) s, s = (var + eps)^(-1/2), the chain rule through
        # mu and var collapses to
        #   dC/dx_i = s / N * (N g_i - sum_j g_j - x_hat_i sum_j g_j x_hat_j).
        n = G.shape[0]
        sum_G = G.sum(axis=0)
        sum_G_xhat = np.sum(G * self.X_hat, axis=0)
        return (self.inv_std / n) * (n * G - sum_G - self.X_hat * sum_G_xhat)

    def _update_running(self, mu, var) -> None:
        # in place on the arrays themselves (assigning the attributes checks
        # user input; a diverging batch may make these non-finite, which the
        # training loop's divergence check reports)
        m, mean, variance = self.momentum, self._running_mean, self._running_var
        mean *= m
        mean += (1.0 - m) * mu
        variance *= m
        variance += (1.0 - m) * var

    def config(self) -> dict:
        return {
            "type": "BatchNorm",
            "n_features": self.n_in,
            "momentum": self.momentum,
            "eps": self.eps,
            "activation": self.activation.config(),
        }

    @classmethod
    def array_shapes(cls, config, n_in):
        if config.get("n_features") is None:
            if n_in is None:
                raise ValueError("A BatchNorm config must give 'n_features'.")
            n = n_in
        else:
            n = _config_size(config, "n_features", "BatchNorm", n_in)
        names = ("gamma", "beta", "running_mean", "running_var")
        return n, [(name, (n,)) for name in names]

    @classmethod
    def from_config(cls, config: dict, dtype=np.float64) -> BatchNorm:
        """A new layer with ``config``'s settings (as Keras's ``from_config``).

        Parameters
        ----------
        config : dict
            As :meth:`config` returns it.
        dtype : dtype, default float64
            Unused: the network sets the dtype of the arrays.

        Returns
        -------
        BatchNorm
            The new layer (built when the config gives ``n_features``).

        Raises
        ------
        ValueError
            If the config lacks a setting or holds an invalid one.
        """
        for key in ("momentum", "eps", "activation"):
            if key not in config:
                raise ValueError(f"A BatchNorm config must give '{key}'.")
        return cls(
            config.get("n_features"),
            momentum=config["momentum"],
            eps=config["eps"],
            activation=activation_from_config(config["activation"]),
        )

    def __repr__(self) -> str:
        act = self.activation.name
        extra = "" if act == "identity" else f", activation={act!r}"
        return f"BatchNorm({self.n_in}{extra})"


#: Registry of layer types by the ``"type"`` of their :meth:`Layer.config`.
LAYERS: dict[str, type[Layer]] = {
    "Dense": Dense,
    "Dropout": Dropout,
    "BatchNorm": BatchNorm,
}


def _layer_class(config) -> type[Layer]:
    kind = config.get("type") if isinstance(config, dict) else None
    if not isinstance(kind, str) or kind not in LAYERS:
        raise ValueError(
            f"Unknown layer type {kind!r}. Valid types: {', '.join(sorted(LAYERS))}."
        )
    return LAYERS[kind]


def layer_from_config(config: dict, dtype=np.float64, *, draw: bool = True) -> Layer:
    """Rebuild a layer from its :meth:`Layer.config`.

    ``draw=False`` leaves a Dense layer's weights at zero, to be set from a
    file, instead of drawing them. Raises ValueError or TypeError for an
    invalid config.
    """
    layer_class = _layer_class(config)
    if layer_class is Dense:
        return Dense.from_config(config, dtype=dtype, draw=draw)
    return layer_class.from_config(config, dtype=dtype)


def layer_array_shapes(config: dict, n_in: int | None) -> tuple[int, list]:
    """:meth:`Layer.array_shapes` of the layer type that ``config`` names."""
    return _layer_class(config).array_shapes(config, n_in)
