"""The checks of :func:`~glassnet.inspection.exercise.exercise`'s parameters.

Each check takes a value as given, returns it in canonical form, and raises
``ValueError`` (a value out of range or of the wrong shape) or ``TypeError``
(the wrong type) in the one message form: "The 'x' parameter of exercise
must be ... Got ... instead." The command line turns the parameter into its
flag (``--x``).
"""

from __future__ import annotations

import numpy as np

from glassnet.core._validation import check_number
from glassnet.core.losses import LOSSES
from glassnet.inspection.trace import FORMATS

__all__ = [
    "EXERCISE_LOSSES",
    "HIDDEN_ACTIVATIONS",
    "OUTPUT_ACTIVATIONS",
    "PARTS",
    "ROUNDINGS",
    "check_choice",
    "check_format",
    "check_input",
    "check_int",
    "check_layers",
    "check_loss",
    "check_lr",
    "check_parts",
    "parse_weights",
]

#: The questions of a sheet, in the order they are asked.
PARTS = ("forward", "loss", "deltas", "gradients", "update", "new_prediction")
#: ``"exact"``: float64 throughout; ``"carry"``: also the values of a student
#: who rounds every intermediate result to ``decimals`` and computes on.
ROUNDINGS = ("exact", "carry")
#: Activations of hidden layers (elementwise, with a derivative a student can
#: write down); the output may also be softmax.
HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "identity")
OUTPUT_ACTIVATIONS = (*HIDDEN_ACTIVATIONS, "softmax")
#: Losses an exercise asks about; their formulas are written on the sheet.
EXERCISE_LOSSES = ("binary_cross_entropy", "cross_entropy", "mse", "sse")
MAX_UNITS = 10
MAX_LAYERS = 4
MAX_BATCH = 4
#: Largest magnitude of a given weight, bias or input: a sheet is worked by
#: hand, and larger numbers overflow nowhere but help no one.
MAX_MAGNITUDE = 1000.0


def short(value) -> str:
    """``value`` for a message: NumPy values as plain Python, cut at 80 chars."""
    if isinstance(value, (np.ndarray, np.generic)):
        value = value.tolist()
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check_format(format: str) -> str:
    return check_choice(format, "format", FORMATS, owner="Exercise")


def check_choice(value, name: str, allowed, owner: str = "exercise") -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(
            f"The '{name}' parameter of {owner} must be one of "
            f"{', '.join(map(repr, allowed))}. Got {short(value)} instead."
        )
    return value


def check_int(value, name: str, low: int, high: int | None) -> int:
    return check_number(value, name, "exercise", low=low, high=high, integer=True)


def check_lr(lr) -> float:
    message = (
        "The 'lr' parameter of exercise must be a number in the range (0, 10]. "
        f"Got {short(lr)} instead."
    )
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.number)):
        raise TypeError(message)
    if not (np.isfinite(lr) and 0 < lr <= 10):
        raise ValueError(message)
    return float(lr)


def check_loss(loss, n_outputs: int) -> str:
    if loss is None:
        return "binary_cross_entropy" if n_outputs == 1 else "cross_entropy"
    name = LOSSES[loss].name if isinstance(loss, str) and loss in LOSSES else loss
    return check_choice(name, "loss", EXERCISE_LOSSES)


def check_parts(parts) -> tuple[str, ...]:
    if isinstance(parts, str):
        parts = (parts,)
    try:
        chosen = list(parts)
    except TypeError:
        chosen = [parts]
    unknown = [p for p in chosen if p not in PARTS]
    if unknown or not chosen:
        raise ValueError(
            f"The 'parts' parameter of exercise must be one or more of "
            f"{', '.join(PARTS)}. Got {short(unknown[0] if unknown else parts)} "
            "instead."
        )
    return tuple(p for p in PARTS if p in chosen)


def check_layers(layers, given) -> tuple[int, ...]:
    if layers is None:
        if given is not None:
            return (given[0][0].shape[1], *(W.shape[0] for W, _ in given))
        layers = (2, 2, 1)
    message = (
        "The 'layers' parameter of exercise must be 2 to "
        f"{MAX_LAYERS + 1} unit counts from 1 to {MAX_UNITS}, input first, "
        f"e.g. (2, 2, 1). Got {short(layers)} instead."
    )
    try:
        sizes = tuple(layers)
    except TypeError:
        raise TypeError(message) from None
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
            raise TypeError(message)
    if not 2 <= len(sizes) <= MAX_LAYERS + 1 or not all(
        1 <= s <= MAX_UNITS for s in sizes
    ):
        raise ValueError(message)
    sizes = tuple(int(s) for s in sizes)
    if given is not None:
        implied = (given[0][0].shape[1], *(W.shape[0] for W, _ in given))
        if implied != sizes:
            raise ValueError(
                "The 'layers' parameter of exercise must agree with the weights "
                f"given ({'-'.join(map(str, implied))}). Got "
                f"{'-'.join(map(str, sizes))} instead."
            )
    return sizes


def parse_weights(weights) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """``weights`` as [(W, b), ...], each checked for shape and values."""
    if weights is None:
        return None
    form = (
        '{"W": [W1, ...], "b": [b1, ...]} (W of shape (n_out, n_in)) or '
        '{"transfer": [T0, ...]} (shape (n_in + 1, n_out), bias in row 0)'
    )
    if not isinstance(weights, dict) or not (
        set(weights) == {"W", "b"} or set(weights) == {"transfer"}
    ):
        raise ValueError(
            f"The 'weights' parameter of exercise must be {form}. Got "
            f"{short(weights)} instead."
        )
    try:
        if "transfer" in weights:
            matrices = [_numbers(T) for T in weights["transfer"]]
            if not all(T.ndim == 2 and T.shape[0] >= 2 for T in matrices):
                raise ValueError("a transfer matrix is not 2-D with 2 or more rows")
            pairs = [(T[1:].T.copy(), T[0].copy()) for T in matrices]
        else:
            Ws = [_numbers(W) for W in weights["W"]]
            bs = [_numbers(b) for b in weights["b"]]
            if len(Ws) != len(bs):
                raise ValueError(f"{len(Ws)} W but {len(bs)} b")
            pairs = list(zip(Ws, bs, strict=True))
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"The 'weights' parameter of exercise must be {form} of numbers ({exc})."
            f" Got {short(weights)} instead."
        ) from None
    check_chain(pairs, "transfer" in weights)
    return pairs


def _numbers(value) -> np.ndarray:
    """``value`` (nested lists or an array of numbers) as a float64 array.

    Only numbers are numbers: ``true`` or ``"0.5"`` in a JSON file is a
    mistake that ``np.asarray(..., dtype=float)`` would silently read as
    1.0 or 0.5, so a bool or a string entry raises ValueError.
    """
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "iuf":
            raise ValueError(f"an array of dtype {value.dtype}")
        return value.astype(np.float64)
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, (bool, np.bool_)) or not isinstance(
            item, (int, float, np.integer, np.floating)
        ):
            raise ValueError(f"the entry {short(item)} is not a number")
    return np.asarray(value, dtype=np.float64)


def check_chain(pairs, transfer: bool) -> None:
    if not 1 <= len(pairs) <= MAX_LAYERS:
        raise ValueError(
            f"The 'weights' parameter of exercise must give 1 to {MAX_LAYERS} "
            f"layers. Got {len(pairs)} instead."
        )
    for i, (W, b) in enumerate(pairs):
        shown = f"T{i} has shape {(W.shape[-1] + 1, *W.shape[:1])}" if transfer else ""
        if W.ndim != 2 or b.shape != (W.shape[0],):
            raise ValueError(
                f"The 'weights' parameter of exercise must give layer {i + 1} a W "
                f"of shape (n_out, n_in) and a b of shape (n_out,). Got W "
                f"{W.shape} and b {b.shape} instead."
            )
        if i and W.shape[1] != pairs[i - 1][0].shape[0]:
            what = (
                f"T{i} must have {pairs[i - 1][0].shape[0] + 1} rows (1 + the "
                f"{pairs[i - 1][0].shape[0]} units of the layer before); {shown}"
                if transfer
                else f"W{i + 1} must have {pairs[i - 1][0].shape[0]} columns (the "
                f"units of the layer before); it has shape {W.shape}"
            )
            raise ValueError(
                f"The 'weights' parameter of exercise must chain: {what}. Got "
                "mismatched shapes instead."
            )
        values = np.concatenate([W.ravel(), b.ravel()])
        if not np.all(np.abs(values) <= MAX_MAGNITUDE):  # NaN fails too
            raise ValueError(
                "The 'weights' parameter of exercise must hold finite numbers of "
                f"magnitude at most {MAX_MAGNITUDE:g}. Got "
                f"{short(values[~(np.abs(values) <= MAX_MAGNITUDE)][0])} in layer "
                f"{i + 1} instead."
            )
        if max(W.shape) > MAX_UNITS:
            raise ValueError(
                f"The 'weights' parameter of exercise must have at most {MAX_UNITS} "
                f"units per layer. Got shape {W.shape} in layer {i + 1} instead."
            )


def check_input(values, n_inputs: int, batch) -> np.ndarray:
    X = np.asarray(values)
    message = (
        f"The 'input' parameter of exercise must be finite numbers of magnitude "
        f"at most {MAX_MAGNITUDE:g}, of shape (n_samples, {n_inputs}) or "
        f"({n_inputs},), 1 to {MAX_BATCH} samples"
    )
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{message}. Got {short(values)} instead.")
    X = X.astype(np.float64)
    if X.ndim == 1:
        X = X[None, :]
    if X.ndim != 2 or X.shape[1] != n_inputs or not 1 <= X.shape[0] <= MAX_BATCH:
        raise ValueError(f"{message}. Got shape {np.shape(values)} instead.")
    if not np.all(np.abs(X) <= MAX_MAGNITUDE):  # NaN fails too
        bad = X[~(np.abs(X) <= MAX_MAGNITUDE)][0]
        raise ValueError(f"{message}. Got {short(bad)} instead.")
    if batch is not None and batch != X.shape[0]:
        raise ValueError(
            f"The 'batch' parameter of exercise must equal the samples of 'input' "
            f"({X.shape[0]}). Got {short(batch)} instead."
        )
    return X
