"""Exercise sheets with answer keys: one step of backpropagation by hand.

:func:`exercise` draws a small network with "nice" numbers from a seed (or
takes the numbers given), asks for the forward pass, the loss, the deltas,
the gradients, the updated parameters and the new prediction, and answers
every question with the numbers of :func:`~glassnet.inspection.trace.
trace_network` -- the same forward and backward pass, loss and SGD step
that training runs, checked against central differences
(:func:`~glassnet.inspection.gradcheck.gradcheck`) before any key is made.

Two notations, as in :mod:`~glassnet.inspection.trace`: ``"wb"`` (lectures
001/003/004, ``z^(l) = W^(l) a^(l-1) + b^(l)``, learning rate ``eta``) and
``"transfer"`` (lecture 002, bias-augmented transfer matrices with the bias
in row 0, ``psi``, ``nabla``, learning rate ``rho``). Two roundings of the
key: ``"exact"`` (every number computed in float64, printed to
``decimals``) and ``"carry"`` (also the numbers a student gets who rounds
every intermediate result to ``decimals`` and computes on with it; the key
shows both where they differ). Layout and formats are in
:mod:`~glassnet.inspection.exercise_render`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from glassnet.core.layers import Dense
from glassnet.core.network import Network
from glassnet.core.optimizers import SGD
from glassnet.inspection import exercise_render
from glassnet.inspection.exercise_checks import (
    HIDDEN_ACTIVATIONS,
    MAX_BATCH,
    MAX_MAGNITUDE,
    OUTPUT_ACTIVATIONS,
    PARTS,
    ROUNDINGS,
    check_choice,
    check_format,
    check_input,
    check_int,
    check_layers,
    check_loss,
    check_lr,
    check_parts,
    parse_weights,
    short,
)
from glassnet.inspection.exercise_render import round_to
from glassnet.inspection.gradcheck import gradcheck
from glassnet.inspection.trace import (
    NOTATIONS,
    Trace,
    _derivative,
    trace_network,
)

__all__ = ["PARTS", "ROUNDINGS", "Exercise", "carried_trace", "exercise", "round_to"]

#: The output that pairs with each loss when none is given.
_DEFAULT_OUTPUT = {"binary_cross_entropy": "sigmoid", "cross_entropy": "softmax"}
#: A ReLU pre-activation closer to 0 than this is redrawn: at the kink the
#: derivative is a convention, and rounding could flip its side.
_KINK_MARGIN = 0.05
_DRAWS = 200


@dataclass(frozen=True)
class Exercise:
    """A sheet: the given numbers, the questions, and the traced answers.

    Attributes
    ----------
    network : Network
        The exercise's network (float64), left untouched by the sheet.
    X : ndarray of shape (n_samples, n_inputs)
        The input, one row per sample.
    Y : ndarray of shape (n_samples, n_outputs)
        The targets as the loss sees them (class labels one-hot).
    lr : float
        The SGD step (``eta`` in the W, b notation, ``rho`` in lecture 002's).
    trace : Trace
        The exact step: :func:`~glassnet.inspection.trace.trace_network`
        with ``SGD(lr)``.
    carried : Trace or None
        With ``rounding="carry"``: the same step recomputed by the network's
        own layers and loss from values rounded to ``decimals`` at every
        stage (see :func:`carried_trace`).
    settings : dict
        Seed, layers, activations, loss, notation, parts, decimals,
        rounding, title: what reproduces the sheet.
    gradcheck_error : float
        Largest relative error of the numerical gradient check that passed.
    """

    network: Network
    X: np.ndarray
    Y: np.ndarray
    lr: float
    trace: Trace
    carried: Trace | None
    settings: dict
    gradcheck_error: float

    @property
    def parts(self) -> tuple[str, ...]:
        """The parts asked and answered, in the order of :data:`PARTS`."""
        return tuple(self.settings["parts"])

    @property
    def notation(self) -> str:
        """``"wb"`` (W, b) or ``"transfer"`` (lecture 002's transfer matrices)."""
        return self.settings["notation"]

    @property
    def decimals(self) -> int:
        """Digits after the decimal point of the key's numbers."""
        return self.settings["decimals"]

    def questions(self, format: str = "text") -> str:
        """The question sheet: the given numbers and what to work out.

        Parameters
        ----------
        format : {"text", "markdown", "latex", "json"}, default "text"
            LaTeX is a complete document for pdflatex; JSON holds the numbers.

        Returns
        -------
        str
            The sheet in that format.

        Raises
        ------
        ValueError
            An unknown ``format``.
        """
        return exercise_render.questions(self, check_format(format))

    def answers(self, format: str = "text") -> str:
        """The answer key: every intermediate number of the traced step.

        Parameters
        ----------
        format : {"text", "markdown", "latex", "json"}, default "text"
            As for :meth:`questions`.

        Returns
        -------
        str
            The key, rounded to :attr:`decimals` (with the carried values
            beside the exact ones where ``rounding="carry"`` and they differ).

        Raises
        ------
        ValueError
            An unknown ``format``.
        """
        return exercise_render.answers(self, check_format(format))

    def render(self, format: str = "text") -> str:
        """Questions followed by the answer key, as one document.

        Parameters
        ----------
        format : {"text", "markdown", "latex", "json"}, default "text"
            As for :meth:`questions`.

        Returns
        -------
        str
            Both, in that format.

        Raises
        ------
        ValueError
            An unknown ``format``.
        """
        return exercise_render.both(self, check_format(format))

    def to_dict(self) -> dict:
        """The JSON documents of the sheet and the key, as dicts.

        Returns
        -------
        dict
            ``{"questions": ..., "answers": ...}``, what
            ``questions("json")`` and ``answers("json")`` write.
        """
        return {
            "questions": exercise_render.questions_dict(self),
            "answers": exercise_render.answers_dict(self),
        }

    def __str__(self) -> str:
        return self.render("text")

    def _repr_markdown_(self) -> str:
        return self.render("markdown")


def exercise(
    *,
    seed: int = 0,
    layers=None,
    activation: str = "sigmoid",
    output: str | None = None,
    loss: str | None = None,
    notation: str = "wb",
    batch: int | None = None,
    lr: float = 1.0,
    parts=PARTS,
    decimals: int = 4,
    rounding: str = "exact",
    weights=None,
    input=None,
    target=None,
    title: str | None = None,
) -> Exercise:
    """An exercise on one step of backpropagation, with its answer key.

    Every number not given is drawn from ``seed``: weights and biases with
    one decimal in [-0.9, 0.9] (weights nonzero), inputs with one decimal
    in [-1, 1], targets 0/1 (binary cross-entropy), one-hot rows
    (cross-entropy) or one decimal in [0, 1] (squared errors). The same
    arguments give the same sheet, byte for byte.

    Parameters
    ----------
    seed : int >= 0, default 0
        Seeds every number not given (NumPy's ``default_rng``).
    layers : sequence of int, default (2, 2, 1)
        Units per layer, input first: ``(4, 4, 3)`` is lecture 003's 4-4-3
        network. 2 to 5 entries of 1 to 10 units. With ``weights`` it may be
        left out; given, it must agree with them.
    activation : str, default "sigmoid"
        Hidden activation: sigmoid, tanh, relu, leaky_relu or identity.
    output : str, optional
        Output activation; default softmax for cross_entropy, sigmoid for
        binary_cross_entropy, identity for mse and sse.
    loss : str, optional
        binary_cross_entropy (lecture 002's neg-log-loss), cross_entropy,
        mse or sse (or their aliases in ``glassnet.losses``); default
        binary_cross_entropy for one output, cross_entropy for several.
        Every loss is a mean over the batch, as in training.
    notation : {"wb", "transfer"}, default "wb"
        W, b (lectures 001/003/004) or lecture 002's transfer matrices.
    batch : int in [1, 4], optional
        Samples in the step; default 1, or the rows of ``input``.
    lr : float in (0, 10], default 1.0
        Learning rate of the plain gradient step (``rho`` of lecture 002).
    parts : sequence of str, default all of :data:`PARTS`
        Which questions to ask (and answer): forward, loss, deltas,
        gradients, update, new_prediction.
    decimals : int in [0, 16], default 4
        Digits after the decimal point in the key (and of the carried
        rounding), rounded half away from zero as by hand
        (:func:`round_to`).
    rounding : {"exact", "carry"}, default "exact"
        ``"carry"`` also works the step from values rounded to ``decimals``
        at every stage, as with a calculator, and shows both where they
        differ.
    weights : dict, optional
        ``{"W": [W1, W2, ...], "b": [b1, b2, ...]}`` with ``W`` of shape
        (n_out, n_in) (the lectures' ``w_kj``) and ``b`` of shape (n_out,),
        or ``{"transfer": [T0, T1, ...]}`` with lecture 002's transfer
        matrices of shape (n_in + 1, n_out), bias in row 0.
    input : array-like of shape (n_samples, n_inputs) or (n_inputs,), optional
        The input sample(s); drawn from ``seed`` when not given.
    target : array-like of shape (n_samples, n_outputs) or (n_samples,), optional
        0/1 labels, one-hot rows or class numbers, or regression values.
    title : str, optional
        The sheet's title; by default one naming the seed and architecture.

    Returns
    -------
    Exercise
        The sheet, its traced answer key and the settings that reproduce it.

    Raises
    ------
    ValueError
        A value out of range or of the wrong shape (the message names the
        parameter), or a network whose analytic gradients disagree with
        central differences (e.g. a ReLU pre-activation exactly at its
        kink): no answer key is made from gradients that are not checked.
    TypeError
        A parameter of the wrong type.
    """
    seed = check_int(seed, "seed", 0, None)
    given = parse_weights(weights)
    sizes = check_layers(layers, given)
    activation = check_choice(activation, "activation", HIDDEN_ACTIVATIONS)
    loss = check_loss(loss, sizes[-1])
    output = _DEFAULT_OUTPUT.get(loss, "identity") if output is None else output
    output = check_choice(output, "output", OUTPUT_ACTIVATIONS)
    notation = check_choice(notation, "notation", NOTATIONS)
    lr = check_lr(lr)
    parts = check_parts(parts)
    decimals = check_int(decimals, "decimals", 0, 16)
    rounding = check_choice(rounding, "rounding", ROUNDINGS)
    X = None if input is None else check_input(input, sizes[0], batch)
    if batch is None:
        batch = 1 if X is None else X.shape[0]
    batch = check_int(batch, "batch", 1, MAX_BATCH)
    if title is not None and not isinstance(title, str):
        raise TypeError(
            f"The 'title' parameter of exercise must be a str. Got {short(title)} "
            "instead."
        )
    rng = np.random.default_rng(seed)
    network, X = _draw_network(rng, given, X, sizes, batch, (activation, output, loss))
    Y = _targets(network, rng, X, target, loss, output)
    traced = trace_network(network, X, Y, optimizer=SGD(lr))
    traced = replace(traced, notation=notation, decimals=decimals)
    _check_finite(traced)
    report = _gradient_check(network, X, Y)
    carried = None
    if rounding == "carry":
        carried = carried_trace(network, X, Y, lr=lr, decimals=decimals)
    settings = {
        "seed": seed,
        "layers": list(sizes),
        "activation": activation,
        "output": output,
        "loss": loss,
        "notation": notation,
        "batch": int(X.shape[0]),
        "lr": lr,
        "parts": list(parts),
        "decimals": decimals,
        "rounding": rounding,
        "given": [
            name
            for name, value in (
                ("weights", weights),
                ("input", input),
                ("target", target),
            )
            if value is not None
        ],
        "title": title
        or _default_title(seed, given is None or input is None or target is None),
    }
    return Exercise(
        network=network,
        X=X,
        Y=traced.targets,
        lr=lr,
        trace=traced,
        carried=carried,
        settings=settings,
        gradcheck_error=report.max_rel_error,
    )


# -- the carried computation -----------------------------------------------------
def carried_trace(network, X, Y, *, lr: float, decimals: int) -> Trace:
    """The step of a student who rounds every shown value to ``decimals``.

    The network's own pieces compute each stage -- :meth:`Dense.forward`
    the affine map, the layer's activation, the loss's value and output
    delta, :meth:`Dense.backward_delta` the gradients, ``SGD.step`` the
    update -- but each from the rounded values of the stage before:
    ``z = round(W a + b)``, ``a = round(phi(z))``, ``C = round(C(a, y))``
    (from ``a``, as on a calculator), ``delta^L = round(dC/dz)``,
    ``psi = round(phi'(z))``, ``delta^l = round((W^T delta^(l+1)) o psi)``,
    ``dW, db`` rounded, ``W_new = round(W - lr dW)``, and the new
    prediction forward again from the rounded new parameters.

    Parameters
    ----------
    network : Network of Dense layers
    X : ndarray of shape (n_samples, n_inputs)
    Y : ndarray of shape (n_samples, n_outputs)
        Prepared targets (one-hot rows for cross-entropy).
    lr : float
    decimals : int

    Returns
    -------
    Trace
        With ``psi``, the loss and every array rounded as described.
    """

    def r(values):
        return round_to(values, decimals)

    net = network.astype("float64")
    last = net.layers[-1]
    loss = r(_carried_forward(net, X, Y, r))
    # delta^L: the fused c (a - y) or dC/da o phi'(z), from the rounded a
    delta = r(net.loss.output_delta(last.Z, last.A, Y, last.activation))
    psis, dX = {}, None
    for i in range(len(net.layers) - 1, -1, -1):
        layer = net.layers[i]
        if i < len(net.layers) - 1:
            psis[i] = r(_derivative(layer.activation, layer.Z, layer.A))
            # delta^l = (W^(l+1)T delta^(l+1)) o phi'(z^l), with phi' rounded
            delta = r(dX * psis[i])
        dX = layer.backward_delta(delta, need_dX=i > 0)
        layer.dW[...] = r(layer.dW)
        layer.db[...] = r(layer.db)
    fused = None
    if net.loss.is_canonical(last.activation):
        fused = float(net.loss.fused_delta_factor(last.A))
    traced = Trace.from_network(net, float(loss), fused_factor=fused)
    layers = [
        replace(t, psi=psis.get(i, r(t.psi) if t.psi is not None else None))
        for i, t in enumerate(traced.layers)
    ]
    SGD(lr).step([net.parameters_flat], [net.gradients_flat])
    net.parameters_flat[...] = r(net.parameters_flat)
    layers = [
        replace(t, W_new=layer.W.copy(), b_new=layer.b.copy())
        for t, layer in zip(layers, net.layers, strict=True)
    ]
    new_loss = r(_carried_forward(net, X, Y, r))
    return replace(
        traced,
        layers=layers,
        targets=np.array(Y),
        loss_name=net.loss.name,
        optimizer=repr(SGD(lr)),
        step_size=lr,
        new_output=np.array(last.A),
        new_loss=float(new_loss),
    )


def _carried_forward(net, X, Y, r) -> float:
    """Forward with ``z`` and ``a`` rounded at every layer; returns the loss."""
    A = np.asarray(X, dtype=np.float64)
    for layer in net.layers:
        layer.forward(A)  # Z = A W^T + b, by the layer itself
        layer.Z = r(layer.Z)
        layer.A = A = r(layer.activation(layer.Z))
    return net.loss.value(A, Y)


def _draw_network(rng, given, X, sizes, batch: int, kinds) -> tuple:
    """The network and input: given, or drawn until clear of the kinks.

    ``kinds`` is ``(activation, output, loss)``.
    """
    for _ in range(_DRAWS):
        network = _build(given or _draw_parameters(rng, sizes), *kinds)
        drawn_X = X if X is not None else _draw_input(rng, batch, sizes[0])
        # Something drawn: redraw until clear of kinks, samples distinct.
        if (given is not None and X is not None) or _clear_of_kinks(
            network, drawn_X, distinct=X is None
        ):
            return network, drawn_X
    raise ValueError(  # pragma: no cover - every draw sits on a ReLU kink
        f"No draw keeps every ReLU pre-activation at least {_KINK_MARGIN} away "
        f"from 0 in {_DRAWS} tries; try another seed."
    )


def _check_finite(trace: Trace) -> None:
    """Refuse a step whose numbers overflow (a key of infinities teaches nothing)."""
    arrays = [trace.loss, trace.new_loss, trace.new_output]
    for t in trace.layers:
        arrays += [t.z, t.a, t.delta, t.dW, t.db, t.W_new, t.b_new]
    if not all(np.all(np.isfinite(a)) for a in arrays):
        raise ValueError(
            "The 'lr' parameter of exercise must keep the step finite. Got "
            "an update that overflows instead; take a smaller learning rate or "
            "smaller weights and inputs."
        )


def _gradient_check(network, X, Y):
    """Refuse a network whose backpropagation central differences disagree."""
    report = gradcheck(network, X, Y)
    # The five-point difference's rounding error is about 1.5 u |C| / eps
    # (u = 2^-52): a regression target of 30 makes C ~ 900, and a gradient
    # entry below ~ 10 x that error / tolerance cannot show a relative error
    # of 1e-6, so smaller entries are compared on that absolute scale.
    rounding = 1.5 * np.finfo(np.float64).eps * abs(report.loss) / report.eps
    floor = 10 * rounding / report.tolerance
    if not report.passed and floor > 1e-3:
        report = gradcheck(network, X, Y, floor=floor)
    if not report.passed:
        raise ValueError(
            "The exercise's network fails the numerical gradient check (largest "
            f"relative error {report.max_rel_error:.1e}, tolerance "
            f"{report.tolerance:g}), so no answer key is made from its gradients; "
            "the usual causes are a ReLU pre-activation exactly at 0 (the kink) "
            "or numbers so large that central differences lose their digits: "
            "change the weights or the input."
        )
    return report


# -- drawing the numbers -----------------------------------------------------------
def _tenths(rng, low: int, high: int, size, nonzero: bool = False) -> np.ndarray:
    """Multiples of 0.1 from ``low/10`` to ``high/10``, as exact decimals."""
    choices = [k for k in range(low, high + 1) if k or not nonzero]
    picks = rng.choice(len(choices), size=size)
    return np.array([choices[p] / 10 for p in np.ravel(picks)]).reshape(size)


def _draw_parameters(rng, sizes) -> list[tuple[np.ndarray, np.ndarray]]:
    return [
        (_tenths(rng, -9, 9, (n_out, n_in), nonzero=True), _tenths(rng, -9, 9, n_out))
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=False)
    ]


def _draw_input(rng, batch: int, n_inputs: int) -> np.ndarray:
    return _tenths(rng, -10, 10, (batch, n_inputs))


def _draw_targets(rng, n: int, k: int, loss: str, output: str) -> np.ndarray:
    if loss == "binary_cross_entropy":
        return rng.integers(0, 2, size=(n, k)).astype(np.float64)
    if loss == "cross_entropy":
        return np.eye(k)[rng.integers(0, k, size=n)]
    low = 0 if output == "sigmoid" else -10
    return _tenths(rng, low, 10, (n, k))


def _clear_of_kinks(network, X, distinct: bool) -> bool:
    """No ReLU pre-activation within the margin of 0; distinct samples."""
    if distinct and len({tuple(row) for row in X}) < len(X):
        return False
    A = X
    for layer in network.layers:
        A = layer.forward(A)
        kinked = layer.activation.name in ("relu", "leaky_relu")
        if kinked and np.any(np.abs(layer.Z) < _KINK_MARGIN):
            return False
    return True


def _build(params, activation: str, output: str, loss: str) -> Network:
    layers = []
    for i, (W, b) in enumerate(params):
        act = output if i == len(params) - 1 else activation
        layer = Dense(W.shape[1], W.shape[0], act, seed=0, dtype=np.float64)
        layer.W, layer.b = W, b
        layers.append(layer)
    return Network(layers, loss=loss, dtype="float64")


def _targets(network, rng, X, target, loss: str, output: str) -> np.ndarray:
    n, k = X.shape[0], network.n_outputs
    if target is None:
        Y = _draw_targets(rng, n, k, loss, output)
    else:
        Y = np.asarray(target)
        if Y.dtype.kind not in "biuf":
            raise TypeError(
                "The 'target' parameter of exercise must be numbers. Got "
                f"{target!r} instead."
            )
        flat = Y.astype(np.float64).ravel()
        if not np.all(np.abs(flat) <= MAX_MAGNITUDE):  # NaN fails too
            raise ValueError(
                "The 'target' parameter of exercise must be finite numbers of "
                f"magnitude at most {MAX_MAGNITUDE:g}, as the input. Got "
                f"{short(flat[~(np.abs(flat) <= MAX_MAGNITUDE)][0])} instead."
            )
        if Y.ndim <= 1:
            Y = Y.reshape(n, -1) if Y.size % n == 0 and Y.size else Y
    try:
        Y = network.prepare_targets(Y)
    except ValueError as exc:
        raise ValueError(
            f"The 'target' parameter of exercise must be {n} target(s) for the "
            f"loss '{loss}' with {k} output(s) ({exc}). Got {short(target)} instead."
        ) from None
    if Y.shape[0] != n:
        raise ValueError(
            f"The 'target' parameter of exercise must hold one target per sample "
            f"({n}). Got {Y.shape[0]} instead."
        )
    return Y


def _default_title(seed: int, drawn: bool) -> str:
    base = "Exercise: one step of backpropagation"
    return f"{base} (seed {seed})" if drawn else base
