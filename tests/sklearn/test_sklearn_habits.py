"""What a scikit-learn user expects of the estimators, checked against scikit-learn.

The "lbfgs" solver, the scale of ``loss_``/``loss_curve_``, assignable
``coefs_``/``intercepts_``, the ``verbose`` lines, and the errors of
early stopping's validation split. Reference values come from
scikit-learn's own estimators fitted inside the tests, or from its loss
formulas written out here.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("scipy")

from sklearn import neural_network as sk  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402


@pytest.fixture
def data(rng):
    X = rng.normal(size=(60, 4))
    y_reg = X[:, 0] - 2 * np.sin(X[:, 1]) + 0.1 * rng.normal(size=60)
    y_multi = np.column_stack([y_reg, X[:, 2] * X[:, 3]])
    y_cls = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5)
    y_bin = (X[:, 0] * X[:, 1] > 0).astype(int)
    return X, {"reg": y_reg, "multi": y_multi, "cls": y_cls, "bin": y_bin}


def _same_start(ours, theirs, X, y):
    """Both fitted for 0 steps from glassnet's initial weights, then warm-started."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.set_params(max_iter=1).fit(X, y)
        theirs.set_params(max_iter=1).fit(X, y)
    start = [c.copy() for c in ours.coefs_], [b.copy() for b in ours.intercepts_]
    ours.coefs_, ours.intercepts_ = start
    theirs.coefs_ = [c.copy() for c in start[0]]
    theirs.intercepts_ = [b.copy() for b in start[1]]
    ours.set_params(warm_start=True)
    theirs.set_params(warm_start=True)


@pytest.mark.parametrize(
    ("kind", "activation", "alpha"),
    [
        ("reg", "tanh", 0.01),
        ("cls", "logistic", 1e-3),
        ("bin", "tanh", 0.0),
    ],
)
def test_lbfgs_follows_scikit_learn_from_the_same_start(data, kind, activation, alpha):
    X, ys = data
    y = ys[kind]
    ours_cls, theirs_cls = (
        (MLPRegressor, sk.MLPRegressor)
        if kind in ("reg", "multi")
        else (MLPClassifier, sk.MLPClassifier)
    )
    params = dict(
        hidden_layer_sizes=(6,),
        activation=activation,
        solver="lbfgs",
        alpha=alpha,
        random_state=0,
    )
    ours, theirs = ours_cls(**params), theirs_cls(**params)
    _same_start(ours, theirs, X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.set_params(max_iter=25).fit(X, y)
        theirs.set_params(max_iter=25).fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.loss_, theirs.loss_, rtol=1e-6)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), atol=1e-6)
    assert not hasattr(ours, "loss_curve_")  # none for lbfgs, as scikit-learn


def test_lbfgs_limits_warn_and_partial_fit_is_absent(data):
    X, ys = data
    est = MLPRegressor(hidden_layer_sizes=8, solver="lbfgs", max_fun=5, tol=0.0)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        est.fit(X, ys["reg"])
    assert est.n_iter_ <= 5
    est = MLPClassifier(hidden_layer_sizes=8, solver="lbfgs", max_iter=3)
    with pytest.warns(ConvergenceWarning, match=r"max_iter=3"):
        est.fit(X, ys["cls"])
    assert est.n_iter_ == 3
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")
    with pytest.raises(ValueError, match="'dropout'.*lbfgs"):
        MLPClassifier(solver="lbfgs", dropout=0.5).fit(X, ys["cls"])


def _penalty(est, X):
    n = X.shape[0]
    return 0.5 * est.alpha * sum(np.sum(c * c) for c in est.coefs_) / n


@pytest.mark.parametrize("solver", ["lbfgs", "sgd"])
def test_loss_is_scikit_learns_half_squared_error(data, solver):
    X, ys = data
    y = ys["reg"]
    # (sgd without penalty: glassnet logs the penalty of the weights after
    # the epoch's last step, scikit-learn that of the weights before it)
    est = MLPRegressor(
        hidden_layer_sizes=5,
        solver=solver,
        alpha=0.5 if solver == "lbfgs" else 0.0,
        batch_size=60,
        max_iter=40,
        random_state=1,
        shuffle=False,
        learning_rate_init=0.01,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    # scikit-learn's squared_error: 0.5 * mean((y - f(x))^2) + alpha/(2n) ||W||^2
    if solver == "lbfgs":
        expected = 0.5 * np.mean((y - est.predict(X)) ** 2) + _penalty(est, X)
        np.testing.assert_allclose(est.loss_, expected, rtol=1e-8)
    else:
        # one full batch: the logged loss is that of the weights before the step
        before = MLPRegressor(**est.get_params()).set_params(max_iter=39)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            before.fit(X, y)
        expected = 0.5 * np.mean((y - before.predict(X)) ** 2)
        np.testing.assert_allclose(est.loss_curve_[-1], expected, rtol=1e-6)
        assert est.loss_ == est.loss_curve_[-1]


def test_multi_output_loss_sums_the_outputs(data):
    """Half the squared error summed over the outputs: the cost whose gradient
    scikit-learn follows (its reported loss_ averages the outputs instead)."""
    X, ys = data
    y = ys["multi"]
    est = MLPRegressor(hidden_layer_sizes=5, solver="lbfgs", alpha=0.2, max_iter=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    half_sse = 0.5 * np.mean(np.sum((y - est.predict(X)) ** 2, axis=1))
    np.testing.assert_allclose(est.loss_, half_sse + _penalty(est, X), rtol=1e-8)


def test_classifier_loss_is_scikit_learns_log_loss(data):
    X, ys = data
    for y in (ys["cls"], np.column_stack([ys["bin"], 1 - ys["bin"], ys["bin"]])):
        est = MLPClassifier(
            hidden_layer_sizes=5, solver="lbfgs", alpha=0.3, max_iter=30, random_state=2
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
        P = est.predict_proba(X)
        Y = np.eye(3)[y] if y.ndim == 1 else y
        # scikit-learn: summed over the classes (or labels), averaged over samples
        if y.ndim == 1:
            data_term = -np.mean(np.sum(Y * np.log(P), axis=1))
        else:
            data_term = -np.mean(np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P), 1))
        np.testing.assert_allclose(est.loss_, data_term + _penalty(est, X), rtol=1e-7)


@pytest.mark.parametrize("alpha", [0.0, 0.01])
def test_sgd_steps_are_scikit_learns(data, alpha):
    """Same start, same full batches: sgd's path is scikit-learn's (3 outputs)."""
    X, ys = data
    y = np.column_stack([ys["bin"], 1 - ys["bin"], ys["bin"]])
    params = dict(
        hidden_layer_sizes=(4,),
        solver="sgd",
        learning_rate_init=0.5,
        batch_size=60,
        shuffle=False,
        momentum=0.0,
        alpha=alpha,
        random_state=0,
        activation="tanh",
    )
    ours, theirs = MLPClassifier(**params), sk.MLPClassifier(**params)
    _same_start(ours, theirs, X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.set_params(max_iter=5).fit(X, y)
        theirs.set_params(max_iter=5).fit(X, y)
    if not alpha:
        # (glassnet logs the penalty of the weights after the epoch's last
        # step, scikit-learn the one of each batch's weights before its step)
        # (entry 0 is each one's own first fit, from its own random start)
        np.testing.assert_allclose(
            ours.loss_curve_[1:], theirs.loss_curve_[1:], rtol=1e-7
        )
    for a, b in zip(ours.coefs_, theirs.coefs_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)


def test_coefs_and_intercepts_can_be_assigned(data):
    X, ys = data
    est = MLPRegressor(hidden_layer_sizes=3, max_iter=2, random_state=0)
    with pytest.raises(AttributeError, match="only after fit"):
        est.coefs_ = [np.zeros((4, 3)), np.zeros((3, 1))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, ys["reg"])
    W1, W2 = np.full((4, 3), 0.1), np.arange(3.0).reshape(3, 1)
    est.coefs_ = [W1, W2]
    est.intercepts_ = [np.zeros(3), np.array([0.5])]
    expected = np.maximum(X @ W1, 0) @ W2 + 0.5  # relu hidden layer
    np.testing.assert_allclose(est.predict(X), expected.ravel(), rtol=1e-12)
    with pytest.raises(ValueError, match=r"array 1 must be .*shape \(3, 1\)"):
        est.coefs_ = [W1, np.zeros((1, 3))]
    with pytest.raises(ValueError, match="list of 2 arrays"):
        est.intercepts_ = [np.zeros(3)]
    np.testing.assert_allclose(est.coefs_[1], W2)  # the failed sets changed nothing


def test_verbose_prints_scikit_learns_lines(data, capsys):
    X, ys = data
    est = MLPClassifier(
        hidden_layer_sizes=3,
        solver="sgd",
        tol=10.0,
        n_iter_no_change=2,
        verbose=True,
        random_state=0,
    )
    est.fit(X, ys["cls"])
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    for k, loss in enumerate(est.loss_curve_, start=1):
        assert lines[k - 1] == f"Iteration {k}, loss = {loss:.8f}"
    assert lines[-1] == (
        "Training loss did not improve more than tol=10.000000 for 2 "
        "consecutive epochs. Stopping."
    )
    est = MLPRegressor(
        hidden_layer_sizes=3,
        tol=10.0,
        n_iter_no_change=1,
        early_stopping=True,
        verbose=True,
        random_state=0,
    )
    est.fit(X, ys["reg"])
    out = capsys.readouterr().out
    scores = re.findall(r"Validation score: (\S+)", out)
    np.testing.assert_allclose(
        [float(s) for s in scores], est.validation_scores_, atol=1e-6
    )
    assert out.strip().endswith(
        "Validation score did not improve more than tol=10.000000 for 1 "
        "consecutive epochs. Stopping."
    )


def test_n_iter_no_change_inf_runs_max_iter_and_warm_start_warns(data):
    X, ys = data
    est = MLPRegressor(
        hidden_layer_sizes=3,
        tol=1e9,
        n_iter_no_change=np.inf,
        max_iter=7,
        warm_start=True,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(7\)"):
        est.fit(X, ys["reg"])
    assert est.n_iter_ == 7
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(7\)"):
        est.fit(X, ys["reg"])
    assert est.n_iter_ == 7
    with pytest.raises(ValueError, match="'n_iter_no_change'"):
        MLPRegressor(n_iter_no_change=-np.inf).fit(X, ys["reg"])


def test_early_stopping_split_errors():
    X = np.arange(8.0).reshape(4, 2)
    with pytest.raises(ValueError, match="The validation set is too small"):
        MLPRegressor(early_stopping=True).fit(X[:2], [0.0, 1.0])
    # scikit-learn's words for two classes: the boolean column y == classes_[1]
    few = r"Classes with too few members are: \['{}'\] \(the labels \['{}'\]"
    with pytest.raises(ValueError, match=few.format("True", "b")):
        MLPClassifier(early_stopping=True, validation_fraction=0.5).fit(
            X, ["a", "a", "a", "b"]
        )
    with pytest.raises(ValueError, match=few.format("False", "a")):
        MLPClassifier(early_stopping=True, validation_fraction=0.5).fit(
            X, ["a", "b", "b", "b"]
        )
    # scikit-learn's order: the stratified split fails before the size check
    with pytest.raises(ValueError, match=few.format("True", "b")):
        MLPClassifier(early_stopping=True).fit(X, ["a", "a", "a", "b"])
    # with more classes scikit-learn does not stratify; glassnet names the labels
    with pytest.raises(ValueError, match=r"too few members are: \['c'\]$"):
        MLPClassifier(early_stopping=True, validation_fraction=0.5).fit(
            np.arange(12.0).reshape(6, 2), ["a", "a", "b", "b", "a", "c"]
        )


def test_non_finite_weights_give_scikit_learns_message():
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="Solver produced non-finite parameter"):
            MLPRegressor().fit(X, rng.standard_normal(10))


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_sparse_X_trains_and_predicts_as_the_dense_array(data, fmt, solver):
    sparse = pytest.importorskip("scipy.sparse")
    X, ys = data
    X = np.where(np.abs(X) > 0.8, X, 0.0)  # mostly zeros
    Xs = sparse.csr_matrix(X) if fmt == "csr" else sparse.csc_array(X)
    params = dict(hidden_layer_sizes=5, solver=solver, max_iter=15, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = MLPClassifier(**params).fit(X, ys["cls"])
        sparse_fit = MLPClassifier(**params).fit(Xs, ys["cls"])
    np.testing.assert_allclose(sparse_fit.loss_, dense.loss_, rtol=1e-10)
    for a, b in zip(sparse_fit.coefs_, dense.coefs_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        sparse_fit.predict_proba(Xs), dense.predict_proba(X), rtol=1e-9
    )
    np.testing.assert_array_equal(dense.predict(Xs), dense.predict(X))


def test_sparse_X_in_the_network_and_its_errors(rng):
    sparse = pytest.importorskip("scipy.sparse")
    from glassnet import Network

    X = rng.normal(size=(20, 3)) * (rng.random((20, 3)) > 0.5)
    net = Network.mlp([3, 4, 2], seed=0, dtype="float64")
    np.testing.assert_allclose(
        net.predict_proba(sparse.csr_matrix(X)), net.predict_proba(X), rtol=1e-12
    )
    bad = sparse.csr_matrix(X)
    bad.data[0] = np.nan
    with pytest.raises(ValueError, match="X must be finite"):
        net.predict_proba(bad)
    with pytest.raises(ValueError, match="2 features per sample.*expects 3"):
        net.predict_proba(sparse.csr_matrix(X[:, :2]))


def test_single_class_is_fitted_as_in_scikit_learn():
    X = np.random.RandomState(0).randn(10, 2)
    y = np.full(10, "only")
    for est in (MLPClassifier(max_iter=5), sk.MLPClassifier(max_iter=5)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
        assert est.predict(X).tolist() == ["only"] * 10
    glassnet = MLPClassifier(max_iter=5, early_stopping=True, validation_fraction=0.2)
    glassnet.fit(X, y)
    assert glassnet.classes_.tolist() == ["only"]
    assert np.array_equal(glassnet.predict_proba(X), np.ones((10, 1)))
    assert np.array_equal(glassnet.predict_log_proba(X), np.zeros((10, 1)))
    w = np.r_[np.zeros(5), np.ones(5)]
    glassnet.set_params(early_stopping=False)
    assert glassnet.fit(X, y, sample_weight=w).predict(X[:1]).tolist() == ["only"]


def test_poisson_loss_is_reported_on_scikit_learns_scale():
    from sklearn.neural_network._base import poisson_loss

    rng = np.random.RandomState(0)
    X = rng.uniform(size=(40, 3))
    y = rng.poisson(np.exp(X @ [1.0, -0.5, 0.3]), size=(2, 40)).T.astype(float)
    est = MLPRegressor(
        loss="poisson", solver="lbfgs", hidden_layer_sizes=(4,), alpha=0.1
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    assert est.out_activation_ == "exp"
    mu = est.predict(X)
    assert np.all(mu > 0)
    penalty = 0.1 / (2 * 40) * sum(np.sum(W * W) for W in est.coefs_)
    assert est.loss_ == pytest.approx(poisson_loss(y, mu) + penalty, rel=1e-6)
    with pytest.raises(ValueError, match="must be non-negative"):
        MLPRegressor(loss="poisson", max_iter=2).fit(X, -y)


@pytest.mark.parametrize(("activation", "factor"), [("logistic", 2.0), ("relu", 6.0)])
def test_initialization_is_scikit_learns_scheme(activation, factor):
    # scikit-learn's _init_coef: W and b ~ U(-l, l), l = sqrt(f / (fan_in +
    # fan_out)), f = 2 for logistic else 6 (a 1e-12 rate leaves them as drawn)
    X = np.random.RandomState(0).randn(30, 20)
    est = MLPRegressor(
        hidden_layer_sizes=(50,),
        activation=activation,
        init="sklearn",
        solver="sgd",
        learning_rate_init=1e-12,
        momentum=0.0,
        max_iter=1,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, X[:, 0])
    for W, b in zip(est.coefs_, est.intercepts_, strict=True):
        bound = np.sqrt(factor / sum(W.shape))
        for values in (W, b):
            assert np.max(np.abs(values)) <= bound
        assert np.max(np.abs(W)) > 0.9 * bound
        assert np.max(np.abs(b)) > 0.5 * bound  # drawn, not zero
