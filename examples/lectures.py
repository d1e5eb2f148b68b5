"""The lecture notes' worked examples, computed by glassnet.

Run: python examples/lectures.py

Where a slide's number differs from the mathematics (checked in
tests/inspection/test_lecture_examples.py), glassnet gives the right value:

- 002, grounded example: the updated W^(1) ends in +0.447 (slide: -0.447); row 2
  of the updated W^(0) is (-0.140, 0.310) (slide: row 0 repeated).
- 003, pixels divided by 255: 37 -> 0.145, i.e. 0.15 (slide: 0.14); 178 -> 0.698,
  i.e. 0.70 (slide: 0.69).
- 003, one-hot labels: the digit 8 is [0,0,0,0,0,0,0,0,1,0] (slide: nine entries,
  [0,0,0,0,0,0,0,1,0]).
- 003, binary example: a_2 = 0.9489 and y_hat = 0.7209; the slide cuts a_2 after
  three digits to 0.948 and prints sigmoid(0.948) = 0.7207 (two-digit h_1 would
  give 0.954). The loss 0.327 agrees.
- 003, multi-class first case (from the slide's a_1; its input was a figure):
  h_1 third entry sigmoid(-0.09) = 0.478 (slide: .49); a_2 third entry 0.878
  (slide: .89); loss -log(0.2820) = 1.2659 (slide: 1.2729 = -log(0.28)).
- 004, two-layer regression MLP with D inputs and M hidden units: M(D + 1)
  hidden parameters and M + 1 output parameters (slide: D + 1), 20 + 6 = 26 for
  D = 3, M = 5.
- 004, output-layer gradients, eqs. (23) and (24): with the identity output of
  eq. (21) there is no sigma' factor, dC/dw = 2 (a - y) a^(L-1) and
  dC/db = 2 (a - y) (slides: both with sigma'(z)); for a^(L-1) = [0.5, -1],
  z = 0 and y = 0.822 they are [-0.822, 1.644] and -1.644.
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

    print("Lecture 003: multi-class classification, first case (from its a_1)")
    identity = gn.Dense(4, 4, "sigmoid", seed=0)
    identity.W, identity.b = np.eye(4), np.zeros(4)  # passes a_1 to the sigmoid
    out = gn.Dense(4, 3, "softmax", seed=0)
    out.W = [[0.3, 0.8, -0.2, -0.4], [0.5, -0.2, -0.3, 0.5], [0.3, 0.1, 0.6, 0.6]]
    net = gn.Network([identity, out], dtype="float64")
    print(net.trace([[-0.19, -0.16, -0.09, 0.77]], [1]), "\n")

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


def lecture003_pixels_and_labels():
    print("Lecture 003: pixels divided by 255, one-hot labels")
    pixels = np.array([[255, 183, 95, 8, 93, 196, 253]], dtype=np.uint8)
    layer = gn.Dense(7, 7, "identity", seed=0)
    layer.W, layer.b = np.eye(7), np.zeros(7)
    with np.printoptions(precision=3, suppress=True):
        print(gn.Network([layer], loss="mse", dtype="float64").forward(pixels))
    print(gn.losses.get("cross_entropy").prepare_targets([8], 10), "\n")


def lecture004_parameter_count():
    print("Lecture 004: a 3-4-2 network")
    print(gn.Network.mlp([3, 4, 2], hidden="sigmoid", seed=0).summary())
    print("Lecture 004: a regression MLP, D = 3 inputs, M = 5 hidden units")
    print(gn.Network.mlp([3, 5, 1], output="identity", seed=0).summary())


def lecture004_identity_output_gradient():
    print("Lecture 004: output-layer gradient with an identity output")
    layer = gn.Dense(2, 1, "identity", seed=0)
    layer.W, layer.b = [[0.4, 0.3]], [0.1]
    net = gn.Network([layer], loss="sse", dtype="float64")
    # eq. (23): dC/dW = [-0.822, 1.644]; eq. (24): dC/db = -1.644
    print(net.trace([[0.5, -1.0]], [[0.822]]))


if __name__ == "__main__":
    lecture002_grounded_example()
    lecture003_examples()
    lecture003_pixels_and_labels()
    lecture004_parameter_count()
    lecture004_identity_output_gradient()
