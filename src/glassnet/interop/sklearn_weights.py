"""Weights to and from scikit-learn's ``MLPClassifier``/``MLPRegressor``.

scikit-learn stores layer ``i`` as ``coefs_[i]`` of shape (n_in, n_out) and
``intercepts_[i]`` of shape (n_out,): ``coefs_[i]`` is glassnet's ``W.T``.

* :func:`from_sklearn` builds a :class:`Network` from a fitted scikit-learn
  MLP (class labels kept, so ``predict`` answers with the same labels).
* :func:`to_sklearn_coefs` gives any Dense/Dropout/BatchNorm network's
  weights in that layout, with dropout removed, batch norm folded into the
  Dense layer before it, and the stored input scaling folded into the first
  layer.
* :func:`to_sklearn` returns a fitted scikit-learn estimator that predicts
  what the network predicts (one hidden activation of scikit-learn's four;
  a two-unit softmax classifier becomes scikit-learn's single logistic unit).

The task, in both directions, is the one the training objective sets, never
the output activation: a network with a classification loss becomes an
``MLPClassifier``, any other an ``MLPRegressor`` carrying the network's output
activation (scikit-learn's ``MLPRegressor.predict`` applies
``out_activation_``, whichever it is); an ``MLPRegressor`` becomes a network
with the ``mse`` loss and an ``MLPClassifier`` one with a log loss.

All three copy: the arrays they return or build share no memory with their
input, so changing or training one side leaves the other as it was.
"""

from __future__ import annotations

import numpy as np

from glassnet.core.layers import Dense
from glassnet.core.network import Network
from glassnet.interop.affine_input import fold_scaler
from glassnet.interop.inference_steps import Affine, inference_steps

__all__ = ["from_sklearn", "to_sklearn", "to_sklearn_coefs"]

#: scikit-learn activation name <-> glassnet's
_FROM_SKLEARN = {"identity": "identity", "logistic": "sigmoid", "tanh": "tanh"}
_FROM_SKLEARN.update({"relu": "relu", "softmax": "softmax", "exp": "exp"})
_TO_SKLEARN = {value: key for key, value in _FROM_SKLEARN.items()}


def from_sklearn(mlp, *, dtype=None) -> Network:
    """A Network with the weights of a fitted scikit-learn MLP.

    Parameters
    ----------
    mlp : sklearn.neural_network.MLPClassifier or MLPRegressor
        Fitted (it has ``coefs_``).
    dtype : {"float32", "float64"}, optional
        Default: the dtype of ``mlp.coefs_``.

    Returns
    -------
    Network
        With copies of ``coefs_`` (transposed to ``W`` of shape (n_out, n_in))
        and ``intercepts_``; it shares no memory with ``mlp``. Its loss is
        scikit-learn's: ``mse`` for an ``MLPRegressor`` (scikit-learn's
        ``squared_error``, whatever its ``out_activation_``) or ``poisson``
        for its ``exp`` output (``loss="poisson"``), so it predicts values;
        for an ``MLPClassifier``, ``binary_cross_entropy`` (logistic output)
        or ``cross_entropy`` (softmax), so it predicts labels.

    Raises
    ------
    TypeError
        For anything but a fitted ``MLPClassifier``/``MLPRegressor``.
    ValueError
        For an activation glassnet does not have, or a classifier whose output
        is not logistic or softmax.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from sklearn.neural_network import MLPRegressor
    >>> import glassnet as gn
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # 5 iterations: not converged
    ...     mlp = MLPRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0)
    ...     mlp = mlp.fit(X, [1.0, 2.0, 3.0])
    >>> net = gn.from_sklearn(mlp)
    >>> net.layers[0].W.shape  # coefs_[0].T: (n_out, n_in)
    (3, 2)
    >>> bool(np.allclose(net.predict(X).ravel(), mlp.predict(X)))
    True
    """
    if not hasattr(mlp, "coefs_") or not hasattr(mlp, "out_activation_"):
        raise TypeError(
            "from_sklearn expects a fitted scikit-learn MLPClassifier or "
            f"MLPRegressor (with coefs_). Got {type(mlp).__name__} instead."
        )
    if mlp.out_activation_ not in _FROM_SKLEARN or mlp.activation not in (
        _FROM_SKLEARN
    ):
        raise ValueError(
            f"Cannot import activation {mlp.activation!r} with output "
            f"{mlp.out_activation_!r}: glassnet has "
            f"{', '.join(sorted(_FROM_SKLEARN))}."
        )
    n_layers = len(mlp.coefs_)
    layers = []
    for i, (coef, intercept) in enumerate(
        zip(mlp.coefs_, mlp.intercepts_, strict=True)
    ):
        name = mlp.out_activation_ if i == n_layers - 1 else mlp.activation
        layer = Dense(*coef.shape, _FROM_SKLEARN[name], seed=0)
        layer.W, layer.b = coef.T, intercept
        layers.append(layer)
    classifier = _is_classifier(mlp)
    output = _FROM_SKLEARN[mlp.out_activation_]
    if classifier and output not in _CLASSIFIER_LOSS:
        raise ValueError(
            "The 'out_activation_' of a scikit-learn MLPClassifier must be "
            f"'logistic' or 'softmax'. Got {mlp.out_activation_!r} instead."
        )
    # The task follows scikit-learn's estimator, not the output activation: an
    # MLPRegressor's logistic output still predicts values.
    # an exp output is scikit-learn's loss="poisson" (its only use of exp)
    regression_loss = "poisson" if output == "exp" else "mse"
    loss = _CLASSIFIER_LOSS[output] if classifier else regression_loss
    dtype = dtype or np.asarray(mlp.coefs_[0]).dtype.name
    net = Network(layers, loss=loss, dtype=dtype, seed=0)
    binarizer = getattr(mlp, "_label_binarizer", None)
    if binarizer is not None and binarizer.y_type_ != "multilabel-indicator":
        from glassnet.datasets.preprocessing import Preprocessing

        net.preprocessing = Preprocessing(classes=np.asarray(mlp.classes_).tolist())
    return net


#: glassnet's loss for a scikit-learn classifier's output (its log loss)
_CLASSIFIER_LOSS = {"sigmoid": "binary_cross_entropy", "softmax": "cross_entropy"}


def _is_classifier(mlp) -> bool:
    from sklearn.base import is_classifier

    return is_classifier(mlp)


def to_sklearn_coefs(network) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """``(coefs, intercepts)`` in scikit-learn's layout, float64.

    Dropout is left out, a batch normalization right after a Dense layer
    with an identity activation is folded into it, and a stored input
    scaling into the first layer.

    Parameters
    ----------
    network : Network
        Dense, Dropout and foldable BatchNorm layers.

    Returns
    -------
    coefs : list of ndarray of shape (n_in, n_out)
        One per Dense layer: its ``W.T``; new arrays sharing no memory with
        the network.
    intercepts : list of ndarray of shape (n_out,)
        One per Dense layer: its ``b``.

    Raises
    ------
    ValueError
        For a batch norm that cannot be folded.

    Examples
    --------
    >>> import glassnet as gn
    >>> net = gn.Network.mlp([4, 3, 2], seed=0)
    >>> coefs, intercepts = gn.to_sklearn_coefs(net)
    >>> [c.shape for c in coefs], [b.shape for b in intercepts]
    ([(4, 3), (3, 2)], [(3,), (2,)])
    """
    steps = inference_steps(network)
    if not all(isinstance(step, Affine) for step in steps):
        raise ValueError(
            "Only batch normalization right after a Dense layer with an identity "
            "activation folds into scikit-learn's weights; this network has "
            "another one."
        )
    steps[0].W, steps[0].b = fold_scaler(network, steps[0].W, steps[0].b)
    return [s.W.T.copy() for s in steps], [s.b.copy() for s in steps]


def _sklearn_activations(network) -> tuple[str, str]:
    steps = inference_steps(network)
    hidden = {step.activation.name for step in steps[:-1]} or {"relu"}
    output = steps[-1].activation.name
    if len(hidden) != 1 or not hidden <= {"identity", "sigmoid", "tanh", "relu"}:
        raise ValueError(
            "scikit-learn's MLP has one activation for every hidden layer, "
            "one of identity, logistic, tanh and relu; this network has "
            f"{sorted(hidden)}."
        )
    if network.task == "classification" and output not in _CLASSIFIER_LOSS:
        raise ValueError(
            f"scikit-learn's MLPClassifier has no '{output}' output activation; "
            "it has logistic and softmax."
        )
    if output not in _TO_SKLEARN:
        raise ValueError(
            f"scikit-learn's MLPRegressor has no '{output}' output activation; "
            "it has identity, logistic, tanh, relu, softmax and exp."
        )
    return _TO_SKLEARN[next(iter(hidden))], output


def to_sklearn(network):
    """A fitted scikit-learn MLP that predicts what ``network`` predicts.

    Parameters
    ----------
    network : Network
        Dense, Dropout and foldable BatchNorm layers, one hidden activation.

    Returns
    -------
    sklearn.neural_network.MLPClassifier or MLPRegressor
        An ``MLPClassifier`` when the network's loss is a classification
        loss (``network.task``), else an ``MLPRegressor`` whose
        ``out_activation_`` is the network's output activation (a sigmoid
        regression output becomes ``"logistic"``, and ``predict`` returns
        its values, shape (n_samples,) or (n_samples, n_outputs)). Ready for
        ``predict``/``predict_proba``/``score``; its training state
        (``loss_curve_`` etc.) is absent. Its ``coefs_`` and ``intercepts_``
        are copies, sharing no memory with ``network``.

    Raises
    ------
    ValueError
        For several hidden activations, an activation scikit-learn does not
        have, or a batch norm that does not fold into the weights.

    Examples
    --------
    >>> import numpy as np
    >>> import glassnet as gn
    >>> net = gn.Network.mlp([2, 3, 3], hidden="tanh", seed=0)
    >>> mlp = gn.to_sklearn(net)
    >>> type(mlp).__name__, mlp.activation, mlp.out_activation_
    ('MLPClassifier', 'tanh', 'softmax')
    >>> X = np.array([[0.5, -1.0], [1.0, 2.0]])
    >>> bool(np.allclose(mlp.predict_proba(X), net.predict_proba(X), atol=1e-6))
    True
    """
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.preprocessing import LabelBinarizer

    hidden, output = _sklearn_activations(network)
    coefs, intercepts = to_sklearn_coefs(network)
    n_out = coefs[-1].shape[1]
    classifier = network.task == "classification"
    if classifier and output == "softmax" and n_out == 2:
        # softmax(z)_1 = 1 / (1 + exp(z_0 - z_1)) = sigmoid(z_1 - z_0)
        coefs[-1] = coefs[-1][:, 1:] - coefs[-1][:, :1]
        intercepts[-1] = intercepts[-1][1:] - intercepts[-1][:1]
        output, n_out = "sigmoid", 1
    sizes = tuple(c.shape[1] for c in coefs[:-1])
    if not classifier:
        # scikit-learn's only exp output is its poisson loss's
        loss = "poisson" if output == "exp" else "squared_error"
        mlp = MLPRegressor(hidden_layer_sizes=sizes, activation=hidden, loss=loss)
    else:
        mlp = MLPClassifier(hidden_layer_sizes=sizes, activation=hidden)
        binarizer = LabelBinarizer()
        classes = getattr(network.preprocessing, "classes", None)
        if output == "sigmoid" and n_out > 1:
            binarizer.fit(np.vstack([np.zeros(n_out), np.ones(n_out)]).astype(int))
        else:
            binarizer.fit(classes if classes is not None else np.arange(max(n_out, 2)))
        mlp._label_binarizer = binarizer
        mlp.classes_ = binarizer.classes_
    mlp.coefs_, mlp.intercepts_ = coefs, intercepts
    mlp.n_features_in_ = coefs[0].shape[0]
    mlp.n_layers_, mlp.n_outputs_ = len(coefs) + 1, n_out
    mlp.out_activation_ = _TO_SKLEARN[output]
    mlp.n_iter_ = 0
    return mlp
