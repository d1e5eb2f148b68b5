"""fit(verbose=1) with rich: one line per finished epoch, with its logged values."""

import io
import re

import numpy as np
import pytest

import glassnet as gn
from glassnet.training.progress import ProgressBar

pytest.importorskip("rich")


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def _screen(text: str) -> list[str]:
    """The lines a terminal shows after ``text``: \\r, \\n, erase line, cursor up."""
    lines, row, col = [""], 0, 0
    for token in re.findall(r"\x1b\[[0-9;?]*[A-Za-z]|\r|\n|[^\x1b\r\n]+", text):
        if token == "\n":
            row, col = row + 1, 0
            if row == len(lines):
                lines.append("")
        elif token == "\r":
            col = 0
        elif token == "\x1b[2K":
            lines[row] = ""
        elif token == "\x1b[1A":
            row = max(row - 1, 0)
        elif not token.startswith("\x1b"):
            line = lines[row].ljust(col)
            lines[row] = line[:col] + token + line[col + len(token) :]
            col += len(token)
    return [line.rstrip() for line in lines if line.strip()]


def _fit(stream, epochs):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    net = gn.Network(
        [gn.Dense(2, 3, activation="tanh"), gn.Dense(3, 1, activation="sigmoid")],
        seed=0,
    )
    # refresh=0: the bar is redrawn at every batch, so stale text would show
    bar = ProgressBar(backend="rich", stream=stream, refresh=0)
    return net.fit(X, y, epochs=epochs, batch_size=8, callbacks=[bar])


def _expected(history, epochs):
    h = history.history
    return [
        f"epoch {e + 1}/{epochs}  loss {h['loss'][e]:.4f}  "
        f"accuracy {h['accuracy'][e]:.4f}  lr {h['lr'][e]:.4g}"
        for e in range(epochs)
    ]


@pytest.mark.parametrize("stream", [_Terminal, io.StringIO], ids=["tty", "file"])
def test_one_line_per_epoch_with_the_logged_values(stream):
    # more epochs than a small terminal has rows: nothing is cut off or repeated
    epochs = 30
    out = stream()
    history = _fit(out, epochs)
    shown = _screen(out.getvalue())
    assert len(shown) == epochs
    for line, expected in zip(shown, _expected(history, epochs), strict=True):
        assert re.fullmatch(re.escape(expected) + r"  \d+\.\ds", line)
    assert "━" not in out.getvalue() or stream is _Terminal


def test_live_area_holds_one_bar():
    seen = []

    class Watch(gn.Callback):
        def on_train_batch_end(self, batch, logs):
            seen.append(len(bar._bar.progress.tasks))

    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 2))
    net = gn.Network([gn.Dense(2, 1, activation="sigmoid")], seed=0)
    bar = ProgressBar(backend="rich", stream=_Terminal(), refresh=0)
    net.fit(X, X[:, 0] > 0, epochs=5, batch_size=4, callbacks=[bar, Watch()])
    assert seen == [1] * 20
