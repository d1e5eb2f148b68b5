"""The pieces a trace is laid out with, and the three writers.

A layout is a list of items -- :class:`Heading`, :class:`Para` and
:class:`Eq` (``lhs = formula = value``), whose parts are symbols
(:class:`Sym`, as plain text and LaTeX) and values (:class:`Mat`, a grid of
numbers cut to their first and last entries along long axes). The writers
turn such a list into plain text, Markdown (with LaTeX math blocks) or a
LaTeX ``align*`` environment.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import numpy as np

# Arrays longer than THRESHOLD along an axis show EDGE entries at each end.
THRESHOLD = 10
EDGE = 3
MARK_TEXT = "\u2020"  # dagger: a number that corrects the printed example
MARK_LATEX = r"^{\dagger}"


# -- the document --------------------------------------------------------------
@dataclass(frozen=True)
class Sym:
    """A symbol or formula, as plain text and as LaTeX.

    Parameters
    ----------
    text : str
        Plain-text form, e.g. ``"z^(1)"``.
    latex : str
        LaTeX form, e.g. ``"z^{(1)}"``.
    """

    text: str
    latex: str


@dataclass(frozen=True)
class Mat:
    """A grid of cells: ``(value, marked)`` pairs or ellipsis tokens.

    Parameters
    ----------
    rows : list of list
        The rows; a cell is a ``(float, bool)`` pair (``bool``: marked with
        the dagger) or one of ``H_DOTS``, ``V_DOTS``, ``D_DOTS``.
    """

    rows: list[list]


@dataclass(frozen=True)
class Eq:
    """``parts[0] relation parts[1] = parts[2] = ...``.

    Parameters
    ----------
    parts : list of Sym or Mat
        The left-hand side, then each formula and value.
    relation : Sym, default ``Sym("=", "=")``
        Between the first two parts (``ASSIGN`` for an update).
    """

    parts: list
    relation: Sym = field(default_factory=lambda: Sym("=", "="))


@dataclass(frozen=True)
class Heading:
    """A heading of the layout.

    Parameters
    ----------
    text : str
        Its words.
    level : int, default 3
        Markdown level; level 2 or less is upper case in plain text.
    """

    text: str
    level: int = 3


@dataclass(frozen=True)
class Para:
    """A paragraph of prose (wrapped at 88 columns in plain text).

    Parameters
    ----------
    text : str
        Its words.
    """

    text: str


ASSIGN = Sym("<-", r"\leftarrow")
H_DOTS, V_DOTS, D_DOTS = "hdots", "vdots", "ddots"


# -- values --------------------------------------------------------------------
def _grid(display: np.ndarray, marks: set) -> Mat:
    """A 2-D array as cells, long axes cut to their first and last EDGE entries."""
    n_rows, n_cols = display.shape
    rows_idx = _shown(n_rows)
    cols_idx = _shown(n_cols)
    rows = []
    for r in rows_idx:
        row = []
        for c in cols_idx:
            if r is None and c is None:
                row.append(D_DOTS)
            elif r is None:
                row.append(V_DOTS)
            elif c is None:
                row.append(H_DOTS)
            else:
                row.append((float(display[r, c]), (r, c) in marks))
        rows.append(row)
    return Mat(rows)


def _shown(n: int) -> list:
    if n <= THRESHOLD:
        return list(range(n))
    return [*range(EDGE), None, *range(n - EDGE, n)]


def per_sample(arr: np.ndarray, marks=(), prepend: float | None = None) -> Mat:
    """(n_samples, n_units) as units x samples, optionally with a first row.

    Parameters
    ----------
    arr : ndarray of shape (n_samples, n_units)
        Per-sample values (``z``, ``a``, ``delta``).
    marks : iterable of (int, int), default ()
        ``(sample, unit)`` entries to mark with the dagger.
    prepend : float, optional
        A first row of this value (lecture 002's bias input 1).

    Returns
    -------
    Mat
        One column per sample.
    """
    display = np.asarray(arr, dtype=float).T
    shift = 0
    if prepend is not None:
        display = np.vstack([np.full((1, display.shape[1]), prepend), display])
        shift = 1
    return _grid(display, {(k + shift, s) for s, k in marks})


def matrix(arr: np.ndarray, marks=()) -> Mat:
    """A 2-D array as it is.

    Parameters
    ----------
    arr : ndarray of shape (n_rows, n_cols)
        E.g. a weight matrix ``W`` of shape (n_out, n_in).
    marks : iterable of (int, int), default ()
        ``(row, col)`` entries to mark with the dagger.

    Returns
    -------
    Mat
        Long axes cut to their first and last entries.
    """
    return _grid(np.asarray(arr, dtype=float), set(marks))


def column(vec: np.ndarray, marks=()) -> Mat:
    """A vector as a column.

    Parameters
    ----------
    vec : ndarray of shape (n,)
        E.g. a bias ``b``.
    marks : iterable of (int,), default ()
        Entries to mark with the dagger.

    Returns
    -------
    Mat
        One column of ``n`` rows.
    """
    return _grid(np.asarray(vec, dtype=float)[:, None], {(k, 0) for (k,) in marks})


def transfer(b: np.ndarray, W: np.ndarray, marks_b=(), marks_W=()) -> Mat:
    """Lecture 002's ``[b; W^T]``: W[k, j] sits at row j + 1, column k.

    Parameters
    ----------
    b : ndarray of shape (n_out,)
        Biases (row 0).
    W : ndarray of shape (n_out, n_in)
        Weights (rows 1 to n_in, transposed).
    marks_b : iterable of (int,), default ()
        Bias entries to mark with the dagger.
    marks_W : iterable of (int, int), default ()
        ``(k, j)`` weight entries to mark.

    Returns
    -------
    Mat
        The transfer matrix, shape (n_in + 1, n_out).
    """
    display = np.vstack([np.asarray(b, dtype=float)[None, :], np.asarray(W).T])
    marks = {(0, k) for (k,) in marks_b} | {(j + 1, k) for k, j in marks_W}
    return _grid(display, marks)


def scalar(value: float) -> Mat:
    """One number.

    Parameters
    ----------
    value : float
        The number.

    Returns
    -------
    Mat
        A 1 x 1 grid.
    """
    return Mat([[(float(value), False)]])


# -- writers -------------------------------------------------------------------
class _Writer:
    def __init__(self, precision: int):
        self.precision = precision

    def number(self, value: float) -> str:
        """Fixed point, or scientific where fixed point would hide the value."""
        p = self.precision
        if value == 0:
            value = 0.0  # not "-0.000": a zero has no sign to show
        if value == 0 or (10.0**-p <= abs(value) < 1e6) or not np.isfinite(value):
            return f"{value:.{p}f}"
        return f"{value:.{max(p - 1, 1)}e}"


class _Text(_Writer):
    def write(self, items: list) -> str:
        lines = []
        for item in items:
            if isinstance(item, Heading):
                if lines:
                    lines.append("")
                lines.append(item.text if item.level > 2 else item.text.upper())
            elif isinstance(item, Para):
                if item.text:
                    lines.append(
                        textwrap.fill(
                            item.text, 88, initial_indent="  ", subsequent_indent="  "
                        )
                    )
            else:
                lines += self.equation(item)
        return "\n".join(lines)

    def cell(self, cell) -> str:
        if isinstance(cell, str):
            return {H_DOTS: "...", V_DOTS: ":", D_DOTS: "."}[cell]
        value, marked = cell
        return self.number(value) + (MARK_TEXT if marked else "")

    def inline(self, mat: Mat) -> str | None:
        """One line for a scalar, a row or a column (written as a row with ^T)."""
        rows = [[self.cell(c) for c in row] for row in mat.rows]
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        if len(rows) == 1:
            return "[" + ", ".join(rows[0]) + "]"
        if all(len(r) == 1 for r in rows):
            entries = ["..." if r[0] == self.cell(V_DOTS) else r[0] for r in rows]
            return "[" + ", ".join(entries) + "]^T"
        return None

    def block(self, mat: Mat) -> list[str]:
        rows = [[self.cell(c) for c in row] for row in mat.rows]
        widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
        return [
            "[" + "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) + "]"
            for r in rows
        ]

    def equation(self, eq: Eq) -> list[str]:
        texts = []
        for part in eq.parts:
            if isinstance(part, Sym):
                texts.append(part.text)
            else:
                inline = self.inline(part)
                texts.append(inline if inline is not None else self.block(part))
        head = f"  {texts[0]} {eq.relation.text} "
        lines, current = [], head
        for i, text in enumerate(texts[1:]):
            joint = "" if i == 0 else " = "
            if isinstance(text, list):
                pad = " " * len(current + joint)
                lines.append(current + joint + text[0])
                lines += [pad + row for row in text[1:]]
                current = pad
            else:
                current += joint + text
        if current.strip():
            lines.append(current)
        return lines


class _Latex(_Writer):
    def number(self, value: float) -> str:
        text = super().number(value)
        if "e" in text:
            mantissa, exponent = text.split("e")
            text = rf"{mantissa} \times 10^{{{int(exponent)}}}"
        return text

    def cell(self, cell) -> str:
        if isinstance(cell, str):
            return {H_DOTS: r"\cdots", V_DOTS: r"\vdots", D_DOTS: r"\ddots"}[cell]
        value, marked = cell
        return self.number(value) + (MARK_LATEX if marked else "")

    def value(self, mat: Mat) -> str:
        rows = [[self.cell(c) for c in row] for row in mat.rows]
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        body = r" \\ ".join(" & ".join(row) for row in rows)
        return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"

    def equation(self, eq: Eq) -> str:
        parts = [p.latex if isinstance(p, Sym) else self.value(p) for p in eq.parts]
        return f"{parts[0]} &{eq.relation.latex} " + " = ".join(parts[1:])

    def write(self, items: list) -> str:
        lines = []
        for item in items:
            if isinstance(item, Heading):
                lines.append(rf"&\textbf{{{_escape(item.text)}}}")
            elif isinstance(item, Para):
                if item.text:
                    lines.append(rf"&\text{{{_escape(item.text)}}}")
            else:
                lines.append(self.equation(item))
        body = " \\\\\n".join(lines)
        return f"\\begin{{align*}}\n{body}\n\\end{{align*}}"


class _Markdown(_Latex):
    def write(self, items: list) -> str:
        out, block = [], []

        def flush():
            if block:
                body = " \\\\\n".join(block)
                out.append(f"$$\n\\begin{{aligned}}\n{body}\n\\end{{aligned}}\n$$")
                block.clear()

        for item in items:
            if isinstance(item, Heading):
                flush()
                out.append(f"{'#' * item.level} {item.text}")
            elif isinstance(item, Para):
                flush()
                if item.text:
                    out.append(item.text.replace(MARK_TEXT, r"$^{\dagger}$"))
            else:
                block.append(self.equation(item))
        flush()
        return "\n\n".join(out)


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "_": r"\_",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "{": r"\{",
    "}": r"\}",
    "^": r"\^{}",
    "~": r"\~{}",
}


def _escape(text: str) -> str:
    escaped = "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)
    return escaped.replace(MARK_TEXT, r"}^{\dagger}\text{")


def write(items: list, fmt: str, precision: int) -> str:
    """``items`` as ``fmt``: "text", "markdown" or "latex".

    Parameters
    ----------
    items : list of Heading, Para or Eq
        The layout.
    fmt : {"text", "markdown", "latex"}
        The output format.
    precision : int
        Decimals of every number.

    Returns
    -------
    str
        The document.
    """
    writer = {"text": _Text, "markdown": _Markdown, "latex": _Latex}[fmt]
    return writer(precision).write(items)
