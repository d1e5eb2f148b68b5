"""California housing: regression on standardized inputs, next to scikit-learn.

20,640 districts of the 1990 census (``cal_housing.data``), 8 numeric
features, target the median house value (in units of $100,000, as
scikit-learn's ``fetch_california_housing`` gives it). A seeded 80/20 split;
the inputs are standardized with the training means and deviations. A
8-64-64-1 ReLU network with an identity output and MSE loss, trained by Adam
with early stopping on a 10% validation split, next to scikit-learn's
``MLPRegressor`` of the same shape, with its own early stopping on the same
fraction. Reports R2, MAE (in dollars) and the fit time on the test set.

    python examples/california_housing.py     # needs scikit-learn for the comparison
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import glassnet as gn
from glassnet.datasets.paths import search_dirs
from glassnet.metrics import mean_absolute_error, r2_score


def no_data(error: Exception) -> SystemExit:
    """One line saying how to get the data, instead of a traceback."""
    first = str(error).splitlines()[0] if str(error) else type(error).__name__
    return SystemExit(
        f"{Path(__file__).name}: {first} -- point GLASSNET_DATA at a folder "
        "holding the data or pass --data ('glassnet datasets' says where each "
        "dataset is looked for)."
    )


def load_housing(path: Path):
    """``(X, y)``: X (20640, 8) float, y in units of $100,000."""
    data = np.loadtxt(path, delimiter=",")
    return data[:, :8], data[:, 8] / 1e5


def split_and_standardize(X, y, seed):
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = len(y) // 5
    test, train = order[:n_test], order[n_test:]
    mean, std = X[train].mean(axis=0), X[train].std(axis=0)
    return (X[train] - mean) / std, (X[test] - mean) / std, y[train], y[test]


def fit_glassnet(X, y, seed):
    net = gn.Network.mlp(
        [X.shape[1], 64, 64, 1], hidden="relu", output="identity", loss="mse", seed=seed
    )
    history = net.fit(
        X,
        y,
        epochs=200,
        batch_size=64,
        optimizer=gn.Adam(lr=1e-3),
        validation_split=0.1,
        callbacks=[gn.EarlyStopping(patience=10, restore_best_weights=True)],
        seed=seed,
    )
    return net.predict, len(history.epoch)


def fit_sklearn(X, y, seed):
    from sklearn.neural_network import MLPRegressor

    reg = MLPRegressor(
        hidden_layer_sizes=(64, 64),
        batch_size=64,
        learning_rate_init=1e-3,
        max_iter=200,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        random_state=seed,
    )
    reg.fit(X, y)
    return reg.predict, reg.n_iter_


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="cal_housing.data")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.data is None:
        # $GLASSNET_DATA, else the user cache (downloaded there)
        from glassnet.datasets import load_california_housing

        try:
            load_california_housing(seed=0)
        except (OSError, ValueError) as error:
            raise no_data(error) from None
        files = [d / "cal_housing.data" for d in search_dirs("california-housing")]
        args.data = next((f for f in files if f.is_file()), files[0])
    try:
        X, y = load_housing(args.data)
    except (OSError, ValueError) as error:
        raise no_data(error) from None
    X_train, X_test, y_train, y_test = split_and_standardize(X, y, args.seed)
    print(
        f"California housing: {len(y_train)} training and {len(y_test)} test districts"
    )
    print(f"\n{'model':<26}{'test R2':>9}{'test MAE':>12}{'epochs':>8}{'fit time':>10}")
    for name, fit in (
        ("glassnet 8-64-64-1", fit_glassnet),
        ("sklearn MLPRegressor", fit_sklearn),
    ):
        start = time.perf_counter()
        predict, epochs = fit(X_train, y_train, args.seed)
        seconds = time.perf_counter() - start
        pred = predict(X_test)
        r2 = r2_score(y_test, pred)
        mae = mean_absolute_error(y_test, pred) * 1e5
        dollars = f"${mae:,.0f}"
        print(f"{name:<26}{r2:>9.4f}{dollars:>12}{epochs:>8}{seconds:>9.1f}s")


if __name__ == "__main__":
    main()
