"""Other formats and frameworks: ONNX, PyTorch, scikit-learn's weights.

Each export returns arrays of its own (nothing shares memory with the
network). :mod:`~glassnet.interop.inference_steps` turns a network into the
steps an exporter writes (batch normalization folded into the Dense layer
before it where possible) and :mod:`~glassnet.interop.affine_input` folds a
stored input scaling into the first layer. Built on :mod:`glassnet.core` and
:mod:`glassnet.datasets`.
"""
