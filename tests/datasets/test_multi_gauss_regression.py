"""The TensorFlow Playground's "multi Gaussian" regression set."""

import math

import numpy as np
import pytest

from glassnet.datasets import load, make_multi_gauss_regression


def test_multi_gauss_regression_targets_follow_the_six_bumps():
    X, y = make_multi_gauss_regression(400, seed=3)
    centres = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1)]
    centres += [(-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    for point, target in zip(X.astype(float), y, strict=True):
        best = 0.0
        for cx, cy, sign in centres:
            distance = math.hypot(point[0] - cx, point[1] - cy)
            value = sign * min(1.0, max(0.0, 1.0 - distance / 2.0))
            if abs(value) > abs(best):
                best = value
        assert target == pytest.approx(best, abs=1e-6)
    assert X.shape == (400, 2) and y.dtype == np.float32
    assert np.all(np.abs(X) <= 6) and np.all(np.abs(y) <= 1)


def test_multi_gauss_regression_is_a_registry_regression_set():
    data = load("multi-gauss-regression", n_samples=100, noise=0.2, seed=1)
    assert data.task == "regression" and data.target_names is None
    assert data.X_train.shape[0] + data.X_test.shape[0] == 100
