"""The ``glassnet`` command.

Every command prints results on stdout and problems on stderr, exits 0 on
success and 2 on bad usage or input (one line: ``glassnet: error: ...``), and
with ``--json`` prints one JSON document instead of text.
"""

from __future__ import annotations

import argparse
import os
import sys

from glassnet._version import __version__
from glassnet.cli._common import UsageError, escaped_warnings, name_flags, printable

__all__ = ["UsageError", "build_parser", "main"]


#: Options (and arguments) that name files or folders: a leading ``~`` is
#: expanded as a shell would, also in ``--data=~/x.csv`` where the shell does
#: not. Environment variables are left to the shell (``$`` may be part of a
#: file name).
PATH_OPTIONS = ("data", "out", "input", "config", "plots", "results",
                "model", "data_dir")  # fmt: skip


class _Parser(argparse.ArgumentParser):
    """argparse with glassnet's error form: one line on stderr, exit code 2."""

    def error(self, message: str):
        self.exit(2, f"glassnet: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    from glassnet.cli import (
        exercise_cmd,
        export_cmd,
        inspect_cmds,
        misc,
        playground_cmd,
        report_cmd,
        sweep_cmd,
        trace_cmd,
        train,
    )

    parser = _Parser(
        prog="glassnet",
        description="Feedforward neural networks trained by backpropagation.",
    )
    parser.add_argument(
        "--version", action="version", version=f"glassnet {__version__}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    train.add_parser(sub)
    inspect_cmds.add_parsers(sub)
    misc.add_parsers(sub)
    trace_cmd.add_parser(sub)
    exercise_cmd.add_parser(sub)
    report_cmd.add_parser(sub)
    export_cmd.add_parser(sub)
    sweep_cmd.add_parser(sub)
    playground_cmd.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``glassnet`` console script; returns the exit code."""
    from glassnet.files.model_file import ModelFileError

    parser = build_parser()
    args = parser.parse_args(argv)
    for name in PATH_OPTIONS:
        value = getattr(args, name, None)
        if isinstance(value, str):
            setattr(args, name, os.path.expanduser(value))
    try:
        # Warnings may quote names from a data file too: escaped like errors.
        with escaped_warnings():
            return args.run(args)
    except BrokenPipeError:  # e.g. piped into head: the reader left, not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    except (UsageError, ModelFileError, ValueError, TypeError, OSError) as exc:
        text = str(exc).strip()
        message = text.splitlines()[0] if text else type(exc).__name__
        if isinstance(exc, FileNotFoundError) and exc.filename and not text:
            message = f"{exc.filename}: file not found"
        # A library's parameter names become the flags typed ('rate' of
        # Dropout: --dropout), through one table for every command.
        message = name_flags(message, getattr(args, "command", None))
        # Messages may quote names from a data file: escaped for the terminal.
        print(f"glassnet: error: {printable(message)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("glassnet: interrupted", file=sys.stderr)
        return 130
