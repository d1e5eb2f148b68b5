"""The :class:`Network`: a stack of layers, a loss, and one parameter buffer.

All parameters of a network live in one contiguous array and all gradients in
another (``net.parameters_flat`` and ``net.gradients_flat``); each layer's
``W`` and ``b`` are views into them (a Dense layer keeps ``W`` as the rows of
``W^T``, the layout its matrix products run fastest in). An optimizer
therefore updates the whole network with a handful of vector operations, and
``layer.W`` is always the array the network trains.
"""

from __future__ import annotations

import copy
import importlib
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from glassnet.core import backends, regularizers
from glassnet.core._validation import (
    check_sample_weight,
    check_X,
    check_y_length,
    column_order,
)
from glassnet.core.backends import NumpyBackend
from glassnet.core.layers import Dense, Layer
from glassnet.core.losses import Loss, get_loss
from glassnet.core.optimizers import Optimizer, get_optimizer
from glassnet.core.regularizers import Regularizer, get_regularizer

__all__ = ["Network", "Summary"]

_PROBABILITY_OUTPUTS = ("sigmoid", "softmax")
_DEFAULT_LOSS = {"softmax": "cross_entropy", "sigmoid": "binary_cross_entropy"}


def _resolve_dtype(dtype) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise ValueError(
            "The 'dtype' parameter of Network must be 'float32' or 'float64'. "
            f"Got {dtype!r} instead."
        ) from exc
    if dt not in (np.float32, np.float64):
        raise ValueError(
            "The 'dtype' parameter of Network must be 'float32' or 'float64'. "
            f"Got {dtype!r} instead."
        )
    return dt


@dataclass(frozen=True)
class Summary:
    """Layer table of a network; ``str(summary)`` lays it out."""

    rows: list[tuple[str, str, int]]
    total_params: int
    loss: str
    dtype: str

    def __str__(self) -> str:
        header = ("Layer", "Output shape", "Params")
        body = [(name, shape, f"{n:,}") for name, shape, n in self.rows]
        widths = [max(len(r[i]) for r in [header, *body]) for i in range(3)]
        line = "  ".join("-" * w for w in widths)
        fmt = f"{{:<{widths[0]}}}  {{:<{widths[1]}}}  {{:>{widths[2]}}}"
        out = [fmt.format(*header), line, *(fmt.format(*r) for r in body), line]
        out.append(f"Total parameters: {self.total_params:,}")
        out.append(f"Loss: {self.loss}    dtype: {self.dtype}")
        return "\n".join(out)

    __repr__ = __str__


class Network:
    """A feedforward network trained by backpropagation.

    Parameters
    ----------
    layers : list of Layer
        Applied in order; each layer's input size must equal the previous
        layer's output size.
    loss : str or Loss, optional
        Default: cross-entropy after a softmax output, binary cross-entropy
        after a sigmoid output, mean squared error otherwise.
    seed : int, optional
        Draws the weights of every Dense layer that has no ``seed``/``rng``
        of its own and whose ``W`` and ``b`` are still exactly as drawn at
        construction, so the same seed gives the same network. Parameters
        the user has set or changed in any way are kept, never re-drawn
        (see :class:`Dense`'s Notes); so are those of a layer that was
        already part of a network.
    dtype : {"float32", "float64"}, default "float32"
        Precision of parameters and computation.
    regularizer : str or Regularizer, optional
        Weight penalty (L1/L2) for every Dense layer without its own; see
        :mod:`glassnet.core.regularizers`.
    """

    def __init__(
        self,
        layers: list[Layer],
        loss: str | Loss | None = None,
        *,
        seed: int | None = None,
        dtype="float32",
        regularizer: str | Regularizer | None = None,
    ):
        if isinstance(layers, Layer):
            layers = [layers]
        if not isinstance(layers, (list, tuple)) or not layers:
            raise ValueError(
                "The 'layers' parameter of Network must be a non-empty list of "
                f"layers. Got {layers!r} instead."
            )
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"Layer {i + 1} must be a glassnet Layer (e.g. Dense). Got "
                    f"{type(layer).__name__} instead."
                )
        self.layers: list[Layer] = list(layers)
        #: Optional input scaling / label mapping applied by the public methods.
        self.preprocessing = None
        #: JSON-serialisable facts saved with the model (config, history, ...).
        self.metadata: dict = {}
        self.dtype = _resolve_dtype(dtype)
        self.regularizer = get_regularizer(regularizer)
        self.seed = seed
        self._rng = np.random.default_rng(seed)
        self._chain_layers()
        self._check_trainable()
        for layer in self.layers:  # the rule is in Dense's Notes
            if isinstance(layer, Dense):
                layer.adopt(self._rng)
        self._bind_parameters()
        output = self.output_activation.name
        self.loss = get_loss(
            loss if loss is not None else _DEFAULT_LOSS.get(output, "mse")
        )
        self._check_output_and_loss()

    # -- construction -------------------------------------------------------------
    @classmethod
    def mlp(
        cls,
        sizes: list[int],
        *,
        hidden="relu",
        output: str | None = None,
        loss: str | Loss | None = None,
        init=None,
        seed: int | None = None,
        dtype="float32",
        regularizer: str | Regularizer | None = None,
    ) -> Network:
        """Build ``Dense`` layers ``sizes[0] -> sizes[1] -> ... -> sizes[-1]``.

        Parameters
        ----------
        sizes : list of int
            Input size, hidden sizes, output size; at least two entries.
        hidden : str or list of str, default "relu"
            Activation of every hidden layer, or one per hidden layer.
        output : str, optional
            Output activation. Default: from the loss if given (softmax for
            cross-entropy, sigmoid for binary cross-entropy, identity for the
            regression losses), else softmax for several outputs and sigmoid
            for one.
        """
        if not isinstance(sizes, (list, tuple)) or len(sizes) < 2:
            raise ValueError(
                "The 'sizes' parameter of Network.mlp must list at least the input "
                f"and output sizes, e.g. [784, 256, 10]. Got {sizes!r} instead."
            )
        n_hidden = len(sizes) - 2
        hidden_list = [hidden] * n_hidden if isinstance(hidden, str) else list(hidden)
        if len(hidden_list) != n_hidden:
            raise ValueError(
                f"The 'hidden' parameter of Network.mlp lists {len(hidden_list)} "
                f"activations for {n_hidden} hidden layers."
            )
        if output is None:
            loss_name = get_loss(loss).name if loss is not None else None
            by_loss = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}
            if loss_name is not None:
                output = by_loss.get(loss_name, "identity")
            else:
                output = "softmax" if sizes[-1] > 1 else "sigmoid"
        activations = [*hidden_list, output]
        layers = [
            Dense(n_in, n_out, act, init=init, dtype=dtype)
            for n_in, n_out, act in zip(sizes[:-1], sizes[1:], activations, strict=True)
        ]
        return cls(layers, loss=loss, seed=seed, dtype=dtype, regularizer=regularizer)

    def _chain_layers(self) -> None:
        previous = None
        for i, layer in enumerate(self.layers):
            if previous is None:
                if layer.n_in is None:
                    raise ValueError(
                        f"The first layer ({layer!r}) must know its input size; "
                        "start the network with a Dense layer."
                    )
            elif layer.n_in is None:
                layer.build(previous.n_out, rng=self._rng)
            elif layer.n_in != previous.n_out:
                raise ValueError(
                    f"Layer sizes do not chain: layer {i + 1} ({layer!r}) expects "
                    f"{layer.n_in} inputs but layer {i} ({previous!r}) gives "
                    f"{previous.n_out} outputs."
                )
            previous = layer

    def _check_trainable(self) -> None:
        for i, layer in enumerate(self.layers):
            activation = getattr(layer, "activation", None)
            if activation is not None and not activation.differentiable:
                raise ValueError(
                    f"Layer {i + 1} ({layer!r}) uses the '{activation.name}' "
                    "activation, which has no useful gradient, so backpropagation "
                    "cannot train it. Use glassnet.Perceptron for a single "
                    "threshold unit, or sigmoid/tanh/relu in a network."
                )

    def _check_output_and_loss(self) -> None:
        if not hasattr(self.layers[-1], "backward_delta"):
            raise ValueError(
                f"The last layer ({self.layers[-1]!r}) must be a Dense layer: it "
                "produces the outputs that the loss compares with the targets."
            )
        output = self.output_activation
        if output.name == "softmax" and self.n_outputs < 2:
            raise ValueError(
                "A softmax output needs at least 2 units (one per class); with a "
                "single unit it always outputs 1. Use a sigmoid output with "
                "binary_cross_entropy for two classes."
            )
        if self.loss.task == "classification" and output.name not in (
            _PROBABILITY_OUTPUTS
        ):
            raise ValueError(
                f"The loss '{self.loss.name}' needs outputs that are probabilities "
                f"(a sigmoid or softmax output layer). Got a '{output.name}' output, "
                "whose values can leave [0, 1]."
            )

    def _bind_parameters(self) -> None:
        # work arrays are made for one dtype and layout: start afresh
        self._workspaces: dict = {}
        pairs = [(p, g) for layer in self.layers for p, g in _param_grads(layer)]
        total = sum(p.size for p, _ in pairs)
        self.parameters_flat = np.zeros(total, dtype=self.dtype)
        self.gradients_flat = np.zeros(total, dtype=self.dtype)
        offset = 0
        for layer in self.layers:
            views_p, views_g = [], []
            for p, _ in _param_grads(layer):
                end = offset + p.size
                views_p.append(self.parameters_flat[offset:end].reshape(p.shape))
                views_g.append(self.gradients_flat[offset:end].reshape(p.shape))
                offset = end
            layer._bind(views_p, views_g)

    def _check_layers_bound(self) -> None:
        """Refuse to train layers whose parameters another network took over."""
        for i, layer in enumerate(self.layers):
            arrays = [p for _, p in layer.parameters()]
            if arrays and not np.may_share_memory(arrays[0], self.parameters_flat):
                raise RuntimeError(
                    f"Layer {i + 1} ({layer!r}) of this network has since been "
                    "put into another Network, which moved its parameters into "
                    "that network's parameter buffer: this network can no "
                    "longer train it. A layer belongs to one network; give each "
                    "network its own layers (copy.deepcopy(layer) makes an "
                    "independent copy)."
                )

    # -- properties ---------------------------------------------------------------
    @property
    def n_inputs(self) -> int:
        return self.layers[0].n_in

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].n_out

    @property
    def output_activation(self):
        for layer in reversed(self.layers):
            if hasattr(layer, "activation"):
                return layer.activation
        raise ValueError("The network has no layer with an activation.")

    @property
    def task(self) -> str:
        """``"classification"`` or ``"regression"``, from the loss."""
        return self.loss.task

    @property
    def n_params(self) -> int:
        return int(self.parameters_flat.size)

    # -- the per-batch interface ---------------------------------------------------
    # Every caller that steps the network -- the training loop, the streaming
    # loop, train_step, gradcheck, trace, the plots, the scikit-learn
    # estimators -- goes through these methods, so a step is written once:
    #
    #   X = net.prepare_inputs(X)         checked raw inputs, all samples
    #   Y = net.prepare_targets(y, X)     class names encoded, shaped for the loss
    #   Xb = net.as_batch(X[rows])        one batch as the first layer takes it
    #   net.batch_loss_and_gradients(Xb, Y[rows], weights)   forward + backward
    #   net.train_batch(Xb, Y[rows], optimizer, weights)     ... and one update
    #   net.batch_loss(Xb, Y[rows], weights)                 forward + loss only
    #   net.infer(X)                      outputs in inference mode, in chunks
    def prepare_inputs(self, X, *, name: str = "X") -> np.ndarray:
        """Checked inputs of shape (n_samples, n_inputs), still raw.

        A DataFrame (anything with a ``columns`` attribute of str names) is
        matched by name when the network knows its feature names
        (``preprocessing.feature_names``, e.g. of a model trained from a
        CSV file): its columns may come in any order and are put in the
        model's; otherwise, and for arrays, columns are taken by position.

        Raises ``TypeError``/``ValueError`` naming ``name`` for non-numeric,
        ragged, non-finite or wrongly sized inputs, and for named columns
        that are not the model's feature names (scikit-learn's rule). The
        values are not yet converted: :meth:`as_batch` converts each batch
        (so a uint8 or memory-mapped dataset is never copied whole into
        floats).
        """
        names = getattr(self.preprocessing, "feature_names", None)
        order = column_order(X, names, name=name)
        X = check_X(X, n_features=self.n_inputs, name=name)
        return X if order is None else X[:, order]

    def as_batch(self, X: np.ndarray) -> np.ndarray:
        """A batch as the first layer takes it, shape (n_samples, n_inputs).

        Converted to the network's dtype -- uint8 arrays are image pixels and
        become ``x / 255`` in [0, 1] (lecture 003: "divide by 255") -- then
        scaled by ``self.preprocessing`` if set. ``X`` comes from
        :meth:`prepare_inputs` (or is a slice of its result). A sparse
        batch (SciPy CSR, from sparse inputs) is densified here, one batch
        at a time: the dataset itself stays sparse.
        """
        if hasattr(X, "toarray"):
            X = X.toarray()
        if X.dtype == np.uint8:
            X = np.multiply(X, 1.0 / 255.0, dtype=self.dtype)
        if self.preprocessing is not None:
            X = self.preprocessing.transform(X)
        return np.ascontiguousarray(X, dtype=self.dtype)

    def prepare_targets(self, y, X=None, *, name: str = "y") -> np.ndarray:
        """Targets as the loss expects them: shape (n_samples, n_outputs).

        Class names are mapped to class codes by ``self.preprocessing`` (if
        the network has one), then class labels become one-hot rows (or a
        0/1 column for a sigmoid output). With ``X`` given, ``y`` must have
        one row per sample of ``X``; a ``ValueError`` names ``name``
        otherwise, or for labels the network does not know.
        """
        if X is not None:
            y = check_y_length(X, y, name=name)
        if self.preprocessing is not None:
            y = self.preprocessing.encode(y)
        return self.loss.prepare_targets(y, self.n_outputs, dtype=self.dtype)

    def batch_loss_and_gradients(
        self, Xb: np.ndarray, Yb: np.ndarray, weights=None, *, penalties=None
    ) -> float:
        """Forward (training mode) and backward on one prepared batch.

        ``Xb`` (n, n_inputs) from :meth:`as_batch`, ``Yb`` (n, n_outputs) from
        :meth:`prepare_targets`, ``weights`` (n,) already checked (mean 1) or
        None. Returns the batch's cost (data term plus weight penalty) for
        the parameters before any update; the gradients are left in
        ``gradients_flat``. ``penalties`` are the penalized layers (the
        training loop finds them once per fit; None finds them here).
        """
        self._forward(Xb, training=True)
        loss = self._loss_value(Yb, weights)
        self._backward(Yb, weights, penalties)
        return loss

    def train_batch(
        self,
        Xb: np.ndarray,
        Yb: np.ndarray,
        optimizer: Optimizer,
        weights=None,
        *,
        penalties=None,
        with_loss: bool = True,
    ) -> float | None:
        """One gradient update on a prepared batch; returns its cost.

        As :meth:`batch_loss_and_gradients`, then ``optimizer.step`` on the
        whole parameter buffer, with the backend of the open workspace (the
        NumPy backend outside one). With ``with_loss=False`` the cost is not
        computed (the training loop computes the epoch's loss once, from
        the output pre-activations each batch leaves in the last layer's
        ``Z``) and None is returned.
        """
        self._forward(Xb, training=True)
        loss = self._loss_value(Yb, weights) if with_loss else None
        self._backward(Yb, weights, penalties)
        optimizer.step(
            [self.parameters_flat], [self.gradients_flat], backend=self.backend
        )
        return loss

    def batch_loss(
        self, Xb: np.ndarray, Yb: np.ndarray, weights=None, *, training=True
    ) -> float:
        """Cost of one prepared batch (data term plus penalty), no backward.

        ``training=True`` runs the layers as training does (dropout masks,
        batch statistics), as the numerical gradient check needs.
        """
        self._forward(Xb, training=training)
        return self._loss_value(Yb, weights)

    def output_loss(self, Yb: np.ndarray, weights=None) -> float:
        """Cost of the last forward pass's outputs against prepared ``Yb``."""
        return self._loss_value(Yb, weights)

    #: Rows per chunk in predict, predict_proba and evaluate, which return
    #: only outputs: enough rows for efficient matrix products, few enough
    #: that the activations of a chunk take little memory.
    INFERENCE_CHUNK = 2048

    def infer(
        self, X: np.ndarray, *, each_chunk=None, chunk_size: int | None = None
    ) -> np.ndarray:
        """Outputs (n_samples, n_outputs) of prepared inputs, inference mode.

        ``X`` comes from :meth:`prepare_inputs`; it is converted and run in
        chunks of ``chunk_size`` rows (default :attr:`INFERENCE_CHUNK`), so
        memory stays bounded. ``each_chunk(rows, A)``, if given, sees every
        chunk's rows (a slice) and outputs while the layers still hold that
        chunk's arrays (a ReLU layer's activations lie over its Z there:
        inference keeps no Z).
        """
        n, size = X.shape[0], chunk_size or self.INFERENCE_CHUNK
        outputs = np.empty((n, self.n_outputs), dtype=self.dtype)
        with self.workspace():
            for start in range(0, n, size):
                rows = slice(start, start + size)
                outputs[rows] = A = self._forward(self.as_batch(X[rows]), False)
                if each_chunk is not None:
                    each_chunk(rows, A)
        return outputs

    # -- gradients with respect to the inputs -------------------------------------
    # The delta recursion of lectures 002/003 taken one layer further down:
    # dS/dX = delta^1 W^1, the first layer's dX that training skips. Both
    # methods run in inference mode on a scratch copy (:meth:`_scratch_copy`),
    # so the network is left exactly as it was.
    def input_gradients(self, X, y) -> np.ndarray:
        """Gradient of each sample's own loss with respect to its input.

        Row ``i`` is ``dC_i / dx_i``, where ``C_i`` is the cost of sample
        ``i`` alone (:meth:`Loss.sample_costs`) and ``x_i`` is row ``i`` of
        ``X`` as passed. It is *not* divided by ``n``: the batch cost
        ``C = 1/n sum_i C_i`` of :meth:`loss_and_gradients` has
        ``dC/dx_i = dC_i/dx_i / n`` (sample ``i`` enters only its own
        cost). To weight sample ``i`` by ``w_i``, multiply row ``i`` by
        ``w_i``. The weight penalty does not depend on ``x``, so it does not
        enter.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Raw inputs, as :meth:`predict` takes them.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets, as :meth:`fit` takes them (class labels in the model's
            label space).

        Returns
        -------
        ndarray of shape (n_samples, n_features), in the network's dtype.

        Notes
        -----
        *Inference mode*: dropout is off and batch normalization uses its
        running statistics, so each row depends on its own sample only (in
        training mode a batch's statistics would mix the rows) and the
        result is the gradient of the function :meth:`predict` computes.

        *Raw inputs*: the network's own preprocessing is differentiated too
        (chain rule). A scaler maps column ``j`` to ``a_j x_j + c_j``, so
        ``dC/dx_raw_j = dC/dx_scaled_j * a_j``; uint8 inputs are pixels that
        :meth:`as_batch` divides by 255, so their gradient is per unit of
        the 0..255 value (1/255 of the gradient with respect to the [0, 1]
        intensity). One-hot columns of categorical features (the
        ``"col=cat"`` features of :attr:`preprocessing`'s schema) are inputs
        of the network like any other: their entry is the partial derivative
        with respect to that 0/1 indicator, a first-order sensitivity, not a
        derivative with respect to the category (which has none); changing
        the category from ``a`` to ``b`` changes the loss by about the
        entry of ``col=b`` minus that of ``col=a``.

        *No state changes*: the network's parameters, gradients, batch
        normalization statistics, dropout masks and random generators and
        the arrays the layers keep from the last pass are untouched.

        At a kink (ReLU at ``z = 0``) the derivative used is the one of
        backpropagation (0 for ReLU's left side).

        Raises
        ------
        ValueError, TypeError
            As :meth:`prepare_inputs` and :meth:`prepare_targets`: wrong
            number of features, non-finite inputs, a length of ``y`` that is
            not ``n_samples``, unknown class labels.
        """
        X = self.prepare_inputs(X)
        Y = self.prepare_targets(y, X)

        def output_delta(net, rows):
            # the loss's output delta carries 1/m for a chunk of m rows:
            # weights m make row i the delta of C_i itself
            m = Y[rows].shape[0]
            weights = np.full(m, float(m), dtype=self.dtype)
            return net._output_delta(Y[rows], weights)

        return self._gradient_to_inputs(X, output_delta)

    def saliency(self, X, target=None, *, score: str = "logit") -> np.ndarray:
        """Gradient of a class score with respect to the input: a saliency map.

        Simonyan, Vedaldi and Zisserman (2013), "Deep Inside Convolutional
        Networks", section 3: the map of image ``x`` for class ``c`` is
        ``dS_c/dx`` at ``x``, with ``S_c`` the class score before the
        softmax. Positive entries are inputs whose increase raises the score
        of ``c`` ("which pixels push this image towards a 3"), negative ones
        lower it. (The paper then takes ``|dS_c/dx|``; the signed map is
        returned here, take ``np.abs`` for theirs.)

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Raw inputs, as :meth:`predict` takes them.
        target : class label, array-like of shape (n_samples,), or None
            The class of each sample's map, in the labels the model was
            trained on (``3`` for the digit 3, ``"yes"`` for a model trained
            on ``"yes"``/``"no"``); one label applies to every sample. None
            takes each sample's predicted class (:meth:`predict`). For a
            multi-label network (several sigmoid outputs) ``target`` is the
            index of an output unit and is required.
        score : {"logit", "probability"}, default "logit"
            ``"logit"``: ``S_c = z_c``, the pre-activation of output unit
            ``c`` (the paper's choice: it does not depend on the other
            classes' scores, which a softmax probability does). For a single
            sigmoid output, class 1 has score ``z`` and class 0 has ``-z``
            (the log-odds of each class). ``"probability"``: ``S_c`` is the
            predicted probability of ``c`` (:meth:`predict_proba`'s column).

        Returns
        -------
        ndarray of shape (n_samples, n_features), in the network's dtype.

        Notes
        -----
        Computed as :meth:`input_gradients` is -- inference mode, the
        network's preprocessing differentiated (scalers, uint8 pixels: see
        there), no change to the network -- by backpropagating
        ``dS_c/dz^L`` (a one-hot row for the logit) instead of the loss's
        output delta.

        Raises
        ------
        ValueError
            For a regression network (it has no class scores), an unknown
            ``score``, a class label the network does not know, a ``target``
            of the wrong length, or ``target=None`` for a multi-label
            network; and as :meth:`prepare_inputs` for bad ``X``.
        """
        if self.task != "classification":
            raise ValueError(
                "Network.saliency needs a classifier (a classification loss with "
                f"a sigmoid or softmax output); this network's loss "
                f"'{self.loss.name}' makes it a regressor, which has no class "
                "scores. Use input_gradients(X, y) for the gradient of its loss."
            )
        if score not in ("logit", "probability"):
            raise ValueError(
                "The 'score' parameter of Network.saliency must be 'logit' or "
                f"'probability'. Got {score!r} instead."
            )
        X = self.prepare_inputs(X)
        codes = self._saliency_codes(X, target)

        def output_delta(net, rows):
            last = net.layers[-1]
            # None: the predicted class, from this forward pass's outputs
            # (as predict decides it)
            chunk = _predicted_codes(last.A) if codes is None else codes[rows]
            # dS/dA^L: +-1 at the class's unit (for one sigmoid unit, class 0
            # has logit -z and probability 1 - a: the sign -1)
            seed = np.zeros_like(last.A)
            if self.n_outputs == 1:
                seed[:, 0] = np.where(chunk == 1, 1.0, -1.0)
            else:
                seed[np.arange(seed.shape[0]), chunk] = 1.0
            if score == "logit":  # S = +-z_c: dS/dz^L is the seed itself
                return seed
            # S = a_c: dS/dz^L = dS/dA^L * phi'(z^L), the output activation's
            # chain rule (a Jacobian-vector product for softmax)
            return last.activation.backward(seed, last.Z, last.A)

        return self._gradient_to_inputs(X, output_delta)

    def _saliency_codes(self, X, target) -> np.ndarray | None:
        """Class codes (n_samples,) of the labels ``target``; None for None."""
        n = X.shape[0]
        multi_label = self.output_activation.name == "sigmoid" and self.n_outputs > 1
        n_classes = 2 if self.n_outputs == 1 else self.n_outputs
        if target is None:
            if multi_label:
                raise ValueError(
                    "The 'target' parameter of Network.saliency must be an output "
                    "index for a multi-label network (several sigmoid outputs), "
                    "which predicts a set of labels, not one class. Got None "
                    "instead."
                )
            return None
        given = np.asarray(target)
        if given.ndim > 1 or (given.ndim == 1 and given.shape[0] != n):
            raise ValueError(
                "The 'target' parameter of Network.saliency must be one class "
                f"label or an array of shape (n_samples,) = ({n},). Got shape "
                f"{given.shape} instead."
            )
        labels = np.broadcast_to(given, (n,))
        known = list(range(n_classes))
        if self.preprocessing is not None and not multi_label:
            known = getattr(self.preprocessing, "classes", None) or known
            try:
                labels = self.preprocessing.encode(labels)
            except ValueError as exc:
                raise ValueError(
                    "The 'target' parameter of Network.saliency must hold class "
                    f"labels of this network. {exc}"
                ) from exc
        codes = np.asarray(labels)
        valid = codes.dtype.kind in "iub" or (
            codes.dtype.kind == "f" and np.all(np.isfinite(codes))
        )
        valid = valid and np.all((codes >= 0) & (codes < n_classes) & (codes % 1 == 0))
        if not valid:
            what = "output index" if multi_label else "class label"
            bad = given.item() if given.ndim == 0 else given.ravel()[:5].tolist()
            raise ValueError(
                f"The 'target' parameter of Network.saliency must be a {what} of "
                f"this network, one of [{_listed(known)}]. "
                f"Got {_value_repr(bad)} instead."
            )
        return codes.astype(np.int64)

    def _gradient_to_inputs(self, X: np.ndarray, output_delta) -> np.ndarray:
        """``dS/dX`` (n_samples, n_inputs) of prepared raw inputs ``X``.

        ``output_delta(net, rows)`` gives ``dS/dz^L`` of the chunk ``rows``
        after the forward pass of ``net`` (a scratch copy of this network).
        Rows are independent in inference mode, so chunks of
        :attr:`INFERENCE_CHUNK` rows bound the memory.
        """
        scratch = self._scratch_copy()
        n, size = X.shape[0], self.INFERENCE_CHUNK
        out = np.empty((n, self.n_inputs), dtype=self.dtype)
        for start in range(0, n, size):
            rows = slice(start, start + size)
            scratch._forward(scratch.as_batch(X[rows]), training=False)
            delta = output_delta(scratch, rows)
            out[rows] = scratch._backpropagate(delta, to_input=True)
        # chain rule through as_batch: x_net = a * x_raw + c, column by column
        out *= self._input_slope(X)
        return out

    def _input_slope(self, X: np.ndarray) -> np.ndarray:
        """``d x_net / d x_raw`` per column, shape (n_inputs,): see as_batch."""
        slope = np.ones(self.n_inputs)
        if X.dtype == np.uint8:
            slope /= 255.0
        if self.preprocessing is not None:
            derivative = getattr(self.preprocessing, "transform_slope", None)
            if derivative is None:
                raise TypeError(
                    "The network's preprocessing must give the derivative of its "
                    "transform (a transform_slope() method, as "
                    "glassnet.datasets.Preprocessing has) for gradients with "
                    "respect to the raw inputs. Got "
                    f"{type(self.preprocessing).__name__} instead."
                )
            scale = derivative()
            if scale is not None:
                slope = slope * scale
        return slope.astype(self.dtype)

    def _scratch_copy(self) -> Network:
        """A copy to run passes on: its layers are copies, the rest is shared.

        The layers' parameters, kept arrays, masks and random generators are
        copied (and the copy is outside any workspace block), so nothing a
        pass does reaches this network; the metadata, preprocessing and the
        optimizer's state are only read, so they are shared, not copied.
        """
        shared = ("metadata", "preprocessing", "optimizer")
        memo = {
            id(getattr(self, k)): getattr(self, k) for k in shared if hasattr(self, k)
        }
        return copy.deepcopy(self, memo)

    # -- forward and backward -----------------------------------------------------
    def _forward(self, X: np.ndarray, training: bool) -> np.ndarray:
        A = X
        for layer in self.layers:
            A = layer.forward(A, training=training)
        return A

    def forward(self, X, *, training: bool = False) -> np.ndarray:
        """Output activations ``a^L`` of shape (n_samples, n_outputs).

        Inference mode by default; ``training=True`` is what :meth:`fit` uses
        (it matters for dropout and batch normalization). Every layer keeps
        its ``X``, ``Z`` and ``A`` of this pass, for all samples.
        """
        return self._forward(self.as_batch(self.prepare_inputs(X)), training)

    def _output_delta(self, Y: np.ndarray, weights=None) -> np.ndarray:
        last = self.layers[-1]
        buffers = last._buffers
        out = None if buffers is None else buffers["delta"]
        return self.loss.output_delta(
            last.Z, last.A, Y, last.activation, weights, out=out
        )

    def _backward(self, Y: np.ndarray, weights=None, penalties=None) -> None:
        # delta^L from the loss (fused for canonical pairs), then the recursion
        # down the layers.
        self._backpropagate(self._output_delta(Y, weights))
        # The penalty R(W) is part of the cost, so dR/dW is part of dC/dW.
        # (The training loop passes the penalized layers, found once per fit.)
        regularizers.add_penalty_gradients(self, penalties)

    def _backpropagate(self, delta: np.ndarray, *, to_input: bool = False):
        """The recursion from the output delta ``dS/dZ^L`` (n, n_outputs) down.

        delta^l = (W^(l+1)^T delta^(l+1)) * phi'(z^l) through each layer,
        filling every layer's gradients. The first layer's ``dX`` -- one more
        step of the same recursion, ``dS/dX = delta^1 W^1`` -- is computed only
        when ``to_input`` (training never needs it) and then returned, shape
        (n, n_inputs); else None.
        """
        layers = self.layers
        dA = layers[-1].backward_delta(delta, need_dX=to_input or len(layers) > 1)
        for i in range(len(layers) - 2, -1, -1):
            dA = layers[i].backward(dA, need_dX=to_input or i > 0)
        return dA

    def _loss_value(self, Y: np.ndarray, weights=None) -> float:
        last = self.layers[-1]
        # C = data term + weight penalty R(W) (lecture 003's regularized loss)
        value = self.loss.value(last.A, Y, last.Z, weights, activation=last.activation)
        return value + regularizers.penalty(self)

    def loss_and_gradients(self, X, y, *, sample_weight=None) -> float:
        """One forward (training mode) and backward pass; returns the loss.

        ``X`` of shape (n_samples, n_features), ``y`` of shape (n_samples,)
        or (n_samples, n_outputs), both as :meth:`fit` takes them (the
        network's preprocessing applies). The gradients are left in
        ``net.gradients_flat`` (and each layer's ``dW``/``db``).
        ``sample_weight`` of shape (n_samples,) weights each sample's cost
        (rescaled to average 1).
        """
        self._check_layers_bound()
        X = self.prepare_inputs(X)
        Y = self.prepare_targets(y, X)
        w = None
        if sample_weight is not None:
            w = check_sample_weight(sample_weight, X.shape[0], dtype=self.dtype)
        return self.batch_loss_and_gradients(self.as_batch(X), Y, w)

    def backward(self, y) -> list[np.ndarray]:
        """Backpropagate the loss for the targets of the last :meth:`forward`.

        Returns the gradient arrays ``[dW1, db1, dW2, db2, ...]``.
        """
        last = self.layers[-1]
        if last.A is None:
            raise RuntimeError("Call forward(X) before backward(y).")
        Y = self.prepare_targets(y)
        if Y.shape[0] != last.A.shape[0]:
            raise ValueError(
                f"backward(y) got {Y.shape[0]} targets for the {last.A.shape[0]} "
                "samples of the last forward pass."
            )
        self._backward(Y)
        return [g for layer in self.layers for g in layer.gradients()]

    # -- training -------------------------------------------------------------------
    def train_step(
        self, X, y, optimizer: str | Optimizer = "sgd", *, sample_weight=None
    ) -> float:
        """One gradient update on the batch ``(X, y)``; returns its loss.

        The loss is the one of the parameters before the update.
        """
        optimizer = get_optimizer(optimizer)
        self._check_layers_bound()
        X = self.prepare_inputs(X)
        Y = self.prepare_targets(y, X)
        w = None
        if sample_weight is not None:
            w = check_sample_weight(sample_weight, X.shape[0], dtype=self.dtype)
        return self.train_batch(self.as_batch(X), Y, optimizer, w)

    # -- inference --------------------------------------------------------------------
    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes).

        For a single sigmoid output the two columns are ``P(y=0), P(y=1)``.
        Raises ValueError for a regression network (its loss is not a
        classification loss), whatever its output activation: a sigmoid
        output trained with ``mse`` gives values, not probabilities.
        """
        if self.task != "classification":
            raise ValueError(
                "predict_proba needs a classifier (a classification loss with a "
                f"sigmoid or softmax output); this network's loss "
                f"'{self.loss.name}' makes it a regressor, with a "
                f"'{self.output_activation.name}' output. Use predict."
            )
        A = self.infer(self.prepare_inputs(X))
        if self.output_activation.name == "sigmoid" and self.n_outputs == 1:
            return np.hstack([1 - A, A])
        return A

    def predict(self, X) -> np.ndarray:
        """Class labels for classifiers, values for regressors.

        softmax: ``argmax`` (n_samples,); one sigmoid unit: 0/1 labels
        (n_samples,); several sigmoid units: 0/1 matrix (multi-label);
        otherwise the outputs, (n_samples,) for one output unit.
        """
        A = self.infer(self.prepare_inputs(X))
        name = self.output_activation.name
        if self.task == "classification" and name == "softmax":
            labels = A.argmax(axis=1)
            if self.preprocessing is not None:
                return self.preprocessing.decode(labels)
            return labels
        if self.task == "classification" and name == "sigmoid":
            labels = (A >= 0.5).astype(np.int64)
            if self.n_outputs > 1:
                return labels
            if self.preprocessing is not None:
                return self.preprocessing.decode(labels.ravel())
            return labels.ravel()
        return A.ravel() if self.n_outputs == 1 else A

    #: The backend of the open workspace; NumPy outside one.
    backend: NumpyBackend = backends.NUMPY

    @contextmanager
    def workspace(self, backend: str | NumpyBackend | None = None):
        """Within the block, layers reuse work arrays from batch to batch.

        The training loop trains inside it so that a step allocates nothing;
        arrays a layer returns inside the block are overwritten by the next
        batch of the same size, so nothing outside the loop should keep them.

        ``backend`` (``"numpy"``, ``"compiled"`` or a backend object; see
        :func:`glassnet.core.backends.get`) is resolved once, here, and its
        operations fill the work arrays: every layer sees it as
        ``layer.backend`` and the network as ``self.backend`` for the block.
        None takes the enclosing block's backend, or outside any block the
        default (compiled when numba is installed and
        ``GLASSNET_ACCELERATE`` is not ``"0"``).

        Raises ``ValueError``/``TypeError`` for an unknown backend and
        ``ImportError`` for ``"compiled"`` without numba.
        """
        self._check_layers_bound()
        outer_backend = self.backend
        if backend is None and self._workspace_depth > 0:
            chosen = outer_backend
        else:
            chosen = backends.get(backend)
        # (a block may open inside another, e.g. a callback predicting during
        # training: the outer block keeps its work arrays afterwards)
        outer = [(layer.workspace, layer.backend) for layer in self.layers]
        for i, layer in enumerate(self.layers):
            layer.workspace = self._workspaces.setdefault(i, {})
            layer.backend = chosen
        self.backend = chosen
        self._workspace_depth += 1
        try:
            yield self
        finally:
            self._workspace_depth -= 1
            self.backend = outer_backend
            for layer, (workspace, previous) in zip(self.layers, outer, strict=True):
                layer.workspace, layer.backend = workspace, previous

    def astype(self, dtype) -> Network:
        """A deep copy in ``dtype``, sharing no memory with this network."""
        clone = copy.deepcopy(self)
        clone.dtype = _resolve_dtype(dtype)
        clone._bind_parameters()
        return clone

    _workspace_depth = 0

    @contextmanager
    def frozen_randomness(self):
        """Within the block, random layers (dropout) repeat their last draw.

        Used by :func:`glassnet.gradcheck` so that the loss is a deterministic
        function of the parameters.
        """
        layers = [layer for layer in self.layers if hasattr(layer, "frozen")]
        for layer in layers:
            layer.frozen = True
        try:
            yield self
        finally:
            for layer in layers:
                layer.frozen = False

    # -- description and weights ---------------------------------------------------
    def summary(self) -> Summary:
        """Layers, output shapes and parameter counts (``print`` it)."""
        rows = [
            (f"{i + 1}: {layer!r}", f"(None, {layer.n_out})", layer.n_params)
            for i, layer in enumerate(self.layers)
        ]
        return Summary(rows, self.n_params, self.loss.name, self.dtype.name)

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every parameter array: ``[W1, b1, W2, b2, ...]``.

        Each layer's buffers (batch normalization's running statistics)
        follow its parameters.
        """
        return [p.copy() for layer in self.layers for _, p in _weight_arrays(layer)]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        """Set every parameter from a list shaped like :meth:`get_weights`.

        The values are copied into the network's own arrays; the list's
        arrays stay independent of the network.
        """
        targets = [
            (i, name, p)
            for i, layer in enumerate(self.layers)
            for name, p in _weight_arrays(layer)
        ]
        if not isinstance(weights, (list, tuple)) or len(weights) != len(targets):
            got = len(weights) if isinstance(weights, (list, tuple)) else weights
            raise ValueError(
                f"set_weights expects a list of {len(targets)} arrays "
                f"(as get_weights returns). Got {got!r}."
            )
        checked = []
        for (i, name, p), w in zip(targets, weights, strict=True):
            w = np.asarray(w)
            if w.shape != p.shape:
                raise ValueError(
                    f"set_weights: layer {i + 1} {name} must have shape {p.shape}. "
                    f"Got shape {w.shape}."
                )
            if w.dtype.kind not in "biuf" or not np.all(np.isfinite(w)):
                raise ValueError(
                    f"set_weights: layer {i + 1} {name} must be finite numbers."
                )
            checked.append(w)
        for (_, _, p), w in zip(targets, checked, strict=True):
            p[...] = w

    def __setstate__(self, state: dict) -> None:
        # pickle and copy.deepcopy copy each array on its own, so the layers'
        # W and b would stop being views of parameters_flat: bind them again.
        self.__dict__.update(state)
        self._bind_parameters()
        # a copy made inside a workspace block is outside any block
        self.__dict__.pop("_workspace_depth", None)
        self.__dict__.pop("backend", None)
        for layer in self.layers:
            layer.__dict__.pop("workspace", None)
            layer.__dict__.pop("backend", None)

    # -- convenience methods: the only references upward ---------------------------
    # The engine imports nothing above it. These methods let a user write
    # ``net.fit(...)`` or ``net.save(...)`` as in Keras and PyTorch; each hands
    # the network to the function that does the work in a higher layer
    # (training, inspection, files, interop, report), looked up when called,
    # so that importing the engine imports none of them and no import cycle
    # exists. They are the only such references (the import contract test
    # lists them).
    def fit(
        self,
        X,
        y=None,
        *,
        epochs: int = 10,
        batch_size: int | None = 32,
        optimizer: str | Optimizer | None = None,
        metrics=None,
        validation_data=None,
        validation_split: float | None = None,
        sample_weight=None,
        class_weight=None,
        shuffle: bool = True,
        seed: int | None = None,
        verbose: int = 0,
        callbacks=None,
        diagnostics=False,
        backend=None,
    ):
        """Train by backpropagation; returns a ``History``.

        ``X`` of shape (n_samples, n_features) and ``y`` of shape
        (n_samples,) or (n_samples, n_outputs), or batches without ``y``.
        Every parameter is described at :func:`glassnet.fit`, which this
        calls. The optimizer is kept on the network with its state:
        ``optimizer=None`` continues the last one (else SGD), the same name
        continues it too, a new instance starts afresh. Errors
        (``ValueError``/``TypeError`` naming the parameter) are raised
        before any weight changes.
        """
        return _upward("glassnet.training.loop").fit(
            self,
            X,
            y,
            epochs=epochs,
            batch_size=batch_size,
            optimizer=optimizer,
            metrics=metrics,
            validation_data=validation_data,
            validation_split=validation_split,
            sample_weight=sample_weight,
            class_weight=class_weight,
            shuffle=shuffle,
            seed=seed,
            verbose=verbose,
            callbacks=callbacks,
            diagnostics=diagnostics,
            backend=backend,
        )

    def evaluate(
        self, X, y, *, metrics=None, sample_weight=None, batch_size: int = 2048
    ) -> dict:
        """Loss and metrics on ``(X, y)`` in inference mode.

        ``metrics`` default to the task's (accuracy for classifiers, MAE for
        regressors); see :func:`glassnet.evaluate`.
        """
        return _upward("glassnet.training.loop").evaluate(
            self,
            X,
            y,
            metrics=metrics,
            sample_weight=sample_weight,
            batch_size=batch_size,
        )

    def trace(self, X, y, optimizer: str | Optimizer | None = None):
        """One forward and backward pass, every z, a, delta, dW and db kept.

        Returns a :class:`glassnet.Trace`. The pass runs on a copy, so the
        network is left exactly as it was: parameters, batch normalization's
        running statistics, dropout's random generator and the layers' kept
        arrays. With an ``optimizer``, the trace also shows the updated parameters and
        the new prediction, from ``train_step`` on a copy of the network.
        """
        trace = _upward("glassnet.inspection.trace")
        return trace.trace_network(self, X, y, optimizer=optimizer)

    def save(self, path, *, metadata: dict | None = None):
        """Write the network to a model file; see :func:`glassnet.save`."""
        return _upward("glassnet.files.model_file").save(self, path, metadata=metadata)

    def to_onnx(self, path=None, *, dtype: str = "float32", opset: int = 17):
        """The network as an ONNX ``ModelProto``, written to ``path`` if given.

        ``dtype`` ("float32" or "float64") of the input, weights and output;
        ``opset`` >= 17. See :func:`glassnet.interop.onnx.to_onnx`.
        """
        onnx = _upward("glassnet.interop.onnx")
        return onnx.to_onnx(self, path, dtype=dtype, opset=opset)

    def to_torch(self):
        """A ``torch.nn.Sequential``; see :func:`glassnet.interop.torch.to_torch`."""
        return _upward("glassnet.interop.torch").to_torch(self)

    def _repr_html_(self) -> str:
        return _upward("glassnet.report.notebook").network_html(self)

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Network([{inner}], loss={self.loss.name!r})"


def _upward(module: str):
    """A module above the engine, for the convenience methods (see there)."""
    return importlib.import_module(module)


def _listed(values, limit: int = 10) -> str:
    """``"3, 5, 7"``: the first ``limit`` values, then how many more."""
    shown = ", ".join(_value_repr(v) for v in values[:limit])
    more = len(values) - limit
    return shown if more <= 0 else f"{shown}, ... ({more} more)"


def _value_repr(value, width: int = 60) -> str:
    """``repr`` of a label (NumPy scalars as Python's), cut to ``width``."""
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= width else text[:width] + "..."


def _predicted_codes(A: np.ndarray) -> np.ndarray:
    """Class codes (n,) that predict gives for outputs ``A`` (n, n_outputs)."""
    if A.shape[1] == 1:
        return (A[:, 0] >= 0.5).astype(np.int64)
    return A.argmax(axis=1)


def _weight_arrays(layer: Layer):
    return [*layer.parameters(), *layer.buffers()]


def _param_grads(layer: Layer):
    return zip((p for _, p in layer.parameters()), layer.gradients(), strict=True)
