"""vxfast.Model (IOBinding, preallocated outputs) vs bare onnxruntime ``session.run`` on YOLOv8n.

Both sessions use the same model file, providers, threads and optimisation level, run on the same
real letterboxed frames of vtest.avi, interleaved call by call so machine noise hits both alike.
Reported: median ms per call for each, and the ratio bare/vxfast (> 1 means vxfast is faster).

    PYTHONPATH=python python bench/bench_model.py [--iters 10] [--warmup 2] [--threads 0]
"""
from __future__ import annotations

import argparse
import statistics
import time

import cv2
import numpy as np
import onnxruntime as ort

import vxfast
from vxfast.shared_data import shared_path


def load_frames(n: int, size: int = 640) -> np.ndarray:
    """Letterboxed float32 RGB CHW frames; cv2 for now, vxfast's reader once the pipeline exists."""
    cap = cv2.VideoCapture(str(shared_path("media/vtest.avi")))
    out = []
    while len(out) < n:
        ok, bgr = cap.read()
        if not ok:
            break
        h, w = bgr.shape[:2]
        r = min(size / h, size / w)
        nw, nh = round(w * r), round(h * r)
        canvas = np.full((size, size, 3), 114, np.uint8)
        top, left = (size - nh) // 2, (size - nw) // 2
        canvas[top:top + nh, left:left + nw] = cv2.resize(bgr, (nw, nh))
        out.append(canvas[:, :, ::-1].transpose(2, 0, 1).astype(np.float32) / 255.0)
    cap.release()
    return np.ascontiguousarray(np.stack(out))


def bench_case(model_file: str, batch: int, frames: np.ndarray, iters: int, warmup: int,
               threads: int) -> dict:
    path = shared_path(f"models/{model_file}")
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    bare = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    model = vxfast.Model(path, providers="cpu", batch=batch, threads=threads, warmup=warmup)
    name = bare.get_inputs()[0].name
    x = np.ascontiguousarray(frames[:batch])
    fixed = bare.get_inputs()[0].shape[0]
    if isinstance(fixed, int) and fixed != batch:
        # onnxruntime rejects this batch ("Got invalid dimensions"): the user's bare alternative is
        # one call per frame.
        def bare_call() -> None:
            for i in range(batch):
                bare.run(None, {name: x[i:i + 1]})
    else:
        def bare_call() -> None:
            bare.run(None, {name: x})
    calls = {"bare": bare_call, "vxfast": lambda: model.run(x, copy=False),
             "vxfast_copy": lambda: model.run(x)}
    for _ in range(warmup):
        bare_call()
    times: dict[str, list[float]] = {k: [] for k in calls}
    order = list(calls)
    for it in range(iters):
        for k in order[it % 3:] + order[:it % 3]:  # rotate so no contender always runs first
            t = time.perf_counter()
            calls[k]()
            times[k].append(time.perf_counter() - t)
    med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
    return {"model": model_file, "batch": batch, "batch_mode": model.info.batch_mode,
            **{f"{k}_ms": v for k, v in med.items()},
            "ratio": med["bare"] / med["vxfast"], "ratio_copy": med["bare"] / med["vxfast_copy"],
            "stats_p50_ms": model.stats()["latency_ms"]["p50"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=0, help="intra-op threads (0 = all cores)")
    args = ap.parse_args()
    frames = load_frames(4)
    print(f"onnxruntime {ort.__version__}, CPU, threads={args.threads or 'all'}, "
          f"iters={args.iters} (medians)")
    print("bare = session.run (for a static batch-1 model asked for batch 4: 4 batch-1 calls)")
    print(f"{'model':<22}{'batch':>6}  {'mode':<10}{'bare ms':>10}{'vxfast ms':>11}"
          f"{'+copy ms':>10}{'bare/vx':>9}{'bare/vx+copy':>14}")
    for model_file, batch in (("yolov8n.onnx", 1), ("yolov8n-dynamic.onnx", 4), ("yolov8n.onnx", 4)):
        r = bench_case(model_file, batch, frames, args.iters, args.warmup, args.threads)
        print(f"{r['model']:<22}{r['batch']:>6}  {r['batch_mode']:<10}{r['bare_ms']:>10.1f}"
              f"{r['vxfast_ms']:>11.1f}{r['vxfast_copy_ms']:>10.1f}{r['ratio']:>9.3f}"
              f"{r['ratio_copy']:>14.3f}")


if __name__ == "__main__":
    main()
