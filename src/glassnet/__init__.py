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
from glassnet.callbacks import (
    Callback,
    CSVLogger,
    DivergenceWarning,
    EarlyStopping,
    EpochLogger,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TerminateOnNaN,
)
from glassnet.diagnostics import Diagnostics, DiagnosticWarning, diagnose
from glassnet.gradcheck import GradcheckReport, gradcheck
from glassnet.initializers import INITIALIZERS, get_initializer
from glassnet.io import ModelFileError, load, save
from glassnet.layers import BatchNorm, Dense, Dropout, Layer
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
from glassnet.metrics import METRICS, get_metric
from glassnet.network import Network, Summary
from glassnet.optimizers import (
    OPTIMIZERS,
    SGD,
    Adagrad,
    Adam,
    AdamW,
    Optimizer,
    RMSProp,
    get_optimizer,
)
from glassnet.perceptron import ConvergenceWarning, Perceptron, PerceptronResult
from glassnet.progress import ProgressBar
from glassnet.regularizers import (
    L1,
    L1L2,
    L2,
    REGULARIZERS,
    Regularizer,
    get_regularizer,
)
from glassnet.schedules import (
    SCHEDULES,
    Constant,
    CosineDecay,
    ExponentialDecay,
    InverseScaling,
    ReduceOnPlateau,
    Schedule,
    StepDecay,
    get_schedule,
)
from glassnet.sklearn_interop import from_sklearn, to_sklearn, to_sklearn_coefs
from glassnet.sweep import SweepResult, sweep
from glassnet.torch_interop import from_torch
from glassnet.trace import LayerTrace, Trace, lecture_examples
from glassnet.training import History, evaluate, fit

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "L1",
    "L1L2",
    "L2",
    "LOSSES",
    "MAE",
    "METRICS",
    "MSE",
    "ModelFileError",
    "OPTIMIZERS",
    "REGULARIZERS",
    "SCHEDULES",
    "SGD",
    "SSE",
    "Activation",
    "Adagrad",
    "Adam",
    "AdamW",
    "BatchNorm",
    "BinaryCrossEntropy",
    "CSVLogger",
    "Callback",
    "Constant",
    "ConvergenceWarning",
    "CosineDecay",
    "CrossEntropy",
    "Dense",
    "DivergenceWarning",
    "Dropout",
    "EarlyStopping",
    "DiagnosticWarning",
    "Diagnostics",
    "EpochLogger",
    "ExponentialDecay",
    "GradcheckReport",
    "History",
    "Huber",
    "Identity",
    "InverseScaling",
    "Layer",
    "LayerTrace",
    "LeakyReLU",
    "LearningRateScheduler",
    "Loss",
    "ModelCheckpoint",
    "Network",
    "Optimizer",
    "Perceptron",
    "PerceptronResult",
    "ProgressBar",
    "RMSProp",
    "ReLU",
    "ReduceLROnPlateau",
    "ReduceOnPlateau",
    "Regularizer",
    "Schedule",
    "Sigmoid",
    "Sign",
    "Softmax",
    "Step",
    "StepDecay",
    "Summary",
    "SweepResult",
    "Tanh",
    "TerminateOnNaN",
    "Trace",
    "__version__",
    "evaluate",
    "diagnose",
    "fit",
    "from_sklearn",
    "from_torch",
    "get_activation",
    "get_initializer",
    "get_loss",
    "get_metric",
    "get_optimizer",
    "get_regularizer",
    "get_schedule",
    "gradcheck",
    "lecture_examples",
    "load",
    "plotting",
    "save",
    "sweep",
    "to_sklearn",
    "to_sklearn_coefs",
]
