"""Gradients with respect to the inputs against finite differences.

``input_gradients`` row ``i`` is ``dC_i/dx_i`` (the cost of sample ``i``
alone) and ``saliency`` is ``dS_c/dx`` of a class score; both are checked by
central differences of the network's outputs on the raw inputs, with a scaler
in the network, for every activation and loss. Perturbing column ``j`` of
every row at once is valid because rows are independent in inference mode.
"""

import copy
import itertools

import numpy as np
import pytest
from untouched_support import assert_untouched, network_with_state, sample

import glassnet as gn
from glassnet.datasets.preprocessing import Preprocessing
from glassnet.datasets.scalers import FeatureSchema, MinMaxScaler, StandardScaler

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax"]
OUTPUTS = ["sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax", "exp"]
REGRESSION_LOSSES = ["mse", "sse", "mae", "huber"]
CLASSIFICATION_LOSSES = ["binary_cross_entropy", "cross_entropy"]


def allowed_combinations():
    for hidden, output in itertools.product(HIDDEN, OUTPUTS):
        for loss in REGRESSION_LOSSES:
            yield hidden, output, loss
        if output in ("sigmoid", "softmax", "exp"):
            yield hidden, output, "poisson"
        if output in ("sigmoid", "softmax"):
            for loss in CLASSIFICATION_LOSSES:
                yield hidden, output, loss


COMBINATIONS = list(allowed_combinations())
H = 1e-6


def targets_for(loss, n, n_out, rng):
    if loss == "cross_entropy":
        return rng.integers(0, n_out, size=n)
    if loss == "poisson":
        return rng.poisson(2.0, size=(n, n_out))
    if loss == "binary_cross_entropy":
        return rng.integers(0, 2, size=(n, n_out))
    return rng.normal(size=(n, n_out))


def random_network(sizes, rng, **kwargs):
    net = gn.Network.mlp(sizes, dtype="float64", seed=0, **kwargs)
    # random biases too, so that no ReLU sits on its kink (see test_gradcheck)
    net.set_weights([rng.normal(scale=0.5, size=w.shape) for w in net.get_weights()])
    return net


def raw_inputs(rng, n=5, d=4):
    # columns far from mean 0 / scale 1, so that a missing scaler factor shows
    return rng.normal(size=(n, d)) * np.array([3.0, 0.2, 10.0, 1.0])[:d] + 5.0


def sample_costs(net, X, y):
    """C_i of each sample, from the public forward pass and the loss."""
    A = net.forward(X)
    last = net.layers[-1]
    return net.loss.sample_costs(A, net.prepare_targets(y), last.Z, last.activation)


def central_differences(f, X, h=H):
    """(n, d): column j is (f(X + h e_j) - f(X - h e_j)) / 2h, row by row."""
    out = np.zeros_like(X, dtype=np.float64)
    for j in range(X.shape[1]):
        E = np.zeros_like(X, dtype=np.float64)
        E[:, j] = h
        out[:, j] = (f(X + E) - f(X - E)) / (2 * h)
    return out


@pytest.mark.parametrize(("hidden", "output", "loss"), COMBINATIONS)
def test_input_gradients_match_central_differences(hidden, output, loss):
    rng = np.random.default_rng(COMBINATIONS.index((hidden, output, loss)))
    net = random_network([4, 5, 3], rng, hidden=hidden, output=output, loss=loss)
    X = raw_inputs(rng)
    net.preprocessing = Preprocessing(scaler=StandardScaler().fit(X))
    y = targets_for(loss, X.shape[0], 3, rng)

    G = net.input_gradients(X, y)
    expected = central_differences(lambda Z: sample_costs(net, Z, y), X)

    assert G.shape == X.shape and G.dtype == np.float64
    scale = max(np.abs(expected).max(), 1e-3)
    np.testing.assert_allclose(G, expected, rtol=1e-5, atol=1e-6 * scale)


@pytest.mark.parametrize("depth", [1, 3])
def test_depth_one_and_three_with_minmax_scaler_and_class_names(depth):
    rng = np.random.default_rng(depth)
    sizes = [4, *[5] * (depth - 1), 3]
    net = random_network(sizes, rng, hidden="tanh", output="softmax")
    X = raw_inputs(rng)
    net.preprocessing = Preprocessing(
        scaler=MinMaxScaler((-1.0, 2.0)).fit(X * 1.5), classes=["a", "b", "c"]
    )
    y = np.array(["c", "a", "b", "b", "a"])
    G = net.input_gradients(X, y)
    expected = central_differences(lambda Z: sample_costs(net, Z, y), X)
    np.testing.assert_allclose(G, expected, rtol=1e-5, atol=1e-9)


def test_rows_are_per_sample_costs_and_independent():
    # row i is dC_i/dx_i: the same whether the sample is alone or in a batch
    # (the batch-mean cost would give row / n)
    rng = np.random.default_rng(3)
    net = random_network([4, 6, 3], rng, hidden="relu")
    X, y = raw_inputs(rng, n=7), rng.integers(0, 3, 7)
    G = net.input_gradients(X, y)
    for i in range(7):
        np.testing.assert_allclose(
            net.input_gradients(X[i : i + 1], y[i : i + 1])[0],
            G[i],
            rtol=1e-10,
            atol=1e-13,
        )

    # mean cost C = 1/n sum C_i: dC/dx_ij = G_ij / n, one entry at a time
    def mean_cost(Z):
        return sample_costs(net, Z, y).mean()

    for i, j in itertools.product(range(7), range(4)):
        E = np.zeros_like(X)
        E[i, j] = H
        slope = (mean_cost(X + E) - mean_cost(X - E)) / (2 * H)
        assert slope == pytest.approx(G[i, j] / 7, rel=1e-5, abs=1e-9)


def test_chunks_give_the_same_rows():
    rng = np.random.default_rng(4)
    net = random_network([4, 6, 3], rng, hidden="tanh")
    X, y = raw_inputs(rng, n=7), rng.integers(0, 3, 7)
    whole = net.input_gradients(X, y)
    saliency = net.saliency(X)
    net.INFERENCE_CHUNK = 3
    np.testing.assert_allclose(net.input_gradients(X, y), whole, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(net.saliency(X), saliency, rtol=1e-10, atol=1e-13)


def test_eval_mode_with_batchnorm_and_dropout():
    # inference mode: dropout off, running statistics; the gradient is that
    # of the function predict computes, and rows stay independent
    rng = np.random.default_rng(5)
    net = network_with_state(seed=1)
    X, y = sample(rng, 12)
    net.fit(X, y, epochs=2, batch_size=4, seed=0)
    G = net.input_gradients(X, y)
    expected = central_differences(lambda Z: sample_costs(net, Z, y), X)
    np.testing.assert_allclose(G, expected, rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(
        net.input_gradients(X[:1], y[:1])[0], G[0], rtol=1e-10, atol=1e-13
    )


def test_uint8_pixels_give_gradients_per_unit_of_0_to_255():
    rng = np.random.default_rng(6)
    net = random_network([4, 5, 3], rng, hidden="tanh")
    X = rng.integers(0, 256, size=(5, 4)).astype(np.uint8)
    y = rng.integers(0, 3, 5)
    as_float = net.input_gradients(X / 255.0, y)  # per unit of intensity
    np.testing.assert_allclose(
        net.input_gradients(X, y), as_float / 255.0, rtol=1e-10, atol=1e-13
    )


def test_one_hot_columns_get_the_partial_derivative_of_the_indicator():
    rng = np.random.default_rng(7)
    net = random_network([3, 4, 2], rng, hidden="tanh")
    schema = FeatureSchema(["age", "sex"], categories={"sex": ["f", "m"]})
    X = np.column_stack([rng.normal(40, 10, 6), np.eye(2)[rng.integers(0, 2, 6)]])
    net.preprocessing = Preprocessing(scaler=StandardScaler().fit(X), schema=schema)
    y = rng.integers(0, 2, 6)
    G = net.input_gradients(X, y)
    expected = central_differences(lambda Z: sample_costs(net, Z, y), X)
    np.testing.assert_allclose(G, expected, rtol=1e-5, atol=1e-10)


def test_float32_network_gives_float32():
    rng = np.random.default_rng(8)
    net = gn.Network.mlp([4, 5, 3], hidden="relu", seed=0)
    X, y = raw_inputs(rng), rng.integers(0, 3, 5)
    G = net.input_gradients(X, y)
    G64 = net.astype("float64").input_gradients(X, y)
    assert G.dtype == np.float32
    np.testing.assert_allclose(G, G64, rtol=1e-4, atol=1e-6)


# -- saliency ---------------------------------------------------------------------
def logits(net, X):
    net.forward(X)
    return net.layers[-1].Z.copy()


def test_saliency_is_the_gradient_of_the_logit_in_the_user_label_space():
    rng = np.random.default_rng(9)
    net = random_network([4, 6, 3], rng, hidden="tanh", output="softmax")
    X = raw_inputs(rng, n=6)
    net.preprocessing = Preprocessing(scaler=StandardScaler().fit(X), classes=[3, 5, 7])
    for label, code in [(3, 0), (5, 1), (7, 2)]:
        expected = central_differences(lambda Z, c=code: logits(net, Z)[:, c], X)
        S = net.saliency(X, target=label)
        assert S.shape == X.shape
        np.testing.assert_allclose(S, expected, rtol=1e-6, atol=1e-10)
    # one label per sample, and None = the predicted class
    predicted = net.predict(X)
    codes = np.searchsorted([3, 5, 7], predicted)
    expected = central_differences(lambda Z: logits(net, Z)[np.arange(6), codes], X)
    np.testing.assert_allclose(net.saliency(X), expected, rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(
        net.saliency(X, target=predicted), expected, rtol=1e-6, atol=1e-10
    )


def test_saliency_of_the_probability():
    rng = np.random.default_rng(10)
    net = random_network([4, 6, 3], rng, hidden="relu", output="softmax")
    X = raw_inputs(rng, n=6)
    net.preprocessing = Preprocessing(scaler=StandardScaler().fit(X))
    expected = central_differences(lambda Z: net.predict_proba(Z)[:, 1], X)
    S = net.saliency(X, target=1, score="probability")
    np.testing.assert_allclose(S, expected, rtol=1e-6, atol=1e-11)


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "cross_entropy"])
def test_saliency_of_a_single_sigmoid_unit(loss):
    # class 1 has logit z and probability a; class 0 has -z and 1 - a
    rng = np.random.default_rng(11)
    net = random_network([4, 5, 1], rng, hidden="tanh", output="sigmoid", loss=loss)
    X = raw_inputs(rng, n=6)
    net.preprocessing = Preprocessing(scaler=StandardScaler().fit(X))
    z = central_differences(lambda Z: logits(net, Z)[:, 0], X)
    p1 = central_differences(lambda Z: net.predict_proba(Z)[:, 1], X)
    np.testing.assert_allclose(net.saliency(X, target=1), z, rtol=1e-6, atol=1e-11)
    np.testing.assert_allclose(net.saliency(X, target=0), -z, rtol=1e-6, atol=1e-11)
    np.testing.assert_allclose(
        net.saliency(X, target=0, score="probability"), -p1, rtol=1e-6, atol=1e-11
    )
    sign = np.where(net.predict(X) == 1, 1.0, -1.0)[:, None]
    np.testing.assert_allclose(net.saliency(X), sign * z, rtol=1e-6, atol=1e-11)


def test_saliency_of_a_multi_label_output_unit():
    rng = np.random.default_rng(12)
    net = random_network(
        [4, 5, 3], rng, hidden="tanh", output="sigmoid", loss="binary_cross_entropy"
    )
    X = raw_inputs(rng, n=6)
    expected = central_differences(lambda Z: logits(net, Z)[:, 2], X)
    S = net.saliency(X, target=2)
    np.testing.assert_allclose(S, expected, rtol=1e-6, atol=1e-11)
    with pytest.raises(ValueError, match="'target'.*multi-label.*Got None"):
        net.saliency(X)


# -- the network is left as it was ----------------------------------------------
def kept_state(net):
    state = [net.parameters_flat.copy(), net.gradients_flat.copy()]
    for layer in net.layers:
        for name in ("X", "Z", "A", "mask", "delta", "X_hat", "inv_std", "_training"):
            value = getattr(layer, name, None)
            state.append(copy.deepcopy(value))
    return state


def assert_same_state(now, then):
    assert len(now) == len(then)
    for a, b in zip(now, then, strict=True):
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            np.testing.assert_array_equal(a, b)
        else:
            assert a == b


@pytest.mark.parametrize("method", ["input_gradients", "saliency", "probability"])
def test_calls_leave_the_network_untouched(method):
    rng = np.random.default_rng(13)
    net = network_with_state(seed=2)
    X, y = sample(rng, 12)
    net.fit(X, y, epochs=1, batch_size=4, seed=0)
    calls = {
        "input_gradients": lambda: net.input_gradients(X, y),
        "saliency": lambda: net.saliency(X),
        "probability": lambda: net.saliency(X, 1, score="probability"),
    }
    # a training-mode pass leaves masks, batch statistics and gradients: the
    # call keeps them all, and the next fit draws the same dropout masks
    net.loss_and_gradients(X, y)
    before = kept_state(net)
    calls[method]()
    assert_same_state(kept_state(net), before)
    assert_untouched(calls[method], net, X, y)


def test_inside_a_workspace_block_the_blocks_arrays_are_untouched():
    rng = np.random.default_rng(14)
    net = random_network([4, 5, 3], rng, hidden="relu")
    X, y = raw_inputs(rng), rng.integers(0, 3, 5)
    outside = net.input_gradients(X, y)
    with net.workspace("numpy"):
        net.loss_and_gradients(X, y)
        before = kept_state(net)
        inside = net.input_gradients(X, y)
        assert_same_state(kept_state(net), before)
    np.testing.assert_array_equal(inside, outside)


# -- bad input --------------------------------------------------------------------
@pytest.fixture
def classifier():
    rng = np.random.default_rng(15)
    net = random_network([4, 5, 3], rng, hidden="tanh")
    X = raw_inputs(rng)
    net.preprocessing = Preprocessing(scaler=StandardScaler().fit(X), classes=[3, 5, 7])
    return net, X


def test_wrong_number_of_features(classifier):
    net, X = classifier
    with pytest.raises(ValueError, match=r"X.*4"):
        net.input_gradients(X[:, :3], [3, 5, 7, 3, 5])
    with pytest.raises(ValueError, match=r"X.*4"):
        net.saliency(X[:, :3])


def test_wrong_number_of_targets(classifier):
    net, X = classifier
    with pytest.raises(ValueError, match="y"):
        net.input_gradients(X, [3, 5])


def test_regression_saliency_is_refused():
    net = gn.Network.mlp([4, 3, 1], output="identity", seed=0)
    with pytest.raises(ValueError, match="saliency needs a classifier.*regressor"):
        net.saliency(np.zeros((2, 4)))


@pytest.mark.parametrize(
    ("name", "target"),
    [("unknown", 4), ("code_not_label", 0), ("string", "3"), ("list", [3, 9, 5, 3, 5])],
)
def test_unknown_class_label(classifier, name, target):
    net, X = classifier
    if name == "string":  # "3" names the class 3 for numeric classes (CSV cells)
        np.testing.assert_array_equal(net.saliency(X, target), net.saliency(X, 3))
        return
    with pytest.raises(ValueError, match=r"'target' parameter of Network\.saliency"):
        net.saliency(X, target)


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("too_big", 3),
        ("negative", -1),
        ("fraction", 1.5),
        ("nan", np.nan),
        ("text", "a"),
    ],
)
def test_bad_class_code_without_class_names(name, target):
    net = gn.Network.mlp([4, 5, 3], seed=0)
    with pytest.raises(ValueError, match=r"'target'.*one of \[0, 1, 2\].*Got"):
        net.saliency(np.zeros((2, 4)), target)


def test_target_of_the_wrong_length(classifier):
    net, X = classifier
    with pytest.raises(ValueError, match=r"'target'.*shape \(n_samples,\) = \(5,\)"):
        net.saliency(X, [3, 5])


def test_unknown_score(classifier):
    net, X = classifier
    with pytest.raises(ValueError, match="'score'.*'logit' or 'probability'.*'prob'"):
        net.saliency(X, score="prob")
