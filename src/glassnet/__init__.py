"""glassnet: feedforward neural networks trained by backpropagation, on NumPy.

Every z, a, delta and gradient that the lectures derive is computed here in
the open; see :class:`Network` for the starting point.

The package is laid out by concept, each subpackage importing only the ones
below it: :mod:`glassnet.core` (the engine), :mod:`glassnet.datasets`,
:mod:`glassnet.files`, :mod:`glassnet.training`, :mod:`glassnet.interop`,
:mod:`glassnet.inspection`, :mod:`glassnet.sklearn`, :mod:`glassnet.runs`,
:mod:`glassnet.report`, and on top the command line and the playground,
which the library never imports. The families of named objects have short
paths with a registry and a ``get`` each, as in Keras:
``gn.activations.get("relu")``, ``gn.losses``, ``gn.initializers``,
``gn.regularizers``, ``gn.optimizers``, ``gn.schedules``, ``gn.metrics``.
"""

import sys as _sys

from glassnet import _moved, metrics
from glassnet._version import __version__
from glassnet.core import activations, initializers, losses, optimizers, regularizers
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
from glassnet.core.optimizers import (
    SGD,
    Adagrad,
    Adam,
    AdamW,
    Optimizer,
    RMSProp,
)
from glassnet.core.regularizers import (
    L1,
    L1L2,
    L2,
    Regularizer,
)
from glassnet.files.model_file import ModelFileError, load, save
from glassnet.inspection.exercise import Exercise, exercise
from glassnet.inspection.gradcheck import GradcheckReport, gradcheck
from glassnet.inspection.lecture_examples import lecture_examples
from glassnet.inspection.trace import LayerTrace, Trace
from glassnet.interop.safetensors import from_safetensors, to_safetensors
from glassnet.interop.sklearn_weights import from_sklearn, to_sklearn, to_sklearn_coefs
from glassnet.interop.torch import from_torch
from glassnet.perceptron import ConvergenceWarning, Perceptron, PerceptronResult
from glassnet.report import plots as plotting  # matplotlib loads on the first plot
from glassnet.runs.sweep import SweepResult, sweep
from glassnet.training import schedules
from glassnet.training.callbacks import (
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
from glassnet.training.diagnostics import Diagnostics, DiagnosticWarning, diagnose
from glassnet.training.loop import History, evaluate, fit
from glassnet.training.progress import ProgressBar
from glassnet.training.schedules import (
    Constant,
    CosineDecay,
    ExponentialDecay,
    InverseScaling,
    ReduceOnPlateau,
    Schedule,
    StepDecay,
)

# the short public paths of the families, and the old paths of moved modules
for _name in _moved.ALIASES:
    _sys.modules[f"glassnet.{_name}"] = globals()[_name]
_moved.install()

#: Top-level names that moved into their family's module (``gn.optimizers.get``).
_MOVED_NAMES = {
    "ACTIVATIONS": ("activations", "ACTIVATIONS"),
    "get_activation": ("activations", "get"),
    "LOSSES": ("losses", "LOSSES"),
    "get_loss": ("losses", "get"),
    "INITIALIZERS": ("initializers", "INITIALIZERS"),
    "get_initializer": ("initializers", "get"),
    "REGULARIZERS": ("regularizers", "REGULARIZERS"),
    "get_regularizer": ("regularizers", "get"),
    "OPTIMIZERS": ("optimizers", "OPTIMIZERS"),
    "get_optimizer": ("optimizers", "get"),
    "SCHEDULES": ("schedules", "SCHEDULES"),
    "get_schedule": ("schedules", "get"),
    "METRICS": ("metrics", "METRICS"),
    "get_metric": ("metrics", "get"),
}


def __getattr__(name: str):
    if name in _MOVED_NAMES:
        import warnings

        family, attribute = _MOVED_NAMES[name]
        warnings.warn(
            f"glassnet.{name} moved: use glassnet.{family}.{attribute}. The old "
            "name will be removed in a future release.",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(globals()[family], attribute)
    raise AttributeError(f"module 'glassnet' has no attribute {name!r}")


__all__ = [
    "metrics",
    "schedules",
    "regularizers",
    "optimizers",
    "losses",
    "initializers",
    "activations",
    "L1",
    "L1L2",
    "L2",
    "MAE",
    "MSE",
    "ModelFileError",
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
    "Exercise",
    "Exp",
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
    "Poisson",
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
    "exercise",
    "diagnose",
    "fit",
    "from_safetensors",
    "from_sklearn",
    "from_torch",
    "gradcheck",
    "lecture_examples",
    "load",
    "plotting",
    "save",
    "sweep",
    "to_safetensors",
    "to_sklearn",
    "to_sklearn_coefs",
]
