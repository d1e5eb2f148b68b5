"""What the page draws, encoded compactly: grids, heatmaps, weights, curves.

Images are row-major with row 0 at the top (largest ``x2``) and column 0 at
the left (smallest ``x1``), one byte per pixel, base64-encoded. Weights go
as little-endian float32 bytes, so the page shows exactly the numbers the
network holds.
"""

from __future__ import annotations

import base64
import math

import numpy as np

__all__ = [
    "BOUNDARY_SIZE",
    "UNIT_SIZE",
    "boundary_image",
    "encode_floats",
    "finite",
    "grid_points",
    "thin",
    "unit_images",
]

#: Pixels per side of the decision boundary / regression surface.
BOUNDARY_SIZE = 64
#: Pixels per side of each unit's heatmap.
UNIT_SIZE = 24
#: Points of the loss curve sent with a frame.
CURVE_POINTS = 300


def grid_points(domain, size: int) -> np.ndarray:
    """Pixel centres of a ``size`` x ``size`` image of the domain.

    Parameters
    ----------
    domain : (x1_min, x1_max, x2_min, x2_max)
    size : int

    Returns
    -------
    ndarray of shape (size * size, 2), float32
        Row-major, the top row (largest x2) first.
    """
    x1_min, x1_max, x2_min, x2_max = domain
    steps = (np.arange(size) + 0.5) / size
    x1 = x1_min + steps * (x1_max - x1_min)
    x2 = x2_max - steps * (x2_max - x2_min)
    g1, g2 = np.meshgrid(x1, x2)
    return np.column_stack([g1.ravel(), g2.ravel()]).astype(np.float32)


def _bytes(values: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(values).tobytes()).decode("ascii")


def encode_floats(values: np.ndarray) -> str:
    """Little-endian float32 bytes of ``values`` (row-major), base64."""
    return _bytes(np.asarray(values, dtype="<f4"))


def quantize(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Map ``[low, high]`` onto bytes ``0..255`` (clipped; NaN gives 128)."""
    scaled = (np.asarray(values, dtype=np.float64) - low) / (high - low)
    scaled = np.nan_to_num(scaled, nan=0.5, posinf=1.0, neginf=0.0)
    return np.round(np.clip(scaled, 0.0, 1.0) * 255).astype(np.uint8)


def boundary_image(output: np.ndarray, kind: str, value_range) -> dict:
    """The network's output over the grid as an image.

    Parameters
    ----------
    output : ndarray of shape (size * size, n_outputs)
        Output activations ``a^L`` on :func:`grid_points`.
    kind : {"binary", "multiclass", "regression"}
    value_range : (float, float)
        Colour scale of a regression surface.

    Returns
    -------
    dict
        ``binary``: ``values`` = P(class 1); ``multiclass``: ``classes``
        (arg max) and ``values`` = its probability over ``[1/k, 1]``;
        ``regression``: ``values`` over ``value_range``.
    """
    if kind == "binary":
        p = output[:, -1]  # one sigmoid unit, or the second of two softmax units
        return {"kind": kind, "values": _bytes(quantize(p, 0.0, 1.0))}
    if kind == "multiclass":
        k = output.shape[1]
        return {
            "kind": kind,
            "classes": _bytes(output.argmax(axis=1).astype(np.uint8)),
            "values": _bytes(quantize(output.max(axis=1), 1.0 / k, 1.0)),
        }
    low, high = value_range
    return {"kind": kind, "values": _bytes(quantize(output[:, 0], low, high))}


def unit_images(activations: list[np.ndarray]) -> list[list[str]]:
    """Each unit's activation over the unit grid, on the scale [-1, 1].

    Parameters
    ----------
    activations : list of ndarray of shape (size * size, n_units)
        One per layer.
    """
    return [
        [_bytes(quantize(A[:, k], -1.0, 1.0)) for k in range(A.shape[1])]
        for A in activations
    ]


def feature_images(values: np.ndarray) -> list[str]:
    """Input features over the unit grid, each scaled by its largest |value|.

    Parameters
    ----------
    values : ndarray of shape (size * size, n_features)
    """
    images = []
    for column in values.T:
        m = float(np.abs(column).max()) or 1.0
        images.append(_bytes(quantize(column, -m, m)))
    return images


def finite(value) -> float | None:
    """A float for JSON, ``None`` for NaN and infinities."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def thin(points: list, limit: int = CURVE_POINTS) -> list:
    """At most ``limit`` evenly spaced points, always the last one."""
    if len(points) <= limit:
        return list(points)
    stride = math.ceil(len(points) / (limit - 1))
    kept = points[::stride]
    if kept[-1] is not points[-1]:
        kept.append(points[-1])
    return kept
