"""The engine: what a network is and how it computes, forward and backward.

Activations (with the lectures' ``psi``, the derivative in terms of the
output), losses (with the fused output delta and log-probabilities read from
``Z``), initializers, regularizers, layers (Dense, Dropout, BatchNorm: each
forward with its backward right below it), optimizers (update rules on one
flat parameter buffer), the compiled-kernel backends, and :class:`Network`
with its public per-batch interface. Nothing here imports the rest of
glassnet: a reader can take this package out and study backpropagation alone.
The only references upward are :class:`Network`'s convenience methods
(``fit``, ``evaluate``, ``trace``, ``save``, ``to_onnx``, ``to_torch``,
``_repr_html_``), grouped at the end of ``network.py`` and imported when
called.
"""

from glassnet.core import (
    activations,
    backends,
    initializers,
    losses,
    optimizers,
    regularizers,
)
from glassnet.core.activations import (
    Activation,
    Exp,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Sign,
    Softmax,
    Step,
    Tanh,
)
from glassnet.core.initializers import Initializer
from glassnet.core.layers import BatchNorm, Dense, Dropout, Layer
from glassnet.core.losses import (
    MAE,
    MSE,
    SSE,
    BinaryCrossEntropy,
    CrossEntropy,
    Huber,
    Loss,
    Poisson,
)
from glassnet.core.network import Network, Summary
from glassnet.core.optimizers import SGD, Adagrad, Adam, AdamW, Optimizer, RMSProp
from glassnet.core.regularizers import L1, L1L2, L2, Regularizer

__all__ = [
    "L1",
    "L1L2",
    "L2",
    "MAE",
    "MSE",
    "SGD",
    "SSE",
    "Activation",
    "Adagrad",
    "Adam",
    "AdamW",
    "BatchNorm",
    "BinaryCrossEntropy",
    "CrossEntropy",
    "Dense",
    "Dropout",
    "Exp",
    "Huber",
    "Identity",
    "Initializer",
    "Layer",
    "LeakyReLU",
    "Loss",
    "Network",
    "Optimizer",
    "Poisson",
    "RMSProp",
    "ReLU",
    "Regularizer",
    "Sigmoid",
    "Sign",
    "Softmax",
    "Step",
    "Summary",
    "Tanh",
    "activations",
    "backends",
    "initializers",
    "losses",
    "optimizers",
    "regularizers",
]
