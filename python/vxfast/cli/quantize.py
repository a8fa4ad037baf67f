"""``vxfast quantize MODEL --calibrate VIDEO``: static QDQ INT8, calibrated on the user's own frames."""
from __future__ import annotations

import argparse


def register(subparsers) -> None:
    p = subparsers.add_parser("quantize", help="static INT8 (QDQ) quantization calibrated on a video")
    p.add_argument("model", help="FP32 ONNX model file or bare name")
    p.add_argument("--calibrate", required=True, metavar="VIDEO", help="video to draw frames from")
    p.add_argument("-o", "--output", default=None, help="output .onnx (default MODEL-int8.onnx)")
    p.add_argument("--frames", type=int, default=24, help="calibration frames (default 24)")
    p.add_argument("--heldout", type=int, default=8, help="held-out frames for agreement (default 8)")
    p.add_argument("--method", choices=("minmax", "entropy", "percentile"), default="percentile")
    p.add_argument("--per-channel", dest="per_channel", action="store_true", default=True,
                   help="per-channel weight scales (default: best F1 in bench/bench_quantize.py)")
    p.add_argument("--per-tensor", dest="per_channel", action="store_false",
                   help="one weight scale per tensor")
    p.add_argument("--no-exclude-head", dest="exclude_head", action="store_false",
                   help="also quantize the detection head's decode (usually ruins the scores)")
    p.add_argument("--exclude-head", dest="exclude_head", action="store_true", default=True,
                   help="keep the detection head's decode in float (default)")
    p.add_argument("--symmetric-activations", action="store_true")
    p.add_argument("--report", default=None, help="JSON report path (default OUTPUT.json)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..model.quantization import quantize

    r = quantize(args.model, args.calibrate, args.output, frames=args.frames, heldout=args.heldout,
                 method=args.method, per_channel=args.per_channel, exclude_head=args.exclude_head,
                 symmetric_activations=args.symmetric_activations, report_path=args.report)
    print(f"wrote {r.output}")
    print(f"speed   FP32 {r.fp32_ms:.1f} ms  INT8 {r.int8_ms:.1f} ms  -> {r.speedup:.2f}x (median, CPU)")
    agree = (f"detections P {r.detection_precision:.3f} R {r.detection_recall:.3f} "
             f"F1 {r.detection_f1:.3f}" if r.detection_f1 is not None else "no detection decode")
    print(f"agree   max|diff| {r.max_abs_diff:.4g}  mean|diff| {r.mean_abs_diff:.4g}  {agree} "
          f"on {len(r.heldout_frames)} held-out frames")
    for note in r.notes:
        print(f"note    {note}")
    return 0
