"""XOR: the perceptron cannot learn it, a 2-2-1 sigmoid network can (lecture 002).

Run: python examples/xor.py
"""

import warnings

import numpy as np

import glassnet as gn

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR = np.array([0, 1, 1, 0])


def main() -> None:
    perceptron = gn.Perceptron(2, "step", max_epochs=100, seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = perceptron.fit(X, XOR)
    print(f"perceptron converged: {result.converged}; {caught[0].message}")

    net = gn.Network.mlp([2, 2, 1], hidden="sigmoid", seed=1, dtype="float64")
    net.fit(X, XOR, epochs=3000, batch_size=None, optimizer=gn.SGD(lr=2.0))
    print(f"2-2-1 network predicts {net.predict(X).tolist()} for {XOR.tolist()}")
    print(net.forward(X).ravel().round(3))


if __name__ == "__main__":
    main()
