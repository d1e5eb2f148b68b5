"""Loss functions: value, gradient dC/dA, and the output delta dC/dZ.

Conventions (lecture 001: "total cost is the average of individual input
costs"): every loss is a mean over the ``n`` samples of the batch, so its
gradients already carry the ``1/n``. ``A`` is the network output of shape
``(n, k)`` and ``Y`` the prepared target of the same shape (see
:meth:`Loss.prepare_targets`: class labels become one-hot rows).

The output delta ``delta^L = dC/dZ^L`` is computed one of two ways:

* the canonical pairs -- sigmoid + binary cross-entropy, softmax +
  cross-entropy, identity + squared error -- use the fused form
  ``delta^L = c (A - Y)`` with the loss's constant ``c``: the factors
  ``1 / (a (1 - a))`` of the loss derivative and ``a (1 - a)`` of the sigmoid
  cancel (lecture 002, "Put together"), likewise for softmax (lecture 003:
  ``dZ = A - Y``); the loss value itself is then computed from ``Z`` with
  log-sum-exp so it stays finite when ``A`` rounds to 0 or 1;
* every other pair uses the general chain rule
  ``delta^L = dC/dA * phi'(Z)`` (a Jacobian-vector product for softmax).

Sample weights: ``value``, ``gradient`` and ``delta`` take optional
``weights`` of shape ``(n,)``. The cost becomes ``1/n sum_i w_i C_i`` with
``C_i`` the cost of sample ``i`` (:meth:`Loss.sample_costs`), and row ``i``
of the gradient and of the delta is scaled by ``w_i``. Weights are expected
to average 1 over the data set (``fit`` normalises them so), so that equal
weights give exactly the unweighted mean and the learning rate keeps its
meaning.
"""

from __future__ import annotations

import numpy as np

from glassnet._registry import from_config, resolve
from glassnet.activations import Activation

__all__ = [
    "LOSSES",
    "BinaryCrossEntropy",
    "CrossEntropy",
    "Huber",
    "Loss",
    "MAE",
    "MSE",
    "SSE",
    "get_loss",
]


class Loss:
    """Base class.

    Subclasses implement :meth:`sample_costs` (the cost of each sample) and
    :meth:`_gradient` (``dC/dA`` of the unweighted mean); the base class
    averages and applies sample weights.
    """

    name: str = "loss"
    #: Name of the output activation that makes the fused delta exact.
    canonical_activation: str | None = None
    #: "classification" or "regression": what targets the loss expects.
    task: str = "regression"
    #: Whether :meth:`sample_costs` given ``Z`` (canonical output) needs no ``A``.
    value_from_z: bool = False

    def sample_costs(
        self, A: np.ndarray, Y: np.ndarray, Z: np.ndarray | None = None
    ) -> np.ndarray:
        """Cost of each sample, shape (n_samples,); their mean is :meth:`value`.

        Parameters
        ----------
        A : ndarray of shape (n_samples, n_outputs)
            Output activations.
        Y : ndarray of shape (n_samples, n_outputs)
            Prepared targets.
        Z : ndarray of shape (n_samples, n_outputs), optional
            Output pre-activations; canonical pairs use them for stability.
        """
        raise NotImplementedError

    def value(self, A, Y, Z=None, weights: np.ndarray | None = None) -> float:
        """Mean cost over the batch (a float).

        ``A``, ``Y`` and ``Z`` as in :meth:`sample_costs`; ``weights`` of shape
        (n_samples,) gives ``1/n sum_i w_i C_i``.
        """
        costs = self.sample_costs(A, Y, Z)
        if weights is None:
            return float(np.mean(costs))
        return float(np.dot(weights, costs) / costs.shape[0])

    def _gradient(self, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """``dC/dA`` of the unweighted mean cost; subclasses implement it."""
        raise NotImplementedError

    def gradient(self, A, Y, weights: np.ndarray | None = None) -> np.ndarray:
        """``dC/dA`` of shape (n_samples, n_outputs), including the ``1/n``.

        With ``weights`` (n_samples,), row ``i`` is scaled by ``w_i``: the
        derivative of ``1/n sum_i w_i C_i``.
        """
        G = self._gradient(A, Y)
        return G if weights is None else _scale_rows(G, weights)

    def fused_delta_factor(self, A: np.ndarray) -> float:
        """Constant ``c`` in the fused output delta ``c (A - Y)``."""
        return 1.0 / A.shape[0]

    def is_canonical(self, activation: Activation) -> bool:
        """Whether ``activation`` pairs with this loss for the fused delta."""
        return activation.name == self.canonical_activation

    def output_delta(
        self,
        Z,
        A,
        Y,
        activation: Activation,
        weights: np.ndarray | None = None,
        *,
        out: np.ndarray | None = None,
    ) -> np.ndarray:
        """Output delta ``dC/dZ`` of shape (n_samples, n_outputs).

        ``weights`` (n_samples,) scales row ``i`` by ``w_i``: sample ``i``'s
        delta only depends on its own row, so weighting its cost weights its
        delta. ``out`` receives the fused delta without a new array.
        """
        if self.is_canonical(activation):
            # Fused: the derivative of the loss and of the activation cancel.
            delta = np.subtract(A, Y, out=out)
            delta *= self.fused_delta_factor(A)
        else:
            delta = activation.backward(self._gradient(A, Y), Z, A)
        return delta if weights is None else _scale_rows(delta, weights)

    def prepare_targets(self, y, n_outputs: int, dtype=np.float64) -> np.ndarray:
        """Validate targets and shape them like the output ``(n, n_outputs)``."""
        y = np.asarray(y)
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        if y.ndim != 2 or y.shape[1] != n_outputs:
            raise ValueError(
                f"The targets for loss '{self.name}' must have shape "
                f"(n_samples,) or (n_samples, {n_outputs}) to match the "
                f"{n_outputs} output unit(s). Got shape {y.shape} instead."
            )
        y = _as_float(y, self.name, dtype)
        return y

    def config(self) -> dict:
        return {"name": self.name}

    def __repr__(self) -> str:
        options = {k: v for k, v in self.config().items() if k != "name"}
        args = ", ".join(f"{k}={v!r}" for k, v in options.items())
        return f"{type(self).__name__}({args})"


def _scale_rows(G: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``G`` (n, k) with row ``i`` multiplied by ``weights[i]``, in place."""
    G *= weights[:, None]
    return G


def _as_float(y: np.ndarray, loss_name: str, dtype) -> np.ndarray:
    if y.dtype.kind not in "biuf":
        raise ValueError(
            f"The targets for loss '{loss_name}' must be numeric. Got an array "
            f"of dtype {y.dtype} instead."
        )
    y = y.astype(dtype, copy=False)
    if not np.all(np.isfinite(y)):
        raise ValueError(
            f"The targets for loss '{loss_name}' must be finite. Got NaN or infinity."
        )
    return y


class MSE(Loss):
    """Mean squared error ``C = 1/(n k) sum_i sum_j (a_ij - y_ij)^2``.

    The mean runs over samples and outputs, as in Keras and PyTorch
    (lecture 002: ``1/N sum_i (y_hat_i - y_i)^2``). ``dC/dA = 2 (A - Y) / (n k)``;
    with an identity output the fused delta is that same ``2 (A - Y) / (n k)``.
    """

    name = "mse"
    canonical_activation = "identity"

    def sample_costs(self, A, Y, Z=None):
        D = A - Y
        return np.mean(D * D, axis=1)

    def _gradient(self, A, Y):
        return (A - Y) * (2.0 / A.size)

    def fused_delta_factor(self, A):
        return 2.0 / A.size


class SSE(Loss):
    """Sum of squared errors per sample, averaged over the batch.

    ``C = 1/n sum_i sum_j (a_ij - y_ij)^2``: the per-sample cost
    ``sum_j (y_j - a_j)^2`` that lectures 001, 003 and 004 write, averaged
    over the batch (lecture 001's second assumption). ``dC/dA = 2 (A - Y)/n``.
    """

    name = "sse"
    canonical_activation = "identity"

    def sample_costs(self, A, Y, Z=None):
        D = A - Y
        return np.sum(D * D, axis=1)

    def _gradient(self, A, Y):
        return (A - Y) * (2.0 / A.shape[0])

    def fused_delta_factor(self, A):
        return 2.0 / A.shape[0]


class MAE(Loss):
    """Mean absolute error ``C = 1/(n k) sum |a_ij - y_ij|``.

    ``dC/dA = sign(A - Y) / (n k)`` (0 where ``A = Y``, a subgradient).
    """

    name = "mae"

    def sample_costs(self, A, Y, Z=None):
        return np.mean(np.abs(A - Y), axis=1)

    def _gradient(self, A, Y):
        return np.sign(A - Y) * (1.0 / A.size)


class Huber(Loss):
    """Huber loss, quadratic near zero and linear beyond ``delta``.

    Per element with ``r = a - y``: ``r^2 / 2`` if ``|r| <= delta``, else
    ``delta (|r| - delta / 2)``; averaged over samples and outputs.
    ``dC/dA = clip(r, -delta, delta) / (n k)``.

    The threshold is stored as ``threshold`` (``delta`` is the method every
    loss has for the output delta).
    """

    name = "huber"

    def __init__(self, delta: float = 1.0):
        if not np.isfinite(delta) or delta <= 0:
            raise ValueError(
                "The 'delta' parameter of Huber must be a float in (0, inf). "
                f"Got {delta!r} instead."
            )
        self.threshold = float(delta)

    def sample_costs(self, A, Y, Z=None):
        d = self.threshold
        R = np.abs(A - Y)
        quadratic = 0.5 * R * R
        linear = d * (R - 0.5 * d)
        return np.mean(np.where(R <= d, quadratic, linear), axis=1)

    def _gradient(self, A, Y):
        return np.clip(A - Y, -self.threshold, self.threshold) * (1.0 / A.size)

    def config(self):
        return {"name": self.name, "delta": self.threshold}


class BinaryCrossEntropy(Loss):
    """Binary cross-entropy, lecture 002's neg-log-loss, averaged.

    ``C = -1/(n k) sum [y log a + (1 - y) log(1 - a)]`` with targets in
    [0, 1] (one sigmoid unit per label). ``dC/dA = (a - y) / (a (1 - a)) / (n k)``
    (lecture 002). With a sigmoid output the fused delta is ``(A - Y)/(n k)``,
    and the value is computed from ``z`` as
    ``max(z, 0) - z y + log(1 + exp(-|z|))``, which equals the formula above
    and never takes the log of 0.
    """

    name = "binary_cross_entropy"
    canonical_activation = "sigmoid"
    task = "classification"
    value_from_z = True

    def sample_costs(self, A, Y, Z=None):
        if Z is not None:
            per_element = np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z)))
            return np.mean(per_element, axis=1)
        P = _clip_probabilities(A)
        return -np.mean(Y * np.log(P) + (1 - Y) * np.log1p(-P), axis=1)

    def _gradient(self, A, Y):
        P = _clip_probabilities(A)
        return (P - Y) / (P * (1 - P)) * (1.0 / A.size)

    def fused_delta_factor(self, A):
        return 1.0 / A.size

    def prepare_targets(self, y, n_outputs, dtype=np.float64):
        Y = super().prepare_targets(y, n_outputs, dtype)
        if np.any((Y < 0) | (Y > 1)):
            bad = Y[(Y < 0) | (Y > 1)].ravel()[0]
            raise ValueError(
                "The targets for loss 'binary_cross_entropy' must be 0/1 labels "
                f"(or probabilities in [0, 1]). Got the value {float(bad):g}."
            )
        return Y


class CrossEntropy(Loss):
    """Categorical cross-entropy ``C = -1/n sum_i sum_j y_ij log a_ij``.

    Targets are integer class labels in ``[0, k)`` or one-hot rows (lecture
    003). ``dC/dA = -Y / A / n``; with a softmax output the fused delta is
    ``(A - Y) / n`` (lecture 003's ``dZ = A - Y``) and the value is computed
    from ``z`` by log-sum-exp: ``-sum_j y_j (z_j - logsumexp(z))``.
    """

    name = "cross_entropy"
    canonical_activation = "softmax"
    task = "classification"
    value_from_z = True

    def sample_costs(self, A, Y, Z=None):
        if Z is not None:
            zmax = Z.max(axis=1, keepdims=True)
            lse = zmax + np.log(np.sum(np.exp(Z - zmax), axis=1, keepdims=True))
            return -np.sum(Y * (Z - lse), axis=1)
        return -np.sum(Y * np.log(_clip_probabilities(A)), axis=1)

    def _gradient(self, A, Y):
        return -Y / _clip_probabilities(A) * (1.0 / A.shape[0])

    def prepare_targets(self, y, n_outputs, dtype=np.float64):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1 and n_outputs > 1:
            y = y.ravel()
        if y.ndim == 1:
            return one_hot(y, n_outputs, dtype=dtype, loss_name=self.name)
        Y = super().prepare_targets(y, n_outputs, dtype)
        if np.any(Y < 0) or not np.allclose(Y.sum(axis=1), 1.0, atol=1e-6):
            raise ValueError(
                "One-hot targets for loss 'cross_entropy' must be non-negative "
                "rows that sum to 1. Got a row that does not."
            )
        return Y


def _clip_probabilities(A: np.ndarray) -> np.ndarray:
    """Keep probabilities inside the open interval (0, 1) so logs stay finite.

    Only values that rounded to exactly 0 or 1 move (to the smallest positive
    float and the largest float below 1); all others are left as they are.
    """
    info = np.finfo(A.dtype if A.dtype.kind == "f" else np.float64)
    return np.clip(A, info.tiny, 1 - info.epsneg)


def one_hot(y, n_classes: int, *, dtype=np.float64, loss_name="cross_entropy"):
    """Integer labels of shape (n,) to a one-hot matrix of shape (n, n_classes)."""
    y = np.asarray(y)
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            raise ValueError(
                f"The targets for loss '{loss_name}' must be integer class labels "
                f"in [0, {n_classes}) or one-hot rows. Got non-integer values."
            )
        y = y.astype(np.int64)
    elif y.dtype.kind not in "iub":
        raise ValueError(
            f"The targets for loss '{loss_name}' must be integer class labels in "
            f"[0, {n_classes}) or one-hot rows. Got an array of dtype {y.dtype}."
        )
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        bad = y[(y < 0) | (y >= n_classes)][0]
        raise ValueError(
            f"The targets for loss '{loss_name}' must be class labels in "
            f"[0, {n_classes}) for a network with {n_classes} output units. "
            f"Got the label {int(bad)}."
        )
    Y = np.zeros((y.shape[0], n_classes), dtype=dtype)
    Y[np.arange(y.shape[0]), y] = 1
    return Y


LOSSES: dict[str, type[Loss]] = {
    "mse": MSE,
    "mean_squared_error": MSE,
    "sse": SSE,
    "sum_squared_error": SSE,
    "mae": MAE,
    "mean_absolute_error": MAE,
    "huber": Huber,
    "binary_cross_entropy": BinaryCrossEntropy,
    "bce": BinaryCrossEntropy,
    "neg_log_loss": BinaryCrossEntropy,
    "log_loss": BinaryCrossEntropy,
    "cross_entropy": CrossEntropy,
    "categorical_cross_entropy": CrossEntropy,
}


def get_loss(loss: str | Loss) -> Loss:
    """Resolve a loss name or instance; an unknown name lists the valid ones."""
    return resolve(loss, LOSSES, Loss, "loss", "loss")


def loss_from_config(config: dict) -> Loss:
    """Rebuild a loss from :meth:`Loss.config`."""
    return from_config(config, LOSSES, "loss")
