"""Pieces the commands share: data by name or file, output, atomic writes."""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import logging
import os
import re
import sys
import warnings
from pathlib import Path

import numpy as np


class UsageError(Exception):
    """A problem with what the user asked for: exit code 2, one line."""


def is_csv_path(data: str) -> bool:
    return data.lower().endswith(".csv") or os.sep in data or Path(data).is_file()


#: Options of a data source, as ``glassnet train`` flags.
DATA_FLAGS = {
    "target": "--target",
    "missing": "--missing",
    "n_samples": "--n-samples",
    "noise": "--noise",
    "test_size": "--test-size",
    "max_categories": "--max-categories",
}


def data_options(data: str) -> dict:
    """The options the data source ``data`` takes, each with its default.

    A CSV file takes ``target`` (required), ``missing`` ("error") and
    ``test_size`` (0.2); a named dataset the options of its loader among
    ``missing``, ``n_samples``, ``noise`` and ``test_size`` (MNIST, with its
    fixed split, takes none of them).
    """
    import inspect

    from glassnet.datasets.csv_loader import load_csv
    from glassnet.datasets.registry import REGISTRY, _canonical

    if is_csv_path(data):
        params = inspect.signature(load_csv).parameters
        return {
            "target": None,
            "missing": params["missing"].default,
            "test_size": params["test_size"].default,
            "max_categories": params["max_categories"].default,
        }
    params = inspect.signature(REGISTRY[_canonical(data)]).parameters
    return {k: params[k].default for k in DATA_FLAGS if k in params}


def resolve_data_options(data: str, given: dict) -> dict:
    """The data options a run uses: ``given`` (None: not given) over defaults.

    Raises UsageError for an option given that the source does not take.
    """
    used = data_options(data)
    extra = [k for k, v in given.items() if v is not None and k not in used]
    if extra:
        flags = ", ".join(DATA_FLAGS[k] for k in extra)
        verb = "is not an option" if len(extra) == 1 else "are not options"
        takes = ", ".join(DATA_FLAGS[k] for k in used) or "none"
        what = f"a CSV file ({data})" if is_csv_path(data) else f"the dataset {data!r}"
        got = ", ".join(f"{DATA_FLAGS[k]} {given[k]}" for k in extra)
        raise UsageError(
            f"{flags} {verb} of {what}, whose options are: {takes}. Got {got} instead."
        )
    used.update({k: v for k, v in given.items() if v is not None and k in used})
    return used


def file_sha256(path) -> str:
    """SHA-256 of a file's bytes (the identity of a training CSV file)."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_data(
    data: str,
    *,
    target: str | None,
    seed: int,
    data_dir=None,
    missing=None,
    options: dict | None = None,
):
    """A :class:`Dataset` from a registry name or a CSV path (with ``target``).

    ``missing`` (None: the source's default) and ``options`` go to the
    loader: ``test_size`` to any, ``max_categories`` to CSV files,
    ``n_samples`` and ``noise`` to the generated 2-D sets, ``missing`` to
    CSV files and ILPD.
    """
    from glassnet.datasets import load, load_csv

    options = dict(options or {})
    if is_csv_path(data):
        if not target:
            raise UsageError(
                f"--target is required with a CSV file ({data}): name the column "
                "to predict."
            )
        path = Path(data)
        if path.exists() and not path.is_file():
            raise UsageError(f"data file {data} is not a readable file")
        if not path.is_file():
            raise UsageError(f"data file {data} does not exist")
        if not os.access(path, os.R_OK):
            raise UsageError(f"data file {data} is not readable")
        resolve_data_options(data, {**options, "missing": missing})
        return load_csv(
            path, target=target, seed=seed, missing=missing or "error", **options
        )
    if target:
        raise UsageError("--target applies to CSV files only, not to named datasets")
    if "max_categories" in options:
        raise UsageError(
            "--max-categories applies to CSV files only, not to named datasets"
        )
    kwargs = {"seed": seed, **options}
    if missing is not None:
        kwargs["missing"] = missing
    if data_dir is not None:
        kwargs["data_dir"] = data_dir
    if data.strip().lower() not in ("mnist", "fashion-mnist", "fashion_mnist"):
        return load(data, **kwargs)
    bar = kwargs["progress"] = DownloadBar()
    try:
        return load(data, **kwargs)
    finally:
        bar.end_line()  # an error goes on a line of its own


class DownloadBar:
    """Progress of a dataset download on stderr: ``downloading  37% 3.7/9.9 MB``."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self._shown = -1
        self._open = False  # a line was started and not ended

    def __call__(self, done: int, total: int) -> None:
        percent = int(100 * done / total) if total else 0
        if percent == self._shown:
            return
        self._shown = percent
        end = "\n" if done >= total else ""
        self.stream.write(
            f"\rdownloading {percent:3d}% {done / 1e6:.1f}/{total / 1e6:.1f} MB{end}"
        )
        self.stream.flush()
        self._open = not end

    def end_line(self) -> None:
        """End a progress line left open (by a failed download)."""
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False


def printable(text) -> str:
    """``str(text)`` safe to print on a terminal: each character that is not
    printable (control characters such as ESC, newlines, tabs, Unicode format
    characters such as right-to-left overrides) is written as its Python
    escape (``\\x1b``, ``\\n``, ``\\u202e``), as ``repr`` would, so that a
    name read from a file cannot move the cursor, recolour or rewrite the
    terminal. Printable text, accented letters included, is unchanged."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def show_warning(message, category, filename, lineno, file=None, line=None):
    """A warning as one ``glassnet: warning: ...`` line on stderr, escaped
    with :func:`printable` as errors are (a class name from a data file in
    matplotlib's "Glyph 27 (\\x1b) missing" cannot reach the terminal raw).
    The signature of :func:`warnings.showwarning`."""
    print(f"glassnet: warning: {printable(message)}", file=sys.stderr, flush=True)


class PrintableLogHandler(logging.Handler):
    """Log records of libraries (with no handler of their own) as escaped
    ``glassnet: warning:`` lines, replacing :data:`logging.lastResort`."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a library's bad format string: say what it was
            text = str(record.msg)
        kind = "warning" if record.levelno < logging.ERROR else "error"
        print(f"glassnet: {kind}: {printable(text)}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def escaped_warnings():
    """Within the block, warnings and last-resort log records are printed
    through :func:`printable`, one line each (installed once, by ``main``,
    for every command)."""
    with warnings.catch_warnings():
        warnings.showwarning = show_warning
        saved = logging.lastResort
        logging.lastResort = PrintableLogHandler(logging.WARNING)
        try:
            yield
        finally:
            logging.lastResort = saved


def print_json(document) -> None:
    json.dump(document, sys.stdout, indent=2, default=_json_default)
    sys.stdout.write("\n")


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def write_text_atomically(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    from glassnet.files.atomic import atomic_save

    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"cannot write {path}: directory {directory} does not exist")

    def write(tmp):
        with open(tmp, "w", newline="") as handle:
            handle.write(text)

    atomic_save(path, write)


def csv_text(header: list[str], rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def format_table(header: list[str], rows: list[list]) -> str:
    cells = [[str(c) for c in header], *[[_cell(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    numeric = [
        bool(rows) and all(_is_number(r[i]) for r in rows) for i in range(len(header))
    ]
    lines = [
        "  ".join(
            c.rjust(w) if right else c.ljust(w)
            for c, w, right in zip(r, widths, numeric, strict=True)
        ).rstrip()
        for r in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool)


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def read_toml(path: str) -> dict:
    """The tables of a TOML file (``--config``), or a one-line UsageError."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise UsageError(
                "--config needs a TOML reader: on Python 3.10 run 'pip install tomli'"
            ) from None
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"config file {path} does not exist")
    try:
        return tomllib.loads(file.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"config file {path} is not valid TOML: {exc}") from None


class DeprecatedFlag(argparse.Action):
    """An old spelling of a flag: stores as the new one does, after one
    ``glassnet: warning: OLD is now NEW; ...`` line on stderr."""

    def __init__(self, option_strings, dest, new: str, **kwargs):
        self.new = new
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        print(
            f"glassnet: warning: {option_string} is now {self.new}; "
            f"{option_string} will be removed in a future version",
            file=sys.stderr,
            flush=True,
        )
        setattr(namespace, self.dest, values)


def deprecated_flag(parser, old: str, new: str, dest: str) -> None:
    """Accept ``old`` (hidden from --help) as a deprecated spelling of ``new``."""
    parser.add_argument(
        old, dest=dest, new=new, action=DeprecatedFlag, help=argparse.SUPPRESS
    )


#: Standard output as a file name, where a command writes text.
STDOUT = "-"


def refuse_stdout(flag: str, value, what: str) -> None:
    """A UsageError when ``value`` of ``flag`` is ``-``: ``what`` is binary."""
    if value == STDOUT:
        raise UsageError(
            f"{flag} must be a file name: {what} is binary and is not written to "
            f"standard output. Got '-' instead."
        )


#: Library parameters -> the flags that set them, for error messages: a
#: library error read on the command line names the flag typed, not the
#: Python parameter. Keys: (owner, parameter), owner ``*`` for any owner;
#: values: a flag, or {command: flag} where commands differ.
PARAMETER_FLAGS: dict[tuple[str, str], str | dict[str, str]] = {
    ("Dropout", "rate"): "--dropout",
    ("fit", "batch_size"): "--batch-size",
    ("fit", "epochs"): "--epochs",
    ("fit", "validation_split"): "--validation-split",
    ("EarlyStopping", "patience"): "--early-stopping",
    ("*", "lr"): "--lr",
    ("*", "l1"): "--l1",
    ("*", "l2"): "--l2",
    ("Network.mlp", "hidden"): "--activation",
    ("Network.mlp", "output"): "--output-activation",
    ("Network.mlp", "loss"): "--loss",
    ("Network.mlp", "sizes"): {"gradcheck": "--sizes", "train": "--layers"},
    ("Dense", "n_in"): {"gradcheck": "--sizes", "train": "--layers"},
    ("Dense", "n_out"): {"gradcheck": "--sizes", "train": "--layers"},
    ("load_csv", "missing"): "--missing",
    ("load_csv", "target"): "--target",
    ("load_csv", "test_size"): "--test-size",
    ("load_csv", "max_categories"): "--max-categories",
    ("*", "n_samples"): "--n-samples",
    ("*", "noise"): "--noise",
    ("*", "test_size"): "--test-size",
    ("Trace.render", "decimals"): "--decimals",
    ("to_onnx", "dtype"): "--dtype",
}

#: Keyword hints in library messages (``pass missing='median'``) -> flags.
KEYWORD_FLAGS = {"missing": "--missing", "max_categories": "--max-categories"}

_PARAMETER = re.compile(r"\bThe '(\w+)' parameter of ([\w.]+)")
_KEYWORD = re.compile(r"\b(\w+)=(['\"]?)([\w.-]+)\2")


def parameter_flag(owner: str, name: str, command: str | None) -> str | None:
    """The flag of ``command`` that sets ``owner``'s parameter ``name``, or None."""
    found = PARAMETER_FLAGS.get((owner, name), PARAMETER_FLAGS.get(("*", name)))
    if isinstance(found, dict):
        return found.get(command)
    return found


def name_flags(message: str, command: str | None) -> str:
    """``message`` of a library error as read on the command line: "The 'rate'
    parameter of Dropout must be ..." becomes "--dropout must be ...", and
    "pass missing='median'" becomes "pass --missing median". Parameters no
    flag of ``command`` sets are left as they are."""

    def parameter(match):
        flag = parameter_flag(match[2], match[1], command)
        return match[0] if flag is None else flag

    def keyword(match):
        flag = KEYWORD_FLAGS.get(match[1])
        return match[0] if flag is None else f"{flag} {match[3]}"

    return _KEYWORD.sub(keyword, _PARAMETER.sub(parameter, message))
