"""Loss functions: value, gradient dC/dA, and the output delta dC/dZ.

Conventions (lecture 001: "total cost is the average of individual input
costs"): every loss is a mean over the ``n`` samples of the batch, so its
gradients already carry the ``1/n``. ``A`` is the network output of shape
``(n, k)`` and ``Y`` the prepared target of the same shape (see
:meth:`Loss.prepare_targets`: class labels become one-hot rows).

The output delta ``delta^L = dC/dZ^L`` is computed one of three ways:

* the canonical pairs -- sigmoid + binary cross-entropy, softmax +
  cross-entropy, identity + squared error -- use the fused form
  ``delta^L = c (A - Y)`` with the loss's constant ``c``: the factors
  ``1 / (a (1 - a))`` of the loss derivative and ``a (1 - a)`` of the sigmoid
  cancel (lecture 002, "Put together"), likewise for softmax (lecture 003:
  ``dZ = A - Y``); the loss value itself is then computed from ``Z`` with
  log-sum-exp so it stays finite when ``A`` rounds to 0 or 1;
* the other pairs of a log loss with a probability output (sigmoid +
  cross-entropy, softmax + binary cross-entropy) take the chain rule
  ``delta^L = dC/dA * phi'(Z)`` worked out in closed form on log-probabilities
  computed from ``Z`` (see :func:`_log_probabilities`), so it stays exact
  where ``A`` rounds to 0 or 1;
* every other pair uses the general chain rule
  ``delta^L = dC/dA * phi'(Z)`` (a Jacobian-vector product for softmax).

Every loss that takes logs (:class:`BinaryCrossEntropy`,
:class:`CrossEntropy`) reads its log-probabilities from ``Z`` when it is
given -- ``log sigma(z) = -softplus(-z)``, ``log softmax(z) = z -
logsumexp(z)`` -- never from clipped probabilities: logits of +-1000 give
the exact value and delta in float32 and float64 for every pairing. Only a
caller that has no ``Z`` (``value(A, Y)``) gets the clipped-probability
formulas.

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

from glassnet.core._registry import from_config, resolve
from glassnet.core.activations import Activation

__all__ = [
    "get",
    "LOSSES",
    "BinaryCrossEntropy",
    "CrossEntropy",
    "Huber",
    "Loss",
    "MAE",
    "MSE",
    "Poisson",
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
    #: Whether :meth:`sample_costs` given ``Z`` (with a sigmoid or softmax
    #: output) needs no ``A``: the losses that take logs read them from ``Z``.
    value_from_z: bool = False

    def sample_costs(
        self,
        A: np.ndarray | None,
        Y: np.ndarray,
        Z: np.ndarray | None = None,
        activation: Activation | None = None,
    ) -> np.ndarray:
        """Cost of each sample, shape (n_samples,); their mean is :meth:`value`.

        Parameters
        ----------
        A : ndarray of shape (n_samples, n_outputs)
            Output activations (may be None when :attr:`value_from_z` and
            ``Z`` is given).
        Y : ndarray of shape (n_samples, n_outputs)
            Prepared targets.
        Z : ndarray of shape (n_samples, n_outputs), optional
            Output pre-activations. The losses that take logs compute their
            log-probabilities from them (exact for any logit); the others
            ignore them.
        activation : Activation, optional
            The output activation that turned ``Z`` into ``A``; default the
            loss's canonical one.

        Returns
        -------
        costs : ndarray of shape (n_samples,)
            The cost ``C_i`` of each sample.

        Raises
        ------
        ValueError
            Where a loss's domain excludes the outputs (Poisson's
            non-positive means; a log loss given ``Z`` with an output that is
            neither sigmoid nor softmax).
        """
        raise NotImplementedError

    def value(
        self,
        A,
        Y,
        Z=None,
        weights: np.ndarray | None = None,
        *,
        activation: Activation | None = None,
    ) -> float:
        """Mean cost over the batch, ``1/n sum_i C_i``.

        Parameters
        ----------
        A : ndarray of shape (n_samples, n_outputs)
            Output activations (may be None when :attr:`value_from_z` and
            ``Z`` is given).
        Y : ndarray of shape (n_samples, n_outputs)
            Prepared targets (see :meth:`prepare_targets`).
        Z : ndarray of shape (n_samples, n_outputs), optional
            Output pre-activations, as in :meth:`sample_costs`.
        weights : ndarray of shape (n_samples,), optional
            Sample weights: the value is then ``1/n sum_i w_i C_i``.
        activation : Activation, optional
            The output activation, as in :meth:`sample_costs`.

        Returns
        -------
        float
            The mean (weighted) cost.

        Raises
        ------
        ValueError
            As :meth:`sample_costs`.

        Examples
        --------
        >>> import numpy as np
        >>> from glassnet import MSE
        >>> A, Y = np.array([[1.0], [3.0]]), np.array([[0.0], [1.0]])
        >>> MSE().sample_costs(A, Y)
        array([1., 4.])
        >>> MSE().value(A, Y)
        2.5
        >>> MSE().gradient(A, Y)
        array([[1.],
               [2.]])
        """
        costs = self.sample_costs(A, Y, Z, activation)
        if weights is None:
            return float(np.mean(costs))
        return float(np.dot(weights, costs) / costs.shape[0])

    def _gradient(self, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """``dC/dA`` of the unweighted mean cost; subclasses implement it."""
        raise NotImplementedError

    def gradient(self, A, Y, weights: np.ndarray | None = None) -> np.ndarray:
        """The gradient ``dC/dA`` of the mean cost, including the ``1/n``.

        Parameters
        ----------
        A : ndarray of shape (n_samples, n_outputs)
            Output activations.
        Y : ndarray of shape (n_samples, n_outputs)
            Prepared targets.
        weights : ndarray of shape (n_samples,), optional
            Sample weights: row ``i`` is scaled by ``w_i``, the derivative of
            ``1/n sum_i w_i C_i``.

        Returns
        -------
        dA : ndarray of shape (n_samples, n_outputs)
            ``dC/dA``.
        """
        G = self._gradient(A, Y)
        return G if weights is None else _scale_rows(G, weights)

    def fused_delta_factor(self, A: np.ndarray) -> float:
        """The constant ``c`` of the fused output delta ``c (A - Y)``.

        Parameters
        ----------
        A : ndarray of shape (n_samples, n_outputs)
            Output activations (only their shape is read).

        Returns
        -------
        float
            ``1/n`` for the losses averaged over samples (cross-entropy),
            ``1/(n k)`` for those averaged over outputs too, ``2/(n k)`` for
            MSE and ``2`` for SSE.
        """
        return 1.0 / A.shape[0]

    def is_canonical(self, activation: Activation) -> bool:
        """Whether ``activation`` pairs with this loss for the fused delta.

        Parameters
        ----------
        activation : Activation
            The output activation.

        Returns
        -------
        bool
            True for the canonical pair (identity with MSE, sigmoid with
            binary cross-entropy, softmax with cross-entropy, ...).
        """
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
        """The output delta ``dC/dZ`` (lecture 001's base case).

        The loss picks the path from the output activation: the fused
        ``c (A - Y)`` for its canonical pair (the derivatives of loss and
        activation cancel), the log-space delta of a log loss, or the
        general chain rule ``dC/dA * phi'(Z)``.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_outputs)
            Output pre-activations.
        A : ndarray of shape (n_samples, n_outputs)
            Output activations.
        Y : ndarray of shape (n_samples, n_outputs)
            Prepared targets.
        activation : Activation
            The output activation.
        weights : ndarray of shape (n_samples,), optional
            Sample weights: row ``i`` is scaled by ``w_i`` (sample ``i``'s
            delta depends on its own row only, so weighting its cost weights
            its delta).
        out : ndarray of shape (n_samples, n_outputs), optional
            Receives the fused delta without a new array.

        Returns
        -------
        delta : ndarray of shape (n_samples, n_outputs)
            ``dC/dZ`` of the mean (weighted) cost.

        Raises
        ------
        ValueError
            As :meth:`sample_costs`, for an activation the loss cannot pair
            with.

        Examples
        --------
        >>> import numpy as np
        >>> from glassnet import CrossEntropy, Softmax
        >>> Z = np.zeros((1, 2))
        >>> A, Y = Softmax()(Z), np.array([[1.0, 0.0]])
        >>> CrossEntropy().output_delta(Z, A, Y, Softmax())
        array([[-0.5,  0.5]])
        """
        if self.is_canonical(activation):
            # Fused: the derivative of the loss and of the activation cancel.
            delta = np.subtract(A, Y, out=out)
            delta *= self.fused_delta_factor(A)
        else:
            delta = self._chain_rule_delta(Z, A, Y, activation)
        return delta if weights is None else _scale_rows(delta, weights)

    def _chain_rule_delta(self, Z, A, Y, activation: Activation) -> np.ndarray:
        """``dC/dA * phi'(Z)`` (unweighted) for a non-canonical pair."""
        return activation.backward(self._gradient(A, Y), Z, A)

    def prepare_targets(self, y, n_outputs: int, dtype=np.float64) -> np.ndarray:
        """Validate targets and shape them like the output.

        Parameters
        ----------
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets: numbers, or for cross-entropy integer class labels in
            ``[0, n_outputs)`` or one-hot rows.
        n_outputs : int
            The number of output units.
        dtype : dtype, default float64
            The dtype of the result.

        Returns
        -------
        Y : ndarray of shape (n_samples, n_outputs)
            The targets as floats of ``dtype``.

        Raises
        ------
        ValueError
            If the shape does not match ``n_outputs``, the targets are not
            numeric or not finite, or lie outside the loss's domain (negative
            Poisson counts, binary labels outside [0, 1], class labels out of
            range, one-hot rows that do not sum to 1).

        Examples
        --------
        >>> from glassnet import CrossEntropy
        >>> CrossEntropy().prepare_targets([0, 2], 3)
        array([[1., 0., 0.],
               [0., 0., 1.]])
        """
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
        """A JSON-serialisable description, the inverse of ``get``.

        Returns
        -------
        dict
            ``{"name": ...}`` plus the loss's options.
        """
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

    def sample_costs(self, A, Y, Z=None, activation=None):
        """``C_i = 1/k sum_j (a_ij - y_ij)^2``; ``Z`` and ``activation`` unused."""
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

    def sample_costs(self, A, Y, Z=None, activation=None):
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

    def sample_costs(self, A, Y, Z=None, activation=None):
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

    Parameters
    ----------
    delta : float, default 1.0
        The threshold between the quadratic and the linear part, in
        ``(0, inf)`` (in the units of the targets).

    Raises
    ------
    ValueError
        If ``delta`` is not a positive finite number.
    """

    name = "huber"

    def __init__(self, delta: float = 1.0):
        if not np.isfinite(delta) or delta <= 0:
            raise ValueError(
                "The 'delta' parameter of Huber must be a float in (0, inf). "
                f"Got {delta!r} instead."
            )
        self.threshold = float(delta)

    def sample_costs(self, A, Y, Z=None, activation=None):
        d = self.threshold
        R = np.abs(A - Y)
        quadratic = 0.5 * R * R
        linear = d * (R - 0.5 * d)
        return np.mean(np.where(R <= d, quadratic, linear), axis=1)

    def _gradient(self, A, Y):
        return np.clip(A - Y, -self.threshold, self.threshold) * (1.0 / A.size)

    def config(self):
        return {"name": self.name, "delta": self.threshold}


class Poisson(Loss):
    """Half Poisson deviance, averaged over samples and outputs.

    Per element, with the predicted mean ``a > 0`` and a count ``y >= 0``:
    ``d(a, y) = a - y log a + y log y - y`` (``y log y = 0`` at ``y = 0``),
    half the deviance of McCullagh and Nelder (*Generalized Linear Models*,
    2nd ed., section 2.3), 0 when ``a = y``; ``C = 1/(n k) sum d``. This is
    scikit-learn's ``poisson`` loss (``MLPRegressor``, ``PoissonRegressor``)
    divided by the number of outputs ``k``.

    ``dC/dA = (1 - y / a) / (n k)``. With the canonical :class:`Exp` output
    (the log link) ``log a = z``, so the value is computed from ``z`` as
    ``e^z - y z + y log y - y`` -- finite for any finite ``z`` whose
    ``e^z`` is -- and the fused delta is ``(A - Y) / (n k)``: the factor
    ``1 / a`` of the loss derivative and ``e^z = a`` of the activation cancel.
    Other outputs must be positive (``log a`` is taken); a value ``<= 0``
    raises ``ValueError``.
    """

    name = "poisson"
    canonical_activation = "exp"

    def sample_costs(self, A, Y, Z=None, activation=None):
        if Z is not None and (activation is None or activation.name == "exp"):
            log_a, mean = Z, np.exp(Z)
        else:
            _check_positive(A, self.name)
            log_a, mean = np.log(A), A
        # y log y - y: the value of the deviance at its minimum a = y
        y_log_y = Y * np.log(np.where(Y > 0, Y, 1))
        return np.mean(mean - Y * log_a + y_log_y - Y, axis=1)

    def _gradient(self, A, Y):
        _check_positive(A, self.name)
        return (1 - Y / A) * (1.0 / A.size)

    def fused_delta_factor(self, A):
        return 1.0 / A.size

    def prepare_targets(self, y, n_outputs, dtype=np.float64):
        Y = super().prepare_targets(y, n_outputs, dtype)
        if np.any(Y < 0):
            raise ValueError(
                "The targets for loss 'poisson' must be non-negative (counts or "
                f"rates). Got the value {float(Y[Y < 0][0]):g}."
            )
        return Y


def _check_positive(A: np.ndarray, loss_name: str) -> None:
    if np.any(~(A > 0)):
        raise ValueError(
            f"The outputs for loss '{loss_name}' must be positive means (use the "
            f"'exp' output activation). Got the value {float(A[~(A > 0)][0]):g}."
        )


class _LogLoss(Loss):
    """A loss on log-probabilities, read from ``Z`` whenever it is given.

    With ``Z`` and a sigmoid or softmax output, :meth:`sample_costs` and the
    output delta work on :func:`_log_probabilities` of ``Z`` and are exact for
    any finite logit; with only ``A`` they fall back to clipped probabilities.
    """

    task = "classification"
    value_from_z = True

    def sample_costs(self, A, Y, Z=None, activation=None):
        if Z is None:
            P = _clip_probabilities(A)
            return self._costs(Y, np.log(P), lambda: np.log1p(-P))
        return self._costs_from_z(Z, Y, self._output_name(activation))

    def _costs_from_z(self, Z, Y, output: str) -> np.ndarray:
        """Per-sample costs (n,) from the logits; subclasses shortcut the
        canonical output."""
        logA = _log_probabilities(Z, output)
        return self._costs(Y, logA, lambda: _log_complements(Z, output, logA))

    def _costs(self, Y, logA, log1mA) -> np.ndarray:
        """Per-sample costs from ``log a`` and a thunk giving ``log(1 - a)``."""
        raise NotImplementedError

    def _chain_rule_delta(self, Z, A, Y, activation):
        if Z is None or activation.name not in _PROBABILITY_OUTPUTS:
            return super()._chain_rule_delta(Z, A, Y, activation)
        return self._delta_from_z(Z, Y, activation.name)

    def _delta_from_z(self, Z, Y, output: str) -> np.ndarray:
        """``dC/dZ`` (unweighted) from log-probabilities, for either output."""
        raise NotImplementedError

    def _output_name(self, activation) -> str:
        if activation is None:
            return self.canonical_activation
        if activation.name not in _PROBABILITY_OUTPUTS:
            raise ValueError(
                f"The 'activation' parameter of {type(self).__name__} must be a "
                f"sigmoid or softmax output when Z is given. Got "
                f"'{activation.name}' instead."
            )
        return activation.name


class BinaryCrossEntropy(_LogLoss):
    """Binary cross-entropy, lecture 002's neg-log-loss, averaged.

    ``C = -1/(n k) sum [y log a + (1 - y) log(1 - a)]`` with targets in
    [0, 1] (one sigmoid unit per label). ``dC/dA = (a - y) / (a (1 - a)) / (n k)``
    (lecture 002). With a sigmoid output the fused delta is ``(A - Y)/(n k)``,
    and the value is computed from ``z`` with ``log a = -softplus(-z)`` and
    ``log(1 - a) = -softplus(z)``, i.e. ``softplus(z) - z y``, which never
    takes the log of 0. With a softmax output, ``log a`` and ``log(1 - a)``
    come from log-sum-exp (see :func:`_log_complements`) and the delta from
    :meth:`_delta_from_z`.
    """

    name = "binary_cross_entropy"
    canonical_activation = "sigmoid"

    def _costs(self, Y, logA, log1mA):
        return -np.mean(Y * logA + (1 - Y) * log1mA(), axis=1)

    def _costs_from_z(self, Z, Y, output):
        if output != "sigmoid":
            return super()._costs_from_z(Z, Y, output)
        # y softplus(-z) + (1 - y) softplus(z) = softplus(z) - z y
        per_element = np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z)))
        return np.mean(per_element, axis=1)

    def _gradient(self, A, Y):
        P = _clip_probabilities(A)
        return (P - Y) / (P * (1 - P)) * (1.0 / A.size)

    def fused_delta_factor(self, A):
        return 1.0 / A.size

    def _delta_from_z(self, Z, Y, output):
        logA = _log_probabilities(Z, output)
        A = np.exp(logA)
        if output == "sigmoid":
            return (A - Y) * (1.0 / Z.size)
        # Softmax: with g = dC/da = (a - y) / (a (1 - a)) / (n k) and the
        # Jacobian-vector product dz_l = a_l (g_l - sum_j g_j a_j),
        #   (n k) dz_l = t_l - a_l sum_j t_j,   t_j = (a_j - y_j) / (1 - a_j).
        # Only the row's largest output a* can have 1 - a* ~ 0 (the others
        # are <= 1/2), so its t* is kept out of the sum: with T the sum of the
        # other t_j and r_l = a_l / (1 - a*) = e^(z_l - m2) / s2 <= 1 (a
        # softmax over the other outputs, see _others_shifted),
        #   (n k) dz* = (a* - y*) - a* T
        #   (n k) dz_l = (a_l - y_l) - a_l (T - t_l) - r_l (a* - y*)
        # where no term overflows, whatever the logits.
        top = _row_argmax_mask(Z)
        # 1 - a_j >= 1/2 off the top; a* is kept out of T (its 1 - a* may be 0)
        complement = np.where(top, 1, 1 - A)
        T_terms = np.where(top, 0, (A - Y) / complement)
        T = T_terms.sum(axis=1, keepdims=True)
        q = np.sum(np.where(top, A - Y, 0), axis=1, keepdims=True)
        _, E2, s2 = _others_shifted(Z, top)
        R = E2 / s2
        delta = (A - Y) - A * (T - T_terms) - R * q
        return delta * (1.0 / Z.size)

    def prepare_targets(self, y, n_outputs, dtype=np.float64):
        Y = super().prepare_targets(y, n_outputs, dtype)
        if np.any((Y < 0) | (Y > 1)):
            bad = Y[(Y < 0) | (Y > 1)].ravel()[0]
            raise ValueError(
                "The targets for loss 'binary_cross_entropy' must be 0/1 labels "
                f"(or probabilities in [0, 1]). Got the value {float(bad):g}."
            )
        return Y


class CrossEntropy(_LogLoss):
    """Categorical cross-entropy ``C = -1/n sum_i sum_j y_ij log a_ij``.

    Targets are integer class labels in ``[0, k)`` or one-hot rows (lecture
    003). ``dC/dA = -Y / A / n``; with a softmax output the fused delta is
    ``(A - Y) / n`` (lecture 003's ``dZ = A - Y``) and the value is computed
    from ``z`` by log-sum-exp: ``-sum_j y_j (z_j - logsumexp(z))``. With
    sigmoid outputs (each unit a probability of its own) ``log a_j =
    -softplus(-z_j)`` and ``dC/dz_j = -y_j sigma(-z_j) / n``.
    """

    name = "cross_entropy"
    canonical_activation = "softmax"

    def _costs(self, Y, logA, log1mA):
        return -np.sum(Y * logA, axis=1)

    def _costs_from_z(self, Z, Y, output):
        if output != "softmax":
            return super()._costs_from_z(Z, Y, output)
        # -sum_j y_j log a_j with log a_j = z_j - logsumexp(z), written as
        # (z_j - m) - log sum_i e^(z_i - m): the row maximum m cancels before
        # it can round the small log-probabilities of logits near +-1000
        S = Z - Z.max(axis=1, keepdims=True)
        log_norm = np.log(np.sum(np.exp(S), axis=1, keepdims=True))
        return -np.sum(Y * (S - log_norm), axis=1)

    def _gradient(self, A, Y):
        return -Y / _clip_probabilities(A) * (1.0 / A.shape[0])

    def _delta_from_z(self, Z, Y, output):
        if output == "sigmoid":
            # dC/dz_j = -y_j (1 - sigma(z_j)) / n, with 1 - sigma(z) = sigma(-z)
            complement = np.exp(_log_complements(Z, output))
            return -Y * complement * (1.0 / Z.shape[0])
        # softmax: dC/dz = (a sum_j y_j - y) / n, i.e. (a - y) / n for one-hot y
        A = np.exp(_log_probabilities(Z, output))
        return (A * Y.sum(axis=1, keepdims=True) - Y) * (1.0 / Z.shape[0])

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


#: The output activations whose values are probabilities.
_PROBABILITY_OUTPUTS = ("sigmoid", "softmax")


def _log_probabilities(Z: np.ndarray, output: str) -> np.ndarray:
    """``log a`` of shape (n_samples, n_outputs) from ``Z``, never from ``a``.

    Sigmoid: ``log sigma(z) = -softplus(-z) = min(z, 0) - log(1 + e^-|z|)``.
    Softmax: ``log a_j = z_j - logsumexp(z)``, with the row maximum ``m``
    shifted out and the sum of the others ``s`` taken through ``log1p``:
    ``logsumexp(z) = m + log1p(s)``, ``s = sum_{i != argmax} e^(z_i - m)``.
    """
    if output == "sigmoid":
        return np.minimum(Z, 0) - np.log1p(np.exp(-np.abs(Z)))
    S = Z - Z.max(axis=1, keepdims=True)
    E = np.exp(S)
    E[_row_argmax_mask(Z)] = 0
    return S - np.log1p(E.sum(axis=1, keepdims=True))


def _log_complements(Z: np.ndarray, output: str, logA=None) -> np.ndarray:
    """``log(1 - a)`` of shape (n_samples, n_outputs) from ``Z``.

    Sigmoid: ``log(1 - sigma(z)) = log sigma(-z) = -softplus(z)``.
    Softmax: every output but the row's largest is at most 1/2, so
    ``log1p(-a)`` is exact for it; for the largest, ``1 - a* = s / (1 + s)``
    with ``s = sum_{i != *} e^(z_i - z*)``, and ``log s`` is taken as
    ``(m2 - z*) + log sum_{i != *} e^(z_i - m2)`` (``m2`` the largest of the
    others) so that it stays finite where ``s`` underflows.
    """
    if output == "sigmoid":
        return -np.maximum(Z, 0) - np.log1p(np.exp(-np.abs(Z)))
    if logA is None:
        logA = _log_probabilities(Z, output)
    top = _row_argmax_mask(Z)
    out = np.log1p(-np.exp(np.where(top, -np.inf, logA)))  # the top one below
    m2, _, s2 = _others_shifted(Z, top)
    log_s = (m2 - Z.max(axis=1, keepdims=True)) + np.log(s2)
    log1m_top = log_s - np.log1p(np.exp(log_s))
    out[top] = np.broadcast_to(log1m_top, Z.shape)[top]
    return out


def _others_shifted(Z: np.ndarray, top: np.ndarray):
    """The outputs other than each row's largest, shifted by their own maximum.

    Returns ``m2`` (n, 1), the largest of the others; ``E2`` (n, k), with
    ``e^(z_i - m2)`` for the others and 0 at the top; and ``s2`` (n, 1), the
    row sums of ``E2`` (at least 1, so its log never underflows).
    """
    others = np.where(top, -np.inf, Z)
    m2 = others.max(axis=1, keepdims=True)
    E2 = np.exp(others - m2)
    return m2, E2, E2.sum(axis=1, keepdims=True)


def _row_argmax_mask(Z: np.ndarray) -> np.ndarray:
    """Boolean (n_samples, n_outputs): True at the first maximum of each row."""
    mask = np.zeros(Z.shape, dtype=bool)
    mask[np.arange(Z.shape[0]), np.argmax(Z, axis=1)] = True
    return mask


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
    "poisson": Poisson,
    "binary_cross_entropy": BinaryCrossEntropy,
    "bce": BinaryCrossEntropy,
    "neg_log_loss": BinaryCrossEntropy,
    "log_loss": BinaryCrossEntropy,
    "cross_entropy": CrossEntropy,
    "categorical_cross_entropy": CrossEntropy,
    # Keras's names. Keras's categorical_crossentropy takes one-hot rows and
    # sparse_categorical_crossentropy integer labels; glassnet's cross-entropy
    # takes either, so both names are the same loss.
    "categorical_crossentropy": CrossEntropy,
    "sparse_categorical_crossentropy": CrossEntropy,
    "binary_crossentropy": BinaryCrossEntropy,
}


def get_loss(loss: str | Loss) -> Loss:
    """Resolve a loss name or instance; an unknown name lists the valid ones.

    Keras's names are accepted: ``"mean_squared_error"``,
    ``"mean_absolute_error"``, ``"binary_crossentropy"``, and both
    ``"categorical_crossentropy"`` and ``"sparse_categorical_crossentropy"``
    for :class:`CrossEntropy`, which takes integer class labels of shape
    (n_samples,) and one-hot rows of shape (n_samples, n_classes) alike
    (Keras's first takes one-hot rows only, its second labels only).

    Parameters
    ----------
    loss : str or Loss
        A name of :data:`LOSSES` (case, spaces and ``-`` versus ``_`` do not
        matter) or an instance, returned as is.

    Returns
    -------
    Loss
        A new instance for a name.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.
    TypeError
        For anything that is neither a str nor a Loss.

    Examples
    --------
    >>> import glassnet as gn
    >>> gn.losses.get("binary_crossentropy")
    BinaryCrossEntropy()
    >>> gn.losses.get("huber")
    Huber(delta=1.0)
    """
    return resolve(loss, LOSSES, Loss, "loss", "loss")


def loss_from_config(config: dict) -> Loss:
    """Rebuild a loss from :meth:`Loss.config`."""
    return from_config(config, LOSSES, "loss")


#: The resolver under the name Keras gives it: ``losses.get(name_or_object)``.
get = get_loss
