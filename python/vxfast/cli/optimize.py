"""``vxfast optimize MODEL [--fp16] [--opt-level LEVEL]``: an optimised and/or float16 copy."""
from __future__ import annotations

import argparse


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "optimize",
        help="write onnxruntime's optimised graph and/or a float16 (GPU) copy of a model")
    p.add_argument("model", help="ONNX model file or bare name")
    p.add_argument("--fp16", action="store_true",
                   help="convert to float16 with float32 inputs/outputs: for GPU providers "
                        "(usually SLOWER on CPU; the speed is measured and printed)")
    p.add_argument("--opt-level", choices=("none", "basic", "extended", "all"), default=None,
                   help="onnxruntime graph optimisation level to save (default all; basic with "
                        "--fp16; all is tied to this CPU)")
    p.add_argument("-o", "--output", default=None,
                   help="output .onnx (default MODEL-opt.onnx / MODEL-fp16.onnx)")
    p.add_argument("--iters", type=int, default=5, help="timed runs of each model (default 5)")
    p.add_argument("--report", default=None, help="JSON report path (default OUTPUT.json)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..model.optimization import optimize

    r = optimize(args.model, fp16=args.fp16, opt_level=args.opt_level, out=args.output,
                 bench_iters=args.iters, report_path=args.report)
    kind = "float16 (for GPU providers)" if r.fp16 else "float32"
    print(f"wrote {r.output}  [{kind}, opt-level {r.opt_level}]")
    print(f"graph   {r.nodes_before} -> {r.nodes_after} nodes, {r.bytes_before / 1e6:.1f} -> "
          f"{r.bytes_after / 1e6:.1f} MB")
    print(f"speed   original {r.original_ms:.1f} ms  optimised {r.optimized_ms:.1f} ms  -> "
          f"{r.speedup:.2f}x (median of {args.iters}, CPU)  load {r.original_load_ms:.0f} -> "
          f"{r.optimized_load_ms:.0f} ms")
    print(f"check   max|diff| {r.max_abs_diff:.4g} on a random input; run `vxfast validate "
          f"{r.source} {r.output} --video V` for real frames")
    for note in r.notes:
        print(f"note    {note}")
    return 0
