"""The lectures' worked examples, as traces (``glassnet.inspection.trace.EXAMPLES``).

Each example builds its network and inputs from the numbers on the slides and
traces one step; ``EXAMPLES[name].render("latex")`` lays it out. Where a
slide prints a number that the mathematics does not give, the example lists
a :class:`~glassnet.inspection.trace.Correction` and the rendering marks the
corrected entry with a dagger (the same corrections as
``tests/inspection/test_lecture_examples.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from glassnet.core.layers import Dense
from glassnet.core.network import Network
from glassnet.core.optimizers import SGD
from glassnet.inspection.trace import Correction, Trace, trace_network

__all__ = ["EXAMPLES", "LectureExample", "lecture_examples"]


@dataclass(frozen=True)
class LectureExample:
    """One worked example: how to build it and how to show it.

    Each parameter is kept as the attribute of the same name.

    Parameters
    ----------
    name : str
        Registry key, e.g. ``"lecture002-grounded"``.
    title : str
        Heading of the rendering.
    build : callable
        Returns ``(network, X, y)`` with the slide's numbers: ``X`` of shape
        (n_samples, n_features), ``y`` of shape (n_samples,) or
        (n_samples, n_outputs).
    learning_rate : float or None, default None
        The slide's SGD step, if it shows one.
    notation : {"wb", "transfer"}, default "wb"
        The notation of the lecture the example comes from.
    decimals : int, default 4
        Decimals the slide prints.
    notes : tuple of str, default ()
        Remarks shown with the rendering (how the slide's names map).
    corrections : tuple of Correction, default ()
        Numbers the slide prints that the mathematics corrects.

    Examples
    --------
    Lecture 003's multi-class example: ``y_hat = [0.2718 0.2634 0.4648]``
    on the slide.

    >>> import glassnet as gn
    >>> example = gn.lecture_examples()["lecture003-multiclass"]
    >>> trace = example.trace()
    >>> trace.output.round(4)
    array([[0.2718, 0.2634, 0.4648]])
    >>> round(trace.loss, 4)  # -log(0.4648)
    0.7661
    """

    name: str
    title: str
    build: Callable[[], tuple]
    learning_rate: float | None = None
    notation: str = "wb"
    decimals: int = 4
    notes: tuple[str, ...] = ()
    corrections: tuple[Correction, ...] = ()

    def trace(self) -> Trace:
        """The example's traced step, with its title, notes and corrections.

        Returns
        -------
        Trace
            Traced with ``SGD(learning_rate)`` when the slide shows a step
            (so it holds the updated parameters and the new prediction), in
            the lecture's notation and decimals.
        """
        network, X, y = self.build()
        optimizer = None if self.learning_rate is None else SGD(self.learning_rate)
        traced = trace_network(network, X, y, optimizer=optimizer)
        return replace(
            traced,
            title=self.title,
            notes=(*traced.notes, *self.notes),
            corrections=self.corrections,
            notation=self.notation,
            decimals=self.decimals,
        )

    def render(self, format: str = "text", **options) -> str:
        """``self.trace().render(format, **options)``; see :meth:`Trace.render`.

        Parameters
        ----------
        format : {"text", "markdown", "latex", "json"}, default "text"
            The output format.
        **options
            ``notation`` and ``decimals`` of :meth:`Trace.render`.

        Returns
        -------
        str
            The example laid out in ``format``.

        Raises
        ------
        ValueError
            An unknown ``format`` or ``notation``; ``decimals`` outside
            [0, 16].
        TypeError
            ``decimals`` is not an int, or an unknown option.

        Examples
        --------
        >>> import glassnet as gn
        >>> example = gn.lecture_examples()["lecture002-grounded"]
        >>> print(example.render().splitlines()[0])
        LECTURE 002: A GROUNDED EXAMPLE OF FEEDFORWARD AND BACKPROPAGATION
        """
        return self.trace().render(format, **options)


def _grounded():
    # Transfer matrices with the bias in row 0, one column per neuron.
    T0 = np.array([[0.4, 0.6], [0.7, -0.4], [-0.2, 0.3]])
    T1 = np.array([[-0.3], [0.5], [0.1]])
    layers = [
        Dense.from_transfer_matrix(T0, activation="sigmoid"),
        Dense.from_transfer_matrix(T1, activation="sigmoid"),
    ]
    network = Network(layers, loss="binary_cross_entropy", dtype="float64")
    return network, np.array([[0.0, 1.0]]), np.array([1])


def _two_layer(W1, b1, W2, b2, output: str) -> Network:
    hidden = Dense(W1.shape[1], W1.shape[0], "sigmoid", seed=0)
    hidden.W, hidden.b = W1, b1
    out = Dense(W2.shape[1], W2.shape[0], output, seed=0)
    out.W, out.b = W2, b2
    return Network([hidden, out], dtype="float64")


def _binary():
    W1 = np.array(
        [
            [0.9, 0.2, 0.4, 0.3],
            [-0.5, 0.4, 0.3, 0.3],
            [0.1, 0.1, -0.1, 0.2],
            [-0.2, 0.5, 0.5, 0.7],
        ]
    )
    W2 = np.array([[0.5, 0.8, -0.6, 0.3]])
    network = _two_layer(W1, np.full(4, 0.5), W2, np.array([0.3]), "sigmoid")
    return network, np.array([[0.3, 0.5, -0.4, 0.3]]), np.array([1])


def _multiclass():
    W1 = np.array(
        [
            [0.1, 0.3, 0.8, -0.4],
            [-0.3, -0.2, 0.5, 0.5],
            [-0.3, 0.1, 0.5, 0.4],
            [0.2, 0.5, -0.9, 0.7],
        ]
    )
    W2 = np.array(
        [[0.3, 0.8, -0.2, -0.4], [0.5, -0.2, -0.3, 0.5], [0.3, 0.1, 0.6, 0.6]]
    )
    network = _two_layer(W1, np.zeros(4), W2, np.zeros(3), "softmax")
    return network, np.array([[0.6, 0.4, 0.6, 0.1]]), np.array([[0, 0, 1]])


def _parameters():
    network = Network.mlp([3, 4, 2], hidden="sigmoid", seed=0, dtype="float64")
    return network, np.array([[1.0, 0.5, -0.5]]), np.array([1])


_LECTURE003_NAMES = (
    "Lecture 003 writes a_1 = W_1 x + b_1 for the pre-activation z^(1) and "
    "h_1 for the activation a^(1)."
)

EXAMPLES: dict[str, LectureExample] = {
    example.name: example
    for example in (
        LectureExample(
            name="lecture002-grounded",
            title="Lecture 002: a grounded example of feedforward and backpropagation",
            build=_grounded,
            learning_rate=1.0,
            notation="transfer",
            decimals=3,
            notes=(
                "Feature vector [0, 1], target 1, neg-log-loss (binary "
                "cross-entropy), learning rate rho = 1.",
            ),
            corrections=(
                Correction(
                    "W_new",
                    2,
                    (0, 1),
                    printed="-0.447",
                    reason="The last entry of the updated W^(1) is "
                    "0.1 - (-0.347) = +0.447; the slide's minus sign is a typo.",
                ),
                Correction(
                    "W_new",
                    1,
                    (0, 1),
                    printed="0.460",
                    reason="The slide prints row 2 of the updated W^(0) as a copy "
                    "of row 0; its first entry is -0.2 - (-0.060) = -0.140.",
                ),
                Correction(
                    "W_new",
                    1,
                    (1, 1),
                    printed="0.610",
                    reason="Row 2 of the updated W^(0), second entry: "
                    "0.3 - (-0.010) = 0.310.",
                ),
            ),
        ),
        LectureExample(
            name="lecture003-binary",
            title="Lecture 003: loss function for binary classification",
            build=_binary,
            notes=(
                _LECTURE003_NAMES,
                "The slide's 'b = [0.5 0.3]' is read as 0.5 for every hidden "
                "unit and 0.3 for the output, the reading that reproduces its a_1.",
            ),
            corrections=(
                Correction(
                    "z",
                    2,
                    (0, 0),
                    printed="0.948",
                    reason="The exact a_2 is 0.9489; the slide cuts it after "
                    "three digits (two-digit h_1 would give 0.954).",
                ),
                Correction(
                    "a",
                    2,
                    (0, 0),
                    printed="0.7207",
                    reason="y_hat = sigmoid(0.9489) = 0.7209; the slide's 0.7207 "
                    "is sigmoid(0.948), from its truncated a_2. The loss "
                    "-log(y_hat) = 0.327 either way.",
                ),
            ),
        ),
        LectureExample(
            name="lecture003-multiclass",
            title="Lecture 003: loss function for multi-class classification",
            build=_multiclass,
            notes=(
                _LECTURE003_NAMES,
                "This is the slide's second case; the first case's input was a "
                "figure and is lost.",
            ),
        ),
        LectureExample(
            name="lecture004-parameters",
            title="Lecture 004: a two-layer 3-4-2 network with bias neurons",
            build=_parameters,
            notes=(
                "Its learnable parameters: (4 x 4) + (5 x 2) = 26. The slide gives "
                "no weights; these are drawn with seed 0.",
            ),
        ),
    )
}


def lecture_examples() -> dict:
    """The lectures' worked examples by name, as a new dict; see :data:`EXAMPLES`.

    Returns
    -------
    dict of str to LectureExample
        ``"lecture002-grounded"`` (lecture 002's 2-2-1 network, one SGD step
        with ``rho = 1``), ``"lecture003-binary"``,
        ``"lecture003-multiclass"`` and ``"lecture004-parameters"``; a new
        dict on every call, so changing it changes nothing here.

    Examples
    --------
    >>> import glassnet as gn
    >>> examples = gn.lecture_examples()
    >>> sorted(examples)  # doctest: +NORMALIZE_WHITESPACE
    ['lecture002-grounded', 'lecture003-binary', 'lecture003-multiclass',
     'lecture004-parameters']

    Lecture 002's grounded example: ``x^(1) = [0.550, 0.711]``, the
    prediction 0.512, and 0.722 after one step of ``rho = 1``, as on the
    slides:

    >>> trace = examples["lecture002-grounded"].trace()
    >>> trace.layers[0].a.round(3)
    array([[0.55 , 0.711]])
    >>> float(trace.output.round(3)[0, 0]), float(trace.new_output.round(3)[0, 0])
    (0.512, 0.722)
    >>> trace.layers[1].transfer_gradient.round(3).ravel()  # nabla^(1)
    array([-0.488, -0.269, -0.347])
    """
    return dict(EXAMPLES)
