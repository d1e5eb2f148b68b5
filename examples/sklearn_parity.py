"""glassnet.sklearn next to scikit-learn's own MLP: the same data, split and seeds.

For each task both estimators get the same constructor parameters (the
scikit-learn defaults unless stated: one hidden layer of 100 ReLU units,
Adam with learning rate 1e-3, alpha 1e-4, batches of min(200, n), at most
200 epochs, stopping on the training loss with tol 1e-4), the same training
and test rows (the loaders' seeded split, seed 0), the same preprocessing
(a StandardScaler in a Pipeline for the tables), and the same
``random_state`` values. A single seed decides initialization and batch
order, so each figure is the mean over several seeds (the standard
deviation beside it), and the first seed's figures are printed too.

* digits (bundled, 1,437 / 360 images): accuracy;
* ILPD (466 / 117 patients, imbalanced): balanced accuracy;
* California housing (16,512 / 4,128 districts): R^2, with 64 hidden units
  and at most 100 epochs to keep the run short.

    GLASSNET_DATA=../shared/data python examples/sklearn_parity.py
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np


def tasks(seeds: dict):
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, r2_score

    from glassnet.datasets import load_california_housing, load_digits, load_ilpd

    yield "digits", load_digits(seed=0), accuracy_score, {}, False, seeds["digits"]
    yield "ilpd", load_ilpd(seed=0), balanced_accuracy_score, {}, True, seeds["ilpd"]
    housing = {"hidden_layer_sizes": (64,), "max_iter": 100}
    data = load_california_housing(seed=0)
    yield "california-housing", data, r2_score, housing, True, seeds["housing"]


def fit_and_score(estimator_class, data, metric, params, scale, seed):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = estimator_class(random_state=seed, **params)
    if scale:
        model = make_pipeline(StandardScaler(), model)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(data.X_train, data.y_train)
    seconds = time.perf_counter() - start
    return metric(data.y_test, model.predict(data.X_test)), seconds


def compare(name, data, metric, params, scale, n_seeds) -> None:
    from sklearn import neural_network

    import glassnet.sklearn as gs

    kind = "Regressor" if data.task == "regression" else "Classifier"
    pairs = {
        "glassnet": getattr(gs, f"MLP{kind}"),
        "scikit-learn": getattr(neural_network, f"MLP{kind}"),
    }
    scores = {library: [] for library in pairs}
    seconds = {library: 0.0 for library in pairs}
    for seed in range(n_seeds):
        print(f"\r{name}: seed {seed + 1}/{n_seeds}", end="", flush=True)
        for library, cls in pairs.items():
            score, took = fit_and_score(cls, data, metric, params, scale, seed)
            scores[library].append(score)
            seconds[library] += took
    print("\r" + " " * (len(name) + 24) + "\r", end="")
    unit = 100.0 if data.task == "classification" else 1.0
    label = "percent" if unit == 100.0 else "R^2"
    print(f"\n{name} ({metric.__name__}, {label}; {n_seeds} seeds, same split)")
    for library in pairs:
        values = np.asarray(scores[library]) * unit
        print(
            f"  {library:<13} mean {values.mean():8.3f}  std {values.std():6.3f}  "
            f"seed 0 {values[0]:8.3f}  {seconds[library] / n_seeds:5.2f} s per fit"
        )
    gap = (np.mean(scores["glassnet"]) - np.mean(scores["scikit-learn"])) * unit
    print(f"  difference of the means (glassnet - scikit-learn): {gap:+.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digits-seeds", type=int, default=10)
    parser.add_argument("--ilpd-seeds", type=int, default=30)
    parser.add_argument("--housing-seeds", type=int, default=5)
    args = parser.parse_args()
    seeds = {
        "digits": args.digits_seeds,
        "ilpd": args.ilpd_seeds,
        "housing": args.housing_seeds,
    }
    try:
        for task in tasks(seeds):
            compare(*task)
    except (OSError, ValueError) as error:
        if "not found" not in str(error):
            raise
        first = str(error).splitlines()[0]
        raise SystemExit(
            f"sklearn_parity.py: {first} -- point GLASSNET_DATA at a folder holding "
            "the data ('glassnet datasets' says where each dataset is looked for)."
        ) from None


if __name__ == "__main__":
    main()
