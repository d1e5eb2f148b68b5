"""The lecture notes' worked examples, number for number, through the public API.

Where a slide's printed intermediate disagrees with the mathematics, the test
follows the mathematics and a comment names the slide's number and the
correct one.
"""

import numpy as np
import pytest

import glassnet as gn

# Lecture 002, "A grounded example of feedforward and backpropagation" I-III:
# transfer matrices with the bias in row 0, input [0, 1], target 1, rho = 1.
T0 = np.array([[0.4, 0.6], [0.7, -0.4], [-0.2, 0.3]])
T1 = np.array([[-0.3], [0.5], [0.1]])


def grounded_network():
    layers = [
        gn.Dense.from_transfer_matrix(T0, activation="sigmoid"),
        gn.Dense.from_transfer_matrix(T1, activation="sigmoid"),
    ]
    return gn.Network(layers, loss="binary_cross_entropy", dtype="float64")


def printed(value, digits):
    """Equality to the number of decimals the slide prints."""
    return pytest.approx(value, abs=0.5 * 10.0**-digits)


def test_grounded_example_forward():
    t = grounded_network().trace([[0, 1]], [1])
    hidden, output = t.layers
    # x^(1)_[1+] = phi(W^(0)T x^(0)) = [0.550, 0.711]
    assert hidden.a[0] == printed(np.array([0.550, 0.711]), 3)
    # x^(2) = phi(W^(1)T x^(1)) = [0.512]
    assert output.a[0, 0] == printed(0.512, 3)


def test_grounded_example_deltas_and_gradients():
    t = grounded_network().trace([[0, 1]], [1])
    hidden, output = t.layers
    # delta^(2) = y_hat - y = 0.512 - 1 = -0.488
    assert output.delta[0, 0] == printed(-0.488, 3)
    # delta^(1) = psi(x^(1)) o (W^(1) delta^(2)) = [0, -0.060, -0.010]; the 0 is
    # the bias placeholder, which the (W, b) layout does not store.
    assert hidden.delta[0] == printed(np.array([-0.060, -0.010]), 3)
    # nabla^(1) = x^(1) (delta^(2))^T = [-0.488, -0.269, -0.347]
    assert output.transfer_gradient[:, 0] == printed(
        np.array([-0.488, -0.269, -0.347]), 3
    )
    # nabla^(0) = x^(0) (delta^(1)_[1+])^T
    expected = np.array([[-0.060, -0.010], [0.0, 0.0], [-0.060, -0.010]])
    assert hidden.transfer_gradient == printed(expected, 3)


def test_grounded_example_update_and_new_prediction():
    net = grounded_network()
    net.train_step([[0, 1]], [1], optimizer=gn.SGD(lr=1.0))
    new_T0 = net.layers[0].transfer_matrix
    new_T1 = net.layers[1].transfer_matrix
    # The slide prints W^(1) <- (0.188, 0.769, -0.447). The last entry is
    # 0.1 - (-0.347) = +0.447: the slide's minus sign is a typo.
    assert new_T1[:, 0] == printed(np.array([0.188, 0.769, 0.447]), 3)
    # The slide prints row 2 of the new W^(0) as (0.460, 0.610), a copy of row 0;
    # the mathematics gives (-0.2 + 0.060, 0.3 + 0.010) = (-0.140, 0.310).
    expected = np.array([[0.460, 0.610], [0.700, -0.400], [-0.140, 0.310]])
    assert new_T0 == printed(expected, 3)
    # "You should see [0.722] with new W's"
    assert net.forward([[0, 1]])[0, 0] == printed(0.722, 3)


def test_grounded_example_transfer_matrices_round_trip_exactly():
    net = grounded_network()
    assert np.array_equal(net.layers[0].transfer_matrix, T0)
    assert np.array_equal(net.layers[1].transfer_matrix, T1)


def lecture003_network(W1, b1, W2, b2, output):
    hidden = gn.Dense(4, 4, "sigmoid", seed=0)
    hidden.W, hidden.b = W1, b1
    out = gn.Dense(4, W2.shape[0], output, seed=0)
    out.W, out.b = W2, b2
    return gn.Network([hidden, out], dtype="float64")


def test_lecture003_binary_classification():
    W1 = np.array(
        [
            [0.9, 0.2, 0.4, 0.3],
            [-0.5, 0.4, 0.3, 0.3],
            [0.1, 0.1, -0.1, 0.2],
            [-0.2, 0.5, 0.5, 0.7],
        ]
    )
    W2 = np.array([[0.5, 0.8, -0.6, 0.3]])
    # "b = [0.5 0.3]": 0.5 for every hidden unit, 0.3 for the output; this is
    # the reading that reproduces the slide's a_1 exactly.
    net = lecture003_network(W1, np.full(4, 0.5), W2, np.array([0.3]), "sigmoid")
    assert net.loss.name == "binary_cross_entropy"
    t = net.trace([[0.3, 0.5, -0.4, 0.3]], [1])
    hidden, output = t.layers
    assert hidden.z[0] == printed(np.array([0.8, 0.52, 0.68, 0.7]), 2)
    assert hidden.a[0] == printed(np.array([0.69, 0.63, 0.66, 0.67]), 2)
    # The slide prints a_2 = 0.948 (0.9489 cut after three digits) and
    # y_hat = sigmoid(0.948) = 0.7207; the mathematics gives a_2 = 0.9489 and
    # y_hat = sigmoid(0.9489) = 0.7209 (see test_lecture003_binary_slide_truncates_a2).
    assert output.z[0, 0] == printed(0.9489, 4)
    assert output.a[0, 0] == printed(0.7209, 4)
    # L = -log(0.7207) = 0.327 (the same to the 3 digits printed)
    assert t.loss == printed(0.327, 3)


def test_lecture003_multiclass_second_case():
    W1 = np.array(
        [
            [0.1, 0.3, 0.8, -0.4],
            [-0.3, -0.2, 0.5, 0.5],
            [-0.3, 0.1, 0.5, 0.4],
            [0.2, 0.5, -0.9, 0.7],
        ]
    )
    W2 = np.array(
        [[0.3, 0.8, -0.2, -0.4], [0.5, -0.2, -0.3, 0.5], [0.3, 0.1, 0.6, 0.6]]
    )
    net = lecture003_network(W1, np.zeros(4), W2, np.zeros(3), "softmax")
    assert net.loss.name == "cross_entropy"
    X = [[0.6, 0.4, 0.6, 0.1]]
    for target in ([2], [[0, 0, 1]]):  # integer label and one-hot
        t = net.trace(X, target)
        hidden, output = t.layers
        assert hidden.z[0] == printed(np.array([0.62, 0.09, 0.2, -0.15]), 2)
        assert hidden.a[0] == printed(np.array([0.65, 0.52, 0.55, 0.46]), 2)
        assert output.z[0] == printed(np.array([0.32, 0.29, 0.85]), 2)
        assert output.a[0] == printed(np.array([0.2718, 0.2634, 0.4648]), 4)
        assert t.loss == printed(0.7661, 4)
    assert net.predict_proba(X)[0] == printed(np.array([0.2718, 0.2634, 0.4648]), 4)
    assert net.predict(X)[0] == 2


def test_lecture004_parameter_count():
    # "Learnable parameters: (4 x 4) + (5 x 2); total = 26" for a 3-4-2 network
    net = gn.Network.mlp([3, 4, 2], hidden="sigmoid", seed=0)
    summary = net.summary()
    assert summary.total_params == 26
    assert net.n_params == 26
    assert [row[2] for row in summary.rows] == [4 * 4, 5 * 2]
    assert "26" in str(summary)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_lecture003_multiclass_first_case():
    # The first case's input was a figure; the slide prints a_1, and the rest
    # of the chain follows from it. An identity hidden weight passes a_1 through.
    a1 = np.array([-0.19, -0.16, -0.09, 0.77])
    W2 = np.array(
        [[0.3, 0.8, -0.2, -0.4], [0.5, -0.2, -0.3, 0.5], [0.3, 0.1, 0.6, 0.6]]
    )
    net = lecture003_network(np.eye(4), np.zeros(4), W2, np.zeros(3), "softmax")
    t = net.trace([a1], [1])  # "-1 * log(0.28)": the second class is the true one
    hidden, output = t.layers
    # The exact chain, written out here.
    h1 = sigmoid(a1)
    a2 = W2 @ h1
    y_hat = np.exp(a2) / np.exp(a2).sum()
    assert hidden.a[0] == pytest.approx(h1, abs=1e-12)
    assert output.z[0] == pytest.approx(a2, abs=1e-12)
    assert output.a[0] == pytest.approx(y_hat, abs=1e-12)
    assert t.loss == pytest.approx(-np.log(y_hat[1]), abs=1e-12)
    # The slide prints h_1 = [0.45 0.46 0.49 0.68]: its third entry is
    # sigmoid(-0.09) = 0.478, so 0.48, not 0.49.
    assert hidden.a[0] == printed(np.array([0.45, 0.46, 0.48, 0.68]), 2)
    assert hidden.a[0, 2] == printed(0.478, 3)
    # a_2 = [0.13 0.33 0.89] on the slide: the third entry is 0.878 (0.88).
    assert output.z[0] == printed(np.array([0.13, 0.33, 0.88]), 2)
    assert output.z[0, 2] == printed(0.878, 3)
    # y_hat = [0.23 0.28 0.49] agrees; the slide's loss 1.2729 is -log(0.28)
    # from the rounded probability, the exact chain gives -log(0.2820) = 1.2659.
    assert output.a[0] == printed(np.array([0.23, 0.28, 0.49]), 2)
    assert t.loss == printed(1.2659, 4)


def test_lecture003_binary_slide_truncates_a2():
    # a_2 = W_2 h_1 + b_2 = 0.9489 exactly; the slide prints 0.948, the exact
    # value cut after three digits, and y_hat = sigmoid(0.948) = 0.7207 from it.
    # Two-digit activations would give 0.954 instead.
    h1_two_digits = np.array([0.69, 0.63, 0.66, 0.67])
    W2 = np.array([0.5, 0.8, -0.6, 0.3])
    assert W2 @ h1_two_digits + 0.3 == pytest.approx(0.954, abs=1e-12)
    exact = W2 @ sigmoid(np.array([0.8, 0.52, 0.68, 0.7])) + 0.3
    assert np.floor(exact * 1000) / 1000 == pytest.approx(0.948, abs=1e-12)
    assert sigmoid(0.948) == printed(0.7207, 4)


def test_lecture003_pixels_divided_by_255():
    # The slide's 7 x 7 corner of an MNIST image and its table "divided by 255".
    pixels = np.array(
        [
            [255, 183, 95, 8, 93, 196, 253],
            [254, 154, 37, 0, 28, 172, 254],
            [252, 250, 187, 178, 195, 253, 253],
        ],
        dtype=np.uint8,
    )
    # An identity layer shows what the network's first layer receives: uint8
    # pixels enter as x / 255.
    layer = gn.Dense(7, 7, "identity", seed=0)
    layer.W, layer.b = np.eye(7), np.zeros(7)
    seen = gn.Network([layer], loss="mse", dtype="float64").forward(pixels)
    assert seen == pytest.approx(pixels / 255.0, abs=1e-12)
    # The slide prints 0.14 for 37 and 0.69 for 178; 37/255 = 0.145 and
    # 178/255 = 0.698, which round to 0.15 and 0.70.
    corrected = [
        [1.00, 0.72, 0.37, 0.03, 0.36, 0.77, 0.99],
        [1.00, 0.60, 0.15, 0.00, 0.11, 0.67, 1.00],
        [0.99, 0.98, 0.73, 0.70, 0.76, 0.99, 0.99],
    ]
    assert seen == printed(np.array(corrected), 2)
    assert seen[1, 2] == printed(0.145, 3) and seen[2, 3] == printed(0.698, 3)


def test_lecture003_one_hot_labels():
    # The slide's row for the digit 8 prints [0,0,0,0,0,0,0,1,0]: nine entries,
    # the 1 in the place of a 7. Ten classes give ten entries, the 1 at index 8.
    loss = gn.losses.get("cross_entropy")
    Y = loss.prepare_targets(np.arange(10), 10)
    assert Y.shape == (10, 10)
    assert Y[8].tolist() == [0, 0, 0, 0, 0, 0, 0, 0, 1, 0]
    assert np.array_equal(Y, np.eye(10))


def test_lecture004_regression_mlp_parameter_count():
    # "M(D + 1) weights and (D + 1) biases" for D inputs, M hidden units and one
    # linear output: the output unit has M weights and 1 bias, M + 1 = 6 for
    # D = 3, M = 5 (the slide's D + 1 would be 4). Total 5 * 4 + 6 = 26.
    D, M = 3, 5
    net = gn.Network.mlp([D, M, 1], hidden="sigmoid", output="identity", seed=0)
    summary = net.summary()
    assert [row[2] for row in summary.rows] == [M * (D + 1), M + 1]
    assert net.n_params == 20 + 6


def test_lecture004_output_gradient_with_identity_output():
    # Equations (20)-(24): z = w a^(L-1) + b, a^(L) = z, C = (a^(L) - y)^2. The
    # slides' gradients 2 (a - y) sigma'(z) a^(L-1) (23) and 2 (a - y) sigma'(z)
    # (24) keep a sigma' factor, but with a^(L) = z it is 1:
    # dC/dw = 2 (a - y) a^(L-1), dC/db = 2 (a - y).
    # The slide gives no numbers; these are chosen so that z = 0.
    a_prev = np.array([0.5, -1.0])
    w, b, y = np.array([0.4, 0.3]), 0.1, 0.822
    z = w @ a_prev + b  # 0.2 - 0.3 + 0.1 = 0
    expected_dw = 2 * (z - y) * a_prev  # 2 (-0.822) [0.5, -1] = [-0.822, 1.644]
    assert expected_dw == pytest.approx([-0.822, 1.644], abs=1e-12)
    layer = gn.Dense(2, 1, "identity", seed=0)
    layer.W, layer.b = w[None, :], np.array([b])
    net = gn.Network([layer], loss="sse", dtype="float64")
    t = net.trace([a_prev], [[y]])
    assert t.layers[0].dW[0] == pytest.approx(expected_dw, abs=1e-12)
    expected_db = 2 * (z - y)  # eq. (24) without sigma': 2 (-0.822) = -1.644
    assert expected_db == pytest.approx(-1.644, abs=1e-12)
    assert t.layers[0].db[0] == pytest.approx(expected_db, abs=1e-12)
    # with a sigmoid's sigma'(0) = 1/4 the slides' formulas would give a quarter
    assert not np.allclose(t.layers[0].dW[0], 0.25 * expected_dw)
    assert not np.allclose(t.layers[0].db[0], 0.25 * expected_db)
