"""glassnet: feedforward neural networks trained by backpropagation, on NumPy.

Every z, a, delta and gradient that the lectures derive is computed here in
the open; see :class:`Network` for the starting point.
"""

from glassnet import plotting  # matplotlib itself loads on the first plot
from glassnet.activations import (
    ACTIVATIONS,
    Activation,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Sign,
    Softmax,
    Step,
    Tanh,
    get_activation,
)
from glassnet.callbacks import Callback, EpochLogger
from glassnet.diagnostics import Diagnostics, DiagnosticWarning, diagnose
from glassnet.gradcheck import GradcheckReport, gradcheck
from glassnet.initializers import INITIALIZERS, get_initializer
from glassnet.io import ModelFileError, load, save
from glassnet.layers import Dense, Layer
from glassnet.losses import (
    LOSSES,
    MAE,
    MSE,
    SSE,
    BinaryCrossEntropy,
    CrossEntropy,
    Huber,
    Loss,
    get_loss,
)
from glassnet.network import Network, Summary
from glassnet.optimizers import OPTIMIZERS, SGD, Optimizer, get_optimizer
from glassnet.perceptron import ConvergenceWarning, Perceptron, PerceptronResult
from glassnet.trace import LayerTrace, Trace, lecture_examples
from glassnet.training import History, fit

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "LOSSES",
    "MAE",
    "MSE",
    "ModelFileError",
    "OPTIMIZERS",
    "SGD",
    "SSE",
    "Activation",
    "BinaryCrossEntropy",
    "Callback",
    "ConvergenceWarning",
    "CrossEntropy",
    "Dense",
    "DiagnosticWarning",
    "Diagnostics",
    "EpochLogger",
    "GradcheckReport",
    "History",
    "Huber",
    "Identity",
    "Layer",
    "LayerTrace",
    "LeakyReLU",
    "Loss",
    "Network",
    "Optimizer",
    "Perceptron",
    "PerceptronResult",
    "ReLU",
    "Sigmoid",
    "Sign",
    "Softmax",
    "Step",
    "Summary",
    "Tanh",
    "Trace",
    "__version__",
    "diagnose",
    "fit",
    "get_activation",
    "get_initializer",
    "get_loss",
    "get_optimizer",
    "gradcheck",
    "lecture_examples",
    "load",
    "plotting",
    "save",
]
