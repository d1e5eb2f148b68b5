"""``glassnet export``: a model file in another format (ONNX)."""

from __future__ import annotations

from pathlib import Path

from glassnet.cli._common import UsageError, print_json, refuse_stdout


def add_parser(sub) -> None:
    p = sub.add_parser(
        "export",
        help="write a model in another format (ONNX)",
        description="Write a saved model as an ONNX graph (opset 17): its input "
        "scaling, Gemm and activation nodes, batch normalization folded or in "
        "inference mode, no dropout. Outputs 'output' (what the network computes) "
        "and, for classifiers, 'label' (class codes). Needs the onnx package: "
        "pip install 'glassnet[onnx]'.",
    )
    p.add_argument("model", help="model file written by glassnet train or save()")
    p.add_argument(
        "--format", default="onnx", choices=["onnx"], help="output format (onnx)"
    )
    p.add_argument(
        "--out",
        help="file to write (default: MODEL with .onnx); '-' (standard output) "
        "is refused, an ONNX file is binary",
    )
    p.add_argument(
        "--dtype",
        default="float32",
        choices=["float32", "float64"],
        help="element type of the graph (float32)",
    )
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(run=run)


def run(args) -> int:
    import glassnet as gn
    from glassnet.interop.onnx import OPSET

    refuse_stdout("--out", args.out, "an ONNX file")
    model_path = Path(args.model)
    out = Path(args.out) if args.out else model_path.with_suffix(".onnx")
    directory = out.parent if str(out.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"cannot write {out}: directory {directory} does not exist")
    if out.resolve() == model_path.resolve():
        raise UsageError(f"--out {out} would overwrite the model file itself")
    network = gn.load(model_path)
    try:
        model = network.to_onnx(out, dtype=args.dtype)
    except ModuleNotFoundError as exc:
        raise UsageError(str(exc)) from None
    outputs = [value.name for value in model.graph.output]
    if args.json:
        print_json(
            {
                "model": str(model_path),
                "out": str(out),
                "format": args.format,
                "opset": OPSET,
                "dtype": args.dtype,
                "inputs": [value.name for value in model.graph.input],
                "outputs": outputs,
                "nodes": [node.op_type for node in model.graph.node],
            }
        )
    else:
        print(
            f"wrote {out}: ONNX opset {OPSET}, {len(model.graph.node)} nodes, "
            f"input X, outputs {', '.join(outputs)}"
        )
    return 0
