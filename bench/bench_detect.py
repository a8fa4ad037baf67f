"""End-to-end detection FPS on a 1080p clip, vxfast.detect vs its anchors in one run, as ratios.

    python bench/bench_detect.py [--frames 60] [--rounds 3] [--json out.json]

Anchors (same model file, onnxruntime defaults for threads in all three):
- bare onnxruntime on ready tensors: the model alone, one session.run after another (target:
  vxfast >= 0.9x);
- a plain OpenCV + onnxruntime loop: VideoCapture, cv2 letterbox, session.run, numpy decode +
  cv2.dnn.NMSBoxesBatched, one frame after another (target: vxfast >= 1.5x).
vxfast.detect runs as it does by default (``default_streams()`` model sessions: 2 on the CPU, the
machine's threads split between them). For an honest ceiling the run also times bare onnxruntime
the same way: that many 1-session-per-thread streams on ready tensors, no decoding at all.
Also reports peak RSS and the RSS trend over the vxfast run (flat = no growth per frame).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vxfast  # noqa: E402
from vxfast.shared_data import shared_path  # noqa: E402

from media import h264_1080p  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def run_vxfast(clip, model, n, rss_trace):
    count = 0
    for _ in vxfast.detect(clip, model, end=n / 25.0 - 1e-6):
        count += 1
        if count % 10 == 0:
            rss_trace.append(rss_mb())
    return count


def run_bare(sess, x, n):
    name = sess.get_inputs()[0].name
    for _ in range(n):
        sess.run(None, {name: x})
    return n


def run_bare_streams(sessions, x, n):
    """n frames over len(sessions) threads, each with its own session (onnxruntime drops the GIL)."""
    import threading

    share = [n // len(sessions) + (i < n % len(sessions)) for i in range(len(sessions))]
    threads = [threading.Thread(target=run_bare, args=(s, x, k)) for s, k in zip(sessions, share)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return n


def letterbox_cv2(bgr, size=640):
    import cv2

    h, w = bgr.shape[:2]
    r = min(size / h, size / w)
    nw, nh = round(w * r), round(h * r)
    top, left = (size - nh) // 2, (size - nw) // 2
    canvas = np.full((size, size, 3), 114, np.uint8)
    canvas[top:top + nh, left:left + nw] = cv2.resize(bgr, (nw, nh), interpolation=cv2.INTER_LINEAR)
    x = np.ascontiguousarray(canvas[:, :, ::-1].transpose(2, 0, 1))[None].astype(np.float32) / 255
    return x, r, left, top


def run_plain(clip, sess, n):
    import cv2

    name = sess.get_inputs()[0].name
    cap = cv2.VideoCapture(str(clip))
    count = 0
    while count < n:
        ok, bgr = cap.read()
        if not ok:
            break
        x, r, left, top = letterbox_cv2(bgr)
        out = sess.run(None, {name: x})[0][0].T
        scores = out[:, 4:].max(1)
        keep = scores > 0.25
        b, s, c = out[keep, :4], scores[keep], out[keep, 4:].argmax(1)
        xywh = np.c_[b[:, :2] - b[:, 2:] / 2, b[:, 2:]]
        idx = np.asarray(cv2.dnn.NMSBoxesBatched(xywh.tolist(), s.tolist(), c.tolist(), 0.25, 0.45)).reshape(-1)
        _ = (xywh[idx] - [left, top, 0, 0]) / r
        count += 1
    cap.release()
    return count


def main(argv=None) -> int:
    import onnxruntime as ort

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json")
    args = ap.parse_args(argv)

    clip = h264_1080p()
    model_path = shared_path("models/yolov8n.onnx")
    streams = vxfast.default_streams("cpu")
    model = vxfast.Model(model_path, providers="cpu", streams=streams)  # as detect(path) loads it
    sess = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    so = ort.SessionOptions()
    so.intra_op_num_threads = max(1, (os.cpu_count() or 1) // streams)
    stream_sessions = [ort.InferenceSession(str(model_path), so, providers=["CPUExecutionProvider"])
                       for _ in range(streams)]
    x = vxfast.VideoReader(clip).get_frame_at(10, preprocess=vxfast.Letterbox(640)).data[None].copy()
    for s in [sess, *stream_sessions]:
        run_bare(s, x, 1)  # warm-up, as vxfast.Model does at load

    bare_streams = f"bare onnxruntime, {streams} streams"
    times = {"vxfast.detect": [], "bare onnxruntime (ready tensors)": [], bare_streams: [],
             "OpenCV + onnxruntime loop": []}
    rss_trace: list = []
    frames = {}
    for _ in range(args.rounds):
        for name in times:
            t0 = time.perf_counter()
            if name == "vxfast.detect":
                rss_trace.clear()
                n = run_vxfast(clip, model, args.frames, rss_trace)
            elif name == bare_streams:
                n = run_bare_streams(stream_sessions, x, args.frames)
            elif name.startswith("bare"):
                n = run_bare(sess, x, args.frames)
            else:
                n = run_plain(clip, sess, args.frames)
            times[name].append(time.perf_counter() - t0)
            frames[name] = n
    fps = {k: frames[k] / statistics.median(v) for k, v in times.items()}
    ratios = {"vxfast vs bare onnxruntime": fps["vxfast.detect"] / fps["bare onnxruntime (ready tensors)"],
              f"vxfast vs {bare_streams}": fps["vxfast.detect"] / fps[bare_streams],
              "vxfast vs OpenCV + onnxruntime loop": fps["vxfast.detect"] / fps["OpenCV + onnxruntime loop"]}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    growth = (rss_trace[-1] - rss_trace[0]) if len(rss_trace) > 1 else 0.0
    print(f"1080p H.264, {args.frames} frames, yolov8n 640 FP32 CPU, median of {args.rounds} rounds, "
          f"vxfast with {streams} model streams")
    for k in times:
        print(f"  {k:<36} {statistics.median(times[k]):7.2f} s  {fps[k]:6.2f} fps")
    for k, v in ratios.items():
        print(f"  {k:<36} {v:6.2f}x")
    print(f"  peak RSS {peak:.0f} MB; RSS over the last vxfast run: {rss_trace[0] if rss_trace else 0:.0f} -> "
          f"{rss_trace[-1] if rss_trace else 0:.0f} MB ({growth:+.1f} MB over {args.frames} frames)")
    if args.json:
        Path(args.json).write_text(json.dumps({"fps": fps, "ratios": ratios, "peak_rss_mb": peak,
                                               "rss_trace_mb": rss_trace}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
