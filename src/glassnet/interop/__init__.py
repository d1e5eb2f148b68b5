"""Other formats and frameworks: ONNX, PyTorch, scikit-learn's weights.

Each export returns arrays of its own (nothing shares memory with the
network). :mod:`~glassnet.interop.inference_steps` turns a network into the
steps an exporter writes (batch normalization folded into the Dense layer
before it where possible) and :mod:`~glassnet.interop.affine_input` folds a
stored input scaling into the first layer. Built on :mod:`glassnet.core` and
:mod:`glassnet.datasets`.
"""

from glassnet.interop.onnx import OPSET, to_onnx
from glassnet.interop.safetensors import from_safetensors, to_safetensors
from glassnet.interop.sklearn_weights import from_sklearn, to_sklearn, to_sklearn_coefs
from glassnet.interop.torch import from_torch, to_torch

__all__ = [
    "OPSET",
    "from_safetensors",
    "from_sklearn",
    "from_torch",
    "to_onnx",
    "to_safetensors",
    "to_sklearn",
    "to_sklearn_coefs",
    "to_torch",
]
