"""Backends: the named array operations a training step is made of.

A backend is an object whose methods are the steps the layers, the
activations, the optimizers and the batch gather call on their work arrays:
a layer's bias and activation (``bias_relu``, ``bias_sigmoid``,
``bias_softmax``), the activation derivatives and backward steps
(``sigmoid_psi``, ``relu_backward``, ...), a dense layer's products
(``dense_forward``, ``dense_backward``), the uint8 pixel gather
(``gather_pixels``) and the optimizer updates (``sgd``, ``adam``). The
operations are methods, so a misspelled one is an ``AttributeError``.

- :class:`NumpyBackend` (``"numpy"``) writes every operation once in NumPy;
  it is the reference, and what layers and optimizers use outside a
  workspace.
- :class:`CompiledBackend` (``"compiled"``, needs numba: ``glassnet[fast]``)
  subclasses it and replaces the hot operations by one-pass kernels; what it
  does not compile, or sizes where NumPy is faster, it inherits.

Choosing one: :func:`get` resolves a name once. ``Network.workspace(backend)``
does so when the block opens and hands the backend to every layer
(``layer.backend``) for the block; ``fit(..., backend=...)`` trains in such
a block and gives the same backend to ``optimizer.step``. The default
(``None``) is ``"compiled"`` when numba can be imported and the environment
variable ``GLASSNET_ACCELERATE`` is not ``"0"``, else ``"numpy"``. A result
never depends on what ran before: only the backend passed in is used.

Adding a backend, e.g. one for GPU arrays with CuPy: write a class with the
same methods (subclassing :class:`NumpyBackend` where the NumPy code also
runs on CuPy arrays, which implement NumPy's ufunc protocol and ``out=``),
with CuPy elementwise or raw kernels for the fused steps, import CuPy in
its constructor, and register its name in :func:`get`. The layers, the
activations, the optimizers and the training loop stay as they are: they
only call the backend's methods on the arrays they are given. What else
such a backend needs lies outside the operations: the network's parameter
and gradient buffers and the layers' work arrays must be allocated as
device arrays, and batches copied to the device once per step.
"""

from __future__ import annotations

import importlib.util
import os

from glassnet.core.backends.numpy_backend import NumpyBackend

__all__ = ["BACKENDS", "NUMPY", "NumpyBackend", "default_name", "get"]

#: The shared NumPy backend: what layers and optimizers use outside a workspace.
NUMPY = NumpyBackend()

#: The names :func:`get` accepts.
BACKENDS = ("numpy", "compiled")

_made: dict[str, NumpyBackend] = {"numpy": NUMPY}
_unavailable: dict[str, ImportError] = {}


def default_name() -> str:
    """The name of the default backend.

    Returns
    -------
    str
        ``"compiled"`` if numba is importable and the environment variable
        ``GLASSNET_ACCELERATE`` is not ``"0"``, else ``"numpy"``.
    """
    if os.environ.get("GLASSNET_ACCELERATE", "1") == "0":
        return "numpy"
    if "compiled" in _made:
        return "compiled"
    if "compiled" in _unavailable or importlib.util.find_spec("numba") is None:
        return "numpy"
    return "compiled"


def get(backend: str | NumpyBackend | None = None) -> NumpyBackend:
    """The backend named ``backend``: ``"numpy"``, ``"compiled"`` or None.

    None is the default (see :func:`default_name`). A backend object is
    returned as it is. Each named backend is made once per process and
    shared (the compiled one compiles its kernels on first use).

    Parameters
    ----------
    backend : str, NumpyBackend or None, default None
        ``"numpy"``, ``"compiled"``, a backend object or None.

    Returns
    -------
    NumpyBackend
        The backend (the compiled one is a subclass).

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones).
    TypeError
        For anything but a name, None or a backend.
    ImportError
        For ``"compiled"`` without numba installed.
    """
    if isinstance(backend, NumpyBackend):
        return backend
    if backend is None:
        try:
            return get(default_name())
        except ImportError:  # numba is there but does not import: NumPy
            return NUMPY
    if not isinstance(backend, str):
        raise TypeError(
            "The 'backend' parameter must be one of "
            f"{', '.join(map(repr, BACKENDS))}, None or a backend object. "
            f"Got {backend!r} instead."
        )
    made = _made.get(backend)
    if made is not None:
        return made
    if backend != "compiled":
        raise ValueError(
            f"The 'backend' parameter must be one of "
            f"{', '.join(map(repr, BACKENDS))} or None. Got {backend!r} instead."
        )
    try:
        if backend in _unavailable:
            raise _unavailable[backend]
        from glassnet.core.backends.compiled import CompiledBackend

        made = CompiledBackend()
    except ImportError as error:
        _unavailable[backend] = error
        raise ImportError(
            "The 'compiled' backend needs numba: pip install 'glassnet[fast]' "
            "(or use backend='numpy')."
        ) from error
    _made[backend] = made
    return made
