"""From scikit-learn-style hyperparameters to glassnet objects.

The estimators of :mod:`glassnet.sklearn.estimators` keep only their constructor
parameters; at ``fit`` these helpers check them (one message form, naming
the parameter) and turn them into the :class:`~glassnet.Network`, the
optimizer and the callbacks that :func:`glassnet.fit` trains with.

The weight penalty. scikit-learn's MLP minimizes, per mini-batch of ``B``
samples with weights ``s_i``::

    loss_sk = (1 / sum_i s_i) sum_i s_i C_i  +  alpha / (2 sum_i s_i) ||W||^2

with ``C_i`` its half squared error (regression) or log-loss summed over
the outputs (classification). glassnet's loss is ``c * loss_sk``'s data
term for a constant ``c`` that depends on the loss (``LOSS_SCALE``), plus
``l2 ||W||^2``; the same minimizer, so the same regularization, needs
``l2 = c * alpha / (2 B w_mean)`` with ``w_mean`` the mean sample weight
(``B w_mean`` is the expected ``sum_i s_i`` of a batch, exactly it for a
full batch).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from glassnet.core._validation import check_number
from glassnet.core.activations import get_activation
from glassnet.core.initializers import get_initializer
from glassnet.core.layers import BatchNorm, Dense, Dropout
from glassnet.core.network import Network
from glassnet.core.optimizers import OPTIMIZERS, SGD, Adam, get_optimizer
from glassnet.core.regularizers import L1L2
from glassnet.training.callbacks import (
    Callback,
    LearningRateScheduler,
)

#: glassnet's loss divided by scikit-learn's, for ``k`` outputs (see above):
#: mean over outputs where scikit-learn sums, no 1/2 before squared errors.
LOSS_SCALE = {
    "cross_entropy": lambda k: 1.0,
    "binary_cross_entropy": lambda k: 1.0 / k,
    "mse": lambda k: 2.0 / k,
    "sse": lambda k: 2.0,
    "mae": lambda k: 1.0 / k,
    "huber": lambda k: 1.0 / k,
    "poisson": lambda k: 1.0 / k,
}
#: scikit-learn's name of a loss -> glassnet's.
LOSS_ALIASES = {"squared_error": "mse", "log_loss": None}
LEARNING_RATES = ("constant", "invscaling", "adaptive")


def check_params(est) -> None:
    """Check every numeric and categorical hyperparameter of ``est``.

    Parameters
    ----------
    est : MLPClassifier or MLPRegressor
        The estimator whose constructor parameters are checked.

    Raises
    ------
    TypeError
        For a parameter of the wrong type (e.g. a non-bool ``shuffle``).
    ValueError
        For a parameter out of its range or an unknown name (``solver``,
        ``learning_rate``, ``dtype``, ``init``), in the message form
        "The 'x' parameter of Y must be ... Got ... instead."
    """
    owner = type(est).__name__

    def number(name, **kw):
        check_number(getattr(est, name), name, owner, **kw)

    number("alpha", low=0)
    number("l1", low=0)
    number("learning_rate_init", low=0, low_open=True)
    number("power_t", low=0)
    number("max_iter", low=1, integer=True)
    number("tol", low=0)
    if not (
        isinstance(est.n_iter_no_change, numbers.Real)
        and math.isinf(est.n_iter_no_change)
        and est.n_iter_no_change > 0
    ):
        number("n_iter_no_change", low=1, integer=True)
    number("max_fun", low=1, integer=True)
    number("validation_fraction", low=0, high=1, low_open=True, high_open=True)
    number("momentum", low=0, high=1, high_open=True)
    number("beta_1", low=0, high=1, high_open=True)
    number("beta_2", low=0, high=1, high_open=True)
    number("epsilon", low=0, low_open=True)
    if not (isinstance(est.batch_size, str) and est.batch_size == "auto"):
        number("batch_size", low=1, integer=True)
    _choice(est.learning_rate, "learning_rate", owner, LEARNING_RATES)
    _choice(est.dtype, "dtype", owner, (None, "float32", "float64"))
    for name in ("shuffle", "warm_start", "nesterovs_momentum", "batch_norm"):
        if not isinstance(getattr(est, name), (bool, np.bool_)):
            raise TypeError(
                f"The '{name}' parameter of {owner} must be a bool. "
                f"Got {getattr(est, name)!r} instead."
            )
    solver_name(est)
    if est.init != SKLEARN_INIT:
        get_initializer(est.init)


def _choice(value, name: str, owner: str, allowed) -> None:
    if value not in allowed:
        raise ValueError(
            f"The '{name}' parameter of {owner} must be one of "
            f"{', '.join(map(repr, allowed))}. Got {value!r} instead."
        )


def solver_name(est) -> str:
    """``est.solver``: "lbfgs" or a glassnet optimizer name.

    Parameters
    ----------
    est : MLPClassifier or MLPRegressor
        The estimator.

    Returns
    -------
    str
        ``est.solver``, checked.

    Raises
    ------
    ValueError
        For a solver that is neither "lbfgs" nor an optimizer's name.
    """
    solver = est.solver
    if solver == "lbfgs":
        return solver
    if not isinstance(solver, str) or solver not in OPTIMIZERS:
        names = sorted([*OPTIMIZERS, "lbfgs"])
        raise ValueError(
            f"The 'solver' parameter of {type(est).__name__} must be one of "
            f"{', '.join(map(repr, names))}. Got {solver!r} instead."
        )
    return solver


def make_optimizer(est, *, scale: float = 1.0):
    """The optimizer of ``est.solver`` with scikit-learn's settings.

    ``scale`` is scikit-learn's cost divided by glassnet's (``1 /
    LOSS_SCALE``): glassnet's gradient is ``1 / scale`` times scikit-learn's,
    so "sgd" takes the rate ``scale * learning_rate_init`` and its steps are
    scikit-learn's. Adam's steps do not depend on the scale of the gradient.

    Parameters
    ----------
    est : MLPClassifier or MLPRegressor
        The estimator (``solver``, ``learning_rate_init``, ``momentum``, ...).
    scale : float, default 1.0
        scikit-learn's cost over glassnet's.

    Returns
    -------
    Optimizer
        A new Adam, SGD or the named optimizer.

    Raises
    ------
    ValueError
        For an unknown solver.
    """
    solver = solver_name(est)
    lr = float(est.learning_rate_init)
    if solver == "adam":
        return Adam(lr, beta_1=est.beta_1, beta_2=est.beta_2, eps=est.epsilon)
    if solver == "sgd":
        # scikit-learn's v <- mu v - lr g; w <- w + v is glassnet's (PyTorch's)
        # v <- mu v + g; w <- w - lr v while the rate is constant.
        nesterov = bool(est.nesterovs_momentum) and est.momentum > 0
        return SGD(lr * scale, momentum=est.momentum, nesterov=nesterov)
    return get_optimizer(solver, lr=lr)


def hidden_sizes(est) -> list[int]:
    """``est.hidden_layer_sizes`` as a list of ints (an int is one layer).

    Parameters
    ----------
    est : MLPClassifier or MLPRegressor
        The estimator.

    Returns
    -------
    list of int
        The units of each hidden layer.

    Raises
    ------
    ValueError
        For anything but a positive int or a sequence of positive ints.
    """
    sizes = est.hidden_layer_sizes
    if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
        sizes = [sizes]
    try:
        sizes = list(sizes)
    except TypeError:
        sizes = None
    ok = sizes is not None and all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0
        for s in sizes
    )
    if not ok:
        raise ValueError(
            f"The 'hidden_layer_sizes' parameter of {type(est).__name__} must be a "
            "positive int or a sequence of positive ints, e.g. (100,) or (64, 32). "
            f"Got {est.hidden_layer_sizes!r} instead."
        )
    return [int(s) for s in sizes]


def per_layer(est, name: str, n_hidden: int) -> list:
    """``est.<name>`` as one value per hidden layer (a single value repeats).

    Parameters
    ----------
    est : MLPClassifier or MLPRegressor
        The estimator.
    name : str
        The parameter, e.g. "activation" or "dropout".
    n_hidden : int
        Number of hidden layers.

    Returns
    -------
    list
        ``n_hidden`` values.

    Raises
    ------
    ValueError
        For a list or tuple of another length.
    """
    value = getattr(est, name)
    if isinstance(value, (list, tuple)):
        if len(value) != n_hidden:
            raise ValueError(
                f"The '{name}' parameter of {type(est).__name__} lists "
                f"{len(value)} values for {n_hidden} hidden layers. Give one "
                "value, or one per hidden layer."
            )
        return list(value)
    return [value] * n_hidden


#: The ``init`` of scikit-learn's own scheme (see :func:`sklearn_init`).
SKLEARN_INIT = "sklearn"


def build_network(
    est, n_features: int, n_outputs: int, output: str, loss, *, dtype, seed: int
):
    """``Dense`` layers (batch norm and dropout after each hidden one, if asked).

    With ``init="sklearn"`` the weights and biases are drawn as
    :func:`sklearn_init` draws them; with an initializer's name, the
    weights are drawn by it and the biases start at zero.

    Parameters
    ----------
    est : MLPClassifier or MLPRegressor
        Gives the hidden sizes, activations, dropout, batch norm and init.
    n_features : int
        Inputs.
    n_outputs : int
        Output units.
    output : str
        Output activation.
    loss : str or Loss
        The network's loss.
    dtype : {"float32", "float64"}
        The network's precision.
    seed : int
        Seeds the initialization and dropout.

    Returns
    -------
    Network
        The untrained network.

    Raises
    ------
    ValueError
        For hidden sizes, activations or dropout rates out of range, or a
        per-layer list of the wrong length.
    """
    network = _layers_network(est, n_features, n_outputs, output, loss, dtype, seed)
    if est.init == SKLEARN_INIT:
        sklearn_init(network, est, np.random.default_rng(seed))
    return network


def sklearn_init(network, est, rng: np.random.Generator) -> None:
    """scikit-learn's initialization of its MLP (``_init_coef``), in place.

    Every Dense layer's ``W`` and ``b`` are drawn from ``U(-l, l)`` with
    ``l = sqrt(f / (fan_in + fan_out))`` (Glorot and Bengio, 2010), ``f = 2``
    when the hidden activation is logistic and 6 otherwise (with one
    activation per hidden layer: 2 when all are logistic). The scheme is
    scikit-learn's, not its random stream.

    Parameters
    ----------
    network : Network
        Its Dense layers' ``W`` (n_out, n_in) and ``b`` (n_out,) are drawn.
    est : MLPClassifier or MLPRegressor
        Gives the hidden activations.
    rng : numpy.random.Generator
        The random stream.
    """
    names = [
        get_activation(a).name
        for a in per_layer(est, "activation", len(hidden_sizes(est)))
    ]
    factor = 2.0 if all(name == "sigmoid" for name in names) else 6.0
    for layer in network.layers:
        if isinstance(layer, Dense):
            bound = math.sqrt(factor / (layer.n_in + layer.n_out))
            layer.W = rng.uniform(-bound, bound, size=layer.W.shape)
            layer.b = rng.uniform(-bound, bound, size=layer.b.shape)


def _layers_network(est, n_features, n_outputs, output, loss, dtype, seed):
    init = "glorot_uniform" if est.init == SKLEARN_INIT else est.init
    sizes = hidden_sizes(est)
    activations = [
        get_activation(a).name for a in per_layer(est, "activation", len(sizes))
    ]
    owner = type(est).__name__
    rates = [
        check_number(r, "dropout", owner, low=0, high=1, high_open=True)
        for r in per_layer(est, "dropout", len(sizes))
    ]
    layers, n_in = [], n_features
    for size, activation, rate in zip(sizes, activations, rates, strict=True):
        if est.batch_norm:
            # normalize Z, then the nonlinearity (Ioffe and Szegedy's order)
            layers.append(Dense(n_in, size, "identity", init=init))
            layers.append(BatchNorm(activation=activation))
        else:
            layers.append(Dense(n_in, size, activation, init=init))
        if rate > 0:
            layers.append(Dropout(rate))
        n_in = size
    layers.append(Dense(n_in, n_outputs, output, init=init))
    return Network(layers, loss=loss, seed=seed, dtype=dtype)


def regularizer(est, network, batch_size: int, sample_weight):
    """L1 as given, L2 from ``alpha`` scaled as scikit-learn's (module docstring).

    Parameters
    ----------
    est : MLPClassifier or MLPRegressor
        Gives ``alpha`` and ``l1``.
    network : Network
        Its loss and outputs give the scale.
    batch_size : int
        ``B``, samples per batch.
    sample_weight : ndarray of shape (n_samples,) or None
        Their mean enters the scale.

    Returns
    -------
    L1L2 or None
        With ``l2 = c * alpha / (2 B w_mean)``; None without a penalty.
    """
    if not est.alpha and not est.l1:
        return None
    scale = LOSS_SCALE.get(network.loss.name, lambda k: 1.0)(network.n_outputs)
    mean_weight = 1.0 if sample_weight is None else float(np.mean(sample_weight))
    if mean_weight <= 0:
        mean_weight = 1.0
    l2 = scale * float(est.alpha) / (2.0 * batch_size * mean_weight)
    return L1L2(l1=float(est.l1), l2=l2)


def batch_size(est, n_train: int) -> int:
    """scikit-learn's rule: "auto" is ``min(200, n)``; larger sizes are clipped.

    Parameters
    ----------
    est : MLPClassifier or MLPRegressor
        Gives ``batch_size``.
    n_train : int
        Training samples.

    Returns
    -------
    int
        The batch size, in ``[1, n_train]``.
    """
    if isinstance(est.batch_size, str):
        return min(200, n_train)
    return int(min(max(est.batch_size, 1), n_train))


def callbacks(
    est,
    monitor: str,
    n_train: int,
    *,
    seen: int,
    incremental: bool,
    stopper,
    scale: float = 1.0,
    first_iteration: int = 1,
) -> list:
    """scikit-learn's stopping rule (``stopper``) and learning-rate schedule.

    ``stopper`` is the estimator's :class:`~glassnet.sklearn.stopping.SklearnStopping`,
    kept across warm starts and ``partial_fit`` calls; it is set to this
    fit's ``tol``, ``n_iter_no_change``, ``learning_rate`` and ``verbose``
    here, with ``scale`` (the training loss into scikit-learn's scale) and
    the number of the first epoch (``first_iteration``). ``seen``
    is ``t_`` before this call: the training samples of earlier calls, whose
    sizes may differ from ``n_train``.

    Parameters
    ----------
    est : MLPClassifier or MLPRegressor
        Gives ``tol``, ``n_iter_no_change``, ``learning_rate``, ``power_t``
        and ``verbose``.
    monitor : str
        The logged quantity the stopper watches ("loss", or the validation
        score).
    n_train : int
        Training samples per epoch.
    seen : int
        Training samples seen before this call.
    incremental : bool
        Whether this is a ``partial_fit``.
    stopper : SklearnStopping
        The estimator's stopper.
    scale : float, default 1.0
        glassnet's training loss into scikit-learn's scale.
    first_iteration : int, default 1
        Number of this call's first epoch.

    Returns
    -------
    list of Callback
        The stopper, and the "invscaling" schedule when it applies.
    """
    sgd = est.solver == "sgd"
    stopper.configure(
        monitor,
        tol=est.tol,
        n_iter_no_change=est.n_iter_no_change,
        adaptive=sgd and est.learning_rate == "adaptive",
        scale=scale,
        verbose=bool(est.verbose),
        first_iteration=first_iteration,
    )
    result: list[Callback] = [stopper]
    if sgd and est.learning_rate == "invscaling" and est.power_t > 0:
        # scikit-learn: lr = lr0 / (t + 1) ** power_t with t the training
        # samples seen before the epoch (t_); fit starts with a new optimizer
        # at lr0, partial_fit carries the rate on.
        # (glassnet's rate is scale times scikit-learn's: make_optimizer)
        lr0, power = float(est.learning_rate_init) * scale, float(est.power_t)

        def inverse_scaling(epoch, lr):
            if epoch == 0 and not incremental:
                return lr0
            return lr0 / (1.0 + seen + n_train * epoch) ** power

        result.append(LearningRateScheduler(inverse_scaling))
    return result
