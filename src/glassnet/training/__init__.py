"""Training: the loop, its batches, fit data and weights, callbacks, schedules.

:func:`fit` cuts the data into batches and steps the network through its
public per-batch interface; everything else -- printing and progress bars,
early stopping, learning-rate schedules, checkpoints, divergence -- is a
callback that sees the loop only through its ``logs`` dict and stop flag
(lecture 003's batch, stochastic and mini-batch gradient descent), and so is
:mod:`~glassnet.training.diagnostics`, which watches gradient norms,
saturation and dead units as training goes. Built on :mod:`glassnet.core`,
:mod:`glassnet.files` (checkpoints) and :mod:`glassnet.datasets`.
"""

from glassnet.training.loop import History, evaluate, fit

__all__ = ["History", "evaluate", "fit"]
