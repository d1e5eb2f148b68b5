"""Lecture 002's quiz: approximate h = 1/2 g t^2 with one hidden layer.

One input neuron (t), one output neuron (h) with an identity activation, and
a hidden layer of tanh units. Run: python examples/universal_approximation.py
"""

import numpy as np

import glassnet as gn

G = 9.81
T_MAX = 3.0
H_MAX = 0.5 * G * T_MAX**2


def main(hidden_units: int = 16) -> None:
    rng = np.random.default_rng(0)
    t_train = rng.uniform(0, T_MAX, size=(400, 1))
    t_test = rng.uniform(0, T_MAX, size=(200, 1))
    net = gn.Network.mlp(
        [1, hidden_units, 1], hidden="tanh", loss="mse", seed=0, dtype="float64"
    )
    # inputs and targets scaled to [0, 1] (lecture 002: scale your input data)
    history = net.fit(
        t_train / T_MAX,
        0.5 * G * t_train**2 / H_MAX,
        epochs=1000,
        batch_size=16,
        optimizer=gn.SGD(lr=0.1),
        seed=0,
    )
    predicted = net.predict(t_test / T_MAX) * H_MAX
    truth = 0.5 * G * t_test.ravel() ** 2
    rmse = np.sqrt(np.mean((predicted - truth) ** 2))
    print(f"final training loss {history.history['loss'][-1]:.2e}")
    print(f"held-out RMSE {rmse:.3f} m on heights from 0 to {H_MAX:.1f} m")
    for t in (0.5, 1.0, 2.0, 3.0):
        h = net.predict([[t / T_MAX]])[0] * H_MAX
        print(f"  t = {t:.1f} s: network {h:6.2f} m, formula {0.5 * G * t * t:6.2f} m")


if __name__ == "__main__":
    main()
