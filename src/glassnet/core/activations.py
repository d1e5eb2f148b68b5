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

from glassnet.core._registry import from_config, resolve
from glassnet.core.backends import NUMPY

__all__ = [
    "get",
    "ACTIVATIONS",
    "Activation",
    "Exp",
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
    (``phi'(z)``). :meth:`backward` turns ``dC/dA`` into ``dC/dZ``; the
    built-in activations compute it through the named operations of a
    backend (:mod:`glassnet.core.backends`), the NumPy one unless a layer's
    workspace passes another.
    """

    name: str = "activation"
    #: Whether backpropagation can use this activation (step and sign cannot).
    differentiable: bool = True
    #: ``(low, high)`` limits of the output, used by saturation monitors.
    limits: tuple[float, float] = (-np.inf, np.inf)

    def __call__(self, Z: np.ndarray) -> np.ndarray:
        """The activation ``A = phi(Z)``, elementwise (row-wise for softmax).

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_units)
            Pre-activations (any shape for the elementwise activations).

        Returns
        -------
        A : ndarray of shape (n_samples, n_units)
            A new array of the shape of ``Z``, float32 or wider.
        """
        raise NotImplementedError

    def derivative(self, Z: np.ndarray) -> np.ndarray:
        """The derivative ``phi'(Z)``, elementwise.

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_units)
            Pre-activations.

        Returns
        -------
        dA_dZ : ndarray of shape (n_samples, n_units)
            ``phi'(z)`` for every entry of ``Z``.
        """
        raise NotImplementedError

    def backward(self, dA: np.ndarray, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
        """Chain rule through the activation: ``dC/dZ = dC/dA * phi'(Z)``.

        Parameters
        ----------
        dA : ndarray of shape (n_samples, n_units)
            Gradient of the cost with respect to the activations.
        Z, A : ndarray of shape (n_samples, n_units)
            The pre-activations and activations of the forward pass.

        Returns
        -------
        dZ : ndarray of shape (n_samples, n_units)
            A new array, ``dC/dZ``: :meth:`backward_into` on a copy of ``dA``,
            with the NumPy backend.

        Examples
        --------
        >>> import numpy as np
        >>> from glassnet import Sigmoid
        >>> Z = np.array([[0.0]])
        >>> Sigmoid().backward(np.array([[1.0]]), Z, Sigmoid()(Z))
        array([[0.25]])
        """
        dtype = np.result_type(dA, np.float32, *([] if A is None else [A]))
        dZ = np.array(dA, dtype=dtype, copy=True)
        return self.backward_into(dZ, Z, A, np.empty_like(dZ))

    def forward_into(self, Z: np.ndarray, out: np.ndarray) -> np.ndarray:
        """``phi(Z)`` written into ``out``: the allocation-free forward.

        The training loop's path; the result equals ``self(Z)``.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_units)
            Pre-activations.
        out : ndarray of shape (n_samples, n_units)
            Where the activations are written (may be ``Z`` itself).

        Returns
        -------
        A : ndarray of shape (n_samples, n_units)
            ``out`` (Identity returns ``Z`` itself, writing nothing).
        """
        out[...] = self(Z)
        return out

    def bias_forward_into(self, Z, b, out, backend=NUMPY) -> np.ndarray:
        """``Z += b``, then ``phi(Z)`` into ``out``: a training step's layer.

        Subclasses with a fused operation hand both steps to ``backend``.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_units)
            The products ``X W^T``, overwritten by the pre-activations.
        b : ndarray of shape (n_units,)
            The layer's biases.
        out : ndarray of shape (n_samples, n_units)
            Where the activations are written.
        backend : NumpyBackend, default NUMPY
            The backend whose named operations compute the step.

        Returns
        -------
        A : ndarray of shape (n_samples, n_units)
            The activations (``out``, or ``Z`` for Identity).
        """
        Z += b
        return self.forward_into(Z, out)

    def backward_into(self, dA, Z, A, scratch, backend=NUMPY) -> np.ndarray:
        """:meth:`backward` computed in place: overwrites and returns ``dA``.

        Used by the training loop on its own buffers with its workspace's
        ``backend``.

        Parameters
        ----------
        dA : ndarray of shape (n_samples, n_units)
            ``dC/dA``, overwritten by ``dC/dZ``.
        Z, A : ndarray of shape (n_samples, n_units)
            The pre-activations and activations of the forward pass.
        scratch : ndarray of shape (n_samples, n_units)
            A work array.
        backend : NumpyBackend, default NUMPY
            The backend whose named operations compute the step.

        Returns
        -------
        dZ : ndarray of shape (n_samples, n_units)
            ``dA``, now holding ``dC/dZ``.
        """
        np.multiply(dA, self.derivative(Z), out=dA)
        return dA

    def config(self) -> dict:
        """A JSON-serialisable description, the inverse of ``get``.

        Returns
        -------
        dict
            ``{"name": ...}`` plus the activation's options.
        """
        return {"name": self.name}

    def __repr__(self) -> str:
        options = {k: v for k, v in self.config().items() if k != "name"}
        args = ", ".join(f"{k}={v!r}" for k, v in options.items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Activation) and self.config() == other.config()

    def __hash__(self) -> int:
        return hash(self.name)


def _like(X: np.ndarray) -> np.ndarray:
    """An uninitialized float array of the shape of ``X`` (float32 at least)."""
    return np.empty(X.shape, dtype=np.result_type(X, np.float32))


class Sigmoid(Activation):
    """Logistic function ``sigma(z) = 1 / (1 + exp(-z))``.

    Computed without overflow for large ``|z|``: with ``e = exp(-|z|)`` (never
    above 1), ``sigma(z) = 1 / (1 + e)`` for ``z >= 0`` and ``e / (1 + e)``
    for ``z < 0``. (The training loop's in-place form caps ``-z`` where
    ``exp`` overflows instead: see ``NumpyBackend.sigmoid``.) Derivative
    ``sigma(z) (1 - sigma(z))``; in lecture 002's notation
    ``psi(a) = a (1 - a)``, the one definition behind :meth:`derivative`
    and :meth:`backward`.

    Examples
    --------
    >>> import numpy as np
    >>> from glassnet import Sigmoid
    >>> sigmoid = Sigmoid()
    >>> A = sigmoid(np.array([[0.0, np.log(3.0)]]))
    >>> A.round(4)
    array([[0.5 , 0.75]])
    >>> sigmoid.psi(A).round(4)
    array([[0.25  , 0.1875]])
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
        """Derivative written in terms of the output: ``psi(a) = a (1 - a)``.

        Lecture 002's ``psi``, with ``phi'(z) = psi(phi(z))``.

        Parameters
        ----------
        A : array-like of shape (n_samples, n_units)
            Activations ``phi(Z)`` (any shape).

        Returns
        -------
        psi : ndarray of shape (n_samples, n_units)
            A new array of the shape of ``A``.
        """
        A = np.asarray(A)
        return NUMPY.sigmoid_psi(A, _like(A))

    def forward_into(self, Z, out):
        return NUMPY.sigmoid(Z, out)

    def bias_forward_into(self, Z, b, out, backend=NUMPY):
        return backend.bias_sigmoid(Z, b, out)

    def backward_into(self, dA, Z, A, scratch, backend=NUMPY):
        # dC/dZ = dC/dA * psi(A): the forward pass already holds A = sigma(Z)
        return backend.sigmoid_backward(dA, A, scratch)


class Tanh(Activation):
    """Hyperbolic tangent; derivative ``1 - tanh(z)^2``, ``psi(a) = 1 - a^2``.

    ``psi`` (lecture 002) is the one definition behind :meth:`derivative`
    and :meth:`backward`.
    """

    name = "tanh"
    limits = (-1.0, 1.0)

    def __call__(self, Z):
        return np.tanh(Z)

    def derivative(self, Z):
        return self.psi(self(Z))

    def psi(self, A):
        """Derivative written in terms of the output: ``psi(a) = 1 - a^2``.

        Lecture 002's ``psi``, with ``phi'(z) = psi(phi(z))``.

        Parameters
        ----------
        A : array-like of shape (n_samples, n_units)
            Activations ``phi(Z)`` (any shape).

        Returns
        -------
        psi : ndarray of shape (n_samples, n_units)
            A new array of the shape of ``A``.
        """
        A = np.asarray(A)
        return NUMPY.tanh_psi(A, _like(A))

    def forward_into(self, Z, out):
        return np.tanh(Z, out=out)

    def backward_into(self, dA, Z, A, scratch, backend=NUMPY):
        # dC/dZ = dC/dA * psi(A), A = tanh(Z)
        return backend.tanh_backward(dA, A, scratch)


class ReLU(Activation):
    """Rectified linear unit ``max(0, z)``; derivative 1 for ``z > 0``, else 0.

    At ``z = 0`` the derivative is taken as 0 (the usual subgradient choice).

    Examples
    --------
    >>> import numpy as np
    >>> from glassnet import ReLU
    >>> ReLU()(np.array([[-2.0, 0.0, 3.0]]))
    array([[0., 0., 3.]])
    >>> ReLU().derivative(np.array([[-2.0, 0.0, 3.0]]))
    array([[0., 0., 1.]])
    """

    name = "relu"
    limits = (0.0, np.inf)

    def __call__(self, Z):
        Z = np.asarray(Z)
        return NUMPY.relu(Z, np.empty_like(Z))

    def derivative(self, Z):
        Z = np.asarray(Z)
        return NUMPY.relu_derivative(Z, _like(Z))

    def forward_into(self, Z, out):
        return NUMPY.relu(Z, out)

    def bias_forward_into(self, Z, b, out, backend=NUMPY):
        # (out may be Z itself: inference keeps no pre-activations)
        return backend.bias_relu(Z, b, out)

    def backward_into(self, dA, Z, A, scratch, backend=NUMPY):
        # dC/dZ = dC/dA * relu'(Z)
        return backend.relu_backward(dA, Z, scratch)


class LeakyReLU(Activation):
    """``z`` for ``z > 0`` and ``alpha z`` otherwise (default ``alpha = 0.01``).

    Derivative 1 for ``z > 0``, else ``alpha`` (``alpha`` at ``z = 0``).

    Parameters
    ----------
    alpha : float, default 0.01
        The slope for ``z <= 0``, in ``[0, inf)``.

    Raises
    ------
    ValueError
        If ``alpha`` is negative or not finite.
    """

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
        return NUMPY.leaky_relu_derivative(Z, self.alpha, _like(Z))

    def backward_into(self, dA, Z, A, scratch, backend=NUMPY):
        # dC/dZ = dC/dA * leaky_relu'(Z)
        return backend.leaky_relu_backward(dA, Z, self.alpha, scratch)

    def config(self):
        return {"name": self.name, "alpha": self.alpha}


class Identity(Activation):
    """Identity (linear) activation ``phi(z) = z``; derivative 1."""

    name = "identity"

    def __call__(self, Z):
        return np.asarray(Z)

    def derivative(self, Z):
        return np.ones_like(Z)

    def forward_into(self, Z, out):
        return Z

    def backward_into(self, dA, Z, A, scratch, backend=NUMPY):
        return dA  # dC/dZ = dC/dA * 1


class Exp(Activation):
    """Exponential output ``phi(z) = e^z``: a positive mean, e.g. of counts.

    The inverse of the log link of a Poisson GLM (McCullagh and Nelder,
    *Generalized Linear Models*, 2nd ed., section 6.2), and scikit-learn's
    output for ``MLPRegressor(loss="poisson")``. Its derivative is itself,
    ``phi'(z) = e^z``, so in lecture 002's notation ``psi(a) = a``.
    ``e^z`` overflows to infinity above ``z ~ 709`` (float64) or ``~ 88``
    (float32); the Poisson loss reads ``z`` itself and stays finite.
    """

    name = "exp"
    limits = (0.0, np.inf)

    def __call__(self, Z):
        Z = np.asarray(Z)
        return np.exp(Z, out=_like(Z))

    def derivative(self, Z):
        return self.psi(self(Z))

    def psi(self, A):
        """Derivative written in terms of the output: ``psi(a) = a``.

        Lecture 002's ``psi``, with ``phi'(z) = psi(phi(z))``.

        Parameters
        ----------
        A : array-like of shape (n_samples, n_units)
            Activations ``phi(Z)`` (any shape).

        Returns
        -------
        psi : ndarray of shape (n_samples, n_units)
            A new array of the shape of ``A``.
        """
        return np.array(A, dtype=np.result_type(A, np.float32), copy=True)

    def forward_into(self, Z, out):
        return np.exp(Z, out=out)

    def backward_into(self, dA, Z, A, scratch, backend=NUMPY):
        # dC/dZ = dC/dA * psi(A), A = e^Z
        np.multiply(dA, A, out=dA)
        return dA


class Softmax(Activation):
    """Softmax over each row: ``a_i = exp(z_i) / sum_j exp(z_j)``.

    Computed as ``exp(z - max(z))`` normalised (log-sum-exp shift), which
    gives the same value and never overflows. The Jacobian is
    ``da_i/dz_j = a_i (delta_ij - a_j)``, so backpropagation uses the
    Jacobian-vector product ``dC/dz = a * (g - sum_j g_j a_j)`` with
    ``g = dC/da``, row by row (``NumpyBackend.softmax_backward``, also
    behind :meth:`jacobian`).
    """

    name = "softmax"
    limits = (0.0, 1.0)

    def __call__(self, Z):
        Z = np.asarray(Z)
        return NUMPY.softmax(Z, _like(Z))

    def derivative(self, Z):
        """Not defined elementwise: use :meth:`backward` or :meth:`jacobian`.

        Raises
        ------
        ValueError
            Always: softmax's Jacobian couples every output of a row.
        """
        raise ValueError(
            "softmax has no elementwise derivative: its Jacobian couples every "
            "output of a row; use Softmax.backward (a Jacobian-vector product) "
            "or Softmax.jacobian."
        )

    def jacobian(self, z: np.ndarray) -> np.ndarray:
        """Jacobian ``diag(a) - a a^T`` of softmax at one row ``z``.

        Parameters
        ----------
        z : array-like of shape (n_units,)
            One row of pre-activations.

        Returns
        -------
        J : ndarray of shape (n_units, n_units)
            ``J[i, j] = da_i/dz_j = a_i (delta_ij - a_j)``; row ``i`` is the
            backward step of the unit vector ``e_i`` (``J`` is symmetric).

        Examples
        --------
        >>> import numpy as np
        >>> from glassnet import Softmax
        >>> Softmax().jacobian(np.zeros(2))
        array([[ 0.25, -0.25],
               [-0.25,  0.25]])
        """
        a = self(np.asarray(z, dtype=float))
        n = a.shape[-1]
        return self.backward(np.eye(n), None, np.broadcast_to(a, (n, n)))

    def forward_into(self, Z, out):
        return NUMPY.softmax(Z, out)

    def bias_forward_into(self, Z, b, out, backend=NUMPY):
        return backend.bias_softmax(Z, b, out)

    def backward_into(self, dA, Z, A, scratch, backend=NUMPY):
        # dC/dz_j = sum_i dC/da_i * a_i (delta_ij - a_j) = a_j (g_j - <g, a>)
        return backend.softmax_backward(dA, A, scratch)


class _Threshold(Activation):
    """Hard threshold for Rosenblatt's perceptron: no useful gradient."""

    differentiable = False

    def derivative(self, Z):
        """Not useful: the derivative is 0 wherever it is defined.

        Raises
        ------
        ValueError
            Always: backpropagation cannot train through a threshold.
        """
        raise ValueError(
            f"The '{self.name}' activation has derivative 0 wherever it is "
            "defined, so backpropagation cannot train through it; use it in "
            "Perceptron, or choose sigmoid, tanh, relu, leaky_relu or identity."
        )


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
    "exp": Exp,
    "exponential": Exp,
    "step": Step,
    "sign": Sign,
}


def get_activation(activation: str | Activation | None) -> Activation:
    """Resolve a name (or an :class:`Activation` instance) to an instance.

    Parameters
    ----------
    activation : str, Activation or None
        A name of :data:`ACTIVATIONS` (case, spaces and ``-`` versus ``_``
        do not matter), an instance (returned as is), or ``None`` (identity).

    Returns
    -------
    Activation
        A new instance for a name.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.
    TypeError
        For anything that is neither a str nor an Activation.

    Examples
    --------
    >>> import glassnet as gn
    >>> gn.activations.get("ReLU")
    ReLU()
    >>> gn.activations.get("leaky-relu")
    LeakyReLU(alpha=0.01)
    """
    if activation is None:
        return Identity()
    return resolve(activation, ACTIVATIONS, Activation, "activation", "activation")


def activation_from_config(config: dict) -> Activation:
    """Rebuild an activation from :meth:`Activation.config`."""
    return from_config(config, ACTIVATIONS, "activation")


#: The resolver under the name Keras gives it: ``activations.get(name_or_object)``.
get = get_activation
