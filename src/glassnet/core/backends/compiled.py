"""The compiled backend: one-pass numba kernels, NumPy for everything else.

Installed with ``glassnet[fast]``; NumPy stays the only hard dependency, and
numba is imported only when this backend is made. Each kernel does in one
pass what NumPy does in several: the Adam and SGD steps (a dozen passes over
every parameter in NumPy for Adam), a layer's bias and activation (``Z += b``
then ReLU, sigmoid or the row-wise softmax), the activation derivatives
(``dA *= (Z > 0)`` and the like), the gather and conversion of uint8 pixels,
and, for layers so small that a BLAS call costs more than the product, the
products themselves. Each runs on one core; NumPy's matrix products use them
all. Numba compiles each kernel on first use (about a second) and caches the
machine code on disk.

Every kernel is the compiled twin of one :class:`NumpyBackend` method, and
the two give the same results to float32 rounding (tests run both).
Operations without a kernel, and sizes where NumPy is faster
(:data:`SCALAR_MATH_MAX`, :data:`SMALL_PRODUCT`), are the inherited NumPy
methods.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from glassnet.core.backends.numpy_backend import EXP_LIMIT, NumpyBackend

#: Arrays up to this many entries use the compiled sigmoid kernel, which calls
#: the scalar C ``exp``: on small arrays that beats NumPy's five calls, on
#: large ones NumPy's vectorized ``exp`` wins. (For tanh NumPy always wins.)
SCALAR_MATH_MAX = 1024

#: A layer whose products take at most this many multiply-adds per batch
#: (batch size x inputs x outputs) uses the compiled loops instead of BLAS:
#: for such tiny matrices the cost of a BLAS call is the cost of the product.
SMALL_PRODUCT = 4096


class CompiledBackend(NumpyBackend):
    """:class:`NumpyBackend` with numba kernels for the hot steps.

    Raises ``ImportError`` when made without numba installed.
    """

    name = "compiled"

    def __init__(self):
        self._k = _compile()

    # -- activations, forward --
    def bias_sigmoid(self, Z, b, out):
        if Z.size > SCALAR_MATH_MAX:
            return super().bias_sigmoid(Z, b, out)
        cap = out.dtype.type(EXP_LIMIT[out.dtype.itemsize])
        self._k.bias_sigmoid(Z, b, out, cap)
        return out

    def bias_relu(self, Z, b, out):
        if out is Z:  # in place: the pre-activations are not kept
            self._k.bias_relu_inplace(Z, b)
        else:
            self._k.bias_relu(Z, b, out)
        return out

    def bias_softmax(self, Z, b, out):
        self._k.bias_softmax(Z, b, out)
        return out

    # -- activations, backward steps --
    def sigmoid_backward(self, dA, A, scratch):
        self._k.sigmoid_backward(dA, A)
        return dA

    def tanh_backward(self, dA, A, scratch):
        self._k.tanh_backward(dA, A)
        return dA

    def relu_backward(self, dA, Z, scratch):
        self._k.relu_backward(dA, Z)
        return dA

    # -- a dense layer's products --
    def dense_forward(self, X, WT, Z):
        if X.shape[0] * WT.size > SMALL_PRODUCT:
            return super().dense_forward(X, WT, Z)
        self._k.small_matmul(X, WT, Z)
        return Z

    def dense_backward(self, delta, X, WT, dWT, db, dX=None, ones=None):
        if X.shape[0] * WT.size > SMALL_PRODUCT:
            return super().dense_backward(delta, X, WT, dWT, db, dX, ones)
        # the three products in one call (delta stands in for an unused dX)
        need_dX = dX is not None
        self._k.small_dense_grads(
            delta, X, WT, dWT, db, dX if need_dX else delta, need_dX
        )
        return dX

    # -- batches --
    def gather_pixels(self, X, idx, out, raw):
        # gather and convert in one pass (a memory map as a plain array view)
        self._k.gather_pixels(np.asarray(X), idx, out)
        return out

    # -- optimizer updates --
    def sgd(self, p, g, lr, scratch):
        if p.ndim != 1:
            return super().sgd(p, g, lr, scratch)
        self._k.sgd(p, g, p.dtype.type(lr))
        return p

    def adam(self, p, g, m, v, scratch, *, lr_t, beta1, beta2, eps_hat, tiny, flush):
        if p.ndim != 1:
            return super().adam(
                p, g, m, v, scratch,
                lr_t=lr_t, beta1=beta1, beta2=beta2, eps_hat=eps_hat,
                tiny=tiny, flush=flush,
            )  # fmt: skip
        # the kernel's scalars in one array of the parameters' dtype, each
        # rounded from float64 as NumPy rounds them; it flushes every step
        scalars = np.array(
            (lr_t, beta1, 1.0 - beta1, beta2, 1.0 - beta2, eps_hat, tiny),
            dtype=p.dtype,
        )
        self._k.adam(p, g, m, v, scalars)
        return p


def _compile() -> SimpleNamespace:
    """Define the kernels; numba compiles each on its first call."""
    import numba

    @numba.njit(
        cache=True,
        error_model="numpy",
        boundscheck=False,
        # contraction into fused multiply-adds only: no approximate math
        fastmath={"nsz", "contract"},
    )
    def adam(p, g, m, v, scalars):  # pragma: no cover
        # scalars = (lr_t, b1, c1, b2, c2, eps_hat, tiny) in the arrays' dtype:
        # c1 = 1 - b1 and c2 = 1 - b2 come in rounded from float64, as NumPy
        # rounds them, so that both paths use the very same constants
        lr_t, b1, c1, b2 = scalars[0], scalars[1], scalars[2], scalars[3]
        c2, eps_hat, tiny = scalars[4], scalars[5], scalars[6]
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

    @numba.njit(cache=True, error_model="numpy", boundscheck=False)
    def bias_relu(Z, b, A):  # pragma: no cover
        # Z += b; A = max(Z, 0), with NaN passed through as np.maximum does
        zero = b[0] - b[0]
        for i in range(Z.shape[0]):
            for j in range(Z.shape[1]):
                z = Z[i, j] + b[j]
                Z[i, j] = z
                A[i, j] = zero if z <= zero else z

    @numba.njit(cache=True, error_model="numpy", boundscheck=False)
    def bias_relu_inplace(Z, b):  # pragma: no cover
        # Z = max(Z + b, 0) in place (inference keeps no Z for the backward)
        zero = b[0] - b[0]
        for i in range(Z.shape[0]):
            for j in range(Z.shape[1]):
                z = Z[i, j] + b[j]
                Z[i, j] = zero if z <= zero else z

    @numba.njit(cache=True, error_model="numpy", boundscheck=False)
    def relu_backward(dA, Z):  # pragma: no cover
        # dA *= (Z > 0): delta = dC/dA * relu'(Z), written over dA
        zero = dA[0, 0] - dA[0, 0]
        for i in range(dA.shape[0]):
            for j in range(dA.shape[1]):
                d = dA[i, j]
                dA[i, j] = d if Z[i, j] > zero else zero * d

    @numba.njit(cache=True, error_model="numpy", boundscheck=False)
    def bias_softmax(Z, b, A):  # pragma: no cover
        # Z += b; each row of A = exp(z - max z) / sum exp(z - max z)
        for i in range(Z.shape[0]):
            top = Z[i, 0] + b[0]
            for j in range(Z.shape[1]):
                z = Z[i, j] + b[j]
                Z[i, j] = z
                if z > top or z != z:
                    top = z
            total = top - top
            for j in range(Z.shape[1]):
                e = np.exp(Z[i, j] - top)
                A[i, j] = e
                total += e
            for j in range(Z.shape[1]):
                A[i, j] /= total

    @numba.njit(cache=True, error_model="numpy", boundscheck=False)
    def bias_sigmoid(Z, b, A, cap):  # pragma: no cover
        # 1 / (1 + e^-z) with -z capped at log(largest float), as in NumPy's path
        one = cap - cap + 1
        for i in range(Z.shape[0]):
            for j in range(Z.shape[1]):
                z = Z[i, j] + b[j]
                Z[i, j] = z
                t = -z
                t = cap if t > cap else t
                A[i, j] = one / (one + np.exp(t))

    @numba.njit(cache=True, error_model="numpy", boundscheck=False)
    def tanh_backward(dA, A):  # pragma: no cover
        # dA *= psi(A) = 1 - A^2
        one = A[0, 0] - A[0, 0] + 1
        for i in range(dA.shape[0]):
            for j in range(dA.shape[1]):
                a = A[i, j]
                dA[i, j] = dA[i, j] * (one - a * a)

    @numba.njit(cache=True, error_model="numpy", boundscheck=False)
    def sigmoid_backward(dA, A):  # pragma: no cover
        # dA *= psi(A) = A (1 - A)
        one = A[0, 0] - A[0, 0] + 1
        for i in range(dA.shape[0]):
            for j in range(dA.shape[1]):
                a = A[i, j]
                dA[i, j] = dA[i, j] * ((one - a) * a)

    @numba.njit(cache=True, error_model="numpy", boundscheck=False)
    def sgd(p, g, lr):  # pragma: no cover
        # w <- w - lr g
        for i in range(p.shape[0]):
            p[i] = p[i] - g[i] * lr

    # (sums in any order, as BLAS does: the reductions vectorize)
    @numba.njit(
        cache=True,
        error_model="numpy",
        boundscheck=False,
        fastmath={"reassoc", "nsz", "contract"},
    )
    def small_matmul(X, WT, Z):  # pragma: no cover
        # Z = X W^T, with W^T (n_in, n_out) as Dense stores it, for matrices
        # too small to be worth a BLAS call
        Z[:, :] = 0
        for i in range(X.shape[0]):
            for j in range(X.shape[1]):
                x = X[i, j]
                for k in range(WT.shape[1]):
                    Z[i, k] += x * WT[j, k]

    @numba.njit(
        cache=True,
        error_model="numpy",
        boundscheck=False,
        fastmath={"reassoc", "nsz", "contract"},
    )
    def small_dense_grads(delta, X, WT, dWT, db, dX, need_dX):  # pragma: no cover
        # dW^T = X^T delta, db = column sums of delta, dX = delta W
        dWT[:, :] = 0
        db[:] = 0
        for i in range(delta.shape[0]):
            for k in range(delta.shape[1]):
                db[k] += delta[i, k]
            for j in range(X.shape[1]):
                x = X[i, j]
                for k in range(delta.shape[1]):
                    dWT[j, k] += x * delta[i, k]
        if need_dX:
            for i in range(delta.shape[0]):
                for j in range(WT.shape[0]):
                    total = delta[i, 0] * WT[j, 0]
                    for k in range(1, delta.shape[1]):
                        total += delta[i, k] * WT[j, k]
                    dX[i, j] = total

    @numba.njit(cache=True, error_model="numpy", boundscheck=False)
    def gather_pixels(X, idx, out):  # pragma: no cover
        # out = X[idx] / 255 for uint8 pixels X: the batch gather and the
        # conversion in one pass (the quotient rounded from float64 as NumPy's
        # np.multiply(raw, 1.0 / 255.0, out=out) rounds it)
        scale = 1.0 / 255.0
        for r in range(idx.shape[0]):
            row = idx[r]
            for j in range(X.shape[1]):
                out[r, j] = X[row, j] * scale

    return SimpleNamespace(
        adam=adam,
        gather_pixels=gather_pixels,
        small_matmul=small_matmul,
        small_dense_grads=small_dense_grads,
        sgd=sgd,
        bias_relu=bias_relu,
        bias_relu_inplace=bias_relu_inplace,
        relu_backward=relu_backward,
        bias_softmax=bias_softmax,
        tanh_backward=tanh_backward,
        bias_sigmoid=bias_sigmoid,
        sigmoid_backward=sigmoid_backward,
    )
