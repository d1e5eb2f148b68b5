"""fit's data handling: validation split, sample and class weights, bad inputs."""

import numpy as np
import pytest

import glassnet as gn


@pytest.fixture
def imbalanced():
    """200 samples, 3 classes in proportions 60% / 30% / 10%, sorted by class."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], [120, 60, 20])
    X = rng.normal(size=(200, 4)) + y[:, None]
    return X, y


class ValidationSpy(gn.Callback):
    """Remembers the number of training samples fit reports."""

    def on_train_begin(self, logs):
        self.n_samples = self.params["n_samples"]


# -- validation_split ----------------------------------------------------------------


def _split(network, X, y, fraction, seed):
    from glassnet.training.fit_data import class_labels, split_indices

    Y = network.prepare_targets(y)
    labels = class_labels(network, Y)
    return split_indices(X.shape[0], labels, fraction, np.random.default_rng(seed))


def test_validation_split_is_stratified_seeded_and_random(imbalanced):
    X, y = imbalanced
    net = gn.Network.mlp([4, 8, 3], seed=0)
    train, val = _split(net, X, y, 0.25, seed=0)
    assert val.size == 50 and train.size == 150
    assert np.intersect1d(train, val).size == 0
    # Every class keeps its share: 30, 15 and 5 of the 50.
    np.testing.assert_array_equal(np.bincount(y[val]), [30, 15, 5])
    # Not "the last 25%" (that would be all of class 2 and some of class 1).
    assert val.max() > 150 and val.min() < 120
    again, _ = _split(net, X, y, 0.25, seed=0)
    np.testing.assert_array_equal(train, again)
    other, _ = _split(net, X, y, 0.25, seed=1)
    assert not np.array_equal(train, other)


def test_validation_split_shares_round_to_the_exact_total():
    from glassnet.training.fit_data import split_indices

    labels = np.repeat([0, 1, 2], [7, 7, 7])
    _, val = split_indices(21, labels, 0.5, np.random.default_rng(0))
    assert val.size == 11  # ceil(10.5)
    assert sorted(np.bincount(labels[val])) == [3, 4, 4]


def test_fit_with_validation_split_reports_val_metrics(imbalanced):
    X, y = imbalanced
    spy = ValidationSpy()
    history = gn.Network.mlp([4, 8, 3], seed=0).fit(
        X, y, epochs=2, validation_split=0.2, seed=0, callbacks=[spy]
    )
    assert spy.n_samples == 160
    assert {"val_loss", "val_accuracy"} <= set(history.history)


def test_regression_split_is_random_but_not_stratified():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    net = gn.Network.mlp([2, 4, 1], loss="mse", seed=0)
    train, val = _split(net, X, X[:, 0], 0.2, seed=3)
    assert val.size == 10 and train.size == 40


# -- sample_weight and class_weight ----------------------------------------------------


def test_integer_weights_equal_repeating_samples():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(6, 3)), rng.integers(0, 3, 6)
    w = np.array([1, 2, 0, 3, 1, 1])
    weighted = gn.Network.mlp([3, 5, 3], seed=0, dtype="float64")
    repeated = gn.Network.mlp([3, 5, 3], seed=0, dtype="float64")
    loss_w = weighted.loss_and_gradients(X, y, sample_weight=w)
    loss_r = repeated.loss_and_gradients(np.repeat(X, w, 0), np.repeat(y, w))
    assert loss_w == pytest.approx(loss_r, rel=1e-12)
    np.testing.assert_allclose(
        weighted.gradients_flat, repeated.gradients_flat, rtol=1e-10, atol=1e-14
    )


def test_equal_weights_change_nothing():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(8, 3)), rng.normal(size=8)
    net = gn.Network.mlp([3, 4, 1], loss="huber", seed=0, dtype="float64")
    plain = net.loss_and_gradients(X, y)
    grads = net.gradients_flat.copy()
    assert net.loss_and_gradients(X, y, sample_weight=np.full(8, 7.5)) == pytest.approx(
        plain, rel=1e-14
    )
    np.testing.assert_allclose(net.gradients_flat, grads, rtol=1e-12)


def test_loss_api_weights_value_gradient_and_delta_consistently():
    rng = np.random.default_rng(3)
    A, Y = rng.uniform(0.1, 0.9, (5, 2)), rng.integers(0, 2, (5, 2)).astype(float)
    w = np.array([0.5, 1.5, 1.0, 2.0, 0.0])
    loss = gn.BinaryCrossEntropy()
    costs = loss.sample_costs(A, Y)
    assert loss.value(A, Y, weights=w) == pytest.approx(np.dot(w, costs) / 5)
    np.testing.assert_allclose(
        loss.gradient(A, Y, weights=w), loss.gradient(A, Y) * w[:, None]
    )
    sig = gn.Sigmoid()
    np.testing.assert_allclose(
        loss.output_delta(None, A, Y, sig, weights=w),
        loss.output_delta(None, A, Y, sig) * w[:, None],
    )


def test_balanced_class_weight_is_n_over_k_times_count(imbalanced):
    from glassnet.training.fit_data import class_weight_per_sample

    _, y = imbalanced
    w = class_weight_per_sample("balanced", y)
    # 200 / (3 * 120), 200 / (3 * 60), 200 / (3 * 20)
    assert w[0] == pytest.approx(200 / 360)
    assert w[150] == pytest.approx(200 / 180)
    assert w[-1] == pytest.approx(200 / 60)
    # Each class then carries the same total weight.
    totals = np.bincount(y, weights=w)
    np.testing.assert_allclose(totals, totals[0])
    w = class_weight_per_sample({2: 5.0}, y)
    assert w[0] == 1.0 and w[-1] == 5.0


def test_class_weight_equals_the_matching_sample_weight(imbalanced):
    X, y = imbalanced

    def train(**weights):
        net = gn.Network.mlp([4, 6, 3], seed=0, dtype="float64")
        history = net.fit(
            X, y, epochs=2, batch_size=50, optimizer="adam", seed=0, **weights
        )
        return history.history["loss"], net.get_weights()

    by_class = train(class_weight={0: 1.0, 1: 2.0, 2: 6.0})
    by_sample = train(sample_weight=np.array([1.0, 2.0, 6.0])[y])
    assert by_class[0] == pytest.approx(by_sample[0], rel=1e-12)
    for a, b in zip(by_class[1], by_sample[1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10)


@pytest.mark.parametrize(
    "classes, output",
    [([1, 2, 3], "softmax"), (["cat", "dog", "eel"], "softmax"), ([1, 2], "sigmoid")],
    ids=["int_labels", "string_labels", "binary_int_labels"],
)
def test_class_weight_keys_are_the_labels_of_y(imbalanced, classes, output):
    from glassnet.datasets.preprocessing import Preprocessing

    X, codes = imbalanced
    if len(classes) == 2:
        codes = np.minimum(codes, 1)
    y = np.array(classes, dtype=object)[codes]
    y = y.astype(str if isinstance(classes[0], str) else np.int64)
    # the last label weighs 20, by hand as one weight per sample
    heavy = classes[-1]
    by_hand = np.where(y == heavy, 20.0, 1.0)

    def train(**weights):
        sizes = [4, 6, len(classes) if output == "softmax" else 1]
        net = gn.Network.mlp(sizes, output=output, seed=0, dtype="float64")
        net.preprocessing = Preprocessing(classes=list(classes))
        history = net.fit(
            X, y, epochs=2, batch_size=50, optimizer="adam", seed=0, **weights
        )
        return history.history["loss"], net.get_weights()

    by_class = train(class_weight={heavy: 20.0})
    by_sample = train(sample_weight=by_hand)
    assert by_class[0] == pytest.approx(by_sample[0], rel=1e-12)
    for a, b in zip(by_class[1], by_sample[1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10)


def test_class_weight_names_the_labels_present_when_a_key_is_unknown(imbalanced):
    from glassnet.datasets.preprocessing import Preprocessing

    X, codes = imbalanced
    y = np.array([1, 2, 3])[codes]
    net = gn.Network.mlp([4, 3], seed=0)
    net.preprocessing = Preprocessing(classes=[1, 2, 3])
    with pytest.raises(ValueError, match=r"class 0, .*present: 1, 2, 3\)"):
        net.fit(X, y, epochs=1, class_weight={0: 2.0})


def test_balanced_class_weight_lifts_the_minority_recall(imbalanced):
    X, y = imbalanced
    X = X * 0.35  # more overlap between the classes
    recalls = []
    for class_weight in (None, "balanced"):
        net = gn.Network.mlp([4, 16, 3], seed=0)
        net.fit(
            X,
            y,
            epochs=30,
            optimizer=gn.Adam(lr=0.01),
            seed=0,
            class_weight=class_weight,
        )
        recalls.append(
            net.evaluate(X, y, metrics=["per_class_recall"])["per_class_recall"]
        )
    assert recalls[1][2] > recalls[0][2]


# -- bad inputs --------------------------------------------------------------------


@pytest.fixture
def small():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    return X, (X[:, 0] > 0).astype(int)


def fit_small(small, **kwargs):
    X, y = small
    net = gn.Network.mlp([3, 4, 2], seed=0)
    return net.fit(X, y, **{"epochs": 1, **kwargs})


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            {"optimizer": "adamm"},
            ValueError,
            r"Unknown optimizer 'adamm'\. Valid names: ",
        ),
        ({"optimizer": gn.SGD}, TypeError, "name .str. or an Optimizer instance"),
        ({"class_weight": {0: 1.0, 5: 3.0}}, ValueError, r"names the class 5, which"),
        (
            {"class_weight": {0: -1.0}},
            ValueError,
            r"'class_weight\[0\]' parameter of fit",
        ),
        ({"class_weight": "even"}, ValueError, "dict {class: weight} or 'balanced'"),
        (
            {"sample_weight": np.ones(19)},
            ValueError,
            r"shape \(20,\).*Got shape \(19,\)",
        ),
        ({"sample_weight": -np.ones(20)}, ValueError, "must be non-negative. Got -1.0"),
        ({"sample_weight": np.zeros(20)}, ValueError, "must not be all zero"),
        ({"sample_weight": [np.nan] * 20}, ValueError, "sample_weight must be finite"),
        ({"sample_weight": "heavy"}, TypeError, "sample_weight must be an array"),
        ({"validation_split": 1.0}, ValueError, "'validation_split' parameter of fit"),
        ({"validation_split": -0.2}, ValueError, "'validation_split' parameter of fit"),
        (
            {"validation_split": 0.2, "validation_data": ([[0, 0, 0]], [0])},
            ValueError,
            "either validation_data or validation_split",
        ),
        ({"validation_data": [[0, 0, 0]]}, ValueError, "must be a pair"),
        ({"metrics": ["mae"]}, ValueError, "'mae' is for regression"),
        ({"verbose": 3}, ValueError, "'verbose' parameter of fit"),
        ({"epochs": 0}, ValueError, "'epochs' parameter of fit"),
    ],
    ids=[
        "unknown_optimizer",
        "optimizer_class_not_instance",
        "class_weight_absent_class",
        "class_weight_negative",
        "class_weight_unknown_string",
        "sample_weight_wrong_length",
        "sample_weight_negative",
        "sample_weight_all_zero",
        "sample_weight_nan",
        "sample_weight_string",
        "validation_split_one",
        "validation_split_negative",
        "both_validations",
        "validation_data_not_a_pair",
        "metric_for_other_task",
        "verbose_three",
        "zero_epochs",
    ],
)
def test_bad_fit_inputs_raise_clear_errors(small, kwargs, error, message):
    with pytest.raises(error, match=message):
        fit_small(small, **kwargs)


def test_negative_learning_rate_by_name_is_refused(small):
    with pytest.raises(ValueError, match=r"'lr' parameter of Adam must be a float"):
        fit_small(small, optimizer=gn.optimizers.get("adam", lr=-0.001))


def test_class_weight_on_a_regressor_is_refused():
    X = np.ones((4, 2))
    net = gn.Network.mlp([2, 2, 1], loss="mse", seed=0)
    with pytest.raises(ValueError, match="class_weight needs a classifier"):
        net.fit(X, np.ones(4), epochs=1, class_weight="balanced")


def test_train_step_takes_sample_weights(small):
    X, y = small
    net = gn.Network.mlp([3, 4, 2], seed=0)
    with pytest.raises(ValueError, match="non-negative"):
        net.train_step(X, y, optimizer="sgd", sample_weight=-np.ones(20))
    assert np.isfinite(net.train_step(X, y, "adam", sample_weight=np.arange(20)))


def test_training_is_reproducible(small):
    X, y = small

    def run():
        net = gn.Network(
            [gn.Dense(3, 8, "relu"), gn.Dropout(0.3), gn.Dense(8, 2, "softmax")], seed=1
        )
        history = net.fit(
            X, y, epochs=3, optimizer="adam", validation_split=0.2, seed=2
        )
        return history.history["loss"], net.get_weights()

    (loss_a, w_a), (loss_b, w_b) = run(), run()
    assert loss_a == loss_b
    for a, b in zip(w_a, w_b, strict=True):
        np.testing.assert_array_equal(a, b)


def test_unshuffled_full_batch_training_matches_train_step(small):
    X, y = small
    a = gn.Network.mlp([3, 4, 2], seed=0, dtype="float64")
    b = gn.Network.mlp([3, 4, 2], seed=0, dtype="float64")
    a.fit(X, y, epochs=3, batch_size=None, shuffle=False, optimizer=gn.SGD(lr=0.1))
    opt = gn.SGD(lr=0.1)
    for _ in range(3):
        b.train_step(X, y, opt)
    np.testing.assert_allclose(a.parameters_flat, b.parameters_flat, rtol=1e-12)


# -- a small real subset ------------------------------------------------------------


def _data_root():
    import os
    from pathlib import Path

    root = os.environ.get("GLASSNET_DATA")
    if root:
        return Path(root)
    return Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.mark.slow  # a subprocess or a real dataset
def test_mnist_subset_with_dropout_and_adam():
    from glassnet.datasets import load_mnist

    folder = _data_root() / "mnist"
    if not (folder / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip(f"MNIST not found in {folder}")
    data = load_mnist(folder)  # as examples/mnist_mlp.py loads it
    X_train, y_train, X_test, y_test = (
        data.X_train,
        data.y_train,
        data.X_test,
        data.y_test,
    )
    assert X_train.shape == (60000, 784) and X_test.shape == (10000, 784)
    assert X_train.dtype == np.float32 and 0.0 <= X_train.min() <= X_train.max() <= 1.0
    net = gn.Network(
        [
            gn.Dense(784, 64, "relu"),
            gn.Dropout(0.2),
            gn.Dense(64, 10, "softmax"),
        ],
        seed=0,
    )
    history = net.fit(
        X_train[:3000],
        y_train[:3000],
        epochs=4,
        batch_size=64,
        optimizer="adam",
        validation_split=0.1,
        callbacks=[gn.EarlyStopping(patience=2, restore_best_weights=True)],
        seed=0,
    )
    assert history.history["val_accuracy"][-1] > 0.85
    assert net.evaluate(X_test[:2000], y_test[:2000])["accuracy"] > 0.85


@pytest.mark.parametrize("part", ["validation", "training"])
def test_a_split_part_with_only_zero_weights_is_named(part):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    y = (X[:, 0] > 0).astype(np.int64)
    net = gn.Network.mlp([3, 4, 2], seed=0)
    train, val = _split(net, X, y, 0.1, seed=0)
    w = np.ones(20)
    w[val if part == "validation" else train] = 0.0  # the rest keep weight 1
    message = f"non-zero weight to some of the {part} samples"
    with pytest.raises(ValueError, match=message):
        net.fit(X, y, epochs=1, validation_split=0.1, sample_weight=w, seed=0)


def test_zero_weights_of_validation_data_name_sample_weight_val():
    X = np.eye(3)
    net = gn.Network.mlp([3, 2], seed=0)
    with pytest.raises(ValueError, match="sample_weight_val must not be all zero"):
        net.fit(X, [0, 1, 0], epochs=1, validation_data=(X, [0, 1, 0], np.zeros(3)))
