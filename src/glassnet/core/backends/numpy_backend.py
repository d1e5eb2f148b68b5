"""The NumPy backend: every named operation of a training step, in NumPy.

Each method is the one NumPy implementation of its step. The activations,
layers and optimizers call these methods (through the backend their
workspace carries, see :mod:`glassnet.core.backends`); a faster backend
overrides some of them and inherits the rest.

Conventions: ``Z``, ``A``, ``dA`` and ``scratch`` are float arrays of shape
``(n_samples, n_units)`` of one dtype; ``b`` has shape ``(n_units,)``. An
``..._into`` or backward step writes into the array it is given (``out``,
``dA``) and returns it. Nothing here allocates an array the size of its
inputs unless its docstring says so.
"""

from __future__ import annotations

import numpy as np

#: log of the largest float32 / float64 (by item size): exp() stays finite below.
EXP_LIMIT = {4: 88.72, 8: 709.78}


class NumpyBackend:
    """Every operation written once in NumPy; the reference for the others."""

    name = "numpy"

    # A backend holds no state of a network: copies share it, and a pickled
    # named backend is the same process-wide one when loaded.
    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        from glassnet.core import backends

        if backends._made.get(self.name) is self:
            return backends.get, (self.name,)
        return object.__reduce__(self)

    def __repr__(self) -> str:
        return f"<glassnet backend {self.name!r}>"

    # -- activations, forward --
    def sigmoid(self, Z, out):
        """``out = 1 / (1 + exp(-Z))``, with ``-Z`` capped where exp overflows.

        ``e^cap`` is the largest finite float, so the result is about
        ``1/max`` there, not ``1/inf``.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_units)
            Pre-activations.
        out : ndarray of shape (n_samples, n_units)
            Receives the result (may be ``Z``).

        Returns
        -------
        out : ndarray of shape (n_samples, n_units)
            ``sigma(Z)``.
        """
        np.negative(Z, out=out)
        np.minimum(out, EXP_LIMIT[out.dtype.itemsize], out=out)
        np.exp(out, out=out)
        out += 1.0
        return np.reciprocal(out, out=out)

    def relu(self, Z, out):
        """``out = max(Z, 0)`` (NaN passes through); ``out`` may be ``Z``.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_units)
            Pre-activations.
        out : ndarray of shape (n_samples, n_units)
            Receives the result (may be ``Z``).

        Returns
        -------
        out : ndarray of shape (n_samples, n_units)
            ``max(Z, 0)``.
        """
        return np.maximum(Z, 0, out=out)

    def softmax(self, Z, out):
        """Each row of ``out`` = ``exp(z - max z) / sum exp(z - max z)``.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_units)
            Pre-activations, one row per sample.
        out : ndarray of shape (n_samples, n_units)
            Receives the result (may be ``Z``).

        Returns
        -------
        out : ndarray of shape (n_samples, n_units)
            Each row a probability distribution.
        """
        np.subtract(Z, Z.max(axis=-1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=-1, keepdims=True)
        return out

    def bias_sigmoid(self, Z, b, out):
        """``Z += b``, then :meth:`sigmoid` into ``out``.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_units)
            The products ``X W^T``, overwritten by ``Z + b``.
        b : ndarray of shape (n_units,)
            The biases.
        out : ndarray of shape (n_samples, n_units)
            Receives the activations.

        Returns
        -------
        out : ndarray of shape (n_samples, n_units)
            ``sigmoid(Z + b)``.
        """
        Z += b
        return self.sigmoid(Z, out)

    def bias_relu(self, Z, b, out):
        """``Z += b``, then :meth:`relu` into ``out`` (which may be ``Z``).

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_units)
            The products ``X W^T``, overwritten by ``Z + b``.
        b : ndarray of shape (n_units,)
            The biases.
        out : ndarray of shape (n_samples, n_units)
            Receives the activations.

        Returns
        -------
        out : ndarray of shape (n_samples, n_units)
            ``relu(Z + b)``.
        """
        Z += b
        return self.relu(Z, out)

    def bias_softmax(self, Z, b, out):
        """``Z += b``, then :meth:`softmax` into ``out``.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_units)
            The products ``X W^T``, overwritten by ``Z + b``.
        b : ndarray of shape (n_units,)
            The biases.
        out : ndarray of shape (n_samples, n_units)
            Receives the activations.

        Returns
        -------
        out : ndarray of shape (n_samples, n_units)
            ``softmax(Z + b)``.
        """
        Z += b
        return self.softmax(Z, out)

    # -- activations, derivatives (lecture 002's psi and its Z-form twins) -------
    def sigmoid_psi(self, A, out):
        """``out = psi(A) = A (1 - A)``, the logistic derivative from its output.

        Parameters
        ----------
        A : ndarray of shape (n_samples, n_units)
            Logistic activations.
        out : ndarray of shape (n_samples, n_units)
            Receives the result.

        Returns
        -------
        out : ndarray of shape (n_samples, n_units)
            ``A (1 - A)``.
        """
        np.subtract(1.0, A, out=out)
        out *= A
        return out

    def tanh_psi(self, A, out):
        """``out = psi(A) = 1 - A^2``, tanh's derivative from its output.

        Parameters
        ----------
        A : ndarray of shape (n_samples, n_units)
            tanh activations.
        out : ndarray of shape (n_samples, n_units)
            Receives the result.

        Returns
        -------
        out : ndarray of shape (n_samples, n_units)
            ``1 - A^2``.
        """
        np.multiply(A, A, out=out)
        return np.subtract(1.0, out, out=out)

    def relu_derivative(self, Z, out):
        """``out = 1`` where ``Z > 0``, else 0 (0 at the kink ``Z = 0``).

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_units)
            Pre-activations.
        out : ndarray of shape (n_samples, n_units)
            Receives the result.

        Returns
        -------
        out : ndarray of shape (n_samples, n_units)
            1 where ``Z > 0``, else 0.
        """
        return np.greater(Z, 0, out=out)

    def leaky_relu_derivative(self, Z, alpha, out):
        """``out = 1`` where ``Z > 0``, else ``alpha``.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_units)
            Pre-activations.
        alpha : float
            The slope for ``Z <= 0``.
        out : ndarray of shape (n_samples, n_units)
            Receives the result.

        Returns
        -------
        out : ndarray of shape (n_samples, n_units)
            1 where ``Z > 0``, else ``alpha``.
        """
        out[...] = alpha
        np.copyto(out, 1.0, where=Z > 0)
        return out

    # -- activations, backward steps: dA <- dC/dZ, written over dA ----------------
    def sigmoid_backward(self, dA, A, scratch):
        """``dA *= psi(A)``: the chain rule through the logistic function.

        Parameters
        ----------
        dA : ndarray of shape (n_samples, n_units)
            ``dC/dA``, overwritten by ``dC/dZ``.
        A : ndarray of shape (n_samples, n_units)
            Activations of the forward pass.
        scratch : ndarray of shape (n_samples, n_units)
            A work array.

        Returns
        -------
        dA : ndarray of shape (n_samples, n_units)
            ``dC/dZ``, in the array ``dA``.
        """
        dA *= self.sigmoid_psi(A, scratch)
        return dA

    def tanh_backward(self, dA, A, scratch):
        """``dA *= psi(A)``: the chain rule through tanh.

        Parameters
        ----------
        dA : ndarray of shape (n_samples, n_units)
            ``dC/dA``, overwritten by ``dC/dZ``.
        A : ndarray of shape (n_samples, n_units)
            Activations of the forward pass.
        scratch : ndarray of shape (n_samples, n_units)
            A work array.

        Returns
        -------
        dA : ndarray of shape (n_samples, n_units)
            ``dC/dZ``, in the array ``dA``.
        """
        dA *= self.tanh_psi(A, scratch)
        return dA

    def relu_backward(self, dA, Z, scratch):
        """``dA *= relu'(Z)``.

        Parameters
        ----------
        dA : ndarray of shape (n_samples, n_units)
            ``dC/dA``, overwritten by ``dC/dZ``.
        Z : ndarray of shape (n_samples, n_units)
            Pre-activations of the forward pass.
        scratch : ndarray of shape (n_samples, n_units)
            A work array.

        Returns
        -------
        dA : ndarray of shape (n_samples, n_units)
            ``dC/dZ``, in the array ``dA``.
        """
        dA *= self.relu_derivative(Z, scratch)
        return dA

    def leaky_relu_backward(self, dA, Z, alpha, scratch):
        """``dA *= leaky_relu'(Z)``.

        Parameters
        ----------
        dA : ndarray of shape (n_samples, n_units)
            ``dC/dA``, overwritten by ``dC/dZ``.
        Z : ndarray of shape (n_samples, n_units)
            Pre-activations of the forward pass.
        alpha : float
            The slope for ``Z <= 0``.
        scratch : ndarray of shape (n_samples, n_units)
            A work array.

        Returns
        -------
        dA : ndarray of shape (n_samples, n_units)
            ``dC/dZ``, in the array ``dA``.
        """
        dA *= self.leaky_relu_derivative(Z, alpha, scratch)
        return dA

    def softmax_backward(self, dA, A, scratch):
        """Row by row, ``dA <- A * (dA - <dA, A>)``: the Jacobian-vector product.

        With ``g = dC/da``, ``dC/dz_j = sum_i g_i a_i (delta_ij - a_j)
        = a_j (g_j - <g, a>)``.

        Parameters
        ----------
        dA : ndarray of shape (n_samples, n_units)
            ``dC/dA``, overwritten by ``dC/dZ``.
        A : ndarray of shape (n_samples, n_units)
            Activations of the forward pass.
        scratch : ndarray of shape (n_samples, n_units)
            A work array.

        Returns
        -------
        dA : ndarray of shape (n_samples, n_units)
            ``dC/dZ``, in the array ``dA``.
        """
        np.multiply(dA, A, out=scratch)
        dA -= scratch.sum(axis=-1, keepdims=True)
        dA *= A
        return dA

    # -- a dense layer's products --
    def dense_forward(self, X, WT, Z):
        """``Z = X W^T`` with ``W^T`` of shape (n_in, n_out), as Dense stores it.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_in)
            The layer's inputs.
        WT : ndarray of shape (n_in, n_out)
            The transposed weights.
        Z : ndarray of shape (n_samples, n_out)
            Receives the product.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_out)
            ``X W^T``.
        """
        return np.matmul(X, WT, out=Z)

    def dense_backward(self, delta, X, WT, dWT, db, dX=None, ones=None):
        """``dW^T = X^T delta``, ``db`` = column sums of delta, ``dX = delta W``.

        Lecture 001's gradients of a dense layer, written into the arrays
        given.

        Parameters
        ----------
        delta : ndarray of shape (n_samples, n_out)
            ``dC/dZ`` of the layer.
        X : ndarray of shape (n_samples, n_in)
            The layer's inputs.
        WT : ndarray of shape (n_in, n_out)
            The transposed weights.
        dWT : ndarray of shape (n_in, n_out)
            Receives ``X^T delta``, the transposed weight gradient.
        db : ndarray of shape (n_out,)
            Receives the bias gradient.
        dX : ndarray of shape (n_samples, n_in), optional
            Receives ``delta W``; None skips it.
        ones : ndarray of shape (n_samples,), optional
            Ones: the column sums become a matrix-vector product (a fast GEMV).

        Returns
        -------
        dX : ndarray of shape (n_samples, n_in) or None
            ``dC/dX`` in the array ``dX``, or None.
        """
        # dC/dw_kj = sum over samples of delta_k a_j   (lecture 001)
        np.matmul(X.T, delta, out=dWT)
        # dC/db_k = sum over samples of delta_k
        if ones is None:
            np.sum(delta, axis=0, out=db)
        else:
            np.dot(ones, delta, out=db)
        if dX is None:
            return None
        # dC/da_j of the previous layer = sum_k w_kj delta_k
        return np.matmul(delta, WT.T, out=dX)

    # -- batches --
    def gather_pixels(self, X, idx, out, raw):
        """``out = X[idx] / 255`` for uint8 pixels ``X`` (n_samples, n_features).

        ``idx`` (n_batch,) row indices; ``raw`` a uint8 work array of the
        shape of ``out`` (n_batch, n_features). The quotient is rounded from
        float64 (``x * (1.0 / 255.0)``).

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            uint8 pixels.
        idx : ndarray of shape (n_batch,)
            The rows of the batch.
        out : ndarray of shape (n_batch, n_features)
            Receives the floats.
        raw : ndarray of shape (n_batch, n_features)
            A uint8 work array.

        Returns
        -------
        out : ndarray of shape (n_batch, n_features)
            ``X[idx] / 255``.
        """
        X.take(idx, axis=0, out=raw, mode="clip")
        return np.multiply(raw, 1.0 / 255.0, out=out)

    # -- optimizer updates --
    def sgd(self, p, g, lr, scratch):
        """``p <- p - lr g`` in place; ``scratch`` is a work array like ``p``.

        Parameters
        ----------
        p : ndarray of shape (n_params,)
            Parameters, updated in place.
        g : ndarray of shape (n_params,)
            Their gradient.
        lr : float
            The learning rate.
        scratch : ndarray of shape (n_params,)
            A work array.

        Returns
        -------
        p : ndarray of shape (n_params,)
            The updated parameters, the array ``p``.
        """
        np.multiply(g, lr, out=scratch)
        p -= scratch
        return p

    #: Adam runs its passes block by block, this many entries at a time, so
    #: that a block's five arrays stay in the processor's cache between its
    #: dozen passes instead of streaming each pass from memory. Measured with
    #: ``benchmarks/adam_step.py`` on a 2-core machine: 17% faster on W3's 1.9
    #: million parameters, the same on W1's 235,000 (smaller blocks pay more
    #: in calls than they save). The result is the same entry by entry.
    ADAM_BLOCK = 131072

    def adam(self, p, g, m, v, scratch, *, lr_t, beta1, beta2, eps_hat, tiny, flush):
        """One Adam step in place, bias corrections folded into ``lr_t, eps_hat``.

        ::

            m <- beta1 m + (1 - beta1) g
            v <- beta2 v + (1 - beta2) g^2
            p <- p - lr_t m / (sqrt(v) + eps_hat)

        With ``flush``, entries of ``|m|`` and ``v`` below ``tiny`` are set
        to 0 before the update of ``p`` (they would change no float32
        weight, and as subnormal numbers they slow every pass down); a
        backend may flush at every step. ``scratch`` is a work array like
        ``p``. See :class:`glassnet.Adam` for the fold. Arrays longer than
        :attr:`ADAM_BLOCK` are updated a block at a time.

        Parameters
        ----------
        p : ndarray of shape (n_params,)
            Parameters, updated in place.
        g : ndarray of shape (n_params,)
            Their gradient.
        m : ndarray of shape (n_params,)
            The first moment, updated in place.
        v : ndarray of shape (n_params,)
            The second moment, updated in place.
        scratch : ndarray of shape (n_params,)
            A work array.
        lr_t : float
            ``lr sqrt(1 - beta2^t) / (1 - beta1^t)``.
        beta1, beta2 : float
            The decay rates of ``m`` and ``v``.
        eps_hat : float
            ``eps sqrt(1 - beta2^t)``.
        tiny : float
            The threshold below which moments are flushed to 0.
        flush : bool
            Whether to flush at this step.

        Returns
        -------
        p : ndarray of shape (n_params,)
            The updated parameters, the array ``p``.
        """
        block = self.ADAM_BLOCK
        if p.ndim == 1 and p.shape[0] > block:
            for i in range(0, p.shape[0], block):
                j = i + block
                self._adam(
                    p[i:j], g[i:j], m[i:j], v[i:j], scratch[i:j],
                    lr_t, beta1, beta2, eps_hat, tiny, flush,
                )  # fmt: skip
            return p
        return self._adam(p, g, m, v, scratch, lr_t, beta1, beta2, eps_hat, tiny, flush)

    @staticmethod
    def _adam(p, g, m, v, scratch, lr_t, beta1, beta2, eps_hat, tiny, flush):
        # m <- beta1 m + (1 - beta1) g
        m *= beta1
        np.multiply(g, 1.0 - beta1, out=scratch)
        m += scratch
        # v <- beta2 v + (1 - beta2) g^2
        v *= beta2
        np.multiply(g, g, out=scratch)
        scratch *= 1.0 - beta2
        v += scratch
        if flush:
            np.copyto(m, 0, where=np.abs(m) < tiny)
            np.copyto(v, 0, where=v < tiny)
        # p <- p - lr_t m / (sqrt(v) + eps_hat)
        np.sqrt(v, out=scratch)
        scratch += eps_hat
        np.divide(m, scratch, out=scratch)
        scratch *= lr_t
        p -= scratch
        return p
