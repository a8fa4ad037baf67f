"""Kernel-only timings of the SIMD kernels, for interleaved A/B runs of two builds.

One process measures each kernel (10th percentile of many calls: robust to a noisy neighbour) and
prints one JSON object. Alternate the builds round by round and compare per-round ratios, e.g.

    for i in $(seq 1 10); do
      for P in /path/to/build_A python; do PYTHONPATH=$P python bench/ab_kernels.py >> ab_$(basename $P).jsonl; done
    done

Works with builds before the one SIMD layer too (features' portable level was called "baseline").
"""
from __future__ import annotations

import json
import time

import cv2
import numpy as np

import vxfast
from vxfast import _core, features

# Builds from before vxfast._core had submodules keep everything at its top (A/B against them).
_post_core = getattr(_core, "postprocess", _core)
from vxfast.shared_data import shared_path


def p10_ms(fn, rep: int, warm: int = 3) -> float:
    for _ in range(warm):
        fn()
    ts = []
    for _ in range(rep):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[len(ts) // 10] * 1e3


def main() -> None:
    r: dict[str, float] = {}
    base = cv2.imread(str(shared_path("media/zidane.jpg")))
    out = np.empty((3, 640, 640), np.float32)
    spec = vxfast.Letterbox(640)
    w, h = 1920, 1080
    bgr = np.ascontiguousarray(cv2.resize(base, (w, h), interpolation=cv2.INTER_CUBIC))
    i420 = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420)
    y = i420[:h]
    u = i420[h:h + h // 4].reshape(h // 2, w // 2)
    v = i420[h + h // 4:].reshape(h // 2, w // 2)
    r["preprocess 1080p letterbox threads=1 ms"] = p10_ms(
        lambda: vxfast.preprocess(bgr, spec, out, input_order="bgr", threads=1), 150)
    r["preprocess 1080p yuv420 threads=1 ms"] = p10_ms(
        lambda: vxfast.preprocess_yuv420(y, u, v, spec, out=out, threads=1), 150)

    luma = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    levels = features.simd_levels()
    portable = "scalar" if "reference" in levels else "baseline"
    for name in (portable, "avx2", "avx512"):
        if name not in levels:
            continue
        key = "portable" if name == portable else name
        for t in (1, 0):
            r[f"features {key} threads={t or 'auto'} ms"] = p10_ms(
                lambda: features.compute(luma, simd=name, threads=t), 10 if key == "portable" else 40)

    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 2000, (3000, 2)).astype(np.float32)
    boxes = np.concatenate([xy, xy + rng.uniform(0, 60, (3000, 2)).astype(np.float32)], 1)
    scores = rng.random(3000).astype(np.float32)
    head = rng.random((1, 84, 8400), dtype=np.float32) ** 8
    head[0, :4] *= 640
    cpu = vxfast.simd_info()["cpu"] if hasattr(vxfast, "simd_info") else _core.postprocess_cpu_simd_level()
    isa = ("scalar", "avx2", "avx512")
    for lvl in isa[: isa.index(cpu) + 1] if cpu != "neon" else ("scalar",):
        r[f"nms 3000 boxes {lvl} us"] = 1e3 * p10_ms(lambda: _post_core.nms(boxes, scores, 0.3, None, -1, simd=lvl), 30)
        r[f"yolo_decode 8400x80 {lvl} us"] = 1e3 * p10_ms(lambda: _post_core.yolo_decode(
            head, "channels_first", 80, 0.25, 0.45, 300, False, [], None, 0, simd=lvl), 30)
    print(json.dumps(r))


if __name__ == "__main__":
    main()
