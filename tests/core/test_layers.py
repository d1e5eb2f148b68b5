"""Dropout and BatchNorm: forward, backward, modes, and gradient checks."""

import numpy as np
import pytest
from loss_cases import LOSS_CASES, LOSS_IDS, targets

import glassnet as gn


@pytest.fixture
def rng():
    return np.random.default_rng(3)


# -- Dropout ---------------------------------------------------------------------


def test_dropout_is_inverted_and_identity_at_inference(rng):
    layer = gn.Dropout(0.25, seed=0)
    layer.build(1000)
    X = np.ones((200, 1000))
    out = layer.forward(X, training=True)
    kept = out != 0
    # Kept entries are scaled by 1 / (1 - rate); about 75% are kept.
    np.testing.assert_allclose(out[kept], 1 / 0.75)
    assert kept.mean() == pytest.approx(0.75, abs=0.01)
    assert out.mean() == pytest.approx(1.0, abs=0.01)
    assert layer.forward(X, training=False) is X


def test_dropout_backward_uses_the_same_mask(rng):
    layer = gn.Dropout(0.5, seed=1)
    layer.build(6)
    X, dA = rng.normal(size=(4, 6)), rng.normal(size=(4, 6))
    A = layer.forward(X, training=True)
    dX = layer.backward(dA)
    np.testing.assert_array_equal(dX == 0, A == 0)
    np.testing.assert_allclose(dX, dA * layer.mask)


def test_dropout_masks_are_seeded_by_the_network():
    X = np.ones((4, 3))

    def masks(seed):
        net = gn.Network(
            [gn.Dense(3, 8, "relu"), gn.Dropout(0.5), gn.Dense(8, 2, "softmax")],
            seed=seed,
        )
        net.forward(X, training=True)
        first = net.layers[1].mask.copy()
        net.forward(X, training=True)
        return first, net.layers[1].mask.copy()

    a1, a2 = masks(0)
    b1, b2 = masks(0)
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    assert not np.array_equal(a1, a2)  # a fresh mask per training pass


def test_adding_dropout_does_not_change_the_initial_weights():
    plain = gn.Network([gn.Dense(3, 8, "relu"), gn.Dense(8, 2, "softmax")], seed=4)
    dropped = gn.Network(
        [gn.Dense(3, 8, "relu"), gn.Dropout(0.3), gn.Dense(8, 2, "softmax")], seed=4
    )
    for a, b in zip(plain.get_weights(), dropped.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_frozen_dropout_repeats_its_mask():
    net = gn.Network(
        [gn.Dense(3, 8, "relu"), gn.Dropout(0.5, seed=2), gn.Dense(8, 2, "softmax")]
    )
    X = np.ones((5, 3))
    net.forward(X, training=True)
    mask = net.layers[1].mask.copy()
    with net.frozen_randomness():
        net.forward(X, training=True)
        np.testing.assert_array_equal(net.layers[1].mask, mask)
    net.forward(X, training=True)
    assert not np.array_equal(net.layers[1].mask, mask)


def test_predict_and_forward_are_inference_mode(rng):
    net = gn.Network(
        [gn.Dense(3, 16, "relu"), gn.Dropout(0.5), gn.Dense(16, 2, "softmax")], seed=0
    )
    X = rng.normal(size=(10, 3))
    np.testing.assert_array_equal(net.forward(X), net.forward(X))
    # (predict_proba may use the compiled kernels: equal to float32 rounding)
    np.testing.assert_allclose(net.predict_proba(X), net.forward(X), rtol=1e-6)
    assert not np.allclose(net.forward(X, training=True), net.forward(X))


@pytest.mark.parametrize(
    "rate", [-0.1, 1.0, 1.5, float("nan")], ids=["negative", "one", "above_one", "nan"]
)
def test_dropout_rate_outside_unit_interval_is_refused(rate):
    with pytest.raises(ValueError, match=r"'rate' parameter of Dropout .* \[0, 1\)"):
        gn.Dropout(rate)


def test_dropout_rate_must_be_a_number():
    with pytest.raises(TypeError, match="'rate' parameter of Dropout"):
        gn.Dropout("0.5")


# -- BatchNorm -------------------------------------------------------------------


def test_batchnorm_training_normalizes_each_feature(rng):
    layer = gn.BatchNorm(4)
    X = rng.normal(loc=5.0, scale=3.0, size=(64, 4))
    A = layer.forward(X, training=True)
    np.testing.assert_allclose(A.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(A.std(axis=0), 1, atol=1e-4)
    # Running statistics moved 10% of the way to the batch's.
    np.testing.assert_allclose(layer.running_mean, 0.1 * X.mean(axis=0))
    # (the variance unbiased, m / (m - 1), as in Algorithm 2 of the paper)
    np.testing.assert_allclose(layer.running_var, 0.9 + 0.1 * X.var(axis=0, ddof=1))


def test_batchnorm_inference_uses_running_statistics(rng):
    layer = gn.BatchNorm(3, momentum=0.0)  # running stats = last batch's
    X = rng.normal(loc=2.0, size=(32, 3))
    layer.forward(X, training=True)
    layer.gamma[...] = [1.0, 2.0, 3.0]
    layer.beta[...] = [0.0, -1.0, 1.0]
    x = rng.normal(size=(5, 3))
    # the running variance is the unbiased one (ddof=1, Algorithm 2)
    scale = np.sqrt(X.var(0, ddof=1) + 1e-5)
    expected = (x - X.mean(0)) / scale * layer.gamma + layer.beta
    np.testing.assert_allclose(layer.forward(x, training=False), expected)
    # One sample at inference does not depend on the others.
    np.testing.assert_allclose(layer.forward(x[:1], training=False), expected[:1])


def test_batchnorm_running_statistics_travel_with_the_weights(rng):
    net = gn.Network(
        [gn.Dense(3, 4, "relu"), gn.BatchNorm(), gn.Dense(4, 2, "softmax")], seed=0
    )
    X, y = rng.normal(size=(30, 3)), rng.integers(0, 2, 30)
    net.fit(X, y, epochs=2, batch_size=10, optimizer="adam", metrics=[])
    weights = net.get_weights()
    names = [
        n for layer in net.layers for n, _ in [*layer.parameters(), *layer.buffers()]
    ]
    assert names == ["W", "b", "gamma", "beta", "running_mean", "running_var", "W", "b"]
    fresh = gn.Network(
        [gn.Dense(3, 4, "relu"), gn.BatchNorm(), gn.Dense(4, 2, "softmax")], seed=1
    )
    fresh.set_weights(weights)
    np.testing.assert_allclose(fresh.forward(X), net.forward(X), rtol=1e-6)


def test_batchnorm_in_float64_copy_keeps_its_statistics_dtype():
    net = gn.Network([gn.Dense(3, 4), gn.BatchNorm(), gn.Dense(4, 1)], seed=0)
    assert net.layers[1].running_var.dtype == np.float32
    assert net.astype("float64").layers[1].running_var.dtype == np.float64


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: gn.BatchNorm(momentum=1.0), "'momentum' parameter of BatchNorm"),
        (lambda: gn.BatchNorm(eps=0), "'eps' parameter of BatchNorm"),
        (lambda: gn.BatchNorm(0), "'n_features' parameter of BatchNorm"),
    ],
    ids=["momentum_one", "eps_zero", "no_features"],
)
def test_bad_batchnorm_parameters(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_last_layer_must_be_dense():
    with pytest.raises(ValueError, match="last layer .* must be a Dense layer"):
        gn.Network([gn.Dense(3, 2, "softmax"), gn.Dropout(0.1)])


# -- gradient checks inside networks, with every loss -------------------------------


# Step of the central differences. Some true gradients here are exactly 0
# (a Dense bias right before batch normalization, which subtracts the batch
# mean; an MAE bias whose residual signs balance), so the check sees pure
# rounding: one ulp of a loss near 1 over 2 eps is 1.1e-10 at eps = 1e-6,
# which gradcheck's floor (1e-4) turns into a relative error of 1.1e-6. At
# eps = 1e-5 rounding gives 1.1e-7 while truncation, O(eps^2), stays ~1e-10.
GRADCHECK_EPS = 1e-5


def _network(kind, n_out, output, loss):
    hidden = {
        "dropout": [gn.Dense(4, 6, "tanh"), gn.Dropout(0.4)],
        "batchnorm": [gn.Dense(4, 6, "tanh"), gn.BatchNorm()],
        "batchnorm_preactivation": [gn.Dense(4, 6), gn.BatchNorm(activation="tanh")],
        "all": [
            gn.Dense(4, 6, "relu"),
            gn.BatchNorm(activation="sigmoid"),
            gn.Dropout(0.3),
            gn.Dense(6, 5, "tanh", regularizer=gn.L1(0.01)),
        ],
    }[kind]
    n_hidden = hidden[-1].n_out or 6
    return gn.Network(
        [*hidden, gn.Dense(n_hidden, n_out, output)],
        loss=loss,
        seed=5,
        dtype="float64",
        regularizer=gn.L2(0.01),
    )


@pytest.mark.parametrize("loss, output, n_out", LOSS_CASES, ids=LOSS_IDS)
@pytest.mark.parametrize(
    "kind", ["dropout", "batchnorm", "batchnorm_preactivation", "all"]
)
def test_gradcheck_in_training_mode_with_every_loss(rng, kind, loss, output, n_out):
    X = rng.normal(size=(8, 4))
    y = targets(loss, n_out, rng, 8)
    net = _network(kind, n_out, output, loss)
    # Move gamma and beta off their initial 1 and 0 so their gradients are
    # generic, and run one training pass to draw the dropout mask.
    for layer in net.layers:
        if isinstance(layer, gn.BatchNorm):
            layer.gamma[...] = rng.uniform(0.5, 1.5, layer.gamma.shape)
            layer.beta[...] = rng.normal(scale=0.3, size=layer.beta.shape)
    net.forward(X, training=True)
    report = gn.gradcheck(net, X, y, eps=GRADCHECK_EPS)
    assert report.passed, str(report)
    assert report.max_rel_error < 1e-6


def test_gradcheck_checks_the_weighted_loss(rng):
    X, y = rng.normal(size=(8, 4)), rng.integers(0, 3, 8)
    net = _network("all", 3, "softmax", "cross_entropy")
    net.forward(X, training=True)
    weights = rng.uniform(0, 3, 8)
    report = gn.gradcheck(net, X, y, sample_weight=weights, eps=GRADCHECK_EPS)
    assert report.passed, str(report)


def test_batchnorm_running_variance_is_unbiased_by_hand():
    # One feature, batch [1, 2, 3, 4]: mean 2.5, biased variance 1.25,
    # unbiased 5 / 3. After one step with momentum 0.9 from (0, 1):
    layer = gn.BatchNorm(1)
    layer.forward(np.array([[1.0], [2.0], [3.0], [4.0]]), training=True)
    assert layer.running_mean[0] == pytest.approx(0.25)
    assert layer.running_var[0] == pytest.approx(0.9 + 0.1 * 5 / 3)


def test_batchnorm_running_statistics_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    X = rng.normal(loc=1.0, scale=2.0, size=(7, 3))
    ours = gn.BatchNorm(3, momentum=0.9)
    theirs = torch.nn.BatchNorm1d(3, momentum=0.1, dtype=torch.float64)
    for _ in range(3):
        ours.forward(X, training=True)
        theirs(torch.from_numpy(X))
    np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy())
    np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy())


def test_batchnorm_refuses_to_learn_from_one_sample():
    layer = gn.BatchNorm(2)
    with pytest.raises(ValueError, match="batch of 1 sample.*batch_size >= 2"):
        layer.forward(np.array([[1.0, 2.0]]), training=True)
    # the running statistics were not touched
    np.testing.assert_array_equal(layer.running_var, [1.0, 1.0])
    # inference on one sample is fine
    assert layer.forward(np.array([[1.0, 2.0]])).shape == (1, 2)


@pytest.mark.parametrize("n_samples", [401, 33, 9])
def test_fit_folds_a_one_sample_remainder_into_the_batch_before(n_samples, rng):
    X = rng.normal(size=(n_samples, 3))
    y = X @ [1.0, -2.0, 0.5]
    net = gn.Network(
        [gn.Dense(3, 8), gn.BatchNorm(activation="relu"), gn.Dense(8, 1)],
        loss="mse",
        seed=0,
    )
    sizes = []

    class Sizes(gn.Callback):
        def on_batch_end(self, batch, logs):
            sizes.append(logs["size"])

    history = net.fit(X, y, epochs=2, batch_size=8, callbacks=[Sizes()], seed=0)
    assert np.all(np.isfinite(history.history["loss"]))
    # n = 8 k + 1: k - 1 batches of 8 and one of 9, every sample seen once
    k = n_samples // 8
    assert sizes == ([8] * (k - 1) + [9]) * 2
    assert np.all(net.layers[1].running_var > 0.01)


def test_fit_without_batch_norm_keeps_a_one_sample_batch(rng):
    X, y = rng.normal(size=(17, 2)), rng.normal(size=17)
    net = gn.Network.mlp([2, 3, 1], output="identity", loss="mse", seed=0)
    sizes = []

    class Sizes(gn.Callback):
        def on_batch_end(self, batch, logs):
            sizes.append(logs["size"])

    net.fit(X, y, epochs=1, batch_size=8, callbacks=[Sizes()])
    assert sizes == [8, 8, 1]


def test_sklearn_batch_norm_with_a_one_sample_remainder_learns(rng):
    pytest.importorskip("sklearn")
    from glassnet.sklearn import MLPRegressor

    X = rng.normal(size=(401, 4))
    y = X @ [1.0, -1.0, 0.5, 2.0] + 0.1 * rng.normal(size=401)
    scores = []
    for n in (400, 401):
        est = MLPRegressor(
            hidden_layer_sizes=(16,),
            batch_norm=True,
            batch_size=50,
            max_iter=60,
            random_state=0,
        )
        scores.append(est.fit(X[:n], y[:n]).score(X[:n], y[:n]))
    # the one-sample remainder no longer costs the fit its accuracy
    assert scores[1] > 0.85 and abs(scores[1] - scores[0]) < 0.05


def test_fit_with_batch_norm_refuses_batch_size_one(rng):
    X, y = rng.normal(size=(10, 3)), rng.normal(size=10)
    net = gn.Network([gn.Dense(3, 4), gn.BatchNorm(), gn.Dense(4, 1)], loss="mse")
    before = net.get_weights()
    with pytest.raises(ValueError, match="'batch_size' parameter of fit.*Got 1"):
        net.fit(X, y, batch_size=1)
    with pytest.raises(ValueError, match="at least 2 training samples"):
        net.fit(X[:1], y[:1], batch_size=None)
    for a, b in zip(before, net.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_diverging_batch_norm_network_is_stopped_as_diverged(rng):
    # the running statistics become non-finite with the weights: the loop's
    # divergence check reports it, no error from inside the layer
    X, y = rng.normal(size=(64, 3)), rng.normal(size=64) * 100
    net = gn.Network(
        [gn.Dense(3, 8), gn.BatchNorm(activation="relu"), gn.Dense(8, 1)],
        loss="mse",
        seed=0,
    )
    guard = gn.TerminateOnNaN(warn=False, restore=False)
    with np.errstate(all="ignore"):
        net.fit(X, y, epochs=20, optimizer=gn.SGD(lr=1e6), callbacks=[guard])
    assert guard.terminated


@pytest.mark.parametrize(
    "T, error, detail",
    [
        ([[1.0], [2.0, 3.0]], ValueError, "Got"),  # ragged rows
        ([1.0, 2.0], ValueError, "Got shape (2,)"),
        ([[1.0, 2.0]], ValueError, "Got shape (1, 2)"),
        ([["a"], ["b"]], TypeError, "of numbers"),
        ([[1 + 2j], [1.0]], TypeError, "of numbers"),
        ([[np.nan], [1.0]], ValueError, "all finite"),  # a bias
        ([[1.0], [np.inf]], ValueError, "all finite"),  # a weight
    ],
)
def test_bad_transfer_matrix_is_named_as_the_T_parameter(T, error, detail):
    with pytest.raises(error) as caught:
        gn.Dense.from_transfer_matrix(T)
    message = str(caught.value)
    assert message.startswith("The 'T' parameter of Dense.from_transfer_matrix")
    assert detail in message and message.endswith("instead.")
