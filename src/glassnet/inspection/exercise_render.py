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
import re
import textwrap

import numpy as np

from glassnet.inspection import trace_doc
from glassnet.inspection.trace_doc import Eq, Heading, Mat, Para, Sym
from glassnet.inspection.trace_render import _WB, _Transfer, sup

_ACTIVATION_NAMES = {
    "sigmoid": "logistic sigmoid",
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": "leaky ReLU (slope 0.01 below 0)",
    "identity": "identity",
    "softmax": "softmax",
}
_LOSS_NAMES = {
    "binary_cross_entropy": "binary cross-entropy (neg-log-loss)",
    "cross_entropy": "cross-entropy",
    "mse": "mean squared error",
    "sse": "sum of squared errors",
}
# C as a mean over the batch, as glassnet trains: (text, LaTeX), with the
# output written "a" (a^(L), or y_hat in lecture 002's notation).
_LOSS_FORMULAS = {
    "binary_cross_entropy": (
        "-1/(n k) sum_i sum_j [y_ij ln {a}_ij + (1 - y_ij) ln(1 - {a}_ij)]",
        r"-\frac{{1}}{{n k}} \sum_{{i=1}}^{{n}} \sum_{{j=1}}^{{k}} \left[y_{{ij}} "
        r"\ln {a}_{{ij}} + (1 - y_{{ij}}) \ln\left(1 - {a}_{{ij}}\right)\right]",
    ),
    "cross_entropy": (
        "-1/n sum_i sum_j y_ij ln {a}_ij",
        r"-\frac{{1}}{{n}} \sum_{{i=1}}^{{n}} \sum_{{j=1}}^{{k}} y_{{ij}} "
        r"\ln {a}_{{ij}}",
    ),
    "mse": (
        "1/(n k) sum_i sum_j ({a}_ij - y_ij)^2",
        r"\frac{{1}}{{n k}} \sum_{{i=1}}^{{n}} \sum_{{j=1}}^{{k}} "
        r"\left({a}_{{ij}} - y_{{ij}}\right)^2",
    ),
    "sse": (
        "1/n sum_i sum_j ({a}_ij - y_ij)^2",
        r"\frac{{1}}{{n}} \sum_{{i=1}}^{{n}} \sum_{{j=1}}^{{k}} "
        r"\left({a}_{{ij}} - y_{{ij}}\right)^2",
    ),
}
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
    """``values`` rounded to ``decimals`` digits as they are printed.

    Each entry goes through Python's ``format(v, ".{decimals}f")`` (correct
    rounding of the float's exact value, half to even), so the carried
    number is the one a student reads off the printed key.
    """
    array = np.asarray(values, dtype=np.float64)
    flat = [float(f"{v:.{decimals}f}") for v in array.ravel()]
    return np.array(flat, dtype=np.float64).reshape(array.shape)


# -- the three documents ---------------------------------------------------------
def questions(ex, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(questions_dict(ex), indent=2)
    return _document(fmt, [_question_body(ex, fmt)])


def answers(ex, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(answers_dict(ex), indent=2)
    return _document(fmt, [_answer_body(ex, fmt)])


def both(ex, fmt: str) -> str:
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
    intro, intro_tex = _description(ex)
    digits = _given_decimals(ex)
    given = trace_doc.write(_given_items(ex), fmt, digits)
    lines = [_heading(s["title"], fmt), _paragraph(intro, intro_tex, fmt), given]
    lines.append(_heading("Questions", fmt, 2))
    items = _questions(ex)
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


def _description(ex) -> tuple[str, str]:
    s = ex.settings
    sizes = "-".join(map(str, s["layers"]))
    hidden = _ACTIVATION_NAMES[s["activation"]]
    out = _ACTIVATION_NAMES[s["output"]]
    n = s["batch"]
    samples = (
        "one sample"
        if n == 1
        else f"a batch of {n} samples (one column per sample; the loss is the "
        "mean over the batch)"
    )
    units = f"{hidden} hidden units, " if len(s["layers"]) > 2 else ""
    text = (
        f"A {sizes} network ({units}{out} output), loss "
        f"{_LOSS_NAMES[s['loss']]}, {samples}, one step of gradient descent."
    )
    if s["notation"] == "transfer":
        text += (
            " Transfer matrices hold the biases in row 0 and one column per "
            "neuron; every non-output x starts with the bias input 1."
        )
    if s["rounding"] == "carry":
        text += (
            f" Round every result to {s['decimals']} decimals and compute on "
            "with the rounded value."
        )
    else:
        text += (
            f" Give every result to {s['decimals']} decimals (compute with the "
            "unrounded values)."
        )
    return text, trace_doc._escape(text)


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


#: psi of lecture 002 (the derivative written with the output x), by activation.
_PSI = {
    "sigmoid": ("psi(x) = x (1 - x)", r"$\psi(x) = x (1 - x)$"),
    "tanh": ("psi(x) = 1 - x^2", r"$\psi(x) = 1 - x^2$"),
    "relu": ("1 where x > 0, else 0", r"1 where $x > 0$, else 0"),
    "leaky_relu": ("1 where x > 0, else 0.01", r"1 where $x > 0$, else 0.01"),
    "identity": ("1", "1"),
}


def _plural(count: int, noun: str) -> str:
    return noun if count == 1 else f"{noun}s"


def _questions(ex) -> list[tuple[str, str]]:
    """(text, LaTeX-with-$-math) of each question asked, in order."""
    s = ex.settings
    L = len(s["layers"]) - 1
    lr = f"{ex.lr:g}"
    if s["notation"] == "transfer":
        a_text, a_tex, C = "y_hat", r"\hat{y}", "J"
    else:
        a_text, a_tex, C = f"a^({L})", rf"a^{{({L})}}", "C"
    f_text, f_tex = _LOSS_FORMULAS[s["loss"]]
    loss_text = f"{C} = " + f_text.format(a=a_text)
    loss_tex = f"{C} = " + f_tex.format(a=a_tex)
    k, n = s["layers"][-1], s["batch"]
    samples, outputs = _plural(n, "sample"), _plural(k, "output")
    psi_text, psi_tex = _PSI[s["activation"]]
    wb = {
        "forward": (
            f"Forward pass: for l = 1 to {L} compute z^(l) = W^(l) a^(l-1) + "
            "b^(l) and a^(l) = phi(z^(l)), with a^(0) = x.",
            rf"Forward pass: for $l = 1$ to ${L}$ compute $z^{{(l)}} = W^{{(l)}} "
            r"a^{(l-1)} + b^{(l)}$ and $a^{(l)} = \phi\left(z^{(l)}\right)$, with "
            "$a^{(0)} = x$.",
        ),
        "deltas": (
            f"Deltas: compute delta^(l) = dC/dz^(l), first delta^({L}) from the "
            "loss, then delta^(l) = (W^(l+1)T delta^(l+1)) o phi'(z^(l)) down to "
            "l = 1.",
            rf"Deltas: compute $\delta^{{(l)}} = \partial C / \partial z^{{(l)}}$, "
            rf"first $\delta^{{({L})}}$ from the loss, then $\delta^{{(l)}} = "
            r"\left(W^{(l+1)T} \delta^{(l+1)}\right) \circ \phi'\left(z^{(l)}"
            r"\right)$ down to $l = 1$.",
        ),
        "gradients": (
            "Gradients: compute dC/dW^(l) = delta^(l) a^(l-1)T and dC/db^(l) = "
            "delta^(l) (summed over the samples) for every layer.",
            r"Gradients: compute $\partial C / \partial W^{(l)} = \delta^{(l)} "
            r"a^{(l-1)T}$ and $\partial C / \partial b^{(l)} = \delta^{(l)}$ "
            "(summed over the samples) for every layer.",
        ),
        "update": (
            f"Update: one gradient-descent step with eta = {lr}: W^(l) <- W^(l) - "
            "eta dC/dW^(l) and b^(l) <- b^(l) - eta dC/db^(l).",
            rf"Update: one gradient-descent step with $\eta = {lr}$: $W^{{(l)}} "
            r"\leftarrow W^{(l)} - \eta\, \partial C / \partial W^{(l)}$ and "
            r"$b^{(l)} \leftarrow b^{(l)} - \eta\, \partial C / \partial b^{(l)}$.",
        ),
        "new_prediction": (
            f"New prediction: with the updated parameters, compute a^({L}) and "
            "the loss C again.",
            rf"New prediction: with the updated parameters, compute $a^{{({L})}}$ "
            "and the loss $C$ again.",
        ),
    }
    transfer = {
        "forward": (
            f"Forward pass: for l = 0 to {L - 1} compute x^(l+1)_[1+] = "
            f"phi(W^(l)T x^(l)) (prepend the bias input 1 to every non-output "
            f"x); the output is y_hat = x^({L}).",
            rf"Forward pass: for $l = 0$ to ${L - 1}$ compute "
            r"$\mathbf{x}^{(l+1)}_{[1+]} = \phi\left(\mathbb{W}^{(l)T} "
            r"\mathbf{x}^{(l)}\right)$ (prepend the bias input 1 to every "
            rf"non-output $\mathbf{{x}}$); the output is $\hat{{y}} = "
            rf"\mathbf{{x}}^{{({L})}}$.",
        ),
        "deltas": (
            f"Deltas: compute delta^({L}) at the output, then delta^(l) = "
            "psi(x^(l)) o (W^(l) delta^(l+1)_[1+]) down to l = 1 (psi is the "
            f"derivative written with the output: {psi_text}).",
            rf"Deltas: compute $\delta^{{({L})}}$ at the output, then "
            r"$\delta^{(l)} = \psi\left(\mathbf{x}^{(l)}\right) \circ "
            r"\left(\mathbb{W}^{(l)} \delta^{(l+1)}_{[1+]}\right)$ down to $l = 1$ "
            r"($\psi$ is the derivative written with the output: "
            f"{psi_tex}).",
        ),
        "gradients": (
            "Gradients: compute nabla^(l) = x^(l) (delta^(l+1)_[1+])T for every "
            "transfer matrix.",
            r"Gradients: compute $\nabla^{(l)} = \mathbf{x}^{(l)} "
            r"\left(\delta^{(l+1)}_{[1+]}\right)^T$ for every transfer matrix.",
        ),
        "update": (
            f"Update: one gradient-descent step with rho = {lr}: W^(l) <- W^(l) - "
            "rho nabla^(l).",
            rf"Update: one gradient-descent step with $\rho = {lr}$: "
            r"$\mathbb{W}^{(l)} \leftarrow \mathbb{W}^{(l)} - \rho \nabla^{(l)}$.",
        ),
        "new_prediction": (
            f"New prediction: with the updated matrices, compute y_hat = x^({L}) "
            "and the loss J again.",
            r"New prediction: with the updated matrices, compute $\hat{y} = "
            rf"\mathbf{{x}}^{{({L})}}$ and the loss $J$ again.",
        ),
    }
    table = transfer if s["notation"] == "transfer" else wb
    table["loss"] = (
        f"Loss: compute {loss_text} (n = {n} {samples}, k = {k} {outputs}).",
        rf"Loss: compute ${loss_tex}$ ($n = {n}$ {samples}, $k = {k}$ {outputs}).",
    )
    return [table[part] for part in ex.parts]


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
    items = layout(ex.trace, ex.decimals).build()
    if ex.carried is not None:
        items = _merge(items, layout(ex.carried, ex.decimals).build())
    return _select(items, set(ex.parts))


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
            for part, (text, _) in zip(ex.parts, _questions(ex), strict=True)
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
