import copy
import pickle

import numpy as np
import pytest

import glassnet as gn


def test_dense_shapes_and_forward_formula():
    layer = gn.Dense(3, 2, "identity", seed=0)
    layer.W = [[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]]
    layer.b = [0.5, -0.5]
    X = np.array([[1.0, 0.0, 2.0]])
    # z_k = sum_j w_kj x_j + b_k: 1 + 6 + 0.5 = 7.5 and 0 + 1 - 0.5 = 0.5
    assert layer.forward(X).tolist() == [[7.5, 0.5]]
    assert layer.W.shape == (2, 3) and layer.b.shape == (2,)


def test_transfer_matrix_round_trip_is_exact():
    rng = np.random.default_rng(0)
    T = rng.normal(size=(5, 3))
    layer = gn.Dense.from_transfer_matrix(T, activation="tanh")
    assert np.array_equal(layer.transfer_matrix, T)
    assert np.array_equal(layer.b, T[0]) and np.array_equal(layer.W, T[1:].T)
    again = gn.Dense.from_transfer_matrix(layer.transfer_matrix, activation="tanh")
    assert np.array_equal(again.W, layer.W)


@pytest.mark.parametrize(
    ("attribute", "value", "error", "message"),
    [
        ("W", np.zeros((3, 2)), ValueError, r"Dense.W must have shape \(2, 3\)"),
        ("W", [[1, 2, np.nan], [0, 0, 0]], ValueError, "must be finite"),
        ("W", [[1, 2, np.inf], [0, 0, 0]], ValueError, "must be finite"),
        ("b", [1.0, 2.0, 3.0], ValueError, r"Dense.b must have shape \(2,\)"),
        ("b", ["a", "b"], TypeError, "must be numeric"),
    ],
)
def test_bad_weights_are_refused(attribute, value, error, message):
    layer = gn.Dense(3, 2, seed=0)
    before = layer.W.copy()
    with pytest.raises(error, match=message):
        setattr(layer, attribute, value)
    assert np.array_equal(layer.W, before)


@pytest.mark.parametrize(
    ("n_in", "message"),
    [(0, "'n_in' parameter of Dense must be a positive int"), ("3", "positive int")],
)
def test_bad_layer_sizes(n_in, message):
    with pytest.raises((ValueError, TypeError), match=message):
        gn.Dense(n_in, 2)


def test_bad_transfer_matrix_shape():
    with pytest.raises(ValueError, match=r"shape \(n_in \+ 1, n_out\)"):
        gn.Dense.from_transfer_matrix(np.ones(3))


def test_layer_sizes_must_chain_and_the_error_names_both_layers():
    with pytest.raises(
        ValueError,
        match=r"layer 2 \(Dense\(784, 10.*expects 784.*"
        r"layer 1 \(Dense\(100, 256.*gives 256",
    ):
        gn.Network([gn.Dense(100, 256), gn.Dense(784, 10, "softmax")])


def test_network_parameters_live_in_one_buffer():
    net = gn.Network.mlp([4, 5, 3], seed=0)
    assert net.parameters_flat.size == 4 * 5 + 5 + 5 * 3 + 3
    net.parameters_flat[0] = 42.0
    assert net.layers[0].W[0, 0] == 42.0
    net.layers[1].b = [1.0, 2.0, 3.0]
    assert net.parameters_flat[-3:].tolist() == [1.0, 2.0, 3.0]


def test_same_seed_same_network_and_float_dtypes():
    a = gn.Network.mlp([4, 8, 3], seed=5)
    b = gn.Network.mlp([4, 8, 3], seed=5)
    c = gn.Network.mlp([4, 8, 3], seed=6)
    assert np.array_equal(a.parameters_flat, b.parameters_flat)
    assert not np.array_equal(a.parameters_flat, c.parameters_flat)
    assert a.dtype == np.float32 and a.forward(np.ones((2, 4))).dtype == np.float32
    d = gn.Network.mlp([4, 8, 3], seed=5, dtype="float64")
    assert d.forward(np.ones((2, 4))).dtype == np.float64
    with pytest.raises(ValueError, match="'dtype' parameter of Network"):
        gn.Network.mlp([4, 3], dtype="int32")


def test_mlp_defaults_follow_the_task():
    assert gn.Network.mlp([4, 3]).loss.name == "cross_entropy"
    assert gn.Network.mlp([4, 1]).loss.name == "binary_cross_entropy"
    reg = gn.Network.mlp([4, 8, 1], loss="mse")
    assert reg.output_activation.name == "identity" and reg.task == "regression"
    per_layer = gn.Network.mlp([4, 5, 6, 2], hidden=["tanh", "relu"])
    assert [lyr.activation.name for lyr in per_layer.layers] == [
        "tanh",
        "relu",
        "softmax",
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"output": "identity", "loss": "cross_entropy"},
            "needs outputs that are probab",
        ),
        ({"output": "relu", "loss": "binary_cross_entropy"}, "sigmoid or softmax"),
    ],
)
def test_contradictory_output_and_loss(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gn.Network.mlp([4, 3], **kwargs)


def test_softmax_needs_two_units():
    with pytest.raises(ValueError, match="softmax output needs at least 2 units"):
        gn.Network.mlp([4, 1], output="softmax")


def test_summary_get_and_set_weights():
    net = gn.Network.mlp([3, 4, 2], seed=0)
    text = str(net.summary())
    assert "Dense(3, 4" in text and "Total parameters: 26" in text
    weights = net.get_weights()
    assert [w.shape for w in weights] == [(4, 3), (4,), (2, 4), (2,)]
    weights[0][:] = 1.0
    assert not np.all(net.layers[0].W == 1.0)  # get_weights returns copies
    net.set_weights(weights)
    assert np.all(net.layers[0].W == 1.0)
    with pytest.raises(ValueError, match="list of 4 arrays"):
        net.set_weights(weights[:3])
    with pytest.raises(ValueError, match=r"layer 2 W must have shape \(2, 4\)"):
        net.set_weights([weights[0], weights[1], np.zeros((4, 2)), weights[3]])


def test_predict_and_predict_proba():
    net = gn.Network.mlp([2, 3], seed=0, dtype="float64")
    net.set_weights([np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]), np.zeros(3)])
    X = np.array([[2.0, 0.0], [0.0, 3.0], [-1.0, -1.0]])
    assert net.predict(X).tolist() == [0, 1, 2]
    P = net.predict_proba(X)
    e = np.exp([2.0, 0.0, 0.0])
    assert P[0] == pytest.approx(e / e.sum())
    binary = gn.Network.mlp([1, 1], seed=0, dtype="float64")
    binary.set_weights([np.array([[1.0]]), np.array([0.0])])
    proba = binary.predict_proba([[0.0], [np.log(3.0)]])
    # sigma(log 3) = 3 / 4: columns are P(y=0), P(y=1)
    assert proba == pytest.approx(np.array([[0.5, 0.5], [0.25, 0.75]]))
    assert binary.predict([[-1.0], [1.0]]).tolist() == [0, 1]
    regressor = gn.Network.mlp([2, 1], loss="mse", seed=0)
    assert regressor.predict(X).shape == (3,)
    with pytest.raises(ValueError, match="predict_proba needs a classifier"):
        regressor.predict_proba(X)
    # the loss makes the task, not the output activation
    bounded = gn.Network.mlp([2, 1], output="sigmoid", loss="mse", seed=0)
    with pytest.raises(ValueError, match="loss 'mse' makes it a regressor"):
        bounded.predict_proba(X)


def test_evaluate_reports_loss_and_accuracy_or_mae():
    net = gn.Network.mlp([2, 3], seed=0, dtype="float64")
    net.set_weights([np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]), np.zeros(3)])
    X = np.array([[2.0, 0.0], [0.0, 3.0], [-1.0, -1.0], [5.0, 0.0]])
    result = net.evaluate(X, [0, 1, 2, 1])
    assert result["accuracy"] == 0.75
    e = np.exp([2.0, 0.0, 0.0])
    assert result["loss"] > -np.log(e[0] / e.sum()) / 4
    reg = gn.Network.mlp([1, 1], loss="mse", seed=0, dtype="float64")
    reg.set_weights([np.array([[2.0]]), np.array([1.0])])
    # predictions 1, 3 against 0, 0: squared errors 1 and 9, absolute 1 and 3
    assert reg.evaluate([[0.0], [1.0]], [0.0, 0.0]) == {"loss": 5.0, "mae": 2.0}


@pytest.mark.parametrize(
    ("X", "y", "error", "message"),
    [
        ([1.0, 2.0, 3.0], [0], ValueError, r"2-D.*X.reshape\(-1, 1\)"),
        ([["a", "b", "c"]], [0], TypeError, "numeric"),
        ([[1.0, np.nan, 0.0]], [0], ValueError, "finite.*row 0, column 1"),
        ([[1.0, 2.0]], [0], ValueError, "2 features per sample.*expects 3"),
        ([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]], [0], ValueError, "same number of samples"),
        ([[1.0, 2.0, 3.0]], [7], ValueError, "Got the label 7"),
        (np.zeros((0, 3)), [], ValueError, "at least one sample"),
        ("data.csv", [0], TypeError, "2-D numeric array"),
    ],
)
def test_bad_inputs_are_clear_errors(X, y, error, message):
    net = gn.Network.mlp([3, 4, 2], seed=0)
    with pytest.raises(error, match=message):
        net.fit(X, y, epochs=1)


@pytest.mark.parametrize("layout", ["C", "F"])
def test_the_finiteness_check_finds_every_bad_value(layout):
    net = gn.Network.mlp([3, 2], seed=0)
    # float32 values whose squares (and sum) overflow are still finite
    huge = np.full((4, 3), 3e38, dtype=np.float32, order=layout)
    assert net.predict(huge).shape == (4,)
    for bad in (np.inf, -np.inf, np.nan):
        X = huge.copy(order=layout)
        X[2, 1] = bad
        with pytest.raises(ValueError, match="finite.*row 2, column 1"):
            net.predict(X)


def test_trace_keeps_every_array_and_changes_nothing():
    rng = np.random.default_rng(0)
    net = gn.Network.mlp([3, 4, 2], hidden="tanh", seed=0, dtype="float64")
    before = net.get_weights()
    X, y = rng.normal(size=(5, 3)), rng.integers(0, 2, size=5)
    t = net.trace(X, y)
    assert [lt.z.shape for lt in t.layers] == [(5, 4), (5, 2)]
    assert t.layers[0].dW.shape == (4, 3) and t.layers[1].db.shape == (2,)
    assert t.loss == pytest.approx(net.evaluate(X, y)["loss"])
    # the recursion: delta^1 = (delta^2 W^2) * (1 - a^1 ^ 2)
    expected = (t.layers[1].delta @ t.layers[1].W) * (1 - t.layers[0].a ** 2)
    assert t.layers[0].delta == pytest.approx(expected)
    for a, b in zip(before, net.get_weights(), strict=True):
        assert np.array_equal(a, b)
    assert "delta" in str(t) and "loss C" in str(t)


# -- a layer's parameters, once they exist, are never re-drawn behind the user's back


def _set_w_in_place(d, M, v):
    d.W[...] = M


def _set_b_in_place(d, M, v):
    d.b[...] = v


def _assign_w(d, M, v):
    d.W = M


def _add_to_w(d, M, v):
    d.W += 1.0


def _copyto_w(d, M, v):
    np.copyto(d.W, M)


def _set_weights_of_a_network(d, M, v):
    gn.Network([d]).set_weights([M, v])


@pytest.mark.parametrize(
    "change",
    [
        _set_w_in_place,
        _set_b_in_place,
        _assign_w,
        _add_to_w,
        _copyto_w,
        _set_weights_of_a_network,
    ],
)
def test_parameters_set_before_joining_a_network_are_kept(change):
    M = np.arange(16.0).reshape(4, 4) / 10
    v = np.array([0.1, -0.2, 0.3, -0.4])
    d = gn.Dense(4, 4, activation="sigmoid")
    change(d, M, v)
    expected_W, expected_b = d.W.copy(), d.b.copy()
    net = gn.Network(
        [d, gn.Dense(4, 1, activation="sigmoid")], loss="binary_cross_entropy", seed=3
    )
    np.testing.assert_array_equal(net.layers[0].W, expected_W.astype(np.float32))
    np.testing.assert_array_equal(net.layers[0].b, expected_b.astype(np.float32))


def test_lecture_003_binary_example_written_with_in_place_weights():
    # Lecture 003's 4-4-1 sigmoid network (W1 rows, b1, W2, b2 as on the slide);
    # the output worked out by hand with NumPy below, not by glassnet.
    W1 = np.array(
        [
            [0.1, 0.2, 0.3, 0.4],
            [0.5, 0.6, 0.7, 0.8],
            [0.9, 1.0, 1.1, 1.2],
            [1.3, 1.4, 1.5, 1.6],
        ]
    )
    b1 = np.array([0.1, 0.2, 0.3, 0.4])
    W2, b2 = np.array([[0.5, 0.6, 0.7, 0.8]]), np.array([0.5])
    x = np.array([[1.0, 0.0, 0.5, 0.2]])
    hidden, out = gn.Dense(4, 4, "sigmoid"), gn.Dense(4, 1, "sigmoid")
    hidden.W[...], hidden.b[...], out.W[...], out.b[...] = W1, b1, W2, b2
    net = gn.Network([hidden, out], loss="binary_cross_entropy", dtype="float64")

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    expected = sigmoid(sigmoid(x @ W1.T + b1) @ W2.T + b2)
    np.testing.assert_allclose(net.forward(x), expected, rtol=1e-12)


def test_untouched_layers_are_drawn_from_the_network_seed():
    def build():
        return gn.Network([gn.Dense(3, 4, "tanh"), gn.Dense(4, 2, "softmax")], seed=7)

    a, b = build(), build()
    np.testing.assert_array_equal(a.parameters_flat, b.parameters_flat)
    other = gn.Network([gn.Dense(3, 4, "tanh"), gn.Dense(4, 2, "softmax")], seed=8)
    assert not np.array_equal(a.parameters_flat, other.parameters_flat)


def test_a_layer_with_its_own_seed_is_not_redrawn():
    alone = gn.Dense(3, 4, "tanh", seed=5).W.copy()
    net = gn.Network([gn.Dense(3, 4, "tanh", seed=5), gn.Dense(4, 1)], seed=99)
    np.testing.assert_allclose(net.layers[0].W, alone, rtol=1e-6)


def test_a_layer_moved_to_a_second_network_keeps_its_weights():
    d = gn.Dense(3, 4, "tanh")
    first = gn.Network([d, gn.Dense(4, 1)], seed=1)
    kept = first.layers[0].W.copy()
    gn.Network([d, gn.Dense(4, 1)], seed=2)
    np.testing.assert_array_equal(d.W, kept)


def test_batch_norm_scale_set_before_joining_is_kept():
    bn = gn.BatchNorm(4)
    bn.gamma[...] = [1.0, 2.0, 3.0, 4.0]
    bn.running_var[...] = 2.0
    net = gn.Network([gn.Dense(3, 4), bn, gn.Dense(4, 1)], seed=0)
    np.testing.assert_array_equal(net.layers[1].gamma, [1, 2, 3, 4])
    np.testing.assert_array_equal(net.layers[1].running_var, 2.0)


# -- copies, weights in and out: no shared memory ---------------------------------


def _bn_network(dtype):
    net = gn.Network(
        [gn.Dense(3, 4), gn.BatchNorm(activation="relu"), gn.Dense(4, 2, "softmax")],
        seed=0,
        dtype=dtype,
    )
    bn = net.layers[1]
    bn.running_mean[...] = [0.1, -0.2, 0.3, 0.0]
    bn.running_var[...] = [1.5, 0.5, 2.0, 1.0]
    return net


def _arrays(net):
    """Every parameter and running statistic, and the flat buffer."""
    named = [
        (f"{i}.{name}", array)
        for i, layer in enumerate(net.layers)
        for name, array in [*layer.parameters(), *layer.buffers()]
    ]
    return [*named, ("parameters_flat", net.parameters_flat)]


def _assert_independent(a, b):
    """No array of ``a`` shares memory with one of ``b``, and changes stay put."""
    for name, x in _arrays(a):
        for other, y in _arrays(b):
            assert not np.shares_memory(x, y), (name, other)
    before = [x.copy() for _, x in _arrays(b)]
    for _, x in _arrays(a)[:-1]:
        x += 1.0  # W, b, gamma, beta, running mean and variance, in place
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 3)), np.arange(8) % 2
    a.fit(X, y, epochs=2, optimizer=gn.SGD(lr=0.5), metrics=[], seed=0)
    for (name, x), old in zip(_arrays(b), before, strict=True):
        np.testing.assert_array_equal(x, old, err_msg=name)


COPIES = {
    "deepcopy": lambda net: copy.deepcopy(net),
    "pickle": lambda net: pickle.loads(pickle.dumps(net)),
    "astype_same": lambda net: net.astype(net.dtype),
    "astype_other": lambda net: net.astype(
        "float32" if net.dtype == np.float64 else "float64"
    ),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("make", list(COPIES.values()), ids=list(COPIES))
def test_a_copied_network_is_independent_both_ways(dtype, make):
    original = _bn_network(dtype)
    _assert_independent(make(original), original)
    original = _bn_network(dtype)
    _assert_independent(original, make(original))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_get_and_set_weights_copy(dtype):
    net = _bn_network(dtype)
    weights = net.get_weights()
    for _, x in _arrays(net):
        for w in weights:
            assert not np.shares_memory(x, w)
    # get_weights: changing the list leaves the network
    before = [x.copy() for _, x in _arrays(net)]
    for w in weights:
        w += 1.0
    for (name, x), old in zip(_arrays(net), before, strict=True):
        np.testing.assert_array_equal(x, old, err_msg=name)
    # set_weights: the network takes the values, not the arrays
    given = [w.astype(dtype) for w in weights]
    net.set_weights(given)
    kept = [w.copy() for w in given]
    for _, x in _arrays(net):
        for w in given:
            assert not np.shares_memory(x, w)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 3)), np.arange(8) % 2
    net.fit(X, y, epochs=2, optimizer=gn.SGD(lr=0.5), metrics=[], seed=0)
    for w, old in zip(given, kept, strict=True):
        np.testing.assert_array_equal(w, old)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_from_transfer_matrix_and_transfer_matrix_copy(dtype):
    T = np.arange(12, dtype=dtype).reshape(4, 3) / 10
    layer = gn.Dense.from_transfer_matrix(T)
    assert not np.shares_memory(layer.W, T) and not np.shares_memory(layer.b, T)
    T_before = T.copy()
    layer.W[...] += 1.0
    layer.b[...] += 1.0
    np.testing.assert_array_equal(T, T_before)
    out = layer.transfer_matrix
    assert not np.shares_memory(out, layer.W) and not np.shares_memory(out, layer.b)
    W_before = layer.W.copy()
    out += 1.0
    np.testing.assert_array_equal(layer.W, W_before)


def test_a_network_whose_layers_joined_another_refuses_to_train(rng):
    X, y = rng.normal(size=(8, 3)), rng.normal(size=8)
    first = gn.Network([gn.Dense(3, 4, "tanh"), gn.Dense(4, 1)], loss="mse", seed=0)
    second = gn.Network(first.layers, loss="mse")
    before = second.get_weights()
    for train in (
        lambda: first.fit(X, y, epochs=1),
        lambda: first.train_step(X, y),
        lambda: first.loss_and_gradients(X, y),
    ):
        with pytest.raises(RuntimeError, match="Layer 1 .* another Network"):
            train()
    for a, b in zip(before, second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    second.fit(X, y, epochs=1)  # the network that holds the layers trains


def test_assigning_batch_norm_scale_changes_the_trained_array():
    net = gn.Network([gn.Dense(3, 4), gn.BatchNorm(), gn.Dense(4, 1)], seed=0)
    bn = net.layers[1]
    bn.gamma = np.array([1.0, 2.0, 3.0, 4.0])
    bn.running_var = np.full(4, 2.0)
    assert np.shares_memory(bn.gamma, net.parameters_flat)
    np.testing.assert_array_equal(net.get_weights()[2], [1, 2, 3, 4])
    assert bn.running_var.dtype == np.float32
    with pytest.raises(ValueError, match=r"BatchNorm.gamma must have shape \(4,\)"):
        bn.gamma = np.ones(3)


def test_a_dense_layer_rebuilt_from_its_config_draws_fresh_weights():
    # as Keras's from_config: a new layer of the same settings, ready to train
    config = gn.Dense(20, 30, "relu", seed=0).config()
    layer = gn.Dense.from_config(config)
    assert layer.W.shape == (30, 20) and np.std(layer.W) > 0.05
    # He initialization for ReLU: variance 2 / n_in
    assert np.var(layer.W) == pytest.approx(2 / 20, rel=0.35)
    empty = gn.Dense.from_config(config, draw=False)
    assert not empty.W.any()


# -- named columns ----------------------------------------------------------------


def _named_network():
    from glassnet.datasets.preprocessing import Preprocessing
    from glassnet.datasets.scalers import FeatureSchema

    net = gn.Network.mlp([3, 5, 2], seed=0, dtype="float64")
    net.preprocessing = Preprocessing(schema=FeatureSchema(["x1", "x2", "x3"]))
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y = (X[:, 0] > X[:, 2]).astype(np.int64)
    return net, X, y


def _gradcheck_loss(net, X, y):
    from glassnet.inspection.gradcheck import gradcheck

    return gradcheck(net, X, y).loss


_ENTRY_POINTS = {
    "predict": lambda net, X, y: net.predict(X),
    "predict_proba": lambda net, X, y: net.predict_proba(X),
    "forward": lambda net, X, y: net.forward(X),
    "evaluate": lambda net, X, y: net.evaluate(X, y)["loss"],
    "loss_and_gradients": lambda net, X, y: net.loss_and_gradients(X, y),
    "train_step": lambda net, X, y: (net.train_step(X, y), net.get_weights()[0])[1],
    "fit": lambda net, X, y: net.fit(X, y, epochs=2, seed=0).history["loss"],
    "fit_validation_data": lambda net, X, y: net.fit(
        X[:20], y[:20], validation_data=(X[20:], y[20:]), epochs=1, seed=0
    ).history["val_loss"],
    "trace": lambda net, X, y: net.trace(X[:4], y[:4], "sgd").new_loss,
    "gradcheck": lambda net, X, y: _gradcheck_loss(net, X[:4], y[:4]),
}


@pytest.mark.parametrize("entry", sorted(_ENTRY_POINTS))
def test_dataframe_columns_are_matched_by_name(entry):
    pd = pytest.importorskip("pandas")
    run = _ENTRY_POINTS[entry]
    net, X, y = _named_network()
    expected = run(copy.deepcopy(net), X, y)  # the array, in the model's order
    shuffled = pd.DataFrame(X, columns=["x1", "x2", "x3"])[["x3", "x1", "x2"]]
    if entry == "fit_validation_data":  # only the validation part is a frame
        got = net.fit(
            X[:20], y[:20], validation_data=(shuffled[20:], y[20:]), epochs=1, seed=0
        ).history["val_loss"]
    else:
        got = run(net, shuffled, y)
    np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))


@pytest.mark.parametrize(
    "columns, message",
    [
        (["x1", "x2", "z"], r"missing 'x3' \(1\); unexpected 'z' \(1\)"),
        (["x1", "x2"], r"3 feature names, in any order\. Got 2 columns: missing"),
        (["x1", "x1", "x3"], r"missing 'x2' \(1\)"),
    ],
    ids=["renamed", "one_missing", "repeated"],
)
def test_dataframe_with_other_column_names_is_refused(columns, message):
    pd = pytest.importorskip("pandas")
    net, X, y = _named_network()
    frame = pd.DataFrame(X[:, : len(columns)], columns=columns)
    with pytest.raises(ValueError, match=message):
        net.predict(frame)


def test_dataframe_is_positional_without_names_on_either_side():
    pd = pytest.importorskip("pandas")
    net, X, y = _named_network()
    # integer column labels: no names, taken by position
    np.testing.assert_array_equal(net.predict(pd.DataFrame(X)), net.predict(X))
    net.preprocessing = None  # a model without feature names
    frame = pd.DataFrame(X[:, ::-1], columns=["x3", "x2", "x1"])
    np.testing.assert_array_equal(net.predict(frame), net.predict(X[:, ::-1]))


def test_diagnostics_evaluation_frame_is_matched_by_name():
    pd = pytest.importorskip("pandas")
    net, X, y = _named_network()
    shuffled = pd.DataFrame(X, columns=["x1", "x2", "x3"])[["x2", "x3", "x1"]]
    diagnostics = gn.Diagnostics(X_eval=shuffled, warn=False)
    net.fit(X, y, epochs=1, seed=0, callbacks=[diagnostics])
    np.testing.assert_array_equal(diagnostics.X_eval, X)
