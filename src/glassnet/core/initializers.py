"""Weight initializers, each returning ``W`` of shape ``(n_out, n_in)``.

``fan_in = n_in`` and ``fan_out = n_out``. Biases start at zero.

=================  ==========================================================
name               distribution
=================  ==========================================================
small_uniform      U(-limit, limit), limit 0.1 by default: lecture 002's
                   "random numbers in a small range" against saturation
glorot_uniform     U(-l, l), l = sqrt(6 / (fan_in + fan_out)) (Xavier)
glorot_normal      N(0, s^2), s = sqrt(2 / (fan_in + fan_out))
he_uniform         U(-l, l), l = sqrt(6 / fan_in)
he_normal          N(0, s^2), s = sqrt(2 / fan_in)
lecun_uniform      U(-l, l), l = sqrt(3 / fan_in)
lecun_normal       N(0, s^2), s = sqrt(1 / fan_in)
zeros              all zero (every unit stays identical: for tests only)
=================  ==========================================================

The default (:func:`default_initializer`) is He for the relu family and
Glorot otherwise, the pairing each was derived for.
"""

from __future__ import annotations

import numpy as np

from glassnet.core._registry import from_config, resolve

__all__ = [
    "get",
    "INITIALIZERS",
    "Initializer",
    "default_initializer",
    "get_initializer",
]


class Initializer:
    """Base class: ``init(n_in, n_out, rng, dtype)`` returns ``W`` (n_out, n_in).

    Examples
    --------
    >>> import numpy as np
    >>> import glassnet as gn
    >>> init = gn.initializers.get("glorot_uniform")
    >>> W = init(3, 2, np.random.default_rng(0), np.float64)
    >>> W.shape, bool(np.all(np.abs(W) <= np.sqrt(6 / (3 + 2))))
    ((2, 3), True)
    """

    name = "initializer"

    def __call__(self, n_in: int, n_out: int, rng: np.random.Generator, dtype):
        """Draw a weight matrix.

        Parameters
        ----------
        n_in, n_out : int
            The layer's numbers of inputs and of neurons (fan-in, fan-out).
        rng : numpy.random.Generator
            The randomness.
        dtype : dtype
            The dtype of the result.

        Returns
        -------
        W : ndarray of shape (n_out, n_in)
            The initial weights.
        """
        raise NotImplementedError

    def config(self) -> dict:
        """A JSON-serialisable description, the inverse of ``get``.

        Returns
        -------
        dict
            ``{"name": ...}`` plus the initializer's options.
        """
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class _Uniform(Initializer):
    def limit(self, n_in: int, n_out: int) -> float:
        raise NotImplementedError

    def __call__(self, n_in, n_out, rng, dtype):
        lim = self.limit(n_in, n_out)
        return rng.uniform(-lim, lim, size=(n_out, n_in)).astype(dtype)


class _Normal(Initializer):
    def std(self, n_in: int, n_out: int) -> float:
        raise NotImplementedError

    def __call__(self, n_in, n_out, rng, dtype):
        return (rng.standard_normal((n_out, n_in)) * self.std(n_in, n_out)).astype(
            dtype
        )


class SmallUniform(_Uniform):
    """U(-limit, limit) with a fixed small ``limit`` (default 0.1)."""

    name = "small_uniform"

    def __init__(self, limit: float = 0.1):
        if not np.isfinite(limit) or limit <= 0:
            raise ValueError(
                "The 'limit' parameter of SmallUniform must be a float in "
                f"(0, inf). Got {limit!r} instead."
            )
        self._limit = float(limit)

    def limit(self, n_in, n_out):
        return self._limit

    def config(self):
        return {"name": self.name, "limit": self._limit}


class GlorotUniform(_Uniform):
    name = "glorot_uniform"

    def limit(self, n_in, n_out):
        return np.sqrt(6.0 / (n_in + n_out))


class GlorotNormal(_Normal):
    name = "glorot_normal"

    def std(self, n_in, n_out):
        return np.sqrt(2.0 / (n_in + n_out))


class HeUniform(_Uniform):
    name = "he_uniform"

    def limit(self, n_in, n_out):
        return np.sqrt(6.0 / n_in)


class HeNormal(_Normal):
    name = "he_normal"

    def std(self, n_in, n_out):
        return np.sqrt(2.0 / n_in)


class LecunUniform(_Uniform):
    name = "lecun_uniform"

    def limit(self, n_in, n_out):
        return np.sqrt(3.0 / n_in)


class LecunNormal(_Normal):
    name = "lecun_normal"

    def std(self, n_in, n_out):
        return np.sqrt(1.0 / n_in)


class Zeros(Initializer):
    name = "zeros"

    def __call__(self, n_in, n_out, rng, dtype):
        return np.zeros((n_out, n_in), dtype=dtype)


INITIALIZERS: dict[str, type[Initializer]] = {
    "small_uniform": SmallUniform,
    "glorot_uniform": GlorotUniform,
    "xavier_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "xavier_normal": GlorotNormal,
    "he_uniform": HeUniform,
    "he_normal": HeNormal,
    "lecun_uniform": LecunUniform,
    "lecun_normal": LecunNormal,
    "zeros": Zeros,
}


def get_initializer(init: str | Initializer) -> Initializer:
    """Resolve a name or instance; an unknown name lists the valid ones.

    Parameters
    ----------
    init : str or Initializer
        A name of :data:`INITIALIZERS` (Glorot/Xavier: Glorot and Bengio,
        2010; He: He et al., 2015; LeCun: LeCun et al., 1998) or an instance,
        returned as is.

    Returns
    -------
    Initializer
        A new instance for a name.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.
    TypeError
        For anything that is neither a str nor an Initializer.
    """
    return resolve(init, INITIALIZERS, Initializer, "initializer", "init")


def default_initializer(activation_name: str) -> Initializer:
    """He uniform for relu and leaky_relu layers, Glorot uniform otherwise.

    Parameters
    ----------
    activation_name : str
        The layer's activation name.

    Returns
    -------
    Initializer
        A new :class:`HeUniform` or :class:`GlorotUniform`.
    """
    if activation_name in ("relu", "leaky_relu"):
        return HeUniform()
    return GlorotUniform()


def initializer_from_config(config: dict) -> Initializer:
    """Rebuild an initializer from :meth:`Initializer.config`."""
    return from_config(config, INITIALIZERS, "initializer")


#: The resolver under the name Keras gives it: ``initializers.get(name_or_object)``.
get = get_initializer
