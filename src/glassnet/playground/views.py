"""What the page draws of a session: its frames and its fixed setup.

A *setup* holds what stays the same during a run (settings, points, network
shape, input feature heatmaps); a *frame* what changes with every update
(counters, losses, the output over the plane, every unit's heatmap, the
weights, diagnostics). Both are plain JSON-ready dicts; see
:mod:`glassnet.playground.frames` for the encodings.
"""

from __future__ import annotations

import numpy as np

from glassnet.playground import frames
from glassnet.playground.config import FEATURES
from glassnet.playground.data import expand, feature_names
from glassnet.training.diagnostics import REMEDIES

__all__ = ["diagnostics", "frame", "setup"]


def frame(session) -> dict:
    """The run's state now: counters, losses, pictures, weights, diagnostics."""
    with session.cond, np.errstate(all="ignore"):
        boundary = frames.boundary_image(
            session.net.forward(session.grid), session.kind, session.value_range
        )
        session.net.forward(session.unit_grid)
        units = frames.unit_images([layer.A for _, layer in session.dense])
        return {
            "version": session.version,
            "epoch": session.epoch,
            "batch": session.cursor,
            "n_batches": session.n_batches,
            "updates": session.updates,
            "playing": session.playing,
            "edited": session.edited,
            "notice": session.notice,
            "stepping": (
                None
                if session.stepping is None
                else {"point": session.stepping["point"]}
            ),
            "metrics": {k: frames.finite(v) for k, v in session.metrics.items()},
            "history": [
                [p[0], frames.finite(p[1]), frames.finite(p[2])]
                for p in frames.thin(session.history)
            ],
            "boundary": boundary,
            "units": units,
            "weights": [
                {
                    "W": frames.encode_floats(layer.W),
                    "b": frames.encode_floats(layer.b),
                }
                for _, layer in session.dense
            ],
            "diagnostics": diagnostics(session),
        }


def diagnostics(session) -> dict:
    """Gradient norms, saturation and dead units per layer, with warnings."""
    norms = session.grad_norms
    notes = []
    if norms and len(norms) > 1 and norms[-1] > 0:
        ratio = norms[0] / norms[-1]
        if ratio < 1e-2:
            notes.append(
                f"Vanishing gradients: the first layer's gradient is {ratio:.1e} "
                f"of the last layer's. Remedies: {REMEDIES['vanishing']}."
            )
        elif ratio > 1e2:
            notes.append(
                f"Exploding gradients: the first layer's gradient is {ratio:.1e} "
                f"times the last layer's. Remedies: {REMEDIES['exploding']}."
            )
    for (index, _), share in zip(
        session.dense[:-1], session.saturation[:-1], strict=True
    ):
        if share is not None and share > 0.5:
            notes.append(
                f"Layer {index} is saturated: {share:.0%} of its activations are "
                f"within 1% of their limits. Remedies: {REMEDIES['saturation']}."
            )
    for (index, _), share in zip(session.dense, session.dead, strict=True):
        if share is not None and share > 0.5:
            notes.append(
                f"Layer {index}: {share:.0%} of its ReLU units are dead (0 for "
                f"every training point). Remedies: {REMEDIES['dead']}."
            )
    return {
        "grad_norm": None if norms is None else [frames.finite(v) for v in norms],
        "saturation": [frames.finite(v) for v in session.saturation],
        "dead": [frames.finite(v) for v in session.dead],
        "notes": notes,
    }


def setup(session) -> dict:
    """What stays fixed during a run: settings, points, network shape."""
    with session.cond:
        points = session.points
        every = list(FEATURES)
        feature_values = expand(
            frames.grid_points(points.domain, frames.UNIT_SIZE), every
        )
        return {
            "id": session.id,
            "config": session.config,
            "name": points.name,
            "upload": None if session.upload is None else session.upload.filename,
            "task": points.task,
            "kind": session.kind,
            "classes": points.classes,
            "columns": list(points.columns),
            "target": points.target,
            "domain": list(points.domain),
            "value_range": list(session.value_range),
            "train": point_rows(points.X_train, points.y_train),
            "test": point_rows(points.X_test, points.y_test),
            "features": [
                {
                    "key": key,
                    "name": name,
                    "image": image,
                    "on": key in session.config["features"],
                }
                for key, name, image in zip(
                    every,
                    feature_names(every, points.columns),
                    frames.feature_images(feature_values),
                    strict=True,
                )
            ],
            "layers": [
                {
                    "index": index,
                    "n_in": layer.n_in,
                    "n_out": layer.n_out,
                    "activation": layer.activation.name,
                }
                for index, layer in session.dense
            ],
            "loss": session.net.loss.name,
            "optimizer": repr(session.optimizer),
            "batch_size": session.batch_size,
            "grid": {"boundary": frames.BOUNDARY_SIZE, "units": frames.UNIT_SIZE},
        }


def point_rows(X: np.ndarray, y: np.ndarray) -> list[list]:
    return [[float(a), float(b), float(c)] for (a, b), c in zip(X, y, strict=True)]
