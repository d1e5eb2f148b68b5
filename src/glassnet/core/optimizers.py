"""Optimizers: update parameters in place from their gradients.

An optimizer's :meth:`Optimizer.step` receives parallel lists of parameter
arrays and gradient arrays and changes the parameter arrays in place (they
stay the same objects, so a network's layers keep seeing them). A network
passes its whole flat buffer, so each rule below is a handful of vector
operations over every parameter at once. State such as momentum is created
lazily, one array per parameter, on the first step; every update writes into
preallocated state and scratch arrays, so a step allocates nothing.

Lecture 001's pragmatics -- "dynamically vary step size", "dampen
positive-negative oscillations" -- are what momentum (SGD), per-parameter
step sizes (Adagrad, RMSProp) and both together (Adam) do. Learning-rate
schedules (:mod:`glassnet.training.schedules`) change ``optimizer.lr`` between epochs
for any of them. Every optimizer can clip the gradient first, by its global
norm or elementwise by value (against exploding gradients).

Notation in the docstrings: ``g`` is the gradient ``dC/dw``, ``t`` the step
number starting at 1, ``lr`` the learning rate. Every rule below moves
``w`` by ``lr`` times a step computed from the gradient and the state, so
``lr = 0`` (allowed, as in PyTorch; schedules reach it) changes no parameter
(for finite gradients) but still advances the state.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from glassnet.core import backends
from glassnet.core._registry import resolve
from glassnet.core._validation import check_number
from glassnet.core.backends import NUMPY, NumpyBackend

__all__ = [
    "get",
    "OPTIMIZERS",
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "Optimizer",
    "RMSProp",
    "get_optimizer",
]


class Optimizer:
    """Base class.

    Parameters
    ----------
    lr : float >= 0
        Learning rate (lecture 002's rho, lecture 003's eta). 0 is allowed,
        as in PyTorch, whether given here, set by hand or reached by a
        learning-rate schedule (a cosine decay to ``min_lr=0``, a decay that
        underflows): a step with ``lr = 0`` leaves the parameters unchanged
        while the state (momentum, moments, step count) still updates.
        Negative, infinite or NaN rates raise ValueError.
    clip_norm : float, optional
        If the global L2 norm of all gradients exceeds it, scale every
        gradient by ``clip_norm / norm`` first (PyTorch's
        ``clip_grad_norm_``, Keras's ``global_clipnorm``).
    clip_value : float, optional
        Clip every gradient entry to ``[-clip_value, clip_value]`` first.
        Clipping changes the gradient arrays it is given, in place.

    Raises
    ------
    ValueError
        If a setting is outside its range (TypeError if it is not a
        number).
    """

    name = "optimizer"

    def __init__(
        self,
        lr: float = 0.01,
        *,
        clip_norm: float | None = None,
        clip_value: float | None = None,
    ):
        owner = type(self).__name__
        self.lr = lr
        self.clip_norm = check_number(
            clip_norm, "clip_norm", owner, low=0, low_open=True, allow_none=True
        )
        self.clip_value = check_number(
            clip_value, "clip_value", owner, low=0, low_open=True, allow_none=True
        )
        self.iterations = 0
        self.state: dict[int, dict[str, np.ndarray]] = {}

    @property
    def lr(self) -> float:
        """The learning rate (float >= 0); schedules assign it between epochs.

        Raises
        ------
        ValueError
            On assigning a negative, infinite or NaN rate (TypeError for a
            value that is not a number).
        """
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        # [0, inf) whoever sets it (constructor, user, schedule): one rule
        self._lr = check_number(value, "lr", type(self).__name__, low=0)

    def step(
        self,
        params: list[np.ndarray],
        grads: list[np.ndarray],
        *,
        backend: str | NumpyBackend | None = None,
    ) -> None:
        """Update every ``params[i]`` in place using ``grads[i]``.

        Parameters
        ----------
        params : list of ndarray
            The parameter arrays (any shapes), changed in place.
        grads : list of ndarray
            Their gradients ``dC/dw``, one per parameter, of its shape
            (clipping changes them in place).
        backend : str or NumpyBackend, optional
            A name or object (see :mod:`glassnet.core.backends`) whose
            operations (``sgd``, ``adam``) do the update: the training loop
            passes its workspace's. None is the NumPy backend, whatever ran
            before, so a step by hand never depends on call history.

        Raises
        ------
        ValueError
            If ``params`` and ``grads`` differ in length, or ``backend`` is
            not a known backend.

        Examples
        --------
        >>> import numpy as np
        >>> from glassnet import SGD, Adam
        >>> w = np.array([1.0])
        >>> SGD(lr=0.1).step([w], [np.array([0.5])])
        >>> w
        array([0.95])
        >>> w = np.array([1.0])
        >>> Adam(lr=0.1).step([w], [np.array([0.5])])  # first step: lr sign(g)
        >>> w.round(6)
        array([0.9])
        """
        backend = NUMPY if backend is None else backends.get(backend)
        self.iterations += 1
        if self.clip_norm is not None or self.clip_value is not None:
            self.clip(grads)
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            self._update(i, p, g, backend)

    def clip(self, grads: list[np.ndarray]) -> None:
        """Clip the gradients in place: first by value, then by global norm.

        Parameters
        ----------
        grads : list of ndarray
            The gradient arrays (any shapes), changed in place.
        """
        if self.clip_value is not None:
            for g in grads:
                np.clip(g, -self.clip_value, self.clip_value, out=g)
        if self.clip_norm is not None:
            # ||g|| over all arrays together: sqrt(sum_i g_i . g_i)
            norm = float(
                np.sqrt(sum(float(np.dot(g.ravel(), g.ravel())) for g in grads))
            )
            if norm > self.clip_norm:
                for g in grads:
                    g *= self.clip_norm / norm

    def _update(
        self, index: int, param: np.ndarray, grad: np.ndarray, backend: NumpyBackend
    ) -> None:
        raise NotImplementedError

    def _slot(
        self, index: int, name: str, like: np.ndarray, fill: float = 0.0
    ) -> np.ndarray:
        """Lazily created state array of the shape and dtype of ``like``."""
        slots = self.state.setdefault(index, {})
        if name not in slots:
            slots[name] = np.full_like(like, fill)
        return slots[name]

    def reset(self) -> None:
        """Forget all state (moments, step count)."""
        self.iterations = 0
        self.state.clear()

    def config(self) -> dict:
        """A JSON-serialisable description, the inverse of ``get``.

        Returns
        -------
        dict
            ``{"name": ..., "lr": ...}`` plus the optimizer's settings.
        """
        config = {"name": self.name, "lr": self.lr}
        if self.clip_norm is not None:
            config["clip_norm"] = self.clip_norm
        if self.clip_value is not None:
            config["clip_value"] = self.clip_value
        return config

    def __repr__(self) -> str:
        options = {k: v for k, v in self.config().items() if k != "name"}
        args = ", ".join(f"{k}={v!r}" for k, v in options.items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum.

    Without momentum: ``w <- w - lr g`` (lecture 002). With ``momentum = mu``
    (PyTorch's form)::

        v <- mu v + g
        w <- w - lr v                    (classical momentum)
        w <- w - lr (g + mu v)           (nesterov=True)

    ``v`` starts at 0. Keras writes the same rule as ``v <- mu v - lr g``,
    ``w <- w + v``; the two agree while ``lr`` is constant.

    With ``batch_size=None`` in :meth:`Network.fit` this is full-batch
    gradient descent, with ``1`` stochastic gradient descent and with ``k``
    mini-batch SGD (lecture 003).

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate, >= 0.
    momentum : float in [0, 1), default 0
        The momentum ``mu``.
    nesterov : bool, default False
        Nesterov momentum; needs ``momentum > 0``.
    clip_norm, clip_value : float, optional
        Gradient clipping by global norm and by value; see :class:`Optimizer`.

    Raises
    ------
    ValueError
        If a setting is outside its range, or ``nesterov`` without momentum.
    TypeError
        If ``nesterov`` is not a bool, or a number is not a number.

    Examples
    --------
    >>> import numpy as np
    >>> from glassnet import SGD
    >>> w, opt = np.array([1.0]), SGD(lr=0.1, momentum=0.9)
    >>> opt.step([w], [np.array([0.5])])  # v = 0.5
    >>> opt.step([w], [np.array([0.5])])  # v = 0.9 * 0.5 + 0.5 = 0.95
    >>> w.round(6)  # 1 - 0.1 * 0.5 - 0.1 * 0.95
    array([0.855])
    """

    name = "sgd"

    def __init__(
        self,
        lr: float = 0.01,
        momentum: float = 0.0,
        *,
        nesterov: bool = False,
        clip_norm: float | None = None,
        clip_value: float | None = None,
    ):
        super().__init__(lr, clip_norm=clip_norm, clip_value=clip_value)
        self.momentum = check_number(
            momentum, "momentum", "SGD", low=0, high=1, high_open=True
        )
        if not isinstance(nesterov, bool):
            raise TypeError(
                f"The 'nesterov' parameter of SGD must be a bool. Got {nesterov!r} "
                "instead."
            )
        if nesterov and self.momentum == 0:
            raise ValueError(
                "Nesterov momentum needs momentum > 0: the 'momentum' parameter of "
                "SGD is 0."
            )
        self.nesterov = nesterov

    def _update(self, index, param, grad, backend):
        step = self._slot(index, "step", param)
        if self.momentum == 0:
            # w <- w - lr g
            backend.sgd(param, grad, self.lr, step)
            return
        v = self._slot(index, "velocity", param)
        # v <- mu v + g
        v *= self.momentum
        v += grad
        if self.nesterov:
            # w <- w - lr (g + mu v): the gradient step, then the look-ahead
            np.multiply(v, self.momentum, out=step)
            step += grad
            step *= self.lr
        else:
            np.multiply(v, self.lr, out=step)
        param -= step

    def config(self):
        return {
            **super().config(),
            "momentum": self.momentum,
            "nesterov": self.nesterov,
        }


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan and Singer, 2011): steps shrink with past gradients.

    ::

        G <- G + g^2
        w <- w - lr g / (sqrt(G) + eps)

    ``G`` starts at ``initial_accumulator_value`` (PyTorch's defaults).

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate, >= 0.
    eps : float > 0, default 1e-10
        Added to ``sqrt(G)``.
    initial_accumulator_value : float >= 0, default 0
        The start of ``G``.
    clip_norm, clip_value : float, optional
        Gradient clipping by global norm and by value; see :class:`Optimizer`.

    Raises
    ------
    ValueError
        If a setting is outside its range (TypeError if it is not a
        number).
    """

    name = "adagrad"

    def __init__(
        self,
        lr: float = 0.01,
        *,
        eps: float = 1e-10,
        initial_accumulator_value: float = 0.0,
        clip_norm: float | None = None,
        clip_value: float | None = None,
    ):
        super().__init__(lr, clip_norm=clip_norm, clip_value=clip_value)
        self.eps = check_number(eps, "eps", "Adagrad", low=0, low_open=True)
        self.initial_accumulator_value = check_number(
            initial_accumulator_value, "initial_accumulator_value", "Adagrad", low=0
        )

    def _update(self, index, param, grad, backend):
        G = self._slot(index, "sum_sq", param, self.initial_accumulator_value)
        tmp = self._slot(index, "step", param)
        # G <- G + g^2
        np.multiply(grad, grad, out=tmp)
        G += tmp
        # w <- w - lr g / (sqrt(G) + eps)
        np.sqrt(G, out=tmp)
        tmp += self.eps
        np.divide(grad, tmp, out=tmp)
        tmp *= self.lr
        param -= tmp

    def config(self):
        return {
            **super().config(),
            "eps": self.eps,
            "initial_accumulator_value": self.initial_accumulator_value,
        }


class RMSProp(Optimizer):
    """RMSProp (Hinton, 2012): steps scaled by a running RMS of the gradient.

    ::

        s <- rho s + (1 - rho) g^2
        w <- w - lr g / (sqrt(s) + eps)

    ``s`` starts at 0.

    Parameters
    ----------
    lr : float, default 0.001
        Learning rate, >= 0.
    rho : float in [0, 1), default 0.9
        Decay of the running mean of squared gradients.
    eps : float > 0, default 1e-8
        Added to ``sqrt(s)``.
    clip_norm, clip_value : float, optional
        Gradient clipping by global norm and by value; see :class:`Optimizer`.

    Raises
    ------
    ValueError
        If a setting is outside its range (TypeError if it is not a
        number).
    """

    name = "rmsprop"

    def __init__(
        self,
        lr: float = 0.001,
        *,
        rho: float = 0.9,
        eps: float = 1e-8,
        clip_norm: float | None = None,
        clip_value: float | None = None,
    ):
        super().__init__(lr, clip_norm=clip_norm, clip_value=clip_value)
        self.rho = check_number(rho, "rho", "RMSProp", low=0, high=1, high_open=True)
        self.eps = check_number(eps, "eps", "RMSProp", low=0, low_open=True)

    def _update(self, index, param, grad, backend):
        s = self._slot(index, "mean_sq", param)
        tmp = self._slot(index, "step", param)
        # s <- rho s + (1 - rho) g^2
        s *= self.rho
        np.multiply(grad, grad, out=tmp)
        tmp *= 1.0 - self.rho
        s += tmp
        # w <- w - lr g / (sqrt(s) + eps)
        np.sqrt(s, out=tmp)
        tmp += self.eps
        np.divide(grad, tmp, out=tmp)
        tmp *= self.lr
        param -= tmp

    def config(self):
        return {**super().config(), "rho": self.rho, "eps": self.eps}


def _renamed(old_value, old: str, value, new: str, owner: str):
    """``value``, or the deprecated keyword ``old`` if the caller used it."""
    if old_value is None:
        return value
    warnings.warn(
        f"The '{old}' parameter of {owner} is now '{new}' (Keras's name); "
        f"'{old}' will be removed in a future release.",
        DeprecationWarning,
        stacklevel=3,
    )
    return old_value


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015, Algorithm 1): momentum and RMS scaling.

    ::

        m <- beta1 m + (1 - beta1) g
        v <- beta2 v + (1 - beta2) g^2
        m_hat = m / (1 - beta1^t)
        v_hat = v / (1 - beta2^t)
        w <- w - lr m_hat / (sqrt(v_hat) + eps)

    ``m`` and ``v`` start at 0; the divisions by ``1 - beta^t`` correct
    that start's bias toward 0.

    Parameters
    ----------
    lr : float, default 0.001
        Learning rate, >= 0.
    beta_1, beta_2 : float in [0, 1), default 0.9 and 0.999
        The decay rates of ``m`` and ``v`` (the paper's beta1, beta2; Keras's
        names; PyTorch's ``betas=(beta_1, beta_2)``).
    eps : float > 0, default 1e-8
        Added to ``sqrt(v_hat)``.
    clip_norm, clip_value : float, optional
        Gradient clipping by global norm and by value; see :class:`Optimizer`.
    beta1, beta2 : float, optional
        Deprecated names of ``beta_1`` and ``beta_2``: they still work and
        warn (``DeprecationWarning``).

    Raises
    ------
    ValueError
        If a setting is outside its range (TypeError if it is not a
        number).
    """

    name = "adam"

    def __init__(
        self,
        lr: float = 0.001,
        *,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        eps: float = 1e-8,
        clip_norm: float | None = None,
        clip_value: float | None = None,
        beta1: float | None = None,
        beta2: float | None = None,
    ):
        super().__init__(lr, clip_norm=clip_norm, clip_value=clip_value)
        owner = type(self).__name__
        beta_1 = _renamed(beta1, "beta1", beta_1, "beta_1", owner)
        beta_2 = _renamed(beta2, "beta2", beta_2, "beta_2", owner)
        self.beta_1 = check_number(
            beta_1, "beta_1", owner, low=0, high=1, high_open=True
        )
        self.beta_2 = check_number(
            beta_2, "beta_2", owner, low=0, high=1, high_open=True
        )
        self.eps = check_number(eps, "eps", owner, low=0, low_open=True)

    @property
    def beta1(self) -> float:
        """Deprecated name of :attr:`beta_1` (Keras's and PyTorch's name)."""
        return self.beta_1

    @property
    def beta2(self) -> float:
        """Deprecated name of :attr:`beta_2`."""
        return self.beta_2

    #: |m| and v below this are flushed to 0 every ``_FLUSH_EVERY`` steps: they
    #: would change no float32 weight, and as subnormal numbers they make
    #: every pass over them many times slower.
    _TINY = 1e-30
    _FLUSH_EVERY = 64

    def _update(self, index, param, grad, backend):
        m = self._slot(index, "m", param)
        v = self._slot(index, "v", param)
        t = self.iterations
        # The bias corrections, folded into two scalars (Kingma and Ba, sec. 2):
        # lr m_hat / (sqrt(v_hat) + eps) = lr_t m / (sqrt(v) + eps_hat) with
        # lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t), eps_hat = eps sqrt(1 - beta2^t)
        root = math.sqrt(1.0 - self.beta_2**t)
        lr_t = self.lr * root / (1.0 - self.beta_1**t)
        eps_hat = self.eps * root
        backend.adam(
            param,
            grad,
            m,
            v,
            self._slot(index, "step", param),
            lr_t=lr_t,
            beta1=self.beta_1,
            beta2=self.beta_2,
            eps_hat=eps_hat,
            tiny=self._TINY,
            flush=t % self._FLUSH_EVERY == 0,
        )

    def config(self):
        return {
            **super().config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "eps": self.eps,
        }


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019).

    ::

        w <- w - lr weight_decay w                  (decay, outside the moments)
        w <- w - lr m_hat / (sqrt(v_hat) + eps)     (the Adam step from g)

    Unlike an L2 penalty, the decay does not pass through ``m`` and ``v``,
    so it is not rescaled by Adam's per-parameter step sizes. As in PyTorch
    the decay is scaled by ``lr`` (so schedules scale it too) and applies to
    every parameter the optimizer is given, biases included.

    Parameters
    ----------
    lr : float, default 0.001
        Learning rate, >= 0.
    weight_decay : float >= 0, default 0.01
        The decay per unit of learning rate.
    beta_1, beta_2, eps, clip_norm, clip_value, beta1, beta2
        As in :class:`Adam`.

    Raises
    ------
    ValueError
        If a setting is outside its range (TypeError if it is not a
        number).
    """

    name = "adamw"

    def __init__(
        self,
        lr: float = 0.001,
        *,
        weight_decay: float = 0.01,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        eps: float = 1e-8,
        clip_norm: float | None = None,
        clip_value: float | None = None,
        beta1: float | None = None,
        beta2: float | None = None,
    ):
        super().__init__(
            lr,
            beta_1=beta_1,
            beta_2=beta_2,
            eps=eps,
            clip_norm=clip_norm,
            clip_value=clip_value,
            beta1=beta1,
            beta2=beta2,
        )
        self.weight_decay = check_number(weight_decay, "weight_decay", "AdamW", low=0)

    def _update(self, index, param, grad, backend):
        # w <- w (1 - lr weight_decay), then the Adam step from g alone
        param *= 1.0 - self.lr * self.weight_decay
        super()._update(index, param, grad, backend)

    def config(self):
        return {**super().config(), "weight_decay": self.weight_decay}


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "adagrad": Adagrad,
    "rmsprop": RMSProp,
    "adam": Adam,
    "adamw": AdamW,
}


def get_optimizer(optimizer: str | Optimizer, **kwargs) -> Optimizer:
    """Resolve a name or instance; an unknown name lists the valid ones.

    Parameters
    ----------
    optimizer : str or Optimizer
        A name of :data:`OPTIMIZERS` (case, spaces and ``-`` versus ``_`` do
        not matter) or an instance, returned as is.
    **kwargs
        Settings for the constructor when a name is given (e.g. ``lr=0.1``).

    Returns
    -------
    Optimizer
        A new instance for a name.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the valid ones) or an
        invalid setting.
    TypeError
        For anything that is neither a str nor an Optimizer.

    Examples
    --------
    >>> import glassnet as gn
    >>> gn.optimizers.get("sgd", lr=0.5, momentum=0.9)
    SGD(lr=0.5, momentum=0.9, nesterov=False)
    """
    return resolve(optimizer, OPTIMIZERS, Optimizer, "optimizer", "optimizer", **kwargs)


#: The resolver under the name Keras gives it: ``optimizers.get(name_or_object)``.
get = get_optimizer
