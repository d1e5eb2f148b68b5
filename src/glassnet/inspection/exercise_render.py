"""Lay an :class:`~glassnet.inspection.exercise.Exercise` out as a sheet and a key.

The question sheet is written with the pieces of
:mod:`~glassnet.inspection.trace_doc` (the given numbers as equations) and a
numbered list of questions. The answer key *is* the trace's own layout
(:mod:`~glassnet.inspection.trace_render`, in the exercise's notation), cut
to the parts asked; in carry mode each value cell also holds the carried
value, written ``0.6225 (carried: 0.6228)`` where the two print differently.
Text, Markdown and LaTeX (a complete document for pdflatex: ``article``,
``amsmath``, ``amssymb``) and JSON.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
from decimal import ROUND_HALF_UP, Context, Decimal

import numpy as np

from glassnet.inspection import exercise_text, trace_doc
from glassnet.inspection.trace_doc import Eq, Heading, Mat, Para, Sym
from glassnet.inspection.trace_render import _WB, _Transfer, sup

_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[a4paper,margin=2cm]{geometry}
\usepackage{amsmath}
\usepackage{amssymb}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\begin{document}
"""
_END = "\\end{document}\n"


def round_to(values, decimals: int) -> np.ndarray:
    """``values`` rounded to ``decimals`` digits as by hand.

    Each entry is read as the decimal number it stands for (its first 12
    significant digits, which drops the float's binary noise: ``0.3 * 0.25``
    is 0.075) and rounded half away from zero, as a calculator does:
    0.075 -> 0.08, -0.075 -> -0.08, 0.125 -> 0.13 (``format`` would give
    0.07, -0.07 and 0.12, from the binary values or half to even); a value
    that rounds to zero is 0, never -0. The key's
    printed numbers, its JSON and the carried computation all use it.
    """
    step = Decimal(1).scaleb(-decimals)
    # room for every digit of the largest float to 16 decimals
    context = Context(prec=400, rounding=ROUND_HALF_UP)

    def one(v: float) -> float:
        if not math.isfinite(v):
            return v
        # + 0.0: a value that rounds to zero is 0, not -0 (-0.3 -> 0, not -0)
        return float(Decimal(f"{v:.12g}").quantize(step, context=context)) + 0.0

    array = np.asarray(values, dtype=np.float64)
    flat = [one(float(v)) for v in array.ravel()]
    return np.array(flat, dtype=np.float64).reshape(array.shape)


# -- the three documents ---------------------------------------------------------
def questions(ex, fmt: str) -> str:
    """The question sheet of :class:`Exercise` ``ex`` in ``fmt``."""
    if fmt == "json":
        return json.dumps(questions_dict(ex), indent=2)
    return _document(fmt, [_question_body(ex, fmt)])


def answers(ex, fmt: str) -> str:
    """The answer key of ``ex`` in ``fmt``."""
    if fmt == "json":
        return json.dumps(answers_dict(ex), indent=2)
    return _document(fmt, [_answer_body(ex, fmt)])


def both(ex, fmt: str) -> str:
    """Questions, then the key (LaTeX: one document, the key on a new page)."""
    if fmt == "json":
        return json.dumps(ex.to_dict(), indent=2)
    return _document(fmt, [_question_body(ex, fmt), _answer_body(ex, fmt)])


def _document(fmt: str, bodies: list[str]) -> str:
    if fmt == "latex":
        return _PREAMBLE + "\n\\newpage\n".join(bodies) + "\n" + _END
    separator = "\n\n---\n\n" if fmt == "markdown" else "\n\n"
    return separator.join(bodies) + "\n"


def _heading(text: str, fmt: str, level: int = 1) -> str:
    if fmt == "latex":
        command = "section" if level == 1 else "subsection"
        return rf"\{command}*{{{trace_doc._escape(text)}}}"
    if fmt == "markdown":
        return f"{'#' * level} {text}"
    return text.upper() if level == 1 else text


def _paragraph(text: str, latex: str, fmt: str) -> str:
    if fmt == "text":
        return textwrap.fill(text, 88)
    return latex


# -- the question sheet ----------------------------------------------------------
def _question_body(ex, fmt: str) -> str:
    s = ex.settings
    intro, intro_tex = exercise_text.describe(ex)
    digits = _given_decimals(ex)
    given = trace_doc.write(_given_items(ex), fmt, digits)
    lines = [_heading(s["title"], fmt), _paragraph(intro, intro_tex, fmt), given]
    lines.append(_heading("Questions", fmt, 2))
    items = exercise_text.questions(ex)
    if fmt == "latex":
        body = "\n".join(rf"\item {latex}" for _, latex in items)
        lines.append(f"\\begin{{enumerate}}\n{body}\n\\end{{enumerate}}")
    elif fmt == "markdown":
        lines.append(
            "\n".join(f"{i}. {latex}" for i, (_, latex) in enumerate(items, 1))
        )
    else:
        lines.append(
            "\n".join(
                textwrap.fill(
                    text, 88, initial_indent=f"{i}. ", subsequent_indent="   "
                )
                for i, (text, _) in enumerate(items, 1)
            )
        )
    return "\n\n".join(lines)


def _given_items(ex) -> list:
    s, trace = ex.settings, ex.trace
    items: list = [Heading("Given")]
    if s["notation"] == "transfer":
        x = Sym("x^(0)", r"\mathbf{x}^{(0)}")
        items.append(Eq([x, trace_doc.per_sample(ex.X, prepend=1.0)]))
        for i, t in enumerate(trace.layers):
            T = Sym(f"W^({i})", rf"\mathbb{{W}}^{{({i})}}")
            items.append(Eq([T, trace_doc.transfer(t.b, t.W)]))
        rate = Sym("rho", r"\rho")
    else:
        items.append(Eq([sup("a", 0), Sym("x", "x"), trace_doc.per_sample(ex.X)]))
        for t in trace.layers:
            items.append(Eq([sup("W", t.index), trace_doc.matrix(t.W)]))
            items.append(Eq([sup("b", t.index), trace_doc.column(t.b)]))
        rate = Sym("eta", r"\eta")
    items.append(Eq([Sym("y", "y"), trace_doc.per_sample(ex.Y)]))
    items.append(Eq([rate, trace_doc.scalar(ex.lr)]))
    return items


def _given_decimals(ex) -> int:
    """The fewest decimals (1 to 16) that write every given number exactly."""
    values = np.concatenate(
        [ex.X.ravel(), ex.Y.ravel(), [ex.lr]]
        + [np.concatenate([t.W.ravel(), t.b.ravel()]) for t in ex.trace.layers]
    )
    for digits in range(1, 17):
        if all(float(f"{v:.{digits}f}") == v for v in values):
            return digits
    return 16


# -- the answer key ---------------------------------------------------------------
def _answer_body(ex, fmt: str) -> str:
    s = ex.settings
    text = (
        f"Every number is glassnet's own training step (forward, loss, "
        f"backpropagation, SGD update), checked against central differences, "
        f"written to {s['decimals']} decimals."
    )
    if ex.carried is not None:
        where = "follows it" if fmt == "text" else "is set small beneath it"
        text += (
            f" Where rounding every intermediate result to {s['decimals']} decimals "
            f"and computing on gives another number, that carried number {where}, "
            "in parentheses."
        )
    items = key_items(ex)
    if fmt == "text":
        body = _CarryText(s["decimals"]).write(items)
    elif fmt == "latex":
        body = _CarryLatex(s["decimals"]).write(items)
    else:
        body = _CarryMarkdown(s["decimals"]).write(items)
    return "\n\n".join(
        [
            _heading(f"Answer key: {s['title']}", fmt),
            _paragraph(text, trace_doc._escape(text), fmt),
            body,
        ]
    )


def key_items(ex) -> list:
    """The trace's layout in the exercise's notation, cut to the parts asked;
    with a carried trace, value cells are ``(value, marked, carried)``."""
    layout = _Transfer if ex.notation == "transfer" else _WB
    items = _rounded(layout(ex.trace, ex.decimals).build(), ex.decimals)
    if ex.carried is not None:
        carried = _rounded(layout(ex.carried, ex.decimals).build(), ex.decimals)
        items = _merge(items, carried)
    return _select(items, set(ex.parts))


def _rounded(items: list, decimals: int) -> list:
    """Every value cell rounded by :func:`round_to`, so that the writers,
    which print a float's binary value, print the key's own rounding."""

    def cells(mat: Mat) -> Mat:
        return Mat(
            [
                [
                    (float(round_to(c[0], decimals)), *c[1:])
                    if isinstance(c, tuple)
                    else c
                    for c in row
                ]
                for row in mat.rows
            ]
        )

    return [
        Eq([cells(p) if isinstance(p, Mat) else p for p in item.parts], item.relation)
        if isinstance(item, Eq)
        else item
        for item in items
    ]


_GIVEN = re.compile(r"(a\^\(0\)|x\^\(0\)|[Wb]\^\(\d+\)|y)")
_SECTIONS = {"Forward pass": "forward", "Backward pass": "backward"}


def _part_of(section: str | None, item) -> str | None:
    """Which part an item of the trace's layout answers (None: not a part)."""
    if section is None:
        return None
    if isinstance(item, Para):
        return "deltas" if section == "backward" else None
    lhs = item.parts[0].text
    if section == "forward":
        if lhs.startswith("loss"):
            return "loss"
        return None if _GIVEN.fullmatch(lhs) else "forward"
    if section == "backward":
        return "gradients" if lhs.startswith(("dC/dW", "dC/db", "nabla")) else "deltas"
    return "new_prediction" if "after the update" in lhs else "update"


def _select(items: list, parts: set) -> list:
    selected, section, heading = [], None, None
    for item in items:
        if isinstance(item, Heading):
            section = _SECTIONS.get(item.text)
            if item.text.startswith("Update"):
                section = "update"
            heading = item
            continue
        if _part_of(section, item) in parts:
            if heading is not None:
                selected.append(heading)
                heading = None
            selected.append(item)
    return selected


def _merge(exact: list, carried: list) -> list:
    """Items of ``exact`` whose value cells also carry ``carried``'s value."""
    merged = []
    for e, c in zip(exact, carried, strict=True):
        if isinstance(e, Eq):
            parts = [
                _merge_cells(p, q) if isinstance(p, Mat) else p
                for p, q in zip(e.parts, c.parts, strict=True)
            ]
            e = Eq(parts, e.relation)
        merged.append(e)
    return merged


def _merge_cells(exact: Mat, carried: Mat) -> Mat:
    rows = []
    for row, other in zip(exact.rows, carried.rows, strict=True):
        rows.append(
            [
                (*cell, other_cell[0]) if isinstance(cell, tuple) else cell
                for cell, other_cell in zip(row, other, strict=True)
            ]
        )
    return Mat(rows)


class _CarriedCells:
    """A writer mixin: ``(value, marked, carried)`` cells show both values
    where they print differently."""

    def cell(self, cell) -> str:
        if isinstance(cell, tuple) and len(cell) == 3:
            value, marked, carried = cell
            shown = super().cell((value, marked))
            if self.number(carried) == self.number(value):
                return shown
            return self.both(shown, super().cell((carried, False)))
        return super().cell(cell)


class _CarryText(_CarriedCells, trace_doc._Text):
    def both(self, shown: str, carried: str) -> str:
        return f"{shown} (carried: {carried})"


class _CarryLatex(_CarriedCells, trace_doc._Latex):
    def write(self, items: list) -> str:
        """As the trace's LaTeX, but a sentence is a paragraph between
        ``align*`` blocks, where it wraps, not a ``\\text`` line that cannot."""
        blocks, chunk = [], []
        for item in [*items, None]:
            if item is not None and not isinstance(item, Para):
                chunk.append(item)
                continue
            if chunk:
                blocks.append(super().write(chunk))
                chunk = []
            if item is not None and item.text:
                # (an exercise has no corrections to mark with a dagger)
                blocks.append(trace_doc._escape(item.text))
        return "\n\n".join(blocks)

    def both(self, shown: str, carried: str) -> str:
        # the carried value, small and in parentheses under the exact one
        # (the key's first paragraph says so): matrices stay narrow
        return rf"\underset{{({carried})}}{{{shown}}}"


class _CarryMarkdown(_CarriedCells, trace_doc._Markdown):
    both = _CarryLatex.both


# -- JSON ----------------------------------------------------------------------------
def questions_dict(ex) -> dict:
    """The settings, the given numbers (per-sample arrays (n_samples, n_units),
    ``W`` (n_out, n_in)) and the questions' text."""
    s = ex.settings
    given = {
        "input": ex.X.tolist(),
        "target": ex.Y.tolist(),
        "W": [t.W.tolist() for t in ex.trace.layers],
        "b": [t.b.tolist() for t in ex.trace.layers],
        "lr": ex.lr,
    }
    if s["notation"] == "transfer":
        given["transfer"] = [t.transfer_matrix.tolist() for t in ex.trace.layers]
    return {
        "format": "glassnet-exercise-questions",
        "format_version": 1,
        "title": s["title"],
        "settings": dict(s),
        "given": given,
        "questions": [
            {"part": part, "text": text}
            for part, (text, _) in zip(
                ex.parts, exercise_text.questions(ex), strict=True
            )
        ],
    }


def answers_dict(ex) -> dict:
    """The key's numbers rounded to ``decimals`` (and the carried ones), and
    the full trace (every digit). Per-sample arrays are (n_samples, n_units)."""
    s = ex.settings
    return {
        "format": "glassnet-exercise-answers",
        "format_version": 1,
        "title": s["title"],
        "settings": dict(s),
        "answers": key_values(ex.trace, ex.parts, s["notation"], s["decimals"]),
        "carried": None
        if ex.carried is None
        else key_values(ex.carried, ex.parts, s["notation"], s["decimals"]),
        "trace": ex.trace.to_dict(notation=s["notation"]),
    }


def key_values(trace, parts, notation: str, decimals: int) -> dict:
    """Each part's numbers from ``trace``, rounded to ``decimals``."""

    def r(values):
        return None if values is None else round_to(values, decimals).tolist()

    transfer = notation == "transfer"
    per_layer = {
        "forward": lambda t: {"z": r(t.z), "a": r(t.a)},
        "deltas": lambda t: {"delta": r(t.delta), "psi": r(t.psi)},
        "gradients": lambda t: {
            "dW": r(t.dW),
            "db": r(t.db),
            **({"transfer_gradient": r(t.transfer_gradient)} if transfer else {}),
        },
        "update": lambda t: {
            "W": r(t.W_new),
            "b": r(t.b_new),
            **({"transfer_matrix": r(t.new_transfer_matrix)} if transfer else {}),
        },
    }
    values = {}
    for part in parts:
        if part == "loss":
            values[part] = r(trace.loss)
        elif part == "new_prediction":
            values[part] = {"output": r(trace.new_output), "loss": r(trace.new_loss)}
        else:
            values[part] = [
                {"layer": t.index, **per_layer[part](t)} for t in trace.layers
            ]
    return values
