"""The lecture notes' worked examples, computed by glassnet.

Run: python examples/lectures.py
"""

import numpy as np

import glassnet as gn


def lecture002_grounded_example():
    print("Lecture 002: a grounded example of feedforward and backpropagation")
    T0 = np.array([[0.4, 0.6], [0.7, -0.4], [-0.2, 0.3]])
    T1 = np.array([[-0.3], [0.5], [0.1]])
    net = gn.Network(
        [
            gn.Dense.from_transfer_matrix(T0, activation="sigmoid"),
            gn.Dense.from_transfer_matrix(T1, activation="sigmoid"),
        ],
        loss="binary_cross_entropy",
        dtype="float64",
    )
    print(net.trace([[0, 1]], [1]))
    net.train_step([[0, 1]], [1], optimizer=gn.SGD(lr=1.0))
    with np.printoptions(precision=3, suppress=True):
        for i, layer in enumerate(net.layers):
            print(f"updated transfer matrix W^({i}):\n{layer.transfer_matrix}")
        print(f"new prediction: {net.forward([[0, 1]])[0, 0]:.3f}\n")


def lecture003_examples():
    print("Lecture 003: binary classification")
    hidden = gn.Dense(4, 4, "sigmoid", seed=0)
    hidden.W = [
        [0.9, 0.2, 0.4, 0.3],
        [-0.5, 0.4, 0.3, 0.3],
        [0.1, 0.1, -0.1, 0.2],
        [-0.2, 0.5, 0.5, 0.7],
    ]
    hidden.b = [0.5] * 4
    out = gn.Dense(4, 1, "sigmoid", seed=0)
    out.W, out.b = [[0.5, 0.8, -0.6, 0.3]], [0.3]
    net = gn.Network([hidden, out], dtype="float64")
    print(net.trace([[0.3, 0.5, -0.4, 0.3]], [1]), "\n")

    print("Lecture 003: multi-class classification, second case")
    hidden = gn.Dense(4, 4, "sigmoid", seed=0)
    hidden.W = [
        [0.1, 0.3, 0.8, -0.4],
        [-0.3, -0.2, 0.5, 0.5],
        [-0.3, 0.1, 0.5, 0.4],
        [0.2, 0.5, -0.9, 0.7],
    ]
    out = gn.Dense(4, 3, "softmax", seed=0)
    out.W = [[0.3, 0.8, -0.2, -0.4], [0.5, -0.2, -0.3, 0.5], [0.3, 0.1, 0.6, 0.6]]
    net = gn.Network([hidden, out], dtype="float64")
    print(net.trace([[0.6, 0.4, 0.6, 0.1]], [2]), "\n")


def lecture004_parameter_count():
    print("Lecture 004: a 3-4-2 network")
    print(gn.Network.mlp([3, 4, 2], hidden="sigmoid", seed=0).summary())


if __name__ == "__main__":
    lecture002_grounded_example()
    lecture003_examples()
    lecture004_parameter_count()
