"""Why a network is not learning: saturation, dead units, gradient flow, updates.

Per layer (numbered from 1, as in the network's summary):

* **saturation** -- the fraction of activations within ``tol`` (relative to
  the activation's range) of its limits, 0/1 for sigmoid and -1/1 for tanh.
  Lecture 002: "A neuron saturates if its output is very close to the lower
  or upper limit of its activation function ... monitor how many neurons are
  close to limits of its range."
* **dead ReLUs** -- the fraction of ReLU units that output 0 for every sample
  (of the evaluation batch, or of the whole epoch's training batches).
* **gradient flow** -- the root-mean-square of ``dC/dW`` and of ``delta``
  (so that layers of different sizes compare), and the ratio of the first
  layer's gradient norm to the last's: lecture 001's "cascading derivatives
  make gradients in initial layers very small".
* **update ratio** -- ``|W_after - W_before| / |W_before|`` for one
  optimizer step, whatever the optimizer (``lr x update`` for SGD).

:class:`Diagnostics` records them every epoch as a callback (keys such as
``"grad_norm/1"`` in the epoch ``logs``) and warns, once per condition, with a
:class:`DiagnosticWarning` naming the layer, the figure and the remedies the
lectures give. :func:`diagnose` computes them once for a batch.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np

from glassnet.core._validation import check_number, check_X
from glassnet.training.callbacks import Callback

__all__ = [
    "REMEDIES",
    "DiagnosticWarning",
    "Diagnostics",
    "dead_fraction",
    "diagnose",
    "overfitting_since",
    "overfitting_start",
    "rms",
    "saturation",
]


class DiagnosticWarning(UserWarning):
    """A training diagnostic crossed its threshold (see :class:`Diagnostics`).

    The message names the layer (numbered from 1), the figure, its value and
    the remedies the lectures give (:data:`REMEDIES`). Filter it as any
    warning, e.g. ``warnings.simplefilter("error", gn.DiagnosticWarning)``.
    """


#: What the lectures suggest for each condition.
REMEDIES = {
    "vanishing": (
        "ReLU activations with He initialization, small initial weights, scaled "
        "inputs, batch normalization, residual connections or LSTM (lectures 001, "
        "002)"
    ),
    "exploding": (
        "a smaller learning rate, smaller initial weights, scaled inputs, batch "
        "normalization (lectures 001, 002)"
    ),
    "saturation": (
        "initialize the weights with small random numbers, scale the inputs to a "
        "small range such as [0, 1], batch normalization (lecture 002)"
    ),
    "dead": (
        "a smaller learning rate, He initialization, or leaky_relu, whose "
        "gradient is never exactly 0"
    ),
    "overfitting": (
        "L2 regularization, dropout, batch normalization, early stopping (lecture 002)"
    ),
}


# -- the figures ---------------------------------------------------------------
def rms(array: np.ndarray) -> float:
    """Root-mean-square ``sqrt(mean(array^2))``: a norm that ignores size.

    Parameters
    ----------
    array : ndarray of any shape
        E.g. a layer's ``dW`` of shape (n_out, n_in).

    Returns
    -------
    float
        ``sqrt(sum(array^2) / array.size)``; 0 for an empty array.

    Examples
    --------
    >>> import numpy as np
    >>> from glassnet.training.diagnostics import rms
    >>> round(rms(np.array([3.0, 4.0])), 4)  # sqrt((9 + 16) / 2)
    3.5355
    """
    flat = np.ravel(array)
    return float(np.sqrt(np.vdot(flat, flat) / max(flat.size, 1)))


def _bounds(activation, tol: float) -> tuple[float, float] | None:
    """Saturation thresholds ``(low + margin, high - margin)``, or ``None``."""
    low, high = activation.limits
    if activation.name == "softmax" or not (np.isfinite(low) and np.isfinite(high)):
        return None
    margin = tol * (high - low)
    return low + margin, high - margin


def _saturated_count(A: np.ndarray, activation, tol: float) -> int | None:
    bounds = _bounds(activation, tol)
    if bounds is None:
        return None
    return int(np.count_nonzero((A <= bounds[0]) | (A >= bounds[1])))


def saturation(A, activation, *, tol: float = 0.01) -> float | None:
    """Fraction of activations within ``tol`` of their activation's limits.

    Parameters
    ----------
    A : ndarray of shape (n_samples, n_units)
        A layer's activations.
    activation : Activation
        Its ``limits`` (0/1 for sigmoid, -1/1 for tanh) give the range.
    tol : float in [0, 0.5], default 0.01
        Margin as a fraction of the range: for sigmoid, ``a <= 0.01`` or
        ``a >= 0.99``; for tanh, ``|a| >= 0.98``.

    Returns
    -------
    float or None
        The fraction in [0, 1] of the entries of ``A``; ``None`` for
        activations without two finite limits (relu, identity) and for
        softmax, whose outputs near 0/1 are confident predictions.

    Raises
    ------
    TypeError
        For a non-numeric ``tol``.
    ValueError
        For a ``tol`` out of [0, 0.5].

    Examples
    --------
    >>> import numpy as np
    >>> import glassnet as gn
    >>> from glassnet.training.diagnostics import saturation
    >>> A = np.array([[0.005, 0.5], [0.995, 0.3]])  # two within 0.01 of 0 or 1
    >>> saturation(A, gn.Sigmoid())
    0.5
    """
    tol = check_number(tol, "tol", "saturation", low=0, high=0.5)
    A = np.asarray(A)
    count = _saturated_count(A, activation, tol)
    return None if count is None else count / A.size


def dead_fraction(Z) -> float:
    """Fraction of ReLU units whose pre-activation is ``<= 0`` on every sample.

    Such a unit outputs 0 and passes no gradient for any of these samples.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_units)
        A ReLU layer's pre-activations.

    Returns
    -------
    float
        The fraction in [0, 1] of the ``n_units`` columns with no positive
        entry.

    Examples
    --------
    >>> import numpy as np
    >>> from glassnet.training.diagnostics import dead_fraction
    >>> Z = np.array([[-1.0, 2.0, 0.0], [-0.5, -1.0, 0.0]])  # units 1 and 3 dead
    >>> round(dead_fraction(Z), 4)
    0.6667
    """
    Z = np.asarray(Z)
    return float(np.mean(~np.any(Z > 0, axis=0)))


def _dense_layers(network) -> list[tuple[int, object]]:
    """``(index, layer)`` of every layer with weights, numbered from 1."""
    return [
        (i + 1, layer) for i, layer in enumerate(network.layers) if hasattr(layer, "W")
    ]


def diagnose(network, X, y, *, tol: float = 0.01) -> dict[str, float]:
    """Every figure for one forward and backward pass on ``(X, y)``.

    Parameters
    ----------
    network : Network
        The network to look at; left unchanged.
    X : array-like of shape (n_samples, n_features)
        The batch.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Its targets.
    tol : float, default 0.01
        See :func:`saturation`.

    Returns
    -------
    dict
        Keys ``"grad_norm/<l>"`` (root-mean-square of ``dC/dW``),
        ``"delta_norm/<l>"`` (root-mean-square of ``delta`` per sample),
        ``"saturation/<l>"`` (bounded activations), ``"dead_relu/<l>"``
        (ReLU layers) and ``"grad_ratio"`` (first layer's gradient norm over
        the last's); ``<l>`` numbers the layers with weights from 1.

    Raises
    ------
    ValueError
        For ``X`` or ``y`` of the wrong shape or with NaN, a label the loss
        cannot take, or a ``tol`` out of [0, 0.5].
    TypeError
        For non-numeric data or ``tol``.

    Notes
    -----
    The network is left exactly as it was: the training-mode pass runs on a
    deep copy (:meth:`Network.astype`), so its parameters, gradients, batch
    normalization's running statistics, dropout's random generator and the
    arrays its layers keep (``X``, ``Z``, ``A``) are untouched. The copy's
    dropout draws the masks the network itself would have drawn next.

    Examples
    --------
    >>> import numpy as np
    >>> import glassnet as gn
    >>> net = gn.Network.mlp([2, 3, 1], hidden="relu", seed=0)
    >>> X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -1.0], [2.0, 2.0]])
    >>> figures = gn.diagnose(net, X, [0, 1, 1, 0])
    >>> sorted(figures)  # doctest: +NORMALIZE_WHITESPACE
    ['dead_relu/1', 'delta_norm/1', 'delta_norm/2', 'grad_norm/1',
     'grad_norm/2', 'grad_ratio', 'saturation/2']
    >>> bool(figures["grad_ratio"] == figures["grad_norm/1"] / figures["grad_norm/2"])
    True
    """
    tol = check_number(tol, "tol", "diagnose", low=0, high=0.5)
    # On the network itself the training-mode pass would move the running
    # statistics of batch normalization and draw from dropout's generator.
    network = network.astype(network.dtype)
    network.loss_and_gradients(X, y)
    figures = {}
    for i, layer in _dense_layers(network):
        figures[f"grad_norm/{i}"] = rms(layer.dW)
        figures[f"delta_norm/{i}"] = _delta_scale(layer.delta)
        share = saturation(layer.A, layer.activation, tol=tol)
        if share is not None:
            figures[f"saturation/{i}"] = share
        if layer.activation.name == "relu":
            figures[f"dead_relu/{i}"] = dead_fraction(layer.Z)
    figures["grad_ratio"] = _ratio(figures, _dense_layers(network))
    return figures


def _delta_scale(delta: np.ndarray) -> float:
    # The loss is a batch mean, so delta carries 1/n; n * delta is per sample.
    return rms(delta) * delta.shape[0]


def _ratio(figures: dict, layers) -> float:
    first, last = layers[0][0], layers[-1][0]
    top = figures[f"grad_norm/{last}"]
    return figures[f"grad_norm/{first}"] / top if top > 0 else float("nan")


def overfitting_since(loss, val_loss, *, patience: int = 3) -> int | None:
    """Whether the last epoch shows overfitting, and since when.

    Lecture 002: "If the loss on test set increases significantly above that
    on training set, overfitting might have happened." Here: the validation
    loss rose in each of the last ``patience`` epochs, its best value so far
    is at least ``patience`` epochs old, and the training loss has fallen
    since that best epoch.

    Parameters
    ----------
    loss, val_loss : sequence of float, one per epoch so far
        Training and validation losses.
    patience : int, default 3
        Epochs of rising validation loss that count.

    Returns
    -------
    int or None
        The best epoch so far (0-based), after which the validation loss
        rose, or ``None``.

    Examples
    --------
    >>> from glassnet.training.diagnostics import overfitting_since
    >>> loss = [1.0, 0.8, 0.6, 0.5, 0.4, 0.3]
    >>> val_loss = [1.0, 0.9, 0.95, 1.0, 1.1, 1.2]
    >>> overfitting_since(loss, val_loss)
    1
    >>> overfitting_since(loss[:4], val_loss[:4]) is None  # rising 2 epochs only
    True
    """
    loss = np.asarray(loss, dtype=float)
    val = np.asarray(val_loss, dtype=float)
    last = len(val) - 1
    if last < patience:
        return None
    best = int(np.argmin(val))
    rising = np.all(np.diff(val[last - patience :]) > 0)
    if rising and last - best >= patience and loss[last] < loss[best]:
        return best
    return None


def overfitting_start(loss, val_loss, *, patience: int = 3) -> int | None:
    """The epoch after which a finished run overfitted, or ``None``.

    The run's best validation epoch, if at some later epoch
    :func:`overfitting_since` flagged overfitting since it (so a rise that
    the validation loss later recovered from does not count).

    Parameters
    ----------
    loss, val_loss : sequence of float, one per epoch
        Training and validation losses of the whole run.
    patience : int, default 3
        Epochs of rising validation loss that count.

    Returns
    -------
    int or None
        The best validation epoch (0-based), or ``None`` when the run did
        not overfit after it.
    """
    loss = np.asarray(loss, dtype=float)
    val = np.asarray(val_loss, dtype=float)
    if val.size == 0:
        return None
    best = int(np.argmin(val))
    for end in range(best + patience + 1, len(val) + 1):
        if overfitting_since(loss[:end], val[:end], patience=patience) == best:
            return best
    return None


# -- the callback --------------------------------------------------------------
class Diagnostics(Callback):
    """Record saturation, dead units, gradient flow and update ratios per epoch.

    The figures go into each epoch's ``logs`` under flat keys --
    ``"grad_norm/<l>"``, ``"delta_norm/<l>"``, ``"update_ratio/<l>"``,
    ``"saturation/<l>"`` (sigmoid/tanh layers), ``"dead_relu/<l>"`` (ReLU
    layers) and ``"grad_ratio"`` -- and into :attr:`figures`. Nothing here
    changes training: the figures come from the arrays each training step
    already computed (and, with ``X_eval``, from an inference-mode forward
    pass); the optimizer is never touched.

    Parameters
    ----------
    X_eval : array-like of shape (n_samples, n_features), optional
        Evaluation batch for saturation and dead units, forwarded in inference
        mode at the end of every epoch. Without it they are measured on all
        the epoch's training batches (a ReLU is dead if it output 0 for every
        training sample of the epoch).
    tol : float, default 0.01
        Saturation margin, as a fraction of the activation's range.
    vanishing : float, default 1e-3
        Warn when the first layer's gradient norm is below this fraction of
        the last layer's.
    exploding : float, default 1e3
        Warn when it is above this multiple, or a gradient is not finite.
    saturated, dead : float, default 0.5
        Warn when a hidden layer's saturation or dead-ReLU fraction is above.
    patience : int, default 3
        Warn of overfitting when the validation loss has risen this many
        epochs in a row while the training loss fell.
    warn : bool, default True
        Issue :class:`DiagnosticWarning` (once per condition and layer).

    Attributes
    ----------
    figures : dict of str to list of float
        The same keys as the logs, one value per epoch.
    epochs : list of int
        The epochs recorded (0-based).

    Raises
    ------
    ValueError
        For an ``X_eval`` that is not 2-D or has NaN, or a threshold out of
        its range.
    TypeError
        For non-numeric ``X_eval`` or thresholds.

    See Also
    --------
    diagnose : The same figures once, for one batch.

    Examples
    --------
    >>> import numpy as np
    >>> import glassnet as gn
    >>> net = gn.Network.mlp([2, 3, 1], hidden="relu", seed=0)
    >>> X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -1.0], [2.0, 2.0]])
    >>> diagnostics = gn.Diagnostics(warn=False)
    >>> history = net.fit(X, [0, 1, 1, 0], epochs=3, callbacks=[diagnostics])
    >>> diagnostics.layer_indices, diagnostics.epochs
    ([1, 2], [0, 1, 2])
    >>> diagnostics.array("grad_norm").shape  # (n_epochs, n_layers)
    (3, 2)
    >>> len(history.history["update_ratio/1"])
    3
    """

    def __init__(
        self,
        X_eval=None,
        *,
        tol: float = 0.01,
        vanishing: float = 1e-3,
        exploding: float = 1e3,
        saturated: float = 0.5,
        dead: float = 0.5,
        patience: int = 3,
        warn: bool = True,
    ):
        owner = "Diagnostics"
        self.X_eval = None if X_eval is None else check_X(X_eval, name="X_eval")
        # as given: a DataFrame's columns are matched to the network's by name
        self._X_eval_given = X_eval
        self.tol = check_number(tol, "tol", owner, low=0, high=0.5)
        self.vanishing = check_number(vanishing, "vanishing", owner, low=0)
        self.exploding = check_number(
            exploding, "exploding", owner, low=0, low_open=True
        )
        self.saturated = check_number(saturated, "saturated", owner, low=0, high=1)
        self.dead = check_number(dead, "dead", owner, low=0, high=1)
        self.patience = check_number(patience, "patience", owner, low=1, integer=True)
        self.warn = bool(warn)
        self.figures: dict[str, list[float]] = {}
        self.epochs: list[int] = []

    # -- arrays ----------------------------------------------------------------
    @property
    def layer_indices(self) -> list[int]:
        """The numbers (from 1) of the layers with weights."""
        return sorted({int(key.split("/")[1]) for key in self.figures if "/" in key})

    def array(self, name: str) -> np.ndarray:
        """``figures`` of one kind as (n_epochs, n_layers), NaN where not measured.

        Columns follow :attr:`layer_indices`; e.g. ``array("grad_norm")``.

        Parameters
        ----------
        name : str
            The kind of figure: "grad_norm", "delta_norm", "update_ratio",
            "saturation" or "dead_relu".

        Returns
        -------
        ndarray of shape (n_epochs, n_layers)
            One row per recorded epoch, one column per layer with weights.
        """
        columns = [self.figures.get(f"{name}/{i}") for i in self.layer_indices]
        out = np.full((len(self.epochs), len(columns)), np.nan)
        for j, values in enumerate(columns):
            if values is not None:
                out[:, j] = values
        return out

    # -- hooks -----------------------------------------------------------------
    def on_train_begin(self, logs):
        """Find the layers with weights; check ``X_eval`` against the network.

        Parameters
        ----------
        logs : dict
            Empty.

        Raises
        ------
        ValueError
            When ``X_eval`` does not have the network's number of features.
        """
        self._layers = _dense_layers(self.network)
        if self.X_eval is not None:
            self.X_eval = self.network.prepare_inputs(self._X_eval_given, name="X_eval")
        self._warned: set = set()
        self._losses: list[float] = []
        self._val_losses: list[float] = []

    def on_epoch_begin(self, epoch, logs):
        """Clear the epoch's sums.

        Parameters
        ----------
        epoch : int
            Index of the epoch, from 0.
        logs : dict
            Empty.
        """
        self._batches = 0
        self._grad = dict.fromkeys(self._index, 0.0)
        self._delta = dict.fromkeys(self._index, 0.0)
        self._alive = {
            i: np.zeros(layer.n_out, dtype=bool)
            for i, layer in self._layers
            if layer.activation.name == "relu"
        }
        self._saturated = dict.fromkeys(self._index, 0)
        self._seen = 0
        self._before = None
        if self.params.get("steps", 1) == 1:
            self._snapshot()

    @property
    def _index(self) -> list[int]:
        return [i for i, _ in self._layers]

    def _snapshot(self) -> None:
        self._before = [layer.W.copy() for _, layer in self._layers]

    def on_batch_end(self, batch, logs):
        """Add the batch's gradient and delta norms (and activations) to the sums.

        Parameters
        ----------
        batch : int
            Index of the batch within its epoch, from 0.
        logs : dict
            The batch's ``loss`` and ``size``.
        """
        self._batches += 1
        for i, layer in self._layers:
            self._grad[i] += rms(layer.dW)
            self._delta[i] += _delta_scale(layer.delta)
        if self.X_eval is None:
            self._count_activations()
        # Keep the weights before the epoch's last step for the update ratio.
        if batch == self.params.get("steps", 0) - 2:
            self._snapshot()

    def _count_activations(self) -> None:
        for i, layer in self._layers:
            if i in self._alive:
                self._alive[i] |= np.any(layer.Z > 0, axis=0)
            count = _saturated_count(layer.A, layer.activation, self.tol)
            if count is not None:
                self._saturated[i] += count
        self._seen += self._layers[0][1].Z.shape[0]

    def on_epoch_end(self, epoch, logs):
        """Put the epoch's figures into ``logs`` and :attr:`figures`; warn.

        Parameters
        ----------
        epoch : int
            Index of the epoch, from 0.
        logs : dict
            The epoch's logs, updated in place with the figures.
        """
        figures = {}
        batches = max(self._batches, 1)
        for i, _ in self._layers:
            figures[f"grad_norm/{i}"] = self._grad[i] / batches
            figures[f"delta_norm/{i}"] = self._delta[i] / batches
        figures["grad_ratio"] = _ratio(figures, self._layers)
        figures.update(self._activation_figures())
        if self._before is not None:
            for (i, layer), before in zip(self._layers, self._before, strict=True):
                scale = np.linalg.norm(before)
                change = np.linalg.norm(layer.W - before)
                figures[f"update_ratio/{i}"] = (
                    float(change / scale) if scale > 0 else float("nan")
                )
        self.epochs.append(epoch)
        for key, value in figures.items():
            self.figures.setdefault(key, []).append(value)
        logs.update(figures)
        if self.warn:
            self._check(figures, logs)

    def _activation_figures(self) -> dict[str, float]:
        figures = {}
        if self.X_eval is not None:
            self.network.forward(self.X_eval)  # inference mode: changes no state
            for i, layer in self._layers:
                share = saturation(layer.A, layer.activation, tol=self.tol)
                if share is not None:
                    figures[f"saturation/{i}"] = share
                if i in self._alive:
                    figures[f"dead_relu/{i}"] = dead_fraction(layer.Z)
            return figures
        for i, layer in self._layers:
            if _bounds(layer.activation, self.tol) is not None and self._seen:
                figures[f"saturation/{i}"] = self._saturated[i] / (
                    self._seen * layer.n_out
                )
            if i in self._alive and self._seen:
                figures[f"dead_relu/{i}"] = float(np.mean(~self._alive[i]))
        return figures

    # -- warnings --------------------------------------------------------------
    def _describe(self, i: int) -> str:
        return f"layer {i} ({self.network.layers[i - 1]!r})"

    def _once(self, condition: tuple, message: str, remedy: str) -> None:
        if condition in self._warned:
            return
        self._warned.add(condition)
        warnings.warn(
            f"{message} Remedies: {REMEDIES[remedy]}.",
            DiagnosticWarning,
            stacklevel=_user_stacklevel(),
        )

    def _check(self, figures: dict, logs: dict) -> None:
        first, last = self._layers[0][0], self._layers[-1][0]
        ratio = figures["grad_ratio"]
        norms = [figures[f"grad_norm/{i}"] for i, _ in self._layers]
        if len(self._layers) > 1 and ratio < self.vanishing:
            self._once(
                ("vanishing",),
                f"Vanishing gradients: the gradient norm of {self._describe(first)} is "
                f"{norms[0]:.3g}, {ratio:.3g} times that of {self._describe(last)} "
                f"(threshold {self.vanishing:g}).",
                "vanishing",
            )
        if not np.all(np.isfinite(norms)) or (
            len(self._layers) > 1 and ratio > self.exploding
        ):
            self._once(
                ("exploding",),
                f"Exploding gradients: the gradient norm of {self._describe(first)} is "
                f"{norms[0]:.3g}, {ratio:.3g} times that of {self._describe(last)} "
                f"(threshold {self.exploding:g}).",
                "exploding",
            )
        for i, _ in self._layers[:-1]:
            share = figures.get(f"saturation/{i}")
            if share is not None and share > self.saturated:
                self._once(
                    ("saturation", i),
                    f"Saturation: {share:.0%} of the activations of "
                    f"{self._describe(i)} are saturated, within {self.tol:.0%} of "
                    f"the activation's range from its limits (threshold "
                    f"{self.saturated:.0%}).",
                    "saturation",
                )
            share = figures.get(f"dead_relu/{i}")
            if share is not None and share > self.dead:
                self._once(
                    ("dead", i),
                    f"Dead units: {share:.0%} of the ReLUs of {self._describe(i)} "
                    f"output 0 for every sample (threshold {self.dead:.0%}).",
                    "dead",
                )
        self._check_overfitting(logs)

    def _check_overfitting(self, logs: dict) -> None:
        if "val_loss" not in logs or "loss" not in logs:
            return
        self._losses.append(float(logs["loss"]))
        self._val_losses.append(float(logs["val_loss"]))
        start = overfitting_since(
            self._losses, self._val_losses, patience=self.patience
        )
        if start is not None:
            self._once(
                ("overfitting",),
                f"Overfitting: the validation loss rose in each of the last "
                f"{self.patience} epochs, from its best {self._val_losses[start]:.4g} "
                f"at epoch {start + 1} to {self._val_losses[-1]:.4g}, while the "
                "training loss fell.",
                "overfitting",
            )


def _user_stacklevel() -> int:
    """``stacklevel`` that points a warning at the first frame outside glassnet."""
    package = str(Path(__file__).resolve().parent)
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level
