"""Names to objects: the one lookup every family (activations, losses, ...) uses.

Each family keeps a dict from names to classes; :func:`resolve` turns a name
(case, spaces, ``-`` versus ``_`` do not matter) or an instance into an
instance, and an unknown name is an error that lists the valid ones.
"""

from __future__ import annotations


def normalize(name: str) -> str:
    return name.strip().lower().replace("-", "_")


def lookup(name: str, registry: dict, kind: str):
    """The entry of ``registry`` for ``name``; ValueError listing the names."""
    key = normalize(name)
    if key not in registry:
        raise ValueError(
            f"Unknown {kind} {name!r}. Valid names: {', '.join(sorted(registry))}."
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
    """Rebuild an object from its ``config()``: ``{"name": ..., **options}``."""
    options = dict(config)
    return lookup(options.pop("name"), registry, kind)(**options)
