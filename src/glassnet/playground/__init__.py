"""The glassnet playground: train a network in the browser and see its numbers.

``glassnet playground`` serves a page on this machine (no internet needed):
pick a 2-D dataset or upload a CSV file, shape the network, and watch
glassnet's own engine train it -- the decision boundary, every unit's
heatmap, every weight, the loss curves, per-layer gradient norms and
saturation, and for any training point the lecture-notation numbers of the
current step. Step through one training point stage by stage (each layer
forward, each delta backward, the gradients), with the units and links each
equation uses lit on the network picture, and show arrows of ``-dC/dx`` at
the training points. Export the trained model file and the ``glassnet train``
command that reproduces the run.

The server (:class:`PlaygroundServer`) uses the standard library only.
"""

from glassnet.playground.config import DEFAULTS, Limits, PlaygroundError, parse_config
from glassnet.playground.server import PlaygroundServer, is_loopback
from glassnet.playground.session import Session

__all__ = [
    "DEFAULTS",
    "Limits",
    "PlaygroundError",
    "PlaygroundServer",
    "Session",
    "is_loopback",
    "parse_config",
]
