"""``glassnet exercise``: an exercise sheet on one step of backpropagation, and
its answer key, computed by glassnet's own trace."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np

from glassnet.cli._common import STDOUT, UsageError, write_text_atomically

#: File name extension of each format.
EXTENSIONS = {"text": "txt", "markdown": "md", "latex": "tex", "json": "json"}
#: exercise()'s parameters -> the flags that set them, for its error messages.
FLAGS = {
    "seed": "--seed",
    "layers": "--layers",
    "activation": "--activation",
    "output": "--output-activation",
    "loss": "--loss",
    "notation": "--notation",
    "batch": "--batch",
    "lr": "--lr",
    "parts": "--parts",
    "decimals": "--decimals",
    "rounding": "--rounding",
    "weights": "--weights",
    "input": "--input",
    "target": "--target",
}
_PARAMETER = re.compile(r"The '(\w+)' parameter of exercise")


def _layers(text: str) -> list[int]:
    """``--layers``: comma-separated positive integers, input first."""
    parts = [part.strip() for part in str(text).split(",")]
    if not all(part.isdecimal() and part.isascii() and int(part) > 0 for part in parts):
        raise argparse.ArgumentTypeError(
            "expected comma-separated unit counts, input first, such as 2,2,1; "
            f"got {text!r}"
        )
    return [int(part) for part in parts]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "exercise",
        help="an exercise sheet on one backpropagation step, with its answer key",
        description="Write an exercise on one step of backpropagation -- a small "
        "network with one-decimal numbers drawn from --seed, or the numbers given "
        "-- and its answer key: forward pass, loss, deltas, gradients, updated "
        "parameters and new prediction, computed by glassnet's own training step "
        "after a numerical gradient check. Without --out, --questions or --answers "
        "both are printed, questions first.",
    )
    a = p.add_argument
    a("--seed", type=int, default=0, help="seed of the numbers drawn (default 0)")
    a(
        "--layers",
        type=_layers,
        help="units per layer, input first, e.g. 4,4,3 (default 2,2,1, or the "
        "shapes of --weights)",
    )
    a("--activation", default="sigmoid", help="hidden activation (default sigmoid)")
    a(
        "--output-activation",
        dest="output",
        help="output activation (default: softmax for cross_entropy, sigmoid for "
        "binary_cross_entropy, identity for mse and sse)",
    )
    a(
        "--loss",
        help="binary_cross_entropy, cross_entropy, mse or sse (default: binary "
        "cross-entropy for one output, cross-entropy for several)",
    )
    a(
        "--notation",
        choices=["wb", "transfer"],
        default="wb",
        help="wb: W and b (lectures 001/003/004); transfer: lecture 002's "
        "bias-augmented transfer matrices",
    )
    a("--batch", type=int, help="samples in the step, 1 to 4 (default 1)")
    a("--lr", type=float, default=1.0, help="learning rate eta / rho (default 1)")
    a(
        "--parts",
        help="comma-separated questions to ask: forward, loss, deltas, gradients, "
        "update, new_prediction (default all)",
    )
    a("--decimals", type=int, default=4, help="decimals of the key (default 4)")
    a(
        "--rounding",
        choices=["exact", "carry"],
        default="exact",
        help="carry: also the values of a student who rounds every step to "
        "--decimals and computes on, shown where they differ",
    )
    a(
        "--weights",
        metavar="FILE|JSON",
        help='the weights: a JSON file or inline JSON, {"W": [W1, ...], "b": '
        '[b1, ...]} (W of shape n_out x n_in) or {"transfer": [T0, ...]} '
        "(lecture 002's matrices, bias in row 0)",
    )
    a(
        "--input",
        metavar="ROWS",
        help="the input: numbers separated by commas, samples by semicolons, "
        "e.g. 0,1 or '0,1;0.5,0.2' (--input=-1,2 when the first is negative)",
    )
    a(
        "--target",
        metavar="ROWS",
        help="the targets, as --input: 0/1 labels, one-hot rows (0,0,1) or a "
        "class number, or regression values",
    )
    a("--title", help="title of the sheet")
    a(
        "--format",
        choices=list(EXTENSIONS),
        default="text",
        help="text (default), markdown, latex (complete documents) or json",
    )
    a(
        "--out",
        metavar="DIR",
        help="write DIR/questions.EXT and DIR/answers.EXT (DIR is created)",
    )
    a(
        "--questions",
        metavar="FILE",
        help="write the question sheet to FILE ('-': stdout)",
    )
    a("--answers", metavar="FILE", help="write the answer key to FILE ('-': stdout)")
    p.set_defaults(run=run)


def run(args) -> int:
    from glassnet.inspection.exercise import exercise

    _check_destinations(args)
    options = {
        "seed": args.seed,
        "layers": args.layers,
        "activation": args.activation,
        "output": args.output,
        "loss": args.loss,
        "notation": args.notation,
        "batch": args.batch,
        "lr": args.lr,
        "decimals": args.decimals,
        "rounding": args.rounding,
        "title": args.title,
        "weights": None if args.weights is None else _read_weights(args.weights),
        "input": None if args.input is None else _rows(args.input, "--input"),
        "target": None if args.target is None else _rows(args.target, "--target"),
    }
    if args.parts is not None:
        options["parts"] = [part.strip() for part in args.parts.split(",")]
    try:
        sheet = exercise(**options)
    except (ValueError, TypeError) as exc:
        message = _PARAMETER.sub(lambda m: FLAGS.get(m[1], m[0]), str(exc))
        raise UsageError(message) from None
    fmt = args.format
    if args.out is None and not args.questions and not args.answers:
        print(sheet.render(fmt), end="" if fmt != "json" else "\n")
        return 0
    targets = {"questions": args.questions, "answers": args.answers}
    if args.out is not None:
        folder = Path(args.out).expanduser()
        folder.mkdir(parents=True, exist_ok=True)
        targets = {k: str(folder / f"{k}.{EXTENSIONS[fmt]}") for k in targets}
    written = []
    for which, path in targets.items():
        if not path:
            continue
        text = getattr(sheet, which)(fmt)
        text = text if text.endswith("\n") else text + "\n"
        if path == STDOUT:
            print(text, end="")
        else:
            _write(Path(path).expanduser(), text)
            written.append(str(path))
    if written:
        print(f"wrote {' and '.join(written)}", file=_status_stream(targets))
    return 0


def _check_destinations(args) -> None:
    """Refuse destinations that would clash, before any work is done."""
    if args.out is not None and (args.questions or args.answers):
        raise UsageError(
            "give either --out DIR or --questions/--answers FILE, not both"
        )
    out = None if args.out is None else Path(args.out).expanduser()
    if out is not None and out.exists() and not out.is_dir():
        raise UsageError(
            f"--out must be a folder (it is created if missing). Got {args.out!r}, "
            "which is a file, instead."
        )
    same = args.questions and args.answers and args.questions != STDOUT
    if same and _resolved(args.questions) == _resolved(args.answers):
        raise UsageError(
            "--questions and --answers must be different files. Got "
            f"{args.questions!r} for both instead."
        )


def _resolved(path: str) -> Path:
    return Path(path).expanduser().resolve()


def _write(path: Path, text: str) -> None:
    """A regular file atomically; a device or pipe (/dev/null, /dev/stdout)
    by writing into it (as :func:`glassnet.files.atomic.atomic_save` does)."""
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a directory")
    write_text_atomically(path, text)


def _status_stream(targets):
    """Standard error when a document went to standard output, else stdout."""
    import sys

    return sys.stderr if STDOUT in targets.values() else sys.stdout


def _read_weights(text: str) -> dict:
    """``--weights``: inline JSON (starting with ``{``) or a JSON file."""
    source = "--weights"
    if not text.lstrip().startswith("{"):
        path = Path(text).expanduser()
        if not path.is_file():
            raise UsageError(
                f"--weights must be a JSON file or inline JSON starting with '{{'. "
                f"Got {text!r} instead."
            )
        source = f"--weights file {path}"
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{source} cannot be read: {exc}") from None
    try:
        weights = json.loads(text)
    except (ValueError, RecursionError) as exc:
        # ValueError: bad JSON or an int of more than 4300 digits;
        # RecursionError: arrays nested thousands deep
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UsageError(
            f"{source} must be valid JSON. Got an error: {first}"
        ) from None
    return weights


def _rows(text: str, flag: str) -> np.ndarray:
    """Numbers separated by commas, samples by semicolons: (n_samples, n)."""
    rows = []
    for row in text.split(";"):
        values = []
        for part in row.split(","):
            try:
                values.append(float(part))
            except ValueError:
                raise UsageError(
                    f"{flag} must be numbers separated by commas, samples by "
                    f"semicolons (e.g. 0,1;0.5,0.2). Got {part.strip()!r} in "
                    f"{text!r} instead."
                ) from None
        rows.append(values)
    if len({len(row) for row in rows}) != 1:
        raise UsageError(
            f"{flag} must give every sample the same number of values. Got "
            f"{[len(row) for row in rows]} instead."
        )
    X = np.array(rows)
    if not np.all(np.isfinite(X)):
        raise UsageError(f"{flag} must hold finite numbers. Got {text!r} instead.")
    return X
