"""``vxfast validate ORIGINAL OPTIMISED --video V``: same frames through both, outputs compared."""
from __future__ import annotations

import argparse

#: exit status when the models disagree (1 is any other error)
DISAGREE = 3


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "validate", help="compare an optimised/quantized model with its original on video frames")
    p.add_argument("original", help="reference ONNX model")
    p.add_argument("optimized", metavar="OPTIMISED", help="optimised / converted ONNX model")
    p.add_argument("--video", required=True, help="video to draw the frames from")
    p.add_argument("--frames", type=int, default=8, help="frames spread over the video (default 8)")
    p.add_argument("--min-f1", type=float, default=0.9,
                   help=f"detection F1 below this exits with status {DISAGREE} (default 0.9)")
    p.add_argument("--iters", type=int, default=5, help="timed runs of each model (default 5)")
    p.add_argument("--json", default=None, metavar="OUT", help="write the report as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..model.validation import validate

    r = validate(args.original, args.optimized, args.video, frames=args.frames,
                 bench_iters=args.iters, min_f1=args.min_f1, report_path=args.json)
    print(f"frames  {len(r.frames)} of {r.video}")
    print(f"outputs max|diff| {r.max_abs_diff:.4g}  mean|diff| {r.mean_abs_diff:.4g}")
    if r.detection_f1 is not None:
        print(f"detect  P {r.detection_precision:.3f} R {r.detection_recall:.3f} "
              f"F1 {r.detection_f1:.3f}  ({r.detections_original} vs {r.detections_optimized} "
              f"boxes, IoU 0.5, same class)")
    print(f"speed   original {r.original_ms:.1f} ms  optimised {r.optimized_ms:.1f} ms  -> "
          f"{r.speedup:.2f}x (median, same run)")
    for note in r.notes:
        print(f"note    {note}")
    if not r.passed:
        print(f"FAIL    agreement below --min-f1 {r.min_f1}")
        return DISAGREE
    print("ok")
    return 0
