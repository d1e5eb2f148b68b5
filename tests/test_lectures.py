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
    # The slide prints a_2 = 0.948 and y_hat = 0.7207, rounded from the 2-digit
    # h_1; the mathematics gives a_2 = 0.9489 and y_hat = sigmoid(0.9489) = 0.7209.
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
