"""Tracker update cost at 10, 100 and 1,000 boxes per frame: vxfast.Tracker("bytetrack") vs Ultralytics'
BYTETracker.update (IDs checked identical) and roboflow `trackers`' ByteTrackTracker, same run, same
detections; OC-SORT vs the numpy + lap reference of the tests and roboflow `trackers`' OCSORTTracker; then
vxfast.track() vs vxfast.detect() end to end on a video.

    PYTHONPATH=python python bench/bench_tracking.py [--rounds 5] [--frames 60] [--video-seconds 4]

Per-frame medians over rounds (each round tracks the whole sequence with a fresh tracker, rounds of the
three trackers interleaved); ratios are reference time / vxfast time.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import vxfast  # noqa: E402
from tracking_reference import UltralyticsResults, ultralytics_bytetrack  # noqa: E402


def moving_boxes(n: int, frames: int, seed: int = 0) -> list[np.ndarray]:
    """n objects on a grid (no two overlap much) moving at constant speed with jitter; 5% dropped per frame,
    20% of the boxes low-score (second stage), a few false positives."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n)))
    pos = np.stack(np.meshgrid(np.arange(side), np.arange(side)), -1).reshape(-1, 2)[:n] * 120.0 + 50
    vel = rng.normal(0, 1.5, (n, 2))
    size = rng.uniform([30, 60], [60, 100], (n, 2))
    out = []
    for f in range(frames):
        c = pos + vel * f + rng.normal(0, 1.0, (n, 2))
        boxes = np.hstack([c, c + size])
        score = np.where(rng.random(n) < 0.2, rng.uniform(0.12, 0.24, n), rng.uniform(0.4, 0.95, n))
        keep = rng.random(n) > 0.05
        dets = np.hstack([boxes, score[:, None], np.zeros((n, 1))])[keep]
        k = max(1, n // 50)
        fp = rng.uniform(0, side * 120, (k, 2))
        dets = np.vstack([dets, np.hstack([fp, fp + 40, rng.uniform(0.05, 0.3, (k, 1)), np.zeros((k, 1))])])
        out.append(dets[rng.permutation(len(dets))].astype(np.float32))
    return out


def time_vxfast(frames):
    t = vxfast.Tracker("bytetrack")
    outs = []
    t0 = time.perf_counter()
    for f in frames:
        outs.append(t.update(f))
    return (time.perf_counter() - t0) / len(frames), outs


def time_ultralytics(frames):
    tr = ultralytics_bytetrack()
    inputs = [UltralyticsResults(f) for f in frames]  # built outside the timing, as a detector hands them
    outs = []
    t0 = time.perf_counter()
    for r in inputs:
        outs.append(tr.update(r))
    return (time.perf_counter() - t0) / len(frames), [np.asarray(o, np.float32).reshape(-1, 8) for o in outs]


def time_roboflow(frames):
    import supervision as sv
    from trackers import ByteTrackTracker

    tr = ByteTrackTracker()
    inputs = [sv.Detections(xyxy=f[:, :4], confidence=f[:, 4], class_id=f[:, 5].astype(int)) for f in frames]
    t0 = time.perf_counter()
    for d in inputs:
        tr.update(d)
    return (time.perf_counter() - t0) / len(frames), None


def bench_update(rounds: int, frames_n: int) -> dict:
    res = {}
    for n in (10, 100, 1000):
        frames = moving_boxes(n, frames_n if n < 1000 else max(10, frames_n // 3))
        times: dict[str, list[float]] = {"vxfast": [], "ultralytics": [], "roboflow_trackers": []}
        for _ in range(rounds):
            tv, ov = time_vxfast(frames)
            tu, ou = time_ultralytics(frames)
            tr, _ = time_roboflow(frames)
            times["vxfast"].append(tv)
            times["ultralytics"].append(tu)
            times["roboflow_trackers"].append(tr)
        same = all(a.shape == b.shape and np.array_equal(a[:, 4], b[:, 4]) for a, b in zip(ov, ou))
        med = {k: statistics.median(v) for k, v in times.items()}
        res[n] = {"ms_per_frame": {k: round(v * 1e3, 4) for k, v in med.items()},
                  "ratio_vs_ultralytics": round(med["ultralytics"] / med["vxfast"], 1),
                  "ratio_vs_roboflow_trackers": round(med["roboflow_trackers"] / med["vxfast"], 1),
                  "identical_ids_to_ultralytics": same, "frames": len(frames)}
        print(f"{n:5d} boxes/frame: vxfast {med['vxfast'] * 1e3:.3f} ms, ultralytics {med['ultralytics'] * 1e3:.3f} ms"
              f" ({res[n]['ratio_vs_ultralytics']}x), trackers {med['roboflow_trackers'] * 1e3:.3f} ms"
              f" ({res[n]['ratio_vs_roboflow_trackers']}x), identical IDs: {same}", flush=True)
    return res


def time_ocsort(frames, impl: str):
    if impl == "vxfast":
        t = vxfast.Tracker("ocsort")
        t0 = time.perf_counter()
        outs = [t.update(f) for f in frames]
        return (time.perf_counter() - t0) / len(frames), outs
    if impl == "reference":  # tests/ocsort_reference.py: the original's algorithm in numpy + lap
        from ocsort_reference import OCSortReference

        r = OCSortReference()
        t0 = time.perf_counter()
        outs = [r.update(f) for f in frames]
        return (time.perf_counter() - t0) / len(frames), outs
    import supervision as sv
    from trackers import OCSORTTracker

    tr = OCSORTTracker()
    inputs = [sv.Detections(xyxy=f[:, :4], confidence=f[:, 4], class_id=f[:, 5].astype(int)) for f in frames]
    t0 = time.perf_counter()
    for d in inputs:
        tr.update(d)
    return (time.perf_counter() - t0) / len(frames), None


def bench_ocsort(rounds: int, frames_n: int) -> dict:
    """OC-SORT update: vxfast vs the numpy + lap reference (IDs checked identical) and roboflow trackers'
    OCSORTTracker (its own variant of OC-SORT; timing only)."""
    res = {}
    for n in (10, 100, 1000):
        frames = moving_boxes(n, frames_n if n < 1000 else max(10, frames_n // 3))
        times: dict[str, list[float]] = {"vxfast": [], "reference": [], "roboflow_trackers": []}
        for _ in range(rounds):
            for impl in times:
                dt, o = time_ocsort(frames, impl)
                times[impl].append(dt)
                if impl == "vxfast":
                    ov = o
                elif impl == "reference":
                    orf = o
        same = all(a.shape == b.shape and np.array_equal(a[:, 4], b[:, 4]) for a, b in zip(ov, orf))
        med = {k: statistics.median(v) for k, v in times.items()}
        res[n] = {"ms_per_frame": {k: round(v * 1e3, 4) for k, v in med.items()},
                  "ratio_vs_reference": round(med["reference"] / med["vxfast"], 1),
                  "ratio_vs_roboflow_trackers": round(med["roboflow_trackers"] / med["vxfast"], 1),
                  "identical_ids_to_reference": same, "frames": len(frames)}
        print(f"ocsort {n:5d} boxes/frame: vxfast {med['vxfast'] * 1e3:.3f} ms, reference "
              f"{med['reference'] * 1e3:.3f} ms ({res[n]['ratio_vs_reference']}x), trackers "
              f"{med['roboflow_trackers'] * 1e3:.3f} ms ({res[n]['ratio_vs_roboflow_trackers']}x), "
              f"identical IDs: {same}", flush=True)
    return res


def bench_end_to_end(rounds: int, seconds: float) -> dict:
    from vxfast.shared_data import shared_path

    video, model_path = shared_path("media/vtest.avi"), shared_path("models/yolov8n.onnx")
    model = vxfast.Model(model_path, batch=1)
    det_t, trk_t = [], []
    list(vxfast.detect(video, model, batch=1, end=seconds))  # warm-up
    n = 0
    for r in range(rounds):
        # alternate which goes first: on a shared 2-core machine the second of a pair runs warmer
        for which in ((0, 1) if r % 2 == 0 else (1, 0)):
            t0 = time.perf_counter()
            if which == 0:
                n = sum(1 for _ in vxfast.detect(video, model, batch=1, end=seconds))
                det_t.append(time.perf_counter() - t0)
            else:
                sum(1 for _ in vxfast.track(video, model, batch=1, end=seconds))
                trk_t.append(time.perf_counter() - t0)
    d, t = statistics.median(det_t), statistics.median(trk_t)
    print(f"end to end ({n} frames): detect {n / d:.1f} fps, track {n / t:.1f} fps, track/detect throughput "
          f"{d / t:.3f}x", flush=True)
    return {"frames": n, "detect_fps": round(n / d, 2), "track_fps": round(n / t, 2),
            "throughput_ratio": round(d / t, 3)}


def iou_distance(gt_xywh: np.ndarray, hyp_xyxy: np.ndarray) -> np.ndarray:
    """1 - IoU, NaN below IoU 0.5 (motmetrics' iou_matrix, which needs numpy < 2)."""
    g = np.hstack([gt_xywh[:, :2], gt_xywh[:, :2] + gt_xywh[:, 2:4]])
    h = hyp_xyxy.astype(np.float64)
    if len(g) == 0 or len(h) == 0:
        return np.zeros((len(g), len(h)))
    iw = np.clip(np.minimum(g[:, None, 2], h[None, :, 2]) - np.maximum(g[:, None, 0], h[None, :, 0]), 0, None)
    ih = np.clip(np.minimum(g[:, None, 3], h[None, :, 3]) - np.maximum(g[:, None, 1], h[None, :, 1]), 0, None)
    inter = iw * ih
    union = ((g[:, 2] - g[:, 0]) * (g[:, 3] - g[:, 1]))[:, None] + ((h[:, 2] - h[:, 0]) * (h[:, 3] - h[:, 1]))[None]
    d = 1 - inter / (union - inter)
    d[d > 0.5] = np.nan
    return d


def tud_metrics() -> dict:
    """MOTA / IDF1 (motmetrics, IoU 0.5) of vxfast's ByteTrack on the TUD sequences motmetrics ships, fed the
    seeded synthetic detections of the tests (jitter, dropouts, low scores, false positives, occlusions)."""
    import motmetrics as mm

    from tracking_reference import motmetrics_gt, synthetic_sequence

    res = {}
    for name in ("TUD-Campus", "TUD-Stadtmitte"):
        gt = motmetrics_gt(name)
        acc = mm.MOTAccumulator(auto_id=True)
        t = vxfast.Tracker("bytetrack", frame_rate=25)
        for f, dets in zip(sorted(gt), synthetic_sequence(name, 0)):
            out = t.update(dets)
            g = gt[f]
            acc.update(g[:, 0].astype(int).tolist(), out[:, 4].astype(int).tolist(),
                       iou_distance(g[:, 1:5], out[:, :4]))
        m = mm.metrics.create().compute(acc, metrics=["mota", "idf1", "num_switches"], name=name)
        res[name] = {k: round(float(m[k].iloc[0]), 3) for k in ("mota", "idf1", "num_switches")}
        print(f"{name}: MOTA {res[name]['mota']:.3f}, IDF1 {res[name]['idf1']:.3f}, "
              f"ID switches {res[name]['num_switches']:.0f}", flush=True)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--frames", type=int, default=60)
    ap.add_argument("--video-seconds", type=float, default=4.0, help="0 skips the end-to-end part")
    ap.add_argument("--json", default=None, help="also write the results to this file")
    a = ap.parse_args()
    out = {"update": bench_update(a.rounds, a.frames), "ocsort_update": bench_ocsort(a.rounds, a.frames),
           "tud": tud_metrics()}
    if a.video_seconds > 0:
        out["end_to_end"] = bench_end_to_end(a.rounds, a.video_seconds)
    if a.json:
        Path(a.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
