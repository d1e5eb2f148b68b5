"""Weights as a safetensors file with PyTorch's names (optional ``safetensors``).

:func:`to_safetensors` writes exactly the ``state_dict`` of the module that
:func:`glassnet.interop.torch.to_torch` builds -- ``"0.weight"``,
``"0.bias"``, ... for ``nn.Linear``; ``weight``, ``bias``, ``running_mean``,
``running_var`` and ``num_batches_tracked`` for ``nn.BatchNorm1d`` -- with
the module indices of that ``nn.Sequential`` (an activation or a dropout
takes an index of its own). So, in PyTorch::

    from safetensors.torch import load_file
    module = gn.to_torch(net)            # or the same nn.Sequential by hand
    module.load_state_dict(load_file("model.safetensors"))

The file's metadata holds the architecture (``"glassnet"``: JSON of the
layers, activations, loss and dtype), from which :func:`from_safetensors`
rebuilds the network without PyTorch. As in ``to_torch``, a stored input
scaling is folded into the first layer's weights and class names stay in
glassnet (use :meth:`Network.save` to keep them). Writing and reading need
only NumPy and the ``safetensors`` package (``pip install
'glassnet[safetensors]'``).
"""

from __future__ import annotations

import json
import os

import numpy as np

from glassnet.core.activations import activation_from_config
from glassnet.core.layers import BatchNorm, Dense, Dropout
from glassnet.core.losses import loss_from_config
from glassnet.core.network import Network
from glassnet.interop.affine_input import fold_scaler

__all__ = ["from_safetensors", "to_safetensors"]

_FORMAT = "glassnet-safetensors-1"


def _import_safetensors():
    try:
        import safetensors.numpy as st
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "safetensors files need the safetensors package: "
            "pip install 'glassnet[safetensors]'"
        ) from None
    return st


def _layers_and_tensors(network) -> tuple[list[dict], dict[str, np.ndarray]]:
    """The architecture (one dict per layer) and the tensors under torch's names."""
    dtype = network.dtype
    scaled = network.preprocessing is not None and network.preprocessing.scaler
    if scaled and not isinstance(network.layers[0], Dense):
        raise ValueError(
            "The network's input scaling can only be folded into a first "
            f"Dense layer; its first layer is {network.layers[0]!r}."
        )
    layers, tensors, index = [], {}, 0
    for i, layer in enumerate(network.layers):
        if isinstance(layer, Dense):
            W = np.asarray(layer.W, dtype=np.float64)
            b = np.asarray(layer.b, dtype=np.float64)
            if i == 0:
                W, b = fold_scaler(network, W, b)
            tensors[f"{index}.weight"] = W.reshape(layer.n_out, layer.n_in)
            tensors[f"{index}.bias"] = b.reshape(layer.n_out)
            spec = {"type": "Dense", "n_in": layer.n_in, "n_out": layer.n_out}
        elif isinstance(layer, BatchNorm):
            n = layer.n_in
            tensors[f"{index}.weight"] = np.reshape(layer.gamma, n)
            tensors[f"{index}.bias"] = np.reshape(layer.beta, n)
            tensors[f"{index}.running_mean"] = np.reshape(layer.running_mean, n)
            tensors[f"{index}.running_var"] = np.reshape(layer.running_var, n)
            # PyTorch's counter of training batches (unused with a momentum)
            tensors[f"{index}.num_batches_tracked"] = np.array(0, dtype=np.int64)
            spec = {
                "type": "BatchNorm",
                "n": n,
                "eps": layer.eps,
                "momentum": layer.momentum,
            }
        elif isinstance(layer, Dropout):
            layers.append({"type": "Dropout", "rate": layer.rate})
            index += 1
            continue
        else:
            raise TypeError(f"Cannot write a {type(layer).__name__} to safetensors.")
        spec["activation"] = layer.activation.config()
        layers.append(spec)
        # the activation module, if any, takes the next index of nn.Sequential
        index += 1 if layer.activation.name == "identity" else 2
    # copies in C order (np.ascontiguousarray would make the 0-d counter 1-d)
    tensors = {
        k: np.array(v, dtype=dtype if v.dtype.kind == "f" else v.dtype, order="C")
        for k, v in tensors.items()
    }
    return layers, tensors


def to_safetensors(network, path: str | os.PathLike) -> None:
    """Write ``network``'s weights to ``path`` in safetensors format.

    Tensors are named as the ``state_dict`` of ``to_torch(network)``:
    ``"<i>.weight"`` of shape (n_out, n_in) and ``"<i>.bias"`` (n_out,) for
    a Linear module, ``"<i>.weight"``, ``"<i>.bias"``, ``"<i>.running_mean"``,
    ``"<i>.running_var"`` (n_features,) and ``"<i>.num_batches_tracked"``
    (int64 scalar) for a BatchNorm1d, in the network's dtype.

    Parameters
    ----------
    network : Network
        Dense, BatchNorm and Dropout layers, as :func:`to_torch` takes.
    path : str or os.PathLike
        The file to write (replaced if it exists).

    Raises
    ------
    ModuleNotFoundError
        Without the safetensors package.
    ValueError, TypeError
        For a layer or input scaling PyTorch's modules cannot hold.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> import glassnet as gn
    >>> net = gn.Network.mlp([2, 3, 1], hidden="tanh", seed=0)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "model.safetensors")
    ...     gn.to_safetensors(net, path)
    ...     copy = gn.from_safetensors(path)
    >>> X = np.array([[0.5, -1.0], [1.0, 2.0]])
    >>> bool(np.array_equal(copy.forward(X), net.forward(X)))
    True
    """
    st = _import_safetensors()
    layers, tensors = _layers_and_tensors(network)
    architecture = {
        "format": _FORMAT,
        "layers": layers,
        "loss": network.loss.config(),
        "dtype": np.dtype(network.dtype).name,
    }
    metadata = {"format": "pt", "glassnet": json.dumps(architecture)}
    st.save_file(tensors, os.fspath(path), metadata=metadata)


def _read(path) -> tuple[dict, dict]:
    import safetensors

    _import_safetensors()
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No such safetensors file: {path!r}.")
    try:
        with safetensors.safe_open(path, framework="np") as file:
            metadata = file.metadata() or {}
            tensors = {key: file.get_tensor(key) for key in file.keys()}  # noqa: SIM118
    except Exception as error:  # safetensors raises its own SafetensorError
        raise ValueError(
            f"{path} is not a readable safetensors file: {error}"
        ) from None
    if "glassnet" not in metadata:
        raise ValueError(
            f"{path} has no glassnet architecture in its metadata (the file was "
            "not written by glassnet.to_safetensors). Load it into your "
            "nn.Sequential with load_state_dict, then use gn.from_torch(module)."
        )
    try:
        architecture = json.loads(metadata["glassnet"])
        if architecture.get("format") != _FORMAT:
            raise ValueError(f"unknown format {architecture.get('format')!r}")
    except (ValueError, AttributeError, RecursionError) as error:
        # RecursionError: JSON nested thousands deep
        raise ValueError(
            f"{path}'s glassnet metadata cannot be read: {error}"
        ) from None
    return architecture, tensors


def _tensor(tensors: dict, key: str, shape: tuple, path) -> np.ndarray:
    if key not in tensors:
        raise ValueError(f"{path} has no tensor {key!r}, which its architecture needs.")
    value = tensors[key]
    if value.shape != shape:
        raise ValueError(
            f"The tensor {key!r} of {path} must have shape {shape}. Got "
            f"{value.shape} instead."
        )
    return value


def from_safetensors(path: str | os.PathLike) -> Network:
    """The network written by :func:`to_safetensors` (no PyTorch needed).

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`to_safetensors` (its metadata holds the
        architecture).

    Returns
    -------
    Network
        With the file's layers, activations, loss and dtype, and copies of
        its weights and running statistics (an input scaling was folded into
        the first layer's weights when written).

    Raises
    ------
    ModuleNotFoundError
        Without the safetensors package.
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        A file that is not safetensors, has no glassnet metadata, or whose
        tensors are missing or of the wrong shape.
    """
    architecture, tensors = _read(path)
    layers, fills, index = [], [], 0
    for spec in architecture["layers"]:
        kind = spec["type"]
        if kind == "Dropout":
            layers.append(Dropout(spec["rate"]))
            index += 1
            continue
        activation = activation_from_config(spec["activation"])
        if kind == "Dense":
            layer = Dense(spec["n_in"], spec["n_out"], activation)
            names = {"W": "weight", "b": "bias"}
            shapes = {"W": (spec["n_out"], spec["n_in"]), "b": (spec["n_out"],)}
        elif kind == "BatchNorm":
            layer = BatchNorm(
                spec["n"],
                momentum=spec["momentum"],
                eps=spec["eps"],
                activation=activation,
            )
            names = {
                "gamma": "weight",
                "beta": "bias",
                "running_mean": "running_mean",
                "running_var": "running_var",
            }
            shapes = dict.fromkeys(names, (spec["n"],))
        else:
            raise ValueError(f"{path} has an unknown layer type {kind!r}.")
        layers.append(layer)
        for attr, name in names.items():
            value = _tensor(tensors, f"{index}.{name}", shapes[attr], path)
            fills.append((layer, attr, value))
        index += 1 if activation.name == "identity" else 2
    network = Network(
        layers, loss=loss_from_config(architecture["loss"]), dtype=architecture["dtype"]
    )
    for layer, attr, value in fills:
        target = getattr(layer, attr)
        target[...] = np.reshape(value, target.shape)
    return network
