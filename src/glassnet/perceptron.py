"""Rosenblatt's perceptron: one threshold unit and its learning rule.

Lecture 002: a neuron ``y_hat = phi(w^T x)`` with ``x_0 = 1`` (so ``w_0`` is
the bias) and ``phi`` a step (0/1) or sign (-1/+1) function. The learning
rule visits the samples one at a time and, for each mistake, moves the
weights toward the sample: ``w <- w + rho (y - y_hat) x``. It converges on
linearly separable data (AND, OR) and cannot on XOR, which no single line
separates -- the limit that led to multilayer networks.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from glassnet.core._validation import check_number, check_X, check_y_length
from glassnet.core.activations import Sign, Step, get_activation

__all__ = ["ConvergenceWarning", "Perceptron", "PerceptronResult"]


class ConvergenceWarning(UserWarning):
    """Training stopped before it converged."""


@dataclass(frozen=True)
class PerceptronResult:
    """What :meth:`Perceptron.fit` did.

    Attributes
    ----------
    converged : bool
        Whether an epoch passed without a mistake.
    epochs : int
        The number of epochs run.
    errors : list of int
        The number of misclassified samples in each epoch.
    """

    converged: bool
    epochs: int
    errors: list[int] = field(default_factory=list)


class Perceptron:
    """A single step or sign unit trained by the perceptron learning rule.

    Parameters
    ----------
    n_features : int
        The number of inputs, >= 1.
    activation : {"step", "sign"}, default "step"
        Step gives 0/1 outputs (targets 0/1), sign gives -1/+1.
    lr : float, default 1.0
        rho in the update ``w <- w + rho (y - y_hat) x``.
    max_epochs : int, default 100
        The most passes over the data.
    seed : int, optional
        Seeds the initial weights, drawn uniformly from [-0.5, 0.5].

    Attributes
    ----------
    w : ndarray of shape (n_features + 1,)
        ``w[0]`` is the bias (lecture 002's ``w_0`` for ``x_0 = 1``).

    Raises
    ------
    ValueError
        If a setting is outside its range or the activation is neither step
        nor sign (TypeError for a setting that is not a number).

    Examples
    --------
    Rosenblatt's rule learns AND, which one unit can separate:

    >>> import numpy as np
    >>> from glassnet import Perceptron
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    >>> unit = Perceptron(2, "step", seed=0)
    >>> unit.fit(X, [0, 0, 0, 1]).converged
    True
    >>> unit.predict(X)
    array([0., 0., 0., 1.])
    """

    def __init__(
        self,
        n_features: int,
        activation: str = "step",
        *,
        lr: float = 1.0,
        max_epochs: int = 100,
        seed: int | None = 0,
    ):
        self.n_features = check_number(
            n_features, "n_features", "Perceptron", low=1, integer=True
        )
        self.activation = get_activation(activation)
        if not isinstance(self.activation, (Step, Sign)):
            raise ValueError(
                "The 'activation' parameter of Perceptron must be 'step' or "
                f"'sign'. Got {activation!r} instead."
            )
        self.lr = check_number(lr, "lr", "Perceptron", low=0, low_open=True)
        self.max_epochs = check_number(
            max_epochs, "max_epochs", "Perceptron", low=1, integer=True
        )
        rng = np.random.default_rng(seed)
        self.w = rng.uniform(-0.5, 0.5, size=self.n_features + 1)

    def _augment(self, X: np.ndarray) -> np.ndarray:
        # x = [x_0 = 1, x_1, ..., x_d]
        return np.hstack([np.ones((X.shape[0], 1)), X])

    def predict(self, X) -> np.ndarray:
        """The unit's output ``phi(w^T x)`` for each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        ndarray of shape (n_samples,)
            0/1 (step) or -1/+1 (sign), as floats.

        Raises
        ------
        ValueError
            For inputs of the wrong shape or not finite (TypeError for
            non-numeric ones).
        """
        X = check_X(X, n_features=self.n_features)
        return self.activation(self._augment(X.astype(float)) @ self.w)

    def fit(self, X, y) -> PerceptronResult:
        """Apply the learning rule until an epoch without mistakes.

        Lecture 002: for each sample in turn, ``w <- w + rho (y - y_hat) x``
        with ``x_0 = 1``; the weights change only on mistakes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs.
        y : array-like of shape (n_samples,)
            Targets: 0/1 for step, -1/+1 for sign.

        Returns
        -------
        PerceptronResult
            Whether it converged, the epochs run and the mistakes per epoch.

        Raises
        ------
        ValueError
            For targets outside the activation's values, or invalid inputs
            (TypeError for non-numeric ones).

        Warns
        -----
        ConvergenceWarning
            When ``max_epochs`` pass with mistakes left (``converged`` is
            then False), as happens on XOR.
        """
        X = check_X(X, n_features=self.n_features)
        y = check_y_length(X, y).astype(float).ravel()
        allowed = (0.0, 1.0) if isinstance(self.activation, Step) else (-1.0, 1.0)
        if not np.all(np.isin(y, allowed)):
            raise ValueError(
                f"Perceptron with the '{self.activation.name}' activation needs "
                f"targets in {allowed}. Got {sorted(set(y.tolist()))}."
            )
        Xa = self._augment(X.astype(float))
        errors: list[int] = []
        for _ in range(self.max_epochs):
            mistakes = 0
            for x, target in zip(Xa, y, strict=True):
                y_hat = float(self.activation(np.array([x @ self.w]))[0])
                if y_hat != target:
                    self.w += self.lr * (target - y_hat) * x
                    mistakes += 1
            errors.append(mistakes)
            if mistakes == 0:
                return PerceptronResult(True, len(errors), errors)
        warnings.warn(
            f"The perceptron did not converge in {self.max_epochs} epochs "
            f"({errors[-1]} of {len(y)} samples still misclassified): the data "
            "are not linearly separable by one unit (as XOR is not). Use a "
            "network with a hidden layer.",
            ConvergenceWarning,
            stacklevel=2,
        )
        return PerceptronResult(False, len(errors), errors)
