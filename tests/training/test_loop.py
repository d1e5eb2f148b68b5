import warnings

import numpy as np
import pytest

import glassnet as gn


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def reference_gd_step(W1, b1, W2, b2, X, y, lr):
    """Lecture 003's vectorized backpropagation, written out independently.

    Column-sample layout as in the notes: Z1 = W1 A0 + b1, A2 = sigmoid(Z2),
    dZ2 = A2 - Y, dW2 = dZ2 A1^T / m, dZ1 = W2^T dZ2 * g'(Z1), ...
    """
    m = X.shape[0]
    A0 = X.T
    Z1 = W1 @ A0 + b1[:, None]
    A1 = np.tanh(Z1)
    Z2 = W2 @ A1 + b2[:, None]
    A2 = sigmoid(Z2)
    dZ2 = A2 - y[None, :]
    dW2 = dZ2 @ A1.T / m
    db2 = dZ2.sum(axis=1) / m
    dZ1 = (W2.T @ dZ2) * (1 - A1**2)
    dW1 = dZ1 @ A0.T / m
    db1 = dZ1.sum(axis=1) / m
    return W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2


def small_problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 3))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    return X, y


def test_full_batch_fit_is_plain_gradient_descent():
    X, y = small_problem()
    net = gn.Network.mlp([3, 4, 1], hidden="tanh", seed=0, dtype="float64")
    params = net.get_weights()
    net.fit(X, y, epochs=3, batch_size=None, optimizer=gn.SGD(lr=0.5), shuffle=False)
    for _ in range(3):
        params = reference_gd_step(*params, X, y, lr=0.5)
    for ours, ref in zip(net.get_weights(), params, strict=True):
        assert ours == pytest.approx(ref, rel=1e-12, abs=1e-14)


class CountBatches(gn.Callback):
    def __init__(self):
        self.sizes = []

    def on_batch_end(self, batch, logs):
        self.sizes.append(logs["size"])


@pytest.mark.parametrize(
    ("batch_size", "sizes"),
    [(None, [12]), (1, [1] * 12), (5, [5, 5, 2]), (12, [12]), (100, [12])],
)
def test_batch_size_none_one_and_k(batch_size, sizes):
    X, y = small_problem()
    counter = CountBatches()
    net = gn.Network.mlp([3, 4, 1], seed=0)
    net.fit(X, y, epochs=2, batch_size=batch_size, callbacks=[counter], seed=0)
    assert counter.sizes == sizes * 2


def test_stochastic_gradient_descent_visits_samples_in_the_seeded_order():
    X, y = small_problem()
    net = gn.Network.mlp([3, 4, 1], hidden="tanh", seed=0, dtype="float64")
    params = net.get_weights()
    net.fit(X, y, epochs=1, batch_size=1, optimizer=gn.SGD(lr=0.1), seed=3)
    for i in np.random.default_rng(3).permutation(12):
        params = reference_gd_step(*params, X[i : i + 1], y[i : i + 1], lr=0.1)
    for ours, ref in zip(net.get_weights(), params, strict=True):
        assert ours == pytest.approx(ref, rel=1e-12, abs=1e-14)


def test_history_records_loss_and_val_loss_per_epoch():
    X, y = small_problem()
    net = gn.Network.mlp([3, 8, 1], hidden="tanh", seed=0, dtype="float64")
    history = net.fit(
        X,
        y,
        epochs=4,
        batch_size=4,
        optimizer=gn.SGD(lr=0.3),
        validation_data=(X[:5], y[:5]),
        seed=0,
    )
    assert history.epoch == [0, 1, 2, 3]
    assert len(history.history["loss"]) == 4 and len(history.history["val_loss"]) == 4
    # val_loss is the loss of the trained network on the validation data
    assert history.history["val_loss"][-1] == pytest.approx(
        net.evaluate(X[:5], y[:5])["loss"]
    )


def test_same_seed_same_training():
    X, y = small_problem()
    results = []
    for _ in range(2):
        net = gn.Network.mlp([3, 8, 1], seed=1)
        net.fit(X, y, epochs=3, batch_size=4, seed=9)
        results.append(net.parameters_flat.copy())
    assert np.array_equal(*results)


def test_verbose_prints_one_line_per_epoch(capsys):
    X, y = small_problem()
    # verbose=2 is one line per epoch (verbose=1, as in Keras, a progress bar)
    gn.Network.mlp([3, 4, 1], seed=0).fit(X, y, epochs=3, verbose=2)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("epoch 1/3") and "loss" in lines[0]
    gn.Network.mlp([3, 4, 1], seed=0).fit(X, y, epochs=3, verbose=0)
    assert capsys.readouterr().out == ""


def test_a_callback_can_stop_training():
    class StopAfterTwo(gn.Callback):
        def on_epoch_end(self, epoch, logs):
            if epoch == 1:
                self.network.stop_training = True

    X, y = small_problem()
    history = gn.Network.mlp([3, 4, 1], seed=0).fit(
        X, y, epochs=10, callbacks=[StopAfterTwo()]
    )
    assert history.epoch == [0, 1]


def test_two_two_one_sigmoid_network_learns_xor():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([0, 1, 1, 0])
    net = gn.Network.mlp([2, 2, 1], hidden="sigmoid", seed=1, dtype="float64")
    net.fit(X, y, epochs=3000, batch_size=None, optimizer=gn.SGD(lr=2.0))
    assert net.predict(X).tolist() == [0, 1, 1, 0]
    assert net.evaluate(X, y)["loss"] < 0.01


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, r"'epochs' parameter of fit must be an int in the range \[1"),
        ({"batch_size": 0}, "'batch_size' parameter of fit"),
        ({"batch_size": 2.5}, "'batch_size' parameter of fit"),
        ({"optimizer": "adamant"}, "Unknown optimizer 'adamant'. Valid names: .*sgd"),
        ({"optimizer": gn.SGD}, "'optimizer' parameter"),
        ({"validation_data": ([[1.0, 2.0, 3.0]],)}, "pair"),
        ({"validation_data": ([[1.0, 2.0]], [0])}, "X_val has 2 features"),
        ({"verbose": 5}, "'verbose' parameter"),
    ],
)
def test_bad_fit_arguments(kwargs, message):
    X, y = small_problem()
    with pytest.raises((ValueError, TypeError), match=message):
        gn.Network.mlp([3, 4, 1], seed=0).fit(X, y, **kwargs)


def test_sgd_learning_rate_is_validated():
    with pytest.raises(ValueError, match=r"'lr' parameter of SGD .*\[0, inf\). Got -1"):
        gn.SGD(lr=-1)


def test_train_step_returns_the_loss_before_the_update():
    X, y = small_problem()
    net = gn.Network.mlp([3, 4, 1], seed=0, dtype="float64")
    before = net.evaluate(X, y)["loss"]
    assert net.train_step(X, y, gn.SGD(lr=0.1)) == pytest.approx(before)
    assert net.evaluate(X, y)["loss"] < before


def test_perceptron_learns_and_and_or():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    for targets in ([0, 0, 0, 1], [0, 1, 1, 1]):
        p = gn.Perceptron(2, "step", seed=0)
        result = p.fit(X, targets)
        assert result.converged and result.errors[-1] == 0
        assert p.predict(X).tolist() == targets
    sign = gn.Perceptron(2, "sign", seed=1)
    assert sign.fit(X, [-1, -1, -1, 1]).converged


def test_perceptron_reports_that_it_cannot_learn_xor():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    p = gn.Perceptron(2, "step", max_epochs=50, seed=0)
    with pytest.warns(gn.ConvergenceWarning, match="did not converge in 50 epochs"):
        result = p.fit(X, [0, 1, 1, 0])
    assert not result.converged and result.epochs == 50
    assert min(result.errors) > 0


def test_perceptron_rejects_bad_targets_and_activations():
    with pytest.raises(ValueError, match="targets in"):
        gn.Perceptron(2, "step").fit([[0, 0], [1, 1]], [0, 2])
    with pytest.raises(ValueError, match="'step' or 'sign'"):
        gn.Perceptron(2, "sigmoid")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gn.Perceptron(1, "step").fit([[0.0], [1.0]], [0, 1])


def test_universal_approximation_of_falling_distance():
    """Lecture 002's quiz: fit h = 1/2 g t^2 with one hidden layer."""
    g = 9.81
    rng = np.random.default_rng(0)
    t_train = rng.uniform(0, 3, size=(400, 1))
    t_test = rng.uniform(0, 3, size=(200, 1))
    scale = 0.5 * g * 9  # h at t = 3 s: targets scaled to [0, 1]
    net = gn.Network.mlp([1, 16, 1], hidden="tanh", loss="mse", seed=0, dtype="float64")
    net.fit(
        t_train / 3,
        0.5 * g * t_train**2 / scale,
        epochs=1000,
        batch_size=16,
        optimizer=gn.SGD(lr=0.1),
        seed=0,
    )
    predicted = net.predict(t_test / 3) * scale
    rmse = np.sqrt(np.mean((predicted - 0.5 * g * t_test.ravel() ** 2) ** 2))
    assert rmse < 0.5  # metres, on heights from 0 to 44 m
