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
