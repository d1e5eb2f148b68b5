"""Lay a :class:`~glassnet.inspection.trace.Trace` out in lecture notation.

The layout is built once as a short list of items -- headings, sentences and
equations ``lhs = formula = value`` -- and then written as plain text,
Markdown or LaTeX. Per-sample vectors are columns, one column per sample, as
the lectures write them (glassnet stores samples as rows).

Two notations:

* ``"wb"`` (lectures 001, 003, 004): ``z^(l) = W^(l) a^(l-1) + b^(l)``,
  ``a^(l) = phi(z^(l))``, ``delta^(l) = dC/dz^(l)``,
  ``dC/dW^(l) = delta^(l) a^(l-1)T``;
* ``"transfer"`` (lecture 002): ``x^(l+1)_[1+] = phi(W^(l)T x^(l))`` with a
  bias 1 prepended to every non-output ``x``, transfer matrices with the
  bias in row 0, ``delta^(l) = psi(x^(l)) o (W^(l) delta^(l+1)_[1+])`` with
  the placeholder ``delta_0 = 0``, and ``nabla^(l) = x^(l) (delta^(l+1)_[1+])T``.
"""

from __future__ import annotations

import numpy as np

from glassnet.inspection.trace_doc import (
    ASSIGN,
    MARK_TEXT,
    Eq,
    Heading,
    Mat,
    Para,
    Sym,
    column,
    matrix,
    per_sample,
    scalar,
    transfer,
    write,
)


def render(trace, fmt: str, notation: str, precision: int) -> str:
    """The trace in ``fmt`` ("text", "markdown" or "latex").

    Parameters
    ----------
    trace : Trace
        The traced step.
    fmt : {"text", "markdown", "latex"}
        The output format.
    notation : {"wb", "transfer"}
        Weight matrices and biases, or lecture 002's transfer matrices.
    precision : int
        Decimals of every number.

    Returns
    -------
    str
        The rendering (see :meth:`~glassnet.inspection.trace.Trace.render`).
    """
    layout = _WB if notation == "wb" else _Transfer
    return write(layout(trace, precision).build(), fmt, precision)


# -- activations in formulas ---------------------------------------------------
_PHI = {
    "sigmoid": Sym("sigma", r"\sigma"),
    "tanh": Sym("tanh", r"\tanh"),
    "relu": Sym("ReLU", r"\operatorname{ReLU}"),
    "leaky_relu": Sym("LeakyReLU", r"\operatorname{LeakyReLU}"),
    "softmax": Sym("softmax", r"\operatorname{softmax}"),
}


def phi(activation: str, arg: Sym) -> Sym:
    """``phi(arg)``; the identity writes just ``arg``.

    Parameters
    ----------
    activation : str
        The activation's name.
    arg : Sym
        Its argument.

    Returns
    -------
    Sym
        E.g. ``sigma(z^(1))``.
    """
    if activation == "identity":
        return arg
    f = _PHI.get(activation, Sym("phi", r"\phi"))
    return Sym(f"{f.text}({arg.text})", rf"{f.latex}\left({arg.latex}\right)")


def derivative_formula(activation: str, out: Sym, pre: Sym) -> Sym | None:
    """``phi'`` written with the layer's output ``out`` or input ``pre``.

    Parameters
    ----------
    activation : str
        The activation's name.
    out : Sym
        The layer's output ``a``.
    pre : Sym
        Its pre-activation ``z``.

    Returns
    -------
    Sym or None
        ``a o (1 - a)`` for sigmoid, ``1 - a o a`` for tanh, ``1[z > 0]`` for
        ReLU, ``1`` for the identity; None for the others.
    """
    if activation == "sigmoid":
        return Sym(
            f"{out.text} o (1 - {out.text})", rf"{out.latex} \circ (1 - {out.latex})"
        )
    if activation == "tanh":
        return Sym(
            f"1 - {out.text} o {out.text}", rf"1 - {out.latex} \circ {out.latex}"
        )
    if activation == "relu":
        return Sym(f"1[{pre.text} > 0]", rf"\mathbb{{1}}[{pre.latex} > 0]")
    if activation == "identity":
        return Sym("1", "1")
    return None


def parameter_count(trace) -> Eq:
    """Lecture 004's count: ``(n_in + 1) x n_out`` per layer, summed.

    Parameters
    ----------
    trace : Trace
        Its layers' shapes are counted.

    Returns
    -------
    Eq
        ``learnable parameters = (n_in + 1) x n_out + ... = ... = total``.
    """
    shapes = [(t.W.shape[1], t.W.shape[0]) for t in trace.layers]
    sums = " + ".join(f"({i} + 1) x {o}" for i, o in shapes)
    sums_tex = " + ".join(rf"({i} + 1) \times {o}" for i, o in shapes)
    products = " + ".join(f"{i + 1} x {o}" for i, o in shapes)
    products_tex = " + ".join(rf"{i + 1} \times {o}" for i, o in shapes)
    return Eq(
        [
            Sym("learnable parameters", r"\text{learnable parameters}"),
            Sym(sums, sums_tex),
            Sym(products, products_tex),
            Sym(str(trace.n_params), str(trace.n_params)),
        ]
    )


def sup(name: str, layer, latex_name: str | None = None, suffix: str = "") -> Sym:
    """``name^(layer)``, e.g. ``z^(1)``.

    Parameters
    ----------
    name : str
        The symbol, e.g. "z".
    layer : int or str
        The superscript.
    latex_name : str, optional
        The symbol in LaTeX (default: ``name``).
    suffix : str, default ""
        Appended to both forms.

    Returns
    -------
    Sym
        ``name^(layer)suffix`` and ``name^{(layer)}suffix``.
    """
    latex_name = name if latex_name is None else latex_name
    return Sym(f"{name}^({layer}){suffix}", f"{latex_name}^{{({layer})}}{suffix}")


def _loss_sym(trace, output: Sym) -> Sym:
    name = trace.loss_name.replace("_", " ")
    # the cost a regularized network trains on: data loss + weight penalty
    plus = " + R(W)" if trace.penalized else ""
    return Sym(
        f"{name}({output.text}, y){plus}",
        rf"\text{{{name}}}\left({output.latex}, y\right){plus}",
    )


def _plus_penalty(trace, index: int, grad: Sym, weights: Sym) -> Sym:
    """``grad`` + ``dR/dW`` where layer ``index``'s weights are penalized."""
    if index not in trace.penalized:
        return grad
    return Sym(
        f"{grad.text} + dR/d{weights.text}",
        rf"{grad.latex} + \frac{{\partial R}}{{\partial {weights.latex}}}",
    )


def _fused_formula(trace, output: Sym) -> Sym:
    """``c (a^L - y)`` as the loss computed it; ``c`` is 1/n for cross-entropy."""
    c = trace.fused_factor
    base = Sym(f"{output.text} - y", f"{output.latex} - y")
    if np.isclose(c, 1.0):
        return base
    m = round(1.0 / c)
    if np.isclose(c * m, 1.0):
        return Sym(
            f"({base.text}) / {m}", rf"\frac{{1}}{{{m}}}\left({base.latex}\right)"
        )
    return Sym(f"{c:.6g} ({base.text})", rf"{c:.6g}\left({base.latex}\right)")


def _marks(trace, quantity: str, layer: int) -> set:
    return {
        tuple(c.index)
        for c in trace.corrections
        if c.quantity == quantity and c.layer == layer
    }


# -- the two notations ---------------------------------------------------------
class _Layout:
    """What both notations share: title, parameter count, notes, corrections."""

    def __init__(self, trace, precision: int):
        self.trace = trace
        self.precision = precision
        self.layers = trace.layers
        self.n = trace.input.shape[0]

    def header(self) -> list:
        items = [Heading(self.trace.title, 2)] if self.trace.title else []
        sizes = [self.layers[0].W.shape[1], *(t.W.shape[0] for t in self.layers)]
        samples = "one sample" if self.n == 1 else f"{self.n} samples, one column each"
        items.append(
            Para(
                f"Network {'-'.join(map(str, sizes))}, loss {self.trace.loss_name}, "
                f"{samples}."
            )
        )
        items.append(parameter_count(self.trace))
        return items

    def footer(self) -> list:
        items = []
        if self.trace.notes:
            items.append(Heading("Notes"))
            items += [Para(note) for note in self.trace.notes]
        if self.trace.corrections:
            items.append(Heading("Corrections to the printed example"))
            for c in self.trace.corrections:
                value = self.trace.value_of(c)
                items.append(
                    Para(
                        f"{MARK_TEXT} corrected: the printed example shows {c.printed} "
                        f"where the mathematics gives {value:.{self.precision}f}. "
                        f"{c.reason}"
                    )
                )
        return items


class _WB(_Layout):
    """Lectures 001/003/004: ``z = W a + b``, ``a = phi(z)``, ``delta = dC/dz``."""

    def build(self) -> list:
        trace = self.trace
        items = self.header()
        items.append(Heading("Forward pass"))
        previous = None
        for t in self.layers:
            ell, before = t.index, t.index - 1
            if previous is None or previous != before:
                lhs = [sup("a", before)] + ([Sym("x", "x")] if before == 0 else [])
                items.append(Eq([*lhs, per_sample(t.x)]))
            items.append(Eq([sup("W", ell), matrix(t.W, _marks(trace, "W", ell))]))
            items.append(Eq([sup("b", ell), column(t.b, _marks(trace, "b", ell))]))
            formula = Sym(
                f"W^({ell}) a^({before}) + b^({ell})",
                rf"W^{{({ell})}} a^{{({before})}} + b^{{({ell})}}",
            )
            items.append(Eq([sup("z", ell), formula, self._values(t, "z")]))
            items.append(
                Eq(
                    [
                        sup("a", ell),
                        phi(t.activation, sup("z", ell)),
                        self._values(t, "a"),
                    ]
                )
            )
            previous = ell
        out = sup("a", self.layers[-1].index)
        items.append(Eq([Sym("y", "y"), per_sample(trace.targets)]))
        items.append(
            Eq([Sym("loss C", "C"), _loss_sym(trace, out), scalar(trace.loss)])
        )
        items += self.backward()
        items += self.update()
        return items + self.footer()

    def _values(self, t, name: str) -> Mat:
        return per_sample(getattr(t, name), _marks(self.trace, name, t.index))

    def backward(self) -> list:
        items = [Heading("Backward pass")]
        last = self.layers[-1]
        L = last.index
        dz = Sym(f"dC/dz^({L})", rf"\frac{{\partial C}}{{\partial z^{{({L})}}}}")
        out = sup("a", L)
        if self.trace.fused_factor is not None:
            rule = _fused_formula(self.trace, out)
        else:
            f = _PHI.get(last.activation, Sym("phi", r"\phi"))
            rule = Sym(
                f"dC/da^({L}) o {f.text}'(z^({L}))",
                rf"\frac{{\partial C}}{{\partial a^{{({L})}}}} \circ "
                rf"{f.latex}'\left(z^{{({L})}}\right)",
            )
        items.append(
            Eq([sup("delta", L, r"\delta"), dz, rule, self._values(last, "delta")])
        )
        items += self._gradients(last)
        for t, after in zip(self.layers[-2::-1], self.layers[:0:-1], strict=True):
            ell, k = t.index, after.index
            f = _PHI.get(t.activation, Sym("phi", r"\phi"))
            dphi = Sym(
                f"{f.text}'(z^({ell}))", rf"{f.latex}'\left(z^{{({ell})}}\right)"
            )
            formula = derivative_formula(t.activation, sup("a", ell), sup("z", ell))
            if t.psi is not None:
                parts = [dphi, *([formula] if formula else []), per_sample(t.psi)]
                items.append(Eq(parts))
            recursion = Sym(
                f"(W^({k})T delta^({k})) o {dphi.text}",
                rf"\left(W^{{({k})T}} \delta^{{({k})}}\right) \circ {dphi.latex}",
            )
            delta = sup("delta", ell, r"\delta")
            items.append(Eq([delta, recursion, self._values(t, "delta")]))
            items += self._gradients(t)
        return items

    def _gradients(self, t) -> list:
        ell, before = t.index, t.index - 1
        dW = Sym(f"dC/dW^({ell})", rf"\frac{{\partial C}}{{\partial W^{{({ell})}}}}")
        db = Sym(f"dC/db^({ell})", rf"\frac{{\partial C}}{{\partial b^{{({ell})}}}}")
        outer = Sym(
            f"delta^({ell}) a^({before})T", rf"\delta^{{({ell})}} a^{{({before})T}}"
        )
        summed = (
            Sym(f"delta^({ell})", rf"\delta^{{({ell})}}")
            if self.n == 1
            else Sym(
                f"sum over samples of delta^({ell})", rf"\sum_i \delta^{{({ell})}}_i"
            )
        )
        outer = _plus_penalty(self.trace, ell, outer, sup("W", ell))
        return [
            Eq([dW, outer, matrix(t.dW, _marks(self.trace, "dW", ell))]),
            Eq([db, summed, column(t.db, _marks(self.trace, "db", ell))]),
        ]

    def update(self) -> list:
        trace = self.trace
        if trace.optimizer is None:
            return []
        rate = None if trace.step_size is None else f"{trace.step_size:g}"
        items = [Heading(f"Update: {trace.optimizer}")]
        for t in self.layers:
            ell = t.index
            for name, values, shape in (("W", t.W_new, matrix), ("b", t.b_new, column)):
                p = sup(name, ell)
                if rate is not None:
                    step = Sym(
                        f"{p.text} - eta dC/d{p.text}",
                        rf"{p.latex} - \eta \frac{{\partial C}}{{\partial {p.latex}}}",
                    )
                    parts = [p, step, shape(values, _marks(trace, f"{name}_new", ell))]
                else:
                    parts = [p, shape(values, _marks(trace, f"{name}_new", ell))]
                items.append(Eq(parts, ASSIGN))
        if rate is not None:
            items.append(Eq([Sym("eta", r"\eta"), Sym(rate, rate)]))
        L = self.layers[-1].index
        new = Sym(f"a^({L}) after the update", rf"a^{{({L})}}_{{\text{{new}}}}")
        items.append(Eq([new, per_sample(trace.new_output)]))
        items.append(
            Eq(
                [
                    Sym("loss C after the update", r"C_{\text{new}}"),
                    scalar(trace.new_loss),
                ]
            )
        )
        return items


class _Transfer(_Layout):
    """Lecture 002: transfer matrices, ``x_0 = 1``, ``psi``, ``delta``, ``nabla``."""

    def build(self) -> list:
        trace = self.trace
        items = self.header()
        items.append(
            Para(
                "Transfer matrices hold the biases in row 0 and one column per "
                "neuron; every non-output x starts with the bias input 1."
            )
        )
        items.append(Heading("Forward pass"))
        L = len(self.layers)
        items.append(
            Eq([sup("x", 0, r"\mathbf{x}"), per_sample(trace.input, prepend=1.0)])
        )
        for i, t in enumerate(self.layers):
            items.append(Eq([self.T(i), self._matrix(t, "")]))
            weighted = Sym(
                f"W^({i})T x^({i})", rf"\mathbb{{W}}^{{({i})T}} \mathbf{{x}}^{{({i})}}"
            )
            items.append(Eq([weighted, per_sample(t.z, _marks(trace, "z", t.index))]))
            a_marks = _marks(trace, "a", t.index)
            if i < L - 1:
                lhs = sup("x", i + 1, r"\mathbf{x}", "_[1+]")
                lhs = Sym(lhs.text, rf"\mathbf{{x}}^{{({i + 1})}}_{{[1+]}}")
                items.append(
                    Eq([lhs, phi(t.activation, weighted), per_sample(t.a, a_marks)])
                )
                items.append(
                    Eq(
                        [
                            sup("x", i + 1, r"\mathbf{x}"),
                            per_sample(t.a, a_marks, prepend=1.0),
                        ]
                    )
                )
            else:
                out = sup("x", L, r"\mathbf{x}")
                items.append(
                    Eq(
                        [
                            out,
                            Sym("y_hat", r"\hat{y}"),
                            phi(t.activation, weighted),
                            per_sample(t.a, a_marks),
                        ]
                    )
                )
        items.append(Eq([Sym("y", "y"), per_sample(trace.targets)]))
        items.append(
            Eq(
                [
                    Sym("loss J", "J"),
                    _loss_sym(trace, Sym("y_hat", r"\hat{y}")),
                    scalar(trace.loss),
                ]
            )
        )
        items += self.backward()
        items += self.update()
        return items + self.footer()

    @staticmethod
    def T(i: int) -> Sym:
        return Sym(f"W^({i})", rf"\mathbb{{W}}^{{({i})}}")

    def _matrix(self, t, suffix: str) -> Mat:
        b, W = (t.b, t.W) if suffix == "" else (t.b_new, t.W_new)
        return transfer(
            b,
            W,
            _marks(self.trace, f"b{suffix}", t.index),
            _marks(self.trace, f"W{suffix}", t.index),
        )

    def _delta_sym(self, m: int, drop_bias: bool) -> Sym:
        if drop_bias:
            return Sym(f"delta^({m})_[1+]", rf"\delta^{{({m})}}_{{[1+]}}")
        return Sym(f"delta^({m})", rf"\delta^{{({m})}}")

    def backward(self) -> list:
        trace = self.trace
        L = len(self.layers)
        last = self.layers[-1]
        items = [Heading("Backward pass")]
        if trace.fused_factor is not None:
            rule = _fused_formula(trace, Sym("y_hat", r"\hat{y}"))
        else:
            rule = Sym(
                "dJ/dy_hat o psi(y_hat)",
                r"\frac{\partial J}{\partial \hat{y}} \circ \psi(\hat{y})",
            )
        d_marks = _marks(trace, "delta", last.index)
        items.append(
            Eq([self._delta_sym(L, False), rule, per_sample(last.delta, d_marks)])
        )
        for m in range(L - 1, 0, -1):
            t = self.layers[m - 1]
            x = sup("x", m, r"\mathbf{x}")
            psi = Sym(f"psi({x.text})", rf"\psi\left({x.latex}\right)")
            if t.psi is not None:
                formula = derivative_formula(t.activation, x, x)
                bias = _psi_of_bias(t.activation)
                # Without a value for the bias entry, show psi of the neurons only.
                shown = (
                    psi
                    if bias is not None
                    else Sym(f"{psi.text}_[1+]", rf"{psi.latex}_{{[1+]}}")
                )
                items.append(
                    Eq(
                        [
                            shown,
                            *([formula] if formula else []),
                            per_sample(t.psi, prepend=bias),
                        ]
                    )
                )
            after = self._delta_sym(m + 1, m + 1 < L)
            recursion = Sym(
                f"{psi.text} o (W^({m}) {after.text})",
                rf"{psi.latex} \circ \left(\mathbb{{W}}^{{({m})}} {after.latex}\right)",
            )
            values = per_sample(t.delta, _marks(trace, "delta", t.index), prepend=0.0)
            items.append(Eq([self._delta_sym(m, False), recursion, values]))
        if L > 1:
            items.append(
                Para(
                    "delta_0 = 0 is the bias placeholder: the bias input has no "
                    "weights into it, so nothing propagates through it."
                )
            )
        for i in range(L - 1, -1, -1):
            t = self.layers[i]
            delta = self._delta_sym(i + 1, i + 1 < L)
            items.append(
                Eq(
                    [
                        Sym(f"nabla^({i})", rf"\nabla^{{({i})}}"),
                        Sym(
                            f"dJ/dW^({i})",
                            rf"\frac{{\partial J}}{{\partial \mathbb{{W}}^{{({i})}}}}",
                        ),
                        _plus_penalty(
                            trace,
                            t.index,
                            Sym(
                                f"x^({i}) ({delta.text})T",
                                rf"\mathbf{{x}}^{{({i})}} "
                                rf"\left({delta.latex}\right)^T",
                            ),
                            self.T(i),
                        ),
                        transfer(
                            t.db,
                            t.dW,
                            _marks(trace, "db", t.index),
                            _marks(trace, "dW", t.index),
                        ),
                    ]
                )
            )
        return items

    def update(self) -> list:
        trace = self.trace
        if trace.optimizer is None:
            return []
        rate = None if trace.step_size is None else f"{trace.step_size:g}"
        items = [Heading(f"Update: {trace.optimizer}")]
        for i in range(len(self.layers) - 1, -1, -1):
            T = self.T(i)
            parts = [T]
            if rate is not None:
                parts.append(
                    Sym(
                        f"{T.text} - rho nabla^({i})",
                        rf"{T.latex} - \rho \nabla^{{({i})}}",
                    )
                )
            parts.append(self._matrix(self.layers[i], "_new"))
            items.append(Eq(parts, ASSIGN))
        if rate is not None:
            items.append(Eq([Sym("rho", r"\rho"), Sym(rate, rate)]))
        L = len(self.layers)
        new = Sym(
            f"x^({L}) after the update", rf"\mathbf{{x}}^{{({L})}}_{{\text{{new}}}}"
        )
        items.append(Eq([new, per_sample(trace.new_output)]))
        items.append(
            Eq(
                [
                    Sym("loss J after the update", r"J_{\text{new}}"),
                    scalar(trace.new_loss),
                ]
            )
        )
        return items


def _psi_of_bias(activation: str) -> float | None:
    """``psi(1)`` of the bias entry, as lecture 002 writes ``1 (1 - 1)``."""
    return {"sigmoid": 0.0, "tanh": 0.0}.get(activation)
