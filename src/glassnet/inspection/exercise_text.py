"""The words of an exercise sheet: the network described, and the questions.

Each text comes twice, as plain text and as LaTeX (math in ``$...$``, which
Markdown shows as it is), in the notation of the sheet: W, b (lectures
001/003/004) or lecture 002's transfer matrices, ``psi`` and ``nabla``.
"""

from __future__ import annotations

from glassnet.inspection import trace_doc

__all__ = ["describe", "questions"]

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


def describe(ex) -> tuple[str, str]:
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


def questions(ex) -> list[tuple[str, str]]:
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
