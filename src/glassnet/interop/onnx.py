"""Export a :class:`~glassnet.Network` as an ONNX model (optional extra ``onnx``).

The graph, in the default opset ``ai.onnx`` version 17 (IR version 8, read
by onnxruntime 1.12 and later), for an input ``X`` of shape (N, n_features):

* the stored input scaling (``net.preprocessing.scaler``): a
  :class:`~glassnet.datasets.scalers.StandardScaler` as ``Sub(mean)`` then
  ``Div(scale)``; a :class:`~glassnet.datasets.scalers.MinMaxScaler` as
  ``Sub(data_min)``, ``Mul((hi - lo) / range)``, ``Add(lo)``;
* each Dense layer as ``Gemm(X, W, b, transB=1)`` (``X W^T + b``, W kept in
  glassnet's (n_out, n_in) layout) followed by its activation: ``Sigmoid``,
  ``Tanh``, ``Relu``, ``LeakyRelu(alpha)``, ``Softmax(axis=-1)``, or nothing
  for identity;
* dropout left out (it is the identity at inference);
* batch normalization folded into the preceding Gemm when that layer has an
  identity activation, else a ``BatchNormalization`` node with the running
  statistics (inference mode), then its activation.

Outputs: ``output`` (N, n_outputs), what :meth:`Network.forward` returns,
and for classifiers ``label``, the class codes (int64) that
:meth:`Network.predict` decodes: ``ArgMax`` of a softmax, or
``output >= 0.5`` for sigmoid units ((N,) for one unit, (N, k) for
multi-label). Class names and feature names are in the model's metadata
(``classes``, ``feature_names``, JSON).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from glassnet.datasets.scalers import MinMaxScaler, StandardScaler
from glassnet.files.atomic import atomic_save
from glassnet.interop.inference_steps import Affine, inference_steps

__all__ = ["OPSET", "to_onnx"]

#: Version of the default ONNX operator set the exported models use.
OPSET = 17
IR_VERSION = 8
_DTYPES = {"float32": np.float32, "float64": np.float64}


def _import_onnx():
    try:
        import onnx
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "ONNX export needs the onnx package: pip install 'glassnet[onnx]'"
        ) from None
    return onnx


class _Graph:
    """Nodes and constant tensors, each value named uniquely."""

    def __init__(self, onnx, dtype):
        self.onnx, self.dtype = onnx, dtype
        self.nodes, self.initializers = [], []
        self.count = 0

    def name(self, stem: str) -> str:
        self.count += 1
        return f"{stem}_{self.count}"

    def constant(self, stem: str, value, dtype=None) -> str:
        name = self.name(stem)
        array = np.asarray(value, dtype=dtype or self.dtype)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def node(self, op: str, inputs: list[str], output: str | None = None, **attrs):
        output = output or self.name(op.lower())
        self.nodes.append(
            self.onnx.helper.make_node(
                op, inputs, [output], name=self.name(op), **attrs
            )
        )
        return output


def _scaling(graph: _Graph, scaler, value: str) -> str:
    if scaler is None:
        return value
    if isinstance(scaler, StandardScaler):
        value = graph.node("Sub", [value, graph.constant("mean", scaler.mean_)])
        return graph.node("Div", [value, graph.constant("scale", scaler.scale_)])
    if isinstance(scaler, MinMaxScaler):
        lo, hi = scaler.feature_range
        value = graph.node("Sub", [value, graph.constant("data_min", scaler.data_min_)])
        factor = (hi - lo) / scaler._range()
        value = graph.node("Mul", [value, graph.constant("factor", factor)])
        return graph.node("Add", [value, graph.constant("low", np.full(1, lo))])
    raise TypeError(
        f"Cannot export the input scaling {type(scaler).__name__}: only "
        "StandardScaler and MinMaxScaler are supported."
    )


def _activation(graph: _Graph, activation, value: str) -> str:
    name = activation.name
    ops = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "exp": "Exp"}
    if name == "identity":
        return value
    if name in ops:
        return graph.node(ops[name], [value])
    if name == "leaky_relu":
        return graph.node("LeakyRelu", [value], alpha=float(activation.alpha))
    if name == "softmax":
        return graph.node("Softmax", [value], axis=-1)
    raise ValueError(f"Cannot export the activation '{name}' to ONNX.")


def _layers(graph: _Graph, network, value: str) -> str:
    for step in inference_steps(network):
        if isinstance(step, Affine):
            W, b = graph.constant("W", step.W), graph.constant("b", step.b)
            value = graph.node("Gemm", [value, W, b], transB=1)
        else:
            names = [
                graph.constant(stem, array)
                for stem, array in (
                    ("gamma", step.gamma),
                    ("beta", step.beta),
                    ("running_mean", step.mean),
                    ("running_var", step.var),
                )
            ]
            value = graph.node(
                "BatchNormalization", [value, *names], epsilon=float(step.eps)
            )
        value = _activation(graph, step.activation, value)
    return value


def _label(graph: _Graph, network, value: str) -> tuple[str, list] | None:
    """The ``label`` output (int64 class codes) of a classifier, or None."""
    if network.task != "classification":
        return None
    if network.output_activation.name == "softmax":
        label = graph.node("ArgMax", [value], "label", axis=1, keepdims=0)
        return label, ["N"]
    half = graph.constant("half", np.full(1, 0.5))
    codes = graph.node("Cast", [graph.node("GreaterOrEqual", [value, half])], to=7)
    if network.n_outputs > 1:
        return graph.node("Identity", [codes], "label"), ["N", network.n_outputs]
    flat = graph.constant("shape", [-1], dtype=np.int64)
    return graph.node("Reshape", [codes, flat], "label"), ["N"]


def to_onnx(network, path=None, *, dtype: str = "float32", opset: int = OPSET):
    """The network as an ONNX ``ModelProto``; written to ``path`` if given.

    The graph is laid out in the module's docstring: input ``X`` of shape
    (N, n_features), output ``output`` of shape (N, n_outputs) and, for
    classifiers, ``label`` (the class codes). ``network.to_onnx(...)`` is
    the same call.

    Parameters
    ----------
    network : Network
        The network to export (Dense, BatchNorm and Dropout layers).
    path : str or Path, optional
        Written atomically (no half-written file on failure).
    dtype : {"float32", "float64"}, default "float32"
        Element type of the input, the weights and ``output``.
    opset : int >= 17, default 17
        Version of the ``ai.onnx`` operator set.

    Returns
    -------
    onnx.ModelProto
        Checked by ``onnx.checker.check_model``.

    Raises
    ------
    ModuleNotFoundError
        Without the onnx package.
    ValueError
        For an unknown ``dtype`` or an ``opset`` below 17.
    OSError
        When ``path`` cannot be written.

    Examples
    --------
    >>> import glassnet as gn
    >>> from glassnet.interop import to_onnx
    >>> net = gn.Network.mlp([2, 3, 1], hidden="tanh", seed=0)
    >>> model = to_onnx(net)
    >>> [node.op_type for node in model.graph.node]  # doctest: +NORMALIZE_WHITESPACE
    ['Gemm', 'Tanh', 'Gemm', 'Sigmoid', 'Identity', 'GreaterOrEqual', 'Cast',
     'Reshape']
    >>> [value.name for value in model.graph.output]
    ['output', 'label']
    """
    onnx = _import_onnx()
    if dtype not in _DTYPES:
        raise ValueError(
            "The 'dtype' parameter of to_onnx must be 'float32' or 'float64'. "
            f"Got {dtype!r} instead."
        )
    if not isinstance(opset, int) or isinstance(opset, bool) or opset < OPSET:
        raise ValueError(
            f"The 'opset' parameter of to_onnx must be an int >= {OPSET}. "
            f"Got {opset!r} instead."
        )
    graph = _Graph(onnx, _DTYPES[dtype])
    preprocessing = getattr(network, "preprocessing", None)
    scaler = None if preprocessing is None else preprocessing.scaler
    value = _layers(graph, network, _scaling(graph, scaler, "X"))
    output = graph.node("Identity", [value], "output")
    element = onnx.helper.np_dtype_to_tensor_dtype(np.dtype(_DTYPES[dtype]))
    make = onnx.helper.make_tensor_value_info
    outputs = [make(output, element, ["N", network.n_outputs])]
    label = _label(graph, network, output)
    if label is not None:
        outputs.append(make(label[0], onnx.TensorProto.INT64, label[1]))
    model = onnx.helper.make_model(
        onnx.helper.make_graph(
            graph.nodes,
            "glassnet",
            [make("X", element, ["N", network.n_inputs])],
            outputs,
            graph.initializers,
        ),
        opset_imports=[onnx.helper.make_opsetid("", opset)],
        producer_name="glassnet",
    )
    model.ir_version = IR_VERSION
    _metadata(onnx, model, preprocessing)
    onnx.checker.check_model(model)
    if path is not None:
        path = Path(path)
        atomic_save(path, lambda tmp: onnx.save_model(model, tmp))
    return model


def _metadata(onnx, model, preprocessing) -> None:
    from glassnet._version import __version__

    model.producer_version = __version__
    props = {"glassnet_version": __version__}
    if preprocessing is not None and preprocessing.classes is not None:
        props["classes"] = json.dumps(preprocessing.classes)
    if preprocessing is not None and preprocessing.feature_names is not None:
        props["feature_names"] = json.dumps(preprocessing.feature_names)
    onnx.helper.set_model_props(model, props)
