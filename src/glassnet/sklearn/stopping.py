"""scikit-learn's MLP stopping rule as a glassnet callback.

scikit-learn (``BaseMultilayerPerceptron._update_no_improvement_count``)
watches one number per epoch: the validation score (accuracy or R^2, to
maximize) with ``early_stopping``, else the training loss (to minimize).

* ``tol`` enters only the count of epochs without improvement: an epoch
  counts when its score is below ``best + tol`` (loss above ``best - tol``),
  else the count restarts at 0.
* The best value and, with ``early_stopping``, the weights kept at the end
  are those of the strictly best epoch, however small its lead.
* When the count exceeds ``n_iter_no_change``: stop, or with the "sgd"
  solver's "adaptive" rate divide the rate by 5 and restart the count
  (stop instead once the rate is already at most 1e-6).

Keras's ``EarlyStopping`` (and :class:`glassnet.EarlyStopping`) apply
``min_delta`` to both the count and the best epoch, so it keeps the last
epoch that improved by more than ``min_delta``: a different model from the
one whose score scikit-learn reports as ``best_validation_score_``.

The state (best value, count, best weights) lives in the callback, which the
estimator keeps across ``warm_start`` fits and ``partial_fit`` calls, as
scikit-learn keeps its attributes.
"""

from __future__ import annotations

import math

from glassnet.training.callbacks import Callback

#: scikit-learn's "adaptive" rate stops once it is this small.
MIN_ADAPTIVE_LR = 1e-6


class SklearnStopping(Callback):
    """Count, best value and best weights by scikit-learn's rule (module docstring).

    Parameters
    ----------
    maximize : bool
        True for a validation score (its weights are kept), False for the
        training loss (no weights kept).

    Attributes
    ----------
    best : float
        Best value so far (``-inf``/``inf`` before the first epoch).
    count : int
        Epochs in a row without an improvement of more than ``tol``.
    best_weights : list or None
        Weights of the best epoch (``maximize`` only); the initial weights
        until an epoch has a score.
    """

    def __init__(self, *, maximize: bool):
        self.maximize = bool(maximize)
        self.best = -math.inf if self.maximize else math.inf
        self.count = 0
        self.best_weights = None
        self.configure("loss", tol=0.0, n_iter_no_change=10, adaptive=False)

    def configure(
        self,
        monitor: str,
        *,
        tol,
        n_iter_no_change,
        adaptive,
        scale: float = 1.0,
        verbose: bool = False,
        first_iteration: int = 1,
    ) -> None:
        """The current fit's settings (they may change between warm starts).

        Parameters
        ----------
        monitor : str
            The logged quantity watched ("loss" or a validation score).
        tol : float
            The improvement that resets the count.
        n_iter_no_change : int or float
            Epochs without improvement before stopping; may be ``inf``
            (never stop).
        adaptive : bool
            "sgd"'s adaptive rate: divide it by 5 instead of stopping.
        scale : float, default 1.0
            Multiplies the logged training loss into scikit-learn's scale
            (``tol`` applies there).
        verbose : bool, default False
            Print scikit-learn's lines each epoch ("Iteration k, loss =
            ...", "Validation score: ..." and why training stopped).
        first_iteration : int, default 1
            The ``k`` of this fit's first epoch.
        """
        self.monitor = monitor
        self.tol = float(tol)
        self.n_iter_no_change = float(n_iter_no_change)
        self.adaptive = bool(adaptive)
        self.scale = float(scale)
        self.verbose = bool(verbose)
        self.iteration = int(first_iteration)

    def on_train_begin(self, logs):
        """Keep the initial weights as the best until an epoch has a score.

        Parameters
        ----------
        logs : dict
            Empty.
        """
        if self.maximize and self.best_weights is None:
            self.best_weights = self.network.get_weights()

    def on_epoch_end(self, epoch, logs):
        """Update the count and the best value; stop (or divide the rate).

        Parameters
        ----------
        epoch : int
            Index of the epoch, from 0.
        logs : dict
            The epoch's logs; must hold ``monitor``.
        """
        if self.verbose:
            loss = float(logs["loss"]) * self.scale
            print(f"Iteration {self.iteration}, loss = {loss:.8f}")
        self.iteration += 1
        value = float(logs[self.monitor])
        if self.monitor == "loss":
            value *= self.scale
        elif self.verbose:
            print(f"Validation score: {value:f}")
        # the comparisons are scikit-learn's, NaN included (it restarts the count)
        if self.maximize:
            no_improvement = value < self.best + self.tol
            better = value > self.best
        else:
            no_improvement = value > self.best - self.tol
            better = value < self.best
        self.count = self.count + 1 if no_improvement else 0
        if better:
            self.best = value
            if self.maximize:
                self.best_weights = self.network.get_weights()
        if self.count > self.n_iter_no_change:
            optimizer = self.network.optimizer
            # "sgd"'s rate is scale times scikit-learn's (build.make_optimizer)
            if self.adaptive and optimizer.lr / self.scale > MIN_ADAPTIVE_LR:
                optimizer.lr = optimizer.lr / 5.0
                self.count = 0
                self._say(f" Setting learning rate to {optimizer.lr / self.scale:f}")
            else:
                self.network.stop_training = True
                self._say(
                    " Learning rate too small. Stopping."
                    if self.adaptive
                    else " Stopping."
                )

    def _say(self, what: str) -> None:
        """Print scikit-learn's message on why the count ran out (verbose)."""
        if not self.verbose:
            return
        patience = self.n_iter_no_change
        patience = int(patience) if math.isfinite(patience) else patience
        if self.maximize:
            head = "Validation score did not improve more than"
        else:
            head = "Training loss did not improve more than"
        print(f"{head} tol={self.tol:f} for {patience} consecutive epochs.{what}")

    def on_train_end(self, logs):
        """With a validation score, put back the best epoch's weights.

        Parameters
        ----------
        logs : dict
            The last epoch's logs.
        """
        if self.maximize and self.best_weights is not None:
            self.network.set_weights(self.best_weights)
