"""Decode throughput on a 1080p H.264 clip, vxfast vs its anchors in one run, reported as ratios.

    python bench/bench_decode.py [--rounds 5] [--json out.json]

Anchors: PyAV (`to_ndarray`, default threading and thread_type="AUTO"), OpenCV `VideoCapture`,
and `ffmpeg -f null` (decode only, no conversion); for the fused decode+letterbox path (issue 3),
PyAV decoding alone with no conversion at all, and the same fused path with FFmpeg's own frame
thread count (cores+1) instead of vxfast's (cores+3 for frame iterators). Each variant runs once per round, variants
interleaved so machine noise hits all alike; the table shows medians.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vxfast  # noqa: E402

from media import h264_1080p, h264_1080p_gop50  # noqa: E402


def vx(path, fmt="rgb24", sample="all"):
    def run():
        n = 0
        with vxfast.VideoReader(path) as r:
            for _ in r.frames(sample=sample, format=fmt):
                n += 1
        return n
    return run


def vx_fused(path, threads=0):
    spec = vxfast.Letterbox(640)

    def run():
        n = 0
        with vxfast.VideoReader(path, threads) as r:
            for _ in r.frames(preprocess=spec):
                n += 1
        return n
    return run


def pyav_decode_only(path):
    import av

    def run():
        n = 0
        with av.open(str(path)) as c:
            s = c.streams.video[0]
            s.thread_type = "AUTO"
            for _ in c.decode(s):
                n += 1
        return n
    return run


def pyav(path, auto_threads):
    import av

    def run():
        n = 0
        with av.open(str(path)) as c:
            s = c.streams.video[0]
            if auto_threads:
                s.thread_type = "AUTO"
            for f in c.decode(s):
                f.to_ndarray(format="rgb24")
                n += 1
        return n
    return run


def opencv(path):
    import cv2

    def run():
        cap = cv2.VideoCapture(str(path))
        n = 0
        while True:
            ok, _ = cap.read()
            if not ok:
                break
            n += 1
        cap.release()
        return n
    return run


def ffmpeg_null(path):
    def run():
        subprocess.run(["ffmpeg", "-v", "error", "-threads", "0", "-i", str(path), "-map", "0:v:0",
                        "-f", "null", "-"], check=True)
        return None
    return run


def measure(variants, rounds):
    times = {k: [] for k in variants}
    frames = {}
    for _ in range(rounds):
        for name, fn in variants.items():
            t0 = time.perf_counter()
            n = fn()
            times[name].append(time.perf_counter() - t0)
            if n is not None:
                frames[name] = n
    return {k: statistics.median(v) for k, v in times.items()}, frames


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json")
    args = ap.parse_args(argv)

    clip, gop50 = h264_1080p(), h264_1080p_gop50()
    variants = {
        "vxfast rgb24": vx(clip),
        "vxfast yuv420p": vx(clip, "yuv420p"),
        "PyAV to_ndarray rgb24 (default threads)": pyav(clip, False),
        "PyAV to_ndarray rgb24 (thread_type=AUTO)": pyav(clip, True),
        "OpenCV VideoCapture (bgr)": opencv(clip),
        "vxfast decode+letterbox 640 f32 (fused)": vx_fused(clip),
        "  same, FFmpeg's thread count (cores+1)": vx_fused(clip, (os.cpu_count() or 1) + 1),
        "PyAV decode only (AUTO, no conversion)": pyav_decode_only(clip),
    }
    if shutil.which("ffmpeg"):
        variants["ffmpeg -f null (decode only)"] = ffmpeg_null(clip)
    med, frames = measure(variants, args.rounds)
    n = frames["vxfast rgb24"]
    fps = {k: n / v for k, v in med.items()}

    kf = {"vxfast gop50 all (yuv420p)": vx(gop50, "yuv420p"),
          "vxfast gop50 keyframes (yuv420p)": vx(gop50, "yuv420p", "keyframes")}
    kmed, kframes = measure(kf, args.rounds)

    ratios = {
        "rgb24 vs PyAV default": fps["vxfast rgb24"] / fps["PyAV to_ndarray rgb24 (default threads)"],
        "rgb24 vs PyAV AUTO": fps["vxfast rgb24"] / fps["PyAV to_ndarray rgb24 (thread_type=AUTO)"],
        "rgb24 vs OpenCV": fps["vxfast rgb24"] / fps["OpenCV VideoCapture (bgr)"],
        "fused decode+letterbox vs PyAV decode only": fps["vxfast decode+letterbox 640 f32 (fused)"]
        / fps["PyAV decode only (AUTO, no conversion)"],
        "fused: vxfast's threads vs FFmpeg's": fps["vxfast decode+letterbox 640 f32 (fused)"]
        / fps["  same, FFmpeg's thread count (cores+1)"],
        "keyframes vs all (gop50), time": kmed["vxfast gop50 all (yuv420p)"] / kmed["vxfast gop50 keyframes (yuv420p)"],
    }
    if "ffmpeg -f null (decode only)" in fps:
        ratios["yuv420p vs ffmpeg -f null"] = fps["vxfast yuv420p"] / fps["ffmpeg -f null (decode only)"]

    print(f"1080p H.264, {n} frames, median of {args.rounds} rounds")
    for k in variants:
        print(f"  {k:<44} {med[k] * 1000:8.1f} ms  {fps[k]:7.1f} fps")
    for k in kf:
        print(f"  {k:<44} {kmed[k] * 1000:8.1f} ms  ({kframes[k]} frames)")
    print("ratios (>1 = vxfast faster):")
    for k, v in ratios.items():
        print(f"  {k:<44} {v:6.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps({"median_s": med, "fps": fps, "ratios": ratios,
                                               "keyframes_median_s": kmed}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
