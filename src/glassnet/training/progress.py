"""A progress bar for ``fit(verbose=1)``: epoch, batch, running loss, metrics.

Drawn by `rich <https://rich.readthedocs.io>`_ or `tqdm
<https://tqdm.github.io>`_ when one is installed (an optional extra), else as
plain text: on a terminal a single line rewritten in place, elsewhere (a log
file, a notebook capture) one summary line per epoch. Whatever draws it, each
finished epoch leaves exactly one line, with the epoch's logged values (the
ones in the History); the live bar, with the running mean of the batch losses
so far, is shown for the epoch in progress only.
"""

from __future__ import annotations

import importlib.util
import sys
import time

from glassnet.training.callbacks import Callback, format_logs

__all__ = ["ProgressBar"]

_BACKENDS = ("auto", "rich", "tqdm", "plain")


def _available(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


class ProgressBar(Callback):
    """Progress of each epoch, batch by batch (Keras's ``verbose=1``).

    Parameters
    ----------
    backend : {"auto", "rich", "tqdm", "plain"}, default "auto"
        "auto" takes rich, then tqdm, then plain text.
    stream : file, default sys.stdout
        Where the bar and the epochs' lines go.
    refresh : float, default 0.1
        Seconds between redraws (a redraw per batch would slow training).

    Raises
    ------
    ValueError
        For an unknown ``backend``.
    ImportError
        For ``backend="rich"`` or ``"tqdm"`` when that package is missing.

    Examples
    --------
    Off a terminal the plain bar writes one line per finished epoch:

    >>> import io
    >>> import numpy as np
    >>> import glassnet as gn
    >>> stream = io.StringIO()
    >>> net = gn.Network.mlp([2, 1], loss="mse", seed=0)
    >>> bar = gn.ProgressBar(backend="plain", stream=stream)
    >>> history = net.fit(np.eye(2), [1.0, 2.0], epochs=2, callbacks=[bar])
    >>> print(stream.getvalue())  # doctest: +ELLIPSIS
    epoch 1/2  1/1 [========================]  loss ...  mae ...  lr 0.01  ...s
    epoch 2/2  1/1 [========================]  loss ...  mae ...  lr 0.01  ...s
    <BLANKLINE>
    """

    def __init__(self, *, backend: str = "auto", stream=None, refresh: float = 0.1):
        if backend not in _BACKENDS:
            raise ValueError(
                f"The 'backend' parameter of ProgressBar must be one of "
                f"{', '.join(map(repr, _BACKENDS))}. Got {backend!r} instead."
            )
        if backend == "auto":
            backend = next((b for b in ("rich", "tqdm") if _available(b)), "plain")
        elif backend != "plain" and not _available(backend):
            raise ImportError(
                f"ProgressBar(backend={backend!r}) needs the '{backend}' package: "
                f"pip install {backend}. backend='plain' needs nothing."
            )
        self.backend = backend
        self.stream = stream
        self.refresh = refresh

    def on_train_begin(self, logs):
        """Open the bar on the stream.

        Parameters
        ----------
        logs : dict
            Empty.
        """
        stream = self.stream or sys.stdout
        self._bar = {"rich": _RichBar, "tqdm": _TqdmBar, "plain": _PlainBar}[
            self.backend
        ](stream)

    def on_epoch_begin(self, epoch, logs):
        """Start the epoch's bar, ``epoch k/epochs`` (1-based).

        Parameters
        ----------
        epoch : int
            Index of the epoch, from 0.
        logs : dict
            Empty.
        """
        epochs = self.params.get("epochs", epoch + 1)
        self._steps = self.params.get("steps", 0)
        self._done = 0
        self._loss_sum = 0.0
        self._seen = 0
        self._last_draw = 0.0
        self._start = time.perf_counter()
        self._bar.start(f"epoch {epoch + 1}/{epochs}", self._steps)

    def on_batch_end(self, batch, logs):
        """Advance the bar; redraw it with the running mean loss now and then.

        Parameters
        ----------
        batch : int
            Index of the batch within its epoch, from 0.
        logs : dict
            The batch's ``loss`` and ``size``.
        """
        self._done = batch + 1
        size = logs.get("size", 1)
        self._loss_sum += logs["loss"] * size
        self._seen += size
        now = time.perf_counter()
        if now - self._last_draw >= self.refresh:
            self._last_draw = now
            self._bar.update(self._done, f"loss {self._loss_sum / self._seen:.4f}")

    def on_epoch_end(self, epoch, logs):
        """Replace the bar by the epoch's line: its logs and time in seconds.

        Parameters
        ----------
        epoch : int
            Index of the epoch, from 0.
        logs : dict
            The epoch's logs.
        """
        elapsed = time.perf_counter() - self._start
        self._bar.finish(self._done, f"{format_logs(logs)}  {elapsed:.1f}s")

    def on_train_end(self, logs):
        """Close the bar.

        Parameters
        ----------
        logs : dict
            The last epoch's logs.
        """
        self._bar.close()


class _PlainBar:
    """Text only: ``epoch 3/20  120/469 [=====>....] loss 0.1234``."""

    width = 24

    def __init__(self, stream):
        self.stream = stream
        self.interactive = bool(getattr(stream, "isatty", lambda: False)())
        self._length = 0

    def start(self, prefix: str, steps: int) -> None:
        self.prefix, self.steps = prefix, steps

    def _line(self, done: int, text: str) -> str:
        filled = self.width * done // max(self.steps, 1)
        bar = "=" * filled + (">" if filled < self.width else "")
        bar = bar.ljust(self.width, ".")[: self.width]
        digits = len(str(self.steps))
        return f"{self.prefix}  {done:>{digits}}/{self.steps} [{bar}]  {text}"

    def update(self, done: int, text: str) -> None:
        if self.interactive:
            line = self._line(done, text)
            self.stream.write("\r" + line.ljust(self._length))
            self.stream.flush()
            self._length = len(line)

    def finish(self, done: int, text: str) -> None:
        line = self._line(done, text)
        start = "\r" if self.interactive else ""
        self.stream.write(start + line.ljust(self._length) + "\n")
        self.stream.flush()
        self._length = 0

    def close(self) -> None:
        pass


class _TqdmBar:
    def __init__(self, stream):
        self.stream = stream
        self.bar = None

    def start(self, prefix: str, steps: int) -> None:
        from tqdm.auto import tqdm

        self.bar = tqdm(
            total=steps, desc=prefix, file=self.stream, unit="batch", leave=True
        )

    def update(self, done: int, text: str) -> None:
        self.bar.n = done
        self.bar.set_postfix_str(text, refresh=False)
        self.bar.refresh()

    def finish(self, done: int, text: str) -> None:
        self.bar.n = done
        self.bar.set_postfix_str(text, refresh=False)
        self.bar.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class _RichBar:
    """rich's live bar for the epoch in progress; a plain line per finished epoch.

    Where the stream is neither a terminal nor a notebook (a log file), no
    live bar is drawn at all: only the epochs' lines.
    """

    def __init__(self, stream):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.console = Console(file=stream)
        self.live = self.console.is_terminal or self.console.is_jupyter
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=30),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[info]}"),
            console=self.console,
            auto_refresh=False,
            transient=True,  # finished epochs are printed as lines instead
        )
        if self.live:
            self.progress.start()
        self.task = None

    def start(self, prefix: str, steps: int) -> None:
        self.prefix = prefix
        if self.live:
            self.task = self.progress.add_task(prefix, total=steps, info="")

    def update(self, done: int, text: str) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=done, info=text)
            self.progress.refresh()

    def finish(self, done: int, text: str) -> None:
        # The live bar is for the epoch in progress only: a finished epoch's
        # bar (with its stale running loss) goes, and one plain line with the
        # epoch's logged values takes its place above the live area, so the
        # live area never grows past one row whatever the number of epochs.
        if self.task is not None:
            self.progress.remove_task(self.task)
            self.task = None
            self.progress.refresh()
        self.console.print(
            f"{self.prefix}  {text}", soft_wrap=True, markup=False, highlight=False
        )

    def close(self) -> None:
        if self.live:
            self.progress.stop()
