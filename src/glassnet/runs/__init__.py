"""Runs: the settings of a training run (a recipe) and sweeps over them.

:mod:`~glassnet.runs.recipe` turns the settings of a run (as the command
line, a TOML config or the playground give them) into a network and its
training; :mod:`~glassnet.runs.sweep` trains a grid of such settings, on Dask
when it is installed, keeping every finished result. Built on
:mod:`glassnet.training` and :mod:`glassnet.files`.
"""

from glassnet.runs.recipe import build_network
from glassnet.runs.sweep import SweepResult, expand_grid, sweep

__all__ = ["SweepResult", "build_network", "expand_grid", "sweep"]
