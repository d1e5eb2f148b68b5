"""Diagnostics on constructed cases whose answers are known by hand."""

import runpy
import warnings
from pathlib import Path

import numpy as np
import pytest
from untouched_support import assert_untouched, network_with_state, sample

import glassnet as gn
from glassnet.datasets import load_digits
from glassnet.training.diagnostics import (
    Diagnostics,
    DiagnosticWarning,
    dead_fraction,
    diagnose,
    overfitting_since,
    overfitting_start,
    saturation,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def dense(n_in, n_out, activation, W, b):
    layer = gn.Dense(n_in, n_out, activation, seed=0)
    layer.W, layer.b = W, b
    return layer


class Recorder(gn.Callback):
    """Keeps a copy of every epoch's logs, as seen after the callbacks before it."""

    def __init__(self):
        self.logs = []

    def on_epoch_end(self, epoch, logs):
        self.logs.append(dict(logs))


# -- saturation and dead units -------------------------------------------------
def test_a_layer_forced_into_saturation_reports_one():
    # z = 50 * (x1 + x2) >= 50 for positive inputs: sigmoid(z) rounds to 1
    hidden = dense(2, 3, "sigmoid", 50 * np.ones((3, 2)), np.zeros(3))
    net = gn.Network([hidden, gn.Dense(3, 1, "identity", seed=0)], dtype="float64")
    X = np.array([[1.0, 2.0], [0.5, 0.5], [3.0, 0.1]])
    assert diagnose(net, X, [0.0, 1.0, 2.0])["saturation/1"] == 1.0
    # tanh at both limits: z = +-40
    A = np.tanh(np.array([[40.0, -40.0], [-40.0, 40.0]]))
    assert saturation(A, gn.Tanh()) == 1.0


def test_saturation_counts_activations_near_either_limit():
    # sigmoid limits 0 and 1, tol 0.01: a <= 0.01 or a >= 0.99 are saturated
    A = np.array([[0.005, 0.5, 0.995, 0.98]])
    assert saturation(A, gn.Sigmoid()) == 0.5
    # tanh range is 2 wide: |a| >= 0.98 with tol 0.01
    assert saturation(np.array([[0.985, -0.975]]), gn.Tanh()) == 0.5
    # tol 0.25: below 0.25 or above 0.75
    assert saturation(np.array([[0.5, 0.2]]), gn.Sigmoid(), tol=0.25) == 0.5
    with pytest.raises(ValueError, match="'tol' parameter of saturation"):
        saturation(np.array([[0.5]]), gn.Sigmoid(), tol=0.6)
    for unbounded in (gn.ReLU(), gn.Identity(), gn.Softmax()):
        assert saturation(np.array([[0.0, 1.0]]), unbounded) is None


def test_all_negative_pre_activations_are_all_dead_relus():
    # z = 0.1 (x1 + x2 + x3) - 10 < 0 for inputs in [0, 1]
    hidden = dense(3, 5, "relu", 0.1 * np.ones((5, 3)), -10 * np.ones(5))
    net = gn.Network([hidden, gn.Dense(5, 2, "softmax", seed=0)], dtype="float64")
    X = np.random.default_rng(0).uniform(size=(20, 3))
    y = np.arange(20) % 2
    assert diagnose(net, X, y)["dead_relu/1"] == 1.0
    for X_eval in (None, X):  # measured on the training batches or an eval batch
        diagnostics = Diagnostics(X_eval, warn=False)
        net.fit(X, y, epochs=1, batch_size=8, callbacks=[diagnostics])
        assert diagnostics.figures["dead_relu/1"] == [1.0]


def test_dead_fraction_counts_units_zero_on_every_sample():
    Z = np.array([[-1.0, 2.0, -3.0, 0.0], [-2.0, -1.0, 1.0, 0.0]])
    # unit 0 and unit 3 (z = 0 gives relu 0) never fire; units 1, 2 fire once
    assert dead_fraction(Z) == 0.5


# -- gradient flow and update ratio --------------------------------------------
def exploding_network():
    # x = [1000, 1000], W1 = 1e-3 I, W2 = [1000, 1000], identity output, MSE, y = 0:
    # z1 = a1 = [1, 1], a2 = 2000, delta2 = 2 (2000 - 0) = 4000,
    # dW2 = delta2 a1 = [4000, 4000]; delta1 = W2^T delta2 = [4e6, 4e6] (relu' = 1),
    # dW1 = delta1 x^T = 4e9 everywhere.
    hidden = dense(2, 2, "relu", 1e-3 * np.eye(2), np.zeros(2))
    out = dense(2, 1, "identity", [[1000.0, 1000.0]], [0.0])
    return gn.Network([hidden, out], loss="mse", dtype="float64")


def test_gradient_norms_and_ratio_by_hand():
    figures = diagnose(exploding_network(), [[1000.0, 1000.0]], [0.0])
    assert figures["grad_norm/1"] == pytest.approx(4e9)
    assert figures["grad_norm/2"] == pytest.approx(4000.0)
    assert figures["grad_ratio"] == pytest.approx(1e6)
    assert figures["delta_norm/2"] == pytest.approx(4000.0)
    assert figures["delta_norm/1"] == pytest.approx(4e6)


def test_large_first_layer_gradients_warn_of_exploding_gradients():
    net = exploding_network()
    with pytest.warns(DiagnosticWarning, match=r"Exploding gradients.*layer 1.*4e\+09"):
        net.fit(
            [[1000.0, 1000.0]],
            [0.0],
            epochs=1,
            optimizer=gn.SGD(lr=1e-12),
            callbacks=[Diagnostics()],
        )


def test_epoch_figures_match_a_full_batch_step_computed_separately(rng):
    net = gn.Network.mlp([4, 6, 3], hidden="tanh", seed=3, dtype="float64")
    X, y = rng.normal(size=(30, 4)), rng.integers(0, 3, size=30)
    reference = net.astype("float64")
    reference.loss_and_gradients(X, y)
    W_before = [layer.W.copy() for layer in reference.layers]
    dW = [layer.dW.copy() for layer in reference.layers]
    deltas = [layer.delta.copy() for layer in reference.layers]

    diagnostics = Diagnostics(warn=False)
    net.fit(
        X,
        y,
        epochs=1,
        batch_size=None,
        optimizer=gn.SGD(lr=0.3),
        callbacks=[diagnostics],
    )
    for i in range(2):
        key = i + 1
        rms_grad = np.linalg.norm(dW[i]) / np.sqrt(dW[i].size)
        assert diagnostics.figures[f"grad_norm/{key}"][0] == pytest.approx(rms_grad)
        # the loss is a batch mean: 30 * delta is each sample's dC/dz
        per_sample = 30 * np.linalg.norm(deltas[i]) / np.sqrt(deltas[i].size)
        assert diagnostics.figures[f"delta_norm/{key}"][0] == pytest.approx(per_sample)
        # one SGD step changes W by lr * dW
        ratio = 0.3 * np.linalg.norm(dW[i]) / np.linalg.norm(W_before[i])
        assert diagnostics.figures[f"update_ratio/{key}"][0] == pytest.approx(ratio)
    assert diagnostics.figures["grad_ratio"][0] == pytest.approx(
        np.linalg.norm(dW[0]) / np.sqrt(24) / (np.linalg.norm(dW[1]) / np.sqrt(18))
    )


def test_update_ratio_is_measured_on_the_last_step_of_the_epoch(rng):
    net = gn.Network.mlp([3, 4, 2], hidden="sigmoid", seed=0, dtype="float64")
    X, y = rng.normal(size=(12, 3)), rng.integers(0, 2, size=12)

    class LastStep(gn.Callback):
        def on_batch_end(self, batch, logs):
            if batch == self.params["steps"] - 2:
                self.before = self.network.layers[0].W.copy()

        def on_epoch_end(self, epoch, logs):
            W = self.network.layers[0].W
            self.ratio = np.linalg.norm(W - self.before) / np.linalg.norm(self.before)

    diagnostics, check = Diagnostics(warn=False), LastStep()
    net.fit(X, y, epochs=1, batch_size=4, shuffle=False, callbacks=[check, diagnostics])
    assert diagnostics.figures["update_ratio/1"][0] == pytest.approx(check.ratio)


# -- the lectures' warnings ----------------------------------------------------
def deep_network(hidden, init=None):
    return gn.Network.mlp([20] + [32] * 8 + [3], hidden=hidden, init=init, seed=0)


def toy_data(rng, n=200):
    X = rng.normal(size=(n, 20))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)


@pytest.fixture(scope="module")
def example():
    """The functions of the two example scripts, without running them."""
    return {
        name: runpy.run_path(str(EXAMPLES / f"{name}.py"))
        for name in ("vanishing_gradients", "saturation")
    }


def test_deep_sigmoid_example_warns_of_vanishing_gradients(example):
    vanishing = example["vanishing_gradients"]
    data = load_digits(seed=0)
    X, y = data.X_train, data.y_train
    diagnostics = Diagnostics()
    with pytest.warns(DiagnosticWarning, match=r"Vanishing gradients.*layer 1 .*ReLU"):
        vanishing["build"]("sigmoid").fit(
            X[:256], y[:256], epochs=1, batch_size=64, callbacks=[diagnostics]
        )
    # each sigmoid layer scales the gradient by at most 1/4: orders of magnitude
    assert diagnostics.figures["grad_ratio"][0] < 1e-3


def test_same_depth_with_relu_and_he_initialization_does_not(example):
    vanishing = example["vanishing_gradients"]
    data = load_digits(seed=0)
    X, y = data.X_train, data.y_train
    diagnostics = Diagnostics()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DiagnosticWarning)
        vanishing["build"]("relu", "he_normal").fit(
            X[:256], y[:256], epochs=1, batch_size=64, callbacks=[diagnostics]
        )
    assert diagnostics.figures["grad_ratio"][0] > 1e-2


def test_saturation_example_large_weights_saturate_small_ones_do_not(example):
    saturation_example = example["saturation"]
    data = load_digits(seed=0)
    with pytest.warns(DiagnosticWarning, match="Saturation"):
        _, large, _ = saturation_example["run"](3.0, data, epochs=1)
    assert large.figures["saturation/1"][0] > 0.5
    _, small, _ = saturation_example["run"](0.3, data, epochs=1)
    assert small.figures["saturation/1"][0] == 0.0


def test_each_condition_warns_once(rng):
    X, y = toy_data(rng)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        deep_network("sigmoid").fit(
            X, y, epochs=3, batch_size=50, callbacks=[Diagnostics()]
        )
    vanishing = [w for w in caught if "Vanishing" in str(w.message)]
    assert len(vanishing) == 1


def test_saturated_hidden_layer_warns_with_the_lecture_remedies():
    hidden = dense(2, 3, "sigmoid", 50 * np.ones((3, 2)), np.zeros(3))
    net = gn.Network([hidden, gn.Dense(3, 1, "identity", seed=0)], dtype="float64")
    X = np.array([[1.0, 2.0], [0.5, 0.5]])
    with pytest.warns(DiagnosticWarning, match=r"Saturation: 100% .*layer 1.*small"):
        net.fit(X, [0.0, 1.0], epochs=1, callbacks=[Diagnostics(vanishing=0)])


def test_dead_layer_warns():
    hidden = dense(3, 4, "relu", 0.1 * np.ones((4, 3)), [-10.0, -10.0, -10.0, 1.0])
    net = gn.Network([hidden, gn.Dense(4, 1, "identity", seed=0)], dtype="float64")
    X = np.random.default_rng(1).uniform(size=(8, 3))
    with pytest.warns(
        DiagnosticWarning,
        match=r"Dead units: 75% of the ReLUs of layer 1.*\(threshold 40%\)",
    ):
        net.fit(
            X, np.zeros(8), epochs=1, callbacks=[Diagnostics(vanishing=0, dead=0.4)]
        )


def test_overfitting_start_by_hand():
    loss = [1.0, 0.8, 0.6, 0.5, 0.4, 0.3]
    val = [1.0, 0.9, 0.95, 1.0, 1.1, 1.2]
    # val rises after epoch 1 for epochs 2, 3, 4 while training loss falls
    assert overfitting_start(loss, val, patience=3) == 1
    assert overfitting_start(loss[:4], val[:4], patience=3) is None
    # both rising is divergence, not overfitting
    assert overfitting_start(val, val, patience=3) is None
    # a rise the validation loss recovers from is flagged while it lasts only
    recovered = [1.0, 0.9, 0.95, 1.0, 1.1, 0.8, 0.85]
    falling = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    assert overfitting_since(falling[:5], recovered[:5], patience=3) == 1
    assert overfitting_start(falling, recovered, patience=3) is None


def test_growing_validation_loss_warns_of_overfitting():
    net = gn.Network.mlp([2, 3, 1], seed=0)
    X, y = np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([0, 1])
    diagnostics = Diagnostics()
    diagnostics.set_context(net, {"steps": 1})
    diagnostics.on_train_begin({})
    losses = [1.0, 0.8, 0.6, 0.5, 0.4, 0.3]
    val_losses = [1.0, 0.9, 0.95, 1.0, 1.1, 1.2]
    warned = []
    for epoch, (loss, val_loss) in enumerate(zip(losses, val_losses, strict=True)):
        diagnostics.on_epoch_begin(epoch, {})
        net.loss_and_gradients(X, y)
        diagnostics.on_batch_end(0, {})
        logs = {"loss": loss, "val_loss": val_loss}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            diagnostics.on_epoch_end(epoch, logs)
        messages = [str(w.message) for w in caught if "Overfitting" in str(w.message)]
        # the third rise in a row comes at epoch 4 (0-based)
        assert len(messages) == (1 if epoch == 4 else 0)
        warned += messages
    # printed 1-based, as the epoch logger counts: the best epoch was the 2nd
    assert "best 0.9 at epoch 2" in warned[0] and "early stopping" in warned[0]


def test_a_run_that_memorizes_noise_warns_of_overfitting():
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(16, 10)), rng.integers(0, 2, size=16)
    X_val, y_val = rng.normal(size=(200, 10)), rng.integers(0, 2, size=200)
    net = gn.Network.mlp([10, 64, 2], hidden="tanh", seed=0)
    with pytest.warns(DiagnosticWarning, match="Overfitting"):
        history = net.fit(
            X,
            y,
            epochs=150,
            batch_size=None,
            optimizer=gn.SGD(lr=0.5),
            validation_data=(X_val, y_val),
            callbacks=[Diagnostics()],
        )
    assert history.history["loss"][-1] < history.history["loss"][0]


# -- the callback in the loop --------------------------------------------------
def test_figures_are_in_the_logs_and_in_arrays(rng):
    net = gn.Network.mlp([4, 5, 6, 2], hidden=["sigmoid", "relu"], seed=0)
    X, y = rng.normal(size=(40, 4)), rng.integers(0, 2, size=40)
    diagnostics, recorder = Diagnostics(warn=False), Recorder()
    net.fit(X, y, epochs=3, batch_size=16, callbacks=[diagnostics, recorder])
    keys = set(recorder.logs[0])
    for key in ["grad_norm/1", "grad_norm/3", "delta_norm/2", "update_ratio/3"]:
        assert key in keys
    assert "saturation/1" in keys and "dead_relu/2" in keys
    assert "saturation/2" not in keys and "dead_relu/1" not in keys
    assert diagnostics.layer_indices == [1, 2, 3]
    grads = diagnostics.array("grad_norm")
    assert grads.shape == (3, 3)
    assert grads[:, 0].tolist() == diagnostics.figures["grad_norm/1"]
    saturations = diagnostics.array("saturation")
    assert np.isnan(saturations[:, 1]).all() and not np.isnan(saturations[:, 0]).any()


def test_diagnostics_do_not_change_training(rng):
    X, y = rng.normal(size=(50, 4)), rng.integers(0, 3, size=50)
    runs = []
    for callbacks in ([], [Diagnostics(warn=False)], [Diagnostics(X[:10], warn=False)]):
        net = gn.Network.mlp([4, 8, 3], hidden="relu", seed=2)
        history = net.fit(X, y, epochs=3, batch_size=8, seed=1, callbacks=callbacks)
        runs.append((net.get_weights(), history.history["loss"]))
    for weights, losses in runs[1:]:
        assert losses == runs[0][1]
        for a, b in zip(weights, runs[0][0], strict=True):
            assert np.array_equal(a, b)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"tol": -0.1}, "'tol' parameter of Diagnostics"),
        ({"patience": 0}, "'patience' parameter of Diagnostics"),
        ({"saturated": 2}, "'saturated' parameter of Diagnostics"),
    ],
)
def test_bad_parameters(options, message):
    with pytest.raises(ValueError, match=message):
        Diagnostics(**options)


def test_evaluation_batch_must_match_the_network():
    net = gn.Network.mlp([4, 3, 2], seed=0)
    with pytest.raises(ValueError, match="X_eval has 3 features"):
        net.fit(
            np.zeros((4, 4)),
            [0, 1, 0, 1],
            epochs=1,
            callbacks=[Diagnostics(np.zeros((2, 3)))],
        )


def test_fit_with_diagnostics_records_them_in_the_history():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 5)), rng.integers(0, 3, size=64)
    net = gn.Network.mlp([5, 6, 4, 3], hidden="tanh", seed=0)
    history = net.fit(X, y, epochs=3, batch_size=16, diagnostics=True)
    for key in ("grad_norm/1", "grad_norm/3", "saturation/1", "update_ratio/2"):
        assert len(history.history[key]) == 3
    assert "<img" in history._repr_html_() or "<table" in history._repr_html_()
    with pytest.raises(TypeError, match="'diagnostics' parameter of fit"):
        net.fit(X, y, epochs=1, diagnostics="yes")


def test_diagnose_leaves_running_statistics_and_dropout_generator_alone(rng):
    net = network_with_state()
    X, y = sample(rng)
    net.fit(X, y, epochs=1, batch_size=4)
    assert_untouched(lambda: diagnose(net, X[:4], y[:4]), net, X, y)
