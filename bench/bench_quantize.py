"""Static INT8 (QDQ) YOLOv8n vs FP32 on CPU, several quantization choices, one run.

Each variant is calibrated on 24 frames spread over vtest.avi and judged on 8 other frames:
speed = FP32 median ms / INT8 median ms (same session options, interleaved per variant), detection
F1 of INT8 against FP32 detections (conf 0.25, IoU 0.45 NMS, matched at IoU 0.5).

    PYTHONPATH=python python bench/bench_quantize.py [--out /tmp/vxq]
"""
from __future__ import annotations

import argparse
import os

from vxfast.model.quantization import quantize
from vxfast.shared_data import shared_path

VARIANTS = [
    {"method": "minmax"},
    {"method": "minmax", "per_channel": True},
    {"method": "percentile"},
    {"method": "percentile", "per_channel": True},
    {"method": "minmax", "per_channel": True, "symmetric_activations": True},
    {"method": "minmax", "exclude_head": False},
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="/tmp/vxq")
    ap.add_argument("--iters", type=int, default=10)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    model, video = shared_path("models/yolov8n.onnx"), shared_path("media/vtest.avi")
    print(f"{'variant':<58}{'fp32 ms':>9}{'int8 ms':>9}{'speedup':>9}{'F1':>7}{'P':>7}{'R':>7}")
    for i, kw in enumerate(VARIANTS):
        r = quantize(model, video, f"{args.out}/v{i}.onnx", bench_iters=args.iters, **kw)
        label = ", ".join(f"{k}={v}" for k, v in kw.items())
        print(f"{label:<58}{r.fp32_ms:>9.1f}{r.int8_ms:>9.1f}{r.speedup:>9.2f}{r.detection_f1:>7.3f}"
              f"{r.detection_precision:>7.3f}{r.detection_recall:>7.3f}", flush=True)


if __name__ == "__main__":
    main()
