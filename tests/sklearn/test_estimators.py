"""glassnet.sklearn in scikit-learn's tools, and its parameters' meaning."""

import pickle
import warnings

import numpy as np
import pytest
from optional_support import require

require("sklearn", "sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_multilabel_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    RandomizedSearchCV,
    cross_val_score,
)
from sklearn.neural_network import MLPClassifier as SkMLPClassifier  # noqa: E402
from sklearn.neural_network import MLPRegressor as SkMLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import glassnet as gn  # noqa: E402
from glassnet.datasets import load_digits  # noqa: E402
from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def digits():
    data = load_digits(seed=0)
    return data.X_train[:400], data.y_train[:400], data.X_test, data.y_test


def small(cls=MLPClassifier, **kw):
    return cls(
        **{
            "hidden_layer_sizes": (16,),
            "max_iter": 30,
            "random_state": 0,
            "learning_rate_init": 0.01,
            **kw,
        }
    )


def test_pipeline_grid_and_randomized_search_and_cross_validation(digits):
    X, y, X_test, y_test = digits
    pipe = make_pipeline(StandardScaler(), small())
    grid = GridSearchCV(pipe, {"mlpclassifier__alpha": [1e-4, 1e-1]}, cv=2)
    grid.fit(X, y)
    assert set(grid.cv_results_["param_mlpclassifier__alpha"]) == {1e-4, 1e-1}
    assert grid.score(X_test, y_test) > 0.8
    search = RandomizedSearchCV(
        small(),
        {"learning_rate_init": [1e-3, 1e-2], "hidden_layer_sizes": [(8,), (16,)]},
        n_iter=3,
        cv=2,
        random_state=0,
    )
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 3
    scores = cross_val_score(small(), X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.7


def test_clone_and_pickle_keep_predictions_and_training_state(digits):
    X, y, X_test, _ = digits
    clf = small(solver="sgd").fit(X, y)
    fresh = clone(clf)
    assert not hasattr(fresh, "network_") and fresh.get_params() == clf.get_params()
    copy = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(copy.predict_proba(X_test), clf.predict_proba(X_test))
    # the unpickled network still trains its own weights (views of one buffer)
    before = copy.coefs_[0].copy()
    copy.partial_fit(X, y)
    assert not np.allclose(copy.coefs_[0], before)


def test_fitted_attributes_in_sklearn_layout(digits):
    X, y, _, _ = digits
    clf = MLPClassifier(hidden_layer_sizes=(16, 8), max_iter=5, random_state=0)
    clf.fit(X, y)
    assert [c.shape for c in clf.coefs_] == [(64, 16), (16, 8), (8, 10)]
    assert [b.shape for b in clf.intercepts_] == [(16,), (8,), (10,)]
    dense = clf.network_.layers
    for coef, layer in zip(clf.coefs_, dense, strict=True):
        np.testing.assert_array_equal(coef, layer.W.T)
    assert clf.n_features_in_ == 64 and clf.n_layers_ == 4 and clf.n_outputs_ == 10
    assert clf.out_activation_ == "softmax" and list(clf.classes_) == list(range(10))
    assert clf.n_iter_ == 5 and len(clf.loss_curve_) == 5
    assert clf.best_loss_ == min(clf.loss_curve_)
    np.testing.assert_array_equal(clf.predict_proba(X), clf.network_.predict_proba(X))


def test_writing_coefs_changes_the_network(digits):
    X, y, X_test, _ = digits
    clf = small().fit(X, y)
    clf.coefs_[-1][...] = 0.0
    clf.intercepts_[-1][...] = 0.0
    np.testing.assert_allclose(clf.predict_proba(X_test), 0.1, rtol=1e-6)


def _sklearn_gradients(sk, X, Y, sample_weight):
    """scikit-learn's own backpropagation: per-layer (coef, intercept) grads."""
    n_layers = len(sk.coefs_) + 1
    activations = [X] + [None] * (n_layers - 1)
    deltas = [None] * (n_layers - 1)
    coef_grads = [np.empty_like(c) for c in sk.coefs_]
    intercept_grads = [np.empty_like(b) for b in sk.intercepts_]
    _, coef_grads, intercept_grads = sk._backprop(
        X, Y, sample_weight, activations, deltas, coef_grads, intercept_grads
    )
    return coef_grads, intercept_grads


# glassnet's loss / scikit-learn's: cross-entropy is the same; binary
# cross-entropy is averaged over the k outputs where scikit-learn sums them;
# mse is mean((a - y)^2) over the k outputs, scikit-learn's 1/2 (a - y)^2
# summed over outputs in its gradient.
CASES = [
    ("multiclass", MLPClassifier, SkMLPClassifier, lambda k: 1.0),
    ("binary", MLPClassifier, SkMLPClassifier, lambda k: 1.0),
    ("multilabel", MLPClassifier, SkMLPClassifier, lambda k: 1.0 / k),
    ("regression", MLPRegressor, SkMLPRegressor, lambda k: 2.0 / k),
    ("multioutput", MLPRegressor, SkMLPRegressor, lambda k: 2.0 / k),
]


def _problem(kind, rng):
    X = rng.normal(size=(40, 5))
    if kind == "multiclass":
        return X, rng.integers(0, 3, size=40)
    if kind == "binary":
        return X, rng.integers(0, 2, size=40)
    if kind == "multilabel":
        return X, rng.integers(0, 2, size=(40, 3))
    if kind == "regression":
        return X, rng.normal(size=40)
    return X, rng.normal(size=(40, 2))


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize(("kind", "ours", "theirs", "scale"), CASES)
def test_alpha_regularizes_as_in_sklearn(kind, ours, theirs, scale, weighted, rng):
    """Same weights, same alpha: glassnet's gradient is scikit-learn's times the
    ratio of the two losses, penalty included (full batch)."""
    X, y = _problem(kind, rng)
    sw = rng.uniform(0.5, 2.0, size=40) if weighted else None
    options = dict(hidden_layer_sizes=(6,), activation="tanh", alpha=0.7)
    options.update(max_iter=1, batch_size=40, random_state=0)
    sk = theirs(**options).fit(X, y, sample_weight=sw)
    est = ours(**options, dtype="float64").fit(X, y, sample_weight=sw)
    for mine, theirs_coef in zip(est.coefs_, sk.coefs_, strict=True):
        mine[...] = theirs_coef
    for mine, theirs_b in zip(est.intercepts_, sk.intercepts_, strict=True):
        mine[...] = theirs_b
    if kind in ("multiclass", "binary", "multilabel"):
        Y = sk._label_binarizer.transform(y).astype(float)
        targets = Y if kind == "multilabel" else np.searchsorted(est.classes_, y)
    else:
        Y = y.reshape(len(y), -1)
        targets = y
    coef_grads, intercept_grads = _sklearn_gradients(sk, X, Y, sw)
    est.network_.loss_and_gradients(X, targets, sample_weight=sw)
    c = scale(Y.shape[1])
    dense = est.network_.layers
    for layer, g_coef, g_b in zip(dense, coef_grads, intercept_grads, strict=True):
        np.testing.assert_allclose(layer.dW.T, c * g_coef, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(layer.db, c * g_b, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    ("param", "value", "message"),
    [
        ("alpha", -1, "'alpha' parameter of MLPClassifier must be a float"),
        ("hidden_layer_sizes", (0,), "'hidden_layer_sizes' parameter"),
        ("activation", ["relu", "tanh"], "lists 2 values for 1 hidden layers"),
        ("activation", "swish", "Unknown activation 'swish'"),
        ("learning_rate", "fast", "'learning_rate' parameter"),
        ("batch_size", 0, "'batch_size' parameter"),
        ("output_activation", "identity", "'output_activation' parameter"),
        ("loss", "mse", "'loss' parameter"),
        ("dropout", 1.0, "'dropout' parameter"),
    ],
)
def test_bad_parameters_name_themselves(digits, param, value, message):
    X, y, _, _ = digits
    with pytest.raises((ValueError, TypeError), match=message):
        small(**{param: value}).fit(X, y)


def test_regressor_refuses_negative_poisson_targets_and_softmax():
    X = np.zeros((4, 2))
    y = np.arange(4.0)
    with pytest.raises(ValueError, match="'poisson' must be non-negative"):
        MLPRegressor(loss="poisson").fit(X, y - 1)
    with pytest.raises(ValueError, match="'softmax'"):
        MLPRegressor(output_activation="softmax").fit(X, y)


def test_partial_fit_needs_classes_first_and_learns(digits):
    X, y, X_test, y_test = digits
    clf = MLPClassifier(
        hidden_layer_sizes=(32,), learning_rate_init=0.01, random_state=0
    )
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X[:50], y[:50])
    first = y < 5  # the first batch lacks half of the classes
    clf.partial_fit(X[first], y[first], classes=np.arange(10))
    assert clf.predict_proba(X_test).shape == (len(X_test), 10)
    for _ in range(30):
        clf.partial_fit(X, y)
    assert clf.n_iter_ == 31 and len(clf.loss_curve_) == 31
    assert clf.loss_curve_[-1] < clf.loss_curve_[1]
    assert clf.score(X_test, y_test) > 0.85
    with pytest.raises(ValueError, match="has classes not in"):
        clf.partial_fit(X[:3], np.array([0, 1, 11]))
    with pytest.raises(ValueError, match="early_stopping"):
        small(early_stopping=True).partial_fit(X, y, classes=np.arange(10))


def test_warm_start_continues_from_the_fitted_weights(digits):
    X, y, _, _ = digits
    clf = small(warm_start=True, max_iter=5).fit(X, y)
    weights = clf.network_.get_weights()
    clf.fit(X, y)
    assert len(clf.loss_curve_) == 10 and clf.loss_curve_[5] < clf.loss_curve_[0]
    cold = small(max_iter=5).fit(X, y)
    np.testing.assert_allclose(cold.network_.get_weights()[0], weights[0])
    with pytest.raises(ValueError, match="same classes"):
        clf.fit(X[y < 5], y[y < 5])


def test_early_stopping_records_validation_and_restores_the_best(digits):
    X, y, _, _ = digits
    clf = small(early_stopping=True, max_iter=200, n_iter_no_change=3).fit(X, y)
    assert clf.n_iter_ < 200 and clf.best_loss_ is None
    assert len(clf.validation_scores_) == clf.n_iter_
    assert len(clf.validation_loss_curve_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    # no improvement of more than tol over the last n_iter_no_change + 1 epochs
    best_before = max(clf.validation_scores_[:-4])
    assert max(clf.validation_scores_[-4:]) <= best_before + clf.tol


def test_multilabel_and_multioutput_targets(rng):
    X, Y = make_multilabel_classification(
        n_samples=120, n_features=6, n_classes=3, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    clf = MLPClassifier(hidden_layer_sizes=(32,), max_iter=300, random_state=0)
    clf.fit(X, Y)
    assert clf.predict(X).shape == (120, 3) and set(np.unique(clf.predict(X))) <= {0, 1}
    proba = clf.predict_proba(X)
    assert proba.shape == (120, 3) and clf.out_activation_ == "logistic"
    np.testing.assert_array_equal(clf.predict(X), (proba > 0.5).astype(int))
    # subset accuracy, as good as scikit-learn's own MLP on the same task
    reference = SkMLPClassifier(hidden_layer_sizes=(32,), max_iter=300, random_state=0)
    assert clf.score(X, Y) >= reference.fit(X, Y).score(X, Y) - 0.05
    Xr = rng.normal(size=(200, 4))
    Yr = np.column_stack([Xr[:, 0] - Xr[:, 1], np.tanh(Xr[:, 2])])
    reg = MLPRegressor(hidden_layer_sizes=(32,), max_iter=300, random_state=0)
    reg.fit(Xr, Yr)
    assert reg.predict(Xr).shape == (200, 2) and reg.score(Xr, Yr) > 0.9


def test_string_labels_binary_output_choices(digits):
    X, y, _, _ = digits
    names = np.where(y % 2 == 0, "even", "odd")
    sigmoid = small().fit(X, names)
    softmax = small(output_activation="softmax").fit(X, names)
    assert sigmoid.network_.n_outputs == 1 and softmax.network_.n_outputs == 2
    assert set(sigmoid.predict(X)) <= {"even", "odd"}
    assert list(softmax.classes_) == ["even", "odd"]
    proba = sigmoid.predict_proba(X)
    # (to float32 rounding: predict_proba may use the compiled kernels)
    np.testing.assert_allclose(
        proba[:, 1], sigmoid.network_.forward(X)[:, 0], rtol=1e-6
    )


def test_glassnet_options_build_the_layers(digits):
    X, y, _, _ = digits
    clf = MLPClassifier(
        hidden_layer_sizes=(16, 8),
        activation=["tanh", "relu"],
        dropout=[0.2, 0.0],
        batch_norm=True,
        l1=1e-5,
        max_iter=3,
        random_state=0,
    ).fit(X, y)
    kinds = [type(layer).__name__ for layer in clf.network_.layers]
    assert kinds == ["Dense", "BatchNorm", "Dropout", "Dense", "BatchNorm", "Dense"]
    layers = clf.network_.layers
    assert layers[1].activation.name == "tanh" and layers[4].activation.name == "relu"
    assert clf.network_.regularizer.l1 == 1e-5


def test_random_state_makes_fits_repeatable(digits):
    X, y, X_test, _ = digits
    a = small(random_state=3).fit(X, y).predict_proba(X_test)
    b = small(random_state=3).fit(X, y).predict_proba(X_test)
    c = small(random_state=4).fit(X, y).predict_proba(X_test)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_convergence_warning_when_max_iter_runs_out(digits):
    X, y, _, _ = digits
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        small(max_iter=2).fit(X, y)
    assert any(issubclass(w.category, ConvergenceWarning) for w in caught)


def test_estimator_network_saves_as_a_model_file(digits, tmp_path):
    X, y, X_test, _ = digits
    clf = small().fit(X, y)
    clf.network_.save(tmp_path / "m.glassnet")
    loaded = gn.load(tmp_path / "m.glassnet")
    np.testing.assert_array_equal(loaded.predict(X_test), clf.predict(X_test))


def _with_flipped_copies(X, y):
    """Every sample twice, the copy with weight 0 and another label."""
    return np.vstack([X, X]), np.r_[y, (y + 1) % 2], np.r_[np.ones(len(y)), 0 * y]


def test_early_stopping_scores_the_validation_part_with_its_weights(rng):
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    X2, y2, w = _with_flipped_copies(X, y)
    params = {
        "hidden_layer_sizes": (16,),
        "early_stopping": True,
        "random_state": 0,
        "max_iter": 60,
        "learning_rate_init": 0.01,
    }
    ours = MLPClassifier(**params).fit(X2, y2, sample_weight=w)
    theirs = SkMLPClassifier(**params).fit(X2, y2, sample_weight=w)
    # scikit-learn scores its validation part with the weights: near 1; the
    # unweighted accuracy of any model is about 1/2 on these samples
    assert theirs.best_validation_score_ > 0.9
    assert ours.best_validation_score_ > theirs.best_validation_score_ - 0.05
    assert ours.n_iter_ > 1 and ours.score(X, y) > 0.9


def test_regressor_early_stopping_scores_weighted_r2(rng):
    X = rng.normal(size=(300, 3))
    y = X @ np.array([1.0, -1.0, 0.5])
    # weight-0 copies with targets of the opposite sign
    X2, y2, w = np.vstack([X, X]), np.r_[y, -y], np.r_[np.ones(300), np.zeros(300)]
    params = {
        "hidden_layer_sizes": (16,),
        "early_stopping": True,
        "random_state": 0,
        "max_iter": 100,
        "learning_rate_init": 0.01,
    }
    ours = MLPRegressor(**params).fit(X2, y2, sample_weight=w)
    theirs = SkMLPRegressor(**params).fit(X2, y2, sample_weight=w)
    assert theirs.best_validation_score_ > 0.9
    assert ours.best_validation_score_ > theirs.best_validation_score_ - 0.05


def test_first_partial_fit_refuses_labels_outside_classes():
    X = np.arange(10.0).reshape(5, 2)
    y = np.array(["a", "b", "c", "a", "c"])
    with pytest.raises(ValueError) as theirs:
        SkMLPClassifier().partial_fit(X, y, classes=["a", "c"])
    with pytest.raises(ValueError) as ours:
        MLPClassifier().partial_fit(X, y, classes=["a", "c"])
    assert str(ours.value) == str(theirs.value)
    # numbers between two classes are refused too, not rounded to one
    with pytest.raises(ValueError, match="has classes not in"):
        MLPClassifier().partial_fit(X, np.array([0, 1, 2, 0, 2]), classes=[0, 2])


def test_later_partial_fit_refuses_unseen_labels():
    X = np.arange(10.0).reshape(5, 2)
    y = np.array(["a", "c", "c", "a", "c"])
    ours = MLPClassifier(hidden_layer_sizes=(4,)).partial_fit(X, y, classes=["a", "c"])
    theirs = SkMLPClassifier(hidden_layer_sizes=(4,))
    theirs.partial_fit(X, y, classes=["a", "c"])
    bad = np.array(["a", "b", "c", "a", "c"])
    with pytest.raises(ValueError) as expected:
        theirs.partial_fit(X, bad)
    with pytest.raises(ValueError) as got:
        ours.partial_fit(X, bad)
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_t_counts_the_training_samples_seen(rng, cls):
    X = rng.normal(size=(101, 3))
    y = (X[:, 0] > 0).astype(np.int64) if cls is MLPClassifier else X[:, 0]
    params = {
        "hidden_layer_sizes": (4,),
        "early_stopping": True,
        "random_state": 0,
        "max_iter": 7,
        "n_iter_no_change": 100,
    }
    reference = SkMLPClassifier if cls is MLPClassifier else SkMLPRegressor
    theirs = reference(**params).fit(X, y)
    ours = cls(**params).fit(X, y)
    # 101 - ceil(0.1 * 101) = 90 training samples per epoch, 7 epochs
    assert ours.t_ == theirs.t_ == 90 * 7


def test_invscaling_rate_follows_the_samples_seen_across_partial_fits(rng):
    X = rng.normal(size=(100, 3))
    y = (X[:, 0] > 0).astype(np.int64)
    params = {
        "hidden_layer_sizes": (4,),
        "solver": "sgd",
        "learning_rate": "invscaling",
        "learning_rate_init": 0.1,
        "random_state": 0,
    }
    ours, theirs = MLPClassifier(**params), SkMLPClassifier(**params)
    for clf in (ours, theirs):
        clf.partial_fit(X[:30], y[:30], classes=[0, 1])
        clf.partial_fit(X[30:], y[30:])
    # the second call's rate comes from the 30 samples of the first one
    assert ours.t_ == theirs.t_ == 100
    assert ours.network_.optimizer.lr == pytest.approx(0.1 / 31**0.5)
    # scikit-learn's rate after the second call: t = 100 samples seen
    assert theirs._optimizer.learning_rate == pytest.approx(0.1 / 101**0.5)


class _ScriptedNetwork:
    """Stands in for a Network: its "weights" are the epoch they were taken at."""

    def __init__(self, lr=0.1):
        self.epoch, self.restored, self.stop_training = None, None, False
        self.optimizer = type("Opt", (), {"lr": lr})()

    def get_weights(self):
        return [self.epoch]

    def set_weights(self, weights):
        self.restored = weights[0]


def _run_stopper(values, *, maximize, tol, n_iter_no_change, adaptive=False, lr=0.1):
    from glassnet.sklearn.stopping import SklearnStopping

    net, stopper = _ScriptedNetwork(lr), SklearnStopping(maximize=maximize)
    stopper.configure(
        "v", tol=tol, n_iter_no_change=n_iter_no_change, adaptive=adaptive
    )
    stopper.set_context(net, {})
    stopper.on_train_begin({})
    ran = 0
    for epoch, value in enumerate(values):
        net.epoch = epoch
        stopper.on_epoch_end(epoch, {"v": value})
        ran += 1
        if net.stop_training:
            break
    stopper.on_train_end({})
    return stopper, net, ran


def test_stopping_keeps_the_strictly_best_score_and_counts_with_tol():
    # scikit-learn's _update_no_improvement_count, by hand (tol 0.01, n = 2):
    # 0.5, 0.8 improve by more than tol (count 0); 0.805 < 0.8 + tol (1),
    # 0.806 < 0.805 + tol (2), 0.807 < 0.806 + tol (3 > 2: stop). Each of
    # the last three is strictly best, so epoch 4's weights are kept (Keras's
    # min_delta would keep epoch 1's, the last to improve by more than tol).
    stopper, net, ran = _run_stopper(
        [0.5, 0.8, 0.805, 0.806, 0.807, 0.9],
        maximize=True,
        tol=0.01,
        n_iter_no_change=2,
    )
    assert ran == 5 and net.restored == 4 and stopper.best == 0.807


def test_stopping_on_the_training_loss_restores_nothing():
    losses = [1.0, 0.5, 0.4995, 0.499, 0.4985, 0.1]
    stopper, net, ran = _run_stopper(
        losses, maximize=False, tol=1e-3, n_iter_no_change=2
    )
    # 0.4995 > 0.5 - 1e-3 (1), 0.499 (2), 0.4985 (3 > 2): stop after epoch 4
    assert ran == 5 and net.restored is None and stopper.best == 0.4985
    # "adaptive": the rate is divided by 5 and the count restarts instead
    stopper, net, ran = _run_stopper(
        losses, maximize=False, tol=1e-3, n_iter_no_change=2, adaptive=True
    )
    assert ran == 6 and net.optimizer.lr == pytest.approx(0.02) and stopper.count == 0
    # ... unless the rate is already at most 1e-6
    _, net, ran = _run_stopper(
        losses, maximize=False, tol=1e-3, n_iter_no_change=2, adaptive=True, lr=1e-6
    )
    assert ran == 5 and net.optimizer.lr == 1e-6


def _validation_rows(n, fraction, seed, labels=None):
    from glassnet.training.fit_data import split_indices

    return split_indices(n, labels, fraction, np.random.default_rng(seed))[1]


def test_kept_regressor_scores_best_validation_score_on_the_validation_part():
    from sklearn.metrics import r2_score

    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 2))
    y = X[:, 0] * 2 + X[:, 1]
    est = MLPRegressor(
        (20,),
        early_stopping=True,
        max_iter=300,
        random_state=0,
        learning_rate_init=0.01,
    ).fit(X, y)
    val = _validation_rows(600, 0.1, 0)
    kept = r2_score(y[val], est.predict(X[val]))
    assert kept == pytest.approx(est.best_validation_score_, rel=1e-12, abs=1e-12)
    assert est.best_validation_score_ == max(est.validation_scores_)


def test_kept_classifier_scores_best_validation_score_on_the_validation_part():
    from sklearn.metrics import accuracy_score

    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 2))
    y = (X[:, 0] + 0.5 * rng.normal(size=300) > 0).astype(int) + (X[:, 1] > 0.5)
    # tol larger than one sample's share of the accuracy (1/60)
    est = MLPClassifier(
        (8,),
        early_stopping=True,
        max_iter=300,
        random_state=0,
        learning_rate_init=0.01,
        tol=0.02,
        n_iter_no_change=5,
        validation_fraction=0.2,
    ).fit(X, y)
    val = _validation_rows(300, 0.2, 0, labels=np.searchsorted(est.classes_, y))
    assert accuracy_score(y[val], est.predict(X[val])) == est.best_validation_score_
    assert est.best_validation_score_ == max(est.validation_scores_)


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_feature_names_are_checked_as_in_sklearn(cls):
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    y = (X["a"] > 0).astype(np.int64)
    reference = SkMLPClassifier if cls is MLPClassifier else SkMLPRegressor
    theirs = reference(hidden_layer_sizes=(4,), max_iter=5).fit(X, y)
    ours = small(cls, max_iter=5).fit(X, y)
    assert list(ours.feature_names_in_) == list(theirs.feature_names_in_)
    for est in (theirs, ours):  # reordered columns: refused by both
        with pytest.raises(ValueError, match="feature names should match"):
            est.predict(X[["c", "b", "a"]])


def test_early_stopping_with_zero_weights_on_the_validation_part_says_so():
    from glassnet.training.fit_data import split_indices

    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2))
    y = (X[:, 0] > 0).astype(np.int64)
    # the estimator holds out the split of validation_split, seeded by random_state
    _, val = split_indices(20, y, 0.1, np.random.default_rng(0))
    w = np.ones(20)
    w[val] = 0.0
    clf = small(early_stopping=True, max_iter=5)
    with pytest.raises(ValueError, match="some of the validation samples"):
        clf.fit(X, y, sample_weight=w)


def softplus(z):
    return np.logaddexp(0.0, z)  # log(1 + e^z), exact at any z


def with_logits(kind, logits, rng):
    """A fitted classifier whose output pre-activations are ``logits`` for any X."""
    X = rng.normal(size=(12, 2))
    y = {
        "multiclass": np.arange(12) % 3,
        "binary": np.arange(12) % 2,
        "multilabel": np.stack([np.arange(12) % 2, np.arange(12) // 6], axis=1),
    }[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = MLPClassifier(
            hidden_layer_sizes=(3,), max_iter=1, random_state=0, dtype="float64"
        ).fit(X, y)
    last = est.network_.layers[-1]
    last.W[...] = 0.0
    last.b[...] = logits
    return est, X


@pytest.mark.parametrize(
    ("kind", "logits"),
    [
        ("multiclass", [1000.0, 0.0, -1000.0]),
        ("multiclass", [-800.0, 0.0, 40.0]),
        ("binary", [1000.0]),
        ("binary", [-1000.0]),
        ("binary", [40.0]),
        ("multilabel", [1000.0, -1000.0]),
    ],
)
def test_predict_log_proba_is_exact_at_extreme_logits(kind, logits, rng):
    est, X = with_logits(kind, logits, rng)
    z = np.array(logits)
    if kind == "multiclass":  # log softmax: z_j - log sum_i e^(z_i)
        top = z.max()
        expected = z - (top + np.log(np.sum(np.exp(z - top))))
    elif kind == "binary":  # (log(1 - sigma(z)), log sigma(z))
        expected = np.array([-softplus(z[0]), -softplus(-z[0])])
    else:
        expected = -softplus(-z)
    got = est.predict_log_proba(X)
    assert got.shape == (X.shape[0], expected.size)
    # (atol: the hand formula rounds log(1 + e^-40) to 0, the estimator does not)
    np.testing.assert_allclose(
        got, np.broadcast_to(expected, got.shape), rtol=1e-12, atol=1e-15
    )
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(np.exp(got), est.predict_proba(X), atol=1e-15)


@pytest.mark.parametrize(
    ("kind", "logits"),
    [("multilabel", [40.0, 45.0]), ("multiclass", [-50.0, 40.0, 0.0])],
)
def test_log_proba_ranks_classes_as_proba_does_near_1(kind, logits, rng):
    # sigma(40) = 1 - 4e-18 and sigma(45) round to the same float64 1.0; the
    # softmax's top probability 1 - e^-40 does too
    est, X = with_logits(kind, logits, rng)
    proba, log_proba = est.predict_proba(X), est.predict_log_proba(X)
    assert np.all(proba.max(axis=1) == 1.0)
    assert np.array_equal(proba.argmax(axis=1), log_proba.argmax(axis=1))
    np.testing.assert_array_equal(log_proba[proba > 0.5], 0.0)
    # below 1/2 the logs stay exact: log sigma(z) or log softmax from z
    z = np.array(logits)
    if kind == "multiclass":
        top = z.max()
        exact = z - (top + np.log(np.sum(np.exp(z - top))))
        expected = np.broadcast_to(exact[[0, 2]], (X.shape[0], 2))
        np.testing.assert_allclose(log_proba[:, [0, 2]], expected, rtol=1e-12)
