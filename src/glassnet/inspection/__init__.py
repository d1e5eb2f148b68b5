"""Looking inside a network: gradient checks, traces, the lectures' examples.

:func:`~glassnet.inspection.gradcheck.gradcheck` compares backpropagation
with finite differences; :mod:`~glassnet.inspection.trace` lays out one
training step in the lectures' notation, every z, a, delta and gradient
(renderers for text, Markdown, LaTeX and HTML beside it in
:mod:`~glassnet.inspection.trace_render` and
:mod:`~glassnet.inspection.trace_doc`), and
:mod:`~glassnet.inspection.lecture_examples` holds the lectures' worked
examples, number for number; :mod:`~glassnet.inspection.exercise` turns
one traced step into an exercise sheet and its answer key. Built on
:mod:`glassnet.training` and :mod:`glassnet.core`.
"""

from glassnet.inspection.exercise import Exercise, exercise
from glassnet.inspection.gradcheck import GradcheckReport, ParameterCheck, gradcheck
from glassnet.inspection.lecture_examples import (
    EXAMPLES,
    LectureExample,
    lecture_examples,
)
from glassnet.inspection.trace import LayerTrace, Trace, trace_network

__all__ = [
    "EXAMPLES",
    "Exercise",
    "GradcheckReport",
    "LayerTrace",
    "LectureExample",
    "ParameterCheck",
    "Trace",
    "exercise",
    "gradcheck",
    "lecture_examples",
    "trace_network",
]
