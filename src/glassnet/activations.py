"""Activation functions: value, derivative and, where the lectures use it, psi.

Every activation maps the pre-activation ``Z`` of a layer (shape
``(n_samples, n_units)``) to its activation ``A = phi(Z)`` of the same shape.
Backpropagation needs ``dC/dZ = dC/dA * phi'(Z)`` (lecture 001's base case and
induction step); for softmax, whose outputs depend on every input of the row,
it is a Jacobian-vector product instead (see :class:`Softmax`).

Lecture 002 writes the derivative in terms of the output,
``psi(phi(z)) = d phi(z) / d z``; for the logistic function that is
``psi(a) = a (1 - a)`` and for tanh ``psi(a) = 1 - a^2``. :class:`Sigmoid` and
:class:`Tanh` expose it as :meth:`psi`.
"""

from __future__ import annotations

import numpy as np

from glassnet import _accel
from glassnet._registry import from_config, resolve

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "Identity",
    "LeakyReLU",
    "ReLU",
    "Sigmoid",
    "Sign",
    "Softmax",
    "Step",
    "Tanh",
    "get_activation",
]


class Activation:
    """Base class: an elementwise function ``phi`` and its derivative.

    Subclasses implement :meth:`__call__` (the value) and :meth:`derivative`
    (``phi'(z)``). :meth:`backward` turns ``dC/dA`` into ``dC/dZ``.
    """

    name: str = "activation"
    #: Whether backpropagation can use this activation (step and sign cannot).
    differentiable: bool = True
    #: ``(low, high)`` limits of the output, used by saturation monitors.
    limits: tuple[float, float] = (-np.inf, np.inf)

    def __call__(self, Z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, Z: np.ndarray) -> np.ndarray:
        """``phi'(Z)``, elementwise, same shape as ``Z``."""
        raise NotImplementedError

    def backward(self, dA: np.ndarray, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
        """Chain rule through the activation: ``dC/dZ = dC/dA * phi'(Z)``.

        Parameters
        ----------
        dA : ndarray of shape (n_samples, n_units)
            Gradient of the cost with respect to the activations.
        Z, A : ndarray of shape (n_samples, n_units)
            The pre-activations and activations of the forward pass.
        """
        return dA * self.derivative(Z)

    def forward_into(self, Z: np.ndarray, out: np.ndarray) -> np.ndarray:
        """``phi(Z)`` written into ``out`` (same shape); returns the result.

        The training loop's allocation-free path; the result equals
        ``self(Z)``. Identity returns ``Z`` itself.
        """
        out[...] = self(Z)
        return out

    def bias_forward_into(self, Z: np.ndarray, b: np.ndarray, out: np.ndarray):
        """``Z += b``, then ``phi(Z)`` into ``out``: a training step's layer.

        Subclasses with a compiled kernel do both in one pass over ``Z``.
        """
        Z += b
        return self.forward_into(Z, out)

    def backward_into(self, dA, Z, A, scratch) -> np.ndarray:
        """:meth:`backward` computed in place: overwrites and returns ``dA``.

        ``scratch`` is a work array of the same shape. Used by the training
        loop on its own buffers; the result equals ``self.backward(dA, Z, A)``.
        """
        np.multiply(dA, self.derivative(Z), out=dA)
        return dA

    def config(self) -> dict:
        """A JSON-serialisable description (``{"name": ...}`` plus options)."""
        return {"name": self.name}

    def __repr__(self) -> str:
        options = {k: v for k, v in self.config().items() if k != "name"}
        args = ", ".join(f"{k}={v!r}" for k, v in options.items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Activation) and self.config() == other.config()

    def __hash__(self) -> int:
        return hash(self.name)


class Sigmoid(Activation):
    """Logistic function ``sigma(z) = 1 / (1 + exp(-z))``.

    Computed without overflow for large ``|z|``: with ``e = exp(-|z|)`` (never
    above 1), ``sigma(z) = 1 / (1 + e)`` for ``z >= 0`` and ``e / (1 + e)``
    for ``z < 0``. Derivative ``sigma(z) (1 - sigma(z))``; in lecture 002's
    notation ``psi(a) = a (1 - a)``.
    """

    name = "sigmoid"
    limits = (0.0, 1.0)

    def __call__(self, Z):
        Z = np.asarray(Z)
        e = np.exp(-np.abs(Z))
        return np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(
            np.result_type(Z, np.float32), copy=False
        )

    def derivative(self, Z):
        return self.psi(self(Z))

    def psi(self, A):
        """Derivative written in terms of the output: ``psi(a) = a (1 - a)``."""
        A = np.asarray(A)
        return A * (1.0 - A)

    def backward(self, dA, Z, A):
        # dC/dZ = dC/dA * psi(A): the forward pass already holds A = sigma(Z).
        return dA * A * (1.0 - A)

    def forward_into(self, Z, out):
        # 1 / (1 + e^-z) with -z capped where e^-z would overflow: e^cap is
        # the largest finite float, so the result is ~1/max there, not 1/inf.
        np.negative(Z, out=out)
        np.minimum(out, _EXP_LIMIT[out.dtype.itemsize], out=out)
        np.exp(out, out=out)
        out += 1.0
        return np.reciprocal(out, out=out)

    def bias_forward_into(self, Z, b, out):
        kernel = _accel.ACTIVE.get("bias_sigmoid")
        if kernel is None or Z.size > _accel.SCALAR_MATH_MAX:
            return super().bias_forward_into(Z, b, out)
        kernel(Z, b, out, out.dtype.type(_EXP_LIMIT[out.dtype.itemsize]))
        return out

    def backward_into(self, dA, Z, A, scratch):
        kernel = _accel.ACTIVE.get("sigmoid_backward")
        if kernel is not None:
            kernel(dA, A)
            return dA
        np.subtract(1.0, A, out=scratch)
        scratch *= A
        dA *= scratch
        return dA


#: log of the largest float32 / float64 (by item size): exp() stays finite below.
_EXP_LIMIT = {4: 88.72, 8: 709.78}


class Tanh(Activation):
    """Hyperbolic tangent; derivative ``1 - tanh(z)^2``, ``psi(a) = 1 - a^2``."""

    name = "tanh"
    limits = (-1.0, 1.0)

    def __call__(self, Z):
        return np.tanh(Z)

    def derivative(self, Z):
        return self.psi(np.tanh(Z))

    def psi(self, A):
        """Derivative written in terms of the output: ``psi(a) = 1 - a^2``."""
        A = np.asarray(A)
        return 1.0 - A * A

    def backward(self, dA, Z, A):
        return dA * (1.0 - A * A)

    def forward_into(self, Z, out):
        return np.tanh(Z, out=out)

    def backward_into(self, dA, Z, A, scratch):
        kernel = _accel.ACTIVE.get("tanh_backward")
        if kernel is not None:
            kernel(dA, A)
            return dA
        # psi(a) = 1 - a^2
        np.multiply(A, A, out=scratch)
        np.subtract(1.0, scratch, out=scratch)
        dA *= scratch
        return dA


class ReLU(Activation):
    """Rectified linear unit ``max(0, z)``; derivative 1 for ``z > 0``, else 0.

    At ``z = 0`` the derivative is taken as 0 (the usual subgradient choice).
    """

    name = "relu"
    limits = (0.0, np.inf)

    def __call__(self, Z):
        return np.maximum(Z, 0)

    def derivative(self, Z):
        Z = np.asarray(Z)
        return (Z > 0).astype(Z.dtype)

    def backward(self, dA, Z, A):
        return dA * (Z > 0)

    def forward_into(self, Z, out):
        return np.maximum(Z, 0, out=out)

    def bias_forward_into(self, Z, b, out):
        if out is Z:  # in place: the pre-activations are not kept
            kernel = _accel.ACTIVE.get("bias_relu_inplace")
            if kernel is None:
                return super().bias_forward_into(Z, b, out)
            kernel(Z, b)
            return Z
        kernel = _accel.ACTIVE.get("bias_relu")
        if kernel is None:
            return super().bias_forward_into(Z, b, out)
        kernel(Z, b, out)
        return out

    def backward_into(self, dA, Z, A, scratch):
        kernel = _accel.ACTIVE.get("relu_backward")
        if kernel is not None:
            kernel(dA, Z)
            return dA
        np.greater(Z, 0, out=scratch)  # 1.0 where z > 0, else 0.0
        dA *= scratch
        return dA


class LeakyReLU(Activation):
    """``z`` for ``z > 0`` and ``alpha z`` otherwise (default ``alpha = 0.01``)."""

    name = "leaky_relu"

    def __init__(self, alpha: float = 0.01):
        if not np.isfinite(alpha) or alpha < 0:
            raise ValueError(
                f"The 'alpha' parameter of LeakyReLU must be a float in [0, inf). "
                f"Got {alpha!r} instead."
            )
        self.alpha = float(alpha)

    def __call__(self, Z):
        Z = np.asarray(Z)
        return np.where(Z > 0, Z, self.alpha * Z).astype(Z.dtype, copy=False)

    def derivative(self, Z):
        Z = np.asarray(Z)
        return np.where(Z > 0, 1.0, self.alpha).astype(
            np.result_type(Z, np.float32), copy=False
        )

    def config(self):
        return {"name": self.name, "alpha": self.alpha}


class Identity(Activation):
    """Identity (linear) activation ``phi(z) = z``; derivative 1."""

    name = "identity"

    def __call__(self, Z):
        return np.asarray(Z)

    def derivative(self, Z):
        return np.ones_like(Z)

    def backward(self, dA, Z, A):
        return dA

    def forward_into(self, Z, out):
        return Z

    def backward_into(self, dA, Z, A, scratch):
        return dA


class Softmax(Activation):
    """Softmax over each row: ``a_i = exp(z_i) / sum_j exp(z_j)``.

    Computed as ``exp(z - max(z))`` normalised (log-sum-exp shift), which
    gives the same value and never overflows. The Jacobian is
    ``da_i/dz_j = a_i (delta_ij - a_j)``, so backpropagation uses the
    Jacobian-vector product ``dC/dz = a * (g - sum_j g_j a_j)`` with
    ``g = dC/da``, row by row.
    """

    name = "softmax"
    limits = (0.0, 1.0)

    def __call__(self, Z):
        Z = np.asarray(Z)
        E = np.exp(Z - Z.max(axis=-1, keepdims=True))
        E /= E.sum(axis=-1, keepdims=True)
        return E

    def derivative(self, Z):
        raise ValueError(
            "softmax has no elementwise derivative: its Jacobian couples every "
            "output of a row; use Softmax.backward (a Jacobian-vector product) "
            "or Softmax.jacobian."
        )

    def jacobian(self, z: np.ndarray) -> np.ndarray:
        """Jacobian ``diag(a) - a a^T`` of one row ``z`` of shape (n_units,)."""
        a = self(np.asarray(z, dtype=float))
        return np.diag(a) - np.outer(a, a)

    def backward(self, dA, Z, A):
        # dC/dz_j = sum_i dC/da_i * a_i (delta_ij - a_j) = a_j (g_j - <g, a>)
        return A * (dA - np.sum(dA * A, axis=-1, keepdims=True))

    def forward_into(self, Z, out):
        np.subtract(Z, Z.max(axis=-1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=-1, keepdims=True)
        return out

    def bias_forward_into(self, Z, b, out):
        kernel = _accel.ACTIVE.get("bias_softmax")
        if kernel is None:
            return super().bias_forward_into(Z, b, out)
        kernel(Z, b, out)
        return out

    def backward_into(self, dA, Z, A, scratch):
        np.multiply(dA, A, out=scratch)
        dA -= scratch.sum(axis=-1, keepdims=True)
        dA *= A
        return dA


class _Threshold(Activation):
    """Hard threshold for Rosenblatt's perceptron: no useful gradient."""

    differentiable = False

    def derivative(self, Z):
        raise ValueError(
            f"The '{self.name}' activation has derivative 0 wherever it is "
            "defined, so backpropagation cannot train through it; use it in "
            "Perceptron, or choose sigmoid, tanh, relu, leaky_relu or identity."
        )

    def backward(self, dA, Z, A):
        return self.derivative(Z)


class Step(_Threshold):
    """Heaviside step: 1 if ``z > 0`` else 0 (lecture 002's perceptron)."""

    name = "step"
    limits = (0.0, 1.0)

    def __call__(self, Z):
        Z = np.asarray(Z)
        return (Z > 0).astype(np.result_type(Z, np.float32))


class Sign(_Threshold):
    """Sign unit: 1 if ``z > 0`` else -1 (lecture 002's ``phi``)."""

    name = "sign"
    limits = (-1.0, 1.0)

    def __call__(self, Z):
        Z = np.asarray(Z)
        return np.where(Z > 0, 1.0, -1.0).astype(np.result_type(Z, np.float32))


#: Registry: name -> class. Aliases point at the same class.
ACTIVATIONS: dict[str, type[Activation]] = {
    "sigmoid": Sigmoid,
    "logistic": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "identity": Identity,
    "linear": Identity,
    "softmax": Softmax,
    "step": Step,
    "sign": Sign,
}


def get_activation(activation: str | Activation | None) -> Activation:
    """Resolve a name (or an :class:`Activation` instance) to an instance.

    ``None`` means identity. An unknown name raises ``ValueError`` listing the
    valid names.
    """
    if activation is None:
        return Identity()
    return resolve(activation, ACTIVATIONS, Activation, "activation", "activation")


def activation_from_config(config: dict) -> Activation:
    """Rebuild an activation from :meth:`Activation.config`."""
    return from_config(config, ACTIVATIONS, "activation")
