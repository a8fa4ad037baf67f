"""``vxfast optimize`` variants of YOLOv8n vs the original on CPU, one run.

Each variant is written by :func:`vxfast.optimize` and then checked by :func:`vxfast.validate` on
8 frames spread over vtest.avi: speed = original median ms / variant median ms (batch 1, the two
sessions interleaved in the same run, both loaded with onnxruntime's default optimisation), output
difference, detection F1 against the original (conf 0.25, NMS 0.45, matched at IoU 0.5, same class),
and the session load time of the written file vs the original (one load each).

    PYTHONPATH=python python bench/bench_optimize.py [--out /tmp/vxo] [--iters 10]
"""
from __future__ import annotations

import argparse
import os

from vxfast.model.optimization import optimize
from vxfast.model.validation import validate
from vxfast.shared_data import shared_path

VARIANTS = [
    {"opt_level": "all"},
    {"opt_level": "extended"},
    {"opt_level": "basic"},
    {"fp16": True, "opt_level": "basic"},
    {"fp16": True, "opt_level": "none"},
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="/tmp/vxo")
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--frames", type=int, default=8)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    model, video = shared_path("models/yolov8n.onnx"), shared_path("media/vtest.avi")
    print(f"{'variant':<30}{'nodes':>6}{'MB':>6}{'load ms':>14}{'orig ms':>9}{'opt ms':>8}"
          f"{'speedup':>8}{'max|d|':>9}{'F1':>7}")
    for i, kw in enumerate(VARIANTS):
        o = optimize(model, out=f"{args.out}/v{i}.onnx", bench_iters=1, **kw)
        v = validate(model, o.output, video, frames=args.frames, bench_iters=args.iters)
        label = ", ".join(f"{k}={val}" for k, val in kw.items())
        load = f"{o.original_load_ms:.0f}->{o.optimized_load_ms:.0f}"
        print(f"{label:<30}{o.nodes_after:>6}{o.bytes_after / 1e6:>6.1f}{load:>14}"
              f"{v.original_ms:>9.1f}{v.optimized_ms:>8.1f}{v.speedup:>8.2f}{v.max_abs_diff:>9.3g}"
              f"{v.detection_f1:>7.3f}", flush=True)


if __name__ == "__main__":
    main()
