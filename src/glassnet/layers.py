"""Layers: the :class:`Layer` protocol and the fully connected :class:`Dense`.

A layer goes forward (keeping exactly what backward needs) and backward
(turning ``dC/dA`` of its output into ``dC/dX`` of its input and filling its
own parameter gradients). Shapes follow DESIGN.md: samples are rows, and a
Dense layer's ``W[k, j]`` is the weight from input ``j`` to neuron ``k`` --
lecture 001's ``w^l_kj``.
"""

from __future__ import annotations

import numpy as np

from glassnet.activations import Activation, activation_from_config, get_activation
from glassnet.initializers import (
    Initializer,
    default_initializer,
    get_initializer,
    initializer_from_config,
)
from glassnet.regularizers import Regularizer, get_regularizer

__all__ = ["Dense", "Layer"]


class Layer:
    """Protocol every layer follows.

    Attributes set by subclasses: ``n_in`` and ``n_out`` (ints, or ``None``
    until :meth:`build` for size-preserving layers), ``trainable``.
    """

    n_in: int | None = None
    n_out: int | None = None

    def build(self, n_in: int, rng: np.random.Generator | None = None) -> None:
        """Fix the input size (called by the network for size-preserving layers)."""
        if self.n_in is not None and self.n_in != n_in:
            raise ValueError(
                f"{self!r} expects {self.n_in} inputs but the previous layer "
                f"gives {n_in}."
            )
        self.n_in = n_in
        if self.n_out is None:
            self.n_out = n_in

    def forward(self, X: np.ndarray, *, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dA: np.ndarray, *, need_dX: bool = True) -> np.ndarray | None:
        raise NotImplementedError

    def parameters(self) -> list[tuple[str, np.ndarray]]:
        """``[(name, array), ...]`` of trainable parameters (may be empty)."""
        return []

    def gradients(self) -> list[np.ndarray]:
        """Gradient arrays in the order of :meth:`parameters`."""
        return []

    @property
    def n_params(self) -> int:
        return int(sum(p.size for _, p in self.parameters()))

    def _bind(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        """Move parameters and gradients into the given views (a flat buffer)."""
        if params:
            raise NotImplementedError

    def config(self) -> dict:
        raise NotImplementedError


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


def _check_size(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"The '{name}' parameter of Dense must be a positive int. "
            f"Got {value!r} instead."
        )
    if value < 1:
        raise ValueError(
            f"The '{name}' parameter of Dense must be a positive int. "
            f"Got {value!r} instead."
        )
    return int(value)


class Dense(Layer):
    """Fully connected layer ``A = phi(Z)``, ``Z = X W^T + b``.

    Parameters
    ----------
    n_in, n_out : int
        Number of inputs and of neurons.
    activation : str or Activation, default "identity"
        ``phi``; see :mod:`glassnet.activations`.
    init : str or Initializer, optional
        Weight initializer; default He for relu-family activations, Glorot
        otherwise. Biases start at zero.
    regularizer : str or Regularizer, optional
        Penalty on ``W`` (never on ``b``); see :mod:`glassnet.regularizers`.
        ``None`` uses the network's regularizer, if any.
    seed : int, optional
    rng : numpy.random.Generator, optional
        Randomness for the initializer. Without either, a network built from
        this layer initializes it from the network's own seed.
    dtype : dtype, default float64
        A network converts its layers to the network's dtype.

    Attributes
    ----------
    W : ndarray of shape (n_out, n_in)
    b : ndarray of shape (n_out,)
    dW, db : gradients of the last backward pass, same shapes as W and b.
    X, Z, A, delta : ndarrays kept from the last forward/backward pass:
        the input (n_samples, n_in), the pre-activation, the activation and
        ``delta = dC/dZ``, each of shape (n_samples, n_out).
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
        self.n_in = _check_size(n_in, "n_in")
        self.n_out = _check_size(n_out, "n_out")
        self.activation = get_activation(activation)
        self.init = (
            default_initializer(self.activation.name)
            if init is None
            else get_initializer(init)
        )
        self.regularizer = get_regularizer(regularizer)
        # Explicit randomness marks the layer as initialized for good; without
        # it the owning network re-initializes it from the network's seed.
        self._user_initialized = seed is not None or rng is not None
        if rng is None:
            rng = np.random.default_rng(seed)
        dtype = np.dtype(dtype)
        self._W = self.init(self.n_in, self.n_out, rng, dtype)
        self._b = np.zeros(self.n_out, dtype=dtype)
        self.dW = np.zeros_like(self._W)
        self.db = np.zeros_like(self._b)
        self.X = self.Z = self.A = self.delta = None

    # -- parameters ---------------------------------------------------------
    @property
    def W(self) -> np.ndarray:
        return self._W

    @W.setter
    def W(self, value) -> None:
        value = _check_finite_array(value, "W", self._W.shape, "Dense")
        self._W[...] = value
        self._user_initialized = True

    @property
    def b(self) -> np.ndarray:
        return self._b

    @b.setter
    def b(self, value) -> None:
        value = _check_finite_array(value, "b", self._b.shape, "Dense")
        self._b[...] = value

    def reinitialize(self, rng: np.random.Generator) -> None:
        """Draw fresh weights from ``rng`` (biases to zero), in place."""
        self._W[...] = self.init(self.n_in, self.n_out, rng, self._W.dtype)
        self._b[...] = 0

    def parameters(self):
        return [("W", self._W), ("b", self._b)]

    def gradients(self):
        return [self.dW, self.db]

    def _bind(self, params, grads):
        W, b = params
        W[...] = self._W
        b[...] = self._b
        self._W, self._b = W, b
        self.dW, self.db = grads

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
        """Build a layer from a transfer matrix of shape (n_in + 1, n_out).

        The conversion is exact: ``b = T[0]`` and ``W = T[1:].T``.
        """
        T = np.asarray(T)
        if T.ndim != 2 or T.shape[0] < 2:
            raise ValueError(
                "A transfer matrix must be 2-D of shape (n_in + 1, n_out) with "
                f"the biases in row 0. Got shape {T.shape} instead."
            )
        dtype = T.dtype if T.dtype.kind == "f" else np.float64
        kwargs.setdefault("dtype", dtype)
        layer = cls(T.shape[0] - 1, T.shape[1], activation, seed=0, **kwargs)
        layer.W = T[1:].T
        layer.b = T[0]
        return layer

    # -- forward and backward -------------------------------------------------
    def forward(self, X, *, training=False):
        """``Z = X W^T + b``, ``A = phi(Z)``; X of shape (n_samples, n_in)."""
        self.X = X
        self.Z = X @ self._W.T + self._b
        self.A = self.activation(self.Z)
        return self.A

    def backward(self, dA, *, need_dX=True):
        """From ``dC/dA`` (n_samples, n_out) to ``dC/dX`` (n_samples, n_in)."""
        # delta = dC/dZ = dC/dA * phi'(Z)   (lecture 001, induction step)
        return self.backward_delta(
            self.activation.backward(dA, self.Z, self.A), need_dX=need_dX
        )

    def backward_delta(self, delta, *, need_dX=True):
        """Backward from ``delta = dC/dZ`` directly (the output layer's fused path)."""
        self.delta = delta
        # dC/dw_kj = sum over samples of delta_k a_j   (lecture 001)
        np.matmul(delta.T, self.X, out=self.dW)
        # dC/db_k = sum over samples of delta_k
        np.sum(delta, axis=0, out=self.db)
        if not need_dX:
            return None
        # dC/da_j of the previous layer = sum_k w_kj delta_k
        return delta @ self._W

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
    def from_config(cls, config: dict, dtype=np.float64) -> Dense:
        return cls(
            config["n_in"],
            config["n_out"],
            activation_from_config(config["activation"]),
            init=initializer_from_config(config["init"]),
            regularizer=get_regularizer(config.get("regularizer")),
            seed=0,
            dtype=dtype,
        )

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out}, activation={self.activation.name!r})"

