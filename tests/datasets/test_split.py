"""train_test_split: sizes, stratification, seeds and argument errors."""

import numpy as np
import pytest

from glassnet.datasets import train_test_split


def _labels(counts):
    return np.repeat(np.arange(len(counts)), counts)


@pytest.mark.parametrize(
    ("n", "test_size", "n_test"),
    [(100, 0.2, 20), (10, 0.25, 3), (10, 7, 7), (583, 0.2, 117), (2, 0.5, 1)],
)
def test_sizes(n, test_size, n_test):
    # A fraction is rounded up: ceil(0.25 * 10) = 3, ceil(0.2 * 583) = 117.
    X = np.arange(n * 2).reshape(n, 2)
    y = np.arange(n)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=test_size)
    assert (len(X_te), len(y_te), len(X_tr), len(y_tr)) == (
        n_test,
        n_test,
        n - n_test,
        n - n_test,
    )
    # Rows stay paired with their targets, and every sample is used once.
    assert np.array_equal(X_tr[:, 0] // 2, y_tr)
    assert np.array_equal(np.sort(np.concatenate([y_tr, y_te])), y)


def test_same_seed_same_split_other_seed_other_split():
    X, y = np.arange(200).reshape(100, 2), np.arange(100)
    a = train_test_split(X, y, seed=3)
    b = train_test_split(X, y, seed=3)
    c = train_test_split(X, y, seed=4)
    assert all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))
    assert not np.array_equal(a[3], c[3])


def test_stratified_keeps_proportions_exactly():
    # 60/30/10 samples, 20 % for testing: 12, 6 and 2 per class.
    y = _labels([60, 30, 10])
    _, _, y_tr, y_te = train_test_split(y, y, test_size=0.2, stratify=y, seed=1)
    assert np.bincount(y_te).tolist() == [12, 6, 2]
    assert np.bincount(y_tr).tolist() == [48, 24, 8]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("test_size", [0.1, 0.3, 0.5, 13])
def test_stratified_within_one_of_ideal(seed, test_size):
    counts = np.array([37, 21, 9, 5, 3])
    y = _labels(counts)
    _, _, y_tr, y_te = train_test_split(
        y, y, test_size=test_size, stratify=y, seed=seed
    )
    n_test = test_size if isinstance(test_size, int) else int(np.ceil(test_size * 75))
    assert len(y_te) == n_test
    got = np.bincount(y_te, minlength=5)
    assert np.all(np.abs(got - counts * n_test / 75) < 1)
    assert np.all(np.bincount(y_tr, minlength=5) >= 1)
    assert np.all(got >= 1)


def test_small_class_appears_on_both_sides():
    # 2 + 98 samples, 10 test samples: proportionally the small class would get
    # 0.2 test samples, but a class of 2 must have one on each side.
    y = _labels([2, 98])
    _, _, y_tr, y_te = train_test_split(y, y, test_size=0.1, stratify=y)
    assert np.bincount(y_te).tolist() == [1, 9]
    assert np.bincount(y_tr).tolist() == [1, 89]


def test_singleton_class_goes_to_training():
    y = _labels([1, 9])
    _, _, y_tr, y_te = train_test_split(y, y, test_size=0.2, stratify=y)
    assert np.bincount(y_te, minlength=2).tolist() == [0, 2]
    assert 0 in y_tr


def test_stratify_with_string_labels():
    y = np.array(["cat"] * 8 + ["dog"] * 4)
    _, _, y_tr, y_te = train_test_split(y, y, test_size=0.25, stratify=y)
    assert sorted(y_te.tolist()) == ["cat", "cat", "dog"]


def test_infeasible_stratification_is_explained():
    y = _labels([2] * 10)  # every class needs a test sample, 2 are asked for
    with pytest.raises(ValueError, match="which needs between 10 and 10 test samples"):
        train_test_split(y, y, test_size=0.1, stratify=y)


@pytest.mark.parametrize("bad", [1.5, 0.0, 1.0, -0.2, 0, 10, -1])
def test_bad_test_size_message(bad):
    X, y = np.zeros((10, 1)), np.zeros(10)
    with pytest.raises(ValueError) as info:
        train_test_split(X, y, test_size=bad)
    assert str(info.value) == (
        "The 'test_size' parameter must be a float in (0, 1) or an int in "
        f"[1, n_samples - 1] = [1, 9]. Got {bad!r} instead."
    )


@pytest.mark.parametrize("bad", ["0.2", True, None])
def test_test_size_type(bad):
    with pytest.raises(TypeError, match="'test_size' parameter"):
        train_test_split(np.zeros((10, 1)), np.zeros(10), test_size=bad)


def test_fraction_rounding_to_everything_is_rejected():
    with pytest.raises(ValueError, match="gives 10 test samples out of 10"):
        train_test_split(np.zeros((10, 1)), np.zeros(10), test_size=0.95)


def test_length_mismatch_and_bad_seed():
    with pytest.raises(ValueError, match="same n_samples"):
        train_test_split(np.zeros((10, 1)), np.zeros(9))
    with pytest.raises(ValueError, match="'seed' parameter must be an int >= 0"):
        train_test_split(np.zeros((10, 1)), np.zeros(10), seed=-1)
    with pytest.raises(ValueError, match="'stratify' parameter must have shape"):
        train_test_split(np.zeros((10, 1)), np.zeros(10), stratify=np.zeros(3))
