"""Names to objects: the one lookup every family (activations, losses, ...) uses.

Each family keeps a dict from names to classes; :func:`resolve` turns a name
(case, spaces, ``-`` versus ``_`` do not matter) or an instance into an
instance, and an unknown name is an error that lists the valid ones.
"""

from __future__ import annotations


def normalize(name: str) -> str:
    return name.strip().lower().replace("-", "_")


def shown(value, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters for an error message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def lookup(name: str, registry: dict, kind: str):
    """The entry of ``registry`` for ``name``; ValueError listing the names."""
    key = normalize(name)
    if key not in registry:
        raise ValueError(
            f"Unknown {kind} {shown(name)}. Valid names: {', '.join(sorted(registry))}."
        )
    return registry[key]


def resolve(value, registry: dict, base: type, kind: str, param: str, **kwargs):
    """``value`` if it is a ``base`` instance, else ``registry[value](**kwargs)``.

    Parameters
    ----------
    value : str or base instance
    registry : dict of str to class
    base : type
        The family's base class.
    kind : str
        Its name in messages, e.g. "activation".
    param : str
        The parameter that received ``value``, for the type error.
    """
    if isinstance(value, base):
        return value
    if isinstance(value, str):
        return lookup(value, registry, kind)(**kwargs)
    article = "an" if base.__name__[0] in "AEIOU" else "a"
    raise TypeError(
        f"The '{param}' parameter must be a name (str) or {article} "
        f"{base.__name__} instance. Got {type(value).__name__} instead."
    )


def from_config(config: dict, registry: dict, kind: str):
    """Rebuild an object from its ``config()``: ``{"name": ..., **options}``.

    Raises ValueError or TypeError for anything else (not a dict, a name that
    is not a str or not known, options the class does not take).
    """
    name = config.get("name") if isinstance(config, dict) else None
    if not isinstance(name, str):
        article = "an" if kind[0] in "aeiou" else "a"
        raise ValueError(
            f"The config of {article} {kind} must be a dict with a 'name' (str). "
            f"Got {shown(config)} instead."
        )
    options = {key: value for key, value in config.items() if key != "name"}
    return lookup(name, registry, kind)(**options)
