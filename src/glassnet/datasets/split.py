"""Seeded, optionally stratified train/test splitting."""

from __future__ import annotations

import heapq
import math
import numbers

import numpy as np

from glassnet.datasets._checks import check_seed


def resolve_test_size(test_size, n_samples: int) -> int:
    """Number of test samples for ``test_size`` (a fraction or a count).

    A float ``f`` in (0, 1) gives ``ceil(f * n_samples)``; an int is a count.
    Either way the result must lie in ``[1, n_samples - 1]``.
    """
    message = (
        "The 'test_size' parameter must be a float in (0, 1) or an int in "
        f"[1, n_samples - 1] = [1, {n_samples - 1}]. Got {test_size!r} instead."
    )
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise TypeError(message)
    if isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
    elif 0.0 < test_size < 1.0:
        n_test = math.ceil(float(test_size) * n_samples)
    else:
        raise ValueError(message)
    if not 1 <= n_test <= n_samples - 1:
        if isinstance(test_size, numbers.Integral):
            raise ValueError(message)
        raise ValueError(
            f"The 'test_size' parameter {test_size!r} gives {n_test} test samples "
            f"out of {n_samples}; both sides need at least one sample."
        )
    return n_test


def _stratified_counts(counts: np.ndarray, n_test: int) -> np.ndarray:
    """Test samples per class: proportional, exact total, each class with >= 2
    samples on both sides, singleton classes in training."""
    n = counts.sum()
    ideal = counts * n_test / n
    low = np.where(counts >= 2, 1, 0)
    high = np.where(counts >= 2, counts - 1, 0)
    if low.sum() > n_test or high.sum() < n_test:
        raise ValueError(
            f"Cannot split {n} samples of {counts.size} classes with {n_test} test "
            "samples and stratification: every class with at least 2 samples "
            "needs a sample on each side and a class with a single sample goes "
            f"to training, which needs between {low.sum()} and {high.sum()} test "
            "samples. Change 'test_size'."
        )
    take = np.clip(np.floor(ideal).astype(np.int64), low, high)
    # Largest remainders first; ties go to the lower class index. A heap keyed
    # on (-remainder, class) gives each step in O(log k), so thousands of
    # classes cost O(k log k), not O(k^2).
    missing = n_test - int(take.sum())
    step = 1 if missing > 0 else -1
    room = (high if step > 0 else low).tolist()
    ideal, values = ideal.tolist(), take.tolist()
    heap = [
        (-step * (ideal[k] - values[k]), k)
        for k in range(len(values))
        if values[k] != room[k]
    ]
    heapq.heapify(heap)
    for _ in range(abs(missing)):
        _, k = heapq.heappop(heap)
        values[k] += step
        if values[k] != room[k]:
            heapq.heappush(heap, (-step * (ideal[k] - values[k]), k))
    return np.asarray(values, dtype=np.int64)


def train_test_split(X, y, *, test_size=0.2, seed=0, stratify=None):
    """Split arrays into random train and test parts.

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
        The samples.
    y : array-like of shape (n_samples,)
        Their labels or targets.
    test_size : float in (0, 1) or int, default 0.2
        Fraction of samples for the test part (rounded up) or their count.
    seed : int >= 0 or None, default 0
        Seed of ``np.random.default_rng``; the same seed gives the same split.
    stratify : array-like of shape (n_samples,), optional
        Class labels (usually ``y``). Each class then keeps its proportion in
        both parts (largest-remainder rounding, the total still equals the test
        size); every class with at least 2 samples appears on both sides and a
        class with a single sample goes to the training part.

    Returns
    -------
    X_train, X_test : ndarray of shape (n_train, ...) and (n_test, ...)
        Both parts of ``X`` in shuffled order.
    y_train, y_test : ndarray of shape (n_train,) and (n_test,)
        The matching parts of ``y``.

    Raises
    ------
    ValueError
        If ``X`` and ``y`` disagree in length, there are fewer than two
        samples, ``test_size`` leaves no sample on a side, ``stratify`` has
        another length, or the seed is negative (TypeError for a seed of the
        wrong type).

    Examples
    --------
    >>> import numpy as np
    >>> from glassnet.datasets import train_test_split
    >>> X, y = np.arange(20).reshape(10, 2), np.array([0] * 5 + [1] * 5)
    >>> X_train, X_test, y_train, y_test = train_test_split(
    ...     X, y, test_size=0.4, stratify=y)
    >>> X_train.shape, X_test.shape, np.bincount(y_test)
    ((6, 2), (4, 2), array([2, 2]))
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim != 1 or X.shape[0] != y.shape[0]:
        raise ValueError(
            "X must have shape (n_samples, ...) and y shape (n_samples,) with the "
            f"same n_samples. Got {X.shape} and {y.shape}."
        )
    n = X.shape[0]
    if n < 2:
        raise ValueError(f"Splitting needs at least 2 samples. Got {n}.")
    n_test = resolve_test_size(test_size, n)
    rng = check_seed(seed)
    if stratify is None:
        order = rng.permutation(n)
        test_idx, train_idx = order[:n_test], order[n_test:]
    else:
        strat = np.asarray(stratify)
        if strat.shape != (n,):
            raise ValueError(
                f"The 'stratify' parameter must have shape ({n},), one label per "
                f"sample. Got {strat.shape} instead."
            )
        _, codes = np.unique(strat, return_inverse=True)
        codes = codes.ravel()
        counts = np.bincount(codes)
        take = _stratified_counts(counts, n_test)
        # Sample indices grouped by class, ascending within each class: one
        # stable sort instead of a scan of all samples per class.
        grouped = np.argsort(codes, kind="stable")
        ends = np.cumsum(counts)
        starts = ends - counts
        test_parts, train_parts = [], []
        for k, n_k in enumerate(take):
            members = rng.permutation(grouped[starts[k] : ends[k]])
            test_parts.append(members[:n_k])
            train_parts.append(members[n_k:])
        test_idx = rng.permutation(np.concatenate(test_parts))
        train_idx = rng.permutation(np.concatenate(train_parts))
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]
