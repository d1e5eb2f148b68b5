"""PyTorch interchange: a Network to and from a ``torch.nn.Sequential``.

Supported modules, one to one with glassnet's layers:

==============================  =========================================
PyTorch                         glassnet
==============================  =========================================
``nn.Linear(n_in, n_out)``      ``Dense(n_in, n_out)``; ``weight`` is ``W``
                                (both (n_out, n_in)), ``bias`` is ``b``
``nn.Sigmoid``, ``nn.Tanh``,    the activation of the Linear or BatchNorm1d
``nn.ReLU``, ``nn.LeakyReLU``,  before it
``nn.Softmax(dim=1)``,
``nn.Identity``
``nn.Dropout(p)``               ``Dropout(p)``
``nn.BatchNorm1d(n)``           ``BatchNorm(n)``: ``weight``/``bias`` are
                                ``gamma``/``beta``, the running statistics
                                are copied, PyTorch's ``momentum`` is
                                ``1 - momentum``
==============================  =========================================

Neither direction shares memory: :func:`to_torch` copies every parameter
and running statistic into new tensors and :func:`from_torch` copies every
tensor into the new network's arrays, so changing or training one side
leaves the other as it was.

:func:`to_torch` returns the module in evaluation mode (dropout off, batch
norm on its running statistics), in the network's dtype. A network's stored
input scaling is folded into the first Linear layer (class names stay in
glassnet). Training further on either side moves the running statistics
alike: both keep the running average of the unbiased batch variance
``var * m / (m - 1)`` for a batch of ``m`` samples (Ioffe & Szegedy 2015,
Algorithm 2), so the statistics are copied as they are, with no correction.
"""

from __future__ import annotations

import numpy as np

from glassnet.core.activations import LeakyReLU, get_activation
from glassnet.core.layers import BatchNorm, Dense, Dropout
from glassnet.core.network import Network
from glassnet.interop.affine_input import fold_scaler

__all__ = ["from_torch", "to_torch"]

_ACTIVATION_MODULES = {
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "ReLU": "relu",
    "LeakyReLU": "leaky_relu",
    "Softmax": "softmax",
}


def _import_torch():
    try:
        import torch
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "PyTorch interchange needs torch: pip install 'glassnet[torch]'"
        ) from None
    return torch


def _activation_module(nn, activation):
    name = activation.name
    if name == "identity":
        return None
    if name == "leaky_relu":
        return nn.LeakyReLU(activation.alpha)
    if name == "softmax":
        return nn.Softmax(dim=1)
    modules = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
    if name not in modules:
        raise ValueError(f"Cannot export the activation '{name}' to PyTorch.")
    return modules[name]()


def _tensor(torch, array, dtype):
    # A copy, always: torch.from_numpy shares the array's memory, and the
    # network's W, b, gamma, beta and running statistics are its own arrays
    # (np.ascontiguousarray would return them as they are for a matching dtype).
    return torch.from_numpy(np.array(array, dtype=dtype, order="C", copy=True))


def _linear(torch, layer: Dense, W, b, dtype):
    linear = torch.nn.Linear(layer.n_in, layer.n_out)
    with torch.no_grad():
        linear.weight = torch.nn.Parameter(_tensor(torch, W, dtype))
        linear.bias = torch.nn.Parameter(_tensor(torch, b, dtype))
    return linear


def _batch_norm(torch, layer: BatchNorm, dtype):
    module = torch.nn.BatchNorm1d(
        layer.n_in, eps=layer.eps, momentum=round(1.0 - layer.momentum, 12)
    )
    with torch.no_grad():
        module.weight = torch.nn.Parameter(_tensor(torch, layer.gamma, dtype))
        module.bias = torch.nn.Parameter(_tensor(torch, layer.beta, dtype))
        module.running_mean = _tensor(torch, layer.running_mean, dtype)
        module.running_var = _tensor(torch, layer.running_var, dtype)
    return module


def to_torch(network):
    """The network as a ``torch.nn.Sequential`` in evaluation mode.

    ``nn.Linear`` holds ``W`` in glassnet's own (n_out, n_in) layout, so
    the weights are copied as they are; a stored input scaling is folded
    into the first Linear layer; batch normalization becomes
    ``nn.BatchNorm1d`` with the running statistics and ``momentum = 1 -
    glassnet's momentum`` (PyTorch weighs the new batch, glassnet the
    running value).

    Parameters
    ----------
    network : Network
        Dense, BatchNorm and Dropout layers with activations PyTorch has
        (sigmoid, tanh, relu, leaky_relu, softmax, identity).

    Returns
    -------
    torch.nn.Sequential
        Input (n_samples, n_features) -> output (n_samples, n_outputs), the
        same numbers as :meth:`Network.forward`. Its tensors are copies:
        they share no memory with the network's arrays.

    Raises
    ------
    ModuleNotFoundError
        Without PyTorch.
    ValueError, TypeError
        For a layer, activation or input scaling PyTorch's modules cannot hold.
    """
    torch = _import_torch()
    nn, dtype = torch.nn, network.dtype
    scaled = network.preprocessing is not None and network.preprocessing.scaler
    if scaled and not isinstance(network.layers[0], Dense):
        raise ValueError(
            "The network's input scaling can only be folded into a first "
            f"Dense layer; its first layer is {network.layers[0]!r}."
        )
    modules = []
    for i, layer in enumerate(network.layers):
        if isinstance(layer, Dense):
            W = np.asarray(layer.W, dtype=np.float64)
            b = np.asarray(layer.b, dtype=np.float64)
            if i == 0:
                W, b = fold_scaler(network, W, b)
            modules.append(_linear(torch, layer, W, b, dtype))
        elif isinstance(layer, BatchNorm):
            modules.append(_batch_norm(torch, layer, dtype))
        elif isinstance(layer, Dropout):
            modules.append(nn.Dropout(layer.rate))
            continue
        else:
            raise TypeError(f"Cannot export a {type(layer).__name__} to PyTorch.")
        activation = _activation_module(nn, layer.activation)
        if activation is not None:
            modules.append(activation)
    return nn.Sequential(*modules).eval()


def _modules(module, nn) -> list:
    if isinstance(module, nn.Sequential):
        return [m for child in module for m in _modules(child, nn)]
    return [module]


def _from_linear(module, dtype) -> Dense:
    layer = Dense(module.in_features, module.out_features, seed=0, dtype=dtype)
    layer.W = module.weight.detach().cpu().numpy()
    if module.bias is not None:
        layer.b = module.bias.detach().cpu().numpy()
    else:
        layer.b = np.zeros(module.out_features)
    return layer


def _from_batch_norm(module, dtype) -> BatchNorm:
    if not module.track_running_stats or module.momentum is None:
        raise ValueError(
            f"Cannot import {module!r}: glassnet's BatchNorm keeps exponential "
            "running averages (track_running_stats=True and a float momentum)."
        )
    layer = BatchNorm(
        module.num_features, momentum=round(1.0 - module.momentum, 12), eps=module.eps
    )
    if module.affine:
        layer.gamma[...] = module.weight.detach().cpu().numpy()
        layer.beta[...] = module.bias.detach().cpu().numpy()
    layer.running_mean[...] = module.running_mean.detach().cpu().numpy()
    layer.running_var[...] = module.running_var.detach().cpu().numpy()
    return layer


def _activation_name(module) -> str:
    name = type(module).__name__
    if name == "Softmax" and module.dim not in (1, -1):
        raise ValueError(
            f"Cannot import {module!r}: the softmax must run over the features "
            "(dim=1 or dim=-1)."
        )
    if name == "LeakyReLU":
        return LeakyReLU(module.negative_slope)
    return _ACTIVATION_MODULES[name]


def from_torch(module, *, loss=None, dtype=None) -> Network:
    """A Network with the layers and weights of a ``torch.nn.Sequential``.

    Parameters
    ----------
    module : torch.nn.Sequential
        Linear, BatchNorm1d, Dropout, Identity and activation modules (see the
        module docstring); nested Sequentials are flattened.
    loss : str or Loss, optional
        Default: from the output activation, as in :class:`Network`.
    dtype : {"float32", "float64"}, optional
        Default: the dtype of the first Linear layer's weights.

    Returns
    -------
    Network
        With its own copies of every weight, bias, scale, shift and running
        statistic: it shares no memory with ``module``. ``nn.Linear``'s
        weight (out_features, in_features) is glassnet's ``W`` of shape
        (n_out, n_in) as it is.

    Raises
    ------
    ModuleNotFoundError
        Without PyTorch.
    TypeError
        For anything but a ``torch.nn.Sequential``, or a module of a kind
        glassnet does not have.
    ValueError
        For an empty Sequential, an activation that does not follow a
        Linear or BatchNorm1d module, a softmax over another axis than the
        features, or a BatchNorm1d without running statistics.
    """
    torch = _import_torch()
    nn = torch.nn
    if not isinstance(module, nn.Sequential):
        raise TypeError(
            "from_torch expects a torch.nn.Sequential of Linear, BatchNorm1d, "
            f"Dropout and activation modules. Got {type(module).__name__} instead."
        )
    children = _modules(module, nn)
    linears = [m for m in children if isinstance(m, nn.Linear)]
    if dtype is None:
        wide = linears and linears[0].weight.dtype == torch.float64
        dtype = "float64" if wide else "float32"
    layers = []
    for child in children:
        if isinstance(child, nn.Linear):
            layers.append(_from_linear(child, np.float64))
        elif isinstance(child, nn.BatchNorm1d):
            layers.append(_from_batch_norm(child, np.float64))
        elif isinstance(child, nn.Dropout):
            layers.append(Dropout(child.p))
        elif isinstance(child, nn.Identity):
            continue
        elif type(child).__name__ in _ACTIVATION_MODULES:
            previous = layers[-1] if layers else None
            if not isinstance(previous, (Dense, BatchNorm)) or (
                previous.activation.name != "identity"
            ):
                raise ValueError(
                    f"Cannot import {child!r}: an activation must directly follow "
                    "a Linear or BatchNorm1d module without an activation."
                )
            previous.activation = get_activation(_activation_name(child))
        else:
            raise TypeError(
                f"Cannot import the module {child!r}. Supported: Linear, "
                "BatchNorm1d, Dropout, Identity, Sigmoid, Tanh, ReLU, LeakyReLU, "
                "Softmax."
            )
    if not layers:
        raise ValueError("from_torch got a Sequential without layers.")
    return Network(layers, loss=loss, dtype=dtype, seed=0)
