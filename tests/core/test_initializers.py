import numpy as np
import pytest

import glassnet as gn
from glassnet.core.initializers import default_initializer


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("small_uniform", 0.1),
        ("glorot_uniform", np.sqrt(6 / (300 + 200))),
        ("he_uniform", np.sqrt(6 / 300)),
        ("lecun_uniform", np.sqrt(3 / 300)),
    ],
)
def test_uniform_initializers_respect_their_limit(name, limit):
    W = gn.initializers.get(name)(300, 200, np.random.default_rng(0), np.float64)
    assert W.shape == (200, 300)
    assert np.abs(W).max() <= limit
    # U(-l, l) has standard deviation l / sqrt(3)
    assert W.std() == pytest.approx(limit / np.sqrt(3), rel=0.02)


@pytest.mark.parametrize(
    ("name", "std"),
    [
        ("glorot_normal", np.sqrt(2 / (300 + 200))),
        ("he_normal", np.sqrt(2 / 300)),
        ("lecun_normal", np.sqrt(1 / 300)),
    ],
)
def test_normal_initializers_have_their_standard_deviation(name, std):
    W = gn.initializers.get(name)(300, 200, np.random.default_rng(0), np.float32)
    assert W.dtype == np.float32
    assert W.mean() == pytest.approx(0, abs=3 * std / np.sqrt(W.size) * 3)
    assert W.std() == pytest.approx(std, rel=0.02)


def test_zeros_and_seeding():
    assert not gn.initializers.get("zeros")(3, 2, np.random.default_rng(0), float).any()
    a = gn.Dense(5, 4, "tanh", seed=7).W
    b = gn.Dense(5, 4, "tanh", seed=7).W
    assert np.array_equal(a, b)
    assert not np.array_equal(a, gn.Dense(5, 4, "tanh", seed=8).W)


def test_defaults_he_for_relu_family_glorot_otherwise():
    assert default_initializer("relu").name == "he_uniform"
    assert default_initializer("leaky_relu").name == "he_uniform"
    assert default_initializer("tanh").name == "glorot_uniform"
    assert gn.Dense(3, 3, "relu").init.name == "he_uniform"
    assert gn.Dense(3, 3, "sigmoid").init.name == "glorot_uniform"


def test_unknown_initializer():
    with pytest.raises(ValueError, match="Unknown initializer 'ones'.*he_normal"):
        gn.Dense(2, 2, init="ones")
