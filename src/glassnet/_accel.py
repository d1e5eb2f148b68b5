"""Optional compiled kernels (numba), used when installed: ``glassnet[fast]``.

NumPy stays the only hard dependency: every kernel here has a pure-NumPy
twin in the module that uses it, the two give the same results to float32
rounding (a test runs both), and ``GLASSNET_ACCELERATE=0`` switches the
kernels off. Numba compiles each kernel on first use (about a second) and
caches the machine code on disk.

The one kernel worth compiling is the optimizer step: NumPy does Adam in a
dozen passes over every parameter, the kernel in one.
"""

from __future__ import annotations

import os

import numpy as np

_kernels: dict | None = None


def _compile() -> dict:
    import numba

    @numba.njit(
        cache=True,
        error_model="numpy",
        boundscheck=False,
        # contraction into fused multiply-adds only: no approximate math
        fastmath={"nsz", "contract"},
    )
    def adam(p, g, m, v, lr_t, b1, c1, b2, c2, eps_hat, tiny):  # pragma: no cover
        # c1 = 1 - b1 and c2 = 1 - b2 come in rounded from float64, as NumPy
        # rounds them, so that both paths use the very same constants
        zero = tiny - tiny  # a zero of the arrays' float type (keeps it float32)
        for i in range(p.shape[0]):
            gi = g[i]
            mi = b1 * m[i] + c1 * gi
            vi = b2 * v[i] + c2 * (gi * gi)
            # flush what would decay into slow subnormal numbers
            mi = mi if abs(mi) >= tiny else zero
            vi = vi if vi >= tiny else zero
            m[i] = mi
            v[i] = vi
            p[i] -= lr_t * mi / (np.sqrt(vi) + eps_hat)

    return {"adam": adam}


def kernel(name: str):
    """The compiled kernel ``name``, or None without numba (or when disabled)."""
    global _kernels
    if os.environ.get("GLASSNET_ACCELERATE", "1") == "0":
        return None
    if _kernels is None:
        try:
            _kernels = _compile()
        except ImportError:
            _kernels = {}
    return _kernels.get(name)
