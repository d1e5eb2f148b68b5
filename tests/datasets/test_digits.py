"""load_digits: the bundled 8x8 digits."""

import numpy as np
import pytest

from glassnet.datasets import load_digits

# Class counts 0..9 of the 1797 UCI test-set digits (data/README.md).
COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_shapes_and_types(digits):
    assert digits.X_train.shape == (1437, 64)  # 1797 - ceil(0.2 * 1797)
    assert digits.X_test.shape == (360, 64)
    assert digits.X_train.dtype == np.float32
    assert digits.y_train.dtype == np.int64
    assert digits.task == "classification" and digits.n_classes == 10
    assert digits.target_names == [str(d) for d in range(10)]
    assert digits.feature_names[9] == "pixel_1_1"
    assert "CC BY 4.0" in digits.description


def test_pixels_are_sixteenths(digits):
    X = np.concatenate([digits.X_train, digits.X_test])
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.array_equal(X * 16, np.round(X * 16))


def test_class_counts_and_stratification(digits):
    y = np.concatenate([digits.y_train, digits.y_test])
    assert np.bincount(y).tolist() == COUNTS
    ideal = np.array(COUNTS) * 360 / 1797
    assert np.all(np.abs(np.bincount(digits.y_test) - ideal) < 1)


def test_first_row_of_the_file_is_a_zero(digits):
    # First line of digits.csv.gz, read by hand: 0,0,5,13,9,1,0,0, ... label 0.
    first = [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0]
    X = np.concatenate([digits.X_train, digits.X_test])
    y = np.concatenate([digits.y_train, digits.y_test])
    hits = np.flatnonzero(np.all(X[:, :16] * 16 == first, axis=1))
    assert hits.size >= 1 and set(y[hits].tolist()) == {0}


def test_seed_and_test_size():
    a, b, c = load_digits(seed=5), load_digits(seed=5), load_digits(seed=6)
    assert np.array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_test, c.X_test)
    assert load_digits(test_size=100).X_test.shape == (100, 64)
