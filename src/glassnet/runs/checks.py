"""The type and allowed values of every setting of a run, checked in one place.

A run's settings arrive as flags (already typed by argparse), from a TOML
file (``--config``: ``batch_norm = "false"`` is a string there), from a sweep
grid, or from the playground; :func:`check_settings` checks them all the same
way before anything runs, so that no value is taken for something it is not
(the string ``"false"`` is truthy) and none fails later deep inside.
Messages name the setting and its flag, what is allowed and what was
received: "The 'batch_norm' setting (--batch-norm) of glassnet train must be
true or false (a boolean). Got 'false' (str) instead."
"""

from __future__ import annotations

import math
import numbers

from glassnet.core._registry import lookup, shown

__all__ = ["CHOICES", "check_settings", "flag"]

#: The settings with a fixed set of values (the flags' choices).
CHOICES = {
    "missing": ("error", "median", "drop"),
    "scale": ("standard", "minmax", "none"),
}


#: Settings whose flag is not their name with dashes.
FLAGS = {"output": "--output-activation"}


def flag(key: str) -> str:
    """The ``glassnet train`` flag of a setting: ``batch_norm`` -> ``--batch-norm``,
    ``output`` -> ``--output-activation``.

    Parameters
    ----------
    key : str
        A setting's name.

    Returns
    -------
    str
        Its command-line flag.
    """
    return FLAGS.get(key, "--" + key.replace("_", "-"))


class _Setting:
    """Builds the message for one setting of one owner."""

    def __init__(self, key: str, value, owner: str, flags: bool):
        self.key, self.value, self.owner, self.flags = key, value, owner, flags

    def error(self, expected: str, kind=ValueError):
        named = f"'{self.key}' setting"
        if self.flags:
            named += f" ({flag(self.key)})"
        got = shown(self.value)
        if not isinstance(self.value, (int, float)) or isinstance(self.value, bool):
            got += f" ({type(self.value).__name__})"
        return kind(
            f"The {named} of {self.owner} must be {expected}. Got {got} instead."
        )


def _number(s: _Setting, *, integer: bool, low, high=None, open_high=False,
            optional=False):  # fmt: skip
    """An int (or a float, ints accepted) in [low, high] / [low, high)."""
    value = s.value
    if value is None and optional:
        return None
    kind = "an int" if integer else "a float"
    right = "inf)" if high is None else f"{high}{')' if open_high else ']'}"
    expected = f"{kind} in the range [{low}, {right}"
    if optional:
        expected += " or unset"
    typed = isinstance(value, numbers.Integral if integer else numbers.Real)
    if isinstance(value, bool) or not typed:
        raise s.error(expected, TypeError)
    if integer:
        value = int(value)
    else:
        value = float(value)
        if not math.isfinite(value):
            raise s.error(expected)
    too_high = high is not None and (value > high or (open_high and value == high))
    if value < low or too_high:
        raise s.error(expected)
    return value


def _boolean(s: _Setting) -> bool:
    # numpy's bool_ too (a sweep grid may hold one); never a string or a number
    if type(s.value).__name__ not in ("bool", "bool_"):
        raise s.error("true or false (a boolean)", TypeError)
    return bool(s.value)


def _choice(s: _Setting, choices, *, optional: bool = False):
    if s.value is None and optional:
        return None
    if not isinstance(s.value, str) or s.value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        unset = " or unset" if optional else ""
        raise s.error(f"one of {allowed}{unset}")
    return s.value


def _text(s: _Setting, what: str, *, optional: bool = False):
    if s.value is None and optional:
        return None
    if not isinstance(s.value, str) or not s.value.strip():
        raise s.error(what + (" or unset" if optional else ""), TypeError)
    return s.value


def _name(s: _Setting, registry: dict, kind: str, *, optional: bool = False):
    """A name of ``registry`` (any case, ``-`` or ``_``), kept as given."""
    if s.value is None and optional:
        return None
    names = ", ".join(sorted(registry))
    expected = f"the name of {kind}: {names}" + (" or unset" if optional else "")
    if not isinstance(s.value, str):
        raise s.error(expected, TypeError)
    try:
        lookup(s.value, registry, kind)
    except ValueError:
        raise s.error(expected) from None
    return s.value


def _layers(s: _Setting) -> list[int]:
    """Hidden layer sizes: a list of positive ints (an int, or text "64,32")."""
    value = s.value
    expected = "a list of positive ints, the hidden layer sizes, such as [64, 32]"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = [value]
    elif isinstance(value, str):
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not all(part.isdigit() for part in parts):
            raise s.error(expected)
        value = [int(part) for part in parts]
    if not isinstance(value, (list, tuple)):
        raise s.error(expected, TypeError)
    for size in value:
        if isinstance(size, bool) or not isinstance(size, numbers.Integral):
            raise s.error(expected, TypeError)
        if size < 1:
            raise s.error(expected)
    return [int(size) for size in value]


def _activation(s: _Setting):
    """One hidden activation name, a comma-separated list, or a list of names."""
    from glassnet.core.activations import ACTIVATIONS

    value = s.value
    names = value.split(",") if isinstance(value, str) else value
    expected = (
        "an activation name, or one per hidden layer (a list or comma-separated "
        f"text), among: {', '.join(sorted(ACTIVATIONS))}"
    )
    if not isinstance(names, (list, tuple)) or not names:
        raise s.error(expected, TypeError)
    for name in names:
        if not isinstance(name, str):
            raise s.error(expected, TypeError)
        try:
            lookup(name, ACTIVATIONS, "activation")
        except ValueError:
            raise s.error(expected) from None
    return value if isinstance(value, str) else list(value)


def _check_one(s: _Setting):
    from glassnet.core.activations import ACTIVATIONS
    from glassnet.core.losses import LOSSES
    from glassnet.core.optimizers import OPTIMIZERS

    key = s.key
    if key in ("data", "out"):
        return _text(s, "a dataset name or a file path (text)")
    if key in ("target", "plots"):
        return _text(s, "a name (text)", optional=True)
    if key in CHOICES:
        return _choice(s, CHOICES[key], optional=True)
    if key in ("n_samples", "max_categories"):
        return _number(s, integer=True, low=1, optional=True)
    if key == "noise":
        return _number(s, integer=False, low=0, high=1, open_high=True, optional=True)
    if key == "test_size":
        return _number(s, integer=False, low=0, high=1, open_high=True, optional=True)
    if key == "layers":
        return _layers(s)
    if key == "activation":
        return _activation(s)
    if key == "output":
        return _name(s, ACTIVATIONS, "an activation", optional=True)
    if key == "loss":
        return _name(s, LOSSES, "a loss", optional=True)
    if key == "optimizer":
        return _name(s, OPTIMIZERS, "an optimizer")
    if key in ("lr", "l1", "l2"):
        return _number(s, integer=False, low=0)
    if key == "epochs":
        return _number(s, integer=True, low=1)
    if key in ("batch_size", "early_stopping", "seed"):
        return _number(s, integer=True, low=0)
    if key == "dropout":
        return _number(s, integer=False, low=0, high=1, open_high=True)
    if key == "validation_split":
        return _number(s, integer=False, low=0, high=1, open_high=True, optional=True)
    if key == "batch_norm":
        return _boolean(s)
    raise ValueError(f"{key!r} is not a setting of {s.owner}.")


def check_settings(settings: dict, owner: str, *, flags: bool = False) -> dict:
    """Every setting of ``settings`` checked for its type and allowed values.

    Parameters
    ----------
    settings : dict
        Some or all of the keys of :data:`glassnet.runs.recipe.DEFAULTS`.
    owner : str
        Who received them, for the message: "glassnet train", "sweep".
    flags : bool, default False
        Name each setting's ``glassnet train`` flag in the message too.

    Returns
    -------
    dict
        The settings, normalized: ints given for float settings as floats,
        ``layers`` given as an int or as text ("64,32") as a list of ints.

    Raises
    ------
    TypeError
        A value of the wrong type (``batch_norm = "false"``, ``lr = "0.1"``).
    ValueError
        A value out of range or not among the allowed ones
        (``scale = "robust"``, ``dropout = 1``), or an unknown setting.
    """
    return {
        key: _check_one(_Setting(key, value, owner, flags))
        for key, value in settings.items()
    }
