"""The bundled 8x8 handwritten digits (1797 images, 10 classes)."""

from __future__ import annotations

import gzip
import io
from importlib import resources

import numpy as np

from glassnet.datasets.base import Dataset
from glassnet.datasets.split import train_test_split

DIGITS_FILE = "digits.csv.gz"

DESCRIPTION = (
    "8x8 handwritten digits: 1797 images of the digits 0-9, each pixel a count "
    "0-16 of set pixels in a 4x4 block of a 32x32 bitmap, scaled here to [0, 1] "
    "by dividing by 16. Source: the test set of the UCI Machine Learning "
    "Repository dataset 'Optical Recognition of Handwritten Digits' (E. "
    "Alpaydin, C. Kaynak, 1998; UCI dataset id 80), as bundled by "
    "scikit-learn. Licence: CC BY 4.0. Split: stratified by class, seeded."
)


def _read_bundled() -> np.ndarray:
    """The bundled table, shape (1797, 65): 64 pixels 0..16, then the label."""
    raw = resources.files("glassnet.datasets").joinpath("data", DIGITS_FILE)
    with gzip.open(io.BytesIO(raw.read_bytes()), "rt") as f:
        return np.loadtxt(f, delimiter=",", dtype=np.int64)


def load_digits(*, test_size=0.2, seed=0) -> Dataset:
    """Load the bundled 8x8 digits, no files or network needed.

    Split: stratified by class with :func:`train_test_split` and
    ``np.random.default_rng(seed)``; with the default ``test_size=0.2`` that is
    1437 training and 360 test images (``ceil(0.2 * 1797)``), each digit in
    the same proportion on both sides.

    Parameters
    ----------
    test_size : float in (0, 1) or int, default 0.2
        Fraction (rounded up) or number of test images.
    seed : int >= 0 or None, default 0
        Seeds the split (None: fresh entropy).

    Returns
    -------
    Dataset
        ``X`` float32 of shape (n, 64), pixels in [0, 1], row-major, named
        ``pixel_<row>_<col>``; ``y`` int64 digits 0..9; ``target_names``
        ``["0", ..., "9"]``.
    """
    table = _read_bundled()
    X = (table[:, :64] / 16.0).astype(np.float32)
    y = table[:, 64]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, seed=seed, stratify=y
    )
    return Dataset(
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        feature_names=[f"pixel_{r}_{c}" for r in range(8) for c in range(8)],
        target_names=[str(d) for d in range(10)],
        task="classification",
        name="digits",
        description=DESCRIPTION,
    )
