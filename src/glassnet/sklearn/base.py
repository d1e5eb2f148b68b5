"""The part of :mod:`glassnet.sklearn.estimators`'s estimators that both share.

Parameters, the ``fit``/``partial_fit`` flow (validate, encode targets, build
or reuse the network, train with :func:`glassnet.fit`, record), and the
fitted attributes in scikit-learn's layout. The subclasses add the targets
and outputs of their task.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from glassnet.core._validation import check_sample_weight
from glassnet.core.layers import Dense, Dropout
from glassnet.sklearn import build, lbfgs
from glassnet.sklearn.stopping import SklearnStopping

#: glassnet activation name -> scikit-learn's, for ``out_activation_``.
_SKLEARN_ACTIVATION = {"sigmoid": "logistic"}


class _GlassnetMLP(BaseEstimator):
    """Parameters, training and fitted attributes shared by both estimators."""

    #: metric monitored with early stopping (scikit-learn's ``score``)
    _score_metric = "loss"

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        loss=None,
        output_activation=None,
        dropout=0.0,
        batch_norm=False,
        l1=0.0,
        init="glorot_uniform",
        dtype=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.loss = loss
        self.output_activation = output_activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.l1 = l1
        self.init = init
        self.dtype = dtype

    # -- training ---------------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
        """Train for up to ``max_iter`` epochs (from the last weights if warm_start).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Training samples (CSR or CSC sparse matrices accepted).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels (or a 0/1 multi-label indicator matrix) for the
            classifier; targets for the regressor.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weight of each sample's cost, as in scikit-learn
            (rescaled to average 1).

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        ValueError
            For a parameter out of its range, ``X`` or ``y`` of the wrong
            shape or with NaN, targets the estimator cannot learn, or
            ``sample_weight`` that is negative or of the wrong length.
        TypeError
            For a parameter of the wrong type.

        Warns
        -----
        sklearn.exceptions.ConvergenceWarning
            When ``max_iter`` is reached before the loss stops improving.

        Examples
        --------
        >>> import numpy as np
        >>> from glassnet.sklearn import MLPRegressor
        >>> X = np.array([[0.0], [1.0], [2.0]])
        >>> reg = MLPRegressor(hidden_layer_sizes=(), solver="lbfgs", random_state=0)
        >>> reg.fit(X, [1.0, 3.0, 5.0]).predict([[3.0]]).round(3)  # y = 2 x + 1
        array([7.])
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def _fit(self, X, y, sample_weight, *, incremental, classes=None):
        build.check_params(self)
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True.")
        first = not hasattr(self, "network_") or not (self.warm_start or incremental)
        X, y = validate_data(
            self,
            X,
            y,
            multi_output=True,
            y_numeric=not isinstance(self, ClassifierMixin),
            dtype=(np.float64, np.float32),
            accept_sparse=("csr", "csc"),
            reset=first,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if sample_weight is not None:
            check_sample_weight(sample_weight, X.shape[0])
            sample_weight = np.asarray(sample_weight, dtype=np.float64)
        targets = self._encode_targets(y, first, incremental, classes, sample_weight)
        output, loss, n_outputs = self._output_and_loss(y)
        if first:
            self._start(X, n_outputs, output, loss)
        elif self.network_.n_outputs != n_outputs:
            raise ValueError(
                f"y has {n_outputs} output(s) but the fitted network has "
                f"{self.network_.n_outputs}; refit without warm_start."
            )
        if self.solver == "lbfgs":
            self._fit_lbfgs(X, targets, sample_weight)
            return self
        if self.early_stopping:
            self._check_validation_split(X.shape[0], targets)
        history, n_train = self._train(X, targets, sample_weight, incremental)
        self._record(history, incremental, n_train)
        return self

    def _loss_scale(self) -> float:
        """scikit-learn's cost divided by glassnet's (``build.LOSS_SCALE``)."""
        net = self.network_
        return 1.0 / build.LOSS_SCALE.get(net.loss.name, lambda k: 1.0)(net.n_outputs)

    def _fit_lbfgs(self, X, targets, sample_weight) -> None:
        """Full-batch L-BFGS-B (:mod:`glassnet.sklearn.lbfgs`), as scikit-learn."""
        net = self.network_
        if any(isinstance(layer, Dropout) for layer in net.layers):
            raise ValueError(
                f"The 'dropout' parameter of {type(self).__name__} must be 0 with "
                "solver='lbfgs' (L-BFGS-B needs a deterministic cost). Got "
                f"{self.dropout!r} instead."
            )
        n = X.shape[0]
        net.regularizer = build.regularizer(self, net, n, sample_weight)
        X = net.prepare_inputs(X)
        Y = net.prepare_targets(targets, X)
        w = None
        if sample_weight is not None:
            w = check_sample_weight(sample_weight, n, dtype=net.dtype)
        self.n_iter_, self.loss_ = lbfgs.fit_lbfgs(
            net,
            X,
            Y,
            w,
            max_iter=self.max_iter,
            max_fun=self.max_fun,
            tol=float(self.tol),
            scale=self._loss_scale(),
        )
        self._check_finite()

    def _check_finite(self) -> None:
        if not np.all(np.isfinite(self.network_.parameters_flat)):
            # scikit-learn's message, with what to change
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may "
                "contain large values and need to be preprocessed (e.g. "
                "StandardScaler), or lower learning_rate_init "
                f"(now {self.learning_rate_init!r})."
            )

    def _check_validation_split(self, n: int, targets) -> None:
        """scikit-learn's errors for a held-out part too small to score on."""
        # scikit-learn's order: the stratified split fails before the size check
        if isinstance(self, ClassifierMixin) and np.ndim(targets) == 1:
            # the split is stratified: each class needs a sample on each side
            codes, counts = np.unique(targets, return_counts=True)
            few = self.classes_[codes[counts < 2]].tolist()
            if few:
                raise ValueError(
                    "The least populated classes in y have only 1 member, which "
                    "is too few for early_stopping's stratified validation "
                    "split. The minimum number of members in any class cannot "
                    f"be less than 2. Classes with too few members are: "
                    f"{_as_sklearn_names(few, self.classes_)}"
                )
        n_val = math.ceil(float(self.validation_fraction) * n)
        if n_val < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                f"(now {self.validation_fraction!r}) or the size of your dataset "
                f"({n} samples give {n_val} validation sample(s); at least 2 are "
                "needed)."
            )

    def _start(self, X, n_outputs: int, output: str, loss: str) -> None:
        """A new network and empty records (first fit, or fit without warm start)."""
        rs = self.random_state
        if isinstance(rs, numbers.Integral) and not isinstance(rs, bool):
            self._seed = int(rs)
        else:
            self._seed = int(check_random_state(rs).randint(np.iinfo(np.int32).max))
        self.network_ = build.build_network(
            self,
            X.shape[1],
            n_outputs,
            output,
            loss,
            dtype=self.dtype or X.dtype.name,
            seed=self._seed,
        )
        self._optimizer = None
        self._stopper = None
        self.n_iter_ = 0
        self.t_ = 0
        if self.solver != "lbfgs":
            # scikit-learn keeps no curves for lbfgs (it has no epochs)
            self.loss_curve_ = []
            self.validation_loss_curve_ = []
            self.validation_scores_ = [] if self.early_stopping else None
            self.best_validation_score_ = None
            self.best_loss_ = None
        self.n_layers_ = len(build.hidden_sizes(self)) + 2
        self.n_outputs_ = n_outputs
        self.out_activation_ = _SKLEARN_ACTIVATION.get(output, output)

    def _train(self, X, targets, sample_weight, incremental: bool):
        n = X.shape[0]
        fraction = float(self.validation_fraction) if self.early_stopping else None
        n_train = n - math.ceil(fraction * n) if fraction else n
        batch = build.batch_size(self, n_train)
        net = self.network_
        net.regularizer = build.regularizer(self, net, batch, sample_weight)
        if not incremental or self._optimizer is None:
            self._optimizer = build.make_optimizer(self, scale=self._loss_scale())
        metric = self._score_metric
        monitor = f"val_{metric}" if self.early_stopping else "loss"
        if getattr(self, "_stopper", None) is None or (
            self._stopper.maximize != bool(self.early_stopping)
        ):
            self._stopper = SklearnStopping(maximize=bool(self.early_stopping))
        callbacks = build.callbacks(
            self,
            monitor,
            n_train,
            seen=self.t_,
            incremental=incremental,
            stopper=self._stopper,
            scale=self._loss_scale(),
            first_iteration=(self.n_iter_ if incremental else 0) + 1,
        )
        history = net.fit(
            X,
            targets,
            epochs=1 if incremental else int(self.max_iter),
            batch_size=batch,
            optimizer=self._optimizer,
            metrics=[metric] if self.early_stopping else [],
            validation_split=fraction,
            sample_weight=sample_weight,
            shuffle=bool(self.shuffle),
            seed=self._seed + (self.n_iter_ if incremental else 0),
            verbose=0,
            callbacks=callbacks,
        )
        self._check_finite()
        ran_out = len(history.epoch) == self.max_iter and not net.stop_training
        if not incremental and ran_out:
            # scikit-learn's message
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                "reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return history, n_train

    def _record(self, history, incremental: bool, n_train: int) -> None:
        logs = history.history
        epochs = len(history.epoch)
        self.n_iter_ = self.n_iter_ + epochs if incremental else epochs
        # scikit-learn's t_: training samples seen (the validation part is not)
        self.t_ += n_train * epochs
        scale = self._loss_scale()
        self.loss_curve_.extend(float(v) * scale for v in logs["loss"])
        self.loss_ = self.loss_curve_[-1]
        self.validation_loss_curve_.extend(
            float(v) * scale for v in logs.get("val_loss", [])
        )
        if self.early_stopping:
            scores = logs[f"val_{self._score_metric}"]
            self.validation_scores_.extend(float(v) for v in scores)
            # the score of the weights kept (stopping.py)
            self.best_validation_score_ = self._stopper.best
        else:
            self.best_loss_ = self._stopper.best

    # -- inference ----------------------------------------------------------------
    def _outputs(self, X) -> np.ndarray:
        """Network outputs ``a^L`` of shape (n_samples, n_outputs_)."""
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            reset=False,
            dtype=(np.float64, np.float32),
            accept_sparse=("csr", "csc"),
        )
        net = self.network_
        return net.infer(net.prepare_inputs(X))  # in chunks, as predict does

    def _output_logits(self, X) -> np.ndarray:
        """Output pre-activations ``z^L`` of shape (n_samples, n_outputs_).

        Read from the output layer chunk by chunk during the inference pass
        (a sigmoid or softmax output keeps its ``Z``).
        """
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            reset=False,
            dtype=(np.float64, np.float32),
            accept_sparse=("csr", "csc"),
        )
        net = self.network_
        logits = np.empty((X.shape[0], net.n_outputs), dtype=net.dtype)

        def keep(rows, A):
            logits[rows] = net.layers[-1].Z

        net.infer(net.prepare_inputs(X), each_chunk=keep)
        return logits

    @property
    def coefs_(self) -> list[np.ndarray]:
        """Weights of each Dense layer in scikit-learn's layout, shape (n_in, n_out).

        ``coefs_[i]`` is ``W.T`` of the i-th Dense layer (a view: writing into
        it changes the network). Batch normalization's scale and shift are
        in ``network_`` only. Assigning a list of arrays of those shapes
        copies them into the network.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Reading it before ``fit``.
        AttributeError
            Assigning it before ``fit`` (there is no network yet).
        ValueError
            Assigning a wrong number of arrays, or an array of a wrong shape.
        """
        check_is_fitted(self)
        return [layer.W.T for layer in self.network_.layers if isinstance(layer, Dense)]

    @coefs_.setter
    def coefs_(self, value) -> None:
        """Write new weights (one (n_in, n_out) array per Dense layer) in place.

        Raises ``AttributeError`` before ``fit`` (there is no network yet) and
        ``ValueError`` for a wrong number of arrays or a wrong shape.
        """
        self._assign("coefs_", value, lambda layer: layer.W, transpose=True)

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """Bias of each Dense layer, shape (n_out,) (views, as ``coefs_``).

        Assigning a list of arrays of those shapes copies them into the
        network.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Reading it before ``fit``.
        AttributeError
            Assigning it before ``fit`` (there is no network yet).
        ValueError
            Assigning a wrong number of arrays, or an array of a wrong shape.
        """
        check_is_fitted(self)
        return [layer.b for layer in self.network_.layers if isinstance(layer, Dense)]

    @intercepts_.setter
    def intercepts_(self, value) -> None:
        """Write new biases (one (n_out,) array per Dense layer), as ``coefs_``."""
        self._assign("intercepts_", value, lambda layer: layer.b, transpose=False)

    def _assign(self, name: str, value, target, *, transpose: bool) -> None:
        """Check every array of ``value`` first, then copy them into the network."""
        owner = type(self).__name__
        if not hasattr(self, "network_"):
            raise AttributeError(
                f"{owner}.{name} can be set only after fit: it writes into the "
                "fitted network's parameters (network_)."
            )
        dense = [layer for layer in self.network_.layers if isinstance(layer, Dense)]
        if isinstance(value, np.ndarray) or not hasattr(value, "__len__"):
            value = None
        if value is None or len(value) != len(dense):
            raise ValueError(
                f"The '{name}' attribute of {owner} must be a list of "
                f"{len(dense)} arrays, one per Dense layer. Got "
                f"{type(value).__name__ if value is None else len(value)} instead."
            )
        arrays = []
        for i, (layer, array) in enumerate(zip(dense, value, strict=True)):
            array = np.asarray(array)
            expected = target(layer).T.shape if transpose else target(layer).shape
            if array.shape != expected or array.dtype.kind not in "biuf":
                raise ValueError(
                    f"The '{name}' attribute of {owner}: array {i} must be a "
                    f"numeric array of shape {expected}. Got shape {array.shape} "
                    f"and dtype {array.dtype} instead."
                )
            arrays.append(array.T if transpose else array)
        for layer, array in zip(dense, arrays, strict=True):
            target(layer)[...] = array

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # densified one batch at a time
        return tags


def _as_sklearn_names(few: list, classes) -> str:
    """The classes in scikit-learn's words for its stratified split.

    With two classes scikit-learn stratifies on the boolean column
    ``y == classes_[1]`` and names the classes ``'True'``/``'False'``; the
    labels follow in parentheses. With more classes, the labels themselves.
    """
    if len(classes) != 2:
        return str(few)
    positive = classes.tolist()[1]
    encoded = [str(label == positive) for label in few]
    return f"{encoded} (the labels {few}, encoded as y == {positive!r})"
