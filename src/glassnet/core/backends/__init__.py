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
a block and gives the same backend to ``optimizer.step``. A result never
depends on what ran before: only the backend passed in is used.

The default (``None``) avoids a fixed cost that small jobs never repay:
loading the compiled kernels (importing numba and its compiler, then each
kernel from the disk cache) takes about a second, and compiling them into an
empty cache about three. ``fit`` therefore asks :func:`choose` with the size
of the work ahead (steps, parameters and activations per step), and takes the
compiled kernels only when their measured saving per step, times the steps,
exceeds their load time (:data:`LOAD_SECONDS`; the saving per step is
:func:`compiled_saving`). Everything else that resolves ``None`` (inference,
``workspace()``) uses the compiled kernels only once they are loaded in this
process. The environment variable ``GLASSNET_ACCELERATE`` overrides the
choice: ``"0"`` always NumPy, ``"1"`` always the compiled kernels when numba
is installed; unset (or ``"auto"``) is the rule above. The benchmark
``benchmarks/startup.py`` measures the load times and the wall time of small
and large jobs with and without the ``fast`` extra.

Where the kernels' machine code is cached: numba's own rule. In the
package's ``__pycache__`` folder when that is writable, else in the user's
cache folder (``$XDG_CACHE_HOME/numba`` or ``~/.cache/numba``), or in
``NUMBA_CACHE_DIR`` when that is set.

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
from pathlib import Path

from glassnet.core.backends.numpy_backend import NumpyBackend

__all__ = [
    "BACKENDS",
    "LOAD_SECONDS",
    "NUMPY",
    "NumpyBackend",
    "choose",
    "compiled_saving",
    "default_name",
    "get",
]

#: The shared NumPy backend: what layers and optimizers use outside a workspace.
NUMPY = NumpyBackend()

#: The names :func:`get` accepts.
BACKENDS = ("numpy", "compiled")

_made: dict[str, NumpyBackend] = {"numpy": NUMPY}
_unavailable: dict[str, ImportError] = {}


#: Seconds it takes to load the compiled kernels a training step uses, measured
#: on a 2-core machine (``benchmarks/startup.py``): importing numba and the
#: kernels from a warm disk cache, and compiling them into an empty one.
LOAD_SECONDS = {"warm": 1.0, "cold": 3.0}

#: The saving of the compiled kernels over NumPy, measured on the same machine
#: (``benchmarks/speed.py`` W1 and W2 with and without them): seconds per
#: training step, per parameter updated by Adam or SGD, and per activation
#: entry (batch size x units) of the step's elementwise passes.
SAVING_PER_STEP = 20e-6
SAVING_PER_PARAMETER = 1.0e-9
SAVING_PER_ACTIVATION = 0.5e-9


def _setting() -> str:
    value = os.environ.get("GLASSNET_ACCELERATE", "auto").strip().lower()
    return value if value in ("0", "1") else "auto"


def _numba_installed() -> bool:
    return (
        "compiled" not in _unavailable and importlib.util.find_spec("numba") is not None
    )


def default_name() -> str:
    """The backend ``None`` means outside ``fit``: ``"compiled"`` once loaded.

    ``"compiled"`` if its kernels are loaded in this process already (or
    ``GLASSNET_ACCELERATE`` is ``"1"`` and numba is installed), else
    ``"numpy"``: an inference or a single step never repays the load.

    Returns
    -------
    str
        ``"numpy"`` or ``"compiled"``.
    """
    setting = _setting()
    if setting == "0":
        return "numpy"
    if "compiled" in _made:
        return "compiled"
    if setting == "1" and _numba_installed():
        return "compiled"
    return "numpy"


def compiled_saving(
    steps: int, parameters: int = 0, activations: int = 0, *, updates: bool = True
) -> float:
    """Seconds the compiled kernels are expected to save over NumPy.

    Parameters
    ----------
    steps : int
        Training steps ahead (batches per epoch x epochs).
    parameters : int
        Parameters updated each step.
    activations : int
        Activation entries of one step: batch size x the units of every layer.
    updates : bool, default True
        Whether the optimizer has a compiled update (Adam and SGD do).

    Returns
    -------
    float
        Seconds, from the measured savings :data:`SAVING_PER_STEP`,
        :data:`SAVING_PER_PARAMETER` and :data:`SAVING_PER_ACTIVATION`.
    """
    per_step = SAVING_PER_STEP + SAVING_PER_ACTIVATION * activations
    if updates:
        per_step += SAVING_PER_PARAMETER * parameters
    return steps * per_step


def choose(
    steps: int, parameters: int = 0, activations: int = 0, *, updates: bool = True
) -> NumpyBackend:
    """The backend for a training run of this size, when none was named.

    The compiled kernels when they are already loaded, or when
    :func:`compiled_saving` of the run exceeds the time to load them
    (:data:`LOAD_SECONDS`, ``"warm"`` when their disk cache holds them, else
    ``"cold"``); NumPy otherwise. ``GLASSNET_ACCELERATE`` ``"0"``/``"1"``
    overrides the choice (see the module docstring).

    Parameters
    ----------
    steps, parameters, activations, updates
        As for :func:`compiled_saving`.

    Returns
    -------
    NumpyBackend
        :data:`NUMPY` or the compiled backend.
    """
    setting = _setting()
    if setting != "auto" or "compiled" in _made:
        return get(None)
    if not _numba_installed():
        return NUMPY
    saving = compiled_saving(steps, parameters, activations, updates=updates)
    # (a saving below even a warm load needs no look at the disk cache)
    if saving <= LOAD_SECONDS["warm"]:
        return NUMPY
    if saving <= LOAD_SECONDS["warm" if _kernels_cached() else "cold"]:
        return NUMPY
    try:
        return get("compiled")
    except ImportError:  # numba is there but does not import: NumPy
        return NUMPY


def _kernels_cached() -> bool:
    """Whether numba's disk cache holds the compiled kernels (by numba's rule)."""
    pattern = "compiled._compile.locals.adam-*.nbi"
    here = Path(__file__).resolve().parent
    places = []
    if os.environ.get("NUMBA_CACHE_DIR"):
        places.append(Path(os.environ["NUMBA_CACHE_DIR"]))
    else:
        places.append(here / "__pycache__")
        cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        places.append(Path(cache_home) / "numba")
    for place in places:
        try:
            if next(place.rglob(pattern), None) is not None:
                return True
        except OSError:
            continue
    return False


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
