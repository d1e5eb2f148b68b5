"""scikit-learn estimators over glassnet: :class:`MLPClassifier`, :class:`MLPRegressor`.

They take scikit-learn's ``MLPClassifier``/``MLPRegressor`` parameters where
the concept is the same, plus glassnet's own (``dropout``, ``batch_norm``,
``l1``, ``loss``, ``output_activation``, ``init``, ``dtype``, one activation
per hidden layer), and work wherever an estimator does: ``Pipeline``,
``GridSearchCV``, ``cross_val_score``, ``clone``, ``pickle``. Training is
:func:`glassnet.fit` on a :class:`glassnet.Network` (``network_``); nothing
here computes a gradient.

How the parameters map:

* ``solver``: "adam" and "sgd" (with ``momentum``/``nesterovs_momentum``,
  ``learning_rate`` "constant", "invscaling" or "adaptive") as in
  scikit-learn; also "rmsprop", "adagrad", "adamw"; and "lbfgs": SciPy's
  L-BFGS-B on the flat parameter vector with glassnet's analytic gradient,
  full batch, ``max_iter`` iterations, ``max_fun`` evaluations, ``tol`` its
  gradient tolerance (:mod:`glassnet.sklearn.lbfgs`), as in scikit-learn.
* ``alpha``: an L2 penalty scaled so that the same ``alpha`` regularizes as
  much as in scikit-learn (see :mod:`glassnet.sklearn.build`).
* ``max_iter`` epochs; ``tol``/``n_iter_no_change`` stop on the training
  loss, or with ``early_stopping`` on the score (accuracy or R^2) of a
  held-out ``validation_fraction`` (glassnet's ``validation_split``),
  keeping the weights of the epoch with the highest score, which
  ``best_validation_score_`` reports. The rule is scikit-learn's, not
  :class:`~glassnet.EarlyStopping`'s: ``tol`` only decides which epochs
  count as no improvement (see :mod:`glassnet.sklearn.stopping`). With
  ``sample_weight`` the held-out samples keep their weights and the score
  is the weighted one, as in scikit-learn.
* ``random_state`` seeds the initialization, shuffling, validation split
  and dropout.

The network trains on glassnet's losses (cross-entropy, binary
cross-entropy averaged over the outputs, ``mse``, ``poisson``), which are scikit-learn's
up to a constant factor (:data:`glassnet.sklearn.build.LOSS_SCALE`).
``loss_``, ``loss_curve_``, ``best_loss_`` and ``validation_loss_curve_``
are reported on scikit-learn's scale -- log-loss summed over the outputs,
half the squared error or the half Poisson deviance, plus
``alpha / (2 n) ||W||^2`` -- and ``tol``
applies on that scale; "sgd" takes scikit-learn's steps (its rate is
rescaled by the same factor). One difference: with several regression
outputs, scikit-learn's ``loss_`` averages the half squared error over the
outputs while its gradient is that of their sum; here ``loss_`` is the
sum, the cost actually minimized.
"""

from __future__ import annotations

import numpy as np

try:
    from sklearn.base import ClassifierMixin, RegressorMixin
    from sklearn.preprocessing import LabelBinarizer
    from sklearn.utils.metaestimators import available_if
    from sklearn.utils.multiclass import check_classification_targets, unique_labels
except ModuleNotFoundError as exc:  # pragma: no cover - depends on the install
    raise ModuleNotFoundError(
        "glassnet.sklearn needs scikit-learn >= 1.6: pip install 'glassnet[sklearn]'"
    ) from exc

from glassnet.core.losses import _log_complements, _log_probabilities, get_loss
from glassnet.sklearn import build
from glassnet.sklearn.base import _GlassnetMLP

__all__ = ["MLPClassifier", "MLPRegressor"]

_TARGET_KINDS = ("binary", "multiclass", "multilabel-indicator")


def _stochastic(est) -> bool:
    """Whether ``partial_fit`` exists: not for "lbfgs" (scikit-learn's rule)."""
    if est.solver == "lbfgs":
        raise AttributeError(
            f"partial_fit is only available for stochastic optimizers. "
            f"{est.solver} is not stochastic."
        )
    return True


class MLPClassifier(ClassifierMixin, _GlassnetMLP):
    """Multilayer perceptron classifier trained by glassnet.

    Multiclass targets get a softmax output with cross-entropy; two classes
    and multi-label indicator matrices get sigmoid outputs with binary
    cross-entropy (``output_activation="softmax"`` gives two softmax units
    for two classes instead). A ``y`` of a single class is fitted, as in
    scikit-learn: ``predict`` returns that class and ``predict_proba`` a
    column of ones, shape (n_samples, 1).

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default (100,)
        Units of each hidden layer; ``()`` for none (a linear model).
    activation : str or sequence of str, default "relu"
        Hidden activation ("identity", "logistic"/"sigmoid", "tanh", "relu",
        "leaky_relu"), or one per hidden layer.
    solver : {"adam", "sgd", "lbfgs", "rmsprop", "adagrad", "adamw"}, default "adam"
        "lbfgs" needs SciPy, trains on the whole set at once (no
        ``partial_fit``, no dropout, no ``loss_curve_``).
    alpha : float >= 0, default 1e-4
        L2 penalty with scikit-learn's meaning.
    batch_size : int or "auto", default "auto"
        "auto" is ``min(200, n_samples)``.
    learning_rate : {"constant", "invscaling", "adaptive"}, default "constant"
        Schedule of the "sgd" solver, as in scikit-learn.
    learning_rate_init : float > 0, default 1e-3
        The initial learning rate of the stochastic solvers.
    power_t : float >= 0, default 0.5
        Exponent of "invscaling": ``lr_t = learning_rate_init / t ** power_t``.
    max_iter : int >= 1, default 200
        Epochs (iterations of "lbfgs").
    shuffle : bool, default True
        Visit the samples in a new random order every epoch.
    random_state : int, RandomState or None, default None
        Seeds the initialization, shuffling, validation split and dropout.
    tol : float >= 0, default 1e-4
        Training stops when the loss (or, with ``early_stopping``, the
        validation score) has not improved by at least ``tol`` for
        ``n_iter_no_change`` epochs.
    verbose : bool, default False
        Print scikit-learn's lines: "Iteration k, loss = ..." per epoch,
        "Validation score: ..." with early stopping, and why training
        stopped.
    warm_start : bool, default False
        ``fit`` continues from the fitted network.
    momentum : float in [0, 1), default 0.9
        Momentum of the "sgd" solver.
    nesterovs_momentum : bool, default True
        Nesterov's momentum for "sgd" (with ``momentum > 0``).
    early_stopping : bool, default False
        Hold out ``validation_fraction`` of the data and stop when its score
        stops improving; the best epoch's weights are kept.
    validation_fraction : float in (0, 1), default 0.1
        The held-out fraction of ``early_stopping``.
    beta_1, beta_2 : float in [0, 1), default 0.9 and 0.999
        Decay rates of Adam's first and second moment estimates.
    epsilon : float > 0, default 1e-8
        Adam's term for numerical stability.
    n_iter_no_change : int >= 1 or np.inf, default 10
        Epochs without an improvement of ``tol`` before stopping.
    max_fun : int >= 1, default 15000
        Most cost evaluations of "lbfgs".
    loss : {None, "log_loss", "cross_entropy", "binary_cross_entropy"}, default None
        Default (None or "log_loss"): the one that matches the output.
    output_activation : {None, "softmax", "sigmoid"}, default None
        None: softmax for multiclass targets, sigmoid for two classes and
        multi-label indicator matrices.
    dropout : float in [0, 1) or sequence of float, default 0
        Dropout rate after each hidden layer (or one per hidden layer).
    batch_norm : bool, default False
        Batch normalization between each hidden Dense layer and its
        activation.
    l1 : float >= 0, default 0
        L1 penalty ``l1 * sum(|W|)`` added to glassnet's loss.
    init : str, default "glorot_uniform"
        A glassnet initializer's name ("glorot_uniform", "he_normal", ...)
        for the weights, the biases starting at zero; or "sklearn":
        scikit-learn's scheme, weights and biases from ``U(-l, l)``,
        ``l = sqrt(f / (fan_in + fan_out))``, ``f = 2`` for a logistic hidden
        activation, else 6 (:func:`glassnet.sklearn.build.sklearn_init`).
        Not the default: with ``f = 2`` a logistic network trained by
        "lbfgs" stops at a poor local minimum from about one start in three
        (scikit-learn's own draws included), which Glorot's ``f = 6`` with
        zero biases avoids.
    dtype : {None, "float32", "float64"}, default None
        Precision of the network; None follows X (float32 stays float32).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.
    network_ : glassnet.Network
        The trained network.
    coefs_, intercepts_ : lists of ndarray
        Per Dense layer, (n_in, n_out) and (n_out,) (scikit-learn's layout).
        Assigning a list of arrays of those shapes writes them into the
        network (``ValueError`` for a wrong count or shape).
    n_features_in_, feature_names_in_, n_iter_, loss_, loss_curve_,
    validation_loss_curve_, best_loss_, validation_scores_,
    best_validation_score_, t_, n_layers_, n_outputs_, out_activation_
        As in scikit-learn; ``t_`` counts the training samples seen (the
        validation part excluded), ``validation_scores_`` are weighted by
        ``sample_weight`` when it is given, and ``validation_loss_curve_``
        holds glassnet's loss on the validation part each epoch (early
        stopping only).

    Raises
    ------
    ValueError
        From ``fit`` and ``partial_fit`` (parameters are checked there, as
        scikit-learn does): a parameter out of its range or of an unknown
        name, in scikit-learn's message form; ``X`` or ``y`` of the wrong
        shape or with NaN or infinity; ``partial_fit`` with
        ``early_stopping``. A label of ``partial_fit`` not in ``classes``; a
        ``loss`` or ``output_activation`` that does not fit the targets.
    TypeError
        From ``fit``: a parameter of the wrong type.
    sklearn.exceptions.NotFittedError
        From ``predict`` and the fitted attributes before ``fit``.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : The estimator this one replaces.
    MLPRegressor : The regressor.

    Examples
    --------
    XOR, with any labels:

    >>> import numpy as np
    >>> from glassnet.sklearn import MLPClassifier
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    >>> y = np.array(["no", "yes", "yes", "no"])
    >>> clf = MLPClassifier(
    ...     hidden_layer_sizes=(4,), activation="tanh", learning_rate_init=0.1,
    ...     random_state=0,
    ... ).fit(X, y)
    >>> clf.n_iter_ < clf.max_iter  # the loss stopped improving: converged
    True
    >>> clf.predict(X)
    array(['no', 'yes', 'yes', 'no'], dtype='<U3')
    >>> clf.score(X, y)
    1.0
    >>> clf.classes_, clf.predict_proba(X).shape
    (array(['no', 'yes'], dtype='<U3'), (4, 2))
    >>> [coef.shape for coef in clf.coefs_]  # (n_in, n_out), scikit-learn's layout
    [(2, 4), (4, 1)]
    """

    _score_metric = "accuracy"

    @available_if(_stochastic)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over ``(X, y)``; ``classes`` (all labels) on the first call.

        Not available for ``solver="lbfgs"`` (``AttributeError``), as in
        scikit-learn.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            A batch of samples.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Their labels, or a 0/1 multi-label indicator matrix.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weight of each sample's cost.
        classes : array-like of shape (n_classes,), optional
            Every label any batch may contain; required on the first call
            (unless ``y`` is an indicator matrix).

        Returns
        -------
        self : MLPClassifier
            The estimator, trained one more epoch.

        Raises
        ------
        ValueError
            If ``classes`` is missing on the first call, differs from the
            first call's on a later one, or ``y`` has a label that is not in
            ``classes_`` (scikit-learn's rule and message); and as ``fit``.

        Examples
        --------
        >>> import numpy as np
        >>> from glassnet.sklearn import MLPClassifier
        >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
        >>> clf = MLPClassifier(hidden_layer_sizes=(4,), random_state=0)
        >>> clf = clf.partial_fit(X[:2], [0, 1], classes=[0, 1])
        >>> clf = clf.partial_fit(X[2:], [1, 0])
        >>> clf.n_iter_, clf.t_  # two epochs, four samples seen
        (2, 4)
        """
        if not hasattr(self, "network_"):
            if classes is None and np.asarray(y).ndim < 2:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit: "
                    "every label that any batch may contain."
                )
        elif classes is not None and not np.array_equal(
            np.sort(np.asarray(classes)), self.classes_
        ):
            raise ValueError(
                f"classes={classes!r} differs from the classes of the first call "
                f"to partial_fit ({self.classes_!r})."
            )
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _encode_targets(self, y, first, incremental, classes, sample_weight):
        """Class codes (n,) or a multi-label indicator matrix (n, n_labels)."""
        check_classification_targets(y)
        if first:
            binarizer = LabelBinarizer()
            binarizer.fit(y if classes is None or y.ndim == 2 else classes)
            if binarizer.y_type_ not in _TARGET_KINDS:
                raise ValueError(
                    f"{type(self).__name__} cannot learn {binarizer.y_type_} "
                    f"targets; y must be {', '.join(_TARGET_KINDS)}."
                )
            self._label_binarizer = binarizer
            self.classes_ = binarizer.classes_
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return self._label_binarizer.transform(y)
        if not first or classes is not None:
            # y's labels were not what classes_ was made from: each must be one
            # of them, or searchsorted would give it a neighbouring class's code
            self._check_known_classes(unique_labels(y), incremental)
        codes = np.searchsorted(self.classes_, y)
        n_needed = min(2, len(self.classes_))
        if sample_weight is not None and (
            np.unique(codes[sample_weight > 0]).size < n_needed
        ):
            raise ValueError(
                "sample_weight leaves samples of only one class with a non-zero "
                f"weight; {type(self).__name__} needs at least 2 classes."
            )
        return codes

    def _check_known_classes(self, labels, incremental: bool) -> None:
        if self.warm_start and not incremental:
            if set(labels) != set(self.classes_):
                # scikit-learn's message
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as "
                    f"in the previous call to fit. Previously got {self.classes_}, "
                    f"`y` has {labels}"
                )
        elif np.setdiff1d(labels, self.classes_).size:
            # scikit-learn's message
            raise ValueError(
                "`y` has classes not in `self.classes_`. `self.classes_` has "
                f"{self.classes_}. 'y' has {labels}."
            )

    def _output_and_loss(self, y):
        kind = self._label_binarizer.y_type_
        n_classes = len(self.classes_)
        output = self.output_activation
        defaults = {"multiclass": "softmax"}
        output = output or defaults.get(kind, "sigmoid")
        allowed = {
            "multiclass": ("softmax",),
            "binary": ("sigmoid", "softmax"),
            "multilabel-indicator": ("sigmoid",),
        }[kind]
        if output not in allowed:
            raise ValueError(
                f"The 'output_activation' parameter of {type(self).__name__} must "
                f"be one of {allowed} for {kind} targets. Got {output!r} instead."
            )
        loss = "cross_entropy" if output == "softmax" else "binary_cross_entropy"
        if self.loss not in (None, "log_loss", loss):
            raise ValueError(
                f"The 'loss' parameter of {type(self).__name__} must be None, "
                f"'log_loss' or {loss!r} with a {output} output. Got "
                f"{self.loss!r} instead."
            )
        n_outputs = 1 if output == "sigmoid" and kind == "binary" else n_classes
        return output, loss, n_outputs

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (n_samples, n_classes); per label for multi-label.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Probability of each class in the order of ``classes_``; rows sum
            to 1, except for multi-label targets, where each column is one
            label's probability. One column of ones for a single class.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit``.
        ValueError
            For ``X`` of the wrong number of features, or with NaN.
        """
        A = self._outputs(X)
        if len(self.classes_) == 1:
            # a single class (scikit-learn fits it too): certain, shape (n, 1)
            return np.ones((A.shape[0], 1), dtype=A.dtype)
        if self._label_binarizer.y_type_ == "binary" and A.shape[1] == 1:
            return np.hstack([1 - A, A])
        return A

    def predict_log_proba(self, X) -> np.ndarray:
        """``log(predict_proba(X))``, shape as :meth:`predict_proba`.

        Where a probability is at most 1/2 it is computed from the output
        pre-activations ``z``, never from the rounded probability: a softmax
        output gives the log-softmax ``z_j - logsumexp(z)``, a sigmoid output
        ``log sigma(z) = -softplus(-z)`` and ``log(1 - sigma(z)) =
        -softplus(z)``, so logits ``(1000, 0, -1000)`` give ``(0, -1000,
        -2000)``, not ``(0, -inf, -inf)``. Above 1/2 it is the log of the
        probability :meth:`predict_proba` returns (within ``1.2e-16`` of the
        exact one, whose log is never below ``-0.7``): the two methods then
        rank the classes of a row alike -- probabilities that round to the
        same float near 1 get the same log -- as scikit-learn's
        ``log(predict_proba)`` does.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Natural log of each class's probability, finite wherever the
            logits are.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit``.
        ValueError
            For ``X`` of the wrong number of features, or with NaN.
        """
        Z = self._output_logits(X)
        if len(self.classes_) == 1:
            return np.zeros((Z.shape[0], 1), dtype=Z.dtype)
        output = self.network_.output_activation.name
        log_proba = _log_probabilities(Z, output)
        if self._label_binarizer.y_type_ == "binary" and Z.shape[1] == 1:
            log_proba = np.hstack([_log_complements(Z, output), log_proba])
        proba = self.predict_proba(X)
        # log is monotone: ties of the rounded probabilities stay ties
        high = proba > 0.5
        log_proba[high] = np.log(proba[high])
        return log_proba

    def predict(self, X) -> np.ndarray:
        """Class labels (n_samples,), or a 0/1 matrix (n_samples, n_labels).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_labels)
            The most probable class of each sample (a label of
            ``classes_``), or for multi-label targets each label whose
            probability is above 1/2.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit``.
        ValueError
            For ``X`` of the wrong number of features, or with NaN.
        """
        proba = self.predict_proba(X)
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return (proba > 0.5).astype(np.int64)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _GlassnetMLP):
    """Multilayer perceptron regressor trained by glassnet.

    Multi-output targets (n_samples, n_outputs) get one output unit each.
    The parameters are those of :class:`MLPClassifier` but for ``loss`` and
    ``output_activation``.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default (100,)
        Units of each hidden layer; ``()`` for none (a linear model).
    activation : str or sequence of str, default "relu"
        Hidden activation ("identity", "logistic"/"sigmoid", "tanh", "relu",
        "leaky_relu"), or one per hidden layer.
    solver : {"adam", "sgd", "lbfgs", "rmsprop", "adagrad", "adamw"}, default "adam"
        "lbfgs" needs SciPy, trains on the whole set at once (no
        ``partial_fit``, no dropout, no ``loss_curve_``).
    alpha : float >= 0, default 1e-4
        L2 penalty with scikit-learn's meaning.
    batch_size : int or "auto", default "auto"
        "auto" is ``min(200, n_samples)``.
    learning_rate : {"constant", "invscaling", "adaptive"}, default "constant"
        Schedule of the "sgd" solver, as in scikit-learn.
    learning_rate_init : float > 0, default 1e-3
        The initial learning rate of the stochastic solvers.
    power_t : float >= 0, default 0.5
        Exponent of "invscaling": ``lr_t = learning_rate_init / t ** power_t``.
    max_iter : int >= 1, default 200
        Epochs (iterations of "lbfgs").
    shuffle : bool, default True
        Visit the samples in a new random order every epoch.
    random_state : int, RandomState or None, default None
        Seeds the initialization, shuffling, validation split and dropout.
    tol : float >= 0, default 1e-4
        Training stops when the loss (or, with ``early_stopping``, the
        validation score) has not improved by at least ``tol`` for
        ``n_iter_no_change`` epochs.
    verbose : bool, default False
        Print scikit-learn's lines: "Iteration k, loss = ..." per epoch,
        "Validation score: ..." with early stopping, and why training
        stopped.
    warm_start : bool, default False
        ``fit`` continues from the fitted network.
    momentum : float in [0, 1), default 0.9
        Momentum of the "sgd" solver.
    nesterovs_momentum : bool, default True
        Nesterov's momentum for "sgd" (with ``momentum > 0``).
    early_stopping : bool, default False
        Hold out ``validation_fraction`` of the data and stop when its score
        stops improving; the best epoch's weights are kept.
    validation_fraction : float in (0, 1), default 0.1
        The held-out fraction of ``early_stopping``.
    beta_1, beta_2 : float in [0, 1), default 0.9 and 0.999
        Decay rates of Adam's first and second moment estimates.
    epsilon : float > 0, default 1e-8
        Adam's term for numerical stability.
    n_iter_no_change : int >= 1 or np.inf, default 10
        Epochs without an improvement of ``tol`` before stopping.
    max_fun : int >= 1, default 15000
        Most cost evaluations of "lbfgs".
    loss : str, default None
        None or "squared_error": glassnet's "mse"; "poisson": the half
        Poisson deviance (:class:`glassnet.Poisson`, scikit-learn's, for
        non-negative targets such as counts); also "sse", "mae", "huber".
    output_activation : str, default None
        None is "exp" for "poisson" (the log link, as in scikit-learn) and
        "identity" otherwise; any activation but softmax (e.g. "sigmoid" for
        targets in (0, 1)).
    dropout : float in [0, 1) or sequence of float, default 0
        Dropout rate after each hidden layer (or one per hidden layer).
    batch_norm : bool, default False
        Batch normalization between each hidden Dense layer and its
        activation.
    l1 : float >= 0, default 0
        L1 penalty ``l1 * sum(|W|)`` added to glassnet's loss.
    init : str, default "glorot_uniform"
        A glassnet initializer's name ("glorot_uniform", "he_normal", ...)
        for the weights, the biases starting at zero; or "sklearn":
        scikit-learn's scheme, weights and biases from ``U(-l, l)``,
        ``l = sqrt(f / (fan_in + fan_out))``, ``f = 2`` for a logistic hidden
        activation, else 6 (:func:`glassnet.sklearn.build.sklearn_init`).
        Not the default: with ``f = 2`` a logistic network trained by
        "lbfgs" stops at a poor local minimum from about one start in three
        (scikit-learn's own draws included), which Glorot's ``f = 6`` with
        zero biases avoids.
    dtype : {None, "float32", "float64"}, default None
        Precision of the network; None follows X (float32 stays float32).

    Attributes
    ----------
    network_ : glassnet.Network
        The trained network.
    coefs_, intercepts_ : lists of ndarray
        Per Dense layer, (n_in, n_out) and (n_out,) (scikit-learn's layout).
        Assigning a list of arrays of those shapes writes them into the
        network (``ValueError`` for a wrong count or shape).
    n_features_in_, feature_names_in_, n_iter_, loss_, loss_curve_,
    validation_loss_curve_, best_loss_, validation_scores_,
    best_validation_score_, t_, n_layers_, n_outputs_, out_activation_
        As in scikit-learn; ``t_`` counts the training samples seen (the
        validation part excluded), ``validation_scores_`` are weighted by
        ``sample_weight`` when it is given, and ``validation_loss_curve_``
        holds glassnet's loss on the validation part each epoch (early
        stopping only).

    Raises
    ------
    ValueError
        From ``fit`` and ``partial_fit`` (parameters are checked there, as
        scikit-learn does): a parameter out of its range or of an unknown
        name, in scikit-learn's message form; ``X`` or ``y`` of the wrong
        shape or with NaN or infinity; ``partial_fit`` with
        ``early_stopping``. A classification ``loss`` or a softmax output.
    TypeError
        From ``fit``: a parameter of the wrong type.
    sklearn.exceptions.NotFittedError
        From ``predict`` and the fitted attributes before ``fit``.

    See Also
    --------
    sklearn.neural_network.MLPRegressor : The estimator this one replaces.
    MLPClassifier : The classifier.

    Examples
    --------
    With no hidden layer the network is a linear model: it recovers
    ``y = 2 x_1 - x_2``.

    >>> import numpy as np
    >>> from glassnet.sklearn import MLPRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(50, 2))
    >>> y = 2 * X[:, 0] - X[:, 1]
    >>> reg = MLPRegressor(hidden_layer_sizes=(), solver="lbfgs", random_state=0)
    >>> reg = reg.fit(X, y)
    >>> reg.coefs_[0].round(3).ravel(), reg.intercepts_[0].round(3) + 0.0
    (array([ 2., -1.]), array([0.]))
    >>> reg.predict([[0.5, 0.5]]).round(3)
    array([0.5])
    >>> round(reg.score(X, y), 4)
    1.0
    """

    _score_metric = "r2"

    @available_if(_stochastic)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over ``(X, y)``.

        Not available for ``solver="lbfgs"`` (``AttributeError``), as in
        scikit-learn.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            A batch of samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Their targets.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weight of each sample's cost.

        Returns
        -------
        self : MLPRegressor
            The estimator, trained one more epoch.

        Raises
        ------
        ValueError
            As ``fit``, and with ``early_stopping=True``.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def _encode_targets(self, y, first, incremental, classes, sample_weight):
        return y

    def _output_and_loss(self, y):
        owner = type(self).__name__
        name = self.loss or "squared_error"
        # scikit-learn's outputs: exp (the log link) for poisson, else identity
        output = self.output_activation or ("exp" if name == "poisson" else "identity")
        if output == "softmax":
            raise ValueError(
                f"The 'output_activation' parameter of {owner} cannot be 'softmax' "
                "(its outputs are probabilities); use MLPClassifier."
            )
        loss = get_loss(build.LOSS_ALIASES.get(name, name))
        if loss.task != "regression":
            raise ValueError(
                f"The 'loss' parameter of {owner} must be a regression loss "
                f"('squared_error', 'mse', 'sse', 'mae', 'huber', 'poisson'). Got "
                f"{name!r} instead."
            )
        return output, loss.name, 1 if y.ndim == 1 else y.shape[1]

    def predict(self, X) -> np.ndarray:
        """Predicted values, (n_samples,) for one output else (n_samples, n_outputs).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The network's outputs, in the targets' units.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit``.
        ValueError
            For ``X`` of the wrong number of features, or with NaN.
        """
        A = self._outputs(X)
        return A.ravel() if A.shape[1] == 1 else A
