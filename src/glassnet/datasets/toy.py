"""Two-dimensional toy problems, after the TensorFlow Playground.

The generators follow the Playground's (``dataset.ts`` of
tensorflow/playground): points in about [-6, 6]^2, two classes of
``n_samples // 2`` and ``n_samples - n_samples // 2`` points (the Playground's
-1 class is code 0 here, its +1 class code 1), returned shuffled.

``noise`` is a fraction in [0, 1): the Playground's noise slider (0..50)
divided by 100, so 0.5 is the slider's maximum. What it does follows the
Playground:

- circle, xor, plane: each point's label is computed at a position moved by
  ``noise`` times a uniform offset in [-radius, radius]^2 (radius 5, or 6 for
  plane), so labels near the boundary flip; the points themselves stay put.
- gauss, multi-gauss: the variance of the blobs grows linearly from 0.5
  (noise 0) to 4 (noise 0.5).
- spiral: uniform jitter in ``[-noise, noise]`` on each coordinate.
- moons (not in the Playground): two interleaving half circles of radius 1
  with Gaussian jitter of standard deviation ``noise``.
- multi-gauss-regression: like plane, the target is computed at the moved
  point (offset radius 6).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from glassnet.datasets._checks import check_choice, check_int, check_seed
from glassnet.datasets.base import Dataset
from glassnet.datasets.split import train_test_split

RADIUS = 5.0


def check_noise(noise) -> float:
    """Return ``noise`` as a float in [0, 1), else raise."""
    message = (
        "The 'noise' parameter must be a float in [0, 1) (the Playground's "
        f"noise slider / 100). Got {noise!r} instead."
    )
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise TypeError(message)
    if not (math.isfinite(noise) and 0.0 <= noise < 1.0):
        raise ValueError(message)
    return float(noise)


def _prepare(n_samples, noise, seed, minimum: int = 2):
    return (
        check_int(n_samples, "n_samples", minimum=minimum),
        check_noise(noise),
        check_seed(seed),
    )


def _halves(n: int) -> tuple[int, int]:
    return n // 2, n - n // 2


def _finish(rng, X: np.ndarray, y: np.ndarray, y_dtype=np.int64):
    order = rng.permutation(X.shape[0])
    return X[order].astype(np.float32), y[order].astype(y_dtype)


def _label_offset(rng, n: int, noise: float, radius: float) -> np.ndarray:
    return rng.uniform(-radius, radius, size=(n, 2)) * noise


def make_circle(n_samples=500, *, noise=0.0, seed=0):
    """A disc of class 1 (radius < 2.5) inside a ring of class 0 (3.5..5).

    Parameters
    ----------
    n_samples : int, default 500
        The number of points.
    noise : float in [0, 1), default 0.0
        The Playground's noise slider / 100; see the module documentation.
    seed : int >= 0 or None, default 0
        Seeds the points (None: fresh entropy).

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float32
        The points, shuffled.
    y : ndarray of shape (n_samples,), int64 in {0, 1}
        Class 1 where the (noise-shifted) point is within 2.5 of the origin.

    Raises
    ------
    ValueError
        If ``n_samples`` is too small, ``noise`` is outside [0, 1) or
        ``seed`` is negative (TypeError for values of the wrong type).
    """
    n, noise, rng = _prepare(n_samples, noise, seed)
    n_in, n_out = _halves(n)
    r = np.concatenate(
        [
            rng.uniform(0.0, RADIUS * 0.5, n_in),
            rng.uniform(RADIUS * 0.7, RADIUS, n_out),
        ]
    )
    angle = rng.uniform(0.0, 2 * np.pi, n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    shifted = X + _label_offset(rng, n, noise, RADIUS)
    y = (np.hypot(shifted[:, 0], shifted[:, 1]) < RADIUS * 0.5).astype(np.int64)
    return _finish(rng, X, y)


def make_xor(n_samples=500, *, noise=0.0, seed=0):
    """Four quadrants: class 1 where ``x1 * x2 >= 0`` (noise-shifted).

    Coordinates are uniform in [-5, 5] and pushed 0.3 away from the axes.

    Parameters
    ----------
    n_samples : int, default 500
        The number of points.
    noise : float in [0, 1), default 0.0
        The Playground's noise slider / 100; see the module documentation.
    seed : int >= 0 or None, default 0
        Seeds the points (None: fresh entropy).

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float32
        The points, shuffled.
    y : ndarray of shape (n_samples,), int64 in {0, 1}
        The labels (classes) or targets of the points.

    Raises
    ------
    ValueError
        If ``n_samples`` is too small, ``noise`` is outside [0, 1) or
        ``seed`` is negative (TypeError for values of the wrong type).
    """
    n, noise, rng = _prepare(n_samples, noise, seed, minimum=1)
    X = rng.uniform(-RADIUS, RADIUS, size=(n, 2))
    X += np.where(X > 0, 0.3, -0.3)
    shifted = X + _label_offset(rng, n, noise, RADIUS)
    y = (shifted[:, 0] * shifted[:, 1] >= 0).astype(np.int64)
    return _finish(rng, X, y)


def _variance(noise: float) -> float:
    # The Playground maps noise 0..0.5 linearly onto variance 0.5..4.
    return 0.5 + 7.0 * noise


def make_gauss(n_samples=500, *, noise=0.0, seed=0):
    """Two Gaussian blobs: class 1 around (2, 2), class 0 around (-2, -2).

    Parameters
    ----------
    n_samples : int, default 500
        The number of points.
    noise : float in [0, 1), default 0.0
        The Playground's noise slider / 100; see the module documentation.
    seed : int >= 0 or None, default 0
        Seeds the points (None: fresh entropy).

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float32
        The points, shuffled.
    y : ndarray of shape (n_samples,), int64 in {0, 1}
        The labels (classes) or targets of the points.

    Raises
    ------
    ValueError
        If ``n_samples`` is too small, ``noise`` is outside [0, 1) or
        ``seed`` is negative (TypeError for values of the wrong type).
    """
    n, noise, rng = _prepare(n_samples, noise, seed)
    sd = math.sqrt(_variance(noise))
    n_pos, n_neg = _halves(n)
    centers = np.repeat([[2.0, 2.0], [-2.0, -2.0]], [n_pos, n_neg], axis=0)
    X = centers + rng.normal(0.0, sd, size=(n, 2))
    y = np.repeat([1, 0], [n_pos, n_neg])
    return _finish(rng, X, y)


def make_multi_gauss(n_samples=500, *, n_classes=3, noise=0.0, seed=0):
    """``n_classes`` Gaussian blobs with centres evenly spaced on a circle of
    radius 3 (class 0 at angle 90 degrees), same variance rule as
    :func:`make_gauss`; class sizes differ by at most one.

    Parameters
    ----------
    n_samples : int, default 500
        The number of points.
    n_classes : int >= 2, default 3
        The number of blobs and classes.
    noise : float in [0, 1), default 0.0
        The Playground's noise slider / 100; see the module documentation.
    seed : int >= 0 or None, default 0
        Seeds the points (None: fresh entropy).

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float32
        The points, shuffled.
    y : ndarray of shape (n_samples,), int64 in {0, ..., n_classes-1}
        The labels (classes) or targets of the points.

    Raises
    ------
    ValueError
        If ``n_samples`` is too small (or ``n_classes`` < 2), ``noise`` is
        outside [0, 1) or ``seed`` is negative (TypeError for values of the
        wrong type).
    """
    k = check_int(n_classes, "n_classes", minimum=2)
    n, noise, rng = _prepare(n_samples, noise, seed, minimum=k)
    y = np.arange(n) % k
    angle = np.pi / 2 + 2 * np.pi * y / k
    centers = 3.0 * np.column_stack([np.cos(angle), np.sin(angle)])
    X = centers + rng.normal(0.0, math.sqrt(_variance(noise)), size=(n, 2))
    return _finish(rng, X, y)


def make_spiral(n_samples=500, *, noise=0.0, seed=0):
    """Two interleaved spirals (1.75 turns, radius 0 to 5); class 1 starts at
    angle 0, class 0 is the same spiral turned by pi.

    Parameters
    ----------
    n_samples : int, default 500
        The number of points.
    noise : float in [0, 1), default 0.0
        The Playground's noise slider / 100; see the module documentation.
    seed : int >= 0 or None, default 0
        Seeds the points (None: fresh entropy).

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float32
        The points, shuffled.
    y : ndarray of shape (n_samples,), int64 in {0, 1}
        The labels (classes) or targets of the points.

    Raises
    ------
    ValueError
        If ``n_samples`` is too small, ``noise`` is outside [0, 1) or
        ``seed`` is negative (TypeError for values of the wrong type).
    """
    n, noise, rng = _prepare(n_samples, noise, seed)
    parts, labels = [], []
    for count, delta, label in zip(_halves(n), (0.0, np.pi), (1, 0), strict=True):
        i = np.arange(count) / count
        r = i * RADIUS
        t = 1.75 * i * 2 * np.pi + delta
        jitter = rng.uniform(-1.0, 1.0, size=(count, 2)) * noise
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]) + jitter)
        labels.append(np.full(count, label))
    return _finish(rng, np.concatenate(parts), np.concatenate(labels))


def make_moons(n_samples=500, *, noise=0.0, seed=0):
    """Two interleaving half circles of radius 1: class 0 the upper arc centred
    at (0, 0), class 1 the lower arc centred at (1, 0.5).

    Parameters
    ----------
    n_samples : int, default 500
        The number of points.
    noise : float in [0, 1), default 0.0
        The Playground's noise slider / 100; see the module documentation.
    seed : int >= 0 or None, default 0
        Seeds the points (None: fresh entropy).

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float32
        The points, shuffled.
    y : ndarray of shape (n_samples,), int64 in {0, 1}
        The labels (classes) or targets of the points.

    Raises
    ------
    ValueError
        If ``n_samples`` is too small, ``noise`` is outside [0, 1) or
        ``seed`` is negative (TypeError for values of the wrong type).
    """
    n, noise, rng = _prepare(n_samples, noise, seed)
    n_up, n_down = _halves(n)
    t_up = np.linspace(0.0, np.pi, n_up)
    t_down = np.linspace(0.0, np.pi, n_down)
    X = np.concatenate(
        [
            np.column_stack([np.cos(t_up), np.sin(t_up)]),
            np.column_stack([1.0 - np.cos(t_down), 0.5 - np.sin(t_down)]),
        ]
    )
    X += rng.normal(0.0, noise, size=X.shape)
    y = np.repeat([0, 1], [n_up, n_down])
    return _finish(rng, X, y)


def make_plane(n_samples=500, *, noise=0.0, seed=0):
    """Regression on a tilted plane: target ``(x1 + x2) / 10`` computed at the
    noise-shifted point; points are uniform in [-6, 6]^2, so with noise 0 the
    targets lie in [-1.2, 1.2].

    Parameters
    ----------
    n_samples : int, default 500
        The number of points.
    noise : float in [0, 1), default 0.0
        The Playground's noise slider / 100; see the module documentation.
    seed : int >= 0 or None, default 0
        Seeds the points (None: fresh entropy).

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float32
        The points, shuffled.
    y : ndarray of shape (n_samples,), float32
        The labels (classes) or targets of the points.

    Raises
    ------
    ValueError
        If ``n_samples`` is too small, ``noise`` is outside [0, 1) or
        ``seed`` is negative (TypeError for values of the wrong type).
    """
    n, noise, rng = _prepare(n_samples, noise, seed, minimum=1)
    radius = 6.0
    X = rng.uniform(-radius, radius, size=(n, 2))
    shifted = X + _label_offset(rng, n, noise, radius)
    y = (shifted[:, 0] + shifted[:, 1]) / 10.0
    return _finish(rng, X, y, np.float32)


#: Centres (x1, x2) and signs of the six bumps of the Playground's
#: "multi Gaussian" regression surface.
BUMPS = (
    (-4, 2.5, 1),
    (0, 2.5, -1),
    (4, 2.5, 1),
    (-4, -2.5, -1),
    (0, -2.5, 1),
    (4, -2.5, -1),
)


def make_multi_gauss_regression(n_samples=500, *, noise=0.0, seed=0):
    """Regression on six signed bumps (the Playground's "multi Gaussian").

    Points are uniform in [-6, 6]^2. Bump ``k`` at centre ``c_k`` with sign
    ``s_k`` gives ``s_k * max(0, 1 - |p - c_k| / 2)`` at the (noise-shifted)
    point ``p``; the target is the bump value largest in absolute value, so
    targets lie in [-1, 1] and are 0 farther than 2 from every centre.

    Parameters
    ----------
    n_samples : int, default 500
        The number of points.
    noise : float in [0, 1), default 0.0
        The Playground's noise slider / 100; see the module documentation.
    seed : int >= 0 or None, default 0
        Seeds the points (None: fresh entropy).

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float32
        The points, shuffled.
    y : ndarray of shape (n_samples,), float32
        The labels (classes) or targets of the points.

    Raises
    ------
    ValueError
        If ``n_samples`` is too small, ``noise`` is outside [0, 1) or
        ``seed`` is negative (TypeError for values of the wrong type).
    """
    n, noise, rng = _prepare(n_samples, noise, seed, minimum=1)
    radius = 6.0
    X = rng.uniform(-radius, radius, size=(n, 2))
    shifted = X + _label_offset(rng, n, noise, radius)
    centres = np.array([bump[:2] for bump in BUMPS], dtype=np.float64)
    signs = np.array([bump[2] for bump in BUMPS], dtype=np.float64)
    distance = np.hypot(*(shifted[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
    values = signs * np.clip(1.0 - distance / 2.0, 0.0, 1.0)
    y = values[np.arange(n), np.abs(values).argmax(axis=1)]
    return _finish(rng, X, y, np.float32)


#: The generated sets with real-valued targets.
REGRESSION = ("plane", "multi-gauss-regression")

GENERATORS = {
    "xor": make_xor,
    "circle": make_circle,
    "gauss": make_gauss,
    "multi-gauss": make_multi_gauss,
    "spiral": make_spiral,
    "moons": make_moons,
    "plane": make_plane,
    "multi-gauss-regression": make_multi_gauss_regression,
}


def load_toy(name: str, *, n_samples=500, noise=0.0, test_size=0.5, seed=0) -> Dataset:
    """Generate a toy problem and split it, as the Playground does (half the
    points for testing by default).

    The points come from ``GENERATORS[name](n_samples, noise=noise,
    seed=seed)``; the split uses :func:`train_test_split` with the same seed,
    stratified by class for the classification sets, random for the regression
    sets.

    Parameters
    ----------
    name : str
        One of "xor", "circle", "gauss", "multi-gauss", "spiral", "moons",
        "plane", "multi-gauss-regression".
    n_samples : int, default 500
        The number of points, training and test together.
    noise : float in [0, 1), default 0.0
        The Playground's noise slider / 100; see the module documentation.
    test_size : float in (0, 1) or int, default 0.5
        The fraction (or number) of points for testing.
    seed : int >= 0 or None, default 0
        Seeds the points and the split.

    Returns
    -------
    Dataset
        X float32 of shape (n_samples, 2) with features ``x1, x2``; y int64
        classes of shape (n_samples,) (target names ``"0"``, ``"1"``, ...)
        or, for the :data:`REGRESSION` sets, float32 values.

    Raises
    ------
    ValueError
        For an unknown ``name`` (the message lists the valid ones) or an
        invalid size, noise, test size or seed.

    Examples
    --------
    >>> from glassnet.datasets import load_toy
    >>> data = load_toy("xor", n_samples=200, seed=0)
    >>> data.X_train.shape, data.X_test.shape, data.y_train.shape
    ((100, 2), (100, 2), (100,))
    >>> data.task, data.target_names
    ('classification', ['0', '1'])
    """
    check_choice(name, "name", GENERATORS)
    X, y = GENERATORS[name](n_samples, noise=noise, seed=seed)
    regression = name in REGRESSION
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, seed=seed, stratify=None if regression else y
    )
    n_classes = None if regression else int(y.max()) + 1
    what = "regression" if regression else f"{n_classes}-class classification"
    return Dataset(
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        feature_names=["x1", "x2"],
        target_names=None if regression else [str(k) for k in range(n_classes)],
        task="regression" if regression else "classification",
        name=name,
        description=(
            f"Synthetic 2-D {what} problem {name!r} after the TensorFlow "
            f"Playground (generated by glassnet, no licence restrictions): "
            f"{X.shape[0]} points, noise={noise!r}, seed={seed!r}. Split: "
            f"{'random' if regression else 'stratified'}, test_size={test_size!r}."
        ),
    )
