"""Weights to and from scikit-learn's own MLP."""

import warnings

import numpy as np
import pytest
from optional_support import require

require("sklearn", "sklearn")

from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

import glassnet as gn  # noqa: E402
from glassnet.datasets.preprocessing import Preprocessing  # noqa: E402
from glassnet.datasets.scalers import StandardScaler  # noqa: E402
from glassnet.sklearn import MLPRegressor as MLPRegressorGN  # noqa: E402


def fitted(cls, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls(max_iter=20, random_state=0, **kw).fit(X, y)


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("kind", ["multiclass", "binary", "multilabel", "regression"])
def test_from_sklearn_predicts_what_sklearn_predicts(kind, activation, rng):
    X = rng.normal(size=(80, 4))
    if kind == "multiclass":
        y, cls = np.array(["x", "y", "z"])[rng.integers(0, 3, 80)], MLPClassifier
    elif kind == "binary":
        y, cls = rng.integers(0, 2, 80) * 5, MLPClassifier
    elif kind == "multilabel":
        y, cls = rng.integers(0, 2, (80, 3)), MLPClassifier
    else:
        y, cls = rng.normal(size=80), MLPRegressor
    sk = fitted(cls, X, y, hidden_layer_sizes=(6, 5), activation=activation)
    net = gn.from_sklearn(sk)
    assert net.dtype == np.float64
    if cls is MLPRegressor:
        np.testing.assert_allclose(net.predict(X), sk.predict(X), rtol=1e-12)
    else:
        np.testing.assert_array_equal(net.predict(X), sk.predict(X))
    if cls is MLPClassifier:
        proba = sk.predict_proba(X)
        np.testing.assert_allclose(net.predict_proba(X), proba, rtol=1e-12)
    back = gn.to_sklearn(net)
    np.testing.assert_array_equal(back.predict(X), sk.predict(X))  # same arithmetic
    coefs, intercepts = gn.to_sklearn_coefs(net)
    theirs_all = sk.coefs_ + sk.intercepts_
    for mine, theirs in zip(coefs + intercepts, theirs_all, strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_to_sklearn_folds_batch_norm_scaling_and_binary_softmax(rng):
    X = rng.normal(loc=3.0, size=(60, 4))
    net = gn.Network(
        [
            gn.Dense(4, 7),
            gn.BatchNorm(activation="tanh"),
            gn.Dropout(0.5),
            gn.Dense(7, 2, "softmax"),
        ],
        seed=0,
        dtype="float64",
    )
    net.fit(X, rng.integers(0, 2, 60), epochs=3, optimizer="adam", seed=0)
    scaler = StandardScaler().fit(X)
    net.preprocessing = Preprocessing(scaler=scaler, classes=["a", "b"])
    sk = gn.to_sklearn(net)
    assert [c.shape for c in sk.coefs_] == [(4, 7), (7, 1)]
    np.testing.assert_allclose(sk.predict_proba(X), net.predict_proba(X), rtol=1e-10)
    np.testing.assert_array_equal(sk.predict(X), net.predict(X))


def test_to_sklearn_refuses_what_sklearn_cannot_express():
    mixed = gn.Network.mlp([3, 4, 4, 2], hidden=["relu", "tanh"], seed=0)
    with pytest.raises(ValueError, match="one activation for every hidden layer"):
        gn.to_sklearn(mixed)
    unfoldable = gn.Network([gn.Dense(3, 4, "relu"), gn.BatchNorm(), gn.Dense(4, 1)])
    with pytest.raises(ValueError, match="folds into scikit-learn"):
        gn.to_sklearn_coefs(unfoldable)
    with pytest.raises(TypeError, match="fitted scikit-learn"):
        gn.from_sklearn(MLPClassifier())


# -- exported and imported weights are copies ------------------------------------


def network_arrays(net):
    return [a for layer in net.layers for _, a in [*layer.parameters()]] + [
        a for layer in net.layers for _, a in layer.buffers()
    ]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_to_sklearn_and_back_share_no_memory(dtype, rng):
    # identity Dense -> BatchNorm(tanh) folds into scikit-learn's weights
    X, y = rng.normal(size=(30, 4)), rng.integers(0, 3, 30)
    net = gn.Network(
        [gn.Dense(4, 6), gn.BatchNorm(activation="tanh"), gn.Dense(6, 3, "softmax")],
        seed=0,
        dtype=dtype,
    )
    net.fit(X, y, epochs=2, optimizer="adam", seed=0, metrics=[])
    sk = gn.to_sklearn(net)
    sk_arrays = [*sk.coefs_, *sk.intercepts_]
    for ours in network_arrays(net):
        for theirs in sk_arrays:
            assert not np.shares_memory(ours, theirs)
    expected = sk.predict_proba(X)
    # changing or training the network leaves the exported estimator
    for array in network_arrays(net):
        array *= 1.5
    net.fit(X, y, epochs=2, optimizer="adam", seed=1, metrics=[])
    np.testing.assert_array_equal(sk.predict_proba(X), expected)
    # and the other way: the imported network is a copy of the estimator
    back = gn.from_sklearn(sk, dtype=dtype)
    for ours in network_arrays(back):
        for theirs in sk_arrays:
            assert not np.shares_memory(ours, theirs)
    before = [a.copy() for a in network_arrays(back)]
    for theirs in sk_arrays:
        theirs += 1.0
    for array, old in zip(network_arrays(back), before, strict=True):
        np.testing.assert_array_equal(array, old)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_from_a_fitted_sklearn_mlp_then_training_leaves_it(dtype, rng):
    X, y = rng.normal(size=(40, 3)).astype(dtype), rng.integers(0, 2, 40)
    sk = fitted(MLPClassifier, X, y, hidden_layer_sizes=(5,))
    coefs = [c.copy() for c in sk.coefs_] + [b.copy() for b in sk.intercepts_]
    net = gn.from_sklearn(sk)
    net.fit(X, y, epochs=3, optimizer=gn.SGD(lr=0.5), seed=0, metrics=[])
    assert not np.array_equal(net.layers[0].W, coefs[0].T)
    for array, old in zip([*sk.coefs_, *sk.intercepts_], coefs, strict=True):
        np.testing.assert_array_equal(array, old)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_estimator_coefs_are_its_own_and_a_deep_copy_is_independent(dtype, rng):
    import copy
    import pickle

    from glassnet.sklearn import MLPClassifier as GlassnetMLP

    X, y = rng.normal(size=(40, 3)), rng.integers(0, 3, 40)
    est = GlassnetMLP(hidden_layer_sizes=(5,), batch_norm=True, max_iter=3, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    # documented: coefs_/intercepts_ are views of network_, as scikit-learn's
    # coefs_ are the estimator's own weights
    assert np.shares_memory(est.coefs_[0], est.network_.layers[0].W)
    for clone in (copy.deepcopy(est), pickle.loads(pickle.dumps(est))):
        originals = network_arrays(est.network_)
        before = [a.copy() for a in originals]
        for ours in network_arrays(clone.network_):
            for theirs in originals:
                assert not np.shares_memory(ours, theirs)
        clone.coefs_[0][...] += 1.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clone.partial_fit(X, y)
        for array, old in zip(originals, before, strict=True):
            np.testing.assert_array_equal(array, old)


# -- the task comes from the loss, never from the output activation ---------------


def by_hand(net, X, output):
    """The forward pass from the weights: tanh hidden layers, then ``output``."""
    A = X
    dense = [layer for layer in net.layers if isinstance(layer, gn.Dense)]
    for layer in dense[:-1]:
        A = np.tanh(A @ layer.W.T + layer.b)
    return output(A @ dense[-1].W.T + dense[-1].b)


def logistic(Z):
    return 1.0 / (1.0 + np.exp(-Z))


def softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def regression_networks(rng):
    X = rng.normal(size=(30, 2))
    mlp = gn.Network.mlp(
        [2, 4, 1], hidden="tanh", output="sigmoid", loss="mse", dtype="float64"
    )
    estimator = MLPRegressorGN(
        hidden_layer_sizes=(4,),
        activation="tanh",
        output_activation="sigmoid",
        max_iter=3,
        random_state=0,
        dtype="float64",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # not converged in 3 iterations
        estimator.fit(X, logistic(X[:, 0] - X[:, 1]))
    two = gn.Network.mlp(
        [2, 4, 2], hidden="tanh", output="softmax", loss="mse", dtype="float64"
    )
    return X, [
        (mlp, lambda Z: logistic(Z).ravel()),
        (estimator.network_, lambda Z: logistic(Z).ravel()),
        (two, softmax),
        (
            gn.Network.mlp([2, 4, 3], hidden="tanh", output="tanh", dtype="float64"),
            np.tanh,
        ),
    ]


def test_to_sklearn_keeps_a_regression_network_with_a_probability_output_a_regressor(
    rng,
):
    X, cases = regression_networks(rng)
    for net, output in cases:
        assert net.task == "regression"
        sk = gn.to_sklearn(net)
        assert isinstance(sk, MLPRegressor), net
        expected = by_hand(net, X, output)
        np.testing.assert_allclose(sk.predict(X), expected, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(net.predict(X), expected, rtol=1e-12, atol=1e-15)
        back = gn.from_sklearn(sk)
        assert back.task == "regression"
        np.testing.assert_allclose(back.predict(X), expected, rtol=1e-12, atol=1e-15)


def test_from_sklearn_keeps_a_regressor_with_a_logistic_output_a_regressor(rng):
    X = rng.normal(size=(40, 3))
    sk = fitted(MLPRegressor, X, rng.uniform(size=40), hidden_layer_sizes=(5,))
    sk.out_activation_ = "logistic"  # scikit-learn's predict applies it
    hidden = np.maximum(X @ sk.coefs_[0] + sk.intercepts_[0], 0.0)
    expected = logistic(hidden @ sk.coefs_[1] + sk.intercepts_[1]).ravel()
    np.testing.assert_allclose(sk.predict(X), expected, rtol=1e-12)
    net = gn.from_sklearn(sk)
    assert net.task == "regression" and net.loss.name == "mse"
    np.testing.assert_allclose(net.predict(X), expected, rtol=1e-12)


def test_a_poisson_regressor_goes_both_ways_with_its_exp_output(rng):
    X = rng.normal(size=(40, 3))
    y = rng.poisson(2.0, size=40)
    sk = fitted(MLPRegressor, X, y, loss="poisson", hidden_layer_sizes=(5,))
    hidden = np.maximum(X @ sk.coefs_[0] + sk.intercepts_[0], 0.0)
    expected = np.exp(hidden @ sk.coefs_[1] + sk.intercepts_[1]).ravel()
    net = gn.from_sklearn(sk)
    assert net.loss.name == "poisson" and net.output_activation.name == "exp"
    np.testing.assert_allclose(net.predict(X), expected, rtol=1e-12)
    back = gn.to_sklearn(net)
    assert back.loss == "poisson" and back.out_activation_ == "exp"
    np.testing.assert_allclose(back.predict(X), expected, rtol=1e-12)


def test_from_sklearn_refuses_a_classifier_without_a_probability_output(rng):
    X = rng.normal(size=(40, 3))
    sk = fitted(MLPClassifier, X, rng.integers(0, 2, 40), hidden_layer_sizes=(5,))
    sk.out_activation_ = "identity"
    with pytest.raises(ValueError, match="'out_activation_' of a scikit-learn"):
        gn.from_sklearn(sk)
