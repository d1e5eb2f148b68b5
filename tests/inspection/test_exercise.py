"""Exercise sheets: the key against an independent NumPy step, formats, carry
mode, the lectures' worked examples, and refused inputs."""

import json
import math
import re
import shutil
import subprocess
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet.inspection.exercise import PARTS, round_to
from glassnet.inspection.lecture_examples import EXAMPLES

# -- an independent step in plain NumPy, samples as columns (lecture 001/003) ----


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


_PHI = {
    "sigmoid": (_sigmoid, lambda z, a: a * (1 - a)),
    "tanh": (np.tanh, lambda z, a: 1 - a * a),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(float)),
    "leaky_relu": (
        lambda z: np.where(z > 0, z, 0.01 * z),
        lambda z, a: np.where(z > 0, 1.0, 0.01),
    ),
    "identity": (lambda z: z, lambda z, a: np.ones_like(z)),
}


def _softmax(z):
    e = np.exp(z - z.max(axis=0))
    return e / e.sum(axis=0)


def _cost_and_dA(a, Y, loss):
    """C and dC/da of the batch mean; a and Y of shape (k, n)."""
    k, n = Y.shape
    if loss == "binary_cross_entropy":
        C = -np.sum(Y * np.log(a) + (1 - Y) * np.log(1 - a)) / (n * k)
        return C, (a - Y) / (a * (1 - a)) / (n * k)
    if loss == "cross_entropy":
        return -np.sum(Y * np.log(a)) / n, -Y / a / n
    if loss == "mse":
        return np.sum((a - Y) ** 2) / (n * k), 2 * (a - Y) / (n * k)
    return np.sum((a - Y) ** 2) / n, 2 * (a - Y) / n  # sse


def _same(values):
    return values


def _forward(Ws, bs, X, hidden, output, R=_same):
    a, zs, activations = X.T, [], [X.T]
    for i, (W, b) in enumerate(zip(Ws, bs, strict=True)):
        z = R(W @ a + b[:, None])
        name = output if i == len(Ws) - 1 else hidden
        a = R(_softmax(z) if name == "softmax" else _PHI[name][0](z))
        zs.append(z)
        activations.append(a)
    return zs, activations


def reference_step(Ws, bs, X, Y, *, hidden, output, loss, lr, R=_same):
    """Forward, loss, deltas (general chain rule), gradients, SGD, new output.

    ``R`` rounds every value shown before it is used (carry mode); the
    default keeps every digit. Per-sample arrays are returned as
    (n_samples, n_units), like a trace.
    """
    zs, acts = _forward(Ws, bs, X, hidden, output, R)
    C, dA = _cost_and_dA(acts[-1], Y.T, loss)
    a = acts[-1]
    if output == "softmax":  # Jacobian-vector product, column by column
        delta = R(a * (dA - np.sum(dA * a, axis=0)))
    else:
        delta = R(dA * _PHI[output][1](zs[-1], a))
    deltas, dWs, dbs = [None] * len(Ws), [None] * len(Ws), [None] * len(Ws)
    psis = [None] * len(Ws)
    for i in range(len(Ws) - 1, -1, -1):
        deltas[i] = delta
        dWs[i] = R(delta @ acts[i].T)
        dbs[i] = R(delta.sum(axis=1))
        if i:
            psis[i - 1] = R(_PHI[hidden][1](zs[i - 1], acts[i]))
            delta = R((Ws[i].T @ delta) * psis[i - 1])
    new_Ws = [R(W - lr * dW) for W, dW in zip(Ws, dWs, strict=True)]
    new_bs = [R(b - lr * db) for b, db in zip(bs, dbs, strict=True)]
    _, new_acts = _forward(new_Ws, new_bs, X, hidden, output, R)
    new_C, _ = _cost_and_dA(new_acts[-1], Y.T, loss)
    return {
        "z": [z.T for z in zs],
        "a": [a.T for a in acts[1:]],
        "loss": R(C),
        "delta": [d.T for d in deltas],
        "psi": [None if p is None else p.T for p in psis],
        "dW": dWs,
        "db": dbs,
        "W_new": new_Ws,
        "b_new": new_bs,
        "new_output": new_acts[-1].T,
        "new_loss": R(new_C),
    }


def _given(ex):
    given = json.loads(ex.questions("json"))["given"]
    return [np.array(W) for W in given["W"]], [np.array(b) for b in given["b"]]


CASES = [
    dict(seed=0),
    dict(seed=1, layers=(4, 4, 3), notation="transfer", batch=2),
    dict(seed=2, layers=(3, 3, 2), activation="tanh", loss="mse", batch=2, lr=0.5),
    dict(seed=3, layers=(2, 3, 2, 1), activation="relu", loss="sse", lr=0.1),
    dict(seed=4, layers=(2, 2, 2), activation="identity", loss="bce", batch=2),
    dict(seed=5, layers=(3, 2, 2), activation="leaky_relu", notation="transfer"),
]


def _reference_of(ex, R=_same):
    s = ex.settings
    given = json.loads(ex.questions("json"))["given"]
    Ws = [np.array(W) for W in given["W"]]
    bs = [np.array(b) for b in given["b"]]
    X, Y = np.array(given["input"]), np.array(given["target"])
    return reference_step(
        Ws, bs, X, Y, hidden=s["activation"], output=s["output"], loss=s["loss"],
        lr=s["lr"], R=R,
    )  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"seed{c['seed']}")
def test_key_equals_an_independent_numpy_step(case):
    ex = gn.exercise(**case)
    ref = _reference_of(ex)
    trace = ex.trace
    assert trace.loss == pytest.approx(ref["loss"], abs=1e-12)
    assert trace.new_loss == pytest.approx(ref["new_loss"], abs=1e-12)
    np.testing.assert_allclose(trace.new_output, ref["new_output"], atol=1e-12)
    for i, t in enumerate(trace.layers):
        for name in ("z", "a", "delta", "dW", "db", "W_new", "b_new"):
            np.testing.assert_allclose(getattr(t, name), ref[name][i], atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"seed{c['seed']}")
def test_json_key_holds_the_reference_numbers_rounded(case):
    ex = gn.exercise(**case, decimals=3)
    ref = _reference_of(ex)
    answers = json.loads(ex.answers("json"))
    key = answers["answers"]
    half = 0.5e-3 + 1e-12  # a rounded number is within half a unit of the last digit

    def close(got, want):
        np.testing.assert_allclose(np.array(got, dtype=float), want, rtol=0, atol=half)

    close(key["loss"], ref["loss"])
    close(key["new_prediction"]["output"], ref["new_output"])
    close(key["new_prediction"]["loss"], ref["new_loss"])
    for i in range(len(ref["z"])):
        close(key["forward"][i]["z"], ref["z"][i])
        close(key["forward"][i]["a"], ref["a"][i])
        close(key["deltas"][i]["delta"], ref["delta"][i])
        close(key["gradients"][i]["dW"], ref["dW"][i])
        close(key["gradients"][i]["db"], ref["db"][i])
        close(key["update"][i]["W"], ref["W_new"][i])
        close(key["update"][i]["b"], ref["b_new"][i])
        if ex.notation == "transfer":
            T = np.vstack([ref["b_new"][i][None, :], ref["W_new"][i].T])
            close(key["update"][i]["transfer_matrix"], T)
    # every digit too, in the trace part of the document
    assert answers["trace"]["loss"] == pytest.approx(ref["loss"], abs=1e-12)


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex"])
def test_rendered_key_shows_the_reference_numbers(fmt):
    ex = gn.exercise(seed=1, layers=(4, 4, 3), batch=2, decimals=4)
    ref = _reference_of(ex)
    key = ex.answers(fmt)
    values = [ref["loss"], ref["new_loss"], *ref["new_output"].ravel()]
    for name in ("z", "a", "delta", "dW", "db", "W_new", "b_new"):
        values += [v for array in ref[name] for v in np.ravel(array)]
    for v in values:
        if abs(v) >= 1e-4:
            assert f"{v:.4f}" in key, (v, name)


def test_batch_of_two_averages_the_two_samples():
    Ws, bs = _given(gn.exercise(seed=7))
    # the same network, each sample alone, then both together
    both = gn.exercise(
        weights={"W": Ws, "b": bs},
        input=[[0.5, -0.2], [0.1, 0.9]],
        target=[[1], [0]],
    )
    alone = [
        gn.exercise(
            weights={"W": Ws, "b": bs},
            input=row,
            target=y,
        )
        for row, y in (([0.5, -0.2], [1]), ([0.1, 0.9], [0]))
    ]
    for i, t in enumerate(both.trace.layers):
        mean = (alone[0].trace.layers[i].dW + alone[1].trace.layers[i].dW) / 2
        np.testing.assert_allclose(t.dW, mean, atol=1e-15)


def test_batch_must_match_the_input_rows():
    with pytest.raises(ValueError, match="The 'batch' parameter of exercise"):
        gn.exercise(batch=2, input=[0.5, 0.5])


# -- drawn numbers and determinism ---------------------------------------------


def test_drawn_numbers_are_nice():
    for seed in range(20):
        ex = gn.exercise(seed=seed, layers=(3, 3, 2), batch=2)
        given = json.loads(ex.questions("json"))["given"]
        for values in (*given["W"], *given["b"], given["input"]):
            tenths = np.array(values) * 10
            np.testing.assert_array_equal(tenths, np.round(tenths))
        assert np.all(np.abs(np.concatenate([np.ravel(W) for W in given["W"]])) > 0)
        Y = np.array(given["target"])
        np.testing.assert_array_equal(Y.sum(axis=1), 1)  # one-hot rows
        assert set(np.ravel(Y)) <= {0.0, 1.0}
        assert len({tuple(row) for row in given["input"]}) == 2


def test_relu_draws_stay_clear_of_the_kink():
    for seed in range(10):
        ex = gn.exercise(seed=seed, layers=(3, 4, 1), activation="relu", batch=2)
        for t in ex.trace.layers[:-1]:
            assert np.all(np.abs(t.z) >= 0.05)


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "json"])
def test_same_seed_same_sheet_other_seed_other_sheet(fmt):
    settings = dict(layers=(2, 3, 2), notation="transfer", rounding="carry", batch=2)
    first = gn.exercise(seed=11, **settings)
    again = gn.exercise(seed=11, **settings)
    other = gn.exercise(seed=12, **settings)
    assert first.questions(fmt) == again.questions(fmt)
    assert first.answers(fmt) == again.answers(fmt)
    assert first.render(fmt) == again.render(fmt)
    assert first.questions(fmt) != other.questions(fmt)
    assert first.answers(fmt) != other.answers(fmt)


# -- parts -------------------------------------------------------------------------


def test_parts_select_questions_and_answers():
    ex = gn.exercise(seed=0, parts=("loss", "gradients"))
    questions = ex.questions("text")
    assert "Loss:" in questions and "Gradients:" in questions
    assert "Forward pass:" not in questions and "Update:" not in questions
    key = ex.answers("text")
    assert "loss C" in key and "dC/dW^(1)" in key and "dC/db^(2)" in key
    starts = {line.split(" = ")[0].strip() for line in key.splitlines()}
    assert "z^(1)" not in starts and "delta^(1)" not in starts
    assert "after the update" not in key and "<-" not in key
    assert list(json.loads(ex.answers("json"))["answers"]) == ["loss", "gradients"]


def test_every_part_alone_gives_its_own_answer():
    markers = {
        "forward": "z^(1) = W^(1) a^(0) + b^(1)",
        "loss": "loss C =",
        "deltas": "delta^(1) = (W^(2)T",
        "gradients": "dC/dW^(1) = delta^(1)",
        "update": "W^(1) <- W^(1)",
        "new_prediction": "a^(2) after the update",
    }
    for part in PARTS:
        key = gn.exercise(seed=0, parts=[part]).answers("text")
        for other, marker in markers.items():
            assert (marker in key) == (other == part), (part, other)


# -- formats -----------------------------------------------------------------------

#: Macros of LaTeX, amsmath and amssymb that a sheet may use.
KNOWN_MACROS = {
    *("documentclass", "usepackage", "begin", "end", "section", "subsection"),
    *("textbf", "text", "frac", "sum", "left", "right", "circ", "mathbb"),
    *("mathbf", "operatorname", "sigma", "tanh", "phi", "psi", "delta", "nabla"),
    *("eta", "rho", "hat", "leftarrow", "partial", "ln", "dots", "cdots"),
    *("vdots", "ddots", "times", "dagger", "allowdisplaybreaks", "setlength"),
    *("parindent", "newpage", "item", "underset"),
}


def _check_latex_document(tex):
    assert tex.startswith(r"\documentclass")
    assert r"\usepackage{amsmath}" in tex
    assert tex.rstrip().endswith(r"\end{document}")
    body = re.sub(r"\\[{}]", "", tex)  # escaped braces are text
    depth = 0
    for ch in body:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0
    stack = []
    for kind, name in re.findall(r"\\(begin|end)\{(\w+\*?)\}", tex):
        if kind == "begin":
            stack.append(name)
        else:
            assert stack.pop() == name
    assert stack == []
    macros = set(re.findall(r"\\([A-Za-z]+)", tex))
    assert macros <= KNOWN_MACROS, macros - KNOWN_MACROS


@pytest.mark.parametrize(
    "case",
    [
        dict(seed=1, layers=(4, 4, 3), batch=2, rounding="carry", decimals=2),
        dict(seed=2, notation="transfer", rounding="carry", decimals=2),
        dict(seed=3, activation="relu", loss="mse", notation="transfer"),
        dict(seed=4, activation="tanh", loss="sse", title="Quiz 3: 50% & more_"),
    ],
)
def test_latex_documents_are_complete(case, tmp_path):
    ex = gn.exercise(**case)
    documents = {
        "questions": ex.questions("latex"),
        "answers": ex.answers("latex"),
        "both": ex.render("latex"),
    }
    for tex in documents.values():
        _check_latex_document(tex)
    if shutil.which("pdflatex") is None:
        return  # the structure is checked; compiling needs a TeX installation
    for name, tex in documents.items():
        (tmp_path / f"{name}.tex").write_text(tex)
        result = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout[-2000:]


def test_pdflatex_compiles_a_sheet(tmp_path):
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    (tmp_path / "s.tex").write_text(gn.exercise(seed=0).render("latex"))
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "s.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:]
    assert (tmp_path / "s.pdf").exists()


def test_json_questions_hold_the_given_numbers():
    X = [[0.2, -0.7], [0.9, 0.1]]
    weights = {"W": [[[0.1, 0.2], [0.3, 0.4]], [[0.5, -0.6]]], "b": [[0.1, 0.0], [0.2]]}
    ex = gn.exercise(weights=weights, input=X, target=[1, 0], notation="transfer")
    document = json.loads(ex.questions("json"))
    given = document["given"]
    assert given["input"] == X and given["target"] == [[1.0], [0.0]]
    assert given["W"] == weights["W"] and given["b"] == weights["b"]
    assert given["transfer"][0] == [[0.1, 0.0], [0.1, 0.3], [0.2, 0.4]]
    assert given["lr"] == 1.0
    assert [q["part"] for q in document["questions"]] == list(PARTS)
    both = json.loads(ex.render("json"))
    assert both["questions"] == document


def test_markdown_sheet_has_headings_and_math():
    ex = gn.exercise(seed=0)
    md = ex.render("markdown")
    assert ex._repr_markdown_() == md and str(ex) == ex.render("text")
    assert md.startswith("# Exercise: one step of backpropagation (seed 0)")
    assert "## Questions" in md and "# Answer key" in md
    assert md.count("$$") % 2 == 0 and r"\begin{aligned}" in md


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="The 'format' parameter of Exercise"):
        gn.exercise(seed=0).questions("pdf")


# -- carry mode --------------------------------------------------------------------


def _r(values, d):
    """Half away from zero on the decimal value, as a calculator rounds."""

    def one(v):
        exact = Decimal(f"{float(v):.12g}")  # the decimal value, without float noise
        return float(exact.quantize(Decimal(10) ** -d, ROUND_HALF_UP))

    return np.vectorize(one)(values)


@pytest.mark.parametrize(
    "value,decimals,rounded",
    [
        (0.3 * 0.25, 2, 0.08),  # the float is 0.07499999999999999722...
        (-0.3 * 0.25, 2, -0.08),
        (0.125, 2, 0.13),  # a tie: half away from zero, not half to even
        (2.675, 2, 2.68),  # the float is 2.67499999999999982236...
        (0.1 + 0.2, 1, 0.3),
        (0.5244998, 4, 0.5245),
        (-0.0, 3, 0.0),
        (1234.5, 0, 1235.0),
        (1e300, 16, 1e300),  # beyond the default 28 digits of decimal
    ],
)
def test_round_to_rounds_the_decimal_value_as_by_hand(value, decimals, rounded):
    assert round_to(value, decimals) == rounded


def carried_by_hand(W1, b1, W2, b2, x, y, lr, d):
    """A 2-layer sigmoid network with binary cross-entropy, one sample, every
    shown value rounded to d decimals before it is used (a calculator)."""
    z1 = _r(W1 @ x + b1, d)
    a1 = _r(_sigmoid(z1), d)
    z2 = _r(W2 @ a1 + b2, d)
    a2 = _r(_sigmoid(z2), d)
    loss = _r(-(y * np.log(a2) + (1 - y) * np.log(1 - a2)).mean(), d)
    d2 = _r(a2 - y, d)  # fused (a - y) / (n k), n k = 1
    dW2, db2 = _r(np.outer(d2, a1), d), d2
    psi = _r(a1 * (1 - a1), d)
    d1 = _r((W2.T @ d2) * psi, d)
    dW1, db1 = _r(np.outer(d1, x), d), d1
    W1n, b1n = _r(W1 - lr * dW1, d), _r(b1 - lr * db1, d)
    W2n, b2n = _r(W2 - lr * dW2, d), _r(b2 - lr * db2, d)
    a1n = _r(_sigmoid(_r(W1n @ x + b1n, d)), d)
    a2n = _r(_sigmoid(_r(W2n @ a1n + b2n, d)), d)
    new_loss = _r(-(y * np.log(a2n) + (1 - y) * np.log(1 - a2n)).mean(), d)
    return dict(
        z=[z1, z2], a=[a1, a2], loss=loss, delta=[d1, d2], psi=psi,
        dW=[dW1, dW2], db=[db1, db2], W=[W1n, W2n], b=[b1n, b2n],
        new=a2n, new_loss=new_loss,
    )  # fmt: skip


@pytest.mark.parametrize("seed,decimals", [(1, 2), (6, 2), (9, 3)])
def test_carry_equals_a_hand_carried_computation(seed, decimals):
    ex = gn.exercise(seed=seed, rounding="carry", decimals=decimals)
    Ws, bs = _given(ex)
    x, y = ex.X[0], ex.Y[0]
    hand = carried_by_hand(Ws[0], bs[0], Ws[1], bs[1], x, y, ex.lr, decimals)
    carried = json.loads(ex.answers("json"))["carried"]
    assert carried["loss"] == pytest.approx(float(hand["loss"]), abs=1e-12)
    np.testing.assert_allclose(carried["new_prediction"]["output"][0], hand["new"])
    assert carried["new_prediction"]["loss"] == pytest.approx(float(hand["new_loss"]))
    np.testing.assert_allclose(carried["deltas"][0]["psi"][0], hand["psi"])
    for i in range(2):
        np.testing.assert_allclose(carried["forward"][i]["z"][0], hand["z"][i])
        np.testing.assert_allclose(carried["forward"][i]["a"][0], hand["a"][i])
        np.testing.assert_allclose(carried["deltas"][i]["delta"][0], hand["delta"][i])
        np.testing.assert_allclose(carried["gradients"][i]["dW"], hand["dW"][i])
        np.testing.assert_allclose(carried["gradients"][i]["db"], hand["db"][i])
        np.testing.assert_allclose(carried["update"][i]["W"], hand["W"][i])
        np.testing.assert_allclose(carried["update"][i]["b"], hand["b"][i])


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"seed{c['seed']}")
def test_carry_equals_numpy_rounding_every_stage(case):
    ex = gn.exercise(**case, rounding="carry", decimals=3)
    ref = _reference_of(ex, R=lambda values: _r(values, 3))
    carried = ex.carried
    assert carried.loss == ref["loss"] and carried.new_loss == ref["new_loss"]
    np.testing.assert_array_equal(carried.new_output, ref["new_output"])
    for i, t in enumerate(carried.layers):
        for name in ("z", "a", "delta", "dW", "db", "W_new", "b_new"):
            np.testing.assert_array_equal(getattr(t, name), ref[name][i], name)
        if i < len(carried.layers) - 1:
            np.testing.assert_array_equal(t.psi, ref["psi"][i])


def test_carry_shows_both_values_where_rounding_matters():
    # seed 1, 2 decimals: psi(x^(1)) = 0.3143 * 0.6857 = 0.2155 -> 0.22 exact,
    # but a student's 0.31 * 0.69 = 0.2139 -> 0.21
    exact = gn.exercise(seed=1, notation="transfer", decimals=2)
    carry = gn.exercise(seed=1, notation="transfer", decimals=2, rounding="carry")
    assert "carried" not in exact.answers("text")
    assert json.loads(exact.answers("json"))["carried"] is None
    text = carry.answers("text")
    assert "0.22 (carried: 0.21)" in text
    assert r"\underset{(0.21)}{0.22}" in carry.answers("latex")
    # a value that both ways print alike is shown once
    assert "0.52 (carried" not in text and "0.52" in text
    # the exact numbers are the same in both modes
    assert exact.trace.loss == carry.trace.loss


def test_carry_with_many_decimals_agrees_with_exact():
    ex = gn.exercise(seed=3, layers=(3, 3, 2), rounding="carry", decimals=12)
    assert ex.carried.loss == pytest.approx(ex.trace.loss, abs=1e-10)
    for exact, carried in zip(ex.trace.layers, ex.carried.layers, strict=True):
        np.testing.assert_allclose(carried.W_new, exact.W_new, atol=1e-10)


# -- the lectures' worked examples, from their own numbers -------------------------


def _example_weights(name):
    network, X, y = EXAMPLES[name].build()
    weights = {
        "W": [layer.W.tolist() for layer in network.layers],
        "b": [layer.b.tolist() for layer in network.layers],
    }
    return weights, X, y


@pytest.mark.parametrize(
    "name", ["lecture002-grounded", "lecture003-binary", "lecture003-multiclass"]
)
def test_the_example_weights_files_hold_the_lectures_numbers(name):
    folder = Path(__file__).resolve().parents[2] / "examples" / "exercises"
    weights = json.loads((folder / f"{name.replace('-', '_')}.json").read_text())
    network, _, _ = EXAMPLES[name].build()
    if "transfer" in weights:
        expected = [layer.transfer_matrix.tolist() for layer in network.layers]
        assert weights["transfer"] == expected
    else:
        assert weights["W"] == [layer.W.tolist() for layer in network.layers]
        assert weights["b"] == [layer.b.tolist() for layer in network.layers]


def test_lecture_002_grounded_example_with_the_slide_typos_corrected():
    network, X, y = EXAMPLES["lecture002-grounded"].build()
    transfer = {
        "transfer": [layer.transfer_matrix.tolist() for layer in network.layers]
    }
    ex = gn.exercise(
        weights=transfer, input=X, target=y, notation="transfer", lr=1.0, decimals=3
    )
    key = json.loads(ex.answers("json"))["answers"]
    # x^(1) = sigmoid([0.2, 0.9]) = [0.550, 0.711]; y_hat = sigmoid(0.046) = 0.512
    assert key["forward"][0]["a"] == [[0.550, 0.711]]
    assert key["forward"][1]["a"] == [[0.512]]
    assert key["loss"] == 0.670  # -ln 0.512
    assert key["deltas"][1]["delta"] == [[-0.488]]
    assert key["deltas"][0]["delta"] == [[-0.060, -0.010]]
    # W^(1) <- [-0.3, 0.5, 0.1] - (-0.488) [1, 0.550, 0.711]: the last entry is
    # +0.447 (the slide prints -0.447)
    assert key["update"][1]["transfer_matrix"] == [[0.188], [0.769], [0.447]]
    # row 2 of the updated W^(0) is (-0.2, 0.3) - (-0.060, -0.010), not a copy
    # of row 0 as on the slide
    assert key["update"][0]["transfer_matrix"] == [
        [0.460, 0.610],
        [0.700, -0.400],
        [-0.140, 0.310],
    ]
    assert key["new_prediction"]["output"] == [[0.722]]
    text = ex.answers("text")
    assert "[0.188, 0.769, 0.447]^T" in text and "-0.447" not in text
    assert "[-0.140   0.310]" in text


def test_lecture_003_binary_example_follows_the_mathematics():
    weights, X, y = _example_weights("lecture003-binary")
    ex = gn.exercise(weights=weights, input=X, target=y, parts=["forward", "loss"])
    key = json.loads(ex.answers("json"))["answers"]
    # a_1 = W_1 x + 0.5 = [0.80, 0.52, 0.68, 0.70], as on the slide
    assert key["forward"][0]["z"] == [[0.8, 0.52, 0.68, 0.7]]
    # the exact a_2 is 0.9489 (slide: 0.948) and y_hat = 0.7209 (slide: 0.7207)
    assert key["forward"][1]["z"] == [[0.9489]]
    assert key["forward"][1]["a"] == [[0.7209]]
    assert key["loss"] == pytest.approx(-np.log(0.72086), abs=1e-4)  # 0.327
    text = ex.answers("text")
    assert "0.9489" in text and "0.7209" in text and "0.7207" not in text


def test_lecture_003_multiclass_example_against_numpy():
    weights, X, y = _example_weights("lecture003-multiclass")
    ex = gn.exercise(weights=weights, input=X, target=y)
    assert ex.settings["loss"] == "cross_entropy"
    assert ex.settings["output"] == "softmax"
    ref = _reference_of(ex)
    assert ex.trace.loss == pytest.approx(ref["loss"], abs=1e-12)
    np.testing.assert_allclose(ex.trace.layers[0].dW, ref["dW"][0], atol=1e-12)


# -- refused inputs ----------------------------------------------------------------


@pytest.mark.parametrize(
    "options,parameter",
    [
        (dict(layers=(2, "x")), "layers"),
        (dict(layers=(2,)), "layers"),
        (dict(layers=(2, 0, 1)), "layers"),
        (dict(layers=(2, 11, 1)), "layers"),
        (dict(decimals=-1), "decimals"),
        (dict(decimals=17), "decimals"),
        (dict(decimals=2.5), "decimals"),
        (dict(parts=("forward", "bogus")), "parts"),
        (dict(parts=()), "parts"),
        (dict(seed=-1), "seed"),
        (dict(seed=True), "seed"),
        (dict(lr=0), "lr"),
        (dict(lr=float("nan")), "lr"),
        (dict(lr="1"), "lr"),
        (dict(batch=5), "batch"),
        (dict(batch=0), "batch"),
        (dict(notation="latex"), "notation"),
        (dict(rounding="up"), "rounding"),
        (dict(activation="softmax"), "activation"),
        (dict(loss="huber"), "loss"),
        (dict(output="step"), "output"),
        (dict(input=[1.0, 2.0, 3.0]), "input"),
        (dict(input=[[1.0, float("inf")]]), "input"),
        (dict(input=[["a", "b"]]), "input"),
        (dict(input=[1e200, 0.5]), "input"),
        (dict(target=[2]), "target"),
        (dict(target=[0.5, 0.5]), "target"),
        (dict(target=["yes"]), "target"),
        (dict(title=5), "title"),
        (dict(weights={"W": [[[0.1, 0.2]]], "b": [[0.1, 0.2]]}), "weights"),
        (dict(weights={"W": [[[0.1, 0.2]], [[0.1, 0.2]]], "b": [[0], [0]]}), "weights"),
        (dict(weights={"transfer": [[[0.1, 0.2]]]}), "weights"),
        (dict(weights={"transfer": [[[1, 2], [3, 4], [5, 6]], [[1], [2]]]}), "weights"),
        (dict(weights={"W": [[[0.1, float("nan")]]], "b": [[0.0]]}), "weights"),
        (dict(weights={"W": [[["a"]]], "b": [[0.0]]}), "weights"),
        (dict(weights={"W": [[[0.1, 2000.0]]], "b": [[0.0]]}), "weights"),
        (dict(weights={"w": []}), "weights"),
        (dict(weights=[[0.1]]), "weights"),
        (dict(weights={"W": [[[0.1, 0.2]]], "b": [[0.1]]}, layers=(3, 1)), "layers"),
    ],
)
def test_bad_values_get_one_line_naming_the_parameter(options, parameter):
    with pytest.raises((ValueError, TypeError)) as info:
        gn.exercise(**options)
    message = str(info.value)
    assert message.startswith(f"The '{parameter}' parameter of exercise must")
    assert "Got" in message and message.rstrip().endswith("instead.")
    assert "\n" not in message


def test_a_failed_gradient_check_refuses_the_key():
    # z^(1) = 0.5 - 0.5 = 0 exactly: the ReLU kink, where backpropagation's
    # derivative (0) is not the central difference (1/2)
    weights = {"W": [[[0.5, -0.5]], [[1.0]]], "b": [[0.0], [0.0]]}
    with pytest.raises(ValueError, match="fails the numerical gradient check"):
        gn.exercise(
            weights=weights, input=[1, 1], target=[1], activation="relu", loss="mse"
        )
    # one step off the kink, the same network passes
    ex = gn.exercise(
        weights=weights, input=[1, 0.8], target=[1], activation="relu", loss="mse"
    )
    assert ex.gradcheck_error < 1e-6


def test_a_step_that_overflows_is_refused():
    from glassnet.inspection.exercise import _check_finite

    trace = gn.exercise(seed=0).trace
    _check_finite(trace)
    with pytest.raises(ValueError, match="The 'lr' parameter of exercise must keep"):
        _check_finite(replace(trace, new_output=np.array([[np.inf]])))


def test_given_numbers_are_kept_and_the_rest_drawn():
    weights = {"W": [[[0.1, 0.2], [0.3, 0.4]], [[0.5, -0.6]]], "b": [[0.1, 0.0], [0.2]]}
    ex = gn.exercise(seed=3, weights=weights)
    assert ex.settings["layers"] == [2, 2, 1]
    assert ex.settings["given"] == ["weights"]
    np.testing.assert_array_equal(ex.trace.layers[1].W, [[0.5, -0.6]])
    np.testing.assert_array_equal(ex.X * 10, np.round(ex.X * 10))
    assert ex.settings["title"].endswith("(seed 3)")
    fixed = gn.exercise(seed=3, weights=weights, input=[0.1, 0.2], target=[1])
    assert fixed.settings["title"] == "Exercise: one step of backpropagation"
    # a drawn target depends on the seed too
    drawn = gn.exercise(seed=3, weights=weights, input=[0.1, 0.2])
    assert drawn.settings["title"].endswith("(seed 3)")


def test_a_number_that_rounds_to_zero_is_written_without_a_sign():
    # decimals=0 rounds every small negative gradient (e.g. -0.3) to zero:
    # it is "0" in every format, never "-0" (nor -0.0 in the JSON).
    ex = gn.exercise(seed=0, decimals=0)
    for fmt in ("text", "markdown", "latex"):
        assert re.search(r"-0(?![.\d])", ex.answers(fmt)) is None, fmt

    def numbers(tree):
        if isinstance(tree, dict):
            return [v for value in tree.values() for v in numbers(value)]
        if isinstance(tree, list):
            return [v for value in tree for v in numbers(value)]
        return [tree] if isinstance(tree, float) else []

    zeros = [v for v in numbers(json.loads(ex.answers("json"))["answers"]) if v == 0]
    assert zeros and all(math.copysign(1.0, v) > 0 for v in zeros)


@pytest.mark.parametrize(
    "weights,entry",
    [
        ({"W": [[[True, 2], [3, 4]], [[1, 2]]], "b": [[1, 2], [1]]}, "True"),
        ({"W": [[["0.5", 2], [3, 4]], [[1, 2]]], "b": [[1, 2], [1]]}, "'0.5'"),
        ({"W": [[[1, 2], [3, 4]], [[1, 2]]], "b": [[1, 2], ["1"]]}, "'1'"),
        ({"transfer": [[[1, 2], [3, False], [5, 6]], [[1], [2], [3]]]}, "False"),
        ({"W": [np.eye(2, dtype=bool), np.ones((1, 2))], "b": [[0, 0], [0]]}, "bool"),
    ],
    ids=["bool-W", "string-W", "string-b", "bool-transfer", "bool-array"],
)
def test_weights_that_are_not_numbers_are_refused(weights, entry):
    # np.asarray(..., dtype=float) would read true as 1.0 and "0.5" as 0.5
    with pytest.raises(ValueError, match=r"The 'weights' parameter of exercise") as e:
        gn.exercise(weights=weights)
    assert entry in str(e.value)


@pytest.mark.parametrize("target", [30.0, -250.0, 1000.0])
def test_a_regression_target_far_from_zero_gets_its_key(target):
    # C ~ (y_hat - y)^2 is large, so central differences carry a rounding
    # error of ~ u |C| / eps; the gradient check must not refuse a correct
    # network for it. The key is the step worked out here in NumPy.
    x = np.array([0.0, 1.0])
    ex = gn.exercise(seed=0, layers=(2, 2, 1), input=x, target=[target], loss="mse")
    given = json.loads(ex.questions("json"))["given"]  # the drawn weights
    W1, W2 = (np.array(W) for W in given["W"])
    b1, b2 = (np.array(b) for b in given["b"])
    a1 = _sigmoid(W1 @ x + b1)
    y_hat = W2 @ a1 + b2
    d2 = 2 * (y_hat - target)  # dC/dz for C = (y_hat - y)^2, n = k = 1
    d1 = (W2.T @ d2) * a1 * (1 - a1)
    t = ex.trace
    assert t.loss == pytest.approx(float((y_hat - target)[0] ** 2), rel=1e-12)
    np.testing.assert_allclose(t.layers[1].dW, np.outer(d2, a1), rtol=1e-12)
    np.testing.assert_allclose(t.layers[0].dW, np.outer(d1, x), rtol=1e-12)
    assert ex.gradcheck_error < 1e-6


@pytest.mark.parametrize("target", [1000.5, -1e300, float("inf"), float("nan")])
def test_a_target_beyond_the_inputs_bound_is_refused_by_name(target):
    # not an overflowing step blamed on the learning rate
    with pytest.raises(ValueError, match=r"The 'target' parameter of exercise must"):
        gn.exercise(layers=(2, 2, 1), loss="mse", input=[0.5, -1.0], target=[target])
