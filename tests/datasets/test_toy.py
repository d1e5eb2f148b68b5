"""Toy 2-D problems: shapes, classes, geometry and the effect of noise."""

import numpy as np
import pytest

from glassnet.datasets import (
    load_toy,
    make_circle,
    make_gauss,
    make_moons,
    make_multi_gauss,
    make_plane,
    make_spiral,
    make_xor,
)

CLASSIFIERS = [make_xor, make_circle, make_gauss, make_spiral, make_moons]
HALVED = [make_circle, make_gauss, make_spiral, make_moons]


@pytest.mark.parametrize("make", CLASSIFIERS + [make_multi_gauss, make_plane])
@pytest.mark.parametrize("n", [7, 500])
def test_shapes_types_and_seeds(make, n):
    X, y = make(n, noise=0.2, seed=1)
    assert X.shape == (n, 2) and X.dtype == np.float32
    assert y.shape == (n,)
    assert y.dtype == (np.float32 if make is make_plane else np.int64)
    X2, y2 = make(n, noise=0.2, seed=1)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    X3, _ = make(n, noise=0.2, seed=2)
    assert not np.array_equal(X, X3)


@pytest.mark.parametrize("make", HALVED)
def test_two_classes_of_half_size(make):
    _, y = make(501)
    assert np.bincount(y).tolist() in ([250, 251], [251, 250])


def test_xor_labels_follow_quadrants_without_noise():
    X, y = make_xor(1000)
    assert np.array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(np.int64))
    assert np.all(np.abs(X) >= 0.3) and np.all(np.abs(X) <= 5.3)


def test_circle_geometry_without_noise():
    X, y = make_circle(1000)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.all(r[y == 1] < 2.5)
    assert np.all((r[y == 0] >= 3.5 - 1e-6) & (r[y == 0] <= 5 + 1e-6))


@pytest.mark.parametrize("make", [make_xor, make_circle])
def test_label_noise_flips_some_labels_near_the_boundary(make):
    X, y = make(2000, noise=0.5, seed=3)
    if make is make_xor:
        clean = (X[:, 0] * X[:, 1] >= 0).astype(np.int64)
    else:
        clean = (np.hypot(X[:, 0], X[:, 1]) < 2.5).astype(np.int64)
    flipped = np.mean(y != clean)
    assert 0.01 < flipped < 0.4


@pytest.mark.parametrize(("noise", "sd"), [(0.0, np.sqrt(0.5)), (0.5, 2.0)])
def test_gauss_spread_grows_with_noise(noise, sd):
    # Playground: variance 0.5 at noise 0, 4 at noise 0.5.
    X, y = make_gauss(8000, noise=noise, seed=0)
    centred = X[y == 1] - 2.0
    assert centred.std() == pytest.approx(sd, rel=0.05)
    assert X[y == 0].mean(axis=0) == pytest.approx([-2, -2], abs=0.1)


def test_multi_gauss_centres_on_a_circle():
    X, y = make_multi_gauss(3000, n_classes=3)
    assert np.bincount(y).tolist() == [1000, 1000, 1000]
    # Class k at angle 90 + 120 k degrees, radius 3.
    for k, angle in enumerate(np.deg2rad([90, 210, 330])):
        centre = 3 * np.array([np.cos(angle), np.sin(angle)])
        assert X[y == k].mean(axis=0) == pytest.approx(centre, abs=0.1)
    _, y5 = make_multi_gauss(10, n_classes=5)
    assert sorted(set(y5.tolist())) == [0, 1, 2, 3, 4]


def test_spiral_radii_without_and_with_noise():
    X, y = make_spiral(200)
    for label in (0, 1):
        r = np.sort(np.hypot(*X[y == label].T))
        np.testing.assert_allclose(r, np.arange(100) / 100 * 5, atol=1e-5)
    Xn, _ = make_spiral(200, noise=0.3)
    assert np.max(np.abs(Xn - X)) <= 0.3 + 1e-6  # same points, jitter <= noise
    assert not np.allclose(Xn, X)


def test_moons_arcs_without_noise():
    X, y = make_moons(200)
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1, atol=1e-6)
    np.testing.assert_allclose(
        np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5), 1, atol=1e-6
    )
    Xn, _ = make_moons(200, noise=0.1)
    assert 0.05 < np.std(np.hypot(*Xn[y == 0].T)) < 0.2


def test_plane_target():
    X, y = make_plane(500)
    np.testing.assert_allclose(y, (X[:, 0] + X[:, 1]) / 10, atol=1e-6)
    assert np.all(np.abs(X) <= 6)
    _, yn = make_plane(500, noise=0.4)
    assert not np.allclose(yn, y)


@pytest.mark.parametrize("bad", [-0.1, 1.0, 50, float("nan")])
def test_noise_range(bad):
    with pytest.raises(
        ValueError, match=r"'noise' parameter must be a float in \[0, 1\)"
    ):
        make_gauss(noise=bad)


@pytest.mark.parametrize("bad", ["0.1", True, None])
def test_noise_type(bad):
    with pytest.raises(TypeError, match="'noise' parameter"):
        make_xor(noise=bad)


def test_sample_count_checks():
    with pytest.raises(ValueError, match="'n_samples' parameter must be an int >= 2"):
        make_circle(1)
    with pytest.raises(ValueError, match="'n_samples' parameter .* Got 10.0"):
        make_xor(10.0)
    with pytest.raises(TypeError, match="'n_samples' parameter"):
        make_xor("10")
    with pytest.raises(ValueError, match="'n_classes' parameter must be an int >= 2"):
        make_multi_gauss(n_classes=1)


@pytest.mark.parametrize(
    "name", ["xor", "circle", "gauss", "multi-gauss", "spiral", "moons"]
)
def test_load_toy_classification(name):
    data = load_toy(name, n_samples=200, noise=0.1, seed=4)
    assert (len(data.y_train), len(data.y_test)) == (100, 100)
    assert data.feature_names == ["x1", "x2"]
    assert data.task == "classification"
    assert data.n_classes == (3 if name == "multi-gauss" else 2)
    # Stratified halves: each class splits evenly (label noise may unbalance
    # the classes themselves).
    total = np.bincount(np.concatenate([data.y_train, data.y_test]))
    assert np.all(np.abs(np.bincount(data.y_test) - total / 2) <= 1)


def test_load_toy_plane_and_errors():
    data = load_toy("plane", test_size=0.2)
    assert data.task == "regression" and data.target_names is None
    assert (len(data.y_train), len(data.y_test)) == (400, 100)
    with pytest.raises(ValueError, match="'name' parameter must be one of"):
        load_toy("swirl")
